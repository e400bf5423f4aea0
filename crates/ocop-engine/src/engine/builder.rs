//! Building an engine: its calendar, clock and plugins, checked against the definition.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};

use ocop_core::{
    Cycle,
    definition::PluginKind,
    domain::Level,
    ids::PluginId,
    plugin::{GuardPlugin, Scorer},
};

use super::Engine;
use crate::calendar::Calendar;
use crate::clock::{Clock, SystemClock};
use crate::projector::Projector;

/// An engine that could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The definition names a calendar the engine was not given.
    #[error(
        "definition `{definition}` counts working days on calendar `{wants}`, but the engine was given `{given}`"
    )]
    CalendarMismatch {
        /// The definition.
        definition: String,
        /// The calendar it names.
        wants: String,
        /// The calendar given.
        given: String,
    },
    /// The definition names a calendar with no default, and none was given.
    #[error(
        "definition `{definition}` counts working days on calendar `{wants}`; load it with `Calendar::load` and pass it to `EngineBuilder::calendar`"
    )]
    MissingCalendar {
        /// The definition.
        definition: String,
        /// The calendar it names.
        wants: String,
    },
    /// A plugin was registered under an id the definition does not declare.
    #[error("plugin `{plugin}` is not declared in definition `{definition}`")]
    UnknownPlugin {
        /// The plugin id.
        plugin: String,
        /// The definition.
        definition: String,
    },
    /// A plugin was registered as the wrong kind.
    #[error("plugin `{plugin}` is declared as a {declared} plugin but was registered as a {given}")]
    WrongPluginKind {
        /// The plugin id.
        plugin: String,
        /// The declared kind.
        declared: &'static str,
        /// The kind registered.
        given: &'static str,
    },
    /// A plugin the definition uses was not registered: the first command needing it
    /// would fail, so the engine is refused now.
    #[error(
        "definition `{definition}` uses {kind} plugin `{plugin}` ({used_by}), but it was not registered: load it and pass it to `EngineBuilder::{method}`"
    )]
    PluginNotRegistered {
        /// The plugin id.
        plugin: String,
        /// The definition.
        definition: String,
        /// `scoring` or `guard`.
        kind: &'static str,
        /// What uses it, e.g. "evaluation stage `city_council`".
        used_by: String,
        /// The builder method that registers it.
        method: &'static str,
    },
}

/// How a command without an expected version is retried when another writer appended to
/// its case between the engine's read and its append.
///
/// Such a command is decided again on the fresh case, at most [`retries`](Self::retries)
/// times (default 3), immediately and without backoff: the loser of a race re-reads only
/// the events it has not seen, and a case rarely has more than a few writers at once. When
/// every attempt loses, the command fails with
/// [`CommandError::Contended`](crate::CommandError::Contended), saying how often the case
/// moved on and the last version seen; nothing is stored. A command *with* an expected
/// version is never retried: it fails with
/// [`CommandError::Conflict`](crate::CommandError::Conflict) at once, since the caller
/// asked for that version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    retries: u32,
}

impl RetryPolicy {
    /// Decide again at most `retries` times after losing a race (0: never retry).
    pub fn new(retries: u32) -> RetryPolicy {
        RetryPolicy { retries }
    }

    /// How many times a command is decided again after losing a race.
    pub fn retries(self) -> u32 {
        self.retries
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::new(3)
    }
}

/// Configures an [`Engine`].
///
/// # Examples
/// ```
/// use std::sync::Arc;
/// use ocop_engine::{Calendar, EngineBuilder, ManualClock, RetryPolicy};
///
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
/// let cycle = ocop_core::load_definition("national-2026.toml", &text).unwrap();
/// let engine = EngineBuilder::new(cycle)
///     .calendar(Calendar::vietnam())
///     .clock(ManualClock::on("2026-06-01".parse().unwrap()))
///     .scorer("criteria-26-2026", Arc::new(ocop_criteria_26_2026::NativeScorer::new()))
///     .retry(RetryPolicy::new(5))
///     .build()?;
/// assert_eq!(engine.cycle().definition().id.as_str(), "national-2026");
///
/// // Every plugin the definition uses must be registered.
/// let cycle = engine.cycle().clone();
/// let err = EngineBuilder::new(cycle).build().unwrap_err();
/// assert!(err.to_string().contains("`criteria-26-2026`"), "{err}");
/// # Ok::<(), ocop_engine::BuildError>(())
/// ```
pub struct EngineBuilder {
    cycle: Cycle,
    calendar: Option<Calendar>,
    clock: Arc<dyn Clock>,
    scorers: HashMap<PluginId, Arc<dyn Scorer>>,
    guards: HashMap<PluginId, Arc<dyn GuardPlugin>>,
    retry: RetryPolicy,
}

impl fmt::Debug for EngineBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineBuilder")
            .field("definition", &self.cycle.definition().id)
            .finish_non_exhaustive()
    }
}

fn kind_name(k: PluginKind) -> &'static str {
    match k {
        PluginKind::Scoring => "scoring",
        PluginKind::Guard => "guard",
    }
}

impl EngineBuilder {
    /// An engine for `cycle`, with the system clock, (for `calendar = "vn"`) the shipped
    /// Vietnamese calendar and the default [`RetryPolicy`] until told otherwise.
    pub fn new(cycle: Cycle) -> EngineBuilder {
        EngineBuilder {
            cycle,
            calendar: None,
            clock: Arc::new(SystemClock),
            scorers: HashMap::new(),
            guards: HashMap::new(),
            retry: RetryPolicy::default(),
        }
    }

    /// The working-day calendar (its id must be the definition's `calendar`).
    pub fn calendar(mut self, calendar: Calendar) -> Self {
        self.calendar = Some(calendar);
        self
    }

    /// The clock commands are timed by.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// A shared clock.
    pub fn shared_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The scoring plugin declared as `id`.
    pub fn scorer(mut self, id: impl Into<PluginId>, scorer: Arc<dyn Scorer>) -> Self {
        self.scorers.insert(id.into(), scorer);
        self
    }

    /// The guard plugin declared as `id`.
    pub fn guard_plugin(mut self, id: impl Into<PluginId>, plugin: Arc<dyn GuardPlugin>) -> Self {
        self.guards.insert(id.into(), plugin);
        self
    }

    /// How commands that lose a race are retried (default: 3 times).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Builds the engine.
    ///
    /// # Errors
    /// A [`BuildError`] when the calendar does not match the definition's, a plugin is
    /// registered under an undeclared id or as the wrong kind, or a plugin the definition
    /// uses (a stage's scorer, a `plugin` guard's plugin) is not registered.
    pub fn build(self) -> Result<Engine, BuildError> {
        let cycle = &self.cycle;
        let def = cycle.definition();
        let calendar = match self.calendar {
            Some(c) if c.id() == def.calendar => c,
            Some(c) => {
                return Err(BuildError::CalendarMismatch {
                    definition: def.id.to_string(),
                    wants: def.calendar.clone(),
                    given: c.id().to_owned(),
                });
            }
            None if def.calendar == "vn" => Calendar::vietnam(),
            None => {
                return Err(BuildError::MissingCalendar {
                    definition: def.id.to_string(),
                    wants: def.calendar.clone(),
                });
            }
        };
        let check = |id: &PluginId, given: PluginKind| -> Result<(), BuildError> {
            match cycle.plugin(id) {
                None => Err(BuildError::UnknownPlugin {
                    plugin: id.to_string(),
                    definition: def.id.to_string(),
                }),
                Some(p) if p.kind != given => Err(BuildError::WrongPluginKind {
                    plugin: id.to_string(),
                    declared: kind_name(p.kind),
                    given: kind_name(given),
                }),
                Some(_) => Ok(()),
            }
        };
        for id in self.scorers.keys() {
            check(id, PluginKind::Scoring)?;
        }
        for id in self.guards.keys() {
            check(id, PluginKind::Guard)?;
        }
        for p in cycle.plugins().iter().filter(|p| p.used) {
            let registered = match p.kind {
                PluginKind::Scoring => self.scorers.contains_key(&p.id),
                PluginKind::Guard => self.guards.contains_key(&p.id),
            };
            if !registered {
                return Err(missing(cycle, &p.id, p.kind));
            }
        }
        let producer_roles: BTreeSet<_> = cycle
            .roles()
            .iter()
            .filter(|r| r.level == Level::Producer)
            .map(|r| r.id.clone())
            .collect();
        let projector = Projector::new(self.cycle, calendar);
        Ok(Engine {
            cycle: Arc::clone(projector.shared_cycle()),
            projector,
            clock: self.clock,
            scorers: self.scorers,
            guards: self.guards,
            cache: Mutex::new(HashMap::new()),
            producer_roles,
            retry: self.retry,
        })
    }
}

/// The error for a used plugin that was not registered, naming what uses it.
fn missing(cycle: &Cycle, id: &PluginId, kind: PluginKind) -> BuildError {
    let used_by = match kind {
        PluginKind::Scoring => cycle
            .evaluations()
            .iter()
            .find(|e| e.plugin == *id)
            .map(|e| format!("evaluation stage `{}`", e.id)),
        PluginKind::Guard => cycle
            .transitions()
            .find(|t| {
                t.guards.iter().any(
                    |g| matches!(g, ocop_core::cycle::Guard::Plugin { plugin, .. } if plugin == id),
                )
            })
            .map(|t| format!("a guard of transition `{}`", t.id)),
    };
    BuildError::PluginNotRegistered {
        plugin: id.to_string(),
        definition: cycle.definition().id.to_string(),
        kind: kind_name(kind),
        used_by: used_by.unwrap_or_else(|| "declared".into()),
        method: match kind {
            PluginKind::Scoring => "scorer",
            PluginKind::Guard => "guard_plugin",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calendar_for_another_id_is_refused() {
        let text = include_str!("../../../../workflows/national-2026.toml")
            .replace("calendar = \"vn\"", "calendar = \"la\"");
        let cycle = ocop_core::load_definition("x.toml", &text).unwrap();
        let scorer = std::sync::Arc::new(ocop_criteria_26_2026::NativeScorer::new());
        let err = EngineBuilder::new(cycle.clone())
            .scorer("criteria-26-2026", scorer.clone())
            .build()
            .unwrap_err();
        assert!(matches!(err, BuildError::MissingCalendar { .. }));
        let err = EngineBuilder::new(cycle)
            .scorer("criteria-26-2026", scorer)
            .calendar(Calendar::vietnam())
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("calendar `la`"), "{err}");
    }

    #[test]
    fn every_plugin_the_definition_uses_must_be_registered() {
        let text = include_str!("../../../../workflows/can-tho-2024.toml");
        let cycle = ocop_core::load_definition("can-tho-2024.toml", text).unwrap();
        let scorer = std::sync::Arc::new(ocop_criteria_26_2026::NativeScorer::new());
        let err = EngineBuilder::new(cycle.clone())
            .scorer("criteria-26-2026", scorer)
            .build()
            .unwrap_err();
        let BuildError::PluginNotRegistered { plugin, kind, .. } = &err else {
            panic!("{err}");
        };
        assert_eq!((plugin.as_str(), *kind), ("cantho-local", "guard"));
        assert!(err.to_string().contains("guard_plugin"), "{err}");
        let err = EngineBuilder::new(cycle).build().unwrap_err();
        assert!(err.to_string().contains("evaluation stage"), "{err}");
    }
}
