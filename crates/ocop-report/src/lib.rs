//! The programme report a provincial OCOP office sends, and the national-database export.
//!
//! Kế hoạch 109/KH-UBND (Cần Thơ, 2024) asks the city's OCOP office for quarterly (by 10
//! March), half-yearly (by 10 June) and yearly (by 10 December) reports, and for products tied
//! to the national database. [`compute`] turns the cases of a store into a [`ProgrammeReport`]:
//! the pipeline by state, certificates by rank, product group and district/commune, new
//! certificates against the plan's [`Targets`], certificates expiring within 180 days and those
//! in their re-evaluation window, overdue cases per deadline, revocations by ground, and the
//! year's reporting dates. [`render_markdown`] and [`render_html`] (self-contained, with SVG
//! charts) print it in Vietnamese or English; [`export`] gives the certified products as
//! [`ExportRecord`]s, one JSON line each for the national database.
//!
//! # Examples
//! ```
//! use ocop_core::{Date, Lang};
//! use ocop_report::{ReportInput, Targets, compute, render_markdown};
//!
//! let targets = Targets {
//!     format: 1,
//!     basis: "Kế hoạch 109/KH-UBND".into(),
//!     year: 2024,
//!     new_three_star: 20,
//!     new_four_star: 10,
//!     new_five_star: 2,
//!     existing_to_standardise: Some(148),
//! };
//! let report = compute(&ReportInput {
//!     province: "Cần Thơ",
//!     as_of: Date::new(2024, 12, 10).unwrap(),
//!     targets: &targets,
//!     cycles: &[],
//!     cases: &[],
//! });
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
    ProgrammeReport, REPORT_FORMAT, ReportPeriod, ScoreSummary, StarCount, TargetRow, Targets,
    document_schemas,
};
pub use render::{render_html, render_markdown};
