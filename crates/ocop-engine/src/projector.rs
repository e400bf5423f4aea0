//! What a case's projection holds: its summary, its deadline and the next day a tick must
//! look at it. Needs the cycle and the calendar, not the plugins, so that a projection can
//! be rebuilt (an old database upgraded, a calendar changed) without loading any.

use std::sync::Arc;

use ocop_core::cycle::Amount;
use ocop_core::{
    Cycle, Date,
    definition::{Anchor, StateKind},
};

use crate::calendar::{Calendar, CalendarError};
use crate::case::Case;
use crate::summary::{CaseSummary, DueDate};

/// Computes a case's [`CaseSummary`] (the projection the store keeps beside its events) and
/// deadline under one cycle and calendar.
///
/// # Examples
/// ```
/// use ocop_engine::{Calendar, Projector};
///
/// let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml"));
/// let cycle = ocop_core::load_definition("national-2026.toml", text).unwrap();
/// let projector = Projector::new(cycle, Calendar::vietnam());
/// assert_eq!(projector.cycle().definition().id.as_str(), "national-2026");
/// ```
#[derive(Clone, Debug)]
pub struct Projector {
    cycle: Arc<Cycle>,
    calendar: Calendar,
}

/// Something due on a case: a timeout, or a migration's transitional limit (Art. 12.2).
pub(crate) enum Due {
    Timeout(DueDate),
    Limit(Date),
}

impl Projector {
    /// A projector for `cycle`, counting working days on `calendar`.
    pub fn new(cycle: impl Into<Arc<Cycle>>, calendar: Calendar) -> Projector {
        Projector {
            cycle: cycle.into(),
            calendar,
        }
    }

    /// The cycle.
    pub fn cycle(&self) -> &Cycle {
        &self.cycle
    }

    /// The calendar.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    pub(crate) fn shared_cycle(&self) -> &Arc<Cycle> {
        &self.cycle
    }

    /// Whether the case runs under this projector's definition.
    fn runs(&self, case: &Case) -> bool {
        case.definition == self.cycle.definition().id
    }

    /// The SHA-256 of the definition the case runs under: its pin, or, for a case whose
    /// events predate pins, this projector's definition when id and version match.
    fn pin(&self, case: &Case) -> Option<String> {
        let def = self.cycle.definition();
        case.definition_sha256.clone().or_else(|| {
            (case.definition == def.id && case.definition_version == def.version)
                .then(|| self.cycle.sha256().to_owned())
        })
    }

    /// The day the deadline of the case's state counts from (none without a deadline, an
    /// anchor that is not set, or a case of another definition).
    fn anchor(&self, case: &Case) -> Option<(Date, &ocop_core::cycle::Deadline)> {
        if !self.runs(case) {
            return None;
        }
        let d = self.cycle.state(&case.state)?.deadline.as_ref()?;
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
        }?;
        Some((anchor, d))
    }

    /// The deadline of the case's current state, if it has one and its anchor is set (none
    /// for a case of another definition).
    ///
    /// # Errors
    /// [`CalendarError::YearNotCovered`] when a working-day count crosses a year the
    /// calendar has no data for.
    pub fn deadline(&self, case: &Case) -> Result<Option<DueDate>, CalendarError> {
        let Some((anchor, d)) = self.anchor(case) else {
            return Ok(None);
        };
        let due = match d.amount {
            Amount::WorkingDays(n) => self.calendar.add_working_days(anchor, n)?,
            // A period in calendar days whose last day is a weekend or a day off ends on
            // the next working day (Civil Code 2015 Art. 148(5)).
            Amount::Days(n) => self.calendar.roll_forward(anchor.add_days(i64::from(n)))?,
            Amount::Months(n) => anchor.add_months(i32::try_from(n).unwrap_or(i32::MAX)),
            Amount::OnAnchor => anchor,
        };
        let fired = case.fired.as_ref().is_some_and(|f| {
            f.state == case.state && f.entry_seq == case.entry_seq && f.due == due
        });
        Ok(Some(DueDate {
            state: case.state.clone(),
            due,
            on_timeout: d.on_timeout.clone(),
            fired,
        }))
    }

    /// The transitional limit of a migrated case, while it still matters: not yet noticed,
    /// and the case not certified, monitored or ended.
    fn pending_limit(&self, case: &Case) -> Option<Date> {
        let limit = case.finish_by.filter(|_| !case.limit_noticed)?;
        let kind = self.cycle.state(&case.state).map(|s| s.kind);
        (!matches!(
            kind,
            Some(StateKind::Monitoring | StateKind::Certified | StateKind::Terminal)
        ))
        .then_some(limit)
    }

    /// What is due on the case on `today`: a timeout whose last day has passed (and has not
    /// fired), else a passed transitional limit.
    pub(crate) fn due_now(&self, case: &Case, today: Date) -> Result<Option<Due>, CalendarError> {
        if let Some(d) = self.deadline(case)?
            && !d.fired
            && today > d.due
        {
            return Ok(Some(Due::Timeout(d)));
        }
        if let Some(limit) = self.pending_limit(case)
            && today > limit
        {
            return Ok(Some(Due::Limit(limit)));
        }
        Ok(None)
    }

    /// The last day before the first tick that may find something due on the case: the
    /// deadline's last day (unless it fired), or the transitional limit, whichever is
    /// earlier; none for an ended case or one with nothing pending. When the deadline cannot
    /// be computed (a year the calendar does not cover), its anchor: the tick then looks at
    /// the case and reports why it cannot count.
    ///
    /// This is what the store's due-date index holds; a tick reads the cases whose date is
    /// before its day.
    pub fn next_due(&self, case: &Case) -> Option<Date> {
        if !self.runs(case) || self.cycle.is_terminal(&case.state) {
            return None;
        }
        let deadline = match self.deadline(case) {
            Ok(d) => d.filter(|d| !d.fired).map(|d| d.due),
            Err(_) => self.anchor(case).map(|(a, _)| a),
        };
        match (deadline, self.pending_limit(case)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// A case at a glance, with its state's deadline: the projection the store keeps.
    pub fn summary(&self, case: &Case) -> CaseSummary {
        let state = self.cycle.state(&case.state).filter(|_| self.runs(case));
        let (deadline, deadline_error) = match self.deadline(case) {
            Ok(d) => (d, None),
            Err(e) => (None, Some(e.to_string())),
        };
        let latest_result = case.latest_result().cloned();
        let scored_with = latest_result
            .as_ref()
            .and_then(|r| case.council(&r.evaluation))
            .and_then(|c| c.sheets().next())
            .map(|s| s.plugin().clone());
        let (earlier, current) = match case.certificates.split_last() {
            Some((current, earlier)) => (earlier.to_vec(), Some(current.clone())),
            None => (Vec::new(), None),
        };
        CaseSummary {
            case: case.id.clone(),
            definition: case.definition.clone(),
            definition_version: case.definition_version.clone(),
            definition_sha256: self.pin(case),
            state: case.state.clone(),
            state_label: state.map(|s| s.label.clone()),
            state_kind: state.map(|s| s.kind),
            entered_on: case.entered_on,
            opened_on: Some(case.opened_on),
            version: case.version,
            product: case.product.clone(),
            registration: case.registration,
            certificate: current,
            earlier_certificates: earlier,
            round: case.round.clone(),
            latest_result,
            scored_with,
            deadline,
            deadline_error,
            next_due: self.next_due(case),
            finish_by: case.finish_by,
            inspections: case.inspections.clone(),
        }
    }
}

/// Why the projections of a database could not be rebuilt.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProjectError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A stored history cannot be folded into a case.
    #[error("case `{case}` cannot be replayed: {error}")]
    Corrupt {
        /// The case.
        case: crate::event::CaseId,
        /// Why.
        error: crate::case::ReplayError,
    },
    /// No projector was given for the definition a case runs under.
    #[error(
        "case `{case}` runs under `{definition}` version {version}, and no definition given matches: add its file"
    )]
    NoDefinition {
        /// The case.
        case: crate::event::CaseId,
        /// The definition's id.
        definition: String,
        /// Its version.
        version: String,
    },
}

/// Builds the projection of every case that has none or an outdated one (a database
/// written before projections existed), each with the projector of the definition it runs
/// under (by the SHA-256 its events pin, else by id and version). Returns the cases
/// projected. Events are only read.
///
/// # Errors
/// [`ProjectError`] at the first case that cannot be projected; the cases before it keep
/// their new projection, so running it again carries on.
pub fn project_missing(
    store: &dyn crate::store::Store,
    projectors: &[Projector],
) -> Result<Vec<crate::event::CaseId>, ProjectError> {
    let mut done = Vec::new();
    for id in store.unprojected()? {
        let events = store.load(&id, 0)?;
        let case = Case::replay(&events).map_err(|error| ProjectError::Corrupt {
            case: id.clone(),
            error,
        })?;
        let projector = projectors
            .iter()
            .find(|p| case.definition_sha256() == Some(p.cycle().sha256()))
            .or_else(|| {
                projectors.iter().find(|p| {
                    let def = p.cycle().definition();
                    case.definition_sha256().is_none()
                        && def.id == case.definition
                        && def.version == case.definition_version
                })
            })
            .ok_or_else(|| ProjectError::NoDefinition {
                case: id.clone(),
                definition: case.definition.to_string(),
                version: case.definition_version.clone(),
            })?;
        store.reproject(&projector.summary(&case))?;
        done.push(id);
    }
    Ok(done)
}
