//! The sandbox every call runs in: one wasmtime engine and its limits, the state each store
//! carries (the memory limiter, the panic message), what a component may import, and how a
//! failed call becomes a [`PluginError`] that says what happened.

use std::collections::HashMap;

use ocop_core::{
    definition::PluginRuntime,
    plugin::{MemoryGrowth, PluginError},
};
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};

use crate::wasi::{self, WasiState};

/// Fuel for one call unless configured otherwise: enough for a full sheet (about 70,000 on
/// a 40-criterion sheet) a hundred times over.
pub const DEFAULT_FUEL: u64 = 10_000_000;
/// Linear memory a plugin may grow to unless configured otherwise.
pub const DEFAULT_MEMORY: usize = 64 << 20;
/// WebAssembly stack a call may use unless configured otherwise.
pub const DEFAULT_STACK: usize = 512 << 10;
/// The most linear memory a plugin may be given by its own setting unless configured
/// otherwise.
pub const DEFAULT_MEMORY_CEILING: usize = 512 << 20;

/// The limits every call runs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Fuel per call (roughly one unit per WebAssembly instruction).
    pub fuel: u64,
    /// Bytes of linear memory a plugin may grow to.
    pub memory: usize,
    /// Bytes of WebAssembly stack.
    pub stack: usize,
}

/// The WIT interface a component imports to hand over a panic's message.
pub(crate) const DIAGNOSTICS: &str = "ocop:plugin/diagnostics@0.2.0";

/// The version of the WIT package a component was built against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WitVersion {
    /// `ocop:plugin@0.1.0`: one case for the whole sheet, no facts list, no panic text.
    V0_1,
    /// `ocop:plugin@0.2.0`.
    V0_2,
}

/// One engine and the limits calls run under unless a plugin sets its own.
#[derive(Debug)]
pub(crate) struct Sandbox {
    pub(crate) engine: Engine,
    pub(crate) limits: Limits,
    /// The most linear memory any plugin may be given (each pool slot's size).
    pub(crate) memory_ceiling: usize,
}

impl Sandbox {
    pub(crate) fn new(
        limits: Limits,
        memory_ceiling: usize,
        instances: u32,
    ) -> Result<Sandbox, PluginError> {
        let memory_ceiling = memory_ceiling.max(limits.memory);
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.consume_fuel(true);
        config.max_wasm_stack(limits.stack);
        // Backtraces tell a stack overflow in linear memory from other bad accesses.
        config.wasm_backtrace_max_frames(std::num::NonZeroUsize::new(64));
        // Determinism: the same plugin and input give bit-identical results.
        config.cranelift_nan_canonicalization(true);
        config.wasm_relaxed_simd(false);
        // A Rust component is one core instance with one memory and one table; an
        // interpreter's is more (componentize-py: 14 core instances, 1 memory, 2 tables;
        // StarlingMonkey: 1, 1, 1), so the pool holds enough for every slot to be one.
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(instances)
            .total_core_instances(instances.saturating_mul(16))
            .total_memories(instances.saturating_mul(2))
            .total_tables(instances.saturating_mul(3))
            .max_core_instance_size(4 << 20)
            .max_memory_size(memory_ceiling);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config).map_err(|e| PluginError::Load {
            plugin: "(host)".into(),
            reason: format!("wasmtime refused the configuration: {e:#}"),
        })?;
        Ok(Sandbox {
            engine,
            limits,
            memory_ceiling,
        })
    }

    /// A fresh store with the memory limiter, and the deterministic WASI context when the
    /// plugin runs in that profile.
    pub(crate) fn store(&self, limits: &Limits, runtime: PluginRuntime) -> Store<StoreState> {
        let mut store = Store::new(
            &self.engine,
            StoreState {
                limiter: MemoryLimiter {
                    max: limits.memory,
                    denied: None,
                    size: 0,
                    call_start: 0,
                    growths: 0,
                },
                panic: None,
                wasi: (runtime == PluginRuntime::WasiDeterministic)
                    .then(|| Box::new(WasiState::new())),
            },
        );
        store.limiter(|s| &mut s.limiter);
        store
    }

    /// The linker for `component`, after checking what it imports: interfaces of types only
    /// (a WIT world that `use`s `types` imports it; an empty instance satisfies it),
    /// `diagnostics`, and in the [`PluginRuntime::WasiDeterministic`] profile the WASI 0.2
    /// interfaces of [`wasi::ALLOWED`]. Anything else that could be called is refused.
    /// Returns the WIT version the component was built against.
    pub(crate) fn linker(
        &self,
        name: &str,
        component: &Component,
        runtime: PluginRuntime,
    ) -> Result<(Linker<StoreState>, WitVersion), PluginError> {
        let engine = &self.engine;
        let load_err = |e: wasmtime::Error| PluginError::Load {
            plugin: name.to_owned(),
            reason: format!("{e:#}"),
        };
        let mut linker: Linker<StoreState> = Linker::new(engine);
        let mut version = None;
        let mut uses_wasi = false;
        for (import, item) in component.component_type().imports(engine) {
            if runtime == PluginRuntime::WasiDeterministic && wasi::allowed(import) {
                uses_wasi = true;
                continue;
            }
            if import == DIAGNOSTICS && is_diagnostics(engine, &item.ty) {
                linker
                    .instance(import)
                    .and_then(|mut i| {
                        i.func_wrap(
                            "panicked",
                            |mut cx: wasmtime::StoreContextMut<'_, StoreState>,
                             (message,): (String,)| {
                                cx.data_mut().panic = Some(bounded(message));
                                Ok(())
                            },
                        )
                    })
                    .map_err(load_err)?;
                continue;
            }
            let types_only = match &item.ty {
                ComponentItem::ComponentInstance(instance) => instance
                    .exports(engine)
                    .all(|(_, export)| matches!(export.ty, ComponentItem::Type(_))),
                ComponentItem::Type(_) => true,
                _ => false,
            };
            if !types_only {
                return Err(PluginError::ForbiddenImport {
                    plugin: name.to_owned(),
                    import: import.to_owned(),
                });
            }
            if let Some(v) = import.strip_prefix("ocop:plugin/types@") {
                version = Some(match v {
                    "0.1.0" => WitVersion::V0_1,
                    "0.2.0" => WitVersion::V0_2,
                    other => {
                        return Err(PluginError::Load {
                            plugin: name.to_owned(),
                            reason: format!(
                                "it is built against ocop:plugin@{other}; this host runs components of 0.1.0 and 0.2.0: upgrade ocop, or rebuild the plugin with a matching ocop-plugin-sdk"
                            ),
                        });
                    }
                });
            }
            if matches!(item.ty, ComponentItem::ComponentInstance(_)) {
                linker.instance(import).map_err(load_err)?;
            }
        }
        if uses_wasi {
            wasi::add_to_linker(&mut linker).map_err(load_err)?;
        }
        Ok((linker, version.unwrap_or(WitVersion::V0_2)))
    }
}

/// Whether an import is exactly `diagnostics`: one function `panicked`.
fn is_diagnostics(engine: &Engine, item: &ComponentItem) -> bool {
    let ComponentItem::ComponentInstance(instance) = item else {
        return false;
    };
    let exports: Vec<_> = instance.exports(engine).collect();
    matches!(exports.as_slice(), [(name, export)]
        if *name == "panicked" && matches!(export.ty, ComponentItem::ComponentFunc(_)))
}

/// The state each store carries.
#[derive(Debug)]
pub(crate) struct StoreState {
    pub(crate) limiter: MemoryLimiter,
    /// The message the plugin's panic hook handed over before it aborted.
    pub(crate) panic: Option<String>,
    /// The deterministic WASI context, in that profile.
    pub(crate) wasi: Option<Box<WasiState>>,
}

impl StoreState {
    /// What the plugin wrote to standard error, when it runs with WASI and wrote anything.
    pub(crate) fn stderr(&self) -> Option<String> {
        let text = self.wasi.as_ref()?.stderr.text();
        (!text.trim().is_empty()).then_some(text)
    }
}

impl wasmtime_wasi::WasiView for StoreState {
    fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
        // Only a component linked in the WASI profile calls this, and its store was made
        // with a context; a fresh one (same settings) is a safe answer otherwise.
        self.wasi
            .get_or_insert_with(|| Box::new(WasiState::new()))
            .view()
    }
}

/// Enforces the memory limit and records what the memory did, so that a memory-limit hit
/// (which a Rust guest reports as an `unreachable` trap when its allocator aborts) and a
/// call that kept allocating until its fuel ran out are reported truthfully.
#[derive(Debug)]
pub(crate) struct MemoryLimiter {
    pub(crate) max: usize,
    pub(crate) denied: Option<usize>,
    /// The largest memory's size, in bytes.
    pub(crate) size: usize,
    /// The size when the current call started.
    pub(crate) call_start: usize,
    /// How many times memory grew during the current call.
    pub(crate) growths: u32,
}

impl MemoryLimiter {
    /// Starts a call: clears what the previous one recorded.
    pub(crate) fn start_call(&mut self) {
        self.denied = None;
        self.call_start = self.size;
        self.growths = 0;
    }

    /// How memory grew during the call, when it grew enough, often enough, to suggest a
    /// plugin allocating without end: at least 1 MiB in at least four steps.
    fn growth(&self) -> Option<MemoryGrowth> {
        let grown = self.size.saturating_sub(self.call_start);
        (grown >= 1 << 20 && self.growths >= 4).then_some(MemoryGrowth {
            from: self.call_start as u64,
            to: self.size as u64,
            limit: self.max as u64,
        })
    }
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max {
            self.denied = Some(desired);
            return Ok(false);
        }
        self.size = self.size.max(desired);
        self.growths = self.growths.saturating_add(1);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

/// The name of the missing export in wasmtime's message (``no export `score` found``), or
/// the whole message.
pub(crate) fn missing_export(err: &wasmtime::Error) -> String {
    let text = format!("{err:#}");
    let mut parts = text.split('`');
    match (parts.next(), parts.next()) {
        (Some(_), Some(name)) if !name.is_empty() => name.to_owned(),
        _ => text,
    }
}

/// The most of a plugin's own text (error messages, panic messages) the host keeps.
pub(crate) const MAX_PLUGIN_TEXT: usize = 2_000;

/// A plugin's text, cut to [`MAX_PLUGIN_TEXT`] bytes (on a character boundary) with a note
/// of the original size.
pub(crate) fn bounded(text: String) -> String {
    if text.len() <= MAX_PLUGIN_TEXT {
        return text;
    }
    let mut end = MAX_PLUGIN_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}… (cut: the plugin sent {} bytes)",
        text.get(..end).unwrap_or_default(),
        text.len()
    )
}

/// The deepest recursion in a trap's backtrace: how many times the function that appears
/// most often is on the stack.
fn recursion_depth(err: &wasmtime::Error) -> usize {
    let Some(trace) = err.downcast_ref::<wasmtime::WasmBacktrace>() else {
        return 0;
    };
    let mut counts: HashMap<(Option<&str>, u32), usize> = HashMap::new();
    for frame in trace.frames() {
        *counts
            .entry((frame.module().name(), frame.func_index()))
            .or_default() += 1;
    }
    counts.values().copied().max().unwrap_or(0)
}

/// Maps a failed call to a typed error naming the plugin and the call.
pub(crate) fn call_error(
    limits: &Limits,
    version: WitVersion,
    plugin: &str,
    call: &str,
    err: &wasmtime::Error,
    store: &Store<StoreState>,
) -> PluginError {
    let plugin = plugin.to_owned();
    let call = call.to_owned();
    let state = store.data();
    if state.limiter.denied.is_some() {
        return PluginError::MemoryLimit {
            plugin,
            call,
            limit_bytes: limits.memory as u64,
        };
    }
    let trap = err.downcast_ref::<wasmtime::Trap>();
    if let Some(message) = &state.panic
        && !matches!(trap, Some(wasmtime::Trap::OutOfFuel))
    {
        return PluginError::Panicked {
            plugin,
            call,
            message: message.clone(),
        };
    }
    match trap {
        Some(wasmtime::Trap::OutOfFuel) => PluginError::OutOfFuel {
            plugin,
            call,
            limit: limits.fuel,
            memory: state.limiter.growth(),
        },
        Some(wasmtime::Trap::StackOverflow) => PluginError::StackOverflow {
            plugin,
            call,
            detail: None,
        },
        // A compiled language keeps its own stack in linear memory, below its data (Rust
        // puts it first); recursing past its end reads below address 0, an out-of-bounds
        // access. A function several times on the stack at that moment is a recursion.
        Some(wasmtime::Trap::MemoryOutOfBounds) if recursion_depth(err) >= 3 => {
            PluginError::StackOverflow {
                plugin,
                call,
                detail: Some(format!(
                    "a function was calling itself ({} times among the innermost calls) when the stack it keeps in linear memory ran out: deep recursion, or large local variables",
                    recursion_depth(err)
                )),
            }
        }
        Some(trap) => {
            let hint = match (trap, version) {
                (wasmtime::Trap::UnreachableCodeReached, WitVersion::V0_1) => {
                    "; a Rust plugin panics this way: rebuild it against ocop:plugin@0.2.0 (ocop-plugin-sdk) to see the panic's message"
                }
                _ => "",
            };
            PluginError::Trapped {
                plugin,
                call,
                trap: format!("{trap}{hint}{}", stderr_note(state)),
            }
        }
        None if err.downcast_ref::<wasmtime_wasi::I32Exit>().is_some() => PluginError::Trapped {
            plugin,
            call,
            trap: format!("{err:#}: the plugin called exit{}", stderr_note(state)),
        },
        // Not a trap: the host could not lift what the plugin returned (an out-of-bounds
        // list, invalid UTF-8, a bad discriminant).
        None => PluginError::BadOutput {
            plugin,
            call,
            reason: format!("{err:#}"),
        },
    }
}

/// The end of what an interpreted plugin wrote to standard error (its traceback), for a
/// trap's message.
fn stderr_note(state: &StoreState) -> String {
    let Some(text) = state.stderr() else {
        return String::new();
    };
    let text = text.trim_end();
    let mut start = text.len().saturating_sub(MAX_PLUGIN_TEXT);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!(
        "; the plugin wrote to standard error: {}",
        text.get(start..).unwrap_or_default()
    )
}
