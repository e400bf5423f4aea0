//! The report's three charts, each one a component of the chart kit ([`super::charts`]) fed
//! from the report: what to draw here, where to draw it there.

use ocop_core::Lang;

use super::charts::{BarFit, Captions, Group, GroupedBars, HBars, Series};
use super::doc::ChartKind;
use super::text::{fmt_percent, group_name, rank};
use crate::model::ProgrammeReport;

/// 3★, 4★, 5★.
const STAR_COLOURS: [&str; 3] = ["#5b9fd6", "#1d4f91", "#c98a0c"];
const TARGET_FILL: &str = "#c3cad3";
const TARGET_STROKE: &str = "#6b7580";
const ACTUAL_FILL: &str = "#23865f";
const PIPELINE_FILL: &str = "#2f6db3";

/// The chart's caption and its SVG.
pub(super) fn chart(kind: ChartKind, r: &ProgrammeReport, lang: Lang) -> (&'static str, String) {
    match kind {
        ChartKind::Groups => {
            let title = lang.pick(
                "Sản phẩm được công nhận theo nhóm sản phẩm và hạng sao",
                "Certified products by product group and star rank",
            );
            (title, groups(r, title, lang).draw(lang))
        }
        ChartKind::Pipeline => {
            let title = lang.pick(
                "Số hồ sơ theo trạng thái hiện tại",
                "Cases by current state",
            );
            (title, pipeline(r, title, lang).draw(lang))
        }
        ChartKind::Targets => {
            let title = lang.pick(
                "Sản phẩm công nhận mới so với chỉ tiêu, theo hạng sao",
                "New certificates against the targets, by star rank",
            );
            (title, targets(r, title, lang).draw(lang))
        }
    }
}

/// Chart 1: certified products per product group, 3★/4★/5★ as grouped vertical bars.
fn groups<'a>(r: &ProgrammeReport, title: &'a str, lang: Lang) -> GroupedBars<'a> {
    let desc = r
        .by_group
        .iter()
        .map(|g| {
            let [a, b, c] = g.certified;
            format!("{}: 3★ {a}, 4★ {b}, 5★ {c}", group_name(g, lang))
        })
        .collect::<Vec<_>>()
        .join("; ");
    GroupedBars {
        id: "chart-groups",
        title,
        desc,
        y_label: lang.pick("Số sản phẩm được công nhận", "Certified products"),
        series: STAR_COLOURS
            .iter()
            .zip(["3★", "4★", "5★"])
            .map(|(colour, label)| Series {
                label: label.to_owned(),
                fill: colour,
                stroke: colour,
            })
            .collect(),
        groups: r
            .by_group
            .iter()
            .map(|g| Group {
                label: group_name(g, lang),
                values: g.certified.to_vec(),
                sub: String::new(),
            })
            .collect(),
        class: "group",
        plot_h: 220.0,
        bars: BarFit {
            share: 0.78,
            gap: 3.0,
            max_w: 26.0,
        },
        captions: Captions::Wrapped(3),
    }
}

/// Chart 2: the pipeline, one horizontal bar per state in cycle order.
fn pipeline<'a>(r: &ProgrammeReport, title: &'a str, lang: Lang) -> HBars<'a> {
    let desc = r
        .by_state
        .iter()
        .map(|c| format!("{}: {}", c.label.get(lang), c.count))
        .collect::<Vec<_>>()
        .join("; ");
    HBars {
        id: "chart-pipeline",
        title,
        desc,
        rows_label: lang.pick(
            "Trạng thái (theo thứ tự chu trình)",
            "State (in cycle order)",
        ),
        series: Series {
            label: lang.pick("Số hồ sơ", "Cases").to_owned(),
            fill: PIPELINE_FILL,
            stroke: PIPELINE_FILL,
        },
        rows: r
            .by_state
            .iter()
            .map(|c| (c.label.get(lang).to_owned(), c.count))
            .collect(),
        class: "state",
    }
}

/// Chart 3: new certificates against the plan's targets, a pair of bars per rank.
fn targets<'a>(r: &ProgrammeReport, title: &'a str, lang: Lang) -> GroupedBars<'a> {
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
    let target_label = match lang {
        Lang::Vi => format!("Chỉ tiêu năm {}", r.year),
        Lang::En => format!("Target for {}", r.year),
    };
    GroupedBars {
        id: "chart-targets",
        title,
        desc,
        y_label: lang.pick("Số sản phẩm", "Products"),
        series: vec![
            Series {
                label: target_label,
                fill: TARGET_FILL,
                stroke: TARGET_STROKE,
            },
            Series {
                label: lang.pick("Thực hiện", "Actual").to_owned(),
                fill: ACTUAL_FILL,
                stroke: ACTUAL_FILL,
            },
        ],
        groups: r
            .targets
            .iter()
            .map(|t| Group {
                label: rank(t.stars),
                values: vec![t.target, t.actual],
                sub: match (
                    fmt_percent(lang, u64::from(t.actual), u64::from(t.target)),
                    lang,
                ) {
                    (Some(p), Lang::Vi) => format!("Đạt {p}"),
                    (Some(p), Lang::En) => format!("{p} achieved"),
                    (None, _) => lang.pick("Không có chỉ tiêu", "No target").to_owned(),
                },
            })
            .collect(),
        class: "rank",
        plot_h: 200.0,
        bars: BarFit {
            share: 0.6,
            gap: 6.0,
            max_w: 44.0,
        },
        captions: Captions::Headline,
    }
}
