//! The WebAssembly component's exports (`ocop:plugin/scoring@0.1.0`), frozen: the guest of
//! `plugins/criteria-26-2026` as it was before 0.2.0, with its own bindings of the frozen WIT
//! instead of the SDK's.
#![allow(
    unsafe_code,
    missing_docs,
    unreachable_pub,
    clippy::all,
    reason = "wit-bindgen generates the canonical-ABI glue"
)]

wit_bindgen::generate!({
    path: "../../../../../plugins/wit/0.1.0",
    world: "ocop:plugin/scoring@0.1.0",
});

// The world's own types (`PluginInfo`, `CriteriaSheet`, ...) are generated at the root.
use ocop::plugin::types::{
    Branch, Criterion, CriterionOption, Knockout, Label, Line, LineNote, Part, Section, StopRule,
};

use ocop_criteria_26_2026::{self as rules, Note};

struct Criteria2026;

fn label(vi: &str, en: &str) -> Label {
    Label {
        vi: vi.to_owned(),
        en: en.to_owned(),
    }
}

fn error(code: &str, message: String) -> PluginError {
    PluginError {
        code: code.to_owned(),
        message,
    }
}

fn part_code(sheet: &rules::Sheet, i: u8) -> String {
    sheet
        .parts
        .get(usize::from(i))
        .map_or("?", |p| p.code)
        .to_owned()
}

impl Guest for Criteria2026 {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: rules::NAME.to_owned(),
            version: rules::VERSION.to_owned(),
            legal_basis: rules::LEGAL_BASIS.to_owned(),
            product_sets: (1..=26).collect(),
            checks: Vec::new(),
        }
    }

    fn criteria(product_set: u8) -> Result<CriteriaSheet, PluginError> {
        let sheet = rules::sheet(product_set)
            .ok_or_else(|| error("unknown-set", format!("no sheet for set {product_set}")))?;
        Ok(CriteriaSheet {
            product_set,
            title: label(sheet.title_vi, sheet.title_en),
            legal_basis: rules::LEGAL_BASIS.to_owned(),
            knockouts: sheet
                .knockouts
                .iter()
                .map(|k| Knockout {
                    id: k.id.to_owned(),
                    label: label(k.label_vi, k.label_en),
                    fact: k.fact.to_owned(),
                })
                .collect(),
            parts: sheet
                .parts
                .iter()
                .map(|p| Part {
                    code: p.code.to_owned(),
                    title: label(p.title_vi, p.title_en),
                    max: p.max,
                })
                .collect(),
            sections: sheet
                .sections
                .iter()
                .map(|s| Section {
                    part: part_code(sheet, s.part),
                    code: s.code.to_owned(),
                    title: label(s.title_vi, s.title_en),
                    max: s.max,
                })
                .collect(),
            criteria: sheet
                .criteria
                .iter()
                .map(|c| Criterion {
                    id: c.id.to_owned(),
                    part: part_code(sheet, c.part),
                    section: c.section.to_owned(),
                    title: label(c.title_vi, c.title_en),
                    max: c.max,
                    branch: (c.branch != 0).then_some(c.branch),
                    options: c
                        .options
                        .iter()
                        .map(|o| CriterionOption {
                            label: label(o.label_vi, o.label_en),
                            points: o.points,
                            min_stars: (o.min_stars != 0).then_some(o.min_stars),
                        })
                        .collect(),
                    stop: c.stop.as_ref().map(|s| StopRule {
                        id: s.id.to_owned(),
                        fact: s.fact.map(str::to_owned),
                        zero_in_section: s.zero_in_section,
                        label: label(s.label_vi, s.label_en),
                    }),
                })
                .collect(),
            branches: sheet
                .branches
                .iter()
                .map(|b| Branch {
                    number: b.number,
                    label: label(b.label_vi, b.label_en),
                })
                .collect(),
        })
    }

    fn score(sheet: AnswerSheet) -> Result<Evaluation, PluginError> {
        let rules_sheet = rules::sheet(sheet.product_set).ok_or_else(|| {
            error(
                "unknown-set",
                format!("no sheet for set {}", sheet.product_set),
            )
        })?;
        let holds = |fact: &str| sheet.facts.iter().any(|f| f == fact);
        // 0.1.0 has one case for the whole sheet; today's rules take one per section.
        let branches: Vec<(&str, u8)> = match sheet.branch {
            Some(b) => rules::alternatives(rules_sheet)
                .iter()
                .map(|(section, _)| (*section, b))
                .collect(),
            None => Vec::new(),
        };
        let outcome = rules::score(rules_sheet, &branches, &sheet.answers, &holds)
            .map_err(|e| error(e.code, e.message))?;
        let [part_a, part_b, part_c] = outcome.parts;
        Ok(Evaluation {
            lines: outcome
                .lines
                .into_iter()
                .map(|l| Line {
                    chosen: l.option,
                    points: l.points,
                    note: match l.note {
                        Note::Scored => LineNote::Scored,
                        Note::BelowMinimum(s) => LineNote::BelowMinimum(s),
                        Note::OtherBranch => LineNote::OtherBranch,
                        Note::Stopped(id) => LineNote::Stopped(id.to_owned()),
                    },
                })
                .collect(),
            part_a,
            part_b,
            part_c,
            total: outcome.total,
            band: outcome.band,
            cap: outcome.cap,
            knockouts: outcome.knockouts.iter().map(|k| (*k).to_owned()).collect(),
            stars: outcome.stars,
        })
    }
}

export!(Criteria2026);
