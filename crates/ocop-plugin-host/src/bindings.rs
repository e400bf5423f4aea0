//! Host-side bindings of `plugins/wit/ocop-plugin.wit`.
#![allow(missing_docs, unreachable_pub, clippy::all, reason = "generated code")]

pub(crate) mod scoring {
    wasmtime::component::bindgen!({
        path: "../../plugins/wit",
        world: "ocop:plugin/scoring",
    });
}

pub(crate) mod guard {
    wasmtime::component::bindgen!({
        path: "../../plugins/wit",
        world: "ocop:plugin/guard",
    });
}
