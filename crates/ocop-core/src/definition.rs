//! The cycle-definition file format (TOML, or JSON with the same schema).
//!
//! These types are the file as written: nothing here is checked beyond its shape. Turn a
//! [`Definition`] into a [`Cycle`](crate::Cycle) with [`Cycle::new`](crate::Cycle::new) to get
//! the checked graph.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::Level;
use crate::i18n::Label;
use crate::ids::{DefinitionId, EvaluationId, PluginId, RoleId, RoundId, StateId, TransitionId};

pub use crate::specs::{ParamSpec, ParamType, Spec, effect_specs, guard_specs};

/// The definition format version this library reads.
pub const DEFINITION_FORMAT: u32 = 1;

/// The role the engine acts as when it fires a timeout. It needs no declaration.
pub const SYSTEM_ROLE: &str = "system";

/// A cycle definition: the states, transitions, councils, rounds and plugins of one version
/// of the OCOP procedure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// Format version of this file; must be 1.
    pub format: u32,
    /// Stable identifier, e.g. `national-2026`.
    pub id: DefinitionId,
    /// Version of this definition, e.g. `2026.1`; bump it on every change.
    pub version: String,
    /// Name of the cycle.
    pub label: Label,
    /// The legal instrument the cycle implements, e.g. "Quyết định 26/2026/QĐ-TTg".
    pub legal_basis: String,
    /// First day on which cases may be opened under this definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_force_from: Option<crate::Date>,
    /// Last day the rules are in force (absent: open-ended). Cases filed earlier keep
    /// running under them (Art. 12.2); only new cases are refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_force_until: Option<crate::Date>,
    /// Last day a new case may be opened, when it is earlier than `in_force_until` (e.g.
    /// the day before new rules take effect, while the old ones still govern the dossiers
    /// filed under them). Defaults to `in_force_until`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intake_until: Option<crate::Date>,
    /// The legal basis of the validity period, e.g. "QĐ 26/2026 Điều 11.2".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_basis: Option<String>,
    /// Working-day calendar used for deadlines counted in working days, e.g. `vn`.
    pub calendar: String,
    /// The province the definition is for, and its plan's targets (absent for a national
    /// definition that any province may run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<Jurisdiction>,
    /// The state a new case starts in.
    pub initial: StateId,
    /// Roles that act on cases.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Separation-of-duties rules between roles.
    #[serde(default)]
    pub separation: Vec<Separation>,
    /// The states of the cycle.
    #[serde(default)]
    pub states: Vec<State>,
    /// The transitions between states.
    #[serde(default)]
    pub transitions: Vec<Transition>,
    /// Evaluation stages: a council at one level scoring with one plugin.
    #[serde(default)]
    pub evaluations: Vec<EvaluationStage>,
    /// Evaluation rounds ("đợt") with their cut-off dates.
    #[serde(default)]
    pub rounds: Vec<Round>,
    /// Plugins the definition uses, pinned by SHA-256.
    #[serde(default)]
    pub plugins: Vec<PluginDecl>,
}

/// Where a definition applies: the province whose reports it names, and the yearly targets
/// of that province's OCOP plan, which the programme report compares new certificates with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    /// The province or centrally-run city, e.g. `Cần Thơ`.
    pub province: String,
    /// The plan that sets the targets, e.g. "Kế hoạch 109/KH-UBND ngày 24/5/2024".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// The plan's targets, one entry per year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<YearTargets>,
}

/// A plan's targets for one year (Kế hoạch 109/KH-UBND: 20 new 3★, 10 new 4★, 2 new 5★).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct YearTargets {
    /// The year.
    pub year: i16,
    /// New 3-star products.
    pub new_three_star: u32,
    /// New 4-star products.
    pub new_four_star: u32,
    /// New 5-star products.
    pub new_five_star: u32,
    /// Existing products to standardise (148 in Cần Thơ's 2024 plan), if the plan sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_to_standardise: Option<u32>,
}

impl Jurisdiction {
    /// The targets a report on `day` compares with: those of the latest year not after the
    /// day's year (a plan's targets stand until the next plan sets new ones).
    pub fn targets_on(&self, day: crate::Date) -> Option<&YearTargets> {
        self.targets
            .iter()
            .filter(|t| t.year <= day.year())
            .max_by_key(|t| t.year)
    }
}

/// A role that may act on cases.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Identifier, e.g. `district_council_member`.
    pub id: RoleId,
    /// The level the role belongs to.
    pub level: Level,
    /// Name of the role.
    pub label: Label,
}

/// A separation-of-duties rule: one actor may not hold two roles on the same case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Separation {
    /// The roles one actor may not combine on a case (two or more).
    pub roles: Vec<RoleId>,
    /// Why, with its legal basis.
    pub reason: String,
}

/// What a state is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StateKind {
    /// The producer prepares or completes a dossier.
    Intake,
    /// An office checks a dossier (commune review, provincial office check).
    Review,
    /// A council scores the product.
    Evaluation,
    /// An authority decides on the council's result.
    Decision,
    /// A certificate has just been issued.
    Certified,
    /// A certified product lives under monitoring until renewal, upgrade, expiry or revocation.
    Monitoring,
    /// The case is over.
    Terminal,
}

/// A state of the cycle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Identifier, e.g. `district_evaluation`.
    pub id: StateId,
    /// What the state is for.
    pub kind: StateKind,
    /// The role expected to move the case on; none for terminal states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<RoleId>,
    /// Name of the state, e.g. "Đánh giá cấp huyện" / "District evaluation".
    pub label: Label,
    /// The article or clause the state comes from.
    pub basis: String,
    /// A deadline, after which a transition fires on its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Deadline>,
}

/// The date a deadline counts from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The day the case entered the state (the default).
    #[default]
    Entered,
    /// The day the case was opened.
    CaseOpened,
    /// The issue date of the case's current certificate.
    CertificateIssued,
    /// The expiry date of the case's current certificate.
    CertificateExpiry,
    /// The date the competent authority concluded a violation (revocation, Art. 8.4).
    Conclusion,
    /// The decision date of the round the case is in.
    RoundDecision,
}

/// A deadline on a state. Exactly one of `working_days`, `days` and `months` is set, or
/// none to fall due on the anchor date itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    /// Working days (weekends and public holidays excluded), e.g. 15 for the commune review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_days: Option<u32>,
    /// Calendar days, e.g. 45 for a re-evaluation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Calendar months, e.g. 36 for a certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// What the deadline counts from.
    #[serde(default)]
    pub from: Anchor,
    /// Count from the last time the case entered this other state instead (e.g. the 45 days
    /// of a re-evaluation run from the complete dossier's arrival, across several states).
    /// Only with `from = "entered"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<StateId>,
    /// The transition fired when the deadline passes; it must leave this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_timeout: Option<TransitionId>,
    /// The clause that sets the deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

/// One source state or several.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FromStates {
    /// A single state.
    One(StateId),
    /// Several states (e.g. withdrawal, allowed from any waiting state).
    Many(Vec<StateId>),
}

impl FromStates {
    /// The states as a slice.
    pub fn as_slice(&self) -> &[StateId] {
        match self {
            FromStates::One(s) => std::slice::from_ref(s),
            FromStates::Many(v) => v,
        }
    }
}

/// A transition between two states.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// Identifier, e.g. `submit_dossier`.
    pub id: TransitionId,
    /// The state or states it leaves.
    pub from: FromStates,
    /// The state it enters.
    pub to: StateId,
    /// Name of the transition.
    pub label: Label,
    /// Roles allowed to take it; `system` for transitions fired by a deadline.
    #[serde(default)]
    pub roles: Vec<RoleId>,
    /// Conditions that must all hold.
    #[serde(default)]
    pub guards: Vec<Guard>,
    /// What taking it does besides moving the case.
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// The article or clause it comes from.
    pub basis: String,
}

/// A condition on a transition: a built-in guard with its parameters, or `plugin` for a
/// guard plugin. The built-in guards and their parameters are listed by
/// [`guard_specs`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Guard {
    /// The guard's name, e.g. `min_mean_score`.
    pub guard: String,
    /// The guard's parameters, e.g. `min = 50`.
    #[serde(flatten)]
    pub params: BTreeMap<String, serde_json::Value>,
}

/// Something a transition does besides moving the case. The effects and their parameters
/// are listed by [`effect_specs`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Effect {
    /// The effect's name, e.g. `issue_certificate`.
    pub effect: String,
    /// The effect's parameters, e.g. `months = 36`.
    #[serde(flatten)]
    pub params: BTreeMap<String, serde_json::Value>,
}

/// How the members' totals become the council's total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// The arithmetic mean ("tổng điểm trung bình", Art. 3.3).
    #[default]
    Mean,
    /// The median, a local rule some councils use to blunt outliers.
    Median,
}

/// How a council's mean is rounded before banding. The law sets none (keep the unrounded
/// mean); a province may set one as a local rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// No rounding.
    #[default]
    None,
    /// Half up to whole points.
    Whole,
    /// Half up to one decimal.
    OneDecimal,
    /// Half up to two decimals.
    TwoDecimals,
}

/// How a council works: quorum, allowed disagreement, rounding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CouncilRules {
    /// The least share of members whose sheets must be in, e.g. 0.75.
    pub quorum: f64,
    /// Whether the chair's sheet must be among them.
    #[serde(default)]
    pub chair_required: bool,
    /// The least number of sheets, whatever the council's size.
    #[serde(default = "default_min_members")]
    pub min_members: u32,
    /// The largest spread between members' totals before the council must re-score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_spread: Option<f64>,
    /// Rounding of the aggregated total.
    #[serde(default)]
    pub rounding: Rounding,
}

fn default_min_members() -> u32 {
    3
}

/// An evaluation stage: the council of one level scoring products with a plugin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationStage {
    /// Identifier, e.g. `city_council`.
    pub id: EvaluationId,
    /// The state (of kind `evaluation`) in which members submit their sheets.
    pub state: StateId,
    /// The council's level.
    pub level: Level,
    /// The role of the council's members.
    pub member_role: RoleId,
    /// The role of the council's chair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chair_role: Option<RoleId>,
    /// The scoring plugin (declared in `plugins`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<PluginId>,
    /// Set when the plugin stands in for criteria the definition's law prescribes but that
    /// are not available (e.g. 26/2026 criteria scoring a 148/2023 cycle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute: Option<String>,
    /// How members' totals are combined.
    #[serde(default)]
    pub aggregation: Aggregation,
    /// The council's working rules.
    pub council: CouncilRules,
    /// The least aggregated total that passes this stage.
    pub pass_threshold: f64,
    /// The clause that sets the stage.
    pub basis: String,
}

/// An evaluation round ("đợt"): proposals received by one date are decided by another.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Round {
    /// Identifier, e.g. `province_1`.
    pub id: RoundId,
    /// The level that holds the round.
    pub level: Level,
    /// Last day for proposals, `MM-DD` (e.g. `04-30`).
    pub proposals_by: String,
    /// Last day for the decision, `MM-DD` (e.g. `06-30`); may fall in the next year.
    pub decided_by: String,
    /// The clause that sets the round.
    pub basis: String,
}

/// What a plugin does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PluginKind {
    /// Scores answer sheets against a criteria catalog.
    Scoring,
    /// Checks local conditions on a transition.
    Guard,
}

/// A plugin the definition uses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PluginDecl {
    /// Identifier used by evaluation stages and guards.
    pub id: PluginId,
    /// Scoring or guard.
    pub kind: PluginKind,
    /// Path of the WebAssembly component, relative to the definition file.
    pub path: String,
    /// SHA-256 of the component, lowercase hex; checked before the plugin is used.
    pub sha256: String,
    /// Configuration passed to the plugin (guard plugins read their local rules from it).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub config: BTreeMap<String, serde_json::Value>,
    /// What the plugin may import: nothing (the default, for Rust components) or the
    /// deterministic WASI profile an interpreter needs (Python, JavaScript).
    #[serde(default, skip_serializing_if = "PluginRuntime::is_default")]
    pub runtime: PluginRuntime,
    /// Fuel per call for this plugin, instead of the host's default (an interpreter needs
    /// about 1,000,000,000 where a Rust component needs 10,000,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
    /// Linear memory this plugin may grow to, in MiB, instead of the host's default
    /// (interpreters start at 10-13 MiB; 128-256 is a safe setting for them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mib: Option<u32>,
}

/// What a plugin may import from the host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PluginRuntime {
    /// Nothing (besides the panic-message sink): no WASI at all. For Rust components.
    #[default]
    Pure,
    /// A deterministic WASI 0.2 profile: no files, environment, arguments, sockets or name
    /// lookup; clocks fixed at a constant, randomness from a fixed seed, standard output
    /// and error captured and capped. For Python (componentize-py) and JavaScript (jco)
    /// components, whose interpreters import WASI.
    WasiDeterministic,
}

impl PluginRuntime {
    /// Whether this is the default ([`PluginRuntime::Pure`]).
    pub fn is_default(&self) -> bool {
        *self == PluginRuntime::Pure
    }
}
