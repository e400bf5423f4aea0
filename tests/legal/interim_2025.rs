//! The 2025 interim cycle (issue item 6): Decision 148/2023 as amended by 1489/2025 from
//! 1 July 2025, when the district tier ended; reconstructed where 1489's text is not at hand.

use ocop_engine::{Actor, ManualClock, MemoryStore, Timestamp};

use crate::art_11_12::migration;

use crate::support::*;
use crate::*;

/// X3: the commune pre-assesses, the province certifies 3-4★, the centre 5★; every
/// decision state resolves every council result.
#[test]
fn t2025_amended_cycle_is_sound() {
    let def = cycle("amended-2025").definition().clone();
    ocop_testkit::assert_definition_sound(&def);
    assert_eq!(def.in_force_from, Some(d("2025-07-01")));
    assert_eq!(def.in_force_until, Some(d("2026-07-21")));
    assert_eq!(def.intake_until, Some(d("2026-05-21")));
    assert!(
        def.states
            .iter()
            .all(|s| !s.id.as_str().starts_with("district"))
    );
}

/// X2 (reconstructed from 1489): on 1 July 2025 every open Cần Thơ case moves: a dossier at
/// the district office to the commune, a district council's sitting to the provincial
/// office, a certificate under monitoring unchanged; no case gets a time limit, none is
/// told to file anew.
#[test]
fn t2025_migration_moves_district_cases_to_commune_and_province() {
    let clock = ManualClock::on(d("2025-03-03"));
    let old = engine("can-tho-2024", &clock);
    let new = engine("amended-2025", &clock);
    let store = MemoryStore::new();
    register(&old, &store, "review");
    register(&old, &store, "sitting");
    take(
        &old,
        &store,
        "sitting",
        a("phong-nn", "district_office"),
        "district_accept",
    );
    district_certified(&old, &store, "held");
    let cert = case_of(&old, &store, "held").certificate().unwrap().clone();

    let m = migration(
        "can-tho-2024-to-amended-2025.toml",
        "can-tho-2024",
        "amended-2025",
    );
    let dry = m.dry_run(&store, d("2025-07-01")).unwrap();
    assert!(dry.cannot_migrate.is_empty() && dry.continue_under_old_rules.is_empty());
    let to = |case: &str| {
        let p = dry
            .migrate
            .iter()
            .find(|p| p.case.as_str() == case)
            .unwrap();
        assert_eq!(p.finish_by, None, "{case}");
        p.to_state.as_ref().unwrap().to_string()
    };
    assert_eq!(to("review"), "commune_review");
    assert_eq!(to("sitting"), "province_office_check");
    assert_eq!(to("held"), "monitoring");

    clock.set_date(d("2025-07-01"));
    let real = m
        .run(
            &store,
            old.projector(),
            new.projector(),
            &Actor::new("so-nn-ct", "province_office"),
            Timestamp::vn(d("2025-07-01"), 8, 0),
        )
        .unwrap();
    assert_eq!(real.migrate.len(), 3);
    assert_eq!(case_of(&new, &store, "held").certificate().unwrap(), &cert);
    // The commune takes up the review; the province revokes a district certificate.
    take(
        &new,
        &store,
        "review",
        a("ubnd-xa", "commune_officer"),
        "commune_propose",
    );
    assert_eq!(
        case_of(&new, &store, "review").state().as_str(),
        "province_office_check"
    );
}

/// X2: amended-2025's cases on 22 May 2026 (Art. 12) load against both cycles; filed
/// dossiers continue, the rest moves.
#[test]
fn t2026_amended_cases_continue_or_move_on_22_may_2026() {
    let m = migration(
        "amended-2025-to-national-2026.toml",
        "amended-2025",
        "national-2026",
    );
    let rule = |state: &str| {
        m.file()
            .states
            .iter()
            .find(|r| r.from.as_str() == state)
            .map(|r| r.rule)
            .unwrap()
    };
    assert_eq!(rule("commune_review"), ocop_engine::RuleKind::Continue);
    assert_eq!(rule("province_decision"), ocop_engine::RuleKind::Continue);
    assert_eq!(rule("registration"), ocop_engine::RuleKind::Migrate);
    assert_eq!(rule("monitoring"), ocop_engine::RuleKind::Migrate);
}
