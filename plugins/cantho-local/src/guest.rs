//! The WebAssembly component's exports (`ocop:plugin/guard`).
#![allow(
    unsafe_code,
    reason = "the SDK's export macro generates the canonical-ABI glue"
)]

use ocop_plugin_sdk::config::Config as Settings;
use ocop_plugin_sdk::guard::{Guest, export_guard};
use ocop_plugin_sdk::types::{CaseView, Finding, Label, PluginError, PluginInfo};

use crate::{Case, Config, LEGAL_BASIS, NAME, VERSION, traceability};

struct CanThoLocal;

impl Guest for CanThoLocal {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: NAME.to_owned(),
            version: VERSION.to_owned(),
            legal_basis: LEGAL_BASIS.to_owned(),
            product_sets: Vec::new(),
            checks: crate::CHECKS.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    fn check(view: CaseView, check: String) -> Result<Vec<Finding>, PluginError> {
        if check != "traceability" {
            return Err(PluginError {
                code: "unknown-check".into(),
                message: format!("cantho-local has no check `{check}`; it offers `traceability`"),
            });
        }
        let settings = Settings::of(&view);
        settings.deny_unknown(&["traceability_system", "fact", "document_kind"])?;
        let defaults = Config::from_pairs(&[]);
        let config = Config {
            system: settings.string_or("traceability_system", &defaults.system)?,
            fact: settings.string_or("fact", &defaults.fact)?,
            document_kind: settings.string_or("document_kind", &defaults.document_kind)?,
        };
        let case = Case {
            facts: view.facts,
            documents: view
                .documents
                .into_iter()
                .map(|d| (d.kind, d.present))
                .collect(),
        };
        Ok(traceability(&case, &config)
            .into_iter()
            .map(|f| Finding {
                blocking: f.blocking,
                code: f.code.to_owned(),
                message: Label {
                    vi: f.message_vi,
                    en: f.message_en,
                },
            })
            .collect())
    }
}

export_guard!(CanThoLocal);
