//! Whole cases under `can-tho-2024` (Decision 148/2023 as Cần Thơ's 2024 plan applies it):
//! the district certifies 3 stars, the city 4 stars.

use ocop_core::{
    Stars,
    domain::{CertificateStatus, Level, RevocationGround},
};
use ocop_engine::{CaseId, Command, CommandError, EventBody, Timestamp, TransitionInput, verify};

use crate::support::*;

#[test]
fn district_certificate_renewal_city_upgrade_revocation() {
    let (engine, clock, store) = start("can-tho-2024", "2024-03-01");
    let case = "ct";
    register(&engine, &store, case);
    council_round(&engine, &store, case, &DISTRICT_ROUND, (60.0, 3), true);
    // The city chair has no say at the district's decision.
    let err = engine
        .execute(
            &store,
            &Command::take(case, a("ct-tp", "city_chair"), "district_certify"),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "role `city_chair` may not take `district_certify`; it needs `district_chair`"
    );
    let step = stepper(&engine, &store, case);
    step("ct-huyen", "district_chair", "district_certify");
    let c = engine.case(&store, &CaseId::new(case)).unwrap();
    let first = c.certificate().unwrap().clone();
    assert_eq!(
        (first.stars, first.issued_by),
        (Stars::THREE, Level::District)
    );
    assert_eq!(first.expires_on, d("2027-03-01"));
    step("phong-nn", "district_office", "announce");

    // Renewal at 36 months.
    clock.set_date(d("2027-01-10"));
    step("ct-producer", "producer", "file_renewal");
    assert_eq!(
        engine
            .case(&store, &CaseId::new(case))
            .unwrap()
            .registration(),
        ocop_core::domain::RegistrationType::ReEvaluation
    );
    council_round(&engine, &store, case, &DISTRICT_ROUND, (65.0, 3), false);
    step("ct-huyen", "district_chair", "district_certify");
    step("phong-nn", "district_office", "announce");
    let c = engine.case(&store, &CaseId::new(case)).unwrap();
    assert_eq!(c.certificates().len(), 2);
    assert_eq!(c.certificates()[0].status, CertificateStatus::Superseded);

    // Upgrade to four stars through the city; the city's traceability rule is a guard plugin
    // whose findings only warn (the plan promotes the QR system, it does not require it:
    // audit P7). The proposal goes ahead and the finding is recorded with it.
    clock.set_date(d("2027-02-01"));
    step("ct-producer", "producer", "file_upgrade");
    council_round(&engine, &store, case, &DISTRICT_ROUND, (80.0, 4), false);
    let events = step("ct-huyen", "district_chair", "district_propose_to_city");
    let warned: Vec<&str> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::GuardFindings { findings, .. } => findings.first().map(|f| f.code.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(warned, ["traceability-missing"], "{events:?}");
    council_round(&engine, &store, case, &CITY_ROUND, (80.0, 4), true);
    step("ct-tp", "city_chair", "city_certify");
    step("so-nn-ct", "city_office", "announce");
    let c = engine.case(&store, &CaseId::new(case)).unwrap();
    assert_eq!(c.certificate().unwrap().stars, Stars::FOUR);
    assert_eq!(c.certificate().unwrap().issued_by, Level::Province);

    // Revocation: the level that certified revokes.
    clock.set_date(d("2027-06-01"));
    take_with(
        &engine,
        &store,
        case,
        a("so-nn-ct", "city_office"),
        "open_revocation",
        TransitionInput {
            ground: Some(RevocationGround::ForgedDossier),
            ..TransitionInput::default()
        },
    );
    let err = engine
        .execute(
            &store,
            &Command::take(case, a("ct-huyen", "district_chair"), "revoke_district"),
        )
        .unwrap_err();
    assert!(matches!(err, CommandError::GuardFailed { .. }), "{err}");
    step("ct-tp", "city_chair", "revoke_city");
    let c = engine.case(&store, &CaseId::new(case)).unwrap();
    assert_eq!(c.state().as_str(), "revoked");
    let events = history(&store, case);
    verify(&events).unwrap();
    assert_eq!(ocop_engine::replay(&events).unwrap(), c);
}

#[test]
fn a_district_certificate_expires_by_tick() {
    let (engine, _, store) = start("can-tho-2024", "2024-04-15");
    register(&engine, &store, "x");
    council_round(&engine, &store, "x", &DISTRICT_ROUND, (55.0, 3), true);
    let step = stepper(&engine, &store, "x");
    step("ct-huyen", "district_chair", "district_certify");
    step("phong-nn", "district_office", "announce");
    let report = engine
        .tick(&store, Timestamp::vn(d("2027-04-15"), 12, 0))
        .unwrap();
    assert!(report.fired.is_empty());
    let report = engine
        .tick(&store, Timestamp::vn(d("2027-04-16"), 0, 0))
        .unwrap();
    assert_eq!(report.fired.len(), 1);
    assert_eq!(state(&engine, &store, "x"), "expired");
}
