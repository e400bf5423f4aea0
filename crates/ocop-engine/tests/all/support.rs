//! Shared helpers: the shipped cycles, engines on a manual clock, actors, and answer sheets
//! that the real criteria-26-2026 scorer turns into a chosen total.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use ocop_core::{
    Cycle, Date, Label, ProductSet,
    domain::{AnswerSheet, DossierDocument, Producer, ProducerKind, RegistrationType},
    ids::EvaluationId,
    plugin::{CaseView, Finding, GuardPlugin, PluginError, PluginInfo, Scorer},
};
use ocop_criteria_26_2026::NativeScorer;
use ocop_engine::{
    Action, Actor, Calendar, CaseId, Command, CommandError, CouncilMember, Engine, EngineBuilder,
    Event, ManualClock, MemoryStore, OpenCase, Product, Store, TransitionInput,
};

/// The repository's root: the nearest folder above the test crate holding `workflows/`
/// (these helpers are shared by the engine's tests and the workspace's `tests/legal`).
pub(crate) fn root() -> std::path::PathBuf {
    let mut dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    while !dir.join("workflows").is_dir() && dir.pop() {}
    dir
}

pub(crate) fn cycle(name: &str) -> Cycle {
    let path = root().join(format!("workflows/{name}.toml"));
    let text = std::fs::read_to_string(&path).unwrap();
    ocop_core::load_definition(&format!("{name}.toml"), &text).unwrap()
}

pub(crate) fn d(s: &str) -> Date {
    s.parse().unwrap()
}

pub(crate) fn scorer() -> Arc<NativeScorer> {
    static SCORER: OnceLock<Arc<NativeScorer>> = OnceLock::new();
    Arc::clone(SCORER.get_or_init(|| Arc::new(NativeScorer::new())))
}

/// A test double for the Cần Thơ guard plugin: the traceability check passes when the
/// case records `traceability_registered = true`.
pub(crate) struct TraceabilityDouble {
    info: PluginInfo,
}

impl TraceabilityDouble {
    pub(crate) fn new() -> TraceabilityDouble {
        TraceabilityDouble {
            info: PluginInfo {
                name: "cantho-local-test-double".into(),
                version: "0".into(),
                legal_basis: "test double".into(),
                product_sets: Vec::new(),
                checks: vec!["traceability".into()],
            },
        }
    }
}

impl GuardPlugin for TraceabilityDouble {
    fn info(&self) -> &PluginInfo {
        &self.info
    }

    fn check(&self, view: &CaseView, check: &str) -> Result<Vec<Finding>, PluginError> {
        if check != "traceability" {
            return Err(PluginError::Rejected {
                plugin: self.info.name.clone(),
                call: "check".into(),
                code: "unknown-check".into(),
                message: check.into(),
            });
        }
        let ok = view.facts.get("traceability_registered").copied() == Some(true);
        Ok(if ok {
            Vec::new()
        } else {
            vec![Finding {
                blocking: true,
                code: "traceability-missing".into(),
                message: Label {
                    vi: "Chưa đăng ký truy xuất nguồn gốc".into(),
                    en: "not registered on check.cantho.gov.vn".into(),
                },
            }]
        })
    }
}

/// How a scenario starts: an engine for the shipped cycle `name` on the shipped calendar,
/// its clock on `day`, and an empty store.
pub(crate) fn start(name: &str, day: &str) -> (Engine, ManualClock, MemoryStore) {
    let clock = ManualClock::on(d(day));
    (engine(name, &clock), clock, MemoryStore::new())
}

/// A national-2026 scenario that runs into 2029: the engine on the test calendar to 2029
/// (see [`calendar_to_2029`]), its clock on 2026-06-01, and an empty store.
pub(crate) fn national() -> (Engine, ManualClock, MemoryStore) {
    let clock = ManualClock::on(d("2026-06-01"));
    let engine = engine_on("national-2026", &clock, calendar_to_2029());
    (engine, clock, MemoryStore::new())
}

pub(crate) fn engine(name: &str, clock: &ManualClock) -> Engine {
    engine_on(name, clock, Calendar::vietnam())
}

/// The shipped calendar plus 2028 and 2029 as weekends only: test data for scenarios that
/// run a certificate through its 36 months, never shipped (the real years are added when
/// their schedules are known).
pub(crate) fn calendar_to_2029() -> Calendar {
    let mut text = std::fs::read_to_string(root().join("workflows/calendars/vn.toml")).unwrap();
    for year in [2028, 2029] {
        text.push_str(&format!(
            "\n[[years]]\nyear = {year}\nstatus = \"statutory\"\nsource = \"test data\"\nnote = \"Test data only: weekends, no holiday. Missing: every holiday.\"\ndays_off = []\nworking_days = []\n"
        ));
    }
    Calendar::load("vn-test.toml", &text).unwrap()
}

pub(crate) fn engine_on(name: &str, clock: &ManualClock, calendar: Calendar) -> Engine {
    builder(cycle(name), clock.clone(), calendar)
        .build()
        .unwrap()
}

/// An engine for a shipped cycle: the real scorer, and for `can-tho-2024` the guard
/// plugin's test double.
pub(crate) fn builder(cycle: Cycle, clock: ManualClock, calendar: Calendar) -> EngineBuilder {
    let local = cycle.definition().id.as_str() == "can-tho-2024";
    let b = EngineBuilder::new(cycle)
        .calendar(calendar)
        .clock(clock)
        .scorer("criteria-26-2026", scorer() as Arc<dyn Scorer>);
    if local {
        b.guard_plugin("cantho-local", Arc::new(TraceabilityDouble::new()))
    } else {
        b
    }
}

pub(crate) fn doc(kind: &str) -> DossierDocument {
    DossierDocument {
        kind: kind.into(),
        present: true,
        valid_until: None,
    }
}

pub(crate) const SET: u8 = 1;

pub(crate) fn product(name: &str) -> Product {
    Product {
        name: name.into(),
        product_set: ProductSet::new(SET).unwrap(),
        producer: Producer {
            name: format!("HTX {name}"),
            kind: ProducerKind::Cooperative,
            province: "92".into(),
            commune: "thoi-lai".into(),
            district: Some("Thới Lai".into()),
        },
    }
}

pub(crate) fn open(name: &str) -> OpenCase {
    OpenCase {
        product: product(name),
        registration: RegistrationType::First,
        documents: vec![
            doc("form_01"),
            doc("form_02"),
            doc("food_safety_certificate"),
        ],
        facts: BTreeMap::new(),
        certificate: None,
    }
}

pub(crate) fn a(id: &str, role: &str) -> Actor {
    Actor::new(id, role)
}

/// Runs a command, panicking with the engine's message when it is refused.
pub(crate) fn ok(engine: &Engine, store: &dyn Store, cmd: Command) -> Vec<Event> {
    match engine.execute(store, &cmd) {
        Ok(e) => e,
        Err(e) => panic!("{:?} refused: {e}", cmd.action),
    }
}

pub(crate) fn take(
    engine: &Engine,
    store: &dyn Store,
    case: &str,
    actor: Actor,
    t: &str,
) -> Vec<Event> {
    ok(engine, store, Command::take(case, actor, t))
}

/// [`take`] on `case`, as `step(actor id, role, transition)`: a case's steps one a line.
pub(crate) fn stepper<'a>(
    engine: &'a Engine,
    store: &'a dyn Store,
    case: &'a str,
) -> impl Fn(&str, &str, &str) -> Vec<Event> + 'a {
    move |id, role, t| take(engine, store, case, a(id, role), t)
}

/// Like [`stepper`], for steps that must be refused: `refuse(actor id, role, transition)`
/// is the engine's refusal, and panics when the engine takes the step.
pub(crate) fn refuser<'a>(
    engine: &'a Engine,
    store: &'a dyn Store,
    case: &'a str,
) -> impl Fn(&str, &str, &str) -> CommandError + 'a {
    move |id, role, t| match engine.execute(store, &Command::take(case, a(id, role), t)) {
        Ok(events) => panic!("`{t}` by `{role}` was taken: {events:?}"),
        Err(e) => e,
    }
}

pub(crate) fn take_with(
    engine: &Engine,
    store: &dyn Store,
    case: &str,
    actor: Actor,
    t: &str,
    input: TransitionInput,
) -> Vec<Event> {
    ok(engine, store, Command::take_with(case, actor, t, input))
}

pub(crate) fn state(engine: &Engine, store: &dyn Store, case: &str) -> String {
    engine
        .case(store, &CaseId::new(case))
        .unwrap()
        .state()
        .to_string()
}

/// An answer sheet for product set [`SET`] that scores `target` (or just above, by the
/// smallest step the options allow) and keeps every minimum mark up to `stars`.
pub(crate) fn sheet(target: f64, stars: u8) -> AnswerSheet {
    let criteria = scorer().criteria(ProductSet::new(SET).unwrap()).unwrap();
    ocop_testkit::transitions::scoring_sheet(&criteria, target, stars)
}

/// Names a council of five members and a chair for `stage`, by the stage's chair.
pub(crate) fn constitute(
    engine: &Engine,
    store: &dyn Store,
    case: &str,
    stage: &str,
    chair_role: &str,
    prefix: &str,
) {
    let mut members: Vec<CouncilMember> = (1..=5)
        .map(|i| CouncilMember {
            id: format!("{prefix}-m{i}"),
            chair: false,
        })
        .collect();
    members.push(CouncilMember {
        id: format!("{prefix}-chair"),
        chair: true,
    });
    ok(
        engine,
        store,
        Command::new(
            case,
            a(&format!("{prefix}-chair"), chair_role),
            Action::ConstituteCouncil {
                evaluation: EvaluationId::new(stage),
                members,
            },
        ),
    );
}

/// The member and chair roles of a council at `level` (`province_council_member`,
/// `province_council_chair`, ...), as every shipped definition names them.
pub(crate) fn council_roles(level: &str) -> (String, String) {
    (
        format!("{level}_council_member"),
        format!("{level}_council_chair"),
    )
}

/// A council of five and a chair for `stage` (roles `<level>_council_member` and
/// `<level>_council_chair`) constituted and scoring around `target`.
#[allow(
    clippy::too_many_arguments,
    reason = "a sitting is described by all of these"
)]
pub(crate) fn sitting(
    engine: &Engine,
    store: &dyn Store,
    case: &str,
    stage: &str,
    level: &str,
    prefix: &str,
    target: f64,
    stars: u8,
) {
    let (member, chair) = council_roles(level);
    constitute(engine, store, case, stage, &chair, prefix);
    score(
        engine, store, case, stage, &member, &chair, prefix, target, stars,
    );
}

/// The chair and four members submit sheets scoring around `target` (spread 2 points).
#[allow(
    clippy::too_many_arguments,
    reason = "a council sitting is described by all of these"
)]
pub(crate) fn score(
    engine: &Engine,
    store: &dyn Store,
    case: &str,
    stage: &str,
    member_role: &str,
    chair_role: &str,
    prefix: &str,
    target: f64,
    stars: u8,
) {
    let offsets = [0.0, 1.0, 2.0, 1.0, 0.0];
    for (i, off) in offsets.iter().enumerate() {
        let (id, role) = if i == 0 {
            (format!("{prefix}-chair"), chair_role)
        } else {
            (format!("{prefix}-m{i}"), member_role)
        };
        submit(
            engine,
            store,
            case,
            stage,
            a(&id, role),
            sheet((target + off).min(100.0), stars),
        );
    }
}

/// `actor` submits `answers` as a member of the council of `stage`.
pub(crate) fn submit(
    engine: &Engine,
    store: &dyn Store,
    case: &str,
    stage: &str,
    actor: Actor,
    answers: AnswerSheet,
) -> Vec<Event> {
    ok(
        engine,
        store,
        Command::new(
            case,
            actor,
            Action::SubmitSheet {
                evaluation: EvaluationId::new(stage),
                sheet: answers,
            },
        ),
    )
}

/// Every case's version, in the order the store lists its cases.
pub(crate) fn versions(store: &dyn Store) -> Vec<u64> {
    let cases = store.cases().unwrap();
    cases.iter().map(|c| store.version(c).unwrap()).collect()
}

pub(crate) fn history(store: &dyn Store, case: &str) -> Vec<Event> {
    store.load(&CaseId::new(case), 0).unwrap()
}

pub(crate) const P: &str = "province_council";

/// A council's round in a definition: the steps before it sits (actor, role, transition),
/// its stage, its level (which names its roles, see [`council_roles`]), the prefix of its
/// members' ids and the chair's closing transition.
pub(crate) struct Round {
    pub(crate) before: &'static [(&'static str, &'static str, &'static str)],
    pub(crate) stage: &'static str,
    pub(crate) level: &'static str,
    pub(crate) prefix: &'static str,
    pub(crate) close: &'static str,
}

/// The provincial council's round under `national-2026`, from the provincial office's check.
pub(crate) const PROVINCE_ROUND: Round = Round {
    before: &[
        ("so-nn", "province_office", "province_accept"),
        ("to-tu-van", "advisory_group", "advisory_report"),
    ],
    stage: P,
    level: "province",
    prefix: "p",
    close: "province_close",
};

/// The district council's round under `can-tho-2024`, from the district office's acceptance
/// of the dossier.
pub(crate) const DISTRICT_ROUND: Round = Round {
    before: &[("phong-nn", "district_office", "district_accept")],
    stage: "district_council",
    level: "district",
    prefix: "h",
    close: "district_close",
};

/// The central council's round under `national-2026`, from the Ministry's acceptance of a
/// province's five-star proposal.
pub(crate) const CENTRAL_ROUND: Round = Round {
    before: &[("bo-nn", "ministry_office", "central_accept")],
    stage: "central_council",
    level: "central",
    prefix: "tw",
    close: "central_close",
};

/// The city council's round under `can-tho-2024`, from the city office's acceptance of a
/// district's proposal.
pub(crate) const CITY_ROUND: Round = Round {
    before: &[("so-nn-ct", "city_office", "city_accept")],
    stage: "city_council",
    level: "city",
    prefix: "tp",
    close: "city_close",
};

/// The provincial council's re-evaluation under `national-2026` (Art. 7.6d), from the
/// office sending the checked dossier to it.
pub(crate) const RE_EVALUATION_ROUND: Round = Round {
    before: &[("so-nn", "province_office", "re_evaluation_to_council")],
    stage: "re_evaluation_council",
    level: "province",
    prefix: "re",
    close: "re_evaluation_close",
};

/// `round` from its first step to the council's result, the council (constituted first
/// when `constitute_council`) scoring around `target`.
pub(crate) fn council_round(
    engine: &ocop_engine::Engine,
    store: &dyn Store,
    case: &str,
    round: &Round,
    (target, stars): (f64, u8),
    constitute_council: bool,
) {
    for (id, role, t) in round.before {
        take(engine, store, case, a(id, role), t);
    }
    let (member, chair_role) = council_roles(round.level);
    if constitute_council {
        constitute(engine, store, case, round.stage, &chair_role, round.prefix);
    }
    score(
        engine,
        store,
        case,
        round.stage,
        &member,
        &chair_role,
        round.prefix,
        target,
        stars,
    );
    let chair = a(&format!("{}-chair", round.prefix), &chair_role);
    take(engine, store, case, chair, round.close);
}

/// Opens `case` for its producer `<case>-producer`; the producer.
pub(crate) fn open_case(engine: &Engine, store: &dyn Store, case: &str) -> Actor {
    let producer = a(&format!("{case}-producer"), "producer");
    ok(
        engine,
        store,
        Command::open(case, producer.clone(), open(case)),
    );
    producer
}

/// Opens a `national-2026` case, files it and has the commune propose it.
pub(crate) fn first_filing(engine: &ocop_engine::Engine, store: &dyn Store, case: &str) {
    let producer = open_case(engine, store, case);
    take(engine, store, case, producer, "file_dossier");
    take(
        engine,
        store,
        case,
        a("ubnd-xa", "commune_officer"),
        "commune_propose",
    );
}

/// Opens a `can-tho-2024` case, has the district accept the registration and the producer
/// submit the dossier.
pub(crate) fn register(engine: &ocop_engine::Engine, store: &dyn ocop_engine::Store, case: &str) {
    let producer = open_case(engine, store, case);
    take(
        engine,
        store,
        case,
        a("phong-nn", "district_office"),
        "accept_registration",
    );
    take(engine, store, case, producer, "submit_dossier");
}

/// Under `can-tho-2024`: a case registered on the clock's day, certified 3★ by the district
/// and announced, under monitoring.
pub(crate) fn district_certified(engine: &ocop_engine::Engine, store: &dyn Store, case: &str) {
    register(engine, store, case);
    council_round(engine, store, case, &DISTRICT_ROUND, (60.0, 3), true);
    let step = stepper(engine, store, case);
    step("ct-huyen", "district_chair", "district_certify");
    step("phong-nn", "district_office", "announce");
}

/// The provincial office opens revocation proceedings on `ground`, concluded on `conclusion`.
pub(crate) fn open_revocation(
    engine: &ocop_engine::Engine,
    store: &dyn Store,
    case: &str,
    ground: ocop_core::domain::RevocationGround,
    conclusion: &str,
) {
    take_with(
        engine,
        store,
        case,
        a("so-nn", "province_office"),
        "open_revocation",
        TransitionInput {
            ground: Some(ground),
            conclusion: Some(d(conclusion)),
            ..TransitionInput::default()
        },
    );
}
