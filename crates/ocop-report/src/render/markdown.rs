//! The Markdown back end: GitHub-flavoured Markdown with aligned tables.

use ocop_core::Lang;

use super::doc::{Block, Cell, RowKind, Table, none_text};
use super::escape::esc_md;
use super::sections::build;
use crate::model::ProgrammeReport;

/// Renders the programme report as GitHub-flavoured Markdown in `lang`: a header (province,
/// as-of date, plan year, definitions, case count), then the stars, targets against actual,
/// the pipeline by state, product groups, districts and communes, certificates expiring within
/// 180 days, overdue cases, revocations and report periods, each as a table. A section with no
/// data says so ("Không có." / "None.").
///
/// User text (product, producer, district names…) is escaped so that it cannot open a link,
/// emphasis, raw HTML or a table column. The output is deterministic.
///
/// # Examples
/// ```
/// use ocop_core::{Label, Lang, Stars};
/// use ocop_report::{ProgrammeReport, StarCount, render_markdown};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let report = ProgrammeReport {
///     format: 1,
///     province: "Cần Thơ".into(),
///     definitions: vec!["can-tho-2024".into()],
///     as_of: "2024-12-05".parse()?,
///     year: 2024,
///     cases: 3,
///     by_state: Vec::new(),
///     stars: vec![StarCount { stars: Stars::THREE, certified: 2, new_this_year: 1 }],
///     by_group: Vec::new(),
///     by_area: Vec::new(),
///     by_commune: Vec::new(),
///     targets: Vec::new(),
///     expiring: Vec::new(),
///     overdue: Vec::new(),
///     revoked: Vec::new(),
///     periods: Vec::new(),
/// };
/// let md = render_markdown(&report, Lang::Vi);
/// assert!(md.starts_with("# Báo cáo tình hình thực hiện Chương trình OCOP — Cần Thơ\n"));
/// assert!(md.contains("## 1. Sản phẩm theo hạng sao"));
/// assert!(md.contains("| 3★"));
/// assert!(md.contains("Không có.")); // the empty sections say so
///
/// let en = render_markdown(&report, Lang::En);
/// assert!(en.contains("## 1. Products by star rank"));
/// # let _ = Label::new("", "");
/// # Ok(())
/// # }
/// ```
pub fn render_markdown(report: &ProgrammeReport, lang: Lang) -> String {
    let doc = build(report, lang);
    let mut out = String::new();
    out.push_str(&format!("# {}\n\n", esc_md(&doc.title)));
    md_facts(&mut out, &doc.facts);
    for s in &doc.sections {
        out.push_str(&format!("\n## {}\n", esc_md(&s.title)));
        for b in &s.blocks {
            match b {
                Block::Para(p) => out.push_str(&format!("\n{}\n", esc_md(p))),
                Block::Note(p) => out.push_str(&format!("\n*{}*\n", esc_md(p))),
                Block::Empty => out.push_str(&format!("\n{}\n", esc_md(none_text(lang)))),
                Block::Sub(t) => out.push_str(&format!("\n### {}\n", esc_md(t))),
                Block::Table(t) => {
                    out.push('\n');
                    md_table(&mut out, t);
                }
                Block::Chart(_) => {}
            }
        }
    }
    out
}

pub(super) fn md_facts(out: &mut String, facts: &[(String, String)]) {
    for (k, v) in facts {
        out.push_str(&format!("- **{}:** {}\n", esc_md(k), esc_md(v)));
    }
}

pub(super) fn md_cell(cell: &Cell, strong: bool) -> String {
    let plain = || esc_md(&cell.text);
    let text = if cell.code
        && !cell.text.is_empty()
        && !cell.text.contains(['`', '|'])
        && !cell.text.chars().any(char::is_control)
    {
        format!("`{}`", cell.text)
    } else {
        plain()
    };
    if text.is_empty() {
        text
    } else if strong || cell.badge == Some("due") {
        format!("**{text}**")
    } else {
        text
    }
}

pub(super) fn md_table(out: &mut String, t: &Table) {
    let mut lines: Vec<Vec<String>> = Vec::new();
    lines.push(t.columns.iter().map(|c| esc_md(&c.title)).collect());
    for row in &t.rows {
        let strong = row.kind == RowKind::Group;
        lines.push(row.cells.iter().map(|c| md_cell(c, strong)).collect());
    }
    if let Some(total) = &t.total {
        lines.push(total.cells.iter().map(|c| md_cell(c, true)).collect());
    }
    let widths: Vec<usize> = t
        .columns
        .iter()
        .enumerate()
        .map(|(i, _)| {
            lines
                .iter()
                .filter_map(|l| l.get(i))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
                .max(3)
        })
        .collect();
    let write_line = |out: &mut String, cells: &[String]| {
        out.push('|');
        for ((w, c), column) in widths
            .iter()
            .zip(&t.columns)
            .enumerate()
            .map(|(i, (w, c))| ((w, cells.get(i).map(String::as_str).unwrap_or("")), c))
        {
            let pad = w.saturating_sub(c.chars().count());
            if column.numeric {
                out.push_str(&format!(" {}{c} |", " ".repeat(pad)));
            } else {
                out.push_str(&format!(" {c}{} |", " ".repeat(pad)));
            }
        }
        out.push('\n');
    };
    let mut lines = lines.into_iter();
    if let Some(head) = lines.next() {
        write_line(out, &head);
    }
    out.push('|');
    for (w, c) in widths.iter().zip(&t.columns) {
        if c.numeric {
            out.push_str(&format!(" {}: |", "-".repeat(w.saturating_sub(1))));
        } else {
            out.push_str(&format!(" {} |", "-".repeat(*w)));
        }
    }
    out.push('\n');
    for l in lines {
        write_line(out, &l);
    }
}
