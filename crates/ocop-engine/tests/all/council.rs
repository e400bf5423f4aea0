//! [`ocop_engine::Engine::council_status`]: where a council stands, as the guards read it
//! and the service's pages explain it.

use ocop_core::ids::EvaluationId;
use ocop_engine::{CaseId, CouncilStatus, Engine};

use crate::support::*;

#[test]
fn council_status_counts_members_sheets_the_quorum_the_chair_and_the_spread() {
    let (engine, _, store) = start("national-2026", "2026-06-01");
    first_filing(&engine, &store, "cs");
    let step = stepper(&engine, &store, "cs");
    step("so-nn", "province_office", "province_accept");
    step("to-tu-van", "advisory_group", "advisory_report");
    let stage = EvaluationId::new(P);
    let hand_in = |id: &str, role: &str, target: f64| {
        submit(&engine, &store, "cs", P, a(id, role), sheet(target, 3))
    };
    let status = |engine: &Engine| -> CouncilStatus {
        let case = engine.case(&store, &CaseId::new("cs")).unwrap();
        engine.council_status(&case, &stage).unwrap()
    };
    assert!(!status(&engine).constituted);

    // Five members and a chair; national-2026 asks 0.75 of them (4.5: five sheets), at
    // least five, and the chair's sheet.
    constitute(&engine, &store, "cs", P, "province_council_chair", "p");
    let s = status(&engine);
    assert!(s.constituted);
    assert_eq!((s.members, s.sheets, s.needed), (6, 0, 5), "{s:?}");
    assert!(s.chair_missing);
    assert_eq!(s.spread, 0.0);

    // Two members far apart.
    hand_in("p-m1", "province_council_member", 55.0);
    hand_in("p-m2", "province_council_member", 75.0);
    let s = status(&engine);
    assert_eq!(s.sheets, 2);
    assert!(s.chair_missing);
    let case = engine.case(&store, &CaseId::new("cs")).unwrap();
    let totals: Vec<f64> = case
        .council(&stage)
        .unwrap()
        .sheets()
        .map(ocop_engine::MemberSheet::total)
        .collect();
    assert_eq!(s.spread, (totals[1] - totals[0]).abs(), "{totals:?}");
    assert!(s.spread > 10.0, "{s:?}");

    // The chair's sheet, then the quorum.
    for (id, role) in [
        ("p-chair", "province_council_chair"),
        ("p-m3", "province_council_member"),
        ("p-m4", "province_council_member"),
    ] {
        hand_in(id, role, 65.0);
    }
    let s = status(&engine);
    assert_eq!(s.sheets, 5);
    assert!(!s.chair_missing);

    // A stage the cycle does not have.
    assert!(
        engine
            .council_status(&case, &EvaluationId::new("nowhere"))
            .is_none()
    );
}
