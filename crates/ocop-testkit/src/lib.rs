//! What other projects' test suites use to validate OCOP cycle definitions, transitions and
//! scoring plugins: a province's integration tests, a rule author's plugin tests, an auditor
//! checking a definition before it goes live.
//!
//! - [`strategy`]: proptest strategies for definitions (valid, and with one injected
//!   [`Defect`](strategy::Defect)), answer sheets (valid, and each class of invalid input),
//!   actors with the roles of a cycle, and command sequences ([`Step`](strategy::Step)s)
//!   that respect or deliberately break the rules.
//! - [`assert_definition_sound`]: checks a definition beyond static validation by exploring
//!   its graph, and prints a counterexample path on failure.
//! - [`TransitionHarness`] / [`check_transitions`] / [`assert_transitions_conform`]: drive a
//!   real [`Engine`] on any [`Store`] with generated command sequences and check the
//!   engine's invariants after every step; a violation comes with the steps that led to it,
//!   which proptest shrinks to a minimal failing sequence. [`CaseInvariants`] are the
//!   checks on a case's stored history alone, for a test that drives the engine itself.
//! - [`plugins`]: plugin conformance (the checks of `ocop plugin check`; feature `wasm`,
//!   on by default) and shadow scoring.
//!
//! Features (both on by default): `wasm` brings the plugin host (wasmtime) for plugin
//! conformance; `sqlite` re-exports the embedded SQLite store. A suite that checks only
//! definitions and transitions depends on `ocop-testkit` with `default-features = false`
//! and compiles no wasmtime.
//! - [`time`]: a [`ManualClock`] and helpers that jump from deadline to deadline.
//!
//! Only this crate's public API is needed: it re-exports the engine, the stores, the plugin
//! host and the domain types its functions take, so a test suite depends on `ocop-testkit`
//! (and proptest) alone.
//!
//! # Examples
//! ```
//! use ocop_testkit::{assert_definition_sound, load_definition};
//!
//! let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")).unwrap();
//! let cycle = load_definition("national-2026.toml", &text).unwrap();
//! assert_definition_sound(cycle.definition());
//! ```

#![forbid(unsafe_code)]

pub mod golden;
pub mod plugins;
mod soundness;
pub mod strategy;
pub mod time;
pub mod transitions;

pub use ocop_core::{
    Cycle, Date, Definition, LoadError, ProductSet, Stars,
    definition::PluginDecl,
    diagnostic::Code,
    domain::{AnswerSheet, DossierDocument, Evaluation, Producer, ProducerKind, RegistrationType},
    ids::{DefinitionId, PluginId, StateId, TransitionId},
    load_definition,
    plugin::{CriteriaSheet, GuardPlugin, PluginError, Scorer},
};
pub use ocop_engine::store::{Append, DueEntry, Snapshot, StoredDefinition};
pub use ocop_engine::{
    Action, Actor, BuildError, Calendar, Case, CaseId, CaseSummary, Clock, Command, CommandError,
    CouncilMember, DueDate, Engine, EngineBuilder, Event, EventBody, FiredTimeout,
    IdempotencyRecord, ManualClock, MemoryStore, OpenCase, Product, Projector, Recorded,
    RetryPolicy, Store, StoreError, TickFailure, TickReport, Timestamp, TransitionInput, replay,
    verify,
};
#[cfg(feature = "sqlite")]
pub use ocop_engine::{SqliteStore, SqliteStoreBuilder, Synchronous};
#[cfg(feature = "wasm")]
pub use ocop_plugin_host::{
    BuildError as PluginBuildError, BuiltPlugin, PluginHost, PluginHostBuilder, WasmGuard,
    WasmScorer, build_plugin,
};
pub use soundness::{
    SoundnessError, Unsoundness, assert_definition_sound, check_definition_sound, decision_exits,
};
pub use transitions::{
    CaseInvariants, Stats, StuckError, TransitionHarness, TransitionViolation,
    assert_transitions_conform, check_transitions,
};
