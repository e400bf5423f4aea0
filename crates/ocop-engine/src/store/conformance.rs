//! The store-conformance suite: the checks every [`Store`] must pass, events and what the
//! store derives from them alike (projections, the due-date index, snapshots, definitions).
//! Another crate's store (e.g. PostgreSQL) reuses it:
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

use ocop_core::{
    Date, ProductSet, Stars,
    domain::{Certificate, CertificateStatus, Level, Producer, ProducerKind, RegistrationType},
    ids::{DefinitionId, StateId},
};

use super::{
    Append, DueEntry, IdempotencyRecord, Snapshot, Store, StoreError, StoredDefinition,
    SummaryQuery,
};
use crate::clock::Timestamp;
use crate::event::{Actor, CaseId, Event, EventBody, GENESIS_HASH, Product};
use crate::summary::CaseSummary;

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
        ("projection_follows_appends", projection_follows_appends),
        ("due_index_follows_appends", due_index_follows_appends),
        ("summary_must_fit_the_append", summary_must_fit_the_append),
        ("reproject_needs_the_version", reproject_needs_the_version),
        ("snapshots_are_kept", snapshots_are_kept),
        ("list_filters_and_pages", list_filters_and_pages),
        (
            "definitions_are_content_addressed",
            definitions_are_content_addressed,
        ),
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
///
/// # Panics
/// Never in practice: the sample events are facts keyed by strings, which always encode.
#[expect(
    clippy::panic,
    reason = "test data built here: an event that does not encode is a defect in this suite"
)]
pub fn sample_events(case: &CaseId, after: u64, prev: &str, n: usize) -> Vec<Event> {
    let mut out = Vec::with_capacity(n);
    let mut prev = prev.to_owned();
    for i in 0..n {
        let seq = after + u64::try_from(i).unwrap_or(0) + 1;
        let e = Event {
            format: crate::event::EVENT_FORMAT,
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
        .seal()
        .unwrap_or_else(|e| panic!("a conformance event must encode: {e}"));
        prev.clone_from(&e.hash);
        out.push(e);
    }
    out
}

/// The summary a conformance append carries: the case at `version`, in `state`, under
/// `definition`, due on `next_due`.
pub fn sample_summary(
    case: &CaseId,
    version: u64,
    definition: &str,
    next_due: Option<Date>,
) -> CaseSummary {
    let day = Date::new(2026, 6, 1).unwrap_or(Date::MIN);
    CaseSummary {
        case: case.clone(),
        definition: DefinitionId::new(definition),
        definition_version: "1".into(),
        definition_sha256: None,
        state: StateId::new(format!("state_{version}")),
        state_label: None,
        state_kind: None,
        entered_on: day,
        opened_on: Some(day),
        version,
        product: Product {
            name: format!("product of {case}"),
            product_set: ProductSet::FIRST,
            producer: Producer {
                name: "conformance".into(),
                kind: ProducerKind::Cooperative,
                province: "92".into(),
                commune: "Thới Lai".into(),
                district: None,
            },
        },
        registration: RegistrationType::First,
        certificate: None,
        earlier_certificates: Vec::new(),
        round: None,
        latest_result: None,
        scored_with: None,
        deadline: None,
        deadline_error: None,
        next_due,
        finish_by: None,
        inspections: Vec::new(),
    }
}

/// Appends `events` to `case` at `expected` with `key` and the summary
/// [`sample_summary`] makes (nothing due): for a store's own tests and benches.
///
/// # Errors
/// As [`Store::append`].
pub fn append_sample(
    store: &dyn Store,
    case: &CaseId,
    expected: u64,
    events: &[Event],
    key: Option<&IdempotencyRecord>,
) -> Result<(), StoreError> {
    put(store, case, expected, events, key, None, None)
}

/// Appends `events` to `case` at `expected` with `key`, a summary due on `next_due` (under
/// definition `def`) and `snapshot`.
fn put(
    store: &dyn Store,
    case: &CaseId,
    expected: u64,
    events: &[Event],
    key: Option<&IdempotencyRecord>,
    next_due: Option<(&str, Date)>,
    snapshot: Option<&Snapshot>,
) -> Result<(), StoreError> {
    let version = expected + u64::try_from(events.len()).unwrap_or(0);
    let (def, due) = next_due.map_or(("conformance", None), |(d, due)| (d, Some(due)));
    let summary = sample_summary(case, version, def, due);
    store.append(&Append {
        case,
        expected,
        events,
        key,
        summary: &summary,
        snapshot,
    })
}

fn plain<S: Store>(
    store: &S,
    case: &CaseId,
    expected: u64,
    events: &[Event],
) -> Result<(), StoreError> {
    put(store, case, expected, events, None, None, None)
}

/// Opens `case` with `events` and `summary` as it is (no key, no snapshot).
fn open_with(
    store: &dyn Store,
    case: &CaseId,
    events: &[Event],
    summary: &CaseSummary,
) -> Result<(), StoreError> {
    store.append(&Append {
        case,
        expected: 0,
        events,
        key: None,
        summary,
        snapshot: None,
    })
}

/// Opens `case` with `n` sample events, due on `next_due` if given; returns the events.
fn opened<S: Store>(
    store: &S,
    case: &CaseId,
    n: usize,
    next_due: Option<(&str, Date)>,
) -> Result<Vec<Event>, String> {
    grown(store, case, &[], n, next_due)
}

/// Appends `n` sample events to `case` after `before` (its events so far), due on
/// `next_due` if given; returns the new events.
fn grown<S: Store>(
    store: &S,
    case: &CaseId,
    before: &[Event],
    n: usize,
    next_due: Option<(&str, Date)>,
) -> Result<Vec<Event>, String> {
    let at = before.last().map_or(0, |e| e.seq);
    let events = sample_events(case, at, &last_hash(before), n);
    s(put(store, case, at, &events, None, next_due, None))?;
    Ok(events)
}

fn day(s: &str) -> Result<Date, String> {
    s.parse().map_err(|e| format!("{e}"))
}

fn record(key: &str, fingerprint: &str) -> IdempotencyRecord {
    IdempotencyRecord {
        key: key.into(),
        fingerprint: fingerprint.into(),
    }
}

fn last_hash(events: &[Event]) -> String {
    events
        .last()
        .map_or(GENESIS_HASH.to_owned(), |e| e.hash.clone())
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
    let first = opened(store, &case, 3, None)?;
    let second = grown(store, &case, &first, 2, None)?;
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
    opened(store, &case, 4, None)?;
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
    opened(store, &case, 2, None)?;
    let again = sample_events(&case, 0, GENESIS_HASH, 1);
    match plain(store, &case, 0, &again) {
        Err(StoreError::Conflict {
            expected: 0,
            actual: 2,
            ..
        }) => {}
        other => return Err(format!("append at a stale version gave {other:?}")),
    }
    let ahead = sample_events(&case, 5, GENESIS_HASH, 1);
    match plain(store, &case, 5, &ahead) {
        Err(StoreError::Conflict { actual: 2, .. }) => Ok(()),
        other => Err(format!("append at a future version gave {other:?}")),
    }
}

fn invalid_appends_are_refused<S: Store>(store: &S) -> Result<(), String> {
    let case = CaseId::new("c-1");
    match plain(store, &case, 0, &[]) {
        Err(StoreError::InvalidAppend { .. }) => {}
        other => return Err(format!("empty append gave {other:?}")),
    }
    let misnumbered = sample_events(&case, 1, GENESIS_HASH, 1);
    match plain(store, &case, 0, &misnumbered) {
        Err(StoreError::InvalidAppend { .. }) => {}
        other => return Err(format!("append of event 2 at version 0 gave {other:?}")),
    }
    let other_case = sample_events(&CaseId::new("c-2"), 0, GENESIS_HASH, 1);
    match plain(store, &case, 0, &other_case) {
        Err(StoreError::InvalidAppend { .. }) => {}
        other => return Err(format!("append of another case's event gave {other:?}")),
    }
    ensure(s(store.version(&case))? == 0, || {
        "a refused append stored events".into()
    })
}

fn idempotency_keys<S: Store>(store: &S) -> Result<(), String> {
    let case = CaseId::new("c-1");
    let key = record("k-1", "f-1");
    let events = sample_events(&case, 0, GENESIS_HASH, 2);
    s(put(store, &case, 0, &events, Some(&key), None, None))?;
    let more = grown(store, &case, &events, 1, None)?;
    let rec = s(store.recorded(&case, "k-1"))?.ok_or("key `k-1` not found")?;
    ensure(rec.fingerprint == "f-1", || "fingerprint not kept".into())?;
    ensure(rec.events == events, || {
        "the key returns other events than it produced".into()
    })?;
    let dup = sample_events(&case, 3, &last_hash(&more), 1);
    match put(store, &case, 3, &dup, Some(&key), None, None) {
        Err(StoreError::DuplicateKey { .. }) => {}
        other => return Err(format!("reusing a key gave {other:?}")),
    }
    ensure(s(store.version(&case))? == 3, || {
        "a duplicate-key append stored events".into()
    })?;
    let other = CaseId::new("c-2");
    let events = sample_events(&other, 0, GENESIS_HASH, 1);
    s(put(store, &other, 0, &events, Some(&key), None, None))
        .map_err(|e| format!("keys must be scoped to their case: {e}"))
}

fn failed_append_stores_nothing<S: Store>(store: &S) -> Result<(), String> {
    let case = CaseId::new("c-1");
    let key = record("k", "f");
    let events = sample_events(&case, 0, GENESIS_HASH, 1);
    let due = day("2026-06-10")?;
    s(put(store, &case, 0, &events, None, Some(("d", due)), None))?;
    let stale = sample_events(&case, 0, GENESIS_HASH, 2);
    let snapshot = Snapshot {
        version: 2,
        body: "{}".into(),
    };
    let _refused = put(
        store,
        &case,
        0,
        &stale,
        Some(&key),
        Some(("d", day("2026-06-02")?)),
        Some(&snapshot),
    );
    ensure(s(store.recorded(&case, "k"))?.is_none(), || {
        "a conflicting append recorded its idempotency key".into()
    })?;
    ensure(s(store.version(&case))? == 1, || {
        "a conflicting append changed the version".into()
    })?;
    ensure(s(store.snapshot(&case))?.is_none(), || {
        "a conflicting append stored its snapshot".into()
    })?;
    let summary = s(store.summary(&case))?.ok_or("the projection is missing")?;
    ensure(
        summary.version == 1 && summary.next_due == Some(due),
        || {
            format!(
                "a conflicting append changed the projection (version {}, due {:?})",
                summary.version, summary.next_due
            )
        },
    )?;
    let listed = s(store.due(&DefinitionId::new("d"), day("2026-06-11")?))?;
    ensure(
        listed
            == vec![DueEntry {
                due,
                case: case.clone(),
                version: 1,
            }],
        || format!("a conflicting append changed the due-date index: {listed:?}"),
    )
}

fn projection_follows_appends<S: Store>(store: &S) -> Result<(), String> {
    let case = CaseId::new("c-1");
    ensure(s(store.summary(&case))?.is_none(), || {
        "an unknown case has a projection".into()
    })?;
    let first = opened(store, &case, 2, Some(("d", day("2026-06-10")?)))?;
    let expected = sample_summary(&case, 2, "d", Some(day("2026-06-10")?));
    ensure(s(store.summary(&case))? == Some(expected.clone()), || {
        "the projection read back is not the summary appended".into()
    })?;
    grown(store, &case, &first, 1, None)?;
    let now = sample_summary(&case, 3, "conformance", None);
    ensure(s(store.summary(&case))? == Some(now.clone()), || {
        "the projection does not follow the last append".into()
    })?;
    let other = CaseId::new("a-0");
    opened(store, &other, 1, None)?;
    let all = s(store.summaries())?;
    ensure(
        all == vec![sample_summary(&other, 1, "conformance", None), now],
        || "summaries are not every case's last projection, by case id".into(),
    )?;
    ensure(s(store.unprojected())?.is_empty(), || {
        "cases written through append are listed as unprojected".into()
    })
}

/// A case of [`list_filters_and_pages`]: id, events, definition, product set, commune,
/// stars, next due date.
type ListRow = (
    &'static str,
    usize,
    &'static str,
    u8,
    &'static str,
    Option<u8>,
    Option<&'static str>,
);

/// Cases that differ in every listed column: each filter, alone and combined, returns what
/// [`SummaryQuery::matches`] accepts, by case id, and pages of two rebuild the whole list.
fn list_filters_and_pages<S: Store>(store: &S) -> Result<(), String> {
    // Case id, events, definition, product set, commune, stars, next due date.
    let rows: [ListRow; 7] = [
        ("a", 1, "x", 1, "Thới Lai", Some(4), Some("2026-06-10")),
        ("b", 2, "y", 2, "thới lai", None, None),
        ("c", 2, "x", 2, "THỚI LAI", Some(3), Some("2026-07-01")),
        ("d", 1, "x", 1, "Ô Môn", Some(4), Some("2026-05-01")),
        ("e", 1, "y", 1, "ô môn", None, Some("2026-06-09")),
        ("f", 2, "x", 3, "thới Lai", Some(5), None),
        ("g'; --", 1, "x", 1, "Thới Lai", Some(4), Some("2026-06-10")),
    ];
    let mut all = Vec::new();
    for (id, n, def, set, commune, stars, due) in rows {
        let case = CaseId::new(id);
        let events = sample_events(&case, 0, GENESIS_HASH, n);
        let due = due.map(day).transpose()?;
        let mut summary = sample_summary(&case, u64::try_from(n).unwrap_or(0), def, due);
        summary.product.product_set = ProductSet::new(set).ok_or("bad product set")?;
        summary.product.producer.commune = commune.to_owned();
        let (issued_on, expires_on) = (day("2025-03-01")?, day("2028-02-29")?);
        summary.certificate = stars.and_then(Stars::new).map(|stars| Certificate {
            number: format!("{id}/QĐ"),
            product_code: format!("92-{id}"),
            stars,
            issued_by: Level::Province,
            issued_on,
            expires_on,
            status: CertificateStatus::Active,
        });
        s(open_with(store, &case, &events, &summary))?;
        all.push(summary);
    }
    all.sort_by(|a, b| a.case.cmp(&b.case));
    let base = SummaryQuery::default();
    let queries = [
        base.clone(),
        SummaryQuery {
            state: Some(StateId::new("state_2")),
            ..base.clone()
        },
        SummaryQuery {
            definition: Some(DefinitionId::new("y")),
            ..base.clone()
        },
        SummaryQuery {
            product_set: Some(1),
            ..base.clone()
        },
        SummaryQuery {
            commune: Some("thới lai".into()),
            ..base.clone()
        },
        SummaryQuery {
            commune: Some("Ô MÔN".into()),
            ..base.clone()
        },
        SummaryQuery {
            stars: Some(4),
            ..base.clone()
        },
        SummaryQuery {
            due_before: Some(day("2026-06-10")?),
            ..base.clone()
        },
        SummaryQuery {
            definition: Some(DefinitionId::new("x")),
            product_set: Some(1),
            stars: Some(4),
            due_before: Some(day("2026-06-11")?),
            commune: Some("THới LAI".into()),
            ..base.clone()
        },
        SummaryQuery {
            after: Some(CaseId::new("c")),
            limit: 2,
            ..base.clone()
        },
    ];
    for q in &queries {
        let want: Vec<CaseSummary> = all
            .iter()
            .filter(|s| q.after.as_ref().is_none_or(|a| s.case > *a) && q.matches(s))
            .take(if q.limit == 0 { usize::MAX } else { q.limit })
            .cloned()
            .collect();
        let got = s(store.list(q))?;
        ensure(got == want, || {
            format!(
                "list({q:?}) returned {:?}, expected {:?}",
                got.iter().map(|s| s.case.as_str()).collect::<Vec<_>>(),
                want.iter().map(|s| s.case.as_str()).collect::<Vec<_>>()
            )
        })?;
        let mut paged = Vec::new();
        let mut page = SummaryQuery {
            limit: 2,
            ..q.clone()
        };
        loop {
            let rows = s(store.list(&page))?;
            ensure(rows.len() <= 2, || {
                "a page holds more than its limit".into()
            })?;
            let Some(last) = rows.last() else { break };
            page.after = Some(last.case.clone());
            paged.extend(rows);
        }
        let whole: Vec<CaseSummary> = all
            .iter()
            .filter(|s| q.after.as_ref().is_none_or(|a| s.case > *a) && q.matches(s))
            .cloned()
            .collect();
        ensure(paged == whole, || {
            format!("pages of two of {q:?} do not rebuild the list")
        })?;
    }
    Ok(())
}

/// Cases of two definitions with due dates, moved on and re-dated: the index follows.
fn due_index_follows_appends<S: Store>(store: &S) -> Result<(), String> {
    let x = DefinitionId::new("x");
    let y = DefinitionId::new("y");
    let (a, b, c, d) = (
        CaseId::new("a"),
        CaseId::new("b"),
        CaseId::new("c"),
        CaseId::new("d"),
    );
    let ea = opened(store, &a, 2, Some(("x", day("2026-06-10")?)))?;
    let eb = opened(store, &b, 1, Some(("x", day("2026-06-05")?)))?;
    let ec = opened(store, &c, 1, Some(("y", day("2026-06-01")?)))?;
    opened(store, &d, 1, None)?;
    let entry = |due: &str, case: &CaseId, version: u64| -> Result<DueEntry, String> {
        Ok(DueEntry {
            due: day(due)?,
            case: case.clone(),
            version,
        })
    };
    // The due index of `def` before `before` is `want`, or the check fails saying `what`.
    let due = |def: &DefinitionId, before: &str, want: Vec<DueEntry>, what: &str| {
        let got = s(store.due(def, day(before)?))?;
        ensure(got == want, || format!("{what}: {got:?}"))
    };
    let (in_b, in_a) = (entry("2026-06-05", &b, 1)?, entry("2026-06-10", &a, 2)?);
    let excluded = "due before 10 June (the 10th excluded)";
    due(&x, "2026-06-10", vec![in_b.clone()], excluded)?;
    let by_date = "due before 11 June, by date";
    due(&x, "2026-06-11", vec![in_b, in_a], by_date)?;
    let only_c = vec![entry("2026-06-01", &c, 1)?];
    due(&y, "2026-12-31", only_c, "the index mixes definitions")?;
    // `b` moves on to a later deadline, `a` to none: the index forgets their old dates.
    grown(store, &b, &eb, 1, Some(("x", day("2026-07-01")?)))?;
    grown(store, &a, &ea, 1, None)?;
    let moved = "the index keeps the dates of cases that moved on";
    due(&x, "2026-06-30", vec![], moved)?;
    let b_later = entry("2026-07-01", &b, 2)?;
    let last = "the index does not follow the last append";
    due(&x, "2027-01-01", vec![b_later.clone()], last)?;
    // A case may move to another definition (a migration): it leaves the old one's index.
    grown(store, &c, &ec, 1, Some(("x", day("2026-06-20")?)))?;
    let old = "a case that changed definition stays in the old index";
    due(&y, "2027-01-01", vec![], old)?;
    let both = vec![entry("2026-06-20", &c, 2)?, b_later];
    let new = "a case that changed definition is not in the new index";
    due(&x, "2027-01-01", both, new)
}

fn summary_must_fit_the_append<S: Store>(store: &S) -> Result<(), String> {
    let case = CaseId::new("c-1");
    let events = sample_events(&case, 0, GENESIS_HASH, 2);
    for (what, summary) in [
        ("an earlier version", sample_summary(&case, 1, "d", None)),
        (
            "another case",
            sample_summary(&CaseId::new("c-2"), 2, "d", None),
        ),
    ] {
        let refused = open_with(store, &case, &events, &summary);
        ensure(
            matches!(refused, Err(StoreError::InvalidAppend { .. })),
            || format!("an append whose summary is of {what} gave {refused:?}"),
        )?;
    }
    ensure(s(store.version(&case))? == 0, || {
        "an append with a wrong summary stored events".into()
    })
}

fn reproject_needs_the_version<S: Store>(store: &S) -> Result<(), String> {
    let case = CaseId::new("c-1");
    opened(store, &case, 2, None)?;
    let stale = sample_summary(&case, 1, "d", Some(day("2026-06-01")?));
    ensure(
        matches!(
            store.reproject(&stale),
            Err(StoreError::Conflict { actual: 2, .. })
        ),
        || "reprojecting at another version is not a conflict".into(),
    )?;
    let unknown = sample_summary(&CaseId::new("nobody"), 0, "d", None);
    ensure(store.reproject(&unknown).is_err(), || {
        "an unknown case was reprojected".into()
    })?;
    let fresh = sample_summary(&case, 2, "d", Some(day("2026-06-01")?));
    s(store.reproject(&fresh))?;
    ensure(s(store.summary(&case))? == Some(fresh), || {
        "the new projection is not kept".into()
    })?;
    let got = s(store.due(&DefinitionId::new("d"), day("2026-06-02")?))?;
    ensure(got.len() == 1, || {
        format!("a reprojected due date is not indexed: {got:?}")
    })
}

fn snapshots_are_kept<S: Store>(store: &S) -> Result<(), String> {
    let case = CaseId::new("c-1");
    ensure(s(store.snapshot(&case))?.is_none(), || {
        "an unknown case has a snapshot".into()
    })?;
    let first = sample_events(&case, 0, GENESIS_HASH, 2);
    let at2 = Snapshot {
        version: 2,
        body: r#"{"at":2}"#.into(),
    };
    s(put(store, &case, 0, &first, None, None, Some(&at2)))?;
    let more = grown(store, &case, &first, 1, None)?;
    ensure(s(store.snapshot(&case))? == Some(at2), || {
        "the last snapshot is not kept across an append without one".into()
    })?;
    let at4 = Snapshot {
        version: 4,
        body: r#"{"at":4}"#.into(),
    };
    let last = sample_events(&case, 3, &last_hash(&more), 1);
    s(put(store, &case, 3, &last, None, None, Some(&at4)))?;
    ensure(s(store.snapshot(&case))? == Some(at4), || {
        "a newer snapshot does not replace the old one".into()
    })?;
    let ahead = Snapshot {
        version: 9,
        body: "{}".into(),
    };
    let next = sample_events(&case, 4, &last_hash(&last), 1);
    let refused = put(store, &case, 4, &next, None, None, Some(&ahead));
    ensure(
        matches!(refused, Err(StoreError::InvalidAppend { .. })),
        || format!("a snapshot ahead of the events gave {refused:?}"),
    )
}

fn definitions_are_content_addressed<S: Store>(store: &S) -> Result<(), String> {
    let text = "format = 1\nid = \"d\"\n";
    let d = StoredDefinition {
        sha256: crate::event::sha256_hex(text.as_bytes()),
        id: DefinitionId::new("d"),
        version: "1".into(),
        file_name: "d.toml".into(),
        text: text.into(),
    };
    ensure(s(store.definitions())?.is_empty(), || {
        "an empty store lists definitions".into()
    })?;
    ensure(!s(store.has_definition(&d.sha256))?, || {
        "an empty store has a definition".into()
    })?;
    s(store.put_definition(&d))?;
    s(store.put_definition(&d))?;
    ensure(s(store.has_definition(&d.sha256))?, || {
        "a definition kept is not found by its sha256".into()
    })?;
    ensure(s(store.definition(&d.sha256))? == Some(d.clone()), || {
        "the definition read back differs".into()
    })?;
    let text2 = format!("{text}# a comment changes the text\n");
    let d2 = StoredDefinition {
        sha256: crate::event::sha256_hex(text2.as_bytes()),
        text: text2,
        ..d.clone()
    };
    s(store.put_definition(&d2))?;
    let all = s(store.definitions())?;
    let mut expected = vec![d.clone(), d2];
    expected.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    ensure(all == expected, || {
        format!(
            "definitions listed as {:?}",
            all.iter().map(|d| &d.sha256).collect::<Vec<_>>()
        )
    })?;
    let forged = StoredDefinition {
        text: "something else".into(),
        ..d
    };
    ensure(
        matches!(
            store.put_definition(&forged),
            Err(StoreError::DefinitionHash { .. })
        ),
        || "a definition whose text does not match its sha256 was kept".into(),
    )?;
    ensure(s(store.definition("0000"))?.is_none(), || {
        "an unknown sha256 found a definition".into()
    })
}

fn cases_are_listed_sorted<S: Store>(store: &S) -> Result<(), String> {
    for id in ["b", "a", "c"] {
        let case = CaseId::new(id);
        opened(store, &case, 1, None)?;
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
    opened(store, &a, 2, None)?;
    opened(store, &b, 1, None)?;
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
                match plain(&*store, &case, round, &events) {
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
