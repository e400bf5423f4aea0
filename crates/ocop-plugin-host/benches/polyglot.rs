//! The same rules (the tutorial sheet of plugins/hello-scoring) in Rust, Python
//! (componentize-py) and JavaScript (jco): cold compile, cached load, instantiate, and a
//! score call on a fresh and on a reused instance. Ratios against the Rust component, from
//! the same run, are printed at the end, with what a council of seven costs on fresh
//! instances.
//!
//! `cargo bench -p ocop-plugin-host --bench polyglot` (full run: the cold compiles of the
//! Python and JavaScript components take several seconds each, ten samples each) or
//! `-- --test` (a smoke run). Needs python3 and node/npm (the tools are installed on first
//! use); a language whose toolchain is missing is left out, with a note.
#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark stops at the first failure"
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

mod support;
use support::mean;

use criterion::Criterion;
use ocop_core::{ProductSet, domain::AnswerSheet, plugin::Scorer};
use ocop_plugin_host::{PluginHostBuilder, PluginOptions, build_plugin, plugin_options};

const LANGUAGES: [(&str, &str, &str); 3] = [
    ("rust", "plugins/hello-scoring", "cargo"),
    ("python", "plugins/hello-scoring-py", "python3"),
    ("javascript", "plugins/hello-scoring-js", "node"),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn have(tool: &str) -> bool {
    std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// 20 + 25 + 35 = 80 with the certificate: four stars.
fn sheet() -> AnswerSheet {
    AnswerSheet {
        format: 1,
        product_set: ProductSet::new(1).expect("set"),
        evaluator: None,
        branch: None,
        answers: [("1", 1), ("2", 1), ("3", 2)]
            .into_iter()
            .map(|(k, v)| (k.into(), v))
            .collect(),
        facts: [("food_safety_certificate".to_owned(), true)]
            .into_iter()
            .collect(),
    }
}

fn benches(c: &mut Criterion) -> Vec<&'static str> {
    let sheet = sheet();
    let mut present = Vec::new();
    let cache = std::env::temp_dir().join(format!("ocop-bench-poly-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let cold = PluginHostBuilder::new().build().expect("host");
    let cached = PluginHostBuilder::new()
        .cache_dir(&cache)
        .build()
        .expect("host");
    let mut loaded = Vec::new();
    for (language, dir, tool) in LANGUAGES {
        if !have(tool) {
            eprintln!("{language} left out: `{tool}` not found");
            continue;
        }
        let dir = root().join(dir);
        let built = build_plugin(&dir).unwrap_or_else(|e| panic!("{language}: {e}"));
        let options: PluginOptions = plugin_options(&dir)
            .expect("plugin.toml")
            .unwrap_or_default();
        let scorer = cached
            .load_scorer_file_with(&built.path, None, options)
            .unwrap_or_else(|e| panic!("{language}: {e}"));
        // Warm the criteria cache (and the host's determinism probe).
        scorer.score(&sheet).expect("score");
        loaded.push((language, built.path, options, scorer));
        present.push(language);
    }
    for (group, host, samples) in [
        ("polyglot_compile_cold", &cold, 10),
        ("polyglot_load_cached", &cached, 20),
    ] {
        let mut g = c.benchmark_group(group);
        g.sample_size(samples);
        for (language, path, options, _) in &loaded {
            g.bench_function(*language, |b| {
                b.iter(|| host.load_scorer_file_with(path, None, *options))
            });
        }
        g.finish();
    }
    let mut g = c.benchmark_group("polyglot_instantiate");
    for (language, _, _, scorer) in &loaded {
        g.bench_function(*language, |b| b.iter(|| scorer.bench_instantiate()));
    }
    g.finish();
    let mut g = c.benchmark_group("polyglot_score_fresh");
    for (language, _, _, scorer) in &loaded {
        g.bench_function(*language, |b| b.iter(|| scorer.score(black_box(&sheet))));
    }
    g.finish();
    let mut g = c.benchmark_group("polyglot_score_reused");
    for (language, _, _, scorer) in &loaded {
        g.bench_function(*language, |b| {
            b.iter_custom(|n| {
                let start = Instant::now();
                scorer
                    .bench_score_reused(black_box(&sheet), n)
                    .expect("score");
                start.elapsed()
            })
        });
    }
    g.finish();
    let _ = std::fs::remove_dir_all(&cache);
    present
}

fn show(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.1} µs", ns / 1e3)
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let present = benches(&mut c);
    c.final_summary();
    if std::env::args().any(|a| a == "--test") {
        return;
    }
    println!("\nthis run (ratio to the Rust component):");
    let groups = [
        ("polyglot_compile_cold", "cold compile"),
        ("polyglot_load_cached", "cached load"),
        ("polyglot_instantiate", "instantiate"),
        ("polyglot_score_fresh", "score, fresh instance"),
        ("polyglot_score_reused", "score, reused instance"),
    ];
    for (group, what) in groups {
        let rust = mean(group, "rust");
        let cells: Vec<String> = present
            .iter()
            .map(|l| match (mean(group, l), rust) {
                (Some(m), Some(r)) => format!("{l} {} ({:.1}x)", show(m), m / r),
                (Some(m), None) => format!("{l} {}", show(m)),
                _ => format!("{l} -"),
            })
            .collect();
        println!("  {what:<24} {}", cells.join(" | "));
    }
    for l in &present {
        if let Some(fresh) = mean("polyglot_score_fresh", l) {
            println!(
                "  council of seven, fresh instance per sheet, {l}: {}",
                show(7.0 * fresh)
            );
        }
    }
}
