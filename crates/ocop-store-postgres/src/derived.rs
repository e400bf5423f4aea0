//! What the store keeps beside the events, written in the append's transaction: each case's
//! projection (its summary, with the due-date index), its latest snapshot, and the
//! definitions by SHA-256. And the schema's version, with the upgrade of a schema written
//! by an older ocop.

use ocop_core::{Date, ids::DefinitionId};
use ocop_engine::store::{DueEntry, Snapshot, StoredDefinition, decode_summary};
use ocop_engine::{CaseId, CaseSummary, StoreError, SummaryQuery};
use postgres::GenericClient;
use postgres::types::ToSql;

use crate::{backend, to_i64, to_u64};

/// The schema version this ocop writes. Version 1 (before the due-date index) had the
/// events, the case versions and the idempotency keys, and no `meta` table.
pub const SCHEMA_VERSION: u32 = 2;

/// The tables of version 1, as an older ocop created them.
pub(crate) fn v1(s: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {s}.cases (
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
    )
}

/// What version 2 adds.
fn v2(s: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {s}.meta (
             key TEXT PRIMARY KEY,
             value TEXT NOT NULL
         );
         CREATE TABLE IF NOT EXISTS {s}.summaries (
             case_id TEXT PRIMARY KEY,
             version BIGINT NOT NULL,
             definition TEXT NOT NULL,
             definition_sha256 TEXT,
             state TEXT NOT NULL,
             stars SMALLINT,
             certificate_expiry TEXT COLLATE \"C\",
             next_due TEXT COLLATE \"C\",
             commune TEXT NOT NULL,
             product_set SMALLINT NOT NULL,
             body TEXT NOT NULL
         );
         CREATE INDEX IF NOT EXISTS summaries_due
             ON {s}.summaries (definition, next_due, case_id) WHERE next_due IS NOT NULL;
         CREATE INDEX IF NOT EXISTS summaries_by_id ON {s}.summaries (case_id COLLATE \"C\");
         CREATE TABLE IF NOT EXISTS {s}.snapshots (
             case_id TEXT PRIMARY KEY,
             version BIGINT NOT NULL,
             body TEXT NOT NULL
         );
         CREATE TABLE IF NOT EXISTS {s}.definitions (
             sha256 TEXT PRIMARY KEY,
             id TEXT NOT NULL,
             version TEXT NOT NULL,
             file_name TEXT NOT NULL,
             text TEXT NOT NULL
         );"
    )
}

fn exists(c: &mut impl GenericClient, s: &str, table: &str) -> Result<bool, StoreError> {
    let row = c
        .query_one(
            "SELECT to_regclass($1) IS NOT NULL",
            &[&format!("{s}.{table}")],
        )
        .map_err(backend)?;
    Ok(row.get(0))
}

/// The schema's version: 0 when it has no tables, 1 when it has events but no version.
fn version(c: &mut impl GenericClient, s: &str) -> Result<u32, StoreError> {
    if exists(c, s, "meta")? {
        let row = c
            .query_opt(
                &format!("SELECT value FROM {s}.meta WHERE key = 'schema_version'"),
                &[],
            )
            .map_err(backend)?;
        if let Some(row) = row {
            let v: String = row.get(0);
            return v.parse().map_err(|_| {
                StoreError::Backend(format!("the schema's version `{v}` is not a number"))
            });
        }
    }
    Ok(u32::from(exists(c, s, "events")?))
}

/// Creates the tables, or upgrades a schema written by an older ocop to [`SCHEMA_VERSION`]
/// (only adding: every event is kept as it is). Run inside the transaction that holds the
/// schema's advisory lock; returns the version the schema had.
pub(crate) fn upgrade(c: &mut impl GenericClient, s: &str) -> Result<u32, StoreError> {
    let found = version(c, s)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::Backend(format!(
            "schema `{s}` has version {found}, newer than this ocop reads ({SCHEMA_VERSION}): use a newer ocop"
        )));
    }
    if found < SCHEMA_VERSION {
        c.batch_execute(&v1(s)).map_err(backend)?;
        c.batch_execute(&v2(s)).map_err(backend)?;
        c.execute(
            &format!(
                "INSERT INTO {s}.meta (key, value) VALUES ('schema_version', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            &[&SCHEMA_VERSION.to_string()],
        )
        .map_err(backend)?;
        if found > 0 {
            c.execute(
                &format!(
                    "INSERT INTO {s}.meta (key, value) VALUES ('upgraded_from', $1)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                ),
                &[&found.to_string()],
            )
            .map_err(backend)?;
        }
    }
    Ok(found)
}

fn small(n: u8) -> i16 {
    i16::from(n)
}

/// Writes the case's projection row (and so its due-date index entry).
pub(crate) fn write_summary(
    c: &mut impl GenericClient,
    s: &str,
    summary: &CaseSummary,
) -> Result<(), StoreError> {
    let body = serde_json::to_string(summary).map_err(|e| StoreError::Backend(e.to_string()))?;
    let version = to_i64(summary.version)?;
    c.execute(
        &format!(
            "INSERT INTO {s}.summaries (case_id, version, definition, definition_sha256, state, \
             stars, certificate_expiry, next_due, commune, product_set, body) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (case_id) DO UPDATE SET version = excluded.version, \
             definition = excluded.definition, definition_sha256 = excluded.definition_sha256, \
             state = excluded.state, stars = excluded.stars, \
             certificate_expiry = excluded.certificate_expiry, next_due = excluded.next_due, \
             commune = excluded.commune, product_set = excluded.product_set, body = excluded.body"
        ),
        &[
            &summary.case.as_str(),
            &version,
            &summary.definition.as_str(),
            &summary.definition_sha256,
            &summary.state.as_str(),
            &summary.certificate.as_ref().map(|c| small(c.stars.get())),
            &summary.certificate_valid_until().map(|d| d.to_string()),
            &summary.next_due.map(|d| d.to_string()),
            &summary.product.producer.commune,
            &small(summary.product.product_set.number()),
            &body,
        ],
    )
    .map_err(backend)?;
    Ok(())
}

/// Replaces the case's snapshot.
pub(crate) fn write_snapshot(
    c: &mut impl GenericClient,
    s: &str,
    case: &CaseId,
    snapshot: &Snapshot,
) -> Result<(), StoreError> {
    c.execute(
        &format!(
            "INSERT INTO {s}.snapshots (case_id, version, body) VALUES ($1, $2, $3) \
             ON CONFLICT (case_id) DO UPDATE SET version = excluded.version, body = excluded.body"
        ),
        &[&case.as_str(), &to_i64(snapshot.version)?, &snapshot.body],
    )
    .map_err(backend)?;
    Ok(())
}

/// The due-date read: one range scan of the partial index `summaries_due`.
pub(crate) fn due_query(s: &str) -> String {
    format!(
        "SELECT next_due, case_id, version FROM {s}.summaries \
         WHERE definition = $1 AND next_due < $2 ORDER BY next_due, case_id"
    )
}

pub(crate) fn due(
    c: &mut impl GenericClient,
    s: &str,
    definition: &DefinitionId,
    before: Date,
) -> Result<Vec<DueEntry>, StoreError> {
    let rows = c
        .query(&due_query(s), &[&definition.as_str(), &before.to_string()])
        .map_err(backend)?;
    rows.iter()
        .map(|r| {
            let due: String = r.get(0);
            let case: String = r.get(1);
            Ok(DueEntry {
                due: due.parse().map_err(|e| StoreError::Corrupt {
                    case: CaseId::new(case.clone()),
                    seq: 0,
                    reason: format!("the due-date index holds `{due}`: {e}"),
                })?,
                case: CaseId::new(case),
                version: to_u64(r.get(2))?,
            })
        })
        .collect()
}

pub(crate) fn summary(
    c: &mut impl GenericClient,
    s: &str,
    case: &CaseId,
) -> Result<Option<CaseSummary>, StoreError> {
    let row = c
        .query_opt(
            &format!("SELECT body FROM {s}.summaries WHERE case_id = $1"),
            &[&case.as_str()],
        )
        .map_err(backend)?;
    row.map(|r| decode_summary(case.as_str(), r.get(0)))
        .transpose()
}

pub(crate) fn summaries(
    c: &mut impl GenericClient,
    s: &str,
) -> Result<Vec<CaseSummary>, StoreError> {
    let rows = c
        .query(
            &format!("SELECT case_id, body FROM {s}.summaries ORDER BY case_id COLLATE \"C\""),
            &[],
        )
        .map_err(backend)?;
    rows.iter()
        .map(|r| decode_summary(r.get(0), r.get(1)))
        .collect()
}

/// The listing query of `q` and its parameters: only the filters it gives, in case-id byte
/// order (the index `summaries_by_id`) from the cursor, stopping at the limit.
pub(crate) fn list_query(s: &str, q: &SummaryQuery) -> (String, Vec<Box<dyn ToSql + Sync>>) {
    let mut sql = format!("SELECT case_id, body FROM {s}.summaries WHERE true");
    let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::new();
    let mut filter = |clause: &str, value: Box<dyn ToSql + Sync>, close: &str| {
        params.push(value);
        sql.push_str(&format!(" AND {clause} ${}{close}", params.len()));
    };
    if let Some(a) = &q.after {
        filter(
            "case_id COLLATE \"C\" >",
            Box::new(a.as_str().to_owned()),
            "",
        );
    }
    if let Some(v) = &q.state {
        filter("state =", Box::new(v.as_str().to_owned()), "");
    }
    if let Some(v) = &q.definition {
        filter("definition =", Box::new(v.as_str().to_owned()), "");
    }
    if let Some(v) = q.product_set {
        filter("product_set =", Box::new(small(v)), "");
    }
    if let Some(v) = &q.commune {
        // Under the C collation lower() folds ASCII letters only, as
        // `SummaryQuery::matches` does.
        filter(
            "lower(commune COLLATE \"C\") = lower(",
            Box::new(v.clone()),
            " COLLATE \"C\")",
        );
    }
    if let Some(v) = q.stars {
        filter("stars =", Box::new(small(v)), "");
    }
    if let Some(v) = q.due_before {
        filter("next_due <", Box::new(v.to_string()), "");
    }
    let limit = (q.limit > 0).then(|| i64::try_from(q.limit).unwrap_or(i64::MAX));
    params.push(Box::new(limit));
    sql.push_str(&format!(
        " ORDER BY case_id COLLATE \"C\" LIMIT ${}",
        params.len()
    ));
    (sql, params)
}

pub(crate) fn list(
    c: &mut impl GenericClient,
    s: &str,
    q: &SummaryQuery,
) -> Result<Vec<CaseSummary>, StoreError> {
    let (sql, params) = list_query(s, q);
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
    let rows = c.query(&sql, &refs).map_err(backend)?;
    rows.iter()
        .map(|r| decode_summary(r.get(0), r.get(1)))
        .collect()
}

pub(crate) fn unprojected(c: &mut impl GenericClient, s: &str) -> Result<Vec<CaseId>, StoreError> {
    let rows = c
        .query(
            &format!(
                "SELECT c.case_id FROM {s}.cases c LEFT JOIN {s}.summaries p ON p.case_id = c.case_id \
                 WHERE c.version > 0 AND (p.version IS NULL OR p.version <> c.version) \
                 ORDER BY c.case_id COLLATE \"C\""
            ),
            &[],
        )
        .map_err(backend)?;
    Ok(rows
        .iter()
        .map(|r| CaseId::new(r.get::<_, String>(0)))
        .collect())
}

pub(crate) fn snapshot(
    c: &mut impl GenericClient,
    s: &str,
    case: &CaseId,
) -> Result<Option<Snapshot>, StoreError> {
    let row = c
        .query_opt(
            &format!("SELECT version, body FROM {s}.snapshots WHERE case_id = $1"),
            &[&case.as_str()],
        )
        .map_err(backend)?;
    row.map(|r| {
        Ok(Snapshot {
            version: to_u64(r.get(0))?,
            body: r.get(1),
        })
    })
    .transpose()
}

pub(crate) fn put_definition(
    c: &mut impl GenericClient,
    s: &str,
    d: &StoredDefinition,
) -> Result<(), StoreError> {
    c.execute(
        &format!(
            "INSERT INTO {s}.definitions (sha256, id, version, file_name, text) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING"
        ),
        &[&d.sha256, &d.id.as_str(), &d.version, &d.file_name, &d.text],
    )
    .map_err(backend)?;
    Ok(())
}

pub(crate) fn has_definition(
    c: &mut impl GenericClient,
    s: &str,
    sha256: &str,
) -> Result<bool, StoreError> {
    let row = c
        .query_opt(
            &format!("SELECT 1 FROM {s}.definitions WHERE sha256 = $1"),
            &[&sha256],
        )
        .map_err(backend)?;
    Ok(row.is_some())
}

fn definition_row(r: &postgres::Row) -> StoredDefinition {
    StoredDefinition {
        sha256: r.get(0),
        id: DefinitionId::new(r.get::<_, String>(1)),
        version: r.get(2),
        file_name: r.get(3),
        text: r.get(4),
    }
}

pub(crate) fn definition(
    c: &mut impl GenericClient,
    s: &str,
    sha256: &str,
) -> Result<Option<StoredDefinition>, StoreError> {
    let row = c
        .query_opt(
            &format!(
                "SELECT sha256, id, version, file_name, text FROM {s}.definitions WHERE sha256 = $1"
            ),
            &[&sha256],
        )
        .map_err(backend)?;
    Ok(row.as_ref().map(definition_row))
}

pub(crate) fn definitions(
    c: &mut impl GenericClient,
    s: &str,
) -> Result<Vec<StoredDefinition>, StoreError> {
    let rows = c
        .query(
            &format!(
                "SELECT sha256, id, version, file_name, text FROM {s}.definitions \
                 ORDER BY id COLLATE \"C\", version COLLATE \"C\", sha256"
            ),
            &[],
        )
        .map_err(backend)?;
    Ok(rows.iter().map(definition_row).collect())
}
