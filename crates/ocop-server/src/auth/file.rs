//! The auth file named by `--auth`: the provinces (tenants), the identity providers whose
//! tokens are accepted, and the API keys (argon2 hashes only).

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The current format of the auth file.
pub const AUTH_FORMAT: u32 = 1;

/// The auth file (`--auth FILE`, TOML).
///
/// # Examples
/// ```
/// let file: ocop_server::AuthFile = toml::from_str(r#"
/// format = 1
///
/// [[provinces]]
/// id = "can-tho"
/// name = "Cần Thơ"
///
/// [[issuers]]
/// issuer = "https://id.cantho.gov.vn/realms/ocop"
/// audience = "ocop"
/// jwks = "jwks.json"
/// algorithms = ["RS256", "ES256"]
/// province = "can-tho"
///
/// [[api_keys]]
/// id = "portal"
/// hash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$0K9Qm5x0k1Qm0pM2YzFq3g"
/// actor = "cong-thong-tin"
/// roles = ["producer"]
/// province = "can-tho"
/// "#).unwrap();
/// assert_eq!(file.provinces[0].id, "can-tho");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthFile {
    /// Format version; must be 1.
    pub format: u32,
    /// The provinces served; each credential belongs to exactly one.
    pub provinces: Vec<ProvinceConfig>,
    /// Identity providers (OIDC) whose bearer tokens are accepted.
    #[serde(default)]
    pub issuers: Vec<IssuerConfig>,
    /// API keys for machine clients.
    #[serde(default)]
    pub api_keys: Vec<ApiKeyConfig>,
}

/// A province (tenant): its cases live in their own SQLite file or PostgreSQL schema.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvinceConfig {
    /// The province's id in credentials: lowercase letters, digits, `-` and `_`.
    pub id: String,
    /// Its name, printed in reports.
    pub name: String,
    /// Its SQLite database (relative to the auth file's folder). Default: `<id>.sqlite` in
    /// the `--db` folder, or the `--db` file itself when it serves one province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db: Option<PathBuf>,
    /// Its PostgreSQL schema under `--store`. Default: the id with `-` as `_`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
}

impl ProvinceConfig {
    /// The PostgreSQL schema of the province.
    pub fn schema_name(&self) -> String {
        self.schema
            .clone()
            .unwrap_or_else(|| self.id.replace('-', "_"))
    }
}

/// An identity provider whose JWTs are accepted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    /// The exact `iss` of its tokens.
    pub issuer: String,
    /// The `aud` its tokens must carry.
    pub audience: String,
    /// The JWKS file with its public keys (relative to the auth file's folder); re-read when
    /// it changes, so keys can rotate without a restart.
    pub jwks: PathBuf,
    /// The algorithms accepted: `RS256`, `ES256` (default both). Nothing else is ever accepted,
    /// `none` and HMAC included.
    #[serde(default = "default_algorithms")]
    pub algorithms: Vec<String>,
    /// The claim holding the actor id (default `sub`); a dotted path reaches nested claims.
    #[serde(default = "default_actor_claim")]
    pub actor_claim: String,
    /// The claim holding the roles, an array or a space-separated string (default `roles`;
    /// e.g. `realm_access.roles` for Keycloak).
    #[serde(default = "default_roles_claim")]
    pub roles_claim: String,
    /// Every token of this issuer belongs to this province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// Or: the claim naming the province (for an issuer serving several).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province_claim: Option<String>,
    /// Clock skew allowed on `exp` and `nbf`, in seconds (default 30).
    #[serde(default = "default_leeway")]
    pub leeway_seconds: u64,
    /// Sign-in to the pages through this provider (OpenID Connect authorisation-code flow
    /// with PKCE); absent, its tokens are accepted by the API only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<LoginConfig>,
}

/// How the pages sign people in through an OpenID Connect provider: the endpoints of its
/// discovery document (`/.well-known/openid-configuration`) and this server's client.
/// The ID token is verified against the issuer's JWKS file, `iss`, `aud` (the client id),
/// `exp`, `nbf` and the `nonce` of the sign-in; its claims give the actor, roles and
/// province as for bearer tokens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginConfig {
    /// The button's text on the sign-in page, e.g. "Cổng định danh tỉnh Cần Thơ".
    pub name: String,
    /// The provider's `authorization_endpoint` (https, or http on loopback for tests).
    pub authorization_endpoint: String,
    /// The provider's `token_endpoint`.
    pub token_endpoint: String,
    /// This server's client id at the provider (the ID token's audience).
    pub client_id: String,
    /// The environment variable holding the client secret, for a confidential client
    /// (sent with HTTP Basic authentication). Absent: a public client (PKCE alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_env: Option<String>,
    /// The scopes asked for (default `openid profile`); `openid` is always added.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// A PEM file of extra CA certificates to trust for the token endpoint (a provincial
    /// CA), relative to the auth file's folder; the system's roots are trusted as well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into()]
}

fn default_algorithms() -> Vec<String> {
    vec!["RS256".into(), "ES256".into()]
}

fn default_actor_claim() -> String {
    "sub".into()
}

fn default_roles_claim() -> String {
    "roles".into()
}

fn default_leeway() -> u64 {
    30
}

/// An API key: the key itself is shown once when made (`ocop key new`); only its argon2
/// hash is kept here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyConfig {
    /// The key's id (also the middle of the key text `ocop_<id>.<secret>`).
    pub id: String,
    /// The argon2 hash of the secret (PHC string, `$argon2id$...`).
    pub hash: String,
    /// The actor the key acts as.
    pub actor: String,
    /// The roles it may act in.
    pub roles: Vec<String>,
    /// The province it belongs to.
    pub province: String,
    /// A revoked key is refused (the file is re-read when it changes).
    #[serde(default)]
    pub revoked: bool,
}

/// An auth file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthFileError {
    /// The file cannot be read.
    #[error("cannot read `{path}`: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The file is not an auth file.
    #[error("`{path}` is not an auth file: {reason}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The file is well formed but wrong.
    #[error("`{path}`: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 63
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Whether a provider endpoint may be used: https, or plain http to this machine only.
fn endpoint_ok(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

impl AuthFile {
    /// Reads and checks the auth file at `path`.
    ///
    /// # Errors
    /// An [`AuthFileError`] naming the file and what is wrong.
    pub fn load(path: &Path) -> Result<AuthFile, AuthFileError> {
        let text = std::fs::read_to_string(path).map_err(|e| AuthFileError::Read {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        let file: AuthFile = toml::from_str(&text).map_err(|e| AuthFileError::Parse {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        file.check().map_err(|reason| AuthFileError::Invalid {
            path: path.to_owned(),
            reason,
        })?;
        Ok(file)
    }

    /// Checks what serde cannot: ids, references to provinces, algorithms.
    ///
    /// # Errors
    /// What is wrong, as a sentence.
    pub fn check(&self) -> Result<(), String> {
        if self.format != AUTH_FORMAT {
            return Err(format!(
                "format {} is not supported; this server reads format {AUTH_FORMAT}",
                self.format
            ));
        }
        if self.provinces.is_empty() {
            return Err("no province is declared; add a `[[provinces]]` table".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for p in &self.provinces {
            if !valid_id(&p.id) {
                return Err(format!(
                    "province id `{}` must be 1-63 lowercase letters, digits, `-` or `_`",
                    p.id
                ));
            }
            if !seen.insert(p.id.as_str()) {
                return Err(format!("province `{}` is declared twice", p.id));
            }
        }
        let known = |id: &str, what: &str| -> Result<(), String> {
            if seen.contains(id) {
                Ok(())
            } else {
                Err(format!(
                    "{what} names province `{id}`, which is not declared in `[[provinces]]`"
                ))
            }
        };
        for i in &self.issuers {
            for a in &i.algorithms {
                if a != "RS256" && a != "ES256" {
                    return Err(format!(
                        "issuer `{}`: algorithm `{a}` is not accepted; use `RS256` or `ES256`",
                        i.issuer
                    ));
                }
            }
            if i.algorithms.is_empty() {
                return Err(format!("issuer `{}` accepts no algorithm", i.issuer));
            }
            if let Some(l) = &i.login {
                for (what, url) in [
                    ("authorization_endpoint", &l.authorization_endpoint),
                    ("token_endpoint", &l.token_endpoint),
                ] {
                    if !endpoint_ok(url) {
                        return Err(format!(
                            "issuer `{}`: login `{what}` `{url}` must be an https URL (http only on 127.0.0.1 or localhost)",
                            i.issuer
                        ));
                    }
                }
                if l.client_id.is_empty() {
                    return Err(format!("issuer `{}`: login `client_id` is empty", i.issuer));
                }
            }
            match (&i.province, &i.province_claim) {
                (Some(p), None) => known(p, &format!("issuer `{}`", i.issuer))?,
                (None, Some(_)) => {}
                _ => {
                    return Err(format!(
                        "issuer `{}` needs exactly one of `province` or `province_claim`",
                        i.issuer
                    ));
                }
            }
        }
        let mut keys = std::collections::BTreeSet::new();
        for k in &self.api_keys {
            if !valid_id(&k.id) {
                return Err(format!(
                    "API key id `{}` must be 1-63 lowercase letters, digits, `-` or `_`",
                    k.id
                ));
            }
            if !keys.insert(k.id.as_str()) {
                return Err(format!("API key `{}` is declared twice", k.id));
            }
            if !k.hash.starts_with("$argon2") {
                return Err(format!(
                    "API key `{}`: `hash` must be an argon2 hash (make one with `ocop key new`), never the key itself",
                    k.id
                ));
            }
            if k.roles.is_empty() {
                return Err(format!("API key `{}` has no role", k.id));
            }
            known(&k.province, &format!("API key `{}`", k.id))?;
        }
        Ok(())
    }
}
