//! The WebAssembly component's exports (`ocop:plugin/guard@0.1.0`), frozen: the guest of
//! `plugins/cantho-local` as it was before 0.2.0, with its own bindings of the frozen WIT
//! instead of the SDK's.
#![allow(
    unsafe_code,
    missing_docs,
    unreachable_pub,
    clippy::all,
    reason = "wit-bindgen generates the canonical-ABI glue"
)]

wit_bindgen::generate!({
    path: "../../../../../plugins/wit/0.1.0",
    world: "ocop:plugin/guard@0.1.0",
});

use ocop::plugin::types::Label;
use ocop_cantho_local::{CHECKS, Case, Config, LEGAL_BASIS, NAME, VERSION, traceability};

struct CanThoLocal;

impl Guest for CanThoLocal {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: NAME.to_owned(),
            version: VERSION.to_owned(),
            legal_basis: LEGAL_BASIS.to_owned(),
            product_sets: Vec::new(),
            checks: CHECKS.iter().map(|c| (*c).to_owned()).collect(),
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

export!(CanThoLocal);
