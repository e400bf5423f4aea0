//! The case page and the commands taken from it: a transition, the dossier's documents,
//! the council's members; and the page that opens a case.
//!
//! Why one file of 1,200 lines: the handlers here (the page, a transition, the dossier,
//! the council, opening a case) read the same case view and come back to the same page,
//! with a flash message saying what was done or why the command was refused, so the page's
//! drawing and the forms that post from it change together. The score sheet
//! and the decision pages, which have their own forms, are in `score.rs` and `decide.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, PreEscaped, html};
use ocop_core::cycle::{Effect, Guard, Transition};
use ocop_core::{
    Lang, ProductSet,
    definition::StateKind,
    domain::{DossierDocument, Level, ProducerKind, RegistrationType},
    ids::{EvaluationId, RoleId, TransitionId},
};
use ocop_engine::{
    Action, Actor, Case, CaseId, CouncilMember, Engine, Event, EventBody, InspectionOutcome,
    Product, TransitionInput,
};

use super::explain::{explain, pick_guard};
use super::i18n::{self, day, document, moment, points, stars, tr};
use super::layout::{Nav, Page, error_page, role_label};
use super::session::{Viewer, random_token};
use crate::api::cases::{CommandCall, check_id, encode_segment, run};
use crate::api::extract::{Caller, CommandHeaders};
use crate::api::problem::{ErrorCode, Problem};
use crate::log::RequestLog;
use crate::province::Province;
use crate::state::AppState;

/// A form's fields.
pub(crate) type Fields = Vec<(String, String)>;

/// The first value of field `k`.
pub(crate) fn field<'a>(f: &'a Fields, k: &str) -> Option<&'a str> {
    f.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

/// A form's command as the API takes it: the viewer, and the form's idempotency key (`key`,
/// a hidden field) and the case version it showed (`version`, where the form has one).
pub(crate) fn form_call(
    state: &AppState,
    viewer: &Viewer,
    f: &Fields,
    log: &RequestLog,
) -> CommandCall {
    CommandCall {
        caller: Caller {
            state: state.clone(),
            principal: viewer.principal.clone(),
            lang: viewer.lang,
        },
        headers: CommandHeaders {
            idempotency_key: field(f, "key")
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .map(str::to_owned),
            if_match: field(f, "version").and_then(|v| v.parse().ok()),
        },
        log: log.clone(),
    }
}

/// The page path of a case.
pub(crate) fn case_url(id: &str) -> String {
    format!("/cases/{}", encode_segment(id))
}

/// The error page for a problem.
pub(crate) fn problem_page(lang: Lang, p: &Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let p = p.clone().in_lang(lang);
    error_page(lang, status, &format!("{}: {}", p.title, p.detail))
}

/// The viewer's province and case `id` in it (404 for another province's case).
pub(crate) async fn load(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<(Arc<Province>, Case), Response> {
    let lang = viewer.lang;
    let id = check_id(id).map_err(|p| problem_page(lang, &p))?;
    let province = state
        .province(&viewer.principal)
        .map_err(|p| problem_page(lang, &p))?;
    let p = Arc::clone(&province);
    let case = crate::api::blocking(move || p.case(&id).map(|(_, c)| c))
        .await
        .map_err(|p| problem_page(lang, &p))?
        .map_err(|e| problem_page(lang, &Problem::command(&e, false)))?;
    Ok((province, case))
}

/// Every event of a loaded case, in order.
pub(crate) async fn events_of(
    province: &Arc<Province>,
    case: &Case,
    lang: Lang,
) -> Result<Vec<Event>, Response> {
    let p = Arc::clone(province);
    let cid = case.id().clone();
    match crate::api::blocking(move || p.store.load(&cid, 0)).await {
        Ok(Ok(e)) => Ok(e),
        Ok(Err(e)) => Err(problem_page(lang, &Problem::store(&e))),
        Err(p) => Err(problem_page(lang, &p)),
    }
}

/// The engine of a loaded case.
pub(crate) fn engine_of<'a>(province: &'a Province, case: &Case) -> Result<&'a Engine, Response> {
    province
        .engines
        .get(case.definition().as_str())
        .ok_or_else(|| error_page(Lang::Vi, StatusCode::NOT_FOUND, "definition not loaded"))
}

/// A transition the viewer could take from the case's state, and why it is blocked now.
pub(crate) struct ActionView<'a> {
    pub(crate) transition: &'a Transition,
    pub(crate) role: RoleId,
    /// Empty when it can be taken now.
    pub(crate) blocked: Vec<String>,
    /// Whether it ends the case (withdrawal, refusal): asked twice, not the main button.
    pub(crate) ends: bool,
}

/// What a transition needs from the form besides a click.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Needs {
    Nothing,
    Inspection,
    Ground,
}

pub(crate) fn needs(t: &Transition) -> Needs {
    if t.needs_ground()
        || t.effects
            .iter()
            .any(|e| matches!(e, Effect::RevokeCertificate))
    {
        Needs::Ground
    } else if t
        .effects
        .iter()
        .any(|e| matches!(e, Effect::RecordInspection { .. }))
    {
        Needs::Inspection
    } else {
        Needs::Nothing
    }
}

/// The transitions leaving the case's state that one of the viewer's roles may take, each
/// with the reasons (in words) it cannot be taken now. Transitions of roles the viewer
/// does not hold are not listed at all.
pub(crate) fn actions<'a>(
    engine: &'a Engine,
    case: &Case,
    viewer: &Viewer,
    lang: Lang,
) -> Vec<ActionView<'a>> {
    let cycle = engine.cycle();
    if case.definition() != &cycle.definition().id || cycle.is_terminal(case.state()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for t in cycle.outgoing(case.state()) {
        let Some(role) = t.roles.iter().find(|r| viewer.principal.roles.contains(r)) else {
            continue;
        };
        let available = viewer.principal.roles.iter().any(|r| {
            t.roles.contains(r)
                && engine
                    .available(case, &Actor::new(viewer.principal.actor.clone(), r.clone()))
                    .contains(&t.id)
        });
        let mut blocked = Vec::new();
        if !available {
            for e in engine.failing_guards(case, &t.id, &TransitionInput::default()) {
                match e {
                    ocop_engine::CommandError::GuardFailed { guard, reason, .. } => {
                        let g = pick_guard(&t.guards, &guard, &reason);
                        // The ground is chosen on the form that takes the step.
                        if !matches!(g, Some(Guard::RevocationGround)) {
                            blocked.push(explain(engine, case, g, &reason, lang));
                        }
                    }
                    // A guard plugin that could not be asked: its error, in words.
                    other => {
                        let p = Problem::command(&other, false).in_lang(lang);
                        blocked.push(format!("{}: {}", p.title, p.detail));
                    }
                }
            }
            if blocked.is_empty() {
                blocked.push(
                    tr(
                        lang,
                        "Bạn đã tham gia hồ sơ này ở một vai trò khác nên không thể thực hiện bước này (nguyên tắc phân tách nhiệm vụ).",
                        "You acted on this case in another role, so you may not take this step (separation of duties).",
                    )
                    .to_owned(),
                );
            }
        }
        out.push(ActionView {
            transition: t,
            role: role.clone(),
            blocked,
            ends: cycle.is_terminal(&t.to),
        });
    }
    out
}

/// The hidden fields every command form carries.
pub(crate) fn command_fields(viewer: &Viewer, case: &Case) -> Markup {
    html! {
        input type="hidden" name="csrf" value=(viewer.csrf);
        input type="hidden" name="version" value=(case.version());
        input type="hidden" name="key" value=(random_token(16));
    }
}

/// A form button taking `a.transition`, or the reasons it is blocked.
pub(crate) fn action_form(viewer: &Viewer, case: &Case, a: &ActionView<'_>, lang: Lang) -> Markup {
    let t = a.transition;
    let id = format!("why-{}", t.id);
    let url = case_url(case.id().as_str());
    html! {
        li.action {
            @if a.blocked.is_empty() {
                @match needs(t) {
                    Needs::Ground => {
                        a.button href={ (url) "/revocation" } { (t.label.get(lang)) }
                    }
                    need => {
                        form.inline method="post" action={ (url) "/take" } data-confirm=[a.ends.then(|| match lang {
                            Lang::Vi => format!("«{}» kết thúc hồ sơ và không thể hoàn tác. Tiếp tục?", t.label.get(lang)),
                            Lang::En => format!("“{}” ends the case and cannot be undone. Go on?", t.label.get(lang)),
                        })] {
                            (command_fields(viewer, case))
                            input type="hidden" name="transition" value=(t.id);
                            input type="hidden" name="role" value=(a.role);
                            @if need == Needs::Inspection {
                                label for={ "insp-" (t.id) } { (tr(lang, "Kết quả kiểm tra", "Outcome")) }
                                select id={ "insp-" (t.id) } name="inspection" {
                                    option value="compliant" { (tr(lang, "Đạt yêu cầu", "Compliant")) }
                                    option value="non_compliant" { (tr(lang, "Có vi phạm", "Non-compliant")) }
                                }
                            }
                            @if a.ends { button type="submit" { (t.label.get(lang)) } }
                            @else { button.primary type="submit" { (t.label.get(lang)) } }
                        }
                    }
                }
            } @else {
                button type="button" disabled aria-describedby=(id) { (t.label.get(lang)) }
                div.why id=(id) {
                    strong { (tr(lang, "Chưa thực hiện được: ", "Not possible yet: ")) }
                    @for b in &a.blocked { span { (b) " " } }
                }
            }
        }
    }
}

/// Whether the sheet of event `seq` by `member` in `evaluation` may be shown to the
/// viewer: their own, or once the council has recorded a result after it.
pub(crate) fn sheet_visible(
    events: &[Event],
    seq: u64,
    evaluation: &EvaluationId,
    member: &str,
    viewer: &str,
) -> bool {
    member == viewer || events.iter().any(|e| {
        e.seq > seq
            && matches!(&e.body, EventBody::EvaluationRecorded(r) if &r.evaluation == evaluation)
    })
}

/// Days until `due` as working days (negative when past), by the engine's calendar; calendar
/// days when the calendar does not cover the span.
pub(crate) fn working_days(
    engine: &Engine,
    today: ocop_core::Date,
    due: ocop_core::Date,
) -> (i64, bool) {
    let span = today.days_until(due);
    if span.abs() > 400 {
        return (span, false);
    }
    let (from, to, sign) = if span >= 0 {
        (today, due, 1)
    } else {
        (due, today, -1)
    };
    let mut n = 0;
    let mut d = from;
    while d < to {
        d = d.add_days(1);
        match engine.calendar().is_working_day(d) {
            Ok(true) => n += 1,
            Ok(false) => {}
            Err(_) => return (span, false),
        }
    }
    (sign * n, true)
}

/// The deadline in words: "còn 5 ngày làm việc (đến 22/06/2026)", red when overdue.
pub(crate) fn deadline_badge(engine: &Engine, due: ocop_core::Date, lang: Lang) -> Markup {
    let today = engine.now().vn_date();
    let (n, working) = working_days(engine, today, due);
    let unit = match (working, lang) {
        (true, Lang::Vi) => "ngày làm việc",
        (true, Lang::En) => "working days",
        (false, Lang::Vi) => "ngày",
        (false, Lang::En) => "days",
    };
    let when = day(lang, due);
    html! {
        @if n < 0 || (n == 0 && today > due) {
            span.due.overdue { (match lang { Lang::Vi => format!("Quá hạn {} {unit} (hạn {when})", -n), Lang::En => format!("Overdue by {} {unit} (due {when})", -n) }) }
        } @else if n == 0 {
            span.due.soon { (match lang { Lang::Vi => format!("Hết hạn hôm nay ({when})"), Lang::En => format!("Due today ({when})") }) }
        } @else {
            span.due class=[(n <= 3).then_some("soon")] { (match lang { Lang::Vi => format!("Còn {n} {unit} (hạn {when})"), Lang::En => format!("{n} {unit} left (due {when})") }) }
        }
    }
}

/// The producer-level roles of a definition.
fn producer_roles(engine: &Engine) -> Vec<RoleId> {
    engine
        .cycle()
        .definition()
        .roles
        .iter()
        .filter(|r| r.level == Level::Producer)
        .map(|r| r.id.clone())
        .collect()
}

/// `GET /cases/{id}`.
pub(crate) async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, Response> {
    let lang = viewer.lang;
    let (province, case) = load(&state, &viewer, &id).await?;
    let engine = engine_of(&province, &case)?;
    let events = events_of(&province, &case, lang).await?;
    let cycle = engine.cycle();
    let summary = engine.summary(&case);
    let product = case.product();
    let state_label = cycle.state(case.state()).map_or_else(
        || case.state().to_string(),
        |s| s.label.get(lang).to_owned(),
    );
    let title = format!("{} — {}", product.name, state_label);
    let graph = super::graph::svg(
        cycle,
        case.state(),
        lang,
        &title,
        &match lang {
            Lang::Vi => format!(
                "Sơ đồ quy trình {}; bước hiện tại được tô vàng: {state_label}.",
                cycle.definition().label.get(lang)
            ),
            Lang::En => format!(
                "The cycle {}; the current step is filled yellow: {state_label}.",
                cycle.definition().label.get(lang)
            ),
        },
    );
    let acts = actions(engine, &case, &viewer, lang);
    let council_acts = crate::api::cases::council_actions(engine, &case, &viewer.principal);
    let url = case_url(case.id().as_str());
    let kind = cycle.state(case.state()).map(|s| s.kind);
    let owner = cycle.state(case.state()).and_then(|s| s.owner.clone());
    let may_file = !cycle.is_terminal(case.state())
        && viewer
            .principal
            .roles
            .iter()
            .any(|r| producer_roles(engine).contains(r) || owner.as_ref() == Some(r));
    let set = product.product_set;
    let body = html! {
        nav.crumbs aria-label=(tr(lang, "Vị trí", "Breadcrumb")) {
            a href="/work" { (tr(lang, "Việc của tôi", "My work")) } " › " span { (case.id().as_str()) }
        }
        h1 { (product.name) }
        p.lead {
            span.state { (state_label) }
            @if let Some(c) = case.certificate() { " " span.stars aria-label={ (c.stars.get()) (tr(lang, " sao", " stars")) } { (stars(c.stars.get())) } }
            @if let Some(d) = summary.deadline.as_ref().filter(|d| !d.fired) { " " (deadline_badge(engine, d.due, lang)) }
        }
        div.columns {
            section.panel aria-labelledby="h-actions" {
                h2 #h-actions { (tr(lang, "Việc bạn có thể làm", "What you can do")) }
                @if acts.is_empty() && council_acts.is_empty() {
                    p.muted { (tr(lang, "Hiện không có bước nào dành cho vai trò của bạn.", "There is no step for your roles now.")) }
                }
                ul.actions {
                    @for a in &acts { (action_form(&viewer, &case, a, lang)) }
                    @for c in &council_acts {
                        @if c.action == "submit_sheet" {
                            li.action { a.button.primary href={ (url) "/score/" (c.evaluation) } { (tr(lang, "Chấm điểm sản phẩm", "Score the product")) } }
                        }
                    }
                }
                // Links to the pages behind the buttons say what the viewer may do there: a
                // chair decides, a member only reads; the revocation page is linked by its
                // button for whoever may open one, and for reading while one is pending.
                @if kind == Some(StateKind::Decision) {
                    p { a href={ (url) "/decision" } { @if acts.is_empty() { (tr(lang, "Xem kết quả hội đồng", "See the council's result")) } @else { (tr(lang, "Xem kết quả hội đồng và quyết định", "See the council's result and decide")) } } }
                }
                @if cycle.state(case.state()).is_some_and(|s| s.id.as_str() == "revocation") && !acts.iter().any(|a| needs(a.transition) == Needs::Ground) {
                    p { a href={ (url) "/revocation" } { (tr(lang, "Xem đề nghị thu hồi giấy chứng nhận", "See the proposed revocation")) } }
                }
                @for c in council_acts.iter().filter(|c| c.action == "constitute_council") {
                    (constitute_form(&viewer, &case, &c.evaluation, lang))
                }
            }
            section.panel aria-labelledby="h-product" {
                h2 #h-product { (tr(lang, "Sản phẩm và chủ thể", "Product and producer")) }
                dl.facts {
                    dt { (tr(lang, "Mã hồ sơ", "Case")) } dd { code { (case.id().as_str()) } }
                    dt { (tr(lang, "Bộ sản phẩm", "Product set")) } dd { (set.number()) ". " (set.info().label(lang)) }
                    dt { (tr(lang, "Chủ thể", "Producer")) } dd { (product.producer.name) }
                    dt { (tr(lang, "Loại hình", "Kind")) } dd { (product.producer.kind.label(lang)) }
                    dt { (tr(lang, "Xã", "Commune")) } dd { (product.producer.commune) }
                    @if let Some(d) = &product.producer.district { dt { (tr(lang, "Huyện", "District")) } dd { (d) } }
                    dt { (tr(lang, "Loại đăng ký", "Registration")) } dd { (i18n::registration(lang, case.registration())) }
                    dt { (tr(lang, "Quy trình", "Cycle")) } dd { (cycle.definition().label.get(lang)) }
                    dt { (tr(lang, "Vào bước hiện tại", "In this step since")) } dd { (day(lang, case.entered_on())) }
                    @if let Some(r) = case.round() { dt { (tr(lang, "Đợt đánh giá", "Round")) } dd { (r.round) } }
                    @if let Some(c) = case.certificate() {
                        dt { (tr(lang, "Giấy chứng nhận", "Certificate")) }
                        dd { (c.number) " · " (stars(c.stars.get())) " · " (day(lang, c.issued_on)) " – " (day(lang, c.expires_on)) }
                    }
                }
            }
        }
        section.panel aria-labelledby="h-docs" {
            h2 #h-docs { (tr(lang, "Tài liệu hồ sơ", "Documents")) }
            @if case.documents().is_empty() { p.muted { (tr(lang, "Chưa có tài liệu.", "No documents yet.")) } }
            @else {
                table {
                    thead { tr { th scope="col" { (tr(lang, "Tài liệu", "Document")) } th scope="col" { (tr(lang, "Tình trạng", "Status")) } th scope="col" { (tr(lang, "Hiệu lực đến", "Valid until")) } } }
                    tbody {
                        @for d in case.documents() {
                            tr {
                                td { (document(lang, &d.kind)) }
                                td { @if d.present { span.ok { (tr(lang, "Đã nộp", "Filed")) } } @else { span.missing { (tr(lang, "Còn thiếu", "Missing")) } } }
                                td { @if let Some(v) = d.valid_until { (day(lang, v)) } }
                            }
                        }
                    }
                }
            }
            @if may_file { (dossier_form(&viewer, &case, engine, owner.as_ref(), lang)) }
        }
        (council_section(&state, engine, &case, &events, &viewer, lang))
        section.panel aria-labelledby="h-graph" {
            h2 #h-graph { (tr(lang, "Sơ đồ quy trình", "The cycle")) }
            p.muted { (tr(lang, "Bước hiện tại được tô vàng. Kéo ngang để xem hết sơ đồ.", "The current step is filled yellow. Scroll sideways to see all of it.")) }
            div.graph tabindex="0" role="group" aria-label=(tr(lang, "Sơ đồ quy trình, cuộn được", "The cycle, scrollable")) {
                @match &graph {
                    Ok(svg) => (PreEscaped(svg.as_str())),
                    Err(_) => p.muted { (tr(lang, "Không vẽ được sơ đồ.", "The graph cannot be drawn.")) },
                }
            }
        }
        (timeline(&state, engine, &events, &viewer, lang))
    };
    Ok(Page {
        state: &state,
        viewer: &viewer,
        title,
        nav: Nav::None,
        here: url.clone(),
        body,
        scripts: &[],
    }
    .render())
}

/// The document kinds the dossier form offers: the known ones, then any other kind the
/// case's dossier holds.
fn document_kinds(case: &Case) -> Vec<String> {
    let mut kinds: Vec<String> = i18n::KNOWN_DOCUMENTS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    for d in case.documents() {
        if !kinds.contains(&d.kind) {
            kinds.push(d.kind.clone());
        }
    }
    kinds
}

fn constitute_form(viewer: &Viewer, case: &Case, evaluation: &EvaluationId, lang: Lang) -> Markup {
    let url = case_url(case.id().as_str());
    html! {
        form.stack.council method="post" action={ (url) "/council/" (evaluation) } {
            h3 { (tr(lang, "Thành lập hội đồng", "Constitute the council")) }
            (command_fields(viewer, case))
            label for="chair" { (tr(lang, "Chủ tịch hội đồng (mã người dùng)", "Chair (user id)")) }
            input #chair type="text" name="chair" value=(viewer.principal.actor) required spellcheck="false";
            label for="members" { (tr(lang, "Các thành viên khác, mỗi dòng một mã người dùng", "Other members, one user id a line")) }
            textarea #members name="members" rows="5" required spellcheck="false" {}
            button.primary type="submit" { (tr(lang, "Thành lập hội đồng", "Constitute the council")) }
        }
    }
}

fn dossier_form(
    viewer: &Viewer,
    case: &Case,
    engine: &Engine,
    owner: Option<&RoleId>,
    lang: Lang,
) -> Markup {
    let url = case_url(case.id().as_str());
    let producer = producer_roles(engine);
    let role = viewer
        .principal
        .roles
        .iter()
        .find(|r| producer.contains(r) || Some(*r) == owner)
        .cloned();
    let kinds = document_kinds(case);
    html! {
        details.dossier {
            summary { (tr(lang, "Cập nhật tài liệu hồ sơ", "Update the documents")) }
            form.stack method="post" action={ (url) "/dossier" } {
                (command_fields(viewer, case))
                @if let Some(r) = role { input type="hidden" name="role" value=(r); }
                fieldset {
                    legend { (tr(lang, "Tài liệu đã có", "Documents at hand")) }
                    @for k in &kinds {
                        div.check {
                            input type="checkbox" name="doc" value=(k) id={ "doc-" (k) } checked[case.documents().iter().any(|d| &d.kind == k && d.present)];
                            label for={ "doc-" (k) } { (document(lang, k)) }
                        }
                    }
                }
                button type="submit" { (tr(lang, "Lưu tài liệu", "Save the documents")) }
            }
        }
    }
}

fn council_section(
    state: &AppState,
    engine: &Engine,
    case: &Case,
    events: &[Event],
    viewer: &Viewer,
    lang: Lang,
) -> Markup {
    let stages: Vec<&ocop_core::definition::EvaluationStage> = engine
        .cycle()
        .definition()
        .evaluations
        .iter()
        .filter(|s| {
            case.council(&s.id).is_some_and(|c| c.is_constituted()) || case.result(&s.id).is_some()
        })
        .collect();
    let url = case_url(case.id().as_str());
    html! {
        @for s in stages {
            section.panel aria-labelledby={ "h-council-" (s.id) } {
                h2 id={ "h-council-" (s.id) } { (tr(lang, "Hội đồng", "Council")) " " code { (s.id) } }
                @if let Some(c) = case.council(&s.id).filter(|c| c.is_constituted()) {
                    p { (match lang {
                        Lang::Vi => format!("{} thành viên; {} phiếu đã nộp.", c.members().len(), c.sheet_count()),
                        Lang::En => format!("{} members; {} sheets submitted.", c.members().len(), c.sheet_count()),
                    }) }
                    ul.members {
                        @for m in c.members() {
                            li {
                                (m.id)
                                @if m.chair { " (" (tr(lang, "chủ tịch", "chair")) ")" }
                                @if c.sheet(&m.id).is_some() { " — " span.ok { (tr(lang, "đã nộp phiếu", "sheet submitted")) } }
                                @if m.id == viewer.principal.actor && c.sheet(&m.id).is_some() {
                                    " · " a href={ (url) "/sheets/" (s.id) "/" (encode_segment(&m.id)) } { (tr(lang, "xem phiếu của tôi", "see my sheet")) }
                                }
                            }
                        }
                    }
                }
                @if let Some(r) = case.result(&s.id) {
                    (result_table(state, case, events, &s.id, r, lang))
                }
            }
        }
    }
}

/// The council's result: each member's total, cap and knock-outs, and the aggregate.
pub(crate) fn result_table(
    _state: &AppState,
    case: &Case,
    events: &[Event],
    evaluation: &EvaluationId,
    r: &ocop_engine::CouncilResult,
    lang: Lang,
) -> Markup {
    let url = case_url(case.id().as_str());
    let _ = events;
    html! {
        div.table-wrap { table.result {
            caption { (tr(lang, "Kết quả của hội đồng", "The council's result")) }
            thead { tr {
                th scope="col" { (tr(lang, "Thành viên", "Member")) }
                th scope="col" .num { (tr(lang, "Tổng điểm", "Total")) }
                th scope="col" .num { (tr(lang, "Hạng tối đa theo điểm liệt", "Cap by minimum marks")) }
                th scope="col" { (tr(lang, "Điều kiện loại", "Knock-outs")) }
            } }
            tbody {
                @for m in &r.members {
                    tr {
                        td { a href={ (url) "/sheets/" (evaluation) "/" (encode_segment(&m.member)) } { (m.member) } }
                        td.num { (points(lang, m.total)) }
                        td.num { (m.cap.get()) " " (stars(m.cap.get())) }
                        td { (m.knockouts.join(", ")) }
                    }
                }
            }
            tfoot { tr {
                th scope="row" { (tr(lang, "Hội đồng", "Council")) }
                td.num { strong { (points(lang, r.total)) } }
                td.num { (r.cap.get()) " " (stars(r.cap.get())) }
                td { (r.knockouts.join(", ")) }
            } }
        } }
        p.verdict {
            (tr(lang, "Hạng theo điểm: ", "Band: ")) (r.band.get()) " " (stars(r.band.get()))
            " · " (tr(lang, "Kết quả: ", "Result: "))
            @match r.stars {
                Some(s) => strong.stars { (s.get()) (tr(lang, " sao ", " stars ")) (stars(s.get())) },
                None => strong { (tr(lang, "bị loại", "knocked out")) },
            }
        }
    }
}

fn timeline(
    state: &AppState,
    engine: &Engine,
    events: &[Event],
    viewer: &Viewer,
    lang: Lang,
) -> Markup {
    let cycle = engine.cycle();
    let case_id = events
        .first()
        .map(|e| e.case.as_str().to_owned())
        .unwrap_or_default();
    let url = case_url(&case_id);
    html! {
        section.panel aria-labelledby="h-timeline" {
            h2 #h-timeline { (tr(lang, "Diễn biến hồ sơ", "Timeline")) }
            ol.timeline {
                @for e in events.iter().rev() {
                    li {
                        div.when { (moment(lang, e.at)) }
                        div.what {
                            strong { (i18n::event_kind(lang, e)) }
                            @if let Some(t) = &e.transition {
                                ": " (cycle.transition(t).map_or_else(|| t.to_string(), |t| t.label.get(lang).to_owned()))
                            }
                            (event_detail(state, e, events, &url, viewer, lang))
                        }
                        div.who {
                            @if e.actor.role.as_str() == ocop_core::definition::SYSTEM_ROLE { (tr(lang, "Hệ thống", "System")) }
                            @else { (e.actor.id) " · " (role_label(state, e.actor.role.as_str(), lang)) }
                        }
                    }
                }
            }
        }
    }
}

fn event_detail(
    state: &AppState,
    e: &Event,
    events: &[Event],
    url: &str,
    viewer: &Viewer,
    lang: Lang,
) -> Markup {
    match &e.body {
        EventBody::SheetSubmitted(s) => {
            let visible = sheet_visible(
                events,
                e.seq,
                &s.evaluation,
                &s.member,
                &viewer.principal.actor,
            );
            let r = s.result();
            let p = &r.plugin;
            html! {
                div.detail {
                    @if visible {
                        (match lang { Lang::Vi => format!("Tổng {} điểm", points(lang, r.total)), Lang::En => format!("Total {} points", points(lang, r.total)) })
                        @if let Some(st) = r.stars { ", " (stars(st.get())) }
                        " · " a href={ (url) "/sheets/" (s.evaluation) "/" (encode_segment(&s.member)) "?seq=" (e.seq) } { (tr(lang, "xem phiếu", "see the sheet")) }
                    } @else {
                        (tr(lang, "Điểm được giữ kín đến khi hội đồng có kết quả.", "The score stays hidden until the council records its result."))
                    }
                    br;
                    (tr(lang, "Chấm bởi plugin ", "Scored by plugin ")) code { (p.name) " " (p.version) }
                    " sha256 " code.hash { (p.sha256) }
                }
            }
        }
        EventBody::EvaluationRecorded(r) => html! {
            div.detail { (match lang { Lang::Vi => format!("Tổng {} điểm", points(lang, r.total)), Lang::En => format!("Total {} points", points(lang, r.total)) })
                @if let Some(s) = r.stars { ", " (s.get()) (tr(lang, " sao", " stars")) } }
        },
        EventBody::CertificateIssued { certificate: c, .. } => html! {
            div.detail { (c.number) " · " (stars(c.stars.get())) " · " (tr(lang, "hiệu lực đến ", "valid until ")) (day(lang, c.expires_on)) }
        },
        EventBody::CertificateRevoked { ground, .. } => html! {
            div.detail { (i18n::ground(lang, *ground)) }
        },
        EventBody::Transitioned(t) => html! {
            @if let Some(g) = t.input.ground { div.detail { (i18n::ground(lang, g)) } }
            @if let Some(n) = &t.input.note { div.detail { (n) } }
            @if let Some(o) = t.input.inspection { div.detail { (match o { InspectionOutcome::Compliant => tr(lang, "Đạt yêu cầu", "Compliant"), _ => tr(lang, "Có vi phạm", "Non-compliant") }) } }
        },
        EventBody::CouncilConstituted { members, .. } => html! {
            div.detail { (members.iter().map(|m| if m.chair { format!("{} ({})", m.id, tr(lang, "chủ tịch", "chair")) } else { m.id.clone() }).collect::<Vec<_>>().join(", ")) }
        },
        EventBody::DossierUpdated { documents } => html! {
            div.detail { (documents.iter().filter(|d| d.present).map(|d| document(lang, &d.kind)).collect::<Vec<_>>().join("; ")) }
        },
        EventBody::Notified { role } => html! {
            div.detail { (tr(lang, "Gửi đến: ", "To: ")) (role_label(state, role.as_str(), lang)) }
        },
        _ => html! {},
    }
}

/// Runs a command from a form and goes back to the case page with a message.
pub(crate) async fn command(
    state: &AppState,
    viewer: &Viewer,
    case: &str,
    f: &Fields,
    action: Action,
    done: String,
    log: &RequestLog,
) -> Response {
    let lang = viewer.lang;
    let back = case_url(case);
    let id = match check_id(case) {
        Ok(id) => id,
        Err(p) => return problem_page(lang, &p),
    };
    let role = field(f, "role").filter(|r| !r.is_empty()).map(RoleId::new);
    let transition = match &action {
        Action::Take { transition, .. } => Some(transition.clone()),
        _ => None,
    };
    match run(form_call(state, viewer, f, log), id.clone(), role, action).await {
        Ok(_) => {
            state.web.sessions.flash(&viewer.session, true, done);
        }
        Err(p) => {
            let text = refusal(state, viewer, &id, transition.as_ref(), &p).await;
            state.web.sessions.flash(&viewer.session, false, text);
        }
    }
    Redirect::to(&back).into_response()
}

/// A refused command in words: a failed guard through [`explain`], a stale form, or the
/// problem's title and detail.
pub(crate) async fn refusal(
    state: &AppState,
    viewer: &Viewer,
    id: &CaseId,
    transition: Option<&TransitionId>,
    p: &Problem,
) -> String {
    let lang = viewer.lang;
    if p.code == ErrorCode::VersionMismatch || p.code == ErrorCode::Conflict {
        return tr(
            lang,
            "Hồ sơ vừa được người khác thay đổi. Trang đã được tải lại; hãy xem lại rồi thực hiện lại.",
            "Someone else changed the case meanwhile. The page has been reloaded; look again and retry.",
        )
        .to_owned();
    }
    if p.code == ErrorCode::GuardFailed
        && let Ok(province) = state.province(&viewer.principal)
    {
        let pid = id.clone();
        let p2 = Arc::clone(&province);
        if let Ok(Ok((_, case))) =
            crate::api::blocking(move || p2.case(&pid).map(|(_, c)| ((), c))).await
            && let Some(engine) = province.engines.get(case.definition().as_str())
        {
            let t = transition.and_then(|t| engine.cycle().transition(t));
            let words: Vec<String> = p
                .findings
                .iter()
                .map(|f| {
                    let g = t.and_then(|t| pick_guard(&t.guards, &f.guard, &f.reason));
                    explain(engine, &case, g, &f.reason, lang)
                })
                .collect();
            return format!(
                "{} {}",
                tr(lang, "Chưa thực hiện được:", "Not possible yet:"),
                words.join(" ")
            );
        }
    }
    let p = p.clone().in_lang(lang);
    format!("{}: {}", p.title, p.detail)
}

/// `POST /cases/{id}/take`: takes a transition.
pub(crate) async fn take(
    State(state): State<AppState>,
    viewer: Viewer,
    log: RequestLog,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let lang = viewer.lang;
    let Some(t) = field(&f, "transition").filter(|t| !t.is_empty()) else {
        return error_page(
            lang,
            StatusCode::BAD_REQUEST,
            tr(lang, "Thiếu bước cần thực hiện.", "No step was chosen."),
        );
    };
    let input = TransitionInput {
        inspection: match field(&f, "inspection") {
            Some("compliant") => Some(InspectionOutcome::Compliant),
            Some("non_compliant") => Some(InspectionOutcome::NonCompliant),
            _ => None,
        },
        ground: field(&f, "ground").and_then(|g| {
            ocop_core::domain::RevocationGround::ALL
                .into_iter()
                .find(|x| i18n::ground_id(*x) == g)
        }),
        conclusion: field(&f, "conclusion").and_then(|d| d.parse().ok()),
        note: field(&f, "note")
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| n.chars().take(2000).collect()),
        ..TransitionInput::default()
    };
    let label = {
        let cycle_label = state
            .catalogue
            .definitions
            .values()
            .find_map(|d| {
                d.cycle
                    .transition(&TransitionId::new(t))
                    .map(|x| x.label.get(lang).to_owned())
            })
            .unwrap_or_else(|| t.to_owned());
        format!("{} {cycle_label}.", tr(lang, "Đã thực hiện:", "Done:"))
    };
    command(
        &state,
        &viewer,
        &id,
        &f,
        Action::Take {
            transition: TransitionId::new(t),
            input,
        },
        label,
        &log,
    )
    .await
}

/// `POST /cases/{id}/dossier`: files the documents ticked (the others as missing).
pub(crate) async fn dossier(
    State(state): State<AppState>,
    viewer: Viewer,
    log: RequestLog,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, Response> {
    let lang = viewer.lang;
    let (_, case) = load(&state, &viewer, &id).await?;
    let ticked: Vec<&str> = f
        .iter()
        .filter(|(k, _)| k == "doc")
        .map(|(_, v)| v.as_str())
        .collect();
    let kinds = document_kinds(&case);
    let documents: Vec<DossierDocument> = kinds
        .iter()
        .filter(|k| ticked.contains(&k.as_str()) || case.documents().iter().any(|d| &d.kind == *k))
        .map(|k| DossierDocument {
            kind: k.clone(),
            present: ticked.contains(&k.as_str()),
            valid_until: case
                .documents()
                .iter()
                .find(|d| &d.kind == k)
                .and_then(|d| d.valid_until),
        })
        .collect();
    Ok(command(
        &state,
        &viewer,
        &id,
        &f,
        Action::UpdateDossier { documents },
        tr(
            lang,
            "Đã cập nhật tài liệu hồ sơ.",
            "The documents were updated.",
        )
        .to_owned(),
        &log,
    )
    .await)
}

/// `POST /cases/{id}/council/{evaluation}`: names the council's members.
pub(crate) async fn constitute(
    State(state): State<AppState>,
    viewer: Viewer,
    log: RequestLog,
    Path((id, evaluation)): Path<(String, String)>,
    Form(f): Form<Fields>,
) -> Response {
    let lang = viewer.lang;
    let chair = field(&f, "chair").map(str::trim).unwrap_or("").to_owned();
    let mut members: Vec<CouncilMember> = Vec::new();
    if !chair.is_empty() {
        members.push(CouncilMember {
            id: chair.clone(),
            chair: true,
        });
    }
    for m in field(&f, "members")
        .unwrap_or("")
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        if !members.iter().any(|x| x.id == m) {
            members.push(CouncilMember {
                id: m.chars().take(100).collect(),
                chair: false,
            });
        }
    }
    let n = members.len();
    command(
        &state,
        &viewer,
        &id,
        &f,
        Action::ConstituteCouncil {
            evaluation: EvaluationId::new(evaluation),
            members,
        },
        match lang {
            Lang::Vi => format!("Đã thành lập hội đồng {n} thành viên."),
            Lang::En => format!("The council of {n} members was constituted."),
        },
        &log,
    )
    .await
}

/// The definitions a viewer may open cases under, with the role to open in.
fn openable(state: &AppState, viewer: &Viewer) -> Vec<(String, String, RoleId)> {
    state
        .catalogue
        .definitions
        .iter()
        .filter_map(|(id, d)| {
            let c = &d.cycle;
            let role = c
                .outgoing(&c.definition().initial)
                .iter()
                .flat_map(|t| t.roles.iter())
                .find(|r| viewer.principal.roles.contains(r))
                .cloned()?;
            Some((
                id.clone(),
                c.definition().label.get(viewer.lang).to_owned(),
                role,
            ))
        })
        .collect()
}

const KINDS: [ProducerKind; 6] = [
    ProducerKind::Cooperative,
    ProducerKind::CooperativeGroup,
    ProducerKind::Enterprise,
    ProducerKind::Farm,
    ProducerKind::Household,
    ProducerKind::Association,
];

fn kind_id(k: ProducerKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `GET /cases/new`: the registration form.
pub(crate) async fn new_form(State(state): State<AppState>, viewer: Viewer) -> Response {
    let lang = viewer.lang;
    let defs = openable(&state, &viewer);
    if defs.is_empty() {
        return error_page(
            lang,
            StatusCode::FORBIDDEN,
            tr(
                lang,
                "Vai trò của bạn không đăng ký sản phẩm được.",
                "Your roles cannot register products.",
            ),
        );
    }
    let body = html! {
        h1 { (tr(lang, "Đăng ký sản phẩm OCOP", "Register an OCOP product")) }
        form.stack.narrow method="post" action="/cases/new" {
            input type="hidden" name="csrf" value=(viewer.csrf);
            input type="hidden" name="key" value=(random_token(16));
            label for="definition" { (tr(lang, "Quy trình", "Cycle")) }
            select #definition name="definition" {
                @for (id, label, _) in defs.iter().rev() { option value=(id) { (label) } }
            }
            label for="name" { (tr(lang, "Tên sản phẩm", "Product name")) }
            input #name type="text" name="name" required maxlength="200";
            label for="set" { (tr(lang, "Bộ sản phẩm (Phụ lục II)", "Product set (Annex II)")) }
            select #set name="set" {
                @for s in ProductSet::all() { option value=(s.number()) { (s.number()) ". " (s.info().label(lang)) } }
            }
            label for="producer" { (tr(lang, "Tên chủ thể", "Producer's name")) }
            input #producer type="text" name="producer" required maxlength="200";
            label for="kind" { (tr(lang, "Loại hình chủ thể", "Kind of producer")) }
            select #kind name="kind" {
                @for k in KINDS { option value=(kind_id(k)) { (k.label(lang)) } }
            }
            label for="province_code" { (tr(lang, "Mã tỉnh, thành phố", "Province code")) }
            input #province_code type="text" name="province_code" required maxlength="10" value="92" inputmode="numeric";
            label for="commune" { (tr(lang, "Xã, phường", "Commune")) }
            input #commune type="text" name="commune" required maxlength="100";
            fieldset {
                legend { (tr(lang, "Tài liệu đã có", "Documents at hand")) }
                @for k in i18n::KNOWN_DOCUMENTS {
                    div.check {
                        input type="checkbox" name="doc" value=(k) id={ "doc-" (k) } checked[k == "form_01" || k == "form_02"];
                        label for={ "doc-" (k) } { (document(lang, k)) }
                    }
                }
            }
            button.primary type="submit" { (tr(lang, "Đăng ký", "Register")) }
        }
    };
    Page {
        state: &state,
        viewer: &viewer,
        title: tr(lang, "Đăng ký sản phẩm", "Register a product").to_owned(),
        nav: Nav::New,
        here: "/cases/new".into(),
        body,
        scripts: &[],
    }
    .render()
}

/// `POST /cases/new`: opens the case and goes to its page.
pub(crate) async fn new_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    log: RequestLog,
    Form(f): Form<Fields>,
) -> Response {
    let lang = viewer.lang;
    let text = |k: &str, max: usize| -> String {
        field(&f, k)
            .map(str::trim)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(max)
            .collect()
    };
    let defs = openable(&state, &viewer);
    let definition = text("definition", 100);
    let Some((_, _, role)) = defs.iter().find(|(id, _, _)| *id == definition).cloned() else {
        return error_page(
            lang,
            StatusCode::FORBIDDEN,
            tr(
                lang,
                "Vai trò của bạn không đăng ký sản phẩm theo quy trình này được.",
                "Your roles cannot register products under this cycle.",
            ),
        );
    };
    let (name, producer, commune, code) = (
        text("name", 200),
        text("producer", 200),
        text("commune", 100),
        text("province_code", 10),
    );
    let set = field(&f, "set")
        .and_then(|s| s.parse::<u8>().ok())
        .and_then(ProductSet::new);
    let kind = KINDS
        .into_iter()
        .find(|k| Some(kind_id(*k).as_str()) == field(&f, "kind"));
    let (Some(set), Some(kind)) = (set, kind) else {
        return error_page(
            lang,
            StatusCode::BAD_REQUEST,
            tr(
                lang,
                "Bộ sản phẩm hoặc loại hình chủ thể không hợp lệ.",
                "Invalid product set or kind of producer.",
            ),
        );
    };
    if name.is_empty() || producer.is_empty() || commune.is_empty() || code.is_empty() {
        return error_page(
            lang,
            StatusCode::BAD_REQUEST,
            tr(
                lang,
                "Hãy điền tên sản phẩm, chủ thể, mã tỉnh và xã.",
                "Fill in the product, the producer, the province code and the commune.",
            ),
        );
    }
    let documents: Vec<DossierDocument> = f
        .iter()
        .filter(|(k, _)| k == "doc")
        .filter(|(_, v)| i18n::KNOWN_DOCUMENTS.contains(&v.as_str()))
        .map(|(_, v)| DossierDocument {
            kind: v.clone(),
            present: true,
            valid_until: None,
        })
        .collect();
    let province = match state.province(&viewer.principal) {
        Ok(p) => p,
        Err(p) => return problem_page(lang, &p),
    };
    let key = text("key", 100);
    let id = CaseId::new(format!(
        "{}-{}",
        viewer.principal.province,
        if key.is_empty() {
            random_token(8)
        } else {
            key.chars()
                .filter(char::is_ascii_alphanumeric)
                .take(12)
                .collect()
        }
    ));
    log.case(id.as_str());
    log.command("open");
    let actor = Actor::new(viewer.principal.actor.clone(), role);
    let open = ocop_engine::OpenCase {
        product: Product {
            name,
            product_set: set,
            producer: ocop_core::domain::Producer {
                name: producer,
                kind,
                province: code,
                commune,
                district: None,
            },
        },
        registration: RegistrationType::First,
        documents,
        facts: BTreeMap::new(),
        certificate: None,
    };
    let mut cmd = ocop_engine::Command::new(id.clone(), actor, Action::Open(open));
    cmd.idempotency_key = Some(format!("open-{key}"));
    let def = definition.clone();
    let p = Arc::clone(&province);
    let result = crate::api::blocking(move || p.open(&def, &cmd)).await;
    match result {
        Ok(Ok(_)) => {
            state.metrics.command("ok");
            state.web.sessions.flash(&viewer.session, true, tr(lang, "Đã đăng ký sản phẩm. Nộp hồ sơ cho UBND xã khi đã đủ tài liệu.", "The product is registered. File the dossier at the commune when the documents are ready."));
            Redirect::to(&case_url(id.as_str())).into_response()
        }
        Ok(Err(e)) => {
            let p = Problem::command(&e, false);
            state.metrics.command(p.code.as_str());
            problem_page(lang, &p)
        }
        Err(p) => problem_page(lang, &p),
    }
}
