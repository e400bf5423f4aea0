//! Moving `can-tho-2024` cases onto `national-2026` (Art. 12): dry run, then real run.

use ocop_core::{CertificateStatus, EvaluationId, RegistrationType};
use ocop_engine::{
    Actor, CaseId, Command, ManualClock, MemoryStore, Migration, MigrationError, Store, Timestamp,
    verify,
};

use crate::support::*;

fn migration_text() -> String {
    std::fs::read_to_string(root().join("workflows/migrations/can-tho-2024-to-national-2026.toml"))
        .unwrap()
}

/// A can-tho case up to the district council's sitting.
fn to_district_evaluation(engine: &ocop_engine::Engine, store: &dyn Store, case: &str) {
    let producer = a(&format!("{case}-producer"), "producer");
    ok(
        engine,
        store,
        Command::open(case, producer.clone(), open(case)),
    );
    take(
        engine,
        store,
        case,
        a("phong-nn", "district_office"),
        "accept_registration",
    );
    take(engine, store, case, producer, "submit_dossier");
    take(
        engine,
        store,
        case,
        a("phong-nn", "district_office"),
        "district_accept",
    );
}

fn certify_three_stars(engine: &ocop_engine::Engine, store: &dyn Store, case: &str) {
    to_district_evaluation(engine, store, case);
    constitute(
        engine,
        store,
        case,
        "district_council",
        "district_council_chair",
        "h",
    );
    score(
        engine,
        store,
        case,
        "district_council",
        "district_council_member",
        "district_council_chair",
        "h",
        60.0,
        3,
    );
    take(
        engine,
        store,
        case,
        a("h-chair", "district_council_chair"),
        "district_close",
    );
    take(
        engine,
        store,
        case,
        a("ct-huyen", "district_chair"),
        "district_certify",
    );
    take(
        engine,
        store,
        case,
        a("phong-nn", "district_office"),
        "announce",
    );
}

fn seed(store: &MemoryStore) {
    let clock = ManualClock::on(d("2023-06-01"));
    let old = engine("can-tho-2024", &clock);
    // A certificate from June 2023, renewed too late to finish before it expires.
    certify_three_stars(&old, store, "renew");
    clock.set_date(d("2026-05-10"));
    take(
        &old,
        store,
        "renew",
        a("renew-producer", "producer"),
        "file_renewal",
    );

    clock.set_date(d("2026-03-02"));
    ok(
        &old,
        store,
        Command::open("reg", a("reg-producer", "producer"), open("reg")),
    );
    let p = a("review-producer", "producer");
    ok(
        &old,
        store,
        Command::open("review", p.clone(), open("review")),
    );
    take(
        &old,
        store,
        "review",
        a("phong-nn", "district_office"),
        "accept_registration",
    );
    take(&old, store, "review", p, "submit_dossier");
    to_district_evaluation(&old, store, "district-eval");
    certify_three_stars(&old, store, "monitor");
    let p = a("gone-producer", "producer");
    ok(&old, store, Command::open("gone", p.clone(), open("gone")));
    take(&old, store, "gone", p, "withdraw");

    // A case at the city council with every sheet in.
    to_district_evaluation(&old, store, "city");
    constitute(
        &old,
        store,
        "city",
        "district_council",
        "district_council_chair",
        "h",
    );
    score(
        &old,
        store,
        "city",
        "district_council",
        "district_council_member",
        "district_council_chair",
        "h",
        80.0,
        4,
    );
    take(
        &old,
        store,
        "city",
        a("h-chair", "district_council_chair"),
        "district_close",
    );
    ok(
        &old,
        store,
        Command::new(
            "city",
            a("phong-nn", "district_office"),
            ocop_engine::Action::RecordFacts {
                facts: [("traceability_registered".to_owned(), true)].into(),
            },
        ),
    );
    take(
        &old,
        store,
        "city",
        a("ct-huyen", "district_chair"),
        "district_propose_to_city",
    );
    take(
        &old,
        store,
        "city",
        a("so-nn-ct", "city_office"),
        "city_accept",
    );
    constitute(
        &old,
        store,
        "city",
        "city_council",
        "city_council_chair",
        "tp",
    );
    score(
        &old,
        store,
        "city",
        "city_council",
        "city_council_member",
        "city_council_chair",
        "tp",
        82.0,
        4,
    );
}

fn plan<'r>(report: &'r ocop_engine::MigrationReport, case: &str) -> &'r ocop_engine::CasePlan {
    report
        .migrate
        .iter()
        .chain(&report.cannot_migrate)
        .find(|p| p.case.as_str() == case)
        .unwrap_or_else(|| panic!("case {case} not in the report"))
}

#[test]
fn dry_run_then_real_run() {
    let store = MemoryStore::new();
    seed(&store);
    let migration = Migration::load(
        &migration_text(),
        &cycle("can-tho-2024"),
        &cycle("national-2026"),
    )
    .unwrap();
    let versions: Vec<u64> = store
        .cases()
        .unwrap()
        .iter()
        .map(|c| store.version(c).unwrap())
        .collect();

    let dry = migration.dry_run(&store, d("2026-05-25")).unwrap();
    assert!(!dry.applied);
    let ids =
        |v: &[ocop_engine::CasePlan]| v.iter().map(|p| p.case.to_string()).collect::<Vec<_>>();
    assert_eq!(
        ids(&dry.migrate),
        ["city", "monitor", "reg", "renew", "review"]
    );
    assert_eq!(ids(&dry.cannot_migrate), ["district-eval"]);
    assert_eq!(dry.closed, [CaseId::new("gone")]);
    assert!(
        plan(&dry, "district-eval")
            .reason
            .contains("no successor body")
    );
    let review = plan(&dry, "review");
    assert_eq!(review.to_state.as_ref().unwrap().as_str(), "commune_review");
    assert_eq!(review.finish_by, Some(d("2026-07-21")));
    let renew = plan(&dry, "renew");
    assert_eq!(renew.registration, RegistrationType::ReEvaluation);
    assert_eq!(
        renew.to_state.as_ref().unwrap().as_str(),
        "re_evaluation_commune_review"
    );
    assert_eq!(renew.finish_by, Some(d("2026-06-21")));
    assert_eq!(renew.certificate_extended_until, Some(d("2026-11-28")));
    let monitor = plan(&dry, "monitor");
    assert_eq!(monitor.finish_by, None);
    assert!(monitor.reason.contains("stays valid to its expiry"));
    let city = plan(&dry, "city");
    assert_eq!(
        city.evaluation,
        Some((
            EvaluationId::new("city_council"),
            EvaluationId::new("province_council")
        ))
    );
    // A dry run records nothing.
    let after: Vec<u64> = store
        .cases()
        .unwrap()
        .iter()
        .map(|c| store.version(c).unwrap())
        .collect();
    assert_eq!(versions, after);
    let json = serde_json::to_string(&dry).unwrap();
    let back: ocop_engine::MigrationReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, dry);

    // The real run records one migration event per case.
    let at = Timestamp::vn(d("2026-05-25"), 8, 0);
    let real = migration
        .run(
            &store,
            engine("national-2026", &ManualClock::on(d("2026-05-25"))).projector(),
            &Actor::new("so-nn-ct", "system"),
            at,
        )
        .unwrap();
    assert!(real.applied && real.failed.is_empty());
    assert_eq!(ids(&real.migrate), ids(&dry.migrate));
    for p in &real.migrate {
        let events = store.load(&p.case, 0).unwrap();
        verify(&events).unwrap();
        let last = events.last().unwrap();
        assert_eq!(last.body.kind(), "migrated");
        assert_eq!(Some(last.seq), p.event_seq);
        let case = ocop_engine::replay(&events).unwrap();
        assert_eq!(case.definition().as_str(), "national-2026");
        assert_eq!(Some(case.state()), p.to_state.as_ref());
    }
    // Running again finds nothing left to migrate.
    let again = migration.dry_run(&store, d("2026-05-26")).unwrap();
    assert!(again.migrate.is_empty());
    assert_eq!(ids(&again.cannot_migrate), ["district-eval"]);

    // The national engine carries the cases on.
    let clock = ManualClock::on(d("2026-05-26"));
    let new = engine("national-2026", &clock);
    let renew = new.case(&store, &CaseId::new("renew")).unwrap();
    assert_eq!(
        renew.certificate().unwrap().status,
        CertificateStatus::Extended {
            until: d("2026-11-28")
        }
    );
    clock.set_date(d("2026-07-01"));
    take(
        &new,
        &store,
        "renew",
        a("ubnd-xa", "commune_officer"),
        "re_evaluation_propose",
    );
    // The city council's sheets count for the provincial council.
    take(
        &new,
        &store,
        "city",
        a("tp-chair", "province_council_chair"),
        "province_close",
    );
    let city = new.case(&store, &CaseId::new("city")).unwrap();
    assert_eq!(city.state().as_str(), "province_decision");
    assert_eq!(
        city.result(&EvaluationId::new("province_council"))
            .unwrap()
            .stars,
        Some(ocop_core::Stars::FOUR)
    );
    take(
        &new,
        &store,
        "city",
        a("chu-tich-tinh", "province_chair"),
        "province_certify",
    );
    // The old engine refuses migrated cases.
    let old = engine("can-tho-2024", &clock);
    let err = old
        .execute(
            &store,
            &Command::take("monitor", a("so", "city_office"), "inspect_periodic"),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("runs under `national-2026`"),
        "{err}"
    );

    // A case past its transitional limit is noticed by the tick, with its overdue review.
    let report = new
        .tick(&store, Timestamp::vn(d("2026-07-22"), 8, 0))
        .unwrap();
    let review: Vec<_> = report
        .fired
        .iter()
        .filter(|f| f.case.as_str() == "review")
        .collect();
    assert_eq!(review.len(), 2, "{:?}", report.fired);
    assert!(
        review
            .iter()
            .any(|f| f.events[0].body.kind() == "transitional_limit_passed")
    );
    assert!(
        report.failed.is_empty(),
        "{:?}",
        report
            .failed
            .iter()
            .map(|f| f.error.to_string())
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_migration_file_must_cover_every_state() {
    let text = migration_text().replace(
        "[[states]]\nfrom = \"city_review\"\nto = \"province_office_check\"",
        "[[states]]\nfrom = \"city_reveiw\"\nto = \"province_ofice_check\"",
    );
    let err = Migration::load(&text, &cycle("can-tho-2024"), &cycle("national-2026")).unwrap_err();
    let MigrationError::Invalid(problems) = &err else {
        panic!("{err}")
    };
    let all = problems.join("\n");
    assert!(
        all.contains("`city_reveiw` is not a state of `can-tho-2024`"),
        "{all}"
    );
    assert!(
        all.contains("`province_ofice_check` is not a state of `national-2026`"),
        "{all}"
    );
    assert!(
        all.contains("state `city_review` of `can-tho-2024` has no default rule"),
        "{all}"
    );
    let err = Migration::load(
        &migration_text(),
        &cycle("national-2026"),
        &cycle("national-2026"),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("migrates from `can-tho-2024`"),
        "{err}"
    );
}
