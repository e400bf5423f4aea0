//! Command sequences against the engine on `national-2026`, scored by the real criteria
//! plugin. Whatever the bytes, the engine must not panic, and after every command: the
//! history verifies, replays to the engine's case, the state is a node of the graph, an
//! accepted transition is an edge its actor's role may take, and an ended case refuses.
#![no_main]

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use ocop_core::{
    Cycle, DossierDocument, EvaluationId, Producer, ProducerKind, ProductSet, RegistrationType,
    RevocationGround, Scorer,
};
use ocop_criteria_26_2026::NativeScorer;
use ocop_engine::{
    Action, Actor, CaseId, Clock, Command, CommandError, CouncilMember, EngineBuilder, EventBody,
    InspectionOutcome, ManualClock, MemoryStore, OpenCase, Product, Store, TransitionInput,
};

const DEFINITION: &str = include_str!("../../workflows/national-2026.toml");

fn shared() -> &'static (Cycle, Arc<NativeScorer>) {
    static SHARED: OnceLock<(Cycle, Arc<NativeScorer>)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let cycle = ocop_core::load_definition("national-2026.toml", DEFINITION)
            .expect("the shipped definition loads");
        (cycle, Arc::new(NativeScorer::new()))
    })
}

fn open() -> OpenCase {
    let doc = |k: &str| DossierDocument {
        kind: k.into(),
        present: true,
        valid_until: None,
    };
    OpenCase {
        product: Product {
            name: "fuzz".into(),
            product_set: ProductSet::new(1).expect("set 1"),
            producer: Producer {
                name: "HTX".into(),
                kind: ProducerKind::Cooperative,
                province: "92".into(),
                commune: "x".into(),
                district: None,
            },
        },
        registration: RegistrationType::First,
        documents: vec![doc("form_01"), doc("form_02")],
        facts: BTreeMap::new(),
        certificate: None,
    }
}

fuzz_target!(|data: &[u8]| {
    let (cycle, scorer) = shared();
    let clock = ManualClock::on("2026-06-01".parse().expect("date"));
    let engine = EngineBuilder::new(cycle.clone())
        .clock(clock.clone())
        .scorer("criteria-26-2026", Arc::clone(scorer) as Arc<dyn Scorer>)
        .build()
        .expect("engine");
    let store = MemoryStore::new();
    let id = CaseId::new("f");
    engine
        .execute(
            &store,
            &Command::open("f", Actor::new("prod", "producer"), open()),
        )
        .expect("open");
    let roles: Vec<String> = cycle
        .definition()
        .roles
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    let transitions: Vec<String> = cycle.transitions().map(|t| t.id.to_string()).collect();
    let criteria = scorer
        .criteria(ProductSet::new(1).expect("set"))
        .expect("sheet");

    for chunk in data.chunks_exact(4).take(200) {
        let [k, x, y, z] = [chunk[0], chunk[1], chunk[2], chunk[3]];
        let before = engine.case(&store, &id).expect("case");
        let terminal = cycle.is_terminal(before.state());
        let input = TransitionInput {
            ground: (z & 1 == 1).then_some(RevocationGround::ALL[usize::from(z) % 6]),
            inspection: Some(if z & 2 == 0 {
                InspectionOutcome::Compliant
            } else {
                InspectionOutcome::NonCompliant
            }),
            ..TransitionInput::default()
        };
        let result = match k % 6 {
            0 => {
                let t = &transitions[usize::from(x) % transitions.len()];
                let role = roles
                    .get(usize::from(y) % (roles.len() + 1))
                    .map_or("system", String::as_str);
                let actor = Actor::new(format!("a{}", z % 4), role);
                Some(engine.execute(&store, &Command::take_with("f", actor, t.as_str(), input)))
            }
            1 => {
                let role = &roles[usize::from(x) % roles.len()];
                let who = if role == "producer" {
                    "prod".to_owned()
                } else {
                    format!("{role}-1")
                };
                let actor = Actor::new(who, role.as_str());
                let avail = engine.available(&before, &actor);
                if avail.is_empty() {
                    None
                } else {
                    let t = avail[usize::from(y) % avail.len()].clone();
                    Some(engine.execute(&store, &Command::take_with("f", actor, t, input)))
                }
            }
            2 => cycle.evaluation_in(before.state()).map(|stage| {
                let chair = stage
                    .chair_role
                    .as_ref()
                    .map_or("", |r| r.as_str())
                    .to_owned();
                let constituted = before
                    .council(&stage.id)
                    .is_some_and(|c| c.is_constituted());
                let cmd = if constituted {
                    let (who, role) = if x % 6 == 0 {
                        ("q-chair".to_owned(), chair)
                    } else {
                        (format!("q-m{}", x % 6), stage.member_role.to_string())
                    };
                    let mut sheet = criteria.template(None);
                    for (i, c) in criteria.criteria.iter().enumerate() {
                        let n = c.options.len().max(1);
                        let pick = (usize::from(y) + i * usize::from(z | 1)) % n;
                        sheet.answers.insert(c.id.clone(), pick as u32);
                    }
                    Command::new(
                        "f",
                        Actor::new(who, role),
                        Action::SubmitSheet {
                            evaluation: stage.id.clone(),
                            sheet,
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
                        "f",
                        Actor::new("q-chair", chair),
                        Action::ConstituteCouncil {
                            evaluation: EvaluationId::new(stage.id.as_str()),
                            members,
                        },
                    )
                };
                engine.execute(&store, &cmd)
            }),
            3 => {
                let kind = ["form_01", "form_02", "food_safety_certificate"][usize::from(x) % 3];
                let doc = DossierDocument {
                    kind: kind.into(),
                    present: y & 1 == 1,
                    valid_until: None,
                };
                Some(engine.execute(
                    &store,
                    &Command::new(
                        "f",
                        Actor::new("prod", "producer"),
                        Action::UpdateDossier {
                            documents: vec![doc],
                        },
                    ),
                ))
            }
            4 => {
                clock.advance_days(i64::from(x) * 4);
                let report = engine.tick(&store, clock.now()).expect("tick");
                for f in &report.failed {
                    assert!(
                        matches!(f.error, CommandError::Calendar(_)),
                        "tick failed: {}",
                        f.error
                    );
                }
                assert!(
                    !terminal || report.fired.is_empty(),
                    "an ended case fired a timeout"
                );
                None
            }
            _ => Some(engine.execute(
                &store,
                &Command::new(
                    "f",
                    Actor::new(
                        format!("a{}", z % 4),
                        roles[usize::from(x) % roles.len()].as_str(),
                    ),
                    Action::RecordFacts {
                        facts: BTreeMap::from([(format!("f{y}"), z & 1 == 1)]),
                    },
                ),
            )),
        };
        if let Some(result) = result {
            match &result {
                Ok(events) => {
                    assert!(!terminal, "ended case accepted a command");
                    if let (Some(first), EventBody::Transitioned(_)) = (
                        events.first(),
                        events
                            .first()
                            .map(|e| &e.body)
                            .unwrap_or(&EventBody::Notified { role: "x".into() }),
                    ) {
                        let t = first
                            .transition
                            .as_ref()
                            .expect("a transition event names it");
                        let tr = cycle.transition(t).expect("a defined transition");
                        assert!(
                            cycle.leaves(t, before.state()),
                            "`{t}` is not an edge from `{}`",
                            before.state()
                        );
                        assert!(tr.roles.contains(&first.actor.role));
                    }
                }
                Err(e) => assert!(
                    !terminal || matches!(e, CommandError::Terminal { .. }),
                    "{e}"
                ),
            }
        }
        let events = store.load(&id, 0).expect("load");
        ocop_engine::verify(&events).expect("the chain verifies");
        let case = engine.case(&store, &id).expect("case");
        assert_eq!(ocop_engine::replay(&events).expect("replay"), case);
        assert!(cycle.state(case.state()).is_some());
    }
});
