//! The report's header and its programme sections: stars, targets, pipeline, product
//! groups, and districts with their communes.

use ocop_core::Lang;

use super::doc::{
    Block, Cell, ChartKind, Doc, Row, RowKind, Section, Table, col, num_col, short_col,
};
use super::follow_up::{expiring_section, overdue_section, periods_section, revoked_section};
use super::text::{fmt_count, fmt_date, fmt_percent, group_name, rank, sum};
use crate::model::{AreaRow, Count, ProgrammeReport, StarCount, TargetRow};

pub(super) fn build(r: &ProgrammeReport, lang: Lang) -> Doc {
    let heading = lang.pick(
        "Báo cáo tình hình thực hiện Chương trình OCOP",
        "OCOP programme implementation report",
    );
    let title = if r.province.is_empty() {
        heading.to_owned()
    } else {
        format!("{heading} — {}", r.province)
    };
    let province = if r.province.is_empty() {
        lang.pick(
            "(các định nghĩa chu trình không ghi tỉnh)",
            "(no definition names one)",
        )
        .to_owned()
    } else {
        r.province.clone()
    };
    let definitions = if r.definitions.is_empty() {
        lang.pick("Không có", "None").to_owned()
    } else {
        r.definitions.join(", ")
    };
    let facts = vec![
        (
            lang.pick("Tỉnh/thành phố", "Province/city").to_owned(),
            province,
        ),
        (
            lang.pick("Số liệu đến ngày", "As of").to_owned(),
            fmt_date(lang, r.as_of),
        ),
        (
            lang.pick("Năm kế hoạch", "Plan year").to_owned(),
            r.year.to_string(),
        ),
        (
            lang.pick("Chu trình áp dụng", "Cycle definitions")
                .to_owned(),
            definitions,
        ),
        (
            lang.pick("Tổng số hồ sơ", "Cases in the database")
                .to_owned(),
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

pub(super) fn stars_section(r: &ProgrammeReport, lang: Lang) -> Section {
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
                    Cell::count(lang, s.certified),
                    Cell::count(lang, s.new_this_year),
                ])
            })
            .collect();
        let total = Row::total(
            lang,
            [
                Cell::count(lang, sum(r.stars.iter().map(|s| s.certified))),
                Cell::count(lang, sum(r.stars.iter().map(|s| s.new_this_year))),
            ],
        );
        blocks.push(Block::Table(Table {
            columns: vec![
                short_col(lang.pick("Hạng", "Rank")),
                num_col(lang.pick(
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
    Section::new(
        "stars",
        lang.pick("Sản phẩm theo hạng sao", "Products by star rank"),
        blocks,
    )
}

pub(super) fn targets_section(r: &ProgrammeReport, lang: Lang) -> Section {
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
                    Cell::count(lang, t.target),
                    Cell::count(lang, t.actual),
                    Cell::text(pct(u64::from(t.actual), u64::from(t.target))),
                ])
            })
            .collect();
        let target = sum(r.targets.iter().map(|t| t.target));
        let actual = sum(r.targets.iter().map(|t| t.actual));
        let total = Row::total(
            lang,
            [
                Cell::count(lang, target),
                Cell::count(lang, actual),
                Cell::text(pct(actual, target)),
            ],
        );
        blocks.push(Block::Table(Table {
            columns: vec![
                short_col(lang.pick("Hạng", "Rank")),
                num_col(match lang {
                    Lang::Vi => format!("Chỉ tiêu năm {}", r.year),
                    Lang::En => format!("Target for {}", r.year),
                }),
                num_col(lang.pick("Thực hiện", "Actual")),
                num_col(lang.pick("Tỷ lệ đạt", "Achieved")),
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
    Section::new(
        "targets",
        lang.pick("Chỉ tiêu và kết quả", "Targets and results"),
        blocks,
    )
}

pub(super) fn pipeline_section(r: &ProgrammeReport, lang: Lang) -> Section {
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
                    Cell::count(lang, c.count),
                ])
            })
            .collect();
        let total = Row::total(
            lang,
            [
                Cell::text(""),
                Cell::count(lang, sum(r.by_state.iter().map(|c| c.count))),
            ],
        );
        blocks.push(Block::Table(Table {
            columns: vec![
                col(lang.pick("Trạng thái", "State")),
                col(lang.pick("Mã", "Id")),
                num_col(lang.pick("Số hồ sơ", "Cases")),
            ],
            rows,
            total: Some(total),
        }));
    }
    Section::new("pipeline", pipeline_title(lang), blocks)
}

pub(super) fn pipeline_title(lang: Lang) -> &'static str {
    lang.pick("Hồ sơ theo trạng thái hiện tại", "Cases by current state")
}

pub(super) fn groups_section(r: &ProgrammeReport, lang: Lang) -> Section {
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
                    Cell::count(lang, g.cases),
                    Cell::count(lang, three),
                    Cell::count(lang, four),
                    Cell::count(lang, five),
                    Cell::count(lang, sum(g.certified)),
                ])
            })
            .collect();
        let col_sum = |i: usize| {
            sum(r
                .by_group
                .iter()
                .filter_map(|g| g.certified.get(i).copied()))
        };
        let total = Row::total(
            lang,
            [
                Cell::count(lang, sum(r.by_group.iter().map(|g| g.cases))),
                Cell::text(fmt_count(lang, col_sum(0))),
                Cell::text(fmt_count(lang, col_sum(1))),
                Cell::text(fmt_count(lang, col_sum(2))),
                Cell::text(fmt_count(
                    lang,
                    r.by_group.iter().map(|g| sum(g.certified)).sum(),
                )),
            ],
        );
        blocks.push(Block::Table(Table {
            columns: vec![
                col(lang.pick("Nhóm sản phẩm", "Product group")),
                num_col(lang.pick("Số hồ sơ", "Cases")),
                num_col("3★"),
                num_col("4★"),
                num_col("5★"),
                num_col(lang.pick("Tổng số được công nhận", "Certified, all ranks")),
            ],
            rows,
            total: Some(total),
        }));
        blocks.push(Block::Note(
            lang.pick(
                "3★/4★/5★: sản phẩm có giấy chứng nhận còn hiệu lực theo hạng.",
                "3★/4★/5★: products with a valid certificate of that rank.",
            )
            .to_owned(),
        ));
    }
    blocks.push(Block::Chart(ChartKind::Groups));
    Section::new(
        "groups",
        lang.pick("Theo nhóm sản phẩm", "By product group"),
        blocks,
    )
}

pub(super) fn area_section(r: &ProgrammeReport, lang: Lang) -> Section {
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
                    Cell::count(lang, a.cases),
                    Cell::count(lang, a.certified),
                ],
                kind: RowKind::Group,
            });
            for c in &a.communes {
                rows.push(Row {
                    cells: vec![
                        Cell::text(""),
                        Cell::text(c.commune.clone()),
                        Cell::count(lang, c.cases),
                        Cell::count(lang, c.certified),
                    ],
                    kind: RowKind::Child,
                });
            }
        }
        let total = Row::total(
            lang,
            [
                Cell::text(""),
                Cell::count(lang, sum(r.by_area.iter().map(|a| a.cases))),
                Cell::count(lang, sum(r.by_area.iter().map(|a| a.certified))),
            ],
        );
        blocks.push(Block::Table(Table {
            columns: vec![
                col(lang.pick("Quận/huyện", "District")),
                col(lang.pick("Xã/phường/thị trấn", "Commune/ward")),
                num_col(lang.pick("Số hồ sơ", "Cases")),
                num_col(lang.pick("Được công nhận", "Certified")),
            ],
            rows,
            total: Some(total),
        }));
    }
    Section::new(
        "areas",
        lang.pick("Theo huyện/xã", "By district and commune"),
        blocks,
    )
}

/// The areas of a report dated 1 July 2025 or later: communes and wards, no districts.
pub(super) fn commune_section(r: &ProgrammeReport, lang: Lang) -> Section {
    let rows = r
        .by_commune
        .iter()
        .map(|c| {
            Row::new(vec![
                Cell::text(c.commune.clone()),
                Cell::count(lang, c.cases),
                Cell::count(lang, c.certified),
            ])
        })
        .collect();
    let total = Row::total(
        lang,
        [
            Cell::count(lang, sum(r.by_commune.iter().map(|c| c.cases))),
            Cell::count(lang, sum(r.by_commune.iter().map(|c| c.certified))),
        ],
    );
    Section {
        id: "areas",
        title: lang.pick("Theo xã/phường", "By commune and ward").to_owned(),
        blocks: vec![
            Block::Table(Table {
                columns: vec![
                    col(lang.pick("Xã/phường", "Commune/ward")),
                    num_col(lang.pick("Số hồ sơ", "Cases")),
                    num_col(lang.pick("Được công nhận", "Certified")),
                ],
                rows,
                total: Some(total),
            }),
            Block::Note(
                lang.pick("Từ ngày 01/07/2025 không còn cấp huyện: chủ thể thuộc xã/phường.",
                    "Since 1 July 2025 there are no districts: producers belong to a commune or ward.",
                )
                .to_owned(),
            ),
        ],
    }
}
