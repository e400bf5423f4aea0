//! The cycle graph of a case: the definition's DOT with the current state filled, laid
//! out by `layout-rs` (as the API's SVG), then made fit to sit inside a page: no XML
//! prolog, no `<style>` element (the pages' CSP allows no inline style; font sizes become
//! attributes), a `<title>` and `<desc>` for screen readers, ids prefixed.

use maud::html;
use ocop_core::{Cycle, Lang, ids::StateId};

/// Escapes text for SVG/HTML.
fn esc(s: &str) -> String {
    html! { (s) }.into_string()
}

/// How layout-rs writes the fill of the current state (`#ffd54f` in the DOT).
const CURRENT_FILL: &str = "fill=\"#ffd54fff\"";

/// The DOT of `cycle` with `current` highlighted.
pub(crate) fn dot(cycle: &Cycle, current: &StateId, lang: Lang) -> String {
    let dot = ocop_core::cycle::to_dot(cycle, lang);
    let quoted = format!(
        "  \"{}\" [",
        current.as_str().replace('\\', "\\\\").replace('"', "\\\"")
    );
    dot.lines()
        .map(|l| {
            if l.starts_with(&quoted) && l.ends_with("];") {
                let head = l.trim_end_matches("];");
                format!(
                    "{head}, style=filled, fillcolor=\"#ffd54f\", color=\"#7a4d00\", penwidth=4];"
                )
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Removes the font `<style>` block of layout-rs and turns its classes (`a11`, for 11 px)
/// into `font-size` attributes.
fn inline_fonts(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    if let (Some(a), Some(b)) = (rest.find("<style>"), rest.find("</style>"))
        && a < b
    {
        out.push_str(rest.get(..a).unwrap_or(""));
        rest = rest.get(b + "</style>".len()..).unwrap_or("");
    }
    while let Some(i) = rest.find("class=\"a") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + "class=\"a".len()..).unwrap_or("");
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty()
            && after
                .get(digits.len()..)
                .is_some_and(|s| s.starts_with('"'))
        {
            out.push_str(&format!("font-size=\"{digits}\""));
            rest = after.get(digits.len() + 1..).unwrap_or("");
        } else {
            out.push_str("class=\"a");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The case's cycle as inline SVG, with `title` (the product) and `desc` read to screen
/// readers. Every text in it is escaped.
pub(crate) fn svg(
    cycle: &Cycle,
    current: &StateId,
    lang: Lang,
    title: &str,
    desc: &str,
) -> Result<String, String> {
    let raw = crate::svg::render(&dot(cycle, current, lang))?;
    let body = raw
        .find("<svg")
        .and_then(|i| raw.get(i..))
        .ok_or("the layout produced no SVG")?;
    let body = inline_fonts(body);
    let open_end = body.find('>').ok_or("the layout produced no SVG")?;
    let (open, rest) = body.split_at(open_end);
    let rest = rest.get(1..).unwrap_or("");
    // Ids of the drawing (markers, paths, clips) get a prefix so they clash with nothing.
    let rest = rest
        .replace("id=\"arrow", "id=\"g-arrow")
        .replace("href=\"#arrow", "href=\"#g-arrow")
        .replace("id=\"C", "id=\"g-C")
        .replace("url(#C", "url(#g-C")
        .replace("id=\"startarrow\"", "id=\"g-startarrow\"")
        .replace("id=\"endarrow\"", "id=\"g-endarrow\"")
        .replace("url(#startarrow)", "url(#g-startarrow)")
        .replace("url(#endarrow)", "url(#g-endarrow)")
        // The current state's shape, which the page scrolls into view (the drawing is
        // wider than any screen).
        .replacen(
            CURRENT_FILL,
            &format!("class=\"current\" {CURRENT_FILL}"),
            1,
        );
    Ok(format!(
        "{open} class=\"cycle\" role=\"img\" aria-labelledby=\"cycle-title cycle-desc\" \
         font-family=\"DejaVu Sans, Noto Sans, Segoe UI, Roboto, Arial, sans-serif\">\
         <title id=\"cycle-title\">{}</title><desc id=\"cycle-desc\">{}</desc>{rest}",
        esc(title),
        esc(desc)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_become_attributes() {
        let s =
            "<svg><style>\n.a11 { font-size: 11px; }\n</style><text class=\"a11\">x</text></svg>";
        assert_eq!(
            inline_fonts(s),
            "<svg><text font-size=\"11\">x</text></svg>"
        );
    }

    #[test]
    fn the_current_state_is_marked_and_every_text_escaped() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../workflows/national-2026.toml"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let cycle = ocop_core::load_definition(path, &text).unwrap();
        let current = cycle.definition().initial.clone();
        let name = "<script>alert(1)</script> & \"x\"";
        let svg = svg(&cycle, &current, Lang::Vi, name, name).unwrap();
        assert_eq!(svg.matches("class=\"current\"").count(), 1, "{svg}");
        assert!(!svg.contains("<script"), "{svg}");
        assert!(
            svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"),
            "{svg}"
        );
        assert!(!svg.contains("<style"), "{svg}");
    }
}
