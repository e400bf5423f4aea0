//! The conformance checks every plugin must pass — what `ocop plugin check` runs, and what
//! other projects' test suites run against their own plugins.
//!
//! For a scoring plugin: it describes itself and publishes a consistent criteria sheet for
//! each product set it claims (parts summing to 100, each criterion's maximum reached by an
//! option, nothing the host cannot check); random valid answer sheets and the sheets at each
//! criteria sheet's boundaries (a fact that does not hold, a minimum missed, a section on a
//! case of its own) never fail, and every result keeps to the plugin's own criteria sheet
//! (the host's check: stricter, never more lenient); scoring is deterministic — on fresh
//! instances and on one kept instance, repeated and interleaved; invalid sheets are refused
//! cleanly; and, when a native build of the same rules is given, both builds agree. A check
//! that evaluated nothing fails.
//!
//! For a guard plugin: it describes itself and its checks; each check never fails on
//! generated case views under the given configuration, returns findings with a code and
//! both languages, and is deterministic in the same way; an unknown check is refused.
//!
//! [`check_component`] and [`check_guard_component`] check a loaded component, kept
//! instances included; [`check_scorer`] and [`check_guard`] check any implementation of the
//! traits (a native build, a mock), where "instance" means what `fresh` returns.

mod guard;
mod scorer;

use std::fmt;

use ocop_core::{
    ProductSet,
    plugin::{CriteriaSheet, PluginError},
};

pub use crate::generator::SheetGenerator;
pub use guard::{check_guard, check_guard_component, check_guard_with_config};
pub use scorer::{check_component, check_scorer};

/// One check and its outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// Whether it held.
    pub passed: bool,
    /// Details: a counterexample when it failed, a count when it held.
    pub detail: String,
}

/// The outcome of every check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The plugin's name and version.
    pub plugin: String,
    /// The checks, in the order they ran.
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether every check held (and there was at least one).
    pub fn passed(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.passed)
    }

    /// The check named `name`, if it ran.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    fn record(&mut self, name: &str, failures: &[String], ok: String) {
        self.checks.push(Check {
            name: name.to_owned(),
            passed: failures.is_empty(),
            detail: match failures.first() {
                None => ok,
                Some(first) => format!("{} failure(s); first: {first}", failures.len()),
            },
        });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "plugin {}", self.plugin)?;
        for c in &self.checks {
            writeln!(
                f,
                "  [{}] {}: {}",
                if c.passed { "ok" } else { "FAIL" },
                c.name,
                c.detail
            )?;
        }
        let passed = self.checks.iter().filter(|c| c.passed).count();
        let failed = self.checks.len() - passed;
        write!(f, "{passed} passed, {failed} failed")
    }
}

/// What to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Random valid sheets per product set, besides the boundary sheets (scoring); case
    /// views per check are eight times as many (guards).
    pub sheets_per_set: usize,
    /// Seed of the generator (the same seed gives the same sheets).
    pub seed: u64,
    /// The product sets to check; empty for every set the plugin claims.
    pub sets: Vec<ProductSet>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            sheets_per_set: 8,
            seed: 0x0C0_2026,
            sets: Vec::new(),
        }
    }
}

fn describe_err(e: &PluginError) -> String {
    e.to_string()
}

/// An empty report for the plugin `info` describes, and the failures of its description
/// common to both kinds.
fn start(info: &ocop_core::plugin::PluginInfo) -> (Report, Vec<String>) {
    let report = Report {
        plugin: format!("{} {}", info.name, info.version),
        checks: Vec::new(),
    };
    let mut failures = Vec::new();
    if info.name.is_empty() || info.version.is_empty() {
        failures.push("empty name or version".to_owned());
    }
    (report, failures)
}

/// Problems of a criteria sheet's arithmetic: parts that do not sum to 100, a criterion's
/// maximum no option reaches, criteria of a part that do not sum to its maximum (counting
/// the first case of each section with alternatives), and what the host would refuse
/// ([`CriteriaSheet::publication_problems`]).
pub fn catalog_problems(c: &CriteriaSheet) -> Vec<String> {
    let mut out = c.publication_problems();
    let parts: f64 = c.parts.iter().map(|p| p.max).sum();
    if (parts - 100.0).abs() > 1e-9 {
        out.push(format!("parts sum to {parts}, not 100"));
    }
    if c.criteria.is_empty() {
        out.push("no criteria".into());
    }
    for criterion in &c.criteria {
        let best = criterion
            .options
            .iter()
            .map(|o| o.points)
            .fold(f64::NEG_INFINITY, f64::max);
        if (best - criterion.max).abs() > 1e-9 {
            out.push(format!(
                "criterion {}: best option {best}, maximum {}",
                criterion.id, criterion.max
            ));
        }
    }
    let first_case = |x: &ocop_core::plugin::Criterion| {
        x.branch.is_none_or(|b| {
            c.alternatives()
                .iter()
                .find(|(s, _)| *s == x.section)
                .and_then(|(_, cases)| cases.first())
                == Some(&b)
        })
    };
    for p in &c.parts {
        let sum: f64 = c
            .criteria
            .iter()
            .filter(|x| x.part == p.code && first_case(x))
            .map(|x| x.max)
            .sum();
        if (sum - p.max).abs() > 1e-9 {
            out.push(format!(
                "part {}: criteria sum to {sum}, maximum {}",
                p.code, p.max
            ));
        }
    }
    out
}

/// Whether `set` is one the plugin claims.
pub fn claims(scorer: &dyn ocop_core::plugin::Scorer, set: ProductSet) -> bool {
    scorer.info().product_sets.contains(&set)
}
