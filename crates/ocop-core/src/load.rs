//! From a definition file's text to a validated [`Cycle`].

use serde::de::DeserializeOwned;

use crate::definition::Definition;
use crate::diagnostic::{Code, Diagnostic, Report, Severity};
use crate::graph::Cycle;
use crate::source::{SourceMap, Syntax, parse};
use crate::validate::validate;

/// A definition file that could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file is not well-formed, or does not have the definition's shape; the report
    /// holds one `syntax` finding.
    #[error("`{file}` could not be read as a cycle definition:\n{report}", file = .0.file, report = .0)]
    Syntax(Report),
    /// The file was read but failed validation; the report holds every finding.
    #[error(
        "`{file}` is not a valid cycle definition ({count} errors):\n{report}",
        file = .0.file,
        count = .0.errors().count(),
        report = .0
    )]
    Invalid(Report),
}

impl LoadError {
    /// The findings behind the error.
    pub fn report(&self) -> &Report {
        match self {
            LoadError::Syntax(r) | LoadError::Invalid(r) => r,
        }
    }
}

/// Parses a definition without validating it. `file` names the file in diagnostics and
/// picks the syntax (`.json` for JSON, anything else for TOML).
///
/// # Errors
/// [`LoadError::Syntax`] when the text is not well-formed or not shaped like a definition.
pub fn parse_definition(file: &str, text: &str) -> Result<(Definition, SourceMap), LoadError> {
    parse_document(file, text, "definition").map_err(LoadError::Syntax)
}

/// Parses any of ocop's authored files (a definition, a migration, a calendar) into `T`,
/// remembering where every key was written so that later findings can be located with
/// [`Report::locate`]. `file` names the file in diagnostics and picks the syntax (`.json`
/// for JSON, anything else for TOML); `schema` names the file's schema in `schemas/`
/// (e.g. `migration`) for the help line.
///
/// # Errors
/// A report holding one `syntax` finding, located where the parser stopped, when the text
/// is not well-formed or not shaped like a `T`.
pub fn parse_document<T: DeserializeOwned>(
    file: &str,
    text: &str,
    schema: &str,
) -> Result<(T, SourceMap), Report> {
    parse(text, Syntax::from_file_name(file)).map_err(|e| {
        Report::new(
            file,
            vec![Diagnostic {
                severity: Severity::Error,
                code: Code::Syntax,
                message: e.message,
                path: String::new(),
                location: e.location,
                span: e.span,
                help: Some(format!(
                    "check the file against `schemas/{schema}.schema.json`"
                )),
            }],
        )
    })
}

/// Parses and validates a definition, returning every finding (errors and warnings) with
/// file locations. Use it for linting; use [`load_definition`] to get a usable [`Cycle`].
pub fn check_definition(file: &str, text: &str) -> Report {
    match parse_definition(file, text) {
        Err(e) => e.report().clone(),
        Ok((def, map)) => Report::new(file, validate(&def)).locate(&map),
    }
}

/// Parses and validates a definition file into a [`Cycle`].
///
/// # Errors
/// [`LoadError::Syntax`] for a malformed file, [`LoadError::Invalid`] with every finding
/// (each located at `file:line:col`) when validation fails.
///
/// # Examples
/// ```
/// let text = r#"
/// format = 1
/// id = "tiny"
/// version = "1"
/// label = { vi = "Chu trình nhỏ", en = "Tiny cycle" }
/// legal_basis = "example"
/// calendar = "vn"
/// initial = "registration"
///
/// [[roles]]
/// id = "producer"
/// level = "producer"
/// label = { vi = "Chủ thể OCOP", en = "Producer" }
///
/// [[states]]
/// id = "registration"
/// kind = "intake"
/// owner = "producer"
/// label = { vi = "Đăng ký", en = "Registration" }
/// basis = "Art. 7.1"
///
/// [[states]]
/// id = "withdrawn"
/// kind = "terminal"
/// label = { vi = "Rút hồ sơ", en = "Withdrawn" }
/// basis = "Art. 7.1"
///
/// [[transitions]]
/// id = "withdraw"
/// from = "registration"
/// to = "withdrawn"
/// label = { vi = "Rút hồ sơ", en = "Withdraw" }
/// roles = ["producer"]
/// basis = "Art. 7.1"
/// "#;
/// let cycle = ocop_core::load_definition("tiny.toml", text)?;
/// assert_eq!(cycle.initial().id.as_str(), "registration");
/// assert_eq!(cycle.outgoing(&"registration".into()).len(), 1);
/// # Ok::<(), ocop_core::LoadError>(())
/// ```
pub fn load_definition(file: &str, text: &str) -> Result<Cycle, LoadError> {
    let (def, map) = parse_definition(file, text)?;
    Cycle::read(def, file, text.to_owned())
        .map_err(|r| LoadError::Invalid(Report::new(file, r.diagnostics).locate(&map)))
}
