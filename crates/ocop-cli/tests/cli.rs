//! The `ocop` binary as a person uses it.
#![cfg(test)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ocop(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ocop"))
        .args(args)
        .current_dir(root())
        .env(
            "OCOP_PLUGIN_CACHE",
            std::env::temp_dir().join(format!("ocop-cli-test-cache-{}", std::process::id())),
        )
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `ocop args`, which must succeed (else the test fails with what it said).
fn succeeded(args: &[&str]) -> Output {
    let out = ocop(args);
    assert!(out.status.success(), "{args:?}: {}", text(&out));
    out
}

/// The command ended with `code` and its output says `says`.
fn assert_exit(out: &Output, code: i32, says: &str) {
    assert_eq!(out.status.code(), Some(code), "{}", text(out));
    assert!(text(out).contains(says), "{}", text(out));
}

/// The criteria plugin, built once.
fn criteria_plugin() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| built("plugins/criteria-26-2026"))
}

#[test]
fn validate_exits_0_on_the_shipped_cycles_and_1_on_a_broken_one() {
    succeeded(&[
        "validate",
        "workflows/national-2026.toml",
        "workflows/can-tho-2024.toml",
    ]);
    let bad = ocop(&["validate", "tests/definitions/bad/unknown-state.toml"]);
    assert_exit(
        &bad,
        1,
        "tests/definitions/bad/unknown-state.toml:79:1: error[unknown-state]",
    );
    let missing = ocop(&["validate", "no-such-file.toml"]);
    assert_exit(&missing, 2, "cannot read `no-such-file.toml`");
}

/// Migration and calendar files go through the same diagnostics as definitions: a code,
/// `file:line:col` and the key in the one-line form, the line with a caret under the key in
/// the rich form (snapshotted next to the broken file as `.rich`).
#[test]
fn validate_reads_migrations_and_calendars_with_located_findings() {
    succeeded(&[
        "validate",
        "workflows/migrations/can-tho-2024-to-amended-2025.toml",
        "workflows/migrations/amended-2025-to-national-2026.toml",
        "workflows/calendars/vn.toml",
    ]);
    let migration = "tests/definitions/bad/migrations/migration-terminal-state.toml";
    let calendar = "tests/definitions/bad/calendars/calendar-day-range.toml";
    let short = ocop(&["validate", "--definitions", "workflows", migration]);
    assert_eq!(short.status.code(), Some(1));
    assert!(
        text(&short).contains(&format!(
            "{migration}:35:1: error[migration-terminal-state]"
        )),
        "{}",
        text(&short)
    );
    // Without `--definitions`, the folder above `migrations/` is searched, and the
    // definitions there are not the ones the file names.
    let elsewhere = ocop(&["validate", migration]);
    assert!(
        text(&elsewhere).contains(&format!(
            "{migration}:4:1: error[migration-definitions]: no definition `can-tho-2024` is known"
        )),
        "{}",
        text(&elsewhere)
    );
    let mut failures = Vec::new();
    for (file, args) in [
        (migration, vec!["--definitions", "workflows"]),
        (calendar, vec![]),
    ] {
        let mut all = vec!["validate", "--format", "rich", file];
        all.extend(args);
        let out = ocop(&all);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        if let Err(e) = ocop_tests::check_golden(&format!("{file}.rich"), &stderr) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Art. 11-12: two definitions for the same jurisdiction in force on the same days need a
/// transitional rule. The shipped pair has its migration file; copied apart, it warns.
#[test]
fn validate_warns_when_two_definitions_overlap_without_a_transition() {
    succeeded(&[
        "validate",
        "--deny-warnings",
        "workflows/can-tho-2024.toml",
        "workflows/amended-2025.toml",
        "workflows/national-2026.toml",
    ]);
    let dir = std::env::temp_dir().join(format!("ocop-overlap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["amended-2025.toml", "national-2026.toml"] {
        std::fs::copy(root().join("workflows").join(f), dir.join(f)).unwrap();
    }
    let (old, n) = (
        dir.join("amended-2025.toml"),
        dir.join("national-2026.toml"),
    );
    let out = ocop(&["validate", old.to_str().unwrap(), n.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "a warning, not an error: {}",
        text(&out)
    );
    assert!(
        text(&out).contains("warning[validity-overlap]")
            && text(&out).contains("from 2026-05-22 to 2026-07-21"),
        "{}",
        text(&out)
    );
    let denied = ocop(&[
        "validate",
        "--deny-warnings",
        old.to_str().unwrap(),
        n.to_str().unwrap(),
    ]);
    assert_eq!(denied.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn graph_draws_in_both_languages() {
    let vi = ocop(&[
        "graph",
        "workflows/national-2026.toml",
        "--format",
        "mermaid",
    ]);
    assert!(text(&vi).contains("Đánh giá cấp xã"));
    let en = ocop(&["graph", "workflows/can-tho-2024.toml", "--lang", "en"]);
    assert!(text(&en).contains("District evaluation") && text(&en).starts_with("digraph"));
}

#[test]
fn criteria_template_score_round_trip() {
    let plugin = criteria_plugin();
    let table = succeeded(&[
        "criteria", "--plugin", plugin, "--set", "16", "--lang", "en",
    ]);
    assert!(text(&table).contains("Set 16"));
    let json = ocop(&[
        "criteria", "--plugin", plugin, "--set", "26", "--format", "json",
    ]);
    let sheet: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(sheet["branches"].as_array().unwrap().len(), 2);
    let template = ocop(&["criteria", "--plugin", plugin, "--set", "3", "--template"]);
    let dir = std::env::temp_dir().join(format!("ocop-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("sheet.json");
    std::fs::write(&file, &template.stdout).unwrap();
    let scored = succeeded(&["score", "--plugin", plugin, file.to_str().unwrap()]);
    let scored: serde_json::Value = serde_json::from_slice(&scored.stdout).unwrap();
    // The template picks every first option: the lowest scores.
    assert!(scored["evaluation"]["total"].as_f64().unwrap() < 30.0);
    assert!(scored["plugin"]["sha256"].as_str().unwrap().len() == 64);
    assert!(scored["fuel_used"].as_u64().unwrap() > 0);
    // A broken sheet is refused with the plugin's reason.
    std::fs::write(
        &file,
        String::from_utf8_lossy(&template.stdout).replacen(": 0", ": 99", 1),
    )
    .unwrap();
    let refused = ocop(&["score", "--plugin", plugin, file.to_str().unwrap()]);
    assert_exit(&refused, 2, "answer-out-of-range");
}

#[test]
fn plugin_check_passes_for_the_shipped_plugins_and_the_tutorial() {
    let criteria = succeeded(&["plugin", "check", criteria_plugin(), "--sheets", "4"]);
    assert!(text(&criteria).contains("native and WebAssembly builds agree"));
    for crate_dir in ["plugins/cantho-local", "plugins/hello-scoring"] {
        let out = succeeded(&["plugin", "check", crate_dir]);
        assert!(text(&out).contains(" 0 failed"), "{}", text(&out));
    }
}

/// A component built by `ocop plugin build`, once per crate folder.
fn built(krate: &'static str) -> String {
    static PATHS: std::sync::Mutex<Vec<(&str, String)>> = std::sync::Mutex::new(Vec::new());
    let mut paths = PATHS.lock().unwrap();
    if let Some((_, p)) = paths.iter().find(|(k, _)| *k == krate) {
        return p.clone();
    }
    let out = succeeded(&["plugin", "build", krate]);
    let path = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap()
        .to_owned();
    paths.push((krate, path.clone()));
    path
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ocop-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn templates_and_answer_sheets_are_checked_against_the_sheet() {
    let plugin = criteria_plugin();
    // A case that does not exist, or a case on a sheet without cases: refused.
    for (set, branch, says) in [
        ("26", "3", "set 26 has no case 3"),
        ("3", "1", "no alternative cases"),
    ] {
        let out = ocop(&[
            "criteria",
            "--plugin",
            plugin,
            "--set",
            set,
            "--branch",
            branch,
            "--template",
        ]);
        assert_exit(&out, 2, says);
    }
    // Sections 8, 9 and 15 of set 26 each choose their case.
    let out = succeeded(&[
        "criteria",
        "--plugin",
        plugin,
        "--set",
        "26",
        "--template",
        "--branch",
        "2",
        "--branch",
        "8=1",
    ]);
    let template: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(template.get("branch").is_none(), "{template}");
    let answers = template["answers"].as_object().unwrap();
    for (present, absent) in [("8a", "8b"), ("9b", "9a"), ("15b", "15a")] {
        assert!(answers.contains_key(present) && !answers.contains_key(absent));
    }
    let dir = temp_dir("sheets");
    let file = dir.join("mixed.json");
    std::fs::write(&file, &out.stdout).unwrap();
    succeeded(&["score", "--plugin", plugin, file.to_str().unwrap()]);
    // The facts are listed; a misspelt one and another format are refused.
    let table = ocop(&["criteria", "--plugin", plugin, "--set", "1", "--lang", "en"]);
    assert!(
        text(&table).contains("food_safety_certificate"),
        "{}",
        text(&table)
    );
    let one = ocop(&["criteria", "--plugin", plugin, "--set", "1", "--template"]);
    let one: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    let mut sheet = one.clone();
    sheet["facts"]["dossier_authentc"] = serde_json::json!(true);
    std::fs::write(&file, sheet.to_string()).unwrap();
    let refused = ocop(&["score", "--plugin", plugin, file.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused).contains("unknown-fact")
            && text(&refused).contains("did you mean `dossier_authentic`?"),
        "{}",
        text(&refused)
    );
    let mut sheet = one;
    sheet["format"] = serde_json::json!(2);
    std::fs::write(&file, sheet.to_string()).unwrap();
    let refused = ocop(&["score", "--plugin", plugin, file.to_str().unwrap()]);
    assert!(
        text(&refused).contains("unsupported-format"),
        "{}",
        text(&refused)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plugin_check_cannot_pass_on_nothing_and_checks_guards_as_configured() {
    let out = ocop(&["plugin", "check", criteria_plugin(), "--sheets", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // A set the plugin does not claim evaluates nothing: a failure.
    let hello = built("plugins/hello-scoring");
    let out = ocop(&["plugin", "check", &hello, "--set", "7"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // The guard, configured as its definition configures it, or on the command line.
    let cantho = built("plugins/cantho-local");
    let out = succeeded(&[
        "plugin",
        "check",
        &cantho,
        "--definition",
        "workflows/can-tho-2024.toml",
    ]);
    assert!(
        text(&out).contains("configuration of `cantho-local`"),
        "{}",
        text(&out)
    );
    let out = ocop(&[
        "plugin",
        "check",
        &cantho,
        "--config",
        "traceability_system=3",
    ]);
    assert_exit(&out, 1, "bad-config");
}

#[test]
fn plugin_check_fails_the_lying_and_counting_fixtures() {
    let hostile = built("crates/ocop-plugin-host/tests/hostile");
    for (set, reason) in [
        ("9", ") is worth "),
        ("10", "the cap is at most 4; the plugin reports cap 5"),
        ("11", "knock-out `no_food_safety_certificate` applies"),
        ("12", "the kept instance (call 2)"),
    ] {
        let out = ocop(&["plugin", "check", &hostile, "--set", set, "--sheets", "2"]);
        assert_eq!(out.status.code(), Some(1), "set {set}: {}", text(&out));
        assert!(text(&out).contains(reason), "set {set}: {}", text(&out));
    }
    succeeded(&["plugin", "check", &hostile, "--set", "8"]);
}

#[test]
fn validate_checks_pins_and_plugins_before_anything_runs() {
    // The shipped definitions, with the plugins they pin built from source.
    let dir = temp_dir("plugins");
    for krate in [
        "plugins/criteria-26-2026",
        "plugins/cantho-local",
        "plugins/hello-scoring",
    ] {
        let path = PathBuf::from(built(krate));
        std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
    }
    succeeded(&[
        "validate",
        "workflows/national-2026.toml",
        "workflows/can-tho-2024.toml",
        "--plugins",
        dir.to_str().unwrap(),
    ]);
    std::fs::copy(
        root().join("tests/definitions/plugins/not-a-component.txt"),
        dir.join("not-a-component.wasm"),
    )
    .unwrap();
    for (file, code) in [
        ("plugin-hash-mismatch", "error[plugin-hash-mismatch]"),
        ("plugin-file-missing", "error[plugin-file-missing]"),
        ("unknown-check", "error[unknown-check]"),
        ("plugin-load", "error[plugin-load]"),
        ("plugin-coverage", "error[plugin-coverage]"),
    ] {
        let path = format!("tests/definitions/bad/plugins/{file}.toml");
        let out = ocop(&["validate", &path, "--plugins", dir.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{file}: {}", text(&out));
        assert!(text(&out).contains(code), "{file}: {}", text(&out));
    }
    // Without `--plugins` the same files are statically valid but for their pins.
    succeeded(&[
        "validate",
        "tests/definitions/bad/plugins/unknown-check.toml",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The files of `docs/rule-authors.md`: each `<!-- file: PATH -->` with the code block that
/// follows it, and each `<!-- copy: FROM -> TO -->`.
fn walkthrough_files(root_dir: &Path) -> Vec<(String, String)> {
    doc_files(root_dir, "docs/rule-authors.md")
}

/// The `<!-- file: PATH -->` and `<!-- copy: FROM -> TO -->` files of the document `doc`.
fn doc_files(root_dir: &Path, doc: &str) -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(root_dir.join(doc)).unwrap();
    let mut files = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let line = line.trim();
        if let Some(copy) = line
            .strip_prefix("<!-- copy: ")
            .and_then(|l| l.strip_suffix(" -->"))
        {
            let (from, to) = copy.split_once(" -> ").unwrap();
            files.push((
                to.to_owned(),
                std::fs::read_to_string(root_dir.join(from)).unwrap(),
            ));
        } else if let Some(path) = line
            .strip_prefix("<!-- file: ")
            .and_then(|l| l.strip_suffix(" -->"))
        {
            assert!(
                lines.next().unwrap().starts_with("```"),
                "{path}: no code block"
            );
            let mut text = String::new();
            for l in lines.by_ref() {
                if l.starts_with("```") {
                    break;
                }
                text.push_str(l);
                text.push('\n');
            }
            files.push((path.to_owned(), text));
        }
    }
    files
}

/// Every walk-through of `docs/rule-authors.md`, built from an empty folder outside the
/// workspace with the `ocop` binary, and checked.
#[test]
fn walkthroughs_build_from_an_empty_folder() {
    use ocop_core::{ProductSet, plugin::Scorer};
    use ocop_plugin_host::conformance::SheetGenerator;

    let root_dir = root().canonicalize().unwrap();
    let dir = temp_dir("walkthroughs");
    let files = walkthrough_files(&root_dir);
    assert!(files.len() >= 5, "{files:?}");
    for (path, text) in &files {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(
            &file,
            text.replace("/path/to/ocop", &root_dir.display().to_string()),
        )
        .unwrap();
    }
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ocop"))
            .args(args)
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", root_dir.join("target/walkthroughs"))
            .env(
                "OCOP_PLUGIN_CACHE",
                std::env::temp_dir().join(format!("ocop-cli-test-cache-{}", std::process::id())),
            )
            .output()
            .unwrap()
    };
    let mut built = Vec::new();
    for krate in ["my-rules", "pilot-guard", "cantho-variant"] {
        std::fs::copy(
            root_dir.join("Cargo.lock"),
            dir.join(krate).join("Cargo.lock"),
        )
        .unwrap();
        let out = run(&["plugin", "build", krate]);
        assert!(out.status.success(), "{krate}: {}", text(&out));
        built.push(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .next()
                .unwrap()
                .to_owned(),
        );
    }
    let out = run(&["plugin", "check", &built[0]]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&[
        "plugin",
        "check",
        &built[1],
        "--config",
        r#"communes=["31117"]"#,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    // Without its configuration the guard refuses, naming what is missing.
    let out = run(&["plugin", "check", &built[1]]);
    assert_exit(&out, 1, "bad-config");
    let out = run(&["plugin", "check", &built[2], "--sheets", "1"]);
    assert!(out.status.success(), "{}", text(&out));

    // The local variant is never more lenient than the national sheet.
    let host = ocop_plugin_host::PluginHostBuilder::new().build().unwrap();
    let variant = host.load_scorer_file(Path::new(&built[2]), None).unwrap();
    let national = ocop_criteria_26_2026::NativeScorer::new();
    let mut g = SheetGenerator::new(109);
    let mut stricter = 0;
    for set in ProductSet::all() {
        let catalog = national.criteria(set).unwrap();
        // The best answers (5 stars nationally), then random ones.
        let best = SheetGenerator::boundary_sheets(&catalog).remove(0).1;
        for k in 0..6u32 {
            let sheet = if k < 2 {
                best.clone()
            } else {
                g.sheet(&catalog)
            };
            let mut local = sheet.clone();
            local.answers.insert("L.1".into(), k % 2);
            let n = national.score(&sheet).unwrap().evaluation;
            let v = variant.score(&local).unwrap().evaluation;
            assert_eq!(v.total, n.total, "set {set}");
            assert_eq!(v.knockouts, n.knockouts, "set {set}");
            assert!(
                v.stars <= n.stars,
                "set {set}: {:?} above {:?}",
                v.stars,
                n.stars
            );
            stricter += usize::from(v.stars < n.stars);
        }
    }
    assert!(stricter > 0, "the local criterion never mattered");

    // A crate that does not use the SDK gets the hint to; one that does, and fails for
    // another reason (here a C-style import), gets that reason without the hint.
    let write = |path: &str, text: &str| {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(
            file,
            text.replace("/path/to/ocop", &root_dir.display().to_string()),
        )
        .unwrap();
    };
    write(
        "no-sdk/Cargo.toml",
        "[package]\nname = \"no-sdk\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    );
    write(
        "no-sdk/src/lib.rs",
        "#[unsafe(no_mangle)]\npub extern \"C\" fn score() -> u32 {\n    1\n}\n",
    );
    write(
        "imports-env/Cargo.toml",
        "[package]\nname = \"imports-env\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nocop-plugin-sdk = { path = \"/path/to/ocop/crates/ocop-plugin-sdk\" }\n",
    );
    write(
        "imports-env/src/lib.rs",
        r#"use ocop_plugin_sdk::scoring::{Guest, export_scoring};
use ocop_plugin_sdk::types::{AnswerSheet, CriteriaSheet, Evaluation, PluginError, PluginInfo};

unsafe extern "C" {
    fn host_clock() -> u64;
}

struct Clocked;

fn refuse() -> PluginError {
    PluginError { code: "none".into(), message: unsafe { host_clock() }.to_string() }
}

impl Guest for Clocked {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "clocked".into(),
            version: "0".into(),
            legal_basis: String::new(),
            product_sets: vec![1],
            checks: Vec::new(),
        }
    }
    fn criteria(_: u8) -> Result<CriteriaSheet, PluginError> {
        Err(refuse())
    }
    fn score(_: AnswerSheet) -> Result<Evaluation, PluginError> {
        Err(refuse())
    }
}

export_scoring!(Clocked);
"#,
    );
    for krate in ["no-sdk", "imports-env"] {
        std::fs::copy(
            root_dir.join("Cargo.lock"),
            dir.join(krate).join("Cargo.lock"),
        )
        .unwrap();
    }
    let out = run(&["plugin", "build", "no-sdk"]);
    assert_exit(&out, 2, "depend on ocop-plugin-sdk");
    let out = run(&["plugin", "build", "imports-env"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("env") && !text(&out).contains("ocop-plugin-sdk"),
        "{}",
        text(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_database_is_read_outside_the_repository() {
    let _plugin = criteria_plugin();
    let dir = std::env::temp_dir().join(format!("ocop-cli-away-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("ocop.sqlite");
    let db = db.to_str().unwrap();
    // The demo needs the definitions and plugins; nothing that reads the database does.
    succeeded(&[
        "demo",
        "--products",
        "4",
        "--seed",
        "5",
        "--lang",
        "en",
        "--db",
        db,
    ]);
    let away = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ocop"))
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let list = away(&["case", "list", "--db", db]);
    assert!(list.status.success(), "{}", text(&list));
    let case = String::from_utf8_lossy(&list.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    for args in [
        &["report", "--db", db, "--lang", "en"][..],
        &["report", "--db", db, "--format", "html"],
        &["export", "--db", db],
        &["verify", "--db", db],
        &["replay", "--db", db, "--case", &case],
        &["case", "show", "--db", db, "--case", &case],
    ] {
        let out = away(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
    let report = away(&["report", "--db", db, "--lang", "en"]);
    assert!(text(&report).contains("— Cần Thơ"), "{}", text(&report));
    // `| head -1`: the reader goes away before ocop writes; ocop ends quietly.
    for args in [
        &["case", "list", "--db", db][..],
        &["case", "show", "--db", db, "--case", &case],
        &["replay", "--db", db, "--case", &case],
        &["report", "--db", db],
        &["export", "--db", db],
    ] {
        let out = with_closed_stdout(args, &dir);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out));
        assert!(out.stderr.is_empty(), "{args:?}: {}", text(&out));
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Runs ocop with `args` in `dir`, its standard output a pipe whose reader has gone away
/// before ocop writes (`| head -1`).
fn with_closed_stdout(args: &[&str], dir: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ocop"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    let out = with_closed_stdout(&["graph", "workflows/national-2026.toml"], &root());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(out.stderr.is_empty(), "{}", text(&out));
}

/// The Python and JavaScript walk-throughs of `docs/rule-authors-python-js.md`, built from
/// an empty folder outside the workspace with the `ocop` binary, and checked. Without
/// python3 or node they are skipped, unless `OCOP_REQUIRE_POLYGLOT=1` (CI).
#[test]
fn walkthroughs_in_python_and_javascript_build_from_an_empty_folder() {
    let root_dir = root().canonicalize().unwrap();
    let dir = temp_dir("walkthroughs-polyglot");
    let files = doc_files(&root_dir, "docs/rule-authors-python-js.md");
    assert_eq!(files.len(), 4, "{files:?}");
    for (path, text) in &files {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
    }
    let tools = std::env::var_os("OCOP_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root_dir.join("target/ocop-tools"));
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ocop"))
            .args(args)
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", root_dir.join("target/walkthroughs"))
            .env("OCOP_TOOLS_DIR", &tools)
            .env(
                "OCOP_PLUGIN_CACHE",
                root_dir.join("target/tmp/ocop-polyglot-cache"),
            )
            .output()
            .unwrap()
    };
    let have = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let required = std::env::var("OCOP_REQUIRE_POLYGLOT").is_ok_and(|v| v == "1");
    for (folder, tool) in [("my-rules-py", "python3"), ("my-rules-js", "node")] {
        if !have(tool) {
            assert!(
                !required,
                "OCOP_REQUIRE_POLYGLOT=1 but `{tool}` cannot be run"
            );
            eprintln!("skipped {folder}: `{tool}` not found");
            continue;
        }
        let out = run(&["plugin", "build", folder]);
        assert!(out.status.success(), "{folder}: {}", text(&out));
        assert!(text(&out).contains("sha256 = "), "{}", text(&out));
        let out = run(&["plugin", "check", folder, "--sheets", "4"]);
        assert!(out.status.success(), "{folder}: {}", text(&out));
        // The build worked on a copy: the folder holds only what the author wrote.
        let mut left: Vec<String> = std::fs::read_dir(dir.join(folder))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left.len(), 2, "{folder}: {left:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
