//! Sessions, the CSRF check and the security headers of the pages.
//!
//! A session lives in this process's memory under a random 256-bit id, sent as the cookie
//! `__Host-ocop_session` (`Path=/; HttpOnly; Secure; SameSite=Lax`, no `Domain`). Signing in
//! always makes a new id and drops the old one (no fixation); signing out drops it. A
//! session idles out after 8 hours and ends after 12; a sign-in not finished in 15 minutes
//! is forgotten.
//!
//! Every `POST` to a page must (1) come from this origin (`Sec-Fetch-Site` when the browser
//! sends it, else `Origin`, else `Referer`), and (2) carry the session's CSRF token, as the
//! form field `csrf` or the header `X-CSRF-Token`. `SameSite=Lax` is the third wall, not the
//! only one. (Lax, not Strict: the identity provider sends people back to `/login/callback`
//! from its own site, and a link to a case in an e-mail must open signed in.)

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use ocop_core::Lang;
use subtle::ConstantTimeEq;

use crate::auth::Principal;
use crate::state::AppState;

/// The session cookie.
pub(crate) const SESSION_COOKIE: &str = "__Host-ocop_session";
/// The language cookie.
pub(crate) const LANG_COOKIE: &str = "__Host-ocop_lang";

const IDLE: Duration = Duration::from_secs(8 * 3600);
const LIFETIME: Duration = Duration::from_secs(12 * 3600);
const PENDING: Duration = Duration::from_secs(15 * 60);
const MAX_SESSIONS: usize = 50_000;

/// Where a sign-in goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Provider {
    /// The development provider inside this server.
    Dev,
    /// The identity provider at this position of the auth file.
    Oidc(usize),
}

/// A sign-in on its way: what the callback must find again.
#[derive(Clone, Debug)]
pub(crate) struct PendingLogin {
    pub(crate) provider: Provider,
    pub(crate) state: String,
    pub(crate) nonce: String,
    pub(crate) verifier: String,
    pub(crate) redirect_uri: String,
    pub(crate) next: String,
}

/// A message shown once on the next page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Flash {
    pub(crate) ok: bool,
    pub(crate) text: String,
}

struct Session {
    principal: Option<Principal>,
    csrf: String,
    pending: Option<PendingLogin>,
    flash: Option<Flash>,
    created: Instant,
    seen: Instant,
}

impl Session {
    fn expired(&self, now: Instant) -> bool {
        match &self.principal {
            Some(_) => {
                now.duration_since(self.seen) > IDLE || now.duration_since(self.created) > LIFETIME
            }
            None => now.duration_since(self.created) > PENDING,
        }
    }
}

/// The sessions of this process.
#[derive(Default)]
pub(crate) struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

/// Random bytes as URL-safe base64.
pub(crate) fn random_token(bytes: usize) -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    use base64::Engine as _;
    let mut b = vec![0u8; bytes];
    OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn insert(&self, session: Session) -> String {
        let id = random_token(32);
        let mut map = self.lock();
        if map.len() >= MAX_SESSIONS {
            let now = Instant::now();
            map.retain(|_, s| !s.expired(now));
        }
        map.insert(id.clone(), session);
        id
    }

    /// A new session for someone signing in; returns its id.
    pub(crate) fn begin_login(&self, pending: PendingLogin) -> String {
        let now = Instant::now();
        self.insert(Session {
            principal: None,
            csrf: random_token(32),
            pending: Some(pending),
            flash: None,
            created: now,
            seen: now,
        })
    }

    /// The sign-in pending in session `id`, removed from it.
    pub(crate) fn take_pending(&self, id: &str) -> Option<PendingLogin> {
        let mut map = self.lock();
        let now = Instant::now();
        let s = map.get_mut(id).filter(|s| !s.expired(now))?;
        s.pending.take()
    }

    /// The sign-in pending in session `id`, left in place.
    pub(crate) fn pending(&self, id: &str) -> Option<PendingLogin> {
        let map = self.lock();
        let now = Instant::now();
        map.get(id)
            .filter(|s| !s.expired(now))
            .and_then(|s| s.pending.clone())
    }

    /// Signs `principal` in: drops session `old` (if any) and makes a new one; returns its
    /// id. The id a browser had before signing in is never the id after.
    pub(crate) fn sign_in(&self, old: Option<&str>, principal: Principal) -> String {
        if let Some(old) = old {
            self.lock().remove(old);
        }
        let now = Instant::now();
        self.insert(Session {
            principal: Some(principal),
            csrf: random_token(32),
            pending: None,
            flash: None,
            created: now,
            seen: now,
        })
    }

    /// Ends session `id`.
    pub(crate) fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    /// The principal and CSRF token of session `id`, marking it seen.
    fn touch(&self, id: &str) -> Option<(Option<Principal>, String)> {
        let mut map = self.lock();
        let now = Instant::now();
        if map.get(id).is_some_and(|s| s.expired(now)) {
            map.remove(id);
            return None;
        }
        let s = map.get_mut(id)?;
        s.seen = now;
        Some((s.principal.clone(), s.csrf.clone()))
    }

    /// Leaves a message for the next page of session `id`.
    pub(crate) fn flash(&self, id: &str, ok: bool, text: impl Into<String>) {
        if let Some(s) = self.lock().get_mut(id) {
            s.flash = Some(Flash {
                ok,
                text: text.into(),
            });
        }
    }

    /// The message left for session `id`, removed.
    pub(crate) fn take_flash(&self, id: &str) -> Option<Flash> {
        self.lock().get_mut(id).and_then(|s| s.flash.take())
    }
}

/// The cookies of a request, by name.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// A `Set-Cookie` value with the attributes every cookie of the pages carries.
pub(crate) fn set_cookie(name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let age = max_age.map_or(String::new(), |s| format!("; Max-Age={s}"));
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; Secure; SameSite=Lax{age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("ocop_invalid=1; Path=/; HttpOnly; Secure"))
}

/// What every page handler knows about its request.
#[derive(Clone, Debug)]
pub(crate) struct WebCtx {
    /// The session id, if the browser sent a live one.
    pub(crate) session: Option<String>,
    /// Who is signed in.
    pub(crate) principal: Option<Principal>,
    /// The session's CSRF token.
    pub(crate) csrf: String,
    /// The page language.
    pub(crate) lang: Lang,
    /// The path and query asked for.
    pub(crate) target: String,
}

/// A signed-in person, for handlers of pages that need one.
#[derive(Clone, Debug)]
pub(crate) struct Viewer {
    pub(crate) principal: Principal,
    pub(crate) session: String,
    pub(crate) csrf: String,
    pub(crate) lang: Lang,
}

impl<S: Send + Sync> FromRequestParts<S> for WebCtx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<WebCtx>().cloned().unwrap_or(WebCtx {
            session: None,
            principal: None,
            csrf: String::new(),
            lang: Lang::Vi,
            target: "/".into(),
        }))
    }
}

/// Percent-encodes a query value.
pub(crate) fn encode_query(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let Ok(ctx) = WebCtx::from_request_parts(parts, s).await;
        match (ctx.principal, ctx.session) {
            (Some(principal), Some(session)) => Ok(Viewer {
                principal,
                session,
                csrf: ctx.csrf,
                lang: ctx.lang,
            }),
            _ if parts.method == Method::GET => Err(Redirect::to(&format!(
                "/login?next={}",
                encode_query(&ctx.target)
            ))
            .into_response()),
            _ => Err(super::layout::error_page(
                ctx.lang,
                StatusCode::FORBIDDEN,
                super::i18n::tr(
                    ctx.lang,
                    "Phiên làm việc đã hết hạn. Hãy đăng nhập lại.",
                    "Your session has ended. Sign in again.",
                ),
            )),
        }
    }
}

/// The origin this server answers for: the public URL, or the request's `Host`.
fn own_host(state: &AppState, headers: &HeaderMap) -> Option<String> {
    match &state.web.public_url {
        Some(u) => u.split_once("://").map(|(_, h)| h.to_owned()),
        None => headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

/// Whether a `POST` comes from a page of this origin.
fn same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site != "same-origin"
    {
        return false;
    }
    let Some(host) = own_host(state, headers) else {
        return false;
    };
    let host_of = |url: &str| -> Option<String> {
        let rest = url.split_once("://")?.1;
        Some(rest.split('/').next().unwrap_or("").to_owned())
    };
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        return host_of(origin).is_some_and(|h| h.eq_ignore_ascii_case(&host));
    }
    if let Some(referer) = headers.get(header::REFERER).and_then(|v| v.to_str().ok()) {
        return host_of(referer).is_some_and(|h| h.eq_ignore_ascii_case(&host));
    }
    // Neither header: an old client; the token alone decides.
    true
}

/// The CSRF token a `POST` carries: the header, or the `csrf` field of a form body.
fn posted_token(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    if let Some(t) = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return Some(t.to_owned());
    }
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return None;
    }
    form_urlencoded::parse(body)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned())
}

/// The security headers of every page and asset.
fn secure(res: &mut Response, state: &AppState) {
    let h = res.headers_mut();
    let mut form_action = String::from("'self'");
    for (_, i) in state.auth.keyring().login_issuers() {
        if let Some(l) = &i.login
            && let Some((scheme, rest)) = l.authorization_endpoint.split_once("://")
        {
            let host = rest.split('/').next().unwrap_or("");
            form_action.push_str(&format!(" {scheme}://{host}"));
        }
    }
    let csp = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action {form_action}; frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// The pages' middleware: finds the session and the language, refuses a cross-site or
/// token-less `POST`, applies the rate limit of the signed-in credential, logs who asked,
/// and adds the security headers.
pub(crate) async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let lang = match cookie(&parts.headers, LANG_COOKIE).as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Vi,
    };
    let session = cookie(&parts.headers, SESSION_COOKIE);
    let found = session
        .as_deref()
        .and_then(|id| state.web.sessions.touch(id));
    let (session, principal, csrf) = match found {
        Some((p, csrf)) => (session, p, csrf),
        None => (None, None, String::new()),
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    let refuse = |status: StatusCode, vi: &'static str, en: &'static str| {
        let mut res = super::layout::error_page(lang, status, super::i18n::tr(lang, vi, en));
        secure(&mut res, &state);
        res
    };
    let body = if parts.method == Method::POST {
        if !same_origin(&state, &parts.headers) {
            return refuse(
                StatusCode::FORBIDDEN,
                "Yêu cầu bị từ chối: biểu mẫu không được gửi từ trang của hệ thống này.",
                "Request refused: the form was not sent from a page of this site.",
            );
        }
        let bytes = match axum::body::to_bytes(body, state.max_body).await {
            Ok(b) => b,
            Err(_) => {
                return refuse(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Nội dung gửi lên quá lớn.",
                    "The form is too large.",
                );
            }
        };
        let token = posted_token(&parts.headers, &bytes);
        let ok = !csrf.is_empty()
            && token.is_some_and(|t| bool::from(t.as_bytes().ct_eq(csrf.as_bytes())));
        if !ok {
            return refuse(
                StatusCode::FORBIDDEN,
                "Yêu cầu bị từ chối: thiếu mã xác nhận của biểu mẫu, hoặc phiên làm việc đã hết hạn. Hãy tải lại trang và thử lại.",
                "Request refused: the form's check token is missing or the session has ended. Reload the page and try again.",
            );
        }
        Body::from(bytes)
    } else {
        body
    };
    if let Some(p) = &principal {
        if let Err(wait) = state.limiter.check(&p.credential) {
            let mut res = refuse(
                StatusCode::TOO_MANY_REQUESTS,
                "Quá nhiều yêu cầu; hãy chờ một chút.",
                "Too many requests; wait a moment.",
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait));
            return res;
        }
        if let Some(log) = parts.extensions.get::<crate::log::RequestLog>() {
            log.principal(p);
        }
    }
    parts.extensions.insert(WebCtx {
        session,
        principal,
        csrf,
        lang,
        target,
    });
    let mut res = next.run(Request::from_parts(parts, body)).await;
    secure(&mut res, &state);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; __Host-ocop_session=xyz; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "c"), None);
        let v = set_cookie(SESSION_COOKIE, "id", None);
        let v = v.to_str().unwrap();
        assert!(v.contains("HttpOnly") && v.contains("Secure") && v.contains("SameSite=Lax"));
    }

    #[test]
    fn sign_in_makes_a_new_id_and_drops_the_old() {
        let s = Sessions::default();
        let old = s.begin_login(PendingLogin {
            provider: Provider::Dev,
            state: "st".into(),
            nonce: "n".into(),
            verifier: "v".into(),
            redirect_uri: "/login/callback".into(),
            next: "/".into(),
        });
        let p = Principal {
            actor: "a".into(),
            roles: vec![],
            province: "p".into(),
            credential: "c".into(),
        };
        let new = s.sign_in(Some(&old), p);
        assert_ne!(old, new);
        assert!(s.touch(&old).is_none());
        assert!(s.touch(&new).is_some_and(|(p, _)| p.is_some()));
    }
}
