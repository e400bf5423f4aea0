//! Plugin conformance (the same checks `ocop plugin check` runs) and shadow scoring: a new
//! version of a plugin scored against the old one over a corpus of answer sheets.

use std::fmt;

use ocop_core::{Stars, domain::AnswerSheet, plugin::Scorer};

#[cfg(feature = "wasm")]
pub use ocop_plugin_host::conformance::{
    Check, Options, Report, SheetGenerator, catalog_problems, check_component, check_guard,
    check_guard_component, check_guard_with_config, check_scorer,
};

/// How one sheet's evaluation changed between two plugin versions.
#[derive(Clone, Debug, PartialEq)]
pub struct ShadowChange {
    /// The sheet's position in the corpus.
    pub index: usize,
    /// The product set.
    pub product_set: u8,
    /// Total and stars under the old plugin.
    pub old: (f64, Option<Stars>),
    /// Total and stars under the new plugin.
    pub new: (f64, Option<Stars>),
    /// Criteria whose points changed.
    pub lines: Vec<String>,
}

/// What shadow scoring found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ShadowReport {
    /// The old and new plugins (name version sha256).
    pub old: String,
    /// The new plugin.
    pub new: String,
    /// Sheets scored by both.
    pub compared: usize,
    /// Sheets whose evaluation is identical.
    pub identical: usize,
    /// Sheets whose evaluation changed.
    pub changed: Vec<ShadowChange>,
    /// Sheets one of the plugins refused or failed on: (index, which, error).
    pub errors: Vec<(usize, &'static str, String)>,
}

impl ShadowReport {
    /// Sheets whose final rank changed.
    pub fn rank_changes(&self) -> impl Iterator<Item = &ShadowChange> {
        self.changed.iter().filter(|c| c.old.1 != c.new.1)
    }
}

impl fmt::Display for ShadowReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "shadow scoring: {} (old) against {} (new)",
            self.old, self.new
        )?;
        writeln!(
            f,
            "  {} sheets compared: {} identical, {} changed ({} change the rank), {} errors",
            self.compared,
            self.identical,
            self.changed.len(),
            self.rank_changes().count(),
            self.errors.len()
        )?;
        let stars = |s: Option<Stars>| s.map_or("knocked out".to_owned(), |s| s.to_string());
        for c in &self.changed {
            writeln!(
                f,
                "  sheet {} (set {}): {} {} -> {} {}; lines: {}",
                c.index,
                c.product_set,
                c.old.0,
                stars(c.old.1),
                c.new.0,
                stars(c.new.1),
                c.lines.join(", ")
            )?;
        }
        for (i, which, e) in &self.errors {
            writeln!(f, "  sheet {i}: {which} plugin failed: {e}")?;
        }
        Ok(())
    }
}

/// Scores every sheet of `corpus` with both plugins and reports the differences.
///
/// # Examples
/// ```
/// use ocop_core::{ProductSet, plugin::Scorer};
/// use ocop_testkit::plugins::{SheetGenerator, shadow_score};
/// # let native = ocop_criteria_26_2026::NativeScorer::new();
/// let catalog = native.criteria(ProductSet::new(5).unwrap()).unwrap();
/// let mut g = SheetGenerator::new(1);
/// let corpus: Vec<_> = (0..20).map(|_| g.sheet(&catalog)).collect();
/// let report = shadow_score(&native, &native, &corpus);
/// assert_eq!(report.identical, 20);
/// ```
pub fn shadow_score(old: &dyn Scorer, new: &dyn Scorer, corpus: &[AnswerSheet]) -> ShadowReport {
    let id = |s: &dyn Scorer| {
        let r = s.plugin_ref();
        format!("{} {} ({})", r.name, r.version, r.sha256)
    };
    let mut report = ShadowReport {
        old: id(old),
        new: id(new),
        ..ShadowReport::default()
    };
    for (index, sheet) in corpus.iter().enumerate() {
        let (a, b) = match (old.score(sheet), new.score(sheet)) {
            (Ok(a), Ok(b)) => (a.evaluation, b.evaluation),
            (Err(e), _) => {
                report.errors.push((index, "old", e.to_string()));
                continue;
            }
            (_, Err(e)) => {
                report.errors.push((index, "new", e.to_string()));
                continue;
            }
        };
        report.compared += 1;
        if a == b {
            report.identical += 1;
            continue;
        }
        let lines = a
            .lines
            .iter()
            .zip(&b.lines)
            .filter(|(x, y)| x.points != y.points)
            .map(|(x, y)| format!("{} {}→{}", x.criterion, x.points, y.points))
            .collect();
        report.changed.push(ShadowChange {
            index,
            product_set: sheet.product_set.number(),
            old: (a.total, a.stars),
            new: (b.total, b.stars),
            lines,
        });
    }
    report
}
