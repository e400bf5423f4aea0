//! The checks of a scoring plugin.

use ocop_core::{
    domain::AnswerSheet,
    plugin::{CriteriaSheet, PluginError, Scored, Scorer},
};

use super::{Options, Report, SheetGenerator, catalog_problems, describe_err};
use crate::scoring::{KeptScorer, WasmScorer};

/// Scoring on one kept instance.
trait KeptScoring {
    fn score(&mut self, sheet: &AnswerSheet) -> Result<Scored, PluginError>;
}

impl KeptScoring for KeptScorer<'_> {
    fn score(&mut self, sheet: &AnswerSheet) -> Result<Scored, PluginError> {
        KeptScorer::score(self, sheet)
    }
}

type MakeKept<'a> = &'a dyn Fn() -> Result<Box<dyn KeptScoring + 'a>, PluginError>;

/// Runs every check on a loaded component: determinism is checked on fresh instances and on
/// one kept instance, repeated and interleaved, and, last, the host's own probe of each set
/// (what refuses a plugin that keeps state at scoring time). `native` is a native build of
/// the same rules, when there is one.
pub fn check_component(
    scorer: &WasmScorer,
    native: Option<&dyn Scorer>,
    options: &Options,
) -> Report {
    // Without the host's probe, so that the checks below see every sheet and show the one
    // that differs.
    let plain = scorer.reopen(false);
    let fresh = || -> Result<Box<dyn Scorer>, PluginError> { Ok(Box::new(scorer.reopen(false))) };
    let kept = || -> Result<Box<dyn KeptScoring + '_>, PluginError> { Ok(Box::new(plain.kept()?)) };
    let mut report = run(&plain, &fresh, Some(&kept), native, options);
    let probed = scorer.reopen(true);
    let sets: Vec<_> = if options.sets.is_empty() {
        scorer.info().product_sets.clone()
    } else {
        options.sets.clone()
    };
    let mut failures = Vec::new();
    for set in &sets {
        if let Err(e @ PluginError::Nondeterministic { .. }) = probed.criteria(*set) {
            failures.push(describe_err(&e));
        }
    }
    report.record(
        "the host's determinism probe accepts every set",
        &failures,
        format!("{} sets probed", sets.len()),
    );
    report
}

/// Runs every check on `scorer`. `fresh` makes a new, independent instance of the same
/// plugin (for the determinism check across instances); `native` is a native build of the
/// same rules, when there is one. For a component, [`check_component`] also checks a kept
/// instance.
pub fn check_scorer(
    scorer: &dyn Scorer,
    fresh: &dyn Fn() -> Result<Box<dyn Scorer>, PluginError>,
    native: Option<&dyn Scorer>,
    options: &Options,
) -> Report {
    run(scorer, fresh, None, native, options)
}

/// A sheet to score, and what it tries.
struct Case {
    what: String,
    sheet: AnswerSheet,
}

fn summary(s: &Scored) -> String {
    let e = &s.evaluation;
    format!(
        "total {}, cap {}, {}",
        e.total,
        e.cap.get(),
        e.stars
            .map_or("knocked out".to_owned(), |s| format!("{} stars", s.get()))
    )
}

fn shown(case: &Case) -> String {
    format!(
        "set {}, {}; sheet: {}",
        case.sheet.product_set,
        case.what,
        serde_json::to_string(&case.sheet).unwrap_or_default()
    )
}

fn run(
    scorer: &dyn Scorer,
    fresh: &dyn Fn() -> Result<Box<dyn Scorer>, PluginError>,
    kept: Option<MakeKept<'_>>,
    native: Option<&dyn Scorer>,
    options: &Options,
) -> Report {
    let info = scorer.info().clone();
    let (mut report, mut failures) = super::start(&info);
    if info.product_sets.is_empty() {
        failures.push("claims no product set".to_owned());
    }
    for set in &options.sets {
        if !info.product_sets.contains(set) {
            failures.push(format!(
                "set {set} was asked for, but the plugin does not claim it"
            ));
        }
    }
    let sets: Vec<_> = if options.sets.is_empty() {
        info.product_sets.clone()
    } else {
        options
            .sets
            .iter()
            .copied()
            .filter(|s| info.product_sets.contains(s))
            .collect()
    };
    report.record(
        "describes itself",
        &failures,
        format!(
            "{} product sets claimed, {} checked",
            info.product_sets.len(),
            sets.len()
        ),
    );

    // Criteria sheets.
    let mut catalogs: Vec<CriteriaSheet> = Vec::new();
    let mut failures = Vec::new();
    for &set in &sets {
        match scorer.criteria(set) {
            Err(e) => failures.push(format!("set {set}: {}", describe_err(&e))),
            Ok(c) => {
                failures.extend(
                    catalog_problems(&c)
                        .into_iter()
                        .map(|p| format!("set {set}: {p}")),
                );
                catalogs.push(c);
            }
        }
    }
    let criteria: usize = catalogs.iter().map(|c| c.criteria.len()).sum();
    report.record(
        "criteria sheets are consistent (parts sum to 100, every maximum reachable)",
        &failures,
        format!("{} sheets, {criteria} criteria", catalogs.len()),
    );

    // Random sheets and boundary sheets.
    let mut generator = SheetGenerator::new(options.seed);
    let mut cases: Vec<Case> = Vec::new();
    for c in &catalogs {
        for i in 0..options.sheets_per_set {
            cases.push(Case {
                what: format!("random sheet {i}"),
                sheet: generator.sheet(c),
            });
        }
        for (what, sheet) in SheetGenerator::boundary_sheets(c) {
            cases.push(Case { what, sheet });
        }
    }
    let mut traps = Vec::new();
    let mut lenient = Vec::new();
    let mut bounds = Vec::new();
    let mut coverage = Vec::new();
    // The first result of each sheet that scored, by its index in `cases`.
    let mut first: Vec<(usize, Scored)> = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let sheet = &case.sheet;
        match scorer.score(sheet) {
            Err(e @ PluginError::BadOutput { .. }) => {
                lenient.push(format!("{}: {}", shown(case), describe_err(&e)));
            }
            Err(e) => traps.push(format!("{}: {}", shown(case), describe_err(&e))),
            Ok(s) => {
                let e = &s.evaluation;
                let sum: f64 = e.lines.iter().map(|l| l.points).sum();
                if !(0.0..=100.0).contains(&e.total) || (sum - e.total).abs() > 1e-9 {
                    bounds.push(format!(
                        "{}: total {} for lines summing to {sum}",
                        shown(case),
                        e.total
                    ));
                }
                if let Some(c) = catalogs.iter().find(|c| c.product_set == sheet.product_set) {
                    let ids: Vec<_> = e.lines.iter().map(|l| &l.criterion).collect();
                    let expected: Vec<_> = c.criteria.iter().map(|c| &c.id).collect();
                    if ids != expected {
                        coverage.push(format!(
                            "set {}: lines {} for {} criteria",
                            sheet.product_set,
                            ids.len(),
                            expected.len()
                        ));
                    }
                }
                first.push((i, s));
            }
        }
    }
    if cases.is_empty() {
        traps.push("no sheet to score: nothing was checked".to_owned());
    }
    report.record(
        "never fails on valid sheets",
        &traps,
        format!(
            "{} sheets tried ({} at the criteria sheets' boundaries)",
            cases.len(),
            cases.len() - catalogs.len() * options.sheets_per_set
        ),
    );
    report.record(
        "keeps to its own criteria sheet (lines, stops, cap, knock-outs, stars: stricter, never more lenient)",
        &lenient,
        format!("{} evaluations checked", first.len()),
    );
    let no_evaluation = || vec!["no evaluation to check".to_owned()];
    report.record(
        "totals within 0..=100 and equal to the sum of the lines",
        &if first.is_empty() {
            no_evaluation()
        } else {
            bounds
        },
        format!("{} evaluations", first.len()),
    );
    report.record(
        "every catalog criterion scored, in order",
        &if first.is_empty() {
            no_evaluation()
        } else {
            coverage
        },
        format!("{} evaluations", first.len()),
    );

    determinism(scorer, fresh, kept, &cases, &first, &mut report);

    // Invalid sheets are refused cleanly.
    let mut failures = Vec::new();
    let mut tried = 0;
    for catalog in &catalogs {
        for (what, bad) in invalid_sheets(catalog, &mut generator) {
            tried += 1;
            match scorer.score(&bad) {
                Err(PluginError::Rejected { .. }) => {}
                Err(e) => failures.push(format!(
                    "set {} ({what}): not a clean refusal: {}",
                    catalog.product_set,
                    describe_err(&e)
                )),
                Ok(_) => failures.push(format!("set {} ({what}): accepted", catalog.product_set)),
            }
        }
    }
    report.record(
        "invalid sheets refused cleanly",
        &failures,
        format!("{tried} invalid sheets"),
    );

    // Native and WebAssembly builds agree.
    if let Some(native) = native {
        let mut failures = Vec::new();
        for (i, s) in &first {
            let Some(case) = cases.get(*i) else { continue };
            match native.score(&case.sheet) {
                Ok(n) if n.evaluation == s.evaluation => {}
                Ok(_) => failures.push(format!(
                    "{}: native and plugin evaluations differ",
                    shown(case)
                )),
                Err(e) => failures.push(format!("{}: native: {}", shown(case), describe_err(&e))),
            }
        }
        for catalog in &catalogs {
            match native.criteria(catalog.product_set) {
                Ok(n) if n == *catalog => {}
                Ok(_) => failures.push(format!(
                    "set {}: native and plugin criteria sheets differ",
                    catalog.product_set
                )),
                Err(e) => failures.push(format!(
                    "set {}: native: {}",
                    catalog.product_set,
                    describe_err(&e)
                )),
            }
        }
        report.record(
            "native and WebAssembly builds agree",
            &failures,
            format!("{} evaluations, {} sheets", first.len(), catalogs.len()),
        );
    }
    report
}

/// The same sheets scored again: on the same scorer, on a fresh instance, and (for a
/// component) on one kept instance in order and then in reverse, interleaved with the
/// others; every result must equal the first.
fn determinism(
    scorer: &dyn Scorer,
    fresh: &dyn Fn() -> Result<Box<dyn Scorer>, PluginError>,
    kept: Option<MakeKept<'_>>,
    cases: &[Case],
    first: &[(usize, Scored)],
    report: &mut Report,
) {
    let mut setup = Vec::new();
    let other = match fresh() {
        Ok(other) => Some(other),
        Err(e) => {
            setup.push(format!(
                "could not make a fresh instance: {}",
                describe_err(&e)
            ));
            None
        }
    };
    let mut kept_instance = match kept.map(|k| k()) {
        None => None,
        Some(Ok(k)) => Some(k),
        Some(Err(e)) => {
            setup.push(format!("could not keep an instance: {}", describe_err(&e)));
            None
        }
    };
    let mut failures = setup;
    let mut runs = 0;
    let mut compare =
        |what: &str, i: usize, expected: &Scored, again: Result<Scored, PluginError>| {
            runs += 1;
            let Some(case) = cases.get(i) else { return };
            match again {
                Ok(again) if again.evaluation == expected.evaluation => {}
                Ok(again) => failures.push(format!(
                    "{what} gave {} where the first run gave {}: {}",
                    summary(&again),
                    summary(expected),
                    shown(case)
                )),
                Err(e) => failures.push(format!("{what}: {}: {}", describe_err(&e), shown(case))),
            }
        };
    let mut call = 0;
    for (i, expected) in first {
        let Some(case) = cases.get(*i) else { continue };
        if let Some(k) = kept_instance.as_mut() {
            call += 1;
            compare(
                &format!("the kept instance (call {call})"),
                *i,
                expected,
                k.score(&case.sheet),
            );
        }
        compare("a second run", *i, expected, scorer.score(&case.sheet));
        if let Some(other) = &other {
            compare("a fresh instance", *i, expected, other.score(&case.sheet));
        }
    }
    if let Some(k) = kept_instance.as_mut() {
        for (i, expected) in first.iter().rev() {
            let Some(case) = cases.get(*i) else { continue };
            call += 1;
            compare(
                &format!("the kept instance (call {call}, in reverse order)"),
                *i,
                expected,
                k.score(&case.sheet),
            );
        }
    }
    if first.is_empty() {
        failures.push("no evaluation to compare".to_owned());
    }
    let name = if kept.is_some() {
        "deterministic on fresh instances and on a kept instance (repeated, interleaved)"
    } else {
        "deterministic across runs and fresh instances"
    };
    report.record(
        name,
        &failures,
        format!("{} sheets, {runs} repeated runs", first.len()),
    );
}

fn invalid_sheets(
    catalog: &CriteriaSheet,
    generator: &mut SheetGenerator,
) -> Vec<(&'static str, AnswerSheet)> {
    let mut out = Vec::new();
    let valid = generator.sheet(catalog);
    if let Some(first) = valid.answers.keys().next().cloned() {
        let mut s = valid.clone();
        if let Some(c) = catalog.criteria.iter().find(|c| c.id == first) {
            s.answers.insert(first.clone(), c.options.len() as u32);
        }
        out.push(("option out of range", s));
        let mut s = valid.clone();
        s.answers.remove(&first);
        out.push(("criterion unanswered", s));
    }
    let mut s = valid.clone();
    s.answers.insert("no-such-criterion".into(), 0);
    out.push(("unknown criterion", s));
    let mut s = valid.clone();
    s.facts.insert("no_such_fact".into(), true);
    out.push(("unknown fact", s));
    let mut s = valid.clone();
    s.format = ocop_core::domain::DOCUMENT_FORMAT + 1;
    out.push(("unsupported format", s));
    if !catalog.branches.is_empty() {
        let mut s = valid;
        s.branch = Some(u8::MAX);
        out.push(("a case that does not exist", s));
    }
    out
}
