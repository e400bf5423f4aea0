//! References between the tables of a definition, and the "did you mean" that comes with a wrong one.

use std::collections::HashMap;

use super::Validator;
use crate::diagnostic::{Code, Diagnostic};
use crate::specs::Spec;

/// The nearest candidate to a misspelt id, if one is close enough to be a likely typo.
pub(crate) fn nearest<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (wrong.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(wrong, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

pub(super) fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    nearest(wrong, candidates).map(|c| format!("did you mean `{c}`?"))
}

pub(super) struct Refs<'r> {
    pub(super) roles: &'r HashMap<&'r str, usize>,
    pub(super) states: &'r HashMap<&'r str, usize>,
    pub(super) evaluations: &'r HashMap<&'r str, usize>,
    pub(super) plugins: &'r HashMap<&'r str, usize>,
}

impl Refs<'_> {
    fn check(
        v: &mut Validator<'_>,
        table: &HashMap<&str, usize>,
        code: Code,
        what: &str,
        path: &str,
        id: &str,
        hint: &str,
    ) -> bool {
        if table.contains_key(id) {
            return true;
        }
        v.push(
            Diagnostic::error(code, path, format!("{what} `{id}` is not defined")).help_opt(
                did_you_mean(id, table.keys().copied()).or_else(|| Some(hint.to_owned())),
            ),
        );
        false
    }

    pub(super) fn state(&self, v: &mut Validator<'_>, path: &str, id: &str) -> bool {
        Self::check(
            v,
            self.states,
            Code::UnknownState,
            "state",
            path,
            id,
            "define it under `[[states]]`",
        )
    }

    pub(super) fn role(&self, v: &mut Validator<'_>, path: &str, id: &str) -> bool {
        Self::check(
            v,
            self.roles,
            Code::UnknownRole,
            "role",
            path,
            id,
            "define it under `[[roles]]`",
        )
    }

    pub(super) fn evaluation(&self, v: &mut Validator<'_>, path: &str, id: &str) -> bool {
        Self::check(
            v,
            self.evaluations,
            Code::UnknownEvaluation,
            "evaluation stage",
            path,
            id,
            "define it under `[[evaluations]]`",
        )
    }

    pub(super) fn plugin(&self, v: &mut Validator<'_>, path: &str, id: &str) -> bool {
        Self::check(
            v,
            self.plugins,
            Code::UnknownPlugin,
            "plugin",
            path,
            id,
            "declare it under `[[plugins]]` with its path and sha256",
        )
    }
}

pub(super) fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn names<T>(specs: &[Spec<T>]) -> String {
    specs.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}
