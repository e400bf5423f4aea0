//! Events: what happened to a case, in order, each chained to the one before by SHA-256.
//!
//! Why one file of 1,100 lines (about 100 of them tests): an event's body, its compact
//! encoding (format 2), its hash and the hash chain must change together, or the chain of
//! a stored case stops verifying; keeping them in one file keeps that change in one place.

use std::collections::BTreeMap;
use std::fmt;

use ocop_core::{
    Date, ProductSet, Stars,
    domain::{
        AnswerSheet, Certificate, DossierDocument, Level, PartTotals, PluginRef, Producer,
        RegistrationType, RevocationGround,
    },
    ids::{DefinitionId, EvaluationId, PluginId, RoleId, RoundId, StateId, TransitionId},
    plugin::{Finding, Scored},
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clock::Timestamp;

/// The `prev_hash` of a case's first event: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The event format this ocop writes, and the newest it reads.
///
/// - **1**: events written before compact sheets; they have no `format` field. A member's
///   sheet carries the plugin's whole evaluation (`scored`), explanations included.
/// - **2**: `"format": 2`. A member's sheet carries the answers, the plugin's identity
///   (sha256) and the totals it returned (`result`); the per-line explanation is recomputed
///   from the pinned plugin on demand ([`MemberSheet::rescore`]). The opening and
///   migration events pin the SHA-256 of the definition's text.
///
/// Both read back and verify: an event is hashed as it was written, and the stores never
/// rewrite one.
pub const EVENT_FORMAT: u32 = 2;

fn is_format_1(format: &u32) -> bool {
    *format == 1
}

fn format_1() -> u32 {
    1
}

/// Identifies a case: one product's journey through a cycle.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct CaseId(String);

impl CaseId {
    /// Wraps a string as a case id.
    pub fn new(id: impl Into<String>) -> CaseId {
        CaseId(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for CaseId {
    fn from(s: &str) -> CaseId {
        CaseId(s.to_owned())
    }
}

impl From<String> for CaseId {
    fn from(s: String) -> CaseId {
        CaseId(s)
    }
}

/// Who acts: a person or office (`id`) in a role of the definition.
///
/// The engine trusts the integrator to have authenticated the actor and checked that it
/// holds the role; it enforces which roles may do what, and separation of duties.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// The person's or office's id, e.g. `nguyen-van-a`.
    pub id: String,
    /// The role it acts in, e.g. `province_chair`.
    pub role: RoleId,
}

impl Actor {
    /// An actor `id` in role `role`.
    pub fn new(id: impl Into<String>, role: impl Into<RoleId>) -> Actor {
        Actor {
            id: id.into(),
            role: role.into(),
        }
    }

    /// The engine itself, firing deadlines.
    pub fn system() -> Actor {
        Actor::new(
            ocop_core::definition::SYSTEM_ROLE,
            ocop_core::definition::SYSTEM_ROLE,
        )
    }
}

/// One event of a case's history.
///
/// The hash covers every field but `hash` itself, `prev_hash` included, in a canonical JSON
/// form (object keys sorted, no spaces), so any change to a stored history breaks the chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Event {
    /// The event format ([`EVENT_FORMAT`]); absent, and 1, in events written before
    /// formats were numbered.
    #[serde(default = "format_1", skip_serializing_if = "is_format_1")]
    pub format: u32,
    /// The case.
    pub case: CaseId,
    /// Position in the case's history, from 1; the case's version after this event.
    pub seq: u64,
    /// When it was recorded (from the engine's clock).
    pub at: Timestamp,
    /// Who caused it (`system` for deadlines).
    pub actor: Actor,
    /// The transition it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition: Option<TransitionId>,
    /// The state the case was in (absent for the opening event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<StateId>,
    /// The state the case is in after it.
    pub to: StateId,
    /// What happened, with its data.
    #[serde(flatten)]
    pub body: EventBody,
    /// The previous event's hash ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// SHA-256 of this event's canonical form, lowercase hex.
    pub hash: String,
}

/// What an event records: `kind` names it and `payload` holds its data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventBody {
    /// The case was opened.
    Opened(Opened),
    /// A transition was taken (by an actor, or by the engine when a deadline passed).
    Transitioned(Transitioned),
    /// The members of an evaluation stage's council were named.
    CouncilConstituted {
        /// The stage.
        evaluation: EvaluationId,
        /// The members.
        members: Vec<CouncilMember>,
    },
    /// A council member submitted an answer sheet, scored by the stage's plugin.
    SheetSubmitted(MemberSheet),
    /// The council's result was recorded.
    EvaluationRecorded(CouncilResult),
    /// The members' sheets of a stage were discarded.
    EvaluationReset {
        /// The stage.
        evaluation: EvaluationId,
        /// The members whose sheets were discarded.
        discarded: Vec<String>,
        /// Why: a re-scoring, or a new sitting.
        reason: String,
    },
    /// The case was placed in an evaluation round.
    RoundAssigned(RoundAssignment),
    /// A certificate was issued.
    CertificateIssued {
        /// The new certificate.
        certificate: Certificate,
        /// The number of the certificate it supersedes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        supersedes: Option<String>,
    },
    /// The current certificate was revoked.
    CertificateRevoked {
        /// Its number.
        number: String,
        /// The ground (Art. 8.1).
        ground: RevocationGround,
        /// The date of the decision.
        on: Date,
    },
    /// The current certificate expired.
    CertificateExpired {
        /// Its number.
        number: String,
    },
    /// The current certificate was kept valid past its expiry (Art. 12.3).
    CertificateExtended {
        /// Its number.
        number: String,
        /// The last day it stays valid.
        until: Date,
    },
    /// A monitoring inspection was recorded.
    InspectionRecorded(Inspection),
    /// The case's registration type changed.
    RegistrationChanged {
        /// The new type.
        registration: RegistrationType,
    },
    /// A role was told about the transition.
    Notified {
        /// The role.
        role: RoleId,
    },
    /// Documents of the dossier were filed or replaced (by kind).
    DossierUpdated {
        /// The documents.
        documents: Vec<DossierDocument>,
    },
    /// Facts about the case were recorded (e.g. `traceability_registered`).
    FactsRecorded {
        /// The facts.
        facts: BTreeMap<String, bool>,
    },
    /// The case moved to another definition (Art. 12).
    Migrated(Migrated),
    /// The transitional limit set by a migration passed before the case finished.
    TransitionalLimitPassed {
        /// The limit.
        finish_by: Date,
    },
    /// An Art. 12.3 extension ended at the result, a withdrawal or a refusal: on or before
    /// the certificate's `expires_on` it is active again (the late filing gave it
    /// nothing), after it the certificate expires that day.
    CertificateExtensionEnded {
        /// The certificate's number.
        number: String,
        /// The day the extension ended.
        on: Date,
    },
    /// A guard plugin whose findings only warn (`on_finding = "warn"`) found something
    /// when the transition was taken; the transition went ahead.
    GuardFindings {
        /// The plugin.
        plugin: PluginId,
        /// The check.
        check: String,
        /// What it found.
        findings: Vec<Finding>,
    },
    /// The case was filed before the new rules took effect and finishes under the
    /// definition it was filed under (Art. 12.2), within the transitional limit; unlike
    /// [`Migrated`](EventBody::Migrated) it stays in its state and definition.
    ContinuesUnderOldRules(ContinuesUnderOldRules),
}

/// A case that continues under the rules it was filed under (Art. 12.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContinuesUnderOldRules {
    /// The definition it continues under (its own).
    pub definition: DefinitionId,
    /// The definition new dossiers follow.
    pub new_definition: DefinitionId,
    /// Why, with the legal basis.
    pub reason: String,
    /// The last day by which its evaluation must finish (Art. 12.2a/b), rolled off a day
    /// off (Civil Code Art. 148(5)).
    pub finish_by: Date,
    /// For a re-evaluation whose certificate expires before `finish_by`: the last day the
    /// certificate stays valid (Art. 12.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_extended_until: Option<Date>,
    /// SHA-256 of the migration file that decided it.
    pub migration_sha256: String,
}

impl EventBody {
    /// The event's kind as written in `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Opened(_) => "opened",
            EventBody::Transitioned(_) => "transitioned",
            EventBody::CouncilConstituted { .. } => "council_constituted",
            EventBody::SheetSubmitted(_) => "sheet_submitted",
            EventBody::EvaluationRecorded(_) => "evaluation_recorded",
            EventBody::EvaluationReset { .. } => "evaluation_reset",
            EventBody::RoundAssigned(_) => "round_assigned",
            EventBody::CertificateIssued { .. } => "certificate_issued",
            EventBody::CertificateRevoked { .. } => "certificate_revoked",
            EventBody::CertificateExpired { .. } => "certificate_expired",
            EventBody::CertificateExtended { .. } => "certificate_extended",
            EventBody::InspectionRecorded(_) => "inspection_recorded",
            EventBody::RegistrationChanged { .. } => "registration_changed",
            EventBody::Notified { .. } => "notified",
            EventBody::DossierUpdated { .. } => "dossier_updated",
            EventBody::FactsRecorded { .. } => "facts_recorded",
            EventBody::Migrated(_) => "migrated",
            EventBody::TransitionalLimitPassed { .. } => "transitional_limit_passed",
            EventBody::CertificateExtensionEnded { .. } => "certificate_extension_ended",
            EventBody::GuardFindings { .. } => "guard_findings",
            EventBody::ContinuesUnderOldRules(_) => "continues_under_old_rules",
        }
    }
}

/// The product a case is about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Product name.
    pub name: String,
    /// The product set whose criteria sheet applies.
    pub product_set: ProductSet,
    /// Who registers it (with its commune, and district for dossiers filed before 1 July 2025).
    pub producer: Producer,
}

/// The data of an opening event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Opened {
    /// The definition the case runs under.
    pub definition: DefinitionId,
    /// That definition's version.
    pub definition_version: String,
    /// The product.
    pub product: Product,
    /// First, upgrade or re-evaluation.
    pub registration: RegistrationType,
    /// Documents filed with the registration.
    #[serde(default)]
    pub documents: Vec<DossierDocument>,
    /// Facts known at opening.
    #[serde(default)]
    pub facts: BTreeMap<String, bool>,
    /// A certificate the product already holds (for an upgrade or re-evaluation opened here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
    /// SHA-256 of the exact text of the definition (format 2; absent in older events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition_sha256: Option<String>,
}

/// What a command may carry with a transition.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// The revocation ground (Art. 8.1), for `revocation_ground` and `revoke_certificate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground: Option<RevocationGround>,
    /// The date the competent authority concluded the violation (the `conclusion` anchor;
    /// defaults to the day the revocation is opened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<Date>,
    /// The outcome of an inspection, for `record_inspection`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection: Option<InspectionOutcome>,
    /// The certificate's number, for `issue_certificate` (default: derived from the case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_number: Option<String>,
    /// The product code `T-X-STT-Year`, for `issue_certificate` (default: derived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_code: Option<String>,
    /// A free-text note for the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl TransitionInput {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self == &TransitionInput::default()
    }
}

/// The data of a transition event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transitioned {
    /// What the command carried.
    #[serde(default, skip_serializing_if = "TransitionInput::is_empty")]
    pub input: TransitionInput,
    /// Set when a deadline fired the transition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Timeout>,
}

/// The deadline that fired a transition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Timeout {
    /// The state whose deadline it was.
    pub state: StateId,
    /// The deadline's last day.
    pub due: Date,
}

/// A member of a council.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CouncilMember {
    /// The member's actor id.
    pub id: String,
    /// Whether the member chairs the council (and submits in the stage's chair role).
    #[serde(default)]
    pub chair: bool,
}

/// One member's scored sheet.
///
/// Hashed as written: unknown fields are not refused on reading, but they are not kept, so
/// an event carrying one no longer matches its hash and `verify` names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MemberSheet {
    /// The stage.
    pub evaluation: EvaluationId,
    /// The member's actor id.
    pub member: String,
    /// Whether the member chairs the council.
    pub chair: bool,
    /// The answers as submitted.
    pub sheet: AnswerSheet,
    /// What the plugin returned: `result` (format 2) or `scored` (format 1).
    #[serde(flatten)]
    pub score: SheetScore,
}

/// How a member's score is recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SheetScore {
    /// Format 2: the totals the plugin returned and its identity.
    Result(SheetResult),
    /// Format 1: the plugin's whole evaluation, per-line explanations included.
    Scored(Scored),
}

/// What a scoring plugin returned for a sheet, without the per-line explanation: its
/// identity (the sha256 pins the exact code) and everything that decides an outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetResult {
    /// The plugin (name, version, sha256 of its component).
    pub plugin: PluginRef,
    /// Totals of parts A, B and C.
    pub parts: PartTotals,
    /// The total, 0 to 100.
    pub total: f64,
    /// The band of the total.
    pub band: Stars,
    /// The star cap of the minimum marks.
    pub cap: Stars,
    /// Knock-outs that apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub knockouts: Vec<String>,
    /// The sheet's rank; none when knocked out.
    pub stars: Option<Stars>,
    /// Fuel the call used, when run in the sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel_used: Option<u64>,
}

impl SheetResult {
    /// The totals of a plugin's evaluation.
    pub fn of(scored: &Scored) -> SheetResult {
        let e = &scored.evaluation;
        SheetResult {
            plugin: scored.plugin.clone(),
            parts: e.parts.clone(),
            total: e.total,
            band: e.band,
            cap: e.cap,
            knockouts: e.knockouts.clone(),
            stars: e.stars,
            fuel_used: scored.fuel_used,
        }
    }
}

/// A sheet that could not be scored again as it was recorded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RescoreError {
    /// The plugin given is not the one that scored the sheet.
    #[error(
        "the sheet was scored by `{recorded_name}` {recorded_version} (sha256 {recorded}), not by this plugin (sha256 {given}): load the pinned component"
    )]
    OtherPlugin {
        /// The recorded plugin's name.
        recorded_name: String,
        /// The recorded plugin's version.
        recorded_version: String,
        /// The recorded sha256.
        recorded: String,
        /// The sha256 of the plugin given.
        given: String,
    },
    /// The plugin failed.
    #[error(transparent)]
    Plugin(#[from] ocop_core::plugin::PluginError),
    /// The pinned plugin now returns other totals: it is not deterministic, or the event
    /// was changed (run `verify`).
    #[error("scored again, the sheet gives {what} {now}, but {recorded} was recorded")]
    Differs {
        /// What differs, e.g. "total".
        what: &'static str,
        /// What was recorded.
        recorded: String,
        /// What the plugin returns now.
        now: String,
    },
}

impl MemberSheet {
    /// The plugin that scored the sheet.
    pub fn plugin(&self) -> &PluginRef {
        match &self.score {
            SheetScore::Result(r) => &r.plugin,
            SheetScore::Scored(s) => &s.plugin,
        }
    }

    /// The member's total.
    pub fn total(&self) -> f64 {
        match &self.score {
            SheetScore::Result(r) => r.total,
            SheetScore::Scored(s) => s.evaluation.total,
        }
    }

    /// The member's star cap.
    pub fn cap(&self) -> Stars {
        match &self.score {
            SheetScore::Result(r) => r.cap,
            SheetScore::Scored(s) => s.evaluation.cap,
        }
    }

    /// The knock-outs the member's sheet records.
    pub fn knockouts(&self) -> &[String] {
        match &self.score {
            SheetScore::Result(r) => &r.knockouts,
            SheetScore::Scored(s) => &s.evaluation.knockouts,
        }
    }

    /// The totals of the sheet, whatever its format.
    pub fn result(&self) -> SheetResult {
        match &self.score {
            SheetScore::Result(r) => r.clone(),
            SheetScore::Scored(s) => SheetResult::of(s),
        }
    }

    /// The full evaluation, with its per-line points and explanations: a format-1 sheet
    /// has it; a format-2 sheet is scored again by `scorer`, which must be the pinned plugin
    /// (same sha256) and must give the recorded totals, cap and knock-outs again.
    ///
    /// # Errors
    /// [`RescoreError`] when `scorer` is another plugin, fails, or gives other totals.
    pub fn rescore(&self, scorer: &dyn ocop_core::plugin::Scorer) -> Result<Scored, RescoreError> {
        let recorded = match &self.score {
            SheetScore::Scored(s) => return Ok(s.clone()),
            SheetScore::Result(r) => r,
        };
        let given = scorer.plugin_ref();
        if given.sha256 != recorded.plugin.sha256 {
            return Err(RescoreError::OtherPlugin {
                recorded_name: recorded.plugin.name.clone(),
                recorded_version: recorded.plugin.version.clone(),
                recorded: recorded.plugin.sha256.clone(),
                given: given.sha256,
            });
        }
        let scored = scorer.score(&self.sheet)?;
        let now = SheetResult::of(&scored);
        let differs = |what, a: String, b: String| {
            (a != b).then_some(RescoreError::Differs {
                what,
                recorded: a,
                now: b,
            })
        };
        let checks = [
            ("total", recorded.total.to_string(), now.total.to_string()),
            (
                "parts",
                format!("{:?}", recorded.parts),
                format!("{:?}", now.parts),
            ),
            ("cap", recorded.cap.to_string(), now.cap.to_string()),
            ("band", recorded.band.to_string(), now.band.to_string()),
            (
                "knock-outs",
                recorded.knockouts.join(", "),
                now.knockouts.join(", "),
            ),
            (
                "rank",
                format!("{:?}", recorded.stars),
                format!("{:?}", now.stars),
            ),
        ];
        for (what, a, b) in checks {
            if let Some(e) = differs(what, a, b) {
                return Err(e);
            }
        }
        Ok(scored)
    }
}

/// One member's line in a council result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberTotal {
    /// The member.
    pub member: String,
    /// The member's total.
    pub total: f64,
    /// The member's star cap (minimum marks).
    pub cap: Stars,
    /// The member's knock-outs.
    #[serde(default)]
    pub knockouts: Vec<String>,
}

/// A council's result: the aggregated total, its band, the cap and the stars.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CouncilResult {
    /// The stage.
    pub evaluation: EvaluationId,
    /// The stage's level.
    pub level: Level,
    /// Each member's total.
    pub members: Vec<MemberTotal>,
    /// The mean (or median) of the members' totals, before rounding.
    pub unrounded: f64,
    /// The aggregated total after the council's rounding rule.
    pub total: f64,
    /// The band of `total` (Art. 3.3).
    pub band: Stars,
    /// The council's star cap: the median of the members' caps (lower median for an even
    /// number of members).
    pub cap: Stars,
    /// Every knock-out any member recorded (a knock-out is a fact about the dossier).
    #[serde(default)]
    pub knockouts: Vec<String>,
    /// The lower of band and cap; none when knocked out.
    pub stars: Option<Stars>,
    /// Whether `total` reaches the stage's pass threshold.
    pub passed: bool,
}

/// The round a case was placed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundAssignment {
    /// The round.
    pub round: RoundId,
    /// The level holding it.
    pub level: Level,
    /// Last day for proposals.
    pub proposals_by: Date,
    /// Last day for the decision (the `round_decision` anchor).
    pub decided_by: Date,
}

/// The outcome of a monitoring inspection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionOutcome {
    /// The product still meets its criteria and the mark is used correctly.
    Compliant,
    /// A breach was found (it may ground a revocation, Art. 8.1b).
    NonCompliant,
}

/// A monitoring inspection (Art. 9).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inspection {
    /// `periodic` or `ad_hoc`.
    pub kind: String,
    /// The outcome.
    pub outcome: InspectionOutcome,
    /// When.
    pub on: Date,
    /// What the inspectors wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The data of a migration event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Migrated {
    /// The definition the case left.
    pub from_definition: DefinitionId,
    /// The definition it runs under now.
    pub to_definition: DefinitionId,
    /// That definition's version.
    pub to_version: String,
    /// Why it lands where it does (from the migration file).
    pub reason: String,
    /// The council stage whose members and sheets carry over, as `(from, to)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<(EvaluationId, EvaluationId)>,
    /// The day by which an evaluation in flight must finish (Art. 12.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_by: Option<Date>,
    /// Set when a late renewal keeps the certificate valid past expiry (Art. 12.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_extended_until: Option<Date>,
    /// SHA-256 of the migration file's text.
    pub migration_sha256: String,
    /// SHA-256 of the exact text of the definition it runs under now (format 2; absent in
    /// older events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_definition_sha256: Option<String>,
}

/// A stored history that does not verify. Names the first bad event.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// An event is out of sequence (missing, repeated or reordered).
    #[error("event {found} of case `{case}` is out of sequence: expected event {expected}")]
    Sequence {
        /// The case.
        case: CaseId,
        /// The sequence number expected.
        expected: u64,
        /// The sequence number found.
        found: u64,
    },
    /// An event belongs to another case.
    #[error("event {seq} belongs to case `{found}`, not `{case}`")]
    WrongCase {
        /// The case being verified.
        case: CaseId,
        /// The event's sequence number.
        seq: u64,
        /// The case the event names.
        found: CaseId,
    },
    /// An event's `prev_hash` is not its predecessor's hash.
    #[error(
        "event {seq} of case `{case}` does not follow its predecessor: its prev_hash is {found}, expected {expected}"
    )]
    BrokenChain {
        /// The case.
        case: CaseId,
        /// The event.
        seq: u64,
        /// The predecessor's hash.
        expected: String,
        /// The recorded `prev_hash`.
        found: String,
    },
    /// An event's content does not match its hash: it was changed after it was recorded.
    #[error(
        "event {seq} of case `{case}` was changed after it was recorded: its content hashes to {computed}, not {recorded}"
    )]
    Tampered {
        /// The case.
        case: CaseId,
        /// The event.
        seq: u64,
        /// The recorded hash.
        recorded: String,
        /// The hash of its content.
        computed: String,
    },
    /// An event cannot be written as JSON, so its hash cannot be checked.
    #[error(transparent)]
    Unencodable(EncodeError),
}

impl Event {
    /// The hash of this event's canonical form (every field but `hash`).
    ///
    /// # Errors
    /// [`EncodeError`] if the event cannot be written as JSON; it is then refused, never
    /// hashed as something else.
    pub fn compute_hash(&self) -> Result<String, EncodeError> {
        let mut value = serde_json::to_value(self).map_err(|e| EncodeError::new(self, &e))?;
        if let serde_json::Value::Object(map) = &mut value {
            map.remove("hash");
        }
        let mut bytes = Vec::with_capacity(512);
        canonical_json(&value, &mut bytes);
        Ok(hex(&Sha256::digest(&bytes)))
    }

    /// The next event of `case` (numbered after its version, chained to its last hash),
    /// sealed.
    pub(crate) fn new(
        case: &crate::case::Case,
        at: Timestamp,
        actor: Actor,
        transition: Option<TransitionId>,
        from: Option<StateId>,
        to: StateId,
        body: EventBody,
    ) -> Result<Event, EncodeError> {
        Event {
            format: EVENT_FORMAT,
            case: case.id().clone(),
            seq: case.version().saturating_add(1),
            at,
            actor,
            transition,
            from,
            to,
            body,
            prev_hash: case.last_hash().to_owned(),
            hash: String::new(),
        }
        .seal()
    }

    /// Reads one stored event (JSON), refusing a format newer than this ocop reads.
    ///
    /// # Errors
    /// What is wrong with the text: not an event, or an event of a newer format.
    pub fn decode(json: &str) -> Result<Event, String> {
        let e: Event = serde_json::from_str(json).map_err(|e| e.to_string())?;
        if e.format > EVENT_FORMAT || e.format == 0 {
            return Err(format!(
                "event {} of case `{}` has format {}; this ocop reads formats 1 to {EVENT_FORMAT}: use a newer ocop",
                e.seq, e.case, e.format
            ));
        }
        Ok(e)
    }

    /// Sets `hash` from the content.
    pub(crate) fn seal(mut self) -> Result<Event, EncodeError> {
        self.hash = self.compute_hash()?;
        Ok(self)
    }
}

/// Checks a case's history: sequence numbers 1, 2, 3..., each `prev_hash` equal to the
/// previous event's hash (the first to [`GENESIS_HASH`]) and each hash equal to the hash of
/// the event's content.
///
/// # Errors
/// A [`VerifyError`] naming the first bad event.
pub fn verify(events: &[Event]) -> Result<(), VerifyError> {
    let Some(first) = events.first() else {
        return Ok(());
    };
    let case = &first.case;
    let mut prev = GENESIS_HASH.to_owned();
    for (i, e) in events.iter().enumerate() {
        let expected = u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1);
        if e.case != *case {
            return Err(VerifyError::WrongCase {
                case: case.clone(),
                seq: e.seq,
                found: e.case.clone(),
            });
        }
        if e.seq != expected {
            return Err(VerifyError::Sequence {
                case: case.clone(),
                expected,
                found: e.seq,
            });
        }
        if e.prev_hash != prev {
            return Err(VerifyError::BrokenChain {
                case: case.clone(),
                seq: e.seq,
                expected: prev,
                found: e.prev_hash.clone(),
            });
        }
        let computed = e.compute_hash().map_err(VerifyError::Unencodable)?;
        if computed != e.hash {
            return Err(VerifyError::Tampered {
                case: case.clone(),
                seq: e.seq,
                recorded: e.hash.clone(),
                computed,
            });
        }
        prev.clone_from(&e.hash);
    }
    Ok(())
}

/// An event log (JSON Lines) that could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line} of the event log is not an event: {message}")]
pub struct DecodeError {
    /// The 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// An event that cannot be written as JSON. Every event type ocop defines serialises; this
/// error exists so that a defect is refused loudly instead of hashing or exporting the event
/// as something else.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "event {seq} of case `{case}` cannot be written as JSON ({message}); this is a defect in ocop: report it with the case's history"
)]
pub struct EncodeError {
    /// The case.
    pub case: CaseId,
    /// The event's sequence number.
    pub seq: u64,
    /// What the JSON writer said.
    pub message: String,
}

impl EncodeError {
    fn new(e: &Event, error: &serde_json::Error) -> EncodeError {
        EncodeError {
            case: e.case.clone(),
            seq: e.seq,
            message: error.to_string(),
        }
    }
}

/// Writes events as JSON Lines, one event per line.
///
/// # Errors
/// [`EncodeError`] for the first event that cannot be written: no line is dropped silently.
pub fn encode_log(events: &[Event]) -> Result<String, EncodeError> {
    let mut out = String::new();
    for e in events {
        let line = serde_json::to_string(e).map_err(|error| EncodeError::new(e, &error))?;
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

/// Reads an event log written by [`encode_log`] (blank lines are skipped). It only decodes:
/// run [`verify`] to check the chain.
///
/// # Errors
/// [`DecodeError`] naming the first line that is not an event.
pub fn decode_log(text: &str) -> Result<Vec<Event>, DecodeError> {
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let e = Event::decode(line).map_err(|message| DecodeError {
            line: i + 1,
            message,
        })?;
        events.push(e);
    }
    Ok(events)
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _infallible = write!(s, "{b:02x}");
    }
    s
}

/// SHA-256 of `bytes`, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Writes `value` as canonical JSON: object keys sorted by their UTF-8 bytes, no
/// whitespace, numbers and strings as serde_json writes them.
pub(crate) fn canonical_json(value: &serde_json::Value, out: &mut Vec<u8>) {
    use serde_json::Value;
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => write_json_string(s, out),
        Value::Array(items) => write_list(out, b'[', b']', items, canonical_json),
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by_key(|(k, _)| *k);
            write_list(out, b'{', b'}', entries, |(k, v), out| {
                write_json_string(k, out);
                out.push(b':');
                canonical_json(v, out);
            });
        }
    }
}

/// Writes `items` between `open` and `close`, separated by commas, each by `each`.
fn write_list<T>(
    out: &mut Vec<u8>,
    open: u8,
    close: u8,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(T, &mut Vec<u8>),
) {
    out.push(open);
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        each(item, out);
    }
    out.push(close);
}

fn write_json_string(s: &str, out: &mut Vec<u8>) {
    // serde_json's string escaping cannot fail when writing to a Vec.
    if serde_json::to_writer(&mut *out, s).is_err() {
        out.extend_from_slice(b"\"\"");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"b":1,"a":{"d":[1.5,"x"],"c":null}}"#).unwrap();
        let mut out = Vec::new();
        canonical_json(&v, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":{"c":null,"d":[1.5,"x"]},"b":1}"#
        );
    }

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert_eq!(sha256_hex(b"").len(), 64);
    }
}

#[cfg(test)]
mod chain_tests {
    use super::*;
    use crate::store::conformance::sample_events;

    #[test]
    fn verify_names_the_first_bad_event() {
        let case = CaseId::new("c");
        let events = sample_events(&case, 0, GENESIS_HASH, 5);
        verify(&events).unwrap();

        let mut tampered = events.clone();
        tampered[2].at = Timestamp::from_unix_seconds(0);
        assert!(matches!(
            verify(&tampered),
            Err(VerifyError::Tampered { seq: 3, .. })
        ));

        let mut relinked = events.clone();
        relinked[3].prev_hash = GENESIS_HASH.into();
        assert!(matches!(
            verify(&relinked),
            Err(VerifyError::BrokenChain { seq: 4, .. })
        ));

        let mut dropped = events.clone();
        dropped.remove(1);
        assert!(matches!(
            verify(&dropped),
            Err(VerifyError::Sequence {
                expected: 2,
                found: 3,
                ..
            })
        ));

        let mut foreign = events.clone();
        foreign[4].case = CaseId::new("d");
        assert!(matches!(
            verify(&foreign),
            Err(VerifyError::WrongCase { seq: 5, .. })
        ));
    }

    #[test]
    fn event_formats_read_and_newer_ones_are_refused() {
        let e = sample_events(&CaseId::new("c"), 0, GENESIS_HASH, 1).remove(0);
        assert_eq!(e.format, EVENT_FORMAT);
        let text = serde_json::to_string(&e).unwrap();
        assert!(text.contains("\"format\":2"), "{text}");
        assert_eq!(Event::decode(&text).unwrap(), e);
        // Format 1 wrote no `format`: it reads as 1, and hashes as written.
        let mut old = e.clone();
        old.format = 1;
        let old = old.seal().unwrap();
        let text = serde_json::to_string(&old).unwrap();
        assert!(!text.contains("format"), "{text}");
        let back = Event::decode(&text).unwrap();
        assert_eq!(back.format, 1);
        verify(std::slice::from_ref(&back)).unwrap();
        let newer = text.replacen('{', "{\"format\":3,", 1);
        let err = Event::decode(&newer).unwrap_err();
        assert!(err.contains("format 3"), "{err}");
    }

    #[test]
    fn logs_round_trip_and_bad_lines_are_named() {
        let events = sample_events(&CaseId::new("c"), 0, GENESIS_HASH, 3);
        let text = encode_log(&events).unwrap();
        assert_eq!(decode_log(&text).unwrap(), events);
        let broken = format!("{text}\n{{\"not\": \"an event\"}}\n");
        assert_eq!(decode_log(&broken).unwrap_err().line, 5);
    }
}
