//! Another project's test suite, written against `ocop-testkit`'s public API alone: the
//! shipped definitions are sound, the shipped plugins (built from source into WebAssembly
//! components and pinned by the definitions' hashes) conform, the national cycle keeps its
//! invariants under generated command sequences on a memory and a SQLite store, and a
//! 36-month certificate runs to its expiry.
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use ocop_testkit::plugins::{Options, check_component, check_guard_component};
use ocop_testkit::strategy::{Rules, command_sequences};
use ocop_testkit::time::{advance_to_next_deadline, next_deadline};
use ocop_testkit::{
    BuiltPlugin, Clock, Cycle, EngineBuilder, ManualClock, MemoryStore, PluginHost,
    PluginHostBuilder, ProductSet, Scorer, SqliteStore, Synchronous, TransitionHarness, WasmScorer,
    assert_definition_sound, build_plugin, check_transitions, load_definition,
};
use proptest::prelude::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cycle(name: &str) -> Cycle {
    let path = root().join(format!("workflows/{name}.toml"));
    let text = std::fs::read_to_string(&path).unwrap();
    load_definition(&path.display().to_string(), &text).unwrap_or_else(|e| panic!("{e}"))
}

/// The sha256 a definition pins for its plugin `id`.
fn pin(cycle: &Cycle, id: &str) -> String {
    cycle
        .definition()
        .plugins
        .iter()
        .find(|p| p.id.as_str() == id)
        .unwrap_or_else(|| panic!("`{id}` is not declared"))
        .sha256
        .clone()
}

struct Built {
    criteria: BuiltPlugin,
    cantho: BuiltPlugin,
    host: PluginHost,
}

/// Builds both shipped plugins once per test binary, as `ocop plugin build` does.
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| Built {
        criteria: build_plugin(&root().join("plugins/criteria-26-2026")).unwrap(),
        cantho: build_plugin(&root().join("plugins/cantho-local")).unwrap(),
        host: PluginHostBuilder::new().build().unwrap(),
    })
}

/// The criteria plugin, loaded only if it is the one national-2026 pins.
fn criteria() -> Arc<WasmScorer> {
    static SCORER: OnceLock<Arc<WasmScorer>> = OnceLock::new();
    Arc::clone(SCORER.get_or_init(|| {
        let b = built();
        let pinned = pin(&cycle("national-2026"), "criteria-26-2026");
        Arc::new(
            b.host
                .load_scorer_file(&b.criteria.path, Some(&pinned))
                .unwrap_or_else(|e| panic!("{e}")),
        )
    }))
}

fn harness() -> &'static TransitionHarness {
    static HARNESS: OnceLock<TransitionHarness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let scorer: Arc<dyn Scorer> = criteria();
        let catalog = scorer.criteria(ProductSet::new(1).unwrap()).unwrap();
        TransitionHarness::new(cycle("national-2026"), move |cycle, clock| {
            EngineBuilder::new(cycle)
                .clock(clock)
                .scorer("criteria-26-2026", Arc::clone(&scorer))
                .build()
        })
        .catalog(catalog)
    })
}

#[test]
fn the_shipped_definitions_are_sound() {
    for name in ["national-2026", "can-tho-2024"] {
        assert_definition_sound(cycle(name).definition());
    }
}

#[test]
fn the_built_plugins_are_the_pinned_ones() {
    let b = built();
    for name in ["national-2026", "can-tho-2024"] {
        assert_eq!(
            b.criteria.sha256,
            pin(&cycle(name), "criteria-26-2026"),
            "{name}"
        );
    }
    assert_eq!(b.cantho.sha256, pin(&cycle("can-tho-2024"), "cantho-local"));
}

#[test]
fn the_criteria_plugin_conforms() {
    let report = check_component(
        criteria().as_ref(),
        None,
        &Options {
            sheets_per_set: 2,
            seed: 26,
            ..Options::default()
        },
    );
    assert!(report.passed(), "{report}");
}

#[test]
fn the_cantho_guard_conforms() {
    let b = built();
    let can_tho = cycle("can-tho-2024");
    let decl = can_tho
        .definition()
        .plugins
        .iter()
        .find(|p| p.id.as_str() == "cantho-local")
        .unwrap();
    let guard = b
        .host
        .load_guard_file(&b.cantho.path, Some(&decl.sha256))
        .unwrap();
    let report = check_guard_component(&guard, &decl.config, &Options::default());
    assert!(report.passed(), "{report}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn national_2026_keeps_its_invariants_on_a_memory_store(
        steps in command_sequences(&cycle("national-2026"), Rules::Respect)
    ) {
        check_transitions(harness(), &MemoryStore::new(), &steps)?;
    }

    #[test]
    fn national_2026_refuses_broken_sequences_cleanly(
        steps in command_sequences(&cycle("national-2026"), Rules::Break)
    ) {
        check_transitions(harness(), &MemoryStore::new(), &steps)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn national_2026_keeps_its_invariants_on_sqlite(
        steps in command_sequences(&cycle("national-2026"), Rules::Break)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::builder(dir.path().join("events.db"))
            .synchronous(Synchronous::Normal)
            .open()
            .unwrap();
        check_transitions(harness(), &store, &steps)?;
    }
}

/// A product certified under Decision 26/2026 (scored by the WebAssembly plugin) keeps its
/// certificate 36 months, then the case waits in `lapsed`, where Art. 12.3 still allows a
/// late re-evaluation: in well under a second.
#[test]
fn a_certificate_expires_after_36_months() {
    let h = harness();
    let clock = ManualClock::on(h.start_date());
    let engine = h.engine(clock.clone()).unwrap();
    let store = MemoryStore::new();
    h.open(&engine, &store, "banh-pia").unwrap();
    h.drive_to(&engine, &store, "banh-pia", "monitoring")
        .unwrap_or_else(|e| panic!("{e}"));
    let case = engine.case(&store, &"banh-pia".into()).unwrap();
    let certificate = case.certificate().unwrap().clone();
    assert_eq!(certificate.expires_on, certificate.issued_on.add_months(36));

    let started = Instant::now();
    let (_, due) = next_deadline(&engine, &store).unwrap().unwrap();
    assert_eq!(due.due, certificate.expires_on);
    let report = advance_to_next_deadline(&engine, &store, &clock)
        .unwrap()
        .unwrap();
    assert_eq!(report.fired.len(), 1);
    let case = engine.case(&store, &"banh-pia".into()).unwrap();
    assert_eq!(case.state().as_str(), "lapsed");
    assert_eq!(clock.now().vn_date(), certificate.expires_on.add_days(1));
    assert!(started.elapsed().as_millis() < 1000);
}
