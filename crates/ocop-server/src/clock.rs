//! A clock that starts on a chosen day and runs in real time (`ocop serve --clock-start`):
//! demos and acceptance tests replay a programme year without waiting for the calendar.

use std::time::Instant;

use ocop_core::Date;
use ocop_engine::{Clock, Timestamp};

/// The engine's time: a chosen instant plus the real time elapsed since the server started.
///
/// # Examples
/// ```
/// use ocop_engine::Clock;
/// let clock = ocop_server::OffsetClock::starting(ocop_core::Date::new(2026, 6, 1).unwrap());
/// assert_eq!(clock.now().vn_date(), ocop_core::Date::new(2026, 6, 1).unwrap());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock {
    start: Timestamp,
    since: Instant,
}

impl OffsetClock {
    /// A clock at 08:00 (Vietnam) on `day`, from now on.
    pub fn starting(day: Date) -> OffsetClock {
        OffsetClock {
            start: Timestamp::vn(day, 8, 0),
            since: Instant::now(),
        }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        let elapsed = i64::try_from(self.since.elapsed().as_secs()).unwrap_or(i64::MAX);
        Timestamp::from_unix_seconds(self.start.unix_seconds().saturating_add(elapsed))
    }
}
