//! Bearer JWTs from a province's identity provider, verified against the keys of a JWKS
//! file: signature (RS256 or ES256 only, per issuer allow-list), `iss`, `aud`, `exp` and
//! `nbf` (both required to be sane), then the configured claims for actor, roles and
//! province.

use std::path::Path;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

use super::file::IssuerConfig;

/// One public key of an issuer.
pub(crate) struct Key {
    kid: Option<String>,
    alg: Algorithm,
    key: DecodingKey,
}

/// An issuer with its keys.
pub(crate) struct Issuer {
    pub(crate) config: IssuerConfig,
    keys: Vec<Key>,
    algorithms: Vec<Algorithm>,
}

/// What a verified token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Claims {
    pub(crate) issuer: String,
    pub(crate) actor: String,
    pub(crate) roles: Vec<String>,
    pub(crate) province: Option<String>,
}

fn alg(name: &str) -> Option<Algorithm> {
    match name {
        "RS256" => Some(Algorithm::RS256),
        "ES256" => Some(Algorithm::ES256),
        _ => None,
    }
}

impl Issuer {
    /// Loads the issuer's JWKS file (relative to `base`).
    pub(crate) fn load(config: &IssuerConfig, base: &Path) -> Result<Issuer, String> {
        let path = base.join(&config.jwks);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read JWKS `{}`: {e}", path.display()))?;
        let set: JwkSet = serde_json::from_str(&text)
            .map_err(|e| format!("`{}` is not a JWKS file: {e}", path.display()))?;
        let algorithms: Vec<Algorithm> = config.algorithms.iter().filter_map(|a| alg(a)).collect();
        let mut keys = Vec::new();
        for jwk in &set.keys {
            // The key's type decides its algorithm; a declared `alg` must agree.
            let family = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => Algorithm::RS256,
                AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
                    Algorithm::ES256
                }
                _ => continue,
            };
            if let Some(declared) = jwk.common.key_algorithm
                && !matches!(
                    (declared, family),
                    (KeyAlgorithm::RS256, Algorithm::RS256)
                        | (KeyAlgorithm::ES256, Algorithm::ES256)
                )
            {
                continue;
            }
            let key = DecodingKey::from_jwk(jwk)
                .map_err(|e| format!("`{}`: a key cannot be used: {e}", path.display()))?;
            keys.push(Key {
                kid: jwk.common.key_id.clone(),
                alg: family,
                key,
            });
        }
        if keys.is_empty() {
            return Err(format!(
                "`{}` holds no RSA or P-256 key for issuer `{}`",
                path.display(),
                config.issuer
            ));
        }
        Ok(Issuer {
            config: config.clone(),
            keys,
            algorithms,
        })
    }

    /// Verifies `token` with this issuer's keys. `Ok(None)` when no key of this issuer fits
    /// the token's header (another issuer may own it).
    pub(crate) fn verify(
        &self,
        token: &str,
        header: &jsonwebtoken::Header,
    ) -> Result<Option<Claims>, String> {
        Ok(self
            .verify_for(token, header, &self.config.audience)?
            .map(|(c, _)| c))
    }

    /// As [`Issuer::verify`] for audience `audience` (an ID token's is the client id); also
    /// returns the token's claims as sent.
    pub(crate) fn verify_for(
        &self,
        token: &str,
        header: &jsonwebtoken::Header,
        audience: &str,
    ) -> Result<Option<(Claims, serde_json::Value)>, String> {
        if !self.algorithms.contains(&header.alg) {
            return Ok(None);
        }
        let candidates = self.keys.iter().filter(|k| {
            k.alg == header.alg
                && match (&header.kid, &k.kid) {
                    (Some(want), Some(have)) => want == have,
                    _ => true,
                }
        });
        let mut last = None;
        for k in candidates {
            let mut v = Validation::new(k.alg);
            v.set_issuer(&[&self.config.issuer]);
            v.set_audience(&[audience]);
            v.set_required_spec_claims(&["exp", "iss", "aud"]);
            v.validate_exp = true;
            v.validate_nbf = true;
            v.leeway = self.config.leeway_seconds;
            match jsonwebtoken::decode::<serde_json::Value>(token, &k.key, &v) {
                Ok(data) => {
                    return self
                        .claims(&data.claims)
                        .map(|c| Some((c, data.claims.clone())));
                }
                Err(e) => last = Some(describe(&e)),
            }
        }
        match last {
            Some(e) => Err(e),
            None => Ok(None),
        }
    }

    pub(crate) fn claims(&self, claims: &serde_json::Value) -> Result<Claims, String> {
        let c = &self.config;
        let actor = lookup(claims, &c.actor_claim)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                format!(
                    "the token has no `{}` claim naming the actor",
                    c.actor_claim
                )
            })?
            .to_owned();
        let roles: Vec<String> = match lookup(claims, &c.roles_claim) {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(serde_json::Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
            _ => Vec::new(),
        };
        let province = match (&c.province, &c.province_claim) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(claim)) => lookup(claims, claim)
                .and_then(|v| v.as_str())
                .map(str::to_owned),
            (None, None) => None,
        };
        Ok(Claims {
            issuer: c.issuer.clone(),
            actor,
            roles,
            province,
        })
    }
}

/// A claim by dotted path.
fn lookup<'a>(claims: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.').try_fold(claims, |v, part| v.get(part))
}

/// Why a token failed, in words that leak nothing about the keys.
fn describe(e: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind as K;
    match e.kind() {
        K::ExpiredSignature => "the token has expired".into(),
        K::ImmatureSignature => "the token is not valid yet (`nbf`)".into(),
        K::InvalidIssuer => "the token is from another issuer".into(),
        K::InvalidAudience => "the token is for another audience".into(),
        K::InvalidSignature => "the token's signature does not verify".into(),
        K::MissingRequiredClaim(c) => format!("the token has no `{c}` claim"),
        K::InvalidAlgorithm => "the token's algorithm is not accepted".into(),
        _ => "the token cannot be verified".into(),
    }
}
