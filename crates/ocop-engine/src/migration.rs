//! Moving cases from one definition to another under transitional rules (Art. 12 of
//! Decision 26/2026): a migration file maps states, a dry run reports where every case in
//! flight would go and why, and the real run records one event per case.
//!
//! Two mechanisms, distinct in the file, the events and the report:
//! - `rule = "migrate"` (the default): the case moves to a state of the new definition
//!   (`migrated` event), e.g. a certificate under monitoring (Art. 12.1);
//! - `rule = "continue"`: a dossier filed before the new rules took effect and not yet
//!   decided finishes under the definition it was filed under, within the limit of
//!   Art. 12.2 (`continues_under_old_rules` event); it stays in its state. Once it reaches
//!   a state the file migrates (certified, monitoring), a later run moves it.

use std::collections::{BTreeMap, BTreeSet};

use ocop_core::{
    Cycle, Date,
    definition::StateKind,
    diagnostic::{Code, Diagnostic, Report, parse_document},
    domain::RegistrationType,
    ids::{DefinitionId, EvaluationId, StateId},
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::case::{Case, ReplayError};
use crate::clock::Timestamp;
use crate::event::{Actor, CaseId, ContinuesUnderOldRules, Event, EventBody, Migrated, sha256_hex};
use crate::projector::Projector;
use crate::store::{Append, Store, StoreError};

/// The migration file format version this library writes in its reports and reads (it
/// also reads format 1, which has no `rule`: every rule migrates).
pub const MIGRATION_FORMAT: u32 = 2;

/// A migration file: how the states of one definition map onto another's, and the
/// transitional limits that apply to cases in flight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrationFile {
    /// Format version of this file: 2 (1 is read too, without `rule`).
    pub format: u32,
    /// The definition cases leave, e.g. `can-tho-2024`.
    pub from: DefinitionId,
    /// The definition cases move to, e.g. `national-2026`.
    pub to: DefinitionId,
    /// The day the new rules took effect (the transitional limits count from it).
    pub effective: Date,
    /// The legal basis of the transition.
    pub basis: String,
    /// The transitional limits; absent when the change of rules set none (then no case is
    /// in flight under a limit and no rule may `continue`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<TransitionalLimits>,
    /// Where each state of `from` goes. A state with no `to` cannot migrate.
    pub states: Vec<StateRule>,
}

/// Transitional limits (Art. 12).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionalLimits {
    /// Days from `effective` within which a first evaluation or an upgrade in flight must
    /// finish (Art. 12.2: 60).
    pub first_or_upgrade_days: u32,
    /// Days from `effective` within which a re-evaluation in flight must finish
    /// (Art. 12.2: 30).
    pub re_evaluation_days: u32,
    /// The most days past expiry a late renewal keeps its certificate valid (Art. 12.3: 180).
    pub late_renewal_max_days: u32,
    /// Certificates issued under the old rules stay valid to their expiry (Art. 12.1). The
    /// engine carries them unchanged; `false` is refused.
    pub certificates_valid_to_expiry: bool,
}

/// What a state rule does with its cases.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// The case moves to the state `to` of the new definition.
    #[default]
    Migrate,
    /// The case finishes under the definition it was filed under, within the limit of
    /// Art. 12.2 (60 days for a first evaluation or an upgrade, 30 for a re-evaluation);
    /// no `to`.
    Continue,
}

/// Where cases in one state go.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StateRule {
    /// A non-terminal state of the old definition.
    pub from: StateId,
    /// `migrate` (default) or `continue` (Art. 12.2: finish under the old rules).
    #[serde(default, skip_serializing_if = "is_migrate")]
    pub rule: RuleKind,
    /// Only for cases of this registration type (a rule without it is the default for
    /// the state).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<RegistrationType>,
    /// The state of the new definition; absent when cases in `from` cannot migrate, and for
    /// a `continue` rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<StateId>,
    /// Whether a migrated case has an evaluation in flight, so the transitional limit
    /// applies (default: for states of kind review, evaluation and decision; a dossier not
    /// yet filed, in an intake state, is not covered by Art. 12.2). A `continue` rule
    /// always applies the limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<bool>,
    /// Why, with its legal basis; shown in the dry run for every case.
    pub reason: String,
}

fn is_migrate(r: &RuleKind) -> bool {
    *r == RuleKind::Migrate
}

/// A migration that cannot be loaded or run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MigrationError {
    /// The file is not well-formed, or not shaped like a migration; the report holds one
    /// `syntax` finding.
    #[error("`{file}` could not be read as a migration:\n{report}", file = .0.file, report = .0)]
    Syntax(Report),
    /// The file does not fit the two definitions; the report holds every finding, each
    /// located at `file:line:col`.
    #[error(
        "`{file}` is not a valid migration ({count} errors):\n{report}",
        file = .0.file,
        count = .0.errors().count(),
        report = .0
    )]
    Invalid(Report),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The run was given a projector for another definition than the file migrates to.
    #[error(
        "the migration goes to `{to}`, but the cases would be projected with `{given}`: pass the projector (`Engine::projector`) of `{to}`"
    )]
    WrongTarget {
        /// The definition the file migrates to.
        to: String,
        /// The definition of the projector given.
        given: String,
    },
    /// A stored history cannot be replayed.
    #[error("case `{case}` cannot be replayed: {error}")]
    Corrupt {
        /// The case.
        case: CaseId,
        /// Why.
        error: ReplayError,
    },
}

/// A checked migration between two definitions.
#[derive(Clone, Debug)]
pub struct Migration {
    file: MigrationFile,
    sha256: String,
    from_terminal: BTreeSet<StateId>,
    from_kinds: Vec<(StateId, StateKind)>,
    from_stages: Vec<(StateId, EvaluationId)>,
    to_stages: Vec<(StateId, EvaluationId)>,
    to_version: String,
    calendar: Calendar,
}

/// The report of a dry run or a real run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrationReport {
    /// Format version of this document; currently 2 (adds the `continue` sections).
    pub format: u32,
    /// The definition cases leave.
    pub from: DefinitionId,
    /// The definition cases move to.
    pub to: DefinitionId,
    /// SHA-256 of the migration file's text.
    pub migration_sha256: String,
    /// The day of the run.
    pub run_on: Date,
    /// Whether events were recorded (`false` for a dry run).
    pub applied: bool,
    /// Cases in flight that migrate, with where they go and why.
    pub migrate: Vec<CasePlan>,
    /// Cases in flight that cannot migrate, with why.
    pub cannot_migrate: Vec<CasePlan>,
    /// Cases filed before `effective` and not yet decided that finish under the old
    /// definition (Art. 12.2), with their limit.
    #[serde(default)]
    pub continue_under_old_rules: Vec<CasePlan>,
    /// Cases a previous run already let continue under the old rules, still undecided.
    #[serde(default)]
    pub already_continuing: Vec<CaseId>,
    /// Cases of the old definition that have ended (they keep their history as it is).
    pub closed: Vec<CaseId>,
    /// Cases whose migration event could not be recorded in a real run, with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<CaseFailure>,
}

/// Where one case goes and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePlan {
    /// The case.
    pub case: CaseId,
    /// Its state under the old definition.
    pub from_state: StateId,
    /// Its registration type.
    pub registration: RegistrationType,
    /// Its state under the new definition (absent when it cannot migrate or continues
    /// under the old rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_state: Option<StateId>,
    /// Why.
    pub reason: String,
    /// The transitional limit (Art. 12.2), for evaluations in flight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_by: Option<Date>,
    /// The end of the certificate's extension for a late renewal (Art. 12.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_extended_until: Option<Date>,
    /// The council stage whose members and sheets carry over, as `(from, to)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<(EvaluationId, EvaluationId)>,
    /// The sequence number of the migration event (real runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_seq: Option<u64>,
}

/// A case a real run could not migrate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseFailure {
    /// The case.
    pub case: CaseId,
    /// Why.
    pub error: String,
}

impl Migration {
    /// Reads and checks a migration file against the two definitions. `file` names the
    /// file in diagnostics and picks the syntax (`.json` for JSON, anything else for TOML).
    ///
    /// # Errors
    /// [`MigrationError::Syntax`] for a malformed file; [`MigrationError::Invalid`] with
    /// every finding, each located at `file:line:col`: definitions that do not match, unknown
    /// or terminal states, a state of the old definition left unmapped, a rule given twice.
    pub fn load(
        file: &str,
        text: &str,
        from: &Cycle,
        to: &Cycle,
    ) -> Result<Migration, MigrationError> {
        let (parsed, map): (MigrationFile, _) =
            parse_document(file, text, "migration").map_err(MigrationError::Syntax)?;
        let report = Report::new(file, check(&parsed, from, to)).locate(&map);
        if report.has_errors() {
            return Err(MigrationError::Invalid(report));
        }
        let file = parsed;
        Ok(Migration {
            sha256: sha256_hex(text.as_bytes()),
            from_terminal: from
                .states()
                .filter(|s| s.kind == StateKind::Terminal)
                .map(|s| s.id.clone())
                .collect(),
            from_kinds: from.states().map(|s| (s.id.clone(), s.kind)).collect(),
            from_stages: from
                .definition()
                .evaluations
                .iter()
                .map(|e| (e.state.clone(), e.id.clone()))
                .collect(),
            to_stages: to
                .definition()
                .evaluations
                .iter()
                .map(|e| (e.state.clone(), e.id.clone()))
                .collect(),
            to_version: to.definition().version.clone(),
            calendar: Calendar::vietnam(),
            file,
        })
    }

    /// The calendar the limits are rolled on (a last day that is a weekend or day off ends
    /// on the next working day, Civil Code Art. 148(5)); the embedded Vietnamese one by
    /// default.
    #[must_use]
    pub fn with_calendar(mut self, calendar: Calendar) -> Migration {
        self.calendar = calendar;
        self
    }

    /// `date` rolled off a day off, or `date` itself with a note when the calendar has no
    /// data for its year.
    fn roll(&self, date: Date, reason: &mut String) -> Date {
        match self.calendar.roll_forward(date) {
            Ok(d) => d,
            Err(e) => {
                reason.push_str(&format!("; {date} not rolled off a day off: {e}"));
                date
            }
        }
    }

    /// The file as read.
    pub fn file(&self) -> &MigrationFile {
        &self.file
    }

    /// SHA-256 of the file's text.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    fn rule(&self, state: &StateId, registration: RegistrationType) -> Option<&StateRule> {
        self.file
            .states
            .iter()
            .find(|r| r.from == *state && r.registration == Some(registration))
            .or_else(|| {
                self.file
                    .states
                    .iter()
                    .find(|r| r.from == *state && r.registration.is_none())
            })
    }

    /// Where `case` goes, on `today`.
    fn plan(&self, case: &Case, today: Date) -> CasePlan {
        let mut plan = CasePlan {
            case: case.id().clone(),
            from_state: case.state().clone(),
            registration: case.registration(),
            to_state: None,
            reason: String::new(),
            finish_by: None,
            certificate_extended_until: None,
            evaluation: None,
            event_seq: None,
        };
        let Some(rule) = self.rule(case.state(), case.registration()) else {
            plan.reason = format!("no rule maps state `{}`", case.state());
            return plan;
        };
        plan.reason.clone_from(&rule.reason);
        let continues = rule.rule == RuleKind::Continue;
        if rule.to.is_none() && !continues {
            return plan;
        }
        let kind = self
            .from_kinds
            .iter()
            .find(|(s, _)| s == case.state())
            .map(|(_, k)| *k);
        // Without `[limits]` nothing is in flight under a limit (the load refused `continue`).
        let in_flight = self.file.limits.is_some()
            && (continues
                || rule.in_flight.unwrap_or(matches!(
                    kind,
                    Some(StateKind::Review | StateKind::Evaluation | StateKind::Decision)
                )));
        if in_flight && let Some(limits) = &self.file.limits {
            let days = if case.registration() == RegistrationType::ReEvaluation {
                limits.re_evaluation_days
            } else {
                limits.first_or_upgrade_days
            };
            let mut reason = std::mem::take(&mut plan.reason);
            let finish_by = self.roll(self.file.effective.add_days(i64::from(days)), &mut reason);
            plan.reason = reason;
            plan.finish_by = Some(finish_by);
            plan.reason.push_str(&format!(
                "; the evaluation in flight must finish by {finish_by} ({days} days from {}, Art. 12.2{})",
                self.file.effective,
                if continues {
                    format!(", under `{}` as filed", self.file.from)
                } else {
                    String::new()
                }
            ));
            if case.registration() == RegistrationType::ReEvaluation
                && let Some(c) = case.certificate()
                && c.expires_on < finish_by
                && case.certificate_valid_until() == Some(c.expires_on)
            {
                let mut reason = std::mem::take(&mut plan.reason);
                let until = self.roll(
                    c.expires_on
                        .add_days(i64::from(limits.late_renewal_max_days)),
                    &mut reason,
                );
                plan.reason = reason;
                if today > until {
                    plan.reason = format!(
                        "certificate `{}` expired on {}, more than {} days ago: Art. 12.3 cannot keep it alive; the producer registers anew",
                        c.number, c.expires_on, limits.late_renewal_max_days
                    );
                    plan.finish_by = None;
                    return plan;
                }
                plan.certificate_extended_until = Some(until);
                plan.reason.push_str(&format!(
                    "; certificate `{}` (expiry {}) stays valid until the result, at most until {until} (Art. 12.3)",
                    c.number, c.expires_on
                ));
            }
        }
        if continues {
            return plan;
        }
        let Some(to) = &rule.to else {
            return plan;
        };
        if !in_flight && let Some(c) = case.certificate() {
            plan.reason.push_str(&format!(
                "; certificate `{}` stays valid to its expiry on {} (Art. 12.1)",
                c.number, c.expires_on
            ));
        }
        let from_stage = self
            .from_stages
            .iter()
            .find(|(s, _)| s == case.state())
            .map(|(_, e)| e.clone());
        let to_stage = self
            .to_stages
            .iter()
            .find(|(s, _)| s == to)
            .map(|(_, e)| e.clone());
        if let (Some(a), Some(b)) = (from_stage, to_stage) {
            plan.evaluation = Some((a, b));
        }
        plan.to_state = Some(to.clone());
        plan
    }

    fn report(
        &self,
        store: &dyn Store,
        today: Date,
    ) -> Result<(MigrationReport, Vec<Case>), MigrationError> {
        let mut report = MigrationReport {
            format: MIGRATION_FORMAT,
            from: self.file.from.clone(),
            to: self.file.to.clone(),
            migration_sha256: self.sha256.clone(),
            run_on: today,
            applied: false,
            migrate: Vec::new(),
            cannot_migrate: Vec::new(),
            continue_under_old_rules: Vec::new(),
            already_continuing: Vec::new(),
            closed: Vec::new(),
            failed: Vec::new(),
        };
        let mut cases = Vec::new();
        // The projections say which cases run under the old definition, and which ended:
        // only the others are replayed.
        for summary in store.summaries()? {
            if summary.definition != self.file.from {
                continue;
            }
            let id = summary.case;
            if self.from_terminal.contains(&summary.state) {
                report.closed.push(id);
                continue;
            }
            let events = store.load(&id, 0)?;
            let case = Case::replay(&events).map_err(|error| MigrationError::Corrupt {
                case: id.clone(),
                error,
            })?;
            let continues = self
                .rule(case.state(), case.registration())
                .is_some_and(|r| r.rule == RuleKind::Continue);
            if continues && case.continues_under_old_rules() {
                report.already_continuing.push(id);
                continue;
            }
            let plan = self.plan(&case, today);
            if continues && plan.finish_by.is_some() {
                report.continue_under_old_rules.push(plan);
                cases.push(case);
            } else if plan.to_state.is_some() {
                report.migrate.push(plan);
                cases.push(case);
            } else {
                report.cannot_migrate.push(plan);
            }
        }
        Ok((report, cases))
    }

    /// Lists every case of the old definition in `store`: where each case in flight would
    /// go and why, which cannot migrate, and which have ended. Records nothing.
    ///
    /// # Errors
    /// [`MigrationError::Store`] or [`MigrationError::Corrupt`] when the store cannot be read.
    pub fn dry_run(
        &self,
        store: &dyn Store,
        today: Date,
    ) -> Result<MigrationReport, MigrationError> {
        self.report(store, today).map(|(r, _)| r)
    }

    /// Migrates every case that can: one `migrated` event per case, by `actor` at `at`,
    /// with the case's projection under the new definition computed by `target` (the
    /// [`Engine::projector`](crate::Engine::projector) of an engine for it); and records a
    /// `continues_under_old_rules` event for every case a `continue` rule keeps under the
    /// old definition, projected by `source` (the old definition's projector). A case that
    /// changed since it was read is reported under `failed`; run again to handle it. Runs
    /// are idempotent: a case already continuing is listed, not recorded again.
    ///
    /// # Errors
    /// [`MigrationError::WrongTarget`] when `target` (or `source`) is for another
    /// definition; [`MigrationError::Store`] or [`MigrationError::Corrupt`] when the store
    /// cannot be read.
    pub fn run(
        &self,
        store: &dyn Store,
        source: &Projector,
        target: &Projector,
        actor: &Actor,
        at: Timestamp,
    ) -> Result<MigrationReport, MigrationError> {
        for (want, given) in [(&self.file.to, target), (&self.file.from, source)] {
            let given = &given.cycle().definition().id;
            if given != want {
                return Err(MigrationError::WrongTarget {
                    to: want.to_string(),
                    given: given.to_string(),
                });
            }
        }
        let (mut report, cases) = self.report(store, at.vn_date())?;
        report.applied = true;
        if !report.migrate.is_empty() {
            crate::store::keep_definition(store, target.cycle())?;
        }
        let find = |id: &CaseId| cases.iter().find(|c| c.id() == id);
        let mut failed = Vec::new();
        for plan in &mut report.continue_under_old_rules {
            let (Some(case), Some(finish_by)) = (find(&plan.case), plan.finish_by) else {
                continue;
            };
            let body = EventBody::ContinuesUnderOldRules(ContinuesUnderOldRules {
                definition: self.file.from.clone(),
                new_definition: self.file.to.clone(),
                reason: plan.reason.clone(),
                finish_by,
                certificate_extended_until: plan.certificate_extended_until,
                migration_sha256: self.sha256.clone(),
            });
            let to = case.state().clone();
            match append_event(store, source, case, actor, at, to, body) {
                Ok(e) => plan.event_seq = Some(e.seq),
                Err(e) => failed.push(CaseFailure {
                    case: plan.case.clone(),
                    error: e.to_string(),
                }),
            }
        }
        for plan in &mut report.migrate {
            let (Some(to), Some(case)) = (plan.to_state.clone(), find(&plan.case)) else {
                continue;
            };
            let body = Migrated {
                from_definition: self.file.from.clone(),
                to_definition: self.file.to.clone(),
                to_version: self.to_version.clone(),
                reason: plan.reason.clone(),
                evaluation: plan.evaluation.clone(),
                finish_by: plan.finish_by,
                certificate_extended_until: plan.certificate_extended_until,
                migration_sha256: self.sha256.clone(),
                to_definition_sha256: Some(target.cycle().sha256().to_owned()),
            };
            match append_event(
                store,
                target,
                case,
                actor,
                at,
                to,
                EventBody::Migrated(body),
            ) {
                Ok(e) => plan.event_seq = Some(e.seq),
                Err(e) => failed.push(CaseFailure {
                    case: plan.case.clone(),
                    error: e.to_string(),
                }),
            }
        }
        let failed_ids: BTreeSet<CaseId> = failed.iter().map(|f| f.case.clone()).collect();
        report.migrate.retain(|p| !failed_ids.contains(&p.case));
        report
            .continue_under_old_rules
            .retain(|p| !failed_ids.contains(&p.case));
        report.failed = failed;
        Ok(report)
    }
}

/// Appends a case's migration (or continuation) event with its projection under the
/// definition it runs under afterwards.
/// Checks a migration file against the definitions it names, found by id among
/// `definitions`: every finding, located and sorted, as `ocop validate` prints them. A file
/// that does not parse gets its syntax finding only.
///
/// # Examples
/// ```
/// let text = "format = 2\nfrom = \"old\"\nto = \"new\"\neffective = \"2026-05-22\"\nbasis = \"x\"\nstates = []\n";
/// let report = ocop_engine::check_migration("old-to-new.toml", text, &[]);
/// assert!(report.to_string().starts_with(
///     "old-to-new.toml:2:1: error[migration-definitions]: no definition `old` is known"
/// ));
/// ```
pub fn check_migration(file: &str, text: &str, definitions: &[Cycle]) -> Report {
    let (parsed, map): (MigrationFile, _) = match parse_document(file, text, "migration") {
        Ok(parsed) => parsed,
        Err(report) => return report,
    };
    let find = |id: &DefinitionId| definitions.iter().find(|c| c.definition().id == *id);
    let diagnostics = match (find(&parsed.from), find(&parsed.to)) {
        (Some(from), Some(to)) => check(&parsed, from, to),
        (from, to) => {
            let ids: Vec<&str> = definitions
                .iter()
                .map(|c| c.definition().id.as_str())
                .collect();
            [("from", &parsed.from, from), ("to", &parsed.to, to)]
                .into_iter()
                .filter(|(_, _, found)| found.is_none())
                .map(|(key, id, _)| {
                    Diagnostic::error(
                        Code::MigrationDefinitions,
                        key,
                        format!("no definition `{id}` is known"),
                    )
                    .suggest(
                        id.as_str(),
                        ids.iter().copied(),
                        "put the definition file with this id in the folder that holds `migrations/`",
                    )
                })
                .collect()
        }
    };
    Report::new(file, diagnostics).locate(&map)
}

/// Every problem of a migration file between `from` and `to`, each naming its key.
fn check(file: &MigrationFile, from: &Cycle, to: &Cycle) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let (from_id, to_id) = (&from.definition().id, &to.definition().id);
    if file.format != MIGRATION_FORMAT && file.format != 1 {
        out.push(Diagnostic::unsupported_format(
            "migration",
            file.format,
            MIGRATION_FORMAT,
        ));
    }
    if file.format == 1
        && let Some(i) = file.states.iter().position(|r| r.rule != RuleKind::Migrate)
    {
        out.push(
            Diagnostic::error(
                Code::UnsupportedFormat,
                format!("states[{i}].rule"),
                "`rule` needs format 2 (format 1 files only migrate)",
            )
            .help(format!("use `format = {MIGRATION_FORMAT}`")),
        );
    }
    for (key, named, given, which) in [
        ("from", &file.from, from_id, "old"),
        ("to", &file.to, to_id, "new"),
    ] {
        if named != given {
            out.push(
                Diagnostic::error(
                    Code::MigrationDefinitions,
                    key,
                    format!(
                        "the file migrates {key} `{named}`, but the {which} definition is `{given}`"
                    ),
                )
                .help("use the migration file written for these two definitions"),
            );
        }
    }
    if file
        .limits
        .as_ref()
        .is_some_and(|l| !l.certificates_valid_to_expiry)
    {
        out.push(
            Diagnostic::error(
                Code::MigrationLimits,
                "limits.certificates_valid_to_expiry",
                "`certificates_valid_to_expiry = false` contradicts Art. 12.1: certificates stay valid to their expiry",
            )
            .help("set `certificates_valid_to_expiry = true`"),
        );
    }
    let from_states = || from.states().map(|s| s.id.as_str());
    let to_states = || to.states().map(|s| s.id.as_str());
    let mut seen = BTreeMap::new();
    for (i, r) in file.states.iter().enumerate() {
        let at = |key: &str| format!("states[{i}].{key}");
        match from.state(&r.from) {
            None => out.push(
                Diagnostic::error(
                    Code::UnknownState,
                    at("from"),
                    format!("`{}` is not a state of `{from_id}`", r.from),
                )
                .suggest(
                    r.from.as_str(),
                    from_states(),
                    format!("name a state of `{from_id}`"),
                ),
            ),
            Some(s) if s.kind == StateKind::Terminal => out.push(
                Diagnostic::error(
                    Code::MigrationTerminalState,
                    at("from"),
                    format!("`{}` is terminal; ended cases are not migrated", r.from),
                )
                .help("remove this rule: ended cases keep their history as it is"),
            ),
            Some(_) => {}
        }
        if file.limits.is_none() && (r.rule == RuleKind::Continue || r.in_flight == Some(true)) {
            let key = if r.rule == RuleKind::Continue {
                "rule"
            } else {
                "in_flight"
            };
            out.push(
                Diagnostic::error(
                    Code::MigrationLimits,
                    at(key),
                    format!(
                        "`{}` needs a time limit, but the file has no `[limits]`",
                        r.from
                    ),
                )
                .help("add the transitional limits of the change of rules under `[limits]` (Art. 12.2-12.3 of Decision 26/2026: 60, 30 and 180 days)"),
            );
        }
        if r.rule == RuleKind::Continue && r.to.is_some() {
            out.push(
                Diagnostic::error(
                    Code::MigrationContinueTarget,
                    at("to"),
                    format!(
                        "a `continue` rule keeps the case in `{}` under `{from_id}`, so it has no `to`",
                        r.from
                    ),
                )
                .help("remove `to`, or make the rule `migrate`"),
            );
        }
        if let Some(t) = &r.to {
            match to.state(t) {
                None => out.push(
                    Diagnostic::error(
                        Code::UnknownState,
                        at("to"),
                        format!("`{t}` is not a state of `{to_id}`"),
                    )
                    .suggest(t.as_str(), to_states(), format!("name a state of `{to_id}`")),
                ),
                Some(s) if s.kind == StateKind::Terminal => out.push(
                    Diagnostic::error(
                        Code::MigrationTerminalState,
                        at("to"),
                        format!("`{t}` is terminal; a migration cannot end a case"),
                    )
                    .help("migrate the case to a state it can go on from, or leave out `to` if it cannot migrate"),
                ),
                Some(_) => {}
            }
        }
        if r.reason.trim().is_empty() {
            out.push(
                Diagnostic::error(
                    Code::MigrationReason,
                    at("reason"),
                    "the rule gives no reason",
                )
                .help("say why, with its legal basis: the dry run shows it for every case"),
            );
        }
        if let Some(first) = seen.insert((r.from.clone(), r.registration.map(|x| x as u8)), i) {
            out.push(
                Diagnostic::error(
                    Code::MigrationDuplicateRule,
                    format!("states[{i}]"),
                    format!(
                        "a rule for `{}` is given twice (first as `states[{first}]`)",
                        r.from
                    ),
                )
                .help("keep one rule per state and registration type"),
            );
        }
    }
    for s in from.states() {
        if s.kind != StateKind::Terminal
            && !file
                .states
                .iter()
                .any(|r| r.from == s.id && r.registration.is_none())
        {
            out.push(
                Diagnostic::error(
                    Code::MigrationUnmappedState,
                    "states",
                    format!(
                        "state `{}` of `{from_id}` has no default rule (one without `registration`)",
                        s.id
                    ),
                )
                .help(format!(
                    "add a `[[states]]` rule with `from = \"{}\"`: say where its cases go, or why they cannot migrate",
                    s.id
                )),
            );
        }
    }
    out
}

fn append_event(
    store: &dyn Store,
    target: &Projector,
    case: &Case,
    actor: &Actor,
    at: Timestamp,
    to: StateId,
    body: EventBody,
) -> Result<Event, StoreError> {
    let event = Event::new(
        case,
        at,
        actor.clone(),
        None,
        Some(case.state().clone()),
        to,
        body,
    )
    .map_err(|e| StoreError::InvalidAppend {
        case: case.id().clone(),
        reason: e.to_string(),
    })?;
    let mut after = case.clone();
    after.apply(&event).map_err(|e| StoreError::InvalidAppend {
        case: case.id().clone(),
        reason: e.to_string(),
    })?;
    let summary = target.summary(&after);
    store.append(&Append {
        case: case.id(),
        expected: case.version(),
        events: std::slice::from_ref(&event),
        key: None,
        summary: &summary,
        snapshot: None,
    })?;
    Ok(event)
}
