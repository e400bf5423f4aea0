//! Time: Unix timestamps for events, civil dates in Vietnam (UTC+7) for deadlines.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use ocop_core::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Vietnam's offset from UTC, in seconds (UTC+7, no daylight saving).
const VN_OFFSET: i64 = 7 * 3600;
const DAY: i64 = 86_400;

/// An instant, as whole seconds since 1970-01-01T00:00:00Z. Deadlines are counted on the
/// civil date this instant falls on in Vietnam ([`Timestamp::vn_date`]).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct Timestamp(i64);

fn epoch() -> Date {
    #[expect(clippy::expect_used, reason = "1970-01-01 is a valid date")]
    Date::new(1970, 1, 1).expect("1970-01-01 exists")
}

impl Timestamp {
    /// The instant `seconds` after the Unix epoch.
    pub fn from_unix_seconds(seconds: i64) -> Timestamp {
        Timestamp(seconds)
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(self) -> i64 {
        self.0
    }

    /// The instant `hour:minute` (Vietnam time) on `date`.
    pub fn vn(date: Date, hour: u8, minute: u8) -> Timestamp {
        let days = epoch().days_until(date);
        let secs = days
            .saturating_mul(DAY)
            .saturating_add(i64::from(hour.min(23)) * 3600)
            .saturating_add(i64::from(minute.min(59)) * 60);
        Timestamp(secs.saturating_sub(VN_OFFSET))
    }

    /// The civil date in Vietnam at this instant.
    pub fn vn_date(self) -> Date {
        epoch().add_days(self.0.saturating_add(VN_OFFSET).div_euclid(DAY))
    }

    /// The instant `days` days later.
    pub fn add_days(self, days: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(days.saturating_mul(DAY)))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.0.saturating_add(VN_OFFSET);
        let secs = local.rem_euclid(DAY);
        write!(
            f,
            "{}T{:02}:{:02}:{:02}+07:00",
            self.vn_date(),
            secs / 3600,
            (secs % 3600) / 60,
            secs % 60
        )
    }
}

/// Where the engine reads the time. Library code never reads the system clock except
/// through [`SystemClock`].
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Timestamp(secs)
    }
}

/// A clock that only moves when told to, for tests and simulations. Clones share the time.
///
/// # Examples
/// ```
/// use ocop_core::Date;
/// use ocop_engine::{Clock, ManualClock, Timestamp};
///
/// let clock = ManualClock::new(Timestamp::vn(Date::new(2026, 6, 1).unwrap(), 9, 0));
/// clock.advance_days(30);
/// assert_eq!(clock.now().vn_date(), Date::new(2026, 7, 1).unwrap());
/// ```
#[derive(Clone, Debug)]
pub struct ManualClock {
    now: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock standing at `at`.
    pub fn new(at: Timestamp) -> ManualClock {
        ManualClock {
            now: Arc::new(AtomicI64::new(at.0)),
        }
    }

    /// A clock standing at 09:00 Vietnam time on `date`.
    pub fn on(date: Date) -> ManualClock {
        ManualClock::new(Timestamp::vn(date, 9, 0))
    }

    /// Sets the time.
    pub fn set(&self, at: Timestamp) {
        self.now.store(at.0, Ordering::SeqCst);
    }

    /// Sets the time to 09:00 Vietnam time on `date`.
    pub fn set_date(&self, date: Date) {
        self.set(Timestamp::vn(date, 9, 0));
    }

    /// Moves the time on by `days` days.
    pub fn advance_days(&self, days: i64) {
        self.now
            .fetch_add(days.saturating_mul(DAY), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.now.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnam_dates_are_utc_plus_seven() {
        let d = Date::new(2026, 5, 22).unwrap();
        let t = Timestamp::vn(d, 0, 0);
        assert_eq!(t.vn_date(), d);
        // 23:59 UTC on the 21st is already the 22nd in Vietnam.
        assert_eq!(
            Timestamp::from_unix_seconds(t.unix_seconds() - 1).vn_date(),
            Date::new(2026, 5, 21).unwrap()
        );
        assert_eq!(t.to_string(), "2026-05-22T00:00:00+07:00");
        assert_eq!(
            Timestamp::from_unix_seconds(0).vn_date(),
            Date::new(1970, 1, 1).unwrap()
        );
    }
}
