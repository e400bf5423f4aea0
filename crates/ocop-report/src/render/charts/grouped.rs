//! The grouped vertical-bar chart: per group, one bar per series, on a shared value axis.

use ocop_core::Lang;

use super::{
    AXIS, GRID, Series, W, axis_group, axis_title, close, legend, line, nice_scale, no_data, open,
    ticks, zero_note,
};
use crate::render::svg::{Anchor, INK, LabelBox, Svg};
use crate::render::text::fmt_count;

/// One group of bars: one value per series, under one label.
pub(in crate::render) struct Group {
    /// The group's name, under its bars and in their tooltips.
    pub(in crate::render) label: String,
    /// One value per series, in the series' order.
    pub(in crate::render) values: Vec<u32>,
    /// A second line under the label ([`Captions::Headline`] only).
    pub(in crate::render) sub: String,
}

/// How the groups are labelled under the plot.
#[derive(Clone, Copy)]
pub(in crate::render) enum Captions {
    /// The label, wrapped into at most this many lines.
    Wrapped(usize),
    /// The label in large bold type, and the group's `sub` under it.
    Headline,
}

/// How wide the bars of a group are: they fill `share` of the group's slot, `gap` apart,
/// each at most `max_w` wide.
#[derive(Clone, Copy)]
pub(in crate::render) struct BarFit {
    pub(in crate::render) share: f64,
    pub(in crate::render) gap: f64,
    pub(in crate::render) max_w: f64,
}

/// A grouped vertical-bar chart: per group, one bar per series, on a shared value axis.
pub(in crate::render) struct GroupedBars<'a> {
    /// The `<svg>` element's id.
    pub(in crate::render) id: &'static str,
    pub(in crate::render) title: &'a str,
    /// What the chart shows, in words (its `<desc>`).
    pub(in crate::render) desc: String,
    /// What the value axis counts.
    pub(in crate::render) y_label: &'a str,
    pub(in crate::render) series: Vec<Series>,
    pub(in crate::render) groups: Vec<Group>,
    /// The CSS class of each group's `<g>`.
    pub(in crate::render) class: &'static str,
    /// The plot's height.
    pub(in crate::render) plot_h: f64,
    pub(in crate::render) bars: BarFit,
    pub(in crate::render) captions: Captions,
}

/// The plot of a [`GroupedBars`]: left and right edges, baseline (value 0) and height.
#[derive(Clone, Copy)]
struct Plot {
    left: f64,
    right: f64,
    base: f64,
    height: f64,
}

impl GroupedBars<'_> {
    const LEFT: f64 = 52.0;
    const RIGHT: f64 = 16.0;
    const TOP: f64 = 56.0;

    /// The chart's SVG, or a "no data" frame when there are no groups.
    pub(in crate::render) fn draw(&self, lang: Lang) -> String {
        let (left, right, top_y) = (Self::LEFT, Self::RIGHT, Self::TOP);
        if self.groups.is_empty() {
            return no_data(self.id, self.title, lang);
        }
        let base = top_y + self.plot_h;
        let h = match self.captions {
            Captions::Wrapped(lines) => base + 14.0 + lines as f64 * 11.0 * 1.2 + 10.0,
            Captions::Headline => base + 46.0,
        };
        let mut svg = open(self.id, W, h, self.title, &self.desc);
        let max = self
            .groups
            .iter()
            .flat_map(|g| g.values.iter().copied())
            .max()
            .unwrap_or(0);
        let (top, step) = nice_scale(u64::from(max));
        axis_title(&mut svg, left - 40.0, self.y_label);
        legend(&mut svg, &self.series, W - right, 22.0);
        let plot = Plot {
            left,
            right: W - right,
            base,
            height: self.plot_h,
        };
        y_axis(&mut svg, plot, top, step, lang);
        let plot_w = W - left - right;
        let slot = plot_w / self.groups.len() as f64;
        let k = self.series.len().max(1) as f64;
        let BarFit { share, gap, max_w } = self.bars;
        let bar_w = ((slot * share - (k - 1.0) * gap) / k).clamp(2.0, max_w);
        let block = k * bar_w + (k - 1.0) * gap;
        for (i, g) in self.groups.iter().enumerate() {
            let x0 = left + i as f64 * slot;
            svg.start("g", &[("class", self.class.into())]);
            let mut x = x0 + (slot - block) / 2.0;
            for (value, s) in g.values.iter().zip(&self.series) {
                let bar_h = f64::from(*value) / top.max(1) as f64 * self.plot_h;
                vbar(
                    &mut svg,
                    base,
                    x,
                    bar_w,
                    bar_h,
                    s,
                    &format!("{} — {}: {value}", g.label, s.label),
                );
                svg.text(
                    x + bar_w / 2.0,
                    base - bar_h - 4.0,
                    Anchor::Middle,
                    &[("font-size", 10.0.into()), ("fill", INK.into())],
                    &fmt_count(lang, u64::from(*value)),
                );
                x += bar_w + gap;
            }
            let centre = x0 + slot / 2.0;
            match self.captions {
                Captions::Wrapped(lines) => svg.label_top(
                    &g.label,
                    LabelBox {
                        x: centre,
                        y: base + 16.0,
                        max_w: (slot - 8.0).max(12.0),
                        max_lines: lines,
                        size: 11.0,
                    },
                ),
                Captions::Headline => {
                    svg.text(
                        centre,
                        base + 17.0,
                        Anchor::Middle,
                        &[
                            ("font-size", 13.0.into()),
                            ("font-weight", "bold".into()),
                            ("fill", INK.into()),
                        ],
                        &g.label,
                    );
                    svg.label_top(
                        &g.sub,
                        LabelBox {
                            x: centre,
                            y: base + 33.0,
                            max_w: (slot - 6.0).max(12.0),
                            max_lines: 1,
                            size: 11.0,
                        },
                    );
                }
            }
            svg.end("g");
        }
        if max == 0 {
            zero_note(
                &mut svg,
                left + plot_w / 2.0,
                top_y + self.plot_h / 2.0,
                lang,
            );
        }
        close(svg)
    }
}

/// A bar of `s` standing on `base`, with a tooltip.
fn vbar(svg: &mut Svg, base: f64, x: f64, w: f64, h: f64, s: &Series, tip: &str) {
    svg.with_tip(
        "rect",
        &[
            ("x", x.into()),
            ("y", (base - h).into()),
            ("width", w.into()),
            ("height", h.into()),
            ("fill", s.fill.into()),
            ("stroke", s.stroke.into()),
        ],
        tip,
    );
}

/// Horizontal grid lines and value ticks, and the two axes, of a vertical-bar plot.
fn y_axis(svg: &mut Svg, p: Plot, top: u64, step: u64, lang: Lang) {
    let Plot {
        left,
        right,
        base,
        height,
    } = p;
    axis_group(svg);
    for t in ticks(top, step) {
        let y = base - t as f64 / top.max(1) as f64 * height;
        if t > 0 {
            line(svg, (left, y), (right, y), GRID);
        }
        svg.text(left - 6.0, y + 3.5, Anchor::End, &[], &fmt_count(lang, t));
    }
    line(svg, (left, base), (right, base), AXIS);
    line(svg, (left, base - height), (left, base), AXIS);
    svg.end("g");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::charts::tests::series;

    fn bars(series: Vec<Series>, groups: Vec<Group>) -> GroupedBars<'static> {
        GroupedBars {
            id: "chart-test",
            title: "Test <chart>",
            desc: String::new(),
            y_label: "Count",
            series,
            groups,
            class: "g",
            plot_h: 100.0,
            bars: BarFit {
                share: 0.6,
                gap: 4.0,
                max_w: 30.0,
            },
            captions: Captions::Wrapped(2),
        }
    }

    fn group(label: &str, values: Vec<u32>) -> Group {
        Group {
            label: label.to_owned(),
            values,
            sub: String::new(),
        }
    }

    #[test]
    fn grouped_bars_draw_one_bar_per_series_in_each_group() {
        let svg = bars(
            vec![series("Old"), series("New")],
            vec![group("A & B", vec![3, 1]), group("C", vec![0, 7])],
        )
        .draw(Lang::En);
        assert!(svg.starts_with("<svg "));
        assert!(svg.ends_with("</svg>\n"));
        assert!(svg.contains("<title id=\"chart-test-title\">Test &lt;chart&gt;</title>"));
        assert_eq!(svg.matches("<g class=\"g\">").count(), 2);
        assert_eq!(
            svg.matches("<rect x=").count(),
            1 + 2 + 4,
            "the background, two legend swatches and four bars"
        );
        for tip in [
            "A &amp; B — Old: 3",
            "A &amp; B — New: 1",
            "C — Old: 0",
            "C — New: 7",
        ] {
            assert!(svg.contains(&format!("<title>{tip}</title>")), "{tip}");
        }
        assert!(!svg.contains("All values are zero"));
    }

    #[test]
    fn grouped_bars_say_when_there_is_nothing_or_only_zero() {
        let none = bars(vec![series("S")], Vec::new()).draw(Lang::Vi);
        assert!(none.contains("Không có dữ liệu"));
        let zeros = bars(vec![series("S")], vec![group("A", vec![0])]).draw(Lang::En);
        assert!(zeros.contains("All values are zero"));
    }
}
