//! Guard plugins: [`WasmGuard`] implements `ocop_core::plugin::GuardPlugin` for a component of the
//! `guard` world (0.2.0, or 0.1.0 through [`legacy`](crate::legacy)).

use ocop_core::{
    Label,
    domain::RegistrationType,
    plugin::{CaseView, Finding, GuardPlugin, PluginError, PluginInfo},
};
use wasmtime::Store;

use crate::bindings::v2::types as wit;
use crate::bindings::{v1, v2};
use crate::component::{Kept, Loaded, Plugin, World};
use crate::legacy;
use crate::sandbox::{StoreState, WitVersion, bounded};

/// The `guard` world, in either version.
pub(crate) struct GuardWorld;

#[derive(Clone)]
pub(crate) enum GuardPre {
    V2(v2::guard::GuardPre<StoreState>),
    V1(v1::guard::GuardPre<StoreState>),
}

pub(crate) enum GuardInstance {
    V2(v2::guard::Guard),
    V1(v1::guard::Guard),
}

impl World for GuardWorld {
    type Pre = GuardPre;
    type Instance = GuardInstance;

    fn pre(loaded: &Loaded) -> wasmtime::Result<GuardPre> {
        Ok(match loaded.version {
            WitVersion::V0_2 => GuardPre::V2(v2::guard::GuardPre::new(loaded.pre.clone())?),
            WitVersion::V0_1 => GuardPre::V1(v1::guard::GuardPre::new(loaded.pre.clone())?),
        })
    }

    fn instantiate(
        pre: &GuardPre,
        store: &mut Store<StoreState>,
    ) -> wasmtime::Result<GuardInstance> {
        Ok(match pre {
            GuardPre::V2(p) => GuardInstance::V2(p.instantiate(store)?),
            GuardPre::V1(p) => GuardInstance::V1(p.instantiate(store)?),
        })
    }
}

type Findings = wasmtime::Result<Result<Vec<wit::Finding>, wit::PluginError>>;

impl GuardInstance {
    fn describe(&self, store: &mut Store<StoreState>) -> wasmtime::Result<wit::PluginInfo> {
        match self {
            GuardInstance::V2(g) => g.call_describe(store),
            GuardInstance::V1(g) => g.call_describe(store).map(legacy::info),
        }
    }

    fn check(&self, store: &mut Store<StoreState>, view: &wit::CaseView, check: &str) -> Findings {
        match self {
            GuardInstance::V2(g) => g.call_check(store, view, check),
            GuardInstance::V1(g) => g
                .call_check(store, &legacy::case_view(view), check)
                .map(|r| {
                    r.map(|fs| fs.into_iter().map(legacy::finding).collect())
                        .map_err(legacy::error)
                }),
        }
    }
}

/// A guard component, loaded, pinned and ready: each call runs on a fresh instance in a
/// fresh store.
pub struct WasmGuard {
    plugin: Plugin<GuardWorld>,
    info: PluginInfo,
}

impl std::fmt::Debug for WasmGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmGuard")
            .field("name", &self.plugin.name)
            .field("sha256", &self.plugin.sha256)
            .finish_non_exhaustive()
    }
}

impl WasmGuard {
    pub(crate) fn new(plugin: Plugin<GuardWorld>) -> Result<Self, PluginError> {
        let (info, _) = plugin.call("describe", |g, store| g.describe(store))?;
        Ok(WasmGuard {
            plugin,
            info: PluginInfo {
                name: info.name,
                version: info.version,
                legal_basis: info.legal_basis,
                product_sets: Vec::new(),
                checks: info.checks,
            },
        })
    }

    /// The SHA-256 of the component.
    pub fn sha256(&self) -> &str {
        &self.plugin.sha256
    }

    /// The same component, for a fresh comparison.
    pub(crate) fn reopen(&self) -> WasmGuard {
        WasmGuard {
            plugin: self.plugin.clone(),
            info: self.info.clone(),
        }
    }

    fn findings(
        &self,
        result: Result<Vec<wit::Finding>, wit::PluginError>,
    ) -> Result<Vec<Finding>, PluginError> {
        let findings = result.map_err(|e| PluginError::Rejected {
            plugin: self.plugin.name.clone(),
            call: "check".into(),
            code: bounded(e.code),
            message: bounded(e.message),
        })?;
        Ok(findings
            .into_iter()
            .map(|f| Finding {
                blocking: f.blocking,
                code: bounded(f.code),
                message: Label {
                    vi: bounded(f.message.vi),
                    en: bounded(f.message.en),
                },
            })
            .collect())
    }

    /// One instance kept across calls, for the conformance checks only.
    pub(crate) fn kept(&self) -> Result<KeptGuard<'_>, PluginError> {
        Ok(KeptGuard {
            guard: self,
            kept: self.plugin.kept()?,
        })
    }
}

/// A [`WasmGuard`]'s kept instance; see [`WasmGuard::kept`].
pub(crate) struct KeptGuard<'a> {
    guard: &'a WasmGuard,
    kept: Kept<'a, GuardWorld>,
}

impl KeptGuard<'_> {
    /// Runs a check on the kept instance.
    pub(crate) fn check(
        &mut self,
        case: &CaseView,
        check: &str,
    ) -> Result<Vec<Finding>, PluginError> {
        let input = view(case);
        let (result, _) = self
            .kept
            .call("check", |g, store| g.check(store, &input, check))?;
        self.guard.findings(result)
    }
}

fn view(v: &CaseView) -> wit::CaseView {
    wit::CaseView {
        case_id: v.case_id.clone(),
        definition: v.definition.clone(),
        state: v.state.to_string(),
        transition: v.transition.to_string(),
        product_set: v.product_set.number(),
        registration: match v.registration {
            RegistrationType::First => wit::Registration::First,
            RegistrationType::Upgrade => wit::Registration::Upgrade,
            RegistrationType::ReEvaluation => wit::Registration::ReEvaluation,
        },
        producer_name: v.producer.name.clone(),
        commune: v.producer.commune.clone(),
        district: v.producer.district.clone(),
        documents: v
            .documents
            .iter()
            .map(|d| wit::Document {
                kind: d.kind.clone(),
                present: d.present,
                valid_until: d.valid_until.map(|d| d.to_string()),
            })
            .collect(),
        facts: v.facts.iter().map(|(k, b)| (k.clone(), *b)).collect(),
        total: v
            .total
            .map(|t| (t * 100.0).round().clamp(0.0, 10_000.0) as u32),
        stars: v.stars.map(|s| s.get()),
        config: v
            .config
            .iter()
            .map(|(k, j)| (k.clone(), j.to_string()))
            .collect(),
    }
}

impl GuardPlugin for WasmGuard {
    fn info(&self) -> &PluginInfo {
        &self.info
    }

    fn check(&self, case: &CaseView, check: &str) -> Result<Vec<Finding>, PluginError> {
        let input = view(case);
        let (result, _) = self
            .plugin
            .call("check", |g, store| g.check(store, &input, check))?;
        self.findings(result)
    }
}
