//! Rounds, deadlines and timeouts: when something is due on a case, and [`Engine::tick`].

use std::collections::BTreeSet;

use ocop_core::{Date, domain::Level, ids::TransitionId};

use super::{Engine, Op};
use crate::clock::Timestamp;
use crate::command::CommandError;
use crate::event::{Actor, CaseId, Event, RoundAssignment, Timeout};
use crate::projector::Due;
use crate::store::{Store, StoreError};

/// The most timeouts one case can fire in one tick (a guard against definitions whose
/// internal timeouts keep moving their own anchor).
const MAX_TICK_PASSES: usize = 64;

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

impl Engine {
    /// The next round of `level` whose proposal cut-off is on or after `today`.
    pub(super) fn next_round(&self, level: Level, today: Date) -> Option<RoundAssignment> {
        let mut best: Option<RoundAssignment> = None;
        for r in self.cycle.rounds().iter().filter(|r| r.level == level) {
            let Some(proposals_by) = [today.year(), today.year().saturating_add(1)]
                .into_iter()
                .map(|y| r.proposals_by.in_year(y))
                .find(|date| *date >= today)
            else {
                continue;
            };
            let Some(decided_by) = [proposals_by.year(), proposals_by.year().saturating_add(1)]
                .into_iter()
                .map(|y| r.decided_by.in_year(y))
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

    /// Fires every timeout due at `now` on the cases of this engine's definition: a
    /// deadline whose last day is before `now`'s date (in Vietnam) fires its `on_timeout`
    /// transition as `system`, at most once per entry into the state and due date. Cases
    /// are handled in order of due date, then case id; a case whose timeout moves it into
    /// another state with a passed deadline fires again, in the same order, until nothing
    /// is due. Migrated cases whose transitional limit (Art. 12.2) passed get a notice event.
    ///
    /// The cases come from the store's due-date index ([`Store::due`]): a tick with
    /// nothing due is one indexed read, however many cases the store holds. An index date
    /// is the earliest day something may be due, so each case it names is checked again on
    /// its events before anything fires.
    ///
    /// # Errors
    /// [`StoreError`] when the index cannot be read. Failures on single cases are in the
    /// report.
    pub fn tick(&self, store: &dyn Store, now: Timestamp) -> Result<TickReport, StoreError> {
        let today = now.vn_date();
        let mut report = TickReport::default();
        // Cases that failed, or that the index named but have nothing due after all (a
        // deadline pushed back by a calendar update): not looked at again in this tick.
        let mut done: BTreeSet<CaseId> = BTreeSet::new();
        let def_id = &self.cycle.definition().id;
        for _ in 0..MAX_TICK_PASSES {
            let mut due: Vec<(Date, CaseId, u64, Due)> = Vec::new();
            for entry in store.due(def_id, today)? {
                if done.contains(&entry.case) {
                    continue;
                }
                let id = entry.case;
                let case = match self.case(store, &id) {
                    Ok(c) => c,
                    Err(error) => {
                        done.insert(id.clone());
                        report.failed.push(TickFailure { case: id, error });
                        continue;
                    }
                };
                if case.definition != *def_id || self.cycle.is_terminal(&case.state) {
                    done.insert(id);
                    continue;
                }
                match self.projector.due_now(&case, today) {
                    Ok(Some(d)) => {
                        let date = match &d {
                            Due::Timeout(t) => t.due,
                            Due::Limit(l) => *l,
                        };
                        due.push((date, id, case.version, d));
                    }
                    Ok(None) => {
                        done.insert(id);
                    }
                    Err(e) => {
                        done.insert(id.clone());
                        report.failed.push(TickFailure {
                            case: id,
                            error: e.into(),
                        });
                    }
                }
            }
            if due.is_empty() {
                break;
            }
            due.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
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
                            case: id,
                            due: date,
                            transition,
                            events,
                        });
                    }
                    Err(error) => {
                        done.insert(id.clone());
                        report.failed.push(TickFailure { case: id, error });
                    }
                }
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EngineBuilder;

    fn engine() -> Engine {
        let text = include_str!("../../../../workflows/national-2026.toml");
        let cycle = ocop_core::load_definition("national-2026.toml", text).unwrap();
        EngineBuilder::new(cycle)
            .scorer(
                "criteria-26-2026",
                std::sync::Arc::new(ocop_criteria_26_2026::NativeScorer::new()),
            )
            .build()
            .unwrap()
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn rounds_follow_the_cut_offs_of_article_5() {
        // "trước ngày 30 tháng 4" read strictly (#12): 29 April is the last day of round 1,
        // a proposal on 30 April goes to round 2.
        let e = engine();
        let cases = [
            (
                Level::Province,
                "2026-04-01",
                "province_1",
                "2026-04-29",
                "2026-06-29",
            ),
            (
                Level::Province,
                "2026-04-29",
                "province_1",
                "2026-04-29",
                "2026-06-29",
            ),
            (
                Level::Province,
                "2026-04-30",
                "province_2",
                "2026-10-29",
                "2026-12-29",
            ),
            (
                Level::Province,
                "2026-10-30",
                "province_1",
                "2027-04-29",
                "2027-06-29",
            ),
            (
                Level::Central,
                "2026-02-01",
                "central_1",
                "2026-07-29",
                "2026-09-29",
            ),
            (
                Level::Central,
                "2026-07-30",
                "central_2",
                "2027-01-29",
                "2027-03-29",
            ),
            (
                Level::Central,
                "2026-01-15",
                "central_2",
                "2026-01-29",
                "2026-03-29",
            ),
            (
                Level::Central,
                "2026-01-30",
                "central_1",
                "2026-07-29",
                "2026-09-29",
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
}
