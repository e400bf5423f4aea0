//! The boundary between the engine and plugins: the criteria sheet a scoring plugin
//! publishes, the traits the engine calls, and the typed errors a plugin call can end in.
//!
//! The engine only ever sees these traits. The WebAssembly host implements them for
//! sandboxed components; a rules crate compiled natively implements them too, which is how
//! the engine's tests run without wasmtime and how benchmarks get a native baseline.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::catalog::ProductSet;
use crate::domain::{
    AnswerSheet, DossierDocument, Evaluation, PluginRef, Producer, RegistrationType, Stars,
};
use crate::i18n::Label;
use crate::ids::{CriterionId, StateId, TransitionId};

/// What a plugin says about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PluginInfo {
    /// The plugin's name, e.g. `criteria-26-2026`.
    pub name: String,
    /// The plugin's version.
    pub version: String,
    /// The legal text its rules come from.
    pub legal_basis: String,
    /// The product sets it can score (empty for guard plugins).
    #[serde(default)]
    pub product_sets: Vec<ProductSet>,
}

/// One option of a criterion ("□ ..." with its points).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionOption {
    /// The option's text.
    pub label: Label,
    /// Points it earns.
    pub points: f64,
    /// Set when the option is marked `***`, `****` or `*****`: the least a product must reach
    /// on this criterion to be ranked that many stars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_stars: Option<Stars>,
}

/// One criterion of a sheet, in catalog order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Its number as printed, e.g. `1.1`.
    pub id: CriterionId,
    /// The part it belongs to: `A`, `B` or `C`.
    pub part: String,
    /// The section it belongs to, e.g. `1`.
    pub section: String,
    /// The criterion's title.
    pub title: Label,
    /// The most points it can earn.
    pub max: f64,
    /// For sheets with alternative branches (set 26): the branch it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<u8>,
    /// The options, in printed order; an answer sheet picks one by its 0-based index.
    pub options: Vec<CriterionOption>,
}

/// A section of a sheet (e.g. "1. Tổ chức sản xuất", 18 points).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The part it belongs to.
    pub part: String,
    /// Its number as printed.
    pub code: String,
    /// Its title.
    pub title: Label,
    /// Its printed maximum.
    pub max: f64,
}

/// A part of a sheet: A (40), B (25) or C (35).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// `A`, `B` or `C`.
    pub code: String,
    /// Its title.
    pub title: Label,
    /// Its maximum.
    pub max: f64,
}

/// A condition that rejects a dossier outright ("hồ sơ bị loại khi").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Knockout {
    /// Stable id, e.g. `forged_dossier`.
    pub id: String,
    /// The condition as printed.
    pub label: Label,
    /// The answer-sheet fact that must be `true` for the dossier to pass this condition
    /// (e.g. `food_safety_certificate`); a missing or false fact knocks the dossier out.
    pub fact: String,
}

/// The criteria sheet of one product set, as a scoring plugin publishes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriteriaSheet {
    /// Format version of this document; currently 1.
    pub format: u32,
    /// The product set.
    pub product_set: ProductSet,
    /// The set's name.
    pub title: Label,
    /// Where the sheet comes from.
    pub legal_basis: String,
    /// Knock-out conditions.
    pub knockouts: Vec<Knockout>,
    /// Parts A, B, C.
    pub parts: Vec<Part>,
    /// Sections, in printed order.
    pub sections: Vec<Section>,
    /// Criteria, in printed order (the order of an answer sheet's indices).
    pub criteria: Vec<Criterion>,
    /// Alternative branches (set 26: 1 community-run, 2 tourist site), if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Branch>,
}

/// An alternative branch of a sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    /// Its number (1 or 2).
    pub number: u8,
    /// What it covers.
    pub label: Label,
}

/// An evaluation together with where it came from, as the engine records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scored {
    /// The evaluation.
    pub evaluation: Evaluation,
    /// The plugin that produced it.
    pub plugin: PluginRef,
    /// Fuel the call used, when run in the sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel_used: Option<u64>,
}

/// What a guard plugin sees of a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseView {
    /// The case.
    pub case_id: String,
    /// The definition the case runs under.
    pub definition: String,
    /// The state the case is in.
    pub state: StateId,
    /// The transition being attempted.
    pub transition: TransitionId,
    /// The product set.
    pub product_set: ProductSet,
    /// First, upgrade or re-evaluation.
    pub registration: RegistrationType,
    /// The producer.
    pub producer: Producer,
    /// The dossier's documents.
    pub documents: Vec<DossierDocument>,
    /// Facts recorded on the case (e.g. `traceability_registered = true`).
    pub facts: BTreeMap<String, bool>,
    /// The latest council result, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    /// The latest evaluated rank, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stars: Option<Stars>,
    /// The plugin's configuration from the definition's plugin table.
    #[serde(default)]
    pub config: BTreeMap<String, serde_json::Value>,
}

/// What a guard plugin found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// Whether it blocks the transition.
    pub blocking: bool,
    /// A stable code, e.g. `traceability-missing`.
    pub code: String,
    /// What is wrong and what to do, in Vietnamese and English.
    pub message: Label,
}

/// How a plugin call failed. Each variant names the plugin and the call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PluginError {
    /// The plugin's file does not hash to the SHA-256 pinned in the definition.
    #[error(
        "plugin `{plugin}` does not match its pinned sha256: expected {expected}, found {found}; rebuild it or update the definition's pin"
    )]
    HashMismatch {
        /// The plugin.
        plugin: String,
        /// The pinned hash.
        expected: String,
        /// The file's hash.
        found: String,
    },
    /// The plugin is not pinned and the host was not told to accept unpinned plugins.
    #[error(
        "plugin `{plugin}` is not pinned by a sha256 in the definition; pin it, or allow unpinned plugins for development"
    )]
    Unpinned {
        /// The plugin.
        plugin: String,
    },
    /// The component could not be read or compiled.
    #[error("plugin `{plugin}` could not be loaded: {reason}")]
    Load {
        /// The plugin.
        plugin: String,
        /// Why.
        reason: String,
    },
    /// The component imports something the host does not offer (the host offers nothing).
    #[error(
        "plugin `{plugin}` imports `{import}`, but plugins may import nothing (no WASI, no host functions); build it for wasm32-unknown-unknown"
    )]
    ForbiddenImport {
        /// The plugin.
        plugin: String,
        /// The import.
        import: String,
    },
    /// The component does not export what its kind requires.
    #[error(
        "plugin `{plugin}` does not export `{export}`: is it built against the right WIT world?"
    )]
    MissingExport {
        /// The plugin.
        plugin: String,
        /// The missing export.
        export: String,
    },
    /// The call used up its fuel.
    #[error("plugin `{plugin}` ran out of fuel in `{call}` (limit {limit}); it may loop forever")]
    OutOfFuel {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// The fuel limit.
        limit: u64,
    },
    /// The call asked for more memory than allowed.
    #[error("plugin `{plugin}` exceeded its memory limit of {limit_bytes} bytes in `{call}`")]
    MemoryLimit {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// The limit.
        limit_bytes: u64,
    },
    /// The call overflowed its stack.
    #[error("plugin `{plugin}` overflowed its stack in `{call}`")]
    StackOverflow {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
    },
    /// The call trapped (a panic in the guest, an unreachable, a bad memory access).
    #[error("plugin `{plugin}` trapped in `{call}`: {trap}")]
    Trapped {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// The trap.
        trap: String,
    },
    /// The call returned something the host refuses (too large, inconsistent totals).
    #[error("plugin `{plugin}` returned an invalid result from `{call}`: {reason}")]
    BadOutput {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// What is wrong.
        reason: String,
    },
    /// The plugin refused the input (an invalid answer sheet, an unknown product set).
    #[error("plugin `{plugin}` refused the input to `{call}`: {message} [{code}]")]
    Rejected {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// The plugin's error code.
        code: String,
        /// The plugin's message.
        message: String,
    },
}

/// A scoring plugin: publishes criteria sheets and scores answer sheets.
pub trait Scorer: Send + Sync {
    /// Name, version, legal basis, product sets.
    fn info(&self) -> &PluginInfo;

    /// The plugin's identity for provenance (name, version, sha256 of its code).
    fn plugin_ref(&self) -> PluginRef;

    /// The criteria sheet of `set`.
    ///
    /// # Errors
    /// [`PluginError::Rejected`] for a set the plugin does not score; any sandbox failure.
    fn criteria(&self, set: ProductSet) -> Result<CriteriaSheet, PluginError>;

    /// Scores one evaluator's answer sheet.
    ///
    /// # Errors
    /// [`PluginError::Rejected`] for an invalid sheet; any sandbox failure.
    fn score(&self, sheet: &AnswerSheet) -> Result<Scored, PluginError>;
}

/// A guard plugin: checks local conditions on a transition.
pub trait GuardPlugin: Send + Sync {
    /// Name, version, legal basis.
    fn info(&self) -> &PluginInfo;

    /// Runs the check named `check` (from the definition's `plugin` guard) on a case.
    ///
    /// # Errors
    /// [`PluginError::Rejected`] for an unknown check; any sandbox failure.
    fn check(&self, view: &CaseView, check: &str) -> Result<Vec<Finding>, PluginError>;
}
