//! Rendering a [`ProgrammeReport`](crate::ProgrammeReport) for people: GitHub-flavoured
//! Markdown, and one self-contained HTML page with three inline SVG charts drawn here (no
//! chart library, no external stylesheet, script, font or network access).
//!
//! Both renderings are built from the same section list, so they say the same things in the
//! same order, and both are deterministic: the same report gives the same bytes (no clock, no
//! hash-map iteration; floating-point coordinates are printed with one decimal).
//!
//! The layers, each a module:
//!
//! - [`text`]: words and numbers in the reader's language (counts, dates, percentages);
//! - [`escape`]: text made safe for HTML/XML and for Markdown;
//! - [`doc`]: the document model both back ends draw (sections of paragraphs, notes, tables
//!   and chart slots), which [`sections`] and [`follow_up`] build from the report;
//! - [`markdown`] and [`html`]: the two back ends (the page's CSS is `report.css`);
//! - [`svg`]: a small typed SVG writer and the text metrics that wrap labels;
//! - [`charts`]: the chart kit, one grouped-bar and one horizontal-bar component
//!   (`charts/grouped.rs`, `charts/hbars.rs`) with their shared frame, scale, legend and axes;
//! - [`figures`]: the report's charts, each one kit component fed from the report.

mod charts;
mod doc;
mod escape;
mod figures;
mod follow_up;
mod html;
mod markdown;
mod sections;
mod svg;
mod text;

pub use html::{render_html, render_html_body};
pub use markdown::render_markdown;
