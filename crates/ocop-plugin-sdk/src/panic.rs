//! The panic hook: a Rust plugin that panics aborts (WebAssembly has no unwinding), and the
//! host would only see an `unreachable` trap. The hook hands the panic's message and place to
//! the host first (through the WIT's `diagnostics.panicked`), so the error a council clerk
//! or integrator reads says what went wrong.

/// Installs the hook, once. The export macros ([`export_scoring!`](crate::scoring::export_scoring),
/// [`export_guard!`](crate::guard::export_guard)) call it at the start of every export; call
/// it yourself only if you export the worlds some other way. Outside WebAssembly it does
/// nothing.
///
/// # Examples
/// ```
/// ocop_plugin_sdk::panic::install_hook();
/// ocop_plugin_sdk::panic::install_hook(); // idempotent
/// ```
pub fn install_hook() {
    #[cfg(target_arch = "wasm32")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            std::panic::set_hook(Box::new(|info| {
                crate::scoring::ocop::plugin::diagnostics::panicked(&info.to_string());
            }));
        });
    }
}
