//! The `ocop` facade as an integrator uses it, with every feature on.

use ocop::plugins::{PluginError, PluginHost, engine_builder};
use ocop_plugin_host::build_plugin;
use ocop_tests::root;

#[test]
fn the_facade_loads_every_shipped_definition_with_its_pinned_plugins() {
    for krate in ["plugins/criteria-26-2026", "plugins/cantho-local"] {
        build_plugin(&root().join(krate)).unwrap();
    }
    let host = PluginHost::new().unwrap();
    for name in ["national-2026", "amended-2025", "can-tho-2024"] {
        let file = format!("workflows/{name}.toml");
        let text = std::fs::read_to_string(root().join(&file)).unwrap();
        let cycle = ocop::definition::load_definition(&file, &text).unwrap();
        // `build` refuses a definition whose plugins are not all registered.
        engine_builder(cycle, &host, &root().join("workflows"))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .build()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn the_facade_refuses_a_definition_whose_plugin_is_not_there() {
    let text = std::fs::read_to_string(root().join("workflows/national-2026.toml")).unwrap();
    let cycle = ocop::definition::load_definition("national-2026.toml", &text).unwrap();
    let host = PluginHost::new().unwrap();
    let nowhere = std::env::temp_dir().join("ocop-facade-nowhere/workflows");
    match engine_builder(cycle, &host, &nowhere) {
        Err(PluginError::Missing { plugin, .. }) => assert_eq!(plugin, "criteria-26-2026"),
        Err(other) => panic!("expected Missing, got {other}"),
        Ok(_) => panic!("a missing plugin was accepted"),
    }
}
