//! The chart kit every report chart is drawn with: one grouped vertical-bar chart
//! ([`GroupedBars`]) and one horizontal-bar chart ([`HBars`]), sharing a frame (the `<svg>`
//! element with its `<title>` and `<desc>`, a legend, an axis title), nice scales, and the
//! "no data" and "all zero" messages.
//!
//! A chart says what to draw (series, groups or rows, labels, colours); the kit decides where.
//! Every bar has a tooltip and its value printed next to it, and long labels are wrapped or cut
//! with the full text in a tooltip.

use ocop_core::Lang;

use super::svg::{Anchor, INK, Svg, n, text_width};

mod grouped;
mod hbars;

pub(super) use grouped::{BarFit, Captions, Group, GroupedBars};
pub(super) use hbars::HBars;

const CHART_FONT: &str = "DejaVu Sans, Noto Sans, Segoe UI, Roboto, Arial, sans-serif";
const GRID: &str = "#e1e6eb";
const AXIS: &str = "#59636e";
const MUTED: &str = "#47515c";
/// Every chart's width; the height follows from the content.
const W: f64 = 760.0;

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
pub(in crate::render) struct Series {
    pub(in crate::render) label: String,
    pub(in crate::render) fill: &'static str,
    pub(in crate::render) stroke: &'static str,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A black series, for the components' tests.
    pub(super) fn series(label: &str) -> Series {
        Series {
            label: label.to_owned(),
            fill: "#000000",
            stroke: "#000000",
        }
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
