//! Properties of the engine on the shipped definitions, under random command sequences
//! from the testkit's generator, checked by its harness after every step: the state is
//! always a node of the graph, only edges are taken, terminal states refuse, replay equals
//! the state, no actor without the role moves a case, the hash chain verifies (the full list
//! is on `ocop_testkit::TransitionHarness`).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use ocop_core::{ProductSet, plugin::Scorer};
use ocop_engine::{Calendar, MemoryStore};
use ocop_testkit::strategy::{Rules, Step, steps};
use ocop_testkit::{TransitionHarness, check_transitions};
use proptest::prelude::*;

use crate::support::*;

/// The harness for a shipped definition, opening its case on `start`, with the real scorer
/// (and the Cần Thơ guard plugin's test double).
fn harness(name: &str, start: &str) -> TransitionHarness {
    let catalog = scorer().criteria(ProductSet::new(SET).unwrap()).unwrap();
    TransitionHarness::new(cycle(name), |cycle, clock| {
        builder(cycle, clock, Calendar::vietnam()).build()
    })
    .start(d(start))
    .catalog(catalog)
}

fn national() -> &'static TransitionHarness {
    static H: OnceLock<TransitionHarness> = OnceLock::new();
    H.get_or_init(|| harness("national-2026", "2026-06-01"))
}

fn can_tho() -> &'static TransitionHarness {
    static H: OnceLock<TransitionHarness> = OnceLock::new();
    H.get_or_init(|| harness("can-tho-2024", "2024-03-01"))
}

/// Sequences of `len` steps, half of them keeping to the rules (they go deep into the
/// cycle), half deliberately breaking them (most of their commands must be refused).
fn sequences(
    harness: &TransitionHarness,
    len: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<Step>> + use<> {
    let cycle = harness.cycle();
    prop_oneof![
        proptest::collection::vec(steps(cycle, Rules::Respect), len.clone()),
        proptest::collection::vec(steps(cycle, Rules::Break), len),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn national_2026_invariants(steps in sequences(national(), 1..70)) {
        check_transitions(national(), &MemoryStore::new(), &steps)?;
    }

    #[test]
    fn can_tho_2024_invariants(steps in sequences(can_tho(), 1..70)) {
        check_transitions(can_tho(), &MemoryStore::new(), &steps)?;
    }
}

/// The generator is not idle: random walks reach certificates and monitoring on both
/// definitions, so the properties above are checked deep in the cycle too.
#[test]
fn random_walks_reach_monitoring() {
    use proptest::strategy::ValueTree;
    for harness in [national(), can_tho()] {
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = sequences(harness, 120..121);
        let mut visited = BTreeSet::new();
        for _ in 0..24 {
            let steps = strategy.new_tree(&mut runner).unwrap().current();
            let stats = harness.assert_conforms(&MemoryStore::new(), &steps);
            visited.extend(stats.visited);
        }
        assert!(
            visited.contains("monitoring"),
            "{}: visited only {visited:?}",
            harness.cycle().definition().id
        );
    }
}
