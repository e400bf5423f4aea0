//! Static validation of a definition: every problem at once, each with a stable code, and
//! the lowering of what is right into the typed parts of [`cycle`](crate::cycle).
//!
//! - `states`: states, deadlines, transitions;
//! - `params`: guards and effects against the tables of [`specs`](crate::specs);
//! - `stages`: evaluation stages, rounds, plugins, separation;
//! - `graph`: reachability;
//! - `refs`: references between tables, and "did you mean".

mod graph;
mod params;
mod refs;
mod stages;
mod states;

pub(crate) use graph::build_graph;
pub(crate) use refs::nearest;
use refs::{Refs, did_you_mean};

use std::collections::HashMap;

use crate::cycle::{self};
use crate::definition::{DEFINITION_FORMAT, Definition};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::i18n::Label;

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-.".contains(c))
}

/// Checks a definition and returns every finding, errors and warnings.
pub fn validate(def: &Definition) -> Vec<Diagnostic> {
    check(def).0
}

/// The typed parts validation lowered the definition into. Complete when the findings hold
/// no error: whatever could not be lowered was reported.
#[derive(Debug, Default)]
pub(crate) struct Lowered {
    /// Per state, in definition order: its deadline.
    pub(crate) deadlines: Vec<Option<cycle::Deadline>>,
    /// Per transition, in definition order: its guards.
    pub(crate) guards: Vec<Vec<cycle::Guard>>,
    /// Per transition, in definition order: its effects.
    pub(crate) effects: Vec<Vec<cycle::Effect>>,
    pub(crate) evaluations: Vec<cycle::Evaluation>,
    pub(crate) rounds: Vec<cycle::Round>,
    pub(crate) plugins: Vec<cycle::Plugin>,
}

/// Checks a definition and lowers it into typed parts.
pub(crate) fn check(def: &Definition) -> (Vec<Diagnostic>, Lowered) {
    let mut v = Validator {
        def,
        out: Vec::new(),
        lowered: Lowered::default(),
    };
    v.run();
    (v.out, v.lowered)
}

struct Validator<'a> {
    def: &'a Definition,
    out: Vec<Diagnostic>,
    lowered: Lowered,
}

impl<'a> Validator<'a> {
    fn push(&mut self, d: Diagnostic) {
        self.out.push(d);
    }

    fn errors(&self) -> usize {
        self.out
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    fn run(&mut self) {
        let def = self.def;
        if def.format != DEFINITION_FORMAT {
            self.push(Diagnostic::unsupported_format(
                "definition",
                def.format,
                DEFINITION_FORMAT,
            ));
        }
        self.label("label", &def.label);
        self.jurisdiction();
        self.validity();

        let roles = self.ids("roles", def.roles.iter().map(|r| r.id.as_str()));
        let states = self.ids("states", def.states.iter().map(|s| s.id.as_str()));
        let transitions = self.ids("transitions", def.transitions.iter().map(|t| t.id.as_str()));
        let evaluations = self.ids("evaluations", def.evaluations.iter().map(|e| e.id.as_str()));
        self.ids("rounds", def.rounds.iter().map(|r| r.id.as_str()));
        let plugins = self.ids("plugins", def.plugins.iter().map(|p| p.id.as_str()));

        for (i, r) in def.roles.iter().enumerate() {
            self.label(&format!("roles[{i}].label"), &r.label);
        }

        if !states.contains_key(def.initial.as_str()) {
            self.push(
                Diagnostic::error(
                    Code::MissingInitialState,
                    "initial",
                    format!("the initial state `{}` is not defined", def.initial),
                )
                .help_opt(
                    did_you_mean(def.initial.as_str(), states.keys().copied())
                        .or_else(|| Some("add a `[[states]]` table for it".into())),
                ),
            );
        }

        let refs = Refs {
            roles: &roles,
            states: &states,
            evaluations: &evaluations,
            plugins: &plugins,
        };
        self.states(&refs, &transitions);
        self.transitions(&refs);
        self.evaluations(&refs);
        self.rounds();
        self.plugins();
        self.separation(&refs);
        // A transition into a misspelt state would make the graph checks report the same
        // mistake again as unreachable states and dead ends; they run once references resolve.
        if !self.out.iter().any(|d| d.code == Code::UnknownState) {
            self.graph(&states);
        }
    }

    /// The validity period: its dates in order, and said on what basis.
    fn validity(&mut self) {
        let d = self.def;
        let pairs = [
            (
                "in_force_from",
                d.in_force_from,
                "in_force_until",
                d.in_force_until,
            ),
            (
                "in_force_from",
                d.in_force_from,
                "intake_until",
                d.intake_until,
            ),
            (
                "intake_until",
                d.intake_until,
                "in_force_until",
                d.in_force_until,
            ),
        ];
        for (a, da, b, db) in pairs {
            if let (Some(x), Some(y)) = (da, db)
                && x > y
            {
                self.push(
                    Diagnostic::error(Code::ValidityPeriod, b, format!("`{b}` ({y}) is before `{a}` ({x})"))
                        .help("the validity period runs from `in_force_from` to `in_force_until`; new cases may open until `intake_until`"),
                );
            }
        }
        if (d.in_force_until.is_some() || d.intake_until.is_some())
            && d.validity_basis
                .as_deref()
                .is_none_or(|b| b.trim().is_empty())
        {
            self.push(
                Diagnostic::error(
                    Code::ValidityPeriod,
                    "validity_basis",
                    "the definition ends but does not say on what basis",
                )
                .help("cite the act that ends it, e.g. `validity_basis = \"QĐ 26/2026/QĐ-TTg Điều 11.2\"`"),
            );
        }
    }

    /// The jurisdiction: a province named, each year's targets given once.
    fn jurisdiction(&mut self) {
        let Some(j) = &self.def.jurisdiction else {
            return;
        };
        if j.province.trim().is_empty() {
            self.push(
                Diagnostic::error(
                    Code::EmptyLabel,
                    "jurisdiction.province",
                    "the jurisdiction names no province",
                )
                .help("write the province or city the definition is for, e.g. `province = \"Cần Thơ\"`"),
            );
        }
        let mut seen = HashMap::new();
        for (i, t) in j.targets.iter().enumerate() {
            if let Some(first) = seen.get(&t.year).copied() {
                self.push(
                    Diagnostic::error(
                        Code::DuplicateId,
                        format!("jurisdiction.targets[{i}].year"),
                        format!("the targets for {} are given twice", t.year),
                    )
                    .help(format!(
                        "the first are `jurisdiction.targets[{first}]`; keep one entry per year"
                    )),
                );
            } else {
                seen.insert(t.year, i);
            }
        }
    }

    fn label(&mut self, path: &str, label: &Label) {
        for (lang, text) in [("vi", &label.vi), ("en", &label.en)] {
            if text.trim().is_empty() {
                self.push(
                    Diagnostic::error(Code::EmptyLabel, format!("{path}.{lang}"), "empty label")
                        .help(format!("every label needs its `{lang}` text")),
                );
            }
        }
    }

    /// Checks the ids of one table and returns them with their index.
    fn ids<'d>(
        &mut self,
        table: &str,
        ids: impl Iterator<Item = &'d str>,
    ) -> HashMap<&'d str, usize> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, id) in ids.enumerate() {
            let path = format!("{table}[{i}].id");
            if !valid_id(id) {
                self.push(
                    Diagnostic::error(Code::BadId, &path, format!("`{id}` is not a valid id"))
                        .help("use lowercase letters, digits, `_`, `-` and `.`, starting with a letter or digit"),
                );
            }
            if let Some(first) = seen.get(id) {
                self.push(
                    Diagnostic::error(
                        Code::DuplicateId,
                        &path,
                        format!("`{id}` is defined twice in `{table}`"),
                    )
                    .help(format!(
                        "the first definition is `{table}[{first}]`; rename or remove one"
                    )),
                );
            } else {
                seen.insert(id, i);
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use crate::{diagnostic::Code, load_definition};

    /// national-2026 with `keys` added before `initial`, refused: the error and the codes
    /// and paths of its findings.
    fn national_with(keys: &str) -> (crate::LoadError, Vec<(Code, String)>) {
        let national = include_str!("../../../../workflows/national-2026.toml");
        let text = national.replacen("initial = ", &format!("{keys}initial = "), 1);
        let err = load_definition("x.toml", &text).unwrap_err();
        let codes = err
            .report()
            .errors()
            .map(|d| (d.code, d.path.clone()))
            .collect();
        (err, codes)
    }

    #[test]
    fn a_validity_period_runs_forward_and_cites_its_basis() {
        let (_, codes) =
            national_with("in_force_until = \"2026-05-01\"\nintake_until = \"2026-06-01\"\n");
        assert_eq!(
            codes,
            vec![
                (Code::ValidityPeriod, "validity_basis".to_owned()),
                (Code::ValidityPeriod, "in_force_until".to_owned()),
                (Code::ValidityPeriod, "in_force_until".to_owned()),
            ]
        );
    }

    #[test]
    fn a_jurisdiction_names_its_province_and_gives_each_year_once() {
        let (err, codes) = national_with(
            "jurisdiction = { province = \" \", targets = [\
             { year = 2026, new_three_star = 1, new_four_star = 1, new_five_star = 1 },\
             { year = 2026, new_three_star = 2, new_four_star = 2, new_five_star = 2 }] }\n",
        );
        assert_eq!(
            codes,
            vec![
                (Code::EmptyLabel, "jurisdiction.province".to_owned()),
                (Code::DuplicateId, "jurisdiction.targets[1].year".to_owned()),
            ]
        );
        assert!(
            err.to_string()
                .contains("the targets for 2026 are given twice")
        );
    }
}
