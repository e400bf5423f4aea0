//! SVG primitives for the charts: colours, text metrics and wrapping, nice scales, the
//! chart frame, labels, legends, axes and bars.

use ocop_core::Lang;

use super::escape::esc;
use super::text::{fmt_count, tr};

pub(super) const CHART_FONT: &str = "DejaVu Sans, Noto Sans, Segoe UI, Roboto, Arial, sans-serif";
/// 3★, 4★, 5★.
pub(super) const STAR_COLOURS: [&str; 3] = ["#5b9fd6", "#1d4f91", "#c98a0c"];
pub(super) const TARGET_FILL: &str = "#c3cad3";
pub(super) const TARGET_STROKE: &str = "#6b7580";
pub(super) const ACTUAL_FILL: &str = "#23865f";
pub(super) const PIPELINE_FILL: &str = "#2f6db3";
pub(super) const GRID: &str = "#e1e6eb";
pub(super) const AXIS: &str = "#59636e";
pub(super) const INK: &str = "#1b1f24";
pub(super) const MUTED: &str = "#47515c";

/// A coordinate with at most one decimal, without a trailing `.0`.
pub(super) fn n(x: f64) -> String {
    let s = format!("{x:.1}");
    match s.strip_suffix(".0") {
        Some("-0") => "0".to_owned(),
        Some(whole) => whole.to_owned(),
        None => s,
    }
}

/// The approximate advance of `c` in ems in DejaVu Sans (a wide face, so the estimate is
/// generous for narrower fallbacks).
pub(super) fn char_em(c: char) -> f64 {
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

pub(super) fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(char_em).sum::<f64>() * size
}

/// Cuts `s` so that it and a trailing ellipsis fit in `max_w`.
pub(super) fn ellipsize(s: &str, max_w: f64, size: f64) -> String {
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
pub(super) fn wrap(text: &str, max_w: f64, size: f64, max_lines: usize) -> (Vec<String>, bool) {
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

pub(super) fn svg_open(out: &mut String, id: &str, w: f64, h: f64, title: &str, desc: &str) {
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
pub(super) enum Anchor {
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
pub(super) fn svg_text(out: &mut String, x: f64, y: f64, anchor: Anchor, extra: &str, text: &str) {
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
pub(super) struct LabelBox {
    pub(super) x: f64,
    /// The vertical centre ([`svg_label`]) or the first baseline ([`svg_label_top`]).
    pub(super) y: f64,
    pub(super) max_w: f64,
    pub(super) max_lines: usize,
    pub(super) size: f64,
}

/// A wrapped label: up to `max_lines` lines centred vertically on `b.y`, in a group whose
/// `<title>` holds the full text (a tooltip when the label was cut).
pub(super) fn svg_label(out: &mut String, text: &str, b: LabelBox, anchor: Anchor) {
    let (lines, _) = wrap(text, b.max_w, b.size, b.max_lines);
    let line_h = b.size * 1.2;
    let count = lines.len() as f64;
    let first = b.y - (count - 1.0) * line_h / 2.0 + b.size * 0.35;
    label_lines(out, text, &lines, b, first, anchor);
}

/// A wrapped label centred on `b.x`, its first baseline at `b.y`.
pub(super) fn svg_label_top(out: &mut String, text: &str, b: LabelBox) {
    let (lines, _) = wrap(text, b.max_w, b.size, b.max_lines);
    label_lines(out, text, &lines, b, b.y, Anchor::Middle);
}

pub(super) fn label_lines(
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
pub(super) fn svg_legend(out: &mut String, items: &[(&str, &str, String)], right: f64, y: f64) {
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
pub(super) fn no_data_chart(id: &str, title: &str, lang: Lang) -> String {
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
pub(super) struct Plot {
    pub(super) left: f64,
    pub(super) right: f64,
    /// The baseline (value 0).
    pub(super) base: f64,
    pub(super) height: f64,
}

pub(super) fn y_axis(out: &mut String, p: Plot, top: u64, step: u64, lang: Lang) {
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
pub(super) struct Bar<'a> {
    pub(super) x: f64,
    pub(super) w: f64,
    pub(super) h: f64,
    pub(super) fill: &'a str,
    pub(super) stroke: &'a str,
    /// Its tooltip.
    pub(super) tip: String,
    /// The value printed above it.
    pub(super) value: String,
}

/// A bar standing on `base`, with a tooltip and its value above it.
pub(super) fn vbar(out: &mut String, base: f64, bar: Bar<'_>) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
