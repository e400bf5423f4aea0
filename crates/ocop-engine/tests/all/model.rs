//! Model-based test: a hand-written reference model of a small cycle against the engine,
//! compared after every command (proptest-state-machine); the testkit's
//! [`CaseInvariants`] check the stored history after every command too.

use std::collections::{BTreeMap, BTreeSet};

use ocop_core::domain::{DossierDocument, RegistrationType};
use ocop_engine::{
    Action, CaseId, Command, Engine, EngineBuilder, ManualClock, MemoryStore, Timestamp,
};
use ocop_testkit::CaseInvariants;
use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};

use crate::support::*;

/// The small cycle the reference model mirrors.
const MODEL: &str = include_str!("model.toml");

const TRANSITIONS: [&str; 8] = [
    "submit",
    "review_overdue",
    "note",
    "return",
    "forward",
    "approve",
    "reject",
    "withdraw",
];
const ACTORS: [&str; 3] = ["ana", "bao", "chi"];
const ROLES: [&str; 4] = ["producer", "officer", "chair", "system"];
const KINDS: [&str; 2] = ["form_01", "form_02"];

#[derive(Clone, Debug)]
enum Step {
    Take { t: usize, actor: usize, role: usize },
    File { kind: usize, present: bool },
    Wait { days: u8 },
}

#[derive(Clone, Debug)]
struct Model {
    state: &'static str,
    version: u64,
    docs: BTreeMap<&'static str, bool>,
    today: i64,
    entered: i64,
    fired: bool,
    acted: BTreeMap<&'static str, BTreeSet<&'static str>>,
    /// Whether the engine should accept the last step (`None` for waits).
    expect_ok: Option<bool>,
}

impl Model {
    fn edge(t: &str) -> (&'static [&'static str], &'static str, &'static str) {
        match t {
            "submit" => (&["draft"], "review", "producer"),
            "review_overdue" => (&["review"], "review", "system"),
            "note" => (&["review"], "review", "officer"),
            "return" => (&["review"], "draft", "officer"),
            "forward" => (&["review"], "decision", "officer"),
            "approve" => (&["decision"], "done", "chair"),
            "reject" => (&["decision"], "dropped", "chair"),
            _ => (&["draft", "review"], "dropped", "producer"),
        }
    }

    fn terminal(&self) -> bool {
        matches!(self.state, "done" | "dropped")
    }

    fn take(&mut self, t: &'static str, actor: &'static str, role: &'static str) -> bool {
        let (from, to, needed) = Model::edge(t);
        if self.terminal() || role == "system" || !from.contains(&self.state) || role != needed {
            return false;
        }
        let held = self.acted.get(actor);
        let other = match role {
            "officer" => Some("chair"),
            "chair" => Some("officer"),
            _ => None,
        };
        if other.is_some_and(|o| held.is_some_and(|h| h.contains(o))) {
            return false;
        }
        let guard = match t {
            "submit" => self.docs.get("form_01") == Some(&true),
            "forward" => !self.docs.is_empty() && self.docs.values().all(|p| *p),
            _ => true,
        };
        if !guard {
            return false;
        }
        self.acted.entry(actor).or_default().insert(role);
        self.version += 1;
        if to != self.state {
            self.state = to;
            self.entered = self.today;
            self.fired = false;
        }
        true
    }
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model {
            state: "draft",
            version: 1,
            docs: BTreeMap::new(),
            today: 0,
            entered: 0,
            fired: false,
            acted: BTreeMap::from([("ana", BTreeSet::from(["producer"]))]),
            expect_ok: Some(true),
        })
        .boxed()
    }

    fn transitions(m: &Model) -> BoxedStrategy<Step> {
        // Mostly steps that fit the state, so that sequences get deep into the cycle.
        let fitting: Vec<(usize, usize)> = TRANSITIONS
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                Model::edge(t).0.contains(&m.state) && !matches!(**t, "withdraw" | "reject")
            })
            .map(|(i, t)| {
                let role = ROLES
                    .iter()
                    .position(|r| *r == Model::edge(t).2)
                    .unwrap_or(0);
                (i, role)
            })
            .collect();
        let guided = if fitting.is_empty() {
            Just(Step::Wait { days: 1 }).boxed()
        } else {
            (proptest::sample::select(fitting), 0..ACTORS.len())
                .prop_map(|((t, role), actor)| Step::Take { t, actor, role })
                .boxed()
        };
        prop_oneof![
            4 => guided,
            3 => (0..TRANSITIONS.len(), 0..ACTORS.len(), 0..ROLES.len())
                .prop_map(|(t, actor, role)| Step::Take { t, actor, role }),
            2 => (0..KINDS.len(), any::<bool>()).prop_map(|(kind, present)| Step::File { kind, present }),
            1 => (1u8..8).prop_map(|days| Step::Wait { days }),
        ]
        .boxed()
    }

    fn apply(mut m: Model, step: &Step) -> Model {
        match step {
            Step::Take { t, actor, role } => {
                let ok = m.take(TRANSITIONS[*t], ACTORS[*actor], ROLES[*role]);
                m.expect_ok = Some(ok);
            }
            Step::File { kind, present } => {
                // The producer files; refused once the case has ended.
                let ok = !m.terminal();
                if ok {
                    m.docs.insert(KINDS[*kind], *present);
                    m.version += 1;
                }
                m.expect_ok = Some(ok);
            }
            Step::Wait { days } => {
                m.today += i64::from(*days);
                // Ten calendar days, the last rolled off a weekend or day off (Civil Code
                // Art. 148(5)).
                let due = ocop_engine::Calendar::vietnam()
                    .roll_forward(d(START).add_days(m.entered + 10))
                    .unwrap();
                if m.state == "review" && !m.fired && d(START).add_days(m.today) > due {
                    m.fired = true;
                    m.version += 2;
                }
                m.expect_ok = None;
            }
        }
        m
    }
}

struct Sut {
    engine: Engine,
    store: MemoryStore,
    clock: ManualClock,
    invariants: CaseInvariants,
}

impl Sut {
    /// The engine's invariants on the stored history since the last check.
    fn check(&mut self) {
        if let Err(v) = self.invariants.check(&self.engine, &self.store) {
            panic!("{v}");
        }
    }
}

const START: &str = "2026-01-05";

impl StateMachineTest for Sut {
    type SystemUnderTest = Sut;
    type Reference = Reference;

    fn init_test(_: &Model) -> Sut {
        let cycle = ocop_core::load_definition("model.toml", MODEL).unwrap();
        let clock = ManualClock::on(d(START));
        let engine = EngineBuilder::new(cycle)
            .clock(clock.clone())
            .build()
            .unwrap();
        let store = MemoryStore::new();
        let mut open = open("m");
        open.documents.clear();
        open.registration = RegistrationType::First;
        engine
            .execute(&store, &Command::open("m", a("ana", "producer"), open))
            .unwrap();
        let invariants = CaseInvariants::new(engine.cycle(), "m");
        let mut sut = Sut {
            engine,
            store,
            clock,
            invariants,
        };
        sut.check();
        sut
    }

    fn apply(mut sut: Sut, m: &Model, step: Step) -> Sut {
        let result = match &step {
            Step::Take { t, actor, role } => Some(sut.engine.execute(
                &sut.store,
                &Command::take("m", a(ACTORS[*actor], ROLES[*role]), TRANSITIONS[*t]),
            )),
            Step::File { kind, present } => Some(sut.engine.execute(
                &sut.store,
                &Command::new(
                    "m",
                    a("ana", "producer"),
                    Action::UpdateDossier {
                        documents: vec![DossierDocument {
                            kind: KINDS[*kind].into(),
                            present: *present,
                            valid_until: None,
                        }],
                    },
                ),
            )),
            Step::Wait { days } => {
                sut.clock.advance_days(i64::from(*days));
                let now: Timestamp = ocop_engine::Clock::now(&sut.clock);
                let report = sut.engine.tick(&sut.store, now).unwrap();
                assert!(report.failed.is_empty());
                None
            }
        };
        if std::env::var("MODEL_DEBUG").is_ok() {
            eprintln!(
                "{step:?} -> {:?} model {:?}",
                result
                    .as_ref()
                    .map(|r| r.as_ref().map(|e| e.len()).map_err(|e| e.to_string())),
                m.expect_ok
            );
        }
        if let (Some(result), Some(expect)) = (result, m.expect_ok) {
            assert_eq!(result.is_ok(), expect, "{step:?}: engine said {result:?}");
        }
        let case = sut.engine.case(&sut.store, &CaseId::new("m")).unwrap();
        assert_eq!(case.state().as_str(), m.state, "{step:?}");
        assert_eq!(case.version(), m.version, "{step:?}");
        assert_eq!(case.entered_on(), d(START).add_days(m.entered), "{step:?}");
        sut.check();
        sut
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
    #[test]
    fn engine_matches_the_reference_model(sequential 1..50 => Sut);
}
