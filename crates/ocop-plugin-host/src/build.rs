//! Building a plugin crate into a component: `ocop plugin build PATH`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The WebAssembly target plugins are compiled for. It has no WASI, so a plugin built for it
/// imports nothing.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// A plugin built into a component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltPlugin {
    /// The crate's package name.
    pub package: String,
    /// Where the component was written (`<target dir>/ocop-plugins/<lib name>.wasm`).
    pub path: PathBuf,
    /// Its SHA-256, to pin in a definition.
    pub sha256: String,
    /// Its size in bytes.
    pub size: usize,
}

/// Why a plugin could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A tool (cargo, rustup) could not be started or failed.
    #[error("`{command}` failed: {detail}")]
    Tool {
        /// The command line.
        command: String,
        /// What it said.
        detail: String,
    },
    /// The folder is not a plugin crate.
    #[error("`{path}` is not a plugin crate: {reason}")]
    NotAPlugin {
        /// The folder.
        path: String,
        /// Why.
        reason: String,
    },
    /// The compiled module could not be turned into a component.
    #[error("could not make a component of `{path}`: {reason}{}", hint.as_deref().map(|h| format!("; {h}")).unwrap_or_default())]
    Componentize {
        /// The core module.
        path: String,
        /// Why.
        reason: String,
        /// What to do, when the host can tell: set when the module carries no WIT bindings
        /// (the crate does not use ocop-plugin-sdk, or exports nothing).
        hint: Option<String>,
    },
    /// Reading or writing a file failed.
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

pub(crate) fn run(cmd: &mut Command) -> Result<String, BuildError> {
    let shown = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| BuildError::Tool {
        command: shown.clone(),
        detail: e.to_string(),
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(30).collect();
        return Err(BuildError::Tool {
            command: shown,
            detail: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

static NULL: serde_json::Value = serde_json::Value::Null;

/// A field of a JSON object, or null.
fn field<'a>(v: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    v.get(key).unwrap_or(&NULL)
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Installs the wasm target with rustup when it is missing (a fresh machine has none).
fn ensure_target() -> Result<(), BuildError> {
    let Ok(installed) = run(Command::new("rustup").args(["target", "list", "--installed"])) else {
        // No rustup: assume the toolchain was provisioned some other way; cargo will say
        // clearly if the target is missing.
        return Ok(());
    };
    if !installed.lines().any(|l| l.trim() == TARGET) {
        run(Command::new("rustup").args(["target", "add", TARGET]))?;
    }
    Ok(())
}

/// Builds the plugin in `dir` and turns it into a component. A folder with a `plugin.toml`
/// naming Python or JavaScript is built with componentize-py or jco (installed on first use;
/// see [`COMPONENTIZE_PY`](crate::COMPONENTIZE_PY)). A Rust crate is built for
/// `wasm32-unknown-unknown` (release, with paths remapped so the bytes do not depend on where
/// the repository lives); a crate with a `guest` feature is built with
/// `--no-default-features --features guest`.
///
/// # Errors
/// [`BuildError`] naming the failing step.
pub fn build_plugin(dir: &Path) -> Result<BuiltPlugin, BuildError> {
    if let Some(built) = crate::polyglot::build(dir)? {
        return Ok(built);
    }
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(BuildError::NotAPlugin {
            path: dir.display().to_string(),
            reason: "it has no Cargo.toml".into(),
        });
    }
    let meta = run(cargo()
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--manifest-path",
        ])
        .arg(&manifest))?;
    let meta: serde_json::Value = serde_json::from_str(&meta).map_err(|e| BuildError::Tool {
        command: "cargo metadata".into(),
        detail: e.to_string(),
    })?;
    let not_plugin = |reason: &str| BuildError::NotAPlugin {
        path: dir.display().to_string(),
        reason: reason.to_owned(),
    };
    let canonical = std::fs::canonicalize(&manifest).map_err(|source| BuildError::Io {
        action: "resolve",
        path: manifest.display().to_string(),
        source,
    })?;
    let package = field(&meta, "packages")
        .as_array()
        .and_then(|ps| {
            ps.iter().find(|p| {
                field(p, "manifest_path")
                    .as_str()
                    .and_then(|m| std::fs::canonicalize(m).ok())
                    .is_some_and(|m| m == canonical)
            })
        })
        .ok_or_else(|| not_plugin("cargo metadata does not list it"))?;
    let name = field(package, "name")
        .as_str()
        .ok_or_else(|| not_plugin("no package name"))?;
    let lib = field(package, "targets")
        .as_array()
        .and_then(|ts| {
            ts.iter().find(|t| {
                field(t, "kind")
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == "lib" || k == "cdylib" || k == "rlib"))
            })
        })
        .and_then(|t| field(t, "name").as_str())
        .ok_or_else(|| not_plugin("it has no library target"))?
        .replace('-', "_");
    let has_guest = field(package, "features").get("guest").is_some();
    let uses_sdk = field(package, "dependencies")
        .as_array()
        .is_some_and(|deps| deps.iter().any(|d| field(d, "name") == "ocop-plugin-sdk"));
    let target_dir = PathBuf::from(
        field(&meta, "target_directory")
            .as_str()
            .ok_or_else(|| not_plugin("no target directory"))?,
    );
    let root = field(&meta, "workspace_root")
        .as_str()
        .unwrap_or_default()
        .to_owned();

    ensure_target()?;
    let mut flags = vec![format!("--remap-path-prefix={root}=/ocop")];
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo").into_os_string()))
    {
        flags.push(format!(
            "--remap-path-prefix={}=/cargo",
            Path::new(&home).display()
        ));
    }
    let mut build = cargo();
    build
        .args([
            "rustc",
            "--lib",
            "--release",
            "--target",
            TARGET,
            "--crate-type",
            "cdylib",
            "--manifest-path",
        ])
        .arg(&manifest)
        .env("CARGO_ENCODED_RUSTFLAGS", flags.join("\u{1f}"))
        .env_remove("RUSTFLAGS");
    if has_guest {
        build.args(["--no-default-features", "--features", "guest"]);
    }
    run(&mut build)?;

    let module_path = target_dir
        .join(TARGET)
        .join("release")
        .join(format!("{lib}.wasm"));
    let module = std::fs::read(&module_path).map_err(|source| BuildError::Io {
        action: "read",
        path: module_path.display().to_string(),
        source,
    })?;
    // wit-bindgen leaves the world it was generated from in a `component-type` custom
    // section; a module without one was not built with the SDK's bindings.
    let has_bindings = module.windows(14).any(|w| w == b"component-type");
    let hint = match (has_bindings, uses_sdk) {
        (true, _) => None,
        (false, true) => Some(
            "the crate depends on ocop-plugin-sdk but exports nothing: call `export_scoring!(YourType)` or `export_guard!(YourType)` in code the build compiles".to_owned(),
        ),
        (false, false) => Some(
            "the module carries no ocop WIT bindings: depend on ocop-plugin-sdk and export your rules with `ocop_plugin_sdk::scoring::export_scoring!` or `ocop_plugin_sdk::guard::export_guard!`".to_owned(),
        ),
    };
    let componentize = |reason: String| BuildError::Componentize {
        path: module_path.display().to_string(),
        reason,
        hint: hint.clone(),
    };
    if !has_bindings {
        // It would encode as a component that exports nothing.
        return Err(componentize(
            "the module has no WIT bindings, so it would export no ocop world".to_owned(),
        ));
    }
    let component = wit_component::ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .map_err(|e| componentize(format!("{e:#}")))?
        .encode()
        .map_err(|e| componentize(format!("{e:#}")))?;
    let out_dir = target_dir.join("ocop-plugins");
    std::fs::create_dir_all(&out_dir).map_err(|source| BuildError::Io {
        action: "create",
        path: out_dir.display().to_string(),
        source,
    })?;
    let path = out_dir.join(format!("{lib}.wasm"));
    // Written beside its final name and renamed over it, so that a reader (another build of
    // the same plugin, a test copying it, a host loading it) never sees a half-written file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let unique = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let partial = out_dir.join(format!(".{lib}.wasm.{}.{unique}", std::process::id()));
    let written = std::fs::write(&partial, &component)
        .and_then(|()| std::fs::rename(&partial, &path))
        .map_err(|source| BuildError::Io {
            action: "write",
            path: path.display().to_string(),
            source,
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written?;
    Ok(BuiltPlugin {
        package: name.to_owned(),
        sha256: crate::sha256_hex(&component),
        size: component.len(),
        path,
    })
}
