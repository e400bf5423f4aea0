//! What a run reports: its statistics, a broken invariant with the steps that led there,
//! and the lines of the trace.

use std::fmt;

use ocop_core::ids::StateId;
use ocop_engine::{Action, Command, Event};

/// How a run went: what the sequence exercised.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Steps run (the opening of the case not counted).
    pub steps: usize,
    /// Commands the engine accepted.
    pub accepted: usize,
    /// Commands the engine refused (cleanly).
    pub refused: usize,
    /// Steps that could not apply (nothing available, no council sitting...).
    pub skipped: usize,
    /// Timeouts fired on the case by ticks.
    pub timeouts: usize,
    /// Retries of an accepted keyed command, checked to return the same events.
    pub retries: usize,
    /// States the case was in, in the order first seen.
    pub visited: Vec<String>,
    /// The case's version at the end.
    pub version: u64,
    /// Every step as run: the command sent and the engine's answer.
    pub trace: Vec<String>,
}

impl Stats {
    pub(super) fn visit(&mut self, state: &StateId) {
        if !self.visited.iter().any(|s| s == state.as_str()) {
            self.visited.push(state.to_string());
        }
    }
}

/// An invariant the engine broke, with the steps that led there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransitionViolation {
    /// The invariant, e.g. `idempotent retry`.
    pub invariant: &'static str,
    /// What should have happened.
    pub expected: String,
    /// What happened.
    pub found: String,
    /// The failing step (0 is the opening of the case).
    pub step: usize,
    /// Every step up to and including the failing one, as run: the command sent and the
    /// engine's answer.
    pub trace: Vec<String>,
}

impl fmt::Display for TransitionViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "transition invariant `{}` broken at step {}",
            self.invariant, self.step
        )?;
        writeln!(f, "  expected: {}", self.expected)?;
        writeln!(f, "  found:    {}", self.found)?;
        writeln!(f, "  steps:")?;
        for line in &self.trace {
            writeln!(f, "    {line}")?;
        }
        Ok(())
    }
}

/// proptest turns it into a test failure with `?` (through `std::error::Error`).
impl std::error::Error for TransitionViolation {}

/// Why [`TransitionHarness::drive_to`](super::TransitionHarness::drive_to) could not bring a case to a state.
#[derive(Debug)]
pub struct StuckError {
    /// Where the case stopped.
    pub state: StateId,
    /// Why.
    pub reason: String,
}

impl fmt::Display for StuckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the case is stuck in `{}`: {}", self.state, self.reason)
    }
}

impl std::error::Error for StuckError {}

pub(super) fn count(n: usize) -> String {
    if n == 1 {
        "1 event".to_owned()
    } else {
        format!("{n} events")
    }
}

pub(super) fn kinds(events: &[Event]) -> String {
    events
        .iter()
        .map(|e| e.body.kind())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn describe(cmd: &Command) -> String {
    let who = format!("`{}` ({})", cmd.actor.id, cmd.actor.role);
    let what = match &cmd.action {
        Action::Take { transition, .. } => format!("take `{transition}`"),
        Action::ConstituteCouncil {
            evaluation,
            members,
        } => format!(
            "constitute council `{evaluation}` of {} ({})",
            members.len(),
            members
                .iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Action::SubmitSheet { evaluation, sheet } => format!(
            "submit a sheet to `{evaluation}` (set {}, {} answers)",
            sheet.product_set,
            sheet.answers.len()
        ),
        Action::UpdateDossier { documents } => format!("file {} documents", documents.len()),
        Action::RecordFacts { facts } => format!("record {} facts", facts.len()),
        Action::Open(_) => "open the case".to_owned(),
        _ => "act".to_owned(),
    };
    let mut s = format!("{what} as {who}");
    if let Some(v) = cmd.expected_version {
        s.push_str(&format!(", expecting v{v}"));
    }
    if let Some(k) = &cmd.idempotency_key {
        s.push_str(&format!(", key `{k}`"));
    }
    s
}
