//! Printing findings about authored files (definitions, migrations, calendars): the
//! one-line form that editors and the `.stderr` golden files read, or the line itself with
//! a caret under the key, drawn by miette.
//!
//! Core's [`Report`] is the one pipeline: every finding has a stable code, a file, a line
//! and column, a key path and a byte span. This module only chooses how to show it; miette
//! stays out of the library crates.

use std::io::IsTerminal;
use std::sync::Arc;

use clap::ValueEnum;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};
use ocop_core::diagnostic::{Diagnostic, Report, Severity};

/// How `ocop validate` shows findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// `rich` when standard error is a terminal, else `short`.
    #[default]
    Auto,
    /// One line per finding, `file:line:col: error[code]: message (at `key`)`, and an
    /// indented `help:` line: for editors and scripts.
    Short,
    /// The file's line with a caret under the key, and the help below it.
    Rich,
}

/// Renders `report` about `text` in `format`; empty when there are no findings.
pub(crate) fn render(report: &Report, text: &str, format: Format) -> String {
    let terminal = std::io::stderr().is_terminal();
    let rich = match format {
        Format::Auto => terminal,
        Format::Short => false,
        Format::Rich => true,
    };
    if !rich {
        return report.to_string();
    }
    let color = terminal && std::env::var_os("NO_COLOR").is_none();
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100);
    let source = NamedSource::new(&report.file, Arc::<str>::from(text));
    let mut out = String::new();
    for d in &report.diagnostics {
        let finding = Finding {
            d,
            source: &source,
            text,
        };
        // Writing into a String cannot fail; a renderer error leaves the short line instead.
        let mut one = String::new();
        if handler.render_report(&mut one, &finding).is_err() {
            one = Report::new(&report.file, vec![d.clone()]).to_string();
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&one);
    }
    out
}

/// One finding, as miette sees it.
struct Finding<'a> {
    d: &'a Diagnostic,
    source: &'a NamedSource<Arc<str>>,
    text: &'a str,
}

impl std::fmt::Debug for Finding<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.d.fmt(f)
    }
}

impl std::fmt::Display for Finding<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.d.message)?;
        // Without a span the key is not drawn: name it.
        if self.d.span.is_none() && !self.d.path.is_empty() {
            write!(f, " (at `{}`)", self.d.path)?;
        }
        Ok(())
    }
}

impl std::error::Error for Finding<'_> {}

impl miette::Diagnostic for Finding<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(format!("{}[{}]", self.d.severity, self.d.code)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.d.span.clone()?;
        // A whole table or array element spans many lines: point at its first line only.
        let line_end = self
            .text
            .get(span.start..)
            .and_then(|rest| rest.find('\n'))
            .map_or(self.text.len(), |i| span.start + i);
        let end = span.end.min(line_end).max(span.start);
        let label = if self.d.path.is_empty() {
            "here".to_owned()
        } else {
            self.d.path.clone()
        };
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(label),
            span.start..end,
        ))))
    }
}

#[cfg(test)]
mod tests {
    use ocop_core::diagnostic::{Code, Report};

    use super::{Format, render};

    fn report(text: &str) -> Report {
        let Err(report) = ocop_engine::Calendar::load("c.toml", text).map(|_| ()) else {
            panic!("the calendar was accepted")
        };
        report.report().cloned().unwrap_or_default()
    }

    #[test]
    fn short_is_the_reports_own_form_and_rich_points_at_the_first_line_of_a_table() {
        let text = "format = 1\nid = \"x\"\nlabel = { vi = \"x\", en = \"x\" }\nbasis = \"x\"\n\
            [[years]]\nyear = 2026\nstatus = \"announced\"\nsource = \"s\"\ndays_off = []\n\
            [[years]]\nyear = 2026\nstatus = \"announced\"\nsource = \"s\"\ndays_off = []\n";
        let mut r = report(text);
        assert_eq!(render(&r, text, Format::Short), r.to_string());
        // Point the finding at the whole second `[[years]]` table, five lines long.
        let d = r.diagnostics.first_mut().unwrap();
        assert_eq!(d.code, Code::CalendarDuplicateYear);
        d.path = "years[1]".into();
        let start = text.rfind("year = 2026").unwrap();
        d.span = Some(start..text.len());
        let rich = render(&r, text, Format::Rich);
        assert!(rich.contains("error[calendar-duplicate-year]"), "{rich}");
        assert!(rich.contains("╰── years[1]"), "{rich}");
        // The underline covers `year = 2026` only, not the lines after it.
        assert!(rich.contains("· ─────┬─────\n"), "{rich}");
        assert!(
            rich.contains("help: keep one `[[years]]` entry per year"),
            "{rich}"
        );
    }
}
