//! The document both back ends draw: a title, header facts, and numbered sections of
//! paragraphs, notes, tables and chart slots. It holds text already in the reader's language,
//! and no markup: escaping is the back ends' job.

use ocop_core::Lang;

use super::text::fmt_count;

/// One table cell.
#[derive(Default)]
pub(super) struct Cell {
    pub(super) text: String,
    /// An identifier, shown as code.
    pub(super) code: bool,
    /// A status marker: its CSS class (`window`, `filed`, `due`).
    pub(super) badge: Option<&'static str>,
}

impl Cell {
    pub(super) fn text(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    pub(super) fn code(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            code: true,
            badge: None,
        }
    }

    /// A count, written as the reader's language writes numbers.
    pub(super) fn count(lang: Lang, n: impl Into<u64>) -> Self {
        Cell::text(fmt_count(lang, n.into()))
    }

    pub(super) fn badge(text: impl Into<String>, class: &'static str) -> Self {
        Cell {
            text: text.into(),
            code: false,
            badge: Some(class),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum RowKind {
    Plain,
    /// A heading row (a district above its communes).
    Group,
    /// A row under a heading row.
    Child,
}

pub(super) struct Row {
    pub(super) cells: Vec<Cell>,
    pub(super) kind: RowKind,
}

impl Row {
    pub(super) fn new(cells: Vec<Cell>) -> Self {
        Row {
            cells,
            kind: RowKind::Plain,
        }
    }

    /// A table's totals row: "Tổng cộng" (Total), then `cells`.
    pub(super) fn total(lang: Lang, cells: impl IntoIterator<Item = Cell>) -> Self {
        let mut all = vec![Cell::text(lang.pick("Tổng cộng", "Total"))];
        all.extend(cells);
        Row::new(all)
    }
}

pub(super) struct Column {
    pub(super) title: String,
    /// Right-aligned.
    pub(super) numeric: bool,
    /// Never wrapped (dates, ranks).
    pub(super) nowrap: bool,
}

pub(super) fn col(title: impl Into<String>) -> Column {
    Column {
        title: title.into(),
        numeric: false,
        nowrap: false,
    }
}

pub(super) fn num_col(title: impl Into<String>) -> Column {
    Column {
        title: title.into(),
        numeric: true,
        nowrap: true,
    }
}

/// A column of dates or ranks, which must not break across lines.
pub(super) fn short_col(title: impl Into<String>) -> Column {
    Column {
        title: title.into(),
        numeric: false,
        nowrap: true,
    }
}

pub(super) struct Table {
    pub(super) columns: Vec<Column>,
    pub(super) rows: Vec<Row>,
    /// A totals row.
    pub(super) total: Option<Row>,
}

#[derive(Clone, Copy)]
pub(super) enum ChartKind {
    Groups,
    Pipeline,
    Targets,
}

pub(super) enum Block {
    Para(String),
    Note(String),
    /// The section has nothing to show.
    Empty,
    Sub(String),
    Table(Table),
    /// A chart (HTML only).
    Chart(ChartKind),
}

pub(super) struct Section {
    pub(super) id: &'static str,
    pub(super) title: String,
    pub(super) blocks: Vec<Block>,
}

impl Section {
    pub(super) fn new(id: &'static str, title: impl Into<String>, blocks: Vec<Block>) -> Self {
        Section {
            id,
            title: title.into(),
            blocks,
        }
    }
}

pub(super) struct Doc {
    pub(super) title: String,
    pub(super) facts: Vec<(String, String)>,
    pub(super) sections: Vec<Section>,
}

pub(super) fn none_text(lang: Lang) -> &'static str {
    lang.pick("Không có.", "None.")
}
