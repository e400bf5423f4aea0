//! The chart kit every report chart is drawn with: one grouped vertical-bar chart
//! ([`GroupedBars`]) and one horizontal-bar chart ([`HBars`]), sharing a frame (the `<svg>`
//! element with its `<title>` and `<desc>`, a legend, an axis title), nice scales, and the
//! "no data" and "all zero" messages.
//!
//! A chart says what to draw (series, groups or rows, labels, colours); the kit decides where.
//! Every bar has a tooltip and its value printed next to it, and long labels are wrapped or cut
//! with the full text in a tooltip.

use ocop_core::Lang;

use super::svg::{Anchor, INK, LabelBox, Svg, Val, n, text_width};
use super::text::fmt_count;

const CHART_FONT: &str = "DejaVu Sans, Noto Sans, Segoe UI, Roboto, Arial, sans-serif";
const GRID: &str = "#e1e6eb";
const AXIS: &str = "#59636e";
const MUTED: &str = "#47515c";
/// Every chart's width; the height follows from the content.
const W: f64 = 760.0;

/// A "nice" axis: the top of the scale and the step between ticks (1, 2 or 5 times a power of
/// ten, at most about five steps). An all-zero chart gets 0 to 5.
pub(super) fn nice_scale(max: u64) -> (u64, u64) {
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
pub(super) fn ticks(top: u64, step: u64) -> Vec<u64> {
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

/// The `<svg>` element of a chart `w` by `h`, labelled by its `<title>` and `<desc>`, on a
/// white background.
fn open(id: &str, w: f64, h: f64, title: &str, desc: &str) -> Svg {
    let mut svg = Svg::new();
    let view_box = format!("0 0 {} {}", n(w), n(h));
    let labelled_by = format!("{id}-title {id}-desc");
    svg.start(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg".into()),
            ("class", "chart".into()),
            ("id", id.into()),
            ("width", w.into()),
            ("height", h.into()),
            ("viewBox", (&view_box).into()),
            ("role", "img".into()),
            ("aria-labelledby", (&labelled_by).into()),
            ("font-family", CHART_FONT.into()),
            ("font-size", 11.0.into()),
        ],
    );
    svg.element(
        "title",
        &[("id", format!("{id}-title").as_str().into())],
        title,
    );
    svg.element(
        "desc",
        &[("id", format!("{id}-desc").as_str().into())],
        desc,
    );
    svg.empty(
        "rect",
        &[
            ("x", 0.0.into()),
            ("y", 0.0.into()),
            ("width", w.into()),
            ("height", h.into()),
            ("fill", "#ffffff".into()),
        ],
    );
    svg
}

/// The `</svg>` that ends a chart, and the chart's text.
fn close(mut svg: Svg) -> String {
    svg.end("svg");
    svg.finish()
}

/// A chart with nothing to draw: its title, and a framed message.
fn no_data(id: &str, title: &str, lang: Lang) -> String {
    const H: f64 = 90.0;
    let message = lang.pick("Không có dữ liệu", "No data");
    let mut svg = open(id, W, H, title, message);
    svg.empty(
        "rect",
        &[
            ("x", 1.0.into()),
            ("y", 1.0.into()),
            ("width", (W - 2.0).into()),
            ("height", (H - 2.0).into()),
            ("fill", "#f7f9fb".into()),
            ("stroke", GRID.into()),
            ("stroke-dasharray", "4 3".into()),
        ],
    );
    svg.text(
        W / 2.0,
        H / 2.0 + 5.0,
        Anchor::Middle,
        &[
            ("font-size", 14.0.into()),
            ("fill", MUTED.into()),
            ("font-style", "italic".into()),
        ],
        message,
    );
    close(svg)
}

/// The line above the plot saying what is counted.
fn axis_title(svg: &mut Svg, x: f64, text: &str) {
    svg.text(
        x,
        22.0,
        Anchor::Start,
        &[("font-size", 11.0.into()), ("fill", MUTED.into())],
        text,
    );
}

/// Drawn across the plot when every value is zero, so that no bars does not read as no data.
fn zero_note(svg: &mut Svg, x: f64, y: f64, lang: Lang) {
    svg.text(
        x,
        y,
        Anchor::Middle,
        &[
            ("font-size", 13.0.into()),
            ("font-style", "italic".into()),
            ("fill", MUTED.into()),
        ],
        lang.pick("Tất cả đều bằng 0", "All values are zero"),
    );
}

/// A series of bars: its legend label and colours.
pub(super) struct Series {
    pub(super) label: String,
    pub(super) fill: &'static str,
    pub(super) stroke: &'static str,
}

/// The legend, right-aligned to `right`, with its swatches' baseline at `y`.
fn legend(svg: &mut Svg, series: &[Series], right: f64, y: f64) {
    const SWATCH: f64 = 12.0;
    const SIZE: f64 = 11.0;
    let widths: Vec<f64> = series
        .iter()
        .map(|s| SWATCH + 5.0 + text_width(&s.label, SIZE) + 14.0)
        .collect();
    let total: f64 = widths.iter().sum::<f64>() - 14.0;
    let mut x = right - total;
    svg.start(
        "g",
        &[("class", "legend".into()), ("font-size", SIZE.into())],
    );
    for (s, w) in series.iter().zip(&widths) {
        svg.empty(
            "rect",
            &[
                ("x", x.into()),
                ("y", (y - SWATCH + 2.0).into()),
                ("width", SWATCH.into()),
                ("height", SWATCH.into()),
                ("fill", s.fill.into()),
                ("stroke", s.stroke.into()),
            ],
        );
        svg.text(
            x + SWATCH + 5.0,
            y,
            Anchor::Start,
            &[("fill", INK.into())],
            &s.label,
        );
        x += w;
    }
    svg.end("g");
}

/// One group of bars: one value per series, under one label.
pub(super) struct Group {
    /// The group's name, under its bars and in their tooltips.
    pub(super) label: String,
    /// One value per series, in the series' order.
    pub(super) values: Vec<u32>,
    /// A second line under the label ([`Captions::Headline`] only).
    pub(super) sub: String,
}

/// How the groups are labelled under the plot.
#[derive(Clone, Copy)]
pub(super) enum Captions {
    /// The label, wrapped into at most this many lines.
    Wrapped(usize),
    /// The label in large bold type, and the group's `sub` under it.
    Headline,
}

/// How wide the bars of a group are: they fill `share` of the group's slot, `gap` apart,
/// each at most `max_w` wide.
#[derive(Clone, Copy)]
pub(super) struct BarFit {
    pub(super) share: f64,
    pub(super) gap: f64,
    pub(super) max_w: f64,
}

/// A grouped vertical-bar chart: per group, one bar per series, on a shared value axis.
pub(super) struct GroupedBars<'a> {
    /// The `<svg>` element's id.
    pub(super) id: &'static str,
    pub(super) title: &'a str,
    /// What the chart shows, in words (its `<desc>`).
    pub(super) desc: String,
    /// What the value axis counts.
    pub(super) y_label: &'a str,
    pub(super) series: Vec<Series>,
    pub(super) groups: Vec<Group>,
    /// The CSS class of each group's `<g>`.
    pub(super) class: &'static str,
    /// The plot's height.
    pub(super) plot_h: f64,
    pub(super) bars: BarFit,
    pub(super) captions: Captions,
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
    pub(super) fn draw(&self, lang: Lang) -> String {
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

/// Opens the group that holds a plot's axes, grid and tick values.
fn axis_group(svg: &mut Svg) {
    svg.start(
        "g",
        &[
            ("class", "axis".into()),
            ("font-size", 10.0.into()),
            ("fill", MUTED.into()),
        ],
    );
}

fn line(svg: &mut Svg, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str) {
    svg.empty(
        "line",
        &[
            ("x1", x1.into()),
            ("y1", y1.into()),
            ("x2", x2.into()),
            ("y2", y2.into()),
            ("stroke", stroke.into()),
        ],
    );
}

/// A horizontal-bar chart: one labelled row and bar per item, in the given order, on zebra
/// stripes.
pub(super) struct HBars<'a> {
    /// The `<svg>` element's id.
    pub(super) id: &'static str,
    pub(super) title: &'a str,
    /// What the chart shows, in words (its `<desc>`).
    pub(super) desc: String,
    /// What the rows are, above the labels.
    pub(super) rows_label: &'a str,
    /// The one series: what the bars count (legend and value axis) and its colour.
    pub(super) series: Series,
    /// (label, value) per row.
    pub(super) rows: Vec<(String, u32)>,
    /// The CSS class of each row's `<g>`.
    pub(super) class: &'static str,
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
    pub(super) fn draw(&self, lang: Lang) -> String {
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
