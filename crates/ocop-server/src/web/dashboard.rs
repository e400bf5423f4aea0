//! The programme dashboard: the programme report (`ocop report`, `GET /api/v1/report`)
//! computed live from the province's store, with its tables and SVG charts as
//! `ocop_report` draws them, so the numbers are the same everywhere.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{PreEscaped, html};
use ocop_core::Date;
use serde::Deserialize;

use super::i18n::tr;
use super::layout::{Nav, Page};
use super::session::Viewer;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DashboardQuery {
    as_of: Option<String>,
}

/// `GET /dashboard?as_of=YYYY-MM-DD`.
pub(crate) async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let lang = viewer.lang;
    let province = match state.province(&viewer.principal) {
        Ok(p) => p,
        Err(p) => return super::case::problem_page(lang, &p),
    };
    let today = state.clock.now().vn_date();
    let as_of = q
        .as_of
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok())
        .unwrap_or(today);
    let p = Arc::clone(&province);
    let report = match crate::api::blocking(move || {
        crate::api::programme::compute_report(&p, as_of)
    })
    .await
    {
        Ok(Ok(r)) => r,
        Ok(Err(p)) | Err(p) => return super::case::problem_page(lang, &p),
    };
    let content = ocop_report::render_html_body(&report, lang);
    let body = html! {
        form.filters method="get" action="/dashboard" aria-label=(tr(lang, "Ngày báo cáo", "Report date")) {
            div {
                label for="as_of" { (tr(lang, "Số liệu đến ngày", "Figures as of")) }
                input #as_of type="date" name="as_of" value=(as_of.to_string());
            }
            button type="submit" { (tr(lang, "Xem", "Show")) }
        }
        div.report { (PreEscaped(content)) }
    };
    Page {
        state: &state,
        viewer: &viewer,
        title: tr(lang, "Tổng hợp chương trình OCOP", "OCOP programme").to_owned(),
        nav: Nav::Dashboard,
        here: format!("/dashboard?as_of={as_of}"),
        body,
        scripts: &[],
    }
    .render()
}
