//! Opening a case, taking a transition, and who may act on a case.

use ocop_core::cycle::{Effect, Guard, Transition};
use ocop_core::{
    Date,
    ids::{RoleId, TransitionId},
};

use super::{Engine, Refused, Tx, quoted};
use crate::case::Case;
use crate::clock::Timestamp;
use crate::command::{CommandError, OpenCase};
use crate::event::{
    Actor, CaseId, EVENT_FORMAT, Event, EventBody, GENESIS_HASH, Opened, Timeout, TransitionInput,
    Transitioned,
};

impl Engine {
    pub(super) fn open(
        &self,
        id: &CaseId,
        actor: &Actor,
        open: &OpenCase,
        at: Timestamp,
    ) -> Result<Event, CommandError> {
        let def = self.cycle.definition();
        let today = at.vn_date();
        if actor.role.as_str() == ocop_core::definition::SYSTEM_ROLE {
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
        if let Some(until) = def.intake_until.or(def.in_force_until)
            && today > until
        {
            return Err(CommandError::IntakeClosed {
                definition: def.id.to_string(),
                until,
                today,
                basis: def
                    .validity_basis
                    .clone()
                    .unwrap_or_else(|| "its validity period".into()),
            });
        }
        if open.product.name.trim().is_empty() {
            return Err(CommandError::InvalidInput("the product has no name".into()));
        }
        Ok(Event {
            format: EVENT_FORMAT,
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
                definition_sha256: Some(self.cycle.sha256().to_owned()),
            }),
            prev_hash: GENESIS_HASH.to_owned(),
            hash: String::new(),
        }
        .seal()?)
    }

    /// Whether `actor` may file documents: the producer, or the owner of the case's state.
    pub(super) fn may_file(&self, case: &Case, actor: &Actor) -> Result<(), CommandError> {
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
    pub(super) fn separation(&self, case: &Case, actor: &Actor) -> Result<(), CommandError> {
        let Some(held) = case.acted.get(&actor.id) else {
            return Ok(());
        };
        for rule in self.cycle.separation() {
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

    /// Whether `actor` has acted for the producer on the case.
    pub(super) fn is_producer_actor(&self, case: &Case, actor: &str) -> bool {
        case.acted
            .get(actor)
            .is_some_and(|roles| roles.iter().any(|r| self.producer_roles.contains(r)))
    }

    fn leaving(&self, case: &Case) -> String {
        quoted(
            self.cycle
                .outgoing(&case.state)
                .into_iter()
                .map(|t| t.id.as_str()),
        )
    }

    pub(super) fn take(
        &self,
        tx: &mut Tx<'_>,
        id: &TransitionId,
        input: &TransitionInput,
        timeout: Option<Timeout>,
        today: Date,
    ) -> Result<(), Refused> {
        let Some(t) = self.cycle.transition(id) else {
            return Err(CommandError::UnknownTransition {
                transition: id.to_string(),
                definition: self.cycle.definition().id.to_string(),
                hint: format!(
                    "; from `{}` the case can take {}",
                    tx.case.state,
                    self.leaving(tx.case)
                ),
            }
            .into());
        };
        if !t.leaves(&tx.case.state) {
            return Err(CommandError::NotFromState {
                transition: id.to_string(),
                state: tx.case.state.to_string(),
                available: self.leaving(tx.case),
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
        let mut warnings = Vec::new();
        for g in &t.guards {
            if let Some(w) = self.check_guard(tx.case, t, g, input, today)? {
                warnings.push(w);
            }
        }
        check_effect_inputs(tx.case, t, input)?;
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
        for w in warnings {
            tx.push(w, t.to.clone())?;
        }
        for e in &t.effects {
            self.effect(tx, t, e, input, today)?;
        }
        Ok(())
    }
}

/// Refuses a transition whose effects need input the command lacks, before anything is
/// changed.
fn check_effect_inputs(
    case: &Case,
    t: &Transition,
    input: &TransitionInput,
) -> Result<(), CommandError> {
    for e in &t.effects {
        let missing = match e {
            Effect::RecordInspection { .. } if input.inspection.is_none() => {
                Some("record an inspection: give its outcome (`compliant` or `non_compliant`)")
            }
            Effect::RevokeCertificate
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

/// The part of a command's input the transition uses: a revocation ground only where the
/// transition opens or decides a revocation, and the conclusion date (default: today) where
/// it opens one, an inspection outcome only where it records one, a certificate number and
/// product code only where it issues one. The event records this part, so stray input
/// cannot open a revocation by accident.
fn used_input(t: &Transition, input: &TransitionInput, today: Date) -> TransitionInput {
    let opens_revocation = t
        .guards
        .iter()
        .any(|g| matches!(g, Guard::RevocationGround));
    let revokes = t
        .effects
        .iter()
        .any(|e| matches!(e, Effect::RevokeCertificate));
    let inspects = t
        .effects
        .iter()
        .any(|e| matches!(e, Effect::RecordInspection { .. }));
    let issues = t.issues_certificate();
    TransitionInput {
        ground: input.ground.filter(|_| opens_revocation || revokes),
        conclusion: opens_revocation.then(|| input.conclusion.unwrap_or(today)),
        inspection: input.inspection.filter(|_| inspects),
        certificate_number: input.certificate_number.clone().filter(|_| issues),
        product_code: input.product_code.clone().filter(|_| issues),
        note: input.note.clone(),
    }
}
