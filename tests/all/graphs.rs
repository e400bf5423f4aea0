//! Golden renderings of the shipped cycles.

use ocop_core::{
    Lang,
    cycle::{to_dot, to_mermaid},
    load_definition,
};
use ocop_tests::{check_golden, root};

#[test]
fn rendered_graphs_match_their_golden_files() {
    let mut failures = Vec::new();
    for name in ["national-2026", "amended-2025", "can-tho-2024"] {
        let path = format!("workflows/{name}.toml");
        let text = std::fs::read_to_string(root().join(&path)).unwrap();
        let cycle = load_definition(&path, &text).unwrap();
        for (lang, suffix) in [(Lang::Vi, "vi"), (Lang::En, "en")] {
            let checks = [
                (
                    format!("tests/golden/{name}.{suffix}.dot"),
                    to_dot(&cycle, lang),
                ),
                (
                    format!("tests/golden/{name}.{suffix}.mmd"),
                    to_mermaid(&cycle, lang),
                ),
            ];
            for (golden, actual) in checks {
                if let Err(e) = check_golden(&golden, &actual) {
                    failures.push(e);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
