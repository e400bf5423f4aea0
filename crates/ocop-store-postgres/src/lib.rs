//! A PostgreSQL [`Store`] for ocop, so that a province can run several engine nodes against
//! one database.
//!
//! Each append is one transaction that locks the case's row (`SELECT … FOR UPDATE`), checks
//! its version, inserts the events, bumps the version and records the idempotency key. Of
//! several nodes appending to the same case at the same version, exactly one commits; the
//! others get [`StoreError::Conflict`] and retry from the new version. A timeout is an
//! append like any other, so when two nodes `tick` at once exactly one fires it.
//!
//! The client is the synchronous `postgres` crate (pure Rust, no libpq): the engine and its
//! `Store` trait are synchronous, like the embedded SQLite store. Connections are pooled
//! per store; the tables live in a schema of their own (default `ocop`).
//!
//! # Examples
//! ```no_run
//! use ocop_engine::Store;
//! use ocop_store_postgres::PostgresStore;
//!
//! let store = PostgresStore::builder("postgres://postgres@127.0.0.1:5432/ocop")
//!     .schema("cantho")
//!     .max_connections(8)
//!     .open()?;
//! println!("{} cases", store.cases()?.len());
//! # Ok::<(), ocop_engine::StoreError>(())
//! ```
//!
//! The store passes the engine's store-conformance suite; `tests/postgres.rs` runs it, and a
//! two-process race, against the server named by `OCOP_TEST_POSTGRES`.

#![forbid(unsafe_code)]

use std::sync::{Condvar, Mutex};

use ocop_engine::store::{IdempotencyRecord, Recorded};
use ocop_engine::{CaseId, Event, Store, StoreError};
use postgres::error::SqlState;
use postgres::{Client, NoTls};

/// Configures a [`PostgresStore`].
#[derive(Clone, Debug)]
pub struct PostgresStoreBuilder {
    url: String,
    schema: String,
    max_connections: usize,
    fresh: bool,
}

impl PostgresStoreBuilder {
    /// The schema holding the tables (default `ocop`); one per province or test.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }

    /// The most connections the store opens (default 4).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Drop the schema and everything in it first (a demo or a test starting afresh).
    pub fn fresh(mut self, fresh: bool) -> Self {
        self.fresh = fresh;
        self
    }

    /// Connects and creates the schema and tables if needed.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the server cannot be reached or refuses the schema.
    pub fn open(self) -> Result<PostgresStore, StoreError> {
        if self.schema.is_empty()
            || !self
                .schema
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(StoreError::Backend(format!(
                "schema name `{}` must be lowercase letters, digits and `_`",
                self.schema
            )));
        }
        let fresh = self.fresh;
        let store = PostgresStore {
            url: self.url,
            schema: self.schema,
            max: self.max_connections,
            pool: Mutex::new(Pool {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
        };
        let mut conn = store.connection()?;
        let s = &store.schema;
        // Two nodes starting together must not both create the tables: serialise on an
        // advisory lock for the length of the transaction.
        let drop_first = if fresh {
            format!("DROP SCHEMA IF EXISTS {s} CASCADE;")
        } else {
            String::new()
        };
        let ddl = format!(
            "SELECT pg_advisory_xact_lock(hashtext('ocop-schema-{s}'));
             {drop_first}
             CREATE SCHEMA IF NOT EXISTS {s};
             CREATE TABLE IF NOT EXISTS {s}.cases (
                 case_id TEXT PRIMARY KEY,
                 version BIGINT NOT NULL
             );
             CREATE TABLE IF NOT EXISTS {s}.events (
                 case_id TEXT NOT NULL,
                 seq BIGINT NOT NULL,
                 kind TEXT NOT NULL,
                 hash TEXT NOT NULL,
                 body TEXT NOT NULL,
                 PRIMARY KEY (case_id, seq)
             );
             CREATE TABLE IF NOT EXISTS {s}.idempotency (
                 case_id TEXT NOT NULL,
                 key TEXT NOT NULL,
                 fingerprint TEXT NOT NULL,
                 first_seq BIGINT NOT NULL,
                 last_seq BIGINT NOT NULL,
                 PRIMARY KEY (case_id, key)
             );"
        );
        let mut tx = conn.client()?.transaction().map_err(backend)?;
        tx.batch_execute(&ddl).map_err(backend)?;
        tx.commit().map_err(backend)?;
        drop(conn);
        Ok(store)
    }
}

struct Pool {
    idle: Vec<Client>,
    open: usize,
}

/// A store in a PostgreSQL database, shareable by several processes.
pub struct PostgresStore {
    url: String,
    schema: String,
    max: usize,
    pool: Mutex<Pool>,
    returned: Condvar,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("schema", &self.schema)
            .field("max_connections", &self.max)
            .finish_non_exhaustive()
    }
}

/// A pooled connection, returned to the pool when dropped.
struct Conn<'a> {
    store: &'a PostgresStore,
    client: Option<Client>,
}

impl Conn<'_> {
    fn client(&mut self) -> Result<&mut Client, StoreError> {
        self.client
            .as_mut()
            .ok_or_else(|| StoreError::Backend("the connection was lost".into()))
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        let Ok(mut pool) = self.store.pool.lock() else {
            return;
        };
        match self.client.take() {
            Some(c) if !c.is_closed() => pool.idle.push(c),
            _ => pool.open = pool.open.saturating_sub(1),
        }
        self.store.returned.notify_one();
    }
}

fn backend(e: postgres::Error) -> StoreError {
    StoreError::Backend(match e.as_db_error() {
        Some(db) => format!("PostgreSQL: {} ({})", db.message(), db.code().code()),
        None => format!("PostgreSQL: {e}"),
    })
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl PostgresStore {
    /// A builder for the database at `url` (`postgres://user@host:port/database`).
    pub fn builder(url: impl Into<String>) -> PostgresStoreBuilder {
        PostgresStoreBuilder {
            url: url.into(),
            schema: "ocop".into(),
            max_connections: 4,
            fresh: false,
        }
    }

    /// Opens the store at `url` with the default schema and pool size.
    ///
    /// # Errors
    /// As [`PostgresStoreBuilder::open`].
    pub fn open(url: impl Into<String>) -> Result<PostgresStore, StoreError> {
        PostgresStore::builder(url).open()
    }

    /// The schema holding the tables.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    fn connection(&self) -> Result<Conn<'_>, StoreError> {
        let poisoned = || StoreError::Backend("the connection pool is poisoned".into());
        let mut pool = self.pool.lock().map_err(|_| poisoned())?;
        loop {
            if let Some(client) = pool.idle.pop() {
                if client.is_closed() {
                    pool.open = pool.open.saturating_sub(1);
                    continue;
                }
                return Ok(Conn {
                    store: self,
                    client: Some(client),
                });
            }
            if pool.open < self.max {
                pool.open += 1;
                drop(pool);
                return match Client::connect(&self.url, NoTls) {
                    Ok(client) => Ok(Conn {
                        store: self,
                        client: Some(client),
                    }),
                    Err(e) => {
                        if let Ok(mut pool) = self.pool.lock() {
                            pool.open = pool.open.saturating_sub(1);
                        }
                        Err(StoreError::Backend(format!(
                            "cannot connect to PostgreSQL at `{}`: {e}; is the server running and the URL right?",
                            redact(&self.url)
                        )))
                    }
                };
            }
            pool = self.returned.wait(pool).map_err(|_| poisoned())?;
        }
    }

    fn decode(case: &CaseId, seq: i64, body: &str) -> Result<Event, StoreError> {
        serde_json::from_str(body).map_err(|e| StoreError::Corrupt {
            case: case.clone(),
            seq: to_u64(seq),
            reason: e.to_string(),
        })
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = url.get(scheme + 3..at).unwrap_or_default();
            let user = userinfo.split(':').next().unwrap_or_default();
            format!(
                "{}{user}@{}",
                url.get(..scheme + 3).unwrap_or_default(),
                url.get(at + 1..).unwrap_or_default()
            )
        }
        _ => url.to_owned(),
    }
}

impl Store for PostgresStore {
    fn version(&self, case: &CaseId) -> Result<u64, StoreError> {
        let mut conn = self.connection()?;
        let sql = format!(
            "SELECT version FROM {}.cases WHERE case_id = $1",
            self.schema
        );
        let row = conn
            .client()?
            .query_opt(&sql, &[&case.as_str()])
            .map_err(backend)?;
        Ok(row.map_or(0, |r| to_u64(r.get(0))))
    }

    fn load(&self, case: &CaseId, after: u64) -> Result<Vec<Event>, StoreError> {
        let mut conn = self.connection()?;
        let sql = format!(
            "SELECT seq, body FROM {}.events WHERE case_id = $1 AND seq > $2 ORDER BY seq",
            self.schema
        );
        let rows = conn
            .client()?
            .query(&sql, &[&case.as_str(), &to_i64(after)])
            .map_err(backend)?;
        rows.iter()
            .map(|r| Self::decode(case, r.get(0), r.get(1)))
            .collect()
    }

    fn append(
        &self,
        case: &CaseId,
        expected: u64,
        events: &[Event],
        key: Option<&IdempotencyRecord>,
    ) -> Result<(), StoreError> {
        ocop_engine::store::check_append(case, expected, events)?;
        let s = &self.schema;
        let mut conn = self.connection()?;
        let mut tx = conn.client()?.transaction().map_err(backend)?;
        tx.execute(
            &format!(
                "INSERT INTO {s}.cases (case_id, version) VALUES ($1, 0) ON CONFLICT DO NOTHING"
            ),
            &[&case.as_str()],
        )
        .map_err(backend)?;
        let row = tx
            .query_one(
                &format!("SELECT version FROM {s}.cases WHERE case_id = $1 FOR UPDATE"),
                &[&case.as_str()],
            )
            .map_err(backend)?;
        let actual = to_u64(row.get(0));
        if actual != expected {
            return Err(StoreError::Conflict {
                case: case.clone(),
                expected,
                actual,
            });
        }
        if let Some(k) = key {
            let used = tx
                .query_opt(
                    &format!("SELECT 1 FROM {s}.idempotency WHERE case_id = $1 AND key = $2"),
                    &[&case.as_str(), &k.key],
                )
                .map_err(backend)?;
            if used.is_some() {
                return Err(StoreError::DuplicateKey {
                    case: case.clone(),
                    key: k.key.clone(),
                });
            }
        }
        let insert = tx
            .prepare(&format!(
                "INSERT INTO {s}.events (case_id, seq, kind, hash, body) VALUES ($1, $2, $3, $4, $5)"
            ))
            .map_err(backend)?;
        for e in events {
            let body = serde_json::to_string(e).map_err(|err| StoreError::InvalidAppend {
                case: case.clone(),
                reason: err.to_string(),
            })?;
            let kind = e.body.kind();
            tx.execute(
                &insert,
                &[&case.as_str(), &to_i64(e.seq), &kind, &e.hash, &body],
            )
            .map_err(|err| match err.code() {
                Some(code) if *code == SqlState::UNIQUE_VIOLATION => StoreError::Conflict {
                    case: case.clone(),
                    expected,
                    actual: expected.saturating_add(1),
                },
                _ => backend(err),
            })?;
        }
        let last = expected.saturating_add(events.len() as u64);
        tx.execute(
            &format!("UPDATE {s}.cases SET version = $2 WHERE case_id = $1"),
            &[&case.as_str(), &to_i64(last)],
        )
        .map_err(backend)?;
        if let Some(k) = key {
            tx.execute(
                &format!(
                    "INSERT INTO {s}.idempotency (case_id, key, fingerprint, first_seq, last_seq) VALUES ($1, $2, $3, $4, $5)"
                ),
                &[&case.as_str(), &k.key, &k.fingerprint, &to_i64(expected + 1), &to_i64(last)],
            )
            .map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }

    fn recorded(&self, case: &CaseId, key: &str) -> Result<Option<Recorded>, StoreError> {
        let s = &self.schema;
        let mut conn = self.connection()?;
        let client = conn.client()?;
        let Some(row) = client
            .query_opt(
                &format!("SELECT fingerprint, first_seq, last_seq FROM {s}.idempotency WHERE case_id = $1 AND key = $2"),
                &[&case.as_str(), &key],
            )
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let fingerprint: String = row.get(0);
        let (first, last): (i64, i64) = (row.get(1), row.get(2));
        let rows = client
            .query(
                &format!("SELECT seq, body FROM {s}.events WHERE case_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq"),
                &[&case.as_str(), &first, &last],
            )
            .map_err(backend)?;
        let events = rows
            .iter()
            .map(|r| Self::decode(case, r.get(0), r.get(1)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Recorded {
            fingerprint,
            events,
        }))
    }

    fn cases(&self) -> Result<Vec<CaseId>, StoreError> {
        let mut conn = self.connection()?;
        let rows = conn
            .client()?
            .query(
                &format!(
                    "SELECT case_id FROM {}.cases WHERE version > 0 ORDER BY case_id COLLATE \"C\"",
                    self.schema
                ),
                &[],
            )
            .map_err(backend)?;
        Ok(rows
            .iter()
            .map(|r| CaseId::from(r.get::<_, String>(0)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://ocop:secret@db:5432/x"),
            "postgres://ocop@db:5432/x"
        );
        assert_eq!(redact("postgres://ocop@db/x"), "postgres://ocop@db/x");
        assert_eq!(redact("host=db user=ocop"), "host=db user=ocop");
    }
}
