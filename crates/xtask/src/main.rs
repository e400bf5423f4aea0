//! `cargo xtask <task>`: the project's set-up commands, so that a fresh machine needs
//! nothing but the Rust toolchain.
//!
//! - `cargo xtask demo`: the main job.
//! - `cargo xtask test`: every test of the workspace (what CI runs).
//! - `cargo xtask install`: installs the `ocop` binary into cargo's bin folder (what a rule
//!   author needs to build and check plugins outside the repository).

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
    run(Command::new(&ocop).arg("verify").arg("--db").arg(&db))?;
    eprintln!(
        "database, report (report.html, report.md, report.json) and graphs in {}",
        out.display()
    );
    Ok(())
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
        _ => {
            eprintln!(
                "usage: cargo xtask demo | cargo xtask test [cargo test args] | cargo xtask install [cargo install args]"
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
