//! `/deadlines`, `/report` and `/export`: the province's programme as a whole.

use axum::body::Body;
use axum::http::header;
use axum::response::IntoResponse;
use ocop_core::Cycle;
use ocop_core::Date;
use ocop_engine::{CaseId, CaseSummary, SummaryQuery};
use ocop_report::ReportInput;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::blocking;
use super::extract::{ApiQuery, Caller};
use super::output::{ExportOutput, Reply, ReportOutput};
use super::problem::Problem;
use crate::listing::{self, DueItem};
use crate::province::Province;

/// Query of the deadlines route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeadlinesQuery {
    /// Deadlines whose last day falls before this day (default: 8 days from today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Date>,
}

/// The deadlines due.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Deadlines {
    /// Today, by the server's clock (Vietnam).
    pub today: Date,
    /// The day asked.
    pub before: Date,
    /// The deadlines, by due date then case.
    pub items: Vec<DueItem>,
}

/// `GET /api/v1/deadlines`: the province's deadlines not yet fired.
pub(crate) async fn deadlines(
    Caller {
        state,
        principal,
        lang,
    }: Caller,
    ApiQuery(q): ApiQuery<DeadlinesQuery>,
) -> Result<Reply<Deadlines>, Problem> {
    let province = state.province(&principal)?;
    let today = state.clock.now().vn_date();
    let before = q.before.unwrap_or_else(|| today.add_days(8));
    blocking(move || listing::deadlines(&province, before, today))
        .await?
        .map(|items| {
            Reply::ok(Deadlines {
                today,
                before,
                items,
            })
        })
        .map_err(|e| Problem::command(&e, false).in_lang(lang))
}

/// How to render the report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ReportFormat {
    /// JSON (schemas/programme-report.schema.json).
    #[default]
    Json,
    /// Markdown.
    Md,
    /// A self-contained HTML page with SVG charts.
    Html,
}

/// Query of the report route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportQuery {
    /// `json` (default), `md` or `html`.
    #[serde(default)]
    pub format: ReportFormat,
    /// The report's date (default: today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
}

/// Projections read per query when the whole province is read (report, export).
const BATCH: usize = 1_000;

/// The projections of the cases after `after`, a batch at a time (no event is read), until
/// the last or until `each` says stop.
fn for_each_batch(
    province: &Province,
    after: Option<CaseId>,
    mut each: impl FnMut(Vec<CaseSummary>) -> bool,
) -> Result<(), Problem> {
    let mut query = SummaryQuery {
        after,
        limit: BATCH,
        ..SummaryQuery::default()
    };
    loop {
        let batch = province
            .store
            .list(&query)
            .map_err(|e| Problem::store(&e))?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
        query.after = Some(last.case.clone());
        let full = batch.len() == BATCH;
        if !each(batch) || !full {
            return Ok(());
        }
    }
}

/// The export's JSON Lines for a batch of projections.
fn export_lines(batch: &[CaseSummary], as_of: Date) -> String {
    ocop_report::export(batch, as_of)
        .into_iter()
        .filter_map(|r| serde_json::to_string(&r).ok())
        .map(|mut s| {
            s.push('\n');
            s
        })
        .collect()
}

/// The programme report of a province on `as_of`, from its projections (the API's and the
/// dashboard's numbers are the same by construction).
pub(crate) fn compute_report(
    province: &Province,
    as_of: Date,
) -> Result<ocop_report::ProgrammeReport, Problem> {
    let mut cases = Vec::new();
    for_each_batch(province, None, |batch| {
        cases.extend(batch);
        true
    })?;
    // The title, province, plan year and targets come from the definitions' jurisdiction
    // data, as `ocop report` takes them from the definitions the database keeps.
    let cycles: Vec<&Cycle> = province.engines.values().map(|e| e.cycle()).collect();
    Ok(ocop_report::compute(&ReportInput {
        as_of,
        cycles: &cycles,
        cases: &cases,
    }))
}

/// `GET /api/v1/report`: the programme report.
pub(crate) async fn report(
    Caller {
        state,
        principal,
        lang,
    }: Caller,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<ReportOutput, Problem> {
    let province = state.province(&principal)?;
    let as_of = q.as_of.unwrap_or_else(|| state.clock.now().vn_date());
    let response = blocking(move || -> Result<axum::response::Response, Problem> {
        let report = compute_report(&province, as_of)?;
        Ok(match q.format {
            ReportFormat::Json => axum::Json(report).into_response(),
            ReportFormat::Md => (
                [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
                ocop_report::render_markdown(&report, lang),
            )
                .into_response(),
            ReportFormat::Html => (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                ocop_report::render_html(&report, lang),
            )
                .into_response(),
        })
    })
    .await
    .and_then(|r| r)
    .map_err(|p| p.in_lang(lang))?;
    Ok(ReportOutput(response))
}

/// Query of the export route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExportQuery {
    /// Certificates valid on this day (default: today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
}

/// `GET /api/v1/export`: certified products as JSON Lines, streamed from the projections a
/// batch of cases at a time.
pub(crate) async fn export(
    Caller {
        state,
        principal,
        lang,
    }: Caller,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<ExportOutput, Problem> {
    let province = state.province(&principal)?;
    let as_of = q.as_of.unwrap_or_else(|| state.clock.now().vn_date());
    // The first batch is read before answering, so that a store that cannot be read is a
    // problem response rather than a cut stream.
    let first = {
        let p = std::sync::Arc::clone(&province);
        blocking(move || {
            p.store
                .list(&SummaryQuery {
                    limit: BATCH,
                    ..SummaryQuery::default()
                })
                .map_err(|e| Problem::store(&e))
        })
        .await
        .and_then(|r| r)
        .map_err(|p| p.in_lang(lang))?
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(16);
    tokio::task::spawn_blocking(move || {
        let lines = export_lines(&first, as_of);
        if !lines.is_empty() && tx.blocking_send(Ok(lines)).is_err() {
            return;
        }
        let Some(after) = first.last().filter(|_| first.len() == BATCH) else {
            return;
        };
        let sent = for_each_batch(&province, Some(after.case.clone()), |batch| {
            let lines = export_lines(&batch, as_of);
            lines.is_empty() || tx.blocking_send(Ok(lines)).is_ok()
        });
        if sent.is_err() {
            tracing::error!(target: "ocop_server::export", "export stopped: the store failed");
            let _ = tx.blocking_send(Err(std::io::Error::other("export failed")));
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    Ok(ExportOutput(
        ([(header::CONTENT_TYPE, "application/jsonl")], body).into_response(),
    ))
}
