//! Bindings generated from `plugins/wit/ocop-plugin.wit` (`ocop:plugin@0.2.0`).
//!
//! Both worlds share one set of record types (the guard world's bindings reuse the scoring
//! world's `types` and `diagnostics`), so `ocop_plugin_sdk::types` names the types of either
//! world's `Guest` trait.
#![allow(missing_docs, unreachable_pub, clippy::all, reason = "generated code")]

/// The `scoring` world: implement [`scoring::Guest`] and call
/// `ocop_plugin_sdk::scoring::export_scoring!(YourType)`.
pub mod scoring {
    wit_bindgen::generate!({
        path: "../../plugins/wit",
        world: "ocop:plugin/scoring@0.2.0",
        pub_export_macro: true,
        export_macro_name: "__export_scoring_raw",
        default_bindings_module: "ocop_plugin_sdk::scoring",
    });

    /// Exports a type implementing [`Guest`] as the component's `scoring` world, and installs
    /// the SDK's panic hook so that a panic's message reaches the host's error.
    #[doc(inline)]
    pub use crate::__ocop_export_scoring as export_scoring;
}

/// The `guard` world: implement [`guard::Guest`] and call
/// `ocop_plugin_sdk::guard::export_guard!(YourType)`.
pub mod guard {
    wit_bindgen::generate!({
        path: "../../plugins/wit",
        world: "ocop:plugin/guard@0.2.0",
        pub_export_macro: true,
        export_macro_name: "__export_guard_raw",
        default_bindings_module: "ocop_plugin_sdk::guard",
        with: {
            "ocop:plugin/types@0.2.0": crate::scoring::ocop::plugin::types,
            "ocop:plugin/diagnostics@0.2.0": crate::scoring::ocop::plugin::diagnostics,
        },
    });

    /// Exports a type implementing [`Guest`] as the component's `guard` world, and installs
    /// the SDK's panic hook so that a panic's message reaches the host's error.
    #[doc(inline)]
    pub use crate::__ocop_export_guard as export_guard;
}

/// The record types both worlds use: [`PluginInfo`](types::PluginInfo),
/// [`CriteriaSheet`](types::CriteriaSheet), [`AnswerSheet`](types::AnswerSheet),
/// [`Evaluation`](types::Evaluation), [`CaseView`](types::CaseView),
/// [`Finding`](types::Finding), ...
pub mod types {
    pub use super::scoring::ocop::plugin::types::*;
}

/// Exports a scoring plugin; see [`scoring::export_scoring`].
#[doc(hidden)]
#[macro_export]
macro_rules! __ocop_export_scoring {
    ($ty:ident) => {
        const _: () = {
            struct __OcopScoringExports;
            impl $crate::scoring::Guest for __OcopScoringExports {
                fn describe() -> $crate::types::PluginInfo {
                    $crate::panic::install_hook();
                    <$ty as $crate::scoring::Guest>::describe()
                }
                fn criteria(
                    product_set: u8,
                ) -> ::core::result::Result<$crate::types::CriteriaSheet, $crate::types::PluginError>
                {
                    $crate::panic::install_hook();
                    <$ty as $crate::scoring::Guest>::criteria(product_set)
                }
                fn score(
                    sheet: $crate::types::AnswerSheet,
                ) -> ::core::result::Result<$crate::types::Evaluation, $crate::types::PluginError>
                {
                    $crate::panic::install_hook();
                    <$ty as $crate::scoring::Guest>::score(sheet)
                }
            }
            $crate::scoring::__export_scoring_raw!(__OcopScoringExports with_types_in $crate::scoring);
        };
    };
}

/// Exports a guard plugin; see [`guard::export_guard`].
#[doc(hidden)]
#[macro_export]
macro_rules! __ocop_export_guard {
    ($ty:ident) => {
        const _: () = {
            struct __OcopGuardExports;
            impl $crate::guard::Guest for __OcopGuardExports {
                fn describe() -> $crate::types::PluginInfo {
                    $crate::panic::install_hook();
                    <$ty as $crate::guard::Guest>::describe()
                }
                fn check(
                    view: $crate::types::CaseView,
                    check: ::std::string::String,
                ) -> ::core::result::Result<
                    ::std::vec::Vec<$crate::types::Finding>,
                    $crate::types::PluginError,
                > {
                    $crate::panic::install_hook();
                    <$ty as $crate::guard::Guest>::check(view, check)
                }
            }
    $crate::guard::__export_guard_raw!(__OcopGuardExports with_types_in $crate::guard);
        };
    };
}
