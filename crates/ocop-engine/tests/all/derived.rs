//! What the store keeps beside the events, seen from the engine: a tick reads only the
//! due-date index, a cold engine starts from the latest snapshot, every append leaves the
//! case's projection equal to its summary.

use std::collections::BTreeMap;
use std::sync::Mutex;

use ocop_core::{Date, ids::DefinitionId};
use ocop_engine::store::{Append, DueEntry, Snapshot, StoredDefinition};
use ocop_engine::{
    Case, CaseId, CaseSummary, Command, Event, ManualClock, Recorded, SqliteStore, Store,
    StoreError, Timestamp,
};

use crate::support::*;

/// A store that counts the calls made to it, and remembers every `load`'s `after`.
struct Counting<S> {
    inner: S,
    calls: Mutex<BTreeMap<&'static str, usize>>,
    loads: Mutex<Vec<u64>>,
}

impl<S: Store> Counting<S> {
    fn new(inner: S) -> Self {
        Counting {
            inner,
            calls: Mutex::new(BTreeMap::new()),
            loads: Mutex::new(Vec::new()),
        }
    }

    fn count(&self, call: &'static str) {
        *self.calls.lock().unwrap().entry(call).or_default() += 1;
    }

    fn reset(&self) {
        self.calls.lock().unwrap().clear();
        self.loads.lock().unwrap().clear();
    }

    fn calls(&self) -> BTreeMap<&'static str, usize> {
        self.calls.lock().unwrap().clone()
    }
}

impl<S: Store> Store for Counting<S> {
    fn version(&self, case: &CaseId) -> Result<u64, StoreError> {
        self.count("version");
        self.inner.version(case)
    }
    fn load(&self, case: &CaseId, after: u64) -> Result<Vec<Event>, StoreError> {
        self.count("load");
        self.loads.lock().unwrap().push(after);
        self.inner.load(case, after)
    }
    fn append(&self, append: &Append<'_>) -> Result<(), StoreError> {
        self.count("append");
        self.inner.append(append)
    }
    fn recorded(&self, case: &CaseId, key: &str) -> Result<Option<Recorded>, StoreError> {
        self.count("recorded");
        self.inner.recorded(case, key)
    }
    fn cases(&self) -> Result<Vec<CaseId>, StoreError> {
        self.count("cases");
        self.inner.cases()
    }
    fn due(&self, d: &DefinitionId, before: Date) -> Result<Vec<DueEntry>, StoreError> {
        self.count("due");
        self.inner.due(d, before)
    }
    fn summary(&self, case: &CaseId) -> Result<Option<CaseSummary>, StoreError> {
        self.count("summary");
        self.inner.summary(case)
    }
    fn summaries(&self) -> Result<Vec<CaseSummary>, StoreError> {
        self.count("summaries");
        self.inner.summaries()
    }
    fn list(&self, query: &ocop_engine::SummaryQuery) -> Result<Vec<CaseSummary>, StoreError> {
        self.count("list");
        self.inner.list(query)
    }
    fn reproject(&self, summary: &CaseSummary) -> Result<(), StoreError> {
        self.count("reproject");
        self.inner.reproject(summary)
    }
    fn unprojected(&self) -> Result<Vec<CaseId>, StoreError> {
        self.count("unprojected");
        self.inner.unprojected()
    }
    fn snapshot(&self, case: &CaseId) -> Result<Option<Snapshot>, StoreError> {
        self.count("snapshot");
        self.inner.snapshot(case)
    }
    fn put_definition(&self, d: &StoredDefinition) -> Result<(), StoreError> {
        self.count("put_definition");
        self.inner.put_definition(d)
    }
    fn has_definition(&self, sha256: &str) -> Result<bool, StoreError> {
        self.inner.has_definition(sha256)
    }
    fn definition(&self, sha256: &str) -> Result<Option<StoredDefinition>, StoreError> {
        self.count("definition");
        self.inner.definition(sha256)
    }
    fn definitions(&self) -> Result<Vec<StoredDefinition>, StoreError> {
        self.count("definitions");
        self.inner.definitions()
    }
}

fn sqlite() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("s.sqlite")).unwrap();
    (dir, store)
}

#[test]
fn a_tick_with_nothing_due_is_one_indexed_read() {
    let clock = ManualClock::on(d("2026-06-01"));
    let engine = engine("national-2026", &clock);
    let (_dir, inner) = sqlite();
    let store = Counting::new(inner);
    for i in 0..40 {
        let case = format!("c{i}");
        ok(
            &engine,
            &store,
            Command::open(case.as_str(), a(&format!("p{i}"), "producer"), open(&case)),
        );
        // In the commune's review: 15 working days from 1 June, due on 22 June.
        take(
            &engine,
            &store,
            &case,
            a(&format!("p{i}"), "producer"),
            "file_dossier",
        );
    }
    store.reset();
    let report = engine
        .tick(&store, Timestamp::vn(d("2026-06-22"), 17, 0))
        .unwrap();
    assert!(report.fired.is_empty() && report.failed.is_empty());
    assert_eq!(store.calls(), BTreeMap::from([("due", 1)]));

    // The read is a range scan of the due-date index, not of the table.
    let plan = store.inner.due_query_plan().unwrap().join("\n");
    assert!(plan.contains("INDEX ocop_summaries_due"), "{plan}");
    assert!(!plan.contains("SCAN"), "{plan}");

    // The day after, every case is due: the tick reads the index, then only those cases.
    store.reset();
    let report = engine
        .tick(&store, Timestamp::vn(d("2026-06-23"), 17, 0))
        .unwrap();
    assert_eq!(report.fired.len(), 40);
    let calls = store.calls();
    assert_eq!(calls.get("append"), Some(&40));
    assert_eq!(calls.get("cases"), None);
    assert_eq!(calls.get("summaries"), None);
    // One more read finds nothing due any more.
    assert_eq!(calls.get("due"), Some(&2));
}

#[test]
fn a_cold_engine_starts_from_the_latest_snapshot() {
    let clock = ManualClock::on(d("2026-06-01"));
    let warm = engine("national-2026", &clock);
    let (_dir, inner) = sqlite();
    let store = Counting::new(inner);
    ok(
        &warm,
        &store,
        Command::open("long", a("p", "producer"), open("long")),
    );
    let step = stepper(&warm, &store, "long");
    step("p", "producer", "file_dossier");
    for _ in 0..20 {
        step("xa", "commune_officer", "commune_return");
        step("p", "producer", "commune_resubmit");
    }
    let version = store.version(&CaseId::new("long")).unwrap();
    assert_eq!(version, 62);
    // Taken by the append that crossed 32 events.
    let snapshot = store.snapshot(&CaseId::new("long")).unwrap().unwrap();
    assert!((32..34).contains(&snapshot.version), "{}", snapshot.version);

    let cold = engine("national-2026", &clock);
    store.reset();
    let case = cold.case(&store, &CaseId::new("long")).unwrap();
    assert_eq!(*store.loads.lock().unwrap(), vec![snapshot.version]);
    let replayed = Case::replay(&store.inner.load(&CaseId::new("long"), 0).unwrap()).unwrap();
    assert_eq!(case, replayed);
    // And the cold engine decides as the warm one would.
    take(
        &cold,
        &store,
        "long",
        a("xa", "commune_officer"),
        "commune_return",
    );
    ocop_engine::verify(&store.inner.load(&CaseId::new("long"), 0).unwrap()).unwrap();
}

#[test]
fn every_append_leaves_the_projection_equal_to_the_summary() {
    let clock = ManualClock::on(d("2026-06-01"));
    let engine = engine("national-2026", &clock);
    let (_dir, store) = sqlite();
    ok(
        &engine,
        &store,
        Command::open("p1", a("p", "producer"), open("p1")),
    );
    let check = || {
        let id = CaseId::new("p1");
        let case = engine.case(&store, &id).unwrap();
        assert_eq!(store.summary(&id).unwrap().unwrap(), engine.summary(&case));
    };
    check();
    let step = stepper(&engine, &store, "p1");
    step("p", "producer", "file_dossier");
    check();
    let summary = store.summary(&CaseId::new("p1")).unwrap().unwrap();
    assert_eq!(summary.next_due, Some(d("2026-06-22")));
    assert_eq!(
        store
            .due(&DefinitionId::new("national-2026"), d("2026-06-23"))
            .unwrap(),
        vec![DueEntry {
            due: d("2026-06-22"),
            case: CaseId::new("p1"),
            version: 2
        }]
    );
    step("xa", "commune_officer", "commune_propose");
    check();
    assert!(store.unprojected().unwrap().is_empty());
}
