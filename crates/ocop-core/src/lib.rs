//! The OCOP domain ("Mỗi xã một sản phẩm", One Commune One Product) and the cycle-definition
//! format: what every other ocop crate builds on.
//!
//! Integrators depend on the `ocop` facade crate, which re-exports what they need from this
//! crate under `ocop::definition`, `ocop::domain` and `ocop::plugins`; this crate is one of
//! its parts.
//!
//! - [`catalog`](ProductSet): the 6 product groups, 17 groups and 26 product sets of
//!   Annex I of Decision 26/2026/QĐ-TTg.
//! - Documents: [`Dossier`], [`AnswerSheet`], [`Evaluation`] (a score sheet), [`Certificate`],
//!   with [`Stars`] and the half-open bands of Art. 3.3.
//! - Cycle definitions: the file format ([`Definition`]), its validator (every problem at
//!   once, each with a stable [`Code`] and a `file:line:col`), and the validated graph
//!   ([`Cycle`]).
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

mod catalog;
pub mod cycle;
mod date;
mod definition;
mod diagnostic;
mod domain;
mod graph;
mod i18n;
mod ids;
mod load;
mod plugin;
mod preflight;
mod render;
mod schema;
mod scoring;
mod source;
mod specs;
mod validate;

pub use catalog::{PRODUCT_SETS, ProductGroup, ProductSet, ProductSetInfo, SUBGROUPS, Subgroup};
pub use date::{Date, DateParseError, MonthDay};
pub use definition::{
    Aggregation, Anchor, CouncilRules, DEFINITION_FORMAT, Deadline, Definition, Effect,
    EvaluationStage, FromStates, Guard, Jurisdiction, PluginDecl, PluginKind, PluginRuntime, Role,
    Round, Rounding, SYSTEM_ROLE, Separation, State, StateKind, Transition, YearTargets,
};
pub use diagnostic::{Code, Diagnostic, Report, Severity};
pub use domain::{
    AnswerSheet, Certificate, CertificateStatus, DOCUMENT_FORMAT, Dossier, DossierDocument,
    Evaluation, EvaluationLine, Level, PartTotals, PluginRef, Producer, ProducerKind,
    RegistrationType, RevocationGround, Stars,
};
pub use graph::{Cycle, Source};
pub use i18n::{Label, Lang, UnknownLangError};
pub use ids::{
    CriterionId, DefinitionId, EvaluationId, PluginId, RoleId, RoundId, StateId, TransitionId,
};
pub use load::{LoadError, check_definition, load_definition, parse_definition, parse_document};
pub use plugin::{
    Branch, CaseView, CriteriaSheet, Criterion, CriterionOption, Fact, Finding, GuardPlugin,
    Knockout, LineNote, MemoryGrowth, Part, PluginError, PluginInfo, RawEvaluation, RawLine,
    Scored, Scorer, Section, StopRule,
};
pub use preflight::{LoadedPlugin, check_definition_with_plugins, check_plugins};
pub use render::{to_dot, to_mermaid};
pub use schema::{NamedSchema, document_schemas};
pub use scoring::{AnswerError, OutputError, ScoringInput};
pub use source::{Location, SourceMap, Syntax, SyntaxError};
pub use specs::{ParamSpec, ParamType, Spec, effect_specs, guard_specs};
pub use validate::validate;
