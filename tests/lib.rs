//! Helpers shared by the workspace's cross-crate tests: paths and golden files.

use std::path::{Path, PathBuf};

/// The workspace's root folder.
///
/// # Examples
/// ```
/// assert!(ocop_tests::root().join("workflows/national-2026.toml").exists());
/// ```
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Whether golden files should be rewritten (`OCOP_BLESS=1`). Never set in CI.
pub fn blessing() -> bool {
    ocop_testkit::golden::blessing()
}

/// Compares `actual` with the golden file at `path` (relative to the root), or rewrites the
/// file when blessing. Returns a readable failure message on a mismatch.
pub fn check_golden(path: &str, actual: &str) -> Result<(), String> {
    ocop_testkit::golden::check(
        &root().join(path),
        actual,
        "OCOP_BLESS=1 cargo test -p ocop-tests",
    )
}
