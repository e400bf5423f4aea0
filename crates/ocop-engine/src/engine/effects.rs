//! The built-in effects: one exhaustive `match` over [`Effect`].

use ocop_core::cycle::{Effect, Transition};
use ocop_core::{
    Date,
    domain::{Certificate, CertificateStatus},
};

use super::{Engine, Refused, Tx};
use crate::command::CommandError;
use crate::council;
use crate::event::{EventBody, Inspection, TransitionInput};

impl Engine {
    pub(super) fn effect(
        &self,
        tx: &mut Tx<'_>,
        t: &Transition,
        e: &Effect,
        input: &TransitionInput,
        today: Date,
    ) -> Result<(), Refused> {
        let to = t.to.clone();
        let failed = |effect: &str, reason: String| {
            Refused::dirty(CommandError::Effect {
                transition: t.id.to_string(),
                effect: effect.to_owned(),
                reason,
            })
        };
        // The number of the certificate the case holds, for an effect that needs one.
        let held = |tx: &Tx<'_>, effect: &str| {
            tx.case
                .certificate()
                .map(|c| c.number.clone())
                .ok_or_else(|| failed(effect, "the case holds no certificate".into()))
        };
        match e {
            Effect::RecordEvaluation { evaluation } => {
                let stage = self.cycle.evaluation(evaluation).ok_or_else(|| {
                    failed(
                        "record the evaluation",
                        format!("stage `{evaluation}` is not defined"),
                    )
                })?;
                let result = tx
                    .case
                    .councils
                    .get(evaluation)
                    .and_then(|c| council::aggregate(stage, c))
                    .ok_or_else(|| {
                        failed("record the evaluation", "no sheets were submitted".into())
                    })?;
                tx.push(EventBody::EvaluationRecorded(result), to)
            }
            Effect::ResetEvaluation { evaluation } => {
                let discarded = tx
                    .case
                    .councils
                    .get(evaluation)
                    .map(|c| c.sheets().map(|s| s.member.clone()).collect())
                    .unwrap_or_default();
                tx.push(
                    EventBody::EvaluationReset {
                        evaluation: evaluation.clone(),
                        discarded,
                        reason: format!("re-scoring ordered by `{}`", t.id),
                    },
                    to,
                )
            }
            Effect::AssignRound { level } => {
                let round = self.next_round(*level, today).ok_or_else(|| {
                    failed(
                        "assign a round",
                        format!(
                            "the definition has no round at level `{}`",
                            level.label(ocop_core::Lang::En)
                        ),
                    )
                })?;
                tx.push(EventBody::RoundAssigned(round), to)
            }
            Effect::IssueCertificate {
                months,
                level,
                max_stars,
            } => {
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
                let stars = max_stars.map_or(stars, |max| stars.min(max));
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
                    issued_by: *level,
                    issued_on: today,
                    expires_on: today.add_months(i32::try_from(*months).unwrap_or(i32::MAX)),
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
            Effect::RevokeCertificate => {
                let number = held(tx, "revoke the certificate")?;
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
            Effect::ExpireCertificate => {
                let number = held(tx, "expire the certificate")?;
                tx.push(EventBody::CertificateExpired { number }, to)
            }
            Effect::ExtendCertificate { max_days } => {
                let c = tx.case.certificate().ok_or_else(|| {
                    failed(
                        "extend the certificate",
                        "the case holds no certificate".into(),
                    )
                })?;
                if matches!(
                    c.status,
                    CertificateStatus::Revoked { .. } | CertificateStatus::Superseded
                ) {
                    return Err(failed(
                        "extend the certificate",
                        format!("certificate `{}` is revoked or superseded", c.number),
                    ));
                }
                // The 180th day after expiry, rolled off a day off (Civil Code Art. 148(5)).
                let until = self
                    .calendar()
                    .roll_forward(c.expires_on.add_days(i64::from(*max_days)))
                    .map_err(|e| failed("extend the certificate", e.to_string()))?;
                let body = EventBody::CertificateExtended {
                    number: c.number.clone(),
                    until,
                };
                tx.push(body, to)
            }
            Effect::EndExtension => {
                let Some(c) = tx.case.certificate() else {
                    return Ok(());
                };
                let number = c.number.clone();
                match c.status {
                    CertificateStatus::Extended { .. } => tx.push(
                        EventBody::CertificateExtensionEnded { number, on: today },
                        to,
                    ),
                    CertificateStatus::Active if today > c.expires_on => {
                        tx.push(EventBody::CertificateExpired { number }, to)
                    }
                    _ => Ok(()),
                }
            }
            Effect::RecordInspection { kind } => {
                let outcome = input.inspection.ok_or_else(|| {
                    failed("record the inspection", "no outcome was given".into())
                })?;
                tx.push(
                    EventBody::InspectionRecorded(Inspection {
                        kind: kind.as_str().to_owned(),
                        outcome,
                        on: today,
                        note: input.note.clone(),
                    }),
                    to,
                )
            }
            Effect::SetRegistration { registration } => tx.push(
                EventBody::RegistrationChanged {
                    registration: *registration,
                },
                to,
            ),
            Effect::Notify { role } => tx.push(EventBody::Notified { role: role.clone() }, to),
        }
    }
}
