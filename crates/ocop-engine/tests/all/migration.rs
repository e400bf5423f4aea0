//! Moving `can-tho-2024` cases onto `national-2026` (Art. 12): dry run, then real run. The
//! migration file is a test fixture (`tests/definitions/migrations/`): the shipped chain
//! goes through `amended-2025`, which `tests/legal` drives.

use ocop_core::domain::{CertificateStatus, RegistrationType};
use ocop_engine::{
    Actor, CaseId, Command, ManualClock, MemoryStore, Migration, MigrationError, Store, Timestamp,
    verify,
};

use crate::support::*;

fn migration_text() -> String {
    std::fs::read_to_string(
        root().join("tests/definitions/migrations/can-tho-2024-to-national-2026.toml"),
    )
    .unwrap()
}

/// A can-tho case up to the district council's sitting.
fn to_district_evaluation(engine: &ocop_engine::Engine, store: &dyn Store, case: &str) {
    register(engine, store, case);
    take(
        engine,
        store,
        case,
        a("phong-nn", "district_office"),
        "district_accept",
    );
}

fn seed(store: &MemoryStore) {
    let clock = ManualClock::on(d("2023-06-01"));
    let old = engine("can-tho-2024", &clock);
    // A certificate from June 2023, renewed too late to finish before it expires.
    district_certified(&old, store, "renew");
    clock.set_date(d("2026-05-10"));
    take(
        &old,
        store,
        "renew",
        a("renew-producer", "producer"),
        "file_renewal",
    );

    // Cases opened before the district tier ended (can-tho-2024 takes none after 30 June
    // 2025), still open on 22 May 2026 in this store.
    clock.set_date(d("2025-06-02"));
    open_case(&old, store, "reg");
    let p = open_case(&old, store, "review");
    take(
        &old,
        store,
        "review",
        a("phong-nn", "district_office"),
        "accept_registration",
    );
    take(&old, store, "review", p, "submit_dossier");
    to_district_evaluation(&old, store, "district-eval");
    district_certified(&old, store, "monitor");
    let p = open_case(&old, store, "gone");
    take(&old, store, "gone", p, "withdraw");

    // A case at the city council with every sheet in.
    to_district_evaluation(&old, store, "city");
    sitting(
        &old,
        store,
        "city",
        "district_council",
        "district",
        "h",
        80.0,
        4,
    );
    let step = stepper(&old, store, "city");
    step("h-chair", "district_council_chair", "district_close");
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
    step("ct-huyen", "district_chair", "district_propose_to_city");
    step("so-nn-ct", "city_office", "city_accept");
    sitting(&old, store, "city", "city_council", "city", "tp", 82.0, 4);
}

fn plan<'r>(report: &'r ocop_engine::MigrationReport, case: &str) -> &'r ocop_engine::CasePlan {
    report
        .migrate
        .iter()
        .chain(&report.cannot_migrate)
        .chain(&report.continue_under_old_rules)
        .find(|p| p.case.as_str() == case)
        .unwrap_or_else(|| panic!("case {case} not in the report"))
}

#[test]
fn dry_run_then_real_run() {
    let store = MemoryStore::new();
    seed(&store);
    let migration = Migration::load(
        "can-tho-2024-to-national-2026.toml",
        &migration_text(),
        &cycle("can-tho-2024"),
        &cycle("national-2026"),
    )
    .unwrap();
    let before = versions(&store);

    let dry = migration.dry_run(&store, d("2026-05-25")).unwrap();
    assert!(!dry.applied);
    let ids =
        |v: &[ocop_engine::CasePlan]| v.iter().map(|p| p.case.to_string()).collect::<Vec<_>>();
    // Art. 12.1: certified products move onto the national cycle; a dossier not yet filed
    // is filed under the new rules, with no limit.
    assert_eq!(ids(&dry.migrate), ["monitor", "reg"]);
    // Art. 12.2: filed and undecided dossiers finish under the rules they were filed under.
    assert_eq!(
        ids(&dry.continue_under_old_rules),
        ["city", "district-eval", "renew", "review"]
    );
    assert!(dry.cannot_migrate.is_empty(), "{:?}", dry.cannot_migrate);
    assert_eq!(dry.closed, [CaseId::new("gone")]);
    let reg = plan(&dry, "reg");
    assert_eq!(reg.finish_by, None, "nothing unfiled is capped");
    // The district council's case is not told to file anew.
    let eval = plan(&dry, "district-eval");
    assert_eq!(eval.to_state, None);
    assert_eq!(eval.finish_by, Some(d("2026-07-21")));
    assert!(!eval.reason.contains("anew"), "{}", eval.reason);
    let review = plan(&dry, "review");
    assert_eq!(review.finish_by, Some(d("2026-07-21")));
    let renew = plan(&dry, "renew");
    assert_eq!(renew.registration, RegistrationType::ReEvaluation);
    // 30 days from 22 May 2026 is Sunday 21 June: the limit ends on Monday (Civil Code
    // Art. 148(5)).
    assert_eq!(renew.finish_by, Some(d("2026-06-22")));
    // Its certificate expires on 1 June 2026, before the limit: kept valid until the
    // result, at most 180 days (Saturday 28 November, rolled to Monday 30).
    assert_eq!(renew.certificate_extended_until, Some(d("2026-11-30")));
    let monitor = plan(&dry, "monitor");
    assert_eq!(monitor.finish_by, None);
    assert!(monitor.reason.contains("stays valid to its expiry"));
    // A dry run records nothing.
    assert_eq!(before, versions(&store), "a dry run records nothing");
    let json = serde_json::to_string(&dry).unwrap();
    let back: ocop_engine::MigrationReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, dry);

    // The real run records one event per case: `migrated` or `continues_under_old_rules`.
    let at = Timestamp::vn(d("2026-05-25"), 8, 0);
    let clock = ManualClock::on(d("2026-05-25"));
    let old = engine("can-tho-2024", &clock);
    let new = engine("national-2026", &clock);
    let real = migration
        .run(
            &store,
            old.projector(),
            new.projector(),
            &Actor::new("so-nn-ct", "system"),
            at,
        )
        .unwrap();
    assert!(real.applied && real.failed.is_empty());
    assert_eq!(ids(&real.migrate), ids(&dry.migrate));
    assert_eq!(
        ids(&real.continue_under_old_rules),
        ids(&dry.continue_under_old_rules)
    );
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
    for p in &real.continue_under_old_rules {
        let events = store.load(&p.case, 0).unwrap();
        verify(&events).unwrap();
        let last = events.last().unwrap();
        assert_eq!(last.body.kind(), "continues_under_old_rules");
        let case = ocop_engine::replay(&events).unwrap();
        assert_eq!(case.definition().as_str(), "can-tho-2024");
        assert_eq!(*case.state(), p.from_state);
        assert!(case.continues_under_old_rules());
        assert_eq!(case.finish_by(), p.finish_by);
    }
    let renew = old.case(&store, &CaseId::new("renew")).unwrap();
    assert_eq!(
        renew.certificate().unwrap().status,
        CertificateStatus::Extended {
            until: d("2026-11-30")
        }
    );
    // Running again records nothing for the continuing cases.
    let again = migration.dry_run(&store, d("2026-05-26")).unwrap();
    assert!(again.migrate.is_empty() && again.continue_under_old_rules.is_empty());
    assert_eq!(again.already_continuing.len(), 4);

    // The city council finishes under the old rules; once certified, the next run moves
    // the product onto the national cycle.
    clock.set_date(d("2026-06-10"));
    let step = stepper(&old, &store, "city");
    step("tp-chair", "city_council_chair", "city_close");
    step("chu-tich-tp", "city_chair", "city_certify");
    let city = old.case(&store, &CaseId::new("city")).unwrap();
    assert_eq!(city.state().as_str(), "certified");
    assert_eq!(city.certificate().unwrap().stars, ocop_core::Stars::FOUR);
    let later = migration
        .run(
            &store,
            old.projector(),
            new.projector(),
            &Actor::new("so-nn-ct", "system"),
            Timestamp::vn(d("2026-06-15"), 8, 0),
        )
        .unwrap();
    assert_eq!(ids(&later.migrate), ["city"]);
    let city = new.case(&store, &CaseId::new("city")).unwrap();
    assert_eq!(city.definition().as_str(), "national-2026");
    assert!(!city.continues_under_old_rules());
    // The old engine refuses migrated cases.
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

    // A continuing case past its limit is noticed by the old definition's tick.
    let report = old
        .tick(&store, Timestamp::vn(d("2026-07-22"), 8, 0))
        .unwrap();
    let review: Vec<_> = report
        .fired
        .iter()
        .filter(|f| f.case.as_str() == "review")
        .collect();
    assert_eq!(review.len(), 1, "{:?}", report.fired);
    assert_eq!(review[0].events[0].body.kind(), "transitional_limit_passed");
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
        "[[states]]\nfrom = \"monitoring\"\nto = \"monitoring\"",
        "[[states]]\nfrom = \"monitorng\"\nto = \"monitorin\"",
    );
    let err = Migration::load(
        "m.toml",
        &text,
        &cycle("can-tho-2024"),
        &cycle("national-2026"),
    )
    .unwrap_err();
    let MigrationError::Invalid(report) = &err else {
        panic!("{err}")
    };
    assert!(report.diagnostics.iter().all(|d| d.location.is_some()));
    let all = report.to_string();
    assert!(
        all.contains("`monitorng` is not a state of `can-tho-2024`"),
        "{all}"
    );
    assert!(
        all.contains("`monitorin` is not a state of `national-2026`"),
        "{all}"
    );
    assert!(
        all.contains("state `monitoring` of `can-tho-2024` has no default rule"),
        "{all}"
    );
    let err = Migration::load(
        "m.toml",
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
