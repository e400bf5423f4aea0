//! The scoring form, built from the stage plugin's criteria sheet of the product's set:
//! each criterion's options as radio buttons with their points and star marks, the
//! knock-out and stop-rule facts as checkboxes, the set-26 branch choice, running totals
//! per part and in all (script), a band/cap/stars preview from the plugin (script, or the
//! "preview" button without it), and the submit that records the member's sheet. And the
//! page of a submitted sheet, shown to its member, and to the rest once the council has
//! recorded its result.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use ocop_core::{
    Lang,
    domain::AnswerSheet,
    ids::{CriterionId, EvaluationId},
    plugin::{CriteriaSheet, Scored, Scorer},
};
use ocop_engine::{Action, Case, EventBody};
use serde::Deserialize;

use super::case::{
    Fields, case_url, command_fields, engine_of, events_of, field, form_call, load, problem_page,
    sheet_visible,
};
use super::i18n::{points, stars, tr};
use super::layout::{Nav, Page, error_page};
use super::session::Viewer;
use crate::api::cases::encode_segment;
use crate::api::problem::Problem;
use crate::log::RequestLog;
use crate::state::AppState;

/// What the member filled in so far.
#[derive(Clone, Debug, Default)]
struct Filled {
    branch: Option<u8>,
    answers: BTreeMap<String, u32>,
    /// Facts that do not hold (the boxes ticked).
    failing: BTreeSet<String>,
}

fn filled(sheet: &CriteriaSheet, f: &Fields) -> Filled {
    let branch = field(f, "branch").and_then(|b| b.parse().ok());
    let answers = sheet
        .criteria
        .iter()
        .filter_map(|c| {
            let v = field(f, &format!("a.{}", c.id))?.parse::<u32>().ok()?;
            (usize::try_from(v).is_ok_and(|i| i < c.options.len())).then(|| (c.id.to_string(), v))
        })
        .collect();
    let facts = sheet.facts();
    let failing = f
        .iter()
        .filter(|(k, v)| k == "ko" && facts.contains(v))
        .map(|(_, v)| v.clone())
        .collect();
    Filled {
        branch,
        answers,
        failing,
    }
}

/// The answer sheet of what was filled in, and the applicable criteria left unanswered.
fn answer_sheet(
    sheet: &CriteriaSheet,
    f: &Filled,
    member: &str,
) -> (AnswerSheet, Vec<CriterionId>) {
    let branch = if sheet.branches.is_empty() {
        None
    } else {
        Some(f.branch.unwrap_or(1))
    };
    let applies = |c: &ocop_core::plugin::Criterion| c.branch.is_none() || c.branch == branch;
    let mut missing = Vec::new();
    let mut answers = BTreeMap::new();
    for c in sheet.criteria.iter().filter(|c| applies(c)) {
        match f.answers.get(c.id.as_str()) {
            Some(v) => {
                answers.insert(c.id.clone(), *v);
            }
            None => missing.push(c.id.clone()),
        }
    }
    (
        AnswerSheet {
            format: ocop_core::domain::DOCUMENT_FORMAT,
            product_set: sheet.product_set,
            evaluator: Some(member.to_owned()),
            branch,
            answers,
            facts: sheet
                .facts()
                .into_iter()
                .map(|fact| {
                    let holds = !f.failing.contains(&fact);
                    (fact, holds)
                })
                .collect(),
        },
        missing,
    )
}

/// Everything the form needs, or the page that says why there is no form.
struct Ready {
    case: Case,
    evaluation: EvaluationId,
    plugin: String,
    sheet: CriteriaSheet,
}

async fn ready(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    evaluation: &str,
) -> Result<Ready, Response> {
    let lang = viewer.lang;
    let (province, case) = load(state, viewer, id).await?;
    let province: Arc<crate::province::Province> = province;
    let engine = engine_of(&province, &case)?;
    let evaluation = EvaluationId::new(evaluation);
    let Some(stage) = engine.cycle().evaluation(&evaluation) else {
        return Err(error_page(
            lang,
            StatusCode::NOT_FOUND,
            tr(
                lang,
                "Quy trình không có hội đồng này.",
                "The cycle has no such council.",
            ),
        ));
    };
    let member = case
        .council(&evaluation)
        .and_then(|c| c.member(&viewer.principal.actor))
        .is_some();
    if !member {
        return Err(error_page(
            lang,
            StatusCode::FORBIDDEN,
            tr(
                lang,
                "Bạn không phải thành viên hội đồng chấm hồ sơ này.",
                "You are not a member of this case's council.",
            ),
        ));
    }
    if case.state() != &stage.state {
        return Err(error_page(
            lang,
            StatusCode::CONFLICT,
            tr(
                lang,
                "Hồ sơ không còn ở bước hội đồng chấm điểm.",
                "The case is no longer with the council.",
            ),
        ));
    }
    let plugin = stage.plugin.to_string();
    let Some(scorer) = state.catalogue.scorer(&plugin) else {
        return Err(problem_page(lang, &Problem::internal()));
    };
    let set = case.product().product_set;
    let sheet = crate::api::blocking(move || scorer.criteria(set))
        .await
        .map_err(|p| problem_page(lang, &p))?
        .map_err(|e| problem_page(lang, &Problem::plugin(&e)))?;
    Ok(Ready {
        case,
        evaluation,
        plugin,
        sheet,
    })
}

fn part_title(sheet: &CriteriaSheet, code: &str, lang: Lang) -> String {
    sheet
        .parts
        .iter()
        .find(|p| p.code == code)
        .map_or_else(|| code.to_owned(), |p| p.title.get(lang).to_owned())
}

fn mark(lang: Lang, n: u8) -> Markup {
    html! {
        span.mark title=(match lang { Lang::Vi => format!("Mức tối thiểu để đạt {n} sao"), Lang::En => format!("The least a {n}-star product must reach") }) {
            span aria-hidden="true" { (stars(n)) }
            span.sr { (match lang { Lang::Vi => format!(" (mức tối thiểu {n} sao)"), Lang::En => format!(" (minimum for {n} stars)") }) }
        }
    }
}

/// The preview panel: running totals (script) and the plugin's band, cap and stars.
fn totals_panel(
    sheet: &CriteriaSheet,
    preview: Option<&Result<Scored, String>>,
    lang: Lang,
) -> Markup {
    let part = |code: &str| -> Option<f64> {
        preview.and_then(|p| p.as_ref().ok()).map(|s| match code {
            "A" => s.evaluation.parts.a,
            "B" => s.evaluation.parts.b,
            _ => s.evaluation.parts.c,
        })
    };
    html! {
        aside.totals aria-labelledby="h-totals" {
            h2 #h-totals { (tr(lang, "Tổng điểm", "Totals")) }
            dl {
                @for p in &sheet.parts {
                    dt { (tr(lang, "Phần ", "Part ")) (p.code) }
                    dd { output id={ "total-" (p.code) } { (part(&p.code).map_or("–".to_owned(), |v| points(lang, v))) } " / " (points(lang, p.max)) }
                }
                dt.all { (tr(lang, "Tổng", "Total")) }
                dd.all { output #total-all { (preview.and_then(|p| p.as_ref().ok()).map_or("–".to_owned(), |s| points(lang, s.evaluation.total))) } " / 100" }
            }
            div #preview aria-live="polite" {
                @match preview {
                    Some(Ok(s)) => {
                        p { (tr(lang, "Hạng theo điểm: ", "Band: ")) strong { (s.evaluation.band.get()) " " (stars(s.evaluation.band.get())) } }
                        p { (tr(lang, "Hạng tối đa theo mức tối thiểu: ", "Cap by minimum marks: ")) strong { (s.evaluation.cap.get()) " " (stars(s.evaluation.cap.get())) } }
                        @if !s.evaluation.knockouts.is_empty() { p.missing { (tr(lang, "Bị loại: ", "Knocked out: ")) (s.evaluation.knockouts.join(", ")) } }
                        p { (tr(lang, "Kết quả: ", "Result: ")) strong.stars { @match s.evaluation.stars { Some(x) => { (x.get()) " " (stars(x.get())) }, None => (tr(lang, "không xếp hạng", "no stars")) } } }
                    }
                    Some(Err(e)) => p.muted { (e) },
                    None => p.muted { (tr(lang, "Chọn đủ các tiêu chí để xem hạng sao dự kiến.", "Answer every criterion to see the expected rank.")) },
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments, reason = "the parts of one page")]
fn form_page(
    state: &AppState,
    viewer: &Viewer,
    r: &Ready,
    f: &Filled,
    preview: Option<&Result<Scored, String>>,
    error: Option<Markup>,
    status: StatusCode,
) -> Response {
    let lang = viewer.lang;
    let s = &r.sheet;
    let url = format!("{}/score/{}", case_url(r.case.id().as_str()), r.evaluation);
    let branch = if s.branches.is_empty() {
        None
    } else {
        Some(f.branch.unwrap_or(1))
    };
    let plugin = state
        .catalogue
        .scorer(&r.plugin)
        .map(|p| ocop_core::plugin::Scorer::plugin_ref(p.as_ref()));
    let title = format!(
        "{} — {}",
        tr(lang, "Phiếu chấm", "Score sheet"),
        r.case.product().name
    );
    let body = html! {
        nav.crumbs aria-label=(tr(lang, "Vị trí", "Breadcrumb")) {
            a href="/work" { (tr(lang, "Việc của tôi", "My work")) } " › "
            a href=(case_url(r.case.id().as_str())) { (r.case.product().name) } " › "
            span { (tr(lang, "Phiếu chấm", "Score sheet")) }
        }
        h1 { (tr(lang, "Phiếu chấm điểm", "Score sheet")) ": " (r.case.product().name) }
        p.lead { (tr(lang, "Bộ sản phẩm ", "Product set ")) (s.product_set.number()) ". " (s.title.get(lang)) }
        @if let Some(p) = &plugin {
            p.muted { (tr(lang, "Chấm theo plugin ", "Scored by plugin ")) code { (p.name) " " (p.version) } " · sha256 " code.hash { (p.sha256) } }
        }
        @if let Some(e) = error { div.flash.err role="alert" tabindex="-1" #form-error { (e) } }
        form.score #score method="post" action=(url) data-preview=(format!("{url}/preview")) data-lang=(lang.to_string()) novalidate {
            (command_fields(viewer, &r.case))
            div.score-layout {
                div.criteria {
                    @if !s.branches.is_empty() {
                        fieldset.branch {
                            legend { (tr(lang, "Trường hợp áp dụng", "Which case applies")) }
                            @for b in &s.branches {
                                div.opt {
                                    input type="radio" name="branch" value=(b.number) id={ "branch-" (b.number) } checked[branch == Some(b.number)];
                                    label for={ "branch-" (b.number) } { (b.number) ". " (b.label.get(lang)) }
                                }
                            }
                        }
                    }
                    fieldset.knockouts {
                        legend { (tr(lang, "Điều kiện loại hồ sơ — đánh dấu nếu có", "Knock-out conditions — tick any that apply")) }
                        @for k in &s.knockouts {
                            div.check {
                                input type="checkbox" name="ko" value=(k.fact) id={ "ko-" (k.id) } checked[f.failing.contains(&k.fact)];
                                label for={ "ko-" (k.id) } { (k.label.get(lang)) }
                            }
                        }
                    }
                    @for part in &s.parts {
                        section.part aria-labelledby={ "h-part-" (part.code) } {
                            h2 id={ "h-part-" (part.code) } { (tr(lang, "Phần ", "Part ")) (part.code) ". " (part_title(s, &part.code, lang)) " " span.max { "(" (points(lang, part.max)) (tr(lang, " điểm)", " points)")) } }
                            @for sec in s.sections.iter().filter(|x| x.part == part.code) {
                                h3 { (sec.code) ". " (sec.title.get(lang)) " " span.max { "(" (points(lang, sec.max)) (tr(lang, " điểm)", " points)")) } }
                                @for c in s.criteria.iter().filter(|c| c.part == part.code && c.section == sec.code) {
                                    fieldset.criterion id={ "c-" (c.id) } data-part=(c.part) data-branch=[c.branch] disabled[c.branch.is_some() && c.branch != branch] {
                                        legend {
                                            span.cid { (c.id) } " " (c.title.get(lang))
                                            span.max { " (" (tr(lang, "tối đa ", "at most ")) (points(lang, c.max)) ")" }
                                            @if let Some(b) = c.branch { " " span.tag { (tr(lang, "trường hợp ", "case ")) (b) } }
                                        }
                                        @for (i, o) in c.options.iter().enumerate() {
                                            div.opt {
                                                input type="radio" name={ "a." (c.id) } value=(i) id={ "c-" (c.id) "-" (i) } data-points=(o.points) data-min-stars=[o.min_stars.map(|m| m.get())] checked[f.answers.get(c.id.as_str()) == Some(&u32::try_from(i).unwrap_or(u32::MAX))];
                                                label for={ "c-" (c.id) "-" (i) } {
                                                    span.text { (o.label.get(lang)) }
                                                    " " span.pts { (points(lang, o.points)) (tr(lang, " đ", " pt")) }
                                                    @if let Some(m) = o.min_stars { " " (mark(lang, m.get())) }
                                                }
                                            }
                                        }
                                        @if let Some(stop) = &c.stop {
                                            @if let Some(fact) = &stop.fact {
                                                div.check.stop {
                                                    input type="checkbox" name="ko" value=(fact) id={ "stop-" (c.id) } checked[f.failing.contains(fact)];
                                                    label for={ "stop-" (c.id) } { (stop.label.get(lang)) }
                                                }
                                            } @else {
                                                p.stop.muted { (stop.label.get(lang)) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                div.side {
                    (totals_panel(s, preview, lang))
                    div.buttons {
                        button type="submit" name="intent" value="preview" { (tr(lang, "Tính thử", "Preview")) }
                        button.primary type="submit" name="intent" value="submit" { (tr(lang, "Nộp phiếu chấm", "Submit the sheet")) }
                    }
                }
            }
        }
    };
    let mut res = Page {
        state,
        viewer,
        title,
        nav: Nav::None,
        here: url,
        body,
        scripts: &["score.js"],
    }
    .render();
    *res.status_mut() = status;
    res
}

async fn preview_of(
    state: &AppState,
    plugin: &str,
    sheet: AnswerSheet,
    lang: Lang,
) -> Result<Scored, String> {
    let scorer = state
        .catalogue
        .scorer(plugin)
        .ok_or_else(|| "plugin".to_owned())?;
    match crate::api::blocking(move || scorer.score(&sheet)).await {
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) => Err(Problem::plugin(&e).in_lang(lang).detail),
        Err(p) => Err(p.detail),
    }
}

/// `GET /cases/{id}/score/{evaluation}`.
pub(crate) async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, evaluation)): Path<(String, String)>,
) -> Result<Response, Response> {
    let r = ready(&state, &viewer, &id, &evaluation).await?;
    if r.case
        .council(&r.evaluation)
        .and_then(|c| c.sheet(&viewer.principal.actor))
        .is_some()
    {
        return Ok(Redirect::to(&format!(
            "{}/sheets/{}/{}",
            case_url(r.case.id().as_str()),
            r.evaluation,
            encode_segment(&viewer.principal.actor)
        ))
        .into_response());
    }
    Ok(form_page(
        &state,
        &viewer,
        &r,
        &Filled::default(),
        None,
        None,
        StatusCode::OK,
    ))
}

/// A posted scoring form: the stage it is for, what was filled in, the answer sheet made
/// from it, and the criteria still unanswered.
struct Posted {
    r: Ready,
    f: Filled,
    sheet: AnswerSheet,
    missing: Vec<CriterionId>,
}

async fn posted(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    evaluation: &str,
    fields: &Fields,
) -> Result<Posted, Response> {
    let r = ready(state, viewer, id, evaluation).await?;
    let f = filled(&r.sheet, fields);
    let (sheet, missing) = answer_sheet(&r.sheet, &f, &viewer.principal.actor);
    Ok(Posted {
        r,
        f,
        sheet,
        missing,
    })
}

/// `POST /cases/{id}/score/{evaluation}`: previews (without a script) or submits.
pub(crate) async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    log: RequestLog,
    Path((id, evaluation)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> Result<Response, Response> {
    let lang = viewer.lang;
    let Posted {
        r,
        f,
        sheet,
        missing,
    } = posted(&state, &viewer, &id, &evaluation, &fields).await?;
    let preview = field(&fields, "intent") == Some("preview");
    if !missing.is_empty() {
        let note = html! {
            p { (match lang { Lang::Vi => format!("Còn {} tiêu chí chưa chọn:", missing.len()), Lang::En => format!("{} criteria are not answered:", missing.len()) }) }
            ul.inline { @for m in &missing { li { a href={ "#c-" (m) } { (m) } } } }
        };
        // A preview of an unfinished form is an answer; a submission of one is refused.
        let status = if preview {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok(form_page(&state, &viewer, &r, &f, None, Some(note), status));
    }
    if preview {
        let p = preview_of(&state, &r.plugin, sheet, lang).await;
        return Ok(form_page(
            &state,
            &viewer,
            &r,
            &f,
            Some(&p),
            None,
            StatusCode::OK,
        ));
    }
    let result = crate::api::cases::run(
        form_call(&state, &viewer, &fields, &log),
        r.case.id().clone(),
        None,
        Action::SubmitSheet {
            evaluation: r.evaluation.clone(),
            sheet,
        },
    )
    .await;
    Ok(match result {
        Ok(reply) => {
            let total = reply
                .body
                .events
                .iter()
                .find_map(|e| match &e.body {
                    EventBody::SheetSubmitted(s) => Some(s.total()),
                    _ => None,
                })
                .unwrap_or(0.0);
            state.web.sessions.flash(
                &viewer.session,
                true,
                match lang {
                    Lang::Vi => format!("Đã nộp phiếu chấm: {} điểm.", points(lang, total)),
                    Lang::En => format!("Your sheet is submitted: {} points.", points(lang, total)),
                },
            );
            Redirect::to(&case_url(r.case.id().as_str())).into_response()
        }
        Err(p) => {
            let text = super::case::refusal(&state, &viewer, r.case.id(), None, &p).await;
            form_page(
                &state,
                &viewer,
                &r,
                &f,
                None,
                Some(html! { p { (text) } }),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    })
}

/// `POST /cases/{id}/score/{evaluation}/preview`: the plugin's score of the form as it is,
/// as JSON for the script (nothing is stored).
pub(crate) async fn preview(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, evaluation)): Path<(String, String)>,
    Form(fields): Form<Fields>,
) -> Result<Response, Response> {
    let lang = viewer.lang;
    let Posted {
        r, sheet, missing, ..
    } = posted(&state, &viewer, &id, &evaluation, &fields).await?;
    let body = if missing.is_empty() {
        match preview_of(&state, &r.plugin, sheet, lang).await {
            Ok(s) => serde_json::json!({
                "complete": true,
                "total": s.evaluation.total,
                "parts": s.evaluation.parts,
                "band": s.evaluation.band.get(),
                "cap": s.evaluation.cap.get(),
                "stars": s.evaluation.stars.map(|x| x.get()),
                "knockouts": s.evaluation.knockouts,
                "lines": s.evaluation.lines.iter().map(|l| serde_json::json!({"criterion": l.criterion, "points": l.points})).collect::<Vec<_>>(),
            }),
            Err(e) => serde_json::json!({"complete": false, "error": e}),
        }
    } else {
        serde_json::json!({"complete": false, "missing": missing.len()})
    };
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct SheetQuery {
    seq: Option<u64>,
}

/// `GET /cases/{id}/sheets/{evaluation}/{member}`: a member's scored sheet: to the member,
/// and to anyone of the province once the council has recorded its result; otherwise it is
/// simply not found.
pub(crate) async fn sheet(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, evaluation, member)): Path<(String, String, String)>,
    Query(q): Query<SheetQuery>,
) -> Result<Response, Response> {
    let lang = viewer.lang;
    let (province, case) = load(&state, &viewer, &id).await?;
    let events = events_of(&province, &case, lang).await?;
    let evaluation = EvaluationId::new(evaluation);
    let found = events.iter().rev().find_map(|e| match &e.body {
        EventBody::SheetSubmitted(s)
            if s.evaluation == evaluation
                && s.member == member
                && q.seq.is_none_or(|n| n == e.seq) =>
        {
            Some((e.seq, s))
        }
        _ => None,
    });
    let Some((seq, s)) = found.filter(|(seq, s)| {
        sheet_visible(
            &events,
            *seq,
            &s.evaluation,
            &s.member,
            &viewer.principal.actor,
        )
    }) else {
        return Ok(error_page(
            lang,
            StatusCode::NOT_FOUND,
            tr(
                lang,
                "Không có phiếu chấm này, hoặc phiếu còn được giữ kín đến khi hội đồng có kết quả.",
                "There is no such sheet, or it stays private until the council records its result.",
            ),
        ));
    };
    // A sheet recorded with its totals only (event format 2) is scored again by the plugin
    // its sha256 pins, which must give the recorded totals again; its criteria give the
    // lines their titles (any loaded scorer's, when the pinned one is not loaded).
    let pinned = state.catalogue.scorer_pinned(&s.plugin().sha256);
    let titles = pinned.clone().or_else(|| {
        state
            .catalogue
            .plugins
            .keys()
            .find_map(|k| state.catalogue.scorer(k))
    });
    let recorded = s.clone();
    let (criteria, lines) = crate::api::blocking(move || {
        let criteria = titles.and_then(|t| t.criteria(recorded.sheet.product_set).ok());
        let lines = match pinned {
            Some(scorer) => recorded.rescore(&*scorer).map_err(|e| e.to_string()),
            None => Err(match lang {
                Lang::Vi => format!(
                    "plugin có sha256 {} không được nạp trên máy chủ này",
                    recorded.plugin().sha256
                ),
                Lang::En => format!(
                    "the plugin with sha256 {} is not loaded on this server",
                    recorded.plugin().sha256
                ),
            }),
        };
        (criteria, lines)
    })
    .await
    .unwrap_or_else(|p| (None, Err(p.in_lang(lang).detail)));
    let ev = s.result();
    let title = format!("{} — {}", tr(lang, "Phiếu chấm", "Score sheet"), member);
    let body = html! {
        nav.crumbs aria-label=(tr(lang, "Vị trí", "Breadcrumb")) {
            a href="/work" { (tr(lang, "Việc của tôi", "My work")) } " › "
            a href=(case_url(case.id().as_str())) { (case.product().name) } " › "
            span { (tr(lang, "Phiếu chấm của ", "Sheet of ")) (member) }
        }
        h1 { (tr(lang, "Phiếu chấm của ", "Score sheet of ")) (member) }
        p.lead { (case.product().name) " · " (tr(lang, "Tổng ", "Total ")) strong { (points(lang, ev.total)) } " · "
            @match ev.stars { Some(x) => span.stars { (x.get()) (tr(lang, " sao ", " stars ")) (stars(x.get())) }, None => span { (tr(lang, "không xếp hạng", "no stars")) } } }
        p.muted { (tr(lang, "Sự kiện số ", "Event ")) (seq) " · plugin " code { (ev.plugin.name) " " (ev.plugin.version) } " · sha256 " code.hash { (ev.plugin.sha256) } }
        dl.facts {
            dt { "A" } dd { (points(lang, ev.parts.a)) }
            dt { "B" } dd { (points(lang, ev.parts.b)) }
            dt { "C" } dd { (points(lang, ev.parts.c)) }
            dt { (tr(lang, "Hạng theo điểm", "Band")) } dd { (ev.band.get()) " " (stars(ev.band.get())) }
            dt { (tr(lang, "Hạng tối đa", "Cap")) } dd { (ev.cap.get()) " " (stars(ev.cap.get())) }
            dt { (tr(lang, "Điều kiện loại", "Knock-outs")) } dd { (if ev.knockouts.is_empty() { tr(lang, "không", "none").to_owned() } else { ev.knockouts.join(", ") }) }
        }
        @match &lines {
            Ok(scored) => table.lines {
                thead { tr { th scope="col" { (tr(lang, "Tiêu chí", "Criterion")) } th scope="col" { (tr(lang, "Lựa chọn", "Chosen")) } th scope="col" .num { (tr(lang, "Điểm", "Points")) } } }
                tbody {
                    @for l in &scored.evaluation.lines {
                        @let c = criteria.as_ref().and_then(|s| s.criteria.iter().find(|c| c.id == l.criterion));
                        tr {
                            th scope="row" { (l.criterion) @if let Some(c) = c { " " span.muted { (c.title.get(lang)) } } }
                            td { @match c.and_then(|c| usize::try_from(l.option).ok().and_then(|o| c.options.get(o))) {
                                Some(o) => (o.label.get(lang)),
                                None => span.muted { (l.explanation) },
                            } }
                            td.num { (points(lang, l.points)) }
                        }
                    }
                }
            },
            Err(why) => p.why {
                (tr(lang, "Phiếu được ghi với tổng điểm của plugin; không dựng lại được điểm từng tiêu chí: ", "The sheet was recorded with the plugin's totals; its points per criterion cannot be recomputed: "))
                (why) "."
            },
        }
    };
    Ok(Page {
        state: &state,
        viewer: &viewer,
        title,
        nav: Nav::None,
        here: format!(
            "{}/sheets/{}/{}",
            case_url(case.id().as_str()),
            evaluation,
            encode_segment(&member)
        ),
        body,
        scripts: &[],
    }
    .render())
}
