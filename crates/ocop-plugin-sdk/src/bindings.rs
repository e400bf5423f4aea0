//! Bindings generated from `plugins/wit/ocop-plugin.wit`.
#![allow(missing_docs, unreachable_pub, clippy::all, reason = "generated code")]

/// The `scoring` world: implement [`scoring::Guest`] and call `ocop_plugin_sdk::scoring::export_scoring!(YourType)`.
pub mod scoring {
    wit_bindgen::generate!({
        path: "../../plugins/wit",
        world: "ocop:plugin/scoring",
        pub_export_macro: true,
        export_macro_name: "export_scoring",
        default_bindings_module: "ocop_plugin_sdk::scoring",
    });
}

/// The `guard` world: implement [`guard::Guest`] and call `ocop_plugin_sdk::guard::export_guard!(YourType)`.
pub mod guard {
    wit_bindgen::generate!({
        path: "../../plugins/wit",
        world: "ocop:plugin/guard",
        pub_export_macro: true,
        export_macro_name: "export_guard",
        default_bindings_module: "ocop_plugin_sdk::guard",
    });
}

/// The shared record types (of the `scoring` world's bindings).
pub mod types {
    pub use super::scoring::ocop::plugin::types::*;
}
