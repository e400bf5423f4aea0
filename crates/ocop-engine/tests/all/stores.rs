//! The store-conformance suite on both stores, and commands racing on one case.

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier, Mutex};

use ocop_core::{Date, ids::DefinitionId};
use ocop_engine::store::{Append, DueEntry, Snapshot, StoredDefinition, conformance};
use ocop_engine::{
    Action, CaseId, CaseSummary, Command, CommandError, Event, ManualClock, MemoryStore, Recorded,
    SqliteStore, Store, StoreError,
};

use crate::support::*;

#[test]
fn memory_store_conforms() {
    let failures = conformance::run_all(MemoryStore::new);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn sqlite_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let n = std::sync::atomic::AtomicUsize::new(0);
    let failures = conformance::run_all(|| {
        let i = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        SqliteStore::open(dir.path().join(format!("c{i}.sqlite"))).unwrap()
    });
    assert!(failures.is_empty(), "{failures:#?}");
    let failures = conformance::run_all(|| SqliteStore::in_memory().unwrap());
    assert!(failures.is_empty(), "{failures:#?}");
}

fn fact(round: u64, thread: usize) -> Action {
    Action::RecordFacts {
        facts: BTreeMap::from([(format!("r{round}_t{thread}"), true)]),
    }
}

/// Threads with their own engine (and, for SQLite, their own connection) race commands
/// at the same expected version: exactly one wins each version.
fn race(make_store: &dyn Fn() -> Arc<dyn Store>) {
    let clock = ManualClock::on(d("2026-06-01"));
    let setup = engine("national-2026", &clock);
    let store = make_store();
    ok(
        &setup,
        &*store,
        Command::open("race", a("race-producer", "producer"), open("race")),
    );
    let threads = 4;
    for round in 1..=10u64 {
        let barrier = Arc::new(Barrier::new(threads));
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let barrier = Arc::clone(&barrier);
                let store = make_store();
                let clock = clock.clone();
                std::thread::spawn(move || {
                    let engine = engine("national-2026", &clock);
                    let cmd = Command::new("race", a("so-nn", "commune_officer"), fact(round, t))
                        .expecting(round);
                    barrier.wait();
                    engine.execute(&*store, &cmd)
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let wins = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "round {round}: {results:?}");
        for r in results.iter().filter(|r| r.is_err()) {
            assert!(
                matches!(r, Err(CommandError::Conflict { expected, .. }) if *expected == round),
                "{r:?}"
            );
        }
        assert_eq!(store.version(&CaseId::new("race")).unwrap(), round + 1);
    }
    ocop_engine::verify(&store.load(&CaseId::new("race"), 0).unwrap()).unwrap();
}

#[test]
fn racing_commands_on_memory_store() {
    let shared: Arc<dyn Store> = Arc::new(MemoryStore::new());
    race(&|| Arc::clone(&shared));
}

#[test]
fn racing_commands_on_sqlite_connections() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.sqlite");
    race(&|| Arc::new(SqliteStore::open(&path).unwrap()) as Arc<dyn Store>);
}

#[test]
fn racing_commands_through_one_engine() {
    let clock = ManualClock::on(d("2026-06-01"));
    let engine = Arc::new(engine("national-2026", &clock));
    let store = Arc::new(MemoryStore::new());
    ok(
        &engine,
        &*store,
        Command::open("one", a("one-producer", "producer"), open("one")),
    );
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let engine = Arc::clone(&engine);
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let cmd = Command::new("one", a("x", "commune_officer"), fact(1, t)).expecting(1);
                engine.execute(&*store, &cmd).is_ok()
            })
        })
        .collect();
    let wins = handles
        .into_iter()
        .filter(|_| true)
        .map(|h| h.join().unwrap())
        .filter(|w| *w)
        .count();
    assert_eq!(wins, 1);
}

#[test]
fn a_case_on_sqlite_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.sqlite");
    let clock = ManualClock::on(d("2026-06-01"));
    let engine1 = engine("national-2026", &clock);
    {
        let store = SqliteStore::open(&path).unwrap();
        first_filing(&engine1, &store, "s");
    }
    let store = SqliteStore::open(&path).unwrap();
    let events = store.load(&CaseId::new("s"), 0).unwrap();
    ocop_engine::verify(&events).unwrap();
    let engine2 = engine("national-2026", &clock);
    let case = engine2.case(&store, &CaseId::new("s")).unwrap();
    assert_eq!(case, ocop_engine::replay(&events).unwrap());
    assert_eq!(case.state().as_str(), "province_office_check");
    // The first engine's cached copy is stale; it reloads when the store says so.
    take(
        &engine2,
        &store,
        "s",
        a("so-nn", "province_office"),
        "province_accept",
    );
    take(
        &engine1,
        &store,
        "s",
        a("to-tu-van", "advisory_group"),
        "advisory_report",
    );
    assert_eq!(state(&engine2, &store, "s"), "province_evaluation");
}

/// Where another writer gets in ahead of the engine under test.
enum Rival {
    /// Before each append it records a fact of its own, so the engine's append meets a
    /// moved case.
    EveryAppend,
    /// Right after the first idempotency look-up (which found nothing), it runs this
    /// command: the twin of the request being decided, sent again by an impatient client.
    AfterFirstLookUp(Mutex<Option<Box<Command>>>),
}

/// A memory store with a rival writer (its own engine) that always gets there first.
struct Racing {
    inner: MemoryStore,
    engine: ocop_engine::Engine,
    rival: Rival,
}

impl Racing {
    fn new(engine: ocop_engine::Engine, rival: Rival) -> Racing {
        Racing {
            inner: MemoryStore::new(),
            engine,
            rival,
        }
    }
}

impl Store for Racing {
    fn append(&self, append: &Append<'_>) -> Result<(), StoreError> {
        if let Rival::EveryAppend = self.rival {
            let n = self.inner.version(append.case)?;
            let rival = Command::new(
                append.case.clone(),
                a("so-nn", "commune_officer"),
                fact(n, 9),
            );
            self.engine
                .execute(&self.inner, &rival)
                .map_err(|e| StoreError::Backend(e.to_string()))?;
        }
        self.inner.append(append)
    }
    fn version(&self, case: &CaseId) -> Result<u64, StoreError> {
        self.inner.version(case)
    }
    fn load(&self, case: &CaseId, after: u64) -> Result<Vec<Event>, StoreError> {
        self.inner.load(case, after)
    }
    fn recorded(&self, case: &CaseId, key: &str) -> Result<Option<Recorded>, StoreError> {
        let seen = self.inner.recorded(case, key)?;
        if let Rival::AfterFirstLookUp(twin) = &self.rival
            && let Some(twin) = twin.lock().unwrap().take()
        {
            self.engine
                .execute(&self.inner, &twin)
                .map_err(|e| StoreError::Backend(e.to_string()))?;
        }
        Ok(seen)
    }
    fn cases(&self) -> Result<Vec<CaseId>, StoreError> {
        self.inner.cases()
    }
    fn due(&self, def: &DefinitionId, before: Date) -> Result<Vec<DueEntry>, StoreError> {
        self.inner.due(def, before)
    }
    fn summary(&self, case: &CaseId) -> Result<Option<CaseSummary>, StoreError> {
        self.inner.summary(case)
    }
    fn summaries(&self) -> Result<Vec<CaseSummary>, StoreError> {
        self.inner.summaries()
    }
    fn list(&self, query: &ocop_engine::SummaryQuery) -> Result<Vec<CaseSummary>, StoreError> {
        self.inner.list(query)
    }
    fn reproject(&self, summary: &CaseSummary) -> Result<(), StoreError> {
        self.inner.reproject(summary)
    }
    fn unprojected(&self) -> Result<Vec<CaseId>, StoreError> {
        self.inner.unprojected()
    }
    fn snapshot(&self, case: &CaseId) -> Result<Option<Snapshot>, StoreError> {
        self.inner.snapshot(case)
    }
    fn put_definition(&self, d: &StoredDefinition) -> Result<(), StoreError> {
        self.inner.put_definition(d)
    }
    fn has_definition(&self, sha256: &str) -> Result<bool, StoreError> {
        self.inner.has_definition(sha256)
    }
    fn definition(&self, sha256: &str) -> Result<Option<StoredDefinition>, StoreError> {
        self.inner.definition(sha256)
    }
    fn definitions(&self) -> Result<Vec<StoredDefinition>, StoreError> {
        self.inner.definitions()
    }
}

#[test]
fn a_command_that_keeps_losing_says_how_often_the_case_moved() {
    let clock = ManualClock::on(d("2026-06-01"));
    let store = Racing::new(engine("national-2026", &clock), Rival::EveryAppend);
    ok(
        &store.engine,
        &store.inner,
        Command::open("busy", a("busy-producer", "producer"), open("busy")),
    );
    let mine = ocop_engine::EngineBuilder::new(cycle("national-2026"))
        .clock(clock.clone())
        .scorer("criteria-26-2026", scorer())
        .retry(ocop_engine::RetryPolicy::new(2))
        .build()
        .unwrap();
    let err = mine
        .execute(
            &store,
            &Command::new("busy", a("so-nn", "commune_officer"), fact(100, 0)),
        )
        .unwrap_err();
    let CommandError::Contended {
        moved, last_seen, ..
    } = &err
    else {
        panic!("{err}");
    };
    // Decided three times (the first and two retries), beaten each time.
    assert_eq!((*moved, *last_seen), (3, 4));
    assert!(err.to_string().contains("moved on 3 times"), "{err}");
    assert!(err.to_string().contains("last seen at version 4"), "{err}");
    // Nothing of the command was stored: only the rival's three facts follow the opening.
    assert_eq!(store.inner.version(&CaseId::new("busy")).unwrap(), 4);
}

/// Two copies of one keyed request: the second looks its key up before the first is stored
/// and decides after, on a case that has moved on. It answers as the first did (found by
/// the server's eight-client test, where it was refused with `not-from-state`).
#[test]
fn a_twin_request_decided_after_its_key_was_looked_up_answers_as_the_first() {
    let clock = ManualClock::on(d("2026-06-01"));
    let producer = a("twin-producer", "producer");
    let file = || Command::take("twin", producer.clone(), "file_dossier").idempotency_key("file-1");
    let twin_runs = |command: Command| {
        let store = Racing::new(
            engine("national-2026", &clock),
            Rival::AfterFirstLookUp(Mutex::new(None)),
        );
        ok(
            &store.engine,
            &store.inner,
            Command::open("twin", producer.clone(), open("twin")),
        );
        if let Rival::AfterFirstLookUp(twin) = &store.rival {
            *twin.lock().unwrap() = Some(Box::new(file()));
        }
        let mine = engine("national-2026", &clock);
        (mine.execute_outcome(&store, &command), store)
    };
    let (answer, store) = twin_runs(file());
    let outcome = answer.unwrap();
    // The case had not moved when this request looked; only the engine knows the answer
    // came from the twin's record.
    assert!(outcome.replayed);
    let events = outcome.events;
    assert_eq!(events.len(), 1, "{events:?}");
    // One filing in the log: the twin's, which this request's answer repeats.
    let log = store.inner.load(&CaseId::new("twin"), 0).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1], events[0]);
    // The same key on another command is still refused for reuse, not decided.
    let other = Command::take("twin", producer.clone(), "withdraw").idempotency_key("file-1");
    let (answer, store) = twin_runs(other);
    assert!(
        matches!(answer, Err(CommandError::KeyReused { .. })),
        "{answer:?}"
    );
    assert_eq!(store.inner.version(&CaseId::new("twin")).unwrap(), 2);
}

#[test]
fn an_outcome_says_whether_the_key_answered_it() {
    let (engine, _, store) = start("national-2026", "2026-06-01");
    let producer = a("outcome-producer", "producer");
    ok(
        &engine,
        &store,
        Command::open("outcome", producer.clone(), open("outcome")),
    );
    let file = Command::take("outcome", producer.clone(), "file_dossier").idempotency_key("f-1");
    let first = engine.execute_outcome(&store, &file).unwrap();
    assert!(!first.replayed);
    let retry = engine.execute_outcome(&store, &file).unwrap();
    assert!(retry.replayed);
    assert_eq!(retry.events, first.events);
    // Without a key nothing is replayed.
    let facts = Command::new(
        "outcome",
        producer,
        Action::RecordFacts {
            facts: [("traceability_registered".to_owned(), true)].into(),
        },
    );
    assert!(!engine.execute_outcome(&store, &facts).unwrap().replayed);
}
