//! Transition conformance: drives a real [`Engine`] on any [`Store`] with a sequence of
//! [`Step`]s and checks the engine's invariants after every step.
//!
//! Why one file of 1,500 lines: the harness's builder, its run loop and the invariant checks
//! after each step share one private run state (the engine, the clock, the store, the case,
//! the trace and the statistics), and the checks read it directly. It is the place where issue 15's item 2
//! gathers the engine's own property and model tests; the split into a driver, the checks
//! and the sheet helpers belongs to that move, and is not done yet.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;

use ocop_core::cycle::{Evaluation, Guard};
use ocop_core::{
    AnswerSheet, CriteriaSheet, Cycle, Date, DossierDocument, Level, Producer, ProducerKind,
    ProductSet, RegistrationType, RevocationGround, StateId, TransitionId,
};
use ocop_engine::{
    Action, Actor, BuildError, Case, CaseId, Clock, Command, CommandError, CouncilMember, Engine,
    Event, EventBody, InspectionOutcome, ManualClock, OpenCase, Product, Store, TransitionInput,
};

use crate::strategy::{Step, VersionCheck};

/// Builds the engine under test from the cycle and the harness's clock.
type Factory = dyn Fn(Cycle, ManualClock) -> Result<Engine, BuildError> + Send + Sync;

/// The levels council sheets aim at, with the stars whose minimum marks they keep.
const TARGETS: [(f64, u8); 4] = [(40.0, 2), (60.0, 3), (80.0, 4), (95.0, 5)];

/// How a run went: what the sequence exercised.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Steps run (the opening of the case not counted).
    pub steps: usize,
    /// Commands the engine accepted.
    pub accepted: usize,
    /// Commands the engine refused (cleanly).
    pub refused: usize,
    /// Steps that could not apply (nothing available, no council sitting...).
    pub skipped: usize,
    /// Timeouts fired on the case by ticks.
    pub timeouts: usize,
    /// Retries of an accepted keyed command, checked to return the same events.
    pub retries: usize,
    /// States the case was in, in the order first seen.
    pub visited: Vec<String>,
    /// The case's version at the end.
    pub version: u64,
    /// Every step as run: the command sent and the engine's answer.
    pub trace: Vec<String>,
}

impl Stats {
    fn visit(&mut self, state: &StateId) {
        if !self.visited.iter().any(|s| s == state.as_str()) {
            self.visited.push(state.to_string());
        }
    }
}

/// An invariant the engine broke, with the steps that led there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransitionViolation {
    /// The invariant, e.g. `idempotent retry`.
    pub invariant: &'static str,
    /// What should have happened.
    pub expected: String,
    /// What happened.
    pub found: String,
    /// The failing step (0 is the opening of the case).
    pub step: usize,
    /// Every step up to and including the failing one, as run: the command sent and the
    /// engine's answer.
    pub trace: Vec<String>,
}

impl fmt::Display for TransitionViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "transition invariant `{}` broken at step {}",
            self.invariant, self.step
        )?;
        writeln!(f, "  expected: {}", self.expected)?;
        writeln!(f, "  found:    {}", self.found)?;
        writeln!(f, "  steps:")?;
        for line in &self.trace {
            writeln!(f, "    {line}")?;
        }
        Ok(())
    }
}

/// proptest turns it into a test failure with `?` (through `std::error::Error`).
impl std::error::Error for TransitionViolation {}

/// Why [`TransitionHarness::drive_to`] could not bring a case to a state.
#[derive(Debug)]
pub struct StuckError {
    /// Where the case stopped.
    pub state: StateId,
    /// Why.
    pub reason: String,
}

impl fmt::Display for StuckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the case is stuck in `{}`: {}", self.state, self.reason)
    }
}

impl std::error::Error for StuckError {}

/// Drives an engine with generated steps and checks, after every step:
///
/// - the case's state is a state of the cycle;
/// - every new `transitioned` event is an edge of the cycle leaving the state the case was
///   in, taken by a role the transition allows, and lands on the transition's target; no
///   other event changes the state;
/// - a case in a terminal state refuses every command and fires no timeout;
/// - a command with a stale expected version is refused with a conflict;
/// - an actor without the transition's role never moves the case;
/// - a command retried with the same idempotency key returns the events it returned the
///   first time and appends nothing; a key reused for another command is refused;
/// - an accepted command appends exactly the events it returns, a refused one appends
///   nothing, and the stored history is never rewritten;
/// - replaying the stored history gives the engine's case, and
///   [`verify`](ocop_engine::verify) accepts the history;
/// - a timeout fires only after its due date.
///
/// The engine comes from the caller (a closure from the cycle and a clock), so any plugins
/// and any [`Store`] (memory, SQLite, PostgreSQL...) can be put under test.
///
/// # Examples
/// ```
/// use std::sync::Arc;
/// use ocop_testkit::{EngineBuilder, MemoryStore, ProductSet, Scorer, TransitionHarness, load_definition};
/// use ocop_testkit::strategy::{Rules, command_sequences};
/// use proptest::strategy::{Strategy, ValueTree};
///
/// # let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
/// let cycle = load_definition("national-2026.toml", &text).unwrap();
/// let scorer: Arc<dyn Scorer> = Arc::new(ocop_criteria_26_2026::NativeScorer::new());
/// let catalog = scorer.criteria(ProductSet::new(1).unwrap()).unwrap();
/// let harness = TransitionHarness::new(cycle.clone(), move |cycle, clock| {
///     EngineBuilder::new(cycle).clock(clock).scorer("criteria-26-2026", scorer.clone()).build()
/// })
/// .catalog(catalog);
///
/// let mut runner = proptest::test_runner::TestRunner::deterministic();
/// let steps = command_sequences(&cycle, Rules::Break).new_tree(&mut runner).unwrap().current();
/// let stats = harness.check(&MemoryStore::new(), &steps)?;
/// assert_eq!(stats.steps, steps.len());
/// # Ok::<(), ocop_testkit::TransitionViolation>(())
/// ```
pub struct TransitionHarness {
    cycle: Cycle,
    factory: Arc<Factory>,
    start: Date,
    open: OpenCase,
    producer: Actor,
    catalog: Option<CriteriaSheet>,
    input: TransitionInput,
    score: (f64, u8),
}

impl fmt::Debug for TransitionHarness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransitionHarness")
            .field("definition", &self.cycle.definition().id)
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

/// The documents the definition's `has_document` guards ask for, and forms 01 and 02.
fn documents(cycle: &Cycle) -> Vec<DossierDocument> {
    let mut kinds: BTreeSet<String> = ["form_01", "form_02"].map(String::from).into();
    for t in cycle.transitions() {
        for g in &t.guards {
            if let Guard::HasDocument { kind } = g {
                kinds.insert(kind.clone());
            }
        }
    }
    kinds
        .into_iter()
        .map(|kind| DossierDocument {
            kind,
            present: true,
            valid_until: None,
        })
        .collect()
}

fn open_case(cycle: &Cycle, set: ProductSet) -> OpenCase {
    OpenCase {
        product: Product {
            name: "Sản phẩm thử".into(),
            product_set: set,
            producer: Producer {
                name: "HTX Thử".into(),
                kind: ProducerKind::Cooperative,
                province: "92".into(),
                commune: "thoi-lai".into(),
                district: Some("Thới Lai".into()),
            },
        },
        registration: RegistrationType::First,
        documents: documents(cycle),
        facts: BTreeMap::new(),
        certificate: None,
    }
}

/// The role that opens cases: a producer-level role, or the initial state's owner.
fn producer(cycle: &Cycle) -> Actor {
    let def = cycle.definition();
    let role = def
        .roles
        .iter()
        .find(|r| r.level == Level::Producer)
        .map(|r| r.id.clone())
        .or_else(|| cycle.initial().owner.clone())
        .unwrap_or_else(|| "producer".into());
    Actor::new(format!("{role}-1"), role)
}

/// An answer sheet for `catalog` that scores `target` (or just above, by the smallest step
/// its options allow) and keeps every minimum mark up to `stars`.
///
/// # Examples
/// ```
/// use ocop_testkit::{ProductSet, Scorer, transitions::scoring_sheet};
/// let scorer = ocop_criteria_26_2026::NativeScorer::new();
/// let catalog = scorer.criteria(ProductSet::new(1).unwrap()).unwrap();
/// let scored = scorer.score(&scoring_sheet(&catalog, 80.0, 4)).unwrap();
/// assert!(scored.evaluation.total >= 80.0 && scored.evaluation.total < 90.0);
/// ```
pub fn scoring_sheet(catalog: &CriteriaSheet, target: f64, stars: u8) -> AnswerSheet {
    let mut sheet = catalog.template(catalog.branches.first().map(|b| b.number));
    // Start from the best option of every criterion that applies, then lower criteria one
    // by one while the total stays at or above the target.
    let mut total = 0.0;
    let mut picks: Vec<(usize, usize)> = Vec::new();
    for (i, c) in catalog.criteria.iter().enumerate() {
        if !sheet.answers.contains_key(&c.id) {
            continue;
        }
        let best = c.options.len().saturating_sub(1);
        total += c.options.get(best).map_or(0.0, |o| o.points);
        picks.push((i, best));
    }
    for (i, best) in picks {
        let Some(c) = catalog.criteria.get(i) else {
            continue;
        };
        let floor = c
            .options
            .iter()
            .enumerate()
            .filter(|(_, o)| o.min_stars.is_some_and(|s| s.get() <= stars))
            .map(|(k, _)| k)
            .max()
            .unwrap_or(0);
        let max_points = c.options.get(best).map_or(0.0, |o| o.points);
        let mut pick = best;
        for k in floor..best {
            let points = c.options.get(k).map_or(0.0, |o| o.points);
            if total - (max_points - points) >= target - 1e-9 {
                pick = k;
                break;
            }
        }
        total -= max_points - c.options.get(pick).map_or(max_points, |o| o.points);
        sheet
            .answers
            .insert(c.id.clone(), u32::try_from(pick).unwrap_or(0));
    }
    sheet
}

/// What a step turned into.
enum Resolved {
    Command(Box<Command>, Kind),
    Tick(TickKind),
    Skip(String),
}

#[derive(Clone, Copy)]
enum TickKind {
    Wait(u16),
    NextDeadline,
}

/// What to expect of a command beyond the general invariants.
enum Kind {
    Fresh,
    /// A retry of the keyed command at this index of the run's keyed list.
    Retry(usize),
    /// Another command under the key of the keyed command at this index.
    ReuseKey(usize),
}

struct Keyed {
    step: usize,
    command: Command,
    result: Result<Vec<Event>, String>,
}

struct Run<'a> {
    harness: &'a TransitionHarness,
    engine: Engine,
    clock: ManualClock,
    store: &'a dyn Store,
    case: CaseId,
    trace: Vec<String>,
    keyed: Vec<Keyed>,
    stats: Stats,
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 event".to_owned()
    } else {
        format!("{n} events")
    }
}

fn kinds(events: &[Event]) -> String {
    events
        .iter()
        .map(|e| e.body.kind())
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(cmd: &Command) -> String {
    let who = format!("`{}` ({})", cmd.actor.id, cmd.actor.role);
    let what = match &cmd.action {
        Action::Take { transition, .. } => format!("take `{transition}`"),
        Action::ConstituteCouncil {
            evaluation,
            members,
        } => format!(
            "constitute council `{evaluation}` of {} ({})",
            members.len(),
            members
                .iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Action::SubmitSheet { evaluation, sheet } => format!(
            "submit a sheet to `{evaluation}` (set {}, {} answers)",
            sheet.product_set,
            sheet.answers.len()
        ),
        Action::UpdateDossier { documents } => format!("file {} documents", documents.len()),
        Action::RecordFacts { facts } => format!("record {} facts", facts.len()),
        Action::Open(_) => "open the case".to_owned(),
        _ => "act".to_owned(),
    };
    let mut s = format!("{what} as {who}");
    if let Some(v) = cmd.expected_version {
        s.push_str(&format!(", expecting v{v}"));
    }
    if let Some(k) = &cmd.idempotency_key {
        s.push_str(&format!(", key `{k}`"));
    }
    s
}

impl TransitionHarness {
    /// A harness for `cycle`; `engine` builds the engine under test from the cycle and the
    /// harness's clock (register the plugins the definition needs there). The case opens
    /// on the definition's `in_force_from` (or 1 June 2026), for a product of set 1 filed
    /// with every document the definition's `has_document` guards ask for.
    pub fn new(
        cycle: Cycle,
        engine: impl Fn(Cycle, ManualClock) -> Result<Engine, BuildError> + Send + Sync + 'static,
    ) -> TransitionHarness {
        #[expect(clippy::expect_used, reason = "2026-06-01 is a date, 1 a product set")]
        let (start, set) = (
            cycle
                .definition()
                .in_force_from
                .unwrap_or_else(|| Date::new(2026, 6, 1).expect("2026-06-01 exists")),
            ProductSet::new(1).expect("product set 1 exists"),
        );
        TransitionHarness {
            open: open_case(&cycle, set),
            producer: producer(&cycle),
            factory: Arc::new(engine),
            start,
            catalog: None,
            input: TransitionInput {
                ground: Some(RevocationGround::NoLongerMeetsCriteria),
                inspection: Some(InspectionOutcome::Compliant),
                ..TransitionInput::default()
            },
            score: (80.0, 4),
            cycle,
        }
    }

    /// The day the case opens.
    pub fn start(mut self, date: Date) -> Self {
        self.start = date;
        self
    }

    /// The criteria sheet council members answer (without one, `Submit` steps are skipped);
    /// the case's product is put in its product set.
    pub fn catalog(mut self, catalog: CriteriaSheet) -> Self {
        self.open.product.product_set = catalog.product_set;
        self.catalog = Some(catalog);
        self
    }

    /// The case to open, instead of the default one.
    pub fn open_case(mut self, open: OpenCase) -> Self {
        self.open = open;
        self
    }

    /// The input every transition is taken with (default: a revocation ground and a
    /// compliant inspection, so that transitions needing them can be taken).
    pub fn input(mut self, input: TransitionInput) -> Self {
        self.input = input;
        self
    }

    /// The total and stars the sheets of [`drive_to`](Self::drive_to) aim at (default: 80
    /// points, keeping the minimum marks of 4 stars).
    pub fn council_score(mut self, total: f64, stars: u8) -> Self {
        self.score = (total, stars);
        self
    }

    /// The cycle under test.
    pub fn cycle(&self) -> &Cycle {
        &self.cycle
    }

    /// The day cases open.
    pub fn start_date(&self) -> Date {
        self.start
    }

    /// A new engine on `clock`, from the caller's closure.
    ///
    /// # Errors
    /// What the closure returns.
    pub fn engine(&self, clock: ManualClock) -> Result<Engine, BuildError> {
        (self.factory)(self.cycle.clone(), clock)
    }

    /// The actor the harness uses for `role`: `<role>-1`.
    pub fn actor(&self, role: &str) -> Actor {
        if role == self.producer.role.as_str() {
            return self.producer.clone();
        }
        Actor::new(format!("{role}-1"), role)
    }

    /// Opens `case` as the producer.
    ///
    /// # Errors
    /// The engine's refusal.
    pub fn open(
        &self,
        engine: &Engine,
        store: &dyn Store,
        case: &str,
    ) -> Result<Vec<Event>, CommandError> {
        engine.execute(
            store,
            &Command::open(case, self.producer.clone(), self.open.clone()),
        )
    }

    /// Every role's harness actor, the producer first.
    fn role_actors(&self) -> Vec<Actor> {
        let mut v = vec![self.producer.clone()];
        for r in &self.cycle.definition().roles {
            if r.id != self.producer.role {
                v.push(self.actor(r.id.as_str()));
            }
        }
        v
    }

    /// The council commands that make the stage sitting in the case's state complete: its
    /// constitution if needed, then a sheet from every member who has none.
    fn council_commands(&self, case: &Case, total: f64, stars: u8) -> Vec<Command> {
        let Some(stage) = self.cycle.evaluation_in(case.state()) else {
            return Vec::new();
        };
        let Some(catalog) = &self.catalog else {
            return Vec::new();
        };
        let id = case.id().clone();
        let mut out = Vec::new();
        let council = case.council(&stage.id);
        let members: Vec<CouncilMember> = match council.filter(|c| c.is_constituted()) {
            Some(c) => c.members().to_vec(),
            None => {
                let n = stage.council.min_members.max(5);
                let mut m: Vec<CouncilMember> = (1..=n)
                    .map(|i| CouncilMember {
                        id: format!("council-m{i}"),
                        chair: false,
                    })
                    .collect();
                if stage.chair_role.is_some() {
                    m.push(CouncilMember {
                        id: "council-chair".into(),
                        chair: true,
                    });
                }
                out.push(Command::new(
                    id.clone(),
                    self.council_chair(stage),
                    Action::ConstituteCouncil {
                        evaluation: stage.id.clone(),
                        members: m.clone(),
                    },
                ));
                m
            }
        };
        for m in members {
            if council.is_some_and(|c| c.sheet(&m.id).is_some()) {
                continue;
            }
            let role = match (&stage.chair_role, m.chair) {
                (Some(chair), true) => chair.clone(),
                _ => stage.member_role.clone(),
            };
            out.push(Command::new(
                id.clone(),
                Actor::new(m.id, role),
                Action::SubmitSheet {
                    evaluation: stage.id.clone(),
                    sheet: scoring_sheet(catalog, total, stars),
                },
            ));
        }
        out
    }

    fn council_chair(&self, stage: &Evaluation) -> Actor {
        match &stage.chair_role {
            Some(r) => Actor::new("council-chair", r.clone()),
            None => self
                .cycle
                .state(&stage.state)
                .and_then(|s| s.owner.clone())
                .map_or_else(
                    || Actor::new("council-chair", stage.member_role.clone()),
                    |o| self.actor(o.as_str()),
                ),
        }
    }

    /// Takes `case` to `target` the shortest way the engine allows: at each state, the
    /// available transition (to any actor of the harness) closest to `target`, after the
    /// council of an evaluation state has sat and scored the product at
    /// [`council_score`](Self::council_score). Internal transitions are not taken.
    ///
    /// # Errors
    /// A [`StuckError`] when no available transition leads towards `target`, or a command
    /// the path needs is refused.
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// use ocop_testkit::{EngineBuilder, ManualClock, MemoryStore, ProductSet, Scorer, TransitionHarness, load_definition};
    /// # let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
    /// let cycle = load_definition("national-2026.toml", &text).unwrap();
    /// let scorer: Arc<dyn Scorer> = Arc::new(ocop_criteria_26_2026::NativeScorer::new());
    /// let catalog = scorer.criteria(ProductSet::new(1).unwrap()).unwrap();
    /// let harness = TransitionHarness::new(cycle, move |cycle, clock| {
    ///     EngineBuilder::new(cycle).clock(clock).scorer("criteria-26-2026", scorer.clone()).build()
    /// })
    /// .catalog(catalog);
    /// let clock = ManualClock::on(harness.start_date());
    /// let engine = harness.engine(clock)?;
    /// let store = MemoryStore::new();
    /// harness.open(&engine, &store, "c1")?;
    /// harness.drive_to(&engine, &store, "c1", "monitoring")?;
    /// assert_eq!(engine.case(&store, &"c1".into())?.state().as_str(), "monitoring");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn drive_to(
        &self,
        engine: &Engine,
        store: &dyn Store,
        case: &str,
        target: &str,
    ) -> Result<(), StuckError> {
        let id = CaseId::new(case);
        let target = StateId::from(target);
        let distance = self.distances_to(&target);
        let stuck = |state: &StateId, reason: String| StuckError {
            state: state.clone(),
            reason,
        };
        let mut seen: HashMap<StateId, usize> = HashMap::new();
        for _ in 0..200 {
            let c = engine
                .case(store, &id)
                .map_err(|e| stuck(&StateId::from("?"), e.to_string()))?;
            if c.state() == &target {
                return Ok(());
            }
            let here = c.state().clone();
            *seen.entry(here.clone()).or_insert(0) += 1;
            // The nearest state by the graph, but not round in circles: a state already
            // passed through counts as farther (the graph ignores guards).
            let mut best: Option<((usize, usize), Actor, TransitionId)> = None;
            for actor in self.role_actors() {
                for t in engine.available(&c, &actor) {
                    let Some(tr) = self.cycle.transition(&t) else {
                        continue;
                    };
                    if tr.to == here {
                        continue;
                    }
                    let Some(d) = distance.get(&tr.to).copied() else {
                        continue;
                    };
                    let d = (seen.get(&tr.to).copied().unwrap_or(0), d);
                    if best.as_ref().is_none_or(|(bd, _, _)| d < *bd) {
                        best = Some((d, actor.clone(), t));
                    }
                }
            }
            if let Some((_, actor, t)) = best {
                engine
                    .execute(
                        store,
                        &Command::take_with(id.clone(), actor, t.clone(), self.input.clone()),
                    )
                    .map_err(|e| stuck(&here, format!("`{t}` was refused: {e}")))?;
                continue;
            }
            let council = self.council_commands(&c, self.score.0, self.score.1);
            if council.is_empty() {
                return Err(stuck(
                    &here,
                    format!("no available transition leads to `{target}`"),
                ));
            }
            for cmd in council {
                engine
                    .execute(store, &cmd)
                    .map_err(|e| stuck(&here, format!("the council could not sit: {e}")))?;
            }
        }
        let state = engine
            .case(store, &id)
            .map(|c| c.state().clone())
            .unwrap_or_else(|_| StateId::from("?"));
        Err(stuck(&state, "no way found in 200 moves".into()))
    }

    /// Distance (in transitions) from every state to `target`.
    fn distances_to(&self, target: &StateId) -> HashMap<StateId, usize> {
        let mut dist = HashMap::from([(target.clone(), 0usize)]);
        let mut queue = VecDeque::from([target.clone()]);
        while let Some(s) = queue.pop_front() {
            let d = dist.get(&s).copied().unwrap_or(0);
            for t in self.cycle.transitions().filter(|t| t.to == s) {
                for from in t.from.as_slice() {
                    if !dist.contains_key(from) {
                        dist.insert(from.clone(), d + 1);
                        queue.push_back(from.clone());
                    }
                }
            }
        }
        dist
    }

    /// Runs `steps` on a new case in `store` and checks the invariants after every step
    /// (see [`TransitionHarness`]). The case id is the first `testkit-<n>` not in the store,
    /// so a store can be shared by several runs; ticks then fire the other cases' deadlines
    /// too, and only this case is checked.
    ///
    /// # Errors
    /// The first [`TransitionViolation`], with the steps that led to it.
    pub fn check(&self, store: &dyn Store, steps: &[Step]) -> Result<Stats, TransitionViolation> {
        let clock = ManualClock::on(self.start);
        let fail = |invariant, expected: &str, found: String| TransitionViolation {
            invariant,
            expected: expected.to_owned(),
            found,
            step: 0,
            trace: vec!["0. open the case".into()],
        };
        let engine = self.engine(clock.clone()).map_err(|e| {
            fail(
                "engine builds",
                "the closure builds an engine",
                e.to_string(),
            )
        })?;
        let taken = store.cases().map_err(|e| {
            fail(
                "store lists cases",
                "the store lists its cases",
                e.to_string(),
            )
        })?;
        let mut n = taken.len() + 1;
        while taken.contains(&CaseId::new(format!("testkit-{n}"))) {
            n += 1;
        }
        let case = CaseId::new(format!("testkit-{n}"));
        let mut run = Run {
            harness: self,
            engine,
            clock,
            store,
            case,
            trace: Vec::new(),
            keyed: Vec::new(),
            stats: Stats::default(),
        };
        run.open()?;
        for (i, step) in steps.iter().enumerate() {
            run.step(i + 1, step)?;
        }
        run.stats.trace = run.trace;
        Ok(run.stats)
    }

    /// Panics with the violation's report unless [`check`](Self::check) passes.
    ///
    /// # Panics
    /// On the first violation: that is the point of an assertion.
    #[track_caller]
    pub fn assert_conforms(&self, store: &dyn Store, steps: &[Step]) -> Stats {
        match self.check(store, steps) {
            Ok(stats) => stats,
            Err(v) => {
                #[allow(clippy::panic, reason = "an assertion for test suites")]
                {
                    panic!("{v}");
                }
            }
        }
    }
}

/// Runs `steps` with `harness` on `store` and checks the engine's invariants (see
/// [`TransitionHarness`]). In a `proptest!` body, `?` turns the violation into a test
/// failure, and proptest shrinks the sequence to a minimal failing one.
///
/// # Errors
/// The first [`TransitionViolation`].
///
/// # Examples
/// ```
/// use std::sync::Arc;
/// use ocop_testkit::{EngineBuilder, MemoryStore, TransitionHarness, check_transitions, load_definition};
/// use ocop_testkit::strategy::{Rules, command_sequences};
/// use proptest::prelude::*;
///
/// # let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
/// let cycle = load_definition("national-2026.toml", &text).unwrap();
/// let harness = TransitionHarness::new(cycle.clone(), |cycle, clock| {
///     EngineBuilder::new(cycle).clock(clock).scorer("criteria-26-2026", std::sync::Arc::new(ocop_criteria_26_2026::NativeScorer::new())).build()
/// });
/// let config = ProptestConfig { cases: 4, failure_persistence: None, ..ProptestConfig::default() };
/// proptest::test_runner::TestRunner::new(config)
///     .run(&command_sequences(&cycle, Rules::Break), |steps| {
///         check_transitions(&harness, &MemoryStore::new(), &steps)?;
///         Ok(())
///     })
///     .unwrap();
/// ```
pub fn check_transitions(
    harness: &TransitionHarness,
    store: &dyn Store,
    steps: &[Step],
) -> Result<Stats, TransitionViolation> {
    harness.check(store, steps)
}

/// Panics with a readable report (the steps up to the failure, what was expected and what
/// happened) unless `steps` keep the engine's invariants; see [`check_transitions`].
///
/// # Panics
/// On the first violation: that is the point of an assertion.
///
/// # Examples
/// ```
/// use ocop_testkit::{EngineBuilder, MemoryStore, TransitionHarness, assert_transitions_conform, load_definition};
/// use ocop_testkit::strategy::Step;
/// # let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
/// let cycle = load_definition("national-2026.toml", &text).unwrap();
/// let harness = TransitionHarness::new(cycle, |cycle, clock| {
///     EngineBuilder::new(cycle).clock(clock).scorer("criteria-26-2026", std::sync::Arc::new(ocop_criteria_26_2026::NativeScorer::new())).build()
/// });
/// let steps = [Step::Take { transition: "expire".into(), actor: ocop_testkit::Actor::new("x", "producer"),
///     version: ocop_testkit::strategy::VersionCheck::Unchecked, key: true }, Step::Retry { back: 0 }];
/// let stats = assert_transitions_conform(&harness, &MemoryStore::new(), &steps);
/// assert_eq!(stats.refused, 2);
/// ```
#[track_caller]
pub fn assert_transitions_conform(
    harness: &TransitionHarness,
    store: &dyn Store,
    steps: &[Step],
) -> Stats {
    harness.assert_conforms(store, steps)
}

impl Run<'_> {
    fn violation(
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

    fn load(&self, step: usize) -> Result<Vec<Event>, TransitionViolation> {
        self.store.load(&self.case, 0).map_err(|e| {
            self.violation(
                step,
                "the store reads back",
                "the case's history loads",
                e.to_string(),
            )
        })
    }

    fn case(&self, step: usize) -> Result<Case, TransitionViolation> {
        self.engine.case(self.store, &self.case).map_err(|e| {
            self.violation(
                step,
                "the engine reads the case",
                "the engine loads the case from the store",
                e.to_string(),
            )
        })
    }

    fn open(&mut self) -> Result<(), TransitionViolation> {
        let h = self.harness;
        let result = h.open(&self.engine, self.store, self.case.as_str());
        self.trace.push(format!(
            "0. open `{}` on {} as `{}` ({})",
            self.case, h.start, h.producer.id, h.producer.role
        ));
        match result {
            Ok(events) => {
                self.after(0, &[], &events, None)?;
                Ok(())
            }
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
                let mut list: Vec<CouncilMember> = (1..=*members)
                    .map(|k| CouncilMember {
                        id: format!("council-m{k}"),
                        chair: false,
                    })
                    .collect();
                if stage.chair_role.is_some() {
                    list.push(CouncilMember {
                        id: "council-chair".into(),
                        chair: true,
                    });
                }
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
            Step::Wait { days } => Resolved::Tick(TickKind::Wait(*days)),
            Step::NextDeadline => Resolved::Tick(TickKind::NextDeadline),
        }
    }

    fn step(&mut self, i: usize, step: &Step) -> Result<(), TransitionViolation> {
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

    fn tick(
        &mut self,
        i: usize,
        kind: TickKind,
        before: &Case,
        history: &[Event],
    ) -> Result<(), TransitionViolation> {
        let report = match kind {
            TickKind::Wait(days) => {
                self.clock.advance_days(i64::from(days));
                self.engine
                    .tick(self.store, self.clock.now())
                    .map_err(CommandError::from)
                    .map(Some)
            }
            TickKind::NextDeadline => match self.engine.deadline(before) {
                Ok(Some(due)) if !due.fired && !self.harness.cycle.is_terminal(before.state()) => {
                    let fires_on = due.due.add_days(1);
                    if self.clock.now().vn_date() < fires_on {
                        self.clock.set_date(fires_on);
                    }
                    self.engine
                        .tick(self.store, self.clock.now())
                        .map_err(CommandError::from)
                        .map(Some)
                }
                Ok(_) => Ok(None),
                Err(e) => {
                    self.stats.skipped += 1;
                    self.trace.push(format!(
                        "{i}. jump to the case's next deadline: skipped ({e})"
                    ));
                    return Ok(());
                }
            },
        };
        let what = match kind {
            TickKind::Wait(days) => format!("wait {days} days and tick"),
            TickKind::NextDeadline => "jump to the case's next deadline and tick".to_owned(),
        };
        let today = self.clock.now().vn_date();
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                self.trace
                    .push(format!("{i}. {what} (now {today}) -> failed: {e}"));
                return Err(self.violation(
                    i,
                    "ticks run",
                    "the tick runs over the store's cases",
                    e.to_string(),
                ));
            }
        };
        let mut outcome = String::new();
        if let Some(report) = &report {
            for f in report.failed.iter().filter(|f| f.case == self.case) {
                if !matches!(f.error, CommandError::Calendar(_)) {
                    self.trace
                        .push(format!("{i}. {what} (now {today}) -> failed: {}", f.error));
                    return Err(self.violation(
                        i,
                        "deadlines are handled",
                        "the case's due timeout fires (only a calendar without the year may stop it)",
                        f.error.to_string(),
                    ));
                }
                outcome.push_str(&format!("; not fired: {}", f.error));
            }
            for f in report.fired.iter().filter(|f| f.case == self.case) {
                self.stats.timeouts += 1;
                outcome.push_str(&format!(
                    "; fired `{}` (due {})",
                    f.transition
                        .as_ref()
                        .map_or("transitional limit", |t| t.as_str()),
                    f.due
                ));
                if f.due >= today {
                    self.trace
                        .push(format!("{i}. {what} (now {today}){outcome}"));
                    return Err(self.violation(
                        i,
                        "timeouts fire after their due date",
                        format!("a deadline due {} fires on a later day", f.due),
                        format!("it fired on {today}"),
                    ));
                }
            }
        } else {
            outcome.push_str("; no deadline pending");
        }
        let after = self.case(i)?;
        self.trace.push(format!(
            "{i}. {what} (now {today}){outcome}; now `{}` v{}",
            after.state(),
            after.version()
        ));
        let stored = self.load(i)?;
        let new = stored.get(history.len()..).unwrap_or_default();
        if self.harness.cycle.is_terminal(before.state()) && !new.is_empty() {
            return Err(self.violation(
                i,
                "terminal states are final",
                format!("the case, ended in `{}`, fires no timeout", before.state()),
                format!("the tick appended {}", kinds(new)),
            ));
        }
        self.after(i, history, new, Some(before))
    }

    fn command(
        &mut self,
        i: usize,
        cmd: &Command,
        kind: Kind,
        before: &Case,
        history: &[Event],
    ) -> Result<(), TransitionViolation> {
        let result = self.engine.execute(self.store, cmd);
        let after = self.case(i)?;
        let label = match kind {
            Kind::Fresh => String::new(),
            Kind::Retry(k) => format!(
                "retry of step {}: ",
                self.keyed.get(k).map_or(0, |o| o.step)
            ),
            Kind::ReuseKey(k) => format!(
                "key of step {} reused: ",
                self.keyed.get(k).map_or(0, |o| o.step)
            ),
        };
        let answer = match &result {
            Ok(events) => format!("accepted: {}", kinds(events)),
            Err(e) => format!("refused: {e}"),
        };
        self.trace.push(format!(
            "{i}. {label}{} in `{}` v{} -> {answer}; now `{}` v{}",
            describe(cmd),
            before.state(),
            before.version(),
            after.state(),
            after.version()
        ));
        let stored = self.load(i)?;
        let new = stored.get(history.len()..).unwrap_or_default();
        match &result {
            Ok(_) => self.stats.accepted += 1,
            Err(_) => self.stats.refused += 1,
        }
        if let Some(e) = new
            .iter()
            .find(|e| self.harness.cycle.state(&e.to).is_none())
        {
            return Err(self.violation(
                i,
                "the state is a node",
                "every event lands in a state of the cycle",
                format!("event {} ({}) lands in `{}`", e.seq, e.body.kind(), e.to),
            ));
        }

        // What this kind of command must do.
        let recorded = match kind {
            Kind::Retry(k) | Kind::ReuseKey(k) => self
                .keyed
                .get(k)
                .and_then(|o| o.result.as_ref().ok().map(|e| (o.step, e.clone()))),
            Kind::Fresh => None,
        };
        match (&kind, &recorded) {
            (Kind::Retry(_), Some((step, events))) => {
                self.stats.retries += 1;
                let same = matches!(&result, Ok(e) if e == events);
                if !same || !new.is_empty() {
                    return Err(self.violation(
                        i,
                        "idempotent retry",
                        format!(
                            "the retry returns the {} step {step} appended ({}) and appends nothing",
                            count(events.len()),
                            kinds(events)
                        ),
                        format!(
                            "the engine answered ({answer}) and appended {}{}",
                            count(new.len()),
                            if new.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", kinds(new))
                            }
                        ),
                    ));
                }
                return self.after(i, history, new, Some(before));
            }
            (Kind::ReuseKey(_), Some((step, _))) => {
                if !matches!(result, Err(CommandError::KeyReused { .. })) || !new.is_empty() {
                    return Err(self.violation(
                        i,
                        "idempotency keys are not reused",
                        format!(
                            "another command under the key of step {step} is refused (key reused) and appends nothing"
                        ),
                        format!("the engine answered ({answer}) and appended {}", count(new.len())),
                    ));
                }
                return self.after(i, history, new, Some(before));
            }
            _ => {}
        }

        // Refusals that must happen.
        let terminal = self.harness.cycle.is_terminal(before.state());
        let stale = cmd.expected_version.is_some_and(|v| v != before.version());
        if terminal
            && !matches!(
                result,
                Err(CommandError::Terminal { .. } | CommandError::Conflict { .. })
            )
        {
            return Err(self.violation(
                i,
                "terminal states are final",
                format!(
                    "the case, ended in `{}`, refuses the command as ended",
                    before.state()
                ),
                answer,
            ));
        }
        if stale && !matches!(result, Err(CommandError::Conflict { .. })) {
            return Err(self.violation(
                i,
                "expected versions are checked",
                format!(
                    "a command expecting v{} on a case at v{} is refused with a conflict",
                    cmd.expected_version.unwrap_or_default(),
                    before.version()
                ),
                answer,
            ));
        }
        if let Action::Take { transition, .. } = &cmd.action {
            let allowed = self
                .harness
                .cycle
                .transition(transition)
                .is_some_and(|t| t.roles.contains(&cmd.actor.role));
            if !allowed && (result.is_ok() || after.state() != before.state()) {
                return Err(self.violation(
                    i,
                    "only the transition's roles move the case",
                    format!(
                        "role `{}` may not take `{transition}`: the command is refused",
                        cmd.actor.role
                    ),
                    answer,
                ));
            }
        }
        if let Err(e @ (CommandError::Store(_) | CommandError::Corrupt(_))) = &result {
            return Err(self.violation(
                i,
                "the engine refuses cleanly",
                "a refusal that says what the command lacks",
                format!("the engine failed: {e}"),
            ));
        }

        // What the command appended.
        match &result {
            Ok(events) if events.as_slice() != new => {
                let diff = events
                    .iter()
                    .zip(new)
                    .find(|(a, b)| a != b)
                    .map(|(a, b)| {
                        format!("; event {} differs: returned {a:?}, stored {b:?}", a.seq)
                    })
                    .unwrap_or_default();
                return Err(self.violation(
                    i,
                    "commands append what they return",
                    format!(
                        "the store gains the {} the engine returned ({})",
                        count(events.len()),
                        kinds(events)
                    ),
                    format!(
                        "the store gained {} ({}){diff}",
                        count(new.len()),
                        kinds(new)
                    ),
                ));
            }
            Err(_) if !new.is_empty() => {
                return Err(self.violation(
                    i,
                    "refused commands append nothing",
                    "the store is unchanged",
                    format!("the store gained {} ({})", count(new.len()), kinds(new)),
                ));
            }
            _ => {}
        }
        if cmd.idempotency_key.is_some() && matches!(kind, Kind::Fresh) {
            self.keyed.push(Keyed {
                step: i,
                command: cmd.clone(),
                result: result.map_err(|e| e.to_string()),
            });
        }
        self.after(i, history, new, Some(before))
    }

    /// The invariants checked after every step.
    fn after(
        &mut self,
        i: usize,
        history: &[Event],
        new: &[Event],
        before: Option<&Case>,
    ) -> Result<(), TransitionViolation> {
        let cycle = &self.harness.cycle;
        let stored = self.load(i)?;
        if stored.get(..history.len()) != Some(history) {
            return Err(self.violation(
                i,
                "histories are append-only",
                format!("the first {} events are unchanged", history.len()),
                "the stored history was rewritten",
            ));
        }
        let case = self.case(i)?;
        if cycle.state(case.state()).is_none() {
            return Err(self.violation(
                i,
                "the state is a node",
                "the case is in a state of the cycle",
                format!("the case is in `{}`", case.state()),
            ));
        }
        // Walk the new events: transitions are edges from where the case was.
        let mut here = before.map(|b| b.state().clone());
        for e in new {
            if cycle.state(&e.to).is_none() {
                return Err(self.violation(
                    i,
                    "the state is a node",
                    "every event lands in a state of the cycle",
                    format!("event {} ({}) lands in `{}`", e.seq, e.body.kind(), e.to),
                ));
            }
            match (&e.body, &here) {
                (EventBody::Opened(_), _) => here = Some(e.to.clone()),
                (EventBody::Transitioned(_), Some(from)) => {
                    let Some(t) = e.transition.as_ref().and_then(|t| cycle.transition(t)) else {
                        return Err(self.violation(
                            i,
                            "only edges are taken",
                            "a `transitioned` event names a transition of the cycle",
                            format!("event {} names {:?}", e.seq, e.transition),
                        ));
                    };
                    let ok = e.from.as_ref() == Some(from)
                        && cycle.leaves(&t.id, from)
                        && e.to == t.to
                        && t.roles.contains(&e.actor.role);
                    if !ok {
                        return Err(self.violation(
                            i,
                            "only edges are taken",
                            format!(
                                "`{}` goes from `{from}` to `{}` and is taken by {}",
                                t.id,
                                t.to,
                                t.roles
                                    .iter()
                                    .map(|r| format!("`{r}`"))
                                    .collect::<Vec<_>>()
                                    .join(" or ")
                            ),
                            format!(
                                "event {} goes from {:?} to `{}`, by `{}`",
                                e.seq,
                                e.from.as_ref().map(StateId::as_str),
                                e.to,
                                e.actor.role
                            ),
                        ));
                    }
                    here = Some(e.to.clone());
                }
                (_, Some(from)) if &e.to != from => {
                    return Err(self.violation(
                        i,
                        "only edges are taken",
                        format!("a `{}` event leaves the case in `{from}`", e.body.kind()),
                        format!("event {} moves it to `{}`", e.seq, e.to),
                    ));
                }
                _ => {}
            }
        }
        if let Some(expected) = &here
            && expected != case.state()
        {
            return Err(self.violation(
                i,
                "replay equals the state",
                format!("the engine's case is in `{expected}`, where its events lead"),
                format!("the engine says `{}`", case.state()),
            ));
        }
        match ocop_engine::replay(&stored) {
            Ok(replayed) if replayed == case => {}
            Ok(replayed) => {
                return Err(self.violation(
                    i,
                    "replay equals the state",
                    format!(
                        "replaying the {} stored events gives the engine's case (`{}` v{})",
                        stored.len(),
                        case.state(),
                        case.version()
                    ),
                    format!(
                        "the replay gives `{}` v{}",
                        replayed.state(),
                        replayed.version()
                    ),
                ));
            }
            Err(e) => {
                return Err(self.violation(
                    i,
                    "replay equals the state",
                    "the stored history replays",
                    e.to_string(),
                ));
            }
        }
        if let Err(e) = ocop_engine::verify(&stored) {
            return Err(self.violation(
                i,
                "the history verifies",
                "the hash chain of the stored history is intact",
                e.to_string(),
            ));
        }
        self.stats.visit(case.state());
        self.stats.version = case.version();
        Ok(())
    }
}
