//! Properties of the engine on the shipped definitions, under random command sequences:
//! the state is always a node of the graph, only edges are taken, terminal states refuse,
//! replay equals the state, no actor without the role moves a case, the hash chain verifies.

use std::collections::BTreeSet;

use ocop_core::{EvaluationId, RevocationGround};
use ocop_engine::{
    Action, CaseId, Command, CommandError, CouncilMember, EventBody, InspectionOutcome,
    ManualClock, MemoryStore, Store, TransitionInput,
};
use proptest::prelude::*;

use crate::support::*;

#[derive(Clone, Debug)]
enum Op {
    /// A transition the actor may take now, if any (chosen by index).
    Guided { role: usize, pick: usize },
    /// Any transition, any role: mostly refused.
    Random { t: usize, role: usize, actor: usize },
    /// Constitute the sitting council, or have member `k` submit a sheet near a target.
    Council { k: usize, target: usize },
    /// The producer files a document.
    File { kind: usize, present: bool },
    /// Time passes and the engine ticks.
    Wait { days: u16 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0..16usize, 0..8usize).prop_map(|(role, pick)| Op::Guided { role, pick }),
        2 => (0..80usize, 0..16usize, 0..4usize).prop_map(|(t, role, actor)| Op::Random { t, role, actor }),
        4 => (0..6usize, 0..4usize).prop_map(|(k, target)| Op::Council { k, target }),
        1 => (0..3usize, any::<bool>()).prop_map(|(kind, present)| Op::File { kind, present }),
        1 => (1u16..400).prop_map(|days| Op::Wait { days }),
    ]
}

const ACTORS: [&str; 4] = ["u0", "u1", "u2", "u3"];
const KINDS: [&str; 3] = ["form_01", "form_02", "food_safety_certificate"];
const TARGETS: [(f64, u8); 4] = [(40.0, 2), (60.0, 3), (80.0, 4), (95.0, 5)];

fn input() -> TransitionInput {
    TransitionInput {
        ground: Some(RevocationGround::NoLongerMeetsCriteria),
        inspection: Some(InspectionOutcome::Compliant),
        ..TransitionInput::default()
    }
}

fn run(definition: &str, start: &str, ops: &[Op]) -> BTreeSet<String> {
    let mut visited = BTreeSet::new();
    let clock = ManualClock::on(d(start));
    let engine = engine(definition, &clock);
    let cycle = engine.cycle();
    let store = MemoryStore::new();
    let id = CaseId::new("p");
    ok(
        &engine,
        &store,
        Command::open("p", a("prod", "producer"), open("p")),
    );
    let roles: Vec<String> = cycle
        .definition()
        .roles
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    let transitions: Vec<String> = cycle.transitions().map(|t| t.id.to_string()).collect();
    for op in ops {
        let before = engine.case(&store, &id).unwrap();
        let terminal = cycle.is_terminal(before.state());
        let result = match op {
            Op::Guided { role, pick } => {
                // Every (actor, transition) the roles could take now; pick one.
                let mut options = Vec::new();
                for r in &roles {
                    let who = if r == "producer" {
                        "prod".to_owned()
                    } else {
                        format!("{r}-1")
                    };
                    let actor = a(&who, r);
                    for t in engine.available(&before, &actor) {
                        // Mostly keep the case alive, so that walks go deep into the cycle.
                        let ends = cycle
                            .transition(&t)
                            .is_some_and(|tr| cycle.is_terminal(&tr.to));
                        if *pick < 7 && ends {
                            continue;
                        }
                        options.push((actor.clone(), t));
                    }
                }
                if options.is_empty() {
                    continue;
                }
                let (actor, t) = options[(role * 8 + pick) % options.len()].clone();
                Some(engine.execute(&store, &Command::take_with("p", actor, t, input())))
            }
            Op::Random { t, role, actor } => {
                let role = if *role >= roles.len() {
                    "system"
                } else {
                    roles[*role].as_str()
                };
                let t = &transitions[t % transitions.len()];
                Some(engine.execute(
                    &store,
                    &Command::take_with("p", a(ACTORS[*actor], role), t.as_str(), input()),
                ))
            }
            Op::Council { k, target } => {
                let Some(stage) = cycle.evaluation_in(before.state()) else {
                    continue;
                };
                let chair_role = stage.chair_role.as_ref().unwrap().to_string();
                let constituted = before
                    .council(&stage.id)
                    .is_some_and(|c| c.is_constituted());
                let cmd = if constituted {
                    let (who, role) = if *k == 0 {
                        ("q-chair".to_owned(), chair_role)
                    } else {
                        (format!("q-m{k}"), stage.member_role.to_string())
                    };
                    // A sitting mostly agrees: later sheets follow the first one's level.
                    let first = before
                        .council(&stage.id)
                        .and_then(|c| c.sheets().next().map(|s| s.total()));
                    let (total, stars) = match first {
                        Some(t) if *target > 0 => TARGETS
                            .iter()
                            .copied()
                            .min_by(|x, y| (x.0 - t).abs().total_cmp(&(y.0 - t).abs()))
                            .unwrap(),
                        _ => TARGETS[*target],
                    };
                    Command::new(
                        "p",
                        a(&who, &role),
                        Action::SubmitSheet {
                            evaluation: stage.id.clone(),
                            sheet: sheet(total, stars),
                        },
                    )
                } else {
                    let mut members: Vec<CouncilMember> = (1..=5)
                        .map(|i| CouncilMember {
                            id: format!("q-m{i}"),
                            chair: false,
                        })
                        .collect();
                    members.push(CouncilMember {
                        id: "q-chair".into(),
                        chair: true,
                    });
                    Command::new(
                        "p",
                        a("q-chair", &chair_role),
                        Action::ConstituteCouncil {
                            evaluation: EvaluationId::new(stage.id.as_str()),
                            members,
                        },
                    )
                };
                Some(engine.execute(&store, &cmd))
            }
            Op::File { kind, present } => Some(engine.execute(
                &store,
                &Command::new(
                    "p",
                    a("prod", "producer"),
                    Action::UpdateDossier {
                        documents: vec![ocop_core::DossierDocument {
                            kind: KINDS[*kind].into(),
                            present: *present,
                            valid_until: None,
                        }],
                    },
                ),
            )),
            Op::Wait { days } => {
                clock.advance_days(i64::from(*days));
                let report = engine
                    .tick(&store, ocop_engine::Clock::now(&clock))
                    .unwrap();
                for f in &report.failed {
                    // Only a working-day count beyond the calendar's years may fail.
                    assert!(matches!(f.error, CommandError::Calendar(_)), "{}", f.error);
                }
                if terminal {
                    assert!(report.fired.is_empty(), "a terminal case fired a timeout");
                }
                None
            }
        };
        if let Some(result) = result {
            if std::env::var("PROP_DEBUG").is_ok() {
                eprintln!(
                    "{} {op:?} -> {:?}",
                    before.state(),
                    result.as_ref().map(|e| e.len()).map_err(|e| e.to_string())
                );
            }
            match &result {
                Err(e) if terminal => assert!(matches!(e, CommandError::Terminal { .. }), "{e}"),
                Ok(_) if terminal => panic!("terminal state `{}` accepted {op:?}", before.state()),
                _ => {}
            }
            if let (Ok(events), Op::Guided { .. } | Op::Random { .. }) = (&result, op) {
                let first = &events[0];
                let t = first.transition.as_ref().unwrap();
                let tr = cycle.transition(t).unwrap();
                assert_eq!(first.from.as_ref(), Some(before.state()));
                assert!(
                    cycle.leaves(t, before.state()),
                    "`{t}` is not an edge from `{}`",
                    before.state()
                );
                assert_eq!(first.to, tr.to);
                assert!(
                    tr.roles.contains(&first.actor.role),
                    "role `{}` moved the case by `{t}`",
                    first.actor.role
                );
            }
        }
        let events = store.load(&id, 0).unwrap();
        ocop_engine::verify(&events).unwrap();
        let case = engine.case(&store, &id).unwrap();
        assert_eq!(ocop_engine::replay(&events).unwrap(), case);
        assert!(
            cycle.state(case.state()).is_some(),
            "`{}` is not a state",
            case.state()
        );
        visited.insert(case.state().to_string());
        for e in &events {
            assert!(cycle.state(&e.to).is_some());
            if let (EventBody::Transitioned(_), Some(t)) = (&e.body, &e.transition) {
                let tr = cycle.transition(t).unwrap();
                assert!(tr.roles.contains(&e.actor.role));
                assert!(tr.from.as_slice().contains(e.from.as_ref().unwrap()));
            }
        }
    }
    visited
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn national_2026_invariants(ops in proptest::collection::vec(op(), 1..70)) {
        run("national-2026", "2026-06-01", &ops);
    }

    #[test]
    fn can_tho_2024_invariants(ops in proptest::collection::vec(op(), 1..70)) {
        run("can-tho-2024", "2024-03-01", &ops);
    }
}

/// The generator is not idle: random walks reach certificates and monitoring on both
/// definitions, so the properties above are checked deep in the cycle too.
#[test]
fn random_walks_reach_monitoring() {
    use proptest::strategy::ValueTree;
    for (def, start) in [
        ("national-2026", "2026-06-01"),
        ("can-tho-2024", "2024-03-01"),
    ] {
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = proptest::collection::vec(op(), 120..121);
        let mut visited = BTreeSet::new();
        for _ in 0..24 {
            let ops = strategy.new_tree(&mut runner).unwrap().current();
            visited.extend(run(def, start, &ops));
        }
        assert!(
            visited.contains("monitoring"),
            "{def}: visited only {visited:?}"
        );
    }
}
