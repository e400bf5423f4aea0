//! What a rule author depends on to write an ocop plugin: the bindings of the
//! `ocop:plugin@0.2.0` WIT package (worlds `scoring` and `guard`, one set of shared
//! [`types`]), the panic hook that carries a panic's message to the host, a reader for a
//! guard's configuration ([`config::Config`]) and the rules every OCOP sheet shares (bands,
//! star caps and minimum marks, points in hundredths).
//!
//! # The plugin crate
//! A plugin is an ordinary library crate; leave its crate type at the default (`rlib`).
//! `ocop plugin build PATH` compiles it for `wasm32-unknown-unknown` as a `cdylib` itself
//! (`cargo rustc --crate-type cdylib`), turns the module into a component and prints its
//! sha256. Depend on the SDK by path or git:
//! ```toml
//! [dependencies]
//! ocop-plugin-sdk = { path = "/path/to/ocop/crates/ocop-plugin-sdk" }
//! # or: ocop-plugin-sdk = { git = "https://example.invalid/ocop" }
//! ```
//!
//! A plugin imports nothing but the SDK's panic hook: the host gives it no WASI and no other
//! host function, so it cannot read files, clocks or randomness, and its results are
//! reproducible from its hash and its input.
//!
//! # What the host checks
//! The host holds every evaluation to the criteria sheet the same plugin publishes:
//! stricter, never more lenient. Each line scores exactly the option answered (0 on a case
//! its section did not choose, or after a stop rule that fired), notes say which minimum a
//! line misses ([`below_minimum`]), sums and band follow from the lines, the cap is at most
//! what the star marks give ([`cap`]), every knock-out whose fact does not hold is listed,
//! and the stars are the lower of band and cap ([`stars`]). Anything else is refused as a
//! bad output naming the criterion. The WIT file's header lists the checks in full.
//!
//! # Examples
//! A scoring plugin implements [`scoring::Guest`] and exports it:
//! ```ignore
//! use ocop_plugin_sdk::scoring::{Guest, export_scoring};
//! use ocop_plugin_sdk::types::*;
//!
//! struct MyRules;
//! impl Guest for MyRules {
//!     fn describe() -> PluginInfo { /* ... */ }
//!     fn criteria(set: u8) -> Result<CriteriaSheet, PluginError> { /* ... */ }
//!     fn score(sheet: AnswerSheet) -> Result<Evaluation, PluginError> { /* ... */ }
//! }
//! export_scoring!(MyRules);
//! ```
//! A guard plugin implements [`guard::Guest`] with the same [`types`] and exports it with
//! `export_guard!`. Walk-throughs from an empty folder (a scoring plugin, a guard, a local
//! variant of a national sheet) are in the repository's `docs/rule-authors.md`.
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
pub mod config;
pub mod panic;
mod rules;

pub use bindings::{guard, scoring, types};
pub use rules::{band, below_minimum, cap, points, stars};
