//! The sandbox against real components: the shipped plugins, a hostile one, and
//! hand-written components that import what they must not.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ocop_core::{AnswerSheet, PluginDecl, PluginError, PluginKind, ProductSet, Scorer};
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
}

/// Builds the three components once per test binary.
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| Built {
        criteria: build_plugin(&root().join("plugins/criteria-26-2026")).unwrap(),
        cantho: build_plugin(&root().join("plugins/cantho-local")).unwrap(),
        hostile: build_plugin(&root().join("crates/ocop-plugin-host/tests/hostile")).unwrap(),
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

fn hostile_sheet(set: u8) -> AnswerSheet {
    AnswerSheet {
        format: 1,
        product_set: ProductSet::new(set).unwrap(),
        evaluator: None,
        branch: None,
        answers: [("a", 1), ("b", 1), ("c", 1)]
            .into_iter()
            .map(|(k, v)| (k.into(), v))
            .collect(),
        facts: Default::default(),
    }
}

/// After any failure the host still serves a well-behaved plugin.
fn still_serves(host: &PluginHost) {
    let scorer = host.load_scorer_file(&built().criteria.path, None).unwrap();
    let mut g = SheetGenerator::new(7);
    let sheet = g.sheet(&scorer.criteria(ProductSet::new(9).unwrap()).unwrap());
    scorer.score(&sheet).unwrap();
}

#[test]
fn hostile_plugins_are_contained_with_typed_errors() {
    let host = host();
    let hostile = host.load_scorer_file(&built().hostile.path, None).unwrap();
    // It behaves when asked to.
    assert_eq!(
        hostile.score(&hostile_sheet(8)).unwrap().evaluation.total,
        100.0
    );

    let err = hostile.score(&hostile_sheet(1)).unwrap_err();
    assert!(
        matches!(
            err,
            PluginError::OutOfFuel {
                limit: 20_000_000,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("ocop-hostile-plugin") && err.to_string().contains("`score`"),
        "{err}"
    );
    still_serves(&host);

    let err = hostile.score(&hostile_sheet(2)).unwrap_err();
    assert!(
        matches!(err, PluginError::MemoryLimit { limit_bytes, .. } if limit_bytes == 32 << 20),
        "{err}"
    );
    still_serves(&host);

    let err = hostile.score(&hostile_sheet(3)).unwrap_err();
    assert!(matches!(err, PluginError::StackOverflow { .. }), "{err}");
    still_serves(&host);

    let err = hostile.score(&hostile_sheet(4)).unwrap_err();
    assert!(matches!(err, PluginError::Trapped { .. }), "{err}");
    still_serves(&host);

    let err = hostile.score(&hostile_sheet(5)).unwrap_err();
    assert!(
        matches!(err, PluginError::BadOutput { ref reason, .. } if reason.contains("100000 lines")),
        "{err}"
    );
    still_serves(&host);

    let err = hostile.score(&hostile_sheet(6)).unwrap_err();
    assert!(
        matches!(err, PluginError::BadOutput { ref reason, .. } if reason.contains("total")),
        "{err}"
    );

    let err = hostile.score(&hostile_sheet(7)).unwrap_err();
    let PluginError::Rejected { message, .. } = &err else {
        panic!("{err}")
    };
    assert!(
        message.len() < 2_100,
        "the host bounds a plugin's text: {} bytes",
        message.len()
    );
    assert!(message.contains("1048576 bytes"));

    // A failure on a kept instance poisons only that session.
    let mut session = hostile.session().unwrap();
    assert!(session.score(&hostile_sheet(8)).is_ok());
    assert!(session.score(&hostile_sheet(1)).is_err());
    assert!(matches!(
        session.score(&hostile_sheet(8)),
        Err(PluginError::Trapped { .. })
    ));
    assert!(hostile.score(&hostile_sheet(8)).is_ok());
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
        let mut session = a.session().unwrap();
        let kept = session.score(&sheet).unwrap();
        assert_eq!(kept.evaluation, first.evaluation);
    }
}

#[test]
fn the_guard_plugin_reads_its_configuration() {
    use ocop_core::{CaseView, GuardPlugin, Producer, ProducerKind, RegistrationType};
    let host = host();
    let guard = host.load_guard_file(&built().cantho.path, None).unwrap();
    let mut view = CaseView {
        case_id: "c1".into(),
        definition: "can-tho-2024".into(),
        state: "district_decision".into(),
        transition: "district_propose_to_city".into(),
        product_set: ProductSet::new(7).unwrap(),
        registration: RegistrationType::First,
        producer: Producer {
            name: "HTX Phong Điền".into(),
            kind: ProducerKind::Cooperative,
            province: "92".into(),
            commune: "Nhơn Ái".into(),
            district: Some("Phong Điền".into()),
        },
        documents: vec![],
        facts: Default::default(),
        total: Some(78.5),
        stars: None,
        config: [(
            "traceability_system".to_owned(),
            serde_json::json!("check.cantho.gov.vn"),
        )]
        .into_iter()
        .collect(),
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
