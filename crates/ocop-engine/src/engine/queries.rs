//! What a case allows and how it stands: available transitions, the summary.

use ocop_core::cycle::Guard;
use ocop_core::ids::{EvaluationId, TransitionId};

use super::{Engine, lock};
use crate::calendar::CalendarError;
use crate::case::Case;
use crate::command::CommandError;
use crate::council::{self, CouncilStatus};
use crate::event::{Actor, CaseId, TransitionInput};
use crate::summary::{CaseSummary, DueDate};

impl Engine {
    /// Where the council of `evaluation` stands on `case`: members, sheets, the quorum in
    /// sheets, the chair's sheet, the spread of totals. `None` when the cycle has no such
    /// evaluation stage.
    pub fn council_status(&self, case: &Case, evaluation: &EvaluationId) -> Option<CouncilStatus> {
        let stage = self.cycle.evaluation(evaluation)?;
        Some(council::status(stage, case.councils.get(evaluation)))
    }

    /// The transitions `actor` could take on `case` today (by the engine's clock): those
    /// leaving its state that the actor's role may take and whose guards hold. A guard that
    /// reads the command's own input (`revocation_ground`) is taken to hold; plugin guards
    /// are called.
    pub fn available(&self, case: &Case, actor: &Actor) -> Vec<TransitionId> {
        if case.definition != self.cycle.definition().id || self.cycle.is_terminal(&case.state) {
            return Vec::new();
        }
        if self.separation(case, actor).is_err() {
            return Vec::new();
        }
        let today = self.clock.now().vn_date();
        let input = TransitionInput::default();
        self.cycle
            .outgoing(&case.state)
            .into_iter()
            .filter(|t| t.roles.contains(&actor.role))
            .filter(|t| {
                t.guards.iter().all(|g| {
                    matches!(g, Guard::RevocationGround)
                        || self.check_guard(case, t, g, &input, today).is_ok()
                })
            })
            .map(|t| t.id.clone())
            .collect()
    }

    /// Every guard of `transition` that does not hold for `case` today (by the engine's
    /// clock) with `input`, each as the [`CommandError::GuardFailed`] a command would get (or
    /// the error of a guard plugin that could not be asked); empty when they all hold or the
    /// definition has no such transition. A refused command names only the first failing
    /// guard; this lists them all.
    pub fn failing_guards(
        &self,
        case: &Case,
        transition: &TransitionId,
        input: &TransitionInput,
    ) -> Vec<CommandError> {
        let Some(t) = self.cycle.transition(transition) else {
            return Vec::new();
        };
        let today = self.clock.now().vn_date();
        t.guards
            .iter()
            .filter_map(|g| self.check_guard(case, t, g, input, today).err())
            .collect()
    }

    /// The deadline of the case's current state, if it has one and its anchor is set (none
    /// for a case of another definition).
    ///
    /// # Errors
    /// [`CalendarError::YearNotCovered`] when a working-day count crosses a year the
    /// calendar has no data for.
    pub fn deadline(&self, case: &Case) -> Result<Option<DueDate>, CalendarError> {
        self.projector.deadline(case)
    }

    /// A case at a glance, with its state's deadline: what the store keeps as the case's
    /// projection.
    pub fn summary(&self, case: &Case) -> CaseSummary {
        self.projector.summary(case)
    }

    /// Forgets the cached copy of `case`, so that it is reloaded from the store.
    pub fn forget(&self, case: &CaseId) {
        lock(&self.cache).remove(case);
    }
}
