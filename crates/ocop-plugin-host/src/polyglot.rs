//! Building a plugin written in Python (componentize-py) or JavaScript (jco /
//! componentize-js) from a folder with a `plugin.toml`: `ocop plugin build DIR`.
//!
//! The tools are pinned ([`COMPONENTIZE_PY`], [`JCO`], and the npm lockfile in this crate's
//! `tools/jco/`) and installed on first use into a tool folder: a venv, a `node_modules`.
//! The build runs in a fixed folder (`<target>/ocop-build/<name>`) from a copy of the
//! sources, with the WIT package and the SDK's helper module written beside them, so the
//! plugin's folder is left as it was (componentize-py writes `__pycache__` next to what it
//! builds) and the paths baked into the component do not depend on where the plugin lives.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use ocop_core::cycle::{MAX_PLUGIN_FUEL, MAX_PLUGIN_MEMORY_MIB};
use ocop_core::definition::PluginRuntime;
use serde::Deserialize;

use crate::build::{BuildError, BuiltPlugin, run};
use crate::host::PluginOptions;

/// The componentize-py release `ocop plugin build` installs from PyPI.
pub const COMPONENTIZE_PY: &str = "0.25.1";
/// The jco release `ocop plugin build` installs from npm (with componentize-js 0.22.0 and
/// preview2-shim held at 0.26.0; see `tools/jco/package.json`).
pub const JCO: &str = "1.35.0";

const WIT: &str = include_str!("../../../plugins/wit/ocop-plugin.wit");
const PY_RULES: &str = include_str!("../../ocop-plugin-sdk/python/ocop_rules.py");
const JS_RULES: &str = include_str!("../../ocop-plugin-sdk/js/ocop_rules.js");
const JCO_PACKAGE: &str = include_str!("../tools/jco/package.json");
const JCO_LOCK: &str = include_str!("../tools/jco/package-lock.json");
const JS_BUILD: &str = include_str!("../tools/jco/build.mjs");

/// A plugin's `plugin.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    plugin: Section,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    /// The component's name (the output file's stem).
    name: String,
    language: Language,
    world: World,
    /// The source to build: a Python module file (`app.py`) or a JavaScript module.
    source: String,
    /// Fuel per call the plugin needs (`fuel` in a definition's plugin table).
    #[serde(default)]
    fuel: Option<u64>,
    /// Memory the plugin needs, in MiB (`memory_mib`).
    #[serde(default)]
    memory_mib: Option<u32>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Language {
    Rust,
    Python,
    Javascript,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum World {
    Scoring,
    Guard,
}

impl World {
    fn name(self) -> &'static str {
        match self {
            World::Scoring => "scoring",
            World::Guard => "guard",
        }
    }
}

/// The options a `plugin.toml` in `dir` asks for, if it has one: the runtime its language
/// needs and the limits it declares.
///
/// # Errors
/// [`BuildError::NotAPlugin`] when the file does not parse.
pub fn plugin_options(dir: &Path) -> Result<Option<PluginOptions>, BuildError> {
    let Some(manifest) = manifest(dir)? else {
        return Ok(None);
    };
    let p = manifest.plugin;
    let out_of_range = |key: &str, value: String, max: String| BuildError::NotAPlugin {
        path: dir.join("plugin.toml").display().to_string(),
        reason: format!(
            "`{key} = {value}` is out of range: give between 1 and {max}, or leave it out for the host's default"
        ),
    };
    if let Some(fuel) = p.fuel
        && !(1..=MAX_PLUGIN_FUEL).contains(&fuel)
    {
        return Err(out_of_range(
            "fuel",
            fuel.to_string(),
            MAX_PLUGIN_FUEL.to_string(),
        ));
    }
    if let Some(mib) = p.memory_mib
        && !(1..=MAX_PLUGIN_MEMORY_MIB).contains(&mib)
    {
        return Err(out_of_range(
            "memory_mib",
            mib.to_string(),
            MAX_PLUGIN_MEMORY_MIB.to_string(),
        ));
    }
    Ok(Some(PluginOptions {
        runtime: match p.language {
            Language::Rust => PluginRuntime::Pure,
            Language::Python | Language::Javascript => PluginRuntime::WasiDeterministic,
        },
        fuel: p.fuel,
        memory: p.memory_mib.map(|m| (m as usize) << 20),
    }))
}

fn manifest(dir: &Path) -> Result<Option<Manifest>, BuildError> {
    let file = dir.join("plugin.toml");
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(BuildError::Io {
                action: "read",
                path: file.display().to_string(),
                source,
            });
        }
    };
    toml::from_str(&text)
        .map(Some)
        .map_err(|e| BuildError::NotAPlugin {
            path: file.display().to_string(),
            reason: format!(
                "{e}(expected `[plugin]` with name, language = \"python\" | \"javascript\" | \"rust\", world = \"scoring\" | \"guard\", source)"
            ),
        })
}

/// Builds the plugin in `dir` when its `plugin.toml` names Python or JavaScript; `None`
/// when it has none or names Rust (then it is a crate).
pub(crate) fn build(dir: &Path) -> Result<Option<BuiltPlugin>, BuildError> {
    let Some(manifest) = manifest(dir)? else {
        return Ok(None);
    };
    let p = manifest.plugin;
    if p.language == Language::Rust {
        return Ok(None);
    }
    let not_plugin = |reason: String| BuildError::NotAPlugin {
        path: dir.display().to_string(),
        reason,
    };
    if p.name.is_empty()
        || !p
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(not_plugin(format!(
            "plugin.toml's name `{}` must be letters, digits, `-` and `_`",
            p.name
        )));
    }
    if !dir.join(&p.source).is_file() {
        return Err(not_plugin(format!(
            "plugin.toml names source `{}`, which is not a file in the folder",
            p.source
        )));
    }
    let target = target_dir(dir);
    let tools = tools_dir(&target);
    let work = target.join("ocop-build").join(&p.name);
    mkdir(&work)?;
    // One build of a plugin at a time on this machine (tests build in parallel).
    let lock_path = work.with_extension("lock");
    let lock = File::create(&lock_path).map_err(|source| BuildError::Io {
        action: "create",
        path: lock_path.display().to_string(),
        source,
    })?;
    lock.lock().map_err(|source| BuildError::Io {
        action: "lock",
        path: lock_path.display().to_string(),
        source,
    })?;
    let src = work.join("src");
    let _ = std::fs::remove_dir_all(&src);
    copy_sources(dir, &src)?;
    write(&work.join("wit").join("ocop-plugin.wit"), WIT)?;
    let out = work.join("component.wasm");
    let _ = std::fs::remove_file(&out);
    match p.language {
        Language::Python => {
            let sdk = work.join("sdk");
            write(&sdk.join("ocop_rules.py"), PY_RULES)?;
            let tool = componentize_py(&tools)?;
            let module = p
                .source
                .strip_suffix(".py")
                .ok_or_else(|| {
                    not_plugin(format!("a Python source ends in .py, not `{}`", p.source))
                })?
                .replace('/', ".");
            run(Command::new(tool)
                .args(["-c", COMPONENTIZE_PY_MAIN])
                .current_dir(&work)
                .args(["-d", "wit", "-w", p.world.name(), "componentize"])
                .arg(&module)
                .args(["-p", "src", "-p", "sdk", "-o", "component.wasm"])
                .env("PYTHONDONTWRITEBYTECODE", "1"))?;
        }
        Language::Javascript => {
            write(&src.join("ocop_rules.js"), JS_RULES)?;
            let node_modules = jco(&tools)?;
            // Beside node_modules, so that its imports resolve there.
            let script = node_modules.with_file_name("ocop-build.mjs");
            if std::fs::read_to_string(&script).ok().as_deref() != Some(JS_BUILD) {
                let tmp = script.with_extension(format!("tmp{}", std::process::id()));
                write(&tmp, JS_BUILD)?;
                std::fs::rename(&tmp, &script).map_err(|source| BuildError::Io {
                    action: "write",
                    path: script.display().to_string(),
                    source,
                })?;
            }
            run(Command::new(node())
                .current_dir(&work)
                .arg(&script)
                .arg(Path::new("src").join(&p.source))
                .args(["wit/ocop-plugin.wit", p.world.name(), "component.wasm"]))?;
        }
        Language::Rust => return Ok(None),
    }
    let component = std::fs::read(&out).map_err(|source| BuildError::Io {
        action: "read",
        path: out.display().to_string(),
        source,
    })?;
    let out_dir = target.join("ocop-plugins");
    mkdir(&out_dir)?;
    let path = out_dir.join(format!("{}.wasm", p.name));
    std::fs::write(&path, &component).map_err(|source| BuildError::Io {
        action: "write",
        path: path.display().to_string(),
        source,
    })?;
    drop(lock);
    Ok(Some(BuiltPlugin {
        package: p.name,
        sha256: crate::sha256_hex(&component),
        size: component.len(),
        path,
    }))
}

/// Where build outputs go: `$CARGO_TARGET_DIR`, else `target/` of the nearest folder above
/// `dir` holding a `Cargo.lock` (a workspace), else `dir/target`.
fn target_dir(dir: &Path) -> PathBuf {
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(t);
    }
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    abs.ancestors()
        .find(|a| a.join("Cargo.lock").is_file())
        .unwrap_or(&abs)
        .join("target")
}

/// Where the tools are installed: `$OCOP_TOOLS_DIR`, else `<target>/ocop-tools`.
fn tools_dir(target: &Path) -> PathBuf {
    std::env::var_os("OCOP_TOOLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("ocop-tools"))
}

fn mkdir(dir: &Path) -> Result<(), BuildError> {
    std::fs::create_dir_all(dir).map_err(|source| BuildError::Io {
        action: "create",
        path: dir.display().to_string(),
        source,
    })
}

fn write(file: &Path, text: &str) -> Result<(), BuildError> {
    if let Some(parent) = file.parent() {
        mkdir(parent)?;
    }
    std::fs::write(file, text).map_err(|source| BuildError::Io {
        action: "write",
        path: file.display().to_string(),
        source,
    })
}

/// Copies the plugin's sources (`.py`, `.js`, `.mjs`, `.json` files, in subfolders too,
/// skipping `target`, `node_modules` and `__pycache__`).
fn copy_sources(from: &Path, to: &Path) -> Result<(), BuildError> {
    mkdir(to)?;
    let entries = std::fs::read_dir(from).map_err(|source| BuildError::Io {
        action: "list",
        path: from.display().to_string(),
        source,
    })?;
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !matches!(name.as_ref(), "target" | "node_modules" | "__pycache__")
                && !name.starts_with('.')
            {
                copy_sources(&path, &to.join(name.as_ref()))?;
            }
            continue;
        }
        let source = path
            .extension()
            .is_some_and(|e| ["py", "js", "mjs", "json"].iter().any(|x| e == *x));
        if source {
            std::fs::copy(&path, to.join(name.as_ref())).map_err(|source| BuildError::Io {
                action: "copy",
                path: path.display().to_string(),
                source,
            })?;
        }
    }
    Ok(())
}

fn python() -> std::ffi::OsString {
    std::env::var_os("OCOP_PYTHON3").unwrap_or_else(|| "python3".into())
}

fn node() -> std::ffi::OsString {
    std::env::var_os("OCOP_NODE").unwrap_or_else(|| "node".into())
}

/// Installs `what` into `dir` on first use: `install` fills a fresh folder beside it, which
/// is then renamed into place, so a half-done install is never used.
fn install(
    dir: &Path,
    ready: &Path,
    install: impl FnOnce(&Path) -> Result<(), BuildError>,
) -> Result<(), BuildError> {
    if ready.exists() {
        return Ok(());
    }
    let parent = dir.parent().unwrap_or(dir);
    mkdir(parent)?;
    let tmp = dir.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    install(&tmp)?;
    if std::fs::rename(&tmp, dir).is_err() {
        // Another process installed it meanwhile.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    if ready.exists() {
        Ok(())
    } else {
        Err(BuildError::Tool {
            command: format!("install into {}", dir.display()),
            detail: format!("`{}` is missing after the install", ready.display()),
        })
    }
}

/// What runs componentize-py inside its venv's interpreter. A venv's scripts name the
/// interpreter by the absolute path the venv was made at, which is the temporary folder
/// [`install`] renames away; the interpreter itself finds its venv from where it stands.
const COMPONENTIZE_PY_MAIN: &str = "import sys; from componentize_py import script; \
    sys.argv[0] = 'componentize-py'; sys.exit(script())";

/// componentize-py, installed into a venv on first use; returns the venv's interpreter, to
/// be run with [`COMPONENTIZE_PY_MAIN`].
fn componentize_py(tools: &Path) -> Result<PathBuf, BuildError> {
    let dir = tools.join(format!("componentize-py-{COMPONENTIZE_PY}"));
    let ready = dir.join("bin").join("componentize-py");
    install(&dir, &ready, |tmp| {
        run(Command::new(python()).args(["-m", "venv"]).arg(tmp)).map_err(|e| match e {
            BuildError::Tool { command, detail } => BuildError::Tool {
                command,
                detail: format!(
                    "{detail}\n(Python plugins need python3 with venv: apt-get install python3-venv)"
                ),
            },
            other => other,
        })?;
        run(Command::new(tmp.join("bin").join("pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("componentize-py=={COMPONENTIZE_PY}")))?;
        Ok(())
    })?;
    Ok(dir.join("bin").join("python3"))
}

/// jco and componentize-js, installed with `npm ci` from the pinned lockfile on first use;
/// returns the `node_modules` folder.
fn jco(tools: &Path) -> Result<PathBuf, BuildError> {
    let dir = tools.join(format!("jco-{JCO}"));
    let node_modules = dir.join("node_modules");
    let ready = node_modules
        .join("@bytecodealliance")
        .join("componentize-js")
        .join("package.json");
    install(&dir, &ready, |tmp| {
        write(&tmp.join("package.json"), JCO_PACKAGE)?;
        write(&tmp.join("package-lock.json"), JCO_LOCK)?;
        let npm = std::env::var_os("OCOP_NPM").unwrap_or_else(|| "npm".into());
        run(Command::new(npm)
            .current_dir(tmp)
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]))
        .map_err(|e| match e {
            BuildError::Tool { command, detail } => BuildError::Tool {
                command,
                detail: format!(
                    "{detail}\n(JavaScript plugins need Node.js 20+ and npm: apt-get install nodejs npm)"
                ),
            },
            other => other,
        })?;
        Ok(())
    })?;
    Ok(node_modules)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options_of(manifest: &str) -> Result<Option<PluginOptions>, BuildError> {
        let dir = std::env::temp_dir().join(format!(
            "ocop-plugin-options-{}-{}",
            std::process::id(),
            manifest.len()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("plugin.toml"), manifest).unwrap();
        let options = plugin_options(&dir);
        std::fs::remove_dir_all(&dir).ok();
        options
    }

    const HEAD: &str =
        "[plugin]\nname = \"p\"\nlanguage = \"python\"\nworld = \"scoring\"\nsource = \"app.py\"\n";

    #[test]
    fn limits_in_plugin_toml_are_read_and_bounded() {
        let ok = options_of(&format!("{HEAD}fuel = 1000000000\nmemory_mib = 128\n"))
            .unwrap()
            .unwrap();
        assert_eq!(ok.runtime, PluginRuntime::WasiDeterministic);
        assert_eq!((ok.fuel, ok.memory), (Some(1_000_000_000), Some(128 << 20)));
        let zero = options_of(&format!("{HEAD}fuel = 0\n")).unwrap_err();
        assert!(
            zero.to_string().contains("`fuel = 0` is out of range"),
            "{zero}"
        );
        let huge = options_of(&format!("{HEAD}memory_mib = 8192\n\n")).unwrap_err();
        assert!(huge.to_string().contains("`memory_mib = 8192`"), "{huge}");
    }
}
