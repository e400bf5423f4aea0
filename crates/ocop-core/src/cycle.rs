//! The validated cycle's typed parts: what [`Cycle::new`](crate::Cycle::new) lowers the file
//! format into.
//!
//! The file format ([`Definition`](crate::Definition) and its tables) keeps guards and
//! effects as a name plus parameters, so that the validator can say "did you mean" and
//! point at the wrong key. Validation then *lowers* every part into the types of this
//! module: guards and effects become enums with typed parameters, a deadline's amount is
//! one [`Amount`], its timeout a [`TransitionId`], a round's dates are [`MonthDay`]s and a
//! plugin's pin is a [`Pin`]. Whatever cannot be lowered is a validation error with its
//! location; the engine matches on these enums exhaustively and never sees a name it does
//! not know or a parameter it has to guess.
//!
//! Adding a built-in guard (or effect) is one entry in the table of
//! [`guard_specs`](crate::definition::guard_specs) (its name, parameters and the function that lowers
//! them) and one variant here; the compiler then points at every `match` that must handle
//! it (the engine, the testkit's soundness explorer).

use std::collections::BTreeMap;

use crate::date::MonthDay;
use crate::definition::{Aggregation, Anchor, CouncilRules, PluginKind, PluginRuntime, StateKind};
use crate::domain::{Level, RegistrationType, Stars};
use crate::i18n::{Label, Lang};
use crate::ids::{EvaluationId, PluginId, RoleId, RoundId, StateId, TransitionId};

pub use crate::graph::Cycle;
pub use crate::graph::Source;
pub use crate::render::{to_dot, to_mermaid};

/// A state of the cycle.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// Identifier, e.g. `district_evaluation`.
    pub id: StateId,
    /// What the state is for.
    pub kind: StateKind,
    /// The role expected to move the case on; none for terminal states.
    pub owner: Option<RoleId>,
    /// Name of the state.
    pub label: Label,
    /// The article or clause the state comes from.
    pub basis: String,
    /// The state's deadline, if it has one.
    pub deadline: Option<Deadline>,
}

/// A transition between states.
#[derive(Clone, Debug, PartialEq)]
pub struct Transition {
    /// Identifier, e.g. `submit_dossier`.
    pub id: TransitionId,
    /// The states it leaves (at least one).
    pub from: Vec<StateId>,
    /// The state it enters.
    pub to: StateId,
    /// Name of the transition.
    pub label: Label,
    /// Roles allowed to take it (`system` for a timeout).
    pub roles: Vec<RoleId>,
    /// Conditions that must all hold.
    pub guards: Vec<Guard>,
    /// What taking it does besides moving the case, in order.
    pub effects: Vec<Effect>,
    /// The article or clause it comes from.
    pub basis: String,
}

impl Transition {
    /// Whether the transition leaves `state`.
    pub fn leaves(&self, state: &StateId) -> bool {
        self.from.contains(state)
    }

    /// Whether a guard reads the command's revocation ground.
    pub fn needs_ground(&self) -> bool {
        self.guards
            .iter()
            .any(|g| matches!(g, Guard::RevocationGround))
    }

    /// Whether an effect issues a certificate.
    pub fn issues_certificate(&self) -> bool {
        self.effects
            .iter()
            .any(|e| matches!(e, Effect::IssueCertificate { .. }))
    }
}

/// A built-in guard with its parameters (see [`guard_specs`](crate::definition::guard_specs) for the
/// names written in a definition). A guard that reads a council result reads the result of
/// `evaluation`, or the case's latest result when it is `None`.
#[derive(Clone, Debug, PartialEq)]
pub enum Guard {
    /// `dossier_complete`: every document of the dossier is present.
    DossierComplete,
    /// `has_document`: the dossier holds a present document of this kind.
    HasDocument {
        /// The document kind, e.g. `food_safety_certificate`.
        kind: String,
    },
    /// `registration`: the case registered for this purpose.
    Registration {
        /// First, upgrade or re-evaluation.
        registration: RegistrationType,
    },
    /// `council_complete`: the quorum is met and members' totals agree within the spread.
    CouncilComplete {
        /// The stage.
        evaluation: EvaluationId,
    },
    /// `spread_exceeded`: the quorum is met but members' totals differ too much.
    SpreadExceeded {
        /// The stage.
        evaluation: EvaluationId,
    },
    /// `min_score`: the council's aggregated total is at least `min`.
    MinScore {
        /// The least total.
        min: f64,
        /// The stage whose result counts (default: the latest).
        evaluation: Option<EvaluationId>,
    },
    /// `max_score`: the council's aggregated total is below `below`.
    MaxScore {
        /// The bound (excluded).
        below: f64,
        /// The stage whose result counts (default: the latest).
        evaluation: Option<EvaluationId>,
    },
    /// `min_stars`: the evaluated rank is at least `stars` (a knock-out has no rank).
    MinStars {
        /// The least rank.
        stars: Stars,
        /// The stage whose result counts (default: the latest).
        evaluation: Option<EvaluationId>,
    },
    /// `max_stars`: the evaluated rank is at most `stars` (a knock-out holds).
    MaxStars {
        /// The greatest rank.
        stars: Stars,
        /// The stage whose result counts (default: the latest).
        evaluation: Option<EvaluationId>,
    },
    /// `knocked_out`: a knock-out rule applies.
    KnockedOut {
        /// The stage whose result counts (default: the latest).
        evaluation: Option<EvaluationId>,
    },
    /// `not_knocked_out`: no knock-out rule applies.
    NotKnockedOut {
        /// The stage whose result counts (default: the latest).
        evaluation: Option<EvaluationId>,
    },
    /// `certificate_active`: the case holds a valid (or extended) certificate.
    CertificateActive,
    /// `certificate_stars`: the current certificate's rank lies within the bounds.
    CertificateStars {
        /// The least rank, if bounded below.
        min: Option<Stars>,
        /// The greatest rank, if bounded above.
        max: Option<Stars>,
    },
    /// `filing_window`: today lies between the two bounds before the certificate's expiry.
    FilingWindow {
        /// The window opens this many days before expiry.
        opens_days_before: u32,
        /// The window closes this many days before expiry.
        closes_days_before: u32,
    },
    /// `after_expiry`: the certificate expired 1 to `max_days` days ago.
    AfterExpiry {
        /// The most days past expiry.
        max_days: u32,
    },
    /// `certificate_in_term`: the current certificate is active or extended, and today is
    /// on or before its `expires_on` (Art. 4.3). The exact negation of
    /// [`CertificatePastTerm`](Guard::CertificatePastTerm).
    CertificateInTerm,
    /// `certificate_past_term`: the case holds no certificate in its term: none at all, or
    /// one that expired, was revoked or superseded, or is past its `expires_on` (kept
    /// valid only by an Art. 12.3 extension, or not at all).
    CertificatePastTerm,
    /// `late_filing_window`: a re-evaluation filed late (Art. 12.3): the current
    /// certificate is neither revoked nor superseded, fewer than `closes_days_before` days
    /// are left before its expiry (the 7.6a window has closed), and today is no later than
    /// `max_days_after_expiry` days after expiry (that last day rolled off a day off, Civil
    /// Code Art. 148(5)).
    LateFilingWindow {
        /// The 7.6a window's close, in days before expiry (120).
        closes_days_before: u32,
        /// The most days after expiry (180).
        max_days_after_expiry: u32,
    },
    /// `revocation_ground`: the command names a ground of Art. 8.1.
    RevocationGround,
    /// `plugin`: a guard plugin's check reports no blocking finding (or, with
    /// [`OnFinding::Warn`], its findings are recorded and never block).
    Plugin {
        /// The guard plugin.
        plugin: PluginId,
        /// The check it runs.
        check: String,
        /// What a blocking finding does.
        on_finding: OnFinding,
    },
}

/// What a guard plugin's blocking finding does to its transition (`on_finding`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum OnFinding {
    /// The finding blocks the transition. The default, so that no existing file changes
    /// meaning silently.
    #[default]
    Block,
    /// The finding never blocks: the engine records it (a `guard_findings` event) with
    /// the transition.
    Warn,
}

impl Guard {
    /// The guard's name as written in a definition.
    pub fn name(&self) -> &'static str {
        match self {
            Guard::DossierComplete => "dossier_complete",
            Guard::HasDocument { .. } => "has_document",
            Guard::Registration { .. } => "registration",
            Guard::CouncilComplete { .. } => "council_complete",
            Guard::SpreadExceeded { .. } => "spread_exceeded",
            Guard::MinScore { .. } => "min_score",
            Guard::MaxScore { .. } => "max_score",
            Guard::MinStars { .. } => "min_stars",
            Guard::MaxStars { .. } => "max_stars",
            Guard::KnockedOut { .. } => "knocked_out",
            Guard::NotKnockedOut { .. } => "not_knocked_out",
            Guard::CertificateActive => "certificate_active",
            Guard::CertificateStars { .. } => "certificate_stars",
            Guard::FilingWindow { .. } => "filing_window",
            Guard::AfterExpiry { .. } => "after_expiry",
            Guard::CertificateInTerm => "certificate_in_term",
            Guard::CertificatePastTerm => "certificate_past_term",
            Guard::LateFilingWindow { .. } => "late_filing_window",
            Guard::RevocationGround => "revocation_ground",
            Guard::Plugin { .. } => "plugin",
        }
    }
}

/// The kind of a monitoring inspection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// A planned inspection.
    Periodic,
    /// An inspection on a complaint or a signal.
    AdHoc,
}

impl InspectionKind {
    /// The kind as written (`periodic`, `ad_hoc`).
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionKind::Periodic => "periodic",
            InspectionKind::AdHoc => "ad_hoc",
        }
    }
}

/// A built-in effect with its parameters (see [`effect_specs`](crate::definition::effect_specs)).
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// `record_evaluation`: aggregate the council's sheets into the stage's result.
    RecordEvaluation {
        /// The stage.
        evaluation: EvaluationId,
    },
    /// `reset_evaluation`: discard the members' sheets so the council scores again.
    ResetEvaluation {
        /// The stage.
        evaluation: EvaluationId,
    },
    /// `assign_round`: place the case in the next round of `level`.
    AssignRound {
        /// The level holding the round.
        level: Level,
    },
    /// `issue_certificate`: issue a certificate for the evaluated rank.
    IssueCertificate {
        /// Validity in months.
        months: u32,
        /// The issuing level.
        level: Level,
        /// The highest rank this level may certify, if limited.
        max_stars: Option<Stars>,
    },
    /// `revoke_certificate`: revoke the current certificate on the named ground.
    RevokeCertificate,
    /// `expire_certificate`: mark the current certificate expired.
    ExpireCertificate,
    /// `extend_certificate`: keep an expired certificate valid at most `max_days` past expiry.
    ExtendCertificate {
        /// The most days past expiry.
        max_days: u32,
    },
    /// `end_extension`: ends an Art. 12.3 extension at the result, a withdrawal or a
    /// refusal: a certificate still on or before its `expires_on` is active again (the
    /// late filing gave it nothing), one past it expires that day; an active certificate
    /// found past its `expires_on` expires. Otherwise nothing.
    EndExtension,
    /// `record_inspection`: record a monitoring inspection and its outcome.
    RecordInspection {
        /// Periodic or ad hoc.
        kind: InspectionKind,
    },
    /// `set_registration`: change the case's registration type.
    SetRegistration {
        /// The new type.
        registration: RegistrationType,
    },
    /// `notify`: tell a role about the transition.
    Notify {
        /// The role told.
        role: RoleId,
    },
}

impl Effect {
    /// The effect's name as written in a definition.
    pub fn name(&self) -> &'static str {
        match self {
            Effect::RecordEvaluation { .. } => "record_evaluation",
            Effect::ResetEvaluation { .. } => "reset_evaluation",
            Effect::AssignRound { .. } => "assign_round",
            Effect::IssueCertificate { .. } => "issue_certificate",
            Effect::RevokeCertificate => "revoke_certificate",
            Effect::ExpireCertificate => "expire_certificate",
            Effect::ExtendCertificate { .. } => "extend_certificate",
            Effect::EndExtension => "end_extension",
            Effect::RecordInspection { .. } => "record_inspection",
            Effect::SetRegistration { .. } => "set_registration",
            Effect::Notify { .. } => "notify",
        }
    }
}

/// How long a deadline runs from its anchor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amount {
    /// Working days (weekends and public holidays excluded).
    WorkingDays(u32),
    /// Calendar days.
    Days(u32),
    /// Calendar months (clamped to the month's last day).
    Months(u32),
    /// None: the deadline falls due on the anchor date itself.
    OnAnchor,
}

impl Amount {
    /// The amount in words (`15 working days`), or `None` for a deadline on its anchor.
    pub fn describe(self, lang: Lang) -> Option<String> {
        Some(match (self, lang) {
            (Amount::WorkingDays(n), Lang::Vi) => format!("{n} ngày làm việc"),
            (Amount::WorkingDays(n), Lang::En) => format!("{n} working days"),
            (Amount::Days(n), Lang::Vi) => format!("{n} ngày"),
            (Amount::Days(n), Lang::En) => format!("{n} days"),
            (Amount::Months(n), Lang::Vi) => format!("{n} tháng"),
            (Amount::Months(n), Lang::En) => format!("{n} months"),
            (Amount::OnAnchor, _) => return None,
        })
    }
}

/// A state's deadline.
#[derive(Clone, Debug, PartialEq)]
pub struct Deadline {
    /// How long it runs.
    pub amount: Amount,
    /// What it counts from.
    pub from: Anchor,
    /// With `from = entered`: count from the last entry into this other state instead.
    pub since: Option<StateId>,
    /// The transition fired when it passes; it leaves the deadline's state and lists the
    /// `system` role.
    pub on_timeout: TransitionId,
    /// The clause that sets it.
    pub basis: Option<String>,
}

/// An evaluation stage: the council of one level scoring products with a plugin.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Identifier, e.g. `city_council`.
    pub id: EvaluationId,
    /// The state (of kind `evaluation`) in which members submit their sheets.
    pub state: StateId,
    /// The council's level.
    pub level: Level,
    /// The role of the council's members.
    pub member_role: RoleId,
    /// The role of the council's chair.
    pub chair_role: Option<RoleId>,
    /// The scoring plugin (declared, of kind `scoring`).
    pub plugin: PluginId,
    /// Set when the plugin stands in for criteria the definition's law prescribes.
    pub substitute: Option<String>,
    /// How members' totals are combined.
    pub aggregation: Aggregation,
    /// The council's working rules.
    pub council: CouncilRules,
    /// The least aggregated total that passes the stage.
    pub pass_threshold: f64,
    /// The clause that sets the stage.
    pub basis: String,
}

/// An evaluation round ("đợt").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Round {
    /// Identifier, e.g. `province_1`.
    pub id: RoundId,
    /// The level that holds the round.
    pub level: Level,
    /// Last day for proposals.
    pub proposals_by: MonthDay,
    /// Last day for the decision (in the next year when it falls before `proposals_by`).
    pub decided_by: MonthDay,
    /// The clause that sets the round.
    pub basis: String,
}

/// How a plugin is pinned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pin {
    /// By the SHA-256 of its component (64 lowercase hex digits).
    Sha256(String),
    /// Not pinned (`sha256 = ""`): a warning; the plugin host refuses it unless told
    /// otherwise.
    Unpinned,
}

/// A plugin the definition declares.
#[derive(Clone, Debug, PartialEq)]
pub struct Plugin {
    /// Identifier used by stages and guards.
    pub id: PluginId,
    /// Scoring or guard.
    pub kind: PluginKind,
    /// Path of the component, relative to the definition file.
    pub path: String,
    /// Its pin.
    pub pin: Pin,
    /// Whether an evaluation stage or a `plugin` guard uses it.
    pub used: bool,
    /// Configuration passed to the plugin.
    pub config: BTreeMap<String, serde_json::Value>,
    /// What it may import: nothing, or the deterministic WASI profile.
    pub runtime: PluginRuntime,
    /// Its fuel per call, if it sets its own (validated: 1 to [`MAX_PLUGIN_FUEL`]).
    pub fuel: Option<u64>,
    /// The memory it may grow to in MiB, if it sets its own (validated: 1 to
    /// [`MAX_PLUGIN_MEMORY_MIB`]).
    pub memory_mib: Option<u32>,
}

/// The most fuel a definition may give one plugin call: 100 times what a Python or
/// JavaScript interpreter needs for a score sheet, so a typo cannot turn the bound off.
pub const MAX_PLUGIN_FUEL: u64 = 100_000_000_000;

/// The most linear memory a definition may give one plugin, in MiB (the 32-bit address space).
pub const MAX_PLUGIN_MEMORY_MIB: u32 = 4096;
