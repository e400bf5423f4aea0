//! The OCOP domain ("Mỗi xã một sản phẩm", One Commune One Product) and the cycle-definition
//! format: what every other ocop crate builds on.
//!
//! Integrators depend on the `ocop` facade crate, which re-exports what they need from this
//! crate under `ocop::definition`, `ocop::domain` and `ocop::plugins`; this crate is one of
//! its parts.
//!
//! The root holds the few names almost every user needs ([`Definition`], [`Cycle`],
//! [`load_definition`], [`Date`], [`Lang`], [`Label`], [`ProductSet`], [`Stars`]); the rest
//! lives in one module per idea:
//!
//! - [`catalog`]: the 6 product groups, 17 groups and 26 product sets of Annex I of
//!   Decision 26/2026/QĐ-TTg.
//! - [`domain`]: the documents — [`Dossier`](domain::Dossier),
//!   [`AnswerSheet`](domain::AnswerSheet), [`Evaluation`](domain::Evaluation) (a score
//!   sheet), [`Certificate`](domain::Certificate) — with [`Stars`] and the half-open bands of
//!   Art. 3.3.
//! - [`definition`]: the cycle-definition file format, and the built-in guards and effects
//!   it may name ([`guard_specs`](definition::guard_specs)).
//! - [`validate`] and [`diagnostic`]: the validator finds every problem at once, each with a
//!   stable [`Code`](diagnostic::Code) and a `file:line:col`.
//! - [`cycle`]: the validated graph ([`Cycle`]), and its drawings.
//! - [`plugin`]: what the engine asks of scoring and guard plugins, and the pre-flight check
//!   of a definition against the plugins it pins.
//! - [`ids`], [`i18n`], [`date`], [`scoring`] (the checks on a plugin's input and output),
//!   [`schema`] (the JSON Schemas of the documents).
//!
//! This crate does no I/O beyond parsing text it is given, reads no clock and knows nothing
//! about WebAssembly.
//!
//! # Examples
//! ```
//! use ocop_core::{Lang, Stars, load_definition};
//!
//! // The band of a council's mean total (Art. 3.3): half-open intervals.
//! assert_eq!(Stars::from_total(89.9), Stars::FOUR);
//!
//! // Errors point at the file, line and key, and suggest the nearest id.
//! let text = r#"
//! format = 1
//! id = "broken"
//! version = "1"
//! label = { vi = "Hỏng", en = "Broken" }
//! legal_basis = "example"
//! calendar = "vn"
//! initial = "registraton"
//!
//! [[states]]
//! id = "registration"
//! kind = "terminal"
//! label = { vi = "Đăng ký", en = "Registration" }
//! basis = "Art. 7.1"
//! "#;
//! let err = load_definition("broken.toml", text).unwrap_err();
//! let shown = err.to_string();
//! assert!(shown.contains("broken.toml:8:1: error[missing-initial-state]"));
//! assert!(shown.contains("did you mean `registration`?"));
//! # let _ = Lang::Vi;
//! ```

#![forbid(unsafe_code)]

pub mod catalog;
pub mod cycle;
pub mod date;
pub mod definition;
pub mod diagnostic;
pub mod domain;
mod graph;
pub mod i18n;
pub mod ids;
mod load;
pub mod plugin;
mod preflight;
mod render;
pub mod schema;
pub mod scoring;
mod source;
mod specs;
mod validate;

pub use catalog::ProductSet;
pub use date::Date;
pub use definition::Definition;
pub use domain::Stars;
pub use graph::Cycle;
pub use i18n::{Label, Lang};
pub use load::{LoadError, check_definition, load_definition, parse_definition};
pub use validate::validate;
