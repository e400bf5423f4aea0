//! The rules behind `ocop_core::plugin::Scorer`, natively.

use ocop_core::{
    Label, ProductSet, Stars,
    domain::{AnswerSheet, PluginRef},
    plugin::{
        Branch, CriteriaSheet, Criterion, CriterionOption, Fact, Knockout, LineNote, Part,
        PluginError, PluginInfo, RawEvaluation, RawLine, Scored, Scorer, Section, StopRule,
    },
};

use crate::rules::{self, Centi, Note, Sheet};

/// The criteria-26-2026 rules as a native [`Scorer`]: the oracle the WebAssembly build is
/// tested against, and the benchmark baseline.
#[derive(Debug)]
pub struct NativeScorer {
    info: PluginInfo,
    catalogs: Vec<CriteriaSheet>,
}

impl Default for NativeScorer {
    fn default() -> Self {
        NativeScorer::new()
    }
}

fn label(vi: &str, en: &str) -> Label {
    Label::new(vi, en)
}

fn points(c: Centi) -> f64 {
    f64::from(c) / 100.0
}

/// The criteria sheet of a generated table, as the plugin publishes it.
pub(crate) fn catalog(sheet: &Sheet) -> Option<CriteriaSheet> {
    let part_code = |i: u8| {
        sheet
            .parts
            .get(usize::from(i))
            .map_or("?", |p| p.code)
            .to_owned()
    };
    Some(CriteriaSheet {
        format: ocop_core::domain::DOCUMENT_FORMAT,
        product_set: ProductSet::new(sheet.set)?,
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
                max: points(p.max),
            })
            .collect(),
        sections: sheet
            .sections
            .iter()
            .map(|s| Section {
                part: part_code(s.part),
                code: s.code.to_owned(),
                title: label(s.title_vi, s.title_en),
                max: points(s.max),
            })
            .collect(),
        criteria: sheet
            .criteria
            .iter()
            .map(|c| Criterion {
                id: c.id.into(),
                part: part_code(c.part),
                section: c.section.to_owned(),
                title: label(c.title_vi, c.title_en),
                max: points(c.max),
                branch: (c.branch != 0).then_some(c.branch),
                options: c
                    .options
                    .iter()
                    .map(|o| CriterionOption {
                        label: label(o.label_vi, o.label_en),
                        points: points(o.points),
                        min_stars: Stars::new(o.min_stars),
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
        facts: rules::facts(sheet)
            .into_iter()
            .map(|(id, vi, en)| Fact {
                id: id.to_owned(),
                label: label(vi, en),
            })
            .collect(),
    })
}

impl NativeScorer {
    /// The scorer, with the criteria sheets of all 26 product sets.
    pub fn new() -> Self {
        let catalogs = (1..=26u8)
            .filter_map(rules::sheet)
            .filter_map(catalog)
            .collect();
        NativeScorer {
            info: PluginInfo {
                name: rules::NAME.to_owned(),
                version: rules::VERSION.to_owned(),
                legal_basis: rules::LEGAL_BASIS.to_owned(),
                product_sets: ProductSet::all().collect(),
                checks: Vec::new(),
            },
            catalogs,
        }
    }

    fn rejected(code: &str, message: String, call: &str) -> PluginError {
        PluginError::Rejected {
            plugin: rules::NAME.to_owned(),
            call: call.to_owned(),
            code: code.to_owned(),
            message,
        }
    }

    fn catalog(&self, set: ProductSet) -> Option<&CriteriaSheet> {
        self.catalogs.get(usize::from(set.number()).checked_sub(1)?)
    }
}

/// The raw result of the rules, in the form every plugin returns across the boundary (what
/// `CriteriaSheet::check_output` checks).
pub fn raw_evaluation(outcome: rules::Outcome) -> RawEvaluation {
    RawEvaluation {
        lines: outcome
            .lines
            .into_iter()
            .map(|l| RawLine {
                option: l.option,
                points: l.points,
                note: match l.note {
                    Note::Scored => LineNote::Scored,
                    Note::BelowMinimum(s) => LineNote::BelowMinimum(s),
                    Note::OtherBranch => LineNote::OtherBranch,
                    Note::Stopped(id) => LineNote::Stopped(id.to_owned()),
                },
            })
            .collect(),
        parts: outcome.parts,
        total: outcome.total,
        band: outcome.band,
        cap: outcome.cap,
        knockouts: outcome.knockouts.iter().map(|k| (*k).to_owned()).collect(),
        stars: outcome.stars,
    }
}

impl Scorer for NativeScorer {
    fn info(&self) -> &PluginInfo {
        &self.info
    }

    fn plugin_ref(&self) -> PluginRef {
        PluginRef {
            name: rules::NAME.to_owned(),
            version: rules::VERSION.to_owned(),
            sha256: "native".to_owned(),
        }
    }

    fn criteria(&self, set: ProductSet) -> Result<CriteriaSheet, PluginError> {
        self.catalog(set).cloned().ok_or_else(|| {
            Self::rejected("unknown-set", format!("no sheet for set {set}"), "criteria")
        })
    }

    fn score(&self, sheet: &AnswerSheet) -> Result<Scored, PluginError> {
        let catalog = self.catalog(sheet.product_set).ok_or_else(|| {
            Self::rejected(
                "unknown-set",
                format!("no sheet for set {}", sheet.product_set),
                "score",
            )
        })?;
        let rules_sheet = rules::sheet(sheet.product_set.number()).ok_or_else(|| {
            Self::rejected(
                "unknown-set",
                format!("no sheet for set {}", sheet.product_set),
                "score",
            )
        })?;
        let input = catalog
            .prepare(sheet)
            .map_err(|e| Self::rejected(e.code, e.message, "score"))?;
        let branches: Vec<(&str, u8)> = input
            .branches
            .iter()
            .map(|(s, b)| (s.as_str(), *b))
            .collect();
        let outcome = rules::score(rules_sheet, &branches, &input.answers, &|f| input.holds(f))
            .map_err(|e| Self::rejected(e.code, e.message, "score"))?;
        let evaluation = catalog
            .check_output(&input, &raw_evaluation(outcome))
            .map_err(|e| PluginError::BadOutput {
                plugin: rules::NAME.to_owned(),
                call: "score".to_owned(),
                reason: e.to_string(),
            })?;
        Ok(Scored {
            evaluation,
            plugin: self.plugin_ref(),
            fuel_used: None,
        })
    }
}
