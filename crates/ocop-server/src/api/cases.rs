//! `/cases`: open, list, get, history, verify, commands, and the council sugar over
//! commands. Every change goes through `Engine::execute`; the actor is the credential's.

use std::collections::BTreeMap;
use std::sync::Arc;

use aide::OperationInput;
use aide::generate::GenContext;
use aide::openapi::Operation;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use ocop_core::{
    domain::{AnswerSheet, Certificate, DossierDocument, RegistrationType},
    ids::{EvaluationId, RoleId, TransitionId},
};
use ocop_engine::{
    Action, Actor, Case, CaseId, CaseSummary, Command, CommandError, CouncilMember, CouncilResult,
    Engine, Event, Outcome, Product,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::blocking;
use super::extract::{ApiJson, ApiPath, ApiQuery, Caller, CommandHeaders};
use super::output::Reply;
use super::problem::{ErrorCode, FailedGuard, Problem};
use crate::auth::Principal;
use crate::listing::{self, CaseFilter, CasePage, ListError};
use crate::log::RequestLog;
use crate::province::Province;
use crate::state::AppState;

/// The longest case id accepted.
pub(crate) const MAX_CASE_ID: usize = 200;

pub(crate) fn check_id(id: &str) -> Result<CaseId, Problem> {
    if id.is_empty() || id.chars().count() > MAX_CASE_ID || id.chars().any(char::is_control) {
        return Err(Problem::new(
            ErrorCode::InvalidInput,
            format!("a case id is 1 to {MAX_CASE_ID} characters without control characters"),
        ));
    }
    Ok(CaseId::new(id))
}

/// Percent-encodes a path segment.
pub(crate) fn encode_segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Opens a case. The actor is the credential's; `role` picks one of its roles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenRequest {
    /// The case id (1-200 characters). Without it the server makes one: from the
    /// `Idempotency-Key` when one is sent (so a retry opens nothing twice), else at random.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The definition the case runs under, e.g. `national-2026`.
    pub definition: String,
    /// The role to act in (one of the credential's; default: the first that may open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleId>,
    /// The product.
    pub product: Product,
    /// First, upgrade or re-evaluation.
    pub registration: RegistrationType,
    /// Documents filed with the registration.
    #[serde(default)]
    pub documents: Vec<DossierDocument>,
    /// Facts known at opening.
    #[serde(default)]
    pub facts: BTreeMap<String, bool>,
    /// A certificate the product already holds (upgrade, re-evaluation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
}

/// A command on a case: what to do and, optionally, which of the credential's roles to act
/// in. There is no actor field: the actor is the credential's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandRequest {
    /// The role to act in (one of the credential's; default: the first that may).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleId>,
    /// What to do: `take` a transition, `constitute_council`, `submit_sheet`,
    /// `update_dossier` or `record_facts`.
    pub action: Action,
}

/// What a command did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CommandResponse {
    /// The case after the command.
    pub case: CaseSummary,
    /// The events the command appended (on a retry with the same `Idempotency-Key`: the
    /// events it appended the first time).
    pub events: Vec<Event>,
    /// Whether this answer replays an earlier command with the same key.
    pub replayed: bool,
}

/// A transition the caller may take now, and the role to take it in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Available {
    /// The transition.
    pub transition: TransitionId,
    /// Its name, in the caller's language.
    pub label: String,
    /// The caller's role that may take it.
    pub role: RoleId,
}

/// A council action the caller may take now (besides transitions).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AvailableAction {
    /// `constitute_council` or `submit_sheet`.
    pub action: String,
    /// The evaluation stage.
    pub evaluation: EvaluationId,
    /// The caller's role to act in.
    pub role: RoleId,
}

/// A case as the caller sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CaseView {
    /// State, version, product, certificate, round, latest council result and the next
    /// deadline.
    #[serde(flatten)]
    pub summary: CaseSummary,
    /// The stars of the current certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stars: Option<u8>,
    /// The transitions the caller may take next.
    pub available: Vec<Available>,
    /// The council actions the caller may take next.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<AvailableAction>,
}

/// The council actions `p` may take on `case` now.
pub(crate) fn council_actions(engine: &Engine, case: &Case, p: &Principal) -> Vec<AvailableAction> {
    let cycle = engine.cycle();
    let Some(stage) = cycle.evaluation_in(case.state()) else {
        return Vec::new();
    };
    if case.definition() != &cycle.definition().id {
        return Vec::new();
    }
    let held = |r: &RoleId| p.roles.contains(r);
    let council = case.council(&stage.id);
    let mut out = Vec::new();
    if council.is_none_or(|c| !c.is_constituted()) {
        let owner = cycle.state(&stage.state).and_then(|s| s.owner.clone());
        if let Some(role) = stage
            .chair_role
            .iter()
            .chain(owner.iter())
            .find(|r| held(r))
        {
            out.push(AvailableAction {
                action: "constitute_council".into(),
                evaluation: stage.id.clone(),
                role: role.clone(),
            });
        }
    }
    if let Some(c) = council
        && let Some(m) = c.member(&p.actor)
        && c.sheet(&p.actor).is_none()
    {
        let role = if m.chair {
            stage.chair_role.clone()
        } else {
            Some(stage.member_role.clone())
        };
        if let Some(role) = role.filter(|r| held(r)) {
            out.push(AvailableAction {
                action: "submit_sheet".into(),
                evaluation: stage.id.clone(),
                role,
            });
        }
    }
    out
}

/// Path of a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct CasePath {
    /// The case id (percent-encoded in the path).
    pub(crate) id: String,
}

/// `role`, or the first of the credential's roles among `preferred`, or its first role.
pub(crate) fn actor(
    p: &Principal,
    role: Option<RoleId>,
    preferred: &[RoleId],
) -> Result<Actor, Problem> {
    let held = |r: &RoleId| p.roles.contains(r);
    let role = match role {
        Some(r) if held(&r) => r,
        Some(r) => {
            return Err(Problem::new(
                ErrorCode::RoleNotAllowed,
                format!(
                    "your credential does not hold role `{r}`; it holds {}",
                    p.roles
                        .iter()
                        .map(|r| format!("`{r}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        None => preferred
            .iter()
            .find(|r| held(r))
            .or_else(|| p.roles.first())
            .cloned()
            .ok_or_else(|| {
                Problem::new(ErrorCode::RoleNotAllowed, "your credential holds no role")
            })?,
    };
    Ok(Actor::new(p.actor.clone(), role))
}

/// The roles that may do `action` on `case`, most fitting first.
pub(crate) fn preferred(
    engine: &Engine,
    case: Option<&Case>,
    action: &Action,
    actor: &str,
) -> Vec<RoleId> {
    let cycle = engine.cycle();
    match action {
        Action::Take { transition, .. } => cycle
            .transition(transition)
            .map(|t| t.roles.clone())
            .unwrap_or_default(),
        Action::ConstituteCouncil { evaluation, .. } => cycle
            .evaluation(evaluation)
            .map(|s| {
                s.chair_role
                    .iter()
                    .cloned()
                    .chain(cycle.state(&s.state).and_then(|st| st.owner.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        Action::SubmitSheet { evaluation, .. } => {
            let chair = case
                .and_then(|c| c.council(evaluation))
                .and_then(|c| c.member(actor))
                .is_some_and(|m| m.chair);
            cycle
                .evaluation(evaluation)
                .map(|s| {
                    if chair {
                        s.chair_role
                            .iter()
                            .cloned()
                            .chain([s.member_role.clone()])
                            .collect()
                    } else {
                        vec![s.member_role.clone()]
                    }
                })
                .unwrap_or_default()
        }
        Action::Open(_) => cycle
            .outgoing(&cycle.definition().initial)
            .into_iter()
            .flat_map(|t| t.roles.clone())
            .collect(),
        _ => cycle
            .state(case.map_or(&cycle.definition().initial, |c| c.state()))
            .and_then(|s| s.owner.clone())
            .into_iter()
            .collect(),
    }
}

fn action_name(a: &Action) -> String {
    match a {
        Action::Open(_) => "open".into(),
        Action::Take { transition, .. } => transition.to_string(),
        Action::ConstituteCouncil { .. } => "constitute_council".into(),
        Action::SubmitSheet { .. } => "submit_sheet".into(),
        Action::UpdateDossier { .. } => "update_dossier".into(),
        Action::RecordFacts { .. } => "record_facts".into(),
        _ => "other".into(),
    }
}

/// The problem for a refused command; a failed guard lists every failing guard.
fn refused(
    e: &CommandError,
    h: &CommandHeaders,
    engine: &Engine,
    case: Option<&Case>,
    action: &Action,
) -> Problem {
    let mut p = Problem::command(e, h.if_match.is_some());
    if let CommandError::UnknownTransition { transition, .. } = e
        && let Some(best) = closest(
            transition,
            engine.cycle().transitions().map(|t| t.id.as_str()),
        )
    {
        let rest = p.hint.take().map(|h| format!("; {h}")).unwrap_or_default();
        p.hint = Some(format!("did you mean `{best}`?{rest}"));
    }
    if let (CommandError::GuardFailed { .. }, Some(case), Action::Take { transition, input }) =
        (e, case, action)
    {
        let all: Vec<FailedGuard> = engine
            .failing_guards(case, transition, input)
            .into_iter()
            .filter_map(|g| match g {
                CommandError::GuardFailed { guard, reason, .. } => {
                    Some(FailedGuard { guard, reason })
                }
                _ => None,
            })
            .collect();
        if !all.is_empty() {
            p.findings = all;
        }
    }
    p
}

/// The candidate nearest to `word` by edit distance, if it is near enough to be a typo.
fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// What a command takes from its request besides the case and the action: the [`Caller`],
/// the command headers and the request's log line. The API's command routes extract it
/// whole (its OpenAPI inputs are its parts', in this order); the pages build it from their
/// session and form.
pub(crate) struct CommandCall {
    pub(crate) caller: Caller,
    pub(crate) headers: CommandHeaders,
    pub(crate) log: RequestLog,
}

impl FromRequestParts<AppState> for CommandCall {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let headers = CommandHeaders::from_request_parts(parts, state).await?;
        let Ok(log) = RequestLog::from_request_parts(parts, state).await;
        Ok(CommandCall {
            caller,
            headers,
            log,
        })
    }
}

impl OperationInput for CommandCall {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        Caller::operation_input(ctx, operation);
        CommandHeaders::operation_input(ctx, operation);
        RequestLog::operation_input(ctx, operation);
    }
}

/// Runs a command on an existing case.
pub(crate) async fn run(
    call: CommandCall,
    case: CaseId,
    role: Option<RoleId>,
    action: Action,
) -> Result<Reply<CommandResponse>, Problem> {
    let CommandCall {
        caller: Caller {
            state, principal, ..
        },
        headers: h,
        log,
    } = call;
    log.case(case.as_str());
    log.command(&action_name(&action));
    if matches!(action, Action::Open(_)) {
        return Err(Problem::new(
            ErrorCode::InvalidInput,
            "open a case with `POST /api/v1/cases`, not as a command",
        ));
    }
    let province = state.province(&principal)?;
    let metrics_state = state.clone();
    let result = blocking(move || -> Result<Reply<CommandResponse>, Problem> {
        let not_found = |e: CommandError| Problem::command(&e, false);
        let engine = province.engine_for(&case).map_err(not_found)?;
        // Only a sheet needs the case to pick the role (the chair submits as chair).
        let seen = match &action {
            Action::SubmitSheet { .. } => Some(province.case(&case).map_err(not_found)?.1),
            _ => None,
        };
        let preferred = preferred(engine, seen.as_ref(), &action, &principal.actor);
        let actor = actor(&principal, role, &preferred)?;
        let mut cmd = Command::new(case.clone(), actor, action);
        cmd.expected_version = h.if_match;
        cmd.idempotency_key = h.idempotency_key.clone();
        match province.execute(&cmd) {
            Ok(Outcome {
                events, replayed, ..
            }) => {
                let (engine, now) = province.case(&case).map_err(not_found)?;
                let summary = engine.summary(&now);
                Ok(Reply::ok(CommandResponse {
                    case: summary,
                    events,
                    replayed,
                })
                .version(now.version()))
            }
            Err(e) => {
                let now = matches!(e, CommandError::GuardFailed { .. })
                    .then(|| province.case(&case).ok())
                    .flatten();
                let engine = now.as_ref().map_or(engine, |(e, _)| *e);
                Err(refused(
                    &e,
                    &h,
                    engine,
                    now.as_ref().map(|(_, c)| c),
                    &cmd.action,
                ))
            }
        }
    })
    .await
    .and_then(|r| r);
    let outcome = match &result {
        Ok(r) if r.body.replayed => "replayed",
        Ok(_) => "ok",
        Err(p) => p.code.as_str(),
    };
    metrics_state.metrics.command(outcome);
    result
}

/// `POST /api/v1/cases`: opens a case.
pub(crate) async fn open(
    call: CommandCall,
    ApiJson(req): ApiJson<OpenRequest>,
) -> Result<Reply<CommandResponse>, Problem> {
    let CommandCall {
        caller: Caller {
            state,
            principal,
            lang,
        },
        headers: h,
        log,
    } = call;
    let id = match (&req.id, &h.idempotency_key) {
        (Some(id), _) => check_id(id).map_err(|p| p.in_lang(lang))?,
        (None, Some(key)) => {
            let digest =
                ocop_plugin_host::sha256_hex(format!("{}\n{key}", principal.province).as_bytes());
            CaseId::new(format!(
                "{}-{}",
                principal.province,
                digest.get(..16).unwrap_or(&digest)
            ))
        }
        (None, None) => {
            use argon2::password_hash::rand_core::{OsRng, RngCore};
            let mut b = [0u8; 8];
            OsRng.fill_bytes(&mut b);
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            CaseId::new(format!("{}-{hex}", principal.province))
        }
    };
    log.case(id.as_str());
    log.command("open");
    let province = state.province(&principal).map_err(|p| p.in_lang(lang))?;
    if !province.engines.contains_key(&req.definition) {
        let known: Vec<&str> = province.engines.keys().map(String::as_str).collect();
        return Err(Problem::not_found(format!(
            "there is no definition `{}`; this server runs {}",
            req.definition,
            known.join(", ")
        ))
        .in_lang(lang));
    }
    let metrics_state = state.clone();
    let result = blocking(move || -> Result<Reply<CommandResponse>, Problem> {
        let engine = province
            .engines
            .get(&req.definition)
            .ok_or_else(Problem::internal)?;
        let open = ocop_engine::OpenCase {
            product: req.product,
            registration: req.registration,
            documents: req.documents,
            facts: req.facts,
            certificate: req.certificate,
        };
        let action = Action::Open(open);
        let preferred = preferred(engine, None, &action, &principal.actor);
        let actor = actor(&principal, req.role, &preferred)?;
        let mut cmd = Command::new(id.clone(), actor, action);
        cmd.idempotency_key = h.idempotency_key.clone();
        cmd.expected_version = h.if_match;
        let Outcome {
            events, replayed, ..
        } = province
            .open(&req.definition, &cmd)
            .map_err(|e| refused(&e, &h, engine, None, &cmd.action))?;
        let (engine, now) = province
            .case(&id)
            .map_err(|e| Problem::command(&e, false))?;
        Ok(Reply {
            status: if replayed {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            },
            version: Some(now.version()),
            location: Some(format!("/api/v1/cases/{}", encode_segment(id.as_str()))),
            body: CommandResponse {
                case: engine.summary(&now),
                events,
                replayed,
            },
        })
    })
    .await
    .and_then(|r| r);
    metrics_state.metrics.command(match &result {
        Ok(r) if r.body.replayed => "replayed",
        Ok(_) => "ok",
        Err(p) => p.code.as_str(),
    });
    result.map_err(|p| p.in_lang(lang))
}

/// `GET /api/v1/cases`: the province's cases, filtered, a page at a time.
pub(crate) async fn list(
    Caller {
        state,
        principal,
        lang,
    }: Caller,
    ApiQuery(filter): ApiQuery<CaseFilter>,
) -> Result<Reply<CasePage>, Problem> {
    let province = state.province(&principal)?;
    blocking(move || listing::list(&province, &filter))
        .await?
        .map(Reply::ok)
        .map_err(|e| match e {
            ListError::BadCursor => Problem::new(
                ErrorCode::BadParameter,
                "`cursor` is not a cursor this server gave; start again without it",
            ),
            ListError::Case(e) => Problem::command(&e, false),
        })
        .map_err(|p| p.in_lang(lang))
}

/// Reads case `id` of the caller's province on a blocking thread: the id is checked and
/// logged first; a problem is told in the caller's language.
async fn read_case<T: Send + 'static>(
    state: &AppState,
    principal: &Principal,
    lang: ocop_core::Lang,
    log: &RequestLog,
    id: &str,
    read: impl FnOnce(Arc<Province>, CaseId) -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    let id = check_id(id).map_err(|p| p.in_lang(lang))?;
    log.case(id.as_str());
    let province = state.province(principal)?;
    blocking(move || read(province, id))
        .await
        .and_then(|r| r)
        .map_err(|p| p.in_lang(lang))
}

/// `GET /api/v1/cases/{id}`: the case, what the caller may do next, and its next deadline.
pub(crate) async fn get(
    Caller {
        state,
        principal,
        lang,
    }: Caller,
    log: RequestLog,
    ApiPath(CasePath { id }): ApiPath<CasePath>,
) -> Result<Reply<CaseView>, Problem> {
    // The closure keeps the principal for the roles it reads; the look-up borrows a copy.
    let caller = principal.clone();
    read_case(&state, &caller, lang, &log, &id, move |province, id| {
        let (engine, case) = province
            .case(&id)
            .map_err(|e| Problem::command(&e, false))?;
        let mut available: Vec<Available> = Vec::new();
        for role in &principal.roles {
            for t in engine.available(&case, &Actor::new(principal.actor.clone(), role.clone())) {
                if available.iter().any(|a| a.transition == t) {
                    continue;
                }
                let label = engine
                    .cycle()
                    .transition(&t)
                    .map(|x| x.label.get(lang).to_owned())
                    .unwrap_or_default();
                available.push(Available {
                    transition: t,
                    label,
                    role: role.clone(),
                });
            }
        }
        let summary = engine.summary(&case);
        Ok(Reply::ok(CaseView {
            stars: summary.certificate.as_ref().map(|c| c.stars.get()),
            summary,
            available,
            actions: council_actions(engine, &case, &principal),
        })
        .version(case.version()))
    })
    .await
}

/// Query of the history route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventsQuery {
    /// Only the events after this sequence number (default 0: all).
    #[serde(default)]
    pub after: u64,
}

/// `GET /api/v1/cases/{id}/events`: the case's history.
pub(crate) async fn events(
    Caller {
        state,
        principal,
        lang,
    }: Caller,
    log: RequestLog,
    ApiPath(CasePath { id }): ApiPath<CasePath>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> Result<Reply<Vec<Event>>, Problem> {
    read_case(&state, &principal, lang, &log, &id, move |province, id| {
        let version = province
            .store
            .version(&id)
            .map_err(|e| Problem::store(&e))?;
        if version == 0 {
            return Err(Problem::command(
                &CommandError::UnknownCase { case: id },
                false,
            ));
        }
        let events = province
            .store
            .load(&id, q.after)
            .map_err(|e| Problem::store(&e))?;
        Ok(Reply::ok(events).version(version))
    })
    .await
}

/// Whether a case's hash chain holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VerifyReport {
    /// The case.
    pub case: CaseId,
    /// Its number of events.
    pub events: u64,
    /// Whether every event's hash covers its predecessor's and its own content.
    pub valid: bool,
    /// The first event that does not fit, when not valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `GET /api/v1/cases/{id}/verify`: checks the case's hash chain.
pub(crate) async fn verify(
    Caller {
        state,
        principal,
        lang,
    }: Caller,
    log: RequestLog,
    ApiPath(CasePath { id }): ApiPath<CasePath>,
) -> Result<Reply<VerifyReport>, Problem> {
    read_case(&state, &principal, lang, &log, &id, move |province, id| {
        let events = province
            .store
            .load(&id, 0)
            .map_err(|e| Problem::store(&e))?;
        if events.is_empty() {
            return Err(Problem::command(
                &CommandError::UnknownCase { case: id },
                false,
            ));
        }
        let result = ocop_engine::verify(&events);
        Ok(Reply::ok(VerifyReport {
            case: id,
            events: events.len() as u64,
            valid: result.is_ok(),
            error: result.err().map(|e| e.to_string()),
        }))
    })
    .await
}

/// `POST /api/v1/cases/{id}/commands`: a transition or an action.
pub(crate) async fn command(
    call: CommandCall,
    ApiPath(CasePath { id }): ApiPath<CasePath>,
    ApiJson(req): ApiJson<CommandRequest>,
) -> Result<Reply<CommandResponse>, Problem> {
    run_on(call, &id, req.role, req.action).await
}

/// [`run`] on the case a path names, with problems in the caller's language.
async fn run_on(
    call: CommandCall,
    id: &str,
    role: Option<RoleId>,
    action: Action,
) -> Result<Reply<CommandResponse>, Problem> {
    let lang = call.caller.lang;
    let id = check_id(id).map_err(|p| p.in_lang(lang))?;
    run(call, id, role, action)
        .await
        .map_err(|p| p.in_lang(lang))
}

/// Path of a council.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct CouncilPath {
    /// The case.
    pub id: String,
    /// The evaluation stage, e.g. `province_council`.
    pub evaluation: String,
}

/// A member's scored sheet, in short.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SheetSummary {
    /// The member.
    pub member: String,
    /// Whether the member chairs the council.
    pub chair: bool,
    /// The sheet's total.
    pub total: f64,
    /// The stars the sheet gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stars: Option<u8>,
    /// The plugin that scored it (name, version, sha256).
    pub plugin: ocop_core::domain::PluginRef,
}

/// A council: its members, the sheets submitted and its result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CouncilView {
    /// The evaluation stage.
    pub evaluation: EvaluationId,
    /// The members named.
    pub members: Vec<CouncilMember>,
    /// The sheets submitted so far.
    pub sheets: Vec<SheetSummary>,
    /// The council's result, once recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<CouncilResult>,
}

/// `GET /api/v1/cases/{id}/council/{evaluation}`.
pub(crate) async fn council(
    Caller {
        state,
        principal,
        lang,
    }: Caller,
    log: RequestLog,
    ApiPath(path): ApiPath<CouncilPath>,
) -> Result<Reply<CouncilView>, Problem> {
    read_case(
        &state,
        &principal,
        lang,
        &log,
        &path.id,
        move |province, id| {
            let (engine, case) = province
                .case(&id)
                .map_err(|e| Problem::command(&e, false))?;
            let evaluation = EvaluationId::new(path.evaluation.as_str());
            if engine.cycle().evaluation(&evaluation).is_none() {
                return Err(Problem::not_found(format!(
                    "`{}` has no evaluation stage `{evaluation}`",
                    engine.cycle().definition().id
                )));
            }
            let council = case.council(&evaluation);
            Ok(Reply::ok(CouncilView {
                members: council.map(|c| c.members().to_vec()).unwrap_or_default(),
                sheets: council
                    .map(|c| {
                        c.sheets()
                            .map(|s| {
                                let scored = s.result();
                                SheetSummary {
                                    member: s.member.clone(),
                                    chair: s.chair,
                                    total: scored.total,
                                    stars: scored.stars.map(|x| x.get()),
                                    plugin: scored.plugin,
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                result: case.result(&evaluation).cloned(),
                evaluation,
            })
            .version(case.version()))
        },
    )
    .await
}

/// Names a council's members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConstituteRequest {
    /// The role to act in (one of the credential's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleId>,
    /// The members; one is the chair when the council rules require the chair's sheet.
    pub members: Vec<CouncilMember>,
}

/// `POST /api/v1/cases/{id}/council/{evaluation}/members`: constitutes the council.
pub(crate) async fn constitute(
    call: CommandCall,
    ApiPath(path): ApiPath<CouncilPath>,
    ApiJson(req): ApiJson<ConstituteRequest>,
) -> Result<Reply<CommandResponse>, Problem> {
    let action = Action::ConstituteCouncil {
        evaluation: EvaluationId::new(path.evaluation.as_str()),
        members: req.members,
    };
    run_on(call, &path.id, req.role, action).await
}

/// A member's answer sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetRequest {
    /// The role to act in (one of the credential's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleId>,
    /// The answers; the stage's plugin scores them.
    pub sheet: AnswerSheet,
}

/// `POST /api/v1/cases/{id}/council/{evaluation}/sheets`: the caller's sheet as a member.
pub(crate) async fn submit_sheet(
    call: CommandCall,
    ApiPath(path): ApiPath<CouncilPath>,
    ApiJson(req): ApiJson<SheetRequest>,
) -> Result<Reply<CommandResponse>, Problem> {
    let action = Action::SubmitSheet {
        evaluation: EvaluationId::new(path.evaluation.as_str()),
        sheet: req.sheet,
    };
    run_on(call, &path.id, req.role, action).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_and_encoded() {
        assert!(check_id("a/b'; DROP TABLE events;--").is_ok());
        assert!(check_id("").is_err());
        assert!(check_id(&"x".repeat(10_000)).is_err());
        assert!(check_id("a\nb").is_err());
        assert_eq!(encode_segment("a/b c"), "a%2Fb%20c");
    }
}
