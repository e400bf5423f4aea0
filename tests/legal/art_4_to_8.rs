//! Articles 4-8: who decides, what a result does to a certificate, revocation.

use ocop_core::{
    Stars,
    domain::{CertificateStatus, Level, RevocationGround},
};
use ocop_engine::{CommandError, Store};

use crate::support::*;
use crate::*;

/// A 5★ product (certified 1 June 2026, expiring 1 June 2029) files for re-evaluation in
/// the 7.6a window and reaches the Ministry's office check.
fn five_star_re_evaluation_at_the_ministry(
    engine: &ocop_engine::Engine,
    store: &dyn Store,
    clock: &ocop_engine::ManualClock,
    case: &str,
) {
    certified(engine, store, case, 5);
    clock.set_date(d("2029-01-10"));
    take(engine, store, case, producer(case), "file_re_evaluation");
    take(
        engine,
        store,
        case,
        a("ubnd-xa", "commune_officer"),
        "re_evaluation_propose",
    );
    // The provincial council never re-ranks a 5★ product (Art. 6.3b, 7.6e).
    let err = refused(
        engine,
        store,
        case,
        a("so-nn", "province_office"),
        "re_evaluation_to_council",
    );
    assert!(err.to_string().contains("outside 1-4★"), "{err}");
    take(
        engine,
        store,
        case,
        a("so-nn", "province_office"),
        "re_evaluation_five_star_report",
    );
    clock.set_date(d("2029-01-20"));
    take(
        engine,
        store,
        case,
        a("chu-tich-tinh", "province_chair"),
        "propose_five_star_re_evaluation",
    );
    assert_eq!(
        case_of(engine, store, case).state().as_str(),
        "central_re_evaluation_check"
    );
}

/// The central council's re-evaluation of a five-star product under `national-2026`
/// (Art. 7.6e), from the Ministry's office sending the checked dossier to it.
pub(crate) const CENTRAL_RE_EVALUATION_ROUND: Round = Round {
    before: &[(
        "bo-nn",
        "ministry_office",
        "central_re_evaluation_to_council",
    )],
    stage: "central_re_evaluation_council",
    level: "central",
    prefix: "tw",
    close: "central_re_evaluation_close",
};

/// As [`five_star_re_evaluation_at_the_ministry`], and the central council re-evaluates the
/// product at `result` (total, stars).
fn central_re_evaluated(
    engine: &ocop_engine::Engine,
    store: &dyn Store,
    clock: &ocop_engine::ManualClock,
    case: &str,
    result: (f64, u8),
) {
    five_star_re_evaluation_at_the_ministry(engine, store, clock, case);
    council_round(
        engine,
        store,
        case,
        &CENTRAL_RE_EVALUATION_ROUND,
        result,
        true,
    );
}

/// Audit #19, #43, #45 (Art. 6.3b, 7.6e): the Ministry's office checks, the central
/// council decides by written opinions, the Minister re-certifies.
#[test]
fn art_7_6e_five_star_reevaluation_goes_to_ministry() {
    let (engine, clock, store) = national();
    central_re_evaluated(&engine, &store, &clock, "r5", (92.0, 5));
    let step = stepper(&engine, &store, "r5");
    assert_state(&engine, &store, "r5", "central_re_evaluation_decision");
    step("bo-truong", "minister", "central_certify");
    let c = case_of(&engine, &store, "r5");
    assert_eq!(c.state().as_str(), "certified");
    let cert = c.certificate().unwrap();
    assert_eq!((cert.stars, cert.issued_by), (Stars::FIVE, Level::Central));
    assert_eq!(cert.issued_on, d("2029-01-20"));
    assert_eq!(cert.expires_on, d("2032-01-20"));
    assert_eq!(c.certificates()[0].status, CertificateStatus::Superseded);
}

/// Art. 7.6e → 7.4g: a central result below 90 goes back to the provincial chair, who
/// certifies 3-4★ on it.
#[test]
fn art_7_6e_below_90_goes_back_to_the_province() {
    let (engine, clock, store) = national();
    central_re_evaluated(&engine, &store, &clock, "r4", (80.0, 4));
    let step = stepper(&engine, &store, "r4");
    let err = refused(
        &engine,
        &store,
        "r4",
        a("bo-truong", "minister"),
        "central_certify",
    );
    assert!(matches!(err, CommandError::GuardFailed { .. }), "{err}");
    step("bo-truong", "minister", "central_below_five");
    step("chu-tich-tinh", "province_chair", "province_certify");
    let cert = case_of(&engine, &store, "r4")
        .certificate()
        .unwrap()
        .clone();
    assert_eq!((cert.stars, cert.issued_by), (Stars::FOUR, Level::Province));
}

/// Art. 7.6g: the Ministry has 45 days from the province's complete proposal; the 45th
/// day, 6 March 2029 (a Tuesday), is in time, the next day is overdue.
#[test]
fn art_7_6g_central_45_days_from_the_provinces_complete_proposal() {
    let (engine, clock, store) = national();
    five_star_re_evaluation_at_the_ministry(&engine, &store, &clock, "r45");
    assert_deadline(
        &engine,
        &store,
        "r45",
        "2029-03-06",
        "central_re_evaluation_check_overdue",
    );
}

/// A 3★ certificate (1 June 2026 - 1 June 2029) whose re-evaluation, filed in the 7.6a
/// window, has its council result recorded on `closes_on` at `total` points.
fn re_evaluated(
    total: f64,
    stars: u8,
    closes_on: &str,
) -> (ocop_engine::Engine, ocop_engine::MemoryStore) {
    let (engine, clock, store) = national();
    certified(&engine, &store, "r", 3);
    re_evaluation_result(
        &engine,
        &store,
        &clock,
        "r",
        "file_re_evaluation",
        "2029-01-10",
        total,
        stars,
        closes_on,
    );
    (engine, store)
}

/// Audit #46 (Art. 4.1a): a re-evaluation that ends below 3★ after the certificate's term
/// reaches an end; the certificate is not kept.
#[test]
fn art_4_1a_failed_re_evaluation_after_expiry_ends_without_certificate() {
    let (engine, store) = re_evaluated(20.0, 1, "2029-06-10");
    let err = refused(
        &engine,
        &store,
        "r",
        a("chu-tich-tinh", "province_chair"),
        "province_keep_certificate",
    );
    assert!(err.to_string().contains("not in its term"), "{err}");
    let events = take(
        &engine,
        &store,
        "r",
        a("chu-tich-tinh", "province_chair"),
        "province_not_ranked",
    );
    let c = case_of(&engine, &store, "r");
    assert_eq!(c.state().as_str(), "not_ranked");
    assert_eq!(c.certificate().unwrap().status, CertificateStatus::Expired);
    // Art. 7.3g: the commune and the producer are told of the result.
    let told: Vec<&str> = events
        .iter()
        .filter_map(|e| match &e.body {
            ocop_engine::EventBody::Notified { role } => Some(role.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(told, ["commune_officer", "producer"]);
}

/// Art. 4.3: a failed re-evaluation inside the certificate's 36 months keeps it to its
/// own expiry, then the case lapses.
#[test]
fn art_4_1a_failed_re_evaluation_before_expiry_keeps_certificate_to_expiry() {
    let (engine, store) = re_evaluated(40.0, 2, "2029-03-01");
    let err = refused(
        &engine,
        &store,
        "r",
        a("chu-tich-tinh", "province_chair"),
        "province_not_ranked",
    );
    assert!(err.to_string().contains("still in its term"), "{err}");
    let step = stepper(&engine, &store, "r");
    step(
        "chu-tich-tinh",
        "province_chair",
        "province_keep_certificate",
    );
    let c = case_of(&engine, &store, "r");
    assert_eq!(c.state().as_str(), "monitoring");
    assert_eq!(c.certificate().unwrap().status, CertificateStatus::Active);
    assert_eq!(tick(&engine, &store, "2029-06-02", "r"), ["expire"]);
    assert_state(&engine, &store, "r", "lapsed");
}

/// Audit #50 (Art. 8.2, 8.3b): only the authority that may revoke decides not to revoke.
#[test]
fn art_8_2_only_the_competent_authority_decides_not_to_revoke() {
    let (engine, clock, store) = national();
    certified(&engine, &store, "five", 5);
    certified(&engine, &store, "three", 3);
    clock.set_date(d("2026-10-01"));
    for case in ["five", "three"] {
        open_revocation(
            &engine,
            &store,
            case,
            RevocationGround::MarkMisuse,
            "2026-09-30",
        );
    }
    let err = refused(
        &engine,
        &store,
        "five",
        a("chu-tich-tinh", "province_chair"),
        "dismiss_revocation",
    );
    assert!(err.to_string().contains("outside 1-4★"), "{err}");
    take(
        &engine,
        &store,
        "five",
        a("bo-truong", "minister"),
        "dismiss_revocation_central",
    );
    let err = refused(
        &engine,
        &store,
        "three",
        a("bo-truong", "minister"),
        "dismiss_revocation_central",
    );
    assert!(err.to_string().contains("outside 5-5★"), "{err}");
    take(
        &engine,
        &store,
        "three",
        a("chu-tich-tinh", "province_chair"),
        "dismiss_revocation",
    );
    for case in ["five", "three"] {
        assert_state(&engine, &store, case, "monitoring");
    }
}

/// Audit #53, D5 (Art. 8.4; Civil Code Art. 148(5)): 15 days from a conclusion of
/// 16 October 2026 end on Saturday 31 October, so the limit is Monday 2 November.
#[test]
fn art_8_4_revocation_limit_rolls_past_the_weekend() {
    let (engine, clock, store) = national();
    certified(&engine, &store, "rv", 3);
    clock.set_date(d("2026-10-19"));
    open_revocation(
        &engine,
        &store,
        "rv",
        RevocationGround::NoLongerMeetsCriteria,
        "2026-10-16",
    );
    assert_deadline(&engine, &store, "rv", "2026-11-02", "revocation_overdue");
}

/// Art. 4.3: a certificate is valid 36 months from the day the authority issues it; the
/// expiry is not rolled off a day off.
#[test]
fn art_4_3_certificate_valid_36_months() {
    let (engine, _clock, store) = national();
    certified(&engine, &store, "c36", 4);
    let cert = case_of(&engine, &store, "c36")
        .certificate()
        .unwrap()
        .clone();
    assert_eq!(
        (cert.issued_on, cert.expires_on),
        (d("2026-06-01"), d("2029-06-01"))
    );
    assert!(tick(&engine, &store, "2029-06-01", "c36").is_empty());
    assert_eq!(tick(&engine, &store, "2029-06-02", "c36"), ["expire"]);
}

/// Art. 4.1a, 7.3e: the provincial chair certifies 3-4★ and nothing below 3★.
#[test]
fn art_7_3e_province_certifies_three_and_four_stars_only() {
    let (engine, _clock, store) = national();
    first_filing(&engine, &store, "low");
    council_round(&engine, &store, "low", &PROVINCE_ROUND, (45.0, 2), true);
    let err = refused(
        &engine,
        &store,
        "low",
        a("chu-tich-tinh", "province_chair"),
        "province_certify",
    );
    assert!(matches!(err, CommandError::GuardFailed { .. }), "{err}");
    let step = stepper(&engine, &store, "low");
    step("chu-tich-tinh", "province_chair", "province_not_ranked");
    let c = case_of(&engine, &store, "low");
    assert_eq!(c.state().as_str(), "not_ranked");
    assert!(c.certificate().is_none());
}

/// Art. 7.2: the commune has 15 working days from receipt (day 1 is the next working day).
#[test]
fn art_7_2_commune_fifteen_working_days() {
    let (engine, _clock, store) = national();
    open_case(&engine, &store, "cw");
    take(&engine, &store, "cw", producer("cw"), "file_dossier");
    // Filed Monday 1 June 2026: 15 working days end on Monday 22 June.
    assert_deadline(
        &engine,
        &store,
        "cw",
        "2026-06-22",
        "commune_review_overdue",
    );
}

/// The round a national-2026 case filed and proposed by the commune on `day` is placed in,
/// with its last proposal day and last decision day.
fn round_of_a_proposal_on(day: &str) -> (String, ocop_core::Date, ocop_core::Date) {
    let (engine, clock, store) = national();
    clock.set_date(d(day));
    first_filing(&engine, &store, "r");
    let c = case_of(&engine, &store, "r");
    let r = c.round().unwrap();
    (r.round.to_string(), r.proposals_by, r.decided_by)
}

// Art. 5.1 "trước ngày 30 tháng 4" is read strictly [#12]: 29 April is the last day of
// round 1 (the choice and its reason are written on the rounds of national-2026).
#[test]
fn art_5_1_proposal_before_30_april_is_round_1() {
    assert_eq!(
        round_of_a_proposal_on("2027-04-29"),
        ("province_1".to_owned(), d("2027-04-29"), d("2027-06-29"))
    );
}

#[test]
fn art_5_1_proposal_on_30_april_goes_to_round_2() {
    assert_eq!(
        round_of_a_proposal_on("2027-04-30"),
        ("province_2".to_owned(), d("2027-10-29"), d("2027-12-29"))
    );
}

#[test]
fn art_5_1_round_decision_due_the_day_before_30_june() {
    let (engine, clock, store) = national();
    clock.set_date(d("2027-04-20"));
    first_filing(&engine, &store, "r");
    let step = stepper(&engine, &store, "r");
    step("so-nn", "province_office", "province_accept");
    step("to-tu-van", "advisory_group", "advisory_report");
    assert_deadline(&engine, &store, "r", "2027-06-29", "province_round_overdue");
}

// Art. 5.2 for the central rounds, read the same way: a 5★ proposal on 29 July is in
// central round 1, one on 30 July in round 2.
#[test]
fn art_5_2_central_cut_offs_are_strict() {
    for (day, round, by, decided) in [
        ("2027-07-29", "central_1", "2027-07-29", "2027-09-29"),
        ("2027-07-30", "central_2", "2028-01-29", "2028-03-29"),
    ] {
        let (engine, clock, store) = national();
        clock.set_date(d("2027-04-20"));
        first_filing(&engine, &store, "f");
        council_round(&engine, &store, "f", &PROVINCE_ROUND, (95.0, 5), true);
        clock.set_date(d(day));
        let step = stepper(&engine, &store, "f");
        step(
            "chu-tich-tinh",
            "province_chair",
            "province_approve_five_star",
        );
        let c = case_of(&engine, &store, "f");
        let r = c.round().unwrap();
        assert_eq!(
            (r.round.as_str(), r.proposals_by, r.decided_by),
            (round, d(by), d(decided)),
            "{day}"
        );
    }
}

// Art. 7.2 gives the commune duties, not a power to refuse [#24]: from its review the
// commune proposes or returns the dossier for completion; nothing it can take ends the
// case, and `commune_decline` is gone.
#[test]
fn art_7_2_commune_cannot_refuse_to_propose() {
    let cycle = cycle("national-2026");
    for t in cycle.outgoing(&ocop_core::ids::StateId::from("commune_review")) {
        if t.roles.iter().any(|r| r.as_str() == "commune_officer") {
            assert!(
                !cycle.is_terminal(&t.to),
                "`{}` lets the commune end the case",
                t.id
            );
        }
    }
    let (engine, _clock, store) = national();
    let producer = producer("c");
    ok(
        &engine,
        &store,
        ocop_engine::Command::open("c", producer.clone(), open("c")),
    );
    take(&engine, &store, "c", producer, "file_dossier");
    let err = refused(
        &engine,
        &store,
        "c",
        a("ubnd-xa", "commune_officer"),
        "commune_decline",
    );
    assert!(
        matches!(err, CommandError::UnknownTransition { .. }),
        "{err:?}"
    );
}

// Art. 4.1 [#1]: two tiers decide, the province (3-4★) and the centre (5★); the commune
// pre-assesses. national-2026 has no district role, state or council.
#[test]
fn art_4_1_two_tiers_and_the_commune_pre_assesses() {
    let cycle = cycle("national-2026");
    let def = cycle.definition();
    assert!(
        def.roles
            .iter()
            .all(|r| !r.id.as_str().contains("district"))
    );
    assert!(
        def.states
            .iter()
            .all(|s| !s.id.as_str().contains("district"))
    );
    let levels: std::collections::BTreeSet<_> = def.evaluations.iter().map(|e| e.level).collect();
    assert_eq!(
        levels.into_iter().collect::<Vec<_>>(),
        [Level::Province, Level::Central]
    );
    let review = cycle
        .state(&ocop_core::ids::StateId::from("commune_review"))
        .unwrap();
    assert_eq!(review.owner.as_ref().unwrap().as_str(), "commune_officer");
}

// Art. 5.1 [#9]: at least two provincial rounds a year (more may be added as data).
#[test]
fn art_5_1_at_least_two_provincial_rounds() {
    let cycle = cycle("national-2026");
    let province = cycle
        .definition()
        .rounds
        .iter()
        .filter(|r| r.level == Level::Province)
        .count();
    assert!(province >= 2, "{province} provincial rounds");
}

// Art. 6.1a [#14]: a first evaluation is filed with forms 01 and 02.
#[test]
fn art_6_1a_first_evaluation_needs_forms_01_and_02() {
    let (engine, _clock, store) = national();
    let mut bare = open("c");
    bare.documents.retain(|d| d.kind != "form_02");
    ok(
        &engine,
        &store,
        ocop_engine::Command::open("c", producer("c"), bare),
    );
    let err = refused(&engine, &store, "c", producer("c"), "file_dossier");
    assert!(matches!(err, CommandError::GuardFailed { .. }), "{err}");
    assert!(err.to_string().contains("form_02"), "{err}");
    ok(
        &engine,
        &store,
        ocop_engine::Command::new(
            "c",
            producer("c"),
            ocop_engine::Action::UpdateDossier {
                documents: vec![doc("form_02")],
            },
        ),
    );
    take(&engine, &store, "c", producer("c"), "file_dossier");
    assert_state(&engine, &store, "c", "commune_review");
}

// Art. 10.4a [#60]: the commune guides the producer to complete the dossier: it returns
// it, the producer completes and files it again.
#[test]
fn art_10_4a_commune_returns_for_completion() {
    let (engine, _clock, store) = national();
    open_case(&engine, &store, "c");
    take(&engine, &store, "c", producer("c"), "file_dossier");
    returned_and_completed(
        &engine,
        &store,
        a("ubnd-xa", "commune_officer"),
        ["commune_return", "commune_completion", "commune_resubmit"],
        ["commune_propose", "province_office_check"],
    );
}

/// `by` returns case `c` for completion (`steps`: the return, the completion state, the
/// producer's resubmission), then takes `next[0]` to reach `next[1]`.
fn returned_and_completed(
    engine: &ocop_engine::Engine,
    store: &dyn Store,
    by: ocop_engine::Actor,
    steps: [&str; 3],
    next: [&str; 2],
) {
    take(engine, store, "c", by.clone(), steps[0]);
    assert_state(engine, store, "c", steps[1]);
    take(engine, store, "c", producer("c"), steps[2]);
    take(engine, store, "c", by, next[0]);
    assert_state(engine, store, "c", next[1]);
}

// Art. 7.3a [#25]: the provincial office checks the commune's file and may ask for
// completion; the producer (or the commune) supplements it and it comes back to the office.
#[test]
fn art_7_3a_province_office_asks_for_completion() {
    let (engine, _clock, store) = national();
    first_filing(&engine, &store, "c");
    returned_and_completed(
        &engine,
        &store,
        a("so-nn", "province_office"),
        [
            "province_return",
            "province_completion",
            "province_resubmit",
        ],
        ["province_accept", "advisory_review"],
    );
}

// Art. 7.3c [#27]: the advisory group reviews the dossier and reports before the council;
// the office cannot report in its place.
#[test]
fn art_7_3c_advisory_group_reports_before_the_council() {
    let (engine, _clock, store) = national();
    first_filing(&engine, &store, "c");
    let step = stepper(&engine, &store, "c");
    step("so-nn", "province_office", "province_accept");
    let err = refused(
        &engine,
        &store,
        "c",
        a("so-nn", "province_office"),
        "advisory_report",
    );
    assert!(matches!(err, CommandError::RoleNotAllowed { .. }), "{err}");
    step("to-tu-van", "advisory_group", "advisory_report");
    assert_state(&engine, &store, "c", "province_evaluation");
}

// Art. 8.1 [#47]: six grounds of revocation, each accepted to open a proceeding.
#[test]
fn art_8_1_six_grounds() {
    assert_eq!(RevocationGround::ALL.len(), 6);
    let (engine, clock, store) = national();
    for (k, ground) in RevocationGround::ALL.into_iter().enumerate() {
        let case = format!("g{k}");
        clock.set_date(d("2026-06-01"));
        certified(&engine, &store, &case, 3);
        clock.set_date(d("2026-10-01"));
        open_revocation(&engine, &store, &case, ground, "2026-09-30");
        assert_eq!(
            case_of(&engine, &store, &case).state().as_str(),
            "revocation",
            "{ground:?}"
        );
    }
}

fn inspect(engine: &ocop_engine::Engine, store: &dyn Store, case: &str, by: &str, t: &str) {
    take_with(
        engine,
        store,
        case,
        a(by, by),
        t,
        ocop_engine::TransitionInput {
            inspection: Some(ocop_engine::InspectionOutcome::Compliant),
            ..ocop_engine::TransitionInput::default()
        },
    );
}

// Art. 9.4a [#57]: the provincial office inspects the products it certified.
#[test]
fn art_9_4a_provincial_office_inspects() {
    let (engine, clock, store) = national();
    certified(&engine, &store, "three", 3);
    clock.set_date(d("2027-03-01"));
    inspect(
        &engine,
        &store,
        "three",
        "province_office",
        "inspect_periodic",
    );
    inspect(
        &engine,
        &store,
        "three",
        "province_office",
        "inspect_ad_hoc",
    );
    assert_eq!(case_of(&engine, &store, "three").inspections().len(), 2);
    let err = refused(
        &engine,
        &store,
        "three",
        a("ubnd-xa", "commune_officer"),
        "inspect_periodic",
    );
    assert!(matches!(err, CommandError::RoleNotAllowed { .. }), "{err}");
}

// Art. 9.4b [#58]: the Ministry inspects 5★ products, and 3-4★ ones when necessary.
#[test]
fn art_9_4b_ministry_inspects_five_stars() {
    let (engine, clock, store) = national();
    certified(&engine, &store, "five", 5);
    certified(&engine, &store, "four", 4);
    clock.set_date(d("2027-03-01"));
    inspect(
        &engine,
        &store,
        "five",
        "ministry_office",
        "inspect_periodic",
    );
    inspect(&engine, &store, "four", "ministry_office", "inspect_ad_hoc");
    assert_eq!(case_of(&engine, &store, "five").inspections().len(), 1);
    assert_eq!(case_of(&engine, &store, "four").inspections().len(), 1);
}

// Art. 7.6g [#44]: the 45 days run from the complete dossier to the result, so the chair's
// decision after the council is inside them: a re-evaluation filed and sent to the council
// on Wednesday 10 January 2029 is due on Saturday 24 February, rolled to Monday 26
// February (Civil Code Art. 148(5)); the next day the Ministry is told, and the chair can
// still decide.
#[test]
fn art_7_6g_provincial_re_evaluation_decided_within_45_days() {
    let (engine, store) = re_evaluated(62.0, 3, "2029-02-01");
    assert_state(&engine, &store, "r", "re_evaluation_decision");
    assert_deadline(
        &engine,
        &store,
        "r",
        "2029-02-26",
        "re_evaluation_decision_overdue",
    );
    let step = stepper(&engine, &store, "r");
    step("chu-tich-tinh", "province_chair", "province_certify");
    assert_state(&engine, &store, "r", "certified");
}

// Art. 7.6c [#40]: the office checks the re-evaluation dossier and may have it completed;
// the 45 days of 7.6g start again from the completed dossier.
#[test]
fn art_7_6c_office_asks_for_completion_of_a_re_evaluation() {
    let (engine, clock, store) = national();
    certified(&engine, &store, "r", 3);
    clock.set_date(d("2029-01-10"));
    take(&engine, &store, "r", producer("r"), "file_re_evaluation");
    let step = stepper(&engine, &store, "r");
    step("ubnd-xa", "commune_officer", "re_evaluation_propose");
    step("so-nn", "province_office", "re_evaluation_return");
    assert_state(&engine, &store, "r", "re_evaluation_completion");
    clock.set_date(d("2029-01-22"));
    take(
        &engine,
        &store,
        "r",
        producer("r"),
        "re_evaluation_resubmit",
    );
    assert_state(&engine, &store, "r", "re_evaluation_check");
    // 45 days from Monday 22 January 2029: Thursday 8 March.
    assert_eq!(due(&engine, &store, "r"), d("2029-03-08"));
    step("so-nn", "province_office", "re_evaluation_to_council");
}

// Art. 7.6d [#41]: the provincial council re-evaluates by written opinions and meets only
// when they diverge (here: totals more than the local 10 points apart). Agreeing opinions
// close without a meeting; diverging ones cannot close, and the chair has the council meet
// and score again.
#[test]
fn art_7_6d_written_opinions_meet_only_when_they_diverge() {
    let (engine, clock, store) = national();
    certified(&engine, &store, "r", 3);
    clock.set_date(d("2029-01-10"));
    take(&engine, &store, "r", producer("r"), "file_re_evaluation");
    let step = stepper(&engine, &store, "r");
    step("ubnd-xa", "commune_officer", "re_evaluation_propose");
    step("so-nn", "province_office", "re_evaluation_to_council");
    constitute(
        &engine,
        &store,
        "r",
        "re_evaluation_council",
        "province_council_chair",
        "p",
    );
    for (i, (total, stars)) in [(60.0, 3), (76.0, 4), (60.0, 3), (61.0, 3), (60.0, 3)]
        .into_iter()
        .enumerate()
    {
        let (id, role) = if i == 0 {
            ("p-chair".to_owned(), "province_council_chair")
        } else {
            (format!("p-m{i}"), "province_council_member")
        };
        submit(
            &engine,
            &store,
            "r",
            "re_evaluation_council",
            a(&id, role),
            sheet(total, stars),
        );
    }
    let chair = a("p-chair", "province_council_chair");
    let err = refused(&engine, &store, "r", chair.clone(), "re_evaluation_close");
    assert!(matches!(err, CommandError::GuardFailed { .. }), "{err}");
    take(&engine, &store, "r", chair.clone(), "re_evaluation_rescore");
    score(
        &engine,
        &store,
        "r",
        "re_evaluation_council",
        "province_council_member",
        "province_council_chair",
        "p",
        62.0,
        3,
    );
    let err = refused(&engine, &store, "r", chair.clone(), "re_evaluation_rescore");
    assert!(matches!(err, CommandError::GuardFailed { .. }), "{err}");
    take(&engine, &store, "r", chair, "re_evaluation_close");
    assert_state(&engine, &store, "r", "re_evaluation_decision");
}
