//! The working-day calendar: weekends and public holidays, as data per year.

use std::collections::{BTreeMap, BTreeSet};

use ocop_core::{
    Date, Label,
    diagnostic::{Code, Diagnostic, Report, parse_document},
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The calendar file format version this library reads.
pub const CALENDAR_FORMAT: u32 = 1;

/// The Vietnamese calendar shipped with ocop (`workflows/calendars/vn.toml`).
const VN_TOML: &str = include_str!("../../../workflows/calendars/vn.toml");

/// A calendar file: the days off and make-up working days of each year it covers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarFile {
    /// Format version of this file; must be 1.
    pub format: u32,
    /// The id definitions name in `calendar = "..."`, e.g. `vn`.
    pub id: String,
    /// Name of the calendar.
    pub label: Label,
    /// The law the holidays come from.
    pub basis: String,
    /// One entry per covered year.
    pub years: Vec<CalendarYear>,
}

/// How far a year's data can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum YearStatus {
    /// The civil-service schedule as announced for that year.
    Announced,
    /// Only the statutory days whose dates are certain; the year's swaps are missing.
    Statutory,
}

/// The days off of one year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarYear {
    /// The year, e.g. 2026.
    pub year: i16,
    /// Announced schedule or statutory days only.
    pub status: YearStatus,
    /// Where the days come from.
    pub source: String,
    /// What is encoded and what is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Public holidays and swapped days off (weekdays; weekend days listed here change nothing).
    pub days_off: Vec<DayRange>,
    /// Saturdays or Sundays worked to make up a swapped day off.
    #[serde(default)]
    pub working_days: Vec<DayRange>,
}

/// A day, or a run of days when `until` is set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DayRange {
    /// The (first) day.
    pub date: Date,
    /// The last day of the run, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
    /// What the day is.
    pub name: String,
    /// The notice or article the entry comes from (required in an `announced` year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A calendar question that cannot be answered, or a calendar file that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// The date's year has no holiday data: the engine never guesses.
    #[error(
        "calendar `{calendar}` has no holiday data for {year} (needed for {date}); add the year's days off to the calendar file"
    )]
    YearNotCovered {
        /// The calendar.
        calendar: String,
        /// The year missing.
        year: i16,
        /// The date asked about.
        date: Date,
    },
    /// The calendar file is not well-formed, or not shaped like a calendar; the report
    /// holds one `syntax` finding.
    #[error("`{file}` could not be read as a calendar:\n{report}", file = .0.file, report = .0)]
    Syntax(Report),
    /// The calendar file is well-formed but wrong; the report holds every finding, each
    /// located at `file:line:col`.
    #[error(
        "`{file}` is not a valid calendar ({count} errors):\n{report}",
        file = .0.file,
        count = .0.errors().count(),
        report = .0
    )]
    Invalid(Report),
}

impl CalendarError {
    /// The findings behind a file that could not be read (none for a question about a
    /// year without data).
    pub fn report(&self) -> Option<&Report> {
        match self {
            CalendarError::Syntax(r) | CalendarError::Invalid(r) => Some(r),
            CalendarError::YearNotCovered { .. } => None,
        }
    }
}

/// A working-day calendar built from a [`CalendarFile`].
///
/// # Examples
/// ```
/// use ocop_core::Date;
/// use ocop_engine::Calendar;
///
/// let vn = Calendar::vietnam();
/// // Tết 2026: civil servants are off from Saturday 14 to Sunday 22 February.
/// let friday = Date::new(2026, 2, 13).unwrap();
/// assert_eq!(vn.add_working_days(friday, 1)?, Date::new(2026, 2, 23).unwrap());
/// // A year without data is an error, never a guess.
/// assert!(vn.is_working_day(Date::new(2031, 1, 2).unwrap()).is_err());
/// # Ok::<(), ocop_engine::CalendarError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Calendar {
    id: String,
    years: BTreeMap<i16, YearStatus>,
    off: BTreeSet<Date>,
    worked: BTreeSet<Date>,
    file: CalendarFile,
}

impl Calendar {
    /// The Vietnamese calendar shipped with ocop (`workflows/calendars/vn.toml`, 2024-2027).
    pub fn vietnam() -> Calendar {
        #[expect(
            clippy::expect_used,
            reason = "the embedded file is fixed at build time and checked by a unit test"
        )]
        Calendar::load("workflows/calendars/vn.toml", VN_TOML)
            .expect("the embedded Vietnamese calendar is valid")
    }

    /// Reads a calendar file's text. `file` names the file in diagnostics and picks the
    /// syntax (`.json` for JSON, anything else for TOML).
    ///
    /// # Errors
    /// [`CalendarError::Syntax`] for a malformed file; [`CalendarError::Invalid`] with every
    /// finding, each located at `file:line:col`: a wrong format version, a year listed
    /// twice, a day outside its year, a run that ends before it starts, a day both off and
    /// worked.
    ///
    /// # Examples
    /// ```
    /// let text = "format = 1\nid = \"x\"\nlabel = { vi = \"x\", en = \"x\" }\nbasis = \"x\"\n\
    ///     [[years]]\nyear = 2024\nstatus = \"announced\"\nsource = \"s\"\n\
    ///     days_off = [{ date = \"2025-01-01\", name = \"Tết Dương lịch\" }]\n";
    /// let err = ocop_engine::Calendar::load("x.toml", text).unwrap_err();
    /// assert!(err.to_string().contains("x.toml:9:15: error[calendar-day-outside-year]"));
    /// ```
    pub fn load(file: &str, text: &str) -> Result<Calendar, CalendarError> {
        let (parsed, map): (CalendarFile, _) =
            parse_document(file, text, "calendar").map_err(CalendarError::Syntax)?;
        let report = Report::new(file, check(&parsed)).locate(&map);
        if report.has_errors() {
            return Err(CalendarError::Invalid(report));
        }
        Ok(Calendar::build(parsed))
    }

    /// Builds a calendar from a parsed file.
    ///
    /// # Errors
    /// [`CalendarError::Invalid`] as for [`Calendar::load`], but without line and column
    /// (the findings name the key, e.g. `years[1].days_off[0].date`).
    pub fn from_file(file: CalendarFile) -> Result<Calendar, CalendarError> {
        let report = Report::new(format!("calendar `{}`", file.id), check(&file));
        if report.has_errors() {
            return Err(CalendarError::Invalid(report));
        }
        Ok(Calendar::build(file))
    }

    /// The calendar of a file [`check`] found no error in.
    fn build(file: CalendarFile) -> Calendar {
        let mut years = BTreeMap::new();
        let mut off = BTreeSet::new();
        let mut worked = BTreeSet::new();
        for y in &file.years {
            years.insert(y.year, y.status);
            for (ranges, set) in [(&y.days_off, &mut off), (&y.working_days, &mut worked)] {
                for r in ranges {
                    set.extend(r.days());
                }
            }
        }
        Calendar {
            id: file.id.clone(),
            years,
            off,
            worked,
            file,
        }
    }

    /// The calendar's id, e.g. `vn`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The file the calendar was built from.
    pub fn file(&self) -> &CalendarFile {
        &self.file
    }

    /// The status of `year`'s data, if the calendar covers it.
    pub fn year_status(&self, year: i16) -> Option<YearStatus> {
        self.years.get(&year).copied()
    }

    /// Whether `date` is a working day.
    ///
    /// # Errors
    /// [`CalendarError::YearNotCovered`] when the calendar has no data for `date`'s year.
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        if !self.years.contains_key(&date.year()) {
            return Err(CalendarError::YearNotCovered {
                calendar: self.id.clone(),
                year: date.year(),
                date,
            });
        }
        Ok(if self.worked.contains(&date) {
            true
        } else {
            !date.is_weekend() && !self.off.contains(&date)
        })
    }

    /// `date` if it is a working day, else the next working day: where a period counted in
    /// calendar days ends when its last day is a weekend or a day off (Civil Code 2015
    /// Art. 148(5)).
    ///
    /// # Errors
    /// [`CalendarError::YearNotCovered`] when the calendar has no data for a year the
    /// search crosses (no guessing, as for working days).
    pub fn roll_forward(&self, date: Date) -> Result<Date, CalendarError> {
        let mut d = date;
        while !self.is_working_day(d)? {
            d = d.add_days(1);
        }
        Ok(d)
    }

    /// The `n`th working day after `from` (`from` itself not counted): the last day of a
    /// deadline of `n` working days counted from `from`. With `n = 0`, `from` itself.
    ///
    /// # Errors
    /// [`CalendarError::YearNotCovered`] when the count crosses a year without data.
    pub fn add_working_days(&self, from: Date, n: u32) -> Result<Date, CalendarError> {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = d.add_days(1);
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }
}

impl DayRange {
    /// Every day of the run, `date` to `until` inclusive (none when `until` is earlier).
    fn days(&self) -> impl Iterator<Item = Date> {
        let last = self.until.unwrap_or(self.date);
        std::iter::successors(Some(self.date), |d| Some(d.add_days(1)))
            .take_while(move |d| *d <= last)
    }
}

/// Every problem of a calendar file, each naming its key.
fn check(file: &CalendarFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if file.format != CALENDAR_FORMAT {
        out.push(Diagnostic::unsupported_format(
            "calendar",
            file.format,
            CALENDAR_FORMAT,
        ));
    }
    let mut years: BTreeMap<i16, usize> = BTreeMap::new();
    // Where each day was listed, to name both entries of a day listed as off and worked.
    let mut off: BTreeMap<Date, String> = BTreeMap::new();
    let mut worked: BTreeMap<Date, String> = BTreeMap::new();
    for (i, y) in file.years.iter().enumerate() {
        if let Some(first) = years.insert(y.year, i) {
            out.push(
                Diagnostic::error(
                    Code::CalendarDuplicateYear,
                    format!("years[{i}].year"),
                    format!(
                        "year {} is listed twice (first as `years[{first}]`)",
                        y.year
                    ),
                )
                .help("keep one `[[years]]` entry per year and merge their days into it"),
            );
        }
        for (name, ranges, seen) in [
            ("days_off", &y.days_off, &mut off),
            ("working_days", &y.working_days, &mut worked),
        ] {
            for (k, r) in ranges.iter().enumerate() {
                let path = format!("years[{i}].{name}[{k}]");
                let last = r.until.unwrap_or(r.date);
                if r.date.year() != y.year || last.year() != y.year {
                    let (key, day) = if r.date.year() != y.year {
                        ("date", r.date)
                    } else {
                        ("until", last)
                    };
                    out.push(
                        Diagnostic::error(
                            Code::CalendarDayOutsideYear,
                            format!("{path}.{key}"),
                            format!("`{day}` ({}) lies outside year {}", r.name, y.year),
                        )
                        .help(format!(
                            "list it under the `[[years]]` entry of {}, or correct the date",
                            day.year()
                        )),
                    );
                    continue;
                }
                if last < r.date {
                    out.push(
                        Diagnostic::error(
                            Code::CalendarDayRange,
                            format!("{path}.until"),
                            format!(
                                "`{}` ends on `{last}`, before it starts on `{}`",
                                r.name, r.date
                            ),
                        )
                        .help("`until` is the last day of the run: make it the same as `date` or later"),
                    );
                    continue;
                }
                for d in r.days() {
                    seen.entry(d).or_insert_with(|| path.clone());
                }
            }
        }
    }
    for (d, at) in &worked {
        if let Some(off_at) = off.get(d) {
            out.push(
                Diagnostic::error(
                    Code::CalendarDayConflict,
                    at.clone(),
                    format!("`{d}` is both a working day and a day off (`{off_at}`)"),
                )
                .help(
                    "a make-up working day cannot also be a day off: remove one of the two entries",
                ),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn embedded_calendar_loads_and_covers_2024_to_2027() {
        let vn = Calendar::vietnam();
        assert_eq!(vn.id(), "vn");
        for y in 2024..=2027 {
            assert!(vn.year_status(y).is_some(), "{y}");
        }
        assert_eq!(vn.year_status(2024), Some(YearStatus::Announced));
        assert_eq!(vn.year_status(2027), Some(YearStatus::Statutory));
        assert!(vn.year_status(2028).is_none());
    }

    #[test]
    fn every_year_cites_a_source_and_statutory_years_say_what_is_missing() {
        let vn = Calendar::vietnam();
        for y in &vn.file().years {
            assert!(!y.source.is_empty());
            if y.status == YearStatus::Statutory {
                assert!(y.note.as_deref().is_some_and(|n| n.contains("Missing")));
            }
            for w in &y.working_days {
                assert!(
                    w.date.is_weekend(),
                    "{} is a make-up day on a weekday",
                    w.date
                );
            }
        }
    }

    /// Audit section C: 2026 as announced (2 Jan off, Sat 10 Jan worked; 31 Aug and 1 Sep
    /// off, Sat 22 Aug worked), every entry citing its notice.
    #[test]
    fn the_2026_schedule_as_announced() {
        let vn = Calendar::vietnam();
        assert_eq!(vn.year_status(2026), Some(YearStatus::Announced));
        for off in ["2026-01-02", "2026-08-31", "2026-09-01", "2026-09-02"] {
            assert!(!vn.is_working_day(d(off)).unwrap(), "{off}");
        }
        for worked in ["2026-01-10", "2026-08-22"] {
            assert!(vn.is_working_day(d(worked)).unwrap(), "{worked}");
        }
        let y2026 = vn.file().years.iter().find(|y| y.year == 2026).unwrap();
        for e in y2026.days_off.iter().chain(&y2026.working_days) {
            assert!(
                e.source.as_deref().is_some_and(|s| !s.is_empty()),
                "{}",
                e.date
            );
        }
        // The audit's examples of 15 working days around the new days.
        for (from, due) in [
            ("2025-12-11", "2026-01-05"),
            ("2026-01-05", "2026-01-23"),
            ("2026-08-20", "2026-09-14"),
            ("2026-08-24", "2026-09-17"),
        ] {
            assert_eq!(vn.add_working_days(d(from), 15).unwrap(), d(due), "{from}");
        }
    }

    /// Civil Code Art. 148(5): a last day that is a weekend or day off moves to the next
    /// working day; a working day stays; a year without data is an error.
    #[test]
    fn roll_forward_off_weekends_and_days_off() {
        let vn = Calendar::vietnam();
        assert_eq!(vn.roll_forward(d("2026-06-21")).unwrap(), d("2026-06-22")); // Sunday
        assert_eq!(vn.roll_forward(d("2026-08-29")).unwrap(), d("2026-09-03")); // National Day
        assert_eq!(vn.roll_forward(d("2026-01-10")).unwrap(), d("2026-01-10")); // make-up Saturday
        assert_eq!(vn.roll_forward(d("2026-07-21")).unwrap(), d("2026-07-21"));
        assert!(vn.roll_forward(d("2027-12-31")).is_ok());
        assert!(vn.roll_forward(d("2028-01-01")).is_err());
    }

    #[test]
    fn weekends_holidays_and_make_up_days() {
        let vn = Calendar::vietnam();
        assert!(!vn.is_working_day(d("2026-02-18")).unwrap()); // Tết
        assert!(!vn.is_working_day(d("2026-05-23")).unwrap()); // Saturday
        assert!(vn.is_working_day(d("2026-05-22")).unwrap()); // Friday
        assert!(vn.is_working_day(d("2024-05-04")).unwrap()); // make-up Saturday
        assert!(!vn.is_working_day(d("2024-04-29")).unwrap()); // swapped Monday
        assert!(!vn.is_working_day(d("2024-09-03")).unwrap());
    }

    #[test]
    fn fifteen_working_days_across_tet_2026() {
        let vn = Calendar::vietnam();
        // Filed Friday 6 Feb 2026: 9-13 Feb is 5 days, Tết 14-22 Feb, then 23 Feb onwards.
        let due = vn.add_working_days(d("2026-02-06"), 15).unwrap();
        assert_eq!(due, d("2026-03-06"));
        assert_eq!(
            vn.add_working_days(d("2026-02-06"), 0).unwrap(),
            d("2026-02-06")
        );
    }

    #[test]
    fn a_year_without_data_is_an_error() {
        let vn = Calendar::vietnam();
        let err = vn.add_working_days(d("2027-12-20"), 15).unwrap_err();
        assert!(matches!(
            err,
            CalendarError::YearNotCovered { year: 2028, .. }
        ));
        assert!(err.to_string().contains("no holiday data for 2028"));
    }

    #[test]
    fn bad_files_are_refused_with_every_finding_located() {
        let base = "format = 1\nid = \"x\"\nlabel = { vi = \"x\", en = \"x\" }\nbasis = \"x\"\n";
        let year = "[[years]]\nyear = 2024\nstatus = \"announced\"\nsource = \"s\"\n";
        let bad = format!(
            "{base}{year}days_off = [{{ date = \"2025-01-01\", name = \"n\" }}, {{ date = \"2024-05-04\", name = \"m\" }}]\nworking_days = [{{ date = \"2024-05-04\", name = \"w\" }}]\n{year}days_off = []\n"
        );
        let err = Calendar::load("bad.toml", &bad).unwrap_err();
        let report = err.report().unwrap();
        let codes: Vec<_> = report.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                Code::CalendarDayOutsideYear,
                Code::CalendarDayConflict,
                Code::CalendarDuplicateYear
            ]
        );
        assert!(report.diagnostics.iter().all(|d| d.location.is_some()));
        assert!(matches!(err, CalendarError::Invalid(_)));
        let err = Calendar::load("bad.toml", "nonsense").unwrap_err();
        assert!(matches!(err, CalendarError::Syntax(_)));
        assert!(
            err.to_string().contains("bad.toml:1:9: error[syntax]"),
            "{err}"
        );
        let file = Calendar::vietnam().file().clone();
        let wrong = CalendarFile { format: 9, ..file };
        let err = Calendar::from_file(wrong).unwrap_err();
        assert!(
            err.to_string()
                .contains("calendar `vn`: error[unsupported-format]"),
            "{err}"
        );
    }
}
