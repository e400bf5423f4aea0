//! The pages: server-rendered HTML (maud) for the people in the cycle, with the same
//! credentials' actor, roles and province as the API.
//!
//! - `session.rs`: sessions kept in memory behind an opaque `__Host-` cookie (HttpOnly,
//!   Secure, SameSite=Lax), a new id at every sign-in, the CSRF check of every `POST`
//!   (origin, fetch metadata and a per-session token), the security headers.
//! - `login.rs`: sign-in through the province's OpenID Connect provider (authorisation code
//!   with PKCE, `state` and `nonce`) and, with `--dev-login`, a development provider inside
//!   the server whose ID tokens are signed with a key made at start; sign-out; language.
//! - `layout.rs`, `i18n.rs`: the page shell and the words (Vietnamese first, English).
//! - `work.rs` (my work), `case.rs` (the case page and its commands), `graph.rs` (the cycle
//!   as SVG with the current state marked), `score.rs` (the scoring form), `decide.rs`
//!   (decision and revocation pages), `dashboard.rs` (the programme report, live),
//!   `explain.rs` (why a guard blocks, in words), `assets.rs` (CSS and scripts in the binary).
//!
//! Every change still goes through [`crate::api::cases::run`], so the pages and the API
//! refuse the same things for the same reasons.

pub(crate) mod assets;
mod case;
mod dashboard;
mod decide;
mod explain;
mod graph;
mod i18n;
mod layout;
mod login;
mod score;
pub(crate) mod session;
mod work;

use axum::Router;
use axum::response::Redirect;
use axum::routing::{get, post};

use crate::state::AppState;

pub(crate) use login::DevProvider;
pub(crate) use session::Sessions;

/// What the pages need besides the API's state.
pub(crate) struct Web {
    /// The signed-in (and signing-in) sessions.
    pub(crate) sessions: Sessions,
    /// The development sign-in, when `--dev-login` is on.
    pub(crate) dev: Option<DevProvider>,
    /// The server's public origin (`https://ocop.example.gov.vn`), for the OIDC redirect
    /// and the origin check; without it the request's `Host` is used.
    pub(crate) public_url: Option<String>,
    /// The client for the providers' token endpoints.
    pub(crate) http: reqwest::Client,
}

impl Web {
    pub(crate) fn new(dev_login: bool, public_url: Option<String>) -> Result<Web, String> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("the HTTP client for sign-in cannot start: {e}"))?;
        Ok(Web {
            sessions: Sessions::default(),
            dev: if dev_login {
                Some(DevProvider::new()?)
            } else {
                None
            },
            public_url: public_url.map(|u| u.trim_end_matches('/').to_owned()),
            http,
        })
    }
}

/// The pages' routes, with the session layer and the security headers.
pub(crate) fn routes(state: AppState) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/work") }))
        .route("/login", get(login::page))
        .route("/login/start/{provider}", get(login::start))
        .route("/login/dev", get(login::dev_form).post(login::dev_submit))
        .route("/login/callback", get(login::callback))
        .route("/logout", post(login::logout))
        .route("/lang/{lang}", get(login::set_lang))
        .route("/work", get(work::page))
        .route("/cases/new", get(case::new_form).post(case::new_submit))
        .route("/cases/{id}", get(case::page))
        .route("/cases/{id}/take", post(case::take))
        .route("/cases/{id}/dossier", post(case::dossier))
        .route("/cases/{id}/council/{evaluation}", post(case::constitute))
        .route(
            "/cases/{id}/score/{evaluation}",
            get(score::form).post(score::submit),
        )
        .route(
            "/cases/{id}/score/{evaluation}/preview",
            post(score::preview),
        )
        .route(
            "/cases/{id}/sheets/{evaluation}/{member}",
            get(score::sheet),
        )
        .route("/cases/{id}/decision", get(decide::decision))
        .route(
            "/cases/{id}/revocation",
            get(decide::revocation).post(decide::revoke),
        )
        .route("/dashboard", get(dashboard::page))
        .route("/assets/{file}", get(assets::serve))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::layer,
        ))
        .with_state(state)
}
