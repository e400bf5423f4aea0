//! The WebAssembly component's exports (`ocop:plugin/scoring@0.2.0`).
#![allow(
    unsafe_code,
    reason = "the SDK's export macro generates the canonical-ABI glue"
)]

use ocop_plugin_sdk::scoring::{Guest, export_scoring};
use ocop_plugin_sdk::types::{AnswerSheet, CriteriaSheet, Evaluation, PluginError, PluginInfo};

struct Criteria2026;

impl Guest for Criteria2026 {
    fn describe() -> PluginInfo {
        crate::sdk::describe()
    }

    fn criteria(product_set: u8) -> Result<CriteriaSheet, PluginError> {
        crate::sdk::criteria_sheet(product_set)
    }

    fn score(sheet: AnswerSheet) -> Result<Evaluation, PluginError> {
        crate::sdk::score(&sheet)
    }
}

export_scoring!(Criteria2026);
