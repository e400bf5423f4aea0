//! Diagnostics: what the validator found, where, and how to fix it.

use std::fmt;
use std::ops::Range;

pub use crate::load::parse_document;
pub use crate::source::{Location, SourceMap, Syntax, SyntaxError};

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth a look; the definition still loads.
    Warning,
    /// The definition cannot be used until this is fixed.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

macro_rules! codes {
    ($($(#[$m:meta])* $variant:ident => $s:literal,)*) => {
        /// A stable code for each kind of finding. The codes never change meaning; tools may
        /// match on them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[$m])* $variant,)*
        }

        impl Code {
            /// Every code, in a stable order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed, e.g. `unreachable-state`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $s,)*
                }
            }
        }
    };
}

codes! {
    /// The file is not well-formed TOML or JSON, or does not have the definition's shape.
    Syntax => "syntax",
    /// `format` is not a version this library reads.
    UnsupportedFormat => "unsupported-format",
    /// An id is empty or uses characters other than lowercase letters, digits, `_`, `-`, `.`.
    BadId => "bad-id",
    /// Two items of the same kind share an id.
    DuplicateId => "duplicate-id",
    /// A label has an empty Vietnamese or English text.
    EmptyLabel => "empty-label",
    /// `initial` names no state.
    MissingInitialState => "missing-initial-state",
    /// A reference to a state that does not exist.
    UnknownState => "unknown-state",
    /// A reference to a transition that does not exist.
    UnknownTransition => "unknown-transition",
    /// A reference to a role that does not exist.
    UnknownRole => "unknown-role",
    /// A reference to a plugin that is not declared in `plugins`.
    UnknownPlugin => "unknown-plugin",
    /// A reference to an evaluation stage that does not exist.
    UnknownEvaluation => "unknown-evaluation",
    /// A transition that no role may take.
    TransitionWithoutRoles => "transition-without-roles",
    /// A guard that is not built in.
    UnknownGuard => "unknown-guard",
    /// A guard parameter that is missing, unknown or of the wrong type.
    GuardParameter => "guard-parameter",
    /// An effect that is not built in.
    UnknownEffect => "unknown-effect",
    /// An effect parameter that is missing, unknown or of the wrong type.
    EffectParameter => "effect-parameter",
    /// A deadline that sets more than one of `working_days`, `days`, `months`, or none
    /// while counting from the day the state was entered.
    DeadlineAmount => "deadline-amount",
    /// A deadline with no `on_timeout` transition.
    DeadlineWithoutTimeout => "deadline-without-timeout",
    /// A deadline's timeout transition does not leave the deadline's state.
    TimeoutWrongSource => "timeout-wrong-source",
    /// A deadline's timeout transition does not list the `system` role.
    TimeoutWithoutSystemRole => "timeout-without-system-role",
    /// A `system` transition that no deadline fires.
    SystemWithoutDeadline => "system-without-deadline",
    /// No state of kind `terminal`.
    NoTerminalState => "no-terminal-state",
    /// A terminal state with transitions leaving it.
    TerminalWithOutgoing => "terminal-with-outgoing",
    /// A terminal state with a deadline.
    TerminalWithDeadline => "terminal-with-deadline",
    /// A state no path from the initial state reaches.
    UnreachableState => "unreachable-state",
    /// A state from which no terminal state can be reached (a dead end, or a loop with no
    /// way out).
    NoWayOut => "no-way-out",
    /// An evaluation stage without a scoring plugin.
    EvaluationWithoutPlugin => "evaluation-without-plugin",
    /// An evaluation stage whose state is not of kind `evaluation`.
    EvaluationStateKind => "evaluation-state-kind",
    /// A state of kind `evaluation` with no evaluation stage.
    EvaluationStateWithoutStage => "evaluation-state-without-stage",
    /// A council rule out of range (quorum, threshold, spread).
    CouncilRule => "council-rule",
    /// A plugin of the wrong kind for its use (a guard plugin scoring, or the reverse).
    PluginKind => "plugin-kind",
    /// A plugin without a SHA-256 pin.
    UnpinnedPlugin => "unpinned-plugin",
    /// A SHA-256 that is not 64 lowercase hex digits.
    BadSha256 => "bad-sha256",
    /// A declared plugin nothing uses.
    UnusedPlugin => "unused-plugin",
    /// A plugin's own fuel or memory limit out of range (zero, or past the host's ceiling).
    PluginLimits => "plugin-limits",
    /// A declared plugin's component file does not exist (`ocop validate --plugins`).
    PluginFileMissing => "plugin-file-missing",
    /// A declared plugin's component does not hash to its pin (`ocop validate --plugins`).
    PluginHashMismatch => "plugin-hash-mismatch",
    /// A declared plugin's component does not load: not a component, a forbidden import, the
    /// wrong world, a failing `describe` (`ocop validate --plugins`).
    PluginLoad => "plugin-load",
    /// A `plugin` guard names a check its guard plugin does not offer
    /// (`ocop validate --plugins`).
    UnknownCheck => "unknown-check",
    /// A scoring plugin does not publish a criteria sheet for every product set its
    /// evaluation stages score (`ocop validate --plugins`).
    PluginCoverage => "plugin-coverage",
    /// A round date that is not a valid `MM-DD`.
    BadRoundDate => "bad-round-date",
    /// A separation rule naming fewer than two roles.
    Separation => "separation",
    /// Validity dates out of order, or an end without its legal basis.
    ValidityPeriod => "validity-period",
    // Migration files (`workflows/migrations/*.toml`, checked by `ocop validate` and
    // `ocop_engine::Migration::load`).
    /// A migration file's `from` or `to` is not the definition it is used with, or names no
    /// known definition.
    MigrationDefinitions => "migration-definitions",
    /// A migration rule from a terminal state, or to one.
    MigrationTerminalState => "migration-terminal-state",
    /// A non-terminal state of the old definition with no default rule.
    MigrationUnmappedState => "migration-unmapped-state",
    /// Two rules for the same state and registration type.
    MigrationDuplicateRule => "migration-duplicate-rule",
    /// A `continue` rule that names a `to` state.
    MigrationContinueTarget => "migration-continue-target",
    /// The transitional limits are missing where a rule needs them, or contradict Art. 12.1.
    MigrationLimits => "migration-limits",
    /// A migration rule without a reason.
    MigrationReason => "migration-reason",
    // Calendar files (`workflows/calendars/*.toml`).
    /// A year listed twice in a calendar file.
    CalendarDuplicateYear => "calendar-duplicate-year",
    /// A day off or working day outside the year it is listed under.
    CalendarDayOutsideYear => "calendar-day-outside-year",
    /// A run of days whose `until` is before its `date`.
    CalendarDayRange => "calendar-day-range",
    /// A day that is both a day off and a make-up working day.
    CalendarDayConflict => "calendar-day-conflict",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding about an authored file: a definition, a migration or a calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code.
    pub code: Code,
    /// What is wrong, naming the items in backticks.
    pub message: String,
    /// Where in the document, e.g. `transitions[4].to`.
    pub path: String,
    /// Line and column in the file, when the document came from a file.
    pub location: Option<Location>,
    /// The bytes of the file the finding points at (a key, an array element, or where the
    /// parser stopped), for renderers that show the line with a caret under it.
    pub span: Option<Range<usize>>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with `code` about the key at `path` (e.g. `states[2].from`), not yet
    /// located: [`Report::locate`] finds its line and column.
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            path: path.into(),
            location: None,
            span: None,
            help: None,
        }
    }

    /// A warning, otherwise as [`Diagnostic::error`].
    pub fn warning(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, path, message)
        }
    }

    /// The error for a document whose `format` key names a format this version does not
    /// read: `document` is what the file is ("definition", "calendar", "migration").
    ///
    /// ```
    /// use ocop_core::diagnostic::{Code, Diagnostic};
    /// let d = Diagnostic::unsupported_format("calendar", 9, 1);
    /// assert_eq!(d.code, Code::UnsupportedFormat);
    /// assert_eq!(d.message, "calendar format 9 is not supported");
    /// ```
    pub fn unsupported_format(document: &str, found: u32, reads: u32) -> Self {
        Diagnostic::error(
            Code::UnsupportedFormat,
            "format",
            format!("{document} format {found} is not supported"),
        )
        .help(format!(
            "this version of ocop reads {document} format {reads}: write `format = {reads}`"
        ))
    }

    /// The finding with a line saying how to fix it.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The finding with a help line: "did you mean `x`?" when one of `candidates` is close
    /// to `wrong` (a likely typo), else `otherwise`.
    #[must_use]
    pub fn suggest<'a>(
        self,
        wrong: &str,
        candidates: impl IntoIterator<Item = &'a str>,
        otherwise: impl Into<String>,
    ) -> Self {
        match crate::validate::nearest(wrong, candidates) {
            Some(near) => self.help(format!("did you mean `{near}`?")),
            None => self.help(otherwise),
        }
    }

    pub(crate) fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }
}

/// All findings for one file (a definition, a migration or a calendar), in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The file the findings are about (as given by the caller).
    pub file: String,
    /// The findings.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// The findings `diagnostics` about `file` (the name shown before each finding).
    pub fn new(file: impl Into<String>, diagnostics: Vec<Diagnostic>) -> Self {
        Report {
            file: file.into(),
            diagnostics,
        }
    }

    /// Resolves every diagnostic's path to a line, column and span in the file `map` was
    /// made from, and sorts them by position.
    #[must_use]
    pub fn locate(mut self, map: &SourceMap) -> Self {
        for d in &mut self.diagnostics {
            if d.location.is_none() {
                d.location = map.locate(&d.path);
            }
            if d.span.is_none() {
                d.span = map.span(&d.path);
            }
        }
        self.diagnostics
            .sort_by(|a, b| a.location.cmp(&b.location).then(a.code.cmp(&b.code)));
        self
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }
}

impl fmt::Display for Report {
    /// One finding per line, `file:line:col: error[code]: message`, each followed by an
    /// indented `help:` line when there is one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            match d.location {
                Some(loc) => write!(f, "{}:{}: ", self.file, loc)?,
                None => write!(f, "{}: ", self.file)?,
            }
            write!(f, "{}[{}]: {}", d.severity, d.code, d.message)?;
            if d.path.is_empty() {
                writeln!(f)?;
            } else {
                writeln!(f, " (at `{}`)", d.path)?;
            }
            if let Some(help) = &d.help {
                writeln!(f, "  help: {help}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Report {}
