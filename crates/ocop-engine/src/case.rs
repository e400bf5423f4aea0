//! A case's state: a fold over its events. The fold needs no definition, so a history can
//! be replayed (and verified) without the cycle it ran under.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ocop_core::{
    Date,
    domain::{Certificate, CertificateStatus, DossierDocument, RegistrationType, RevocationGround},
    ids::{DefinitionId, EvaluationId, RoleId, StateId},
};

use serde::{Deserialize, Serialize};

use crate::event::{
    CaseId, CouncilMember, CouncilResult, Event, EventBody, GENESIS_HASH, Inspection, MemberSheet,
    Product, RoundAssignment,
};
use crate::store::Snapshot;

/// The encoding of a case in a [`Snapshot`]; a snapshot of another format is ignored (the
/// case is replayed from its events instead).
const SNAPSHOT_FORMAT: u32 = 1;

/// A council sitting of one evaluation stage: its members and the sheets given so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Council {
    pub(crate) members: Vec<CouncilMember>,
    /// Shared, so that handing out a copy of a case does not copy its sheets.
    pub(crate) sheets: BTreeMap<String, Arc<MemberSheet>>,
}

impl Council {
    /// The members named when the council was constituted.
    pub fn members(&self) -> &[CouncilMember] {
        &self.members
    }

    /// The sheets submitted in the current sitting, by member.
    pub fn sheets(&self) -> impl Iterator<Item = &MemberSheet> {
        self.sheets.values().map(|s| &**s)
    }

    /// The sheet of `member`, if submitted.
    pub fn sheet(&self, member: &str) -> Option<&MemberSheet> {
        self.sheets.get(member).map(|s| &**s)
    }

    /// Whether the council has been constituted.
    pub fn is_constituted(&self) -> bool {
        !self.members.is_empty()
    }

    /// The member `id`, if on the council.
    pub fn member(&self, id: &str) -> Option<&CouncilMember> {
        self.members.iter().find(|m| m.id == id)
    }

    /// The number of sheets submitted.
    pub fn sheet_count(&self) -> usize {
        self.sheets.len()
    }
}

/// A deadline that has fired, so that it fires at most once per entry into its state and
/// per due date (a moved anchor re-arms it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Fired {
    pub(crate) state: StateId,
    pub(crate) entry_seq: u64,
    pub(crate) due: Date,
}

/// The revocation in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// The ground named when it was opened.
    pub ground: Option<RevocationGround>,
    /// The date of the conclusion it rests on.
    pub conclusion: Date,
}

/// The state of a case, rebuilt from its events by [`Case::replay`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub(crate) id: CaseId,
    pub(crate) definition: DefinitionId,
    pub(crate) definition_version: String,
    /// The SHA-256 of the definition's text, when the events pin it (format 2).
    #[serde(default)]
    pub(crate) definition_sha256: Option<String>,
    pub(crate) state: StateId,
    pub(crate) entered_on: Date,
    pub(crate) entry_seq: u64,
    pub(crate) entries: BTreeMap<StateId, Date>,
    pub(crate) opened_on: Date,
    pub(crate) product: Product,
    pub(crate) registration: RegistrationType,
    pub(crate) documents: Vec<DossierDocument>,
    pub(crate) facts: BTreeMap<String, bool>,
    pub(crate) councils: BTreeMap<EvaluationId, Council>,
    pub(crate) results: BTreeMap<EvaluationId, CouncilResult>,
    pub(crate) latest_result: Option<EvaluationId>,
    pub(crate) certificates: Vec<Certificate>,
    pub(crate) round: Option<RoundAssignment>,
    pub(crate) revocation: Option<Revocation>,
    pub(crate) inspections: Vec<Inspection>,
    pub(crate) acted: BTreeMap<String, BTreeSet<RoleId>>,
    pub(crate) fired: Option<Fired>,
    pub(crate) finish_by: Option<Date>,
    pub(crate) limit_noticed: bool,
    /// The case was filed before new rules took effect and finishes under its own
    /// definition (Art. 12.2).
    #[serde(default)]
    pub(crate) continues_under_old_rules: bool,
    pub(crate) version: u64,
    pub(crate) last_hash: String,
}

/// A history that cannot be folded into a case.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The history is empty.
    #[error("the history is empty: a case starts with an `opened` event")]
    Empty,
    /// The first event does not open the case.
    #[error("the history of case `{case}` starts with `{kind}`, not `opened`")]
    NotOpened {
        /// The case.
        case: CaseId,
        /// The first event's kind.
        kind: String,
    },
    /// A case is opened twice.
    #[error("event {seq} of case `{case}` opens the case again")]
    OpenedTwice {
        /// The case.
        case: CaseId,
        /// The event.
        seq: u64,
    },
    /// An event is out of sequence or belongs to another case.
    #[error("event {seq} of case `{found}` cannot follow version {version} of case `{case}`")]
    OutOfSequence {
        /// The case.
        case: CaseId,
        /// The case's version.
        version: u64,
        /// The event's case.
        found: CaseId,
        /// The event's sequence number.
        seq: u64,
    },
    /// An event refers to something the case does not have.
    #[error("event {seq} of case `{case}` cannot apply: {reason}")]
    Inconsistent {
        /// The case.
        case: CaseId,
        /// The event.
        seq: u64,
        /// What is missing.
        reason: String,
    },
}

impl Case {
    /// Folds a history into the case's state. The hash chain is not checked here: use
    /// [`verify`](crate::verify) for that.
    ///
    /// # Errors
    /// A [`ReplayError`] when the history is empty, does not start with `opened`, or has an
    /// event out of sequence or inconsistent with the case.
    pub fn replay(events: &[Event]) -> Result<Case, ReplayError> {
        let (first, rest) = events.split_first().ok_or(ReplayError::Empty)?;
        let mut case = Case::open(first)?;
        for e in rest {
            case.apply(e)?;
        }
        Ok(case)
    }

    /// The case as a snapshot at its version.
    pub(crate) fn snapshot(&self) -> Option<Snapshot> {
        #[derive(Serialize)]
        struct Body<'a> {
            format: u32,
            case: &'a Case,
        }
        let body = serde_json::to_string(&Body {
            format: SNAPSHOT_FORMAT,
            case: self,
        })
        .ok()?;
        Some(Snapshot {
            version: self.version,
            body,
        })
    }

    /// The case a snapshot holds, if it is of this ocop's format and at its stated version.
    pub fn from_snapshot(snapshot: &Snapshot) -> Option<Case> {
        #[derive(Deserialize)]
        struct Body {
            format: u32,
            case: Case,
        }
        let body: Body = serde_json::from_str(&snapshot.body).ok()?;
        (body.format == SNAPSHOT_FORMAT && body.case.version == snapshot.version)
            .then_some(body.case)
    }

    /// Checks a stored snapshot against the history it was taken from: the fold of the
    /// events up to its version must be the case it holds. A snapshot of another format
    /// than this ocop writes is not checked (the engine ignores it too).
    ///
    /// # Errors
    /// [`ReplayError::Inconsistent`] naming the snapshot's version when it differs, or the
    /// history's own replay error.
    pub fn check_snapshot(history: &[Event], snapshot: &Snapshot) -> Result<(), ReplayError> {
        let Some(held) = Case::from_snapshot(snapshot) else {
            return Ok(());
        };
        let upto = usize::try_from(snapshot.version).unwrap_or(usize::MAX);
        let replayed = Case::replay(history.get(..upto).unwrap_or(history))?;
        if replayed != held {
            return Err(ReplayError::Inconsistent {
                case: replayed.id,
                seq: snapshot.version,
                reason: "the snapshot taken at this version does not match the events".into(),
            });
        }
        Ok(())
    }

    fn open(e: &Event) -> Result<Case, ReplayError> {
        let EventBody::Opened(o) = &e.body else {
            return Err(ReplayError::NotOpened {
                case: e.case.clone(),
                kind: e.body.kind().to_owned(),
            });
        };
        if e.seq != 1 {
            return Err(ReplayError::OutOfSequence {
                case: e.case.clone(),
                version: 0,
                found: e.case.clone(),
                seq: e.seq,
            });
        }
        let on = e.at.vn_date();
        let mut acted = BTreeMap::new();
        acted.insert(e.actor.id.clone(), BTreeSet::from([e.actor.role.clone()]));
        Ok(Case {
            id: e.case.clone(),
            definition: o.definition.clone(),
            definition_version: o.definition_version.clone(),
            definition_sha256: o.definition_sha256.clone(),
            state: e.to.clone(),
            entered_on: on,
            entry_seq: 1,
            entries: BTreeMap::from([(e.to.clone(), on)]),
            opened_on: on,
            product: o.product.clone(),
            registration: o.registration,
            documents: o.documents.clone(),
            facts: o.facts.clone(),
            councils: BTreeMap::new(),
            results: BTreeMap::new(),
            latest_result: None,
            certificates: o.certificate.iter().cloned().collect(),
            round: None,
            revocation: None,
            inspections: Vec::new(),
            acted,
            fired: None,
            finish_by: None,
            limit_noticed: false,
            continues_under_old_rules: false,
            version: 1,
            last_hash: e.hash.clone(),
        })
    }

    /// Applies one event (the next in sequence) to the case.
    pub(crate) fn apply(&mut self, e: &Event) -> Result<(), ReplayError> {
        if e.case != self.id || e.seq != self.version.saturating_add(1) {
            return Err(ReplayError::OutOfSequence {
                case: self.id.clone(),
                version: self.version,
                found: e.case.clone(),
                seq: e.seq,
            });
        }
        let on = e.at.vn_date();
        let inconsistent = |reason: String| ReplayError::Inconsistent {
            case: e.case.clone(),
            seq: e.seq,
            reason,
        };
        if e.actor.role.as_str() != ocop_core::definition::SYSTEM_ROLE {
            self.acted
                .entry(e.actor.id.clone())
                .or_default()
                .insert(e.actor.role.clone());
        }
        match &e.body {
            EventBody::Opened(_) => {
                return Err(ReplayError::OpenedTwice {
                    case: e.case.clone(),
                    seq: e.seq,
                });
            }
            EventBody::Transitioned(t) => {
                if e.to != self.state {
                    self.state = e.to.clone();
                    self.entered_on = on;
                    self.entry_seq = e.seq;
                    self.entries.insert(e.to.clone(), on);
                    self.fired = None;
                }
                // The engine records a conclusion date on the transitions that open a
                // revocation (the `revocation_ground` guard), and on those alone.
                if let Some(conclusion) = t.input.conclusion {
                    self.revocation = Some(Revocation {
                        ground: t.input.ground,
                        conclusion,
                    });
                }
                if let Some(timeout) = &t.timeout {
                    self.fired = Some(Fired {
                        state: timeout.state.clone(),
                        entry_seq: self.entry_seq,
                        due: timeout.due,
                    });
                }
            }
            EventBody::CouncilConstituted {
                evaluation,
                members,
            } => {
                let council = self.councils.entry(evaluation.clone()).or_default();
                council.members.clone_from(members);
            }
            EventBody::SheetSubmitted(s) => {
                self.councils
                    .entry(s.evaluation.clone())
                    .or_default()
                    .sheets
                    .insert(s.member.clone(), Arc::new(s.clone()));
            }
            EventBody::EvaluationRecorded(r) => {
                self.results.insert(r.evaluation.clone(), r.clone());
                self.latest_result = Some(r.evaluation.clone());
            }
            EventBody::EvaluationReset { evaluation, .. } => {
                if let Some(c) = self.councils.get_mut(evaluation) {
                    c.sheets.clear();
                }
            }
            EventBody::RoundAssigned(r) => self.round = Some(r.clone()),
            EventBody::CertificateIssued { certificate, .. } => {
                if let Some(current) = self.certificates.last_mut()
                    && matches!(
                        current.status,
                        CertificateStatus::Active | CertificateStatus::Extended { .. }
                    )
                {
                    current.status = CertificateStatus::Superseded;
                }
                self.certificates.push(certificate.clone());
            }
            EventBody::CertificateRevoked { ground, on, .. } => {
                let c = self
                    .certificates
                    .last_mut()
                    .ok_or_else(|| inconsistent("no certificate to revoke".into()))?;
                c.status = CertificateStatus::Revoked {
                    ground: *ground,
                    on: *on,
                };
            }
            EventBody::CertificateExpired { .. } => {
                let c = self
                    .certificates
                    .last_mut()
                    .ok_or_else(|| inconsistent("no certificate to expire".into()))?;
                c.status = CertificateStatus::Expired;
            }
            EventBody::CertificateExtended { until, .. } => {
                let c = self
                    .certificates
                    .last_mut()
                    .ok_or_else(|| inconsistent("no certificate to extend".into()))?;
                c.status = CertificateStatus::Extended { until: *until };
            }
            EventBody::InspectionRecorded(i) => self.inspections.push(i.clone()),
            EventBody::RegistrationChanged { registration } => self.registration = *registration,
            EventBody::Notified { .. } => {}
            EventBody::DossierUpdated { documents } => {
                for d in documents {
                    match self.documents.iter_mut().find(|x| x.kind == d.kind) {
                        Some(x) => *x = d.clone(),
                        None => self.documents.push(d.clone()),
                    }
                }
            }
            EventBody::FactsRecorded { facts } => {
                for (k, v) in facts {
                    self.facts.insert(k.clone(), *v);
                }
            }
            EventBody::Migrated(m) => {
                self.definition = m.to_definition.clone();
                self.definition_version.clone_from(&m.to_version);
                self.definition_sha256.clone_from(&m.to_definition_sha256);
                if let Some((from, to)) = &m.evaluation
                    && let Some(mut c) = self.councils.remove(from)
                {
                    for s in c.sheets.values_mut() {
                        Arc::make_mut(s).evaluation = to.clone();
                    }
                    self.councils.insert(to.clone(), c);
                }
                self.state = e.to.clone();
                self.entered_on = on;
                self.entry_seq = e.seq;
                self.entries.insert(e.to.clone(), on);
                self.fired = None;
                self.round = None;
                self.finish_by = m.finish_by;
                self.limit_noticed = false;
                self.continues_under_old_rules = false;
                if let Some(until) = m.certificate_extended_until {
                    let c = self
                        .certificates
                        .last_mut()
                        .ok_or_else(|| inconsistent("no certificate to extend".into()))?;
                    c.status = CertificateStatus::Extended { until };
                }
            }
            EventBody::TransitionalLimitPassed { .. } => self.limit_noticed = true,
            EventBody::CertificateExtensionEnded { on, .. } => {
                let c = self
                    .certificates
                    .last_mut()
                    .ok_or_else(|| inconsistent("no certificate whose extension ends".into()))?;
                c.status = if *on <= c.expires_on {
                    CertificateStatus::Active
                } else {
                    CertificateStatus::Expired
                };
            }
            EventBody::GuardFindings { .. } => {}
            EventBody::ContinuesUnderOldRules(c) => {
                self.finish_by = Some(c.finish_by);
                self.limit_noticed = false;
                self.continues_under_old_rules = true;
                if let Some(until) = c.certificate_extended_until {
                    let cert = self
                        .certificates
                        .last_mut()
                        .ok_or_else(|| inconsistent("no certificate to extend".into()))?;
                    cert.status = CertificateStatus::Extended { until };
                }
            }
        }
        self.version = e.seq;
        self.last_hash.clone_from(&e.hash);
        Ok(())
    }

    /// The case's id.
    pub fn id(&self) -> &CaseId {
        &self.id
    }

    /// The definition the case runs under (it changes when the case is migrated).
    pub fn definition(&self) -> &DefinitionId {
        &self.definition
    }

    /// The version of that definition.
    pub fn definition_version(&self) -> &str {
        &self.definition_version
    }

    /// The SHA-256 of the exact text of that definition, when the case's events pin it
    /// (cases opened or migrated by an ocop writing event format 2).
    pub fn definition_sha256(&self) -> Option<&str> {
        self.definition_sha256.as_deref()
    }

    /// The state the case is in.
    pub fn state(&self) -> &StateId {
        &self.state
    }

    /// The day the case entered its state (kept across internal transitions).
    pub fn entered_on(&self) -> Date {
        self.entered_on
    }

    /// The last day the case entered `state`, if it ever did.
    pub fn last_entry(&self, state: &StateId) -> Option<Date> {
        self.entries.get(state).copied()
    }

    /// The day the case was opened.
    pub fn opened_on(&self) -> Date {
        self.opened_on
    }

    /// The product.
    pub fn product(&self) -> &Product {
        &self.product
    }

    /// First, upgrade or re-evaluation.
    pub fn registration(&self) -> RegistrationType {
        self.registration
    }

    /// The dossier's documents.
    pub fn documents(&self) -> &[DossierDocument] {
        &self.documents
    }

    /// Facts recorded on the case.
    pub fn facts(&self) -> &BTreeMap<String, bool> {
        &self.facts
    }

    /// The council of stage `evaluation`, if it has been constituted or given sheets.
    pub fn council(&self, evaluation: &EvaluationId) -> Option<&Council> {
        self.councils.get(evaluation)
    }

    /// The result recorded for stage `evaluation`.
    pub fn result(&self, evaluation: &EvaluationId) -> Option<&CouncilResult> {
        self.results.get(evaluation)
    }

    /// The most recently recorded council result.
    pub fn latest_result(&self) -> Option<&CouncilResult> {
        self.latest_result
            .as_ref()
            .and_then(|e| self.results.get(e))
    }

    /// The current certificate (the last issued), if any.
    pub fn certificate(&self) -> Option<&Certificate> {
        self.certificates.last()
    }

    /// Every certificate the case has held, oldest first.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// The round the case is placed in.
    pub fn round(&self) -> Option<&RoundAssignment> {
        self.round.as_ref()
    }

    /// The revocation in progress or last opened.
    pub fn revocation(&self) -> Option<&Revocation> {
        self.revocation.as_ref()
    }

    /// Monitoring inspections, oldest first.
    pub fn inspections(&self) -> &[Inspection] {
        &self.inspections
    }

    /// Whether the case continues under the definition it was filed under (Art. 12.2),
    /// as a migration's `continue` rule decided.
    pub fn continues_under_old_rules(&self) -> bool {
        self.continues_under_old_rules
    }

    /// The transitional limit (Art. 12.2) set by a migration, if any.
    pub fn finish_by(&self) -> Option<Date> {
        self.finish_by
    }

    /// The number of events: the version a command must expect.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The hash of the last event (the `prev_hash` of the next).
    pub fn last_hash(&self) -> &str {
        if self.version == 0 {
            GENESIS_HASH
        } else {
            &self.last_hash
        }
    }

    /// The roles `actor` has acted in on this case.
    pub fn roles_of(&self, actor: &str) -> Option<&BTreeSet<RoleId>> {
        self.acted.get(actor)
    }

    /// The current certificate's effective last day: its expiry, or the end of an
    /// Art. 12.3 extension.
    pub fn certificate_valid_until(&self) -> Option<Date> {
        self.certificate().map(|c| match c.status {
            CertificateStatus::Extended { until } => until,
            _ => c.expires_on,
        })
    }

    /// Whether the current certificate is in its term on `today` (Art. 4.3): active or
    /// extended, and `today` on or before its `expires_on`. An Art. 12.3 extension keeps a
    /// certificate valid past its term, not in it.
    pub fn certificate_in_term(&self, today: Date) -> bool {
        self.certificate().is_some_and(|c| {
            matches!(
                c.status,
                CertificateStatus::Active | CertificateStatus::Extended { .. }
            ) && today <= c.expires_on
        })
    }

    /// Whether the current certificate is valid on `today`: active (or extended) and not
    /// past its effective last day.
    pub fn certificate_valid_on(&self, today: Date) -> bool {
        self.certificate().is_some_and(|c| match c.status {
            CertificateStatus::Active => today <= c.expires_on,
            CertificateStatus::Extended { until } => today <= until,
            _ => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::conformance::sample_events;

    #[test]
    fn histories_that_do_not_fold() {
        assert_eq!(Case::replay(&[]), Err(ReplayError::Empty));
        let events = sample_events(&CaseId::new("c"), 0, GENESIS_HASH, 2);
        assert!(matches!(
            Case::replay(&events),
            Err(ReplayError::NotOpened { .. })
        ));
    }
}
