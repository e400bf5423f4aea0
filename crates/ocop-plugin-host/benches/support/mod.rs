//! What the plugin host's benches share: reading back criterion's estimates of this run.

use std::path::{Path, PathBuf};

/// The mean of a benchmark from criterion's estimates of this run, in nanoseconds.
pub(crate) fn mean(group: &str, name: &str) -> Option<f64> {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let text = std::fs::read_to_string(
        dir.join("criterion")
            .join(group)
            .join(name)
            .join("new/estimates.json"),
    )
    .ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("mean")?.get("point_estimate")?.as_f64()
}
