//! The built-in guards: one exhaustive `match` over [`Guard`].

use ocop_core::cycle::{Guard, OnFinding, Transition};
use ocop_core::{
    Date, Stars,
    domain::CertificateStatus,
    ids::{EvaluationId, PluginId},
    plugin::CaseView,
};

use super::{Engine, quoted};
use crate::case::Case;
use crate::command::CommandError;
use crate::council;
use crate::event::{CouncilResult, EventBody, TransitionInput};

/// The council result a guard reads: `evaluation`'s, or the case's latest.
fn result_for<'c>(
    case: &'c Case,
    evaluation: Option<&EvaluationId>,
) -> Result<&'c CouncilResult, String> {
    match evaluation {
        Some(stage) => case
            .results
            .get(stage)
            .ok_or_else(|| format!("the council of `{stage}` has recorded no result")),
        None => case
            .latest_result()
            .ok_or_else(|| "no council result has been recorded".to_owned()),
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

fn rank(stars: Option<Stars>) -> String {
    stars.map_or_else(|| "no stars (knocked out)".to_owned(), |s| format!("{s}"))
}

impl Engine {
    /// Whether `g` holds for `case` on `today`; the error says why not
    /// ([`CommandError::GuardFailed`]), or that it cannot be checked (a plugin failed). A
    /// plugin guard whose findings only warn returns them, to be recorded with the
    /// transition.
    pub(super) fn check_guard(
        &self,
        case: &Case,
        t: &Transition,
        g: &Guard,
        input: &TransitionInput,
        today: Date,
    ) -> Result<Option<EventBody>, CommandError> {
        let failed = |reason: String| CommandError::GuardFailed {
            transition: t.id.to_string(),
            guard: g.name().to_owned(),
            reason,
        };
        let mut warned = None;
        let holds = |ok: bool, reason: &dyn Fn() -> String| {
            if ok { Ok(()) } else { Err(reason()) }
        };
        let verdict = match g {
            Guard::DossierComplete => {
                let missing: Vec<&str> = case
                    .documents
                    .iter()
                    .filter(|d| !d.present)
                    .map(|d| d.kind.as_str())
                    .collect();
                if case.documents.is_empty() {
                    Err("the dossier holds no documents".into())
                } else {
                    holds(missing.is_empty(), &|| {
                        format!("the dossier lacks {}", quoted(missing.iter().copied()))
                    })
                }
            }
            Guard::HasDocument { kind } => holds(
                case.documents.iter().any(|d| d.kind == *kind && d.present),
                &|| format!("the dossier lacks `{kind}`"),
            ),
            Guard::Registration { registration } => {
                holds(case.registration == *registration, &|| {
                    format!(
                        "the case is registered for `{}`, not `{}`",
                        registration_name(case.registration),
                        registration_name(*registration)
                    )
                })
            }
            Guard::CouncilComplete { evaluation } | Guard::SpreadExceeded { evaluation } => {
                let Some(stage) = self.cycle.evaluation(evaluation) else {
                    return Err(failed(format!(
                        "evaluation stage `{evaluation}` is not defined"
                    )));
                };
                let status = council::status(stage, case.councils.get(evaluation));
                if matches!(g, Guard::CouncilComplete { .. }) {
                    match status.incomplete_reason(&stage.council) {
                        None => Ok(()),
                        Some(r) => Err(r),
                    }
                } else if !status.quorum_met() {
                    Err(status
                        .incomplete_reason(&stage.council)
                        .unwrap_or_else(|| "the quorum is not met".into()))
                } else if !status.spread_ok(&stage.council) {
                    Ok(())
                } else {
                    Err(match stage.council.max_spread {
                        Some(max) => format!(
                            "members' totals differ by {:.2} points, within the {max} allowed",
                            status.spread
                        ),
                        None => "the stage sets no limit on the spread".into(),
                    })
                }
            }
            Guard::MinScore { min, evaluation } => match result_for(case, evaluation.as_ref()) {
                Err(e) => Err(e),
                Ok(r) => holds(r.total >= *min, &|| {
                    format!("the council's total {} is below {min}", r.total)
                }),
            },
            Guard::MaxScore { below, evaluation } => match result_for(case, evaluation.as_ref()) {
                Err(e) => Err(e),
                Ok(r) => holds(r.total < *below, &|| {
                    format!("the council's total {} is not below {below}", r.total)
                }),
            },
            Guard::MinStars { stars, evaluation } => match result_for(case, evaluation.as_ref()) {
                Err(e) => Err(e),
                // A knocked-out product has no stars: `min_stars` fails.
                Ok(r) => holds(r.stars.is_some_and(|s| s >= *stars), &|| {
                    format!(
                        "the evaluated rank is {}, not at least {stars}",
                        rank(r.stars)
                    )
                }),
            },
            Guard::MaxStars { stars, evaluation } => match result_for(case, evaluation.as_ref()) {
                Err(e) => Err(e),
                // A knocked-out product has no stars: `max_stars` holds.
                Ok(r) => holds(r.stars.is_none_or(|s| s <= *stars), &|| {
                    format!(
                        "the evaluated rank is {}, not at most {stars}",
                        rank(r.stars)
                    )
                }),
            },
            Guard::KnockedOut { evaluation } => match result_for(case, evaluation.as_ref()) {
                Err(e) => Err(e),
                Ok(r) => holds(!r.knockouts.is_empty(), &|| {
                    "no knock-out rule applies".into()
                }),
            },
            Guard::NotKnockedOut { evaluation } => match result_for(case, evaluation.as_ref()) {
                Err(e) => Err(e),
                Ok(r) => holds(r.knockouts.is_empty(), &|| {
                    format!(
                        "the dossier is knocked out ({})",
                        quoted(r.knockouts.iter().map(String::as_str))
                    )
                }),
            },
            Guard::CertificateActive => holds(case.certificate_valid_on(today), &|| match case
                .certificate()
            {
                None => "the case holds no certificate".into(),
                Some(c) => format!(
                    "certificate `{}` is not valid on {today} ({})",
                    c.number,
                    status_word(&c.status)
                ),
            }),
            Guard::CertificateStars { min, max } => match case.certificate() {
                None => Err("the case holds no certificate".into()),
                Some(c) => holds(
                    min.is_none_or(|m| c.stars >= m) && max.is_none_or(|m| c.stars <= m),
                    &|| {
                        format!(
                            "certificate `{}` is {}, outside {}-{}★",
                            c.number,
                            c.stars,
                            min.map_or(1, Stars::get),
                            max.map_or(5, Stars::get)
                        )
                    },
                ),
            },
            Guard::FilingWindow {
                opens_days_before,
                closes_days_before,
            } => match case.certificate() {
                None => Err("the case holds no certificate".into()),
                Some(c) => {
                    let opens = i64::from(*opens_days_before);
                    let closes = i64::from(*closes_days_before);
                    let left = today.days_until(c.expires_on);
                    holds((closes..=opens).contains(&left), &|| {
                        format!(
                            "certificate `{}` expires on {}, {left} days from {today}; filing is open from {opens} to {closes} days before expiry ({} to {})",
                            c.number,
                            c.expires_on,
                            c.expires_on.add_days(-opens),
                            c.expires_on.add_days(-closes)
                        )
                    })
                }
            },
            Guard::AfterExpiry { max_days } => match case.certificate() {
                None => Err("the case holds no certificate".into()),
                Some(c) => {
                    let max = i64::from(*max_days);
                    let past = c.expires_on.days_until(today);
                    holds((1..=max).contains(&past), &|| {
                        format!(
                            "certificate `{}` expires on {}; this needs a day 1 to {max} days after it",
                            c.number, c.expires_on
                        )
                    })
                }
            },
            Guard::CertificateInTerm | Guard::CertificatePastTerm => {
                let in_term = case.certificate_in_term(today);
                let want = matches!(g, Guard::CertificateInTerm);
                holds(in_term == want, &|| match case.certificate() {
                    None => "the case holds no certificate".into(),
                    Some(c) if want => format!(
                        "certificate `{}` is not in its term on {today} ({}, expiry {})",
                        c.number,
                        status_word(&c.status),
                        c.expires_on
                    ),
                    Some(c) => format!(
                        "certificate `{}` is still in its term on {today} (expiry {})",
                        c.number, c.expires_on
                    ),
                })
            }
            Guard::LateFilingWindow {
                closes_days_before,
                max_days_after_expiry,
            } => match case.certificate() {
                None => Err("the case holds no certificate".into()),
                Some(c)
                    if matches!(
                        c.status,
                        CertificateStatus::Revoked { .. } | CertificateStatus::Superseded
                    ) =>
                {
                    Err(format!(
                        "certificate `{}` is {}: Art. 12.3 keeps only an expiring certificate alive",
                        c.number,
                        status_word(&c.status)
                    ))
                }
                Some(c) => {
                    let last = c.expires_on.add_days(i64::from(*max_days_after_expiry));
                    let last = self.calendar().roll_forward(last)?;
                    let closes = i64::from(*closes_days_before);
                    let left = today.days_until(c.expires_on);
                    holds(left < closes && today <= last, &|| {
                        format!(
                            "certificate `{}` expires on {}: a late filing (Art. 12.3) is open from {} to {last}, not on {today}",
                            c.number,
                            c.expires_on,
                            c.expires_on.add_days(1 - closes)
                        )
                    })
                }
            },
            Guard::RevocationGround => holds(input.ground.is_some(), &|| {
                "name one of the six grounds of Art. 8.1 (`ground`)".into()
            }),
            Guard::Plugin {
                plugin,
                check,
                on_finding,
            } => {
                let Some(gp) = self.guards.get(plugin) else {
                    return Err(CommandError::PluginNotRegistered {
                        plugin: plugin.to_string(),
                        kind: "guard_plugin",
                    });
                };
                let findings = gp.check(&self.view(case, t, plugin), check)?;
                if *on_finding == OnFinding::Warn && !findings.is_empty() {
                    warned = Some(EventBody::GuardFindings {
                        plugin: plugin.clone(),
                        check: check.clone(),
                        findings: findings.clone(),
                    });
                }
                let blocking: Vec<String> = findings
                    .iter()
                    .filter(|f| f.blocking)
                    .map(|f| format!("{} [{}]", f.message.en, f.code))
                    .collect();
                // With `on_finding = "warn"` the findings are recorded by the transition
                // (`guard_findings`), never blocking it.
                holds(
                    blocking.is_empty() || *on_finding == OnFinding::Warn,
                    &|| format!("plugin `{plugin}` check `{check}`: {}", blocking.join("; ")),
                )
            }
        };
        verdict.map_err(failed)?;
        Ok(warned)
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
}

fn registration_name(r: ocop_core::domain::RegistrationType) -> &'static str {
    match r {
        ocop_core::domain::RegistrationType::First => "first",
        ocop_core::domain::RegistrationType::Upgrade => "upgrade",
        ocop_core::domain::RegistrationType::ReEvaluation => "re_evaluation",
    }
}
