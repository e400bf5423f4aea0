//! `ocop plugin build|check`, `ocop criteria`, `ocop score`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use ocop_core::{AnswerSheet, Lang, PluginError, ProductSet, Scorer};
use ocop_plugin_host::conformance::{self, Options};
use ocop_plugin_host::{PluginHost, PluginHostBuilder, WasmGuard, WasmScorer, build_plugin};

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

/// A component file: the path itself, or the component built from a plugin crate folder.
pub(crate) fn component(path: &Path) -> Result<PathBuf> {
    if path.is_dir() {
        eprintln!("building {} ...", path.display());
        let built = build_plugin(path)?;
        eprintln!(
            "built {} ({} bytes, sha256 {})",
            built.path.display(),
            built.size,
            built.sha256
        );
        return Ok(built.path);
    }
    if path.is_file() {
        return Ok(path.to_owned());
    }
    bail!(
        "`{}` is neither a plugin crate folder nor a component file; build one with `ocop plugin build plugins/criteria-26-2026`",
        path.display()
    )
}

pub(crate) fn load_scorer(path: &Path) -> Result<WasmScorer> {
    let file = component(path)?;
    Ok(host()?.load_scorer_file(&file, None)?)
}

pub(crate) fn build(path: &Path) -> Result<ExitCode> {
    let built = build_plugin(path)?;
    println!("{}", built.path.display());
    println!("sha256 = \"{}\"", built.sha256);
    println!("size   = {} bytes", built.size);
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn check(path: &Path, sheets: usize, seed: u64) -> Result<ExitCode> {
    let file = component(path)?;
    let host = host()?;
    let options = Options {
        sheets_per_set: sheets,
        seed,
    };
    let report = match host.load_scorer_file(&file, None) {
        Ok(scorer) => {
            let fresh = || -> Result<Box<dyn Scorer>, PluginError> {
                Ok(Box::new(host.load_scorer_file(&file, None)?))
            };
            // The rules shipped with ocop are compared with their native build.
            let native = ocop_criteria_26_2026::NativeScorer::new();
            let native: Option<&dyn Scorer> =
                (scorer.info().name == native.info().name).then_some(&native);
            conformance::check_scorer(&scorer, &fresh, native, options)
        }
        Err(PluginError::MissingExport { .. }) => {
            let guard = host.load_guard_file(&file, None)?;
            let fresh = || -> Result<WasmGuard, PluginError> { host.load_guard_file(&file, None) };
            conformance::check_guard(
                &guard,
                &|| fresh().map(|g| Box::new(g) as Box<dyn ocop_core::GuardPlugin>),
                options,
            )
        }
        Err(e) => return Err(e.into()),
    };
    println!("{report}");
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(crate) fn criteria(
    path: &Path,
    set: u8,
    json: bool,
    template: bool,
    branch: Option<u8>,
    lang: Lang,
) -> Result<ExitCode> {
    let set = ProductSet::new(set)
        .with_context(|| format!("product set {set} does not exist: use 1 to 26"))?;
    let scorer = load_scorer(path)?;
    let sheet = scorer.criteria(set)?;
    if template {
        println!("{}", serde_json::to_string_pretty(&sheet.template(branch))?);
        return Ok(ExitCode::SUCCESS);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&sheet)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} {} — {}",
        match lang {
            Lang::Vi => "Bộ",
            Lang::En => "Set",
        },
        set,
        sheet.title.get(lang)
    );
    for k in &sheet.knockouts {
        println!("  ✗ {} [{}; fact `{}`]", k.label.get(lang), k.id, k.fact);
    }
    for part in &sheet.parts {
        println!("\n{} {} ({})", part.code, part.title.get(lang), part.max);
        for c in sheet.criteria.iter().filter(|c| c.part == part.code) {
            let branch = c
                .branch
                .map(|b| {
                    format!(
                        " [{} {b}]",
                        match lang {
                            Lang::Vi => "trường hợp",
                            Lang::En => "case",
                        }
                    )
                })
                .unwrap_or_default();
            println!(
                "  {:<8} {} (max {}){branch}",
                c.id.as_str(),
                c.title.get(lang),
                c.max
            );
            for (i, o) in c.options.iter().enumerate() {
                let mark = o
                    .min_stars
                    .map(|s| format!(" {}", "*".repeat(usize::from(s.get()))))
                    .unwrap_or_default();
                println!("      [{i}] {:>4}  {}{mark}", o.points, o.label.get(lang));
            }
            if let Some(stop) = &c.stop {
                println!("      ⏹ {}", stop.label.get(lang));
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
    println!("{}", serde_json::to_string_pretty(&scored)?);
    Ok(ExitCode::SUCCESS)
}
