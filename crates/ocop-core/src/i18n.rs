//! Bilingual labels: Vietnamese is the language of the law, English is for integrators.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A language that user-facing text is available in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Vietnamese (tiếng Việt), the default.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// The one of two texts (or anything else) that is in this language.
    ///
    /// # Examples
    /// ```
    /// use ocop_core::Lang;
    ///
    /// assert_eq!(Lang::Vi.pick("Tổng cộng", "Total"), "Tổng cộng");
    /// assert_eq!(Lang::En.pick("Tổng cộng", "Total"), "Total");
    /// ```
    pub fn pick<T>(self, vi: T, en: T) -> T {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

impl FromStr for Lang {
    type Err = UnknownLangError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "vi" | "vi-vn" => Ok(Lang::Vi),
            "en" | "en-us" | "en-gb" => Ok(Lang::En),
            _ => Err(UnknownLangError(s.to_owned())),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        })
    }
}

/// A language code that is neither `vi` nor `en`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language `{0}`: use `vi` or `en`")]
pub struct UnknownLangError(String);

/// A text in Vietnamese and English.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Label {
    /// Vietnamese text, as the legal text words it (e.g. "Đánh giá cấp huyện").
    pub vi: String,
    /// English text (e.g. "District evaluation").
    pub en: String,
}

impl Label {
    /// Builds a label from its two texts.
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            vi: vi.into(),
            en: en.into(),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}
