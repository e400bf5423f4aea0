//! Reading a guard plugin's configuration: the definition's `[[plugins]] config` table, which
//! the host passes in every `CaseView` as key / JSON-text pairs.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::types::{CaseView, PluginError};

/// A guard's configuration, read from a case view. Every failure is a [`PluginError`] with
/// code `bad-config` naming the key, so that the definition's author sees what to fix.
///
/// # Examples
/// ```
/// use ocop_plugin_sdk::config::Config;
///
/// // What the host passes for `config = { system = "check.cantho.gov.vn", strict = true }`.
/// let pairs = vec![
///     ("system".to_owned(), "\"check.cantho.gov.vn\"".to_owned()),
///     ("strict".to_owned(), "true".to_owned()),
/// ];
/// let config = Config::new(&pairs);
/// assert_eq!(config.string("system")?.as_deref(), Some("check.cantho.gov.vn"));
/// assert_eq!(config.bool_or("strict", false)?, true);
/// assert_eq!(config.string_or("fact", "traceability_registered")?, "traceability_registered");
/// assert!(config.number("system").is_err(), "a string is not a number");
///
/// // Or all at once, into your own type (with serde's `Deserialize`).
/// #[derive(serde::Deserialize)]
/// struct Settings { system: String, #[serde(default)] strict: bool }
/// let settings: Settings = config.deserialize()?;
/// assert!(settings.strict && settings.system.ends_with(".vn"));
/// # Ok::<(), ocop_plugin_sdk::types::PluginError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Config<'a> {
    pairs: &'a [(String, String)],
}

fn bad(key: &str, message: impl std::fmt::Display) -> PluginError {
    PluginError {
        code: "bad-config".into(),
        message: format!("configuration key `{key}`: {message}"),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a table",
    }
}

impl<'a> Config<'a> {
    /// The configuration in the pairs the host passes (key, value as JSON text).
    pub fn new(pairs: &'a [(String, String)]) -> Self {
        Config { pairs }
    }

    /// The configuration a case view carries.
    pub fn of(view: &'a CaseView) -> Self {
        Config::new(&view.config)
    }

    /// The keys, in the order the host passed them.
    pub fn keys(&self) -> impl Iterator<Item = &'a str> {
        self.pairs.iter().map(|(k, _)| k.as_str())
    }

    /// The JSON text of `key`, as passed.
    pub fn raw(&self, key: &str) -> Option<&'a str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `key`, parsed.
    ///
    /// # Errors
    /// `bad-config` when the text is not JSON (the host always passes JSON).
    pub fn value(&self, key: &str) -> Result<Option<Value>, PluginError> {
        self.raw(key)
            .map(|text| serde_json::from_str(text).map_err(|e| bad(key, e)))
            .transpose()
    }

    /// The string `key`.
    ///
    /// # Errors
    /// `bad-config` when it is set to something other than a string.
    pub fn string(&self, key: &str) -> Result<Option<String>, PluginError> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(bad(
                key,
                format!("expected a string, found {}", kind(&other)),
            )),
        }
    }

    /// The string `key`, or `default` when it is not set.
    ///
    /// # Errors
    /// As [`string`](Self::string).
    pub fn string_or(&self, key: &str, default: &str) -> Result<String, PluginError> {
        Ok(self.string(key)?.unwrap_or_else(|| default.to_owned()))
    }

    /// The boolean `key`.
    ///
    /// # Errors
    /// `bad-config` when it is set to something other than `true` or `false`.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, PluginError> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(bad(
                key,
                format!("expected true or false, found {}", kind(&other)),
            )),
        }
    }

    /// The boolean `key`, or `default` when it is not set.
    ///
    /// # Errors
    /// As [`bool`](Self::bool).
    pub fn bool_or(&self, key: &str, default: bool) -> Result<bool, PluginError> {
        Ok(self.bool(key)?.unwrap_or(default))
    }

    /// The number `key`.
    ///
    /// # Errors
    /// `bad-config` when it is set to something other than a number.
    pub fn number(&self, key: &str) -> Result<Option<f64>, PluginError> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(other) => Err(bad(
                key,
                format!("expected a number, found {}", kind(&other)),
            )),
        }
    }

    /// Refuses keys other than `known`, so that a misspelt key in a definition is an error
    /// rather than a silently ignored setting.
    ///
    /// # Errors
    /// `bad-config` naming the first unknown key and the known ones.
    pub fn deny_unknown(&self, known: &[&str]) -> Result<(), PluginError> {
        match self.keys().find(|k| !known.contains(k)) {
            None => Ok(()),
            Some(k) => Err(bad(
                k,
                format!("unknown key; the plugin reads {}", known.join(", ")),
            )),
        }
    }

    /// The whole configuration as one table, deserialized into `T`.
    ///
    /// # Errors
    /// `bad-config` with serde's reason (a missing key, a wrong type, an unknown key when `T`
    /// denies unknown fields).
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, PluginError> {
        let mut table = serde_json::Map::new();
        for (k, _) in self.pairs {
            table.insert(k.clone(), self.value(k)?.unwrap_or(Value::Null));
        }
        serde_json::from_value(Value::Object(table)).map_err(|e| PluginError {
            code: "bad-config".into(),
            message: format!("configuration: {e}"),
        })
    }
}
