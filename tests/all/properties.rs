//! Properties of the loader and validator over generated definitions.

use std::collections::BTreeMap;

use ocop_core::{
    Cycle, Definition, Label, check_definition,
    definition::{
        Anchor, CouncilRules, Deadline, EvaluationStage, FromStates, Guard, PluginDecl, PluginKind,
        Role, State, StateKind, Transition,
    },
    domain::Level,
    validate,
};
use petgraph::algo::has_path_connecting;
use petgraph::graph::DiGraph;
use proptest::prelude::*;

const KINDS: [StateKind; 7] = [
    StateKind::Intake,
    StateKind::Review,
    StateKind::Evaluation,
    StateKind::Decision,
    StateKind::Certified,
    StateKind::Monitoring,
    StateKind::Terminal,
];

fn label(s: &str) -> Label {
    Label::new(format!("nhãn {s}"), format!("label {s}"))
}

fn state_id(i: usize) -> String {
    format!("s{i}")
}

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

/// One way to break a definition, or none.
#[derive(Clone, Debug)]
enum Defect {
    None,
    MisspellTarget(usize),
    DuplicateState(usize),
    DropRoles(usize),
    EdgeFromTerminal,
    UnknownGuard(usize),
    BadGuardParam(usize),
    UnknownInitial,
    OrphanState,
    TrapLoop(usize),
    TimeoutElsewhere(usize),
    NoPlugin,
}

fn defect() -> impl Strategy<Value = Defect> {
    prop_oneof![
        8 => Just(Defect::None),
        1 => (0usize..50).prop_map(Defect::MisspellTarget),
        1 => (0usize..50).prop_map(Defect::DuplicateState),
        1 => (0usize..50).prop_map(Defect::DropRoles),
        1 => Just(Defect::EdgeFromTerminal),
        1 => (0usize..50).prop_map(Defect::UnknownGuard),
        1 => (0usize..50).prop_map(Defect::BadGuardParam),
        1 => Just(Defect::UnknownInitial),
        1 => Just(Defect::OrphanState),
        1 => (0usize..50).prop_map(Defect::TrapLoop),
        1 => (0usize..50).prop_map(Defect::TimeoutElsewhere),
        1 => Just(Defect::NoPlugin),
    ]
}

fn transition(
    id: String,
    from: Vec<String>,
    to: String,
    roles: Vec<&str>,
    guards: Vec<Guard>,
) -> Transition {
    Transition {
        id: id.into(),
        from: if from.len() == 1 {
            FromStates::One(from[0].clone().into())
        } else {
            FromStates::Many(from.into_iter().map(Into::into).collect())
        },
        to: to.into(),
        label: label("t"),
        roles: roles.into_iter().map(Into::into).collect(),
        guards,
        effects: vec![],
        basis: "test".into(),
    }
}

prop_compose! {
    /// A definition built to be valid (a chain from the initial state to a terminal one,
    /// extra edges, deadlines with their timeouts, a stage per evaluation state), then
    /// broken in at most one way.
    fn definition()(n in 2usize..9)(
        kinds in prop::collection::vec(prop::sample::select(KINDS[..6].to_vec()), n - 1),
        extra in prop::collection::vec((0..n - 1, 0..n, prop::collection::vec(guard(), 0..2), any::<bool>()), 0..n * 2),
        deadlines in prop::collection::vec(prop::option::weighted(0.3, (1u32..30, any::<bool>())), n - 1),
        extra_terminal in any::<bool>(),
        defect in defect(),
        n in Just(n),
    ) -> Definition {
        let mut states: Vec<State> = (0..n).map(|i| State {
            id: state_id(i).into(),
            kind: kinds.get(i).copied().unwrap_or(StateKind::Terminal),
            owner: if i + 1 < n { Some("chair".into()) } else { None },
            label: label("s"),
            basis: "test".into(),
            deadline: None,
        }).collect();
        if extra_terminal {
            states.push(State { id: "end".into(), kind: StateKind::Terminal, owner: None, label: label("end"), basis: "test".into(), deadline: None });
        }
        let mut transitions: Vec<Transition> = (0..n - 1)
            .map(|i| transition(format!("next{i}"), vec![state_id(i)], state_id(i + 1), vec!["producer"], vec![]))
            .collect();
        for (k, (from, to, guards, two_roles)) in extra.into_iter().enumerate() {
            let roles = if two_roles { vec!["producer", "chair"] } else { vec!["chair"] };
            let to = if extra_terminal && to == 0 { "end".to_owned() } else { state_id(to) };
            transitions.push(transition(format!("extra{k}"), vec![state_id(from)], to, roles, guards));
        }
        for (i, d) in deadlines.into_iter().enumerate() {
            if let Some((amount, working)) = d {
                let t = format!("timeout{i}");
                transitions.push(transition(t.clone(), vec![state_id(i)], state_id(i), vec!["system"], vec![]));
                if let Some(s) = states.get_mut(i) {
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
        }
        let mut evaluations: Vec<EvaluationStage> = states.iter().filter(|s| s.kind == StateKind::Evaluation).map(|s| EvaluationStage {
            id: format!("council_{}", s.id).into(),
            state: s.id.clone(),
            level: Level::Province,
            member_role: "chair".into(),
            chair_role: None,
            plugin: Some("criteria".into()),
            substitute: None,
            aggregation: Default::default(),
            council: CouncilRules { quorum: 0.75, chair_required: false, min_members: 3, max_spread: Some(10.0), rounding: Default::default() },
            pass_threshold: 50.0,
            basis: "test".into(),
        }).collect();
        let mut plugins = vec![PluginDecl { id: "criteria".into(), kind: PluginKind::Scoring, path: "x.wasm".into(), sha256: "a".repeat(64), config: BTreeMap::new(), runtime: Default::default(), fuel: None, memory_mib: None }];
        if evaluations.is_empty() {
            plugins.clear();
        }
        let mut initial = state_id(0);
        let nt = transitions.len();
        match defect {
            Defect::None => {}
            Defect::MisspellTarget(k) => { if let Some(t) = transitions.get_mut(k % nt) { t.to = "s_typo".into(); } }
            Defect::DuplicateState(k) => { let dup = states[k % states.len()].clone(); states.push(dup); }
            Defect::DropRoles(k) => { if let Some(t) = transitions.get_mut(k % nt) { t.roles.clear(); } }
            Defect::EdgeFromTerminal => transitions.push(transition("reopen".into(), vec![state_id(n - 1)], state_id(0), vec!["chair"], vec![])),
            Defect::UnknownGuard(k) => { if let Some(t) = transitions.get_mut(k % nt) { t.guards.push(Guard { guard: "no_such_guard".into(), params: BTreeMap::new() }); } }
            Defect::BadGuardParam(k) => { if let Some(t) = transitions.get_mut(k % nt) { t.guards.push(Guard { guard: "min_stars".into(), params: BTreeMap::from([("stars".into(), serde_json::json!(9))]) }); } }
            Defect::UnknownInitial => initial = "nowhere".into(),
            Defect::OrphanState => states.push(State { id: "orphan".into(), kind: StateKind::Review, owner: Some("chair".into()), label: label("o"), basis: "test".into(), deadline: None }),
            Defect::TrapLoop(k) => {
                let from = state_id(k % (n - 1));
                states.push(State { id: "trap_a".into(), kind: StateKind::Review, owner: Some("chair".into()), label: label("a"), basis: "test".into(), deadline: None });
                states.push(State { id: "trap_b".into(), kind: StateKind::Review, owner: Some("chair".into()), label: label("b"), basis: "test".into(), deadline: None });
                transitions.push(transition("into_trap".into(), vec![from], "trap_a".into(), vec!["chair"], vec![]));
                transitions.push(transition("trap_ab".into(), vec!["trap_a".into()], "trap_b".into(), vec!["chair"], vec![]));
                transitions.push(transition("trap_ba".into(), vec!["trap_b".into()], "trap_a".into(), vec!["chair"], vec![]));
            }
            Defect::TimeoutElsewhere(k) => {
                let i = k % (n - 1);
                if let Some(s) = states.get_mut(i) {
                    s.deadline = Some(Deadline { working_days: Some(5), days: None, months: None, from: Anchor::Entered, since: None, on_timeout: Some(format!("next{}", (i + 1) % (n - 1)).into()), basis: None });
                }
            }
            Defect::NoPlugin => { for e in &mut evaluations { e.plugin = None; } }
        }
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
            initial: initial.into(),
            roles: vec![
                Role { id: "producer".into(), level: Level::Producer, label: label("p") },
                Role { id: "chair".into(), level: Level::Province, label: label("c") },
            ],
            separation: vec![],
            evaluations,
            rounds: vec![],
            plugins,
            states,
            transitions,
        }
    }
}

/// Independent check of the graph invariants with petgraph's own algorithms.
fn assert_graph_sound(def: &Definition) {
    let mut g = DiGraph::<(), ()>::new();
    let nodes: BTreeMap<&str, _> = def
        .states
        .iter()
        .map(|s| (s.id.as_str(), g.add_node(())))
        .collect();
    for t in &def.transitions {
        for f in t.from.as_slice() {
            g.add_edge(nodes[f.as_str()], nodes[t.to.as_str()], ());
        }
    }
    let start = nodes[def.initial.as_str()];
    let terminals: Vec<_> = def
        .states
        .iter()
        .filter(|s| s.kind == StateKind::Terminal)
        .map(|s| nodes[s.id.as_str()])
        .collect();
    for s in &def.states {
        let n = nodes[s.id.as_str()];
        assert!(
            has_path_connecting(&g, start, n, None),
            "`{}` unreachable but accepted",
            s.id
        );
        assert!(
            terminals
                .iter()
                .any(|&t| has_path_connecting(&g, n, t, None)),
            "no terminal from `{}` but accepted",
            s.id
        );
        if s.kind == StateKind::Terminal {
            assert_eq!(
                g.neighbors(n).count(),
                0,
                "terminal `{}` has outgoing edges",
                s.id
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn accepted_definitions_are_sound(def in definition()) {
        let findings = validate(&def);
        if let Ok(cycle) = Cycle::new(def.clone()) {
            assert_graph_sound(&def);
            prop_assert_eq!(cycle.states().count(), def.states.len());
            for s in cycle.states() {
                for t in cycle.outgoing(&s.id) {
                    prop_assert!(cycle.leaves(&t.id, &s.id));
                    prop_assert!(cycle.state(&t.to).is_some());
                }
            }
        } else {
            prop_assert!(findings.iter().any(|d| d.severity == ocop_core::diagnostic::Severity::Error));
        }
    }

    #[test]
    fn serialise_then_parse_is_the_identity(def in definition()) {
        let text = toml::to_string(&def).unwrap();
        let (back, _) = ocop_core::parse_definition("gen.toml", &text).unwrap();
        prop_assert_eq!(&back, &def);
        let json = serde_json::to_string_pretty(&def).unwrap();
        let (back, _) = ocop_core::parse_definition("gen.json", &json).unwrap();
        prop_assert_eq!(&back, &def);
        // and the located report is the same finding set either way
        let a: Vec<_> = check_definition("gen.toml", &text).diagnostics.into_iter().map(|d| (d.code, d.path)).collect();
        let b: Vec<_> = check_definition("gen.json", &json).diagnostics.into_iter().map(|d| (d.code, d.path)).collect();
        let (mut a, mut b) = (a, b);
        a.sort();
        b.sort();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn checking_arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = check_definition("any.toml", &text);
        let _ = check_definition("any.json", &text);
    }

    #[test]
    fn checking_mutated_shipped_definitions_never_panics(cut in 0usize..30000, insert in "[a-z\\[\\]{}=\"\\n ,.]{0,12}") {
        let text = std::fs::read_to_string(ocop_tests::root().join("workflows/national-2026.toml")).unwrap();
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) { at -= 1; }
        let mutated = format!("{}{}{}", &text[..at], insert, &text[at..]);
        let _ = check_definition("mutated.toml", &mutated);
    }
}

/// The generator must produce accepted definitions often enough for the soundness property
/// to mean something.
#[test]
fn generator_produces_accepted_definitions() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = definition();
    let total = 3000;
    let accepted = (0..total)
        .filter(|_| {
            let def = strategy.new_tree(&mut runner).unwrap().current();
            Cycle::new(def).is_ok()
        })
        .count();
    eprintln!("accepted {accepted} of {total} generated definitions");
    assert!(accepted * 4 >= total, "only {accepted} of {total} accepted");
    assert!(
        accepted * 10 <= total * 9,
        "{accepted} of {total} accepted: too few defects"
    );
}
