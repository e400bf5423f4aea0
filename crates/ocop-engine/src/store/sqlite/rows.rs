//! The SQLite store's reads and writes beyond the events: projections (with the due-date
//! index), snapshots and definitions.

use ocop_core::{Date, ids::DefinitionId};
use rusqlite::{Connection, OptionalExtension, params};

use super::backend;
use crate::event::CaseId;
use crate::store::{
    DueEntry, Snapshot, StoreError, StoredDefinition, SummaryQuery, decode_summary,
};
use crate::summary::CaseSummary;

/// The due-date read: one range scan of the partial index `ocop_summaries_due`.
pub(super) const DUE_QUERY: &str = "SELECT next_due, case_id, version FROM ocop_summaries \
     WHERE definition = ?1 AND next_due < ?2 ORDER BY next_due, case_id";

pub(super) fn stored_version(conn: &Connection, case: &CaseId) -> Result<u64, StoreError> {
    let v: Option<u64> = conn
        .prepare_cached("SELECT version FROM ocop_cases WHERE case_id = ?1")
        .and_then(|mut s| s.query_row([case.as_str()], |r| r.get(0)).optional())
        .map_err(backend)?;
    Ok(v.unwrap_or(0))
}

/// A projection row: the summary's indexed columns and its JSON.
pub(super) struct Projection<'a> {
    summary: &'a CaseSummary,
    body: String,
}

impl<'a> Projection<'a> {
    pub(super) fn of(summary: &'a CaseSummary) -> Result<Self, StoreError> {
        let body =
            serde_json::to_string(summary).map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(Projection { summary, body })
    }

    pub(super) fn write(&self, conn: &Connection) -> Result<(), StoreError> {
        let s = self.summary;
        conn.prepare_cached(
            "INSERT INTO ocop_summaries (case_id, version, definition, definition_sha256, state, \
             stars, certificate_expiry, next_due, commune, product_set, body) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
             ON CONFLICT (case_id) DO UPDATE SET version = excluded.version, \
             definition = excluded.definition, definition_sha256 = excluded.definition_sha256, \
             state = excluded.state, stars = excluded.stars, \
             certificate_expiry = excluded.certificate_expiry, next_due = excluded.next_due, \
             commune = excluded.commune, product_set = excluded.product_set, body = excluded.body",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                s.case.as_str(),
                s.version,
                s.definition.as_str(),
                s.definition_sha256,
                s.state.as_str(),
                s.certificate.as_ref().map(|c| c.stars.get()),
                s.certificate_valid_until().map(|d| d.to_string()),
                s.next_due.map(|d| d.to_string()),
                s.product.producer.commune,
                s.product.product_set.number(),
                self.body,
            ])
        })
        .map_err(backend)?;
        Ok(())
    }
}

pub(super) fn due(
    conn: &Connection,
    definition: &DefinitionId,
    before: Date,
) -> Result<Vec<DueEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(DUE_QUERY).map_err(backend)?;
    let rows = stmt
        .query_map(params![definition.as_str(), before.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, u64>(2)?,
            ))
        })
        .map_err(backend)?;
    let mut out = Vec::new();
    for row in rows {
        let (due, case, version) = row.map_err(backend)?;
        let due = due.parse().map_err(|e| StoreError::Corrupt {
            case: CaseId::new(case.clone()),
            seq: 0,
            reason: format!("the due-date index holds `{due}`: {e}"),
        })?;
        out.push(DueEntry {
            due,
            case: CaseId::new(case),
            version,
        });
    }
    Ok(out)
}

pub(super) fn summary(conn: &Connection, case: &CaseId) -> Result<Option<CaseSummary>, StoreError> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM ocop_summaries WHERE case_id = ?1")
        .and_then(|mut s| s.query_row([case.as_str()], |r| r.get(0)).optional())
        .map_err(backend)?;
    body.map(|b| decode_summary(case.as_str(), &b)).transpose()
}

pub(super) fn summaries(conn: &Connection) -> Result<Vec<CaseSummary>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT case_id, body FROM ocop_summaries ORDER BY case_id")
        .map_err(backend)?;
    summary_rows(&mut stmt, [])
}

/// The summaries a `SELECT case_id, body FROM ocop_summaries …` statement returns.
fn summary_rows(
    stmt: &mut rusqlite::CachedStatement<'_>,
    params: impl rusqlite::Params,
) -> Result<Vec<CaseSummary>, StoreError> {
    let rows = stmt
        .query_map(params, |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(backend)?;
    let mut out = Vec::new();
    for row in rows {
        let (case, body) = row.map_err(backend)?;
        out.push(decode_summary(&case, &body)?);
    }
    Ok(out)
}

/// The listing query of `q`: only the filters it gives, so that SQLite walks the primary
/// key from the cursor and stops at the limit.
pub(super) fn list_query(q: &SummaryQuery) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let mut sql = String::from("SELECT case_id, body FROM ocop_summaries WHERE 1 = 1");
    let mut params: Vec<Value> = Vec::new();
    let mut filter = |clause: &str, value: Value| {
        params.push(value);
        sql.push_str(&format!(" AND {clause} ?{}", params.len()));
    };
    if let Some(a) = &q.after {
        filter("case_id >", Value::Text(a.as_str().to_owned()));
    }
    if let Some(v) = &q.state {
        filter("state =", Value::Text(v.as_str().to_owned()));
    }
    if let Some(v) = &q.definition {
        filter("definition =", Value::Text(v.as_str().to_owned()));
    }
    if let Some(v) = q.product_set {
        filter("product_set =", Value::Integer(v.into()));
    }
    if let Some(v) = &q.commune {
        // NOCASE folds ASCII letters only, as `SummaryQuery::matches` does.
        filter("commune COLLATE NOCASE =", Value::Text(v.clone()));
    }
    if let Some(v) = q.stars {
        filter("stars =", Value::Integer(v.into()));
    }
    if let Some(v) = q.due_before {
        filter("next_due <", Value::Text(v.to_string()));
    }
    params.push(Value::Integer(q.sql_limit()));
    sql.push_str(&format!(" ORDER BY case_id LIMIT ?{}", params.len()));
    (sql, params)
}

pub(super) fn list(conn: &Connection, q: &SummaryQuery) -> Result<Vec<CaseSummary>, StoreError> {
    let (sql, params) = list_query(q);
    let mut stmt = conn.prepare_cached(&sql).map_err(backend)?;
    summary_rows(&mut stmt, rusqlite::params_from_iter(params))
}

pub(super) fn unprojected(conn: &Connection) -> Result<Vec<CaseId>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT c.case_id FROM ocop_cases c LEFT JOIN ocop_summaries s ON s.case_id = c.case_id \
             WHERE s.version IS NULL OR s.version <> c.version ORDER BY c.case_id",
        )
        .map_err(backend)?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(backend)?;
    rows.map(|r| r.map(CaseId::new).map_err(backend)).collect()
}

pub(super) fn write_snapshot(
    conn: &Connection,
    case: &CaseId,
    snapshot: &Snapshot,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO ocop_snapshots (case_id, version, body) VALUES (?1, ?2, ?3) \
         ON CONFLICT (case_id) DO UPDATE SET version = excluded.version, body = excluded.body",
    )
    .and_then(|mut s| s.execute(params![case.as_str(), snapshot.version, snapshot.body]))
    .map_err(backend)?;
    Ok(())
}

pub(super) fn snapshot(conn: &Connection, case: &CaseId) -> Result<Option<Snapshot>, StoreError> {
    conn.prepare_cached("SELECT version, body FROM ocop_snapshots WHERE case_id = ?1")
        .and_then(|mut s| {
            s.query_row([case.as_str()], |r| {
                Ok(Snapshot {
                    version: r.get(0)?,
                    body: r.get(1)?,
                })
            })
            .optional()
        })
        .map_err(backend)
}

pub(super) fn put_definition(conn: &Connection, d: &StoredDefinition) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO ocop_definitions (sha256, id, version, file_name, text) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (sha256) DO NOTHING",
    )
    .and_then(|mut s| {
        s.execute(params![
            d.sha256,
            d.id.as_str(),
            d.version,
            d.file_name,
            d.text
        ])
    })
    .map_err(backend)?;
    Ok(())
}

pub(super) fn has_definition(conn: &Connection, sha256: &str) -> Result<bool, StoreError> {
    conn.prepare_cached("SELECT 1 FROM ocop_definitions WHERE sha256 = ?1")
        .and_then(|mut s| s.query_row([sha256], |_| Ok(())).optional())
        .map(|r| r.is_some())
        .map_err(backend)
}

fn definition_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDefinition> {
    Ok(StoredDefinition {
        sha256: r.get(0)?,
        id: DefinitionId::new(r.get::<_, String>(1)?),
        version: r.get(2)?,
        file_name: r.get(3)?,
        text: r.get(4)?,
    })
}

pub(super) fn definition(
    conn: &Connection,
    sha256: &str,
) -> Result<Option<StoredDefinition>, StoreError> {
    conn.prepare_cached(
        "SELECT sha256, id, version, file_name, text FROM ocop_definitions WHERE sha256 = ?1",
    )
    .and_then(|mut s| s.query_row([sha256], definition_row).optional())
    .map_err(backend)
}

pub(super) fn definitions(conn: &Connection) -> Result<Vec<StoredDefinition>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT sha256, id, version, file_name, text FROM ocop_definitions \
             ORDER BY id, version, sha256",
        )
        .map_err(backend)?;
    let rows = stmt.query_map([], definition_row).map_err(backend)?;
    rows.collect::<Result<_, _>>().map_err(backend)
}
