//! The case summary: a case's state as a document for reports and user interfaces.

use ocop_core::{
    Certificate, Date, DefinitionId, Label, RegistrationType, StateId, StateKind, TransitionId,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::event::{CaseId, CouncilResult, Inspection, Product, RoundAssignment};

/// A case at a glance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseSummary {
    /// The case.
    pub case: CaseId,
    /// The definition it runs under.
    pub definition: DefinitionId,
    /// That definition's version.
    pub definition_version: String,
    /// The state it is in.
    pub state: StateId,
    /// The state's name (absent when the case runs under another definition than the
    /// engine's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_label: Option<Label>,
    /// What the state is for (absent likewise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_kind: Option<StateKind>,
    /// The day it entered the state.
    pub entered_on: Date,
    /// The case's version (number of events).
    pub version: u64,
    /// The product.
    pub product: Product,
    /// First, upgrade or re-evaluation.
    pub registration: RegistrationType,
    /// The current certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
    /// The round the case is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<RoundAssignment>,
    /// The latest council result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_result: Option<CouncilResult>,
    /// The state's deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DueDate>,
    /// Why the deadline could not be computed (e.g. a year without calendar data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_error: Option<String>,
    /// The transitional limit set by a migration (Art. 12.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_by: Option<Date>,
    /// Monitoring inspections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inspections: Vec<Inspection>,
}

/// A state's deadline as computed for a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DueDate {
    /// The state.
    pub state: StateId,
    /// The last day; the timeout fires on the first tick after it.
    pub due: Date,
    /// The transition fired.
    pub on_timeout: TransitionId,
    /// Whether it has already fired for this entry and due date.
    pub fired: bool,
}
