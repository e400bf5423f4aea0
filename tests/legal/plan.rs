//! The seed plan (Kế hoạch 109/KH-UBND, Cần Thơ 2024) under Decision 148/2023.

use ocop_core::{Stars, domain::Level};
use ocop_engine::{CommandError, EventBody, ManualClock, MemoryStore};

use crate::support::*;
use crate::*;

fn can_tho(day: &str) -> (ocop_engine::Engine, MemoryStore) {
    let clock = ManualClock::on(d(day));
    (engine("can-tho-2024", &clock), MemoryStore::new())
}

/// P1 (148/2023): the district council evaluates, the district chair certifies 3★.
#[test]
fn plan_p1_district_certifies_three_stars() {
    let (engine, store) = can_tho("2024-09-02");
    register(&engine, &store, "p1");
    council_round(&engine, &store, "p1", &DISTRICT_ROUND, (62.0, 3), true);
    let step = stepper(&engine, &store, "p1");
    step("ct-huyen", "district_chair", "district_certify");
    let cert = case_of(&engine, &store, "p1")
        .certificate()
        .unwrap()
        .clone();
    assert_eq!(
        (cert.stars, cert.issued_by),
        (Stars::THREE, Level::District)
    );
    assert_eq!(cert.expires_on, d("2027-09-02"));
}

/// P4 (148/2023): the district proposes 70 points or more (4-5★ potential) to the city,
/// nothing below.
#[test]
fn plan_p4_district_proposes_seventy_or_more_to_the_city() {
    let (engine, store) = can_tho("2024-09-02");
    register(&engine, &store, "p4");
    council_round(&engine, &store, "p4", &DISTRICT_ROUND, (65.0, 3), true);
    let err = refused(
        &engine,
        &store,
        "p4",
        a("ct-huyen", "district_chair"),
        "district_propose_to_city",
    );
    assert!(matches!(err, CommandError::GuardFailed { .. }), "{err}");
}

/// P7 (plan lines 173-177, 350-352, 372-376): the city's QR traceability system is
/// promoted, not required. A product the district ranks 4★ without a registration goes to
/// the city; the plugin's finding is recorded as a warning with the transition.
#[test]
fn plan_p7_missing_traceability_is_a_warning() {
    let (engine, store) = can_tho("2024-09-02");
    register(&engine, &store, "p7");
    council_round(&engine, &store, "p7", &DISTRICT_ROUND, (78.0, 4), true);
    let events = take(
        &engine,
        &store,
        "p7",
        a("ct-huyen", "district_chair"),
        "district_propose_to_city",
    );
    let codes: Vec<&str> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::GuardFindings { findings, .. } => {
                Some(findings.iter().map(|f| f.code.as_str()))
            }
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(codes, ["traceability-missing"]);
    assert_state(&engine, &store, "p7", "city_review");
}

/// P7: a province that makes the check blocking must give the decision another way out;
/// the pre-issue file, blocking with none, is caught by the decision-exits check.
#[test]
fn plan_p7_blocking_needs_a_way_out() {
    let trap = std::fs::read_to_string(root().join("tests/definitions/traps/p7-can-tho-2024.toml"))
        .unwrap();
    let cycle = ocop_core::load_definition("p7-can-tho-2024.toml", &trap).unwrap();
    let Err(ocop_testkit::SoundnessError::Unsound(found)) =
        ocop_testkit::decision_exits(cycle.definition())
    else {
        panic!("the trap passes")
    };
    assert!(
        found
            .iter()
            .any(|u| u.message.contains("state `district_decision`")
                && u.message
                    .contains("registration `first` with no certificate")
                && u.message.contains("4★")),
        "{found:#?}"
    );
    let shipped = cycle_def("can-tho-2024");
    assert!(ocop_testkit::decision_exits(&shipped).is_ok());
}

fn cycle_def(name: &str) -> ocop_core::Definition {
    cycle(name).definition().clone()
}

/// Audit #46 and the decision-exits check (issue item 2): every shipped definition
/// resolves every council result at every decision state; the pre-issue national file
/// is caught.
#[test]
fn soundness_decision_exits_hold_on_shipped_definitions_and_catch_a46() {
    for name in ["national-2026", "amended-2025", "can-tho-2024"] {
        assert!(
            ocop_testkit::decision_exits(&cycle_def(name)).is_ok(),
            "{name}"
        );
    }
    let trap =
        std::fs::read_to_string(root().join("tests/definitions/traps/a46-national-2026.toml"))
            .unwrap();
    let cycle = ocop_core::load_definition("a46-national-2026.toml", &trap).unwrap();
    assert!(ocop_testkit::decision_exits(cycle.definition()).is_err());
}

/// The report of `cases` (all under can-tho-2024) as of `day`.
fn report_of(store: &MemoryStore, day: &str) -> ocop_report::ProgrammeReport {
    use ocop_engine::Store;
    let cases: Vec<_> = store
        .cases()
        .unwrap()
        .iter()
        .filter_map(|id| store.summary(id).unwrap())
        .collect();
    let cycle = cycle("can-tho-2024");
    ocop_report::compute(&ocop_report::ReportInput {
        as_of: d(day),
        cycles: &[&cycle],
        cases: &cases,
    })
}

/// P8 (plan IV.4, lines 526-530): reports "trước ngày 10/3, 10/6, 10/12", read strictly as
/// Art. 5's rounds are [#12]: due on the 9th, past from the 10th.
#[test]
fn plan_p8_report_periods_are_strict() {
    let (_, store) = can_tho("2024-03-01");
    let r = report_of(&store, "2024-06-09");
    let due: Vec<_> = r.periods.iter().map(|p| (p.due, p.past)).collect();
    assert_eq!(
        due,
        [
            (d("2024-03-09"), true),
            (d("2024-06-09"), false),
            (d("2024-12-09"), false)
        ]
    );
    let r = report_of(&store, "2024-06-10");
    assert!(
        r.periods[1].past,
        "the half-yearly report is late from 10 June"
    );
}

/// Issue item 7 and the reform of 1 July 2025: a report dated before that day groups
/// producers by district and commune; from that day there are no districts, and the same
/// producers are grouped by commune or ward only.
#[test]
fn plan_report_groups_by_commune_after_1_july_2025() {
    let (engine, store) = can_tho("2024-03-01");
    ok(
        &engine,
        &store,
        ocop_engine::Command::open("c", a("c-producer", "producer"), open("c")),
    );
    let before = report_of(&store, "2025-06-30");
    assert_eq!(before.by_area.len(), 1);
    assert!(!before.by_area[0].district.is_empty());
    assert!(before.by_commune.is_empty());
    let after = report_of(&store, "2025-07-01");
    assert!(after.by_area.is_empty());
    assert_eq!(after.by_commune.len(), 1);
    assert_eq!(
        after.by_commune[0].commune,
        before.by_area[0].communes[0].commune
    );
    assert_eq!(after.by_commune[0].cases, 1);
}

/// A can-tho-2024 case ranked by the district at `district_total`, proposed to the city and
/// scored there around `city_total`, waiting for the city chair.
fn at_the_city(
    engine: &ocop_engine::Engine,
    store: &MemoryStore,
    case: &str,
    district: (f64, u8),
    city: (f64, u8),
) {
    register(engine, store, case);
    council_round(engine, store, case, &DISTRICT_ROUND, district, true);
    take(
        engine,
        store,
        case,
        a("ct-huyen", "district_chair"),
        "district_propose_to_city",
    );
    take(
        engine,
        store,
        case,
        a("so-nn-ct", "city_office"),
        "city_accept",
    );
    sitting(
        engine,
        store,
        case,
        "city_council",
        "city",
        "tp",
        city.0,
        city.1,
    );
    take(
        engine,
        store,
        case,
        a("tp-chair", "city_council_chair"),
        "city_close",
    );
    assert_eq!(
        case_of(engine, store, case).state().as_str(),
        "city_decision"
    );
}

/// P3 (148/2023, unconfirmed): 90 points or more at the city go to the centre; a central
/// result below 5★ comes back to the city chair, who certifies it at 4★.
#[test]
fn plan_p3_ninety_or_more_goes_to_the_centre() {
    let (engine, store) = can_tho("2024-09-02");
    at_the_city(&engine, &store, "p3", (85.0, 4), (93.0, 5));
    let err = refused(
        &engine,
        &store,
        "p3",
        a("ct-tp", "city_chair"),
        "city_certify",
    );
    assert!(matches!(err, CommandError::GuardFailed { .. }), "{err}");
    let step = stepper(&engine, &store, "p3");
    step("ct-tp", "city_chair", "city_propose_five_star");
    council_round(&engine, &store, "p3", &CENTRAL_ROUND, (86.0, 4), true);
    step("bo-truong", "minister", "central_below_five");
    assert_state(&engine, &store, "p3", "city_decision");
    step("ct-tp", "city_chair", "city_certify");
    assert_eq!(
        certificate_of(&engine, &store, "p3"),
        (Stars::FOUR, Level::Province)
    );
}

/// P5 (148/2023, unconfirmed): a 3★ result at the city goes back to the district chair,
/// who certifies it.
#[test]
fn plan_p5_city_three_star_result_returns_to_the_district() {
    let (engine, store) = can_tho("2024-09-02");
    at_the_city(&engine, &store, "p5", (72.0, 4), (66.0, 3));
    let step = stepper(&engine, &store, "p5");
    step("ct-tp", "city_chair", "city_refer_three_star");
    assert_state(&engine, &store, "p5", "district_decision");
    step("ct-huyen", "district_chair", "district_certify");
    assert_eq!(
        certificate_of(&engine, &store, "p5"),
        (Stars::THREE, Level::District)
    );
}
