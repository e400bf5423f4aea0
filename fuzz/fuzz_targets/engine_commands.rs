//! Command sequences against the engine on `national-2026`, scored by the real criteria
//! plugin. The bytes decode into the testkit's [`Step`]s, and its harness runs them: the
//! engine must not panic, and after every step every invariant of
//! `ocop_testkit::TransitionHarness` holds (the history verifies and replays to the
//! engine's case, the state is a node, only edges are taken by their roles, an ended case
//! refuses, retries are idempotent...).
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use ocop_core::domain::RevocationGround;
use ocop_criteria_26_2026::NativeScorer;
use ocop_engine::InspectionOutcome;
use ocop_testkit::strategy::{Step, VersionCheck};
use ocop_testkit::{
    Actor, CriteriaSheet, Cycle, EngineBuilder, MemoryStore, ProductSet, Scorer, TransitionHarness,
    TransitionInput,
};

const DEFINITION: &str = include_str!("../../workflows/national-2026.toml");

/// The cycle, the scorer and the criteria of product set 1, loaded once.
fn shared() -> &'static (Cycle, Arc<dyn Scorer>, CriteriaSheet) {
    static SHARED: OnceLock<(Cycle, Arc<dyn Scorer>, CriteriaSheet)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let cycle = ocop_testkit::load_definition("national-2026.toml", DEFINITION)
            .expect("the shipped definition loads");
        let scorer: Arc<dyn Scorer> = Arc::new(NativeScorer::new());
        let catalog = scorer
            .criteria(ProductSet::new(1).expect("set 1"))
            .expect("the criteria of set 1");
        (cycle, scorer, catalog)
    })
}

/// The transition input of the whole run, from the first byte: a revocation ground or
/// none, a compliant or non-compliant inspection.
fn input(z: u8) -> TransitionInput {
    TransitionInput {
        ground: (z & 1 == 1).then_some(RevocationGround::ALL[usize::from(z >> 1) % 6]),
        inspection: Some(if z & 0x40 == 0 {
            InspectionOutcome::Compliant
        } else {
            InspectionOutcome::NonCompliant
        }),
        ..TransitionInput::default()
    }
}

fn version(z: u8) -> VersionCheck {
    match z % 4 {
        0 | 1 => VersionCheck::Unchecked,
        2 => VersionCheck::Current,
        _ => VersionCheck::Stale((z >> 4) % 3),
    }
}

/// Four bytes, one step.
fn step(cycle: &Cycle, [k, x, y, z]: [u8; 4]) -> Step {
    match k % 10 {
        0 => {
            let transitions: Vec<_> = cycle.transitions().map(|t| t.id.clone()).collect();
            let roles = &cycle.definition().roles;
            let role = roles
                .get(usize::from(y) % (roles.len() + 1))
                .map_or("system", |r| r.id.as_str());
            Step::Take {
                transition: transitions
                    .get(usize::from(x) % transitions.len().max(1))
                    .cloned()
                    .unwrap_or_else(|| "no_such_transition".into()),
                actor: Actor::new(format!("a{}", z % 4), role),
                version: version(z),
                key: z & 8 != 0,
            }
        }
        1 => Step::Guided {
            pick: u16::from_le_bytes([x, y]),
            version: version(z),
            key: z & 8 != 0,
        },
        2 => Step::Constitute { members: x % 8 },
        3 => Step::Submit {
            member: x,
            target: y,
        },
        4 => Step::File {
            document: x,
            present: y & 1 == 1,
        },
        5 => Step::Wait {
            days: u16::from(x) * 4,
        },
        6 => Step::RecordFact {
            fact: x,
            value: y & 1 == 1,
        },
        7 => Step::Retry { back: x },
        8 => Step::ReuseKey { back: x },
        _ => Step::NextDeadline,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let (cycle, scorer, catalog) = shared();
    let scorer = Arc::clone(scorer);
    let harness = TransitionHarness::new(cycle.clone(), move |cycle, clock| {
        EngineBuilder::new(cycle)
            .clock(clock)
            .scorer("criteria-26-2026", Arc::clone(&scorer))
            .build()
    })
    .catalog(catalog.clone())
    .input(input(first));
    let steps: Vec<Step> = rest
        .chunks_exact(4)
        .take(200)
        .map(|c| step(cycle, [c[0], c[1], c[2], c[3]]))
        .collect();
    harness.assert_conforms(&MemoryStore::new(), &steps);
});
