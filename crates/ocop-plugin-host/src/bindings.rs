//! Host-side bindings of the WIT packages the host runs: `ocop:plugin@0.2.0`
//! (`plugins/wit/ocop-plugin.wit`) and the frozen `ocop:plugin@0.1.0`
//! (`plugins/wit/0.1.0/ocop-plugin.wit`). Within a version both worlds share one set of types.
#![allow(missing_docs, unreachable_pub, clippy::all, reason = "generated code")]

/// `ocop:plugin@0.2.0`.
pub(crate) mod v2 {
    pub(crate) mod scoring {
        wasmtime::component::bindgen!({
            path: "../../plugins/wit",
            world: "ocop:plugin/scoring@0.2.0",
            additional_derives: [PartialEq],
        });
    }

    pub(crate) mod guard {
        wasmtime::component::bindgen!({
            path: "../../plugins/wit",
            world: "ocop:plugin/guard@0.2.0",
            with: {
                "ocop:plugin/types@0.2.0": super::scoring::ocop::plugin::types,
                "ocop:plugin/diagnostics@0.2.0": super::scoring::ocop::plugin::diagnostics,
            },
        });
    }

    pub(crate) use scoring::ocop::plugin::types;
}

/// `ocop:plugin@0.1.0`, frozen.
pub(crate) mod v1 {
    pub(crate) mod scoring {
        wasmtime::component::bindgen!({
            path: "../../plugins/wit/0.1.0",
            world: "ocop:plugin/scoring@0.1.0",
        });
    }

    pub(crate) mod guard {
        wasmtime::component::bindgen!({
            path: "../../plugins/wit/0.1.0",
            world: "ocop:plugin/guard@0.1.0",
            with: {
                "ocop:plugin/types@0.1.0": super::scoring::ocop::plugin::types,
            },
        });
    }

    pub(crate) use scoring::ocop::plugin::types;
}
