//! The host: its builder, the pins, the compile cache, and loading components from disk.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ocop_core::{
    definition::{PluginDecl, PluginKind, PluginRuntime},
    plugin::{LoadedPlugin, PluginError},
};
use sha2::{Digest, Sha256};
use wasmtime::component::Component;

use crate::component::{Loaded, Plugin};
use crate::guard::WasmGuard;
use crate::sandbox::{
    DEFAULT_FUEL, DEFAULT_MEMORY, DEFAULT_MEMORY_CEILING, DEFAULT_STACK, Limits, Sandbox,
};
use crate::scoring::WasmScorer;

/// How one plugin runs: what it may import and, when it sets them, its own fuel and memory
/// (a definition's plugin table: `runtime`, `fuel`, `memory_mib`).
///
/// # Examples
/// ```
/// use ocop_plugin_host::PluginOptions;
/// use ocop_core::definition::PluginRuntime;
///
/// let python = PluginOptions::wasi_deterministic().fuel(1_000_000_000).memory_mib(256);
/// assert_eq!(python.runtime, PluginRuntime::WasiDeterministic);
/// assert_eq!(python.memory, Some(256 << 20));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PluginOptions {
    /// What the plugin may import.
    pub runtime: PluginRuntime,
    /// Fuel per call, instead of the host's.
    pub fuel: Option<u64>,
    /// Bytes of linear memory, instead of the host's.
    pub memory: Option<usize>,
}

impl PluginOptions {
    /// The deterministic WASI profile with the host's limits.
    pub fn wasi_deterministic() -> PluginOptions {
        PluginOptions {
            runtime: PluginRuntime::WasiDeterministic,
            ..PluginOptions::default()
        }
    }

    /// What a definition's plugin table says.
    pub fn of(decl: &PluginDecl) -> PluginOptions {
        PluginOptions {
            runtime: decl.runtime,
            fuel: decl.fuel,
            memory: decl.memory_mib.map(|m| (m as usize) << 20),
        }
    }

    /// Fuel per call.
    pub fn fuel(mut self, fuel: u64) -> PluginOptions {
        self.fuel = Some(fuel);
        self
    }

    /// Linear memory, in MiB.
    pub fn memory_mib(mut self, mib: u32) -> PluginOptions {
        self.memory = Some((mib as usize) << 20);
        self
    }
}

/// Configures a [`PluginHost`].
///
/// # Examples
/// ```
/// let host = ocop_plugin_host::PluginHostBuilder::new()
///     .fuel(1_000_000)
///     .memory_limit(32 << 20)
///     .max_stack(256 << 10)
///     .build()?;
/// assert_eq!(host.limits().fuel, 1_000_000);
/// # Ok::<(), ocop_core::plugin::PluginError>(())
/// ```
#[derive(Clone, Debug)]
pub struct PluginHostBuilder {
    limits: Limits,
    cache_dir: Option<PathBuf>,
    allow_unpinned: bool,
    instances: u32,
    memory_ceiling: usize,
}

impl Default for PluginHostBuilder {
    fn default() -> Self {
        PluginHostBuilder::new()
    }
}

impl PluginHostBuilder {
    /// Default limits, no compilation cache, pinned plugins only.
    pub fn new() -> Self {
        PluginHostBuilder {
            limits: Limits {
                fuel: DEFAULT_FUEL,
                memory: DEFAULT_MEMORY,
                stack: DEFAULT_STACK,
            },
            cache_dir: None,
            allow_unpinned: false,
            instances: 64,
            memory_ceiling: DEFAULT_MEMORY_CEILING,
        }
    }

    /// Fuel per call.
    pub fn fuel(mut self, fuel: u64) -> Self {
        self.limits.fuel = fuel;
        self
    }

    /// Linear memory a plugin may grow to, in bytes.
    pub fn memory_limit(mut self, bytes: usize) -> Self {
        self.limits.memory = bytes;
        self
    }

    /// The most linear memory a plugin's own setting (`memory_mib`) may ask for, in bytes;
    /// each of the pool's slots is this large (address space, not memory in use).
    pub fn memory_ceiling(mut self, bytes: usize) -> Self {
        self.memory_ceiling = bytes;
        self
    }

    /// WebAssembly stack per call, in bytes.
    pub fn max_stack(mut self, bytes: usize) -> Self {
        self.limits.stack = bytes;
        self
    }

    /// Keep compiled components in `dir`, keyed by the component's sha256 and the engine's
    /// configuration, so later loads skip compilation.
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Accept plugins whose definition carries no sha256 (development only).
    pub fn allow_unpinned(mut self, allow: bool) -> Self {
        self.allow_unpinned = allow;
        self
    }

    /// How many plugin instances may be alive at once (the pooling allocator's slots).
    pub fn max_instances(mut self, n: u32) -> Self {
        self.instances = n.max(1);
        self
    }

    /// Creates the host.
    ///
    /// # Errors
    /// [`PluginError::Load`] when wasmtime refuses the configuration.
    pub fn build(self) -> Result<PluginHost, PluginError> {
        Ok(PluginHost {
            sandbox: Arc::new(Sandbox::new(
                self.limits,
                self.memory_ceiling,
                self.instances,
            )?),
            cache_dir: self.cache_dir,
            allow_unpinned: self.allow_unpinned,
        })
    }
}

/// Runs plugins: one wasmtime engine, its limits and its compilation cache.
///
/// A plugin may import nothing but `diagnostics` (the panic message), and in the
/// deterministic WASI profile the WASI interfaces of that profile: a component that imports
/// anything else is refused when it is loaded. Each call runs in a fresh store with its own fuel, memory limit and
/// stack.
#[derive(Clone, Debug)]
pub struct PluginHost {
    sandbox: Arc<Sandbox>,
    cache_dir: Option<PathBuf>,
    allow_unpinned: bool,
}

/// The lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl PluginHost {
    /// A host with the default limits.
    ///
    /// # Errors
    /// [`PluginError::Load`] when wasmtime refuses the configuration.
    pub fn new() -> Result<PluginHost, PluginError> {
        PluginHostBuilder::new().build()
    }

    /// The limits every call runs under.
    pub fn limits(&self) -> Limits {
        self.sandbox.limits
    }

    fn scorer(&self, loaded: Loaded) -> Result<WasmScorer, PluginError> {
        WasmScorer::new(Plugin::new(Arc::clone(&self.sandbox), loaded)?)
    }

    fn guard(&self, loaded: Loaded) -> Result<WasmGuard, PluginError> {
        WasmGuard::new(Plugin::new(Arc::clone(&self.sandbox), loaded)?)
    }

    /// Loads the scoring plugin `decl` of a definition; `base` is the folder its `path` is
    /// relative to (the definition file's folder).
    ///
    /// # Errors
    /// [`PluginError::Unpinned`], [`PluginError::HashMismatch`], [`PluginError::Load`],
    /// [`PluginError::ForbiddenImport`], [`PluginError::MissingExport`], or a failure of
    /// its `describe` call.
    pub fn load_scorer(&self, decl: &PluginDecl, base: &Path) -> Result<WasmScorer, PluginError> {
        let loaded = self.load_decl(decl, PluginKind::Scoring, base)?;
        self.scorer(loaded)
    }

    /// Loads the guard plugin `decl` of a definition, with its configuration.
    ///
    /// # Errors
    /// As [`load_scorer`](Self::load_scorer).
    pub fn load_guard(&self, decl: &PluginDecl, base: &Path) -> Result<WasmGuard, PluginError> {
        let loaded = self.load_decl(decl, PluginKind::Guard, base)?;
        self.guard(loaded)
    }

    /// Loads a scoring component from a file, pinned by `sha256` when given (a developer's
    /// `ocop score --plugin FILE`).
    ///
    /// # Errors
    /// As [`load_scorer`](Self::load_scorer).
    pub fn load_scorer_file(
        &self,
        path: &Path,
        sha256: Option<&str>,
    ) -> Result<WasmScorer, PluginError> {
        self.load_scorer_file_with(path, sha256, PluginOptions::default())
    }

    /// Loads a scoring component from a file with its own runtime and limits (an
    /// interpreted plugin: [`PluginOptions::wasi_deterministic`]).
    ///
    /// # Errors
    /// As [`load_scorer`](Self::load_scorer).
    pub fn load_scorer_file_with(
        &self,
        path: &Path,
        sha256: Option<&str>,
        options: PluginOptions,
    ) -> Result<WasmScorer, PluginError> {
        let name = plugin_name(path);
        let loaded = self.load_file(&name, path, sha256, options)?;
        self.scorer(loaded)
    }

    /// Loads a guard component from a file.
    ///
    /// # Errors
    /// As [`load_scorer`](Self::load_scorer).
    pub fn load_guard_file(
        &self,
        path: &Path,
        sha256: Option<&str>,
    ) -> Result<WasmGuard, PluginError> {
        self.load_guard_file_with(path, sha256, PluginOptions::default())
    }

    /// Loads a guard component from a file with its own runtime and limits.
    ///
    /// # Errors
    /// As [`load_scorer`](Self::load_scorer).
    pub fn load_guard_file_with(
        &self,
        path: &Path,
        sha256: Option<&str>,
        options: PluginOptions,
    ) -> Result<WasmGuard, PluginError> {
        let name = plugin_name(path);
        let loaded = self.load_file(&name, path, sha256, options)?;
        self.guard(loaded)
    }

    fn load_decl(
        &self,
        decl: &PluginDecl,
        kind: PluginKind,
        base: &Path,
    ) -> Result<Loaded, PluginError> {
        if decl.kind != kind {
            return Err(PluginError::Load {
                plugin: decl.id.to_string(),
                reason: format!("declared as {:?} but used as {kind:?}", decl.kind),
            });
        }
        let pin = (!decl.sha256.is_empty()).then_some(decl.sha256.as_str());
        if pin.is_none() && !self.allow_unpinned {
            return Err(PluginError::Unpinned {
                plugin: decl.id.to_string(),
            });
        }
        self.load_file(
            decl.id.as_str(),
            &base.join(&decl.path),
            pin,
            PluginOptions::of(decl),
        )
    }

    /// Reads, verifies, compiles (or fetches from the cache) and links a component.
    pub(crate) fn load_file(
        &self,
        name: &str,
        path: &Path,
        pin: Option<&str>,
        options: PluginOptions,
    ) -> Result<Loaded, PluginError> {
        let load_err = |reason: String| PluginError::Load {
            plugin: name.to_owned(),
            reason,
        };
        let bytes = std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => PluginError::Missing {
                plugin: name.to_owned(),
                path: path.display().to_string(),
            },
            _ => load_err(format!("cannot read `{}`: {e}", path.display())),
        })?;
        let sha256 = sha256_hex(&bytes);
        if let Some(expected) = pin
            && expected != sha256
        {
            return Err(PluginError::HashMismatch {
                plugin: name.to_owned(),
                expected: expected.to_owned(),
                found: sha256,
            });
        }
        self.load_bytes(name, &bytes, sha256, options)
    }

    pub(crate) fn load_bytes(
        &self,
        name: &str,
        bytes: &[u8],
        sha256: String,
        options: PluginOptions,
    ) -> Result<Loaded, PluginError> {
        let defaults = self.sandbox.limits;
        let limits = Limits {
            fuel: options.fuel.unwrap_or(defaults.fuel),
            memory: options.memory.unwrap_or(defaults.memory),
            stack: defaults.stack,
        };
        if limits.memory > self.sandbox.memory_ceiling {
            return Err(PluginError::Load {
                plugin: name.to_owned(),
                reason: format!(
                    "it asks for {} MiB of memory; this host gives a plugin at most {} MiB (PluginHostBuilder::memory_ceiling)",
                    limits.memory >> 20,
                    self.sandbox.memory_ceiling >> 20
                ),
            });
        }
        let component = self.compile(name, bytes, &sha256)?;
        let (linker, version) = self.sandbox.linker(name, &component, options.runtime)?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(|e| PluginError::Load {
                plugin: name.to_owned(),
                reason: format!("{e:#}"),
            })?;
        Ok(Loaded {
            name: name.to_owned(),
            sha256,
            version,
            limits,
            runtime: options.runtime,
            pre,
        })
    }

    /// Loads the plugin `decl` of a definition for checking it (`ocop validate --plugins`):
    /// from `plugins_dir` by the file name of its `path` when given, else from its `path`
    /// relative to `base`; pinned when it has a pin. A component of the other kind than
    /// declared is returned as what it is, so that the caller can say so.
    ///
    /// # Errors
    /// [`PluginError::Missing`], [`PluginError::HashMismatch`], or any load failure.
    pub fn load_declared(
        &self,
        decl: &PluginDecl,
        base: &Path,
        plugins_dir: Option<&Path>,
    ) -> Result<LoadedPlugin, PluginError> {
        let path = match plugins_dir {
            Some(dir) => dir.join(Path::new(&decl.path).file_name().unwrap_or_default()),
            None => base.join(&decl.path),
        };
        let pin = (!decl.sha256.is_empty()).then_some(decl.sha256.as_str());
        let loaded = self
            .load_file(decl.id.as_str(), &path, pin, PluginOptions::of(decl))
            .map_err(|e| match e {
                PluginError::Missing { plugin, .. } => PluginError::Missing {
                    plugin,
                    path: decl.path.clone(),
                },
                other => other,
            })?;
        let as_scorer = || {
            self.scorer(loaded.clone())
                .map(|s| LoadedPlugin::Scoring(Box::new(s)))
        };
        let as_guard = || {
            self.guard(loaded.clone())
                .map(|g| LoadedPlugin::Guard(Box::new(g)))
        };
        let (declared, other): (&dyn Fn() -> _, &dyn Fn() -> _) = match decl.kind {
            PluginKind::Scoring => (&as_scorer, &as_guard),
            PluginKind::Guard => (&as_guard, &as_scorer),
        };
        match declared() {
            Err(e @ PluginError::MissingExport { .. }) => other().map_err(|_| e),
            result => result,
        }
    }

    /// The file a compiled component is cached in.
    fn cache_file(&self, sha256: &str) -> Option<PathBuf> {
        use std::hash::{Hash, Hasher};
        let dir = self.cache_dir.as_ref()?;
        // `DefaultHasher::new()` has fixed keys: the same engine build and configuration
        // give the same key.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.sandbox
            .engine
            .precompile_compatibility_hash()
            .hash(&mut h);
        Some(dir.join(format!("{sha256}-{:016x}.cwasm", h.finish())))
    }

    fn compile(&self, name: &str, bytes: &[u8], sha256: &str) -> Result<Component, PluginError> {
        // What the file is, when it is not a component, said plainly.
        let refuse = |reason: &str| {
            Err(PluginError::Load {
                plugin: name.to_owned(),
                reason: reason.to_owned(),
            })
        };
        match bytes.get(..8) {
            // A module: version, then layer 0.
            Some([0, b'a', b's', b'm', _, _, 0, 0]) => {
                return refuse(
                    "it is a WebAssembly module, not a component: build it with `ocop plugin build`, which turns the module into a component",
                );
            }
            Some([0, b'a', b's', b'm', ..]) => {}
            _ => {
                return refuse(
                    "it is not a WebAssembly component (the file does not start with `\\0asm`): build one with `ocop plugin build`",
                );
            }
        }
        let engine = &self.sandbox.engine;
        let compile = || {
            Component::new(engine, bytes).map_err(|e| PluginError::Load {
                plugin: name.to_owned(),
                reason: format!("not a valid WebAssembly component: {e:#}"),
            })
        };
        let Some(file) = self.cache_file(sha256) else {
            return compile();
        };
        if let Ok(cached) = std::fs::read(&file) {
            // Read into memory rather than mapped: another process replacing or truncating
            // the file cannot then pull code out from under a running plugin.
            // SAFETY: the file was written by `Engine::precompile_component` of this same
            // engine configuration (the name holds its compatibility hash) in a cache folder
            // the integrator controls; wasmtime still checks the header and version.
            #[allow(unsafe_code, reason = "loading our own precompiled artifact")]
            let component = unsafe { Component::deserialize(engine, &cached) };
            if let Ok(component) = component {
                return Ok(component);
            }
            // A stale or damaged cache entry: compile again and replace it.
        }
        let serialized = engine
            .precompile_component(bytes)
            .map_err(|e| PluginError::Load {
                plugin: name.to_owned(),
                reason: format!("not a valid WebAssembly component: {e:#}"),
            })?;
        if let Some(dir) = file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        // Write atomically, so that a concurrent loader never reads half a file.
        let tmp = file.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, &serialized).is_ok() {
            let _ = std::fs::rename(&tmp, &file);
        }
        // SAFETY: `serialized` was produced just above by this engine.
        #[allow(unsafe_code, reason = "loading the artifact this engine just produced")]
        let component = unsafe { Component::deserialize(engine, &serialized) };
        component.map_err(|e| PluginError::Load {
            plugin: name.to_owned(),
            reason: format!("{e:#}"),
        })
    }
}

fn plugin_name(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("plugin")
        .replace('_', "-")
}
