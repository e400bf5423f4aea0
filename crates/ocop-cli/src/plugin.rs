//! `ocop plugin build|check`, `ocop criteria`, `ocop score`, and the plugin half of
//! `ocop validate`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use ocop_core::{
    Lang, ProductSet,
    definition::{PluginDecl, PluginKind},
    diagnostic::Report,
    domain::AnswerSheet,
    parse_definition,
    plugin::{LoadedPlugin, PluginError, Scorer, check_definition_with_plugins},
};
use ocop_plugin_host::conformance::{self, Options};
use ocop_plugin_host::{
    PluginHost, PluginHostBuilder, PluginOptions, WasmGuard, WasmScorer, build_plugin,
    plugin_options,
};

/// Where compiled components are cached between runs.
fn cache_dir() -> PathBuf {
    std::env::var_os("OCOP_PLUGIN_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("ocop-plugin-cache"))
}

pub(crate) fn host() -> Result<PluginHost> {
    Ok(PluginHostBuilder::new()
        .cache_dir(cache_dir())
        .allow_unpinned(true)
        .build()?)
}

/// A component file and how it runs: the path itself, or the component built from a
/// plugin folder (a crate, or a `plugin.toml` naming Python or JavaScript, whose runtime
/// and limits it says).
pub(crate) fn component(path: &Path) -> Result<(PathBuf, Option<PluginOptions>)> {
    if path.is_dir() {
        eprintln!("building {} ...", path.display());
        let built = build_plugin(path)?;
        eprintln!(
            "built {} ({} bytes, sha256 {})",
            built.path.display(),
            built.size,
            built.sha256
        );
        return Ok((built.path, plugin_options(path)?));
    }
    if path.is_file() {
        return Ok((path.to_owned(), None));
    }
    bail!(
        "`{}` is neither a plugin crate folder nor a component file; build one with `ocop plugin build plugins/criteria-26-2026`",
        path.display()
    )
}

/// Loads with `options`, or, for a bare file, as a Rust component and, when it imports
/// WASI, in the deterministic WASI profile (a Python or JavaScript component).
fn with_options<T>(
    options: Option<PluginOptions>,
    load: impl Fn(PluginOptions) -> Result<T, PluginError>,
) -> Result<T, PluginError> {
    if let Some(options) = options {
        return load(options);
    }
    match load(PluginOptions::default()) {
        Err(PluginError::ForbiddenImport { import, .. }) if import.starts_with("wasi:") => {
            load(PluginOptions::wasi_deterministic())
        }
        other => other,
    }
}

pub(crate) fn load_scorer(path: &Path) -> Result<WasmScorer> {
    let (file, options) = component(path)?;
    let host = host()?;
    Ok(with_options(options, |o| {
        host.load_scorer_file_with(&file, None, o)
    })?)
}

fn load_guard(host: &PluginHost, file: &Path, options: Option<PluginOptions>) -> Result<WasmGuard> {
    Ok(with_options(options, |o| {
        host.load_guard_file_with(file, None, o)
    })?)
}

pub(crate) fn build(path: &Path) -> Result<ExitCode> {
    let built = build_plugin(path)?;
    outln!("{}", built.path.display())?;
    outln!("sha256 = \"{}\"", built.sha256)?;
    outln!("size   = {} bytes", built.size)?;
    Ok(ExitCode::SUCCESS)
}

/// What `ocop plugin check` was asked.
pub(crate) struct CheckArgs {
    pub(crate) path: PathBuf,
    pub(crate) sheets: usize,
    pub(crate) seed: u64,
    pub(crate) sets: Vec<u8>,
    pub(crate) config: Vec<String>,
    pub(crate) definition: Option<PathBuf>,
    pub(crate) id: Option<String>,
}

/// `key=value` pairs as a guard's configuration: a value that is JSON (`true`, `3`,
/// `"text"`, `[1, 2]`) is taken as such, anything else as a string.
fn config_pairs(pairs: &[String]) -> Result<BTreeMap<String, serde_json::Value>> {
    let mut out = BTreeMap::new();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            bail!("`--config {pair}` is not `key=value`");
        };
        let value = serde_json::from_str(value)
            .unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
        out.insert(key.trim().to_owned(), value);
    }
    Ok(out)
}

/// The guard declaration of `definition` for the component `file`: the one named `id`, or
/// the only guard plugin, or the one whose path has the component's file name.
fn guard_decl(definition: &Path, file: &Path, id: Option<&str>) -> Result<PluginDecl> {
    let text = std::fs::read_to_string(definition)
        .with_context(|| format!("cannot read `{}`", definition.display()))?;
    let (def, _) = parse_definition(&definition.display().to_string(), &text)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let guards: Vec<&PluginDecl> = def
        .plugins
        .iter()
        .filter(|p| p.kind == PluginKind::Guard)
        .collect();
    let ids = || {
        guards
            .iter()
            .map(|g| format!("`{}`", g.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let found = match id {
        Some(id) => guards.iter().find(|g| g.id.as_str() == id),
        None if guards.len() == 1 => guards.first(),
        None => guards
            .iter()
            .find(|g| Path::new(&g.path).file_name() == file.file_name()),
    };
    match found {
        Some(decl) => Ok((*decl).clone()),
        None if guards.is_empty() => bail!("`{}` declares no guard plugin", definition.display()),
        None => bail!(
            "which guard plugin of `{}`? pass `--id` (it declares {})",
            definition.display(),
            ids()
        ),
    }
}

pub(crate) fn check(args: CheckArgs) -> Result<ExitCode> {
    let (file, plugin) = component(&args.path)?;
    let host = host()?;
    let sets = args
        .sets
        .iter()
        .map(|&n| {
            ProductSet::new(n)
                .with_context(|| format!("product set {n} does not exist: use 1 to 26"))
        })
        .collect::<Result<Vec<_>>>()?;
    let options = Options {
        sheets_per_set: args.sheets,
        seed: args.seed,
        sets,
    };
    let report = match with_options(plugin, |o| host.load_scorer_file_with(&file, None, o)) {
        Ok(scorer) => {
            if !args.config.is_empty() || args.definition.is_some() {
                bail!("`--config` and `--definition` configure guard plugins; this one scores");
            }
            // The rules shipped with ocop are compared with their native build.
            let native = ocop_criteria_26_2026::NativeScorer::new();
            let native: Option<&dyn Scorer> =
                (scorer.info().name == native.info().name).then_some(&native);
            conformance::check_component(&scorer, native, &options)
        }
        Err(PluginError::MissingExport { .. }) => {
            let guard = load_guard(&host, &file, plugin)?;
            let mut config = BTreeMap::new();
            if let Some(definition) = &args.definition {
                let decl = guard_decl(definition, &file, args.id.as_deref())?;
                eprintln!(
                    "configuration of `{}` from `{}`",
                    decl.id,
                    definition.display()
                );
                config = decl.config;
            }
            config.extend(config_pairs(&args.config)?);
            conformance::check_guard_component(&guard, &config, &options)
        }
        Err(e) => return Err(e.into()),
    };
    outln!("{report}")?;
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The case of every section, and the cases of single sections.
type Choices = (Option<u8>, Vec<(String, u8)>);

/// `--branch N` (every section) or `--branch SECTION=N`.
fn branch_choices(branches: &[String]) -> Result<Choices> {
    let mut all = None;
    let mut sections = Vec::new();
    for b in branches {
        let parse = |n: &str| {
            n.trim()
                .parse::<u8>()
                .with_context(|| format!("`--branch {b}`: `{n}` is not a case number"))
        };
        match b.split_once('=') {
            Some((section, n)) => sections.push((section.trim().to_owned(), parse(n)?)),
            None => all = Some(parse(b)?),
        }
    }
    Ok((all, sections))
}

pub(crate) fn criteria(
    path: &Path,
    set: u8,
    json: bool,
    template: bool,
    branches: &[String],
    lang: Lang,
) -> Result<ExitCode> {
    let set = ProductSet::new(set)
        .with_context(|| format!("product set {set} does not exist: use 1 to 26"))?;
    let (all, sections) = branch_choices(branches)?;
    if !template && !branches.is_empty() {
        bail!("`--branch` chooses the cases of a `--template`");
    }
    let scorer = load_scorer(path)?;
    let sheet = scorer.criteria(set)?;
    if template {
        let answers = sheet
            .template_for(all, &sections)
            .map_err(|e| anyhow::anyhow!("{} [{}]", e.message, e.code))?;
        outln!("{}", serde_json::to_string_pretty(&answers)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if json {
        outln!("{}", serde_json::to_string_pretty(&sheet)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let en = lang == Lang::En;
    outln!(
        "{} {} — {}",
        if en { "Set" } else { "Bộ" },
        set,
        sheet.title.get(lang)
    )?;
    for k in &sheet.knockouts {
        outln!("  ✗ {} [{}; fact `{}`]", k.label.get(lang), k.id, k.fact)?;
    }
    if !sheet.facts.is_empty() {
        outln!(
            "\n{}",
            if en {
                "Facts (an answer sheet states each true or false):"
            } else {
                "Dữ kiện (phiếu trả lời ghi đúng hoặc sai cho từng dữ kiện):"
            }
        )?;
        for f in &sheet.facts {
            outln!("  {:<44} {}", f.id, f.label.get(lang))?;
        }
    }
    for (section, cases) in sheet.alternatives() {
        let cases: Vec<String> = cases
            .iter()
            .map(|c| {
                let label = sheet
                    .branches
                    .iter()
                    .find(|b| b.number == *c)
                    .map(|b| b.label.get(lang))
                    .unwrap_or_default();
                format!("{c} ({label})")
            })
            .collect();
        outln!(
            "  {} {section}: {}",
            if en {
                "Section with alternative cases"
            } else {
                "Mục có các trường hợp"
            },
            cases.join(", ")
        )?;
    }
    for part in &sheet.parts {
        outln!("\n{} {} ({})", part.code, part.title.get(lang), part.max)?;
        for c in sheet.criteria.iter().filter(|c| c.part == part.code) {
            let branch = c
                .branch
                .map(|b| format!(" [{} {b}]", if en { "case" } else { "trường hợp" }))
                .unwrap_or_default();
            outln!(
                "  {:<8} {} (max {}){branch}",
                c.id.as_str(),
                c.title.get(lang),
                c.max
            )?;
            for (i, o) in c.options.iter().enumerate() {
                let mark = o
                    .min_stars
                    .map(|s| format!(" {}", "*".repeat(usize::from(s.get()))))
                    .unwrap_or_default();
                outln!("      [{i}] {:>4}  {}{mark}", o.points, o.label.get(lang))?;
            }
            if let Some(stop) = &c.stop {
                outln!("      ⏹ {}", stop.label.get(lang))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn score(path: &Path, sheet_file: &Path) -> Result<ExitCode> {
    let text = std::fs::read_to_string(sheet_file)
        .with_context(|| format!("cannot read `{}`", sheet_file.display()))?;
    let sheet: AnswerSheet = serde_json::from_str(&text).with_context(|| {
        format!(
            "`{}` is not an answer sheet (see schemas/answer-sheet.schema.json; `ocop criteria --template` writes one)",
            sheet_file.display()
        )
    })?;
    let scorer = load_scorer(path)?;
    let scored = scorer.score(&sheet)?;
    outln!("{}", serde_json::to_string_pretty(&scored)?)?;
    Ok(ExitCode::SUCCESS)
}

/// A definition's findings, its plugins' included: each declared component is loaded (from
/// `plugins_dir` by file name, or from its path relative to the definition) and checked.
pub(crate) fn check_with_plugins(
    file: &Path,
    text: &str,
    plugins_dir: Option<&Path>,
) -> Result<Report> {
    let host = host()?;
    let base = file.parent().unwrap_or(Path::new("."));
    let mut load = |decl: &PluginDecl| -> Result<LoadedPlugin, PluginError> {
        host.load_declared(decl, base, plugins_dir)
    };
    Ok(check_definition_with_plugins(
        &file.display().to_string(),
        text,
        &mut load,
    ))
}
