//! Whole cases under `national-2026` (Decision 26/2026), scored by the real criteria plugin.

use ocop_core::{
    Stars,
    domain::{CertificateStatus, Level, RevocationGround},
    ids::EvaluationId,
};
use ocop_engine::{
    Action, CaseId, Command, CommandError, EventBody, InspectionOutcome, Store, TransitionInput,
    verify,
};

use crate::support::*;

#[test]
fn registration_certificate_re_evaluation_upgrade_revocation() {
    // The story runs into 2029: weekends-only test data for 2028-2029, so that the
    // calendar-day deadlines can roll off a weekend (Civil Code Art. 148(5)).
    let (engine, clock, store) = national();
    let case = "a";

    // Registration, commune review, proposal in the second provincial round of 2026.
    first_filing(&engine, &store, case);
    let c = engine.case(&store, &CaseId::new(case)).unwrap();
    let round = c.round().unwrap();
    assert_eq!(round.round.as_str(), "province_2");
    assert_eq!(
        (round.proposals_by, round.decided_by),
        (d("2026-10-29"), d("2026-12-29"))
    );

    // The provincial council scores about 80: four stars.
    clock.set_date(d("2026-06-10"));
    council_round(&engine, &store, case, &PROVINCE_ROUND, (80.0, 4), true);
    let c = engine.case(&store, &CaseId::new(case)).unwrap();
    let r = c.result(&EvaluationId::new(P)).unwrap();
    assert_eq!(r.members.len(), 5);
    assert!((80.0..=81.5).contains(&r.total), "{}", r.total);
    assert_eq!(r.stars, Some(Stars::FOUR));
    assert_eq!(state(&engine, &store, case), "province_decision");

    // Authority: the producer may not certify; a council member may not also decide.
    let refuse = refuser(&engine, &store, case);
    let err = refuse("a-producer", "producer", "province_certify");
    assert_eq!(
        err.to_string(),
        "role `producer` may not take `province_certify`; it needs `province_chair`"
    );
    let err = refuse("p-m1", "province_chair", "province_certify");
    assert!(matches!(err, CommandError::Separation { .. }), "{err}");
    // Four stars is not five: the province may not send it to the Ministry.
    let err = refuse(
        "chu-tich-tinh",
        "province_chair",
        "province_approve_five_star",
    );
    assert!(matches!(err, CommandError::GuardFailed { .. }), "{err}");

    clock.set_date(d("2026-06-15"));
    let step = stepper(&engine, &store, case);
    step("chu-tich-tinh", "province_chair", "province_certify");
    let c = engine.case(&store, &CaseId::new(case)).unwrap();
    let cert = c.certificate().unwrap().clone();
    assert_eq!(cert.stars, Stars::FOUR);
    assert_eq!(cert.issued_by, Level::Province);
    assert_eq!(
        (cert.issued_on, cert.expires_on),
        (d("2026-06-15"), d("2029-06-15"))
    );
    step("so-nn", "province_office", "announce");
    take_with(
        &engine,
        &store,
        case,
        a("so-nn", "province_office"),
        "inspect_periodic",
        TransitionInput {
            inspection: Some(InspectionOutcome::Compliant),
            ..TransitionInput::default()
        },
    );
    // An inspection needs its outcome.
    let err = refuse("so-nn", "province_office", "inspect_ad_hoc");
    assert!(matches!(err, CommandError::InvalidInput(_)), "{err}");

    // Re-evaluation: too early, then inside the 180-120 day window.
    clock.set_date(d("2028-06-01"));
    let err = refuse("a-producer", "producer", "file_re_evaluation");
    assert!(
        err.to_string()
            .contains("filing is open from 180 to 120 days"),
        "{err}"
    );
    clock.set_date(d("2029-01-15"));
    step("a-producer", "producer", "file_re_evaluation");
    step("ubnd-xa", "commune_officer", "re_evaluation_propose");
    council_round(&engine, &store, case, &RE_EVALUATION_ROUND, (78.0, 4), true);
    step("chu-tich-tinh", "province_chair", "province_certify");
    let c = engine.case(&store, &CaseId::new(case)).unwrap();
    assert_eq!(c.certificates().len(), 2);
    assert_eq!(c.certificates()[0].status, CertificateStatus::Superseded);
    assert_eq!(c.certificate().unwrap().issued_on, d("2029-01-15"));
    step("so-nn", "province_office", "announce");

    // Upgrade to five stars: province, then the central council.
    clock.set_date(d("2029-03-01"));
    step("a-producer", "producer", "file_upgrade");
    step("ubnd-xa", "commune_officer", "upgrade_propose");
    council_round(&engine, &store, case, &PROVINCE_ROUND, (95.0, 5), false);
    let c = engine.case(&store, &CaseId::new(case)).unwrap();
    assert_eq!(c.latest_result().unwrap().stars, Some(Stars::FIVE));
    step(
        "chu-tich-tinh",
        "province_chair",
        "province_approve_five_star",
    );
    assert_eq!(
        engine
            .case(&store, &CaseId::new(case))
            .unwrap()
            .round()
            .unwrap()
            .round
            .as_str(),
        "central_1"
    );
    council_round(&engine, &store, case, &CENTRAL_ROUND, (95.0, 5), true);
    step("bo-truong", "minister", "central_certify");
    let c = engine.case(&store, &CaseId::new(case)).unwrap();
    assert_eq!(c.certificate().unwrap().stars, Stars::FIVE);
    assert_eq!(c.certificate().unwrap().issued_by, Level::Central);
    step("bo-nn", "ministry_office", "announce");

    // Revocation: 15 days from the conclusion, then only the Minister revokes 5 stars.
    clock.set_date(d("2029-05-01"));
    open_revocation(
        &engine,
        &store,
        case,
        RevocationGround::MarkMisuse,
        "2029-04-28",
    );
    let c = engine.case(&store, &CaseId::new(case)).unwrap();
    // The 15th day, Sunday 13 May, rolls to Monday (Civil Code Art. 148(5)).
    assert_eq!(engine.deadline(&c).unwrap().unwrap().due, d("2029-05-14"));
    let report = engine
        .tick(&store, ocop_engine::Timestamp::vn(d("2029-05-14"), 23, 0))
        .unwrap();
    assert!(
        report.fired.is_empty(),
        "the deadline's last day is not overdue"
    );
    let report = engine
        .tick(&store, ocop_engine::Timestamp::vn(d("2029-05-15"), 8, 0))
        .unwrap();
    assert_eq!(report.fired.len(), 1);
    assert_eq!(
        report.fired[0].transition.as_ref().unwrap().as_str(),
        "revocation_overdue"
    );
    let again = engine
        .tick(&store, ocop_engine::Timestamp::vn(d("2029-06-01"), 8, 0))
        .unwrap();
    assert!(
        again.fired.is_empty(),
        "an internal timeout fires once per entry"
    );
    let err = refuse("chu-tich-tinh", "province_chair", "revoke_province");
    assert!(err.to_string().contains("outside 1-4★"), "{err}");
    step("bo-truong", "minister", "revoke_central");
    let c = engine.case(&store, &CaseId::new(case)).unwrap();
    assert_eq!(c.state().as_str(), "revoked");
    assert!(matches!(
        c.certificate().unwrap().status,
        CertificateStatus::Revoked {
            ground: RevocationGround::MarkMisuse,
            ..
        }
    ));
    let err = refuse("bo-truong", "minister", "dismiss_revocation");
    assert!(matches!(err, CommandError::Terminal { .. }), "{err}");

    // The history verifies, replays to the same case, and records the plugin per sheet.
    let events = history(&store, case);
    verify(&events).unwrap();
    assert_eq!(ocop_engine::replay(&events).unwrap(), c);
    let sheets: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::SheetSubmitted(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(sheets.len(), 20);
    assert!(sheets.iter().all(|s| s.plugin().name == "criteria-26-2026"
        && !s.plugin().version.is_empty()
        && s.sheet.evaluator.as_deref() == Some(s.member.as_str())));
    // The events keep the totals; the pinned plugin gives every line again, on demand.
    for s in &sheets {
        assert!(matches!(s.score, ocop_engine::SheetScore::Result(_)));
        let scored = s.rescore(&*scorer()).unwrap();
        assert_eq!(scored.evaluation.total, s.total());
        assert!(!scored.evaluation.lines.is_empty());
        assert!(
            scored
                .evaluation
                .lines
                .iter()
                .all(|l| !l.explanation.is_empty()),
            "every line is explained"
        );
    }
    // A plugin that is not the pinned one is refused.
    let other = ocop_plugin_free_double();
    assert!(matches!(
        sheets[0].rescore(&other),
        Err(ocop_engine::RescoreError::OtherPlugin { .. })
    ));
}

/// A scorer that claims another identity than the pinned plugin.
fn ocop_plugin_free_double() -> impl ocop_core::plugin::Scorer {
    struct Impostor(std::sync::Arc<ocop_criteria_26_2026::NativeScorer>);
    impl ocop_core::plugin::Scorer for Impostor {
        fn info(&self) -> &ocop_core::plugin::PluginInfo {
            self.0.info()
        }
        fn plugin_ref(&self) -> ocop_core::domain::PluginRef {
            ocop_core::domain::PluginRef {
                sha256: "0".repeat(64),
                ..self.0.plugin_ref()
            }
        }
        fn criteria(
            &self,
            set: ocop_core::ProductSet,
        ) -> Result<ocop_core::plugin::CriteriaSheet, ocop_core::plugin::PluginError> {
            self.0.criteria(set)
        }
        fn score(
            &self,
            sheet: &ocop_core::domain::AnswerSheet,
        ) -> Result<ocop_core::plugin::Scored, ocop_core::plugin::PluginError> {
            self.0.score(sheet)
        }
    }
    Impostor(scorer())
}

#[test]
fn commune_overdue_fires_once_and_a_certificate_expires_by_tick() {
    let (engine, clock, store) = start("national-2026", "2026-06-01");
    let producer = open_case(&engine, &store, "b");
    take(&engine, &store, "b", producer, "file_dossier");
    let c = engine.case(&store, &CaseId::new("b")).unwrap();
    assert_eq!(engine.deadline(&c).unwrap().unwrap().due, d("2026-06-22"));
    let summary = engine.summary(&c);
    assert_eq!(
        summary.state_kind,
        Some(ocop_core::definition::StateKind::Review)
    );
    assert_eq!(
        summary.deadline.as_ref().unwrap().on_timeout.as_str(),
        "commune_review_overdue"
    );
    let json = serde_json::to_string(&summary).unwrap();
    assert_eq!(
        serde_json::from_str::<ocop_engine::CaseSummary>(&json).unwrap(),
        summary
    );
    let r = engine
        .tick(&store, ocop_engine::Timestamp::vn(d("2026-06-22"), 17, 0))
        .unwrap();
    assert!(r.fired.is_empty());
    let r = engine
        .tick(&store, ocop_engine::Timestamp::vn(d("2026-06-23"), 0, 1))
        .unwrap();
    assert_eq!(r.fired.len(), 1);
    let kinds: Vec<&str> = r.fired[0].events.iter().map(|e| e.body.kind()).collect();
    assert_eq!(kinds, ["transitioned", "notified"]);
    assert_eq!(r.fired[0].events[0].actor.role.as_str(), "system");
    assert!(
        engine
            .tick(&store, ocop_engine::Timestamp::vn(d("2026-07-30"), 9, 0))
            .unwrap()
            .fired
            .is_empty()
    );
    let c = engine.case(&store, &CaseId::new("b")).unwrap();
    assert_eq!(
        c.entered_on(),
        d("2026-06-01"),
        "an internal transition keeps the entry date"
    );

    clock.set_date(d("2026-07-01"));
    let step = stepper(&engine, &store, "b");
    step("ubnd-xa", "commune_officer", "commune_propose");
    council_round(&engine, &store, "b", &PROVINCE_ROUND, (60.0, 3), true);
    step("chu-tich-tinh", "province_chair", "province_certify");
    step("so-nn", "province_office", "announce");
    let c = engine.case(&store, &CaseId::new("b")).unwrap();
    assert_eq!(c.certificate().unwrap().stars, Stars::THREE);
    assert_eq!(c.certificate().unwrap().expires_on, d("2029-07-01"));

    assert!(
        engine
            .tick(&store, ocop_engine::Timestamp::vn(d("2029-07-01"), 9, 0))
            .unwrap()
            .fired
            .is_empty()
    );
    let r = engine
        .tick(&store, ocop_engine::Timestamp::vn(d("2029-07-02"), 9, 0))
        .unwrap();
    assert_eq!(r.fired.len(), 1);
    // Expired, the case waits the 180 days in which Art. 12.3 still lets the producer
    // file a late re-evaluation.
    let c = engine.case(&store, &CaseId::new("b")).unwrap();
    assert_eq!(c.state().as_str(), "lapsed");
    assert_eq!(c.certificate().unwrap().status, CertificateStatus::Expired);
    verify(&history(&store, "b")).unwrap();
}

#[test]
fn a_central_result_below_ninety_returns_to_the_province() {
    let (engine, _, store) = start("national-2026", "2026-06-01");
    first_filing(&engine, &store, "c");
    council_round(&engine, &store, "c", &PROVINCE_ROUND, (92.0, 5), true);
    let step = stepper(&engine, &store, "c");
    step(
        "chu-tich-tinh",
        "province_chair",
        "province_approve_five_star",
    );
    council_round(&engine, &store, "c", &CENTRAL_ROUND, (85.0, 4), true);
    let err = engine
        .execute(
            &store,
            &Command::take("c", a("bo-truong", "minister"), "central_certify"),
        )
        .unwrap_err();
    assert!(matches!(err, CommandError::GuardFailed { .. }), "{err}");
    step("bo-truong", "minister", "central_below_five");
    step("chu-tich-tinh", "province_chair", "province_certify");
    let c = engine.case(&store, &CaseId::new("c")).unwrap();
    assert_eq!(c.certificate().unwrap().stars, Stars::FOUR);
    assert_eq!(c.certificate().unwrap().issued_by, Level::Province);
}

#[test]
fn knock_outs_spread_and_rescoring() {
    let (engine, _, store) = start("national-2026", "2026-06-01");
    first_filing(&engine, &store, "d");
    let step = stepper(&engine, &store, "d");
    step("so-nn", "province_office", "province_accept");
    step("to-tu-van", "advisory_group", "advisory_report");
    constitute(&engine, &store, "d", P, "province_council_chair", "p");
    // The producer's own people never sit on the council.
    let err = engine
        .execute(
            &store,
            &Command::new(
                "d",
                a("p-chair", "province_council_chair"),
                Action::ConstituteCouncil {
                    evaluation: EvaluationId::new(P),
                    members: vec![ocop_engine::CouncilMember {
                        id: "d-producer".into(),
                        chair: false,
                    }],
                },
            ),
        )
        .unwrap_err();
    assert!(
        matches!(err, CommandError::ProducerMayNotScore { .. }),
        "{err}"
    );

    // Four members far apart: quorum met at five only, then spread too large.
    let hand_in = |id: &str, role: &str, total: f64| {
        submit(&engine, &store, "d", P, a(id, role), sheet(total, 3))
    };
    hand_in("p-chair", "province_council_chair", 60.0);
    hand_in("p-m1", "province_council_member", 62.0);
    hand_in("p-m2", "province_council_member", 64.0);
    hand_in("p-m3", "province_council_member", 61.0);
    let refuse = refuser(&engine, &store, "d");
    let err = refuse("p-chair", "province_council_chair", "province_close");
    assert!(err.to_string().contains("4 of 6 members"), "{err}");
    let err = refuse("p-chair", "province_council_chair", "province_rescore");
    assert!(matches!(err, CommandError::GuardFailed { .. }), "{err}");
    hand_in("p-m4", "province_council_member", 80.0);
    let err = refuse("p-chair", "province_council_chair", "province_close");
    assert!(err.to_string().contains("re-score"), "{err}");
    // A member cannot submit twice; the chair orders re-scoring.
    let err = engine
        .execute(
            &store,
            &Command::new(
                "d",
                a("p-m4", "province_council_member"),
                Action::SubmitSheet {
                    evaluation: EvaluationId::new(P),
                    sheet: sheet(62.0, 3),
                },
            ),
        )
        .unwrap_err();
    assert!(matches!(err, CommandError::Council { .. }), "{err}");
    step("p-chair", "province_council_chair", "province_rescore");
    let c = engine.case(&store, &CaseId::new("d")).unwrap();
    assert_eq!(c.council(&EvaluationId::new(P)).unwrap().sheet_count(), 0);

    // This time one member finds the food-safety certificate missing: knocked out.
    let mut knocked = sheet(70.0, 4);
    let fact =
        ocop_core::plugin::Scorer::criteria(&*scorer(), ocop_core::ProductSet::new(SET).unwrap())
            .unwrap()
            .knockouts[0]
            .fact
            .clone();
    knocked.facts.insert(fact, false);
    submit(
        &engine,
        &store,
        "d",
        P,
        a("p-m1", "province_council_member"),
        knocked,
    );
    hand_in("p-chair", "province_council_chair", 70.0);
    hand_in("p-m2", "province_council_member", 71.0);
    hand_in("p-m3", "province_council_member", 72.0);
    hand_in("p-m4", "province_council_member", 70.0);
    step("p-chair", "province_council_chair", "province_close");
    let c = engine.case(&store, &CaseId::new("d")).unwrap();
    let r = c.latest_result().unwrap();
    assert!(!r.knockouts.is_empty());
    assert_eq!(r.stars, None);
    let err = refuse("chu-tich-tinh", "province_chair", "province_certify");
    assert!(err.to_string().contains("knocked out"), "{err}");
    step("chu-tich-tinh", "province_chair", "province_not_ranked");
    assert_eq!(state(&engine, &store, "d"), "not_ranked");
}

#[test]
fn idempotency_keys_and_expected_versions() {
    let (engine, clock, store) = start("national-2026", "2026-06-01");
    let producer = open_case(&engine, &store, "e");
    let cmd = Command::take("e", producer.clone(), "file_dossier")
        .expecting(1)
        .idempotency_key("req-1");
    let first = engine.execute(&store, &cmd).unwrap();
    let again = engine.execute(&store, &cmd).unwrap();
    assert_eq!(first, again);
    assert_eq!(store.version(&CaseId::new("e")).unwrap(), 2);
    let other = Command::take("e", producer.clone(), "withdraw").idempotency_key("req-1");
    assert!(matches!(
        engine.execute(&store, &other).unwrap_err(),
        CommandError::KeyReused { .. }
    ));
    let stale = Command::take("e", producer, "withdraw").expecting(1);
    assert!(matches!(
        engine.execute(&store, &stale).unwrap_err(),
        CommandError::Conflict {
            expected: 1,
            actual: 2,
            ..
        }
    ));
    // Opening twice is refused; the engine refuses other definitions' roles.
    assert!(matches!(
        engine
            .execute(&store, &Command::open("e", a("x", "producer"), open("e")))
            .unwrap_err(),
        CommandError::CaseExists { .. }
    ));
    assert!(matches!(
        engine
            .execute(
                &store,
                &Command::take("e", a("x", "district_chair"), "commune_propose")
            )
            .unwrap_err(),
        CommandError::UnknownRole { .. }
    ));
    assert!(matches!(
        engine
            .execute(
                &store,
                &Command::take("e", ocop_engine::Actor::system(), "commune_review_overdue")
            )
            .unwrap_err(),
        CommandError::SystemRole
    ));
    // Before 22 May 2026 the definition is not in force.
    clock.set_date(d("2026-05-01"));
    assert!(matches!(
        engine
            .execute(&store, &Command::open("f", a("f", "producer"), open("f")))
            .unwrap_err(),
        CommandError::NotInForce { .. }
    ));
}
