//! Components built against `ocop:plugin@0.1.0`, adapted to 0.2.0 so that the rest of the
//! host sees one version. What 0.1.0 lacks is filled in or refused here:
//! - a criteria sheet lists no facts: the host derives them from its knock-outs and stop
//!   rules (`CriteriaSheet::facts`), as 0.1.0 documented;
//! - an answer sheet has one case for the whole sheet: when the sections chose different
//!   cases, the host refuses the sheet on the plugin's behalf (`branches-differ`);
//! - a panic's message does not reach the host: the trap says how to get it (rebuild).

use crate::bindings::v1::types as old;
use crate::bindings::v2::types as new;

fn label(l: old::Label) -> new::Label {
    new::Label { vi: l.vi, en: l.en }
}

pub(crate) fn info(i: old::PluginInfo) -> new::PluginInfo {
    new::PluginInfo {
        name: i.name,
        version: i.version,
        legal_basis: i.legal_basis,
        product_sets: i.product_sets,
        checks: i.checks,
    }
}

pub(crate) fn error(e: old::PluginError) -> new::PluginError {
    new::PluginError {
        code: e.code,
        message: e.message,
    }
}

pub(crate) fn criteria_sheet(s: old::CriteriaSheet) -> new::CriteriaSheet {
    new::CriteriaSheet {
        product_set: s.product_set,
        title: label(s.title),
        legal_basis: s.legal_basis,
        knockouts: s
            .knockouts
            .into_iter()
            .map(|k| new::Knockout {
                id: k.id,
                label: label(k.label),
                fact: k.fact,
            })
            .collect(),
        parts: s
            .parts
            .into_iter()
            .map(|p| new::Part {
                code: p.code,
                title: label(p.title),
                max: p.max,
            })
            .collect(),
        sections: s
            .sections
            .into_iter()
            .map(|x| new::Section {
                part: x.part,
                code: x.code,
                title: label(x.title),
                max: x.max,
            })
            .collect(),
        criteria: s
            .criteria
            .into_iter()
            .map(|c| new::Criterion {
                id: c.id,
                part: c.part,
                section: c.section,
                title: label(c.title),
                max: c.max,
                branch: c.branch,
                options: c
                    .options
                    .into_iter()
                    .map(|o| new::CriterionOption {
                        label: label(o.label),
                        points: o.points,
                        min_stars: o.min_stars,
                    })
                    .collect(),
                stop: c.stop.map(|r| new::StopRule {
                    id: r.id,
                    fact: r.fact,
                    zero_in_section: r.zero_in_section,
                    label: label(r.label),
                }),
            })
            .collect(),
        branches: s
            .branches
            .into_iter()
            .map(|b| new::Branch {
                number: b.number,
                label: label(b.label),
            })
            .collect(),
        facts: Vec::new(),
    }
}

/// The 0.1.0 answer sheet: one case for the whole sheet.
///
/// # Errors
/// The refusal, when the sections chose different cases.
pub(crate) fn answer_sheet(s: &new::AnswerSheet) -> Result<old::AnswerSheet, new::PluginError> {
    let first = s.branches.first().map(|b| b.branch);
    if s.branches.iter().any(|b| Some(b.branch) != first) {
        return Err(new::PluginError {
            code: "branches-differ".into(),
            message: format!(
                "this plugin implements ocop:plugin@0.1.0, which takes one case for the whole sheet, but the sections chose {}: choose the same case everywhere, or use a build of the plugin for ocop:plugin@0.2.0",
                s.branches
                    .iter()
                    .map(|b| format!("case {} in section {}", b.branch, b.section))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    Ok(old::AnswerSheet {
        product_set: s.product_set,
        branch: first,
        answers: s.answers.clone(),
        facts: s.facts.clone(),
    })
}

pub(crate) fn evaluation(e: old::Evaluation) -> new::Evaluation {
    new::Evaluation {
        lines: e
            .lines
            .into_iter()
            .map(|l| new::Line {
                chosen: l.chosen,
                points: l.points,
                note: match l.note {
                    old::LineNote::Scored => new::LineNote::Scored,
                    old::LineNote::BelowMinimum(s) => new::LineNote::BelowMinimum(s),
                    old::LineNote::OtherBranch => new::LineNote::OtherBranch,
                    old::LineNote::Stopped(id) => new::LineNote::Stopped(id),
                },
            })
            .collect(),
        part_a: e.part_a,
        part_b: e.part_b,
        part_c: e.part_c,
        total: e.total,
        band: e.band,
        cap: e.cap,
        knockouts: e.knockouts,
        stars: e.stars,
    }
}

pub(crate) fn case_view(v: &new::CaseView) -> old::CaseView {
    old::CaseView {
        case_id: v.case_id.clone(),
        definition: v.definition.clone(),
        state: v.state.clone(),
        transition: v.transition.clone(),
        product_set: v.product_set,
        registration: match v.registration {
            new::Registration::First => old::Registration::First,
            new::Registration::Upgrade => old::Registration::Upgrade,
            new::Registration::ReEvaluation => old::Registration::ReEvaluation,
        },
        producer_name: v.producer_name.clone(),
        commune: v.commune.clone(),
        district: v.district.clone(),
        documents: v
            .documents
            .iter()
            .map(|d| old::Document {
                kind: d.kind.clone(),
                present: d.present,
                valid_until: d.valid_until.clone(),
            })
            .collect(),
        facts: v.facts.clone(),
        total: v.total,
        stars: v.stars,
        config: v.config.clone(),
    }
}

pub(crate) fn finding(f: old::Finding) -> new::Finding {
    new::Finding {
        blocking: f.blocking,
        code: f.code,
        message: label(f.message),
    }
}
