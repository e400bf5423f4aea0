//! The law, rule by rule: one test per rule of Decision 26/2026 Art. 4-12 and of the seed
//! plan (Kế hoạch 109/KH-UBND, Decision 148/2023), named after its article. Each drives the
//! engine through the scenario and checks the outcome and the deadline. `coverage` holds
//! the table of every audited rule (`../shared/audits/legal-2026-12.md`), checks that each
//! row names a test that exists (or says why the rule is not modelled), and generates
//! `docs/legal-coverage.md` from it.
//!
//! Dates: the embedded calendar covers 2024-2027. A certificate issued under national-2026
//! in 2026 expires in 2029, so the scenarios that run a certificate to its expiry use
//! `calendar_to_2029` (the shipped calendar plus 2028-2029 as weekends only, test data).
#![cfg(test)]

#[allow(
    dead_code,
    reason = "shared with the engine's tests; not every helper is used here"
)]
#[path = "../../crates/ocop-engine/tests/all/support.rs"]
mod support;

mod art_11_12;
mod art_4_to_8;
mod calendar;
mod coverage;
mod interim_2025;
mod plan;

use ocop_engine::{Engine, ManualClock, Store};
use support::*;

/// A national-2026 case certified at `stars` (3-4 by the province, 5 by the Minister) on
/// the clock's day, announced and under monitoring.
pub(crate) fn certified(engine: &Engine, store: &dyn Store, case: &str, stars: u8) {
    first_filing(engine, store, case);
    let step = stepper(engine, store, case);
    if stars < 5 {
        let target = if stars == 4 { 80.0 } else { 60.0 };
        council_round(engine, store, case, &PROVINCE_ROUND, (target, stars), true);
        step("chu-tich-tinh", "province_chair", "province_certify");
        step("so-nn", "province_office", "announce");
        return;
    }
    council_round(engine, store, case, &PROVINCE_ROUND, (95.0, 5), true);
    step(
        "chu-tich-tinh",
        "province_chair",
        "province_approve_five_star",
    );
    council_round(engine, store, case, &CENTRAL_ROUND, (95.0, 5), true);
    step("bo-truong", "minister", "central_certify");
    step("bo-nn", "ministry_office", "announce");
}

/// The producer of a case made by `first_filing`.
pub(crate) fn producer(case: &str) -> ocop_engine::Actor {
    a(&format!("{case}-producer"), "producer")
}

/// Takes `t` as `actor` and returns the refusal.
pub(crate) fn refused(
    engine: &Engine,
    store: &dyn Store,
    case: &str,
    actor: ocop_engine::Actor,
    t: &str,
) -> ocop_engine::CommandError {
    engine
        .execute(store, &ocop_engine::Command::take(case, actor, t))
        .unwrap_err()
}

/// The case as the engine sees it.
pub(crate) fn case_of(engine: &Engine, store: &dyn Store, case: &str) -> ocop_engine::Case {
    engine.case(store, &ocop_engine::CaseId::new(case)).unwrap()
}

/// Asserts that `case` is in `state`.
#[track_caller]
pub(crate) fn assert_state(engine: &Engine, store: &dyn Store, case: &str, state: &str) {
    assert_eq!(
        case_of(engine, store, case).state().as_str(),
        state,
        "{case}"
    );
}

/// The rank and issuing level of the case's current certificate.
pub(crate) fn certificate_of(
    engine: &Engine,
    store: &dyn Store,
    case: &str,
) -> (ocop_core::Stars, ocop_core::domain::Level) {
    let c = case_of(engine, store, case);
    let cert = c.certificate().unwrap();
    (cert.stars, cert.issued_by)
}

/// The last day of the case's current deadline.
pub(crate) fn due(engine: &Engine, store: &dyn Store, case: &str) -> ocop_core::Date {
    engine
        .deadline(&case_of(engine, store, case))
        .unwrap()
        .unwrap()
        .due
}

/// `case`'s deadline is due on `day`: a tick that day fires nothing, and a tick the next
/// day fires `fires` (a deadline lapses once the day it is due has passed).
pub(crate) fn assert_deadline(
    engine: &Engine,
    store: &dyn Store,
    case: &str,
    day: &str,
    fires: &str,
) {
    assert_eq!(due(engine, store, case), d(day), "{case}");
    assert!(tick(engine, store, day, case).is_empty(), "{case} on {day}");
    let next = d(day).add_days(1).to_string();
    assert_eq!(
        tick(engine, store, &next, case),
        [fires],
        "{case} on {next}"
    );
}

/// The transitions a tick at 9:00 on `day` fired on `case`.
pub(crate) fn tick(engine: &Engine, store: &dyn Store, day: &str, case: &str) -> Vec<String> {
    let report = engine
        .tick(store, ocop_engine::Timestamp::vn(d(day), 9, 0))
        .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    report
        .fired
        .iter()
        .filter(|f| f.case.as_str() == case)
        .map(|f| {
            f.transition
                .as_ref()
                .map_or_else(|| "limit".to_owned(), ToString::to_string)
        })
        .collect()
}

/// A re-evaluation of the national-2026 `case` filed (by `filing`) on `filed_on`, proposed by
/// the commune and sent to the provincial council, whose result is recorded on `closes_on`
/// at `total` points.
#[allow(
    clippy::too_many_arguments,
    reason = "a re-evaluation is described by all of these"
)]
pub(crate) fn re_evaluation_result(
    engine: &Engine,
    store: &dyn Store,
    clock: &ManualClock,
    case: &str,
    filing: &str,
    filed_on: &str,
    total: f64,
    stars: u8,
    closes_on: &str,
) {
    clock.set_date(d(filed_on));
    take(engine, store, case, producer(case), filing);
    let step = stepper(engine, store, case);
    step("ubnd-xa", "commune_officer", "re_evaluation_propose");
    step("so-nn", "province_office", "re_evaluation_to_council");
    clock.set_date(d(closes_on));
    sitting(
        engine,
        store,
        case,
        "re_evaluation_council",
        "province",
        "p",
        total,
        stars,
    );
    step("p-chair", "province_council_chair", "re_evaluation_close");
}
