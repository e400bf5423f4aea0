//! Where events are kept: the [`Store`] trait, an in-memory store, the SQLite store, and
//! the conformance suite every store must pass.

pub mod conformance;
mod memory;
mod sqlite;

pub use memory::MemoryStore;
pub use sqlite::{SqliteStore, SqliteStoreBuilder, Synchronous};

use crate::event::{CaseId, Event};

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
    /// The backend failed (I/O, locking, SQL).
    #[error("the store failed: {0}")]
    Backend(String),
    /// The backend could not serve the request in time: no connection within the checkout
    /// timeout, the connection was lost, or a statement ran past its timeout. Nothing is known
    /// to be stored; retry later, with the same idempotency key.
    #[error("the store is unavailable: {0}; try again later (with the same idempotency key)")]
    Unavailable(String),
}

/// Where a case's events are kept.
///
/// # Contract
/// Checked by [`conformance::run_all`]:
/// - A case's version is the number of its events; an unknown case has version 0.
/// - [`append`](Store::append) is atomic: all the events and the idempotency key are stored,
///   or none. It fails with [`StoreError::Conflict`] unless the stored version equals
///   `expected`, with [`StoreError::InvalidAppend`] unless the events are non-empty, belong
///   to the case and are numbered `expected + 1, expected + 2, ...`, and with
///   [`StoreError::DuplicateKey`] when the key was already used on the case.
/// - Of several appends racing at the same expected version, exactly one succeeds.
/// - Stored events read back equal to what was appended, in sequence order.
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

    /// Appends `events` to the case if its stored version is `expected`, with the command's
    /// idempotency key if it has one.
    ///
    /// # Errors
    /// [`StoreError::Conflict`], [`StoreError::InvalidAppend`], [`StoreError::DuplicateKey`]
    /// as the contract says; [`StoreError::Backend`] when the store fails (nothing is stored).
    fn append(
        &self,
        case: &CaseId,
        expected: u64,
        events: &[Event],
        key: Option<&IdempotencyRecord>,
    ) -> Result<(), StoreError>;

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
}

/// Checks that `events` continue `case` at version `expected`.
pub fn check_append(case: &CaseId, expected: u64, events: &[Event]) -> Result<(), StoreError> {
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
