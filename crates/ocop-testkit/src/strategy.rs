//! proptest strategies: definitions (valid, and with one injected defect), answer sheets for
//! a criteria catalog (valid, and each class of invalid input), actors with the roles of a
//! cycle, and command sequences ([`Step`]s) for the transition harness
//! ([`check_transitions`](crate::check_transitions)), which respect the rules or
//! deliberately break them.

use std::collections::BTreeMap;

use ocop_core::{Cycle, ids::TransitionId};
use ocop_core::{
    Definition, Label,
    definition::{
        Anchor, CouncilRules, Deadline, EvaluationStage, FromStates, Guard, PluginDecl, PluginKind,
        Role, Separation, State, StateKind, Transition,
    },
    diagnostic::Code,
    domain::{AnswerSheet, Level},
    plugin::CriteriaSheet,
};
use ocop_engine::Actor;
use proptest::prelude::*;

fn label(s: &str) -> Label {
    Label::new(format!("nhãn {s}"), format!("label {s}"))
}

fn state_id(i: usize) -> String {
    format!("s{i}")
}

const KINDS: [StateKind; 6] = [
    StateKind::Intake,
    StateKind::Review,
    StateKind::Evaluation,
    StateKind::Decision,
    StateKind::Certified,
    StateKind::Monitoring,
];

fn guard() -> impl Strategy<Value = Guard> {
    prop_oneof![
        4 => Just(("dossier_complete", BTreeMap::new())),
        2 => (1u64..6).prop_map(|n| ("min_stars", BTreeMap::from([("stars".to_owned(), serde_json::json!(n))]))),
        2 => Just(("min_score", BTreeMap::from([("min".to_owned(), serde_json::json!(50))]))),
    ]
    .prop_map(|(g, params)| Guard {
        guard: g.to_owned(),
        params,
    })
}

fn transition(
    id: String,
    from: String,
    to: String,
    roles: &[&str],
    guards: Vec<Guard>,
) -> Transition {
    Transition {
        id: id.into(),
        from: FromStates::One(from.into()),
        to: to.into(),
        label: label("t"),
        roles: roles.iter().map(|r| (*r).into()).collect(),
        guards,
        effects: vec![],
        basis: "test".into(),
    }
}

prop_compose! {
    /// A definition that validates by construction: a chain from the initial state to a
    /// terminal one, extra edges from non-terminal states, deadlines with internal timeout
    /// transitions, a council stage (and its plugin) for every evaluation state, and the
    /// producer separated from every council.
    pub fn definitions()(n in 2usize..9)(
        kinds in prop::collection::vec(prop::sample::select(KINDS.to_vec()), n - 1),
        extra in prop::collection::vec((0..n - 1, 0..n, prop::collection::vec(guard(), 0..2), any::<bool>()), 0..n * 2),
        deadlines in prop::collection::vec(prop::option::weighted(0.3, (1u32..30, any::<bool>())), n - 1),
        n in Just(n),
    ) -> Definition {
        let mut states: Vec<State> = (0..n).map(|i| State {
            id: state_id(i).into(),
            kind: kinds.get(i).copied().unwrap_or(StateKind::Terminal),
            owner: (i + 1 < n).then(|| if i == 0 { "producer".into() } else { "chair".into() }),
            label: label("s"),
            basis: "test".into(),
            deadline: None,
        }).collect();
        let mut transitions: Vec<Transition> = (0..n - 1)
            .map(|i| transition(format!("next{i}"), state_id(i), state_id(i + 1), &["producer", "chair"], vec![]))
            .collect();
        for (k, (from, to, guards, both)) in extra.into_iter().enumerate() {
            let roles: &[&str] = if both { &["producer", "chair"] } else { &["chair"] };
            transitions.push(transition(format!("extra{k}"), state_id(from), state_id(to), roles, guards));
        }
        for (i, d) in deadlines.into_iter().enumerate() {
            if let (Some((amount, working)), Some(s)) = (d, states.get_mut(i)) {
                let t = format!("timeout{i}");
                transitions.push(transition(t.clone(), state_id(i), state_id(i), &["system"], vec![]));
                s.deadline = Some(Deadline {
                    working_days: working.then_some(amount),
                    days: (!working).then_some(amount),
                    months: None,
                    from: Anchor::Entered,
                    since: None,
                    on_timeout: Some(t.into()),
                    basis: None,
                });
            }
        }
        let evaluations: Vec<EvaluationStage> = states
            .iter()
            .filter(|s| s.kind == StateKind::Evaluation)
            .map(|s| EvaluationStage {
                id: format!("council_{}", s.id).into(),
                state: s.id.clone(),
                level: Level::Province,
                member_role: "member".into(),
                chair_role: Some("chair".into()),
                plugin: Some("criteria".into()),
                substitute: None,
                aggregation: Default::default(),
                council: CouncilRules { quorum: 0.75, chair_required: false, min_members: 3, max_spread: Some(10.0), rounding: Default::default() },
                pass_threshold: 50.0,
                basis: "test".into(),
            })
            .collect();
        let plugins = if evaluations.is_empty() {
            vec![]
        } else {
            vec![PluginDecl { id: "criteria".into(), kind: PluginKind::Scoring, path: "x.wasm".into(), sha256: "a".repeat(64), config: BTreeMap::new(), runtime: Default::default(), fuel: None, memory_mib: None }]
        };
        Definition {
            format: 1,
            id: "generated".into(),
            version: "1".into(),
            label: label("d"),
            legal_basis: "test".into(),
            in_force_from: None,
            in_force_until: None,
            intake_until: None,
            validity_basis: None,
            calendar: "vn".into(),
            jurisdiction: None,
            initial: state_id(0).into(),
            roles: vec![
                Role { id: "producer".into(), level: Level::Producer, label: label("p") },
                Role { id: "chair".into(), level: Level::Province, label: label("c") },
                Role { id: "member".into(), level: Level::Province, label: label("m") },
            ],
            separation: vec![Separation { roles: vec!["producer".into(), "member".into()], reason: "test".into() }],
            evaluations,
            rounds: vec![],
            plugins,
            states,
            transitions,
        }
    }
}

/// One defect injected into a valid definition, and the diagnostic code it must produce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Defect {
    /// A transition's target misspelt.
    MisspelledTarget,
    /// A state defined twice.
    DuplicateState,
    /// A transition nobody may take.
    NoRoles,
    /// A transition leaving a terminal state.
    EdgeFromTerminal,
    /// A guard that does not exist.
    UnknownGuard,
    /// A guard parameter out of range.
    BadGuardParameter,
    /// The initial state misspelt.
    UnknownInitial,
    /// A state nothing enters.
    Orphan,
    /// A loop with no way out.
    Trap,
    /// A deadline firing a transition that leaves another state.
    TimeoutElsewhere,
}

impl Defect {
    /// The diagnostic code the validator must report for it.
    pub fn code(&self) -> Code {
        match self {
            Defect::MisspelledTarget => Code::UnknownState,
            Defect::DuplicateState => Code::DuplicateId,
            Defect::NoRoles => Code::TransitionWithoutRoles,
            Defect::EdgeFromTerminal => Code::TerminalWithOutgoing,
            Defect::UnknownGuard => Code::UnknownGuard,
            Defect::BadGuardParameter => Code::GuardParameter,
            Defect::UnknownInitial => Code::MissingInitialState,
            Defect::Orphan => Code::UnreachableState,
            Defect::Trap => Code::NoWayOut,
            Defect::TimeoutElsewhere => Code::TimeoutWrongSource,
        }
    }

    fn all() -> Vec<Defect> {
        vec![
            Defect::MisspelledTarget,
            Defect::DuplicateState,
            Defect::NoRoles,
            Defect::EdgeFromTerminal,
            Defect::UnknownGuard,
            Defect::BadGuardParameter,
            Defect::UnknownInitial,
            Defect::Orphan,
            Defect::Trap,
            Defect::TimeoutElsewhere,
        ]
    }

    /// Injects the defect into `def`; `k` picks where.
    pub fn inject(&self, def: &mut Definition, k: usize) {
        let nt = def.transitions.len().max(1);
        let ns = def.states.len();
        let non_terminal: Vec<String> = def
            .states
            .iter()
            .filter(|s| s.kind != StateKind::Terminal)
            .map(|s| s.id.to_string())
            .collect();
        let pick = |v: &[String]| {
            v.get(k % v.len().max(1))
                .cloned()
                .unwrap_or_else(|| "s0".into())
        };
        let terminal = def
            .states
            .iter()
            .find(|s| s.kind == StateKind::Terminal)
            .map(|s| s.id.to_string())
            .unwrap_or_default();
        let plain = |id: &str, from: String, to: String| {
            transition(id.into(), from, to, &["chair"], vec![])
        };
        let extra_state = |id: &str| State {
            id: id.into(),
            kind: StateKind::Review,
            owner: Some("chair".into()),
            label: label(id),
            basis: "test".into(),
            deadline: None,
        };
        match self {
            Defect::MisspelledTarget => {
                if let Some(t) = def.transitions.get_mut(k % nt) {
                    t.to = "s_typo".into();
                }
            }
            Defect::DuplicateState => {
                if let Some(s) = def.states.get(k % ns.max(1)).cloned() {
                    def.states.push(s);
                }
            }
            Defect::NoRoles => {
                if let Some(t) = def.transitions.get_mut(k % nt) {
                    t.roles.clear();
                }
            }
            Defect::EdgeFromTerminal => {
                def.transitions.push(plain("reopen", terminal, "s0".into()))
            }
            Defect::UnknownGuard => {
                if let Some(t) = def.transitions.get_mut(k % nt) {
                    t.guards.push(Guard {
                        guard: "no_such_guard".into(),
                        params: BTreeMap::new(),
                    });
                }
            }
            Defect::BadGuardParameter => {
                if let Some(t) = def.transitions.get_mut(k % nt) {
                    t.guards.push(Guard {
                        guard: "min_stars".into(),
                        params: BTreeMap::from([("stars".into(), serde_json::json!(9))]),
                    });
                }
            }
            Defect::UnknownInitial => def.initial = "nowhere".into(),
            Defect::Orphan => def.states.push(extra_state("orphan")),
            Defect::Trap => {
                let from = pick(&non_terminal);
                def.states.push(extra_state("trap_a"));
                def.states.push(extra_state("trap_b"));
                def.transitions
                    .push(plain("into_trap", from, "trap_a".into()));
                def.transitions
                    .push(plain("trap_ab", "trap_a".into(), "trap_b".into()));
                def.transitions
                    .push(plain("trap_ba", "trap_b".into(), "trap_a".into()));
            }
            Defect::TimeoutElsewhere => {
                // A side state with its own way out; the deadline of `here` names that way
                // out, which does not leave `here`.
                let here = pick(&non_terminal);
                def.states.push(extra_state("aside"));
                def.transitions
                    .push(plain("into_aside", here.clone(), "aside".into()));
                def.transitions
                    .push(plain("aside_out", "aside".into(), terminal));
                if let Some(s) = def.states.iter_mut().find(|s| s.id.as_str() == here) {
                    s.deadline = Some(Deadline {
                        working_days: Some(5),
                        days: None,
                        months: None,
                        from: Anchor::Entered,
                        since: None,
                        on_timeout: Some("aside_out".into()),
                        basis: None,
                    });
                }
            }
        }
    }
}

/// A valid definition with exactly one defect injected, and the defect.
pub fn near_valid_definitions() -> impl Strategy<Value = (Definition, Defect)> {
    (
        definitions(),
        prop::sample::select(Defect::all()),
        any::<usize>(),
    )
        .prop_map(|(mut def, defect, k)| {
            defect.inject(&mut def, k);
            (def, defect)
        })
}

/// Valid answer sheets for `catalog`: a branch when it has branches, an option for every
/// criterion that applies, each fact true or (less often) false.
pub fn answer_sheets(catalog: CriteriaSheet) -> impl Strategy<Value = AnswerSheet> {
    let branches: Vec<u8> = if catalog.branches.is_empty() {
        vec![0]
    } else {
        catalog.branches.iter().map(|b| b.number).collect()
    };
    let picks = prop::collection::vec(any::<prop::sample::Index>(), catalog.criteria.len().max(1));
    let facts = prop::collection::vec(prop::bool::weighted(0.9), catalog.facts().len().max(1));
    (prop::sample::select(branches), picks, facts).prop_map(move |(branch, picks, facts)| {
        let mut sheet = catalog.template((branch != 0).then_some(branch));
        for (c, pick) in catalog.criteria.iter().zip(&picks) {
            if let Some(a) = sheet.answers.get_mut(&c.id) {
                *a = pick.index(c.options.len()) as u32;
            }
        }
        for (v, f) in sheet.facts.values_mut().zip(&facts) {
            *v = *f;
        }
        sheet
    })
}

/// A class of invalid answer sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidSheet {
    /// An option index past the criterion's options.
    OptionOutOfRange,
    /// A criterion left unanswered.
    Unanswered,
    /// An answer to a criterion the sheet does not have.
    UnknownCriterion,
    /// A sheet with alternative cases that leaves a section without one (set 26).
    MissingBranch,
}

/// Invalid answer sheets for `catalog`, each with its class; a conforming plugin refuses
/// every one cleanly.
pub fn invalid_answer_sheets(
    catalog: CriteriaSheet,
) -> impl Strategy<Value = (InvalidSheet, AnswerSheet)> {
    let mut classes = vec![
        InvalidSheet::OptionOutOfRange,
        InvalidSheet::Unanswered,
        InvalidSheet::UnknownCriterion,
    ];
    if !catalog.branches.is_empty() {
        classes.push(InvalidSheet::MissingBranch);
    }
    let n = catalog.criteria.len().max(1);
    (
        answer_sheets(catalog.clone()),
        prop::sample::select(classes),
        0..n,
    )
        .prop_map(move |(mut sheet, class, k)| {
            let applicable: Vec<_> = catalog
                .criteria
                .iter()
                .filter(|c| sheet.answers.contains_key(&c.id))
                .collect();
            let target = applicable.get(k % applicable.len().max(1)).copied();
            match (class, target) {
                (InvalidSheet::OptionOutOfRange, Some(c)) => {
                    sheet
                        .answers
                        .insert(c.id.clone(), c.options.len() as u32 + (k as u32 % 3));
                }
                (InvalidSheet::Unanswered, Some(c)) => {
                    sheet.answers.remove(&c.id);
                }
                (InvalidSheet::MissingBranch, _) => {
                    // No `branch`, and no case answered in the first section that offers
                    // alternatives (each section chooses its case by what it answers).
                    sheet.branch = None;
                    if let Some((section, _)) = catalog.alternatives().first() {
                        for c in catalog
                            .criteria
                            .iter()
                            .filter(|c| c.section == *section && c.branch.is_some())
                        {
                            sheet.answers.remove(&c.id);
                        }
                    }
                }
                _ => {
                    sheet.answers.insert("no-such-criterion".into(), 0);
                }
            }
            (class, sheet)
        })
}

/// Actors for `cycle`: an id from a small pool (so that one person sometimes claims two
/// roles and meets separation of duties) and, mostly, a role of the definition; now and
/// then the reserved `system` role or a role the definition does not declare. Most of them
/// lack the role a given transition needs.
///
/// # Examples
/// ```
/// use ocop_testkit::strategy::actors;
/// use proptest::strategy::{Strategy, ValueTree};
/// # let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
/// let cycle = ocop_testkit::load_definition("national-2026.toml", &text).unwrap();
/// let mut runner = proptest::test_runner::TestRunner::deterministic();
/// let actor = actors(&cycle).new_tree(&mut runner).unwrap().current();
/// assert!(!actor.id.is_empty());
/// ```
pub fn actors(cycle: &Cycle) -> impl Strategy<Value = Actor> + use<> {
    let mut roles: Vec<String> = cycle
        .definition()
        .roles
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    if roles.is_empty() {
        roles.push("nobody".into());
    }
    let ids = vec![
        "a0".to_owned(),
        "a1".to_owned(),
        "a2".to_owned(),
        "producer-1".to_owned(),
        "council-m1".to_owned(),
    ];
    let role = prop_oneof![
        12 => prop::sample::select(roles),
        1 => Just(ocop_core::definition::SYSTEM_ROLE.to_owned()),
        1 => Just("not_a_role".to_owned()),
    ];
    (prop::sample::select(ids), role).prop_map(|(id, role)| Actor::new(id, role.as_str()))
}

/// Whether a generated sequence keeps to the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rules {
    /// Steps an honest integrator would send: transitions some actor may take now, council
    /// work, filing documents, waiting, retries of earlier commands with their key.
    Respect,
    /// Those, plus any transition of the definition taken by any actor (most of them
    /// unavailable, or by an actor lacking the role), stale expected versions and
    /// idempotency keys reused for another command. The engine must refuse these cleanly.
    Break,
}

/// Which case version a command says it saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionCheck {
    /// No expected version: the command applies to whatever the case is.
    Unchecked,
    /// The case's current version.
    Current,
    /// A version `n + 1` behind the current one: the command must fail with a conflict.
    Stale(u8),
}

/// One abstract step of a command sequence. Steps name what to do, not the exact command:
/// the harness resolves them against the case as it is when the step runs, so a sequence
/// stays meaningful while proptest shrinks it. A step that cannot apply (no council sits,
/// nothing to retry) is skipped and says so in the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Take one of the transitions some actor of the definition may take now (chosen by
    /// `pick` among them), as an actor holding its role.
    Guided {
        /// Which of the available transitions (modulo their number). Transitions that end
        /// the case are mostly passed over, so that walks go deep.
        pick: u16,
        /// The expected version the command carries.
        version: VersionCheck,
        /// Whether the command carries an idempotency key.
        key: bool,
    },
    /// Take `transition` as `actor`, whether or not the transition leaves the case's state
    /// and the actor holds its role.
    Take {
        /// The transition.
        transition: TransitionId,
        /// Who asks.
        actor: Actor,
        /// The expected version the command carries.
        version: VersionCheck,
        /// Whether the command carries an idempotency key.
        key: bool,
    },
    /// Send again, unchanged, the `back`-th most recent command that carried a key (modulo
    /// their number). If it was accepted, the engine must answer with the same events and
    /// append nothing.
    Retry {
        /// Which earlier keyed command, counting back from the latest.
        back: u8,
    },
    /// Send another command (the same with another actor id) under the key of an earlier
    /// one: if that key is recorded, the engine must refuse it.
    ReuseKey {
        /// Which earlier keyed command, counting back from the latest.
        back: u8,
    },
    /// The chair names a council of `members` members (and itself) for the stage sitting in
    /// the case's state.
    Constitute {
        /// How many members besides the chair.
        members: u8,
    },
    /// A council member who has not submitted yet submits a sheet scoring about one of 40,
    /// 60, 80 or 95 points (`target` modulo 4; later sheets mostly follow the first one's
    /// level, as a sitting mostly agrees).
    Submit {
        /// Which of the members still to submit (modulo their number).
        member: u8,
        /// Which level.
        target: u8,
    },
    /// The producer files one of the case's documents (`document` modulo their kinds:
    /// forms 01 and 02 and those the definition's `has_document` guards ask for), present
    /// or missing. A missing document leaves the dossier incomplete, and the guards on it
    /// must refuse.
    File {
        /// Which kind of document (modulo their number).
        document: u8,
        /// Whether the document is present.
        present: bool,
    },
    /// The producer records the fact `fact-<fact>` (`fact` modulo 4) as `value`. Facts feed
    /// guard plugins; to the engine's invariants, recording one changes no state.
    RecordFact {
        /// Which fact.
        fact: u8,
        /// Its value.
        value: bool,
    },
    /// Time passes and the engine ticks.
    Wait {
        /// Days.
        days: u16,
    },
    /// The clock jumps to the first day the case's pending deadline fires, and the engine
    /// ticks (as [`advance_to_next_deadline`](crate::time::advance_to_next_deadline) does
    /// for a whole store).
    NextDeadline,
}

fn version_check(rules: Rules) -> BoxedStrategy<VersionCheck> {
    match rules {
        Rules::Respect => prop_oneof![
            3 => Just(VersionCheck::Unchecked),
            2 => Just(VersionCheck::Current),
        ]
        .boxed(),
        Rules::Break => prop_oneof![
            3 => Just(VersionCheck::Unchecked),
            2 => Just(VersionCheck::Current),
            1 => (0u8..3).prop_map(VersionCheck::Stale),
        ]
        .boxed(),
    }
}

/// Single steps for `cycle` under `rules` (see [`command_sequences`]).
///
/// # Examples
/// ```
/// use ocop_testkit::strategy::{Rules, Step, steps};
/// use proptest::strategy::{Strategy, ValueTree};
/// # let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
/// let cycle = ocop_testkit::load_definition("national-2026.toml", &text).unwrap();
/// let mut runner = proptest::test_runner::TestRunner::deterministic();
/// let step = steps(&cycle, Rules::Respect).new_tree(&mut runner).unwrap().current();
/// assert!(!matches!(step, Step::Take { .. } | Step::ReuseKey { .. }));
/// ```
pub fn steps(cycle: &Cycle, rules: Rules) -> BoxedStrategy<Step> {
    let guided = (0u16..256, version_check(rules), any::<bool>())
        .prop_map(|(pick, version, key)| Step::Guided { pick, version, key });
    let fewest = match rules {
        Rules::Respect => 5u8,
        Rules::Break => 1u8,
    };
    let constitute = (fewest..8).prop_map(|members| Step::Constitute { members });
    let submit = (0u8..8, 0u8..4).prop_map(|(member, target)| Step::Submit { member, target });
    let retry = (0u8..4).prop_map(|back| Step::Retry { back });
    match rules {
        Rules::Respect => prop_oneof![
            10 => guided,
            3 => constitute,
            6 => submit,
            2 => retry,
            1 => (0u8..8).prop_map(|document| Step::File { document, present: true }),
            1 => (1u16..60).prop_map(|days| Step::Wait { days }),
            1 => Just(Step::NextDeadline),
        ]
        .boxed(),
        Rules::Break => {
            let mut ids: Vec<TransitionId> = cycle.transitions().map(|t| t.id.clone()).collect();
            if ids.is_empty() {
                ids.push("no_such_transition".into());
            }
            ids.push("no_such_transition".into());
            let take = (
                prop::sample::select(ids),
                actors(cycle),
                version_check(rules),
                any::<bool>(),
            )
                .prop_map(|(transition, actor, version, key)| Step::Take {
                    transition,
                    actor,
                    version,
                    key,
                });
            prop_oneof![
                8 => guided,
                6 => take,
                2 => constitute,
                5 => submit,
                2 => retry,
                1 => (0u8..4).prop_map(|back| Step::ReuseKey { back }),
                1 => (0u8..8, any::<bool>())
                    .prop_map(|(document, present)| Step::File { document, present }),
                1 => (0u8..4, any::<bool>()).prop_map(|(fact, value)| Step::RecordFact { fact, value }),
                1 => (1u16..400).prop_map(|days| Step::Wait { days }),
                1 => Just(Step::NextDeadline),
            ]
            .boxed()
        }
    }
}

/// Command sequences of 1 to 60 steps for `cycle`, respecting or deliberately breaking
/// the rules. proptest shrinks a failing sequence by dropping and simplifying steps, so a
/// violation found by [`check_transitions`](crate::check_transitions) comes out as a
/// minimal failing sequence.
///
/// # Examples
/// ```
/// use ocop_testkit::strategy::{Rules, command_sequences};
/// use proptest::strategy::{Strategy, ValueTree};
/// # let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
/// let cycle = ocop_testkit::load_definition("national-2026.toml", &text).unwrap();
/// let mut runner = proptest::test_runner::TestRunner::deterministic();
/// let seq = command_sequences(&cycle, Rules::Break).new_tree(&mut runner).unwrap().current();
/// assert!((1..=60).contains(&seq.len()));
/// ```
pub fn command_sequences(cycle: &Cycle, rules: Rules) -> BoxedStrategy<Vec<Step>> {
    prop::collection::vec(steps(cycle, rules), 1..=60).boxed()
}
