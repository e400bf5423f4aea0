//! API keys: `ocop_<id>.<secret>`, the secret 32 random bytes in hex. Only an argon2 hash of
//! the secret is kept on disk. A verified secret is remembered in memory as its SHA-256 (for
//! the life of the loaded auth file), so that argon2's deliberate cost is paid once per key
//! and process, not on every request.

use std::collections::HashMap;
use std::sync::Mutex;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The prefix of every API key.
pub const KEY_PREFIX: &str = "ocop_";

/// A new API key and the hash to store for it.
#[derive(Clone, PartialEq, Eq)]
pub struct NewApiKey {
    /// The key to give to the client, shown once.
    pub key: String,
    /// The argon2id hash of its secret (PHC string) for the auth file.
    pub hash: String,
}

impl std::fmt::Debug for NewApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApiKey")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// Makes a new API key with id `id` (OWASP's argon2id parameters: 19 MiB, 2 passes).
///
/// # Examples
/// ```
/// let made = ocop_server::new_api_key("portal").unwrap();
/// assert!(made.key.starts_with("ocop_portal."));
/// assert!(made.hash.starts_with("$argon2id$"));
/// ```
///
/// # Errors
/// A message when argon2 fails (it does not with these parameters).
pub fn new_api_key(id: &str) -> Result<NewApiKey, String> {
    new_api_key_with(id, Params::DEFAULT_M_COST, Params::DEFAULT_T_COST)
}

/// As [`new_api_key`], with argon2's memory (KiB) and time cost.
///
/// # Errors
/// A message when argon2 refuses the parameters.
pub fn new_api_key_with(id: &str, m_cost: u32, t_cost: u32) -> Result<NewApiKey, String> {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let params = Params::new(m_cost, t_cost, 1, None).map_err(|e| e.to_string())?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let salt = SaltString::generate(&mut OsRng);
    let hash = argon
        .hash_password(secret.as_bytes(), &salt)
        .map_err(|e| e.to_string())?
        .to_string();
    Ok(NewApiKey {
        key: format!("{KEY_PREFIX}{id}.{secret}"),
        hash,
    })
}

/// Splits a key into its id and secret.
pub(crate) fn split(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix(KEY_PREFIX)?;
    let (id, secret) = rest.rsplit_once('.')?;
    (!id.is_empty() && !secret.is_empty()).then_some((id, secret))
}

/// Verifies secrets against stored hashes, remembering those that verified.
#[derive(Debug, Default)]
pub(crate) struct Verifier {
    verified: Mutex<HashMap<String, [u8; 32]>>,
}

impl Verifier {
    /// Whether key `id` was verified before (so checking it again is cheap).
    pub(crate) fn remembers(&self, id: &str) -> bool {
        self.verified.lock().is_ok_and(|v| v.contains_key(id))
    }

    /// Whether `secret` is the secret of key `id` whose argon2 hash is `hash`.
    pub(crate) fn verify(&self, id: &str, hash: &str, secret: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        if let Ok(seen) = self.verified.lock()
            && let Some(known) = seen.get(id)
        {
            return bool::from(known.ct_eq(&digest));
        }
        let Ok(parsed) = PasswordHash::new(hash) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok();
        if ok && let Ok(mut seen) = self.verified.lock() {
            seen.insert(id.to_owned(), digest);
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_verifies_and_a_wrong_one_does_not() {
        let made = new_api_key_with("k1", 64, 1).unwrap();
        let (id, secret) = split(&made.key).unwrap();
        assert_eq!(id, "k1");
        let v = Verifier::default();
        assert!(!v.verify(id, &made.hash, "00"));
        assert!(v.verify(id, &made.hash, secret));
        // The remembered digest still refuses a wrong secret.
        assert!(!v.verify(id, &made.hash, "00"));
        assert!(v.verify(id, &made.hash, secret));
        assert!(!made.hash.contains(secret));
    }

    #[test]
    fn malformed_keys_do_not_split() {
        assert_eq!(split("ocop_.abc"), None);
        assert_eq!(split("bearer"), None);
        assert_eq!(split("ocop_a.b.c"), Some(("a.b", "c")));
    }
}
