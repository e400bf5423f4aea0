//! The boundary between the engine and plugins: the criteria sheet a scoring plugin
//! publishes, the traits the engine calls, and the typed errors a plugin call can end in.
//!
//! The engine only ever sees these traits. The WebAssembly host implements them for
//! sandboxed components; a rules crate compiled natively implements them too, which is how
//! the engine's tests run without wasmtime and how benchmarks get a native baseline.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::catalog::ProductSet;
use crate::domain::{
    AnswerSheet, DossierDocument, Evaluation, PluginRef, Producer, RegistrationType, Stars,
};
use crate::i18n::Label;
use crate::ids::{CriterionId, StateId, TransitionId};

/// What a plugin says about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PluginInfo {
    /// The plugin's name, e.g. `criteria-26-2026`.
    pub name: String,
    /// The plugin's version.
    pub version: String,
    /// The legal text its rules come from.
    pub legal_basis: String,
    /// The product sets it can score (empty for guard plugins).
    #[serde(default)]
    pub product_sets: Vec<ProductSet>,
    /// The checks it offers (guard plugins; empty for scoring plugins).
    #[serde(default)]
    pub checks: Vec<String>,
}

/// One option of a criterion ("□ ..." with its points).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionOption {
    /// The option's text.
    pub label: Label,
    /// Points it earns.
    pub points: f64,
    /// Set when the option is marked `***`, `****` or `*****`: the least a product must reach
    /// on this criterion to be ranked that many stars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_stars: Option<Stars>,
}

/// One criterion of a sheet, in catalog order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Its number as printed, e.g. `1.1`.
    pub id: CriterionId,
    /// The part it belongs to: `A`, `B` or `C`.
    pub part: String,
    /// The section it belongs to, e.g. `1`.
    pub section: String,
    /// The criterion's title.
    pub title: Label,
    /// The most points it can earn.
    pub max: f64,
    /// For sheets with alternative branches (set 26): the branch it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<u8>,
    /// The options, in printed order; an answer sheet picks one by its 0-based index.
    pub options: Vec<CriterionOption>,
    /// A stop rule printed under the criterion ("không đánh giá các bước tiếp theo").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<StopRule>,
}

/// A stop rule: when it fires after its criterion, every later criterion of the same part
/// is not assessed and scores 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StopRule {
    /// Stable id, e.g. `unacceptable_impurities`.
    pub id: String,
    /// It fires when this answer-sheet fact does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<String>,
    /// It fires when a criterion of the same section, up to this one, scored 0.
    #[serde(default)]
    pub zero_in_section: bool,
    /// The rule as printed.
    pub label: Label,
}

/// A plugin's result before it becomes an [`Evaluation`]: points in hundredths, one line
/// per criterion in catalog order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawEvaluation {
    /// The lines.
    pub lines: Vec<RawLine>,
    /// Totals of parts A, B and C.
    pub parts: [u32; 3],
    /// The total.
    pub total: u32,
    /// The band of the total.
    pub band: u8,
    /// The star cap.
    pub cap: u8,
    /// Knock-outs that apply.
    pub knockouts: Vec<String>,
    /// The final rank.
    pub stars: Option<u8>,
}

/// One line of a [`RawEvaluation`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawLine {
    /// The option chosen (255 when not answered).
    pub option: u8,
    /// Hundredths of a point.
    pub points: u32,
    /// Why.
    pub note: LineNote,
}

/// Why a line of an evaluation earned what it earned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "note", content = "value")]
pub enum LineNote {
    /// Scored as chosen.
    Scored,
    /// Scored, but below the minimum mark for this many stars.
    BelowMinimum(u8),
    /// The criterion belongs to a branch that does not apply.
    OtherBranch,
    /// Not assessed: the stop rule with this id fired earlier.
    Stopped(String),
}

impl CriteriaSheet {
    /// Every fact the sheet's knock-outs and stop rules look at, sorted, without repeats.
    pub fn facts(&self) -> Vec<String> {
        let mut facts: Vec<String> = self
            .knockouts
            .iter()
            .map(|k| k.fact.clone())
            .chain(
                self.criteria
                    .iter()
                    .filter_map(|c| c.stop.as_ref().and_then(|s| s.fact.clone())),
            )
            .collect();
        facts.sort();
        facts.dedup();
        facts
    }

    /// A blank answer sheet to fill in: every criterion that applies (to `branch`, for
    /// sheets with branches) answered with its first option, every fact asserted. An
    /// evaluator changes the answers and sets to `false` each fact that does not hold.
    pub fn template(&self, branch: Option<u8>) -> AnswerSheet {
        let branch = if self.branches.is_empty() {
            None
        } else {
            Some(branch.unwrap_or(1))
        };
        AnswerSheet {
            format: crate::DOCUMENT_FORMAT,
            product_set: self.product_set,
            evaluator: None,
            branch,
            answers: self
                .criteria
                .iter()
                .filter(|c| c.branch.is_none() || c.branch == branch)
                .map(|c| (c.id.clone(), 0))
                .collect(),
            facts: self.facts().into_iter().map(|f| (f, true)).collect(),
        }
    }

    /// Turns an answer sheet keyed by criterion id into one option index per criterion in
    /// catalog order (`None` where unanswered), the compact form that crosses the plugin
    /// boundary.
    ///
    /// # Errors
    /// A code and a message for an unknown criterion id or an index that does not fit in a
    /// byte; the plugin itself judges whether the answers fit its rules.
    pub fn compact(&self, sheet: &AnswerSheet) -> Result<Vec<Option<u8>>, (&'static str, String)> {
        if sheet.product_set != self.product_set {
            return Err((
                "wrong-set",
                format!(
                    "the answer sheet is for set {}, this criteria sheet is set {}",
                    sheet.product_set, self.product_set
                ),
            ));
        }
        if let Some(unknown) = sheet
            .answers
            .keys()
            .find(|id| !self.criteria.iter().any(|c| c.id == **id))
        {
            return Err((
                "unknown-criterion",
                format!("set {} has no criterion `{unknown}`", self.product_set),
            ));
        }
        self.criteria
            .iter()
            .map(|c| match sheet.answers.get(&c.id) {
                None => Ok(None),
                Some(&i) => u8::try_from(i).map(Some).map_err(|_| {
                    (
                        "answer-out-of-range",
                        format!("criterion {} has no option {i}", c.id),
                    )
                }),
            })
            .collect()
    }

    /// Builds the evaluation document from a plugin's raw result, checking that the result
    /// is consistent with this sheet: one line per criterion, chosen options that exist,
    /// points within each criterion's maximum, parts and total that add up, the band of the
    /// total, and stars that follow from band, cap and knock-outs.
    ///
    /// # Errors
    /// What is inconsistent, in words (the host reports it as a bad output).
    pub fn evaluation(&self, raw: &RawEvaluation) -> Result<Evaluation, String> {
        if raw.lines.len() != self.criteria.len() {
            return Err(format!(
                "{} lines for {} criteria",
                raw.lines.len(),
                self.criteria.len()
            ));
        }
        let mut parts = [0u64; 3];
        let mut lines = Vec::with_capacity(raw.lines.len());
        for (i, (c, l)) in self.criteria.iter().zip(&raw.lines).enumerate() {
            let max = (c.max * 100.0).round() as u64;
            if u64::from(l.points) > max {
                return Err(format!(
                    "criterion {} earned {} hundredths, above its maximum {max}",
                    c.id, l.points
                ));
            }
            let answered = !matches!(l.note, LineNote::OtherBranch);
            if answered && usize::from(l.option) >= c.options.len() {
                return Err(format!("criterion {} has no option {}", c.id, l.option));
            }
            let slot = match c.part.as_str() {
                "A" => 0,
                "B" => 1,
                _ => 2,
            };
            if let Some(p) = parts.get_mut(slot) {
                *p += u64::from(l.points);
            }
            let points = f64::from(l.points) / 100.0;
            let option = if answered {
                u32::from(l.option)
            } else {
                u32::from(u8::MAX)
            };
            lines.push(crate::EvaluationLine {
                criterion: c.id.clone(),
                option,
                points,
                explanation: self.explain(i, option, points, &l.note),
            });
        }
        if parts != raw.parts.map(u64::from) {
            return Err(format!(
                "part totals {:?} do not add up to the lines ({parts:?})",
                raw.parts
            ));
        }
        let total: u64 = parts.iter().sum();
        if total != u64::from(raw.total) || total > 10_000 {
            return Err(format!(
                "total {} is not the sum of the parts ({total}) or exceeds 100 points",
                raw.total
            ));
        }
        let total = f64::from(raw.total) / 100.0;
        let band = Stars::from_total(total);
        if Some(band) != Stars::new(raw.band) {
            return Err(format!(
                "band {} does not match the total {total}",
                raw.band
            ));
        }
        let cap = Stars::new(raw.cap)
            .filter(|c| c.get() >= 2)
            .ok_or_else(|| format!("cap {} is not 2 to 5", raw.cap))?;
        if let Some(unknown) = raw
            .knockouts
            .iter()
            .find(|k| !self.knockouts.iter().any(|d| d.id == **k))
        {
            return Err(format!(
                "knock-out `{unknown}` is not in the criteria sheet"
            ));
        }
        let expected = raw.knockouts.is_empty().then(|| band.min(cap));
        if raw.stars.and_then(Stars::new) != expected
            || raw.stars.is_some_and(|s| Stars::new(s).is_none())
        {
            return Err(format!(
                "stars {:?} do not follow from band {band}, cap {cap} and knock-outs {:?}",
                raw.stars, raw.knockouts
            ));
        }
        let [a, b, c] = raw.parts.map(|p| f64::from(p) / 100.0);
        Ok(Evaluation {
            format: crate::DOCUMENT_FORMAT,
            product_set: self.product_set,
            lines,
            parts: crate::PartTotals { a, b, c },
            total,
            band,
            cap,
            knockouts: raw.knockouts.clone(),
            stars: expected,
        })
    }

    /// The explanation of one line, in Vietnamese, as recorded in an [`Evaluation`]: the
    /// option chosen, the points, and why.
    pub fn explain(&self, index: usize, option: u32, points: f64, note: &LineNote) -> String {
        let Some(c) = self.criteria.get(index) else {
            return format!("tiêu chí thứ {index} không có trong phiếu");
        };
        let chosen = usize::try_from(option)
            .ok()
            .and_then(|o| c.options.get(o))
            .map(|o| o.label.vi.as_str());
        match (note, chosen) {
            (LineNote::OtherBranch, _) => format!("{}: không áp dụng (trường hợp khác)", c.id),
            (LineNote::Stopped(id), _) => {
                format!(
                    "{}: không đánh giá, dừng theo quy tắc `{id}` — 0 điểm",
                    c.id
                )
            }
            (LineNote::Scored, Some(text)) => format!("{}: chọn «{text}» — {points} điểm", c.id),
            (LineNote::BelowMinimum(stars), Some(text)) => format!(
                "{}: chọn «{text}» — {points} điểm; dưới mức tối thiểu {stars} sao",
                c.id
            ),
            (_, None) => format!("{}: phương án {option} không tồn tại", c.id),
        }
    }
}

/// A section of a sheet (e.g. "1. Tổ chức sản xuất", 18 points).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The part it belongs to.
    pub part: String,
    /// Its number as printed.
    pub code: String,
    /// Its title.
    pub title: Label,
    /// Its printed maximum.
    pub max: f64,
}

/// A part of a sheet: A (40), B (25) or C (35).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// `A`, `B` or `C`.
    pub code: String,
    /// Its title.
    pub title: Label,
    /// Its maximum.
    pub max: f64,
}

/// A condition that rejects a dossier outright ("hồ sơ bị loại khi").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Knockout {
    /// Stable id, e.g. `forged_dossier`.
    pub id: String,
    /// The condition as printed.
    pub label: Label,
    /// The answer-sheet fact that must be `true` for the dossier to pass this condition
    /// (e.g. `food_safety_certificate`); a missing or false fact knocks the dossier out.
    pub fact: String,
}

/// The criteria sheet of one product set, as a scoring plugin publishes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriteriaSheet {
    /// Format version of this document; currently 1.
    pub format: u32,
    /// The product set.
    pub product_set: ProductSet,
    /// The set's name.
    pub title: Label,
    /// Where the sheet comes from.
    pub legal_basis: String,
    /// Knock-out conditions.
    pub knockouts: Vec<Knockout>,
    /// Parts A, B, C.
    pub parts: Vec<Part>,
    /// Sections, in printed order.
    pub sections: Vec<Section>,
    /// Criteria, in printed order (the order of an answer sheet's indices).
    pub criteria: Vec<Criterion>,
    /// Alternative branches (set 26: 1 community-run, 2 tourist site), if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Branch>,
}

/// An alternative branch of a sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    /// Its number (1 or 2).
    pub number: u8,
    /// What it covers.
    pub label: Label,
}

/// An evaluation together with where it came from, as the engine records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scored {
    /// The evaluation.
    pub evaluation: Evaluation,
    /// The plugin that produced it.
    pub plugin: PluginRef,
    /// Fuel the call used, when run in the sandbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuel_used: Option<u64>,
}

/// What a guard plugin sees of a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseView {
    /// The case.
    pub case_id: String,
    /// The definition the case runs under.
    pub definition: String,
    /// The state the case is in.
    pub state: StateId,
    /// The transition being attempted.
    pub transition: TransitionId,
    /// The product set.
    pub product_set: ProductSet,
    /// First, upgrade or re-evaluation.
    pub registration: RegistrationType,
    /// The producer.
    pub producer: Producer,
    /// The dossier's documents.
    pub documents: Vec<DossierDocument>,
    /// Facts recorded on the case (e.g. `traceability_registered = true`).
    pub facts: BTreeMap<String, bool>,
    /// The latest council result, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    /// The latest evaluated rank, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stars: Option<Stars>,
    /// The plugin's configuration from the definition's plugin table.
    #[serde(default)]
    pub config: BTreeMap<String, serde_json::Value>,
}

/// What a guard plugin found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// Whether it blocks the transition.
    pub blocking: bool,
    /// A stable code, e.g. `traceability-missing`.
    pub code: String,
    /// What is wrong and what to do, in Vietnamese and English.
    pub message: Label,
}

/// How a plugin call failed. Each variant names the plugin and the call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PluginError {
    /// The plugin's file does not hash to the SHA-256 pinned in the definition.
    #[error(
        "plugin `{plugin}` does not match its pinned sha256: expected {expected}, found {found}; rebuild it or update the definition's pin"
    )]
    HashMismatch {
        /// The plugin.
        plugin: String,
        /// The pinned hash.
        expected: String,
        /// The file's hash.
        found: String,
    },
    /// The plugin is not pinned and the host was not told to accept unpinned plugins.
    #[error(
        "plugin `{plugin}` is not pinned by a sha256 in the definition; pin it, or allow unpinned plugins for development"
    )]
    Unpinned {
        /// The plugin.
        plugin: String,
    },
    /// The component could not be read or compiled.
    #[error("plugin `{plugin}` could not be loaded: {reason}")]
    Load {
        /// The plugin.
        plugin: String,
        /// Why.
        reason: String,
    },
    /// The component imports something the host does not offer (the host offers nothing).
    #[error(
        "plugin `{plugin}` imports `{import}`, but plugins may import nothing (no WASI, no host functions); build it for wasm32-unknown-unknown"
    )]
    ForbiddenImport {
        /// The plugin.
        plugin: String,
        /// The import.
        import: String,
    },
    /// The component does not export what its kind requires.
    #[error(
        "plugin `{plugin}` does not export `{export}`: is it built against the right WIT world?"
    )]
    MissingExport {
        /// The plugin.
        plugin: String,
        /// The missing export.
        export: String,
    },
    /// The call used up its fuel.
    #[error("plugin `{plugin}` ran out of fuel in `{call}` (limit {limit}); it may loop forever")]
    OutOfFuel {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// The fuel limit.
        limit: u64,
    },
    /// The call asked for more memory than allowed.
    #[error("plugin `{plugin}` exceeded its memory limit of {limit_bytes} bytes in `{call}`")]
    MemoryLimit {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// The limit.
        limit_bytes: u64,
    },
    /// The call overflowed its stack.
    #[error("plugin `{plugin}` overflowed its stack in `{call}`")]
    StackOverflow {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
    },
    /// The call trapped (a panic in the guest, an unreachable, a bad memory access).
    #[error("plugin `{plugin}` trapped in `{call}`: {trap}")]
    Trapped {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// The trap.
        trap: String,
    },
    /// The call returned something the host refuses (too large, inconsistent totals).
    #[error("plugin `{plugin}` returned an invalid result from `{call}`: {reason}")]
    BadOutput {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// What is wrong.
        reason: String,
    },
    /// The plugin refused the input (an invalid answer sheet, an unknown product set).
    #[error("plugin `{plugin}` refused the input to `{call}`: {message} [{code}]")]
    Rejected {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// The plugin's error code.
        code: String,
        /// The plugin's message.
        message: String,
    },
}

/// A scoring plugin: publishes criteria sheets and scores answer sheets.
pub trait Scorer: Send + Sync {
    /// Name, version, legal basis, product sets.
    fn info(&self) -> &PluginInfo;

    /// The plugin's identity for provenance (name, version, sha256 of its code).
    fn plugin_ref(&self) -> PluginRef;

    /// The criteria sheet of `set`.
    ///
    /// # Errors
    /// [`PluginError::Rejected`] for a set the plugin does not score; any sandbox failure.
    fn criteria(&self, set: ProductSet) -> Result<CriteriaSheet, PluginError>;

    /// Scores one evaluator's answer sheet.
    ///
    /// # Errors
    /// [`PluginError::Rejected`] for an invalid sheet; any sandbox failure.
    fn score(&self, sheet: &AnswerSheet) -> Result<Scored, PluginError>;
}

/// A guard plugin: checks local conditions on a transition.
pub trait GuardPlugin: Send + Sync {
    /// Name, version, legal basis.
    fn info(&self) -> &PluginInfo;

    /// Runs the check named `check` (from the definition's `plugin` guard) on a case.
    ///
    /// # Errors
    /// [`PluginError::Rejected`] for an unknown check; any sandbox failure.
    fn check(&self, view: &CaseView, check: &str) -> Result<Vec<Finding>, PluginError>;
}
