//! The SQLite store's tables, and the upgrade of a database written by an older ocop.
//!
//! The database records its schema version in `ocop_meta`. Version 1 (ocop before the due-date
//! index) had the events, the case versions and the idempotency keys only, and no meta table;
//! version 2 adds the projections (with the due-date index), the snapshots and the
//! definitions. An upgrade only adds: every event stays as it is, so the hash chains still
//! verify. The projections of the cases an upgrade finds are built afterwards by the engine
//! (`Store::unprojected` lists them; `ocop upgrade` does it).
//!
//! The projections, snapshots and definitions are ordinary rowid tables: their rows are
//! large (a summary is about 1.5 KB, a snapshot several), which `WITHOUT ROWID` tables store
//! poorly.

use rusqlite::{Connection, OptionalExtension};

use super::backend;
use crate::store::StoreError;

/// The schema version this ocop writes.
pub(crate) const SCHEMA_VERSION: u32 = 2;

const V1: &str = "
CREATE TABLE IF NOT EXISTS ocop_cases (
    case_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ocop_events (
    case_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    hash TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ocop_idempotency (
    case_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (case_id, key)
) WITHOUT ROWID;
";

const V2: &str = "
CREATE TABLE IF NOT EXISTS ocop_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ocop_summaries (
    case_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    definition_sha256 TEXT,
    state TEXT NOT NULL,
    stars INTEGER,
    certificate_expiry TEXT,
    next_due TEXT,
    commune TEXT NOT NULL,
    product_set INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ocop_summaries_due
    ON ocop_summaries (definition, next_due, case_id) WHERE next_due IS NOT NULL;
CREATE TABLE IF NOT EXISTS ocop_snapshots (
    case_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ocop_definitions (
    sha256 TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    file_name TEXT NOT NULL,
    text TEXT NOT NULL
);
";

fn table_exists(conn: &Connection, name: &str) -> Result<bool, StoreError> {
    conn.query_row(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |_| Ok(()),
    )
    .optional()
    .map(|r| r.is_some())
    .map_err(backend)
}

/// The schema version of the database: 0 for an empty one, 1 for one written before
/// versions were recorded.
pub(super) fn version(conn: &Connection) -> Result<u32, StoreError> {
    if table_exists(conn, "ocop_meta")? {
        let v: Option<String> = conn
            .query_row(
                "SELECT value FROM ocop_meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        if let Some(v) = v {
            return v.parse().map_err(|_| {
                StoreError::Backend(format!(
                    "the database's schema version `{v}` is not a number"
                ))
            });
        }
    }
    Ok(u32::from(table_exists(conn, "ocop_events")?))
}

/// Creates the tables of a new database, or upgrades an older one to [`SCHEMA_VERSION`], in
/// one transaction; returns the version the database had.
///
/// # Errors
/// [`StoreError::Backend`] when the database is newer than this ocop, or SQLite fails.
pub(super) fn upgrade(conn: &mut Connection) -> Result<u32, StoreError> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(backend)?;
    let found = version(&tx)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::Backend(format!(
            "the database has schema version {found}, newer than this ocop reads ({SCHEMA_VERSION}): use a newer ocop"
        )));
    }
    if found < SCHEMA_VERSION {
        tx.execute_batch(V1).map_err(backend)?;
        tx.execute_batch(V2).map_err(backend)?;
        tx.execute(
            "INSERT INTO ocop_meta (key, value) VALUES ('schema_version', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [SCHEMA_VERSION.to_string()],
        )
        .map_err(backend)?;
        if found > 0 {
            tx.execute(
                "INSERT INTO ocop_meta (key, value) VALUES ('upgraded_from', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [found.to_string()],
            )
            .map_err(backend)?;
        }
    }
    tx.commit().map_err(backend)?;
    Ok(found)
}
