//! A loaded component of either world, and the one way to call it: a fresh store with full
//! fuel per call, failures mapped to typed errors. A kept instance exists only inside the
//! crate, for the conformance checks that compare it with fresh ones.

use std::sync::Arc;

use ocop_core::{definition::PluginRuntime, plugin::PluginError};
use wasmtime::Store;
use wasmtime::component::InstancePre;

use crate::sandbox::{Limits, Sandbox, StoreState, WitVersion, call_error, missing_export};

/// A component compiled and linked, checked to import nothing it may not, ready to
/// instantiate.
#[derive(Clone)]
pub(crate) struct Loaded {
    pub(crate) name: String,
    pub(crate) sha256: String,
    pub(crate) version: WitVersion,
    /// The limits its calls run under.
    pub(crate) limits: Limits,
    /// What it may import.
    pub(crate) runtime: PluginRuntime,
    pub(crate) pre: InstancePre<StoreState>,
}

/// A WIT world: how to check a component exports it, and to instantiate it.
pub(crate) trait World {
    /// The pre-instantiated component, typed.
    type Pre: Clone;
    /// An instance.
    type Instance;
    /// Checks that the component exports the world in its version.
    fn pre(loaded: &Loaded) -> wasmtime::Result<Self::Pre>;
    /// Instantiates it in `store`.
    fn instantiate(
        pre: &Self::Pre,
        store: &mut Store<StoreState>,
    ) -> wasmtime::Result<Self::Instance>;
}

/// A component of world `W`, its identity and its sandbox.
pub(crate) struct Plugin<W: World> {
    pub(crate) sandbox: Arc<Sandbox>,
    pub(crate) name: String,
    pub(crate) sha256: String,
    pub(crate) version: WitVersion,
    pub(crate) limits: Limits,
    pub(crate) runtime: PluginRuntime,
    pre: W::Pre,
}

impl<W: World> Clone for Plugin<W> {
    fn clone(&self) -> Self {
        Plugin {
            sandbox: Arc::clone(&self.sandbox),
            name: self.name.clone(),
            sha256: self.sha256.clone(),
            version: self.version,
            limits: self.limits,
            runtime: self.runtime,
            pre: self.pre.clone(),
        }
    }
}

impl<W: World> Plugin<W> {
    /// Types the component as world `W`.
    ///
    /// # Errors
    /// [`PluginError::MissingExport`] when it does not export the world.
    pub(crate) fn new(sandbox: Arc<Sandbox>, loaded: Loaded) -> Result<Self, PluginError> {
        let pre = W::pre(&loaded).map_err(|e| PluginError::MissingExport {
            plugin: loaded.name.clone(),
            export: missing_export(&e),
        })?;
        Ok(Plugin {
            sandbox,
            name: loaded.name,
            sha256: loaded.sha256,
            version: loaded.version,
            limits: loaded.limits,
            runtime: loaded.runtime,
            pre,
        })
    }

    /// Runs `f` on a fresh instance in a fresh store with full fuel; returns its result and
    /// the fuel the call used (instantiation included).
    pub(crate) fn call<R>(
        &self,
        call: &str,
        f: impl FnOnce(&W::Instance, &mut Store<StoreState>) -> wasmtime::Result<R>,
    ) -> Result<(R, u64), PluginError> {
        let mut store = self.sandbox.store(&self.limits, self.runtime);
        self.run(&mut store, call, |store| {
            let instance = W::instantiate(&self.pre, store)?;
            // Memory the instance starts with is not growth of the call.
            store.data_mut().limiter.start_call();
            f(&instance, store)
        })
    }

    /// Runs `f` in `store` with the fuel reset, mapping failures; returns the fuel used.
    fn run<R>(
        &self,
        store: &mut Store<StoreState>,
        call: &str,
        f: impl FnOnce(&mut Store<StoreState>) -> wasmtime::Result<R>,
    ) -> Result<(R, u64), PluginError> {
        let limit = self.limits.fuel;
        store.set_fuel(limit).map_err(|e| PluginError::Load {
            plugin: self.name.clone(),
            reason: format!("{e:#}"),
        })?;
        store.data_mut().limiter.start_call();
        store.data_mut().panic = None;
        match f(store) {
            Ok(r) => {
                let left = store.get_fuel().unwrap_or(0);
                Ok((r, limit.saturating_sub(left)))
            }
            Err(e) => Err(call_error(
                &self.limits,
                self.version,
                &self.name,
                call,
                &e,
                store,
            )),
        }
    }

    /// One instance kept across calls (conformance compares it with fresh instances).
    pub(crate) fn kept(&self) -> Result<Kept<'_, W>, PluginError> {
        let mut store = self.sandbox.store(&self.limits, self.runtime);
        let (instance, _) = self.run(&mut store, "instantiate", |store| {
            W::instantiate(&self.pre, store)
        })?;
        Ok(Kept {
            plugin: self,
            store,
            instance,
            poisoned: false,
        })
    }
}

/// One instance of a [`Plugin`], called again and again.
pub(crate) struct Kept<'a, W: World> {
    plugin: &'a Plugin<W>,
    store: Store<StoreState>,
    instance: W::Instance,
    /// Whether a call failed, so the instance is refused from then on.
    pub(crate) poisoned: bool,
}

impl<W: World> Kept<'_, W> {
    /// Runs `f` on the kept instance with the fuel reset. After a failure the instance is
    /// refused: it may be inconsistent.
    pub(crate) fn call<R>(
        &mut self,
        call: &str,
        f: impl FnOnce(&W::Instance, &mut Store<StoreState>) -> wasmtime::Result<R>,
    ) -> Result<(R, u64), PluginError> {
        if self.poisoned {
            return Err(PluginError::Trapped {
                plugin: self.plugin.name.clone(),
                call: call.to_owned(),
                trap: "an earlier call on this instance failed, so it may be inconsistent".into(),
            });
        }
        let instance = &self.instance;
        let result = self
            .plugin
            .run(&mut self.store, call, |store| f(instance, store));
        self.poisoned = result.is_err();
        result
    }
}
