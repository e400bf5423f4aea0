//! A council sitting: naming its members and receiving their scored sheets.

use std::collections::BTreeSet;

use ocop_core::cycle::Evaluation;
use ocop_core::{
    domain::AnswerSheet,
    ids::{EvaluationId, RoleId},
};

use super::{Engine, Refused, Tx, quoted};
use crate::case::Case;
use crate::command::CommandError;
use crate::event::{CouncilMember, EventBody, MemberSheet, SheetResult, SheetScore};

impl Engine {
    pub(super) fn constitute(
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
    ) -> Result<&Evaluation, CommandError> {
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

    pub(super) fn submit(
        &self,
        tx: &mut Tx<'_>,
        evaluation: &EvaluationId,
        sheet: &AnswerSheet,
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
        let plugin = &stage.plugin;
        let scorer = self
            .scorers
            .get(plugin)
            .ok_or_else(|| CommandError::PluginNotRegistered {
                plugin: plugin.to_string(),
                kind: "scorer",
            })?;
        let mut sheet = sheet.clone();
        sheet.evaluator = Some(actor.id.clone());
        let scored = scorer.score(&sheet).map_err(CommandError::from)?;
        let total = scored.evaluation.total;
        if !(0.0..=100.0).contains(&total) || scored.evaluation.product_set != sheet.product_set {
            return Err(
                CommandError::Plugin(ocop_core::plugin::PluginError::BadOutput {
                    plugin: plugin.to_string(),
                    call: "score".into(),
                    reason: format!(
                        "total {total} for product set {} (expected 0 to 100 for set {})",
                        scored.evaluation.product_set.number(),
                        sheet.product_set.number()
                    ),
                })
                .into(),
            );
        }
        let here = tx.here();
        tx.push(
            EventBody::SheetSubmitted(MemberSheet {
                evaluation: evaluation.clone(),
                member: actor.id.clone(),
                chair,
                sheet,
                // The totals and the plugin's identity; the explanation of each line is
                // recomputed from the pinned plugin when asked for (`MemberSheet::rescore`).
                score: SheetScore::Result(SheetResult::of(&scored)),
            }),
            here,
        )
    }
}
