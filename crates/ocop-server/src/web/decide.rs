//! The decision page (the council's result with each member's total and cap, and the
//! decisions the viewer may take), and the revocation page (the six grounds of Art. 8.1).

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use ocop_core::{definition::StateKind, domain::RevocationGround};
use ocop_engine::Case;

use super::case::{
    Fields, Needs, action_form, actions, case_url, command_fields, engine_of, events_of, load,
    needs, result_table,
};
use super::i18n::{self, day, tr};
use super::layout::{Nav, Page, error_page};
use super::session::Viewer;
use crate::log::RequestLog;
use crate::state::AppState;

/// A page about `case` at its `page` (`decision`, `revocation`): titled `what` and the
/// product's name, with the breadcrumb to it above `body`.
fn case_page(
    state: &AppState,
    viewer: &Viewer,
    case: &Case,
    (what, page): (&str, &str),
    body: Markup,
) -> Response {
    let lang = viewer.lang;
    let url = case_url(case.id().as_str());
    let body = html! {
        nav.crumbs aria-label=(tr(lang, "Vị trí", "Breadcrumb")) {
            a href="/work" { (tr(lang, "Việc của tôi", "My work")) } " › "
            a href=(url) { (case.product().name) } " › "
            span { (what) }
        }
        (body)
    };
    Page {
        state,
        viewer,
        title: format!("{what} — {}", case.product().name),
        nav: Nav::None,
        here: format!("{url}/{page}"),
        body,
        scripts: &[],
    }
    .render()
}

/// `GET /cases/{id}/decision`.
pub(crate) async fn decision(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, Response> {
    let lang = viewer.lang;
    let (province, case) = load(&state, &viewer, &id).await?;
    let engine = engine_of(&province, &case)?;
    let events = events_of(&province, &case, lang).await?;
    let cycle = engine.cycle();
    let in_decision = cycle
        .state(case.state())
        .is_some_and(|s| s.kind == StateKind::Decision);
    let acts = actions(engine, &case, &viewer, lang);
    let result = case.latest_result();
    let body = html! {
        h1 { (tr(lang, "Quyết định công nhận", "Decision")) ": " (case.product().name) }
        p.lead { (case.product().producer.name) " · " (tr(lang, "Bộ sản phẩm ", "Product set ")) (case.product().product_set.number()) }
        @match result {
            Some(r) => (result_table(&state, &case, &events, &r.evaluation, r, lang)),
            None => p.muted { (tr(lang, "Hội đồng chưa có kết quả.", "The council has no result yet.")) },
        }
        section.panel aria-labelledby="h-decide" {
            h2 #h-decide { (tr(lang, "Quyết định của bạn", "Your decision")) }
            @if !in_decision {
                p.muted { (tr(lang, "Hồ sơ không ở bước quyết định.", "The case is not awaiting a decision.")) }
            } @else if acts.is_empty() {
                p.muted { (tr(lang, "Vai trò của bạn không quyết định hồ sơ này.", "Your roles do not decide this case.")) }
            } @else {
                ul.actions { @for a in &acts { (action_form(&viewer, &case, a, lang)) } }
            }
        }
    };
    let what = tr(lang, "Quyết định", "Decision");
    Ok(case_page(&state, &viewer, &case, (what, "decision"), body))
}

/// `GET /cases/{id}/revocation`.
pub(crate) async fn revocation(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, Response> {
    let lang = viewer.lang;
    let (province, case) = load(&state, &viewer, &id).await?;
    let engine = engine_of(&province, &case)?;
    let url = case_url(case.id().as_str());
    let acts = actions(engine, &case, &viewer, lang);
    let grounded: Vec<_> = acts
        .iter()
        .filter(|a| needs(a.transition) == Needs::Ground)
        .collect();
    let others: Vec<_> = acts
        .iter()
        .filter(|a| needs(a.transition) != Needs::Ground && case.revocation().is_some())
        .collect();
    let today = engine.now().vn_date();
    let body = html! {
        h1 { (tr(lang, "Thu hồi giấy chứng nhận", "Revoking the certificate")) ": " (case.product().name) }
        @if let Some(c) = case.certificate() {
            p.lead { (c.number) " · " (i18n::stars(c.stars.get())) " · " (tr(lang, "hiệu lực đến ", "valid until ")) (day(lang, c.expires_on)) }
        }
        @if let Some(r) = case.revocation() {
            div.panel {
                h2 { (tr(lang, "Đang xem xét thu hồi", "Revocation in progress")) }
                p { (tr(lang, "Căn cứ: ", "Ground: ")) @if let Some(g) = r.ground { (i18n::ground(lang, g)) } }
                p { (tr(lang, "Ngày có kết luận: ", "Concluded on: ")) (day(lang, r.conclusion)) }
            }
        }
        @if grounded.is_empty() && others.is_empty() {
            p.muted { (tr(lang, "Vai trò của bạn không có bước thu hồi nào ở trạng thái hiện tại của hồ sơ.", "Your roles have no revocation step in the case's current state.")) }
        }
        @for a in &grounded {
            @if a.blocked.is_empty() {
                form.stack.narrow method="post" action={ (url) "/revocation" } {
                    h2 { (a.transition.label.get(lang)) }
                    (command_fields(&viewer, &case))
                    input type="hidden" name="transition" value=(a.transition.id);
                    input type="hidden" name="role" value=(a.role);
                    fieldset {
                        legend { (tr(lang, "Căn cứ thu hồi (Điều 8.1)", "Ground (Art. 8.1)")) }
                        @for g in RevocationGround::ALL {
                            div.opt {
                                input type="radio" name="ground" required value=(i18n::ground_id(g)) id={ "g-" (a.transition.id) "-" (i18n::ground_id(g)) } checked[case.revocation().and_then(|r| r.ground) == Some(g)];
                                label for={ "g-" (a.transition.id) "-" (i18n::ground_id(g)) } { (i18n::ground(lang, g)) }
                            }
                        }
                    }
                    @if a.transition.needs_ground() {
                        label for={ "conclusion-" (a.transition.id) } { (tr(lang, "Ngày có kết luận vi phạm", "Date of the conclusion")) }
                        input type="date" name="conclusion" id={ "conclusion-" (a.transition.id) } value=(today.to_string()) max=(today.to_string());
                    }
                    label for={ "note-" (a.transition.id) } { (tr(lang, "Ghi chú (số văn bản kết luận...)", "Note (the conclusion's reference...)")) }
                    textarea name="note" id={ "note-" (a.transition.id) } rows="3" maxlength="2000" {}
                    button.primary type="submit" { (a.transition.label.get(lang)) }
                }
            } @else {
                ul.actions { (action_form(&viewer, &case, a, lang)) }
            }
        }
        @if !others.is_empty() {
            ul.actions { @for a in &others { (action_form(&viewer, &case, a, lang)) } }
        }
    };
    let what = tr(lang, "Thu hồi", "Revocation");
    Ok(case_page(
        &state,
        &viewer,
        &case,
        (what, "revocation"),
        body,
    ))
}

/// `POST /cases/{id}/revocation`: opens or decides a revocation on the ground chosen.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    viewer: Viewer,
    log: RequestLog,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let lang = viewer.lang;
    if super::case::field(&f, "ground").is_none_or(str::is_empty) {
        return error_page(
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            tr(lang, "Hãy chọn một căn cứ thu hồi.", "Choose a ground."),
        );
    }
    super::case::take(State(state), viewer, log, Path(id), Form(f)).await
}
