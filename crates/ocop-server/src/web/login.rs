//! Signing in and out, and the page language.
//!
//! Sign-in is OpenID Connect's authorisation-code flow with PKCE (S256), `state` and
//! `nonce`, against an identity provider of the auth file (`[issuers.login]`). The ID token
//! is verified like a bearer token (the issuer's JWKS, RS256/ES256, `iss`, `exp`, `nbf`)
//! with the client id as audience and the sign-in's `nonce`; its claims give the actor,
//! roles and province exactly as for the API.
//!
//! With `--dev-login` the server also runs a development provider of its own: the same
//! flow (state, PKCE, callback, new session), where a form stands in for the provider's
//! login page and the ID token is signed (HS256) with a key made at start and never
//! stored, so no token of a development sign-in outlives the process. Off by default.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use maud::html;
use ocop_core::Lang;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::i18n::tr;
use super::layout::{bare_page, error_page};
use super::session::{
    LANG_COOKIE, PendingLogin, Provider, SESSION_COOKIE, WebCtx, random_token, set_cookie,
};
use crate::auth::Principal;
use crate::state::AppState;

const DEV_ISSUER: &str = "urn:ocop:dev-login";
const DEV_AUDIENCE: &str = "ocop-pages";
const CODE_LIFETIME: Duration = Duration::from_secs(120);

/// What a development code stands for until it is exchanged.
struct DevCode {
    challenge: String,
    nonce: String,
    actor: String,
    roles: Vec<String>,
    province: String,
    made: Instant,
}

/// The development provider: its signing key (made at start) and the codes it handed out.
pub(crate) struct DevProvider {
    key: [u8; 32],
    codes: Mutex<HashMap<String, DevCode>>,
}

impl DevProvider {
    pub(crate) fn new() -> Result<DevProvider, String> {
        use argon2::password_hash::rand_core::{OsRng, RngCore};
        let mut key = [0u8; 32];
        OsRng
            .try_fill_bytes(&mut key)
            .map_err(|e| format!("no randomness for the development sign-in key: {e}"))?;
        Ok(DevProvider {
            key,
            codes: Mutex::new(HashMap::new()),
        })
    }

    fn codes(&self) -> std::sync::MutexGuard<'_, HashMap<String, DevCode>> {
        self.codes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Exchanges `code` (once) with the PKCE `verifier`: the signed ID token.
    fn exchange(&self, code: &str, verifier: &str) -> Result<String, String> {
        let entry = self
            .codes()
            .remove(code)
            .ok_or_else(|| "the sign-in code is unknown or was used already".to_owned())?;
        if entry.made.elapsed() > CODE_LIFETIME {
            return Err("the sign-in code has expired".into());
        }
        if !bool::from(
            pkce_challenge(verifier)
                .as_bytes()
                .ct_eq(entry.challenge.as_bytes()),
        ) {
            return Err("the PKCE verifier does not match the challenge".into());
        }
        let now = crate::web::login::unix_now();
        let claims = serde_json::json!({
            "iss": DEV_ISSUER,
            "aud": DEV_AUDIENCE,
            "sub": entry.actor,
            "roles": entry.roles,
            "province": entry.province,
            "nonce": entry.nonce,
            "iat": now,
            "nbf": now - 5,
            "exp": now + 300,
        });
        let key = jsonwebtoken::EncodingKey::from_secret(&self.key)
            .map_err(|e| format!("the development signing key cannot be used: {e}"))?;
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &key,
        )
        .map_err(|e| format!("the development ID token cannot be signed: {e}"))
    }

    /// Verifies a development ID token: signature, issuer, audience, expiry.
    fn verify(&self, token: &str) -> Result<serde_json::Value, String> {
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        v.set_issuer(&[DEV_ISSUER]);
        v.set_audience(&[DEV_AUDIENCE]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let key = jsonwebtoken::DecodingKey::from_secret(&self.key)
            .map_err(|_| "the development signing key cannot be used".to_owned())?;
        jsonwebtoken::decode::<serde_json::Value>(token, &key, &v)
            .map(|d| d.claims)
            .map_err(|_| "the development ID token does not verify".to_owned())
    }
}

pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// The S256 PKCE challenge of a verifier.
pub(crate) fn pkce_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A path on this site to return to after signing in (never another site).
fn local(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/work".to_owned(),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// `GET /login`: the ways to sign in.
pub(crate) async fn page(
    State(state): State<AppState>,
    ctx: WebCtx,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = ctx.lang;
    let next = local(q.next.as_deref());
    if ctx.principal.is_some() {
        return Redirect::to(&next).into_response();
    }
    let providers = state.auth.keyring().login_issuers();
    let nq = super::session::encode_query(&next);
    let other = match lang {
        Lang::Vi => ("en", "English"),
        Lang::En => ("vi", "Tiếng Việt"),
    };
    bare_page(
        lang,
        StatusCode::OK,
        tr(lang, "Đăng nhập", "Sign in"),
        html! {
            div.signin {
                h1 { (tr(lang, "Đăng nhập", "Sign in")) }
                p { (tr(lang, "Hệ thống quản lý chu trình OCOP dành cho cán bộ xã, cơ quan tham mưu, hội đồng đánh giá và lãnh đạo tỉnh.", "OCOP cycle management for commune officers, the provincial office, evaluation councils and the province's leaders.")) }
                @if providers.is_empty() && state.web.dev.is_none() {
                    div.flash.err role="alert" { p { (tr(lang, "Chưa cấu hình cách đăng nhập nào: thêm mục [issuers.login] vào tệp xác thực, hoặc chạy với --dev-login để thử.", "No way to sign in is configured: add an [issuers.login] table to the auth file, or run with --dev-login to try it out.")) } }
                }
                ul.providers {
                    @for (n, i) in &providers {
                        @if let Some(l) = &i.login {
                            li { a.button.primary href={ "/login/start/" (n) "?next=" (nq) } { (l.name) } }
                        }
                    }
                    @if state.web.dev.is_some() {
                        li { a.button href={ "/login/start/dev?next=" (nq) } { (tr(lang, "Đăng nhập thử (môi trường phát triển)", "Development sign-in")) } }
                    }
                }
                p { a href={ "/lang/" (other.0) "?next=" (super::session::encode_query(&format!("/login?next={nq}"))) } lang=(other.0) hreflang=(other.0) { (other.1) } }
            }
        },
    )
}

/// The redirect URI of this server.
fn redirect_uri(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &state.web.public_url {
        return format!("{u}/login/callback");
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
    {
        Some(p) if p == "https" || p == "http" => p.to_owned(),
        _ if matches!(name, "localhost" | "127.0.0.1" | "[::1]") => "http".to_owned(),
        _ => "https".to_owned(),
    };
    format!("{scheme}://{host}/login/callback")
}

fn with_session(mut res: Response, id: &str) -> Response {
    res.headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, id, None));
    res
}

/// `GET /login/start/{provider}`: begins a sign-in (state, nonce, PKCE) in a new session
/// and sends the browser to the provider.
pub(crate) async fn start(
    State(state): State<AppState>,
    ctx: WebCtx,
    headers: HeaderMap,
    Path(provider): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = ctx.lang;
    let keyring = state.auth.keyring();
    let provider = match provider.as_str() {
        "dev" if state.web.dev.is_some() => Provider::Dev,
        n => match n.parse::<usize>() {
            Ok(i) if keyring.login_issuers().iter().any(|(k, _)| *k == i) => Provider::Oidc(i),
            _ => {
                return error_page(
                    lang,
                    StatusCode::NOT_FOUND,
                    tr(
                        lang,
                        "Không có cách đăng nhập này.",
                        "There is no such way to sign in.",
                    ),
                );
            }
        },
    };
    let pending = PendingLogin {
        provider: provider.clone(),
        state: random_token(24),
        nonce: random_token(24),
        verifier: random_token(48),
        redirect_uri: redirect_uri(&state, &headers),
        next: local(q.next.as_deref()),
    };
    let challenge = pkce_challenge(&pending.verifier);
    let enc = super::session::encode_query;
    let location = match &provider {
        Provider::Dev => format!(
            "/login/dev?state={}&nonce={}&code_challenge={}&code_challenge_method=S256",
            enc(&pending.state),
            enc(&pending.nonce),
            enc(&challenge)
        ),
        Provider::Oidc(i) => {
            let issuers = keyring.login_issuers();
            let Some(login) = issuers
                .iter()
                .find(|(k, _)| k == i)
                .and_then(|(_, c)| c.login.clone())
            else {
                return error_page(lang, StatusCode::NOT_FOUND, "");
            };
            let mut scopes = login.scopes.clone();
            if !scopes.iter().any(|s| s == "openid") {
                scopes.insert(0, "openid".into());
            }
            let sep = if login.authorization_endpoint.contains('?') {
                '&'
            } else {
                '?'
            };
            format!(
                "{}{sep}response_type=code&client_id={}&redirect_uri={}&scope={}&state={}&nonce={}&code_challenge={}&code_challenge_method=S256",
                login.authorization_endpoint,
                enc(&login.client_id),
                enc(&pending.redirect_uri),
                enc(&scopes.join(" ")),
                enc(&pending.state),
                enc(&pending.nonce),
                enc(&challenge)
            )
        }
    };
    if let Some(old) = &ctx.session
        && ctx.principal.is_none()
    {
        state.web.sessions.remove(old);
    }
    let id = state.web.sessions.begin_login(pending);
    with_session(Redirect::to(&location).into_response(), &id)
}

#[derive(Debug, Deserialize)]
pub(crate) struct DevQuery {
    state: String,
    nonce: String,
    code_challenge: String,
    code_challenge_method: Option<String>,
}

/// Every role of the loaded definitions, once, with its name.
fn all_roles(state: &AppState, lang: Lang) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for d in state.catalogue.definitions.values() {
        for r in &d.cycle.definition().roles {
            if !out.iter().any(|(id, _)| id == r.id.as_str()) {
                out.push((r.id.to_string(), r.label.get(lang).to_owned()));
            }
        }
    }
    out
}

/// `GET /login/dev`: the development provider's "login page".
pub(crate) async fn dev_form(
    State(state): State<AppState>,
    ctx: WebCtx,
    Query(q): Query<DevQuery>,
) -> Response {
    let lang = ctx.lang;
    let pending = ctx
        .session
        .as_deref()
        .and_then(|id| state.web.sessions.pending(id));
    let ok = state.web.dev.is_some()
        && q.code_challenge_method.as_deref() == Some("S256")
        && pending
            .as_ref()
            .is_some_and(|p| p.provider == Provider::Dev && p.state == q.state);
    if !ok {
        return error_page(
            lang,
            StatusCode::BAD_REQUEST,
            tr(
                lang,
                "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Hãy bắt đầu lại từ trang đăng nhập.",
                "This sign-in is invalid or has expired. Start again from the sign-in page.",
            ),
        );
    }
    let provinces: Vec<(String, String)> = state
        .provinces
        .values()
        .map(|p| (p.config.id.clone(), p.config.name.clone()))
        .collect();
    bare_page(
        lang,
        StatusCode::OK,
        tr(lang, "Đăng nhập thử", "Development sign-in"),
        html! {
            div.signin {
                h1 { (tr(lang, "Đăng nhập thử", "Development sign-in")) }
                div.flash.warn role="note" { p { (tr(lang, "Chỉ dùng để thử nghiệm: máy chủ chạy với --dev-login, ai cũng có thể chọn danh tính và vai trò.", "For trying things out only: the server runs with --dev-login, and anyone can pick an identity and roles.")) } }
                form.stack method="post" action="/login/dev" {
                    input type="hidden" name="csrf" value=(ctx.csrf);
                    input type="hidden" name="state" value=(q.state);
                    input type="hidden" name="nonce" value=(q.nonce);
                    input type="hidden" name="code_challenge" value=(q.code_challenge);
                    label for="actor" { (tr(lang, "Mã người dùng", "User id")) }
                    input #actor type="text" name="actor" required maxlength="100" autocomplete="username" spellcheck="false";
                    label for="province" { (tr(lang, "Tỉnh, thành phố", "Province")) }
                    select #province name="province" {
                        @for (id, name) in &provinces { option value=(id) { (name) } }
                    }
                    fieldset {
                        legend { (tr(lang, "Vai trò", "Roles")) }
                        @for (id, name) in all_roles(&state, lang) {
                            div.check {
                                input type="checkbox" name="role" value=(id) id={ "role-" (id) };
                                label for={ "role-" (id) } { (name) " " code { (id) } }
                            }
                        }
                    }
                    button.primary type="submit" { (tr(lang, "Đăng nhập", "Sign in")) }
                }
            }
        },
    )
}

/// `POST /login/dev`: the development provider hands out a code for the callback.
pub(crate) async fn dev_submit(
    State(state): State<AppState>,
    ctx: WebCtx,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let lang = ctx.lang;
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let roles: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "role")
        .map(|(_, v)| v.clone())
        .collect();
    let (actor, province, st) = (field("actor"), field("province"), field("state"));
    let pending = ctx
        .session
        .as_deref()
        .and_then(|id| state.web.sessions.pending(id));
    let known = all_roles(&state, lang);
    let bad = |vi: &'static str, en: &'static str| {
        error_page(lang, StatusCode::BAD_REQUEST, tr(lang, vi, en))
    };
    let Some(dev) = &state.web.dev else {
        return bad(
            "Đăng nhập thử không được bật.",
            "Development sign-in is off.",
        );
    };
    if !pending.is_some_and(|p| p.provider == Provider::Dev && p.state == st) {
        return bad(
            "Phiên đăng nhập không hợp lệ hoặc đã hết hạn.",
            "This sign-in is invalid or has expired.",
        );
    }
    if actor.is_empty() || actor.chars().count() > 100 || actor.chars().any(char::is_control) {
        return bad(
            "Mã người dùng phải có từ 1 đến 100 ký tự.",
            "The user id must be 1 to 100 characters.",
        );
    }
    if !state.provinces.contains_key(&province)
        || roles.iter().any(|r| !known.iter().any(|(k, _)| k == r))
    {
        return bad(
            "Tỉnh hoặc vai trò không có trong cấu hình.",
            "Unknown province or role.",
        );
    }
    let code = random_token(24);
    dev.codes().retain(|_, c| c.made.elapsed() < CODE_LIFETIME);
    dev.codes().insert(
        code.clone(),
        DevCode {
            challenge: field("code_challenge"),
            nonce: field("nonce"),
            actor,
            roles,
            province,
            made: Instant::now(),
        },
    );
    Redirect::to(&format!(
        "/login/callback?code={}&state={}",
        super::session::encode_query(&code),
        super::session::encode_query(&st)
    ))
    .into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TokenAnswer {
    id_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Exchanges an authorisation code at a provider's token endpoint for its ID token.
async fn exchange(
    state: &AppState,
    index: usize,
    code: &str,
    pending: &PendingLogin,
) -> Result<String, String> {
    let issuers = state.auth.keyring().login_issuers();
    let login = issuers
        .iter()
        .find(|(k, _)| *k == index)
        .and_then(|(_, c)| c.login.clone())
        .ok_or_else(|| "the identity provider is no longer configured".to_owned())?;
    let client = match &login.ca_file {
        None => state.web.http.clone(),
        Some(path) => {
            let base = state.auth.base();
            let pem = std::fs::read(base.join(path))
                .map_err(|e| format!("cannot read the CA file `{}`: {e}", path.display()))?;
            let mut b = reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none());
            for c in reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("`{}` is not a PEM bundle: {e}", path.display()))?
            {
                b = b.add_root_certificate(c);
            }
            b.build().map_err(|e| e.to_string())?
        }
    };
    let mut req = client.post(&login.token_endpoint).form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", pending.redirect_uri.as_str()),
        ("client_id", login.client_id.as_str()),
        ("code_verifier", pending.verifier.as_str()),
    ]);
    if let Some(var) = &login.client_secret_env {
        let secret = std::env::var(var)
            .map_err(|_| format!("the client secret's environment variable `{var}` is not set"))?;
        req = req.basic_auth(&login.client_id, Some(secret));
    }
    let res = req
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| format!("the identity provider cannot be reached: {e}"))?;
    let status = res.status();
    let answer: TokenAnswer = res
        .json()
        .await
        .map_err(|_| format!("the identity provider answered {status} without JSON"))?;
    if let Some(e) = answer.error {
        return Err(format!(
            "the identity provider refused the code: {e} {}",
            answer.error_description.unwrap_or_default()
        ));
    }
    answer
        .id_token
        .ok_or_else(|| "the identity provider sent no ID token".to_owned())
}

/// `GET /login/callback`: checks `state`, exchanges the code with the PKCE verifier,
/// verifies the ID token and its `nonce`, and signs in under a new session id.
pub(crate) async fn callback(
    State(state): State<AppState>,
    ctx: WebCtx,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let lang = ctx.lang;
    let fail = |why: String| {
        tracing::warn!(target: "ocop_server::web", reason = %why, "sign-in failed");
        let msg = format!(
            "{} ({why})",
            tr(lang, "Đăng nhập không thành công.", "Sign-in failed.")
        );
        let mut res = error_page(lang, StatusCode::BAD_REQUEST, &msg);
        res.headers_mut()
            .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0)));
        res
    };
    let Some(session) = ctx.session.clone() else {
        return fail("no sign-in was begun in this browser".into());
    };
    let Some(pending) = state.web.sessions.take_pending(&session) else {
        return fail("no sign-in was begun in this browser, or it has expired".into());
    };
    if let Some(e) = q.error {
        return fail(format!(
            "the identity provider answered `{e}`: {}",
            q.error_description.unwrap_or_default()
        ));
    }
    let (Some(code), Some(st)) = (q.code, q.state) else {
        return fail("the answer has no code or state".into());
    };
    if !bool::from(st.as_bytes().ct_eq(pending.state.as_bytes())) {
        return fail("the state does not match the sign-in begun here".into());
    }
    let result: Result<(Principal, serde_json::Value), String> = match pending.provider {
        Provider::Dev => match &state.web.dev {
            None => Err("development sign-in is off".into()),
            Some(dev) => dev
                .exchange(&code, &pending.verifier)
                .and_then(|t| dev.verify(&t))
                .and_then(|claims| dev_principal(&state, claims)),
        },
        Provider::Oidc(i) => match exchange(&state, i, &code, &pending).await {
            Ok(token) => state.auth.keyring().id_token(i, &token),
            Err(e) => Err(e),
        },
    };
    let (principal, claims) = match result {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    let nonce = claims.get("nonce").and_then(|v| v.as_str()).unwrap_or("");
    if !bool::from(nonce.as_bytes().ct_eq(pending.nonce.as_bytes())) {
        return fail("the ID token's nonce does not match the sign-in begun here".into());
    }
    tracing::info!(target: "ocop_server::web", actor = %principal.actor, province = %principal.province, credential = %principal.credential, "signed in");
    let id = state.web.sessions.sign_in(Some(&session), principal);
    with_session(Redirect::to(&pending.next).into_response(), &id)
}

fn dev_principal(
    state: &AppState,
    claims: serde_json::Value,
) -> Result<(Principal, serde_json::Value), String> {
    let actor = claims
        .get("sub")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_owned();
    let province = claims
        .get("province")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_owned();
    if !state.provinces.contains_key(&province) {
        return Err("the token names a province this server does not serve".into());
    }
    let roles = claims
        .get("roles")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|r| r.as_str().map(ocop_core::ids::RoleId::new))
                .collect()
        })
        .unwrap_or_default();
    Ok((
        Principal {
            credential: format!("dev:{actor}"),
            actor,
            roles,
            province,
        },
        claims,
    ))
}

/// `POST /logout`.
pub(crate) async fn logout(State(state): State<AppState>, ctx: WebCtx) -> Response {
    if let Some(id) = &ctx.session {
        state.web.sessions.remove(id);
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0)));
    res
}

/// `GET /lang/{vi|en}?next=`: remembers the page language.
pub(crate) async fn set_lang(Path(lang): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let value = if lang == "en" { "en" } else { "vi" };
    let mut res = Redirect::to(&local(q.next.as_deref())).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LANG_COOKIE, value, Some(365 * 86_400)),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(local(Some("/cases/a?x=1")), "/cases/a?x=1");
        assert_eq!(local(Some("//evil.example/")), "/work");
        assert_eq!(local(Some("https://evil.example/")), "/work");
        assert_eq!(local(Some("/\\evil.example")), "/work");
        assert_eq!(local(None), "/work");
    }

    #[test]
    fn the_challenge_is_rfc_7636_s256() {
        // RFC 7636, appendix B.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn a_dev_code_works_once_and_only_with_its_verifier() {
        let dev = DevProvider::new().unwrap();
        let add = |code: &str| {
            dev.codes().insert(
                code.into(),
                DevCode {
                    challenge: pkce_challenge("verifier"),
                    nonce: "n".into(),
                    actor: "a".into(),
                    roles: vec!["producer".into()],
                    province: "p".into(),
                    made: Instant::now(),
                },
            );
        };
        add("c1");
        assert!(dev.exchange("c1", "wrong").is_err());
        add("c2");
        let token = dev.exchange("c2", "verifier").unwrap();
        assert!(dev.exchange("c2", "verifier").is_err());
        let claims = dev.verify(&token).unwrap();
        assert_eq!(claims["sub"], "a");
        let other = DevProvider::new().unwrap();
        assert!(
            other.verify(&token).is_err(),
            "another start's key must not verify"
        );
    }
}
