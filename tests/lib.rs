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
    std::env::var_os("OCOP_BLESS").is_some_and(|v| v == "1")
}

/// Compares `actual` with the golden file at `path` (relative to the root), or rewrites the
/// file when blessing. Returns a readable failure message on a mismatch.
pub fn check_golden(path: &str, actual: &str) -> Result<(), String> {
    let file = root().join(path);
    if blessing() {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        std::fs::write(&file, actual).map_err(|e| e.to_string())?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&file).map_err(|e| {
        format!("cannot read golden file `{path}` ({e}); run with OCOP_BLESS=1 to create it")
    })?;
    if expected == actual {
        Ok(())
    } else {
        Err(format!(
            "`{path}` differs from the output.\n--- expected\n{expected}\n--- actual\n{actual}\nrun with OCOP_BLESS=1 to accept the new output"
        ))
    }
}
