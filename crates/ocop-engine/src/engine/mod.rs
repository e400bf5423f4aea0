//! The engine: checks commands against the cycle and turns them into events.
//!
//! - [`builder`]: [`EngineBuilder`], what an engine needs (calendar, clock, every plugin the
//!   definition uses) and the retry policy.
//! - `execute`: a command's path: idempotency, the cached case brought up to the store's
//!   version, the decision, the append (retried when another writer got there first).
//! - `transition`: opening a case, taking a transition, who may act.
//! - `guards` / `effects`: one exhaustive `match` each over the typed guards and effects.
//! - `sitting`: a council sitting (constituting it, submitting sheets).
//! - `deadlines`: rounds, deadlines, and [`Engine::tick`].
//! - `queries`: what a case allows, its summary.

mod builder;
mod deadlines;
mod effects;
mod execute;
mod guards;
mod queries;
mod sitting;
mod transition;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use ocop_core::{
    Cycle, Date,
    ids::{PluginId, RoleId, StateId, TransitionId},
    plugin::{GuardPlugin, Scorer},
};

use crate::calendar::Calendar;
use crate::case::Case;
use crate::clock::{Clock, Timestamp};
use crate::command::{Action, CommandError};
use crate::event::{Actor, CaseId, Event, EventBody, Timeout};
use crate::projector::Projector;

pub use builder::{BuildError, EngineBuilder, RetryPolicy};
pub use deadlines::{FiredTimeout, TickFailure, TickReport};
pub use execute::Outcome;

type Slot = Arc<Mutex<Option<Case>>>;

/// Runs cases through one validated cycle. Commands in, events out.
///
/// The engine keeps the cases it has seen in memory. Before deciding a command it asks the
/// store for the case's version and reads only the events it has not seen, so several
/// engines (processes, nodes) can share one store; the store's version check at append
/// makes a command decided on a case that changed meanwhile fail, and a command without an
/// expected version is then decided again on the fresh case (see [`RetryPolicy`]).
pub struct Engine {
    cycle: Arc<Cycle>,
    projector: Projector,
    clock: Arc<dyn Clock>,
    scorers: HashMap<PluginId, Arc<dyn Scorer>>,
    guards: HashMap<PluginId, Arc<dyn GuardPlugin>>,
    cache: Mutex<HashMap<CaseId, Slot>>,
    producer_roles: BTreeSet<RoleId>,
    retry: RetryPolicy,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("definition", &self.cycle.definition().id)
            .field("calendar", &self.projector.calendar().id())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// A builder for an engine running `cycle`.
    pub fn builder(cycle: Cycle) -> EngineBuilder {
        EngineBuilder::new(cycle)
    }

    /// The cycle the engine runs.
    pub fn cycle(&self) -> &Cycle {
        &self.cycle
    }

    /// The working-day calendar.
    pub fn calendar(&self) -> &Calendar {
        self.projector.calendar()
    }

    /// What the engine computes a case's projection (summary, deadline, due date) with.
    pub fn projector(&self) -> &Projector {
        &self.projector
    }

    /// The current instant, from the engine's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// How commands that lose a race are retried.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }
}

/// What a command does once its actor, case and version are settled.
enum Op<'a> {
    Public(&'a Action),
    Timeout {
        transition: TransitionId,
        timeout: Timeout,
    },
    LimitPassed {
        finish_by: Date,
    },
}

/// A failed decision: the error, and whether the cached case was already changed.
struct Refused {
    error: Box<CommandError>,
    dirty: bool,
}

impl From<CommandError> for Refused {
    fn from(error: CommandError) -> Refused {
        Refused {
            error: Box::new(error),
            dirty: false,
        }
    }
}

impl Refused {
    fn dirty(error: CommandError) -> Refused {
        Refused {
            error: Box::new(error),
            dirty: true,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `` `a`, `b` or `c` ``, or "nothing".
fn quoted<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let v: Vec<String> = items.into_iter().map(|s| format!("`{s}`")).collect();
    match v.len() {
        0 => "nothing".to_owned(),
        1 => v.concat(),
        _ => {
            let (last, rest) = v
                .split_last()
                .map_or((String::new(), &[][..]), |(l, r)| (l.clone(), r));
            format!("{} or {last}", rest.join(", "))
        }
    }
}

/// Events being appended by one command, applied to the case as they are made.
struct Tx<'c> {
    case: &'c mut Case,
    events: Vec<Event>,
    actor: Actor,
    at: Timestamp,
    transition: Option<TransitionId>,
    from: StateId,
}

impl Tx<'_> {
    fn push(&mut self, body: EventBody, to: StateId) -> Result<(), Refused> {
        let e = Event::new(
            self.case,
            self.at,
            self.actor.clone(),
            self.transition.clone(),
            Some(self.from.clone()),
            to,
            body,
        )
        .map_err(|e| Refused::dirty(CommandError::Unencodable(e)))?;
        self.case
            .apply(&e)
            .map_err(|e| Refused::dirty(CommandError::Corrupt(e)))?;
        self.events.push(e);
        Ok(())
    }

    fn here(&self) -> StateId {
        self.case.state.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_lists_read_as_english() {
        assert_eq!(quoted(["a"]), "`a`");
        assert_eq!(quoted(["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(quoted(Vec::<&str>::new()), "nothing");
    }
}
