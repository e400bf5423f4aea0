//! A run of [`Step`]s on one case: each step is resolved against the case as it is when
//! it runs, sent, and checked.

use ocop_core::{domain::DossierDocument, ids::TransitionId};
use ocop_engine::{
    Action, Actor, Case, CaseId, Command, CouncilMember, Engine, Event, ManualClock, Store,
};

use super::drive::council_members;
use super::fixtures::{TARGETS, documents};
use super::report::Stats;
use super::{CaseInvariants, TransitionHarness, TransitionViolation, scoring_sheet};
use crate::strategy::{Step, VersionCheck};

/// What a step turned into.
enum Resolved {
    Command(Box<Command>, Kind),
    Tick(TickKind),
    Skip(String),
}

#[derive(Clone, Copy)]
pub(super) enum TickKind {
    Wait(u16),
    NextDeadline,
}

/// What to expect of a command beyond the general invariants.
pub(super) enum Kind {
    Fresh,
    /// A retry of the keyed command at this index of the run's keyed list.
    Retry(usize),
    /// Another command under the key of the keyed command at this index.
    ReuseKey(usize),
}

pub(super) struct Keyed {
    pub(super) step: usize,
    pub(super) command: Command,
    pub(super) result: Result<Vec<Event>, String>,
}

/// The state of one run: the engine, its clock and store, the case and what was seen.
pub(super) struct Run<'a> {
    pub(super) harness: &'a TransitionHarness,
    pub(super) engine: Engine,
    pub(super) clock: ManualClock,
    pub(super) store: &'a dyn Store,
    pub(super) case: CaseId,
    pub(super) trace: Vec<String>,
    pub(super) keyed: Vec<Keyed>,
    pub(super) stats: Stats,
    pub(super) invariants: CaseInvariants,
}

impl Run<'_> {
    pub(super) fn violation(
        &self,
        step: usize,
        invariant: &'static str,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> TransitionViolation {
        TransitionViolation {
            invariant,
            expected: expected.into(),
            found: found.into(),
            step,
            trace: self.trace.clone(),
        }
    }

    pub(super) fn load(&self, step: usize) -> Result<Vec<Event>, TransitionViolation> {
        self.store.load(&self.case, 0).map_err(|e| {
            self.violation(
                step,
                "the store reads back",
                "the case's history loads",
                e.to_string(),
            )
        })
    }

    pub(super) fn case(&self, step: usize) -> Result<Case, TransitionViolation> {
        self.engine.case(self.store, &self.case).map_err(|e| {
            self.violation(
                step,
                "the engine reads the case",
                "the engine loads the case from the store",
                e.to_string(),
            )
        })
    }

    pub(super) fn open(&mut self) -> Result<(), TransitionViolation> {
        let h = self.harness;
        let result = h.open(&self.engine, self.store, self.case.as_str());
        self.trace.push(format!(
            "0. open `{}` on {} as `{}` ({})",
            self.case, h.start, h.producer.id, h.producer.role
        ));
        match result {
            Ok(_) => self.after(0),
            Err(e) => Err(self.violation(
                0,
                "the case opens",
                "the producer opens the case",
                e.to_string(),
            )),
        }
    }

    fn resolve(&self, step: &Step, before: &Case) -> Resolved {
        let h = self.harness;
        let cycle = &h.cycle;
        let versioned = |cmd: Command, v: VersionCheck| match v {
            VersionCheck::Unchecked => cmd,
            VersionCheck::Current => cmd.expecting(before.version()),
            VersionCheck::Stale(n) => {
                cmd.expecting(before.version().saturating_sub(1 + u64::from(n)))
            }
        };
        let keyed = |cmd: Command, key: bool, i: usize| {
            if key {
                cmd.idempotency_key(format!("key-{i}"))
            } else {
                cmd
            }
        };
        let i = self.stats.steps;
        match step {
            Step::Guided { pick, version, key } => {
                let mut options: Vec<(Actor, TransitionId, bool)> = Vec::new();
                for actor in h.role_actors() {
                    for t in self.engine.available(before, &actor) {
                        let ends = cycle
                            .transition(&t)
                            .is_some_and(|tr| cycle.is_terminal(&tr.to));
                        options.push((actor.clone(), t, ends));
                    }
                }
                if pick % 128 != 0 && options.iter().any(|o| !o.2) {
                    options.retain(|o| !o.2);
                }
                if options.is_empty() {
                    return Resolved::Skip(format!(
                        "no actor may take a transition from `{}`",
                        before.state()
                    ));
                }
                let k = usize::from(*pick) % options.len();
                let Some((actor, t, _)) = options.get(k).cloned() else {
                    return Resolved::Skip("no transition picked".into());
                };
                let cmd = Command::take_with(self.case.clone(), actor, t, h.input.clone());
                Resolved::Command(
                    Box::new(keyed(versioned(cmd, *version), *key, i)),
                    Kind::Fresh,
                )
            }
            Step::Take {
                transition,
                actor,
                version,
                key,
            } => {
                let cmd = Command::take_with(
                    self.case.clone(),
                    actor.clone(),
                    transition.clone(),
                    h.input.clone(),
                );
                Resolved::Command(
                    Box::new(keyed(versioned(cmd, *version), *key, i)),
                    Kind::Fresh,
                )
            }
            Step::Retry { back } | Step::ReuseKey { back } => {
                if self.keyed.is_empty() {
                    return Resolved::Skip("no earlier command carried a key".into());
                }
                let k = self.keyed.len() - 1 - usize::from(*back) % self.keyed.len();
                let Some(original) = self.keyed.get(k) else {
                    return Resolved::Skip("no earlier command carried a key".into());
                };
                if matches!(step, Step::Retry { .. }) {
                    Resolved::Command(Box::new(original.command.clone()), Kind::Retry(k))
                } else {
                    let mut other = original.command.clone();
                    other.actor.id.push_str("-other");
                    Resolved::Command(Box::new(other), Kind::ReuseKey(k))
                }
            }
            Step::Constitute { members } => {
                let Some(stage) = cycle.evaluation_in(before.state()) else {
                    return Resolved::Skip(format!("no council sits in `{}`", before.state()));
                };
                let list = council_members(stage, u32::from(*members));
                Resolved::Command(
                    Box::new(Command::new(
                        self.case.clone(),
                        h.council_chair(stage),
                        Action::ConstituteCouncil {
                            evaluation: stage.id.clone(),
                            members: list,
                        },
                    )),
                    Kind::Fresh,
                )
            }
            Step::Submit { member, target } => {
                let Some(stage) = cycle.evaluation_in(before.state()) else {
                    return Resolved::Skip(format!("no council sits in `{}`", before.state()));
                };
                let Some(catalog) = &h.catalog else {
                    return Resolved::Skip("the harness was given no criteria catalog".into());
                };
                // Member `member` of those who have not submitted yet (modulo their number);
                // before the council is constituted, `council-m<member>` (refused).
                let council = before.council(&stage.id).filter(|c| c.is_constituted());
                let waiting: Vec<&CouncilMember> = council.map_or_else(Vec::new, |c| {
                    c.members()
                        .iter()
                        .filter(|m| c.sheet(&m.id).is_none())
                        .collect()
                });
                let role_of = |m: &CouncilMember| match (&stage.chair_role, m.chair) {
                    (Some(chair), true) => chair.clone(),
                    _ => stage.member_role.clone(),
                };
                let actor = match waiting.get(usize::from(*member) % waiting.len().max(1)) {
                    Some(m) => Actor::new(m.id.clone(), role_of(m)),
                    None => Actor::new(format!("council-m{member}"), stage.member_role.clone()),
                };
                // A sitting mostly agrees: later sheets follow the first one's level.
                let first = before
                    .council(&stage.id)
                    .and_then(|c| c.sheets().next().map(|s| s.total()));
                let level = match first {
                    Some(t) if *target > 0 => TARGETS
                        .iter()
                        .copied()
                        .min_by(|x, y| (x.0 - t).abs().total_cmp(&(y.0 - t).abs())),
                    _ => TARGETS.get(usize::from(*target) % TARGETS.len()).copied(),
                };
                let (total, stars) = level.unwrap_or((60.0, 3));
                Resolved::Command(
                    Box::new(Command::new(
                        self.case.clone(),
                        actor,
                        Action::SubmitSheet {
                            evaluation: stage.id.clone(),
                            sheet: scoring_sheet(catalog, total, stars),
                        },
                    )),
                    Kind::Fresh,
                )
            }
            Step::File { document, present } => {
                let kinds = documents(cycle);
                let Some(doc) = kinds.get(usize::from(*document) % kinds.len().max(1)) else {
                    return Resolved::Skip("the definition names no document".into());
                };
                let doc = DossierDocument {
                    present: *present,
                    ..doc.clone()
                };
                Resolved::Command(
                    Box::new(Command::new(
                        self.case.clone(),
                        h.producer.clone(),
                        Action::UpdateDossier {
                            documents: vec![doc],
                        },
                    )),
                    Kind::Fresh,
                )
            }
            Step::RecordFact { fact, value } => Resolved::Command(
                Box::new(Command::new(
                    self.case.clone(),
                    h.producer.clone(),
                    Action::RecordFacts {
                        facts: [(format!("fact-{}", fact % 4), *value)].into(),
                    },
                )),
                Kind::Fresh,
            ),
            Step::Wait { days } => Resolved::Tick(TickKind::Wait(*days)),
            Step::NextDeadline => Resolved::Tick(TickKind::NextDeadline),
        }
    }

    pub(super) fn step(&mut self, i: usize, step: &Step) -> Result<(), TransitionViolation> {
        self.stats.steps = i;
        let before = self.case(i)?;
        let history = self.load(i)?;
        match self.resolve(step, &before) {
            Resolved::Skip(why) => {
                self.stats.skipped += 1;
                self.trace.push(format!("{i}. {step:?}: skipped ({why})"));
                Ok(())
            }
            Resolved::Tick(kind) => self.tick(i, kind, &before, &history),
            Resolved::Command(cmd, kind) => self.command(i, &cmd, kind, &before, &history),
        }
    }

    /// The history's invariants (see [`CaseInvariants`]), checked after every step.
    pub(super) fn after(&mut self, i: usize) -> Result<(), TransitionViolation> {
        if let Err(mut v) = self.invariants.check(&self.engine, self.store) {
            v.step = i;
            v.trace.clone_from(&self.trace);
            return Err(v);
        }
        if let Some(last) = self.invariants.history().last() {
            self.stats.visit(&last.to);
            self.stats.version = last.seq;
        }
        Ok(())
    }
}
