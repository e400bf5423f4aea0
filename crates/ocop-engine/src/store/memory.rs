//! An in-memory store, for tests and single-process simulations.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use super::{IdempotencyRecord, Recorded, Store, StoreError, check_append};
use crate::event::{CaseId, Event};

#[derive(Debug, Default)]
struct Inner {
    cases: BTreeMap<CaseId, Vec<Event>>,
    keys: HashMap<(CaseId, String), (String, u64, u64)>,
}

/// A store that keeps everything in memory; it forgets everything when dropped.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-applied append: appends
        // validate before they mutate.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn slice(events: &[Event], first: u64, last: u64) -> Vec<Event> {
    events
        .iter()
        .filter(|e| e.seq >= first && e.seq <= last)
        .cloned()
        .collect()
}

impl Store for MemoryStore {
    fn version(&self, case: &CaseId) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .cases
            .get(case)
            .map_or(0, |v| u64::try_from(v.len()).unwrap_or(u64::MAX)))
    }

    fn load(&self, case: &CaseId, after: u64) -> Result<Vec<Event>, StoreError> {
        let inner = self.lock();
        let Some(events) = inner.cases.get(case) else {
            return Ok(Vec::new());
        };
        let start = usize::try_from(after).unwrap_or(usize::MAX);
        Ok(events
            .get(start..)
            .map(<[Event]>::to_vec)
            .unwrap_or_default())
    }

    fn append(
        &self,
        case: &CaseId,
        expected: u64,
        events: &[Event],
        key: Option<&IdempotencyRecord>,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let actual = inner
            .cases
            .get(case)
            .map_or(0, |v| u64::try_from(v.len()).unwrap_or(u64::MAX));
        if actual != expected {
            return Err(StoreError::Conflict {
                case: case.clone(),
                expected,
                actual,
            });
        }
        check_append(case, expected, events)?;
        if let Some(k) = key {
            let id = (case.clone(), k.key.clone());
            if inner.keys.contains_key(&id) {
                return Err(StoreError::DuplicateKey {
                    case: case.clone(),
                    key: k.key.clone(),
                });
            }
            let last = expected.saturating_add(u64::try_from(events.len()).unwrap_or(0));
            inner.keys.insert(
                id,
                (k.fingerprint.clone(), expected.saturating_add(1), last),
            );
        }
        inner
            .cases
            .entry(case.clone())
            .or_default()
            .extend_from_slice(events);
        Ok(())
    }

    fn recorded(&self, case: &CaseId, key: &str) -> Result<Option<Recorded>, StoreError> {
        let inner = self.lock();
        let Some((fingerprint, first, last)) = inner.keys.get(&(case.clone(), key.to_owned()))
        else {
            return Ok(None);
        };
        let events = inner
            .cases
            .get(case)
            .map(|v| slice(v, *first, *last))
            .unwrap_or_default();
        Ok(Some(Recorded {
            fingerprint: fingerprint.clone(),
            events,
        }))
    }

    fn cases(&self) -> Result<Vec<CaseId>, StoreError> {
        Ok(self.lock().cases.keys().cloned().collect())
    }
}
