//! The sections that follow cases up: certificates expiring or in their re-evaluation
//! window, overdue cases, revocations and the year's report periods.

use ocop_core::Lang;

use super::doc::{Block, Cell, Row, Section, Table, col, num_col, short_col};
use super::text::{en_plural, fmt_count, fmt_date, fmt_signed, rank, sum};
use crate::model::{ExpiringRow, OverdueRow, ProgrammeReport, ReportPeriod};

pub(super) fn expiring_section(r: &ProgrammeReport, lang: Lang) -> Section {
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
                    Cell::badge(lang.pick("Đang trong thời hạn", "Open now"), "window")
                } else {
                    Cell::text(lang.pick("Ngoài thời hạn", "Not open"))
                };
                let status = match (e.renewal_filed, e.in_renewal_window) {
                    (true, _) => Cell::badge(lang.pick("Đã nộp", "Filed"), "filed"),
                    (false, true) => Cell::badge(lang.pick("Chưa nộp", "Not filed"), "due"),
                    (false, false) => Cell::text(lang.pick("Chưa nộp", "Not filed")),
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
                col(lang.pick("Hồ sơ", "Case")),
                col(lang.pick("Sản phẩm", "Product")),
                col(lang.pick("Chủ thể", "Producer")),
                short_col(lang.pick("Hạng", "Rank")),
                short_col(lang.pick("Hết hạn", "Expires")),
                num_col(lang.pick("Còn lại (ngày)", "Days left")),
                col(lang.pick("Thời hạn nộp đánh giá lại", "Filing window")),
                col(lang.pick("Hồ sơ đánh giá lại", "Re-evaluation")),
            ],
            rows,
            total: None,
        }));
        blocks.push(Block::Note(
            lang.pick(
                "Thời hạn nộp hồ sơ đánh giá lại: từ 180 đến 120 ngày trước ngày hết hạn \
                 giấy chứng nhận.",
                "Filing window for re-evaluation: 180 to 120 days before the certificate expires.",
            )
            .to_owned(),
        ));
    }
    Section::new(
        "expiring",
        lang.pick(
            "Giấy chứng nhận sắp hết hạn (trong 180 ngày)",
            "Certificates expiring within 180 days",
        ),
        blocks,
    )
}

pub(super) fn overdue_section(r: &ProgrammeReport, lang: Lang) -> Section {
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
                    col(lang.pick("Hồ sơ", "Case")),
                    col(lang.pick("Sản phẩm", "Product")),
                    short_col(lang.pick("Đến hạn", "Due")),
                    num_col(lang.pick("Quá hạn (ngày)", "Days late")),
                ],
                rows,
                total: None,
            }));
        }
    }
    Section::new(
        "overdue",
        lang.pick("Hồ sơ quá hạn", "Overdue cases"),
        blocks,
    )
}

pub(super) fn revoked_section(r: &ProgrammeReport, lang: Lang) -> Section {
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
                    Cell::count(lang, c.count),
                ])
            })
            .collect();
        let total = Row::total(
            lang,
            [Cell::count(lang, sum(r.revoked.iter().map(|c| c.count)))],
        );
        blocks.push(Block::Table(Table {
            columns: vec![
                col(lang.pick("Căn cứ thu hồi (Điều 8.1)", "Ground (Art. 8.1)")),
                num_col(lang.pick("Số giấy chứng nhận", "Certificates")),
            ],
            rows,
            total: Some(total),
        }));
    }
    Section::new(
        "revoked",
        lang.pick("Giấy chứng nhận bị thu hồi", "Revoked certificates"),
        blocks,
    )
}

pub(super) fn periods_section(r: &ProgrammeReport, lang: Lang) -> Section {
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
                    Cell::text(lang.pick("Đã qua", "Past"))
                } else if days == 0 {
                    Cell::badge(lang.pick("Đến hạn hôm nay", "Due today"), "due")
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
                    Cell::badge(lang.pick("Sắp tới", "Upcoming"), "window")
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
                col(lang.pick("Báo cáo", "Report")),
                short_col(lang.pick("Hạn nộp", "Due")),
                col(lang.pick("Tình trạng", "Status")),
            ],
            rows,
            total: None,
        }));
    }
    Section::new("periods", lang.pick("Kỳ báo cáo", "Report periods"), blocks)
}
