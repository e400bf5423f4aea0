//! What a rule author depends on to write an ocop plugin: the bindings of the
//! `ocop:plugin@0.1.0` WIT package (worlds `scoring` and `guard`) and small helpers for the
//! rules every OCOP sheet shares (bands, star caps, points in hundredths).
//!
//! A plugin is a `cdylib` crate built for `wasm32-unknown-unknown` and turned into a
//! component by `ocop plugin build PATH`. It imports nothing: the host gives it no WASI and
//! no host functions, so it cannot read files, clocks or randomness, and its results are
//! reproducible from its hash and its input.
//!
//! # Examples
//! A scoring plugin implements [`scoring::Guest`] and exports it:
//! ```ignore
//! use ocop_plugin_sdk::scoring::{self, Guest};
//! use ocop_plugin_sdk::types::*;
//!
//! struct MyRules;
//! impl Guest for MyRules {
//!     fn describe() -> PluginInfo { /* ... */ }
//!     fn criteria(set: u8) -> Result<CriteriaSheet, PluginError> { /* ... */ }
//!     fn score(sheet: AnswerSheet) -> Result<Evaluation, PluginError> { /* ... */ }
//! }
//! ocop_plugin_sdk::scoring::export_scoring!(MyRules);
//! ```
//! (The full walk-through is in the README, "Write your first scoring plugin".)
//!
//! The helpers are plain Rust and run anywhere:
//! ```
//! use ocop_plugin_sdk::{band, cap, points};
//! assert_eq!(points(3), 300);
//! assert_eq!(band(points(90)), 5);
//! assert_eq!(band(8_999), 4);
//! // A failed 4-star minimum caps the rank at 3 stars.
//! assert_eq!(cap([4]), 3);
//! assert_eq!(cap([]), 5);
//! ```

#![forbid(unsafe_code)]

mod bindings;
mod rules;

pub use bindings::{guard, scoring, types};
pub use rules::{band, cap, points, stars};
