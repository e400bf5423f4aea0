//! The horizontal-bar chart: one labelled row and bar per item, in the given order.

use ocop_core::Lang;

use super::{
    AXIS, GRID, Series, W, axis_group, axis_title, close, legend, line, nice_scale, no_data, open,
    ticks, zero_note,
};
use crate::render::svg::{Anchor, INK, LabelBox, Val};
use crate::render::text::fmt_count;

/// A horizontal-bar chart: one labelled row and bar per item, in the given order, on zebra
/// stripes.
pub(in crate::render) struct HBars<'a> {
    /// The `<svg>` element's id.
    pub(in crate::render) id: &'static str,
    pub(in crate::render) title: &'a str,
    /// What the chart shows, in words (its `<desc>`).
    pub(in crate::render) desc: String,
    /// What the rows are, above the labels.
    pub(in crate::render) rows_label: &'a str,
    /// The one series: what the bars count (legend and value axis) and its colour.
    pub(in crate::render) series: Series,
    /// (label, value) per row.
    pub(in crate::render) rows: Vec<(String, u32)>,
    /// The CSS class of each row's `<g>`.
    pub(in crate::render) class: &'static str,
}

impl HBars<'_> {
    const LABEL_LEFT: f64 = 12.0;
    const LABEL_W: f64 = 280.0;
    const BAR_X: f64 = Self::LABEL_LEFT + Self::LABEL_W + 12.0;
    const VALUE_ROOM: f64 = 56.0;
    const TOP: f64 = 40.0;
    const ROW_H: f64 = 32.0;
    const BAR_H: f64 = 18.0;

    /// The chart's SVG, or a "no data" frame when there are no rows.
    pub(in crate::render) fn draw(&self, lang: Lang) -> String {
        let (label_left, label_w, bar_x) = (Self::LABEL_LEFT, Self::LABEL_W, Self::BAR_X);
        let (top_y, row_h) = (Self::TOP, Self::ROW_H);
        if self.rows.is_empty() {
            return no_data(self.id, self.title, lang);
        }
        let rows = self.rows.len() as f64;
        let bottom = top_y + rows * row_h;
        let mut svg = open(self.id, W, bottom + 34.0, self.title, &self.desc);
        let max = self.rows.iter().map(|(_, v)| *v).max().unwrap_or(0);
        let (top, step) = nice_scale(u64::from(max));
        let plot_w = W - bar_x - Self::VALUE_ROOM;
        legend(&mut svg, std::slice::from_ref(&self.series), W - 16.0, 22.0);
        axis_title(&mut svg, label_left, self.rows_label);
        // Zebra stripes, then the grid, then the bars on top.
        for i in (0..self.rows.len()).filter(|i| i % 2 == 1) {
            svg.empty(
                "rect",
                &[
                    ("x", (label_left - 6.0).into()),
                    ("y", (top_y + i as f64 * row_h).into()),
                    ("width", (W - label_left).into()),
                    ("height", row_h.into()),
                    ("fill", "#f4f7fa".into()),
                ],
            );
        }
        axis_group(&mut svg);
        for t in ticks(top, step) {
            let x = bar_x + t as f64 / top.max(1) as f64 * plot_w;
            line(
                &mut svg,
                (x, top_y),
                (x, bottom),
                if t == 0 { AXIS } else { GRID },
            );
            svg.text(x, bottom + 15.0, Anchor::Middle, &[], &fmt_count(lang, t));
        }
        line(&mut svg, (bar_x, bottom), (bar_x + plot_w, bottom), AXIS);
        svg.text(
            bar_x + plot_w,
            bottom + 29.0,
            Anchor::End,
            &[],
            &self.series.label,
        );
        svg.end("g");
        for (i, (label, value)) in self.rows.iter().enumerate() {
            let cy = top_y + i as f64 * row_h + row_h / 2.0;
            svg.start("g", &[("class", self.class.into())]);
            svg.label(
                label,
                LabelBox {
                    x: label_left + label_w,
                    y: cy,
                    max_w: label_w,
                    max_lines: 2,
                    size: 11.0,
                },
                Anchor::End,
            );
            let w = f64::from(*value) / top.max(1) as f64 * plot_w;
            svg.with_tip(
                "rect",
                &[
                    ("x", bar_x.into()),
                    ("y", (cy - Self::BAR_H / 2.0).into()),
                    ("width", w.into()),
                    ("height", Self::BAR_H.into()),
                    ("fill", Val::Text(self.series.fill)),
                ],
                &format!("{label}: {value}"),
            );
            svg.text(
                bar_x + w + 5.0,
                cy + 4.0,
                Anchor::Start,
                &[("font-size", 11.0.into()), ("fill", INK.into())],
                &fmt_count(lang, u64::from(*value)),
            );
            svg.end("g");
        }
        if max == 0 {
            zero_note(
                &mut svg,
                bar_x + plot_w / 2.0,
                top_y + rows * row_h / 2.0,
                lang,
            );
        }
        close(svg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::charts::tests::series;

    #[test]
    fn horizontal_bars_draw_a_row_per_item_in_order() {
        let chart = HBars {
            id: "chart-h",
            title: "Rows",
            desc: String::new(),
            rows_label: "Items",
            series: series("Cases"),
            rows: vec![("first".to_owned(), 2), ("second".to_owned(), 1_500)],
            class: "row",
        };
        let svg = chart.draw(Lang::Vi);
        assert_eq!(svg.matches("<g class=\"row\">").count(), 2);
        let first = svg.find("<title>first: 2</title>");
        let second = svg.find("<title>second: 1500</title>");
        assert!(first.is_some() && first < second);
        assert!(
            svg.contains(">1.500</text>"),
            "the value in Vietnamese digits"
        );
        let empty = HBars {
            rows: Vec::new(),
            ..chart
        };
        assert!(empty.draw(Lang::En).contains("No data"));
    }
}
