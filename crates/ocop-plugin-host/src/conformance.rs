//! The conformance checks every scoring plugin must pass — what `ocop plugin check` runs,
//! and what other projects' test suites run against their own plugins.
//!
//! The checks: the plugin describes itself and publishes a consistent criteria sheet for
//! each product set it claims (parts summing to 100, each criterion's maximum reached by an
//! option); random valid answer sheets never trap, score every catalog criterion, stay within
//! 0..=100 with a total equal to the sum of the lines; scoring is deterministic across runs
//! and across fresh instances (fuel included); invalid sheets are refused cleanly; and, when
//! a native build of the same rules is given, both builds agree.

use std::fmt;

use ocop_core::{AnswerSheet, CriteriaSheet, PluginError, ProductSet, Scorer};

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
    /// Whether every check held.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
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
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Random valid sheets per product set.
    pub sheets_per_set: usize,
    /// Seed of the sheet generator (the same seed gives the same sheets).
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            sheets_per_set: 8,
            seed: 0x0C0_2026,
        }
    }
}

/// A small deterministic generator (SplitMix64), so a failing sheet can be reproduced from
/// the seed.
#[derive(Clone, Debug)]
pub struct SheetGenerator {
    state: u64,
}

impl SheetGenerator {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SheetGenerator { state: seed }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next() % n as u64) as usize
    }

    /// A valid answer sheet for `catalog`: a random branch (when it has branches), a random
    /// option for every criterion that applies, each fact true nine times in ten.
    pub fn sheet(&mut self, catalog: &CriteriaSheet) -> AnswerSheet {
        let branch = (!catalog.branches.is_empty()).then(|| {
            let i = self.below(catalog.branches.len());
            catalog.branches.get(i).map_or(1, |b| b.number)
        });
        let mut sheet = catalog.template(branch);
        for c in &catalog.criteria {
            if let Some(a) = sheet.answers.get_mut(&c.id) {
                *a = self.below(c.options.len()) as u32;
            }
        }
        for v in sheet.facts.values_mut() {
            *v = self.below(10) != 0;
        }
        sheet
    }
}

fn describe_err(e: &PluginError) -> String {
    e.to_string()
}

/// Runs every check on `scorer`. `fresh` makes a new, independent instance of the same
/// plugin (for the determinism check across instances); `native` is a native build of the
/// same rules, when there is one.
pub fn check_scorer(
    scorer: &dyn Scorer,
    fresh: &dyn Fn() -> Result<Box<dyn Scorer>, PluginError>,
    native: Option<&dyn Scorer>,
    options: Options,
) -> Report {
    let info = scorer.info().clone();
    let mut report = Report {
        plugin: format!("{} {}", info.name, info.version),
        checks: Vec::new(),
    };
    let mut failures = Vec::new();
    if info.name.is_empty() || info.version.is_empty() {
        failures.push("empty name or version".to_owned());
    }
    if info.product_sets.is_empty() {
        failures.push("claims no product set".to_owned());
    }
    report.record(
        "describes itself",
        &failures,
        format!("{} product sets", info.product_sets.len()),
    );

    // Criteria sheets.
    let mut catalogs: Vec<CriteriaSheet> = Vec::new();
    let mut failures = Vec::new();
    for &set in &info.product_sets {
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

    // Random valid sheets.
    let mut generator = SheetGenerator::new(options.seed);
    let sheets: Vec<AnswerSheet> = catalogs
        .iter()
        .flat_map(|c| {
            (0..options.sheets_per_set)
                .map(|_| generator.sheet(c))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut traps = Vec::new();
    let mut bounds = Vec::new();
    let mut coverage = Vec::new();
    let mut first_results = Vec::new();
    for sheet in &sheets {
        match scorer.score(sheet) {
            Err(e) => traps.push(format!("set {}: {}", sheet.product_set, describe_err(&e))),
            Ok(s) => {
                let e = &s.evaluation;
                let sum: f64 = e.lines.iter().map(|l| l.points).sum();
                if !(0.0..=100.0).contains(&e.total) || (sum - e.total).abs() > 1e-9 {
                    bounds.push(format!(
                        "set {}: total {} for lines summing to {sum}",
                        sheet.product_set, e.total
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
                first_results.push(s);
            }
        }
    }
    report.record(
        "never fails on valid sheets",
        &traps,
        format!("{} sheets scored", sheets.len()),
    );
    report.record(
        "totals within 0..=100 and equal to the sum of the lines",
        &bounds,
        format!("{} evaluations", first_results.len()),
    );
    report.record(
        "every catalog criterion scored, in order",
        &coverage,
        format!("{} evaluations", first_results.len()),
    );

    // Determinism across runs and across fresh instances.
    let mut failures = Vec::new();
    match fresh() {
        Err(e) => failures.push(format!(
            "could not make a fresh instance: {}",
            describe_err(&e)
        )),
        Ok(other) => {
            for (sheet, first) in sheets.iter().zip(&first_results) {
                for (what, again) in [
                    ("same instance", scorer.score(sheet)),
                    ("fresh instance", other.score(sheet)),
                ] {
                    match again {
                        Ok(again) if again == *first => {}
                        Ok(_) => failures.push(format!(
                            "set {}: a second run on the {what} differs",
                            sheet.product_set
                        )),
                        Err(e) => failures.push(format!(
                            "set {}: {what}: {}",
                            sheet.product_set,
                            describe_err(&e)
                        )),
                    }
                }
            }
        }
    }
    report.record(
        "deterministic across runs and fresh instances",
        &failures,
        format!("{} sheets, each scored 3 times", first_results.len()),
    );

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
        for (sheet, first) in sheets.iter().zip(&first_results) {
            match native.score(sheet) {
                Ok(n) if n.evaluation == first.evaluation => {}
                Ok(_) => failures.push(format!(
                    "set {}: native and plugin evaluations differ",
                    sheet.product_set
                )),
                Err(e) => failures.push(format!(
                    "set {}: native: {}",
                    sheet.product_set,
                    describe_err(&e)
                )),
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
            format!(
                "{} evaluations, {} sheets",
                first_results.len(),
                catalogs.len()
            ),
        );
    }
    report
}

/// Problems of a criteria sheet's arithmetic.
pub fn catalog_problems(c: &CriteriaSheet) -> Vec<String> {
    let mut out = Vec::new();
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
        if !c.parts.iter().any(|p| p.code == criterion.part) {
            out.push(format!(
                "criterion {}: unknown part `{}`",
                criterion.id, criterion.part
            ));
        }
    }
    for p in &c.parts {
        // With branches, count each alternative once: the largest branch.
        let sum: f64 = c
            .criteria
            .iter()
            .filter(|x| x.part == p.code && x.branch.is_none_or(|b| b == 1))
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
    if !catalog.branches.is_empty() {
        let mut s = valid;
        s.branch = None;
        out.push(("branch missing", s));
    }
    out
}

/// Whether `set` is one the plugin claims.
pub fn claims(scorer: &dyn Scorer, set: ProductSet) -> bool {
    scorer.info().product_sets.contains(&set)
}

fn first_set() -> ProductSet {
    // 1 is always a product set; `ProductSet::all` starts there.
    ProductSet::all()
        .next()
        .unwrap_or_else(|| unreachable!("product set 1 exists"))
}

/// A case view for guard checks: random facts, documents and results over a fixed producer.
fn case_view(
    generator: &mut SheetGenerator,
    check: &str,
    config: &std::collections::BTreeMap<String, serde_json::Value>,
) -> ocop_core::CaseView {
    use ocop_core::{DossierDocument, Producer, ProducerKind, RegistrationType, Stars};
    let mut facts = std::collections::BTreeMap::new();
    for f in [
        "traceability_registered",
        "food_safety_certificate",
        "dossier_authentic",
    ] {
        if generator.below(3) != 0 {
            facts.insert(f.to_owned(), generator.below(2) == 0);
        }
    }
    let mut documents = Vec::new();
    for k in [
        "form_01",
        "form_02",
        "traceability_qr",
        "food_safety_certificate",
    ] {
        if generator.below(2) == 0 {
            documents.push(DossierDocument {
                kind: k.to_owned(),
                present: generator.below(4) != 0,
                valid_until: None,
            });
        }
    }
    let total = (generator.below(10_001) as f64) / 100.0;
    ocop_core::CaseView {
        case_id: format!("conformance-{}", generator.below(1_000_000)),
        definition: "conformance".into(),
        state: "district_decision".into(),
        transition: check.into(),
        product_set: ProductSet::new(1 + (generator.below(26) as u8)).unwrap_or(first_set()),
        registration: match generator.below(3) {
            0 => RegistrationType::First,
            1 => RegistrationType::Upgrade,
            _ => RegistrationType::ReEvaluation,
        },
        producer: Producer {
            name: "Hợp tác xã kiểm thử".into(),
            kind: ProducerKind::Cooperative,
            province: "92".into(),
            commune: "31117".into(),
            district: Some("Phong Điền".into()),
        },
        documents,
        facts,
        total: Some(total),
        stars: Some(Stars::from_total(total)),
        config: config.clone(),
    }
}

/// Runs the guard checks on `guard`: it describes itself and its checks; each check never
/// fails on generated case views, is deterministic across runs and fresh instances, and
/// returns findings with a code and both languages; an unknown check is refused cleanly.
/// `config` is the plugin's configuration as a definition would pass it.
pub fn check_guard(
    guard: &dyn ocop_core::GuardPlugin,
    fresh: &dyn Fn() -> Result<Box<dyn ocop_core::GuardPlugin>, PluginError>,
    options: Options,
) -> Report {
    check_guard_with_config(guard, fresh, &std::collections::BTreeMap::new(), options)
}

/// [`check_guard`] with the plugin's configuration.
pub fn check_guard_with_config(
    guard: &dyn ocop_core::GuardPlugin,
    fresh: &dyn Fn() -> Result<Box<dyn ocop_core::GuardPlugin>, PluginError>,
    config: &std::collections::BTreeMap<String, serde_json::Value>,
    options: Options,
) -> Report {
    let info = guard.info().clone();
    let mut report = Report {
        plugin: format!("{} {}", info.name, info.version),
        checks: Vec::new(),
    };
    let mut failures = Vec::new();
    if info.name.is_empty() || info.version.is_empty() {
        failures.push("empty name or version".to_owned());
    }
    if info.checks.is_empty() {
        failures.push("offers no check".to_owned());
    }
    report.record(
        "describes itself and its checks",
        &failures,
        format!("checks: {}", info.checks.join(", ")),
    );

    let mut generator = SheetGenerator::new(options.seed);
    let runs = options.sheets_per_set.max(1) * 8;
    let mut errors = Vec::new();
    let mut shape = Vec::new();
    let mut determinism = Vec::new();
    let other = fresh();
    if let Err(e) = &other {
        determinism.push(format!(
            "could not make a fresh instance: {}",
            describe_err(e)
        ));
    }
    let mut blocking = 0;
    for check in &info.checks {
        for _ in 0..runs {
            let view = case_view(&mut generator, check, config);
            match guard.check(&view, check) {
                Err(e) => errors.push(format!("`{check}`: {}", describe_err(&e))),
                Ok(findings) => {
                    blocking += findings.iter().filter(|f| f.blocking).count();
                    for f in &findings {
                        if f.code.is_empty() || f.message.vi.is_empty() || f.message.en.is_empty() {
                            shape.push(format!(
                                "`{check}`: a finding without a code or a message in both languages"
                            ));
                        }
                    }
                    let again = guard.check(&view, check);
                    if again.as_ref().ok() != Some(&findings) {
                        determinism.push(format!(
                            "`{check}`: a second run on the same instance differs"
                        ));
                    }
                    if let Ok(other) = &other
                        && other.check(&view, check).as_ref().ok() != Some(&findings)
                    {
                        determinism.push(format!("`{check}`: a fresh instance differs"));
                    }
                }
            }
        }
    }
    let total = runs * info.checks.len();
    report.record(
        "never fails on generated cases",
        &errors,
        format!("{total} case views, {blocking} blocking findings"),
    );
    report.record(
        "findings carry a code and both languages",
        &shape,
        format!("{total} case views"),
    );
    report.record(
        "deterministic across runs and fresh instances",
        &determinism,
        format!("{total} case views, each checked 3 times"),
    );
    let view = case_view(&mut generator, "no-such-check", config);
    let failures = match guard.check(&view, "no-such-check") {
        Err(PluginError::Rejected { .. }) => Vec::new(),
        Err(e) => vec![format!("not a clean refusal: {}", describe_err(&e))],
        Ok(_) => vec!["an unknown check was accepted".to_owned()],
    };
    report.record(
        "unknown checks refused cleanly",
        &failures,
        "refused".to_owned(),
    );
    report
}
