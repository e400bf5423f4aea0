//! Commands: what an actor asks the engine to do to a case, and how that can fail.

use std::collections::BTreeMap;

use ocop_core::{
    domain::{AnswerSheet, Certificate, DossierDocument, RegistrationType},
    ids::{EvaluationId, TransitionId},
    plugin::PluginError,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::calendar::CalendarError;
use crate::case::ReplayError;
use crate::event::{Actor, CaseId, CouncilMember, Product, TransitionInput, canonical_json};
use crate::store::StoreError;

/// A request to change a case.
///
/// # Examples
/// ```
/// use ocop_engine::{Actor, Command};
///
/// let cmd = Command::take("case-1", Actor::new("ubnd-xa-1", "commune_officer"), "commune_propose")
///     .expecting(3)
///     .idempotency_key("req-42");
/// assert_eq!(cmd.expected_version, Some(3));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// The case.
    pub case: CaseId,
    /// Who asks.
    pub actor: Actor,
    /// The case version the actor saw; the command fails with a conflict if the case has
    /// moved on since. Without it, the command applies to whatever the current version is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<u64>,
    /// A key the caller chooses so that a retried command returns the original events
    /// instead of acting twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// What to do.
    pub action: Action,
}

/// What a command does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// Open a case for a product.
    Open(OpenCase),
    /// Take a transition of the definition.
    Take {
        /// The transition.
        transition: TransitionId,
        /// What the transition needs (revocation ground, inspection outcome...).
        #[serde(default, skip_serializing_if = "TransitionInput::is_empty")]
        input: TransitionInput,
    },
    /// Name the members of an evaluation stage's council (its chair, or the owner of the
    /// stage's state, does this while the case is in that state).
    ConstituteCouncil {
        /// The stage.
        evaluation: EvaluationId,
        /// The members; one is the chair when the council rules require the chair's sheet.
        members: Vec<CouncilMember>,
    },
    /// A council member submits an answer sheet; the stage's plugin scores it.
    SubmitSheet {
        /// The stage.
        evaluation: EvaluationId,
        /// The member's answers.
        sheet: AnswerSheet,
    },
    /// File or replace documents of the dossier (matched by kind).
    UpdateDossier {
        /// The documents.
        documents: Vec<DossierDocument>,
    },
    /// Record facts about the case (e.g. `traceability_registered = true`).
    RecordFacts {
        /// The facts.
        facts: BTreeMap<String, bool>,
    },
}

/// Opens a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCase {
    /// The product.
    pub product: Product,
    /// First, upgrade or re-evaluation.
    pub registration: RegistrationType,
    /// Documents filed with the registration (forms 01 and 02, licences...).
    #[serde(default)]
    pub documents: Vec<DossierDocument>,
    /// Facts known at opening.
    #[serde(default)]
    pub facts: BTreeMap<String, bool>,
    /// A certificate the product already holds, for an upgrade or re-evaluation of a
    /// product certified outside this engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
}

impl Command {
    /// A command `action` on `case` by `actor`.
    pub fn new(case: impl Into<CaseId>, actor: Actor, action: Action) -> Command {
        Command {
            case: case.into(),
            actor,
            expected_version: None,
            idempotency_key: None,
            action,
        }
    }

    /// Opens `case`.
    pub fn open(case: impl Into<CaseId>, actor: Actor, open: OpenCase) -> Command {
        Command::new(case, actor, Action::Open(open))
    }

    /// Takes `transition` with no input.
    pub fn take(
        case: impl Into<CaseId>,
        actor: Actor,
        transition: impl Into<TransitionId>,
    ) -> Command {
        Command::take_with(case, actor, transition, TransitionInput::default())
    }

    /// Takes `transition` with `input`.
    pub fn take_with(
        case: impl Into<CaseId>,
        actor: Actor,
        transition: impl Into<TransitionId>,
        input: TransitionInput,
    ) -> Command {
        Command::new(
            case,
            actor,
            Action::Take {
                transition: transition.into(),
                input,
            },
        )
    }

    /// Requires the case to be at `version`.
    pub fn expecting(mut self, version: u64) -> Command {
        self.expected_version = Some(version);
        self
    }

    /// Sets the idempotency key.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Command {
        self.idempotency_key = Some(key.into());
        self
    }

    /// SHA-256 of the command's canonical form, stored with its idempotency key.
    pub(crate) fn fingerprint(&self) -> Result<String, CommandError> {
        let value = serde_json::to_value(self).map_err(|e| CommandError::UnencodableCommand {
            case: self.case.clone(),
            message: e.to_string(),
        })?;
        let mut bytes = Vec::new();
        canonical_json(&value, &mut bytes);
        Ok(crate::event::sha256_hex(&bytes))
    }
}

/// A command the engine refused or could not carry out. Nothing was stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// No such case.
    #[error("case `{case}` does not exist; open it first")]
    UnknownCase {
        /// The case.
        case: CaseId,
    },
    /// The case to open exists already.
    #[error("case `{case}` already exists")]
    CaseExists {
        /// The case.
        case: CaseId,
    },
    /// The definition is not in force on the day the case would open.
    #[error(
        "definition `{definition}` is in force from {from}; a case cannot be opened under it on {today}"
    )]
    NotInForce {
        /// The definition.
        definition: String,
        /// Its first day.
        from: ocop_core::Date,
        /// Today.
        today: ocop_core::Date,
    },
    /// The definition takes no new cases on the day the case would open (Art. 11.2,
    /// 12.2): its intake ended. Cases opened earlier keep running under it.
    #[error(
        "definition `{definition}` takes no new cases after {until} ({basis}); a case opened on {today} follows the definition in force on that day"
    )]
    IntakeClosed {
        /// The definition.
        definition: String,
        /// Its last day for new cases.
        until: ocop_core::Date,
        /// Today.
        today: ocop_core::Date,
        /// The legal basis of the end.
        basis: String,
    },
    /// The case runs under another definition than this engine's.
    #[error(
        "case `{case}` runs under `{runs_under}`, but this engine runs `{engine}`: use an engine for `{runs_under}` or migrate the case"
    )]
    WrongDefinition {
        /// The case.
        case: CaseId,
        /// The case's definition.
        runs_under: String,
        /// The engine's definition.
        engine: String,
    },
    /// The case has ended.
    #[error("case `{case}` has ended in `{state}` and accepts no more commands")]
    Terminal {
        /// The case.
        case: CaseId,
        /// Its terminal state.
        state: String,
    },
    /// The case moved on since the actor looked at it.
    #[error(
        "case `{case}` is at version {actual}, not {expected}: someone else changed it; reload it and decide again"
    )]
    Conflict {
        /// The case.
        case: CaseId,
        /// The version the command expected.
        expected: u64,
        /// The case's version.
        actual: u64,
    },
    /// The case moved on every time the command was decided (other writers won each race),
    /// more often than the engine's [`RetryPolicy`](crate::RetryPolicy) allows.
    #[error(
        "case `{case}` moved on {moved} times while this command was being decided (last seen at version {last_seen}); nothing was stored: send it again, or with the version you saw (`expecting`)"
    )]
    Contended {
        /// The case.
        case: CaseId,
        /// How many times another writer appended first.
        moved: u32,
        /// The case's version when the last attempt lost.
        last_seen: u64,
    },
    /// The definition has no such transition.
    #[error("transition `{transition}` is not defined in `{definition}`{hint}")]
    UnknownTransition {
        /// The transition.
        transition: String,
        /// The definition.
        definition: String,
        /// A suggestion.
        hint: String,
    },
    /// The transition does not leave the case's state.
    #[error(
        "transition `{transition}` cannot be taken from `{state}`; from `{state}` the case can take {available}"
    )]
    NotFromState {
        /// The transition.
        transition: String,
        /// The case's state.
        state: String,
        /// The transitions that leave the state.
        available: String,
    },
    /// The role is not declared in the definition.
    #[error("role `{role}` is not defined in `{definition}`")]
    UnknownRole {
        /// The role.
        role: String,
        /// The definition.
        definition: String,
    },
    /// The `system` role is reserved for deadlines.
    #[error("role `system` is reserved for deadlines fired by the engine; act in your own role")]
    SystemRole,
    /// The actor's role may not do this.
    #[error("role `{role}` may not {action}; it needs {needed}")]
    RoleNotAllowed {
        /// The actor's role.
        role: String,
        /// What was attempted, e.g. "take `province_certify`".
        action: String,
        /// The roles that may, e.g. "`province_chair`".
        needed: String,
    },
    /// Separation of duties.
    #[error(
        "`{actor}` already acted as `{other_role}` on case `{case}` and may not also act as `{role}`: {reason}"
    )]
    Separation {
        /// The actor.
        actor: String,
        /// The case.
        case: CaseId,
        /// The role now claimed.
        role: String,
        /// The role held before.
        other_role: String,
        /// The rule's reason.
        reason: String,
    },
    /// The producer's own people never score its product.
    #[error(
        "`{actor}` acted for the producer on case `{case}` and may not sit on its council: a producer never scores its own product"
    )]
    ProducerMayNotScore {
        /// The actor.
        actor: String,
        /// The case.
        case: CaseId,
    },
    /// A guard of the transition does not hold.
    #[error("`{transition}` is not allowed now: {reason} (guard `{guard}`)")]
    GuardFailed {
        /// The transition.
        transition: String,
        /// The guard.
        guard: String,
        /// Why it does not hold.
        reason: String,
    },
    /// The definition has no such evaluation stage.
    #[error("evaluation stage `{evaluation}` is not defined in `{definition}`")]
    UnknownEvaluation {
        /// The stage.
        evaluation: String,
        /// The definition.
        definition: String,
    },
    /// The case is not where the stage's council works.
    #[error(
        "the council of `{evaluation}` sits in `{stage_state}`, but case `{case}` is in `{state}`"
    )]
    NotInEvaluation {
        /// The case.
        case: CaseId,
        /// The stage.
        evaluation: String,
        /// The stage's state.
        stage_state: String,
        /// The case's state.
        state: String,
    },
    /// A council command does not fit the council.
    #[error("council `{evaluation}`: {reason}")]
    Council {
        /// The stage.
        evaluation: String,
        /// What is wrong.
        reason: String,
    },
    /// The command is missing something or carries something invalid.
    #[error("{0}")]
    InvalidInput(String),
    /// The definition names a plugin the engine was not given.
    #[error(
        "plugin `{plugin}` is not registered with the engine; register it with `EngineBuilder::{kind}`"
    )]
    PluginNotRegistered {
        /// The plugin.
        plugin: String,
        /// `scorer` or `guard_plugin`.
        kind: &'static str,
    },
    /// A plugin call failed.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// An effect of the transition could not be carried out.
    #[error("`{transition}` could not {effect}: {reason}")]
    Effect {
        /// The transition.
        transition: String,
        /// The effect, e.g. "issue a certificate".
        effect: String,
        /// Why.
        reason: String,
    },
    /// A working-day count needed a year the calendar does not cover.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The idempotency key was used for a different command.
    #[error(
        "idempotency key `{key}` was already used on case `{case}` for a different command; use a new key"
    )]
    KeyReused {
        /// The case.
        case: CaseId,
        /// The key.
        key: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// The stored history cannot be folded into a case.
    #[error("the stored history is inconsistent: {0}")]
    Corrupt(#[from] ReplayError),
    /// An event or the command itself cannot be written as JSON (a defect in ocop).
    #[error(transparent)]
    Unencodable(#[from] crate::event::EncodeError),
    /// The command cannot be written as JSON to fingerprint its idempotency key.
    #[error(
        "the command on case `{case}` cannot be written as JSON ({message}); this is a defect in ocop: report it"
    )]
    UnencodableCommand {
        /// The case.
        case: CaseId,
        /// What the JSON writer said.
        message: String,
    },
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> CommandError {
        match e {
            StoreError::Conflict {
                case,
                expected,
                actual,
            } => CommandError::Conflict {
                case,
                expected,
                actual,
            },
            other => CommandError::Store(other),
        }
    }
}
