//! The definitions and plugins the server runs, loaded and checked once at start.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ocop_core::{
    Cycle,
    definition::PluginKind,
    load_definition,
    plugin::{GuardPlugin, Scorer},
};
use ocop_plugin_host::{PluginHost, WasmGuard, WasmScorer};

use crate::StartError;

/// A validated definition and the file it came from.
pub(crate) struct LoadedDefinition {
    pub(crate) cycle: Cycle,
    pub(crate) file: PathBuf,
}

/// A loaded plugin.
pub(crate) enum LoadedPlugin {
    Scoring(Arc<WasmScorer>),
    Guard(Arc<WasmGuard>),
}

/// Everything the definitions need, by id.
pub(crate) struct Catalogue {
    pub(crate) definitions: BTreeMap<String, LoadedDefinition>,
    pub(crate) plugins: BTreeMap<String, (LoadedPlugin, String)>,
}

/// Whether a file of the workflows folder is a definition (not a targets file).
fn is_definition(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    (name.ends_with(".toml") || name.ends_with(".json")) && !name.contains(".targets.")
}

impl Catalogue {
    /// Loads every definition of `workflows` (its `*.toml` and `*.json` files, not the
    /// targets files or subfolders) and every plugin they declare, from `plugins` when given
    /// (by the file name of the declared path) or else from the declared path.
    pub(crate) fn load(
        workflows: &Path,
        plugins: Option<&Path>,
        host: &PluginHost,
    ) -> Result<Catalogue, StartError> {
        let entries = std::fs::read_dir(workflows).map_err(|e| StartError::Definitions {
            path: workflows.to_owned(),
            reason: format!("cannot read the folder: {e}"),
        })?;
        // A relative plugins folder is relative to where the server was started, not to
        // each definition's folder.
        let plugins = plugins.map(|dir| {
            if dir.is_absolute() {
                dir.to_owned()
            } else {
                std::env::current_dir().map_or_else(|_| dir.to_owned(), |cwd| cwd.join(dir))
            }
        });
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && is_definition(p))
            .collect();
        files.sort();
        let mut definitions = BTreeMap::new();
        let mut plugin_map: BTreeMap<String, (LoadedPlugin, String)> = BTreeMap::new();
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|e| StartError::Definitions {
                path: file.clone(),
                reason: e.to_string(),
            })?;
            let cycle = load_definition(&file.display().to_string(), &text).map_err(|e| {
                StartError::Definitions {
                    path: file.clone(),
                    reason: format!("the definition is invalid:\n{}", e.report()),
                }
            })?;
            let id = cycle.definition().id.to_string();
            let base = file.parent().unwrap_or(Path::new("."));
            for decl in &cycle.definition().plugins {
                let key = decl.id.to_string();
                if let Some((_, sha)) = plugin_map.get(&key) {
                    if *sha != decl.sha256 {
                        return Err(StartError::Plugin {
                            reason: format!(
                                "plugin `{key}`: `{}` pins it to {} but another definition pins {sha}; give the two versions different ids",
                                file.display(),
                                decl.sha256
                            ),
                            plugin: key,
                        });
                    }
                    continue;
                }
                let mut decl = decl.clone();
                if let Some(dir) = &plugins {
                    let name = Path::new(&decl.path)
                        .file_name()
                        .map(PathBuf::from)
                        .unwrap_or_default();
                    decl.path = dir.join(name).display().to_string();
                }
                let fail = |e: ocop_core::plugin::PluginError| StartError::Plugin {
                    plugin: decl.id.to_string(),
                    reason: format!("{e} (declared in `{}`)", file.display()),
                };
                let loaded = match decl.kind {
                    PluginKind::Scoring => LoadedPlugin::Scoring(Arc::new(
                        host.load_scorer(&decl, base).map_err(fail)?,
                    )),
                    PluginKind::Guard => {
                        LoadedPlugin::Guard(Arc::new(host.load_guard(&decl, base).map_err(fail)?))
                    }
                };
                plugin_map.insert(key, (loaded, decl.sha256.clone()));
            }
            if let Some(other) = definitions.insert(
                id.clone(),
                LoadedDefinition {
                    cycle,
                    file: file.clone(),
                },
            ) {
                return Err(StartError::Definitions {
                    path: file,
                    reason: format!(
                        "definition `{id}` is also defined in `{}`",
                        other.file.display()
                    ),
                });
            }
        }
        if definitions.is_empty() {
            return Err(StartError::Definitions {
                path: workflows.to_owned(),
                reason: "the folder holds no definition (`*.toml`)".into(),
            });
        }
        Ok(Catalogue {
            definitions,
            plugins: plugin_map,
        })
    }

    /// The scoring plugin `id`.
    pub(crate) fn scorer(&self, id: &str) -> Option<Arc<WasmScorer>> {
        match self.plugins.get(id) {
            Some((LoadedPlugin::Scoring(s), _)) => Some(Arc::clone(s)),
            _ => None,
        }
    }

    /// The scoring plugin whose component has `sha256` (the pin a sheet records).
    pub(crate) fn scorer_pinned(&self, sha256: &str) -> Option<Arc<WasmScorer>> {
        self.plugins.values().find_map(|(p, sha)| match p {
            LoadedPlugin::Scoring(s) if sha == sha256 => Some(Arc::clone(s)),
            _ => None,
        })
    }

    /// An engine builder for `cycle` with its plugins registered.
    pub(crate) fn engine_builder(
        &self,
        cycle: &Cycle,
        clock: Arc<dyn ocop_engine::Clock>,
    ) -> ocop_engine::EngineBuilder {
        let mut b = ocop_engine::EngineBuilder::new(cycle.clone()).shared_clock(clock);
        for decl in &cycle.definition().plugins {
            match self.plugins.get(decl.id.as_str()) {
                Some((LoadedPlugin::Scoring(s), _)) => {
                    b = b.scorer(decl.id.clone(), Arc::clone(s) as Arc<dyn Scorer>);
                }
                Some((LoadedPlugin::Guard(g), _)) => {
                    b = b.guard_plugin(decl.id.clone(), Arc::clone(g) as Arc<dyn GuardPlugin>);
                }
                None => {}
            }
        }
        b
    }
}
