//! The JSON Schemas checked in under `schemas/` are those the code generates.

use ocop_tests::{check_golden, root};

#[test]
fn checked_in_schemas_are_current() {
    let mut failures = Vec::new();
    let mut expected_files = Vec::new();
    let all = ocop_core::schema::document_schemas()
        .into_iter()
        .chain(ocop_engine::document_schemas())
        .chain(ocop_report::document_schemas())
        .chain(ocop_server::document_schemas());
    for s in all {
        let file = format!("schemas/{}.schema.json", s.name);
        let mut text = serde_json::to_string_pretty(&s.schema).unwrap();
        text.push('\n');
        if let Err(e) = check_golden(&file, &text) {
            failures.push(format!(
                "{e}\nregenerate with `cargo run -p ocop-cli -- schema --out schemas`"
            ));
        }
        expected_files.push(format!("{}.schema.json", s.name));
    }
    if let Err(e) = check_golden("schemas/openapi.json", &ocop_server::openapi()) {
        failures.push(format!(
            "{e}\nregenerate with `cargo run -p ocop-cli -- schema --out schemas`"
        ));
    }
    expected_files.push("openapi.json".into());
    let mut present: Vec<String> = std::fs::read_dir(root().join("schemas"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    expected_files.sort();
    assert_eq!(present, expected_files, "stale schema files in schemas/");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn shipped_definitions_match_the_definition_schema() {
    // Every required property of the schema's root appears in the shipped definitions.
    let schema = ocop_core::schema::document_schemas()
        .into_iter()
        .find(|s| s.name == "definition")
        .unwrap();
    let value = serde_json::to_value(&schema.schema).unwrap();
    let required = value["required"].as_array().unwrap();
    for name in ["national-2026", "amended-2025", "can-tho-2024"] {
        let text = std::fs::read_to_string(root().join(format!("workflows/{name}.toml"))).unwrap();
        let table: toml::Table = toml::from_str(&text).unwrap();
        for key in required {
            assert!(
                table.contains_key(key.as_str().unwrap()),
                "{name} lacks `{key}`"
            );
        }
    }
}
