//! Where events are kept: the [`Store`] trait, an in-memory store, the SQLite store, and
//! the conformance suite every store must pass.

pub mod conformance;
mod memory;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use memory::MemoryStore;
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteStore, SqliteStoreBuilder, Synchronous};

use ocop_core::{
    Date,
    ids::{DefinitionId, StateId},
};

use crate::event::{CaseId, Event};
use crate::summary::CaseSummary;

/// A command's idempotency key, stored with the events the command produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// The key the caller chose (scoped to the case).
    pub key: String,
    /// SHA-256 of the command, so a key reused for another command is refused.
    pub fingerprint: String,
}

/// What a stored idempotency key produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    /// The fingerprint of the command that used the key.
    pub fingerprint: String,
    /// The events that command appended.
    pub events: Vec<Event>,
}

/// A store operation that failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The case's stored version is not the one the append expected: another command got
    /// there first. Reload the case and try again.
    #[error(
        "case `{case}` is at version {actual}, not {expected}: someone else changed it; reload and try again"
    )]
    Conflict {
        /// The case.
        case: CaseId,
        /// The version the append expected.
        expected: u64,
        /// The version stored.
        actual: u64,
    },
    /// The idempotency key was already used on this case.
    #[error("idempotency key `{key}` was already used on case `{case}`")]
    DuplicateKey {
        /// The case.
        case: CaseId,
        /// The key.
        key: String,
    },
    /// The events handed to `append` do not continue the case at the expected version.
    #[error("cannot append to case `{case}`: {reason}")]
    InvalidAppend {
        /// The case.
        case: CaseId,
        /// What is wrong.
        reason: String,
    },
    /// A stored event could not be read back.
    #[error("event {seq} of case `{case}` is unreadable in the store: {reason}")]
    Corrupt {
        /// The case.
        case: CaseId,
        /// The event.
        seq: u64,
        /// What is wrong.
        reason: String,
    },
    /// A definition handed to the store whose SHA-256 is not its text's.
    #[error("definition `{id}` is given as sha256 {given}, but its text hashes to {computed}")]
    DefinitionHash {
        /// The definition's id.
        id: String,
        /// The SHA-256 given.
        given: String,
        /// The SHA-256 of the text.
        computed: String,
    },
    /// The backend failed (I/O, locking, SQL).
    #[error("the store failed: {0}")]
    Backend(String),
    /// The backend could not serve the request in time: no connection within the checkout
    /// timeout, the connection was lost, or a statement ran past its timeout. Nothing is known
    /// to be stored; retry later, with the same idempotency key.
    #[error("the store is unavailable: {0}; try again later (with the same idempotency key)")]
    Unavailable(String),
}

/// One command's worth of writes: the events, the command's idempotency key, the case's
/// projection after them and, now and then, a snapshot of the case. A store writes all of
/// it in one transaction, or nothing.
#[derive(Clone, Copy, Debug)]
pub struct Append<'a> {
    /// The case.
    pub case: &'a CaseId,
    /// The version the events continue (the case's version when the command was decided).
    pub expected: u64,
    /// The events, numbered `expected + 1, expected + 2, ...`.
    pub events: &'a [Event],
    /// The command's idempotency key, if it has one.
    pub key: Option<&'a IdempotencyRecord>,
    /// The case after the events, as its summary: the projection row, with the due date the
    /// store's due-date index keeps.
    pub summary: &'a CaseSummary,
    /// A snapshot of the case after the events, replacing the case's previous one.
    pub snapshot: Option<&'a Snapshot>,
}

/// A case in the due-date index: a tick must look at it on any day after `due`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DueEntry {
    /// The last day before the tick that may find something due.
    pub due: Date,
    /// The case.
    pub case: CaseId,
    /// The case's version when the date was computed.
    pub version: u64,
}

/// Which projections [`Store::list`] returns: every filter given must hold. The rows come
/// in case-id order, after `after`, at most `limit` of them, so a caller pages through a
/// province by passing the last case id it got.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SummaryQuery {
    /// Cases in this state.
    pub state: Option<StateId>,
    /// Cases running under this definition.
    pub definition: Option<DefinitionId>,
    /// Products of this product set (its number, 1-26).
    pub product_set: Option<u8>,
    /// Producers of this commune: the same name, ignoring ASCII case.
    pub commune: Option<String>,
    /// Cases whose current certificate has this many stars.
    pub stars: Option<u8>,
    /// Cases whose next due date (the due-date index's: a deadline not yet fired, or a
    /// transitional limit) falls before this day.
    pub due_before: Option<Date>,
    /// Cases whose id sorts after this one (the previous page's last).
    pub after: Option<CaseId>,
    /// The most rows returned; 0 for no limit.
    pub limit: usize,
}

impl SummaryQuery {
    /// Whether `summary` passes the filters (not `after` or `limit`): what every store's
    /// [`Store::list`] must agree with.
    pub fn matches(&self, summary: &CaseSummary) -> bool {
        self.state.as_ref().is_none_or(|v| summary.state == *v)
            && self
                .definition
                .as_ref()
                .is_none_or(|v| summary.definition == *v)
            && self
                .product_set
                .is_none_or(|v| summary.product.product_set.number() == v)
            && self
                .commune
                .as_ref()
                .is_none_or(|v| summary.product.producer.commune.eq_ignore_ascii_case(v))
            && self.stars.is_none_or(|v| {
                summary
                    .certificate
                    .as_ref()
                    .is_some_and(|c| c.stars.get() == v)
            })
            && self
                .due_before
                .is_none_or(|v| summary.next_due.is_some_and(|d| d < v))
    }

    /// The limit as a row count for SQL (`-1`, no limit, when 0).
    #[cfg(feature = "sqlite")]
    pub(crate) fn sql_limit(&self) -> i64 {
        if self.limit == 0 {
            -1
        } else {
            i64::try_from(self.limit).unwrap_or(i64::MAX)
        }
    }
}

/// A case's state at a version, so that it can be rebuilt from there and the events after
/// it. The body is the engine's own encoding; stores keep it as they get it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The version the snapshot was taken at.
    pub version: u64,
    /// The encoded case (JSON).
    pub body: String,
}

/// A definition's exact text, kept by the store under its SHA-256 so that a case's history
/// can be read, reported and verified without the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDefinition {
    /// SHA-256 of `text`, lowercase hex.
    pub sha256: String,
    /// The definition's id, e.g. `national-2026`.
    pub id: DefinitionId,
    /// Its version, e.g. `2026.1`.
    pub version: String,
    /// The file name it was read from (its extension says TOML or JSON).
    pub file_name: String,
    /// The text.
    pub text: String,
}

/// Where a case's events are kept, with what is derived from them in the same transaction.
///
/// # Contract
/// Checked by [`conformance::run_all`]:
/// - A case's version is the number of its events; an unknown case has version 0.
/// - [`append`](Store::append) is atomic: all the events, the idempotency key, the case's
///   summary (its projection row and due-date index entry) and the snapshot are stored, or
///   none. It fails with [`StoreError::Conflict`] unless the stored version equals
///   `expected`, with [`StoreError::InvalidAppend`] unless the events are non-empty, belong
///   to the case and are numbered `expected + 1, expected + 2, ...`, and the summary is of
///   the case at the last event's version, and with [`StoreError::DuplicateKey`] when the
///   key was already used on the case.
/// - Of several appends racing at the same expected version, exactly one succeeds.
/// - Stored events read back equal to what was appended, in sequence order.
/// - The projection read back is the last summary appended; the due-date index holds a case
///   exactly while its last summary has a `next_due`, with that date and version, and
///   [`due`](Store::due) finds it by definition and date.
/// - [`list`](Store::list) returns exactly the projections [`SummaryQuery::matches`] accepts,
///   by case id, after the cursor, at most the limit.
/// - The snapshot read back is the last one appended for the case.
/// - Definitions are kept by SHA-256; putting the same one twice keeps one.
pub trait Store: Send + Sync {
    /// The case's version (its number of events); 0 for an unknown case.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the store cannot be read.
    fn version(&self, case: &CaseId) -> Result<u64, StoreError>;

    /// The case's events numbered after `after`, in order (`after = 0` for all of them).
    ///
    /// # Errors
    /// [`StoreError::Backend`], or [`StoreError::Corrupt`] for an unreadable event.
    fn load(&self, case: &CaseId, after: u64) -> Result<Vec<Event>, StoreError>;

    /// Appends the events, key, projection and snapshot of `append` if the case's stored
    /// version is `append.expected`.
    ///
    /// # Errors
    /// [`StoreError::Conflict`], [`StoreError::InvalidAppend`], [`StoreError::DuplicateKey`]
    /// as the contract says; [`StoreError::Backend`] when the store fails (nothing is stored).
    fn append(&self, append: &Append<'_>) -> Result<(), StoreError>;

    /// What the idempotency key `key` produced on the case, if it was used.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`].
    fn recorded(&self, case: &CaseId, key: &str) -> Result<Option<Recorded>, StoreError>;

    /// Every case in the store, sorted by id.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn cases(&self) -> Result<Vec<CaseId>, StoreError>;

    /// The cases of `definition` whose due date is before `before`, by due date then case
    /// id: what a tick on `before` must look at. One indexed read.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn due(&self, definition: &DefinitionId, before: Date) -> Result<Vec<DueEntry>, StoreError>;

    /// The projection of the case: its summary as last appended.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`] for an unreadable row.
    fn summary(&self, case: &CaseId) -> Result<Option<CaseSummary>, StoreError>;

    /// Every case's projection, sorted by case id.
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`] for an unreadable row.
    fn summaries(&self) -> Result<Vec<CaseSummary>, StoreError>;

    /// The projections that pass `query`'s filters, by case id, after `query.after`, at most
    /// `query.limit`: a page of a case list, read from the projection rows alone (no event
    /// is read).
    ///
    /// # Errors
    /// [`StoreError::Backend`], [`StoreError::Corrupt`] for an unreadable row.
    fn list(&self, query: &SummaryQuery) -> Result<Vec<CaseSummary>, StoreError>;

    /// Replaces the projection of a case whose version is `summary.version` (an upgraded
    /// database, a changed calendar), outside any append.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the case is at another version; [`StoreError::Backend`].
    fn reproject(&self, summary: &CaseSummary) -> Result<(), StoreError>;

    /// The cases whose projection is missing or behind their events (a database written
    /// before projections existed), sorted by id.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn unprojected(&self) -> Result<Vec<CaseId>, StoreError>;

    /// The case's latest snapshot, if any.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn snapshot(&self, case: &CaseId) -> Result<Option<Snapshot>, StoreError>;

    /// Keeps a definition's text under its SHA-256 (nothing happens if it is kept already).
    ///
    /// # Errors
    /// [`StoreError::DefinitionHash`] when `sha256` is not the text's; [`StoreError::Backend`].
    fn put_definition(&self, definition: &StoredDefinition) -> Result<(), StoreError>;

    /// Whether a definition is kept under `sha256` (without reading its text).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn has_definition(&self, sha256: &str) -> Result<bool, StoreError>;

    /// The definition kept under `sha256`.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn definition(&self, sha256: &str) -> Result<Option<StoredDefinition>, StoreError>;

    /// Every definition kept, sorted by id, version and SHA-256.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn definitions(&self) -> Result<Vec<StoredDefinition>, StoreError>;
}

/// Checks that an append's events continue its case at the expected version and that its
/// summary is of the case after them.
pub fn check_append(append: &Append<'_>) -> Result<(), StoreError> {
    let (case, expected, events) = (append.case, append.expected, append.events);
    let last = expected.saturating_add(u64::try_from(events.len()).unwrap_or(u64::MAX));
    if append.summary.case != *case || append.summary.version != last {
        return Err(StoreError::InvalidAppend {
            case: case.clone(),
            reason: format!(
                "the summary is of case `{}` at version {}, not of this case at version {last}",
                append.summary.case, append.summary.version
            ),
        });
    }
    if let Some(s) = append.snapshot
        && (s.version == 0 || s.version > last)
    {
        return Err(StoreError::InvalidAppend {
            case: case.clone(),
            reason: format!("a snapshot at version {} after version {last}", s.version),
        });
    }
    check_events(case, expected, events)
}

/// Keeps `cycle`'s definition text in `store` under its SHA-256, unless it is kept already,
/// so that the cases pinning it can be read, reported and verified without the file.
pub(crate) fn keep_definition(
    store: &dyn Store,
    cycle: &ocop_core::Cycle,
) -> Result<(), StoreError> {
    let source = cycle.source();
    if store.has_definition(&source.sha256)? {
        return Ok(());
    }
    let def = cycle.definition();
    store.put_definition(&StoredDefinition {
        sha256: source.sha256.clone(),
        id: def.id.clone(),
        version: def.version.clone(),
        file_name: source.file_name.clone(),
        text: source.text.clone(),
    })
}

/// Reads a case's summary that a store kept as JSON (the serialised
/// [`Append::summary`]); an unreadable one is [`StoreError::Corrupt`] naming the case.
pub fn decode_summary(case: &str, body: &str) -> Result<CaseSummary, StoreError> {
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt {
        case: CaseId::new(case),
        seq: 0,
        reason: format!("the case's projection is unreadable: {e}"),
    })
}

/// Checks that a definition's SHA-256 is its text's.
pub fn check_definition(definition: &StoredDefinition) -> Result<(), StoreError> {
    let computed = crate::event::sha256_hex(definition.text.as_bytes());
    if computed != definition.sha256 {
        return Err(StoreError::DefinitionHash {
            id: definition.id.to_string(),
            given: definition.sha256.clone(),
            computed,
        });
    }
    Ok(())
}

fn check_events(case: &CaseId, expected: u64, events: &[Event]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Err(StoreError::InvalidAppend {
            case: case.clone(),
            reason: "no events to append".into(),
        });
    }
    let mut seq = expected;
    for e in events {
        seq = seq.saturating_add(1);
        if e.case != *case {
            return Err(StoreError::InvalidAppend {
                case: case.clone(),
                reason: format!("event {} belongs to case `{}`", e.seq, e.case),
            });
        }
        if e.seq != seq {
            return Err(StoreError::InvalidAppend {
                case: case.clone(),
                reason: format!("event numbered {} where {seq} was expected", e.seq),
            });
        }
    }
    Ok(())
}
