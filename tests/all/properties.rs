//! Properties of the loader and validator over generated definitions.

use std::collections::BTreeMap;

use ocop_core::{
    Cycle, Definition, Label, check_definition,
    definition::{State, StateKind},
    validate,
};
use ocop_testkit::strategy::{definitions, near_valid_definitions};
use petgraph::algo::has_path_connecting;
use petgraph::graph::DiGraph;
use proptest::prelude::*;

/// The testkit's generated definitions, valid by construction or with one injected defect,
/// and on top this suite's own variations: a second terminal state that the extra edges
/// into the initial state go to instead (unreachable when there are none), and evaluation
/// stages that name no plugin.
fn definition() -> impl Strategy<Value = Definition> {
    (
        prop_oneof![
            3 => definitions(),
            2 => near_valid_definitions().prop_map(|(def, _)| def),
        ],
        any::<bool>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(mut def, extra_terminal, no_plugin)| {
            if extra_terminal {
                def.states.push(State {
                    id: "end".into(),
                    kind: StateKind::Terminal,
                    owner: None,
                    label: Label::new("nhãn end", "label end"),
                    basis: "test".into(),
                    deadline: None,
                });
                for t in &mut def.transitions {
                    if t.id.as_str().starts_with("extra") && t.to == def.initial {
                        t.to = "end".into();
                    }
                }
            }
            if no_plugin {
                for e in &mut def.evaluations {
                    e.plugin = None;
                }
            }
            def
        })
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
