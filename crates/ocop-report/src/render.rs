//! Rendering a [`ProgrammeReport`] for people: GitHub-flavoured Markdown, and one
//! self-contained HTML page with three inline SVG charts drawn here (no chart library, no
//! external stylesheet, script, font or network access).
//!
//! Both renderings are built from the same section list, so they say the same things in the
//! same order, and both are deterministic: the same report gives the same bytes (no clock, no
//! hash-map iteration; floating-point coordinates are printed with one decimal).

use ocop_core::{Date, Lang, Stars};

use crate::model::{
    AreaRow, Count, ExpiringRow, GroupRow, OverdueRow, ProgrammeReport, ReportPeriod, StarCount,
    TargetRow,
};

// ---------------------------------------------------------------------------------------------
// Words and numbers
// ---------------------------------------------------------------------------------------------

/// The text in `lang`.
fn tr(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// "1", "1.234" (Vietnamese) or "1,234" (English).
fn fmt_count(lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let sep = match lang {
        Lang::Vi => '.',
        Lang::En => ',',
    };
    let len = digits.chars().count();
    let mut out = String::with_capacity(len + len / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A signed day count with the thousands separator of `lang`.
fn fmt_signed(lang: Lang, n: i64) -> String {
    let abs = fmt_count(lang, n.unsigned_abs());
    if n < 0 { format!("-{abs}") } else { abs }
}

/// `05/12/2024` in Vietnamese, `2024-12-05` in English.
fn fmt_date(lang: Lang, d: Date) -> String {
    match lang {
        Lang::Vi => format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year()),
        Lang::En => d.to_string(),
    }
}

/// `actual` as a share of `target` with one decimal ("66,7%" / "66.7%"), or `None` when
/// there is no target. Integer arithmetic, rounded half up.
fn fmt_percent(lang: Lang, actual: u64, target: u64) -> Option<String> {
    if target == 0 {
        return None;
    }
    let tenths = actual
        .saturating_mul(1000)
        .saturating_add(target / 2)
        .checked_div(target)?;
    let sep = match lang {
        Lang::Vi => ',',
        Lang::En => '.',
    };
    Some(format!(
        "{}{sep}{}%",
        fmt_count(lang, tenths / 10),
        tenths % 10
    ))
}

/// `3★`.
fn rank(stars: Stars) -> String {
    format!("{}★", stars.get())
}

/// `n` with an English noun in the right number ("1 case", "2 cases").
fn en_plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", fmt_count(Lang::En, n))
    }
}

/// A product group's name with its Annex I numeral ("I. Thực phẩm").
fn group_name(row: &GroupRow, lang: Lang) -> String {
    format!("{}. {}", row.group.numeral(), row.label.get(lang))
}

fn sum<I: IntoIterator<Item = u32>>(values: I) -> u64 {
    values.into_iter().map(u64::from).sum()
}

// ---------------------------------------------------------------------------------------------
// Escaping
// ---------------------------------------------------------------------------------------------

/// Text for HTML or XML content and attribute values. Control characters (a newline in a
/// product name) become spaces.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Whether `rest` (the text after an `&`) would make a character reference: `name;` or
/// `#123;`.
fn starts_entity(rest: &str) -> bool {
    let body: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .collect();
    !body.is_empty() && rest.get(body.len()..).is_some_and(|r| r.starts_with(';'))
}

/// Text for Markdown (inline and table cells): the characters that would start emphasis,
/// links, code, raw HTML, strike-through or a table column are backslash-escaped, an `&` that
/// would start a character reference too, and control characters become spaces.
fn esc_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '&' if s.get(i + c.len_utf8()..).is_some_and(starts_entity) => {
                out.push_str("\\&");
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The document both renderers draw
// ---------------------------------------------------------------------------------------------

/// One table cell.
#[derive(Default)]
struct Cell {
    text: String,
    /// An identifier, shown as code.
    code: bool,
    /// A status marker: its CSS class (`window`, `filed`, `due`).
    badge: Option<&'static str>,
}

impl Cell {
    fn text(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    fn code(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            code: true,
            badge: None,
        }
    }

    fn badge(text: impl Into<String>, class: &'static str) -> Self {
        Cell {
            text: text.into(),
            code: false,
            badge: Some(class),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Plain,
    /// A heading row (a district above its communes).
    Group,
    /// A row under a heading row.
    Child,
}

struct Row {
    cells: Vec<Cell>,
    kind: RowKind,
}

impl Row {
    fn new(cells: Vec<Cell>) -> Self {
        Row {
            cells,
            kind: RowKind::Plain,
        }
    }
}

struct Column {
    title: String,
    /// Right-aligned.
    numeric: bool,
    /// Never wrapped (dates, ranks).
    nowrap: bool,
}

fn col(title: impl Into<String>) -> Column {
    Column {
        title: title.into(),
        numeric: false,
        nowrap: false,
    }
}

fn num_col(title: impl Into<String>) -> Column {
    Column {
        title: title.into(),
        numeric: true,
        nowrap: true,
    }
}

/// A column of dates or ranks, which must not break across lines.
fn short_col(title: impl Into<String>) -> Column {
    Column {
        title: title.into(),
        numeric: false,
        nowrap: true,
    }
}

struct Table {
    columns: Vec<Column>,
    rows: Vec<Row>,
    /// A totals row.
    total: Option<Row>,
}

#[derive(Clone, Copy)]
enum ChartKind {
    Groups,
    Pipeline,
    Targets,
}

enum Block {
    Para(String),
    Note(String),
    /// The section has nothing to show.
    Empty,
    Sub(String),
    Table(Table),
    /// A chart (HTML only).
    Chart(ChartKind),
}

struct Section {
    id: &'static str,
    title: String,
    blocks: Vec<Block>,
}

struct Doc {
    title: String,
    facts: Vec<(String, String)>,
    sections: Vec<Section>,
}

fn none_text(lang: Lang) -> &'static str {
    tr(lang, "Không có.", "None.")
}

fn build(r: &ProgrammeReport, lang: Lang) -> Doc {
    let heading = tr(
        lang,
        "Báo cáo tình hình thực hiện Chương trình OCOP",
        "OCOP programme implementation report",
    );
    let title = if r.province.is_empty() {
        heading.to_owned()
    } else {
        format!("{heading} — {}", r.province)
    };
    let province = if r.province.is_empty() {
        tr(
            lang,
            "(các định nghĩa chu trình không ghi tỉnh)",
            "(no definition names one)",
        )
        .to_owned()
    } else {
        r.province.clone()
    };
    let definitions = if r.definitions.is_empty() {
        tr(lang, "Không có", "None").to_owned()
    } else {
        r.definitions.join(", ")
    };
    let facts = vec![
        (
            tr(lang, "Tỉnh/thành phố", "Province/city").to_owned(),
            province,
        ),
        (
            tr(lang, "Số liệu đến ngày", "As of").to_owned(),
            fmt_date(lang, r.as_of),
        ),
        (
            tr(lang, "Năm kế hoạch", "Plan year").to_owned(),
            r.year.to_string(),
        ),
        (
            tr(lang, "Chu trình áp dụng", "Cycle definitions").to_owned(),
            definitions,
        ),
        (
            tr(lang, "Tổng số hồ sơ", "Cases in the database").to_owned(),
            fmt_count(lang, u64::from(r.cases)),
        ),
    ];
    let sections = vec![
        stars_section(r, lang),
        targets_section(r, lang),
        pipeline_section(r, lang),
        groups_section(r, lang),
        area_section(r, lang),
        expiring_section(r, lang),
        overdue_section(r, lang),
        revoked_section(r, lang),
        periods_section(r, lang),
    ];
    let sections = sections
        .into_iter()
        .enumerate()
        .map(|(i, mut s)| {
            s.title = format!("{}. {}", i + 1, s.title);
            s
        })
        .collect();
    Doc {
        title,
        facts,
        sections,
    }
}

fn stars_section(r: &ProgrammeReport, lang: Lang) -> Section {
    let mut blocks = Vec::new();
    if r.stars.is_empty() {
        blocks.push(Block::Empty);
    } else {
        let rows = r
            .stars
            .iter()
            .map(|s: &StarCount| {
                Row::new(vec![
                    Cell::text(rank(s.stars)),
                    Cell::text(fmt_count(lang, u64::from(s.certified))),
                    Cell::text(fmt_count(lang, u64::from(s.new_this_year))),
                ])
            })
            .collect();
        let total = Row::new(vec![
            Cell::text(tr(lang, "Tổng cộng", "Total")),
            Cell::text(fmt_count(lang, sum(r.stars.iter().map(|s| s.certified)))),
            Cell::text(fmt_count(
                lang,
                sum(r.stars.iter().map(|s| s.new_this_year)),
            )),
        ]);
        blocks.push(Block::Table(Table {
            columns: vec![
                short_col(tr(lang, "Hạng", "Rank")),
                num_col(tr(
                    lang,
                    "Sản phẩm có giấy chứng nhận còn hiệu lực",
                    "Products with a valid certificate",
                )),
                num_col(match lang {
                    Lang::Vi => format!("Trong đó công nhận mới năm {}", r.year),
                    Lang::En => format!("Of which certified in {}", r.year),
                }),
            ],
            rows,
            total: Some(total),
        }));
    }
    Section {
        id: "stars",
        title: tr(lang, "Sản phẩm theo hạng sao", "Products by star rank").to_owned(),
        blocks,
    }
}

fn targets_section(r: &ProgrammeReport, lang: Lang) -> Section {
    let mut blocks = Vec::new();
    if r.targets.is_empty() {
        blocks.push(Block::Empty);
    } else {
        let pct = |actual: u64, target: u64| {
            fmt_percent(lang, actual, target).unwrap_or_else(|| "—".to_owned())
        };
        let rows = r
            .targets
            .iter()
            .map(|t: &TargetRow| {
                Row::new(vec![
                    Cell::text(rank(t.stars)),
                    Cell::text(fmt_count(lang, u64::from(t.target))),
                    Cell::text(fmt_count(lang, u64::from(t.actual))),
                    Cell::text(pct(u64::from(t.actual), u64::from(t.target))),
                ])
            })
            .collect();
        let target = sum(r.targets.iter().map(|t| t.target));
        let actual = sum(r.targets.iter().map(|t| t.actual));
        let total = Row::new(vec![
            Cell::text(tr(lang, "Tổng cộng", "Total")),
            Cell::text(fmt_count(lang, target)),
            Cell::text(fmt_count(lang, actual)),
            Cell::text(pct(actual, target)),
        ]);
        blocks.push(Block::Table(Table {
            columns: vec![
                short_col(tr(lang, "Hạng", "Rank")),
                num_col(match lang {
                    Lang::Vi => format!("Chỉ tiêu năm {}", r.year),
                    Lang::En => format!("Target for {}", r.year),
                }),
                num_col(tr(lang, "Thực hiện", "Actual")),
                num_col(tr(lang, "Tỷ lệ đạt", "Achieved")),
            ],
            rows,
            total: Some(total),
        }));
        blocks.push(Block::Note(match lang {
            Lang::Vi => format!(
                "Thực hiện: số sản phẩm được công nhận mới trong năm {}. \
                 Tỷ lệ đạt = thực hiện / chỉ tiêu.",
                r.year
            ),
            Lang::En => format!(
                "Actual: products newly certified in {}. Achieved = actual / target.",
                r.year
            ),
        }));
    }
    blocks.push(Block::Chart(ChartKind::Targets));
    Section {
        id: "targets",
        title: tr(lang, "Chỉ tiêu và kết quả", "Targets and results").to_owned(),
        blocks,
    }
}

fn pipeline_section(r: &ProgrammeReport, lang: Lang) -> Section {
    let mut blocks = Vec::new();
    if r.by_state.is_empty() {
        blocks.push(Block::Empty);
    }
    blocks.push(Block::Chart(ChartKind::Pipeline));
    if !r.by_state.is_empty() {
        let rows = r
            .by_state
            .iter()
            .map(|c: &Count| {
                Row::new(vec![
                    Cell::text(c.label.get(lang)),
                    Cell::code(c.key.clone()),
                    Cell::text(fmt_count(lang, u64::from(c.count))),
                ])
            })
            .collect();
        let total = Row::new(vec![
            Cell::text(tr(lang, "Tổng cộng", "Total")),
            Cell::text(""),
            Cell::text(fmt_count(lang, sum(r.by_state.iter().map(|c| c.count)))),
        ]);
        blocks.push(Block::Table(Table {
            columns: vec![
                col(tr(lang, "Trạng thái", "State")),
                col(tr(lang, "Mã", "Id")),
                num_col(tr(lang, "Số hồ sơ", "Cases")),
            ],
            rows,
            total: Some(total),
        }));
    }
    Section {
        id: "pipeline",
        title: pipeline_title(lang).to_owned(),
        blocks,
    }
}

fn pipeline_title(lang: Lang) -> &'static str {
    tr(
        lang,
        "Hồ sơ theo trạng thái hiện tại",
        "Cases by current state",
    )
}

fn groups_section(r: &ProgrammeReport, lang: Lang) -> Section {
    let mut blocks = Vec::new();
    if r.by_group.is_empty() {
        blocks.push(Block::Empty);
    } else {
        let rows = r
            .by_group
            .iter()
            .map(|g| {
                let [three, four, five] = g.certified;
                Row::new(vec![
                    Cell::text(group_name(g, lang)),
                    Cell::text(fmt_count(lang, u64::from(g.cases))),
                    Cell::text(fmt_count(lang, u64::from(three))),
                    Cell::text(fmt_count(lang, u64::from(four))),
                    Cell::text(fmt_count(lang, u64::from(five))),
                    Cell::text(fmt_count(lang, sum(g.certified))),
                ])
            })
            .collect();
        let col_sum = |i: usize| {
            sum(r
                .by_group
                .iter()
                .filter_map(|g| g.certified.get(i).copied()))
        };
        let total = Row::new(vec![
            Cell::text(tr(lang, "Tổng cộng", "Total")),
            Cell::text(fmt_count(lang, sum(r.by_group.iter().map(|g| g.cases)))),
            Cell::text(fmt_count(lang, col_sum(0))),
            Cell::text(fmt_count(lang, col_sum(1))),
            Cell::text(fmt_count(lang, col_sum(2))),
            Cell::text(fmt_count(
                lang,
                r.by_group.iter().map(|g| sum(g.certified)).sum(),
            )),
        ]);
        blocks.push(Block::Table(Table {
            columns: vec![
                col(tr(lang, "Nhóm sản phẩm", "Product group")),
                num_col(tr(lang, "Số hồ sơ", "Cases")),
                num_col("3★"),
                num_col("4★"),
                num_col("5★"),
                num_col(tr(lang, "Tổng số được công nhận", "Certified, all ranks")),
            ],
            rows,
            total: Some(total),
        }));
        blocks.push(Block::Note(
            tr(
                lang,
                "3★/4★/5★: sản phẩm có giấy chứng nhận còn hiệu lực theo hạng.",
                "3★/4★/5★: products with a valid certificate of that rank.",
            )
            .to_owned(),
        ));
    }
    blocks.push(Block::Chart(ChartKind::Groups));
    Section {
        id: "groups",
        title: tr(lang, "Theo nhóm sản phẩm", "By product group").to_owned(),
        blocks,
    }
}

fn area_section(r: &ProgrammeReport, lang: Lang) -> Section {
    if !r.by_commune.is_empty() {
        return commune_section(r, lang);
    }
    let mut blocks = Vec::new();
    if r.by_area.is_empty() {
        blocks.push(Block::Empty);
    } else {
        let mut rows = Vec::new();
        for a in &r.by_area {
            let a: &AreaRow = a;
            rows.push(Row {
                cells: vec![
                    Cell::text(a.district.clone()),
                    Cell::text(""),
                    Cell::text(fmt_count(lang, u64::from(a.cases))),
                    Cell::text(fmt_count(lang, u64::from(a.certified))),
                ],
                kind: RowKind::Group,
            });
            for c in &a.communes {
                rows.push(Row {
                    cells: vec![
                        Cell::text(""),
                        Cell::text(c.commune.clone()),
                        Cell::text(fmt_count(lang, u64::from(c.cases))),
                        Cell::text(fmt_count(lang, u64::from(c.certified))),
                    ],
                    kind: RowKind::Child,
                });
            }
        }
        let total = Row::new(vec![
            Cell::text(tr(lang, "Tổng cộng", "Total")),
            Cell::text(""),
            Cell::text(fmt_count(lang, sum(r.by_area.iter().map(|a| a.cases)))),
            Cell::text(fmt_count(lang, sum(r.by_area.iter().map(|a| a.certified)))),
        ]);
        blocks.push(Block::Table(Table {
            columns: vec![
                col(tr(lang, "Quận/huyện", "District")),
                col(tr(lang, "Xã/phường/thị trấn", "Commune/ward")),
                num_col(tr(lang, "Số hồ sơ", "Cases")),
                num_col(tr(lang, "Được công nhận", "Certified")),
            ],
            rows,
            total: Some(total),
        }));
    }
    Section {
        id: "areas",
        title: tr(lang, "Theo huyện/xã", "By district and commune").to_owned(),
        blocks,
    }
}

/// The areas of a report dated 1 July 2025 or later: communes and wards, no districts.
fn commune_section(r: &ProgrammeReport, lang: Lang) -> Section {
    let rows = r
        .by_commune
        .iter()
        .map(|c| {
            Row::new(vec![
                Cell::text(c.commune.clone()),
                Cell::text(fmt_count(lang, u64::from(c.cases))),
                Cell::text(fmt_count(lang, u64::from(c.certified))),
            ])
        })
        .collect();
    let total = Row::new(vec![
        Cell::text(tr(lang, "Tổng cộng", "Total")),
        Cell::text(fmt_count(lang, sum(r.by_commune.iter().map(|c| c.cases)))),
        Cell::text(fmt_count(
            lang,
            sum(r.by_commune.iter().map(|c| c.certified)),
        )),
    ]);
    Section {
        id: "areas",
        title: tr(lang, "Theo xã/phường", "By commune and ward").to_owned(),
        blocks: vec![
            Block::Table(Table {
                columns: vec![
                    col(tr(lang, "Xã/phường", "Commune/ward")),
                    num_col(tr(lang, "Số hồ sơ", "Cases")),
                    num_col(tr(lang, "Được công nhận", "Certified")),
                ],
                rows,
                total: Some(total),
            }),
            Block::Note(
                tr(
                    lang,
                    "Từ ngày 01/07/2025 không còn cấp huyện: chủ thể thuộc xã/phường.",
                    "Since 1 July 2025 there are no districts: producers belong to a commune or ward.",
                )
                .to_owned(),
            ),
        ],
    }
}

fn expiring_section(r: &ProgrammeReport, lang: Lang) -> Section {
    let mut blocks = Vec::new();
    if r.expiring.is_empty() {
        blocks.push(Block::Empty);
    } else {
        let n = r.expiring.len() as u64;
        let filed = r.expiring.iter().filter(|e| e.renewal_filed).count() as u64;
        let waiting = r
            .expiring
            .iter()
            .filter(|e| e.in_renewal_window && !e.renewal_filed)
            .count() as u64;
        blocks.push(Block::Para(match lang {
            Lang::Vi => format!(
                "{} giấy chứng nhận hết hạn trong vòng 180 ngày kể từ ngày {}: \
                 {} đã nộp hồ sơ đánh giá lại; {} đang trong thời hạn nộp nhưng chưa nộp.",
                fmt_count(lang, n),
                fmt_date(lang, r.as_of),
                fmt_count(lang, filed),
                fmt_count(lang, waiting),
            ),
            Lang::En => format!(
                "{} within 180 days of {}: re-evaluation filed for {}; {} in the filing \
                 window but not yet filed.",
                if n == 1 {
                    "1 certificate expires".to_owned()
                } else {
                    format!("{} certificates expire", fmt_count(lang, n))
                },
                fmt_date(lang, r.as_of),
                fmt_count(lang, filed),
                fmt_count(lang, waiting),
            ),
        }));
        let rows = r
            .expiring
            .iter()
            .map(|e: &ExpiringRow| {
                let window = if e.in_renewal_window {
                    Cell::badge(tr(lang, "Đang trong thời hạn", "Open now"), "window")
                } else {
                    Cell::text(tr(lang, "Ngoài thời hạn", "Not open"))
                };
                let status = match (e.renewal_filed, e.in_renewal_window) {
                    (true, _) => Cell::badge(tr(lang, "Đã nộp", "Filed"), "filed"),
                    (false, true) => Cell::badge(tr(lang, "Chưa nộp", "Not filed"), "due"),
                    (false, false) => Cell::text(tr(lang, "Chưa nộp", "Not filed")),
                };
                Row::new(vec![
                    Cell::code(e.case.clone()),
                    Cell::text(e.product.clone()),
                    Cell::text(e.producer.clone()),
                    Cell::text(rank(e.stars)),
                    Cell::text(fmt_date(lang, e.expires_on)),
                    Cell::text(fmt_signed(lang, e.days_left)),
                    window,
                    status,
                ])
            })
            .collect();
        blocks.push(Block::Table(Table {
            columns: vec![
                col(tr(lang, "Hồ sơ", "Case")),
                col(tr(lang, "Sản phẩm", "Product")),
                col(tr(lang, "Chủ thể", "Producer")),
                short_col(tr(lang, "Hạng", "Rank")),
                short_col(tr(lang, "Hết hạn", "Expires")),
                num_col(tr(lang, "Còn lại (ngày)", "Days left")),
                col(tr(lang, "Thời hạn nộp đánh giá lại", "Filing window")),
                col(tr(lang, "Hồ sơ đánh giá lại", "Re-evaluation")),
            ],
            rows,
            total: None,
        }));
        blocks.push(Block::Note(
            tr(
                lang,
                "Thời hạn nộp hồ sơ đánh giá lại: từ 180 đến 120 ngày trước ngày hết hạn \
                 giấy chứng nhận.",
                "Filing window for re-evaluation: 180 to 120 days before the certificate expires.",
            )
            .to_owned(),
        ));
    }
    Section {
        id: "expiring",
        title: tr(
            lang,
            "Giấy chứng nhận sắp hết hạn (trong 180 ngày)",
            "Certificates expiring within 180 days",
        )
        .to_owned(),
        blocks,
    }
}

fn overdue_section(r: &ProgrammeReport, lang: Lang) -> Section {
    let mut blocks = Vec::new();
    if r.overdue.is_empty() {
        blocks.push(Block::Empty);
    } else {
        let n = r.overdue.iter().map(|o| o.cases.len() as u64).sum::<u64>();
        let k = r.overdue.len() as u64;
        blocks.push(Block::Para(match lang {
            Lang::Vi => format!(
                "{} hồ sơ quá hạn, theo {} loại thời hạn.",
                fmt_count(lang, n),
                fmt_count(lang, k)
            ),
            Lang::En => format!(
                "{} past {}.",
                en_plural(n, "case", "cases"),
                en_plural(k, "deadline", "deadlines")
            ),
        }));
        for o in &r.overdue {
            let o: &OverdueRow = o;
            blocks.push(Block::Sub(o.label.get(lang).to_owned()));
            let m = o.cases.len() as u64;
            blocks.push(Block::Para(match lang {
                Lang::Vi => format!(
                    "Thời hạn: {}. Số hồ sơ quá hạn: {}.",
                    o.deadline.get(lang),
                    fmt_count(lang, m)
                ),
                Lang::En => format!(
                    "Deadline: {}. Overdue cases: {}.",
                    o.deadline.get(lang),
                    fmt_count(lang, m)
                ),
            }));
            if o.cases.is_empty() {
                blocks.push(Block::Empty);
                continue;
            }
            let rows = o
                .cases
                .iter()
                .map(|c| {
                    Row::new(vec![
                        Cell::code(c.case.clone()),
                        Cell::text(c.product.clone()),
                        Cell::text(fmt_date(lang, c.due)),
                        Cell::text(fmt_signed(lang, c.days_late)),
                    ])
                })
                .collect();
            blocks.push(Block::Table(Table {
                columns: vec![
                    col(tr(lang, "Hồ sơ", "Case")),
                    col(tr(lang, "Sản phẩm", "Product")),
                    short_col(tr(lang, "Đến hạn", "Due")),
                    num_col(tr(lang, "Quá hạn (ngày)", "Days late")),
                ],
                rows,
                total: None,
            }));
        }
    }
    Section {
        id: "overdue",
        title: tr(lang, "Hồ sơ quá hạn", "Overdue cases").to_owned(),
        blocks,
    }
}

fn revoked_section(r: &ProgrammeReport, lang: Lang) -> Section {
    let mut blocks = Vec::new();
    if r.revoked.is_empty() {
        blocks.push(Block::Empty);
    } else {
        let rows = r
            .revoked
            .iter()
            .map(|c| {
                Row::new(vec![
                    Cell::text(c.label.get(lang)),
                    Cell::text(fmt_count(lang, u64::from(c.count))),
                ])
            })
            .collect();
        let total = Row::new(vec![
            Cell::text(tr(lang, "Tổng cộng", "Total")),
            Cell::text(fmt_count(lang, sum(r.revoked.iter().map(|c| c.count)))),
        ]);
        blocks.push(Block::Table(Table {
            columns: vec![
                col(tr(lang, "Căn cứ thu hồi (Điều 8.1)", "Ground (Art. 8.1)")),
                num_col(tr(lang, "Số giấy chứng nhận", "Certificates")),
            ],
            rows,
            total: Some(total),
        }));
    }
    Section {
        id: "revoked",
        title: tr(lang, "Giấy chứng nhận bị thu hồi", "Revoked certificates").to_owned(),
        blocks,
    }
}

fn periods_section(r: &ProgrammeReport, lang: Lang) -> Section {
    let mut blocks = Vec::new();
    if r.periods.is_empty() {
        blocks.push(Block::Empty);
    } else {
        let rows = r
            .periods
            .iter()
            .map(|p: &ReportPeriod| {
                let days = r.as_of.days_until(p.due);
                let status = if p.past {
                    Cell::text(tr(lang, "Đã qua", "Past"))
                } else if days == 0 {
                    Cell::badge(tr(lang, "Đến hạn hôm nay", "Due today"), "due")
                } else if days > 0 {
                    let text = match lang {
                        Lang::Vi => format!(
                            "Sắp tới (còn {} ngày)",
                            fmt_count(lang, days.unsigned_abs())
                        ),
                        Lang::En => format!(
                            "Upcoming (in {})",
                            en_plural(days.unsigned_abs(), "day", "days")
                        ),
                    };
                    Cell::badge(text, "window")
                } else {
                    Cell::badge(tr(lang, "Sắp tới", "Upcoming"), "window")
                };
                Row::new(vec![
                    Cell::text(p.label.get(lang)),
                    Cell::text(fmt_date(lang, p.due)),
                    status,
                ])
            })
            .collect();
        blocks.push(Block::Table(Table {
            columns: vec![
                col(tr(lang, "Báo cáo", "Report")),
                short_col(tr(lang, "Hạn nộp", "Due")),
                col(tr(lang, "Tình trạng", "Status")),
            ],
            rows,
            total: None,
        }));
    }
    Section {
        id: "periods",
        title: tr(lang, "Kỳ báo cáo", "Report periods").to_owned(),
        blocks,
    }
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

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

fn md_facts(out: &mut String, facts: &[(String, String)]) {
    for (k, v) in facts {
        out.push_str(&format!("- **{}:** {}\n", esc_md(k), esc_md(v)));
    }
}

fn md_cell(cell: &Cell, strong: bool) -> String {
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

fn md_table(out: &mut String, t: &Table) {
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

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

const CSS: &str = r#"*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #ffffff; color: #1b1f24; font: 15px/1.5 "DejaVu Sans", "Noto Sans", "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 1.55rem; line-height: 1.3; margin: 0 0 0.8rem; color: #0b3d6b; }
h2 { font-size: 1.2rem; margin: 2.2rem 0 0.6rem; padding-bottom: 0.25rem; border-bottom: 2px solid #0b3d6b; color: #0b3d6b; }
h3 { font-size: 1rem; margin: 1.3rem 0 0.3rem; }
p { margin: 0.4rem 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1.2rem; margin: 0 0 1rem; padding: 0.8rem 1rem; background: #f3f6f9; border-left: 4px solid #0b3d6b; }
dl.facts dt { font-weight: 600; color: #3d4650; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 0.8rem; font-size: 0.9rem; }
th, td { border: 1px solid #c9d1da; padding: 0.3rem 0.55rem; text-align: left; vertical-align: top; }
thead th { background: #e8eef5; font-weight: 600; }
th.num { text-align: right; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.nowrap, td code { white-space: nowrap; }
tr.group td { background: #f5f7fa; font-weight: 600; }
tr.child td:nth-child(2) { padding-left: 1.4rem; }
tfoot td { background: #e8eef5; font-weight: 700; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85em; color: #37414b; }
.badge { display: inline-block; padding: 0 0.45rem; border: 1px solid; border-radius: 0.7rem; font-size: 0.85em; white-space: nowrap; }
.badge.window { background: #fff4d6; border-color: #a86b00; color: #5c3b00; }
.badge.filed { background: #e2f3e8; border-color: #2c7a4b; color: #174a2c; }
.badge.due { background: #fde4e1; border-color: #b3261e; color: #7a1711; }
.none { font-style: italic; color: #505a64; }
.note { font-size: 0.85rem; color: #505a64; }
figure.chart { margin: 0.8rem 0 1.2rem; }
figure.chart figcaption { font-weight: 600; font-size: 0.9rem; margin-bottom: 0.3rem; color: #3d4650; }
svg.chart { display: block; width: 100%; max-width: 920px; height: auto; }
@page { size: A4; margin: 14mm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2, h3 { break-after: avoid; }
  tr, figure.chart, dl.facts { break-inside: avoid; }
  thead { display: table-header-group; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

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

fn html_body(out: &mut String, report: &ProgrammeReport, doc: &Doc, lang: Lang) {
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
                    let (title, svg) = match kind {
                        ChartKind::Groups => (groups_chart_title(lang), chart_groups(report, lang)),
                        ChartKind::Pipeline => {
                            (pipeline_chart_title(lang), chart_pipeline(report, lang))
                        }
                        ChartKind::Targets => {
                            (targets_chart_title(lang), chart_targets(report, lang))
                        }
                    };
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

fn html_facts(out: &mut String, facts: &[(String, String)]) {
    out.push_str("<dl class=\"facts\">\n");
    for (k, v) in facts {
        out.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", esc(k), esc(v)));
    }
    out.push_str("</dl>\n");
}

fn html_cell(out: &mut String, tag: &str, cell: &Cell, column: &Column) {
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

fn html_row(out: &mut String, row: &Row, columns: &[Column]) {
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

fn html_table(out: &mut String, t: &Table) {
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

// ---------------------------------------------------------------------------------------------
// SVG charts
// ---------------------------------------------------------------------------------------------

const CHART_FONT: &str = "DejaVu Sans, Noto Sans, Segoe UI, Roboto, Arial, sans-serif";
/// 3★, 4★, 5★.
const STAR_COLOURS: [&str; 3] = ["#5b9fd6", "#1d4f91", "#c98a0c"];
const TARGET_FILL: &str = "#c3cad3";
const TARGET_STROKE: &str = "#6b7580";
const ACTUAL_FILL: &str = "#23865f";
const PIPELINE_FILL: &str = "#2f6db3";
const GRID: &str = "#e1e6eb";
const AXIS: &str = "#59636e";
const INK: &str = "#1b1f24";
const MUTED: &str = "#47515c";

/// A coordinate with at most one decimal, without a trailing `.0`.
fn n(x: f64) -> String {
    let s = format!("{x:.1}");
    match s.strip_suffix(".0") {
        Some("-0") => "0".to_owned(),
        Some(whole) => whole.to_owned(),
        None => s,
    }
}

/// The approximate advance of `c` in ems in DejaVu Sans (a wide face, so the estimate is
/// generous for narrower fallbacks).
fn char_em(c: char) -> f64 {
    match c {
        ' ' => 0.32,
        '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'i' | 'j' | 'l' | 'I' => 0.30,
        'ì' | 'í' | 'ỉ' | 'ĩ' | 'ị' | 'Ì' | 'Í' | 'Ỉ' | 'Ĩ' | 'Ị' => 0.30,
        'f' | 't' | 'r' | '(' | ')' | '-' | '/' | '[' | ']' => 0.42,
        'm' | 'w' | 'M' | 'W' => 0.95,
        '★' | '…' | '—' => 0.85,
        c if c.is_ascii_digit() => 0.64,
        c if c.is_uppercase() => 0.72,
        _ => 0.62,
    }
}

fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(char_em).sum::<f64>() * size
}

/// Cuts `s` so that it and a trailing ellipsis fit in `max_w`.
fn ellipsize(s: &str, max_w: f64, size: f64) -> String {
    let mut t = s.to_owned();
    loop {
        let candidate = format!("{}…", t.trim_end_matches([' ', ',', ';', ':', '.', '-']));
        if t.is_empty() || text_width(&candidate, size) <= max_w {
            return candidate;
        }
        t.pop();
    }
}

/// Wraps `text` into at most `max_lines` lines of at most `max_w` (estimated) width, breaking
/// at spaces, and inside a word only when the word alone is too wide. Returns the lines and
/// whether text was cut (the last line then ends with an ellipsis).
fn wrap(text: &str, max_w: f64, size: f64, max_lines: usize) -> (Vec<String>, bool) {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let candidate = if cur.is_empty() {
            word.to_owned()
        } else {
            format!("{cur} {word}")
        };
        if text_width(&candidate, size) <= max_w {
            cur = candidate;
            continue;
        }
        if !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        for c in word.chars() {
            cur.push(c);
            if text_width(&cur, size) > max_w && cur.chars().count() > 1 {
                cur.pop();
                lines.push(std::mem::take(&mut cur));
                cur.push(c);
            }
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    let max_lines = max_lines.max(1);
    let cut = lines.len() > max_lines;
    if cut {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = ellipsize(last, max_w, size);
        }
    }
    (lines, cut)
}

/// A "nice" axis: the top of the scale and the step between ticks (1, 2 or 5 times a power of
/// ten, at most about five steps). An all-zero chart gets 0 to 5.
fn nice_scale(max: u64) -> (u64, u64) {
    if max == 0 {
        return (5, 1);
    }
    let rough = max.div_ceil(5).max(1);
    let mut mag: u64 = 1;
    while mag.saturating_mul(10) <= rough {
        mag = mag.saturating_mul(10);
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m: u64| m.saturating_mul(mag))
        .find(|s| *s >= rough)
        .unwrap_or(rough);
    let top = max.div_ceil(step).saturating_mul(step);
    (top, step)
}

/// Tick values from 0 to `top`.
fn ticks(top: u64, step: u64) -> Vec<u64> {
    let mut out = Vec::new();
    let mut t = 0;
    while t <= top {
        out.push(t);
        match t.checked_add(step.max(1)) {
            Some(next) => t = next,
            None => break,
        }
    }
    out
}

fn svg_open(out: &mut String, id: &str, w: f64, h: f64, title: &str, desc: &str) {
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"{id}\" width=\"{}\" \
         height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         font-family=\"{CHART_FONT}\" font-size=\"11\">\n",
        n(w),
        n(h),
        n(w),
        n(h)
    ));
    out.push_str(&format!(
        "<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n",
        esc(title),
        esc(desc)
    ));
    out.push_str(&format!(
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n",
        n(w),
        n(h)
    ));
}

#[derive(Clone, Copy)]
enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// One line of text; `extra` holds further attributes (already escaped).
fn svg_text(out: &mut String, x: f64, y: f64, anchor: Anchor, extra: &str, text: &str) {
    out.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{}\"{}{extra}>{}</text>\n",
        n(x),
        n(y),
        anchor.as_str(),
        if extra.is_empty() { "" } else { " " },
        esc(text)
    ));
}

/// Where and how large to set a wrapped label.
#[derive(Clone, Copy)]
struct LabelBox {
    x: f64,
    /// The vertical centre ([`svg_label`]) or the first baseline ([`svg_label_top`]).
    y: f64,
    max_w: f64,
    max_lines: usize,
    size: f64,
}

/// A wrapped label: up to `max_lines` lines centred vertically on `b.y`, in a group whose
/// `<title>` holds the full text (a tooltip when the label was cut).
fn svg_label(out: &mut String, text: &str, b: LabelBox, anchor: Anchor) {
    let (lines, _) = wrap(text, b.max_w, b.size, b.max_lines);
    let line_h = b.size * 1.2;
    let count = lines.len() as f64;
    let first = b.y - (count - 1.0) * line_h / 2.0 + b.size * 0.35;
    label_lines(out, text, &lines, b, first, anchor);
}

/// A wrapped label centred on `b.x`, its first baseline at `b.y`.
fn svg_label_top(out: &mut String, text: &str, b: LabelBox) {
    let (lines, _) = wrap(text, b.max_w, b.size, b.max_lines);
    label_lines(out, text, &lines, b, b.y, Anchor::Middle);
}

fn label_lines(
    out: &mut String,
    full: &str,
    lines: &[String],
    b: LabelBox,
    first: f64,
    anchor: Anchor,
) {
    let line_h = b.size * 1.2;
    out.push_str(&format!("<g font-size=\"{}\" fill=\"{INK}\">\n", n(b.size)));
    out.push_str(&format!("<title>{}</title>\n", esc(full)));
    for (i, line) in lines.iter().enumerate() {
        svg_text(out, b.x, first + i as f64 * line_h, anchor, "", line);
    }
    out.push_str("</g>\n");
}

/// A legend, right-aligned to `right`, with its swatches' baseline at `y`.
fn svg_legend(out: &mut String, items: &[(&str, &str, String)], right: f64, y: f64) {
    const SWATCH: f64 = 12.0;
    const SIZE: f64 = 11.0;
    let widths: Vec<f64> = items
        .iter()
        .map(|(_, _, label)| SWATCH + 5.0 + text_width(label, SIZE) + 14.0)
        .collect();
    let total: f64 = widths.iter().sum::<f64>() - 14.0;
    let mut x = right - total;
    out.push_str("<g class=\"legend\" font-size=\"11\">\n");
    for ((fill, stroke, label), w) in items.iter().zip(&widths) {
        out.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\"/>\n",
            n(x),
            n(y - SWATCH + 2.0),
            n(SWATCH),
            n(SWATCH)
        ));
        svg_text(
            out,
            x + SWATCH + 5.0,
            y,
            Anchor::Start,
            &format!("fill=\"{INK}\""),
            label,
        );
        x += w;
    }
    out.push_str("</g>\n");
}

/// A chart with nothing to draw: its title, and a framed message.
fn no_data_chart(id: &str, title: &str, lang: Lang) -> String {
    const W: f64 = 760.0;
    const H: f64 = 90.0;
    let message = tr(lang, "Không có dữ liệu", "No data");
    let mut out = String::new();
    svg_open(&mut out, id, W, H, title, message);
    out.push_str(&format!(
        "<rect x=\"1\" y=\"1\" width=\"{}\" height=\"{}\" fill=\"#f7f9fb\" stroke=\"{GRID}\" \
         stroke-dasharray=\"4 3\"/>\n",
        n(W - 2.0),
        n(H - 2.0)
    ));
    svg_text(
        &mut out,
        W / 2.0,
        H / 2.0 + 5.0,
        Anchor::Middle,
        &format!("font-size=\"14\" fill=\"{MUTED}\" font-style=\"italic\""),
        message,
    );
    out.push_str("</svg>\n");
    out
}

/// Horizontal grid lines and value ticks of a vertical-bar chart.
/// The plotting area of a vertical-bar chart.
#[derive(Clone, Copy)]
struct Plot {
    left: f64,
    right: f64,
    /// The baseline (value 0).
    base: f64,
    height: f64,
}

fn y_axis(out: &mut String, p: Plot, top: u64, step: u64, lang: Lang) {
    let Plot {
        left,
        right,
        base,
        height: plot_h,
    } = p;
    out.push_str(&format!(
        "<g class=\"axis\" font-size=\"10\" fill=\"{MUTED}\">\n"
    ));
    for t in ticks(top, step) {
        let y = base - t as f64 / top.max(1) as f64 * plot_h;
        if t > 0 {
            out.push_str(&format!(
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{GRID}\"/>\n",
                n(left),
                n(y),
                n(right),
                n(y)
            ));
        }
        svg_text(
            out,
            left - 6.0,
            y + 3.5,
            Anchor::End,
            "",
            &fmt_count(lang, t),
        );
    }
    out.push_str(&format!(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{AXIS}\"/>\n",
        n(left),
        n(base),
        n(right),
        n(base)
    ));
    out.push_str(&format!(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{AXIS}\"/>\n",
        n(left),
        n(base - plot_h),
        n(left),
        n(base)
    ));
    out.push_str("</g>\n");
}

/// One vertical bar.
struct Bar<'a> {
    x: f64,
    w: f64,
    h: f64,
    fill: &'a str,
    stroke: &'a str,
    /// Its tooltip.
    tip: String,
    /// The value printed above it.
    value: String,
}

/// A bar standing on `base`, with a tooltip and its value above it.
fn vbar(out: &mut String, base: f64, bar: Bar<'_>) {
    let Bar {
        x,
        w,
        h,
        fill,
        stroke,
        tip,
        value,
    } = bar;
    out.push_str(&format!(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\">\
         <title>{}</title></rect>\n",
        n(x),
        n(base - h),
        n(w),
        n(h),
        esc(&tip)
    ));
    svg_text(
        out,
        x + w / 2.0,
        base - h - 4.0,
        Anchor::Middle,
        &format!("font-size=\"10\" fill=\"{INK}\""),
        &value,
    );
}

fn groups_chart_title(lang: Lang) -> &'static str {
    tr(
        lang,
        "Sản phẩm được công nhận theo nhóm sản phẩm và hạng sao",
        "Certified products by product group and star rank",
    )
}

/// Chart 1: certified products per product group, 3★/4★/5★ as grouped vertical bars.
fn chart_groups(r: &ProgrammeReport, lang: Lang) -> String {
    const ID: &str = "chart-groups";
    const W: f64 = 760.0;
    const LEFT: f64 = 52.0;
    const RIGHT: f64 = 16.0;
    const TOP: f64 = 56.0;
    const PLOT_H: f64 = 220.0;
    const LABEL_SIZE: f64 = 11.0;
    const LABEL_LINES: usize = 3;
    let title = groups_chart_title(lang);
    if r.by_group.is_empty() {
        return no_data_chart(ID, title, lang);
    }
    let desc = r
        .by_group
        .iter()
        .map(|g| {
            let [a, b, c] = g.certified;
            format!("{}: 3★ {a}, 4★ {b}, 5★ {c}", group_name(g, lang))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let base = TOP + PLOT_H;
    let h = base + 14.0 + LABEL_LINES as f64 * LABEL_SIZE * 1.2 + 10.0;
    let mut out = String::new();
    svg_open(&mut out, ID, W, h, title, &desc);
    let max = r
        .by_group
        .iter()
        .flat_map(|g| g.certified)
        .max()
        .unwrap_or(0);
    let (top, step) = nice_scale(u64::from(max));
    svg_text(
        &mut out,
        LEFT - 40.0,
        22.0,
        Anchor::Start,
        &format!("font-size=\"11\" fill=\"{MUTED}\""),
        tr(lang, "Số sản phẩm được công nhận", "Certified products"),
    );
    let legend: Vec<(&str, &str, String)> = STAR_COLOURS
        .iter()
        .zip(["3★", "4★", "5★"])
        .map(|(c, l)| (*c, *c, l.to_owned()))
        .collect();
    svg_legend(&mut out, &legend, W - RIGHT, 22.0);
    let plot = Plot {
        left: LEFT,
        right: W - RIGHT,
        base,
        height: PLOT_H,
    };
    y_axis(&mut out, plot, top, step, lang);
    let plot_w = W - LEFT - RIGHT;
    let slot = plot_w / r.by_group.len() as f64;
    let gap = 3.0;
    let bar_w = ((slot * 0.78 - 2.0 * gap) / 3.0).clamp(2.0, 26.0);
    let block = 3.0 * bar_w + 2.0 * gap;
    for (i, g) in r.by_group.iter().enumerate() {
        let x0 = LEFT + i as f64 * slot;
        let name = group_name(g, lang);
        out.push_str("<g class=\"group\">\n");
        let mut x = x0 + (slot - block) / 2.0;
        for ((value, colour), label) in g.certified.iter().zip(STAR_COLOURS).zip(["3★", "4★", "5★"])
        {
            let bar_h = f64::from(*value) / top.max(1) as f64 * PLOT_H;
            vbar(
                &mut out,
                base,
                Bar {
                    x,
                    w: bar_w,
                    h: bar_h,
                    fill: colour,
                    stroke: colour,
                    tip: format!("{name} — {label}: {value}"),
                    value: fmt_count(lang, u64::from(*value)),
                },
            );
            x += bar_w + gap;
        }
        svg_label_top(
            &mut out,
            &name,
            LabelBox {
                x: x0 + slot / 2.0,
                y: base + 16.0,
                max_w: (slot - 8.0).max(12.0),
                max_lines: LABEL_LINES,
                size: LABEL_SIZE,
            },
        );
        out.push_str("</g>\n");
    }
    if max == 0 {
        all_zero_note(&mut out, LEFT + plot_w / 2.0, TOP + PLOT_H / 2.0, lang);
    }
    out.push_str("</svg>\n");
    out
}

fn all_zero_note(out: &mut String, x: f64, y: f64, lang: Lang) {
    svg_text(
        out,
        x,
        y,
        Anchor::Middle,
        &format!("font-size=\"13\" font-style=\"italic\" fill=\"{MUTED}\""),
        tr(lang, "Tất cả đều bằng 0", "All values are zero"),
    );
}

fn pipeline_chart_title(lang: Lang) -> &'static str {
    tr(
        lang,
        "Số hồ sơ theo trạng thái hiện tại",
        "Cases by current state",
    )
}

/// Chart 2: the pipeline, one horizontal bar per state in cycle order.
fn chart_pipeline(r: &ProgrammeReport, lang: Lang) -> String {
    const ID: &str = "chart-pipeline";
    const W: f64 = 760.0;
    const LABEL_LEFT: f64 = 12.0;
    const LABEL_W: f64 = 280.0;
    const BAR_X: f64 = LABEL_LEFT + LABEL_W + 12.0;
    const VALUE_ROOM: f64 = 56.0;
    const TOP: f64 = 40.0;
    const ROW_H: f64 = 32.0;
    const BAR_H: f64 = 18.0;
    const LABEL_SIZE: f64 = 11.0;
    let title = pipeline_chart_title(lang);
    if r.by_state.is_empty() {
        return no_data_chart(ID, title, lang);
    }
    let desc = r
        .by_state
        .iter()
        .map(|c| format!("{}: {}", c.label.get(lang), c.count))
        .collect::<Vec<_>>()
        .join("; ");
    let rows = r.by_state.len() as f64;
    let bottom = TOP + rows * ROW_H;
    let h = bottom + 34.0;
    let mut out = String::new();
    svg_open(&mut out, ID, W, h, title, &desc);
    let max = r.by_state.iter().map(|c| c.count).max().unwrap_or(0);
    let (top, step) = nice_scale(u64::from(max));
    let plot_w = W - BAR_X - VALUE_ROOM;
    let legend = vec![(
        PIPELINE_FILL,
        PIPELINE_FILL,
        tr(lang, "Số hồ sơ", "Cases").to_owned(),
    )];
    svg_legend(&mut out, &legend, W - 16.0, 22.0);
    svg_text(
        &mut out,
        LABEL_LEFT,
        22.0,
        Anchor::Start,
        &format!("font-size=\"11\" fill=\"{MUTED}\""),
        tr(
            lang,
            "Trạng thái (theo thứ tự chu trình)",
            "State (in cycle order)",
        ),
    );
    // Zebra stripes, then the grid, then the bars on top.
    for i in (0..r.by_state.len()).filter(|i| i % 2 == 1) {
        out.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#f4f7fa\"/>\n",
            n(LABEL_LEFT - 6.0),
            n(TOP + i as f64 * ROW_H),
            n(W - LABEL_LEFT),
            n(ROW_H)
        ));
    }
    out.push_str(&format!(
        "<g class=\"axis\" font-size=\"10\" fill=\"{MUTED}\">\n"
    ));
    for t in ticks(top, step) {
        let x = BAR_X + t as f64 / top.max(1) as f64 * plot_w;
        out.push_str(&format!(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>\n",
            n(x),
            n(TOP),
            n(x),
            n(bottom),
            if t == 0 { AXIS } else { GRID }
        ));
        svg_text(
            &mut out,
            x,
            bottom + 15.0,
            Anchor::Middle,
            "",
            &fmt_count(lang, t),
        );
    }
    out.push_str(&format!(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{AXIS}\"/>\n",
        n(BAR_X),
        n(bottom),
        n(BAR_X + plot_w),
        n(bottom)
    ));
    svg_text(
        &mut out,
        BAR_X + plot_w,
        bottom + 29.0,
        Anchor::End,
        "",
        tr(lang, "Số hồ sơ", "Cases"),
    );
    out.push_str("</g>\n");
    for (i, c) in r.by_state.iter().enumerate() {
        let cy = TOP + i as f64 * ROW_H + ROW_H / 2.0;
        let label = c.label.get(lang);
        out.push_str("<g class=\"state\">\n");
        svg_label(
            &mut out,
            label,
            LabelBox {
                x: LABEL_LEFT + LABEL_W,
                y: cy,
                max_w: LABEL_W,
                max_lines: 2,
                size: LABEL_SIZE,
            },
            Anchor::End,
        );
        let w = f64::from(c.count) / top.max(1) as f64 * plot_w;
        out.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{PIPELINE_FILL}\">\
             <title>{}</title></rect>\n",
            n(BAR_X),
            n(cy - BAR_H / 2.0),
            n(w),
            n(BAR_H),
            esc(&format!("{label}: {}", c.count))
        ));
        svg_text(
            &mut out,
            BAR_X + w + 5.0,
            cy + 4.0,
            Anchor::Start,
            &format!("font-size=\"11\" fill=\"{INK}\""),
            &fmt_count(lang, u64::from(c.count)),
        );
        out.push_str("</g>\n");
    }
    if max == 0 {
        all_zero_note(
            &mut out,
            BAR_X + plot_w / 2.0,
            TOP + rows * ROW_H / 2.0,
            lang,
        );
    }
    out.push_str("</svg>\n");
    out
}

fn targets_chart_title(lang: Lang) -> &'static str {
    tr(
        lang,
        "Sản phẩm công nhận mới so với chỉ tiêu, theo hạng sao",
        "New certificates against the targets, by star rank",
    )
}

/// Chart 3: new certificates against the plan's targets, a pair of bars per rank.
fn chart_targets(r: &ProgrammeReport, lang: Lang) -> String {
    const ID: &str = "chart-targets";
    const W: f64 = 760.0;
    const LEFT: f64 = 52.0;
    const RIGHT: f64 = 16.0;
    const TOP: f64 = 56.0;
    const PLOT_H: f64 = 200.0;
    let title = targets_chart_title(lang);
    if r.targets.is_empty() {
        return no_data_chart(ID, title, lang);
    }
    let desc = r
        .targets
        .iter()
        .map(|t| match lang {
            Lang::Vi => format!(
                "{}: chỉ tiêu {}, thực hiện {}",
                rank(t.stars),
                t.target,
                t.actual
            ),
            Lang::En => format!(
                "{}: target {}, actual {}",
                rank(t.stars),
                t.target,
                t.actual
            ),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let base = TOP + PLOT_H;
    let h = base + 46.0;
    let mut out = String::new();
    svg_open(&mut out, ID, W, h, title, &desc);
    let max = r
        .targets
        .iter()
        .flat_map(|t| [t.target, t.actual])
        .max()
        .unwrap_or(0);
    let (top, step) = nice_scale(u64::from(max));
    svg_text(
        &mut out,
        LEFT - 40.0,
        22.0,
        Anchor::Start,
        &format!("font-size=\"11\" fill=\"{MUTED}\""),
        tr(lang, "Số sản phẩm", "Products"),
    );
    let target_label = match lang {
        Lang::Vi => format!("Chỉ tiêu năm {}", r.year),
        Lang::En => format!("Target for {}", r.year),
    };
    let actual_label = tr(lang, "Thực hiện", "Actual").to_owned();
    svg_legend(
        &mut out,
        &[
            (TARGET_FILL, TARGET_STROKE, target_label.clone()),
            (ACTUAL_FILL, ACTUAL_FILL, actual_label.clone()),
        ],
        W - RIGHT,
        22.0,
    );
    let plot = Plot {
        left: LEFT,
        right: W - RIGHT,
        base,
        height: PLOT_H,
    };
    y_axis(&mut out, plot, top, step, lang);
    let plot_w = W - LEFT - RIGHT;
    let slot = plot_w / r.targets.len() as f64;
    let gap = 6.0;
    let bar_w = ((slot * 0.6 - gap) / 2.0).clamp(2.0, 44.0);
    let block = 2.0 * bar_w + gap;
    for (i, t) in r.targets.iter().enumerate() {
        let x0 = LEFT + i as f64 * slot;
        let x = x0 + (slot - block) / 2.0;
        let label = rank(t.stars);
        out.push_str("<g class=\"rank\">\n");
        let target_h = f64::from(t.target) / top.max(1) as f64 * PLOT_H;
        vbar(
            &mut out,
            base,
            Bar {
                x,
                w: bar_w,
                h: target_h,
                fill: TARGET_FILL,
                stroke: TARGET_STROKE,
                tip: format!("{label} — {target_label}: {}", t.target),
                value: fmt_count(lang, u64::from(t.target)),
            },
        );
        let actual_h = f64::from(t.actual) / top.max(1) as f64 * PLOT_H;
        vbar(
            &mut out,
            base,
            Bar {
                x: x + bar_w + gap,
                w: bar_w,
                h: actual_h,
                fill: ACTUAL_FILL,
                stroke: ACTUAL_FILL,
                tip: format!("{label} — {actual_label}: {}", t.actual),
                value: fmt_count(lang, u64::from(t.actual)),
            },
        );
        svg_text(
            &mut out,
            x0 + slot / 2.0,
            base + 17.0,
            Anchor::Middle,
            &format!("font-size=\"13\" font-weight=\"bold\" fill=\"{INK}\""),
            &label,
        );
        let achieved = match (
            fmt_percent(lang, u64::from(t.actual), u64::from(t.target)),
            lang,
        ) {
            (Some(p), Lang::Vi) => format!("Đạt {p}"),
            (Some(p), Lang::En) => format!("{p} achieved"),
            (None, _) => tr(lang, "Không có chỉ tiêu", "No target").to_owned(),
        };
        svg_label_top(
            &mut out,
            &achieved,
            LabelBox {
                x: x0 + slot / 2.0,
                y: base + 33.0,
                max_w: (slot - 6.0).max(12.0),
                max_lines: 1,
                size: 11.0,
            },
        );
        out.push_str("</g>\n");
    }
    if max == 0 {
        all_zero_note(&mut out, LEFT + plot_w / 2.0, TOP + PLOT_H / 2.0, lang);
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(fmt_count(Lang::Vi, 1_234_567), "1.234.567");
        assert_eq!(fmt_count(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(fmt_count(Lang::En, 999), "999");
        assert_eq!(fmt_percent(Lang::Vi, 14, 20).as_deref(), Some("70,0%"));
        assert_eq!(fmt_percent(Lang::En, 2, 3).as_deref(), Some("66.7%"));
        assert_eq!(fmt_percent(Lang::En, 1, 0), None);
        assert_eq!(fmt_signed(Lang::Vi, -1500), "-1.500");
    }

    #[test]
    fn markdown_escaping() {
        assert_eq!(esc_md("a|b <i>*x*</i>"), "a\\|b \\<i\\>\\*x\\*\\</i\\>");
        assert_eq!(esc_md("Tư & Con"), "Tư & Con");
        assert_eq!(esc_md("&amp; &#39;"), "\\&amp; \\&#39;");
        assert_eq!(esc_md("a\nb"), "a b");
    }

    #[test]
    fn wrapping_cuts_with_an_ellipsis() {
        let long = "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch";
        let (lines, cut) = wrap(long, 100.0, 11.0, 3);
        assert!(cut);
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| text_width(l, 11.0) <= 100.0));
        assert!(lines.last().is_some_and(|l| l.ends_with('…')));
        let (lines, cut) = wrap("Thực phẩm", 100.0, 11.0, 3);
        assert!(!cut);
        assert_eq!(lines, vec!["Thực phẩm".to_owned()]);
        let (lines, _) = wrap("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 60.0, 11.0, 2);
        assert!(lines.iter().all(|l| text_width(l, 11.0) <= 60.0));
    }

    #[test]
    fn nice_scales() {
        assert_eq!(nice_scale(0), (5, 1));
        assert_eq!(nice_scale(1), (1, 1));
        assert_eq!(nice_scale(7), (8, 2));
        assert_eq!(nice_scale(28), (30, 10));
        assert_eq!(nice_scale(77), (80, 20));
        assert_eq!(ticks(8, 2), vec![0, 2, 4, 6, 8]);
    }
}
