//! The calendar (audit section C) and day counting (section D, Civil Code Art. 147-148).

use ocop_engine::{Calendar, YearStatus};

use crate::support::*;

/// C3: VPCP 12729/VPCP-KGVX: Friday 2 January 2026 off, Saturday 10 January worked.
#[test]
fn cal_2026_new_year_swap() {
    let vn = Calendar::vietnam();
    assert!(!vn.is_working_day(d("2026-01-02")).unwrap());
    assert!(vn.is_working_day(d("2026-01-10")).unwrap());
    // 15 working days from Thursday 11 December 2025 end on Monday 5 January 2026.
    assert_eq!(
        vn.add_working_days(d("2025-12-11"), 15).unwrap(),
        d("2026-01-05")
    );
}

/// C6: Monday 31 August and Tuesday 1 September 2026 off, Saturday 22 August worked.
#[test]
fn cal_2026_national_day_swap() {
    let vn = Calendar::vietnam();
    for off in ["2026-08-31", "2026-09-01", "2026-09-02"] {
        assert!(!vn.is_working_day(d(off)).unwrap(), "{off}");
    }
    assert!(vn.is_working_day(d("2026-08-22")).unwrap());
    assert_eq!(
        vn.add_working_days(d("2026-08-20"), 15).unwrap(),
        d("2026-09-14")
    );
}

/// C7: 2026 is announced, and every entry of it cites its notice.
#[test]
fn cal_2026_is_announced_and_every_entry_cites_its_source() {
    let vn = Calendar::vietnam();
    assert_eq!(vn.year_status(2026), Some(YearStatus::Announced));
    let year = vn.file().years.iter().find(|y| y.year == 2026).unwrap();
    assert!(
        year.days_off
            .iter()
            .chain(&year.working_days)
            .all(|e| e.source.is_some())
    );
}

/// D1 (Civil Code Art. 147): the first day of a period is not counted.
#[test]
fn blds_147_first_day_not_counted() {
    let vn = Calendar::vietnam();
    assert_eq!(
        vn.add_working_days(d("2026-06-01"), 1).unwrap(),
        d("2026-06-02")
    );
}

/// D5 (Civil Code Art. 148(5)): a period in calendar days whose last day is a weekend or a
/// day off ends on the next working day (the engine's deadlines, the 12.2 limits and the
/// 12.3 cap use it; see the tests of Art. 8.4 and 12.2b).
#[test]
fn blds_148_5_calendar_day_periods_roll_forward() {
    let vn = Calendar::vietnam();
    assert_eq!(vn.roll_forward(d("2026-06-21")).unwrap(), d("2026-06-22"));
    assert_eq!(vn.roll_forward(d("2026-08-29")).unwrap(), d("2026-09-03"));
    assert_eq!(vn.roll_forward(d("2026-07-21")).unwrap(), d("2026-07-21"));
}

/// C2: the 2025 schedule as announced: Tết 25 January - 2 February, Hùng Kings 7 April,
/// 30 April - 1 May with Friday 2 May swapped for Saturday 26 April, National Day 1-2
/// September.
#[test]
fn cal_2025_announced_schedule() {
    let vn = Calendar::vietnam();
    assert_eq!(vn.year_status(2025), Some(YearStatus::Announced));
    for off in [
        "2025-01-01",
        "2025-01-27",
        "2025-01-31",
        "2025-04-07",
        "2025-04-30",
        "2025-05-01",
        "2025-05-02",
        "2025-09-01",
        "2025-09-02",
    ] {
        assert!(!vn.is_working_day(d(off)).unwrap(), "{off}");
    }
    assert!(vn.is_working_day(d("2025-04-26")).unwrap());
    assert!(vn.is_working_day(d("2025-02-03")).unwrap());
}

/// C5: 2026: Hùng Kings (Sunday 26 April) compensated on Monday 27 April; 30 April and
/// 1 May off.
#[test]
fn cal_2026_hung_kings_compensated_and_30_april() {
    let vn = Calendar::vietnam();
    for off in ["2026-04-27", "2026-04-30", "2026-05-01"] {
        assert!(!vn.is_working_day(d(off)).unwrap(), "{off}");
    }
    assert!(vn.is_working_day(d("2026-04-28")).unwrap());
    assert!(vn.is_working_day(d("2026-04-29")).unwrap());
    // 15 working days from Friday 17 April 2026 end on Wednesday 13 May.
    assert_eq!(
        vn.add_working_days(d("2026-04-17"), 15).unwrap(),
        d("2026-05-13")
    );
}
