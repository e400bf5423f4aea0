//! The HTML back end: one self-contained page, or its body for a page with its own shell.
//!
//! Markup is written with `maud`, which escapes what it interpolates. User text goes in as
//! [`Html`], which escapes as the SVG writer does (apostrophes too, control characters as
//! spaces); the charts' SVG, already escaped by the writer, and the style sheet go in as
//! `PreEscaped`.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use ocop_core::Lang;

use super::doc::{Block, Column, Doc, Row, RowKind, Section, Table, none_text};
use super::escape::Html;
use super::figures::chart;
use super::sections::build;
use super::text::fmt_date;
use crate::model::ProgrammeReport;

/// The page's style sheet, inlined into every page [`render_html`] writes.
const CSS: &str = include_str!("report.css");

/// Renders the programme report as one self-contained HTML page in `lang` (the `lang`
/// attribute is set accordingly): the same sections as [`render_markdown`](crate::render_markdown), with inline
/// print-friendly CSS and three inline SVG charts drawn here, each with a `<title>`, a legend
/// and value labels:
///
/// 1. certified products by product group, 3★/4★/5★ as grouped bars;
/// 2. the pipeline, cases per current state, as horizontal bars;
/// 3. new certificates against the plan's targets, paired bars per rank.
///
/// Long labels are wrapped, and cut with an ellipsis when still too long, the full text then
/// being in a `<title>` tooltip. Charts with no data say so. The page loads nothing (no
/// external CSS, script, font or image), all user text is escaped, and the output is
/// deterministic.
pub fn render_html(report: &ProgrammeReport, lang: Lang) -> String {
    let doc = build(report, lang);
    html! {
        (DOCTYPE) "\n"
        html lang=(lang) {
            "\n"
            head {
                "\n"
                meta charset="utf-8"; "\n"
                meta name="viewport" content="width=device-width, initial-scale=1"; "\n"
                title { (Html(&doc.title)) " — " (Html(&fmt_date(lang, report.as_of))) } "\n"
                style { "\n" (PreEscaped(CSS)) } "\n"
            }
            "\n"
            body { "\n" main { "\n" (body(report, &doc, lang)) } "\n" }
            "\n"
        }
        "\n"
    }
    .into_string()
}

/// The report's content as [`render_html`] draws it (heading, facts, sections, tables and
/// charts), without the page around it and its style sheet, for a page that has its own
/// shell and styles. The same numbers, escaped the same way.
pub fn render_html_body(report: &ProgrammeReport, lang: Lang) -> String {
    let doc = build(report, lang);
    body(report, &doc, lang).into_string()
}

fn body(report: &ProgrammeReport, doc: &Doc, lang: Lang) -> Markup {
    let mut figure = 0;
    let sections: Vec<Markup> = doc
        .sections
        .iter()
        .map(|s| section(s, report, lang, &mut figure))
        .collect();
    html! {
        header {
            "\n"
            h1 { (Html(&doc.title)) } "\n"
            dl class="facts" {
                "\n"
                @for (k, v) in &doc.facts {
                    dt { (Html(k)) } dd { (Html(v)) } "\n"
                }
            }
            "\n"
        }
        "\n"
        @for s in &sections { (s) }
    }
}

/// A section; its charts are numbered on from `figure`.
fn section(s: &Section, report: &ProgrammeReport, lang: Lang, figure: &mut usize) -> Markup {
    let blocks: Vec<Markup> = s
        .blocks
        .iter()
        .map(|b| block(b, report, lang, figure))
        .collect();
    html! {
        section id=(s.id) aria-labelledby={ "h-" (s.id) } {
            "\n"
            h2 id={ "h-" (s.id) } { (Html(&s.title)) } "\n"
            @for b in &blocks { (b) }
        }
        "\n"
    }
}

fn block(b: &Block, report: &ProgrammeReport, lang: Lang, figure: &mut usize) -> Markup {
    match b {
        Block::Para(p) => html! { p { (Html(p)) } "\n" },
        Block::Note(p) => html! { p class="note" { (Html(p)) } "\n" },
        Block::Empty => html! { p class="none" { (Html(none_text(lang))) } "\n" },
        Block::Sub(t) => html! { h3 { (Html(t)) } "\n" },
        Block::Table(t) => table(t),
        Block::Chart(kind) => {
            *figure += 1;
            let (title, svg) = chart(*kind, report, lang);
            html! {
                figure class="chart" {
                    "\n"
                    figcaption { (Html(lang.pick("Biểu đồ", "Chart"))) " " (figure) ". " (Html(title)) }
                    "\n"
                    // The writer has escaped every text and attribute in it.
                    (PreEscaped(svg))
                }
                "\n"
            }
        }
    }
}

fn table(t: &Table) -> Markup {
    html! {
        table {
            "\n"
            thead {
                "\n"
                tr { @for c in &t.columns { th class=[class(c)] { (Html(&c.title)) } } }
                "\n"
            }
            "\n"
            tbody { "\n" @for r in &t.rows { (row(r, &t.columns)) } }
            "\n"
            @if let Some(total) = &t.total {
                tfoot { "\n" (row(total, &t.columns)) }
                "\n"
            }
        }
        "\n"
    }
}

fn row(row: &Row, columns: &[Column]) -> Markup {
    let kind = match row.kind {
        RowKind::Plain => None,
        RowKind::Group => Some("group"),
        RowKind::Child => Some("child"),
    };
    html! {
        tr class=[kind] {
            @for (c, column) in row.cells.iter().zip(columns) {
                td class=[class(column)] {
                    @match (c.code, c.badge) {
                        (_, Some(badge)) => span class={ "badge " (badge) } { (Html(&c.text)) },
                        (true, None) if !c.text.is_empty() => code { (Html(&c.text)) },
                        _ => (Html(&c.text)),
                    }
                }
            }
        }
        "\n"
    }
}

/// The class of a column's cells: right-aligned numbers, or text that must not wrap.
fn class(column: &Column) -> Option<&'static str> {
    match (column.numeric, column.nowrap) {
        (true, _) => Some("num"),
        (false, true) => Some("nowrap"),
        (false, false) => None,
    }
}
