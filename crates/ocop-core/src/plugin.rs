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
pub use crate::preflight::{LoadedPlugin, check_definition_with_plugins, check_plugins};
use crate::scoring::AnswerError;

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
    /// Every fact an answer sheet may state: the declared [`facts`](Self::facts) and, for a
    /// sheet that declares none (one published before facts were listed), the facts its
    /// knock-outs and stop rules read. Sorted, without repeats.
    pub fn facts(&self) -> Vec<String> {
        let mut facts: Vec<String> = self
            .facts
            .iter()
            .map(|f| f.id.clone())
            .chain(self.knockouts.iter().map(|k| k.fact.clone()))
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

    /// The sections that offer alternative cases (set 26: §8, §9 and §15), each with its
    /// cases in catalog order. Each such section chooses its case on its own.
    pub fn alternatives(&self) -> Vec<(&str, Vec<u8>)> {
        let mut out: Vec<(&str, Vec<u8>)> = Vec::new();
        for c in &self.criteria {
            let Some(b) = c.branch else { continue };
            match out.iter_mut().find(|(s, _)| *s == c.section) {
                Some((_, cases)) if !cases.contains(&b) => cases.push(b),
                Some(_) => {}
                None => out.push((c.section.as_str(), vec![b])),
            }
        }
        out
    }

    /// A blank answer sheet to fill in: every criterion that applies (to `branch`, for
    /// sheets with alternatives; the first case when none is given) answered with its first
    /// option, every fact asserted. An evaluator changes the answers and sets to `false` each
    /// fact that does not hold. For a case that may not exist, or a case per section, use
    /// [`template_for`](Self::template_for).
    pub fn template(&self, branch: Option<u8>) -> AnswerSheet {
        let branch = if self.branches.is_empty() {
            None
        } else {
            Some(branch.unwrap_or(1))
        };
        AnswerSheet {
            format: crate::domain::DOCUMENT_FORMAT,
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

    /// A blank answer sheet (as [`template`](Self::template)) for the cases chosen: `all`
    /// for every section with alternatives, `sections` (section code, case) for single
    /// sections, which win over `all`. With one case everywhere the sheet says so in its
    /// `branch`; otherwise it answers the chosen case's criterion in each section.
    ///
    /// # Errors
    /// An [`AnswerError`] when the sheet has no alternatives but a case is given, a case does
    /// not exist, a section offers no alternatives, or a section is left without a case.
    pub fn template_for(
        &self,
        all: Option<u8>,
        sections: &[(String, u8)],
    ) -> Result<AnswerSheet, AnswerError> {
        let alternatives = self.alternatives();
        if alternatives.is_empty() {
            if all.is_some() || !sections.is_empty() {
                return Err(AnswerError::new(
                    "unexpected-branch",
                    format!("set {} has no alternative cases", self.product_set),
                ));
            }
            return Ok(self.template(None));
        }
        if let Some(b) = all {
            self.known_case(b)?;
        }
        if let Some((s, _)) = sections
            .iter()
            .find(|(s, _)| !alternatives.iter().any(|(a, _)| a == s))
        {
            return Err(AnswerError::new(
                "unexpected-branch",
                format!(
                    "section {s} of set {} offers no alternative cases; those that do: {}",
                    self.product_set,
                    alternatives
                        .iter()
                        .map(|(a, _)| *a)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let mut chosen: Vec<(&str, u8)> = Vec::new();
        for (section, offered) in &alternatives {
            let pick = sections
                .iter()
                .rev()
                .find(|(s, _)| s == section)
                .map(|(_, b)| *b)
                .or(all);
            let Some(b) = pick else {
                return Err(AnswerError::new(
                    "missing-branch",
                    format!(
                        "section {section} offers cases {}: choose one",
                        join_numbers(offered)
                    ),
                ));
            };
            if !offered.contains(&b) {
                return Err(AnswerError::new(
                    "unknown-branch",
                    format!(
                        "section {section} has no case {b}; it offers {}",
                        join_numbers(offered)
                    ),
                ));
            }
            chosen.push((section, b));
        }
        let first = chosen.first().map(|(_, b)| *b);
        let uniform = chosen.iter().all(|(_, b)| Some(*b) == first);
        let mut sheet = self.template(if uniform { first } else { None });
        sheet.branch = if uniform { first } else { None };
        sheet.answers = self
            .criteria
            .iter()
            .filter(|c| {
                c.branch.is_none()
                    || chosen
                        .iter()
                        .any(|(s, b)| *s == c.section && Some(*b) == c.branch)
            })
            .map(|c| (c.id.clone(), 0))
            .collect();
        Ok(sheet)
    }

    /// Refuses a case the sheet does not declare, listing those it does.
    pub(crate) fn known_case(&self, case: u8) -> Result<(), AnswerError> {
        if self.branches.iter().any(|b| b.number == case) {
            return Ok(());
        }
        let cases: Vec<String> = self
            .branches
            .iter()
            .map(|b| format!("{} ({})", b.number, b.label.vi))
            .collect();
        Err(AnswerError::new(
            "unknown-branch",
            format!(
                "set {} has no case {case}; its cases are {}",
                self.product_set,
                cases.join(", ")
            ),
        ))
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

/// `1, 2 and 3`.
pub(crate) fn join_numbers(ns: &[u8]) -> String {
    let parts: Vec<String> = ns.iter().map(u8::to_string).collect();
    match parts.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
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

/// A fact an answer sheet states, e.g. `food_safety_certificate`. Knock-outs and stop rules
/// read facts; an answer sheet may state only the facts its criteria sheet lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// Stable id, e.g. `food_safety_certificate`.
    pub id: String,
    /// What holds when the fact is true.
    pub label: Label,
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
    /// Alternative cases (set 26: 1 community-run, 2 run by an organisation or a person), if
    /// any. Each section with alternatives (set 26: §8, §9, §15) chooses its case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Branch>,
    /// The facts the plugin reads (at least every knock-out's and stop rule's fact); an
    /// answer sheet may state only these.
    #[serde(default)]
    pub facts: Vec<Fact>,
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
    /// The component's file does not exist.
    #[error(
        "plugin `{plugin}`: there is no component at `{path}`; build it with `ocop plugin build`, or correct the definition's `path`"
    )]
    Missing {
        /// The plugin.
        plugin: String,
        /// The file looked for, as the definition (or the command line) names it.
        path: String,
    },
    /// The component could not be read or compiled.
    #[error("plugin `{plugin}` could not be loaded: {reason}")]
    Load {
        /// The plugin.
        plugin: String,
        /// Why.
        reason: String,
    },
    /// The component imports something its runtime does not offer: the default runtime offers
    /// nothing, the deterministic WASI profile only its WASI interfaces.
    #[error(
        "plugin `{plugin}` imports `{import}`, which its runtime does not offer: a plugin imports nothing (build a Rust plugin for wasm32-unknown-unknown) unless its definition's plugin table sets `runtime = \"wasi-deterministic\"`, which offers the WASI interfaces of the deterministic profile (Python and JavaScript plugins) and nothing else"
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
    #[error("plugin `{plugin}` ran out of fuel in `{call}` (limit {limit}); {}", fuel_hint(memory.as_ref()))]
    OutOfFuel {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// The fuel limit.
        limit: u64,
        /// Set when the call kept growing its memory until the fuel ran out: then it is
        /// more likely allocating without end than looping.
        memory: Option<MemoryGrowth>,
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
    /// The call overflowed its stack: the WebAssembly stack, or the stack a compiled
    /// language keeps in linear memory (deep recursion, large local arrays).
    #[error("plugin `{plugin}` overflowed its stack in `{call}`{}", detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    StackOverflow {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// What the host saw, e.g. the recursion's depth, when it is not WebAssembly's own
        /// stack limit.
        detail: Option<String>,
    },
    /// The plugin panicked; the message comes from the SDK's panic hook.
    #[error("plugin `{plugin}` panicked in `{call}`: {message}")]
    Panicked {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// The panic's message and place, as the plugin reported it (cut to 2,000 bytes).
        message: String,
    },
    /// The call trapped (an unreachable, a bad memory access, a panic of a plugin that does
    /// not report its message).
    #[error("plugin `{plugin}` trapped in `{call}`: {trap}")]
    Trapped {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// The trap.
        trap: String,
    },
    /// The same input gave different results: the plugin keeps state between calls, or reads
    /// something that changes.
    #[error("plugin `{plugin}` is not deterministic in `{call}`: {detail}")]
    Nondeterministic {
        /// The plugin.
        plugin: String,
        /// The call.
        call: String,
        /// What differed.
        detail: String,
    },
    /// The call returned something the host refuses: too large, inconsistent, or more
    /// lenient than the plugin's own criteria sheet allows. The reason names the criterion
    /// and what was expected.
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

/// How a plugin's memory grew during a call that ran out of fuel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryGrowth {
    /// Bytes of linear memory when the call started.
    pub from: u64,
    /// Bytes when the fuel ran out.
    pub to: u64,
    /// The memory limit, in bytes.
    pub limit: u64,
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
}

fn fuel_hint(memory: Option<&MemoryGrowth>) -> String {
    match memory {
        None => "it may loop forever".to_owned(),
        Some(m) => format!(
            "its memory kept growing meanwhile ({} to {}, limit {}): it may be allocating without end",
            mib(m.from),
            mib(m.to),
            mib(m.limit)
        ),
    }
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

    /// Scores one evaluator's answer sheet. An implementation checks the sheet against its
    /// criteria sheet first ([`CriteriaSheet::prepare`]) and its result after
    /// ([`CriteriaSheet::check_output`]).
    ///
    /// # Errors
    /// [`PluginError::Rejected`] for an invalid sheet; [`PluginError::BadOutput`] for a
    /// result its own criteria sheet does not allow; any sandbox failure.
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
