//! An in-memory store, for tests and single-process simulations.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use ocop_core::{Date, ids::DefinitionId};

use super::{
    Append, DueEntry, Recorded, Snapshot, Store, StoreError, StoredDefinition, SummaryQuery,
    check_append, check_definition,
};
use crate::event::{CaseId, Event};
use crate::summary::CaseSummary;

#[derive(Debug, Default)]
struct Inner {
    cases: BTreeMap<CaseId, Vec<Event>>,
    keys: HashMap<(CaseId, String), (String, u64, u64)>,
    summaries: BTreeMap<CaseId, CaseSummary>,
    /// The due-date index: (definition, due, case) with the case's version, and the entry
    /// of each case, to remove it when the case moves on.
    due: BTreeMap<(DefinitionId, Date, CaseId), u64>,
    due_of: HashMap<CaseId, (DefinitionId, Date)>,
    snapshots: HashMap<CaseId, Snapshot>,
    definitions: BTreeMap<String, StoredDefinition>,
}

impl Inner {
    fn project(&mut self, summary: &CaseSummary) {
        let case = &summary.case;
        if let Some((def, date)) = self.due_of.remove(case) {
            self.due.remove(&(def, date, case.clone()));
        }
        if let Some(date) = summary.next_due {
            self.due.insert(
                (summary.definition.clone(), date, case.clone()),
                summary.version,
            );
            self.due_of
                .insert(case.clone(), (summary.definition.clone(), date));
        }
        self.summaries.insert(case.clone(), summary.clone());
    }

    fn version(&self, case: &CaseId) -> u64 {
        self.cases
            .get(case)
            .map_or(0, |v| u64::try_from(v.len()).unwrap_or(u64::MAX))
    }
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
        Ok(self.lock().version(case))
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

    fn append(&self, append: &Append<'_>) -> Result<(), StoreError> {
        let (case, expected, events) = (append.case, append.expected, append.events);
        let mut inner = self.lock();
        let actual = inner.version(case);
        if actual != expected {
            return Err(StoreError::Conflict {
                case: case.clone(),
                expected,
                actual,
            });
        }
        check_append(append)?;
        if let Some(k) = append.key {
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
        inner.project(append.summary);
        if let Some(snapshot) = append.snapshot {
            inner.snapshots.insert(case.clone(), snapshot.clone());
        }
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

    fn due(&self, definition: &DefinitionId, before: Date) -> Result<Vec<DueEntry>, StoreError> {
        let inner = self.lock();
        let mut out: Vec<DueEntry> = inner
            .due
            .range((definition.clone(), Date::MIN, CaseId::new(""))..)
            .take_while(|((def, date, _), _)| def == definition && *date < before)
            .map(|((_, due, case), version)| DueEntry {
                due: *due,
                case: case.clone(),
                version: *version,
            })
            .collect();
        out.sort();
        Ok(out)
    }

    fn summary(&self, case: &CaseId) -> Result<Option<CaseSummary>, StoreError> {
        Ok(self.lock().summaries.get(case).cloned())
    }

    fn summaries(&self) -> Result<Vec<CaseSummary>, StoreError> {
        Ok(self.lock().summaries.values().cloned().collect())
    }

    fn list(&self, query: &SummaryQuery) -> Result<Vec<CaseSummary>, StoreError> {
        use std::ops::Bound;
        let inner = self.lock();
        let from = query
            .after
            .as_ref()
            .map_or(Bound::Unbounded, |a| Bound::Excluded(a.clone()));
        let limit = if query.limit == 0 {
            usize::MAX
        } else {
            query.limit
        };
        Ok(inner
            .summaries
            .range((from, Bound::Unbounded))
            .map(|(_, s)| s)
            .filter(|s| query.matches(s))
            .take(limit)
            .cloned()
            .collect())
    }

    fn reproject(&self, summary: &CaseSummary) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let actual = inner.version(&summary.case);
        if actual != summary.version || actual == 0 {
            return Err(StoreError::Conflict {
                case: summary.case.clone(),
                expected: summary.version,
                actual,
            });
        }
        inner.project(summary);
        Ok(())
    }

    fn unprojected(&self) -> Result<Vec<CaseId>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .cases
            .iter()
            .filter(|(id, events)| {
                inner.summaries.get(*id).map(|s| s.version)
                    != Some(u64::try_from(events.len()).unwrap_or(u64::MAX))
            })
            .map(|(id, _)| id.clone())
            .collect())
    }

    fn snapshot(&self, case: &CaseId) -> Result<Option<Snapshot>, StoreError> {
        Ok(self.lock().snapshots.get(case).cloned())
    }

    fn put_definition(&self, definition: &StoredDefinition) -> Result<(), StoreError> {
        check_definition(definition)?;
        self.lock()
            .definitions
            .entry(definition.sha256.clone())
            .or_insert_with(|| definition.clone());
        Ok(())
    }

    fn has_definition(&self, sha256: &str) -> Result<bool, StoreError> {
        Ok(self.lock().definitions.contains_key(sha256))
    }

    fn definition(&self, sha256: &str) -> Result<Option<StoredDefinition>, StoreError> {
        Ok(self.lock().definitions.get(sha256).cloned())
    }

    fn definitions(&self) -> Result<Vec<StoredDefinition>, StoreError> {
        let mut all: Vec<StoredDefinition> = self.lock().definitions.values().cloned().collect();
        all.sort_by(|a, b| (&a.id, &a.version, &a.sha256).cmp(&(&b.id, &b.version, &b.sha256)));
        Ok(all)
    }
}
