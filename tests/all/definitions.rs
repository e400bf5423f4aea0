//! The shipped definitions validate; each broken definition fails with its code and a
//! located diagnostic, snapshotted next to it. The definitions of `bad/plugins/` are broken
//! in their plugins, so they are checked the way `ocop validate --plugins DIR` checks them,
//! against built components; the files of `bad/migrations/` and `bad/calendars/` are
//! migration and calendar files, checked against the shipped definitions.

use std::path::{Path, PathBuf};

use ocop_core::{
    Cycle, check_definition,
    diagnostic::{Code, Report, Severity},
    load_definition,
    plugin::check_definition_with_plugins,
};
use ocop_engine::{Calendar, check_migration};
use ocop_plugin_host::{PluginHostBuilder, build_plugin};
use ocop_tests::{check_golden, root};

#[test]
fn shipped_definitions_are_valid() {
    for name in ["national-2026", "amended-2025", "can-tho-2024"] {
        let path = format!("workflows/{name}.toml");
        let text = std::fs::read_to_string(root().join(&path)).unwrap();
        let cycle = load_definition(&path, &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cycle.definition().id.as_str(), name);
        assert!(
            cycle
                .warnings()
                .iter()
                .all(|w| w.severity == Severity::Warning),
            "{name}"
        );
    }
}

#[test]
fn shipped_migrations_and_calendars_are_valid() {
    let shipped = shipped_cycles();
    for folder in ["workflows/migrations", "tests/definitions/migrations"] {
        for path in definitions_in(&root().join(folder)) {
            let text = std::fs::read_to_string(&path).unwrap();
            let report = check_migration(&path.display().to_string(), &text, &shipped);
            assert!(report.diagnostics.is_empty(), "{report}");
        }
    }
    for path in definitions_in(&root().join("workflows/calendars")) {
        let text = std::fs::read_to_string(&path).unwrap();
        Calendar::load(&path.display().to_string(), &text).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn base_of_the_broken_definitions_is_valid_in_both_syntaxes() {
    for file in ["tests/definitions/base.toml", "tests/definitions/base.json"] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let report = check_definition(file, &text);
        assert!(report.diagnostics.is_empty(), "{report}");
    }
}

/// The shipped definitions, which the shipped and the broken migration files are checked
/// against.
fn shipped_cycles() -> Vec<Cycle> {
    ["can-tho-2024", "amended-2025", "national-2026"]
        .iter()
        .map(|name| {
            let file = format!("workflows/{name}.toml");
            load_definition(&file, &std::fs::read_to_string(root().join(&file)).unwrap()).unwrap()
        })
        .collect()
}

/// The definition files of a folder, sorted.
fn definitions_in(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("toml" | "json")
            )
        })
        .collect();
    entries.sort();
    entries
}

/// Checks each file of `folder` (relative to the root) with `check`: it has an error, a
/// located finding whose code is the file's name, and a report equal to its `.stderr`
/// snapshot. Returns the codes seen.
fn check_broken(
    folder: &str,
    check: &dyn Fn(&str, &str) -> Report,
    failures: &mut Vec<String>,
) -> Vec<Code> {
    let mut seen_codes = Vec::new();
    for path in definitions_in(&root().join(folder)) {
        let file_name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let code = file_name.split('.').next().unwrap().to_owned();
        let shown = format!("{folder}/{file_name}");
        let text = std::fs::read_to_string(&path).unwrap();
        let report = check(&shown, &text);
        assert!(report.has_errors(), "{shown} was accepted");
        let found = report.diagnostics.iter().find(|d| d.code.as_str() == code);
        let Some(found) = found else {
            failures.push(format!("{shown}: no `{code}` finding in:\n{report}"));
            continue;
        };
        assert!(
            found.location.is_some(),
            "{shown}: `{code}` has no location"
        );
        seen_codes.push(found.code);
        if let Err(e) = check_golden(&format!("{shown}.stderr"), &report.to_string()) {
            failures.push(e);
        }
    }
    seen_codes
}

/// A folder like the one `ocop validate --plugins DIR` is given: the shipped components
/// built from source, the tutorial's, and a file that is not a component.
fn plugins_folder() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ocop-bad-plugins-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for krate in [
        "plugins/criteria-26-2026",
        "plugins/cantho-local",
        "plugins/hello-scoring",
    ] {
        let built = build_plugin(&root().join(krate)).unwrap();
        std::fs::copy(&built.path, dir.join(built.path.file_name().unwrap())).unwrap();
    }
    std::fs::copy(
        root().join("tests/definitions/plugins/not-a-component.txt"),
        dir.join("not-a-component.wasm"),
    )
    .unwrap();
    dir
}

#[test]
fn each_broken_definition_fails_with_its_code() {
    let mut failures = Vec::new();
    let mut seen_codes = check_broken(
        "tests/definitions/bad",
        &|file, text| check_definition(file, text),
        &mut failures,
    );
    let dir = plugins_folder();
    let host = PluginHostBuilder::new().build().unwrap();
    let base = root().join("tests/definitions/bad/plugins");
    seen_codes.extend(check_broken(
        "tests/definitions/bad/plugins",
        &|file, text| {
            check_definition_with_plugins(file, text, &mut |decl| {
                host.load_declared(decl, &base, Some(&dir))
            })
        },
        &mut failures,
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let shipped = shipped_cycles();
    seen_codes.extend(check_broken(
        "tests/definitions/bad/migrations",
        &|file, text| check_migration(file, text, &shipped),
        &mut failures,
    ));
    seen_codes.extend(check_broken(
        "tests/definitions/bad/calendars",
        &|file, text| match Calendar::load(file, text) {
            Ok(_) => Report::default(),
            Err(e) => e.report().cloned().unwrap(),
        },
        &mut failures,
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    for code in Code::ALL {
        assert!(
            seen_codes.contains(code),
            "no broken definition exercises `{code}`"
        );
    }
}

#[test]
fn the_shipped_definitions_pass_with_their_plugins() {
    // Built from source, reproducibly: the pins must match.
    let mut dir = None;
    for krate in ["plugins/criteria-26-2026", "plugins/cantho-local"] {
        let built = build_plugin(&root().join(krate)).unwrap();
        dir = built.path.parent().map(Path::to_path_buf);
    }
    let host = PluginHostBuilder::new().build().unwrap();
    for name in ["national-2026", "can-tho-2024"] {
        let file = format!("workflows/{name}.toml");
        let text = std::fs::read_to_string(root().join(&file)).unwrap();
        let report = check_definition_with_plugins(&file, &text, &mut |decl| {
            host.load_declared(decl, &root().join("workflows"), dir.as_deref())
        });
        assert!(!report.has_errors(), "{report}");
    }
}
