//! The SQLite store: the embedded default. WAL journal, one immediate transaction per
//! append (events, projection, due-date index entry, snapshot), optimistic concurrency on
//! the case version.

mod rows;
mod schema;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use ocop_core::{Date, ids::DefinitionId};

use super::{
    Append, DueEntry, Recorded, Snapshot, Store, StoreError, StoredDefinition, SummaryQuery,
    check_append, check_definition,
};
use crate::event::{CaseId, Event};
use crate::summary::CaseSummary;

/// How hard SQLite pushes each commit to disk (`PRAGMA synchronous`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Synchronous {
    /// Sync the WAL on every commit: a commit survives a power cut. The default.
    #[default]
    Full,
    /// Sync at checkpoints only: a commit survives a process crash but may be lost in a
    /// power cut.
    Normal,
}

/// Configures a [`SqliteStore`].
#[derive(Clone, Debug)]
pub struct SqliteStoreBuilder {
    path: Option<PathBuf>,
    synchronous: Synchronous,
    busy_timeout: Duration,
}

impl SqliteStoreBuilder {
    /// How commits are synced (default [`Synchronous::Full`]).
    pub fn synchronous(mut self, s: Synchronous) -> Self {
        self.synchronous = s;
        self
    }

    /// How long a writer waits for another connection's lock (default 5 s).
    pub fn busy_timeout(mut self, t: Duration) -> Self {
        self.busy_timeout = t;
        self
    }

    /// Opens (creating if needed) the database.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the file cannot be opened or the schema created.
    pub fn open(self) -> Result<SqliteStore, StoreError> {
        let conn = match &self.path {
            Some(p) => Connection::open(p),
            None => Connection::open_in_memory(),
        }
        .map_err(backend)?;
        conn.busy_timeout(self.busy_timeout).map_err(backend)?;
        if self.path.is_some() {
            let mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(backend)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Backend(format!(
                    "the database refused the WAL journal (it is in `{mode}` mode)"
                )));
            }
        }
        let sync = match self.synchronous {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", sync)
            .map_err(backend)?;
        let mut conn = conn;
        let found = schema::upgrade(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            upgraded_from: (found > 0 && found < schema::SCHEMA_VERSION).then_some(found),
        })
    }
}

/// A store in one SQLite database file.
///
/// Each append is one `BEGIN IMMEDIATE` transaction that checks the case's version, inserts
/// the events, bumps the version, records the idempotency key and replaces the case's
/// projection row (which carries the due-date index: `(definition, next_due, case_id)`) and,
/// when given, its snapshot, so a crash leaves either the whole command or none of it.
/// Several processes or connections may share the file: the version check in the
/// transaction makes exactly one of racing appends win.
///
/// Opening a database written by an older ocop upgrades its schema in place (see
/// [`SqliteStore::SCHEMA_VERSION`]); its events are kept as they are.
///
/// # Examples
/// ```
/// use ocop_engine::{MemoryStore, SqliteStore, Store};
///
/// let dir = std::env::temp_dir().join(format!("ocop-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let store = SqliteStore::open(dir.join("cases.sqlite"))?;
/// assert!(store.cases()?.is_empty());
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), ocop_engine::StoreError>(())
/// ```
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
    upgraded_from: Option<u32>,
}

pub(super) fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl SqliteStore {
    /// The schema version this ocop writes (recorded in the database's `ocop_meta`).
    pub const SCHEMA_VERSION: u32 = schema::SCHEMA_VERSION;

    /// A builder for a database at `path`.
    pub fn builder(path: impl AsRef<Path>) -> SqliteStoreBuilder {
        SqliteStoreBuilder {
            path: Some(path.as_ref().to_path_buf()),
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(5),
        }
    }

    /// Opens (creating if needed) the database at `path` with the default settings.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the file cannot be opened or the schema created.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        SqliteStore::builder(path).open()
    }

    /// A private in-memory database (no WAL), for tests.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when SQLite fails.
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        SqliteStoreBuilder {
            path: None,
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(5),
        }
        .open()
    }

    /// The schema version the database had when this store opened it, if it was upgraded.
    pub fn upgraded_from(&self) -> Option<u32> {
        self.upgraded_from
    }

    /// The query plan SQLite uses for the due-date read of [`Store::due`], one line per
    /// step (e.g. `SEARCH ocop_summaries USING COVERING INDEX ocop_summaries_due ...`).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when SQLite fails.
    pub fn due_query_plan(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", rows::DUE_QUERY))
            .map_err(backend)?;
        let rows = stmt
            .query_map(rusqlite::params!["x", "2000-01-01"], |r| {
                r.get::<_, String>(3)
            })
            .map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // SQLite rolls back an unfinished transaction when its handle is dropped, so a
        // poisoned lock holds a usable connection.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn decode(case: &CaseId, seq: u64, body: &str) -> Result<Event, StoreError> {
    let e = Event::decode(body).map_err(|reason| StoreError::Corrupt {
        case: case.clone(),
        seq,
        reason,
    })?;
    if e.seq != seq || e.case != *case {
        return Err(StoreError::Corrupt {
            case: case.clone(),
            seq,
            reason: format!("the row holds event {} of case `{}`", e.seq, e.case),
        });
    }
    Ok(e)
}

fn load_range(
    conn: &Connection,
    case: &CaseId,
    first: u64,
    last: u64,
) -> Result<Vec<Event>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, body FROM ocop_events WHERE case_id = ?1 AND seq >= ?2 AND seq <= ?3 ORDER BY seq",
        )
        .map_err(backend)?;
    let rows = stmt
        .query_map(params![case.as_str(), first, last], |r| {
            Ok((r.get::<_, u64>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(backend)?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, body) = row.map_err(backend)?;
        out.push(decode(case, seq, &body)?);
    }
    Ok(out)
}

impl Store for SqliteStore {
    fn version(&self, case: &CaseId) -> Result<u64, StoreError> {
        rows::stored_version(&self.lock(), case)
    }

    fn load(&self, case: &CaseId, after: u64) -> Result<Vec<Event>, StoreError> {
        let conn = self.lock();
        load_range(&conn, case, after.saturating_add(1), u64::MAX >> 1)
    }

    fn append(&self, append: &Append<'_>) -> Result<(), StoreError> {
        check_append(append)?;
        let (case, expected, events) = (append.case, append.expected, append.events);
        let mut rows = Vec::with_capacity(events.len());
        for e in events {
            let body = serde_json::to_string(e).map_err(|e| StoreError::Backend(e.to_string()))?;
            rows.push((e, body));
        }
        let projection = rows::Projection::of(append.summary)?;
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let actual = rows::stored_version(&tx, case)?;
        if actual != expected {
            return Err(StoreError::Conflict {
                case: case.clone(),
                expected,
                actual,
            });
        }
        let last = expected.saturating_add(u64::try_from(events.len()).unwrap_or(0));
        if let Some(k) = append.key {
            let used: Option<i64> = tx
                .prepare_cached(
                    "SELECT first_seq FROM ocop_idempotency WHERE case_id = ?1 AND key = ?2",
                )
                .and_then(|mut s| {
                    s.query_row(params![case.as_str(), k.key], |r| r.get(0))
                        .optional()
                })
                .map_err(backend)?;
            if used.is_some() {
                return Err(StoreError::DuplicateKey {
                    case: case.clone(),
                    key: k.key.clone(),
                });
            }
            tx.prepare_cached(
                "INSERT INTO ocop_idempotency (case_id, key, fingerprint, first_seq, last_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    case.as_str(),
                    k.key,
                    k.fingerprint,
                    expected.saturating_add(1),
                    last
                ])
            })
            .map_err(backend)?;
        }
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO ocop_events (case_id, seq, kind, hash, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(backend)?;
            for (e, body) in &rows {
                insert
                    .execute(params![case.as_str(), e.seq, e.body.kind(), e.hash, body])
                    .map_err(backend)?;
            }
        }
        tx.prepare_cached(
            "INSERT INTO ocop_cases (case_id, version) VALUES (?1, ?2) ON CONFLICT (case_id) DO UPDATE SET version = excluded.version",
        )
        .and_then(|mut s| s.execute(params![case.as_str(), last]))
        .map_err(backend)?;
        projection.write(&tx)?;
        if let Some(snapshot) = append.snapshot {
            rows::write_snapshot(&tx, case, snapshot)?;
        }
        tx.commit().map_err(backend)
    }

    fn recorded(&self, case: &CaseId, key: &str) -> Result<Option<Recorded>, StoreError> {
        let conn = self.lock();
        let row: Option<(String, u64, u64)> = conn
            .prepare_cached(
                "SELECT fingerprint, first_seq, last_seq FROM ocop_idempotency WHERE case_id = ?1 AND key = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![case.as_str(), key], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()
            })
            .map_err(backend)?;
        let Some((fingerprint, first, last)) = row else {
            return Ok(None);
        };
        let events = load_range(&conn, case, first, last)?;
        Ok(Some(Recorded {
            fingerprint,
            events,
        }))
    }

    fn cases(&self) -> Result<Vec<CaseId>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached("SELECT case_id FROM ocop_cases ORDER BY case_id")
            .map_err(backend)?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(backend)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(CaseId::new(r.map_err(backend)?));
        }
        Ok(out)
    }

    fn due(&self, definition: &DefinitionId, before: Date) -> Result<Vec<DueEntry>, StoreError> {
        rows::due(&self.lock(), definition, before)
    }

    fn summary(&self, case: &CaseId) -> Result<Option<CaseSummary>, StoreError> {
        rows::summary(&self.lock(), case)
    }

    fn summaries(&self) -> Result<Vec<CaseSummary>, StoreError> {
        rows::summaries(&self.lock())
    }

    fn list(&self, query: &SummaryQuery) -> Result<Vec<CaseSummary>, StoreError> {
        rows::list(&self.lock(), query)
    }

    fn reproject(&self, summary: &CaseSummary) -> Result<(), StoreError> {
        let projection = rows::Projection::of(summary)?;
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let actual = rows::stored_version(&tx, &summary.case)?;
        if actual != summary.version || actual == 0 {
            return Err(StoreError::Conflict {
                case: summary.case.clone(),
                expected: summary.version,
                actual,
            });
        }
        projection.write(&tx)?;
        tx.commit().map_err(backend)
    }

    fn unprojected(&self) -> Result<Vec<CaseId>, StoreError> {
        rows::unprojected(&self.lock())
    }

    fn snapshot(&self, case: &CaseId) -> Result<Option<Snapshot>, StoreError> {
        rows::snapshot(&self.lock(), case)
    }

    fn put_definition(&self, definition: &StoredDefinition) -> Result<(), StoreError> {
        check_definition(definition)?;
        rows::put_definition(&self.lock(), definition)
    }

    fn has_definition(&self, sha256: &str) -> Result<bool, StoreError> {
        rows::has_definition(&self.lock(), sha256)
    }

    fn definition(&self, sha256: &str) -> Result<Option<StoredDefinition>, StoreError> {
        rows::definition(&self.lock(), sha256)
    }

    fn definitions(&self) -> Result<Vec<StoredDefinition>, StoreError> {
        rows::definitions(&self.lock())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::GENESIS_HASH;
    use crate::store::conformance::{append_sample, sample_events};

    /// A version the tables hold that ocop cannot have written (negative) is an error, not
    /// a case at version 0.
    #[test]
    fn a_negative_version_written_outside_ocop_is_refused_not_read_as_zero() {
        let store = SqliteStore::in_memory().unwrap();
        let case = CaseId::new("c");
        let events = sample_events(&case, 0, GENESIS_HASH, 1);
        append_sample(&store, &case, 0, &events, None).unwrap();
        store
            .lock()
            .execute("UPDATE ocop_cases SET version = -1", [])
            .unwrap();
        let err = store.version(&case).unwrap_err();
        assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
        assert!(err.to_string().contains("-1"), "{err}");
    }
}
