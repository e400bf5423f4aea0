//! A command's path through the engine: idempotency, the cached case brought up to the
//! store's version, the decision, the append, and the retry when another writer won.

use ocop_core::Date;

use super::{Engine, Op, Refused, Slot, Tx, lock};
use crate::case::Case;
use crate::clock::Timestamp;
use crate::command::{Action, Command, CommandError};
use crate::event::{Actor, CaseId, Event, EventBody, TransitionInput};
use crate::store::{Append, IdempotencyRecord, Recorded, Store, StoreError};

/// A snapshot is written with the append that crosses a multiple of this many events.
const SNAPSHOT_EVERY: u64 = 32;

/// Whether an append from version `from` to `to` crosses a snapshot boundary.
fn snapshot_due(from: u64, to: u64) -> bool {
    from / SNAPSHOT_EVERY != to / SNAPSHOT_EVERY
}

/// What [`Engine::execute_outcome`] answers: a command's events, and whether they are the
/// answer recorded for its idempotency key rather than events this call appended.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Outcome {
    /// The events: appended by this call, or recorded the first time the key was used.
    pub events: Vec<Event>,
    /// Whether the events come from the key's record: the command was decided before, by
    /// an earlier call, another node, or a twin request decided while this one was in
    /// flight. A service reports this to its client (the retry acted once).
    pub replayed: bool,
}

impl Engine {
    /// Checks `command` and, if it is allowed, appends its events to `store` atomically and
    /// returns them. A command whose idempotency key was already used returns the events
    /// it produced the first time; [`Engine::execute_outcome`] also says which it was.
    ///
    /// # Errors
    /// A [`CommandError`] saying why the command was refused or failed; nothing is stored.
    pub fn execute(
        &self,
        store: &dyn Store,
        command: &Command,
    ) -> Result<Vec<Event>, CommandError> {
        self.execute_outcome(store, command).map(|o| o.events)
    }

    /// [`Engine::execute`], saying whether the events were appended by this call or are
    /// the answer recorded for the command's idempotency key. Under concurrency only the
    /// engine can tell: a twin request that looked at the case before the first one
    /// appended sees the same versions either way.
    ///
    /// # Errors
    /// As [`Engine::execute`].
    pub fn execute_outcome(
        &self,
        store: &dyn Store,
        command: &Command,
    ) -> Result<Outcome, CommandError> {
        let key = match &command.idempotency_key {
            Some(k) => Some(IdempotencyRecord {
                key: k.clone(),
                fingerprint: command.fingerprint()?,
            }),
            None => None,
        };
        if let Some(k) = &key
            && let Some(rec) = store.recorded(&command.case, &k.key)?
        {
            return replayed(command, k, rec);
        }
        if matches!(command.action, Action::Open(_)) {
            crate::store::keep_definition(store, &self.cycle)?;
        }
        let at = self.clock.now();
        let result = self.run(
            store,
            &command.case,
            &command.actor,
            command.expected_version,
            key.as_ref(),
            &Op::Public(&command.action),
            at,
        );
        match (result, &key) {
            (Ok(events), _) => Ok(Outcome {
                events,
                replayed: false,
            }),
            (Err(error), Some(k)) => {
                // The same request may have been decided between the look-up above and this
                // decision (a retry from the client, from another node, or a twin request in
                // flight): the case then moved on, so this decision was refused, lost the
                // append, or met the stored key. Whatever it was, the key's record is the
                // answer.
                match store.recorded(&command.case, &k.key) {
                    Ok(Some(rec)) => replayed(command, k, rec),
                    Ok(None)
                        if matches!(
                            error,
                            CommandError::Store(StoreError::DuplicateKey { .. })
                        ) =>
                    {
                        Err(CommandError::Store(StoreError::Backend(
                            "an idempotency key was reported used but is not stored".into(),
                        )))
                    }
                    Ok(None) | Err(_) => Err(error),
                }
            }
            (Err(error), None) => Err(error),
        }
    }

    pub(super) fn slot(&self, case: &CaseId) -> Slot {
        let mut cache = lock(&self.cache);
        std::sync::Arc::clone(cache.entry(case.clone()).or_default())
    }

    /// Brings the cached case up to the store's version: from the case's latest snapshot
    /// when nothing is cached, then the events after it.
    fn refresh(
        &self,
        store: &dyn Store,
        id: &CaseId,
        slot: &mut Option<Case>,
    ) -> Result<(), CommandError> {
        if slot.is_none()
            && let Some(snapshot) = store.snapshot(id)?
        {
            *slot = Case::from_snapshot(&snapshot).filter(|c| c.id == *id);
        }
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

    /// The cached case, brought up to `stored` (the store's version).
    fn sync(
        &self,
        store: &dyn Store,
        id: &CaseId,
        slot: &mut Option<Case>,
        stored: u64,
    ) -> Result<(), CommandError> {
        let cached = slot.as_ref().map_or(0, |c| c.version);
        if cached > stored {
            // The store went back (restored from a backup): start again.
            *slot = None;
        }
        if slot.is_none() || cached != stored {
            self.refresh(store, id, slot)
                .inspect_err(|_| *slot = None)?;
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
        self.sync(store, id, &mut guard, stored)?;
        guard
            .clone()
            .ok_or_else(|| CommandError::UnknownCase { case: id.clone() })
    }

    /// Decides `op` on the case and appends its events; on losing a race (for a command
    /// without an expected version), decides again as the [`RetryPolicy`](super::RetryPolicy)
    /// allows.
    #[expect(
        clippy::too_many_arguments,
        reason = "one private entry point for every kind of command"
    )]
    pub(super) fn run(
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
        let mut lost = 0u32;
        loop {
            // Another engine may have appended since this one cached the case: a decision
            // on a stale case could refuse what the current one allows.
            let stored = store.version(id)?;
            self.sync(store, id, &mut guard, stored)?;
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
            let Some(case) = guard.as_ref() else {
                return Err(CommandError::UnknownCase { case: id.clone() });
            };
            let summary = self.projector.summary(case);
            let snapshot = snapshot_due(base, case.version)
                .then(|| case.snapshot())
                .flatten();
            let append = Append {
                case: id,
                expected: base,
                events: &events,
                key,
                summary: &summary,
                snapshot: snapshot.as_ref(),
            };
            match store.append(&append) {
                Ok(()) => return Ok(events),
                Err(StoreError::Conflict { actual, .. }) if expected.is_none() => {
                    *guard = None;
                    lost += 1;
                    if lost > self.retry.retries() {
                        return Err(CommandError::Contended {
                            case: id.clone(),
                            moved: lost,
                            last_seen: actual,
                        });
                    }
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
        self.runs(case)?;
        if self.cycle.is_terminal(&case.state) {
            return Err(CommandError::Terminal {
                case: id.clone(),
                state: case.state.to_string(),
            }
            .into());
        }
        let system = matches!(op, Op::Timeout { .. } | Op::LimitPassed { .. });
        if !system {
            if actor.role.as_str() == ocop_core::definition::SYSTEM_ROLE {
                return Err(CommandError::SystemRole.into());
            }
            if self.cycle.role(&actor.role).is_none() {
                return Err(CommandError::UnknownRole {
                    role: actor.role.to_string(),
                    definition: self.cycle.definition().id.to_string(),
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
        self.act(&mut tx, op, today)?;
        Ok(tx.events)
    }

    /// Refuses a case of another definition than the engine's.
    pub(super) fn runs(&self, case: &Case) -> Result<(), CommandError> {
        let def = self.cycle.definition();
        if case.definition != def.id {
            return Err(CommandError::WrongDefinition {
                case: case.id.clone(),
                runs_under: case.definition.to_string(),
                engine: def.id.to_string(),
            });
        }
        Ok(())
    }

    /// What a command does to a case that exists and runs under this engine.
    fn act(&self, tx: &mut Tx<'_>, op: &Op<'_>, today: Date) -> Result<(), Refused> {
        match op {
            Op::Public(Action::Open(_)) => Err(CommandError::CaseExists {
                case: tx.case.id.clone(),
            }
            .into()),
            Op::Public(Action::Take { transition, input }) => {
                self.take(tx, transition, input, None, today)
            }
            Op::Timeout {
                transition,
                timeout,
            } => self.take(
                tx,
                transition,
                &TransitionInput::default(),
                Some(timeout.clone()),
                today,
            ),
            Op::LimitPassed { finish_by } => {
                let here = tx.here();
                tx.push(
                    EventBody::TransitionalLimitPassed {
                        finish_by: *finish_by,
                    },
                    here,
                )
            }
            Op::Public(Action::ConstituteCouncil {
                evaluation,
                members,
            }) => self.constitute(tx, evaluation, members),
            Op::Public(Action::SubmitSheet { evaluation, sheet }) => {
                self.submit(tx, evaluation, sheet)
            }
            Op::Public(Action::UpdateDossier { documents }) => {
                self.may_file(tx.case, &tx.actor)?;
                if documents.is_empty() {
                    return Err(CommandError::InvalidInput("no documents to file".into()).into());
                }
                self.separation(tx.case, &tx.actor)?;
                let here = tx.here();
                tx.push(
                    EventBody::DossierUpdated {
                        documents: documents.clone(),
                    },
                    here,
                )
            }
            Op::Public(Action::RecordFacts { facts }) => {
                if facts.is_empty() {
                    return Err(CommandError::InvalidInput("no facts to record".into()).into());
                }
                self.separation(tx.case, &tx.actor)?;
                let here = tx.here();
                tx.push(
                    EventBody::FactsRecorded {
                        facts: facts.clone(),
                    },
                    here,
                )
            }
        }
    }
}

fn replayed(
    command: &Command,
    key: &IdempotencyRecord,
    rec: Recorded,
) -> Result<Outcome, CommandError> {
    if rec.fingerprint == key.fingerprint {
        Ok(Outcome {
            events: rec.events,
            replayed: true,
        })
    } else {
        Err(CommandError::KeyReused {
            case: command.case.clone(),
            key: key.key.clone(),
        })
    }
}
