//! Cần Thơ's local rules as an ocop guard plugin.
//!
//! Kế hoạch 109/KH-UBND (2024) asks that OCOP products be traceable through the city's QR
//! system (check.cantho.gov.vn). The check `traceability` blocks a transition (in
//! `workflows/can-tho-2024.toml`: proposing a product to the city council) unless the case
//! records the fact named by the configuration (default `traceability_registered`) as true,
//! or its dossier holds a present document of the configured kind (default
//! `traceability_qr`). The system's name, the fact and the document kind come from the
//! definition's plugin table, so another province reuses the plugin with its own data.
//!
//! The rule is plain Rust ([`traceability`]); the `guest` feature exports it as a component.
//!
//! # Examples
//! ```
//! use ocop_cantho_local::{Case, Config, traceability};
//!
//! let config = Config::from_pairs(&[("traceability_system", "\"check.cantho.gov.vn\"")]);
//! let mut case = Case::default();
//! let finding = traceability(&case, &config).expect("blocks without a registration");
//! assert!(finding.blocking);
//! assert!(finding.message_vi.contains("check.cantho.gov.vn"));
//!
//! case.facts.push(("traceability_registered".into(), true));
//! assert!(traceability(&case, &config).is_none());
//! ```

#![deny(unsafe_code)]

#[cfg(feature = "guest")]
mod guest;

/// The plugin's name.
pub const NAME: &str = "cantho-local";
/// The plugin's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Where its rules come from.
pub const LEGAL_BASIS: &str = "Kế hoạch 109/KH-UBND ngày 24/5/2024 của UBND thành phố Cần Thơ (truy xuất nguồn gốc sản phẩm OCOP)";

/// What the rule reads of a case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Case {
    /// Facts recorded on the case.
    pub facts: Vec<(String, bool)>,
    /// The dossier's documents: kind and whether present.
    pub documents: Vec<(String, bool)>,
}

/// The rule's configuration, from the definition's plugin table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The traceability system's name, quoted in messages.
    pub system: String,
    /// The case fact that records a registration.
    pub fact: String,
    /// The dossier document that proves one.
    pub document_kind: String,
}

impl Config {
    /// Reads the configuration from key/JSON-value pairs as the host passes them; missing
    /// keys take their defaults.
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Config {
        let get = |key: &str, default: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.trim().trim_matches('"').to_owned())
                .unwrap_or_else(|| default.to_owned())
        };
        Config {
            system: get("traceability_system", "hệ thống truy xuất nguồn gốc"),
            fact: get("fact", "traceability_registered"),
            document_kind: get("document_kind", "traceability_qr"),
        }
    }
}

/// A finding of the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Whether it blocks the transition.
    pub blocking: bool,
    /// Stable code.
    pub code: &'static str,
    /// Vietnamese message.
    pub message_vi: String,
    /// English message.
    pub message_en: String,
}

/// The `traceability` check: a blocking finding unless the case is registered for
/// traceability.
pub fn traceability(case: &Case, config: &Config) -> Option<Finding> {
    let registered = case.facts.iter().any(|(k, v)| *k == config.fact && *v)
        || case
            .documents
            .iter()
            .any(|(k, present)| *k == config.document_kind && *present);
    (!registered).then(|| Finding {
        blocking: true,
        code: "traceability-missing",
        message_vi: format!(
            "Sản phẩm chưa đăng ký truy xuất nguồn gốc trên {}: bổ sung mã QR truy xuất (tài liệu `{}`) trước khi đề nghị thành phố đánh giá",
            config.system, config.document_kind
        ),
        message_en: format!(
            "The product is not registered for traceability on {}: add its traceability QR code (document `{}`) before proposing it to the city",
            config.system, config.document_kind
        ),
    })
}

/// The checks this plugin offers.
pub const CHECKS: &[&str] = &["traceability"];
