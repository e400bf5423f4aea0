//! The checks of a guard plugin.

use std::collections::BTreeMap;

use ocop_core::{
    ProductSet,
    plugin::{CaseView, Finding, GuardPlugin, PluginError},
};

use super::{Options, Report, SheetGenerator, describe_err};
use crate::guard::{KeptGuard, WasmGuard};

/// Checking on one kept instance.
trait KeptChecking {
    fn check(&mut self, view: &CaseView, check: &str) -> Result<Vec<Finding>, PluginError>;
}

impl KeptChecking for KeptGuard<'_> {
    fn check(&mut self, view: &CaseView, check: &str) -> Result<Vec<Finding>, PluginError> {
        KeptGuard::check(self, view, check)
    }
}

type Config = BTreeMap<String, serde_json::Value>;

/// A case view for guard checks: random facts, documents and results over a fixed producer.
fn case_view(generator: &mut SheetGenerator, check: &str, config: &Config) -> Option<CaseView> {
    use ocop_core::{
        Stars,
        domain::{DossierDocument, Producer, ProducerKind, RegistrationType},
    };
    let mut facts = BTreeMap::new();
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
    let set = ProductSet::all().nth(generator.below(26))?;
    Some(CaseView {
        case_id: format!("conformance-{}", generator.below(1_000_000)),
        definition: "conformance".into(),
        state: "district_decision".into(),
        transition: check.into(),
        product_set: set,
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
    })
}

/// Runs the guard checks on `guard` with no configuration.
pub fn check_guard(
    guard: &dyn GuardPlugin,
    fresh: &dyn Fn() -> Result<Box<dyn GuardPlugin>, PluginError>,
    options: &Options,
) -> Report {
    check_guard_with_config(guard, fresh, &Config::new(), options)
}

/// Runs the guard checks on `guard`: it describes itself and its checks; each check never
/// fails on generated case views, is deterministic across runs and fresh instances, and
/// returns findings with a code and both languages; an unknown check is refused cleanly.
/// `config` is the plugin's configuration as a definition would pass it.
pub fn check_guard_with_config(
    guard: &dyn GuardPlugin,
    fresh: &dyn Fn() -> Result<Box<dyn GuardPlugin>, PluginError>,
    config: &Config,
    options: &Options,
) -> Report {
    run(guard, fresh, None, config, options)
}

/// [`check_guard_with_config`] on a loaded component, with determinism also checked on one
/// kept instance, interleaved with fresh ones.
pub fn check_guard_component(guard: &WasmGuard, config: &Config, options: &Options) -> Report {
    let fresh = || -> Result<Box<dyn GuardPlugin>, PluginError> { Ok(Box::new(guard.reopen())) };
    let kept = guard
        .kept()
        .map(|k| Box::new(k) as Box<dyn KeptChecking + '_>);
    run(guard, &fresh, Some(kept), config, options)
}

fn run<'a>(
    guard: &dyn GuardPlugin,
    fresh: &dyn Fn() -> Result<Box<dyn GuardPlugin>, PluginError>,
    kept: Option<Result<Box<dyn KeptChecking + 'a>, PluginError>>,
    config: &Config,
    options: &Options,
) -> Report {
    let info = guard.info().clone();
    let (mut report, mut failures) = super::start(&info);
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
    let has_kept = kept.is_some();
    let mut kept = match kept {
        None => None,
        Some(Ok(k)) => Some(k),
        Some(Err(e)) => {
            determinism.push(format!("could not keep an instance: {}", describe_err(&e)));
            None
        }
    };
    let mut blocking = 0;
    let mut checked = 0;
    for check in &info.checks {
        for _ in 0..runs {
            let Some(view) = case_view(&mut generator, check, config) else {
                continue;
            };
            let shown = || serde_json::to_string(&view).unwrap_or_default();
            match guard.check(&view, check) {
                Err(e) => errors.push(format!(
                    "`{check}`: {}; case view: {}",
                    describe_err(&e),
                    shown()
                )),
                Ok(findings) => {
                    checked += 1;
                    blocking += findings.iter().filter(|f| f.blocking).count();
                    for f in &findings {
                        if f.code.is_empty() || f.message.vi.is_empty() || f.message.en.is_empty() {
                            shape.push(format!(
                                "`{check}`: a finding without a code or a message in both languages"
                            ));
                        }
                    }
                    let mut compare = |what: &str, again: Result<Vec<Finding>, PluginError>| {
                        if again.as_ref().ok() != Some(&findings) {
                            determinism.push(format!(
                                "`{check}`: {what} gives {:?} where the first run gave {:?}; case view: {}",
                                again.map_err(|e| e.to_string()),
                                findings,
                                shown()
                            ));
                        }
                    };
                    if let Some(k) = kept.as_mut() {
                        compare("the kept instance", k.check(&view, check));
                    }
                    compare("a second run", guard.check(&view, check));
                    if let Ok(other) = &other {
                        compare("a fresh instance", other.check(&view, check));
                    }
                }
            }
        }
    }
    let total = runs * info.checks.len();
    if checked == 0 {
        errors.push("no case view was checked: nothing was tested".to_owned());
    }
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
        if has_kept {
            "deterministic on fresh instances and on a kept instance (repeated, interleaved)"
        } else {
            "deterministic across runs and fresh instances"
        },
        &determinism,
        format!("{checked} case views, each checked again"),
    );
    let failures = match case_view(&mut generator, "no-such-check", config)
        .map(|view| guard.check(&view, "no-such-check"))
    {
        None | Some(Err(PluginError::Rejected { .. })) => Vec::new(),
        Some(Err(e)) => vec![format!("not a clean refusal: {}", describe_err(&e))],
        Some(Ok(_)) => vec!["an unknown check was accepted".to_owned()],
    };
    report.record(
        "unknown checks refused cleanly",
        &failures,
        "refused".to_owned(),
    );
    report
}
