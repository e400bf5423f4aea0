//! The report's three charts.

use ocop_core::Lang;

use super::escape::esc;
use super::svg::*;
use super::text::{fmt_count, fmt_percent, group_name, rank, tr};
use crate::model::ProgrammeReport;

pub(super) fn groups_chart_title(lang: Lang) -> &'static str {
    tr(
        lang,
        "Sản phẩm được công nhận theo nhóm sản phẩm và hạng sao",
        "Certified products by product group and star rank",
    )
}

/// Chart 1: certified products per product group, 3★/4★/5★ as grouped vertical bars.
pub(super) fn chart_groups(r: &ProgrammeReport, lang: Lang) -> String {
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

pub(super) fn all_zero_note(out: &mut String, x: f64, y: f64, lang: Lang) {
    svg_text(
        out,
        x,
        y,
        Anchor::Middle,
        &format!("font-size=\"13\" font-style=\"italic\" fill=\"{MUTED}\""),
        tr(lang, "Tất cả đều bằng 0", "All values are zero"),
    );
}

pub(super) fn pipeline_chart_title(lang: Lang) -> &'static str {
    tr(
        lang,
        "Số hồ sơ theo trạng thái hiện tại",
        "Cases by current state",
    )
}

/// Chart 2: the pipeline, one horizontal bar per state in cycle order.
pub(super) fn chart_pipeline(r: &ProgrammeReport, lang: Lang) -> String {
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

pub(super) fn targets_chart_title(lang: Lang) -> &'static str {
    tr(
        lang,
        "Sản phẩm công nhận mới so với chỉ tiêu, theo hạng sao",
        "New certificates against the targets, by star rank",
    )
}

/// Chart 3: new certificates against the plan's targets, a pair of bars per rank.
pub(super) fn chart_targets(r: &ProgrammeReport, lang: Lang) -> String {
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
