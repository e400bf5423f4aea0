//! Scoring plugins: [`WasmScorer`] implements `ocop_core::Scorer` for a component of the
//! `scoring` world.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ocop_core::{
    AnswerSheet, Branch, CriteriaSheet, Criterion, CriterionOption, Knockout, Label, LineNote,
    Part, PluginError, PluginInfo, PluginRef, ProductSet, RawEvaluation, RawLine, Scored, Scorer,
    Section, Stars, StopRule,
};
use wasmtime::Store;

use crate::bindings::scoring::ocop::plugin::types as wit;
use crate::bindings::scoring::{Scoring, ScoringPre};
use crate::host::{Loaded, PluginHost, StoreState, bounded, call_error, missing_export};

/// A scoring component, loaded, pinned and ready: each call runs in a fresh store.
pub struct WasmScorer {
    host: PluginHost,
    name: String,
    sha256: String,
    pre: ScoringPre<StoreState>,
    info: PluginInfo,
    catalogs: Mutex<HashMap<u8, Arc<CriteriaSheet>>>,
}

impl std::fmt::Debug for WasmScorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmScorer")
            .field("name", &self.name)
            .field("sha256", &self.sha256)
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

impl WasmScorer {
    pub(crate) fn new(host: PluginHost, loaded: Loaded) -> Result<Self, PluginError> {
        let pre = ScoringPre::new(loaded.pre).map_err(|e| PluginError::MissingExport {
            plugin: loaded.name.clone(),
            export: missing_export(&e),
        })?;
        let mut scorer = WasmScorer {
            host,
            name: loaded.name,
            sha256: loaded.sha256,
            pre,
            info: PluginInfo {
                name: String::new(),
                version: String::new(),
                legal_basis: String::new(),
                product_sets: Vec::new(),
                checks: Vec::new(),
            },
            catalogs: Mutex::new(HashMap::new()),
        };
        let info = scorer.call("describe", |s, store| s.call_describe(store))?;
        scorer.info = PluginInfo {
            name: info.name,
            version: info.version,
            legal_basis: info.legal_basis,
            product_sets: info
                .product_sets
                .into_iter()
                .filter_map(ProductSet::new)
                .collect(),
            checks: info.checks,
        };
        Ok(scorer)
    }

    /// The SHA-256 of the component.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Instantiates the component in a fresh store with full fuel and runs `f`.
    fn call<R>(
        &self,
        call: &str,
        f: impl FnOnce(&Scoring, &mut Store<StoreState>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let mut store = self.host.store();
        self.run(&mut store, call, |store| {
            let instance = self.pre.instantiate(&mut *store)?;
            f(&instance, store)
        })
        .map(|(r, _)| r)
    }

    /// Runs `f` with the fuel reset, mapping failures; returns the fuel used.
    fn run<R>(
        &self,
        store: &mut Store<StoreState>,
        call: &str,
        f: impl FnOnce(&mut Store<StoreState>) -> wasmtime::Result<R>,
    ) -> Result<(R, u64), PluginError> {
        let limit = self.host.inner.limits.fuel;
        store.set_fuel(limit).map_err(|e| PluginError::Load {
            plugin: self.name.clone(),
            reason: format!("{e:#}"),
        })?;
        store.data_mut().limiter.denied = None;
        match f(store) {
            Ok(r) => {
                let left = store.get_fuel().unwrap_or(0);
                Ok((r, limit.saturating_sub(left)))
            }
            Err(e) => Err(call_error(&self.host, &self.name, call, &e, store)),
        }
    }

    fn rejected(&self, call: &str, e: wit::PluginError) -> PluginError {
        PluginError::Rejected {
            plugin: self.name.clone(),
            call: call.to_owned(),
            code: bounded(e.code),
            message: bounded(e.message),
        }
    }

    fn bad_output(&self, call: &str, reason: String) -> PluginError {
        PluginError::BadOutput {
            plugin: self.name.clone(),
            call: call.to_owned(),
            reason,
        }
    }

    /// The criteria sheet of `set`, asked of the plugin once and kept.
    fn catalog(&self, set: ProductSet) -> Result<Arc<CriteriaSheet>, PluginError> {
        if let Ok(cache) = self.catalogs.lock()
            && let Some(c) = cache.get(&set.number())
        {
            return Ok(Arc::clone(c));
        }
        let result = self.call("criteria", |s, store| s.call_criteria(store, set.number()))?;
        let sheet = result.map_err(|e| self.rejected("criteria", e))?;
        let catalog = Arc::new(self.convert_catalog(sheet, set)?);
        if let Ok(mut cache) = self.catalogs.lock() {
            cache.insert(set.number(), Arc::clone(&catalog));
        }
        Ok(catalog)
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
            if options.is_empty() || options.len() > usize::from(u8::MAX) {
                return Err(self.bad_output(
                    "criteria",
                    format!("criterion {} has {} options", c.id, options.len()),
                ));
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
            format: ocop_core::DOCUMENT_FORMAT,
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
        })
    }

    /// The compact answer sheet the component receives.
    fn compact(
        &self,
        catalog: &CriteriaSheet,
        sheet: &AnswerSheet,
    ) -> Result<wit::AnswerSheet, PluginError> {
        let answers = catalog
            .compact(sheet)
            .map_err(|(code, message)| PluginError::Rejected {
                plugin: self.name.clone(),
                call: "score".into(),
                code: code.into(),
                message,
            })?;
        Ok(wit::AnswerSheet {
            product_set: sheet.product_set.number(),
            branch: sheet.branch,
            answers,
            facts: sheet
                .facts
                .iter()
                .filter(|(_, holds)| **holds)
                .map(|(f, _)| f.clone())
                .collect(),
        })
    }

    fn finish(
        &self,
        catalog: &CriteriaSheet,
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
                        wit::LineNote::Stopped(id) => LineNote::Stopped(id),
                    },
                })
                .collect(),
            parts: [e.part_a, e.part_b, e.part_c],
            total: e.total,
            band: e.band,
            cap: e.cap,
            knockouts: e.knockouts,
            stars: e.stars,
        };
        let evaluation = catalog
            .evaluation(&raw)
            .map_err(|r| self.bad_output("score", r))?;
        Ok(Scored {
            evaluation,
            plugin: self.plugin_ref(),
            fuel_used: Some(fuel),
        })
    }

    /// A session that keeps one instance for several calls (faster; for batch scoring and
    /// benchmarks). A call that fails poisons the session: later calls are refused.
    ///
    /// # Errors
    /// A failure to instantiate the component.
    pub fn session(&self) -> Result<ScoringSession<'_>, PluginError> {
        let mut store = self.host.store();
        let instance = self
            .pre
            .instantiate(&mut store)
            .map_err(|e| call_error(&self.host, &self.name, "instantiate", &e, &store))?;
        Ok(ScoringSession {
            scorer: self,
            store,
            instance,
            poisoned: false,
        })
    }
}

/// One instance kept across calls; see [`WasmScorer::session`].
pub struct ScoringSession<'a> {
    scorer: &'a WasmScorer,
    store: Store<StoreState>,
    instance: Scoring,
    poisoned: bool,
}

impl ScoringSession<'_> {
    /// Scores one answer sheet on the kept instance.
    ///
    /// # Errors
    /// As [`Scorer::score`]; after any failure the session refuses further calls.
    pub fn score(&mut self, sheet: &AnswerSheet) -> Result<Scored, PluginError> {
        if self.poisoned {
            return Err(PluginError::Trapped {
                plugin: self.scorer.name.clone(),
                call: "score".into(),
                trap: "an earlier call failed, so this instance may be inconsistent; open a new session".into(),
            });
        }
        let catalog = self.scorer.catalog(sheet.product_set)?;
        let input = self.scorer.compact(&catalog, sheet)?;
        let instance = &self.instance;
        let result = self.scorer.run(&mut self.store, "score", |store| {
            instance.call_score(store, &input)
        });
        match result {
            Ok((r, fuel)) => self.scorer.finish(&catalog, r, fuel),
            Err(e) => {
                self.poisoned = true;
                Err(e)
            }
        }
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
            sha256: self.sha256.clone(),
        }
    }

    fn criteria(&self, set: ProductSet) -> Result<CriteriaSheet, PluginError> {
        self.catalog(set).map(|c| (*c).clone())
    }

    fn score(&self, sheet: &AnswerSheet) -> Result<Scored, PluginError> {
        let catalog = self.catalog(sheet.product_set)?;
        let input = self.compact(&catalog, sheet)?;
        let mut store = self.host.store();
        let (result, fuel) = self.run(&mut store, "score", |store| {
            let instance = self.pre.instantiate(&mut *store)?;
            instance.call_score(store, &input)
        })?;
        self.finish(&catalog, result, fuel)
    }
}
