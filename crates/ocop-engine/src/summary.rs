//! The case summary: a case's state as a document for reports and user interfaces.

use ocop_core::{
    Date, Label,
    definition::StateKind,
    domain::{Certificate, CertificateStatus, PluginRef, RegistrationType},
    ids::{DefinitionId, StateId, TransitionId},
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
    /// SHA-256 of the exact text of that definition, when the case pins it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition_sha256: Option<String>,
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
    /// The day it was opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_on: Option<Date>,
    /// The case's version (number of events).
    pub version: u64,
    /// The product.
    pub product: Product,
    /// First, upgrade or re-evaluation.
    pub registration: RegistrationType,
    /// The current certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
    /// The certificates it held before, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_certificates: Vec<Certificate>,
    /// The round the case is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<RoundAssignment>,
    /// The latest council result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_result: Option<CouncilResult>,
    /// The scoring plugin that scored the sheets of the latest result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scored_with: Option<PluginRef>,
    /// The state's deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DueDate>,
    /// Why the deadline could not be computed (e.g. a year without calendar data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_error: Option<String>,
    /// The last day before the first tick that may find something due (what the store's
    /// due-date index holds): the deadline's last day unless it fired, or the transitional
    /// limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_due: Option<Date>,
    /// The transitional limit set by a migration (Art. 12.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_by: Option<Date>,
    /// Monitoring inspections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inspections: Vec<Inspection>,
}

impl CaseSummary {
    /// The current certificate's effective last day: its expiry, or the end of an
    /// Art. 12.3 extension.
    pub fn certificate_valid_until(&self) -> Option<Date> {
        self.certificate.as_ref().map(|c| match c.status {
            CertificateStatus::Extended { until } => until,
            _ => c.expires_on,
        })
    }

    /// Whether the current certificate is valid on `day`: active (or extended) and not past
    /// its effective last day.
    pub fn certificate_valid_on(&self, day: Date) -> bool {
        self.certificate.as_ref().is_some_and(|c| match c.status {
            CertificateStatus::Active => day <= c.expires_on,
            CertificateStatus::Extended { until } => day <= until,
            _ => false,
        })
    }

    /// Every certificate the case has held, oldest first, the current one last.
    pub fn certificates(&self) -> impl Iterator<Item = &Certificate> {
        self.earlier_certificates.iter().chain(&self.certificate)
    }

    /// Whether the case has ended.
    pub fn is_terminal(&self) -> bool {
        self.state_kind == Some(StateKind::Terminal)
    }
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
