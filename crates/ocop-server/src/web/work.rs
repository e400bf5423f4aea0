//! "My work": the cases waiting for an action of mine (a transition I may take, a council
//! action, or a state my role owns), soonest deadline first, the deadline counted down in
//! working days (red when overdue); filters and paging. `?scope=all` lists every case of
//! the province. The cases are read through `listing::list`, the one place that reads
//! many cases.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use ocop_core::{Date, Lang, ProductSet};
use ocop_engine::Actor;
use serde::Deserialize;

use super::case::{case_url, deadline_badge};
use super::i18n::tr;
use super::layout::{Nav, Page};
use super::session::{Viewer, encode_query};
use crate::api::problem::Problem;
use crate::listing::{self, CaseFilter, ListError};
use crate::state::AppState;

const PER_PAGE: usize = 20;

#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct WorkQuery {
    scope: Option<String>,
    state: Option<String>,
    definition: Option<String>,
    set: Option<String>,
    commune: Option<String>,
    overdue: Option<String>,
    page: Option<usize>,
}

impl WorkQuery {
    fn all(&self) -> bool {
        self.scope.as_deref() == Some("all")
    }

    fn non_empty(v: &Option<String>) -> Option<String> {
        v.as_ref()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    /// The query string of this filter on page `page`.
    fn href(&self, page: usize) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("scope", &self.scope),
            ("state", &self.state),
            ("definition", &self.definition),
            ("set", &self.set),
            ("commune", &self.commune),
            ("overdue", &self.overdue),
        ] {
            if let Some(v) = Self::non_empty(v) {
                parts.push(format!("{k}={}", encode_query(&v)));
            }
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            "/work".into()
        } else {
            format!("/work?{}", parts.join("&"))
        }
    }
}

struct Row {
    id: String,
    product: String,
    producer: String,
    commune: String,
    state: String,
    next: Vec<String>,
    due: Option<Date>,
    badge: Option<Markup>,
}

fn rows(
    province: &crate::province::Province,
    viewer: &Viewer,
    q: &WorkQuery,
    lang: Lang,
) -> Result<Vec<Row>, ListError> {
    let filter = CaseFilter {
        state: WorkQuery::non_empty(&q.state),
        definition: WorkQuery::non_empty(&q.definition),
        product_set: WorkQuery::non_empty(&q.set).and_then(|s| s.parse().ok()),
        commune: WorkQuery::non_empty(&q.commune),
        limit: Some(crate::listing::MAX_PAGE),
        ..CaseFilter::default()
    };
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = listing::list(
            province,
            &CaseFilter {
                cursor: cursor.clone(),
                ..filter.clone()
            },
        )?;
        for s in &page.items {
            let Ok((engine, case)) = province.case(&s.case) else {
                continue;
            };
            let cycle = engine.cycle();
            if cycle.is_terminal(case.state()) && !q.all() {
                continue;
            }
            let mut next: Vec<String> = Vec::new();
            for role in &viewer.principal.roles {
                for t in engine.available(
                    &case,
                    &Actor::new(viewer.principal.actor.clone(), role.clone()),
                ) {
                    let label = cycle
                        .transition(&t)
                        .map_or_else(|| t.to_string(), |x| x.label.get(lang).to_owned());
                    if !next.contains(&label) {
                        next.push(label);
                    }
                }
            }
            for a in crate::api::cases::council_actions(engine, &case, &viewer.principal) {
                next.push(match a.action.as_str() {
                    "submit_sheet" => tr(lang, "Chấm điểm", "Score").to_owned(),
                    _ => tr(lang, "Thành lập hội đồng", "Constitute the council").to_owned(),
                });
            }
            let owned = cycle
                .state(case.state())
                .and_then(|st| st.owner.as_ref())
                .is_some_and(|o| viewer.principal.roles.contains(o));
            if !q.all() && next.is_empty() && !owned {
                continue;
            }
            let due = s.deadline.as_ref().filter(|d| !d.fired).map(|d| d.due);
            if q.overdue.is_some() && due.is_none_or(|d| d >= engine.now().vn_date()) {
                continue;
            }
            out.push(Row {
                id: s.case.to_string(),
                product: s.product.name.clone(),
                producer: s.product.producer.name.clone(),
                commune: s.product.producer.commune.clone(),
                state: s
                    .state_label
                    .as_ref()
                    .map_or_else(|| s.state.to_string(), |l| l.get(lang).to_owned()),
                next,
                due,
                badge: due.map(|d| deadline_badge(engine, d, lang)),
            });
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    if !q.all() {
        out.sort_by(|a, b| match (a.due, b.due) {
            (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.id.cmp(&b.id)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.id.cmp(&b.id),
        });
    }
    Ok(out)
}

/// `GET /work`.
pub(crate) async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<WorkQuery>,
) -> Response {
    let lang = viewer.lang;
    let province = match state.province(&viewer.principal) {
        Ok(p) => p,
        Err(p) => return super::case::problem_page(lang, &p),
    };
    let p = Arc::clone(&province);
    let (v, q2) = (viewer.clone(), q.clone());
    let rows = match crate::api::blocking(move || rows(&p, &v, &q2, lang)).await {
        Ok(Ok(r)) => r,
        Ok(Err(ListError::Case(e))) => {
            return super::case::problem_page(lang, &Problem::command(&e, false));
        }
        Ok(Err(ListError::BadCursor)) | Err(_) => {
            return super::case::problem_page(lang, &Problem::internal());
        }
    };
    let total = rows.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let shown: Vec<&Row> = rows
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    let mut states: Vec<(String, String)> = Vec::new();
    for d in state.catalogue.definitions.values() {
        for s in &d.cycle.definition().states {
            if !states.iter().any(|(id, _)| id == s.id.as_str()) {
                states.push((s.id.to_string(), s.label.get(lang).to_owned()));
            }
        }
    }
    let title = if q.all() {
        tr(lang, "Tất cả hồ sơ", "All cases")
    } else {
        tr(lang, "Việc của tôi", "My work")
    };
    let sel = |v: &Option<String>, x: &str| v.as_deref() == Some(x);
    let body = html! {
        h1 { (title) }
        form.filters method="get" action="/work" role="search" aria-label=(tr(lang, "Lọc hồ sơ", "Filter the cases")) {
            @if q.all() { input type="hidden" name="scope" value="all"; }
            div {
                label for="f-state" { (tr(lang, "Bước", "Step")) }
                select #f-state name="state" {
                    option value="" { (tr(lang, "Tất cả", "Any")) }
                    @for (id, label) in &states { option value=(id) selected[sel(&q.state, id)] { (label) } }
                }
            }
            div {
                label for="f-def" { (tr(lang, "Quy trình", "Cycle")) }
                select #f-def name="definition" {
                    option value="" { (tr(lang, "Tất cả", "Any")) }
                    @for (id, d) in &state.catalogue.definitions { option value=(id) selected[sel(&q.definition, id)] { (d.cycle.definition().label.get(lang)) } }
                }
            }
            div {
                label for="f-set" { (tr(lang, "Bộ sản phẩm", "Product set")) }
                select #f-set name="set" {
                    option value="" { (tr(lang, "Tất cả", "Any")) }
                    @for s in ProductSet::all() { option value=(s.number()) selected[sel(&q.set, &s.number().to_string())] { (s.number()) ". " (s.info().label(lang)) } }
                }
            }
            div {
                label for="f-commune" { (tr(lang, "Xã", "Commune")) }
                input #f-commune type="text" name="commune" value=[q.commune.as_deref()];
            }
            div.check {
                input #f-overdue type="checkbox" name="overdue" value="1" checked[q.overdue.is_some()];
                label for="f-overdue" { (tr(lang, "Chỉ hồ sơ quá hạn", "Overdue only")) }
            }
            button type="submit" { (tr(lang, "Lọc", "Filter")) }
        }
        p.count role="status" { (match lang { Lang::Vi => format!("{total} hồ sơ"), Lang::En => format!("{total} cases") }) }
        @if shown.is_empty() {
            p.muted { (if q.all() { tr(lang, "Không có hồ sơ nào.", "There are no cases.") } else { tr(lang, "Không có hồ sơ nào đang chờ bạn.", "No case is waiting for you.") }) }
        } @else {
            div.table-wrap {
                table.work {
                    caption.sr { (title) }
                    thead { tr {
                        th scope="col" { (tr(lang, "Sản phẩm", "Product")) }
                        th scope="col" { (tr(lang, "Chủ thể, xã", "Producer, commune")) }
                        th scope="col" { (tr(lang, "Bước hiện tại", "Current step")) }
                        th scope="col" { (tr(lang, "Việc cần làm", "To do")) }
                        th scope="col" { (tr(lang, "Thời hạn", "Deadline")) }
                    } }
                    tbody {
                        @for r in &shown {
                            tr {
                                td { a href=(case_url(&r.id)) { (r.product) } br; span.muted.small { (r.id) } }
                                td { (r.producer) br; span.muted.small { (r.commune) } }
                                td { (r.state) }
                                td { (r.next.join(", ")) }
                                td { @if let Some(b) = &r.badge { (b) } }
                            }
                        }
                    }
                }
            }
            @if pages > 1 {
                nav.pager aria-label=(tr(lang, "Trang", "Pages")) {
                    @if page > 1 { a rel="prev" href=(q.href(page - 1)) { "‹ " (tr(lang, "Trang trước", "Previous")) } }
                    span { (match lang { Lang::Vi => format!("Trang {page}/{pages}"), Lang::En => format!("Page {page} of {pages}") }) }
                    @if page < pages { a rel="next" href=(q.href(page + 1)) { (tr(lang, "Trang sau", "Next")) " ›" } }
                }
            }
        }
    };
    Page {
        state: &state,
        viewer: &viewer,
        title: title.to_owned(),
        nav: if q.all() { Nav::All } else { Nav::Work },
        here: q.href(page),
        body,
        scripts: &[],
    }
    .render()
}
