//! What other projects' test suites use to validate OCOP cycle definitions and scoring
//! plugins: a province's integration tests, a rule author's plugin tests, an auditor
//! checking a definition before it goes live.
//!
//! - [`strategy`]: proptest strategies for definitions (valid, and with one injected
//!   [`Defect`](strategy::Defect)) and answer sheets (valid, and each class of invalid input).
//! - [`assert_definition_sound`]: checks a definition beyond static validation by exploring
//!   its graph, and prints a counterexample path on failure.
//! - [`plugins`]: plugin conformance (the checks of `ocop plugin check`) and shadow scoring.
//!
//! Only this crate's public API is needed: it re-exports the types its functions take.
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

pub mod plugins;
mod soundness;
pub mod strategy;

pub use ocop_core::{
    AnswerSheet, Code, CriteriaSheet, Cycle, Definition, Evaluation, GuardPlugin, LoadError,
    PluginError, ProductSet, Scorer, load_definition,
};
pub use soundness::{SoundnessError, Unsoundness, assert_definition_sound, check_definition_sound};
