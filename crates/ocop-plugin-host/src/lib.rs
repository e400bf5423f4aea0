//! Runs ocop plugins — WebAssembly components of the `ocop:plugin` WIT package (0.2.0, and
//! 0.1.0 adapted) — in a wasmtime sandbox, behind the engine's `ocop_core::plugin::Scorer` and
//! `ocop_core::plugin::GuardPlugin` traits.
//!
//! Integrators depend on the `ocop` facade crate, which re-exports what they need from this
//! crate under `ocop::plugins` (feature `wasm`); this crate is one of its parts.
//!
//! - **Nothing to import.** By default the linker offers one function,
//!   `diagnostics.panicked` (a write-only sink for a panic's message); a component that
//!   imports anything else (WASI included) is refused at load with
//!   [`PluginError::ForbiddenImport`]. Plugins cannot read files, clocks or randomness, so a
//!   score sheet is reproducible from the plugin's hash and its input.
//! - **Or a deterministic WASI profile**, for Python (componentize-py) and JavaScript (jco)
//!   components, whose interpreters import WASI: opted into per plugin
//!   (`runtime = "wasi-deterministic"` in the definition, [`PluginOptions`]). No files,
//!   environment, arguments, sockets or name lookup; clocks fixed at
//!   [`FIXED_WALL_CLOCK_SECONDS`] (waits return at once: time does not pass); randomness
//!   from a fixed seed; standard output and error captured, the first [`OUTPUT_CAP`] bytes
//!   kept (a trap's message carries the plugin's standard error). Only the WASI 0.2
//!   interfaces of the profile are linked; anything else is [`PluginError::ForbiddenImport`].
//!   Fuel and memory are settable per plugin (`fuel`, `memory_mib`): interpreters need about
//!   100 times a Rust plugin's fuel.
//! - **Pinned.** A plugin declared in a definition is checked against the definition's
//!   sha256 before use ([`PluginError::HashMismatch`]).
//! - **Bounded.** Each call runs on a fresh instance in a fresh store with its own fuel,
//!   memory cap and stack ([`PluginHostBuilder`]); running out becomes a typed error naming
//!   the plugin and the call and saying what happened ([`PluginError::OutOfFuel`], with the
//!   memory's growth when it kept growing; [`PluginError::MemoryLimit`];
//!   [`PluginError::StackOverflow`], also for a stack kept in linear memory;
//!   [`PluginError::Panicked`] with the panic's message; [`PluginError::Trapped`]).
//! - **Held to its own sheet.** A scoring plugin's every result is checked against the
//!   criteria sheet the same plugin publishes: stricter, never more lenient
//!   ([`PluginError::BadOutput`] naming the criterion and what was expected; see
//!   `ocop_core::plugin::CriteriaSheet::check_output`). Each product set is probed for determinism
//!   when first used ([`PluginError::Nondeterministic`]).
//! - **Compiled once.** Components are compiled once per host and, with a cache folder,
//!   once per machine: the cache is keyed by the component's sha256 and the engine's
//!   configuration.
//!
//! With the feature `build` (off by default: building plugins is a tool's job, not the
//! runtime's), `build_plugin` turns a plugin crate, or a Python or JavaScript plugin folder
//! with a `plugin.toml`, into a component, as `ocop plugin build` does. [`conformance`]
//! checks a plugin the way `ocop plugin check` does.
//!
//! # Examples
//! ```
//! use ocop_plugin_host::PluginHostBuilder;
//! use ocop_core::plugin::PluginError;
//!
//! let host = PluginHostBuilder::new().fuel(5_000_000).build()?;
//! // A component that imports anything is refused when it is loaded.
//! let wasi = wat::parse_str(r#"(component
//!     (import "wasi:cli/environment@0.2.0" (instance
//!         (export "get-arguments" (func (result (list string)))))))"#).unwrap();
//! let dir = std::env::temp_dir().join(format!("ocop-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let file = dir.join("wasi.wasm");
//! std::fs::write(&file, &wasi).unwrap();
//! let err = host.load_scorer_file(&file, None).unwrap_err();
//! assert!(matches!(err, PluginError::ForbiddenImport { .. }), "{err}");
//! # Ok::<(), PluginError>(())
//! ```

mod bindings;
#[cfg(feature = "build")]
mod build;
mod component;
pub mod conformance;
mod generator;
mod guard;
mod host;
mod legacy;
#[cfg(feature = "build")]
mod polyglot;
mod sandbox;
mod scoring;
mod wasi;

#[cfg(feature = "build")]
pub use build::{BuildError, BuiltPlugin, TARGET, build_plugin};
pub use guard::WasmGuard;
pub use host::{PluginHost, PluginHostBuilder, PluginOptions, sha256_hex};
pub use ocop_core::plugin::PluginError;
#[cfg(feature = "build")]
pub use polyglot::{COMPONENTIZE_PY, JCO, plugin_options};
pub use sandbox::{DEFAULT_FUEL, DEFAULT_MEMORY, DEFAULT_MEMORY_CEILING, DEFAULT_STACK, Limits};
pub use scoring::WasmScorer;
pub use wasi::{FIXED_WALL_CLOCK_SECONDS, OUTPUT_CAP};
