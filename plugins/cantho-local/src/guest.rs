//! The WebAssembly component's exports (`ocop:plugin/guard`).
#![allow(
    unsafe_code,
    reason = "the SDK's export macro generates the canonical-ABI glue"
)]

use ocop_plugin_sdk::guard::Guest;
use ocop_plugin_sdk::guard::ocop::plugin::types::{
    CaseView, Finding, Label, PluginError, PluginInfo,
};

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
        let pairs: Vec<(&str, &str)> = view
            .config
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let config = Config::from_pairs(&pairs);
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

ocop_plugin_sdk::guard::export_guard!(CanThoLocal);
