//! The criteria of Decision 26/2026/QĐ-TTg (Annex II): all 26 product-set sheets and their
//! scoring rules, as an ocop scoring plugin.
//!
//! The rules are plain Rust over static tables generated at build time from the checked
//! sheets in `sheets/` (see `sheets/README.md`). The same code is compiled three ways:
//! - natively (feature `native`, the default) into [`NativeScorer`], which implements
//!   `ocop_core::plugin::Scorer`: the test oracle and the benchmark baseline;
//! - as the SDK's types (feature `sdk`): `sdk::criteria_sheet` and `sdk::score`, what another
//!   plugin builds on, e.g. a province's local variant that is stricter than the national
//!   sheet (`docs/rule-authors.md`);
//! - for `wasm32-unknown-unknown` (feature `guest`, which exports `sdk`'s functions) into the
//!   WebAssembly component the plugin host runs: `ocop plugin build plugins/criteria-26-2026`.
//!
//! # Rules
//! Total = sum of the lines; parts A/B/C at most 40/25/35. Band on the total (half-open:
//! 90-100 5★, 70-<90 4★, 50-<70 3★, 30-<50 2★, <30 1★). Star cap: the highest rank whose
//! minimum marks (`***`, `****`, `*****`) and those of every lower rank all hold. Knock-outs:
//! the sheet's "hồ sơ bị loại khi" conditions and the criteria's elimination notes, each tied
//! to a fact that must hold. Stop rules ("không đánh giá các bước tiếp theo"): when one fires,
//! every later criterion of the same part scores 0. Final stars: the lower of band and cap,
//! none when knocked out. Set 26's sections 8, 9 and 15 each choose their case (1: community
//! run, 2: run by an organisation or a person).
//!
//! # Examples
//! ```
//! # #[cfg(feature = "native")] {
//! use ocop_core::{ProductSet, plugin::Scorer};
//! use ocop_criteria_26_2026::NativeScorer;
//!
//! let scorer = NativeScorer::new();
//! let sheet = scorer.criteria(ProductSet::new(1).unwrap()).unwrap();
//! assert_eq!(sheet.parts.iter().map(|p| p.max).sum::<f64>(), 100.0);
//!
//! // Answer every criterion with its best option; the template asserts every fact.
//! let mut answers = sheet.template(None);
//! for c in &sheet.criteria {
//!     answers.answers.insert(c.id.clone(), (c.options.len() - 1) as u32);
//! }
//! let scored = scorer.score(&answers).unwrap();
//! assert_eq!(scored.evaluation.total, 100.0);
//! assert_eq!(scored.evaluation.stars.map(|s| s.get()), Some(5));
//! # }
//! ```

#![deny(unsafe_code)]

mod rules;

#[cfg(feature = "guest")]
mod guest;
#[cfg(feature = "native")]
mod native;
#[cfg(feature = "sdk")]
pub mod sdk;

#[cfg(feature = "native")]
pub use native::{NativeScorer, raw_evaluation};
pub use rules::{
    BranchDef, Centi, CriterionDef, FACTS, KnockoutDef, LEGAL_BASIS, Line, NAME, Note, OptionDef,
    Outcome, PartDef, RuleError, SectionDef, Sheet, StopDef, VERSION, alternatives, facts, score,
    sheet,
};
