//! The engine: checks commands against the cycle and turns them into events.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use ocop_core::{
    Anchor, CaseView, Certificate, CertificateStatus, Cycle, Date, Effect, EvaluationId,
    GuardPlugin, Level, PluginId, PluginKind, RegistrationType, RoleId, Scorer, StateId, StateKind,
    Transition, TransitionId,
};

use crate::calendar::{Calendar, CalendarError};
use crate::case::Case;
use crate::clock::{Clock, SystemClock, Timestamp};
use crate::command::{Action, Command, CommandError, OpenCase};
use crate::council;
use crate::event::{
    Actor, CaseId, CouncilMember, Event, EventBody, GENESIS_HASH, Inspection, MemberSheet, Opened,
    RoundAssignment, Timeout, TransitionInput, Transitioned,
};
use crate::store::{IdempotencyRecord, Recorded, Store, StoreError};
use crate::summary::{CaseSummary, DueDate};

/// How many times a command without an expected version is retried after losing a race.
const RETRIES: usize = 3;
/// The most timeouts one case can fire in one tick (a guard against definitions whose
/// internal timeouts keep moving their own anchor).
const MAX_TICK_PASSES: usize = 64;

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
        "definition `{definition}` counts working days on calendar `{wants}`; load it with `Calendar::from_toml` and pass it to `EngineBuilder::calendar`"
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
}

/// Configures an [`Engine`].
///
/// # Examples
/// ```
/// use ocop_engine::{Calendar, EngineBuilder, ManualClock};
///
/// let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
/// let cycle = ocop_core::load_definition("national-2026.toml", &text).unwrap();
/// let engine = EngineBuilder::new(cycle)
///     .calendar(Calendar::vietnam())
///     .clock(ManualClock::on("2026-06-01".parse().unwrap()))
///     .build()?;
/// assert_eq!(engine.cycle().definition().id.as_str(), "national-2026");
/// # Ok::<(), ocop_engine::BuildError>(())
/// ```
pub struct EngineBuilder {
    cycle: Cycle,
    calendar: Option<Calendar>,
    clock: Arc<dyn Clock>,
    scorers: HashMap<PluginId, Arc<dyn Scorer>>,
    guards: HashMap<PluginId, Arc<dyn GuardPlugin>>,
}

impl fmt::Debug for EngineBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineBuilder")
            .field("definition", &self.cycle.definition().id)
            .finish_non_exhaustive()
    }
}

impl EngineBuilder {
    /// An engine for `cycle`, with the system clock and (for `calendar = "vn"`) the shipped
    /// Vietnamese calendar until told otherwise.
    pub fn new(cycle: Cycle) -> EngineBuilder {
        EngineBuilder {
            cycle,
            calendar: None,
            clock: Arc::new(SystemClock),
            scorers: HashMap::new(),
            guards: HashMap::new(),
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

    /// Builds the engine.
    ///
    /// # Errors
    /// A [`BuildError`] when the calendar does not match the definition's or a plugin is
    /// registered under an undeclared id or as the wrong kind.
    pub fn build(self) -> Result<Engine, BuildError> {
        let def = self.cycle.definition();
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
            let name = |k: PluginKind| match k {
                PluginKind::Scoring => "scoring",
                PluginKind::Guard => "guard",
            };
            match self.cycle.plugin(id) {
                None => Err(BuildError::UnknownPlugin {
                    plugin: id.to_string(),
                    definition: def.id.to_string(),
                }),
                Some(p) if p.kind != given => Err(BuildError::WrongPluginKind {
                    plugin: id.to_string(),
                    declared: name(p.kind),
                    given: name(given),
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
        let producer_roles = def
            .roles
            .iter()
            .filter(|r| r.level == Level::Producer)
            .map(|r| r.id.clone())
            .collect();
        Ok(Engine {
            cycle: Arc::new(self.cycle),
            calendar,
            clock: self.clock,
            scorers: self.scorers,
            guards: self.guards,
            cache: Mutex::new(HashMap::new()),
            producer_roles,
        })
    }
}

type Slot = Arc<Mutex<Option<Case>>>;

/// Runs cases through one validated cycle. Commands in, events out.
///
/// The engine keeps the cases it has seen in memory. Before deciding a command it asks the
/// store for the case's version and reads only the events it has not seen, so several
/// engines (processes, nodes) can share one store; the store's version check at append
/// makes a command decided on a case that changed meanwhile fail, and a command without an
/// expected version is then decided again on the fresh case.
pub struct Engine {
    cycle: Arc<Cycle>,
    calendar: Calendar,
    clock: Arc<dyn Clock>,
    scorers: HashMap<PluginId, Arc<dyn Scorer>>,
    guards: HashMap<PluginId, Arc<dyn GuardPlugin>>,
    cache: Mutex<HashMap<CaseId, Slot>>,
    producer_roles: BTreeSet<RoleId>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("definition", &self.cycle.definition().id)
            .field("calendar", &self.calendar.id())
            .finish_non_exhaustive()
    }
}

/// What a tick did.
#[derive(Debug, Default)]
pub struct TickReport {
    /// The timeouts fired (and transitional limits noticed), in the order they fired.
    pub fired: Vec<FiredTimeout>,
    /// The cases whose deadlines could not be handled, with why.
    pub failed: Vec<TickFailure>,
}

/// One timeout fired by a tick.
#[derive(Debug, Clone, PartialEq)]
pub struct FiredTimeout {
    /// The case.
    pub case: CaseId,
    /// The deadline's last day.
    pub due: Date,
    /// The transition fired (none for a transitional-limit notice).
    pub transition: Option<TransitionId>,
    /// The events appended.
    pub events: Vec<Event>,
}

/// A case a tick could not handle.
#[derive(Debug)]
pub struct TickFailure {
    /// The case.
    pub case: CaseId,
    /// Why.
    pub error: CommandError,
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

/// Something due on a case at a tick.
enum Due {
    Timeout(DueDate),
    Limit(Date),
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
        let e = Event {
            case: self.case.id.clone(),
            seq: self.case.version.saturating_add(1),
            at: self.at,
            actor: self.actor.clone(),
            transition: self.transition.clone(),
            from: Some(self.from.clone()),
            to,
            body,
            prev_hash: self.case.last_hash().to_owned(),
            hash: String::new(),
        }
        .seal();
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

fn param_f64(g: &BTreeMapParams, name: &str) -> Option<f64> {
    g.get(name).and_then(serde_json::Value::as_f64)
}

fn param_u64(g: &BTreeMapParams, name: &str) -> Option<u64> {
    g.get(name).and_then(serde_json::Value::as_u64)
}

fn param_str<'a>(g: &'a BTreeMapParams, name: &str) -> Option<&'a str> {
    g.get(name).and_then(serde_json::Value::as_str)
}

type BTreeMapParams = std::collections::BTreeMap<String, serde_json::Value>;

fn registration_from(s: &str) -> Option<RegistrationType> {
    match s {
        "first" => Some(RegistrationType::First),
        "upgrade" => Some(RegistrationType::Upgrade),
        "re_evaluation" => Some(RegistrationType::ReEvaluation),
        _ => None,
    }
}

fn registration_name(r: RegistrationType) -> &'static str {
    match r {
        RegistrationType::First => "first",
        RegistrationType::Upgrade => "upgrade",
        RegistrationType::ReEvaluation => "re_evaluation",
    }
}

fn level_from(s: &str) -> Option<Level> {
    match s {
        "producer" => Some(Level::Producer),
        "commune" => Some(Level::Commune),
        "district" => Some(Level::District),
        "province" => Some(Level::Province),
        "central" => Some(Level::Central),
        _ => None,
    }
}

/// `month-day` in `year`, with 29 February falling back to the 28th.
fn month_day(year: i16, (m, d): (i8, i8)) -> Option<Date> {
    Date::new(year, m, d).or_else(|| Date::new(year, m, d.min(28)))
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
        &self.calendar
    }

    /// The current instant, from the engine's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Checks `command` and, if it is allowed, appends its events to `store` atomically and
    /// returns them. A command whose idempotency key was already used returns the events
    /// it produced the first time.
    ///
    /// # Errors
    /// A [`CommandError`] saying why the command was refused or failed; nothing is stored.
    pub fn execute(
        &self,
        store: &dyn Store,
        command: &Command,
    ) -> Result<Vec<Event>, CommandError> {
        let key = command.idempotency_key.as_ref().map(|k| IdempotencyRecord {
            key: k.clone(),
            fingerprint: command.fingerprint(),
        });
        if let Some(k) = &key
            && let Some(rec) = store.recorded(&command.case, &k.key)?
        {
            return replayed(command, k, rec);
        }
        let at = self.clock.now();
        match self.run(
            store,
            &command.case,
            &command.actor,
            command.expected_version,
            key.as_ref(),
            &Op::Public(&command.action),
            at,
        ) {
            Err(conflict @ CommandError::Conflict { .. }) => {
                // The same request may have won the race from another node: answer as it did.
                if let Some(k) = &key
                    && let Some(rec) = store.recorded(&command.case, &k.key)?
                {
                    return replayed(command, k, rec);
                }
                Err(conflict)
            }
            Err(CommandError::Store(StoreError::DuplicateKey { .. })) => {
                // Another request with the same key won the race: answer as it did.
                if let Some(k) = &key
                    && let Some(rec) = store.recorded(&command.case, &k.key)?
                {
                    return replayed(command, k, rec);
                }
                Err(CommandError::Store(StoreError::Backend(
                    "an idempotency key was reported used but is not stored".into(),
                )))
            }
            other => other,
        }
    }

    fn slot(&self, case: &CaseId) -> Slot {
        let mut cache = lock(&self.cache);
        Arc::clone(cache.entry(case.clone()).or_default())
    }

    /// Brings the cached case up to the store's version.
    fn refresh(
        &self,
        store: &dyn Store,
        id: &CaseId,
        slot: &mut Option<Case>,
    ) -> Result<(), CommandError> {
        let after = slot.as_ref().map_or(0, |c| c.version);
        let events = store.load(id, after)?;
        if events.is_empty() {
            return Ok(());
        }
        let incremental = match slot.as_mut() {
            Some(case) => events.iter().try_for_each(|e| case.apply(e)).is_ok(),
            None => match Case::replay(&events) {
                Ok(case) => {
                    *slot = Some(case);
                    true
                }
                Err(e) => return Err(e.into()),
            },
        };
        if !incremental {
            let all = store.load(id, 0)?;
            *slot = Some(Case::replay(&all)?);
        }
        Ok(())
    }

    /// The case `id` as stored now.
    ///
    /// # Errors
    /// [`CommandError::UnknownCase`], or a store or history failure.
    pub fn case(&self, store: &dyn Store, id: &CaseId) -> Result<Case, CommandError> {
        let slot = self.slot(id);
        let mut guard = lock(&slot);
        let stored = store.version(id)?;
        if guard.as_ref().map_or(0, |c| c.version) != stored {
            if guard.as_ref().is_some_and(|c| c.version > stored) {
                *guard = None;
            }
            self.refresh(store, id, &mut guard)?;
        }
        guard
            .clone()
            .ok_or_else(|| CommandError::UnknownCase { case: id.clone() })
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one private entry point for every kind of command"
    )]
    fn run(
        &self,
        store: &dyn Store,
        id: &CaseId,
        actor: &Actor,
        expected: Option<u64>,
        key: Option<&IdempotencyRecord>,
        op: &Op<'_>,
        at: Timestamp,
    ) -> Result<Vec<Event>, CommandError> {
        let slot = self.slot(id);
        let mut guard = lock(&slot);
        let mut attempt = 0;
        loop {
            attempt += 1;
            // Another engine may have appended since this one cached the case: a decision
            // on a stale case could refuse what the current one allows.
            let stored = store.version(id)?;
            let cached = guard.as_ref().map_or(0, |c| c.version);
            if cached > stored {
                *guard = None;
            }
            if (guard.is_none() || cached != stored)
                && let Err(e) = self.refresh(store, id, &mut guard)
            {
                *guard = None;
                return Err(e);
            }
            let base = guard.as_ref().map_or(0, |c| c.version);
            if let Some(v) = expected
                && v != base
            {
                return Err(CommandError::Conflict {
                    case: id.clone(),
                    expected: v,
                    actual: base,
                });
            }
            let events = match self.decide(&mut guard, id, actor, op, at) {
                Ok(events) => events,
                Err(Refused { error, dirty }) => {
                    if dirty {
                        *guard = None;
                    }
                    return Err(*error);
                }
            };
            match store.append(id, base, &events, key) {
                Ok(()) => return Ok(events),
                Err(StoreError::Conflict { .. }) if expected.is_none() && attempt < RETRIES => {
                    *guard = None;
                }
                Err(e) => {
                    *guard = None;
                    return Err(e.into());
                }
            }
        }
    }

    fn decide(
        &self,
        slot: &mut Option<Case>,
        id: &CaseId,
        actor: &Actor,
        op: &Op<'_>,
        at: Timestamp,
    ) -> Result<Vec<Event>, Refused> {
        let today = at.vn_date();
        if let Op::Public(Action::Open(open)) = op {
            if slot.is_some() {
                return Err(CommandError::CaseExists { case: id.clone() }.into());
            }
            let event = self.open(id, actor, open, at)?;
            let case = Case::replay(std::slice::from_ref(&event)).map_err(CommandError::from)?;
            *slot = Some(case);
            return Ok(vec![event]);
        }
        let Some(case) = slot.as_mut() else {
            return Err(CommandError::UnknownCase { case: id.clone() }.into());
        };
        let def = self.cycle.definition();
        if case.definition != def.id {
            return Err(CommandError::WrongDefinition {
                case: id.clone(),
                runs_under: case.definition.to_string(),
                engine: def.id.to_string(),
            }
            .into());
        }
        if self.cycle.is_terminal(&case.state) {
            return Err(CommandError::Terminal {
                case: id.clone(),
                state: case.state.to_string(),
            }
            .into());
        }
        let system = matches!(op, Op::Timeout { .. } | Op::LimitPassed { .. });
        if !system {
            if actor.role.as_str() == ocop_core::SYSTEM_ROLE {
                return Err(CommandError::SystemRole.into());
            }
            if self.cycle.role(&actor.role).is_none() {
                return Err(CommandError::UnknownRole {
                    role: actor.role.to_string(),
                    definition: def.id.to_string(),
                }
                .into());
            }
        }
        let mut tx = Tx {
            from: case.state.clone(),
            case,
            events: Vec::new(),
            actor: actor.clone(),
            at,
            transition: None,
        };
        match op {
            Op::Public(Action::Open(_)) => {
                return Err(CommandError::CaseExists { case: id.clone() }.into());
            }
            Op::Public(Action::Take { transition, input }) => {
                self.take(&mut tx, transition, input, None, today)?;
            }
            Op::Timeout {
                transition,
                timeout,
            } => {
                self.take(
                    &mut tx,
                    transition,
                    &TransitionInput::default(),
                    Some(timeout.clone()),
                    today,
                )?;
            }
            Op::LimitPassed { finish_by } => {
                let here = tx.here();
                tx.push(
                    EventBody::TransitionalLimitPassed {
                        finish_by: *finish_by,
                    },
                    here,
                )?;
            }
            Op::Public(Action::ConstituteCouncil {
                evaluation,
                members,
            }) => self.constitute(&mut tx, evaluation, members)?,
            Op::Public(Action::SubmitSheet { evaluation, sheet }) => {
                self.submit(&mut tx, evaluation, sheet)?;
            }
            Op::Public(Action::UpdateDossier { documents }) => {
                self.may_file(tx.case, actor)?;
                if documents.is_empty() {
                    return Err(CommandError::InvalidInput("no documents to file".into()).into());
                }
                self.separation(tx.case, actor)?;
                let here = tx.here();
                tx.push(
                    EventBody::DossierUpdated {
                        documents: documents.clone(),
                    },
                    here,
                )?;
            }
            Op::Public(Action::RecordFacts { facts }) => {
                if facts.is_empty() {
                    return Err(CommandError::InvalidInput("no facts to record".into()).into());
                }
                self.separation(tx.case, actor)?;
                let here = tx.here();
                tx.push(
                    EventBody::FactsRecorded {
                        facts: facts.clone(),
                    },
                    here,
                )?;
            }
        }
        Ok(tx.events)
    }

    fn open(
        &self,
        id: &CaseId,
        actor: &Actor,
        open: &OpenCase,
        at: Timestamp,
    ) -> Result<Event, CommandError> {
        let def = self.cycle.definition();
        let today = at.vn_date();
        if actor.role.as_str() == ocop_core::SYSTEM_ROLE {
            return Err(CommandError::SystemRole);
        }
        let initial = self.cycle.initial();
        let allowed = self.producer_roles.contains(&actor.role)
            || initial.owner.as_ref() == Some(&actor.role);
        if !allowed {
            let mut needed: Vec<&str> = self.producer_roles.iter().map(RoleId::as_str).collect();
            if let Some(o) = &initial.owner
                && !needed.contains(&o.as_str())
            {
                needed.push(o.as_str());
            }
            return Err(CommandError::RoleNotAllowed {
                role: actor.role.to_string(),
                action: "open a case".into(),
                needed: quoted(needed),
            });
        }
        if let Some(from) = def.in_force_from
            && today < from
        {
            return Err(CommandError::NotInForce {
                definition: def.id.to_string(),
                from,
                today,
            });
        }
        if open.product.name.trim().is_empty() {
            return Err(CommandError::InvalidInput("the product has no name".into()));
        }
        Ok(Event {
            case: id.clone(),
            seq: 1,
            at,
            actor: actor.clone(),
            transition: None,
            from: None,
            to: initial.id.clone(),
            body: EventBody::Opened(Opened {
                definition: def.id.clone(),
                definition_version: def.version.clone(),
                product: open.product.clone(),
                registration: open.registration,
                documents: open.documents.clone(),
                facts: open.facts.clone(),
                certificate: open.certificate.clone(),
            }),
            prev_hash: GENESIS_HASH.to_owned(),
            hash: String::new(),
        }
        .seal())
    }

    /// Whether `actor` may file documents: the producer, or the owner of the case's state.
    fn may_file(&self, case: &Case, actor: &Actor) -> Result<(), CommandError> {
        let owner = self.cycle.state(&case.state).and_then(|s| s.owner.as_ref());
        if self.producer_roles.contains(&actor.role) || owner == Some(&actor.role) {
            return Ok(());
        }
        let mut needed: Vec<&str> = self.producer_roles.iter().map(RoleId::as_str).collect();
        if let Some(o) = owner {
            needed.push(o.as_str());
        }
        Err(CommandError::RoleNotAllowed {
            role: actor.role.to_string(),
            action: format!("file documents while the case is in `{}`", case.state),
            needed: quoted(needed),
        })
    }

    /// The definition's separation rules: one actor may not act in two of a rule's roles.
    fn separation(&self, case: &Case, actor: &Actor) -> Result<(), CommandError> {
        let Some(held) = case.acted.get(&actor.id) else {
            return Ok(());
        };
        for rule in &self.cycle.definition().separation {
            if !rule.roles.contains(&actor.role) {
                continue;
            }
            if let Some(other) = rule
                .roles
                .iter()
                .find(|r| **r != actor.role && held.contains(*r))
            {
                return Err(CommandError::Separation {
                    actor: actor.id.clone(),
                    case: case.id.clone(),
                    role: actor.role.to_string(),
                    other_role: other.to_string(),
                    reason: rule.reason.clone(),
                });
            }
        }
        Ok(())
    }

    fn is_producer_actor(&self, case: &Case, actor: &str) -> bool {
        case.acted
            .get(actor)
            .is_some_and(|roles| roles.iter().any(|r| self.producer_roles.contains(r)))
    }

    fn take(
        &self,
        tx: &mut Tx<'_>,
        id: &TransitionId,
        input: &TransitionInput,
        timeout: Option<Timeout>,
        today: Date,
    ) -> Result<(), Refused> {
        let def = self.cycle.definition();
        let Some(t) = self.cycle.transition(id) else {
            let leaving: Vec<&str> = self
                .cycle
                .outgoing(&tx.case.state)
                .into_iter()
                .map(|t| t.id.as_str())
                .collect();
            return Err(CommandError::UnknownTransition {
                transition: id.to_string(),
                definition: def.id.to_string(),
                hint: format!(
                    "; from `{}` the case can take {}",
                    tx.case.state,
                    quoted(leaving)
                ),
            }
            .into());
        };
        if !self.cycle.leaves(id, &tx.case.state) {
            let leaving: Vec<&str> = self
                .cycle
                .outgoing(&tx.case.state)
                .into_iter()
                .map(|t| t.id.as_str())
                .collect();
            return Err(CommandError::NotFromState {
                transition: id.to_string(),
                state: tx.case.state.to_string(),
                available: quoted(leaving),
            }
            .into());
        }
        if !t.roles.contains(&tx.actor.role) {
            return Err(CommandError::RoleNotAllowed {
                role: tx.actor.role.to_string(),
                action: format!("take `{id}`"),
                needed: quoted(t.roles.iter().map(RoleId::as_str)),
            }
            .into());
        }
        if timeout.is_none() {
            self.separation(tx.case, &tx.actor)?;
        }
        for g in &t.guards {
            self.check_guard(tx.case, t, g, input, today)?;
        }
        self.check_effect_inputs(tx.case, t, input)?;
        let input = &used_input(t, input, today);
        tx.transition = Some(t.id.clone());
        let entering = t.to != tx.case.state;
        tx.push(
            EventBody::Transitioned(Transitioned {
                input: input.clone(),
                timeout,
            }),
            t.to.clone(),
        )?;
        if entering
            && let Some(stage) = self.cycle.evaluation_in(&t.to)
            && let Some(c) = tx.case.councils.get(&stage.id)
            && c.sheet_count() > 0
        {
            let discarded = c.sheets().map(|s| s.member.clone()).collect();
            tx.push(
                EventBody::EvaluationReset {
                    evaluation: stage.id.clone(),
                    discarded,
                    reason: "the case comes back for a new sitting; earlier sheets do not count"
                        .into(),
                },
                t.to.clone(),
            )?;
        }
        for e in &t.effects {
            self.effect(tx, t, e, input, today)?;
        }
        Ok(())
    }

    /// Refuses a transition whose effects need input the command lacks, before anything is
    /// changed.
    fn check_effect_inputs(
        &self,
        case: &Case,
        t: &Transition,
        input: &TransitionInput,
    ) -> Result<(), CommandError> {
        for e in &t.effects {
            let missing = match e.effect.as_str() {
                "record_inspection" if input.inspection.is_none() => {
                    Some("record an inspection: give its outcome (`compliant` or `non_compliant`)")
                }
                "revoke_certificate"
                    if input.ground.is_none()
                        && case.revocation.as_ref().and_then(|r| r.ground).is_none() =>
                {
                    Some("revoke the certificate: name the ground (Art. 8.1)")
                }
                _ => None,
            };
            if let Some(m) = missing {
                return Err(CommandError::InvalidInput(format!(
                    "`{}` needs input to {m}",
                    t.id
                )));
            }
        }
        Ok(())
    }

    fn guard_failed(t: &Transition, guard: &str, reason: impl Into<String>) -> CommandError {
        CommandError::GuardFailed {
            transition: t.id.to_string(),
            guard: guard.to_owned(),
            reason: reason.into(),
        }
    }

    fn result_for<'c>(
        case: &'c Case,
        params: &BTreeMapParams,
    ) -> Result<&'c crate::event::CouncilResult, String> {
        match param_str(params, "evaluation") {
            Some(stage) => case
                .results
                .get(&EvaluationId::new(stage))
                .ok_or_else(|| format!("the council of `{stage}` has recorded no result")),
            None => case
                .latest_result()
                .ok_or_else(|| "no council result has been recorded".to_owned()),
        }
    }

    fn check_guard(
        &self,
        case: &Case,
        t: &Transition,
        g: &ocop_core::Guard,
        input: &TransitionInput,
        today: Date,
    ) -> Result<(), CommandError> {
        let name = g.guard.as_str();
        let p = &g.params;
        let fail = |reason: String| Err(Engine::guard_failed(t, name, reason));
        match name {
            "dossier_complete" => {
                let missing: Vec<&str> = case
                    .documents
                    .iter()
                    .filter(|d| !d.present)
                    .map(|d| d.kind.as_str())
                    .collect();
                if case.documents.is_empty() {
                    return fail("the dossier holds no documents".into());
                }
                if !missing.is_empty() {
                    return fail(format!("the dossier lacks {}", quoted(missing)));
                }
                Ok(())
            }
            "has_document" => {
                let kind = param_str(p, "kind").unwrap_or_default();
                if case.documents.iter().any(|d| d.kind == kind && d.present) {
                    Ok(())
                } else {
                    fail(format!("the dossier lacks `{kind}`"))
                }
            }
            "registration" => {
                let want = param_str(p, "type").and_then(registration_from);
                if want == Some(case.registration) {
                    Ok(())
                } else {
                    fail(format!(
                        "the case is registered for `{}`, not `{}`",
                        registration_name(case.registration),
                        param_str(p, "type").unwrap_or_default()
                    ))
                }
            }
            "council_complete" | "spread_exceeded" => {
                let stage_id = EvaluationId::new(param_str(p, "evaluation").unwrap_or_default());
                let Some(stage) = self.cycle.evaluation(&stage_id) else {
                    return fail(format!("evaluation stage `{stage_id}` is not defined"));
                };
                let status = council::status(stage, case.councils.get(&stage_id));
                if name == "council_complete" {
                    match status.incomplete_reason(&stage.council) {
                        None => Ok(()),
                        Some(r) => fail(r),
                    }
                } else if !status.quorum_met() {
                    fail(
                        status
                            .incomplete_reason(&stage.council)
                            .unwrap_or_else(|| "the quorum is not met".into()),
                    )
                } else if status.spread_ok(&stage.council) {
                    fail(format!(
                        "members' totals differ by {:.2} points, within the {} allowed",
                        status.spread,
                        stage.council.max_spread.unwrap_or(0.0)
                    ))
                } else {
                    Ok(())
                }
            }
            "min_score" | "max_score" => {
                let r = match Engine::result_for(case, p) {
                    Ok(r) => r,
                    Err(e) => return fail(e),
                };
                if name == "min_score" {
                    let min = param_f64(p, "min").unwrap_or(f64::INFINITY);
                    if r.total >= min {
                        Ok(())
                    } else {
                        fail(format!("the council's total {} is below {min}", r.total))
                    }
                } else {
                    let below = param_f64(p, "below").unwrap_or(f64::NEG_INFINITY);
                    if r.total < below {
                        Ok(())
                    } else {
                        fail(format!(
                            "the council's total {} is not below {below}",
                            r.total
                        ))
                    }
                }
            }
            "min_stars" | "max_stars" => {
                let r = match Engine::result_for(case, p) {
                    Ok(r) => r,
                    Err(e) => return fail(e),
                };
                let n = param_u64(p, "stars").unwrap_or(0);
                let holds = match (name, r.stars) {
                    // A knocked-out product has no stars: `min_stars` fails, `max_stars` holds.
                    ("min_stars", None) => false,
                    ("min_stars", Some(s)) => u64::from(s.get()) >= n,
                    (_, None) => true,
                    (_, Some(s)) => u64::from(s.get()) <= n,
                };
                if holds {
                    Ok(())
                } else {
                    let rank = r
                        .stars
                        .map_or_else(|| "no stars (knocked out)".to_owned(), |s| format!("{s}"));
                    let op = if name == "min_stars" {
                        "at least"
                    } else {
                        "at most"
                    };
                    fail(format!("the evaluated rank is {rank}, not {op} {n}★"))
                }
            }
            "knocked_out" | "not_knocked_out" => {
                let r = match Engine::result_for(case, p) {
                    Ok(r) => r,
                    Err(e) => return fail(e),
                };
                let out = !r.knockouts.is_empty();
                match (name == "knocked_out", out) {
                    (true, true) | (false, false) => Ok(()),
                    (true, false) => fail("no knock-out rule applies".into()),
                    (false, true) => fail(format!(
                        "the dossier is knocked out ({})",
                        quoted(r.knockouts.iter().map(String::as_str))
                    )),
                }
            }
            "certificate_active" => {
                if case.certificate_valid_on(today) {
                    Ok(())
                } else {
                    fail(match case.certificate() {
                        None => "the case holds no certificate".into(),
                        Some(c) => format!(
                            "certificate `{}` is not valid on {today} ({})",
                            c.number,
                            status_word(&c.status)
                        ),
                    })
                }
            }
            "certificate_stars" => {
                let Some(c) = case.certificate() else {
                    return fail("the case holds no certificate".into());
                };
                let n = u64::from(c.stars.get());
                let min = param_u64(p, "min").unwrap_or(1);
                let max = param_u64(p, "max").unwrap_or(5);
                if (min..=max).contains(&n) {
                    Ok(())
                } else {
                    fail(format!(
                        "certificate `{}` is {}, outside {min}-{max}★",
                        c.number, c.stars
                    ))
                }
            }
            "filing_window" => {
                let Some(c) = case.certificate() else {
                    return fail("the case holds no certificate".into());
                };
                let opens = i64::try_from(param_u64(p, "opens_days_before").unwrap_or(0))
                    .unwrap_or(i64::MAX);
                let closes = i64::try_from(param_u64(p, "closes_days_before").unwrap_or(0))
                    .unwrap_or(i64::MAX);
                let left = today.days_until(c.expires_on);
                if (closes..=opens).contains(&left) {
                    Ok(())
                } else {
                    fail(format!(
                        "certificate `{}` expires on {}, {left} days from {today}; filing is open from {} to {} days before expiry ({} to {})",
                        c.number,
                        c.expires_on,
                        opens,
                        closes,
                        c.expires_on.add_days(-opens),
                        c.expires_on.add_days(-closes)
                    ))
                }
            }
            "after_expiry" => {
                let Some(c) = case.certificate() else {
                    return fail("the case holds no certificate".into());
                };
                let max = i64::try_from(param_u64(p, "max_days").unwrap_or(0)).unwrap_or(i64::MAX);
                let past = c.expires_on.days_until(today);
                if (1..=max).contains(&past) {
                    Ok(())
                } else {
                    fail(format!(
                        "certificate `{}` expires on {}; this needs a day 1 to {max} days after it",
                        c.number, c.expires_on
                    ))
                }
            }
            "revocation_ground" => {
                if input.ground.is_some() {
                    Ok(())
                } else {
                    fail("name one of the six grounds of Art. 8.1 (`ground`)".into())
                }
            }
            "plugin" => {
                let plugin = PluginId::new(param_str(p, "plugin").unwrap_or_default());
                let check = param_str(p, "check").unwrap_or_default();
                let Some(gp) = self.guards.get(&plugin) else {
                    return Err(CommandError::PluginNotRegistered {
                        plugin: plugin.to_string(),
                        kind: "guard_plugin",
                    });
                };
                let view = self.view(case, t, &plugin);
                let findings = gp.check(&view, check)?;
                let blocking: Vec<String> = findings
                    .iter()
                    .filter(|f| f.blocking)
                    .map(|f| format!("{} [{}]", f.message.en, f.code))
                    .collect();
                if blocking.is_empty() {
                    Ok(())
                } else {
                    fail(format!(
                        "plugin `{plugin}` check `{check}`: {}",
                        blocking.join("; ")
                    ))
                }
            }
            other => fail(format!("guard `{other}` is not known to this engine")),
        }
    }

    fn view(&self, case: &Case, t: &Transition, plugin: &PluginId) -> CaseView {
        let latest = case.latest_result();
        CaseView {
            case_id: case.id.to_string(),
            definition: case.definition.to_string(),
            state: case.state.clone(),
            transition: t.id.clone(),
            product_set: case.product.product_set,
            registration: case.registration,
            producer: case.product.producer.clone(),
            documents: case.documents.clone(),
            facts: case.facts.clone(),
            total: latest.map(|r| r.total),
            stars: latest.and_then(|r| r.stars),
            config: self
                .cycle
                .plugin(plugin)
                .map(|p| p.config.clone())
                .unwrap_or_default(),
        }
    }

    fn effect(
        &self,
        tx: &mut Tx<'_>,
        t: &Transition,
        e: &Effect,
        input: &TransitionInput,
        today: Date,
    ) -> Result<(), Refused> {
        let p = &e.params;
        let to = t.to.clone();
        let failed = |effect: &str, reason: String| {
            Refused::dirty(CommandError::Effect {
                transition: t.id.to_string(),
                effect: effect.to_owned(),
                reason,
            })
        };
        match e.effect.as_str() {
            "record_evaluation" => {
                let stage_id = EvaluationId::new(param_str(p, "evaluation").unwrap_or_default());
                let stage = self.cycle.evaluation(&stage_id).ok_or_else(|| {
                    failed(
                        "record the evaluation",
                        format!("stage `{stage_id}` is not defined"),
                    )
                })?;
                let result = tx
                    .case
                    .councils
                    .get(&stage_id)
                    .and_then(|c| council::aggregate(stage, c))
                    .ok_or_else(|| {
                        failed("record the evaluation", "no sheets were submitted".into())
                    })?;
                tx.push(EventBody::EvaluationRecorded(result), to)
            }
            "reset_evaluation" => {
                let stage_id = EvaluationId::new(param_str(p, "evaluation").unwrap_or_default());
                let discarded = tx
                    .case
                    .councils
                    .get(&stage_id)
                    .map(|c| c.sheets().map(|s| s.member.clone()).collect())
                    .unwrap_or_default();
                tx.push(
                    EventBody::EvaluationReset {
                        evaluation: stage_id,
                        discarded,
                        reason: format!("re-scoring ordered by `{}`", t.id),
                    },
                    to,
                )
            }
            "assign_round" => {
                let level = param_str(p, "level").and_then(level_from);
                let round = level
                    .and_then(|l| self.next_round(l, today))
                    .ok_or_else(|| {
                        failed(
                            "assign a round",
                            format!(
                                "the definition has no round at level `{}`",
                                param_str(p, "level").unwrap_or_default()
                            ),
                        )
                    })?;
                tx.push(EventBody::RoundAssigned(round), to)
            }
            "issue_certificate" => {
                let result = tx.case.latest_result().ok_or_else(|| {
                    failed(
                        "issue a certificate",
                        "no council result is recorded".into(),
                    )
                })?;
                let stars = result.stars.filter(|s| s.is_certifiable()).ok_or_else(|| {
                    failed(
                        "issue a certificate",
                        "the evaluated rank is below 3 stars or knocked out".into(),
                    )
                })?;
                let stars = match param_u64(p, "max_stars")
                    .and_then(|n| u8::try_from(n).ok())
                    .and_then(ocop_core::Stars::new)
                {
                    Some(max) => stars.min(max),
                    None => stars,
                };
                let months = i32::try_from(param_u64(p, "months").unwrap_or(36)).unwrap_or(36);
                let level = param_str(p, "level")
                    .and_then(level_from)
                    .unwrap_or(Level::Province);
                let n = tx.case.certificates.len() + 1;
                let producer = &tx.case.product.producer;
                let certificate = Certificate {
                    number: input
                        .certificate_number
                        .clone()
                        .unwrap_or_else(|| format!("{}/{}/{n}", tx.case.id, today.year())),
                    product_code: input.product_code.clone().unwrap_or_else(|| {
                        format!(
                            "{}-{}-{}-{}",
                            producer.province,
                            producer.commune,
                            tx.case.id,
                            today.year()
                        )
                    }),
                    stars,
                    issued_by: level,
                    issued_on: today,
                    expires_on: today.add_months(months),
                    status: CertificateStatus::Active,
                };
                let supersedes = tx
                    .case
                    .certificate()
                    .filter(|c| {
                        matches!(
                            c.status,
                            CertificateStatus::Active | CertificateStatus::Extended { .. }
                        )
                    })
                    .map(|c| c.number.clone());
                tx.push(
                    EventBody::CertificateIssued {
                        certificate,
                        supersedes,
                    },
                    to,
                )
            }
            "revoke_certificate" => {
                let number = tx
                    .case
                    .certificate()
                    .map(|c| c.number.clone())
                    .ok_or_else(|| {
                        failed(
                            "revoke the certificate",
                            "the case holds no certificate".into(),
                        )
                    })?;
                let ground = input
                    .ground
                    .or_else(|| tx.case.revocation.as_ref().and_then(|r| r.ground))
                    .ok_or_else(|| {
                        failed("revoke the certificate", "no ground was named".into())
                    })?;
                tx.push(
                    EventBody::CertificateRevoked {
                        number,
                        ground,
                        on: today,
                    },
                    to,
                )
            }
            "expire_certificate" => {
                let number = tx
                    .case
                    .certificate()
                    .map(|c| c.number.clone())
                    .ok_or_else(|| {
                        failed(
                            "expire the certificate",
                            "the case holds no certificate".into(),
                        )
                    })?;
                tx.push(EventBody::CertificateExpired { number }, to)
            }
            "extend_certificate" => {
                let c = tx.case.certificate().ok_or_else(|| {
                    failed(
                        "extend the certificate",
                        "the case holds no certificate".into(),
                    )
                })?;
                let max = i64::try_from(param_u64(p, "max_days").unwrap_or(0)).unwrap_or(0);
                let body = EventBody::CertificateExtended {
                    number: c.number.clone(),
                    until: c.expires_on.add_days(max),
                };
                tx.push(body, to)
            }
            "record_inspection" => {
                let outcome = input.inspection.ok_or_else(|| {
                    failed("record the inspection", "no outcome was given".into())
                })?;
                tx.push(
                    EventBody::InspectionRecorded(Inspection {
                        kind: param_str(p, "kind").unwrap_or("periodic").to_owned(),
                        outcome,
                        on: today,
                        note: input.note.clone(),
                    }),
                    to,
                )
            }
            "set_registration" => {
                let r = param_str(p, "type")
                    .and_then(registration_from)
                    .ok_or_else(|| failed("set the registration", "unknown type".into()))?;
                tx.push(EventBody::RegistrationChanged { registration: r }, to)
            }
            "notify" => tx.push(
                EventBody::Notified {
                    role: RoleId::new(param_str(p, "role").unwrap_or_default()),
                },
                to,
            ),
            other => Err(failed(
                "carry out its effects",
                format!("effect `{other}` is not known to this engine"),
            )),
        }
    }

    fn constitute(
        &self,
        tx: &mut Tx<'_>,
        evaluation: &EvaluationId,
        members: &[CouncilMember],
    ) -> Result<(), Refused> {
        let stage = self.stage_here(tx.case, evaluation)?;
        let owner = self
            .cycle
            .state(&stage.state)
            .and_then(|s| s.owner.as_ref());
        if stage.chair_role.as_ref() != Some(&tx.actor.role) && owner != Some(&tx.actor.role) {
            let mut needed: Vec<&str> = stage.chair_role.iter().map(RoleId::as_str).collect();
            if let Some(o) = owner
                && !needed.contains(&o.as_str())
            {
                needed.push(o.as_str());
            }
            return Err(CommandError::RoleNotAllowed {
                role: tx.actor.role.to_string(),
                action: format!("constitute the council of `{evaluation}`"),
                needed: quoted(needed),
            }
            .into());
        }
        self.separation(tx.case, &tx.actor)?;
        let bad = |reason: String| -> Refused {
            CommandError::Council {
                evaluation: evaluation.to_string(),
                reason,
            }
            .into()
        };
        let mut ids = BTreeSet::new();
        for m in members {
            if m.id.trim().is_empty() {
                return Err(bad("a member has an empty id".into()));
            }
            if !ids.insert(m.id.as_str()) {
                return Err(bad(format!("`{}` is named twice", m.id)));
            }
            if self.is_producer_actor(tx.case, &m.id) {
                return Err(CommandError::ProducerMayNotScore {
                    actor: m.id.clone(),
                    case: tx.case.id.clone(),
                }
                .into());
            }
        }
        let min = usize::try_from(stage.council.min_members).unwrap_or(usize::MAX);
        if members.len() < min {
            return Err(bad(format!(
                "{} members named; the council rules need at least {min}",
                members.len()
            )));
        }
        let chairs = members.iter().filter(|m| m.chair).count();
        if chairs > 1 {
            return Err(bad("more than one member is named chair".into()));
        }
        if stage.council.chair_required && chairs == 0 {
            return Err(bad(
                "the rules require the chair's sheet: name the chair".into()
            ));
        }
        if chairs == 1 && stage.chair_role.is_none() {
            return Err(bad("the stage has no chair role".into()));
        }
        if tx
            .case
            .councils
            .get(evaluation)
            .is_some_and(|c| c.sheet_count() > 0)
        {
            return Err(bad(
                "sheets have been submitted to the sitting council; reset the evaluation before naming other members"
                    .into(),
            ));
        }
        let here = tx.here();
        tx.push(
            EventBody::CouncilConstituted {
                evaluation: evaluation.clone(),
                members: members.to_vec(),
            },
            here,
        )
    }

    fn stage_here(
        &self,
        case: &Case,
        evaluation: &EvaluationId,
    ) -> Result<&ocop_core::EvaluationStage, CommandError> {
        let stage =
            self.cycle
                .evaluation(evaluation)
                .ok_or_else(|| CommandError::UnknownEvaluation {
                    evaluation: evaluation.to_string(),
                    definition: self.cycle.definition().id.to_string(),
                })?;
        if stage.state != case.state {
            return Err(CommandError::NotInEvaluation {
                case: case.id.clone(),
                evaluation: evaluation.to_string(),
                stage_state: stage.state.to_string(),
                state: case.state.to_string(),
            });
        }
        Ok(stage)
    }

    fn submit(
        &self,
        tx: &mut Tx<'_>,
        evaluation: &EvaluationId,
        sheet: &ocop_core::AnswerSheet,
    ) -> Result<(), Refused> {
        let stage = self.stage_here(tx.case, evaluation)?;
        let actor = tx.actor.clone();
        let is_member_role = actor.role == stage.member_role;
        let is_chair_role = stage.chair_role.as_ref() == Some(&actor.role);
        if !is_member_role && !is_chair_role {
            return Err(CommandError::RoleNotAllowed {
                role: actor.role.to_string(),
                action: format!("submit a sheet to `{evaluation}`"),
                needed: quoted(
                    std::iter::once(stage.member_role.as_str())
                        .chain(stage.chair_role.iter().map(RoleId::as_str)),
                ),
            }
            .into());
        }
        if self.is_producer_actor(tx.case, &actor.id) {
            return Err(CommandError::ProducerMayNotScore {
                actor: actor.id.clone(),
                case: tx.case.id.clone(),
            }
            .into());
        }
        self.separation(tx.case, &actor)?;
        let bad = |reason: String| -> Refused {
            CommandError::Council {
                evaluation: evaluation.to_string(),
                reason,
            }
            .into()
        };
        let council = tx.case.councils.get(evaluation);
        let Some(member) = council.and_then(|c| c.member(&actor.id)) else {
            return Err(bad(if council.is_some_and(|c| c.is_constituted()) {
                format!("`{}` is not a member of the council", actor.id)
            } else {
                "the council has not been constituted (name its members first)".into()
            }));
        };
        if member.chair != is_chair_role {
            let role = if member.chair {
                stage.chair_role.as_ref().map_or("", RoleId::as_str)
            } else {
                stage.member_role.as_str()
            };
            return Err(bad(format!(
                "`{}` sits on the council as `{role}`; submit in that role",
                actor.id
            )));
        }
        if council.is_some_and(|c| c.sheet(&actor.id).is_some()) {
            return Err(bad(format!(
                "`{}` has already submitted a sheet; the chair may order a re-scoring",
                actor.id
            )));
        }
        let chair = member.chair;
        if sheet.product_set != tx.case.product.product_set {
            return Err(CommandError::InvalidInput(format!(
                "the sheet is for product set {}, but the product is in set {}",
                sheet.product_set.number(),
                tx.case.product.product_set.number()
            ))
            .into());
        }
        if let Some(ev) = &sheet.evaluator
            && *ev != actor.id
        {
            return Err(CommandError::InvalidInput(format!(
                "the sheet names `{ev}` as its evaluator, but `{}` submits it",
                actor.id
            ))
            .into());
        }
        let plugin = stage.plugin.clone().unwrap_or_else(|| PluginId::new(""));
        let scorer =
            self.scorers
                .get(&plugin)
                .ok_or_else(|| CommandError::PluginNotRegistered {
                    plugin: plugin.to_string(),
                    kind: "scorer",
                })?;
        let mut sheet = sheet.clone();
        sheet.evaluator = Some(actor.id.clone());
        let scored = scorer.score(&sheet).map_err(CommandError::from)?;
        let total = scored.evaluation.total;
        if !(0.0..=100.0).contains(&total) || scored.evaluation.product_set != sheet.product_set {
            return Err(CommandError::Plugin(ocop_core::PluginError::BadOutput {
                plugin: plugin.to_string(),
                call: "score".into(),
                reason: format!(
                    "total {total} for product set {} (expected 0 to 100 for set {})",
                    scored.evaluation.product_set.number(),
                    sheet.product_set.number()
                ),
            })
            .into());
        }
        let here = tx.here();
        tx.push(
            EventBody::SheetSubmitted(MemberSheet {
                evaluation: evaluation.clone(),
                member: actor.id.clone(),
                chair,
                sheet,
                scored,
            }),
            here,
        )
    }

    /// The next round of `level` whose proposal cut-off is on or after `today`.
    fn next_round(&self, level: Level, today: Date) -> Option<RoundAssignment> {
        let mut best: Option<RoundAssignment> = None;
        for r in &self.cycle.definition().rounds {
            if r.level != level {
                continue;
            }
            let (Some(p), Some(d)) = (
                ocop_core::parse_month_day(&r.proposals_by),
                ocop_core::parse_month_day(&r.decided_by),
            ) else {
                continue;
            };
            let Some(proposals_by) = [today.year(), today.year().saturating_add(1)]
                .into_iter()
                .filter_map(|y| month_day(y, p))
                .find(|date| *date >= today)
            else {
                continue;
            };
            let Some(decided_by) = [proposals_by.year(), proposals_by.year().saturating_add(1)]
                .into_iter()
                .filter_map(|y| month_day(y, d))
                .find(|date| *date >= proposals_by)
            else {
                continue;
            };
            if best.as_ref().is_none_or(|b| proposals_by < b.proposals_by) {
                best = Some(RoundAssignment {
                    round: r.id.clone(),
                    level,
                    proposals_by,
                    decided_by,
                });
            }
        }
        best
    }

    /// The deadline of the case's current state, if it has one and its anchor is set (none
    /// for a case of another definition).
    ///
    /// # Errors
    /// [`CalendarError::YearNotCovered`] when a working-day count crosses a year the
    /// calendar has no data for.
    pub fn deadline(&self, case: &Case) -> Result<Option<DueDate>, CalendarError> {
        if case.definition != self.cycle.definition().id {
            return Ok(None);
        }
        let Some(state) = self.cycle.state(&case.state) else {
            return Ok(None);
        };
        let (Some(d), Some(on_timeout)) = (
            state.deadline.as_ref(),
            state.deadline.as_ref().and_then(|d| d.on_timeout.clone()),
        ) else {
            return Ok(None);
        };
        let anchor = match d.from {
            Anchor::Entered => Some(
                d.since
                    .as_ref()
                    .and_then(|s| case.last_entry(s))
                    .unwrap_or(case.entered_on),
            ),
            Anchor::CaseOpened => Some(case.opened_on),
            Anchor::CertificateIssued => case.certificate().map(|c| c.issued_on),
            Anchor::CertificateExpiry => case.certificate_valid_until(),
            Anchor::Conclusion => Some(
                case.revocation
                    .as_ref()
                    .map_or(case.entered_on, |r| r.conclusion),
            ),
            Anchor::RoundDecision => case.round.as_ref().map(|r| r.decided_by),
        };
        let Some(anchor) = anchor else {
            return Ok(None);
        };
        let due = if let Some(n) = d.working_days {
            self.calendar.add_working_days(anchor, n)?
        } else if let Some(n) = d.days {
            anchor.add_days(i64::from(n))
        } else if let Some(n) = d.months {
            anchor.add_months(i32::try_from(n).unwrap_or(i32::MAX))
        } else {
            anchor
        };
        let fired = case.fired.as_ref().is_some_and(|f| {
            f.state == case.state && f.entry_seq == case.entry_seq && f.due == due
        });
        Ok(Some(DueDate {
            state: case.state.clone(),
            due,
            on_timeout,
            fired,
        }))
    }

    fn due_now(&self, case: &Case, today: Date) -> Result<Option<Due>, CalendarError> {
        if let Some(d) = self.deadline(case)?
            && !d.fired
            && today > d.due
        {
            return Ok(Some(Due::Timeout(d)));
        }
        if let Some(limit) = case.finish_by
            && !case.limit_noticed
            && today > limit
            && !matches!(
                self.cycle.state(&case.state).map(|s| s.kind),
                Some(StateKind::Monitoring | StateKind::Certified | StateKind::Terminal)
            )
        {
            return Ok(Some(Due::Limit(limit)));
        }
        Ok(None)
    }

    /// Fires every timeout due at `now` on the cases of this engine's definition: a
    /// deadline whose last day is before `now`'s date (in Vietnam) fires its `on_timeout`
    /// transition as `system`, at most once per entry into the state and due date. Cases
    /// are handled in order of due date, then case id; a case whose timeout moves it into
    /// another state with a passed deadline fires again, in the same order, until nothing
    /// is due. Migrated cases whose transitional limit (Art. 12.2) passed get a notice event.
    ///
    /// # Errors
    /// [`StoreError`] when the cases cannot be listed. Failures on single cases are in the
    /// report.
    pub fn tick(&self, store: &dyn Store, now: Timestamp) -> Result<TickReport, StoreError> {
        let today = now.vn_date();
        let mut report = TickReport::default();
        let mut todo: Vec<CaseId> = store.cases()?;
        let mut failed: BTreeSet<CaseId> = BTreeSet::new();
        let def_id = &self.cycle.definition().id;
        for _ in 0..MAX_TICK_PASSES {
            let mut due: Vec<(Date, CaseId, u64, Due)> = Vec::new();
            for id in &todo {
                if failed.contains(id) {
                    continue;
                }
                let case = match self.case(store, id) {
                    Ok(c) => c,
                    Err(error) => {
                        failed.insert(id.clone());
                        report.failed.push(TickFailure {
                            case: id.clone(),
                            error,
                        });
                        continue;
                    }
                };
                if case.definition != *def_id || self.cycle.is_terminal(&case.state) {
                    continue;
                }
                match self.due_now(&case, today) {
                    Ok(Some(d)) => {
                        let date = match &d {
                            Due::Timeout(t) => t.due,
                            Due::Limit(l) => *l,
                        };
                        due.push((date, id.clone(), case.version, d));
                    }
                    Ok(None) => {}
                    Err(e) => {
                        failed.insert(id.clone());
                        report.failed.push(TickFailure {
                            case: id.clone(),
                            error: e.into(),
                        });
                    }
                }
            }
            if due.is_empty() {
                break;
            }
            due.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            todo.clear();
            let system = Actor::system();
            for (date, id, version, d) in due {
                let (op, transition) = match d {
                    Due::Timeout(t) => (
                        Op::Timeout {
                            transition: t.on_timeout.clone(),
                            timeout: Timeout {
                                state: t.state.clone(),
                                due: t.due,
                            },
                        },
                        Some(t.on_timeout),
                    ),
                    Due::Limit(finish_by) => (Op::LimitPassed { finish_by }, None),
                };
                match self.run(store, &id, &system, Some(version), None, &op, now) {
                    Ok(events) => {
                        report.fired.push(FiredTimeout {
                            case: id.clone(),
                            due: date,
                            transition,
                            events,
                        });
                        todo.push(id);
                    }
                    Err(error) => {
                        failed.insert(id.clone());
                        report.failed.push(TickFailure { case: id, error });
                    }
                }
            }
        }
        Ok(report)
    }

    /// The transitions `actor` could take on `case` today (by the engine's clock): those
    /// leaving its state that the actor's role may take and whose guards hold. A guard that
    /// reads the command's own input (`revocation_ground`) is taken to hold; plugin guards
    /// are called.
    pub fn available(&self, case: &Case, actor: &Actor) -> Vec<TransitionId> {
        if case.definition != self.cycle.definition().id || self.cycle.is_terminal(&case.state) {
            return Vec::new();
        }
        if self.separation(case, actor).is_err() {
            return Vec::new();
        }
        let today = self.clock.now().vn_date();
        let input = TransitionInput::default();
        self.cycle
            .outgoing(&case.state)
            .into_iter()
            .filter(|t| t.roles.contains(&actor.role))
            .filter(|t| {
                t.guards.iter().all(|g| {
                    g.guard == "revocation_ground"
                        || self.check_guard(case, t, g, &input, today).is_ok()
                })
            })
            .map(|t| t.id.clone())
            .collect()
    }

    /// Every guard of `transition` that does not hold for `case` today (by the engine's
    /// clock) with `input`, each as the [`CommandError::GuardFailed`] a command would get;
    /// empty when they all hold or the definition has no such transition. A refused command
    /// names only the first failing guard; this lists them all.
    pub fn failing_guards(
        &self,
        case: &Case,
        transition: &TransitionId,
        input: &TransitionInput,
    ) -> Vec<CommandError> {
        let Some(t) = self.cycle.transition(transition) else {
            return Vec::new();
        };
        let today = self.clock.now().vn_date();
        t.guards
            .iter()
            .filter_map(|g| self.check_guard(case, t, g, input, today).err())
            .collect()
    }

    /// A case at a glance, with its state's deadline.
    pub fn summary(&self, case: &Case) -> CaseSummary {
        let state = self
            .cycle
            .state(&case.state)
            .filter(|_| case.definition == self.cycle.definition().id);
        let (deadline, deadline_error) = match self.deadline(case) {
            Ok(d) => (d, None),
            Err(e) => (None, Some(e.to_string())),
        };
        CaseSummary {
            case: case.id.clone(),
            definition: case.definition.clone(),
            definition_version: case.definition_version.clone(),
            state: case.state.clone(),
            state_label: state.map(|s| s.label.clone()),
            state_kind: state.map(|s| s.kind),
            entered_on: case.entered_on,
            version: case.version,
            product: case.product.clone(),
            registration: case.registration,
            certificate: case.certificate().cloned(),
            round: case.round.clone(),
            latest_result: case.latest_result().cloned(),
            deadline,
            deadline_error,
            finish_by: case.finish_by,
            inspections: case.inspections.clone(),
        }
    }

    /// Appends a migration event for a case (used by [`Migration::run`](crate::Migration::run)).
    pub(crate) fn append_migration(
        store: &dyn Store,
        case: &Case,
        actor: &Actor,
        at: Timestamp,
        to: StateId,
        body: crate::event::Migrated,
    ) -> Result<Event, CommandError> {
        let event = Event {
            case: case.id.clone(),
            seq: case.version.saturating_add(1),
            at,
            actor: actor.clone(),
            transition: None,
            from: Some(case.state.clone()),
            to,
            body: EventBody::Migrated(body),
            prev_hash: case.last_hash().to_owned(),
            hash: String::new(),
        }
        .seal();
        store.append(&case.id, case.version, std::slice::from_ref(&event), None)?;
        Ok(event)
    }

    /// Forgets the cached copy of `case`, so that it is reloaded from the store.
    pub fn forget(&self, case: &CaseId) {
        lock(&self.cache).remove(case);
    }
}

/// The part of a command's input the transition uses: a revocation ground only where the
/// transition opens or decides a revocation, and the conclusion date (default: today) where
/// it opens one, an inspection outcome only
/// where it records one, a certificate number and product code only where it issues one.
/// The event records this part, so stray input cannot open a revocation by accident.
fn used_input(t: &Transition, input: &TransitionInput, today: Date) -> TransitionInput {
    let guard = |name: &str| t.guards.iter().any(|g| g.guard == name);
    let effect = |name: &str| t.effects.iter().any(|e| e.effect == name);
    let revocation = guard("revocation_ground") || effect("revoke_certificate");
    let issues = effect("issue_certificate");
    TransitionInput {
        ground: input.ground.filter(|_| revocation),
        conclusion: guard("revocation_ground").then(|| input.conclusion.unwrap_or(today)),
        inspection: input.inspection.filter(|_| effect("record_inspection")),
        certificate_number: input.certificate_number.clone().filter(|_| issues),
        product_code: input.product_code.clone().filter(|_| issues),
        note: input.note.clone(),
    }
}

fn status_word(s: &CertificateStatus) -> &'static str {
    match s {
        CertificateStatus::Active => "active",
        CertificateStatus::Extended { .. } => "extended",
        CertificateStatus::Superseded => "superseded",
        CertificateStatus::Revoked { .. } => "revoked",
        CertificateStatus::Expired => "expired",
    }
}

fn replayed(
    command: &Command,
    key: &IdempotencyRecord,
    rec: Recorded,
) -> Result<Vec<Event>, CommandError> {
    if rec.fingerprint == key.fingerprint {
        Ok(rec.events)
    } else {
        Err(CommandError::KeyReused {
            case: command.case.clone(),
            key: key.key.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        let text = include_str!("../../../workflows/national-2026.toml");
        let cycle = ocop_core::load_definition("national-2026.toml", text).unwrap();
        EngineBuilder::new(cycle).build().unwrap()
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn rounds_follow_the_cut_offs_of_article_5() {
        let e = engine();
        let cases = [
            (
                Level::Province,
                "2026-04-01",
                "province_1",
                "2026-04-30",
                "2026-06-30",
            ),
            (
                Level::Province,
                "2026-04-30",
                "province_1",
                "2026-04-30",
                "2026-06-30",
            ),
            (
                Level::Province,
                "2026-05-01",
                "province_2",
                "2026-10-30",
                "2026-12-30",
            ),
            (
                Level::Province,
                "2026-10-31",
                "province_1",
                "2027-04-30",
                "2027-06-30",
            ),
            (
                Level::Central,
                "2026-02-01",
                "central_1",
                "2026-07-30",
                "2026-09-30",
            ),
            (
                Level::Central,
                "2026-08-01",
                "central_2",
                "2027-01-30",
                "2027-03-30",
            ),
            (
                Level::Central,
                "2026-01-15",
                "central_2",
                "2026-01-30",
                "2026-03-30",
            ),
        ];
        for (level, today, round, by, decided) in cases {
            let r = e.next_round(level, d(today)).unwrap();
            assert_eq!(
                (r.round.as_str(), r.proposals_by, r.decided_by),
                (round, d(by), d(decided)),
                "{today}"
            );
        }
        assert!(e.next_round(Level::District, d("2026-01-01")).is_none());
    }

    #[test]
    fn a_calendar_for_another_id_is_refused() {
        let text = include_str!("../../../workflows/national-2026.toml")
            .replace("calendar = \"vn\"", "calendar = \"la\"");
        let cycle = ocop_core::load_definition("x.toml", &text).unwrap();
        let err = EngineBuilder::new(cycle.clone()).build().unwrap_err();
        assert!(matches!(err, BuildError::MissingCalendar { .. }));
        let err = EngineBuilder::new(cycle)
            .calendar(Calendar::vietnam())
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("calendar `la`"), "{err}");
    }

    #[test]
    fn quoted_lists_read_as_english() {
        assert_eq!(quoted(["a"]), "`a`");
        assert_eq!(quoted(["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(quoted(Vec::<&str>::new()), "nothing");
    }
}
