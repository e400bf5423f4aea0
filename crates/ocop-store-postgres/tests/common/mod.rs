//! What the PostgreSQL test binaries share.
#![allow(dead_code, reason = "each test binary uses its own part")]

use std::sync::atomic::{AtomicUsize, Ordering};

/// The server named by `OCOP_TEST_POSTGRES`, or `None` (and a note saying why the tests
/// pass without running).
pub(crate) fn server() -> Option<String> {
    match std::env::var("OCOP_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!(
                "skipped: set OCOP_TEST_POSTGRES=postgres://user@host:port/db to run the PostgreSQL store tests"
            );
            None
        }
    }
}

/// A schema name no other run uses.
pub(crate) fn fresh_schema(tag: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "t_{tag}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}
