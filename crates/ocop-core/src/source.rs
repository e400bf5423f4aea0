//! Reading definition files and remembering where every key was written, so that a
//! diagnostic can point at `file:line:col`.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use serde::de::DeserializeOwned;

/// The syntax of a definition file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// TOML, the usual format (`.toml`).
    Toml,
    /// JSON with the same schema (`.json`).
    Json,
}

impl Syntax {
    /// The syntax a file name suggests: JSON for `.json`, TOML otherwise.
    pub fn from_file_name(name: &str) -> Syntax {
        if name.to_ascii_lowercase().ends_with(".json") {
            Syntax::Json
        } else {
            Syntax::Toml
        }
    }
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where each key and array element of a document was written.
///
/// Paths are written the way diagnostics print them: `states[3].deadline.on_timeout`.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    spans: HashMap<String, Range<usize>>,
    line_starts: Vec<usize>,
    text: String,
}

impl SourceMap {
    fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceMap {
            spans: HashMap::new(),
            line_starts,
            text: text.to_owned(),
        }
    }

    fn record(&mut self, path: String, span: Range<usize>) {
        self.spans.entry(path).or_insert(span);
    }

    /// The location of `path`, or of its nearest recorded parent.
    pub fn locate(&self, path: &str) -> Option<Location> {
        self.span(path).map(|s| self.location_of(s.start))
    }

    /// The bytes where `path`, or its nearest recorded parent, was written: a key, or a
    /// whole array element.
    pub fn span(&self, path: &str) -> Option<Range<usize>> {
        let mut p = path;
        loop {
            if let Some(span) = self.spans.get(p) {
                return Some(span.clone());
            }
            let cut = p.rfind(['.', '['])?;
            p = p.get(..cut)?;
        }
    }

    /// The byte offset of a line and column (the inverse of [`SourceMap::location_of`]),
    /// clamped to the text.
    fn offset_of(&self, location: Location) -> usize {
        let start = self
            .line_starts
            .get(location.line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let rest = self.text.get(start..).unwrap_or_default();
        start
            + rest
                .char_indices()
                .nth(location.column.saturating_sub(1))
                .map_or(rest.len(), |(i, _)| i)
    }

    /// The line and column of a byte offset.
    pub fn location_of(&self, offset: usize) -> Location {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset.min(self.text.len()))
            .map_or(1, |s| s.chars().count() + 1);
        Location { line, column }
    }
}

/// A file that is not well-formed TOML or JSON, or whose shape does not match the schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    /// Where the problem is, when known.
    pub location: Option<Location>,
    /// The bytes the parser points at, when known.
    pub span: Option<Range<usize>>,
    /// What is wrong, as the parser says it.
    pub message: String,
}

/// Parses `text` into `T`, recording where every key was written.
pub(crate) fn parse<T: DeserializeOwned>(
    text: &str,
    syntax: Syntax,
) -> Result<(T, SourceMap), SyntaxError> {
    let mut map = SourceMap::new(text);
    match syntax {
        Syntax::Toml => {
            let table = toml::de::DeTable::parse(text).map_err(|e| toml_error(&map, &e))?;
            record_toml_table(&mut map, "", table.get_ref());
            let value = T::deserialize(toml::de::Deserializer::from(table))
                .map_err(|e| toml_error(&map, &e))?;
            Ok((value, map))
        }
        Syntax::Json => {
            let value: T = serde_json::from_str(text).map_err(|e| {
                let location = (e.line() > 0).then_some(Location {
                    line: e.line(),
                    column: e.column(),
                });
                SyntaxError {
                    location,
                    span: location.map(|l| {
                        let at = map.offset_of(l);
                        at..at
                    }),
                    message: strip_json_position(&e.to_string()),
                }
            })?;
            json::record(&mut map, text);
            Ok((value, map))
        }
    }
}

fn strip_json_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg).to_owned(),
        None => msg.to_owned(),
    }
}

fn toml_error(map: &SourceMap, e: &toml::de::Error) -> SyntaxError {
    SyntaxError {
        location: e.span().map(|s| map.location_of(s.start)),
        span: e.span(),
        message: e.message().trim().to_owned(),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn record_toml_table(map: &mut SourceMap, prefix: &str, table: &toml::de::DeTable<'_>) {
    for (key, value) in table {
        let path = join(prefix, key.get_ref());
        map.record(path.clone(), key.span());
        record_toml_value(map, &path, value);
    }
}

fn record_toml_value(
    map: &mut SourceMap,
    path: &str,
    value: &toml::Spanned<toml::de::DeValue<'_>>,
) {
    match value.get_ref() {
        toml::de::DeValue::Table(t) => record_toml_table(map, path, t),
        toml::de::DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                map.record(p.clone(), item.span());
                record_toml_value(map, &p, item);
            }
        }
        _ => {}
    }
}

/// A small scanner that records the position of every key and array element of a JSON
/// document. It runs after serde_json accepted the document, so it may assume it is valid
/// and simply stops at anything unexpected.
mod json {
    use super::{SourceMap, join};

    struct Scanner<'a> {
        bytes: &'a [u8],
        text: &'a str,
        pos: usize,
        depth: usize,
    }

    pub(super) fn record(map: &mut SourceMap, text: &str) {
        let mut s = Scanner {
            bytes: text.as_bytes(),
            text,
            pos: 0,
            depth: 0,
        };
        s.value(map, "");
    }

    impl Scanner<'_> {
        fn peek(&self) -> Option<u8> {
            self.bytes.get(self.pos).copied()
        }

        fn ws(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.pos += 1;
            }
        }

        fn string(&mut self) -> Option<String> {
            let start = self.pos;
            if self.peek() != Some(b'"') {
                return None;
            }
            self.pos += 1;
            while let Some(b) = self.peek() {
                self.pos += 1;
                match b {
                    b'\\' => self.pos += 1,
                    b'"' => {
                        let raw = self.text.get(start..self.pos)?;
                        return serde_json::from_str(raw).ok();
                    }
                    _ => {}
                }
            }
            None
        }

        fn value(&mut self, map: &mut SourceMap, path: &str) -> Option<()> {
            // serde_json refuses nesting deeper than 128, so this bound is never hit by a
            // document that got this far; it keeps the scanner's stack bounded regardless.
            if self.depth > 200 {
                return None;
            }
            self.ws();
            match self.peek()? {
                b'{' => {
                    self.depth += 1;
                    self.pos += 1;
                    loop {
                        self.ws();
                        if self.peek()? == b'}' {
                            self.pos += 1;
                            break;
                        }
                        let key_start = self.pos;
                        let key = self.string()?;
                        let p = join(path, &key);
                        map.record(p.clone(), key_start..self.pos);
                        self.ws();
                        if self.peek()? != b':' {
                            return None;
                        }
                        self.pos += 1;
                        self.value(map, &p)?;
                        self.ws();
                        if self.peek()? == b',' {
                            self.pos += 1;
                        }
                    }
                    self.depth -= 1;
                }
                b'[' => {
                    self.depth += 1;
                    self.pos += 1;
                    let mut i = 0;
                    loop {
                        self.ws();
                        if self.peek()? == b']' {
                            self.pos += 1;
                            break;
                        }
                        let p = format!("{path}[{i}]");
                        map.record(p.clone(), self.pos..self.pos + 1);
                        self.value(map, &p)?;
                        i += 1;
                        self.ws();
                        if self.peek()? == b',' {
                            self.pos += 1;
                        }
                    }
                    self.depth -= 1;
                }
                b'"' => {
                    self.string()?;
                }
                _ => {
                    while let Some(b) = self.peek() {
                        if matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                            break;
                        }
                        self.pos += 1;
                    }
                }
            }
            Some(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Doc {
        a: u32,
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        id: String,
    }

    #[test]
    fn toml_paths_have_locations() {
        let text = "a = 1\n\n[[items]]\nid = \"x\"\n\n[[items]]\n  id = \"ý\"\n";
        let (_, map): (Doc, _) = parse(text, Syntax::Toml).unwrap();
        assert_eq!(map.locate("a"), Some(Location { line: 1, column: 1 }));
        assert_eq!(
            map.locate("items[1].id"),
            Some(Location { line: 7, column: 3 })
        );
        // unknown child falls back to its parent
        assert_eq!(
            map.locate("items[1].id.more"),
            Some(Location { line: 7, column: 3 })
        );
    }

    #[test]
    fn json_paths_have_locations() {
        let text =
            "{\n  \"a\": 1,\n  \"items\": [\n    {\"id\": \"x\"},\n    { \"id\": \"y\" }\n  ]\n}";
        let (_, map): (Doc, _) = parse(text, Syntax::Json).unwrap();
        assert_eq!(map.locate("a"), Some(Location { line: 2, column: 3 }));
        assert_eq!(
            map.locate("items[1].id"),
            Some(Location { line: 5, column: 7 })
        );
    }

    #[test]
    fn spans_and_offsets_agree_with_locations() {
        let text = "a = 1\n[[items]]\n  id = \"ý\"\n";
        let (_, map): (Doc, _) = parse(text, Syntax::Toml).unwrap();
        let span = map.span("items[0].id.more").unwrap();
        assert_eq!(text.get(span.clone()), Some("id"));
        let loc = map.location_of(span.start);
        assert_eq!(loc, Location { line: 3, column: 3 });
        assert_eq!(map.offset_of(loc), span.start);
        // past the end of a line or of the text: clamped
        assert_eq!(map.offset_of(Location { line: 9, column: 1 }), text.len());
        let err = parse::<Doc>("{\"a\": 1,\n \"items\": 3}", Syntax::Json).unwrap_err();
        let at = err.span.unwrap().start;
        assert_eq!(
            map_of("{\"a\": 1,\n \"items\": 3}").location_of(at),
            err.location.unwrap()
        );
    }

    fn map_of(text: &str) -> SourceMap {
        SourceMap::new(text)
    }

    #[test]
    fn syntax_errors_carry_locations() {
        let err = parse::<Doc>("a = 1\nitems = [\n", Syntax::Toml).unwrap_err();
        assert!(err.location.is_some());
        let err = parse::<Doc>("a = \"x\"\nitems = []\n", Syntax::Toml).unwrap_err();
        assert_eq!(err.location.map(|l| l.line), Some(1));
        let err = parse::<Doc>("{\"a\": 1,\n \"items\": 3}", Syntax::Json).unwrap_err();
        assert_eq!(err.location.map(|l| l.line), Some(2));
    }
}
