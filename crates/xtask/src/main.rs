//! `cargo xtask <task>`: the project's set-up commands, so that a fresh machine needs
//! nothing but the Rust toolchain.
//!
//! - `cargo xtask demo`: the main job.
//! - `cargo xtask test`: every test of the workspace (what CI runs).
//! - `cargo xtask install`: installs the `ocop` binary into cargo's bin folder (what a rule
//!   author needs to build and check plugins outside the repository).
//! - `cargo xtask bench-demo [COMMIT]`: `ocop demo` at its default size, timed with this
//!   tree's release binary and with the one built from git at `COMMIT` (default `f3e31d7`,
//!   the tree before the due-date index), in one run. Not part of CI.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    eprintln!("+ {cmd:?}");
    let status = cmd
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed ({status})"))
    }
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The WebAssembly target plugins are built for; a fresh machine does not have it.
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Installs the wasm target with rustup when it is missing.
fn ensure_wasm_target() -> Result<(), String> {
    let listed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(root())
        .output();
    match listed {
        Ok(out) if out.status.success() => {
            if !String::from_utf8_lossy(&out.stdout)
                .lines()
                .any(|l| l.trim() == WASM_TARGET)
            {
                run(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
            }
            Ok(())
        }
        // No rustup: the toolchain was provisioned another way; cargo will say if the
        // target is missing.
        _ => Ok(()),
    }
}

fn demo(args: &[String]) -> Result<(), String> {
    ensure_wasm_target()?;
    let out = root().join("target/ocop-demo");
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    run(cargo().args(["build", "--locked", "--release", "-p", "ocop-cli"]))?;
    let ocop = root().join("target/release/ocop");
    // The plugins, built reproducibly and checked; the definitions pin their hashes.
    for plugin in ["plugins/criteria-26-2026", "plugins/cantho-local"] {
        run(Command::new(&ocop).args(["plugin", "build", plugin]))?;
    }
    // The cycles, validated and drawn.
    let workflows = [
        "workflows/can-tho-2024.toml",
        "workflows/amended-2025.toml",
        "workflows/national-2026.toml",
    ];
    // Statically, and with the plugins they pin: each exists, matches its pin and loads.
    run(Command::new(&ocop)
        .arg("validate")
        .args(workflows)
        .arg("--check-plugins"))?;
    for wf in workflows {
        let stem = Path::new(wf)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("cycle");
        run(Command::new(&ocop)
            .args(["graph", wf, "--format", "mermaid", "--out"])
            .arg(out.join(format!("{stem}.mmd"))))?;
    }
    // The year itself: the simulation, the report, and the hash chains checked.
    let db = out.join("ocop.sqlite");
    run(Command::new(&ocop)
        .arg("demo")
        .arg("--db")
        .arg(&db)
        .args(args))?;
    // The check speaks the demo's language.
    let mut verify = Command::new(&ocop);
    verify.arg("verify").arg("--db").arg(&db);
    if let Some(lang) = lang_of(args) {
        verify.args(["--lang", lang]);
    }
    run(&mut verify)?;
    eprintln!(
        "database, report (report.html, report.md, report.json) and graphs in {}",
        out.display()
    );
    Ok(())
}

/// The value of `--lang` (as `--lang en` or `--lang=en`) among the demo's arguments.
fn lang_of(args: &[String]) -> Option<&str> {
    args.iter()
        .enumerate()
        .find_map(|(i, a)| match a.strip_prefix("--lang") {
            Some("") => args.get(i + 1).map(String::as_str),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        })
}

fn install(args: &[String]) -> Result<(), String> {
    ensure_wasm_target()?;
    run(cargo()
        .args(["install", "--locked", "--path", "crates/ocop-cli"])
        .args(args))
}

fn test(args: &[String]) -> Result<(), String> {
    ensure_wasm_target()?;
    run(cargo().args(["test", "--workspace", "--locked"]).args(args))
}

/// Runs `cmd` and returns its wall time in seconds.
fn timed(cmd: &mut Command) -> Result<f64, String> {
    let start = std::time::Instant::now();
    run(cmd)?;
    Ok(start.elapsed().as_secs_f64())
}

/// `ocop demo` (default size) with the old binary and with this tree's, in one run.
fn bench_demo(args: &[String]) -> Result<(), String> {
    ensure_wasm_target()?;
    let commit = args.first().map_or("f3e31d7", String::as_str);
    let work = std::env::temp_dir().join(format!("ocop-bench-demo-{commit}"));
    let old_root = work.join("tree");
    if !old_root.join("Cargo.toml").exists() {
        std::fs::create_dir_all(&old_root).map_err(|e| e.to_string())?;
        let archive = Command::new("git")
            .args(["archive", commit])
            .current_dir(root())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run git: {e}"))?;
        let status = Command::new("tar")
            .arg("-x")
            .arg("-C")
            .arg(&old_root)
            .stdin(archive.stdout.ok_or("git archive gave no output")?)
            .status()
            .map_err(|e| format!("cannot run tar: {e}"))?;
        if !status.success() {
            return Err(format!("cannot unpack commit {commit}"));
        }
    }
    run(cargo().args(["build", "--locked", "--release", "-p", "ocop-cli"]))?;
    eprintln!("+ building ocop at {commit} in {}", old_root.display());
    let status = cargo()
        .args(["build", "--locked", "--release", "-p", "ocop-cli"])
        .current_dir(&old_root)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("cannot build ocop at {commit}"));
    }
    let new = root().join("target/release/ocop");
    let old = old_root.join("target/release/ocop");
    // Each tree builds its own plugins with its own binary: its definitions pin the
    // components it made (the criteria plugin changed since, so the pins differ).
    for plugin in ["plugins/criteria-26-2026", "plugins/cantho-local"] {
        run(Command::new(&new).args(["plugin", "build", plugin]))?;
        eprintln!(
            "+ {} plugin build {plugin} (in {})",
            old.display(),
            old_root.display()
        );
        let status = Command::new(&old)
            .args(["plugin", "build", plugin])
            .current_dir(&old_root)
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("cannot build {plugin} at {commit}"));
        }
    }
    let mut rows = Vec::new();
    for (name, bin, workflows) in [
        (commit.to_owned(), &old, old_root.join("workflows")),
        ("this tree".to_owned(), &new, root().join("workflows")),
    ] {
        let dir = work.join(name.replace(' ', "-"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        // One untimed run warms the plugin cache, so both are timed on a warm cache.
        let db = dir.join("warm.sqlite");
        run(Command::new(bin)
            .args(["demo", "--lang", "en", "--db"])
            .arg(&db)
            .arg("--workflows")
            .arg(&workflows))?;
        let db = dir.join("ocop.sqlite");
        let secs = timed(
            Command::new(bin)
                .args(["demo", "--lang", "en", "--db"])
                .arg(&db)
                .arg("--workflows")
                .arg(&workflows),
        )?;
        rows.push((name, secs));
    }
    println!("| ocop demo (default size) | wall seconds |");
    println!("|---|---|");
    for (name, secs) in &rows {
        println!("| {name} | {secs:.1} |");
    }
    if let [(_, old), (_, new)] = rows.as_slice() {
        println!("\nspeed-up: {:.1}×", old / new);
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, rest) = match args.split_first() {
        Some((t, rest)) => (t.as_str(), rest),
        None => ("help", &[][..]),
    };
    let result = match task {
        "demo" => demo(rest),
        "test" => test(rest),
        "install" => install(rest),
        "bench-demo" => bench_demo(rest),
        _ => {
            eprintln!(
                "usage: cargo xtask demo | cargo xtask test [cargo test args] | cargo xtask install [cargo install args] | cargo xtask bench-demo [COMMIT]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::lang_of;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn the_demo_language_reaches_the_check() {
        assert_eq!(lang_of(&args(&["--lang", "en"])), Some("en"));
        assert_eq!(lang_of(&args(&["--seed", "7", "--lang=vi"])), Some("vi"));
        assert_eq!(lang_of(&args(&["--seed", "7"])), None);
        assert_eq!(lang_of(&args(&["--lang"])), None);
        assert_eq!(lang_of(&args(&["--language", "en"])), None);
    }
}
