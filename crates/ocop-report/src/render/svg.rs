//! A small typed SVG writer for the charts, and the text metrics that lay their labels out.
//!
//! Elements are written through [`Svg`], which escapes every attribute value and every text
//! node, and prints coordinates with at most one decimal, so the same chart always gives the
//! same bytes. Text widths are estimated (no font is loaded), generously enough for the
//! fallback faces.

use super::escape::esc_into;

/// An attribute's value: a coordinate or size, or text.
#[derive(Clone, Copy)]
pub(super) enum Val<'a> {
    /// Printed with at most one decimal ([`n`]).
    Num(f64),
    /// Printed escaped.
    Text(&'a str),
}

impl From<f64> for Val<'_> {
    fn from(x: f64) -> Self {
        Val::Num(x)
    }
}

impl<'a> From<&'a str> for Val<'a> {
    fn from(s: &'a str) -> Self {
        Val::Text(s)
    }
}

impl<'a> From<&'a String> for Val<'a> {
    fn from(s: &'a String) -> Self {
        Val::Text(s)
    }
}

/// Attributes in the order they are written.
pub(super) type Attrs<'a> = [(&'static str, Val<'a>)];

/// How a line of text is aligned on its `x`.
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

/// An SVG document being written, one element a line.
pub(super) struct Svg {
    out: String,
}

impl Svg {
    /// An empty document (the caller opens the `<svg>` element).
    pub(super) fn new() -> Self {
        Svg {
            out: String::with_capacity(8 * 1024),
        }
    }

    fn attrs(&mut self, attrs: &Attrs<'_>) {
        for (name, value) in attrs {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            match value {
                Val::Num(x) => self.out.push_str(&n(*x)),
                Val::Text(s) => esc_into(&mut self.out, s),
            }
            self.out.push('"');
        }
    }

    /// `<tag …` (the caller ends the tag).
    fn open_tag(&mut self, tag: &str, attrs: &Attrs<'_>) {
        self.out.push('<');
        self.out.push_str(tag);
        self.attrs(attrs);
    }

    /// `</tag>` and a line break.
    pub(super) fn end(&mut self, tag: &str) {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push_str(">\n");
    }

    /// `<tag …>` and a line break; close it with [`Svg::end`].
    pub(super) fn start(&mut self, tag: &str, attrs: &Attrs<'_>) {
        self.open_tag(tag, attrs);
        self.out.push_str(">\n");
    }

    /// `<tag …/>`.
    pub(super) fn empty(&mut self, tag: &str, attrs: &Attrs<'_>) {
        self.open_tag(tag, attrs);
        self.out.push_str("/>\n");
    }

    /// `<tag …>text</tag>`, the line not ended.
    fn inline(&mut self, tag: &str, attrs: &Attrs<'_>, text: &str) {
        self.open_tag(tag, attrs);
        self.out.push('>');
        esc_into(&mut self.out, text);
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
    }

    /// `<tag …>text</tag>`.
    pub(super) fn element(&mut self, tag: &str, attrs: &Attrs<'_>, text: &str) {
        self.inline(tag, attrs, text);
        self.out.push('\n');
    }

    /// `<tag …><title>tip</title></tag>`: a shape with a tooltip.
    pub(super) fn with_tip(&mut self, tag: &str, attrs: &Attrs<'_>, tip: &str) {
        self.open_tag(tag, attrs);
        self.out.push('>');
        self.inline("title", &[], tip);
        self.end(tag);
    }

    /// One line of text at (`x`, `y`), with further attributes after the anchor.
    pub(super) fn text(&mut self, x: f64, y: f64, anchor: Anchor, extra: &Attrs<'_>, text: &str) {
        let place = [
            ("x", Val::Num(x)),
            ("y", Val::Num(y)),
            ("text-anchor", Val::Text(anchor.as_str())),
        ];
        self.open_tag("text", &place);
        self.attrs(extra);
        self.out.push('>');
        esc_into(&mut self.out, text);
        self.end("text");
    }

    /// A wrapped label: up to `b.max_lines` lines centred vertically on `b.y`, in a group
    /// whose `<title>` holds the full text (a tooltip when the label was cut).
    pub(super) fn label(&mut self, text: &str, b: LabelBox, anchor: Anchor) {
        let (lines, _) = wrap(text, b.max_w, b.size, b.max_lines);
        let line_h = b.size * 1.2;
        let count = lines.len() as f64;
        let first = b.y - (count - 1.0) * line_h / 2.0 + b.size * 0.35;
        self.label_lines(text, &lines, b, first, anchor);
    }

    /// A wrapped label centred on `b.x`, its first baseline at `b.y`.
    pub(super) fn label_top(&mut self, text: &str, b: LabelBox) {
        let (lines, _) = wrap(text, b.max_w, b.size, b.max_lines);
        self.label_lines(text, &lines, b, b.y, Anchor::Middle);
    }

    fn label_lines(
        &mut self,
        full: &str,
        lines: &[String],
        b: LabelBox,
        first: f64,
        anchor: Anchor,
    ) {
        let line_h = b.size * 1.2;
        self.start("g", &[("font-size", b.size.into()), ("fill", INK.into())]);
        self.element("title", &[], full);
        for (i, line) in lines.iter().enumerate() {
            self.text(b.x, first + i as f64 * line_h, anchor, &[], line);
        }
        self.end("g");
    }

    /// The document written so far.
    pub(super) fn finish(self) -> String {
        self.out
    }
}

/// The colour of label text.
pub(super) const INK: &str = "#1b1f24";

/// Where and how large to set a wrapped label.
#[derive(Clone, Copy)]
pub(super) struct LabelBox {
    pub(super) x: f64,
    /// The vertical centre ([`Svg::label`]) or the first baseline ([`Svg::label_top`]).
    pub(super) y: f64,
    pub(super) max_w: f64,
    pub(super) max_lines: usize,
    pub(super) size: f64,
}

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
    fn the_writer_escapes_and_rounds() {
        let mut svg = Svg::new();
        svg.text(1.04, -0.04, Anchor::End, &[("fill", "a\"b".into())], "<&>");
        svg.with_tip("rect", &[("width", 2.26.into())], "x'y");
        assert_eq!(
            svg.finish(),
            "<text x=\"1\" y=\"0\" text-anchor=\"end\" fill=\"a&quot;b\">&lt;&amp;&gt;</text>\n\
             <rect width=\"2.3\"><title>x&#39;y</title></rect>\n"
        );
    }
}
