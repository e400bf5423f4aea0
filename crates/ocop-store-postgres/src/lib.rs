//! A PostgreSQL [`Store`] for ocop, so that a province can run several engine nodes against
//! one database.
//!
//! Integrators depend on the `ocop` facade crate, which re-exports what they need from this
//! crate under `ocop::store::postgres` (feature `postgres`); this crate is one of its parts.
//!
//! Each append is one transaction that locks the case's row (`SELECT … FOR UPDATE`), checks
//! its version, inserts the events, bumps the version and records the idempotency key. Of
//! several nodes appending to the same case at the same version, exactly one commits; the
//! others get [`StoreError::Conflict`] and retry from the new version. A timeout is an
//! append like any other, so when two nodes `tick` at once exactly one fires it.
//!
//! The client is the synchronous `postgres` crate (pure Rust, no libpq): the engine and its
//! `Store` trait are synchronous, like the embedded SQLite store. The tables live in a schema
//! of their own (default `ocop`).
//!
//! # Connection string
//! `postgres://user:password@host:port/database?key=value&...` (or libpq's `host=... key=value`
//! form). Besides what libpq accepts (`connect_timeout` in seconds, `application_name`,
//! keepalives, ...), the store reads:
//!
//! | key | meaning | default |
//! |---|---|---|
//! | `sslmode` | `disable`, `prefer`, `require`, `verify-ca`, `verify-full` | `prefer` on loopback, `verify-full` elsewhere |
//! | `sslrootcert` | PEM file of the CA(s) that sign the server's certificate, or `system` | `~/.postgresql/root.crt` |
//! | `pool_max_size` | most connections the store opens | 4 ([`PostgresStoreBuilder::max_connections`]) |
//! | `pool_timeout` | longest a command waits for a connection | 10s |
//! | `pool_max_lifetime` | a connection older than this is replaced | 30min |
//! | `statement_timeout` | longest one statement may run (`0s`: no limit) | 30s |
//!
//! Durations take a unit (`500ms`, `5s`, `2min`, `1h`). What the string says wins over the
//! builder, so an operator can tune a node without a rebuild. TLS goes through rustls; a
//! host that is not this machine is never spoken to in clear unless `sslmode=disable` says
//! so (`prefer` insists on TLS there). A command that cannot get a connection within
//! `pool_timeout`, whose connection is lost, or whose statement runs past
//! `statement_timeout`, fails with [`StoreError::Unavailable`]; none waits forever.
//!
//! # Examples
//! ```no_run
//! use std::time::Duration;
//! use ocop_engine::Store;
//! use ocop_store_postgres::PostgresStore;
//!
//! let store = PostgresStore::builder(
//!     "postgres://ocop@db.cantho.example:5432/ocop?sslmode=verify-full&sslrootcert=/etc/ocop/db-ca.pem",
//! )
//! .schema("cantho")
//! .max_connections(8)
//! .checkout_timeout(Duration::from_secs(5))
//! .statement_timeout(Duration::from_secs(10))
//! .open()?;
//! println!("{} cases", store.cases()?.len());
//! # Ok::<(), ocop_engine::StoreError>(())
//! ```
//!
//! A host that is not this machine is refused in clear, and without a CA to check it by:
//! ```
//! use ocop_store_postgres::PostgresStore;
//!
//! let err = PostgresStore::open("postgres://ocop:secret@db.cantho.example/ocop").unwrap_err();
//! assert!(err.to_string().contains("sslrootcert=/path/to/ca.pem"));
//! assert!(!err.to_string().contains("secret"));
//! ```
//!
//! The store passes the engine's store-conformance suite; `tests/postgres.rs` runs it (in
//! clear and over TLS), a two-process race, and the pool under a server that goes away,
//! against the server named by `OCOP_TEST_POSTGRES`.

#![forbid(unsafe_code)]

mod config;
mod derived;
mod pool;
mod tls;
mod watchdog;

use std::time::Duration;

use ocop_core::{Date, ids::DefinitionId};
use ocop_engine::store::{Append, DueEntry, Recorded, Snapshot, StoredDefinition};
use ocop_engine::{CaseId, CaseSummary, Event, Store, StoreError, SummaryQuery};
use pool::{Limits, Manager, Pool, backend};
use postgres::Client;

pub use derived::SCHEMA_VERSION;
use postgres::error::SqlState;

/// Configures a [`PostgresStore`].
#[derive(Clone, Debug)]
pub struct PostgresStoreBuilder {
    url: String,
    schema: String,
    max_connections: usize,
    fresh: bool,
    checkout_timeout: Duration,
    connect_timeout: Duration,
    max_lifetime: Duration,
    statement_timeout: Duration,
}

impl PostgresStoreBuilder {
    /// The schema holding the tables (default `ocop`); one per province or test.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }

    /// The most connections the store opens (default 4; `pool_max_size` in the URL wins).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// The longest a command waits for a connection before it fails with
    /// [`StoreError::Unavailable`] (default 10 s; `pool_timeout` in the URL wins).
    pub fn checkout_timeout(mut self, d: Duration) -> Self {
        self.checkout_timeout = d;
        self
    }

    /// The longest the TCP connection to the server may take to open, and the longest a
    /// pooled connection may take to answer its health check on checkout (default 5 s;
    /// `connect_timeout` in the URL, in seconds, wins).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// A connection older than this is closed and replaced (default 30 min;
    /// `pool_max_lifetime` in the URL wins).
    pub fn max_lifetime(mut self, d: Duration) -> Self {
        self.max_lifetime = d;
        self
    }

    /// The longest one statement may run, waiting for a row lock included, before the
    /// server cancels it and the command fails with [`StoreError::Unavailable`] (default
    /// 30 s; zero for no limit; `statement_timeout` in the URL wins). Set on each connection
    /// when it opens, so it bounds every statement of every transaction; a transaction left
    /// idle this long by a vanished node is ended by the server and its locks released.
    pub fn statement_timeout(mut self, d: Duration) -> Self {
        self.statement_timeout = d;
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
    /// [`StoreError::Backend`] when the connection string is wrong, the server refuses the
    /// connection (user, database) or the schema, or its TLS certificate does not verify (the
    /// message names the host and the reason); [`StoreError::Unavailable`] when the server
    /// cannot be reached or does not answer in time (try again later).
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
        let settings = config::parse(&self.url)?;
        let limits = Limits {
            max_size: settings
                .pool_max_size
                .unwrap_or_else(|| u32::try_from(self.max_connections).unwrap_or(u32::MAX)),
            checkout_timeout: settings.pool_timeout.unwrap_or(self.checkout_timeout),
            connect_timeout: settings
                .pg
                .get_connect_timeout()
                .copied()
                .unwrap_or(self.connect_timeout),
            max_lifetime: settings.pool_max_lifetime.unwrap_or(self.max_lifetime),
            statement_timeout: Some(settings.statement_timeout.unwrap_or(self.statement_timeout))
                .filter(|d| !d.is_zero()),
        };
        let manager = Manager::new(settings, &limits)?;
        // A wrong address, password or certificate fails here at once with its reason,
        // rather than as a pool timeout on the first command.
        drop(manager.open_within(limits.checkout_timeout.max(limits.connect_timeout))?);
        let fresh = self.fresh;
        let store = PostgresStore {
            schema: self.schema,
            pool: Pool::new(manager, limits),
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
             CREATE SCHEMA IF NOT EXISTS {s};"
        );
        let mut tx = conn.client()?.transaction().map_err(backend)?;
        tx.batch_execute(&ddl).map_err(backend)?;
        derived::upgrade(&mut tx, s)?;
        tx.commit().map_err(backend)?;
        drop(conn);
        Ok(store)
    }
}

/// How the store's connections reach the server ([`PostgresStore::transport`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Transport {
    /// The TLS version (`TLSv1.3`), or `None` for a plaintext connection.
    pub tls_version: Option<String>,
    /// The cipher suite, for a TLS connection.
    pub cipher: Option<String>,
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.tls_version, &self.cipher) {
            (Some(v), Some(c)) => write!(f, "{v} ({c})"),
            (Some(v), None) => f.write_str(v),
            _ => f.write_str("plaintext"),
        }
    }
}

/// A store in a PostgreSQL database, shareable by several processes.
pub struct PostgresStore {
    schema: String,
    pool: Pool,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let limits = self.pool.limits();
        f.debug_struct("PostgresStore")
            .field("schema", &self.schema)
            .field("max_connections", &limits.max_size)
            .field("checkout_timeout", &limits.checkout_timeout)
            .field("statement_timeout", &limits.statement_timeout)
            .finish_non_exhaustive()
    }
}

/// A pooled connection, returned to the pool when dropped (or discarded if it broke).
struct Conn(r2d2::PooledConnection<Manager>);

impl Conn {
    fn client(&mut self) -> Result<&mut Client, StoreError> {
        self.0.client()
    }
}

/// A case version as a BIGINT: refused, not saturated, past `i64::MAX`.
pub(crate) fn to_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n)
        .map_err(|_| StoreError::Backend(format!("version {n} is past what a BIGINT column holds")))
}

/// A BIGINT read back as a version or sequence number: a negative one was not written by
/// ocop, and is refused rather than read as 0.
pub(crate) fn to_u64(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| {
        StoreError::Backend(format!(
            "the store holds the version {n}, which is negative: the tables were changed outside ocop"
        ))
    })
}

impl PostgresStore {
    /// A builder for the database at `url` (`postgres://user@host:port/database?sslmode=...`;
    /// see the crate documentation for the keys).
    pub fn builder(url: impl Into<String>) -> PostgresStoreBuilder {
        PostgresStoreBuilder {
            url: url.into(),
            schema: "ocop".into(),
            max_connections: 4,
            fresh: false,
            checkout_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_lifetime: Duration::from_secs(30 * 60),
            statement_timeout: Duration::from_secs(30),
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

    /// How a pooled connection reaches the server, as the server sees it (`pg_stat_ssl`):
    /// for a node's health report, or to check that a URL really gives TLS.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when no connection can be had in time,
    /// [`StoreError::Backend`] when the query fails.
    pub fn transport(&self) -> Result<Transport, StoreError> {
        let mut conn = self.connection()?;
        let row = conn
            .client()?
            .query_one(
                "SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .map_err(backend)?;
        let ssl: bool = row.get(0);
        Ok(Transport {
            tls_version: if ssl { row.get(1) } else { None },
            cipher: if ssl { row.get(2) } else { None },
        })
    }

    /// A pooled connection, or [`StoreError::Unavailable`] after the checkout timeout.
    fn connection(&self) -> Result<Conn, StoreError> {
        self.pool.get().map(Conn)
    }

    fn decode(case: &CaseId, seq: i64, body: &str) -> Result<Event, StoreError> {
        let seq = to_u64(seq)?;
        Event::decode(body).map_err(|reason| StoreError::Corrupt {
            case: case.clone(),
            seq,
            reason,
        })
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
        row.map_or(Ok(0), |r| to_u64(r.get(0)))
    }

    fn load(&self, case: &CaseId, after: u64) -> Result<Vec<Event>, StoreError> {
        let mut conn = self.connection()?;
        let sql = format!(
            "SELECT seq, body FROM {}.events WHERE case_id = $1 AND seq > $2 ORDER BY seq",
            self.schema
        );
        let rows = conn
            .client()?
            .query(&sql, &[&case.as_str(), &to_i64(after)?])
            .map_err(backend)?;
        rows.iter()
            .map(|r| Self::decode(case, r.get(0), r.get(1)))
            .collect()
    }

    fn append(&self, append: &Append<'_>) -> Result<(), StoreError> {
        ocop_engine::store::check_append(append)?;
        let (case, expected, events, key) =
            (append.case, append.expected, append.events, append.key);
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
        let actual = to_u64(row.get(0))?;
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
                &[&case.as_str(), &to_i64(e.seq)?, &kind, &e.hash, &body],
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
            &[&case.as_str(), &to_i64(last)?],
        )
        .map_err(backend)?;
        if let Some(k) = key {
            tx.execute(
                &format!(
                    "INSERT INTO {s}.idempotency (case_id, key, fingerprint, first_seq, last_seq) VALUES ($1, $2, $3, $4, $5)"
                ),
                &[&case.as_str(), &k.key, &k.fingerprint, &to_i64(expected + 1)?, &to_i64(last)?],
            )
            .map_err(backend)?;
        }
        derived::write_summary(&mut tx, s, append.summary)?;
        if let Some(snapshot) = append.snapshot {
            derived::write_snapshot(&mut tx, s, case, snapshot)?;
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

    fn due(&self, definition: &DefinitionId, before: Date) -> Result<Vec<DueEntry>, StoreError> {
        derived::due(
            self.connection()?.client()?,
            &self.schema,
            definition,
            before,
        )
    }

    fn summary(&self, case: &CaseId) -> Result<Option<CaseSummary>, StoreError> {
        derived::summary(self.connection()?.client()?, &self.schema, case)
    }

    fn summaries(&self) -> Result<Vec<CaseSummary>, StoreError> {
        derived::summaries(self.connection()?.client()?, &self.schema)
    }

    fn list(&self, query: &SummaryQuery) -> Result<Vec<CaseSummary>, StoreError> {
        derived::list(self.connection()?.client()?, &self.schema, query)
    }

    fn reproject(&self, summary: &CaseSummary) -> Result<(), StoreError> {
        let s = &self.schema;
        let mut conn = self.connection()?;
        let mut tx = conn.client()?.transaction().map_err(backend)?;
        let actual = tx
            .query_opt(
                &format!("SELECT version FROM {s}.cases WHERE case_id = $1 FOR UPDATE"),
                &[&summary.case.as_str()],
            )
            .map_err(backend)?
            .map_or(Ok(0), |r| to_u64(r.get(0)))?;
        if actual != summary.version || actual == 0 {
            return Err(StoreError::Conflict {
                case: summary.case.clone(),
                expected: summary.version,
                actual,
            });
        }
        derived::write_summary(&mut tx, s, summary)?;
        tx.commit().map_err(backend)
    }

    fn unprojected(&self) -> Result<Vec<CaseId>, StoreError> {
        derived::unprojected(self.connection()?.client()?, &self.schema)
    }

    fn snapshot(&self, case: &CaseId) -> Result<Option<Snapshot>, StoreError> {
        derived::snapshot(self.connection()?.client()?, &self.schema, case)
    }

    fn put_definition(&self, definition: &StoredDefinition) -> Result<(), StoreError> {
        ocop_engine::store::check_definition(definition)?;
        derived::put_definition(self.connection()?.client()?, &self.schema, definition)
    }

    fn has_definition(&self, sha256: &str) -> Result<bool, StoreError> {
        derived::has_definition(self.connection()?.client()?, &self.schema, sha256)
    }

    fn definition(&self, sha256: &str) -> Result<Option<StoredDefinition>, StoreError> {
        derived::definition(self.connection()?.client()?, &self.schema, sha256)
    }

    fn definitions(&self) -> Result<Vec<StoredDefinition>, StoreError> {
        derived::definitions(self.connection()?.client()?, &self.schema)
    }
}
