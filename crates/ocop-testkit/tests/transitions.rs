//! The transition harness on the real engine (national-2026, the native criteria rules):
//! generated sequences keep every invariant on a memory and a SQLite store, walks go deep
//! into the cycle, deliberately broken stores are caught with a shrunk counterexample, and
//! a 36-month certificate runs to its expiry in milliseconds.
#![cfg(test)]

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use ocop_criteria_26_2026::NativeScorer;
use ocop_testkit::strategy::{Rules, Step, command_sequences};
use ocop_testkit::time::{advance_to_next_deadline, run_until};
use ocop_testkit::{
    Append, CaseId, CaseSummary, Clock, Cycle, Date, DefinitionId, DueEntry, EngineBuilder, Event,
    EventBody, ManualClock, MemoryStore, ProductSet, Recorded, Scorer, Snapshot, SqliteStore,
    Store, StoreError, StoredDefinition, Synchronous, TransitionHarness, check_transitions,
    load_definition,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestError, TestRunner};

fn cycle() -> Cycle {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../workflows/national-2026.toml"
    );
    load_definition(path, &std::fs::read_to_string(path).unwrap()).unwrap()
}

fn harness() -> &'static TransitionHarness {
    static HARNESS: OnceLock<TransitionHarness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let scorer: Arc<dyn Scorer> = Arc::new(NativeScorer::new());
        let catalog = scorer.criteria(ProductSet::new(1).unwrap()).unwrap();
        let calendar = calendar_to_2030();
        TransitionHarness::new(cycle(), move |cycle, clock| {
            EngineBuilder::new(cycle)
                .calendar(calendar.clone())
                .clock(clock)
                .scorer("criteria-26-2026", Arc::clone(&scorer))
                .build()
        })
        .catalog(catalog)
    })
}

/// The shipped calendar plus 2028-2030 as weekends only: test data, so that a certificate's
/// whole life (36 months, then the 180 days of Art. 12.3) can run; never shipped.
fn calendar_to_2030() -> ocop_engine::Calendar {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../workflows/calendars/vn.toml"
    );
    let mut text = std::fs::read_to_string(path).unwrap();
    for year in 2028..=2030 {
        text.push_str(&format!(
            "\n[[years]]\nyear = {year}\nstatus = \"statutory\"\nsource = \"test data\"\nnote = \"Test data only. Missing: every holiday.\"\ndays_off = []\n"
        ));
    }
    ocop_engine::Calendar::load("vn-test.toml", &text).unwrap()
}

fn sqlite(dir: &tempfile::TempDir) -> SqliteStore {
    SqliteStore::builder(dir.path().join("events.db"))
        .synchronous(Synchronous::Normal)
        .open()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn national_2026_keeps_its_invariants_when_the_rules_are_kept(
        steps in command_sequences(&cycle(), Rules::Respect)
    ) {
        check_transitions(harness(), &MemoryStore::new(), &steps)?;
    }

    #[test]
    fn national_2026_refuses_cleanly_when_the_rules_are_broken(
        steps in command_sequences(&cycle(), Rules::Break)
    ) {
        check_transitions(harness(), &MemoryStore::new(), &steps)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn national_2026_keeps_its_invariants_on_sqlite(
        steps in command_sequences(&cycle(), Rules::Break)
    ) {
        let dir = tempfile::tempdir().unwrap();
        check_transitions(harness(), &sqlite(&dir), &steps)?;
    }
}

/// The generator is not idle: walks that keep the rules reach certificates and
/// monitoring, and the checks run there too.
#[test]
fn walks_reach_certification_and_monitoring() {
    let mut runner = TestRunner::deterministic();
    let strategy = prop::collection::vec(
        ocop_testkit::strategy::steps(&cycle(), Rules::Respect),
        120..121,
    );
    let mut visited = std::collections::BTreeSet::new();
    let mut retries = 0;
    for _ in 0..12 {
        let steps = strategy.new_tree(&mut runner).unwrap().current();
        let stats = harness()
            .check(&MemoryStore::new(), &steps)
            .unwrap_or_else(|v| panic!("{v}"));
        if std::env::var_os("TESTKIT_TRACE").is_some() {
            eprintln!("{}", stats.trace.join("\n"));
        }
        visited.extend(stats.visited);
        retries += stats.retries;
    }
    assert!(
        visited.contains("monitoring"),
        "walks visited only {visited:?}"
    );
    assert!(retries > 0, "no accepted command was retried");
}

/// A store that forgets idempotency keys: retries act twice.
struct Forgetful(MemoryStore);

/// A store whose appends are not atomic: of several events, the last one is lost.
struct Lossy(MemoryStore);

/// A store that reads back the wrong state: events that enter `province_office_check`
/// come back entering `limbo`.
struct Misreporting(MemoryStore);

/// The store methods a faulty store passes straight through to its `MemoryStore`.
macro_rules! passed_through {
    () => {
        fn cases(&self) -> Result<Vec<CaseId>, StoreError> {
            self.0.cases()
        }
        fn due(&self, d: &DefinitionId, before: Date) -> Result<Vec<DueEntry>, StoreError> {
            self.0.due(d, before)
        }
        fn summary(&self, case: &CaseId) -> Result<Option<CaseSummary>, StoreError> {
            self.0.summary(case)
        }
        fn summaries(&self) -> Result<Vec<CaseSummary>, StoreError> {
            self.0.summaries()
        }
        fn list(&self, query: &ocop_engine::SummaryQuery) -> Result<Vec<CaseSummary>, StoreError> {
            self.0.list(query)
        }
        fn reproject(&self, summary: &CaseSummary) -> Result<(), StoreError> {
            self.0.reproject(summary)
        }
        fn unprojected(&self) -> Result<Vec<CaseId>, StoreError> {
            self.0.unprojected()
        }
        fn snapshot(&self, case: &CaseId) -> Result<Option<Snapshot>, StoreError> {
            self.0.snapshot(case)
        }
        fn put_definition(&self, d: &StoredDefinition) -> Result<(), StoreError> {
            self.0.put_definition(d)
        }
        fn has_definition(&self, sha256: &str) -> Result<bool, StoreError> {
            self.0.has_definition(sha256)
        }
        fn definition(&self, sha256: &str) -> Result<Option<StoredDefinition>, StoreError> {
            self.0.definition(sha256)
        }
        fn definitions(&self) -> Result<Vec<StoredDefinition>, StoreError> {
            self.0.definitions()
        }
    };
}

impl Store for Forgetful {
    fn version(&self, case: &CaseId) -> Result<u64, StoreError> {
        self.0.version(case)
    }
    fn load(&self, case: &CaseId, after: u64) -> Result<Vec<Event>, StoreError> {
        self.0.load(case, after)
    }
    fn append(&self, append: &Append<'_>) -> Result<(), StoreError> {
        self.0.append(&Append {
            key: None,
            ..*append
        })
    }
    fn recorded(&self, _case: &CaseId, _key: &str) -> Result<Option<Recorded>, StoreError> {
        Ok(None)
    }
    passed_through!();
}

impl Store for Lossy {
    fn version(&self, case: &CaseId) -> Result<u64, StoreError> {
        self.0.version(case)
    }
    fn load(&self, case: &CaseId, after: u64) -> Result<Vec<Event>, StoreError> {
        self.0.load(case, after)
    }
    fn append(&self, append: &Append<'_>) -> Result<(), StoreError> {
        let events = append.events;
        if events.len() < 2 {
            return self.0.append(append);
        }
        // The last event is lost, and the projection quietly follows.
        let kept = &events[..events.len() - 1];
        let mut summary = append.summary.clone();
        summary.version -= 1;
        self.0.append(&Append {
            events: kept,
            summary: &summary,
            snapshot: None,
            ..*append
        })
    }
    fn recorded(&self, case: &CaseId, key: &str) -> Result<Option<Recorded>, StoreError> {
        self.0.recorded(case, key)
    }
    passed_through!();
}

impl Store for Misreporting {
    fn version(&self, case: &CaseId) -> Result<u64, StoreError> {
        self.0.version(case)
    }
    fn load(&self, case: &CaseId, after: u64) -> Result<Vec<Event>, StoreError> {
        let mut events = self.0.load(case, after)?;
        for e in &mut events {
            if e.to.as_str() == "province_office_check" {
                e.to = "limbo".into();
            }
        }
        Ok(events)
    }
    fn append(&self, append: &Append<'_>) -> Result<(), StoreError> {
        self.0.append(append)
    }
    fn recorded(&self, case: &CaseId, key: &str) -> Result<Option<Recorded>, StoreError> {
        self.0.recorded(case, key)
    }
    passed_through!();
}

/// [`counterexample`] of a store that breaks `invariant` under [`Rules::Respect`]: the
/// report names it and the failing sequence is shrunk to at most `max_steps` steps.
fn caught<S: Store>(
    make: impl Fn() -> S,
    invariant: &str,
    max_steps: usize,
) -> (String, Vec<Step>) {
    let (shown, steps) = counterexample(make, Rules::Respect);
    eprintln!("minimal failing sequence: {steps:?}\n{shown}");
    let broken = format!("transition invariant `{invariant}` broken");
    assert!(shown.contains(&broken), "{shown}");
    assert!(steps.len() <= max_steps, "not shrunk: {steps:?}");
    (shown, steps)
}

/// Runs the harness on the store `make` builds until a sequence fails, and returns the
/// report of the minimal failing sequence proptest shrank it to, with that sequence.
fn counterexample<S: Store>(make: impl Fn() -> S, rules: Rules) -> (String, Vec<Step>) {
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: 256,
            failure_persistence: None,
            ..Config::default()
        },
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let result = runner.run(&command_sequences(&cycle(), rules), |steps| {
        check_transitions(harness(), &make(), &steps)?;
        Ok(())
    });
    match result {
        Err(TestError::Fail(reason, steps)) => {
            let shown = reason.message().to_owned();
            (shown, steps)
        }
        other => panic!("the broken store was not caught: {other:?}"),
    }
}

#[test]
fn a_store_that_forgets_idempotency_keys_is_caught() {
    let (shown, steps) = caught(|| Forgetful(MemoryStore::new()), "idempotent retry", 3);
    assert!(shown.contains("retry of step"), "{shown}");
    assert!(
        matches!(steps.last(), Some(Step::Retry { .. })),
        "{steps:?}"
    );
}

#[test]
fn a_store_with_non_atomic_appends_is_caught() {
    let invariant = "commands append what they return";
    caught(|| Lossy(MemoryStore::new()), invariant, 4);
}

#[test]
fn a_store_that_reports_a_wrong_state_is_caught() {
    let (shown, _) = caught(
        || Misreporting(MemoryStore::new()),
        "the state is a node",
        4,
    );
    assert!(shown.contains("`limbo`"), "{shown}");
}

/// A certificate issued under Decision 26/2026 lives 36 months (Art. 4.3), the case waits
/// the 180 days of Art. 12.3 in `lapsed` and ends in `expired`; with the time helpers the
/// whole life runs in milliseconds.
#[test]
fn a_36_month_certificate_expires_in_milliseconds() {
    let started = Instant::now();
    let h = harness();
    let clock = ManualClock::on(h.start_date());
    let engine = h.engine(clock.clone()).unwrap();
    let store = MemoryStore::new();
    h.open(&engine, &store, "c1").unwrap();
    h.drive_to(&engine, &store, "c1", "monitoring").unwrap();
    let case = engine.case(&store, &"c1".into()).unwrap();
    let certificate = case.certificate().unwrap().clone();
    assert_eq!(certificate.expires_on, certificate.issued_on.add_months(36));

    let report = advance_to_next_deadline(&engine, &store, &clock)
        .unwrap()
        .unwrap();
    let case = engine.case(&store, &"c1".into()).unwrap();
    assert_eq!(case.state().as_str(), "lapsed", "{report:?}");
    assert_eq!(
        clock.now().vn_date(),
        certificate.expires_on.add_days(1),
        "it expires the day after its last day"
    );
    assert!(
        store
            .load(&"c1".into(), 0)
            .unwrap()
            .iter()
            .any(|e| matches!(e.body, EventBody::CertificateExpired { .. }))
    );
    // Art. 12.3 leaves 180 days for a late re-evaluation; then the case ends.
    advance_to_next_deadline(&engine, &store, &clock)
        .unwrap()
        .unwrap();
    let case = engine.case(&store, &"c1".into()).unwrap();
    assert_eq!(case.state().as_str(), "expired");
    assert!(clock.now().vn_date() > certificate.expires_on.add_days(180));
    // Nothing more is due, and running on changes nothing.
    assert!(
        advance_to_next_deadline(&engine, &store, &clock)
            .unwrap()
            .is_none()
    );
    let later = run_until(&engine, &store, &clock, "2031-01-01".parse().unwrap()).unwrap();
    assert!(later.fired.is_empty() && later.failed.is_empty());
    let elapsed = started.elapsed();
    assert!(elapsed.as_millis() < 1000, "took {elapsed:?}");
}
