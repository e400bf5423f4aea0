//! The per-credential rate limit: a token bucket per credential (`burst` requests at once,
//! refilled at `per_second`). Over the limit, a request gets 429 with `Retry-After`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// A token bucket per credential.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

/// Buckets kept before idle ones are dropped.
const MAX_BUCKETS: usize = 10_000;

impl RateLimiter {
    pub(crate) fn new(per_second: f64, burst: u32) -> RateLimiter {
        RateLimiter {
            per_second: per_second.max(0.001),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn burst(&self) -> u32 {
        self.burst as u32
    }

    /// Takes a token for `credential`, or says how many whole seconds to wait.
    pub(crate) fn check(&self, credential: &str) -> Result<(), u64> {
        self.check_at(credential, Instant::now())
    }

    fn check_at(&self, credential: &str, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > MAX_BUCKETS {
            let full = self.burst / self.per_second;
            buckets.retain(|_, (_, at)| now.duration_since(*at).as_secs_f64() < full);
        }
        let (tokens, at) = buckets
            .entry(credential.to_owned())
            .or_insert((self.burst, now));
        let refilled =
            (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        *at = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            let wait = ((1.0 - refilled) / self.per_second).ceil().max(1.0);
            Err(wait as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_burst_then_a_wait() {
        let l = RateLimiter::new(2.0, 3);
        let t = Instant::now();
        for _ in 0..3 {
            assert_eq!(l.check_at("a", t), Ok(()));
        }
        assert_eq!(l.check_at("a", t), Err(1));
        // Another credential has its own bucket.
        assert_eq!(l.check_at("b", t), Ok(()));
        assert_eq!(l.check_at("a", t + Duration::from_millis(600)), Ok(()));
    }
}
