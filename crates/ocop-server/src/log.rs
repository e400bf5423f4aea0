//! One structured line per request (method, route, path, status, latency, actor, province,
//! credential id, case, command, outcome) and the request metrics. Never a header, a token,
//! a key or a body. Error answers without a problem body (no route, wrong method, body over
//! the limit, timeout) are turned into problems here.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use aide::OperationInput;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::extract::lang_of;
use crate::api::problem::{ErrorCode, PROBLEM_JSON, Problem};
use crate::auth::Principal;
use crate::state::AppState;

#[derive(Debug, Default)]
struct Fields {
    actor: Option<String>,
    province: Option<String>,
    credential: Option<String>,
    case: Option<String>,
    command: Option<String>,
}

/// What a handler adds to its request's log line.
#[derive(Clone, Debug, Default)]
pub(crate) struct RequestLog(Arc<Mutex<Fields>>);

impl RequestLog {
    fn with(&self, f: impl FnOnce(&mut Fields)) {
        if let Ok(mut g) = self.0.lock() {
            f(&mut g);
        }
    }

    /// The case the request is about.
    pub(crate) fn case(&self, case: &str) {
        self.with(|f| f.case = Some(clip(case)));
    }

    /// The principal the request acts for.
    pub(crate) fn principal(&self, p: &Principal) {
        self.with(|f| {
            f.actor = Some(p.actor.clone());
            f.province = Some(p.province.clone());
            f.credential = Some(p.credential.clone());
        });
    }

    /// The command it carries (a transition or an action).
    pub(crate) fn command(&self, command: &str) {
        self.with(|f| f.command = Some(clip(command)));
    }
}

fn clip(s: &str) -> String {
    const MAX: usize = 128;
    if s.len() <= MAX {
        return s.to_owned();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Records the principal in the request's log line.
pub(crate) fn note_principal(req: &Request, p: &Principal) {
    if let Some(log) = req.extensions().get::<RequestLog>() {
        log.with(|f| {
            f.actor = Some(p.actor.clone());
            f.province = Some(p.province.clone());
            f.credential = Some(p.credential.clone());
        });
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestLog {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<RequestLog>()
            .cloned()
            .unwrap_or_default())
    }
}

impl OperationInput for RequestLog {}

/// The problem for an error answer that has no problem body.
fn problem_for(status: StatusCode) -> Option<Problem> {
    let p = match status {
        StatusCode::NOT_FOUND => Problem::not_found("there is no such route; see /openapi.json"),
        StatusCode::METHOD_NOT_ALLOWED => Problem::new(
            ErrorCode::MethodNotAllowed,
            "this route does not take this method; see /openapi.json",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => crate::api::extract::too_large(),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => Problem::new(
            ErrorCode::Timeout,
            "the request took longer than this server allows; a command may still complete: retry it with the same `Idempotency-Key`",
        ),
        s if s.is_server_error() => Problem::internal(),
        _ => return None,
    };
    Some(p)
}

/// The outermost middleware: logs, counts, and turns bare errors into problems.
pub(crate) async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = clip(req.uri().path());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let lang = lang_of(req.headers());
    let log = RequestLog::default();
    req.extensions_mut().insert(log.clone());
    let mut res = next.run(req).await;
    let bare = res.status().as_u16() >= 400
        && res
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| {
                !v.starts_with(PROBLEM_JSON)
                    && !v.starts_with("application/json")
                    && !v.starts_with("text/html")
            });
    if bare && let Some(p) = problem_for(res.status()) {
        res = p.in_lang(lang).into_response();
    }
    let status = res.status().as_u16();
    let took = started.elapsed();
    state.metrics.request(&method, &route, status, took);
    let outcome = res
        .extensions()
        .get::<ErrorCode>()
        .map_or("ok", |c| c.as_str());
    let f = log
        .0
        .lock()
        .map(|mut g| std::mem::take(&mut *g))
        .unwrap_or_default();
    tracing::info!(
        target: "ocop_server::request",
        method = %method,
        route = %route,
        path = %path,
        status,
        latency_ms = took.as_secs_f64() * 1000.0,
        actor = f.actor.as_deref().unwrap_or("-"),
        province = f.province.as_deref().unwrap_or("-"),
        credential = f.credential.as_deref().unwrap_or("-"),
        case = f.case.as_deref().unwrap_or("-"),
        command = f.command.as_deref().unwrap_or("-"),
        outcome,
    );
    res
}
