//! Transition conformance: drives a real [`Engine`] on any [`Store`] with a sequence of
//! [`Step`]s and checks the engine's invariants after every step.
//!
//! This is the one home of the engine's case driver and invariant checks: the engine's own
//! property, model and fuzz tests and its benchmark use it too. The module is split along
//! its seams:
//!
//! - here: [`TransitionHarness`], its builder and the entry points
//!   ([`check_transitions`], [`assert_transitions_conform`]);
//! - [`CaseInvariants`] (`invariants.rs`): what must hold of a case's stored history after
//!   every command or tick, usable on its own by a test that drives the engine itself;
//! - `run.rs`: a run of [`Step`]s, each resolved against the case as it is;
//! - `outcomes.rs`: what each command or tick must do beyond the history's invariants
//!   (refusals, idempotent retries, appends, timeouts);
//! - `drive.rs`: [`TransitionHarness::drive_to`] and the council commands it needs;
//! - `fixtures.rs`: the case the harness opens and [`scoring_sheet`];
//! - `report.rs`: [`Stats`], [`TransitionViolation`], [`StuckError`] and the trace lines.

use std::fmt;
use std::sync::Arc;

use ocop_core::{Cycle, Date, ProductSet, domain::RevocationGround, plugin::CriteriaSheet};
use ocop_engine::{
    Actor, BuildError, CaseId, Command, CommandError, Engine, Event, InspectionOutcome,
    ManualClock, OpenCase, Store, TransitionInput,
};

use crate::strategy::Step;

mod drive;
mod fixtures;
mod invariants;
mod outcomes;
mod report;
mod run;

pub use fixtures::scoring_sheet;
pub use invariants::CaseInvariants;
pub use report::{Stats, StuckError, TransitionViolation};

use fixtures::{open_case, producer};
use run::Run;

/// Builds the engine under test from the cycle and the harness's clock.
type Factory = dyn Fn(Cycle, ManualClock) -> Result<Engine, BuildError> + Send + Sync;

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
}

impl TransitionHarness {
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
            case: case.clone(),
            trace: Vec::new(),
            keyed: Vec::new(),
            stats: Stats::default(),
            invariants: CaseInvariants::new(&self.cycle, case.clone()),
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
