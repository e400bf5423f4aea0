//! [`TransitionHarness::drive_to`]: takes a case to a state the shortest way the engine
//! allows, with the council commands an evaluation state needs.

use std::collections::{HashMap, VecDeque};

use ocop_core::cycle::Evaluation;
use ocop_core::ids::{StateId, TransitionId};
use ocop_engine::{Action, Actor, Case, CaseId, Command, CouncilMember, Engine, Store};

use super::{StuckError, TransitionHarness, scoring_sheet};

impl TransitionHarness {
    /// Every role's harness actor, the producer first.
    pub(super) fn role_actors(&self) -> Vec<Actor> {
        let mut v = vec![self.producer.clone()];
        for r in &self.cycle.definition().roles {
            if r.id != self.producer.role {
                v.push(self.actor(r.id.as_str()));
            }
        }
        v
    }

    /// The council commands that make the stage sitting in the case's state complete: its
    /// constitution if needed, then a sheet from every member who has none.
    fn council_commands(&self, case: &Case, total: f64, stars: u8) -> Vec<Command> {
        let Some(stage) = self.cycle.evaluation_in(case.state()) else {
            return Vec::new();
        };
        let Some(catalog) = &self.catalog else {
            return Vec::new();
        };
        let id = case.id().clone();
        let mut out = Vec::new();
        let council = case.council(&stage.id);
        let members: Vec<CouncilMember> = match council.filter(|c| c.is_constituted()) {
            Some(c) => c.members().to_vec(),
            None => {
                let m = council_members(stage, stage.council.min_members.max(5));
                out.push(Command::new(
                    id.clone(),
                    self.council_chair(stage),
                    Action::ConstituteCouncil {
                        evaluation: stage.id.clone(),
                        members: m.clone(),
                    },
                ));
                m
            }
        };
        for m in members {
            if council.is_some_and(|c| c.sheet(&m.id).is_some()) {
                continue;
            }
            let role = match (&stage.chair_role, m.chair) {
                (Some(chair), true) => chair.clone(),
                _ => stage.member_role.clone(),
            };
            out.push(Command::new(
                id.clone(),
                Actor::new(m.id, role),
                Action::SubmitSheet {
                    evaluation: stage.id.clone(),
                    sheet: scoring_sheet(catalog, total, stars),
                },
            ));
        }
        out
    }

    pub(super) fn council_chair(&self, stage: &Evaluation) -> Actor {
        match &stage.chair_role {
            Some(r) => Actor::new("council-chair", r.clone()),
            None => self
                .cycle
                .state(&stage.state)
                .and_then(|s| s.owner.clone())
                .map_or_else(
                    || Actor::new("council-chair", stage.member_role.clone()),
                    |o| self.actor(o.as_str()),
                ),
        }
    }

    /// Takes `case` to `target` the shortest way the engine allows: at each state, the
    /// available transition (to any actor of the harness) closest to `target`, after the
    /// council of an evaluation state has sat and scored the product at
    /// [`council_score`](Self::council_score). Internal transitions are not taken.
    ///
    /// # Errors
    /// A [`StuckError`] when no available transition leads towards `target`, or a command
    /// the path needs is refused.
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// use ocop_testkit::{EngineBuilder, ManualClock, MemoryStore, ProductSet, Scorer, TransitionHarness, load_definition};
    /// # let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
    /// let cycle = load_definition("national-2026.toml", &text).unwrap();
    /// let scorer: Arc<dyn Scorer> = Arc::new(ocop_criteria_26_2026::NativeScorer::new());
    /// let catalog = scorer.criteria(ProductSet::new(1).unwrap()).unwrap();
    /// let harness = TransitionHarness::new(cycle, move |cycle, clock| {
    ///     EngineBuilder::new(cycle).clock(clock).scorer("criteria-26-2026", scorer.clone()).build()
    /// })
    /// .catalog(catalog);
    /// let clock = ManualClock::on(harness.start_date());
    /// let engine = harness.engine(clock)?;
    /// let store = MemoryStore::new();
    /// harness.open(&engine, &store, "c1")?;
    /// harness.drive_to(&engine, &store, "c1", "monitoring")?;
    /// assert_eq!(engine.case(&store, &"c1".into())?.state().as_str(), "monitoring");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn drive_to(
        &self,
        engine: &Engine,
        store: &dyn Store,
        case: &str,
        target: &str,
    ) -> Result<(), StuckError> {
        let id = CaseId::new(case);
        let target = StateId::from(target);
        let distance = self.distances_to(&target);
        let stuck = |state: &StateId, reason: String| StuckError {
            state: state.clone(),
            reason,
        };
        let mut seen: HashMap<StateId, usize> = HashMap::new();
        for _ in 0..200 {
            let c = engine
                .case(store, &id)
                .map_err(|e| stuck(&StateId::from("?"), e.to_string()))?;
            if c.state() == &target {
                return Ok(());
            }
            let here = c.state().clone();
            *seen.entry(here.clone()).or_insert(0) += 1;
            // The nearest state by the graph, but not round in circles: a state already
            // passed through counts as farther (the graph ignores guards).
            let mut best: Option<((usize, usize), Actor, TransitionId)> = None;
            for actor in self.role_actors() {
                for t in engine.available(&c, &actor) {
                    let Some(tr) = self.cycle.transition(&t) else {
                        continue;
                    };
                    if tr.to == here {
                        continue;
                    }
                    let Some(d) = distance.get(&tr.to).copied() else {
                        continue;
                    };
                    let d = (seen.get(&tr.to).copied().unwrap_or(0), d);
                    if best.as_ref().is_none_or(|(bd, _, _)| d < *bd) {
                        best = Some((d, actor.clone(), t));
                    }
                }
            }
            if let Some((_, actor, t)) = best {
                engine
                    .execute(
                        store,
                        &Command::take_with(id.clone(), actor, t.clone(), self.input.clone()),
                    )
                    .map_err(|e| stuck(&here, format!("`{t}` was refused: {e}")))?;
                continue;
            }
            let council = self.council_commands(&c, self.score.0, self.score.1);
            if council.is_empty() {
                return Err(stuck(
                    &here,
                    format!("no available transition leads to `{target}`"),
                ));
            }
            for cmd in council {
                engine
                    .execute(store, &cmd)
                    .map_err(|e| stuck(&here, format!("the council could not sit: {e}")))?;
            }
        }
        let state = engine
            .case(store, &id)
            .map(|c| c.state().clone())
            .unwrap_or_else(|_| StateId::from("?"));
        Err(stuck(&state, "no way found in 200 moves".into()))
    }

    /// Distance (in transitions) from every state to `target`.
    fn distances_to(&self, target: &StateId) -> HashMap<StateId, usize> {
        let mut dist = HashMap::from([(target.clone(), 0usize)]);
        let mut queue = VecDeque::from([target.clone()]);
        while let Some(s) = queue.pop_front() {
            let d = dist.get(&s).copied().unwrap_or(0);
            for t in self.cycle.transitions().filter(|t| t.to == s) {
                for from in t.from.as_slice() {
                    if !dist.contains_key(from) {
                        dist.insert(from.clone(), d + 1);
                        queue.push_back(from.clone());
                    }
                }
            }
        }
        dist
    }
}

/// `n` members `council-m<k>`, and `council-chair` when the stage has a chair role.
pub(super) fn council_members(stage: &Evaluation, n: u32) -> Vec<CouncilMember> {
    let mut m: Vec<CouncilMember> = (1..=n)
        .map(|k| CouncilMember {
            id: format!("council-m{k}"),
            chair: false,
        })
        .collect();
    if stage.chair_role.is_some() {
        m.push(CouncilMember {
            id: "council-chair".into(),
            chair: true,
        });
    }
    m
}
