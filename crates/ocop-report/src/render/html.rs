//! The HTML back end: one self-contained page, or its body for a page with its own shell.

use ocop_core::Lang;

use super::doc::{Block, Cell, Column, Doc, Row, RowKind, Table, none_text};
use super::escape::esc;
use super::figures::chart;
use super::sections::build;
use super::text::{fmt_date, tr};
use crate::model::ProgrammeReport;

/// The page's style sheet, inlined into every page [`render_html`] writes.
const CSS: &str = include_str!("report.css");

/// Renders the programme report as one self-contained HTML page in `lang` (the `lang`
/// attribute is set accordingly): the same sections as [`render_markdown`], with inline
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
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n");
    out.push_str(&format!("<html lang=\"{lang}\">\n<head>\n"));
    out.push_str("<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!(
        "<title>{} — {}</title>\n",
        esc(&doc.title),
        esc(&fmt_date(lang, report.as_of))
    ));
    out.push_str("<style>\n");
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n<main>\n");
    html_body(&mut out, report, &doc, lang);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The report's content as [`render_html`] draws it (heading, facts, sections, tables and
/// charts), without the page around it and its style sheet, for a page that has its own
/// shell and styles. The same numbers, escaped the same way.
pub fn render_html_body(report: &ProgrammeReport, lang: Lang) -> String {
    let doc = build(report, lang);
    let mut out = String::with_capacity(64 * 1024);
    html_body(&mut out, report, &doc, lang);
    out
}

pub(super) fn html_body(out: &mut String, report: &ProgrammeReport, doc: &Doc, lang: Lang) {
    out.push_str("<header>\n");
    out.push_str(&format!("<h1>{}</h1>\n", esc(&doc.title)));
    html_facts(out, &doc.facts);
    out.push_str("</header>\n");
    let mut figure = 0;
    for s in &doc.sections {
        out.push_str(&format!(
            "<section id=\"{}\" aria-labelledby=\"h-{}\">\n<h2 id=\"h-{}\">{}</h2>\n",
            s.id,
            s.id,
            s.id,
            esc(&s.title)
        ));
        for b in &s.blocks {
            match b {
                Block::Para(p) => out.push_str(&format!("<p>{}</p>\n", esc(p))),
                Block::Note(p) => out.push_str(&format!("<p class=\"note\">{}</p>\n", esc(p))),
                Block::Empty => {
                    out.push_str(&format!("<p class=\"none\">{}</p>\n", esc(none_text(lang))));
                }
                Block::Sub(t) => out.push_str(&format!("<h3>{}</h3>\n", esc(t))),
                Block::Table(t) => html_table(out, t),
                Block::Chart(kind) => {
                    figure += 1;
                    let (title, svg) = chart(*kind, report, lang);
                    out.push_str(&format!(
                        "<figure class=\"chart\">\n<figcaption>{} {figure}. {}</figcaption>\n",
                        tr(lang, "Biểu đồ", "Chart"),
                        esc(title)
                    ));
                    out.push_str(&svg);
                    out.push_str("</figure>\n");
                }
            }
        }
        out.push_str("</section>\n");
    }
}

pub(super) fn html_facts(out: &mut String, facts: &[(String, String)]) {
    out.push_str("<dl class=\"facts\">\n");
    for (k, v) in facts {
        out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", esc(k), esc(v)));
    }
    out.push_str("</dl>\n");
}

pub(super) fn html_cell(out: &mut String, tag: &str, cell: &Cell, column: &Column) {
    match (column.numeric, column.nowrap) {
        (true, _) => out.push_str(&format!("<{tag} class=\"num\">")),
        (false, true) => out.push_str(&format!("<{tag} class=\"nowrap\">")),
        (false, false) => out.push_str(&format!("<{tag}>")),
    }
    let text = esc(&cell.text);
    match (cell.code, cell.badge) {
        (_, Some(class)) => out.push_str(&format!("<span class=\"badge {class}\">{text}</span>")),
        (true, None) if !text.is_empty() => out.push_str(&format!("<code>{text}</code>")),
        _ => out.push_str(&text),
    }
    out.push_str(&format!("</{tag}>"));
}

pub(super) fn html_row(out: &mut String, row: &Row, columns: &[Column]) {
    match row.kind {
        RowKind::Plain => out.push_str("<tr>"),
        RowKind::Group => out.push_str("<tr class=\"group\">"),
        RowKind::Child => out.push_str("<tr class=\"child\">"),
    }
    for (cell, column) in row.cells.iter().zip(columns) {
        html_cell(out, "td", cell, column);
    }
    out.push_str("</tr>\n");
}

pub(super) fn html_table(out: &mut String, t: &Table) {
    out.push_str("<table>\n<thead>\n<tr>");
    for c in &t.columns {
        let cell = Cell::text(c.title.clone());
        html_cell(out, "th", &cell, c);
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in &t.rows {
        html_row(out, row, &t.columns);
    }
    out.push_str("</tbody>\n");
    if let Some(total) = &t.total {
        out.push_str("<tfoot>\n");
        html_row(out, total, &t.columns);
        out.push_str("</tfoot>\n");
    }
    out.push_str("</table>\n");
}
