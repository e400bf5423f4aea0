//! Checking a definition's plugins before anything runs (`ocop validate --plugins`): each
//! declared component exists and matches its pin, loads, offers every check the definition's
//! `plugin` guards name, and publishes a criteria sheet for every product set its evaluation
//! stages score. Loading is the caller's (this crate does no I/O): it passes a function that
//! loads one declaration, e.g. through `ocop_plugin_host::PluginHost::load_declared`.

use crate::catalog::ProductSet;
use crate::definition::{Definition, PluginDecl, PluginKind};
use crate::diagnostic::{Code, Diagnostic, Report};
use crate::load::parse_definition;
use crate::plugin::{GuardPlugin, PluginError, Scorer};

/// A plugin loaded for its declaration.
pub enum LoadedPlugin {
    /// A scoring plugin.
    Scoring(Box<dyn Scorer>),
    /// A guard plugin.
    Guard(Box<dyn GuardPlugin>),
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadedPlugin::Scoring(s) => write!(f, "Scoring({})", s.info().name),
            LoadedPlugin::Guard(g) => write!(f, "Guard({})", g.info().name),
        }
    }
}

/// Checks every plugin `def` declares with `load`, and returns the findings (paths into the
/// definition, not yet located).
pub fn check_plugins(
    def: &Definition,
    load: &mut dyn FnMut(&PluginDecl) -> Result<LoadedPlugin, PluginError>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, decl) in def.plugins.iter().enumerate() {
        let path = format!("plugins[{i}]");
        match load(decl) {
            Err(e) => out.push(load_failure(&path, decl, &e)),
            Ok(LoadedPlugin::Guard(guard)) if decl.kind == PluginKind::Guard => {
                check_guard(def, decl, guard.as_ref(), &mut out);
            }
            Ok(LoadedPlugin::Scoring(scorer)) if decl.kind == PluginKind::Scoring => {
                check_scorer(def, decl, scorer.as_ref(), &mut out);
            }
            Ok(_) => out.push(
                Diagnostic::error(
                    Code::PluginLoad,
                    format!("{path}.kind"),
                    format!(
                        "plugin `{}` is declared as {} but its component is not one",
                        decl.id,
                        kind_name(decl.kind)
                    ),
                )
                .help("check `kind`, or build the plugin against the right WIT world"),
            ),
        }
    }
    out
}

/// Parses a definition, validates it and checks its plugins with `load`: every finding of
/// both, located and sorted. A definition that does not parse gets its syntax finding only.
pub fn check_definition_with_plugins(
    file: &str,
    text: &str,
    load: &mut dyn FnMut(&PluginDecl) -> Result<LoadedPlugin, PluginError>,
) -> Report {
    match parse_definition(file, text) {
        Err(e) => e.report().clone(),
        Ok((def, map)) => {
            let mut diagnostics = crate::validate::validate(&def);
            diagnostics.extend(check_plugins(&def, load));
            Report::new(file, diagnostics).locate(&map)
        }
    }
}

fn kind_name(kind: PluginKind) -> &'static str {
    match kind {
        PluginKind::Scoring => "a scoring plugin",
        PluginKind::Guard => "a guard plugin",
    }
}

fn load_failure(path: &str, decl: &PluginDecl, e: &PluginError) -> Diagnostic {
    match e {
        PluginError::Missing { .. } => Diagnostic::error(
            Code::PluginFileMissing,
            format!("{path}.path"),
            format!(
                "plugin `{}`: its component `{}` does not exist",
                decl.id, decl.path
            ),
        )
        .help("build it with `ocop plugin build <crate folder>`, or correct `path` (it is relative to the definition file, or looked up by file name in the `--plugins` folder)"),
        PluginError::HashMismatch {
            expected, found, ..
        } => Diagnostic::error(
            Code::PluginHashMismatch,
            format!("{path}.sha256"),
            format!(
                "plugin `{}`: the component hashes to {found}, not to the pinned {expected}",
                decl.id
            ),
        )
        .help("the component is not the one the definition was written for: rebuild it from the pinned source, or, if the new rules are intended, pin the new hash"),
        PluginError::Load { reason, .. } => Diagnostic::error(
            Code::PluginLoad,
            format!("{path}.path"),
            format!("plugin `{}` does not load: {reason}", decl.id),
        ),
        other => Diagnostic::error(
            Code::PluginLoad,
            format!("{path}.path"),
            format!("plugin `{}` does not load: {other}", decl.id),
        ),
    }
}

/// The `check` of every `plugin` guard that names `decl`, with its path.
fn named_checks<'d>(def: &'d Definition, decl: &PluginDecl) -> Vec<(String, &'d str)> {
    let mut out = Vec::new();
    for (t, transition) in def.transitions.iter().enumerate() {
        for (g, guard) in transition.guards.iter().enumerate() {
            let names_it = guard.guard == "plugin"
                && guard.params.get("plugin").and_then(|v| v.as_str()) == Some(decl.id.as_str());
            if let (true, Some(check)) =
                (names_it, guard.params.get("check").and_then(|v| v.as_str()))
            {
                out.push((format!("transitions[{t}].guards[{g}].check"), check));
            }
        }
    }
    out
}

fn check_guard(
    def: &Definition,
    decl: &PluginDecl,
    guard: &dyn GuardPlugin,
    out: &mut Vec<Diagnostic>,
) {
    let offered = &guard.info().checks;
    for (path, check) in named_checks(def, decl) {
        if offered.iter().any(|c| c == check) {
            continue;
        }
        let help = match crate::validate::nearest(check, offered.iter().map(String::as_str)) {
            Some(n) => format!("did you mean `{n}`?"),
            None if offered.is_empty() => "the plugin offers no check".to_owned(),
            None => format!(
                "the plugin offers {}",
                offered
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        out.push(
            Diagnostic::error(
                Code::UnknownCheck,
                path,
                format!("plugin `{}` offers no check `{check}`", decl.id),
            )
            .help(help),
        );
    }
}

/// `1-3, 7, 9-26`.
fn ranges(sets: &[u8]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(&start) = sets.get(i) {
        let mut end = start;
        while sets.get(i + 1) == Some(&(end + 1)) {
            end += 1;
            i += 1;
        }
        out.push(if end == start {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.join(", ")
}

fn check_scorer(
    def: &Definition,
    decl: &PluginDecl,
    scorer: &dyn Scorer,
    out: &mut Vec<Diagnostic>,
) {
    // A cycle takes dossiers of every product set (Annex I), so each stage that scores with
    // this plugin needs all of them.
    let Some((e, _)) = def
        .evaluations
        .iter()
        .enumerate()
        .find(|(_, e)| e.plugin.as_ref() == Some(&decl.id))
    else {
        return;
    };
    let claimed = &scorer.info().product_sets;
    let mut missing = Vec::new();
    let mut failing = Vec::new();
    for set in ProductSet::all() {
        if !claimed.contains(&set) {
            missing.push(set.number());
        } else if let Err(err) = scorer.criteria(set) {
            failing.push(format!("set {set}: {err}"));
        }
    }
    let path = format!("evaluations[{e}].plugin");
    if !missing.is_empty() {
        out.push(
            Diagnostic::error(
                Code::PluginCoverage,
                path.clone(),
                format!(
                    "plugin `{}` scores no product set {}, but a cycle takes dossiers of all 26",
                    decl.id,
                    ranges(&missing)
                ),
            )
            .help("use a scoring plugin that publishes a criteria sheet for every product set (e.g. `criteria-26-2026`)"),
        );
    }
    if let Some(first) = failing.first() {
        out.push(Diagnostic::error(
            Code::PluginCoverage,
            path,
            format!(
                "plugin `{}` claims {} product sets but publishes no valid criteria sheet for {} of them; first: {first}",
                decl.id,
                claimed.len(),
                failing.len()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::ranges;

    #[test]
    fn ranges_are_compact() {
        assert_eq!(ranges(&[2, 3, 4, 7, 9, 10]), "2-4, 7, 9-10");
        assert_eq!(ranges(&[1]), "1");
        assert_eq!(ranges(&[]), "");
    }
}
