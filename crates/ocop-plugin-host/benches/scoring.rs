//! Scoring one full sheet natively and in WebAssembly (a fresh instance per call, as the host
//! always scores); the host's checks around each call on their own (the answer sheet against
//! the criteria sheet, and the result against it: stricter, never more lenient); loading a
//! component cold (compiling) and from the on-disk cache. Ratios against the baselines are
//! printed at the end, from the same run.
//!
//! `cargo bench -p ocop-plugin-host --bench scoring` (full run) or `-- --test` (a smoke run
//! that only checks each benchmark works).
#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark stops at the first failure"
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

mod support;
use support::mean;

use criterion::Criterion;
use ocop_core::{ProductSet, plugin::Scorer};
use ocop_criteria_26_2026::NativeScorer;
use ocop_plugin_host::conformance::SheetGenerator;
use ocop_plugin_host::{PluginHostBuilder, build_plugin};

fn component() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    match build_plugin(&root.join("plugins/criteria-26-2026")) {
        Ok(built) => built.path,
        Err(e) => panic!("cannot build the plugin: {e}"),
    }
}

fn benches(c: &mut Criterion) {
    let path = component();
    let host = PluginHostBuilder::new().build().expect("host");
    let wasm = host.load_scorer_file(&path, None).expect("load");
    let native = NativeScorer::new();
    // Set 8 (processed meat, seafood...): 32 criteria, a typical full sheet.
    let catalog = native
        .criteria(ProductSet::new(8).expect("set"))
        .expect("criteria");
    let sheet = SheetGenerator::new(8).sheet(&catalog);
    assert_eq!(
        native.score(&sheet).expect("native").evaluation,
        wasm.score(&sheet).expect("wasm").evaluation
    );

    let mut g = c.benchmark_group("score");
    g.bench_function("native", |b| b.iter(|| native.score(black_box(&sheet))));
    g.bench_function("wasm_fresh_instance", |b| {
        b.iter(|| wasm.score(black_box(&sheet)))
    });
    g.finish();

    // The host's two checks, alone: what every call pays on top of the plugin.
    let input = catalog.prepare(&sheet).expect("input");
    let rules = ocop_criteria_26_2026::sheet(8).expect("rules");
    let branches: Vec<(&str, u8)> = Vec::new();
    let outcome =
        ocop_criteria_26_2026::score(rules, &branches, &input.answers, &|f| input.holds(f))
            .expect("outcome");
    let raw = ocop_criteria_26_2026::raw_evaluation(outcome);
    assert_eq!(
        catalog.check_output(&input, &raw).expect("check"),
        native.score(&sheet).expect("native").evaluation
    );
    let mut g = c.benchmark_group("check");
    g.bench_function("input", |b| b.iter(|| catalog.prepare(black_box(&sheet))));
    g.bench_function("output", |b| {
        b.iter(|| catalog.check_output(black_box(&input), black_box(&raw)))
    });
    g.finish();

    // Loading on one host: without a cache every load compiles; with a warm cache it reads
    // and deserializes the compiled artifact. Both include the plugin's `describe` call.
    let cache = std::env::temp_dir().join(format!("ocop-bench-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let cached_host = PluginHostBuilder::new()
        .cache_dir(&cache)
        .build()
        .expect("host");
    drop(
        cached_host
            .load_scorer_file(&path, None)
            .expect("warm the cache"),
    );
    let mut g = c.benchmark_group("load");
    g.sample_size(20);
    g.bench_function("compile_cold", |b| {
        b.iter(|| host.load_scorer_file(&path, None))
    });
    g.bench_function("cached", |b| {
        b.iter(|| cached_host.load_scorer_file(&path, None))
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&cache);
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
    if std::env::args().any(|a| a == "--test") {
        return;
    }
    let ratio = |a: (&str, &str), b: (&str, &str)| Some(mean(a.0, a.1)? / mean(b.0, b.1)?);
    println!("\nratios (this run):");
    if let Some(r) = ratio(("score", "wasm_fresh_instance"), ("score", "native")) {
        println!("  wasm, fresh instance / native  = {r:.2}x (target <= 10x)");
    }
    let checks = || Some(mean("check", "input")? + mean("check", "output")?);
    if let (Some(c), Some(w), Some(n)) = (
        checks(),
        mean("score", "wasm_fresh_instance"),
        mean("score", "native"),
    ) {
        println!(
            "  host checks (input + output) / wasm call = {:.1}% ({:.1} µs of {:.1} µs; {:.0}% of a native call)",
            100.0 * c / w,
            c / 1000.0,
            w / 1000.0,
            100.0 * c / n
        );
    }
    if let Some(r) = ratio(("load", "compile_cold"), ("load", "cached")) {
        println!("  cold compile / cached load     = {r:.0}x (target >= 100x)");
    }
}
