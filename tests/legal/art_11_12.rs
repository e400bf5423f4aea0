//! Articles 11-12: entry into force, the old rules' lapse, and the transitional rules.

use ocop_core::domain::CertificateStatus;
use ocop_engine::{
    Command, CommandError, Engine, ManualClock, MemoryStore, Migration, MigrationReport, Store,
    Timestamp,
};

use crate::support::*;
use crate::*;

// --- Art. 12.3 on a 3★ certificate of 1 June 2026, expiring Friday 1 June 2029: the 7.6a
// window is 3 Dec 2028 - 1 Feb 2029, a late filing is open from 2 Feb 2029 to Wednesday
// 28 Nov 2029 (180 days after expiry).

fn three_star(case: &str) -> (Engine, ManualClock, MemoryStore) {
    let (engine, clock, store) = national();
    certified(&engine, &store, case, 3);
    (engine, clock, store)
}

fn valid_on(engine: &Engine, store: &dyn Store, case: &str, day: &str) -> bool {
    case_of(engine, store, case).certificate_valid_on(d(day))
}

/// Audit #69 (Art. 7.6a, 12.3): the late filing opens the day after the 7.6a window closes.
#[test]
fn art_12_3_late_window_opens_after_the_7_6a_window() {
    let (engine, clock, store) = three_star("w");
    clock.set_date(d("2029-02-01"));
    let err = refused(
        &engine,
        &store,
        "w",
        producer("w"),
        "file_late_re_evaluation",
    );
    assert!(
        err.to_string()
            .contains("open from 2029-02-02 to 2029-11-28"),
        "{err}"
    );
    clock.set_date(d("2029-02-02"));
    let err = refused(&engine, &store, "w", producer("w"), "file_re_evaluation");
    assert!(matches!(err, CommandError::GuardFailed { .. }), "{err}");
    take(
        &engine,
        &store,
        "w",
        producer("w"),
        "file_late_re_evaluation",
    );
    assert_eq!(
        case_of(&engine, &store, "w").certificate().unwrap().status,
        CertificateStatus::Extended {
            until: d("2029-11-28")
        }
    );
}

/// Audit #68 (Art. 12.3), the test: filing late and then withdrawing extends
/// nothing, before expiry or after it.
#[test]
fn art_12_3_withdrawal_after_late_filing_extends_nothing() {
    // Before expiry: the certificate is back to its own term.
    let (engine, clock, store) = three_star("w1");
    clock.set_date(d("2029-04-01"));
    take(
        &engine,
        &store,
        "w1",
        producer("w1"),
        "file_late_re_evaluation",
    );
    clock.set_date(d("2029-04-10"));
    take(&engine, &store, "w1", producer("w1"), "withdraw_request");
    let c = case_of(&engine, &store, "w1");
    assert_eq!(c.state().as_str(), "monitoring");
    assert_eq!(c.certificate().unwrap().status, CertificateStatus::Active);
    assert_eq!(tick(&engine, &store, "2029-06-02", "w1"), ["expire"]);
    assert!(!valid_on(&engine, &store, "w1", "2029-06-02"));

    // After expiry: the certificate ends on the day of the withdrawal.
    let (engine, clock, store) = three_star("w2");
    assert_eq!(tick(&engine, &store, "2029-06-02", "w2"), ["expire"]);
    clock.set_date(d("2029-07-01"));
    take(
        &engine,
        &store,
        "w2",
        producer("w2"),
        "file_late_re_evaluation",
    );
    assert!(valid_on(&engine, &store, "w2", "2029-07-02"));
    clock.set_date(d("2029-07-05"));
    let err = refused(&engine, &store, "w2", producer("w2"), "withdraw_request");
    assert!(err.to_string().contains("not in its term"), "{err}");
    take(
        &engine,
        &store,
        "w2",
        producer("w2"),
        "withdraw_late_request",
    );
    let c = case_of(&engine, &store, "w2");
    assert_eq!(c.state().as_str(), "withdrawn");
    assert_eq!(c.certificate().unwrap().status, CertificateStatus::Expired);
    assert!(!valid_on(&engine, &store, "w2", "2029-07-06"));
}

/// A late re-evaluation filed on 1 April 2029 whose council result is recorded on
/// `closes_on`.
fn late_result(case: &str, total: f64, stars: u8, closes_on: &str) -> (Engine, MemoryStore) {
    let (engine, clock, store) = three_star(case);
    re_evaluation_result(
        &engine,
        &store,
        &clock,
        case,
        "file_late_re_evaluation",
        "2029-04-01",
        total,
        stars,
        closes_on,
    );
    (engine, store)
}

/// Audit #68 (Art. 12.3): the extension ends at a negative result ("đến ngày có kết quả").
#[test]
fn art_12_3_extension_ends_at_a_negative_result() {
    let (engine, store) = late_result("n", 40.0, 2, "2029-07-10");
    assert!(valid_on(&engine, &store, "n", "2029-07-10"));
    let step = stepper(&engine, &store, "n");
    step("chu-tich-tinh", "province_chair", "province_not_ranked");
    let c = case_of(&engine, &store, "n");
    assert_eq!(c.state().as_str(), "not_ranked");
    assert_eq!(c.certificate().unwrap().status, CertificateStatus::Expired);
    assert!(!valid_on(&engine, &store, "n", "2029-07-11"));
}

/// Audit #68 (Art. 12.3): the certificate stays valid past expiry until the result, which
/// supersedes it.
#[test]
fn art_12_3_late_filing_extends_until_the_result() {
    let (engine, store) = late_result("p", 75.0, 4, "2029-09-10");
    assert!(valid_on(&engine, &store, "p", "2029-09-01"));
    let step = stepper(&engine, &store, "p");
    step("chu-tich-tinh", "province_chair", "province_certify");
    let c = case_of(&engine, &store, "p");
    assert_eq!(c.certificates()[0].status, CertificateStatus::Superseded);
    assert_eq!(c.certificate().unwrap().issued_on, d("2029-09-10"));
}

/// Audit #69 (Art. 12.3): after expiry the case waits in `lapsed`; a late filing revives
/// the certificate until the result.
#[test]
fn art_12_3_filing_after_expiry_revives_until_the_result() {
    let (engine, clock, store) = three_star("x");
    assert_eq!(tick(&engine, &store, "2029-06-02", "x"), ["expire"]);
    assert_state(&engine, &store, "x", "lapsed");
    assert!(!valid_on(&engine, &store, "x", "2029-06-20"));
    clock.set_date(d("2029-07-01"));
    take(
        &engine,
        &store,
        "x",
        producer("x"),
        "file_late_re_evaluation",
    );
    assert!(valid_on(&engine, &store, "x", "2029-07-02"));
}

/// Audit #69 (Art. 12.3): at most 180 days from expiry.
#[test]
fn art_12_3_cap_is_180_days_after_expiry() {
    let (engine, clock, store) = three_star("cap");
    clock.set_date(d("2029-05-01"));
    take(
        &engine,
        &store,
        "cap",
        producer("cap"),
        "file_late_re_evaluation",
    );
    assert!(valid_on(&engine, &store, "cap", "2029-11-28"));
    assert!(!valid_on(&engine, &store, "cap", "2029-11-29"));
}

/// Art. 12.3: with no late filing, the lapsed case closes the day after the 180 days.
#[test]
fn art_12_3_lapsed_case_closes_180_days_after_expiry() {
    let (engine, _clock, store) = three_star("l");
    assert_eq!(tick(&engine, &store, "2029-06-02", "l"), ["expire"]);
    assert_deadline(&engine, &store, "l", "2029-11-28", "close_lapsed");
    assert_state(&engine, &store, "l", "expired");
}

// --- Art. 11-12.2: the cases of 148/2023 as amended by 1489/2025 (amended-2025) on
// 22 May 2026.

/// The store, the two engines and the transition file of 22 May 2026.
struct Transition {
    old: Engine,
    new: Engine,
    clock: ManualClock,
    store: MemoryStore,
    migration: Migration,
}

pub(crate) fn migration(file: &str, from: &str, to: &str) -> Migration {
    let text = std::fs::read_to_string(root().join("workflows/migrations").join(file)).unwrap();
    Migration::load(file, &text, &cycle(from), &cycle(to)).unwrap()
}

impl Transition {
    fn new(day: &str) -> Transition {
        let clock = ManualClock::on(d(day));
        Transition {
            old: engine("amended-2025", &clock),
            new: engine("national-2026", &clock),
            migration: migration(
                "amended-2025-to-national-2026.toml",
                "amended-2025",
                "national-2026",
            ),
            clock,
            store: MemoryStore::new(),
        }
    }

    fn run(&self, day: &str) -> MigrationReport {
        self.clock.set_date(d(day));
        self.migration
            .run(
                &self.store,
                self.old.projector(),
                self.new.projector(),
                &ocop_engine::Actor::new("so-nn-ct", "province_office"),
                Timestamp::vn(d(day), 8, 0),
            )
            .unwrap()
    }

    /// A dossier filed at the commune on the clock's day.
    fn filed(&self, case: &str) {
        ok(
            &self.old,
            &self.store,
            Command::open(case, producer(case), open(case)),
        );
        take(&self.old, &self.store, case, producer(case), "file_dossier");
    }
}

fn plan<'r>(r: &'r MigrationReport, case: &str) -> &'r ocop_engine::CasePlan {
    r.migrate
        .iter()
        .chain(&r.continue_under_old_rules)
        .chain(&r.cannot_migrate)
        .find(|p| p.case.as_str() == case)
        .unwrap()
}

/// Audit #64 (Art. 12.2): a dossier filed before 22 May 2026 and not yet decided finishes
/// under the definition it was filed under; once certified it moves onto the new cycle.
#[test]
fn art_12_2_filed_dossier_continues_under_the_old_rules() {
    let t = Transition::new("2026-04-01");
    t.filed("filed");
    let r = t.run("2026-05-22");
    assert!(
        r.continue_under_old_rules
            .iter()
            .any(|p| p.case.as_str() == "filed")
    );
    let c = case_of(&t.old, &t.store, "filed");
    assert_eq!(
        (c.definition().as_str(), c.state().as_str()),
        ("amended-2025", "commune_review")
    );
    assert!(c.continues_under_old_rules());
    // The commune's 15 working days are 26/2026's: the continuing case has none.
    assert!(t.old.deadline(&c).unwrap().is_none());
    t.clock.set_date(d("2026-06-15"));
    take(
        &t.old,
        &t.store,
        "filed",
        a("ubnd-xa", "commune_officer"),
        "commune_propose",
    );
    council_round(&t.old, &t.store, "filed", &PROVINCE_ROUND, (60.0, 3), true);
    take(
        &t.old,
        &t.store,
        "filed",
        a("chu-tich-tinh", "province_chair"),
        "province_certify",
    );
    let r = t.run("2026-06-22");
    assert_eq!(
        plan(&r, "filed").to_state.as_ref().unwrap().as_str(),
        "certified"
    );
    assert_eq!(
        case_of(&t.new, &t.store, "filed").definition().as_str(),
        "national-2026"
    );
}

/// Audit #65 (Art. 12.2a): a first evaluation in flight has 60 days, to 21 July 2026; the
/// old definition's tick notices the limit the day after.
#[test]
fn art_12_2a_sixty_day_cap_is_21_july_2026() {
    let t = Transition::new("2026-04-01");
    t.filed("c60");
    let r = t.run("2026-05-22");
    assert_eq!(plan(&r, "c60").finish_by, Some(d("2026-07-21")));
    assert!(tick(&t.old, &t.store, "2026-07-21", "c60").is_empty());
    assert_eq!(tick(&t.old, &t.store, "2026-07-22", "c60"), ["limit"]);
}

/// Audit #66, D5 (Art. 12.2b; Civil Code Art. 148(5)): a re-evaluation has 30 days; the
/// 30th day, 21 June 2026, is a Sunday, so the limit is Monday 22 June. Its certificate
/// (issued by a district on 5 June 2023, carried over on 1 July 2025), expiring before
/// that, stays valid until the result, at most 180 days (Art. 12.3).
#[test]
fn art_12_2b_thirty_day_cap_rolls_to_monday_22_june() {
    let t = Transition::new("2023-06-05");
    let ct = engine("can-tho-2024", &t.clock);
    district_certified(&ct, &t.store, "c30");
    t.clock.set_date(d("2025-07-01"));
    migration(
        "can-tho-2024-to-amended-2025.toml",
        "can-tho-2024",
        "amended-2025",
    )
    .run(
        &t.store,
        ct.projector(),
        t.old.projector(),
        &ocop_engine::Actor::new("so-nn-ct", "province_office"),
        Timestamp::vn(d("2025-07-01"), 8, 0),
    )
    .unwrap();
    t.clock.set_date(d("2026-04-01"));
    take(
        &t.old,
        &t.store,
        "c30",
        a("c30-producer", "producer"),
        "file_re_evaluation",
    );
    let r = t.run("2026-05-22");
    let p = plan(&r, "c30");
    assert_eq!(p.finish_by, Some(d("2026-06-22")));
    assert_eq!(p.certificate_extended_until, Some(d("2026-12-02")));
    assert!(tick(&t.old, &t.store, "2026-06-22", "c30").is_empty());
    assert_eq!(tick(&t.old, &t.store, "2026-06-23", "c30"), ["limit"]);
}

/// Audit #67 (Art. 12.2): nothing unfiled is capped.
#[test]
fn art_12_2_unfiled_dossier_is_not_capped() {
    let t = Transition::new("2026-04-01");
    ok(
        &t.old,
        &t.store,
        Command::open("unfiled", producer("unfiled"), open("unfiled")),
    );
    let r = t.run("2026-05-22");
    let p = plan(&r, "unfiled");
    assert_eq!(p.to_state.as_ref().unwrap().as_str(), "registration");
    assert_eq!(p.finish_by, None);
}

/// Audit #67 (Art. 12.2): a case before the old rules' council is not told to file anew.
#[test]
fn art_12_2_case_at_the_old_council_is_not_told_to_file_anew() {
    let t = Transition::new("2026-04-01");
    first_filing(&t.old, &t.store, "sitting");
    take(
        &t.old,
        &t.store,
        "sitting",
        a("so-nn", "province_office"),
        "province_accept",
    );
    take(
        &t.old,
        &t.store,
        "sitting",
        a("to-tu-van", "advisory_group"),
        "advisory_report",
    );
    let r = t.run("2026-05-22");
    assert!(r.cannot_migrate.is_empty());
    let p = plan(&r, "sitting");
    assert_eq!(
        (p.from_state.as_str(), p.to_state.as_ref()),
        ("province_evaluation", None)
    );
    assert_eq!(p.finish_by, Some(d("2026-07-21")));
}

/// Audit #63 (Art. 12.1): a certificate issued under the old rules stays valid to its
/// expiry on the new cycle.
#[test]
fn art_12_1_certificates_valid_to_expiry() {
    let t = Transition::new("2025-09-10");
    first_filing(&t.old, &t.store, "old");
    council_round(&t.old, &t.store, "old", &PROVINCE_ROUND, (60.0, 3), true);
    take(
        &t.old,
        &t.store,
        "old",
        a("chu-tich-tinh", "province_chair"),
        "province_certify",
    );
    take(
        &t.old,
        &t.store,
        "old",
        a("so-nn", "province_office"),
        "announce",
    );
    let before = case_of(&t.old, &t.store, "old")
        .certificate()
        .unwrap()
        .clone();
    let r = t.run("2026-05-22");
    assert_eq!(
        plan(&r, "old").to_state.as_ref().unwrap().as_str(),
        "monitoring"
    );
    let after = case_of(&t.new, &t.store, "old");
    assert_eq!(after.certificate().unwrap(), &before);
    assert_eq!(before.expires_on, d("2028-09-10"));
}

/// Audit #61 (Art. 11.1): no case under national-2026 before 22 May 2026.
#[test]
fn art_11_1_no_case_before_22_may_2026() {
    let t = Transition::new("2026-05-21");
    let err = t
        .new
        .execute(
            &t.store,
            &Command::open("early", producer("early"), open("early")),
        )
        .unwrap_err();
    assert!(matches!(err, CommandError::NotInForce { .. }), "{err}");
}

/// Audit #62 (Art. 11.2, 12.2): from 22 May 2026 no new dossier is opened under the old
/// rules, which still govern the dossiers filed before and lapse after 21 July 2026.
#[test]
fn art_11_2_no_new_dossier_under_old_rules_from_22_may_2026() {
    let t = Transition::new("2026-05-21");
    ok(
        &t.old,
        &t.store,
        Command::open("last", producer("last"), open("last")),
    );
    t.clock.set_date(d("2026-05-22"));
    let err = t
        .old
        .execute(
            &t.store,
            &Command::open("late", producer("late"), open("late")),
        )
        .unwrap_err();
    assert!(matches!(err, CommandError::IntakeClosed { .. }), "{err}");
    assert!(err.to_string().contains("after 2026-05-21"), "{err}");
    // The case opened the day before goes on.
    take(&t.old, &t.store, "last", producer("last"), "file_dossier");
    assert_eq!(
        cycle("amended-2025").definition().in_force_until,
        Some(d("2026-07-21"))
    );
}

/// P12 (1489/2025): the district tier ends on 30 June 2025: from 1 July no case opens under
/// the Cần Thơ 2024 cycle.
#[test]
fn plan_p12_district_tier_ends_30_june_2025() {
    let clock = ManualClock::on(d("2025-06-30"));
    let ct = engine("can-tho-2024", &clock);
    let store = MemoryStore::new();
    ok(
        &ct,
        &store,
        Command::open("june", a("june-producer", "producer"), open("june")),
    );
    clock.set_date(d("2025-07-01"));
    let err = ct
        .execute(
            &store,
            &Command::open("july", a("july-producer", "producer"), open("july")),
        )
        .unwrap_err();
    assert!(matches!(err, CommandError::IntakeClosed { .. }), "{err}");
}
