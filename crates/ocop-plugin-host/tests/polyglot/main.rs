//! Plugins in Python (componentize-py) and JavaScript (jco) on the same WIT, in the
//! deterministic WASI profile: they score as the Rust plugin does, the Python guard finds
//! what the Rust guard finds, and hostile ones are contained.
//!
//! The tools are installed on first use (PyPI, npm). Without python3 or node the tests say
//! so and pass, unless `OCOP_REQUIRE_POLYGLOT=1` (set by `.ci/run`), which makes a missing
//! tool a failure.
#![cfg(test)]

#[path = "../support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use ocop_core::{
    ProductSet,
    definition::PluginRuntime,
    domain::AnswerSheet,
    plugin::{CaseView, GuardPlugin, PluginError, Scorer},
};
use ocop_plugin_host::conformance::SheetGenerator;
use ocop_plugin_host::{
    BuiltPlugin, PluginHost, PluginHostBuilder, PluginOptions, WasmScorer, build_plugin,
    plugin_options,
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether `tool --version` runs.
fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether the toolchain of `language` is here; when it is not, the test passes with a note,
/// or fails when `OCOP_REQUIRE_POLYGLOT=1`.
fn toolchain(language: &str) -> bool {
    let tools: &[&str] = match language {
        "python" => &["python3"],
        _ => &["node", "npm"],
    };
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !have(t)).collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("OCOP_REQUIRE_POLYGLOT").is_ok_and(|v| v == "1") {
        panic!("OCOP_REQUIRE_POLYGLOT=1 but {missing:?} cannot be run: install them");
    }
    eprintln!("skipped: {missing:?} not found (set OCOP_REQUIRE_POLYGLOT=1 to fail instead)");
    false
}

/// Builds `dir` once per test binary, as `ocop plugin build` does.
fn build(dir: &str) -> &'static BuiltPlugin {
    static BUILT: OnceLock<std::sync::Mutex<Vec<(String, &'static BuiltPlugin)>>> = OnceLock::new();
    let cell = BUILT.get_or_init(Default::default);
    let mut built = cell.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, b)) = built.iter().find(|(d, _)| d == dir) {
        return b;
    }
    let b: &'static BuiltPlugin = Box::leak(Box::new(
        build_plugin(&root().join(dir)).unwrap_or_else(|e| panic!("building {dir}: {e}")),
    ));
    built.push((dir.to_owned(), b));
    b
}

/// One host for the test binary, with the compile cache under target/ shared by every test
/// (and by later runs): an interpreter's component takes tens of seconds to compile.
fn host() -> &'static PluginHost {
    static HOST: OnceLock<PluginHost> = OnceLock::new();
    HOST.get_or_init(|| {
        PluginHostBuilder::new()
            .cache_dir(Path::new(env!("CARGO_TARGET_TMPDIR")).join("ocop-polyglot-cache"))
            .build()
            .unwrap()
    })
}

fn options(dir: &str) -> PluginOptions {
    plugin_options(&root().join(dir)).unwrap().unwrap()
}

fn scorer(dir: &str) -> WasmScorer {
    let built = build(dir);
    let options = plugin_options(&root().join(dir))
        .unwrap()
        .unwrap_or_default();
    host()
        .load_scorer_file_with(&built.path, Some(&built.sha256), options)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
}

/// The tutorial's answer sheet: options of criteria 1, 2, 3 and the certificate.
fn hello_sheet(answers: [u32; 3], certificate: bool) -> AnswerSheet {
    support::answer_sheet(1, ["1", "2", "3"], answers, certificate)
}

/// How many sheets the three builds score; the issue asks for 10,000.
const SHEETS: usize = 10_000;

/// Every 100th sheet is also scored on a fresh instance, as a case is.
const FRESH_EVERY: usize = 100;

/// The Rust plugin scores each of the 10,000 sheets as a case is scored, on a fresh instance.
/// Python and JavaScript score all of them on one kept instance, and every 100th sheet again
/// on a fresh instance: each result must equal Rust's, and the fresh results the kept ones.
/// The host's own probe has already checked, for the set, that a kept instance scores as a
/// fresh one does. (Fresh instances for all 10,000 take minutes, mostly Python's: that is
/// the ignored test below.)
#[test]
fn python_and_javascript_score_10_000_sheets_as_rust_does() {
    compare_three_languages(Some(FRESH_EVERY));
}

/// All 10,000 sheets on a fresh instance each, in all three languages, as cases are scored.
/// About 6 minutes on an idle 2-core machine (Python 34 ms a sheet, JavaScript 8 ms), so out
/// of CI: `cargo test -p ocop-plugin-host --test polyglot -- --ignored`.
#[test]
#[ignore = "minutes: run by hand, see the closing note of issue 14"]
fn python_and_javascript_score_10_000_sheets_as_rust_does_on_fresh_instances() {
    compare_three_languages(None);
}

/// Scores the sheets with the Rust plugin on fresh instances and with the Python and
/// JavaScript ones either on one kept instance, every `fresh_every`th sheet again on a fresh
/// one (`Some`), or all on fresh instances (`None`); every result must equal Rust's.
fn compare_three_languages(fresh_every: Option<usize>) {
    let rust = scorer("plugins/hello-scoring");
    let mut others = Vec::new();
    if toolchain("python") {
        others.push(("python", scorer("plugins/hello-scoring-py")));
    }
    if toolchain("javascript") {
        others.push(("javascript", scorer("plugins/hello-scoring-js")));
    }
    let set = ProductSet::new(1).unwrap();
    let criteria = rust.criteria(set).unwrap();
    for (language, s) in &others {
        assert_eq!(
            s.criteria(set).unwrap(),
            criteria,
            "{language} publishes another sheet"
        );
    }
    let mut generator = SheetGenerator::new(2026);
    let sheets: Vec<AnswerSheet> = (0..SHEETS).map(|_| generator.sheet(&criteria)).collect();
    let evaluations = |s: &WasmScorer, which: &mut dyn Iterator<Item = usize>| {
        which
            .map(|i| (i, s.score(&sheets[i]).map(|s| s.evaluation)))
            .collect::<Vec<_>>()
    };
    let expected = evaluations(&rust, &mut (0..SHEETS));
    let same = |language: &str,
                i: usize,
                e: &Result<_, PluginError>,
                g: &Result<_, PluginError>| match (e, g) {
        (Ok(e), Ok(g)) => assert_eq!(e, g, "sheet {i} ({:?}): {language} differs", sheets[i]),
        (Err(e), Err(g)) => assert_eq!(
            std::mem::discriminant(e),
            std::mem::discriminant(g),
            "sheet {i}: {language} fails otherwise: {g} (rust: {e})"
        ),
        _ => panic!("sheet {i} ({:?}): rust {e:?}, {language} {g:?}", sheets[i]),
    };
    for (language, s) in &others {
        let started = std::time::Instant::now();
        let got: Vec<_> = match fresh_every {
            Some(_) => s
                .score_on_one_instance(&sheets)
                .unwrap()
                .into_iter()
                .map(|r| r.map(|s| s.evaluation))
                .enumerate()
                .collect(),
            None => evaluations(s, &mut (0..SHEETS)),
        };
        eprintln!(
            "{language}: {SHEETS} sheets on {} in {:.1?}",
            if fresh_every.is_some() {
                "one instance"
            } else {
                "fresh instances"
            },
            started.elapsed()
        );
        for ((i, e), (_, g)) in expected.iter().zip(&got) {
            same(language, *i, e, g);
        }
        if let Some(every) = fresh_every {
            let started = std::time::Instant::now();
            for (i, fresh) in evaluations(s, &mut (0..SHEETS).step_by(every)) {
                same(language, i, &got[i].1, &fresh);
            }
            eprintln!(
                "{language}: {} of them again on fresh instances in {:.1?}",
                SHEETS.div_ceil(every),
                started.elapsed()
            );
        }
    }
    // Every way the tutorial sheet can be answered (3 x 2 x 3 options, with and without
    // the certificate) came up.
    let distinct: std::collections::BTreeSet<String> =
        expected.iter().map(|(_, e)| format!("{e:?}")).collect();
    assert_eq!(distinct.len(), 36, "{distinct:#?}");
}

/// Case views for the traceability check: facts, documents and configuration varied.
fn case_views(n: usize) -> Vec<CaseView> {
    let mut state: u64 = 0x0c0b;
    let mut next = move |m: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % m
    };
    let facts = [
        "traceability_registered",
        "food_safety_certificate",
        "other",
    ];
    let kinds = ["traceability_qr", "business_registration", "other_qr"];
    let systems = [
        None,
        Some(serde_json::json!("check.cantho.gov.vn")),
        Some(serde_json::json!("truy xuất “Cần Thơ”")),
        Some(serde_json::json!(3)),
        Some(serde_json::json!(["a"])),
    ];
    (0..n)
        .map(|i| {
            let mut view = support::cantho_view(format!("c{i}"), 1 + next(26) as u8);
            for f in facts {
                if next(3) == 0 {
                    view.facts.insert(f.into(), next(2) == 0);
                }
            }
            for k in kinds {
                if next(3) == 0 {
                    view.documents.push(ocop_core::domain::DossierDocument {
                        kind: k.into(),
                        present: next(2) == 0,
                        valid_until: None,
                    });
                }
            }
            if let Some(system) = &systems[next(systems.len() as u64) as usize] {
                view.config
                    .insert("traceability_system".into(), system.clone());
            }
            match next(8) {
                0 => {
                    view.config
                        .insert("fact".into(), serde_json::json!("other"));
                }
                1 => {
                    view.config
                        .insert("document_kind".into(), serde_json::json!("other_qr"));
                }
                2 => {
                    view.config
                        .insert("traceabilty_system".into(), serde_json::json!("typo"));
                }
                _ => {}
            }
            view
        })
        .collect()
}

#[test]
fn the_python_guard_finds_what_the_rust_guard_finds() {
    if !toolchain("python") {
        return;
    }
    let rust = build("plugins/cantho-local");
    let python = build("plugins/cantho-local-py");
    let rust = host().load_guard_file(&rust.path, None).unwrap();
    let python = host()
        .load_guard_file_with(
            &python.path,
            Some(&python.sha256),
            options("plugins/cantho-local-py"),
        )
        .unwrap();
    let (mut blocked, mut refused) = (0, 0);
    for view in case_views(500) {
        for check in ["traceability", "support_amount"] {
            let expected = rust.check(&view, check);
            let got = python.check(&view, check);
            match (&expected, &got) {
                (Ok(e), Ok(g)) => {
                    assert_eq!(e, g, "{view:?}");
                    blocked += usize::from(!e.is_empty());
                }
                (
                    Err(PluginError::Rejected { code: e, .. }),
                    Err(PluginError::Rejected { code: g, .. }),
                ) => {
                    assert_eq!(e, g, "{view:?}: {expected:?} / {got:?}");
                    refused += 1;
                }
                _ => panic!("{view:?}: rust {expected:?}, python {got:?}"),
            }
        }
    }
    assert!(blocked > 50 && refused > 500, "{blocked} {refused}");
}

/// After any failure the host still serves the Rust criteria plugin.
fn still_serves() {
    let criteria = build("plugins/criteria-26-2026");
    let scorer = host().load_scorer_file(&criteria.path, None).unwrap();
    let sheet =
        SheetGenerator::new(7).sheet(&scorer.criteria(ProductSet::new(9).unwrap()).unwrap());
    scorer.score(&sheet).unwrap();
}

/// 20 + 25 + 35 = 80 with the certificate: four stars (the 5-star mark is met).
fn hostile_sheet(set: u8) -> AnswerSheet {
    let mut sheet = hello_sheet([1, 1, 2], true);
    sheet.product_set = ProductSet::new(set).unwrap();
    sheet.answers = ["a", "b", "c"]
        .into_iter()
        .zip([1, 1, 2])
        .map(|(k, v)| (k.into(), v))
        .collect();
    sheet
}

/// What one hostile set does, as text to compare between runs.
fn outcome(scorer: &WasmScorer, set: u8) -> Result<String, PluginError> {
    scorer
        .score(&hostile_sheet(set))
        .map(|s| format!("{:?}", s.evaluation))
}

/// Runs each hostile set on a fresh load, twice, checks each outcome, and checks the host
/// still serves afterwards.
fn hostile(dir: &str, language: &str) {
    let first = scorer(dir);
    // A second host with its own cache-less engine: the same outcome in another process's
    // shoes.
    let other = PluginHostBuilder::new().build().unwrap();
    let built = build(dir);
    let second = other
        .load_scorer_file_with(&built.path, Some(&built.sha256), options(dir))
        .unwrap();
    let limits = options(dir);
    for set in 1..=13u8 {
        if language == "javascript" && set == 12 {
            continue;
        }
        let a = outcome(&first, set);
        let b = outcome(&second, set);
        let shown = format!("{language} set {set}: {a:?}");
        match set {
            1 => assert!(
                matches!(&a, Err(PluginError::OutOfFuel { limit, .. }) if Some(*limit) == limits.fuel),
                "{shown}"
            ),
            2 => assert!(
                matches!(&a, Err(PluginError::MemoryLimit { limit_bytes, .. }) if Some(*limit_bytes as usize) == limits.memory)
                    || matches!(
                        &a,
                        Err(PluginError::OutOfFuel {
                            memory: Some(_),
                            ..
                        })
                    ),
                "{shown}"
            ),
            // CPython stops at its recursion limit (RecursionError, uncaught: a trap);
            // SpiderMonkey throws "too much recursion", which reaches the export as a
            // thrown value that is no plugin-error: a trap too.
            // With the recursion limit raised to 1,000,000, CPython (300,000,000 fuel) runs
            // out of fuel before it reaches the limit or the stack.
            3 => assert!(
                matches!(&a, Err(PluginError::Trapped { trap, .. }) if language == "javascript" || trap.contains("RecursionError"))
                    || matches!(&a, Err(PluginError::StackOverflow { .. }))
                    || matches!(&a, Err(PluginError::OutOfFuel { limit, .. }) if Some(*limit) == limits.fuel),
                "{shown}"
            ),
            // Python's traceback is in the trap's message; a thrown JavaScript Error is no
            // plugin-error (no `code`), so the export's glue traps on it.
            4 => assert!(
                matches!(&a, Err(PluginError::Trapped { trap, .. }) if language == "javascript" || trap.contains("on purpose")),
                "{shown}"
            ),
            // StarlingMonkey's `fetch` has no host behind it (no wasi:http in the
            // profile): asked for a file or a socket, it traps before anything is opened.
            5 | 6
                if language == "javascript"
                    && matches!(&a, Err(PluginError::Trapped { trap, .. }) if trap.contains("unreachable")) =>
                {}
            5 | 6 | 7 | 8 | 9 | 13 => {
                let Err(PluginError::Rejected { code, message, .. }) = &a else {
                    panic!("{shown}");
                };
                assert_eq!(code, "probe", "{shown}");
                match set {
                    5 => assert!(
                        !message.contains("root:"),
                        "{shown}: the plugin read a file"
                    ),
                    6 => assert!(
                        message.contains("Error") || message.contains("undefined"),
                        "{shown}: the plugin may have connected"
                    ),
                    _ => {}
                }
            }
            // A million bytes through StarlingMonkey's console.log cost more than the
            // hostile plugin's 300,000,000 fuel: it stops there, every run alike.
            10 if language == "javascript" => assert!(
                a.is_ok()
                    || matches!(&a, Err(PluginError::OutOfFuel { limit, .. }) if Some(*limit) == limits.fuel),
                "{shown}"
            ),
            10 | 11 => assert!(a.is_ok(), "{shown}"),
            12 => assert!(
                matches!(&a, Err(PluginError::Trapped { trap, .. }) if trap.contains("exit") || trap.contains("SystemExit")),
                "{shown}"
            ),
            _ => unreachable!(),
        }
        // Same outcome on another host, and again on this one.
        let again = outcome(&first, set);
        assert_eq!(format!("{a:?}"), format!("{again:?}"), "{shown}");
        let strip = |r: &Result<String, PluginError>| format!("{r:?}");
        assert_eq!(strip(&a), strip(&b), "{shown}: another host differs");
        still_serves();
    }
}

#[test]
fn hostile_python_plugins_are_contained() {
    if toolchain("python") {
        hostile(
            "crates/ocop-plugin-host/tests/polyglot/hostile-py",
            "python",
        );
    }
}

#[test]
fn hostile_javascript_plugins_are_contained() {
    if toolchain("javascript") {
        hostile(
            "crates/ocop-plugin-host/tests/polyglot/hostile-js",
            "javascript",
        );
    }
}

#[test]
fn an_interpreted_plugin_is_refused_without_the_wasi_profile() {
    if !toolchain("python") {
        return;
    }
    let built = build("plugins/hello-scoring-py");
    let err = host().load_scorer_file(&built.path, None).unwrap_err();
    assert!(
        matches!(&err, PluginError::ForbiddenImport { import, .. } if import.starts_with("wasi:"))
            && err.to_string().contains("runtime = \"wasi-deterministic\""),
        "{err}"
    );
    assert_eq!(
        options("plugins/hello-scoring-py").runtime,
        PluginRuntime::WasiDeterministic
    );
}

/// The helper modules give the Rust rules' band, cap and stars on every total from 0 to
/// 100.00 (in hundredths), run by python3 and node.
#[test]
fn the_python_and_javascript_helpers_follow_the_rust_rules() {
    let sdk = root().join("crates/ocop-plugin-sdk");
    let expected: String = (0..=10_000u32)
        .map(|t| {
            use ocop_rules::{band, cap, stars};
            let b = band(t);
            format!(
                "{t} {b} {} {} {} {} {}\n",
                cap([5]),
                cap([4, 5]),
                cap([3, 5, 4]),
                stars(b, cap([4]), false).unwrap_or(0),
                stars(b, 5, true).unwrap_or(0)
            )
        })
        .collect();
    let run = |program: &str, args: &[&str]| {
        let out = Command::new(program)
            .args(args)
            .current_dir(&sdk)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    if toolchain("python") {
        let got = run(
            "python3",
            &[
                "-c",
                "import sys; sys.path.insert(0, 'python')\n\
                 from ocop_rules import band, cap, stars\n\
                 for t in range(10001):\n\
                 \x20   b = band(t)\n\
                 \x20   print(t, b, cap([5]), cap([4, 5]), cap([3, 5, 4]), stars(b, cap([4]), False) or 0, stars(b, 5, True) or 0)",
            ],
        );
        assert_eq!(got, expected, "python");
    }
    if toolchain("javascript") {
        let got = run(
            "node",
            &[
                "--input-type=module",
                "-e",
                "import { band, cap, stars } from './js/ocop_rules.js';\n\
                 let out = '';\n\
                 for (let t = 0; t <= 10000; t++) {\n\
                 \x20 const b = band(t);\n\
                 \x20 out += `${t} ${b} ${cap([5])} ${cap([4, 5])} ${cap([3, 5, 4])} ${stars(b, cap([4]), false) ?? 0} ${stars(b, 5, true) ?? 0}\\n`;\n\
                 }\n\
                 process.stdout.write(out);",
            ],
        );
        assert_eq!(got, expected, "javascript");
    }
}
