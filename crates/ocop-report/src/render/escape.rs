//! Escaping user text (product, producer and district names…) for HTML/XML and Markdown.

/// Appends `s` to `out` as text for HTML or XML content and attribute values. Control
/// characters (a newline in a product name) become spaces.
pub(super) fn esc_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
}

/// Text for `maud` templates, escaped by [`esc_into`] (apostrophes too, control characters as
/// spaces) where `maud`'s own escaping would leave those as they are.
pub(super) struct Html<'a>(pub(super) &'a str);

impl maud::Render for Html<'_> {
    fn render_to(&self, buffer: &mut String) {
        esc_into(buffer, self.0);
    }
}

/// Whether `rest` (the text after an `&`) would make a character reference: `name;` or
/// `#123;`.
pub(super) fn starts_entity(rest: &str) -> bool {
    let body: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .collect();
    !body.is_empty() && rest.get(body.len()..).is_some_and(|r| r.starts_with(';'))
}

/// Text for Markdown (inline and table cells): the characters that would start emphasis,
/// links, code, raw HTML, strike-through or a table column are backslash-escaped, an `&` that
/// would start a character reference too, and control characters become spaces.
pub(super) fn esc_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '&' if s.get(i + c.len_utf8()..).is_some_and(starts_entity) => {
                out.push_str("\\&");
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping() {
        assert_eq!(esc_md("a|b <i>*x*</i>"), "a\\|b \\<i\\>\\*x\\*\\</i\\>");
        assert_eq!(esc_md("Tư & Con"), "Tư & Con");
        assert_eq!(esc_md("&amp; &#39;"), "\\&amp; \\&#39;");
        assert_eq!(esc_md("a\nb"), "a b");
    }
}
