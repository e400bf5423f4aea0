//! Time under the test's control: a [`ManualClock`] the engine reads, and helpers that jump
//! from deadline to deadline, so that a 36-month certificate runs to its expiry in
//! milliseconds.

use ocop_core::Date;
use ocop_engine::{CaseId, Clock, CommandError, DueDate, Engine, Store, TickReport};

pub use ocop_engine::{ManualClock, Timestamp};

/// The earliest deadline still to fire among the store's cases of the engine's definition
/// (terminal cases and fired deadlines left out), ties broken by case id.
///
/// # Errors
/// A store failure, a case that cannot be read, or a working-day count the calendar cannot
/// make.
///
/// # Examples
/// ```
/// use ocop_testkit::{EngineBuilder, ManualClock, MemoryStore, TransitionHarness, load_definition};
/// use ocop_testkit::time::next_deadline;
/// # let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
/// let cycle = load_definition("national-2026.toml", &text).unwrap();
/// let harness = TransitionHarness::new(cycle, |cycle, clock| {
///     EngineBuilder::new(cycle).clock(clock).scorer("criteria-26-2026", std::sync::Arc::new(ocop_criteria_26_2026::NativeScorer::new())).build()
/// });
/// let engine = harness.engine(ManualClock::on(harness.start_date()))?;
/// let store = MemoryStore::new();
/// assert!(next_deadline(&engine, &store)?.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn next_deadline(
    engine: &Engine,
    store: &dyn Store,
) -> Result<Option<(CaseId, DueDate)>, CommandError> {
    let mut best: Option<(CaseId, DueDate)> = None;
    // The due-date index names every case with something pending, at its earliest day.
    for entry in store.due(&engine.cycle().definition().id, Date::MAX)? {
        let id = entry.case;
        let case = engine.case(store, &id)?;
        if engine.cycle().is_terminal(case.state()) {
            continue;
        }
        let Some(due) = engine.deadline(&case)? else {
            continue;
        };
        if due.fired {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|(bid, b)| (due.due, &id) < (b.due, bid))
        {
            best = Some((id, due));
        }
    }
    Ok(best)
}

/// Moves `clock` to the first day a tick fires the earliest pending deadline of the store
/// (the day after its last day, 09:00 Vietnam time; the clock never goes back) and ticks.
/// Returns what the tick did, or `None` when no deadline is pending.
///
/// # Errors
/// As [`next_deadline`], or a store failure during the tick.
///
/// # Examples
/// A commune that lets its 15 working days pass (from Monday 1 June 2026 to Monday 22 June):
/// the overdue notice fires on the 23rd.
/// ```
/// use ocop_testkit::{Clock, Command, EngineBuilder, ManualClock, MemoryStore, TransitionHarness, load_definition};
/// use ocop_testkit::time::advance_to_next_deadline;
/// # let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
/// let cycle = load_definition("national-2026.toml", &text).unwrap();
/// let harness = TransitionHarness::new(cycle, |cycle, clock| {
///     EngineBuilder::new(cycle).clock(clock).scorer("criteria-26-2026", std::sync::Arc::new(ocop_criteria_26_2026::NativeScorer::new())).build()
/// })
///     .start("2026-06-01".parse().unwrap());
/// let clock = ManualClock::on(harness.start_date());
/// let engine = harness.engine(clock.clone())?;
/// let store = MemoryStore::new();
/// harness.open(&engine, &store, "c1")?;
/// engine.execute(&store, &Command::take("c1", harness.actor("producer"), "file_dossier"))?;
///
/// let report = advance_to_next_deadline(&engine, &store, &clock)?.unwrap();
/// assert_eq!(clock.now().vn_date().to_string(), "2026-06-23");
/// assert_eq!(report.fired[0].transition.as_ref().unwrap().as_str(), "commune_review_overdue");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn advance_to_next_deadline(
    engine: &Engine,
    store: &dyn Store,
    clock: &ManualClock,
) -> Result<Option<TickReport>, CommandError> {
    let Some((_, due)) = next_deadline(engine, store)? else {
        return Ok(None);
    };
    let fires_on = due.due.add_days(1);
    if clock.now().vn_date() < fires_on {
        clock.set_date(fires_on);
    }
    Ok(Some(engine.tick(store, clock.now())?))
}

/// Runs the store's deadlines one after the other, in order, until `until`: each pending
/// deadline whose firing day is on or before `until` moves the clock there and ticks; then
/// the clock is set to `until` (if it is behind) and ticks once more. Returns every timeout
/// fired and every failure, in order. Stops early when a tick fires nothing (a deadline
/// that cannot fire, e.g. a calendar without the year): its failure is in the report.
///
/// # Errors
/// As [`advance_to_next_deadline`].
///
/// # Examples
/// ```
/// use ocop_testkit::{Clock, Command, EngineBuilder, ManualClock, MemoryStore, TransitionHarness, load_definition};
/// use ocop_testkit::time::run_until;
/// # let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
/// let cycle = load_definition("national-2026.toml", &text).unwrap();
/// let harness = TransitionHarness::new(cycle, |cycle, clock| {
///     EngineBuilder::new(cycle).clock(clock).scorer("criteria-26-2026", std::sync::Arc::new(ocop_criteria_26_2026::NativeScorer::new())).build()
/// });
/// let clock = ManualClock::on(harness.start_date());
/// let engine = harness.engine(clock.clone())?;
/// let store = MemoryStore::new();
/// harness.open(&engine, &store, "c1")?;
/// engine.execute(&store, &Command::take("c1", harness.actor("producer"), "file_dossier"))?;
///
/// let report = run_until(&engine, &store, &clock, "2026-12-31".parse().unwrap())?;
/// assert_eq!(report.fired.len(), 1, "the commune's deadline fires once per entry");
/// assert_eq!(clock.now().vn_date().to_string(), "2026-12-31");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_until(
    engine: &Engine,
    store: &dyn Store,
    clock: &ManualClock,
    until: Date,
) -> Result<TickReport, CommandError> {
    let mut all = TickReport::default();
    loop {
        match next_deadline(engine, store)? {
            Some((_, due)) if due.due.add_days(1) <= until => {
                let Some(report) = advance_to_next_deadline(engine, store, clock)? else {
                    break;
                };
                let progressed = !report.fired.is_empty();
                all.fired.extend(report.fired);
                all.failed.extend(report.failed);
                if !progressed {
                    return Ok(all);
                }
            }
            _ => break,
        }
    }
    if clock.now().vn_date() < until {
        clock.set_date(until);
    }
    let report = engine.tick(store, clock.now())?;
    all.fired.extend(report.fired);
    all.failed.extend(report.failed);
    Ok(all)
}
