//! `/deadlines`, `/report` and `/export`: the province's programme as a whole.

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use ocop_core::Date;
use ocop_engine::{Case, Engine};
use ocop_report::{ReportInput, Targets};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::blocking;
use super::extract::{ApiQuery, Language};
use super::output::{ExportOutput, Reply, ReportOutput};
use super::problem::Problem;
use crate::auth::Principal;
use crate::listing::{self, DueItem};
use crate::province::Province;
use crate::state::AppState;

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
    State(state): State<AppState>,
    principal: Principal,
    Language(lang): Language,
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

fn load_cases(province: &Province) -> Result<Vec<Case>, Problem> {
    let ids = province.store.cases().map_err(|e| Problem::store(&e))?;
    ids.iter()
        .map(|id| {
            province
                .case(id)
                .map(|(_, c)| c)
                .map_err(|e| Problem::command(&e, false))
        })
        .collect()
}

/// `GET /api/v1/report`: the programme report.
pub(crate) async fn report(
    State(state): State<AppState>,
    principal: Principal,
    Language(lang): Language,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<ReportOutput, Problem> {
    let province = state.province(&principal)?;
    let as_of = q.as_of.unwrap_or_else(|| state.clock.now().vn_date());
    let response = blocking(move || -> Result<axum::response::Response, Problem> {
        let cases = load_cases(&province)?;
        let targets = province.targets.clone().unwrap_or(Targets {
            format: 1,
            basis: String::new(),
            year: as_of.year(),
            new_three_star: 0,
            new_four_star: 0,
            new_five_star: 0,
            existing_to_standardise: None,
        });
        let engines: Vec<&Engine> = province.engines.values().collect();
        let report = ocop_report::compute(&ReportInput {
            province: &province.config.name,
            as_of,
            targets: &targets,
            engines: &engines,
            cases: &cases,
        });
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

/// `GET /api/v1/export`: certified products as JSON Lines, streamed case by case.
pub(crate) async fn export(
    State(state): State<AppState>,
    principal: Principal,
    Language(lang): Language,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<ExportOutput, Problem> {
    let province = state.province(&principal)?;
    let as_of = q.as_of.unwrap_or_else(|| state.clock.now().vn_date());
    let ids = {
        let p = std::sync::Arc::clone(&province);
        blocking(move || p.store.cases().map_err(|e| Problem::store(&e)))
            .await
            .and_then(|r| r)
            .map_err(|p| p.in_lang(lang))?
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(16);
    tokio::task::spawn_blocking(move || {
        for id in ids {
            let line = match province.case(&id) {
                Ok((_, case)) => ocop_report::export(std::slice::from_ref(&case), as_of)
                    .into_iter()
                    .filter_map(|r| serde_json::to_string(&r).ok())
                    .map(|mut s| {
                        s.push('\n');
                        s
                    })
                    .collect::<String>(),
                Err(e) => {
                    tracing::error!(target: "ocop_server::export", case = %id, error = %e, "export stopped");
                    let _ = tx.blocking_send(Err(std::io::Error::other("export failed")));
                    return;
                }
            };
            if !line.is_empty() && tx.blocking_send(Ok(line)).is_err() {
                return;
            }
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx));
    Ok(ExportOutput(
        ([(header::CONTENT_TYPE, "application/jsonl")], body).into_response(),
    ))
}
