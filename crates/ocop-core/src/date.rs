//! A civil date (no time zone, no clock), the unit of every legal deadline.

use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date such as `2026-05-22`, serialised as `YYYY-MM-DD`.
///
/// Arithmetic saturates at the ends of the supported range (years -9999 to 9999) rather
/// than failing, since no OCOP deadline comes near them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(jiff::civil::Date);

/// A date that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a date: write it as YYYY-MM-DD, e.g. 2026-05-22")]
pub struct DateParseError {
    input: String,
}

impl Date {
    /// The earliest date supported (year -9999).
    pub const MIN: Date = Date(jiff::civil::Date::MIN);
    /// The latest date supported (year 9999).
    pub const MAX: Date = Date(jiff::civil::Date::MAX);

    /// The date `year-month-day`, if it exists.
    pub fn new(year: i16, month: i8, day: i8) -> Option<Self> {
        jiff::civil::Date::new(year, month, day).ok().map(Date)
    }

    /// The year.
    pub fn year(self) -> i16 {
        self.0.year()
    }

    /// The month, 1 to 12.
    pub fn month(self) -> i8 {
        self.0.month()
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> i8 {
        self.0.day()
    }

    /// Monday = 1 ... Sunday = 7.
    pub fn iso_weekday(self) -> i8 {
        self.0.weekday().to_monday_one_offset()
    }

    /// Saturday or Sunday.
    pub fn is_weekend(self) -> bool {
        self.iso_weekday() >= 6
    }

    /// The date `days` calendar days later (earlier when negative).
    pub fn add_days(self, days: i64) -> Self {
        let span = jiff::Span::new().days(days.clamp(-3_000_000, 3_000_000));
        Date(self.0.checked_add(span).unwrap_or(if days < 0 {
            jiff::civil::Date::MIN
        } else {
            jiff::civil::Date::MAX
        }))
    }

    /// The date `months` months later, clamped to the month's last day (31 Jan + 1 month is
    /// 28 or 29 Feb), as certificate validity is counted.
    pub fn add_months(self, months: i32) -> Self {
        let span = jiff::Span::new().months(months.clamp(-200_000, 200_000));
        Date(self.0.checked_add(span).unwrap_or(if months < 0 {
            jiff::civil::Date::MIN
        } else {
            jiff::civil::Date::MAX
        }))
    }

    /// Calendar days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.0.to_jiff_days() - self.0.to_jiff_days()
    }
}

trait JiffDays {
    fn to_jiff_days(self) -> i64;
}

impl JiffDays for jiff::civil::Date {
    fn to_jiff_days(self) -> i64 {
        // Days since 1970-01-01, computed with the civil-from-days algorithm so that no
        // fallible span rounding is needed.
        let y = i64::from(self.year()) - i64::from(self.month() <= 2);
        let m = i64::from(self.month());
        let d = i64::from(self.day());
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

impl FromStr for Date {
    type Err = DateParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DateParseError {
            input: s.to_owned(),
        };
        let mut parts = s.split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(err());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(err());
        }
        let y: i16 = y.parse().map_err(|_| err())?;
        let m: i8 = m.parse().map_err(|_| err())?;
        let d: i8 = d.parse().map_err(|_| err())?;
        Date::new(y, m, d).ok_or_else(err)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date",
            "description": "A calendar date, YYYY-MM-DD",
        })
    }
}

/// A day of the year, `MM-DD` (29 February allowed), as evaluation rounds write their
/// cut-off dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonthDay {
    month: i8,
    day: i8,
}

impl MonthDay {
    /// `month-day`, if it is a day of some year (29 February is).
    pub fn new(month: i8, day: i8) -> Option<MonthDay> {
        Date::new(2024, month, day).map(|_| MonthDay { month, day })
    }

    /// Reads `MM-DD`.
    pub fn parse(s: &str) -> Option<MonthDay> {
        let (m, d) = s.split_once('-')?;
        if m.len() != 2 || d.len() != 2 {
            return None;
        }
        MonthDay::new(m.parse().ok()?, d.parse().ok()?)
    }

    /// The month, 1 to 12.
    pub fn month(self) -> i8 {
        self.month
    }

    /// The day of the month.
    pub fn day(self) -> i8 {
        self.day
    }

    /// This day in `year`; 29 February falls on the 28th in a common year.
    pub fn in_year(self, year: i16) -> Date {
        Date::new(year, self.month, self.day)
            .or_else(|| Date::new(year, self.month, self.day.min(28)))
            .unwrap_or(Date::MIN)
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let d: Date = "2026-05-22".parse().unwrap();
        assert_eq!(d.to_string(), "2026-05-22");
        assert_eq!(d.iso_weekday(), 5);
        assert!("2026-02-30".parse::<Date>().is_err());
        assert!("2026-5-22".parse::<Date>().is_err());
    }

    #[test]
    fn arithmetic() {
        let d = Date::new(2024, 1, 31).unwrap();
        assert_eq!(d.add_months(1), Date::new(2024, 2, 29).unwrap());
        assert_eq!(d.add_months(36), Date::new(2027, 1, 31).unwrap());
        assert_eq!(d.add_days(30), Date::new(2024, 3, 1).unwrap());
        assert_eq!(d.days_until(Date::new(2025, 1, 31).unwrap()), 366);
        assert_eq!(Date::new(1970, 1, 1).unwrap().0.to_jiff_days(), 0);
    }

    #[test]
    fn month_days() {
        let md = MonthDay::parse("02-29").unwrap();
        assert_eq!(md.to_string(), "02-29");
        assert_eq!(md.in_year(2025), Date::new(2025, 2, 28).unwrap());
        assert_eq!(md.in_year(2028), Date::new(2028, 2, 29).unwrap());
        assert!(MonthDay::parse("2-29").is_none());
        assert!(MonthDay::parse("02-30").is_none());
        assert!(MonthDay::parse("13-01").is_none());
    }
}
