//! The engine's invariants on one case's stored history, checked after every command or
//! tick, by the harness and by tests that drive the engine themselves.

use ocop_core::{Cycle, ids::StateId};
use ocop_engine::{CaseId, Engine, Event, EventBody, Store};

use super::TransitionViolation;

/// Follows one case's stored history and checks, each time [`check`](Self::check) is
/// called, that since the previous call:
///
/// - the stored history was only appended to (`histories are append-only`);
/// - the case, and every new event, is in a state of the cycle (`the state is a node`);
/// - every new `transitioned` event names a transition of the cycle leaving the state the
///   case was in, taken by a role the transition allows, and lands on its target; no other
///   event changes the state (`only edges are taken`);
/// - the engine's case is where the events lead, and replaying the stored history gives
///   the engine's case (`replay equals the state`);
/// - [`verify`](ocop_engine::verify) accepts the history (`the history verifies`).
///
/// [`TransitionHarness`](super::TransitionHarness) runs it after every step; a test with
/// its own driver (a reference model, a fuzz target) calls it after every command.
///
/// # Examples
/// ```
/// use ocop_testkit::{CaseInvariants, Command, EngineBuilder, ManualClock, MemoryStore, TransitionHarness, load_definition};
/// # let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
/// let cycle = load_definition("national-2026.toml", &text).unwrap();
/// let harness = TransitionHarness::new(cycle.clone(), |cycle, clock| {
///     EngineBuilder::new(cycle).clock(clock).scorer("criteria-26-2026", std::sync::Arc::new(ocop_criteria_26_2026::NativeScorer::new())).build()
/// });
/// let engine = harness.engine(ManualClock::on(harness.start_date()))?;
/// let store = MemoryStore::new();
/// let mut invariants = CaseInvariants::new(&cycle, "c1");
/// harness.open(&engine, &store, "c1")?;
/// assert_eq!(invariants.check(&engine, &store)?.len(), 1);
/// let producer = harness.actor("producer");
/// let _ = engine.execute(&store, &Command::take("c1", producer, "file_dossier"));
/// invariants.check(&engine, &store)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct CaseInvariants {
    cycle: Cycle,
    case: CaseId,
    history: Vec<Event>,
    state: Option<StateId>,
    checks: usize,
}

impl CaseInvariants {
    /// Follows `case` of `cycle`, from an empty history.
    pub fn new(cycle: &Cycle, case: impl Into<CaseId>) -> CaseInvariants {
        CaseInvariants {
            cycle: cycle.clone(),
            case: case.into(),
            history: Vec::new(),
            state: None,
            checks: 0,
        }
    }

    /// The stored history as of the last passing check.
    pub fn history(&self) -> &[Event] {
        &self.history
    }

    /// Checks the events stored since the last call (see [`CaseInvariants`]) and returns
    /// them.
    ///
    /// # Errors
    /// The first broken invariant. Its `step` counts the calls to `check` (the first is 0);
    /// its trace is empty (the caller knows the commands).
    pub fn check(
        &mut self,
        engine: &Engine,
        store: &dyn Store,
    ) -> Result<Vec<Event>, TransitionViolation> {
        let step = self.checks;
        self.checks += 1;
        let broken = |invariant, expected: String, found: String| TransitionViolation {
            invariant,
            expected,
            found,
            step,
            trace: Vec::new(),
        };
        let cycle = &self.cycle;
        let stored = store.load(&self.case, 0).map_err(|e| {
            broken(
                "the store reads back",
                "the case's history loads".into(),
                e.to_string(),
            )
        })?;
        if stored.get(..self.history.len()) != Some(self.history.as_slice()) {
            return Err(broken(
                "histories are append-only",
                format!("the first {} events are unchanged", self.history.len()),
                "the stored history was rewritten".into(),
            ));
        }
        let case = engine.case(store, &self.case).map_err(|e| {
            broken(
                "the engine reads the case",
                "the engine loads the case from the store".into(),
                e.to_string(),
            )
        })?;
        if cycle.state(case.state()).is_none() {
            return Err(broken(
                "the state is a node",
                "the case is in a state of the cycle".into(),
                format!("the case is in `{}`", case.state()),
            ));
        }
        let new = stored.get(self.history.len()..).unwrap_or_default();
        // Walk the new events: transitions are edges from where the case was.
        let mut here = self.state.clone();
        for e in new {
            if cycle.state(&e.to).is_none() {
                return Err(broken(
                    "the state is a node",
                    "every event lands in a state of the cycle".into(),
                    format!("event {} ({}) lands in `{}`", e.seq, e.body.kind(), e.to),
                ));
            }
            match (&e.body, &here) {
                (EventBody::Opened(_), _) => here = Some(e.to.clone()),
                (EventBody::Transitioned(_), Some(from)) => {
                    let Some(t) = e.transition.as_ref().and_then(|t| cycle.transition(t)) else {
                        return Err(broken(
                            "only edges are taken",
                            "a `transitioned` event names a transition of the cycle".into(),
                            format!("event {} names {:?}", e.seq, e.transition),
                        ));
                    };
                    let ok = e.from.as_ref() == Some(from)
                        && cycle.leaves(&t.id, from)
                        && e.to == t.to
                        && t.roles.contains(&e.actor.role);
                    if !ok {
                        return Err(broken(
                            "only edges are taken",
                            format!(
                                "`{}` goes from `{from}` to `{}` and is taken by {}",
                                t.id,
                                t.to,
                                t.roles
                                    .iter()
                                    .map(|r| format!("`{r}`"))
                                    .collect::<Vec<_>>()
                                    .join(" or ")
                            ),
                            format!(
                                "event {} goes from {:?} to `{}`, by `{}`",
                                e.seq,
                                e.from.as_ref().map(StateId::as_str),
                                e.to,
                                e.actor.role
                            ),
                        ));
                    }
                    here = Some(e.to.clone());
                }
                (_, Some(from)) if &e.to != from => {
                    return Err(broken(
                        "only edges are taken",
                        format!("a `{}` event leaves the case in `{from}`", e.body.kind()),
                        format!("event {} moves it to `{}`", e.seq, e.to),
                    ));
                }
                _ => {}
            }
        }
        if let Some(expected) = &here
            && expected != case.state()
        {
            return Err(broken(
                "replay equals the state",
                format!("the engine's case is in `{expected}`, where its events lead"),
                format!("the engine says `{}`", case.state()),
            ));
        }
        match ocop_engine::replay(&stored) {
            Ok(replayed) if replayed == case => {}
            Ok(replayed) => {
                return Err(broken(
                    "replay equals the state",
                    format!(
                        "replaying the {} stored events gives the engine's case (`{}` v{})",
                        stored.len(),
                        case.state(),
                        case.version()
                    ),
                    format!(
                        "the replay gives `{}` v{}",
                        replayed.state(),
                        replayed.version()
                    ),
                ));
            }
            Err(e) => {
                return Err(broken(
                    "replay equals the state",
                    "the stored history replays".into(),
                    e.to_string(),
                ));
            }
        }
        if let Err(e) = ocop_engine::verify(&stored) {
            return Err(broken(
                "the history verifies",
                "the hash chain of the stored history is intact".into(),
                e.to_string(),
            ));
        }
        let new = new.to_vec();
        self.state = Some(case.state().clone());
        self.history = stored;
        Ok(new)
    }
}
