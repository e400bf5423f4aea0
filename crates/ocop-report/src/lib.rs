//! The programme report a provincial OCOP office sends, and the national-database export.
//!
//! Integrators depend on the `ocop` facade crate, which re-exports what they need from this
//! crate under `ocop::report` (feature `report`); this crate is one of its parts.
//!
//! Kế hoạch 109/KH-UBND (Cần Thơ, 2024) asks the city's OCOP office for quarterly (before 10
//! March), half-yearly (before 10 June) and yearly (before 10 December) reports, and for
//! products tied to the national database. [`compute`] turns the cases of a store into a
//! [`ProgrammeReport`]: the pipeline by state, certificates by rank, product group and
//! district/commune (commune or ward only from 1 July 2025), new
//! certificates against the plan's targets (from the definition's
//! [`jurisdiction`](ocop_core::definition::Jurisdiction)), certificates expiring within 180 days and those
//! in their re-evaluation window, overdue cases per deadline, revocations by ground, and the
//! year's reporting dates. [`render_markdown`] and [`render_html`] (self-contained, with SVG
//! charts) print it in Vietnamese or English; [`export`] gives the certified products as
//! [`ExportRecord`]s, one JSON line each for the national database.
//!
//! # Examples
//! ```
//! use ocop_core::{Date, Lang, load_definition};
//! use ocop_report::{ReportInput, compute, render_markdown};
//!
//! // The province and the plan's targets come from the definition's `jurisdiction`.
//! let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/can-tho-2024.toml"));
//! let cycle = load_definition("can-tho-2024.toml", text).unwrap();
//! let report = compute(&ReportInput {
//!     as_of: Date::new(2024, 12, 10).unwrap(),
//!     cycles: &[&cycle],
//!     cases: &[],
//! });
//! assert_eq!(report.province, "Cần Thơ");
//! assert_eq!(report.targets[0].target, 20);
//! assert!(render_markdown(&report, Lang::En).contains("Targets"));
//! ```

#![forbid(unsafe_code)]

mod compute;
mod model;
mod render;

pub use compute::{ReportInput, compute, export};
pub use model::{
    AreaRow, CommuneRow, Count, ExpiringRow, ExportRecord, GroupRow, OverdueCase, OverdueRow,
    ProgrammeReport, REPORT_FORMAT, ReportPeriod, ScoreSummary, StarCount, TargetRow,
    document_schemas,
};
pub use render::{render_html, render_html_body, render_markdown};
