//! The sandbox against real components: the shipped plugins, a hostile one, and
//! hand-written components that import what they must not.
#![cfg(test)]

#[path = "../support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ocop_core::{
    ProductSet,
    definition::{PluginDecl, PluginKind},
    domain::AnswerSheet,
    plugin::{PluginError, Scorer},
};
use ocop_criteria_26_2026::NativeScorer;
use ocop_plugin_host::conformance::SheetGenerator;
use ocop_plugin_host::{BuiltPlugin, PluginHost, PluginHostBuilder, build_plugin};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Built {
    criteria: BuiltPlugin,
    cantho: BuiltPlugin,
    hostile: BuiltPlugin,
    legacy_scoring: BuiltPlugin,
    legacy_guard: BuiltPlugin,
}

/// Builds the components once per test binary.
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let build = |dir: &str| build_plugin(&root().join(dir)).unwrap();
        Built {
            criteria: build("plugins/criteria-26-2026"),
            cantho: build("plugins/cantho-local"),
            hostile: build("crates/ocop-plugin-host/tests/hostile"),
            legacy_scoring: build("crates/ocop-plugin-host/tests/legacy/scoring"),
            legacy_guard: build("crates/ocop-plugin-host/tests/legacy/guard"),
        }
    })
}

fn host() -> PluginHost {
    PluginHostBuilder::new()
        .fuel(20_000_000)
        .memory_limit(32 << 20)
        .max_stack(256 << 10)
        .build()
        .unwrap()
}

/// An answer sheet for the hostile plugin's set `set`: options of criteria a, b, c, and
/// whether the food-safety certificate is held.
fn hostile_sheet(set: u8, answers: [u32; 3], certificate: bool) -> AnswerSheet {
    support::answer_sheet(set, ["a", "b", "c"], answers, certificate)
}

/// 25 + 25 + 35 = 85: four stars.
fn eighty_five(set: u8) -> AnswerSheet {
    hostile_sheet(set, [1, 2, 2], true)
}

/// After any failure the host still serves a well-behaved plugin.
fn still_serves(host: &PluginHost) {
    let scorer = host.load_scorer_file(&built().criteria.path, None).unwrap();
    let mut g = SheetGenerator::new(7);
    let sheet = g.sheet(&scorer.criteria(ProductSet::new(9).unwrap()).unwrap());
    scorer.score(&sheet).unwrap();
}

fn bad_output(err: &PluginError) -> &str {
    match err {
        PluginError::BadOutput { reason, .. } => reason,
        other => panic!("not a bad output: {other}"),
    }
}

#[test]
fn hostile_plugins_are_contained_with_typed_errors() {
    let host = host();
    let hostile = host.load_scorer_file(&built().hostile.path, None).unwrap();
    assert_eq!(hostile.wit_version(), "0.2.0");
    // It behaves when asked to.
    let good = hostile.score(&eighty_five(8)).unwrap().evaluation;
    assert_eq!((good.total, good.stars.map(|s| s.get())), (85.0, Some(4)));

    let err = hostile.score(&eighty_five(1)).unwrap_err();
    assert!(
        matches!(
            err,
            PluginError::OutOfFuel {
                limit: 20_000_000,
                memory: None,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("ocop-hostile-plugin")
            && err.to_string().contains("`score`")
            && err.to_string().contains("may loop forever"),
        "{err}"
    );
    still_serves(&host);

    let err = hostile.score(&eighty_five(2)).unwrap_err();
    assert!(
        matches!(err, PluginError::MemoryLimit { limit_bytes, .. } if limit_bytes == 32 << 20),
        "{err}"
    );
    still_serves(&host);

    // Allocating a little at a time runs out of fuel first: said so, not "loops forever".
    let err = hostile.score(&eighty_five(13)).unwrap_err();
    let PluginError::OutOfFuel {
        memory: Some(growth),
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert!(growth.to > growth.from && growth.limit == 32 << 20, "{err}");
    assert!(
        err.to_string().contains("allocating without end") && !err.to_string().contains("loop"),
        "{err}"
    );

    let err = hostile.score(&eighty_five(3)).unwrap_err();
    assert!(
        matches!(err, PluginError::StackOverflow { detail: None, .. }),
        "{err}"
    );
    still_serves(&host);

    // Large frames overflow the stack the plugin keeps in linear memory: still a stack
    // overflow, not "out of bounds memory access".
    let err = hostile.score(&eighty_five(14)).unwrap_err();
    assert!(
        matches!(
            err,
            PluginError::StackOverflow {
                detail: Some(_),
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("calling itself"), "{err}");
    still_serves(&host);

    // A panic's message reaches the error, through the SDK's panic hook.
    let err = hostile.score(&eighty_five(4)).unwrap_err();
    let PluginError::Panicked { message, .. } = &err else {
        panic!("{err}")
    };
    assert!(
        message.contains("the hostile plugin panics on purpose") && message.contains("guest.rs"),
        "{err}"
    );
    still_serves(&host);

    let err = hostile.score(&eighty_five(5)).unwrap_err();
    assert!(bad_output(&err).contains("100000 lines"), "{err}");
    still_serves(&host);

    let err = hostile.score(&eighty_five(6)).unwrap_err();
    assert!(bad_output(&err).contains("total"), "{err}");

    let err = hostile.score(&eighty_five(7)).unwrap_err();
    let PluginError::Rejected { message, .. } = &err else {
        panic!("{err}")
    };
    assert!(
        message.len() < 2_100,
        "the host bounds a plugin's text: {} bytes",
        message.len()
    );
    assert!(message.contains("1048576 bytes"));
}

/// The three lying plugins of issue 16 and the counting one are refused when they score,
/// each with its reason.
#[test]
fn the_host_refuses_what_a_plugin_s_own_sheet_refuses() {
    let host = host();
    let hostile = host.load_scorer_file(&built().hostile.path, None).unwrap();

    // Inflated lines: 85 (4 stars) would come out as 100 and 5 stars.
    let err = hostile.score(&eighty_five(9)).unwrap_err();
    assert_eq!(
        bad_output(&err),
        "criterion a: option 1 («part») is worth 25.00 points; the plugin gave 40.00"
    );

    // Ignored minimum: 95 points with criterion c below its 5-star mark is 4 stars, not 5.
    let err = hostile
        .score(&hostile_sheet(10, [2, 2, 1], true))
        .unwrap_err();
    assert_eq!(
        bad_output(&err),
        "criterion c: it misses the 5-star minimum, so the cap is at most 4; the plugin reports cap 5"
    );

    // Ignored knock-out: no food-safety certificate is rejected, not 5 stars.
    let err = hostile
        .score(&hostile_sheet(11, [2, 2, 2], false))
        .unwrap_err();
    assert_eq!(
        bad_output(&err),
        "knock-out `no_food_safety_certificate` applies (fact `food_safety_certificate` does not hold), but the plugin does not list it"
    );
    // The same plugins are fine where they have nothing to lie about.
    let best = hostile.score(&hostile_sheet(9, [2, 2, 2], true)).unwrap();
    assert_eq!(best.evaluation.total, 100.0);

    // The counter: refused when its set is first used, by the host's probe.
    let err = hostile.score(&eighty_five(12)).unwrap_err();
    assert!(
        matches!(err, PluginError::Nondeterministic { .. })
            && err.to_string().contains("keeps state between calls"),
        "{err}"
    );
    // ... and again on every later call (nothing was cached).
    assert!(matches!(
        hostile.score(&eighty_five(12)),
        Err(PluginError::Nondeterministic { .. })
    ));
}

/// `ocop plugin check` fails each hostile fixture, with its reason.
#[test]
fn conformance_fails_each_lying_fixture_with_its_reason() {
    use ocop_plugin_host::conformance::{Options, check_component};
    let host = host();
    let hostile = host.load_scorer_file(&built().hostile.path, None).unwrap();
    let check = |set: u8| {
        check_component(
            &hostile,
            None,
            &Options {
                sheets_per_set: 4,
                sets: vec![ProductSet::new(set).unwrap()],
                ..Options::default()
            },
        )
    };
    let behaves = check(8);
    assert!(behaves.passed(), "{behaves}");
    let keeps = "keeps to its own criteria sheet (lines, stops, cap, knock-outs, stars: stricter, never more lenient)";
    for (set, reason) in [
        (9, ") is worth "),
        (
            10,
            "it misses the 5-star minimum, so the cap is at most 4; the plugin reports cap 5",
        ),
        (11, "knock-out `no_food_safety_certificate` applies"),
    ] {
        let report = check(set);
        assert!(!report.passed(), "set {set}: {report}");
        let failed = report.check(keeps).unwrap();
        assert!(
            !failed.passed && failed.detail.contains(reason),
            "set {set}: {report}"
        );
    }
    let report = check(12);
    let determinism = report
        .check("deterministic on fresh instances and on a kept instance (repeated, interleaved)")
        .unwrap();
    assert!(!determinism.passed, "{report}");
    assert!(
        determinism.detail.contains("the kept instance (call 2)")
            && determinism.detail.contains("\"product_set\":12"),
        "the first differing sheet is shown: {report}"
    );
    assert!(
        !report
            .check("the host's determinism probe accepts every set")
            .unwrap()
            .passed,
        "{report}"
    );
    // Nothing evaluated is a failure, not a pass.
    let nothing = check_component(
        &hostile,
        None,
        &Options {
            sets: vec![ProductSet::new(26).unwrap()],
            ..Options::default()
        },
    );
    assert!(!nothing.passed(), "{nothing}");
}

fn write_component(name: &str, wat: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ocop-sandbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, wat::parse_str(wat).unwrap()).unwrap();
    path
}

#[test]
fn imports_are_refused_at_load() {
    let host = host();
    let wasi = write_component(
        "wasi.wasm",
        r#"(component
            (import "wasi:filesystem/preopens@0.2.0" (instance
                (export "get-directories" (func (result (list string))))))
        )"#,
    );
    let err = host.load_scorer_file(&wasi, None).unwrap_err();
    assert!(
        matches!(err, PluginError::ForbiddenImport { ref import, .. } if import == "wasi:filesystem/preopens@0.2.0"),
        "{err}"
    );
    let func = write_component(
        "func.wasm",
        r#"(component (import "host-clock" (func (result u64))))"#,
    );
    assert!(matches!(
        host.load_guard_file(&func, None),
        Err(PluginError::ForbiddenImport { .. })
    ));
    let junk = write_component("junk.wasm", "(module)");
    assert!(matches!(
        host.load_scorer_file(&junk, None),
        Err(PluginError::Load { .. })
    ));
    still_serves(&host);
}

#[test]
fn the_wrong_world_is_a_missing_export() {
    let host = host();
    let err = host
        .load_scorer_file(&built().cantho.path, None)
        .unwrap_err();
    assert!(matches!(err, PluginError::MissingExport { .. }), "{err}");
    let err = host
        .load_guard_file(&built().criteria.path, None)
        .unwrap_err();
    assert!(matches!(err, PluginError::MissingExport { .. }), "{err}");
}

#[test]
fn definitions_pin_the_components_they_use() {
    let host = host();
    let base = root().join("workflows");
    for name in ["national-2026", "can-tho-2024"] {
        let text = std::fs::read_to_string(base.join(format!("{name}.toml"))).unwrap();
        let cycle = ocop_core::load_definition(name, &text).unwrap();
        for decl in &cycle.definition().plugins {
            let built = match decl.id.as_str() {
                "criteria-26-2026" => &built().criteria,
                "cantho-local" => &built().cantho,
                other => panic!("unexpected plugin {other}"),
            };
            assert_eq!(
                decl.sha256, built.sha256,
                "{name}: plugin `{}` is pinned to another build; rebuild with `ocop plugin build` and update the pin",
                decl.id
            );
            // Loading through the declaration checks the pin.
            let local = PluginDecl {
                path: built.path.display().to_string(),
                ..decl.clone()
            };
            match decl.kind {
                PluginKind::Scoring => drop(host.load_scorer(&local, Path::new("/")).unwrap()),
                PluginKind::Guard => drop(host.load_guard(&local, Path::new("/")).unwrap()),
            }
            let load = |d: &PluginDecl| match d.kind {
                PluginKind::Scoring => host.load_scorer(d, Path::new("/")).map(drop),
                PluginKind::Guard => host.load_guard(d, Path::new("/")).map(drop),
            };
            let tampered = PluginDecl {
                sha256: "0".repeat(64),
                ..local.clone()
            };
            assert!(matches!(
                load(&tampered),
                Err(PluginError::HashMismatch { .. })
            ));
            let unpinned = PluginDecl {
                sha256: String::new(),
                ..local
            };
            assert!(matches!(load(&unpinned), Err(PluginError::Unpinned { .. })));
        }
    }
}

#[test]
fn compiled_components_are_cached_on_disk() {
    let dir = std::env::temp_dir().join(format!("ocop-cache-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let host = PluginHostBuilder::new().cache_dir(&dir).build().unwrap();
    let first = host.load_scorer_file(&built().criteria.path, None).unwrap();
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0]
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with(first.sha256())
    );
    // A second host loads from the cache; a damaged entry is recompiled and replaced.
    let again = PluginHostBuilder::new().cache_dir(&dir).build().unwrap();
    let scorer = again
        .load_scorer_file(&built().criteria.path, None)
        .unwrap();
    std::fs::write(&files[0], b"damaged").unwrap();
    let third = PluginHostBuilder::new().cache_dir(&dir).build().unwrap();
    let repaired = third
        .load_scorer_file(&built().criteria.path, None)
        .unwrap();
    assert!(std::fs::metadata(&files[0]).unwrap().len() > 1000);
    let sheet =
        SheetGenerator::new(3).sheet(&scorer.criteria(ProductSet::new(2).unwrap()).unwrap());
    assert_eq!(
        scorer.score(&sheet).unwrap(),
        repaired.score(&sheet).unwrap()
    );
}

#[test]
fn scoring_is_deterministic_and_uses_the_same_fuel() {
    let host = host();
    let a = host.load_scorer_file(&built().criteria.path, None).unwrap();
    let b = host.load_scorer_file(&built().criteria.path, None).unwrap();
    let mut g = SheetGenerator::new(11);
    for set in [1, 16, 26] {
        let sheet = g.sheet(&a.criteria(ProductSet::new(set).unwrap()).unwrap());
        let first = a.score(&sheet).unwrap();
        assert!(first.fuel_used.is_some_and(|f| f > 0));
        assert_eq!(first, a.score(&sheet).unwrap());
        assert_eq!(first, b.score(&sheet).unwrap());
    }
}

#[test]
fn the_guard_plugin_reads_its_configuration() {
    use ocop_core::plugin::{CaseView, GuardPlugin};
    let host = host();
    let guard = host.load_guard_file(&built().cantho.path, None).unwrap();
    let mut view = CaseView {
        total: Some(78.5),
        config: [(
            "traceability_system".to_owned(),
            serde_json::json!("check.cantho.gov.vn"),
        )]
        .into_iter()
        .collect(),
        ..support::cantho_view("c1".into(), 7)
    };
    let findings = guard.check(&view, "traceability").unwrap();
    assert_eq!(findings.len(), 1);
    assert!(findings[0].blocking);
    assert!(findings[0].message.vi.contains("check.cantho.gov.vn"));
    view.facts.insert("traceability_registered".into(), true);
    assert!(guard.check(&view, "traceability").unwrap().is_empty());
    assert!(matches!(
        guard.check(&view, "support_amount"),
        Err(PluginError::Rejected { .. })
    ));
    // A configuration of the wrong type, or with a misspelt key, is refused with the key.
    let mut bad = view.clone();
    bad.config
        .insert("traceability_system".into(), serde_json::json!(3));
    let err = guard.check(&bad, "traceability").unwrap_err();
    assert!(
        matches!(&err, PluginError::Rejected { code, message, .. }
            if code == "bad-config" && message.contains("`traceability_system`") && message.contains("expected a string")),
        "{err}"
    );
    let mut bad = view;
    bad.config
        .insert("traceabilty_system".into(), serde_json::json!("x"));
    let err = guard.check(&bad, "traceability").unwrap_err();
    assert!(
        err.to_string()
            .contains("`traceabilty_system`: unknown key"),
        "{err}"
    );
}

/// Components built against `ocop:plugin@0.1.0` still load, and score and check as the
/// current builds do; what 0.1.0 cannot express is refused with the reason.
#[test]
fn components_of_wit_0_1_0_still_load() {
    use ocop_core::plugin::GuardPlugin;
    let host = host();
    let old = host
        .load_scorer_file(&built().legacy_scoring.path, None)
        .unwrap();
    let new = host.load_scorer_file(&built().criteria.path, None).unwrap();
    assert_eq!((old.wit_version(), new.wit_version()), ("0.1.0", "0.2.0"));
    let native = NativeScorer::new();
    let mut g = SheetGenerator::new(17);
    for set in ProductSet::all() {
        let catalog = native.criteria(set).unwrap();
        // 0.1.0 lists no facts; the host derives the same ones.
        let legacy = old.criteria(set).unwrap();
        assert_eq!(legacy.facts(), catalog.facts(), "set {set}");
        assert_eq!(
            ocop_core::plugin::CriteriaSheet {
                facts: catalog.facts.clone(),
                ..legacy
            },
            catalog,
            "set {set}"
        );
        for _ in 0..3 {
            let sheet = g.sheet(&catalog);
            assert_eq!(
                old.score(&sheet).unwrap().evaluation,
                native.score(&sheet).unwrap().evaluation,
                "set {set}"
            );
        }
    }
    // Set 26 with a case per section: 0.2.0 scores it, 0.1.0 cannot.
    let catalog = native.criteria(ProductSet::new(26).unwrap()).unwrap();
    let mixed = catalog
        .template_for(Some(1), &[("9".to_owned(), 2)])
        .unwrap();
    assert!(new.score(&mixed).is_ok());
    let err = old.score(&mixed).unwrap_err();
    assert!(
        matches!(&err, PluginError::Rejected { code, .. } if code == "branches-differ"),
        "{err}"
    );
    assert!(err.to_string().contains("ocop:plugin@0.2.0"), "{err}");

    // The 0.1.0 guard checks as the current one does.
    let old = host
        .load_guard_file(&built().legacy_guard.path, None)
        .unwrap();
    let new = host.load_guard_file(&built().cantho.path, None).unwrap();
    assert_eq!(old.info().checks, new.info().checks);
    let report = ocop_plugin_host::conformance::check_guard_component(
        &old,
        &Default::default(),
        &ocop_plugin_host::conformance::Options::default(),
    );
    assert!(report.passed(), "{report}");
}

mod agreement {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        /// The component and the native build of the same rules give the same evaluation.
        #[test]
        fn native_and_wasm_agree_on_random_sheets(set in 1u8..=26, seed in any::<u64>()) {
            static SCORER: OnceLock<ocop_plugin_host::WasmScorer> = OnceLock::new();
            let wasm = SCORER.get_or_init(|| host().load_scorer_file(&built().criteria.path, None).unwrap());
            let native = NativeScorer::new();
            let catalog = native.criteria(ProductSet::new(set).unwrap()).unwrap();
            prop_assert_eq!(&wasm.criteria(catalog.product_set).unwrap(), &catalog);
            let sheet = SheetGenerator::new(seed).sheet(&catalog);
            let n = native.score(&sheet).unwrap();
            let w = wasm.score(&sheet).unwrap();
            prop_assert_eq!(n.evaluation, w.evaluation);
            prop_assert_eq!(w.plugin.sha256, built().criteria.sha256.clone());
        }
    }
}
