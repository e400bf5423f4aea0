//! Credentials → actor, roles and province.
//!
//! Two kinds of credential are accepted, both bound to exactly one province:
//! - `Authorization: Bearer <JWT>` from an identity provider of the auth file, checked by
//!   [`jwt`];
//! - `X-Api-Key: ocop_<id>.<secret>` (or `Authorization: Bearer ocop_…`) for machine
//!   clients, checked against the argon2 hash of the auth file by [`apikey`].
//!
//! The auth file is re-read when it (or a JWKS file) changes, so revoking a key or rotating
//! an identity provider's keys needs no restart. [`require`] is the middleware: it puts the
//! [`Principal`] in the request's extensions, and handlers (API now, pages later) take it as
//! an extractor.

pub(crate) mod apikey;
mod file;
mod jwt;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use aide::OperationInput;
use aide::generate::GenContext;
use aide::openapi::{Operation, SecurityRequirement};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ocop_core::ids::RoleId;

pub use apikey::{KEY_PREFIX, NewApiKey, new_api_key, new_api_key_with};
pub use file::{
    AUTH_FORMAT, ApiKeyConfig, AuthFile, AuthFileError, IssuerConfig, LoginConfig, ProvinceConfig,
};

use crate::api::extract::lang_of;
use crate::api::problem::{ErrorCode, Problem};
use crate::state::AppState;

/// Who is calling: the actor and roles a credential carries, and its province.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Principal {
    /// The actor id every command is recorded under.
    pub actor: String,
    /// The roles the credential may act in.
    pub roles: Vec<RoleId>,
    /// The province (tenant) the credential belongs to.
    pub province: String,
    /// The credential, for rate limits and logs: `key:<id>` or `jwt:<issuer>#<actor>`
    /// (never the secret or the token).
    pub credential: String,
}

/// The principal a verified token names, acting in `province`; `scheme` is the kind of
/// credential (`jwt` for a bearer token, `oidc` for a sign-in through the provider).
fn principal_of(scheme: &str, claims: jwt::Claims, province: String) -> Principal {
    Principal {
        credential: format!("{scheme}:{}#{}", claims.issuer, claims.actor),
        actor: claims.actor,
        roles: claims
            .roles
            .iter()
            .map(|r| RoleId::new(r.as_str()))
            .collect(),
        province,
    }
}

/// Verifies credentials against the auth file as last loaded.
pub(crate) struct Keyring {
    issuers: Vec<jwt::Issuer>,
    keys: BTreeMap<String, ApiKeyConfig>,
    verifier: apikey::Verifier,
    provinces: Vec<String>,
}

impl Keyring {
    pub(crate) fn load(file: &AuthFile, base: &Path) -> Result<Keyring, String> {
        let issuers = file
            .issuers
            .iter()
            .map(|i| jwt::Issuer::load(i, base))
            .collect::<Result<Vec<_>, _>>()?;
        for k in &file.api_keys {
            argon2::password_hash::PasswordHash::new(&k.hash)
                .map_err(|e| format!("API key `{}`: `hash` is not a PHC string: {e}", k.id))?;
        }
        Ok(Keyring {
            issuers,
            keys: file
                .api_keys
                .iter()
                .map(|k| (k.id.clone(), k.clone()))
                .collect(),
            verifier: apikey::Verifier::default(),
            provinces: file.provinces.iter().map(|p| p.id.clone()).collect(),
        })
    }

    /// Whether authenticating `headers` means running argon2 (an API key not verified
    /// before), which belongs on a blocking thread.
    pub(crate) fn is_slow(&self, headers: &HeaderMap) -> bool {
        let key = headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .or_else(|| {
                headers
                    .get(AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
            })
            .map(str::trim);
        key.and_then(apikey::split)
            .is_some_and(|(id, _)| self.keys.contains_key(id) && !self.verifier.remembers(id))
    }

    fn invalid(reason: impl Into<String>) -> Problem {
        Problem::new(ErrorCode::InvalidCredential, reason)
    }

    /// The principal of a request's headers.
    pub(crate) fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, Problem> {
        let api_key = headers.get("x-api-key");
        let bearer = headers.get(AUTHORIZATION);
        let principal = match (api_key, bearer) {
            (Some(k), _) => {
                let k = k
                    .to_str()
                    .map_err(|_| Self::invalid("the API key is not ASCII"))?;
                self.api_key(k.trim())?
            }
            (None, Some(v)) => {
                let v = v
                    .to_str()
                    .map_err(|_| Self::invalid("the `Authorization` header is not ASCII"))?;
                let token = v
                    .strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
                    .ok_or_else(|| {
                        Self::invalid("use `Authorization: Bearer <token>` or `X-Api-Key: <key>`")
                    })?
                    .trim();
                if token.starts_with(KEY_PREFIX) {
                    self.api_key(token)?
                } else {
                    self.bearer(token)?
                }
            }
            (None, None) => {
                return Err(Problem::new(
                    ErrorCode::MissingCredential,
                    "send `Authorization: Bearer <token>` from your identity provider, or `X-Api-Key: <key>`",
                ));
            }
        };
        if !self.provinces.contains(&principal.province) {
            return Err(Self::invalid(
                "the credential names a province this server does not serve",
            ));
        }
        Ok(principal)
    }

    fn api_key(&self, key: &str) -> Result<Principal, Problem> {
        let bad = || Self::invalid("the API key is unknown, malformed or revoked");
        let (id, secret) = apikey::split(key).ok_or_else(bad)?;
        let entry = self.keys.get(id).ok_or_else(bad)?;
        if entry.revoked || !self.verifier.verify(id, &entry.hash, secret) {
            return Err(bad());
        }
        Ok(Principal {
            actor: entry.actor.clone(),
            roles: entry
                .roles
                .iter()
                .map(|r| RoleId::new(r.as_str()))
                .collect(),
            province: entry.province.clone(),
            credential: format!("key:{id}"),
        })
    }

    /// The issuers people may sign in to the pages through, by position in the auth file.
    pub(crate) fn login_issuers(&self) -> Vec<(usize, IssuerConfig)> {
        self.issuers
            .iter()
            .enumerate()
            .filter(|(_, i)| i.config.login.is_some())
            .map(|(n, i)| (n, i.config.clone()))
            .collect()
    }

    /// Verifies an ID token of issuer `index` (its audience is the login's client id) and
    /// returns the principal it names and its claims as sent (for the `nonce`).
    pub(crate) fn id_token(
        &self,
        index: usize,
        token: &str,
    ) -> Result<(Principal, serde_json::Value), String> {
        let issuer = self
            .issuers
            .get(index)
            .ok_or_else(|| "the identity provider is no longer configured".to_owned())?;
        let login = issuer
            .config
            .login
            .as_ref()
            .ok_or_else(|| "the identity provider no longer allows sign-in".to_owned())?;
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| "the ID token is not a JWT".to_owned())?;
        let (claims, raw) = issuer
            .verify_for(token, &header, &login.client_id)?
            .ok_or_else(|| "the ID token is not signed with a key of the provider".to_owned())?;
        let province = claims
            .province
            .clone()
            .ok_or_else(|| "the ID token names no province".to_owned())?;
        if !self.provinces.contains(&province) {
            return Err("the ID token names a province this server does not serve".into());
        }
        Ok((principal_of("oidc", claims, province), raw))
    }

    fn bearer(&self, token: &str) -> Result<Principal, Problem> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| {
            Self::invalid("the bearer token is not a JWT signed with an accepted algorithm")
        })?;
        let mut first_error = None;
        for issuer in &self.issuers {
            match issuer.verify(token, &header) {
                Ok(Some(claims)) => {
                    let province = claims.province.clone().ok_or_else(|| {
                        Self::invalid(format!(
                            "the token has no `{}` claim naming its province",
                            issuer
                                .config
                                .province_claim
                                .as_deref()
                                .unwrap_or("province")
                        ))
                    })?;
                    return Ok(principal_of("jwt", claims, province));
                }
                Ok(None) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(Self::invalid(first_error.unwrap_or_else(|| {
            "no identity provider of this server signed the token with an accepted algorithm".into()
        })))
    }
}

/// The auth file and its keyring, re-read when the files change.
pub(crate) struct Authenticator {
    path: PathBuf,
    current: RwLock<Arc<Keyring>>,
    stamps: RwLock<Vec<(PathBuf, Option<SystemTime>)>>,
}

fn stamp(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl Authenticator {
    pub(crate) fn new(path: &Path, file: &AuthFile) -> Result<Authenticator, String> {
        let base = path.parent().unwrap_or(Path::new("."));
        let keyring = Keyring::load(file, base)?;
        Ok(Authenticator {
            path: path.to_owned(),
            current: RwLock::new(Arc::new(keyring)),
            stamps: RwLock::new(Self::watched(path, file)),
        })
    }

    fn watched(path: &Path, file: &AuthFile) -> Vec<(PathBuf, Option<SystemTime>)> {
        let base = path.parent().unwrap_or(Path::new("."));
        std::iter::once(path.to_owned())
            .chain(file.issuers.iter().map(|i| base.join(&i.jwks)))
            .map(|p| {
                let s = stamp(&p);
                (p, s)
            })
            .collect()
    }

    /// The auth file's folder, which its relative paths start from.
    pub(crate) fn base(&self) -> PathBuf {
        self.path.parent().unwrap_or(Path::new(".")).to_path_buf()
    }

    pub(crate) fn keyring(&self) -> Arc<Keyring> {
        match self.current.read() {
            Ok(k) => Arc::clone(&k),
            Err(e) => Arc::clone(&e.into_inner()),
        }
    }

    /// Re-reads the files if any changed. A file that no longer loads is reported and the
    /// keyring in force stays. Provinces cannot change without a restart (their stores are
    /// opened at start).
    pub(crate) fn reload_if_changed(&self) -> Result<bool, String> {
        let changed = match self.stamps.read() {
            Ok(s) => s.iter().any(|(p, t)| stamp(p) != *t),
            Err(_) => true,
        };
        if !changed {
            return Ok(false);
        }
        let file = AuthFile::load(&self.path).map_err(|e| e.to_string())?;
        let before = self.keyring().provinces.clone();
        let now: Vec<String> = file.provinces.iter().map(|p| p.id.clone()).collect();
        let base = self.path.parent().unwrap_or(Path::new("."));
        let mut keyring = Keyring::load(&file, base)?;
        // Provinces are fixed at start: a credential for a province added later is refused.
        keyring.provinces.retain(|p| before.contains(p));
        if let Ok(mut s) = self.stamps.write() {
            *s = Self::watched(&self.path, &file);
        }
        if let Ok(mut c) = self.current.write() {
            *c = Arc::new(keyring);
        }
        if now != before {
            tracing::warn!(target: "ocop_server::auth", "provinces changed in the auth file; restart the server to serve new ones");
        }
        Ok(true)
    }
}

/// The middleware that authenticates every request it wraps, then applies the credential's
/// rate limit. The [`Principal`] goes into the request's extensions.
pub(crate) async fn require(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let lang = lang_of(req.headers());
    let keyring = state.auth.keyring();
    let result = if keyring.is_slow(req.headers()) {
        let headers = req.headers().clone();
        tokio::task::spawn_blocking(move || keyring.authenticate(&headers))
            .await
            .unwrap_or_else(|_| Err(Problem::internal()))
    } else {
        keyring.authenticate(req.headers())
    };
    let principal = match result {
        Ok(p) => p,
        Err(p) => return p.in_lang(lang).into_response(),
    };
    if let Err(wait) = state.limiter.check(&principal.credential) {
        let mut p = Problem::new(
            ErrorCode::RateLimited,
            format!(
                "this credential sent more than {} requests in a burst; wait {wait} s",
                state.limiter.burst()
            ),
        );
        p.retry_after = Some(wait);
        return p.in_lang(lang).into_response();
    }
    crate::log::note_principal(&req, &principal);
    req.extensions_mut().insert(principal);
    next.run(req).await
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Principal>().cloned().ok_or_else(|| {
            Problem::new(
                ErrorCode::MissingCredential,
                "this route needs a credential",
            )
        })
    }
}

impl OperationInput for Principal {
    fn operation_input(_ctx: &mut GenContext, operation: &mut Operation) {
        if operation.security.is_empty() {
            let mut bearer = SecurityRequirement::new();
            bearer.insert("bearer".into(), Vec::new());
            let mut key = SecurityRequirement::new();
            key.insert("apiKey".into(), Vec::new());
            operation.security = vec![bearer, key];
        }
    }
}
