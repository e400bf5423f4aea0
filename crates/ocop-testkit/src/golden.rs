//! Golden files: compare an output with the file that holds its expected text, or rewrite
//! the file when blessing (`OCOP_BLESS=1`, never in CI), as wasmtime's `WASMTIME_TEST_BLESS`
//! does. The workspace's tests and the report's rendering tests share this one harness.

use std::path::Path;

/// Whether golden files should be rewritten: the environment has `OCOP_BLESS=1`.
pub fn blessing() -> bool {
    std::env::var_os("OCOP_BLESS").is_some_and(|v| v == "1")
}

/// Compares `actual` with the golden file at `file`, or writes `actual` there when
/// [`blessing`]. `bless` is the command that re-blesses this test, shown in the messages.
///
/// # Errors
/// A message naming the file when it cannot be read (or, when blessing, written), or when it
/// differs from `actual`: the sizes, the first line that differs on each side, and `bless`.
///
/// # Examples
/// ```
/// use ocop_testkit::golden::check;
///
/// let dir = tempfile::tempdir()?;
/// let file = dir.path().join("out.md");
/// std::fs::write(&file, "# Title\nbody\n")?;
/// assert!(check(&file, "# Title\nbody\n", "OCOP_BLESS=1 cargo test").is_ok());
/// let err = check(&file, "# Title\nother\n", "OCOP_BLESS=1 cargo test").unwrap_err();
/// assert!(err.contains("first difference at line 2"));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn check(file: &Path, actual: &str, bless: &str) -> Result<(), String> {
    if blessing() {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create `{}` ({e})", dir.display()))?;
        }
        return std::fs::write(file, actual)
            .map_err(|e| format!("cannot write golden file `{}` ({e})", file.display()));
    }
    let expected = std::fs::read_to_string(file).map_err(|e| {
        format!(
            "cannot read golden file `{}` ({e}); to create it, run `{bless}`",
            file.display()
        )
    })?;
    if expected == actual {
        return Ok(());
    }
    let (line, want, got) = first_difference(&expected, actual);
    Err(format!(
        "`{}` differs from the output ({} vs {} bytes).\nfirst difference at line {line}:\n  \
         golden: {want}\n  actual: {got}\nif the change is intended, run `{bless}` and review \
         the golden file's diff",
        file.display(),
        expected.len(),
        actual.len()
    ))
}

/// The first line (counted from 1) where `a` and `b` differ, and that line on each side.
fn first_difference<'a>(a: &'a str, b: &'a str) -> (usize, &'a str, &'a str) {
    let mut left = a.lines();
    let mut right = b.lines();
    let mut line = 1;
    loop {
        match (left.next(), right.next()) {
            (None, None) => return (0, "<line endings differ>", ""),
            (x, y) if x != y => {
                return (
                    line,
                    x.unwrap_or("<end of file>"),
                    y.unwrap_or("<end of file>"),
                );
            }
            _ => line += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::first_difference;

    #[test]
    fn the_first_difference_is_found() {
        assert_eq!(first_difference("a\nb\nc", "a\nx\nc"), (2, "b", "x"));
        assert_eq!(first_difference("a\n", "a\nb\n"), (2, "<end of file>", "b"));
        assert_eq!(first_difference("a\n", "a\r\n").0, 0);
    }
}
