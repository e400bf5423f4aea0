//! The shipped definitions validate; each broken definition fails with its code and a
//! located diagnostic, snapshotted next to it.

use ocop_core::{Code, Severity, check_definition, load_definition};
use ocop_tests::{check_golden, root};

#[test]
fn shipped_definitions_are_valid() {
    for name in ["national-2026", "can-tho-2024"] {
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
fn base_of_the_broken_definitions_is_valid_in_both_syntaxes() {
    for file in ["tests/definitions/base.toml", "tests/definitions/base.json"] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let report = check_definition(file, &text);
        assert!(report.diagnostics.is_empty(), "{report}");
    }
}

#[test]
fn each_broken_definition_fails_with_its_code() {
    let dir = root().join("tests/definitions/bad");
    let mut seen_codes = Vec::new();
    let mut failures = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
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
    for path in entries {
        let file_name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let code = file_name.split('.').next().unwrap().to_owned();
        let shown = format!("tests/definitions/bad/{file_name}");
        let text = std::fs::read_to_string(&path).unwrap();
        let report = check_definition(&shown, &text);
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
        if let Err(e) = check_golden(
            &format!("tests/definitions/bad/{file_name}.stderr"),
            &report.to_string(),
        ) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    for code in Code::ALL {
        assert!(
            seen_codes.contains(code),
            "no broken definition exercises `{code}`"
        );
    }
}
