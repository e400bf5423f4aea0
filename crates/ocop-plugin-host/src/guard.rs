//! Guard plugins: [`WasmGuard`] implements `ocop_core::GuardPlugin` for a component of the
//! `guard` world.

use ocop_core::{CaseView, Finding, GuardPlugin, Label, PluginError, PluginInfo, RegistrationType};
use wasmtime::Store;

use crate::bindings::guard::ocop::plugin::types as wit;
use crate::bindings::guard::{Guard, GuardPre};
use crate::host::{Loaded, PluginHost, StoreState, bounded, call_error, missing_export};

/// A guard component, loaded, pinned and ready: each call runs in a fresh store.
pub struct WasmGuard {
    host: PluginHost,
    name: String,
    sha256: String,
    pre: GuardPre<StoreState>,
    info: PluginInfo,
}

impl std::fmt::Debug for WasmGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmGuard")
            .field("name", &self.name)
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

impl WasmGuard {
    pub(crate) fn new(host: PluginHost, loaded: Loaded) -> Result<Self, PluginError> {
        let pre = GuardPre::new(loaded.pre).map_err(|e| PluginError::MissingExport {
            plugin: loaded.name.clone(),
            export: missing_export(&e),
        })?;
        let mut guard = WasmGuard {
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
        };
        let info = guard.call("describe", |g, store| g.call_describe(store))?;
        guard.info = PluginInfo {
            name: info.name,
            version: info.version,
            legal_basis: info.legal_basis,
            product_sets: Vec::new(),
            checks: info.checks,
        };
        Ok(guard)
    }

    /// The SHA-256 of the component.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    fn call<R>(
        &self,
        call: &str,
        f: impl FnOnce(&Guard, &mut Store<StoreState>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let mut store = self.host.store();
        store
            .set_fuel(self.host.inner.limits.fuel)
            .map_err(|e| PluginError::Load {
                plugin: self.name.clone(),
                reason: format!("{e:#}"),
            })?;
        let result = self
            .pre
            .instantiate(&mut store)
            .and_then(|instance| f(&instance, &mut store));
        result.map_err(|e| call_error(&self.host, &self.name, call, &e, &store))
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
        let result = self.call("check", |g, store| g.call_check(store, &input, check))?;
        let findings = result.map_err(|e| PluginError::Rejected {
            plugin: self.name.clone(),
            call: "check".into(),
            code: bounded(e.code),
            message: bounded(e.message),
        })?;
        Ok(findings
            .into_iter()
            .map(|f| Finding {
                blocking: f.blocking,
                code: f.code,
                message: Label {
                    vi: f.message.vi,
                    en: f.message.en,
                },
            })
            .collect())
    }
}
