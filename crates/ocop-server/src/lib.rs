//! `ocop serve`: the OCOP engine as an HTTP/JSON service.
//!
//! Integrators depend on the `ocop` facade crate, which re-exports what they need from this
//! crate under `ocop::server` (feature `server`); this crate is one of its parts.
//!
//! Provincial portals and back offices (Java, .NET, PHP, Python) call the engine over HTTP
//! with the engine's guarantees unchanged: every change to a case is a command through
//! [`ocop_engine::Engine::execute`], and the actor comes only from the credential.
//!
//! - **API** (`/api/v1`): definitions and their graphs, criteria sheets and score
//!   previews, cases (open, list with filters and cursor pagination, get with what the
//!   caller may do next, history, verify), commands (`Idempotency-Key`, `If-Match`),
//!   councils, deadlines due, the programme report and the streamed national export.
//!   Errors are `application/problem+json` with a stable [`ErrorCode`].
//! - **OpenAPI 3.1** generated from the same Rust types ([`openapi`]), served at
//!   `/openapi.json` and rendered at `/docs` by files inside the binary.
//! - **Authentication**: JWTs from a province's identity provider (RS256/ES256 against a
//!   JWKS file; issuer, audience, expiry, not-before, algorithm allow-list; configurable
//!   claims) and API keys kept only as argon2 hashes, both bound to one province
//!   ([`AuthFile`]).
//! - **Tenants**: each province's cases in its own SQLite file or PostgreSQL schema; another
//!   province's case answers 404.
//! - **Ticker**: fires due timeouts in the background; several nodes on one PostgreSQL
//!   database fire each timeout once.
//! - **Pages** for the people in the cycle (sign-in through the province's OpenID Connect
//!   provider, my work, the case, the scoring form, decisions, revocation, the programme
//!   dashboard), server-rendered, on the same actor, roles and province as the API.
//! - **Limits**: body cap (413), request timeout (503 `timeout`), a rate limit per
//!   credential (429 with `Retry-After`); one structured log line per request; `/health`,
//!   `/ready`, `/metrics`; graceful shutdown.
//!
//! # Examples
//! The OpenAPI document needs no running server:
//! ```
//! let doc: serde_json::Value = serde_json::from_str(&ocop_server::openapi()).unwrap();
//! assert_eq!(doc["openapi"], "3.1.0");
//! assert!(doc["paths"]["/api/v1/cases/{id}/commands"]["post"].is_object());
//! ```

#![expect(
    clippy::result_large_err,
    reason = "a Problem (about 200 bytes) is built only on the error path of a request that allocates far more; boxing it everywhere would only add noise"
)]

mod api;
mod auth;
mod catalogue;
mod clock;
mod limits;
mod listing;
mod log;
mod metrics;
mod province;
mod server;
mod state;
mod svg;
mod ticker;
mod web;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use api::cases::{
    Available, AvailableAction, CaseView, CommandRequest, CommandResponse, ConstituteRequest,
    CouncilView, OpenRequest, SheetRequest, SheetSummary, VerifyReport,
};
pub use api::openapi;
pub use api::problem::{ErrorCode, FailedGuard, PROBLEM_JSON, Problem};
pub use auth::{
    AUTH_FORMAT, ApiKeyConfig, AuthFile, AuthFileError, IssuerConfig, KEY_PREFIX, LoginConfig,
    NewApiKey, ProvinceConfig, new_api_key, new_api_key_with,
};
pub use clock::OffsetClock;
pub use listing::{CaseFilter, CasePage, DueItem, MAX_PAGE};
pub use server::{DEFAULT_MAX_BODY, Server, ServerBuilder, StoreConfig, shutdown_signal};

/// The JSON Schemas of the server's own documents: the auth file. (Request and response
/// bodies are described by [`openapi`].)
pub fn document_schemas() -> Vec<ocop_core::schema::NamedSchema> {
    vec![ocop_core::schema::NamedSchema {
        name: "auth-file",
        schema: schemars::schema_for!(AuthFile),
    }]
}

/// The server could not start. Nothing was served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A definition cannot be read or is invalid.
    #[error("definitions: `{path}`: {reason}")]
    Definitions {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A plugin cannot be loaded, or its sha256 does not match its pin.
    #[error("{reason}")]
    Plugin {
        /// The plugin.
        plugin: String,
        /// What is wrong.
        reason: String,
    },
    /// The auth file cannot be used.
    #[error("auth: {0}")]
    Auth(#[from] AuthFileError),
    /// A province's store cannot be opened.
    #[error("province `{province}`: {reason}")]
    Province {
        /// The province.
        province: String,
        /// What is wrong.
        reason: String,
    },
    /// The address cannot be bound.
    #[error("cannot listen on {addr}: {reason}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        reason: String,
    },
    /// Anything else.
    #[error("the server failed to start: {0}")]
    Internal(String),
}

/// The server stopped on an error.
#[derive(Debug, thiserror::Error)]
#[error("the server stopped: {0}")]
pub struct ServeError(pub String);

/// Installs the process's log output: one line per event on standard error, JSON when
/// `json` (for log collectors) or plain text. `RUST_LOG` filters (default `info`).
pub fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(true);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

impl ServerBuilder {
    /// Starts the server on a runtime of its own and serves until SIGTERM or ctrl-c;
    /// `ready` is called with the bound address once it listens. For a command line.
    ///
    /// # Errors
    /// A [`StartError`] when it cannot start, or [`StartError::Internal`] when serving fails.
    pub fn run_until_signal(self, ready: impl FnOnce(SocketAddr)) -> Result<(), StartError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("ocop-serve")
            .build()
            .map_err(|e| StartError::Internal(e.to_string()))?;
        runtime.block_on(async move {
            let server = self.start().await?;
            ready(server.local_addr());
            server
                .serve(shutdown_signal())
                .await
                .map_err(|e| StartError::Internal(e.to_string()))
        })
    }
}
