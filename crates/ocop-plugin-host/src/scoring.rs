//! Scoring plugins: [`WasmScorer`] implements `ocop_core::plugin::Scorer` for a component of the
//! `scoring` world (0.2.0, or 0.1.0 through [`legacy`](crate::legacy)), and holds every
//! result to the criteria sheet the same plugin published.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ocop_core::{
    Label, ProductSet, Stars,
    domain::{AnswerSheet, PluginRef},
    plugin::{
        Branch, CriteriaSheet, Criterion, CriterionOption, Fact, Knockout, LineNote, Part,
        PluginError, PluginInfo, RawEvaluation, RawLine, Scored, Scorer, Section, StopRule,
    },
    scoring::ScoringInput,
};
use wasmtime::Store;

use crate::bindings::v2::types as wit;
use crate::bindings::{v1, v2};
use crate::component::{Kept, Loaded, Plugin, World};
use crate::generator::SheetGenerator;
use crate::legacy;
use crate::sandbox::{StoreState, WitVersion, bounded};

/// The `scoring` world, in either version.
pub(crate) struct ScoringWorld;

#[derive(Clone)]
pub(crate) enum ScoringPre {
    V2(v2::scoring::ScoringPre<StoreState>),
    V1(v1::scoring::ScoringPre<StoreState>),
}

pub(crate) enum ScoringInstance {
    V2(v2::scoring::Scoring),
    V1(v1::scoring::Scoring),
}

impl World for ScoringWorld {
    type Pre = ScoringPre;
    type Instance = ScoringInstance;

    fn pre(loaded: &Loaded) -> wasmtime::Result<ScoringPre> {
        Ok(match loaded.version {
            WitVersion::V0_2 => ScoringPre::V2(v2::scoring::ScoringPre::new(loaded.pre.clone())?),
            WitVersion::V0_1 => ScoringPre::V1(v1::scoring::ScoringPre::new(loaded.pre.clone())?),
        })
    }

    fn instantiate(
        pre: &ScoringPre,
        store: &mut Store<StoreState>,
    ) -> wasmtime::Result<ScoringInstance> {
        Ok(match pre {
            ScoringPre::V2(p) => ScoringInstance::V2(p.instantiate(store)?),
            ScoringPre::V1(p) => ScoringInstance::V1(p.instantiate(store)?),
        })
    }
}

type Answer<T> = wasmtime::Result<Result<T, wit::PluginError>>;

impl ScoringInstance {
    fn describe(&self, store: &mut Store<StoreState>) -> wasmtime::Result<wit::PluginInfo> {
        match self {
            ScoringInstance::V2(i) => i.call_describe(store),
            ScoringInstance::V1(i) => i.call_describe(store).map(legacy::info),
        }
    }

    fn criteria(&self, store: &mut Store<StoreState>, set: u8) -> Answer<wit::CriteriaSheet> {
        match self {
            ScoringInstance::V2(i) => i.call_criteria(store, set),
            ScoringInstance::V1(i) => i
                .call_criteria(store, set)
                .map(|r| r.map(legacy::criteria_sheet).map_err(legacy::error)),
        }
    }

    fn score(
        &self,
        store: &mut Store<StoreState>,
        sheet: &wit::AnswerSheet,
    ) -> Answer<wit::Evaluation> {
        match self {
            ScoringInstance::V2(i) => i.call_score(store, sheet),
            ScoringInstance::V1(i) => match legacy::answer_sheet(sheet) {
                Err(refusal) => Ok(Err(refusal)),
                Ok(old) => i
                    .call_score(store, &old)
                    .map(|r| r.map(legacy::evaluation).map_err(legacy::error)),
            },
        }
    }
}

/// A scoring component, loaded, pinned and ready.
///
/// Every call runs on a fresh instance in a fresh store, so no call can see what an earlier
/// one did. Criteria sheets are asked of the plugin once per product set and kept; when it
/// fetches one, the host also probes the plugin on that set (the same generated answer sheet
/// scored twice on one instance and once on a fresh one) and refuses a plugin whose results
/// differ ([`PluginError::Nondeterministic`]). Every result is checked against the plugin's
/// own criteria sheet ([`CriteriaSheet::check_output`]): a plugin may be stricter than the
/// sheet it publishes, never more lenient.
pub struct WasmScorer {
    plugin: Plugin<ScoringWorld>,
    info: PluginInfo,
    catalogs: Mutex<HashMap<u8, Arc<CriteriaSheet>>>,
    /// Whether fetching a criteria sheet probes the set (off only for conformance, which
    /// checks determinism itself and shows the sheet that differs).
    probe: bool,
}

impl std::fmt::Debug for WasmScorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmScorer")
            .field("name", &self.plugin.name)
            .field("sha256", &self.plugin.sha256)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

fn label(l: wit::Label) -> Label {
    Label { vi: l.vi, en: l.en }
}

fn points(p: u32) -> f64 {
    f64::from(p) / 100.0
}

/// The seed of the answer sheet the host probes each product set with.
const PROBE_SEED: u64 = 0x0C09_2026;

impl WasmScorer {
    pub(crate) fn new(plugin: Plugin<ScoringWorld>) -> Result<Self, PluginError> {
        let (info, _) = plugin.call("describe", |s, store| s.describe(store))?;
        Ok(WasmScorer {
            plugin,
            info: PluginInfo {
                name: info.name,
                version: info.version,
                legal_basis: info.legal_basis,
                product_sets: info
                    .product_sets
                    .into_iter()
                    .filter_map(ProductSet::new)
                    .collect(),
                checks: info.checks,
            },
            catalogs: Mutex::new(HashMap::new()),
            probe: true,
        })
    }

    /// The SHA-256 of the component.
    pub fn sha256(&self) -> &str {
        &self.plugin.sha256
    }

    /// The version of the WIT package the component was built against, e.g. `0.2.0`.
    pub fn wit_version(&self) -> &'static str {
        match self.plugin.version {
            WitVersion::V0_1 => "0.1.0",
            WitVersion::V0_2 => "0.2.0",
        }
    }

    /// Instantiates the component in a fresh store and drops it: what every call pays
    /// before the plugin runs (for benchmarks; calls always do this themselves).
    #[doc(hidden)]
    pub fn bench_instantiate(&self) -> Result<(), PluginError> {
        self.plugin.call("instantiate", |_, _| Ok(())).map(drop)
    }

    /// Scores `sheet` `n` times on one kept instance (for benchmarks only: the host never
    /// scores for real on a kept instance).
    #[doc(hidden)]
    pub fn bench_score_reused(&self, sheet: &AnswerSheet, n: u64) -> Result<(), PluginError> {
        let mut kept = self.kept()?;
        for _ in 0..n {
            kept.score(sheet)?;
        }
        Ok(())
    }

    /// Scores each of `sheets`, in order, on one instance kept across the calls (a new one
    /// after a call fails, since a failed instance may be inconsistent), with the same
    /// checks as [`Scorer::score`]. For comparisons over thousands of sheets, where an
    /// interpreter's fresh instance would cost milliseconds a sheet: a case is always scored
    /// on a fresh instance, and before any sheet of a set is scored here the host's probe has
    /// checked that the plugin scores that set's probe sheet alike on a kept and on a fresh
    /// instance. Not for scoring cases.
    #[doc(hidden)]
    pub fn score_on_one_instance(
        &self,
        sheets: &[AnswerSheet],
    ) -> Result<Vec<Result<Scored, PluginError>>, PluginError> {
        let mut kept = self.kept()?;
        let mut out = Vec::with_capacity(sheets.len());
        for sheet in sheets {
            let scored = kept.score(sheet);
            if kept.kept.poisoned {
                kept = self.kept()?;
            }
            out.push(scored);
        }
        Ok(out)
    }

    /// The same component with its own, empty, criteria cache; `probe` says whether it
    /// probes each set for determinism.
    pub(crate) fn reopen(&self, probe: bool) -> WasmScorer {
        WasmScorer {
            plugin: self.plugin.clone(),
            info: self.info.clone(),
            catalogs: Mutex::new(HashMap::new()),
            probe,
        }
    }

    fn name(&self) -> &str {
        &self.plugin.name
    }

    fn rejected(&self, call: &str, e: wit::PluginError) -> PluginError {
        PluginError::Rejected {
            plugin: self.name().to_owned(),
            call: call.to_owned(),
            code: bounded(e.code),
            message: bounded(e.message),
        }
    }

    fn bad_output(&self, call: &str, reason: String) -> PluginError {
        PluginError::BadOutput {
            plugin: self.name().to_owned(),
            call: call.to_owned(),
            reason,
        }
    }

    /// The criteria sheet of `set`, asked of the plugin once, checked, probed and kept.
    fn catalog(&self, set: ProductSet) -> Result<Arc<CriteriaSheet>, PluginError> {
        if let Ok(cache) = self.catalogs.lock()
            && let Some(c) = cache.get(&set.number())
        {
            return Ok(Arc::clone(c));
        }
        let (result, _) = self
            .plugin
            .call("criteria", |s, store| s.criteria(store, set.number()))?;
        let sheet = result.map_err(|e| self.rejected("criteria", e))?;
        let catalog = self.convert_catalog(sheet, set)?;
        if let Some(problem) = catalog.publication_problems().into_iter().next() {
            return Err(self.bad_output("criteria", format!("set {set}: {problem}")));
        }
        if self.probe {
            self.probe(&catalog)?;
        }
        let catalog = Arc::new(catalog);
        if let Ok(mut cache) = self.catalogs.lock() {
            cache.insert(set.number(), Arc::clone(&catalog));
        }
        Ok(catalog)
    }

    /// Scores one generated sheet twice on one instance and once on a fresh one; refuses the
    /// plugin when the results differ. A call that fails proves nothing here (the real call
    /// reports it), so the probe then passes.
    fn probe(&self, catalog: &CriteriaSheet) -> Result<(), PluginError> {
        let sheet = SheetGenerator::new(PROBE_SEED).sheet(catalog);
        let Ok(input) = catalog.prepare(&sheet) else {
            return Ok(());
        };
        let input = self.wit_sheet(&input);
        let Ok(mut kept) = self.plugin.kept() else {
            return Ok(());
        };
        let run = |kept: &mut Kept<'_, ScoringWorld>| {
            kept.call("score", |s, store| s.score(store, &input))
                .ok()
                .and_then(|(r, _)| r.ok())
        };
        let (Some(first), Some(second)) = (run(&mut kept), run(&mut kept)) else {
            return Ok(());
        };
        let fresh = self
            .plugin
            .call("score", |s, store| s.score(store, &input))
            .ok()
            .and_then(|(r, _)| r.ok());
        let summary = |e: &wit::Evaluation| {
            format!(
                "total {}, cap {}, stars {}",
                points(e.total),
                e.cap,
                e.stars.map_or("none".to_owned(), |s| s.to_string())
            )
        };
        if first != second {
            return Err(PluginError::Nondeterministic {
                plugin: self.name().to_owned(),
                call: "score".into(),
                detail: format!(
                    "the same answer sheet (set {}, the host's probe) scored {} and then {} on one instance: the plugin keeps state between calls",
                    catalog.product_set,
                    summary(&first),
                    summary(&second)
                ),
            });
        }
        if let Some(fresh) = fresh
            && fresh != first
        {
            return Err(PluginError::Nondeterministic {
                plugin: self.name().to_owned(),
                call: "score".into(),
                detail: format!(
                    "the same answer sheet (set {}, the host's probe) scored {} on a fresh instance and {} on another",
                    catalog.product_set,
                    summary(&fresh),
                    summary(&first)
                ),
            });
        }
        Ok(())
    }

    fn convert_catalog(
        &self,
        s: wit::CriteriaSheet,
        set: ProductSet,
    ) -> Result<CriteriaSheet, PluginError> {
        if s.product_set != set.number() {
            return Err(self.bad_output(
                "criteria",
                format!("asked for set {set}, got set {}", s.product_set),
            ));
        }
        let mut criteria = Vec::with_capacity(s.criteria.len());
        for c in s.criteria {
            let mut options = Vec::with_capacity(c.options.len());
            for o in c.options {
                let min_stars = match o.min_stars {
                    None => None,
                    Some(n) => Some(Stars::new(n).filter(|s| s.get() >= 3).ok_or_else(|| {
                        self.bad_output(
                            "criteria",
                            format!("criterion {}: minimum mark {n} is not 3, 4 or 5", c.id),
                        )
                    })?),
                };
                options.push(CriterionOption {
                    label: label(o.label),
                    points: points(o.points),
                    min_stars,
                });
            }
            criteria.push(Criterion {
                id: c.id.into(),
                part: c.part,
                section: c.section,
                title: label(c.title),
                max: points(c.max),
                branch: c.branch,
                options,
                stop: c.stop.map(|r| StopRule {
                    id: r.id,
                    fact: r.fact,
                    zero_in_section: r.zero_in_section,
                    label: label(r.label),
                }),
            });
        }
        Ok(CriteriaSheet {
            format: ocop_core::domain::DOCUMENT_FORMAT,
            product_set: set,
            title: label(s.title),
            legal_basis: s.legal_basis,
            knockouts: s
                .knockouts
                .into_iter()
                .map(|k| Knockout {
                    id: k.id,
                    label: label(k.label),
                    fact: k.fact,
                })
                .collect(),
            parts: s
                .parts
                .into_iter()
                .map(|p| Part {
                    code: p.code,
                    title: label(p.title),
                    max: points(p.max),
                })
                .collect(),
            sections: s
                .sections
                .into_iter()
                .map(|x| Section {
                    part: x.part,
                    code: x.code,
                    title: label(x.title),
                    max: points(x.max),
                })
                .collect(),
            criteria,
            branches: s
                .branches
                .into_iter()
                .map(|b| Branch {
                    number: b.number,
                    label: label(b.label),
                })
                .collect(),
            facts: s
                .facts
                .into_iter()
                .map(|f| Fact {
                    id: f.id,
                    label: label(f.label),
                })
                .collect(),
        })
    }

    /// The answer sheet the component receives.
    fn wit_sheet(&self, input: &ScoringInput) -> wit::AnswerSheet {
        wit::AnswerSheet {
            product_set: input.product_set.number(),
            branches: input
                .branches
                .iter()
                .map(|(section, branch)| wit::BranchChoice {
                    section: section.clone(),
                    branch: *branch,
                })
                .collect(),
            answers: input.answers.clone(),
            facts: input.facts.clone(),
        }
    }

    /// Checks an answer sheet against its criteria sheet.
    fn prepare(
        &self,
        sheet: &AnswerSheet,
    ) -> Result<(Arc<CriteriaSheet>, ScoringInput), PluginError> {
        let catalog = self.catalog(sheet.product_set)?;
        let input = catalog.prepare(sheet).map_err(|e| PluginError::Rejected {
            plugin: self.name().to_owned(),
            call: "score".into(),
            code: e.code.into(),
            message: e.message,
        })?;
        Ok((catalog, input))
    }

    /// Checks the plugin's result against its criteria sheet and the input.
    fn finish(
        &self,
        catalog: &CriteriaSheet,
        input: &ScoringInput,
        result: Result<wit::Evaluation, wit::PluginError>,
        fuel: u64,
    ) -> Result<Scored, PluginError> {
        let e = result.map_err(|e| self.rejected("score", e))?;
        let raw = RawEvaluation {
            lines: e
                .lines
                .into_iter()
                .map(|l| RawLine {
                    option: l.chosen,
                    points: l.points,
                    note: match l.note {
                        wit::LineNote::Scored => LineNote::Scored,
                        wit::LineNote::BelowMinimum(s) => LineNote::BelowMinimum(s),
                        wit::LineNote::OtherBranch => LineNote::OtherBranch,
                        wit::LineNote::Stopped(id) => LineNote::Stopped(bounded(id)),
                    },
                })
                .collect(),
            parts: [e.part_a, e.part_b, e.part_c],
            total: e.total,
            band: e.band,
            cap: e.cap,
            knockouts: e.knockouts.into_iter().map(bounded).collect(),
            stars: e.stars,
        };
        let evaluation = catalog
            .check_output(input, &raw)
            .map_err(|r| self.bad_output("score", r.to_string()))?;
        Ok(Scored {
            evaluation,
            plugin: self.plugin_ref(),
            fuel_used: Some(fuel),
        })
    }

    /// One instance kept across calls, for the conformance checks only: the host never
    /// scores for real on a kept instance.
    pub(crate) fn kept(&self) -> Result<KeptScorer<'_>, PluginError> {
        Ok(KeptScorer {
            scorer: self,
            kept: self.plugin.kept()?,
        })
    }
}

/// A [`WasmScorer`]'s kept instance; see [`WasmScorer::kept`].
pub(crate) struct KeptScorer<'a> {
    scorer: &'a WasmScorer,
    kept: Kept<'a, ScoringWorld>,
}

impl KeptScorer<'_> {
    /// Scores one answer sheet on the kept instance, with the same checks as
    /// [`Scorer::score`].
    pub(crate) fn score(&mut self, sheet: &AnswerSheet) -> Result<Scored, PluginError> {
        let (catalog, input) = self.scorer.prepare(sheet)?;
        let wit_sheet = self.scorer.wit_sheet(&input);
        let (result, fuel) = self
            .kept
            .call("score", |s, store| s.score(store, &wit_sheet))?;
        self.scorer.finish(&catalog, &input, result, fuel)
    }
}

impl Scorer for WasmScorer {
    fn info(&self) -> &PluginInfo {
        &self.info
    }

    fn plugin_ref(&self) -> PluginRef {
        PluginRef {
            name: self.info.name.clone(),
            version: self.info.version.clone(),
            sha256: self.plugin.sha256.clone(),
        }
    }

    fn criteria(&self, set: ProductSet) -> Result<CriteriaSheet, PluginError> {
        self.catalog(set).map(|c| (*c).clone())
    }

    fn score(&self, sheet: &AnswerSheet) -> Result<Scored, PluginError> {
        let (catalog, input) = self.prepare(sheet)?;
        let wit_sheet = self.wit_sheet(&input);
        let (result, fuel) = self
            .plugin
            .call("score", |s, store| s.score(store, &wit_sheet))?;
        self.finish(&catalog, &input, result, fuel)
    }
}
