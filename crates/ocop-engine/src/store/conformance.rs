//! The store-conformance suite: the checks every [`Store`] must pass. Another crate's store
//! (e.g. PostgreSQL) reuses it:
//!
//! ```
//! use ocop_engine::MemoryStore;
//! use ocop_engine::store::conformance;
//!
//! let failures = conformance::run_all(MemoryStore::new);
//! assert!(failures.is_empty(), "{failures:#?}");
//! ```
//!
//! `make` must return a fresh, empty store each time it is called.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ocop_core::StateId;

use super::{IdempotencyRecord, Store, StoreError};
use crate::clock::Timestamp;
use crate::event::{Actor, CaseId, Event, EventBody, GENESIS_HASH};

/// One failed check: its name and what went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The check.
    pub check: &'static str,
    /// What went wrong.
    pub message: String,
}

type Check<S> = (&'static str, fn(&S) -> Result<(), String>);

/// Runs every check, each on a fresh store from `make`, plus the racing check on a store
/// shared by several threads. Returns the failures (empty when the store conforms).
pub fn run_all<S, F>(make: F) -> Vec<Failure>
where
    S: Store + 'static,
    F: Fn() -> S,
{
    let checks: Vec<Check<S>> = vec![
        ("empty_store", empty_store),
        ("append_and_load_round_trip", append_and_load_round_trip),
        ("load_after_a_version", load_after_a_version),
        ("conflict_on_wrong_version", conflict_on_wrong_version),
        ("invalid_appends_are_refused", invalid_appends_are_refused),
        ("idempotency_keys", idempotency_keys),
        ("failed_append_stores_nothing", failed_append_stores_nothing),
        ("cases_are_listed_sorted", cases_are_listed_sorted),
        ("cases_are_independent", cases_are_independent),
    ];
    let mut failures = Vec::new();
    for (name, check) in checks {
        let store = make();
        if let Err(message) = check(&store) {
            failures.push(Failure {
                check: name,
                message,
            });
        }
    }
    if let Err(message) = racing_appends_one_winner(Arc::new(make())) {
        failures.push(Failure {
            check: "racing_appends_one_winner",
            message,
        });
    }
    failures
}

/// `n` sealed events continuing `case` from version `after` (whose last hash is `prev`).
pub fn sample_events(case: &CaseId, after: u64, prev: &str, n: usize) -> Vec<Event> {
    let mut out = Vec::with_capacity(n);
    let mut prev = prev.to_owned();
    for i in 0..n {
        let seq = after + u64::try_from(i).unwrap_or(0) + 1;
        let e = Event {
            case: case.clone(),
            seq,
            at: Timestamp::from_unix_seconds(1_780_000_000 + i64::try_from(seq).unwrap_or(0)),
            actor: Actor::new("conformance", "province_office"),
            transition: None,
            from: Some(StateId::new("monitoring")),
            to: StateId::new("monitoring"),
            body: EventBody::FactsRecorded {
                facts: BTreeMap::from([(format!("fact_{seq}"), seq.is_multiple_of(2))]),
            },
            prev_hash: prev.clone(),
            hash: String::new(),
        }
        .seal();
        prev.clone_from(&e.hash);
        out.push(e);
    }
    out
}

fn ensure(cond: bool, msg: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(msg()) }
}

fn s<T>(r: Result<T, StoreError>) -> Result<T, String> {
    r.map_err(|e| e.to_string())
}

fn empty_store<S: Store>(store: &S) -> Result<(), String> {
    let case = CaseId::new("c-1");
    ensure(s(store.version(&case))? == 0, || {
        "unknown case must be at version 0".into()
    })?;
    ensure(s(store.load(&case, 0))?.is_empty(), || {
        "unknown case has events".into()
    })?;
    ensure(s(store.cases())?.is_empty(), || {
        "empty store lists cases".into()
    })?;
    ensure(s(store.recorded(&case, "k"))?.is_none(), || {
        "unknown key found".into()
    })
}

fn append_and_load_round_trip<S: Store>(store: &S) -> Result<(), String> {
    let case = CaseId::new("c-1");
    let first = sample_events(&case, 0, GENESIS_HASH, 3);
    s(store.append(&case, 0, &first, None))?;
    let prev = first
        .last()
        .map_or(GENESIS_HASH.to_owned(), |e| e.hash.clone());
    let second = sample_events(&case, 3, &prev, 2);
    s(store.append(&case, 3, &second, None))?;
    ensure(s(store.version(&case))? == 5, || {
        "version after 5 events is not 5".into()
    })?;
    let all = s(store.load(&case, 0))?;
    let expected: Vec<Event> = first.into_iter().chain(second).collect();
    ensure(all == expected, || {
        "events read back differ from those appended".into()
    })?;
    crate::event::verify(&all).map_err(|e| format!("read-back history does not verify: {e}"))
}

fn load_after_a_version<S: Store>(store: &S) -> Result<(), String> {
    let case = CaseId::new("c-1");
    let events = sample_events(&case, 0, GENESIS_HASH, 4);
    s(store.append(&case, 0, &events, None))?;
    let tail = s(store.load(&case, 2))?;
    ensure(
        tail.iter().map(|e| e.seq).collect::<Vec<_>>() == vec![3, 4],
        || {
            format!(
                "load after 2 gave {:?}",
                tail.iter().map(|e| e.seq).collect::<Vec<_>>()
            )
        },
    )?;
    ensure(s(store.load(&case, 4))?.is_empty(), || {
        "load after the last event is not empty".into()
    })
}

fn conflict_on_wrong_version<S: Store>(store: &S) -> Result<(), String> {
    let case = CaseId::new("c-1");
    let events = sample_events(&case, 0, GENESIS_HASH, 2);
    s(store.append(&case, 0, &events, None))?;
    let again = sample_events(&case, 0, GENESIS_HASH, 1);
    match store.append(&case, 0, &again, None) {
        Err(StoreError::Conflict {
            expected: 0,
            actual: 2,
            ..
        }) => {}
        other => return Err(format!("append at a stale version gave {other:?}")),
    }
    let ahead = sample_events(&case, 5, GENESIS_HASH, 1);
    match store.append(&case, 5, &ahead, None) {
        Err(StoreError::Conflict { actual: 2, .. }) => Ok(()),
        other => Err(format!("append at a future version gave {other:?}")),
    }
}

fn invalid_appends_are_refused<S: Store>(store: &S) -> Result<(), String> {
    let case = CaseId::new("c-1");
    match store.append(&case, 0, &[], None) {
        Err(StoreError::InvalidAppend { .. }) => {}
        other => return Err(format!("empty append gave {other:?}")),
    }
    let misnumbered = sample_events(&case, 1, GENESIS_HASH, 1);
    match store.append(&case, 0, &misnumbered, None) {
        Err(StoreError::InvalidAppend { .. }) => {}
        other => return Err(format!("append of event 2 at version 0 gave {other:?}")),
    }
    let other_case = sample_events(&CaseId::new("c-2"), 0, GENESIS_HASH, 1);
    match store.append(&case, 0, &other_case, None) {
        Err(StoreError::InvalidAppend { .. }) => {}
        other => return Err(format!("append of another case's event gave {other:?}")),
    }
    ensure(s(store.version(&case))? == 0, || {
        "a refused append stored events".into()
    })
}

fn idempotency_keys<S: Store>(store: &S) -> Result<(), String> {
    let case = CaseId::new("c-1");
    let key = IdempotencyRecord {
        key: "k-1".into(),
        fingerprint: "f-1".into(),
    };
    let events = sample_events(&case, 0, GENESIS_HASH, 2);
    s(store.append(&case, 0, &events, Some(&key)))?;
    let prev = events
        .last()
        .map_or(GENESIS_HASH.to_owned(), |e| e.hash.clone());
    let more = sample_events(&case, 2, &prev, 1);
    s(store.append(&case, 2, &more, None))?;
    let rec = s(store.recorded(&case, "k-1"))?.ok_or("key `k-1` not found")?;
    ensure(rec.fingerprint == "f-1", || "fingerprint not kept".into())?;
    ensure(rec.events == events, || {
        "the key returns other events than it produced".into()
    })?;
    let dup = sample_events(
        &case,
        3,
        &more.last().map_or(String::new(), |e| e.hash.clone()),
        1,
    );
    match store.append(&case, 3, &dup, Some(&key)) {
        Err(StoreError::DuplicateKey { .. }) => {}
        other => return Err(format!("reusing a key gave {other:?}")),
    }
    ensure(s(store.version(&case))? == 3, || {
        "a duplicate-key append stored events".into()
    })?;
    let other = CaseId::new("c-2");
    let events = sample_events(&other, 0, GENESIS_HASH, 1);
    s(store.append(&other, 0, &events, Some(&key)))
        .map_err(|e| format!("keys must be scoped to their case: {e}"))
}

fn failed_append_stores_nothing<S: Store>(store: &S) -> Result<(), String> {
    let case = CaseId::new("c-1");
    let key = IdempotencyRecord {
        key: "k".into(),
        fingerprint: "f".into(),
    };
    let events = sample_events(&case, 0, GENESIS_HASH, 1);
    s(store.append(&case, 0, &events, None))?;
    let stale = sample_events(&case, 0, GENESIS_HASH, 2);
    let _refused = store.append(&case, 0, &stale, Some(&key));
    ensure(s(store.recorded(&case, "k"))?.is_none(), || {
        "a conflicting append recorded its idempotency key".into()
    })?;
    ensure(s(store.version(&case))? == 1, || {
        "a conflicting append changed the version".into()
    })
}

fn cases_are_listed_sorted<S: Store>(store: &S) -> Result<(), String> {
    for id in ["b", "a", "c"] {
        let case = CaseId::new(id);
        s(store.append(&case, 0, &sample_events(&case, 0, GENESIS_HASH, 1), None))?;
    }
    let cases = s(store.cases())?;
    ensure(
        cases == vec![CaseId::new("a"), CaseId::new("b"), CaseId::new("c")],
        || format!("cases listed as {cases:?}"),
    )
}

fn cases_are_independent<S: Store>(store: &S) -> Result<(), String> {
    let a = CaseId::new("a");
    let b = CaseId::new("b");
    s(store.append(&a, 0, &sample_events(&a, 0, GENESIS_HASH, 2), None))?;
    s(store.append(&b, 0, &sample_events(&b, 0, GENESIS_HASH, 1), None))?;
    ensure(
        s(store.version(&a))? == 2 && s(store.version(&b))? == 1,
        || "versions of two cases interfere".into(),
    )?;
    ensure(s(store.load(&b, 0))?.iter().all(|e| e.case == b), || {
        "loading one case returns another's events".into()
    })
}

/// Several threads append to one case at the same version, repeatedly: each round has
/// exactly one winner, and the others see a conflict.
fn racing_appends_one_winner<S: Store + 'static>(store: Arc<S>) -> Result<(), String> {
    let case = CaseId::new("race");
    let rounds = 20u64;
    let threads = 4;
    let mut prev = GENESIS_HASH.to_owned();
    for round in 0..rounds {
        let wins = Arc::new(AtomicUsize::new(0));
        let conflicts = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(std::sync::Barrier::new(threads));
        let mut handles = Vec::new();
        for _ in 0..threads {
            let store = Arc::clone(&store);
            let wins = Arc::clone(&wins);
            let conflicts = Arc::clone(&conflicts);
            let barrier = Arc::clone(&barrier);
            let case = case.clone();
            let events = sample_events(&case, round, &prev, 1);
            handles.push(std::thread::spawn(move || {
                barrier.wait();
                match store.append(&case, round, &events, None) {
                    Ok(()) => {
                        wins.fetch_add(1, Ordering::SeqCst);
                        Ok(())
                    }
                    Err(StoreError::Conflict { .. }) => {
                        conflicts.fetch_add(1, Ordering::SeqCst);
                        Ok(())
                    }
                    Err(e) => Err(e.to_string()),
                }
            }));
        }
        for h in handles {
            h.join()
                .map_err(|_| "a racing thread panicked".to_owned())??;
        }
        let w = wins.load(Ordering::SeqCst);
        ensure(w == 1, || {
            format!("round {round}: {w} appends won at one version")
        })?;
        ensure(conflicts.load(Ordering::SeqCst) == threads - 1, || {
            format!("round {round}: losers did not all see a conflict")
        })?;
        let stored = s(store.load(&case, round))?;
        prev = stored
            .first()
            .map(|e| e.hash.clone())
            .ok_or_else(|| format!("round {round}: the winner's event is missing"))?;
    }
    let all = s(store.load(&case, 0))?;
    crate::event::verify(&all).map_err(|e| format!("raced history does not verify: {e}"))
}
