//! The `ocop` command line as a library, so that tests can run its commands in-process.
//! Internal to the workspace: integrators use the `ocop` facade crate.

/// Writes to standard output, returning the write's error instead of panicking as
/// `print!` does, so that a closed pipe (`ocop case list | head -1`) ends the command
/// quietly (see [`run_with`]).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// [`out!`] with a newline.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

mod demo;
mod diagnostics;
mod ops;
mod plugin;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use ocop_core::{
    Lang, check_definition, diagnostic::Report, load_definition, schema::document_schemas,
};
use ocop_engine::{Calendar, check_migration};

/// ocop: the OCOP cycle engine's command line ("Mỗi xã một sản phẩm").
#[derive(Parser)]
#[command(name = "ocop", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check cycle definitions, migration files and calendar files; exit 1 when any has an
    /// error.
    Validate {
        /// Definition files (TOML, or JSON with the same schema). A file in a `migrations`
        /// folder is read as a migration, one in a `calendars` folder as a calendar.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// How to show findings.
        #[arg(long, value_enum, default_value_t = diagnostics::Format::Auto)]
        format: diagnostics::Format,
        /// The folder of the definitions a migration file names (default: the folder that
        /// holds its `migrations` folder).
        #[arg(long, value_name = "DIR")]
        definitions: Option<PathBuf>,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
        /// Also check the plugins, looking each component up by its file name in this
        /// folder: it exists and matches its pin, loads, offers the checks the definition's
        /// guards name, and scores every product set.
        #[arg(long, value_name = "DIR", conflicts_with = "check_plugins")]
        plugins: Option<PathBuf>,
        /// Also check the plugins, at the paths the definition gives (relative to it).
        #[arg(long)]
        check_plugins: bool,
    },
    /// Draw a cycle definition's state graph.
    Graph {
        /// The definition file.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// Label language.
        #[arg(long, default_value = "vi")]
        lang: Lang,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Build and check plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Print a product set's criteria sheet, or a blank answer sheet to fill in.
    Criteria {
        /// The scoring plugin: a component file or a plugin crate folder.
        #[arg(long)]
        plugin: PathBuf,
        /// The product set, 1 to 26.
        #[arg(long)]
        set: u8,
        /// Output format.
        #[arg(long, value_enum, default_value_t = SheetFormat::Table)]
        format: SheetFormat,
        /// Print a blank answer sheet (JSON) instead of the criteria.
        #[arg(long)]
        template: bool,
        /// For sheets with alternative cases (set 26): `N` for the case of every section, or
        /// `SECTION=N` for one section (repeatable), e.g. `--branch 2 --branch 8=1`.
        #[arg(long = "branch", value_name = "N|SECTION=N")]
        branches: Vec<String>,
        /// Label language of the table.
        #[arg(long, default_value = "vi")]
        lang: Lang,
    },
    /// Score an answer sheet (JSON) and print the evaluation as JSON.
    Score {
        /// The scoring plugin: a component file or a plugin crate folder.
        #[arg(long)]
        plugin: PathBuf,
        /// The answer sheet.
        sheet: PathBuf,
    },
    /// Simulate a province's OCOP years end to end on an embedded database, and report.
    Demo {
        #[command(flatten)]
        store: ops::StoreArgs,
        /// Seed of the simulation (the same seed gives the same database).
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        /// New dossiers filed in 2024 (later cohorts are smaller; the plan's existing
        /// certified products are added in proportion, 148 for 45).
        #[arg(long, default_value_t = 45)]
        products: usize,
        /// Last simulated day.
        #[arg(long, default_value = "2026-12-10")]
        until: ocop_core::Date,
        /// The folder of the cycle definitions.
        #[arg(long, default_value = "workflows")]
        workflows: PathBuf,
        /// Where to write the report (default: beside the database, or `target/ocop-demo`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Language of the output.
        #[arg(long, default_value = "vi")]
        lang: Lang,
    },
    /// The programme report: counts, stars, targets, expiring certificates, overdue cases.
    Report {
        #[command(flatten)]
        store: ops::StoreArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
        format: ReportFormat,
        /// The report's date (default: the last day anything happened).
        #[arg(long)]
        as_of: Option<ocop_core::Date>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Language.
        #[arg(long, default_value = "vi")]
        lang: Lang,
    },
    /// Certified products as JSON Lines for the national database.
    Export {
        #[command(flatten)]
        store: ops::StoreArgs,
        /// Certificates valid on this day (default: the last day anything happened).
        #[arg(long)]
        as_of: Option<ocop_core::Date>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Language of messages.
        #[arg(long, default_value = "vi")]
        lang: Lang,
    },
    /// Check every case's hash chain; exit 1 naming the first bad event.
    Verify {
        #[command(flatten)]
        store: ops::StoreArgs,
        /// Language of messages.
        #[arg(long, default_value = "vi")]
        lang: Lang,
    },
    /// Upgrade a database written by an older ocop in place: its schema, the projections
    /// of its cases and the definitions they ran under. Events are kept as they are.
    Upgrade {
        #[command(flatten)]
        store: ops::StoreArgs,
        /// The folder of the definitions the cases ran under (needed once, for a database
        /// written before the store kept them).
        #[arg(long, default_value = "workflows")]
        workflows: PathBuf,
        /// Language of messages.
        #[arg(long, default_value = "vi")]
        lang: Lang,
    },
    /// A case's history as a timeline.
    Replay {
        #[command(flatten)]
        store: ops::StoreArgs,
        /// The case.
        #[arg(long)]
        case: String,
        /// Language of messages.
        #[arg(long, default_value = "vi")]
        lang: Lang,
    },
    /// List or show cases.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Serve the engine over HTTP/JSON (OpenAPI at /openapi.json, docs at /docs) until
    /// SIGTERM or ctrl-c.
    Serve(serve::ServeArgs),
    /// Manage API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Write the JSON Schema of every document type, and the API's OpenAPI document, into a
    /// folder.
    Schema {
        /// The folder, e.g. `schemas`.
        #[arg(long, default_value = "schemas")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum PluginCommand {
    /// Build a plugin crate into a WebAssembly component and print its sha256.
    Build {
        /// The plugin crate's folder, e.g. `plugins/criteria-26-2026`.
        path: PathBuf,
    },
    /// Run the conformance checks on a plugin (component file or crate folder); exit 1 when
    /// any fails.
    Check {
        /// The plugin.
        path: PathBuf,
        /// Random answer sheets per product set, besides the boundary sheets (a guard: case
        /// views per check, times eight).
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=10_000))]
        sheets: u64,
        /// Seed of the sheet generator.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Check only this product set (repeatable); default: every set the plugin claims.
        #[arg(long = "set", value_name = "N")]
        sets: Vec<u8>,
        /// A guard's configuration entry, as a definition's plugin table would give it
        /// (repeatable; a value that is not JSON is a string), e.g.
        /// `--config traceability_system=check.cantho.gov.vn`.
        #[arg(long, value_name = "KEY=VALUE")]
        config: Vec<String>,
        /// Take a guard's configuration from this definition's plugin table (`--config`
        /// entries override it).
        #[arg(long, value_name = "FILE")]
        definition: Option<PathBuf>,
        /// The plugin's id in `--definition`, when it declares several guards.
        #[arg(long, requires = "definition")]
        id: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Make an API key: prints the key once, and the auth-file entry with its argon2 hash.
    New {
        /// The key's id (lowercase letters, digits, `-`, `_`).
        #[arg(long)]
        id: String,
        /// The actor it acts as.
        #[arg(long)]
        actor: String,
        /// Its roles, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        roles: Vec<String>,
        /// Its province.
        #[arg(long)]
        province: String,
    },
}

#[derive(Subcommand)]
enum CaseCommand {
    /// One line per case: id, definition, state, stars, product.
    List {
        #[command(flatten)]
        store: ops::StoreArgs,
        /// Language of messages.
        #[arg(long, default_value = "vi")]
        lang: Lang,
    },
    /// A case's summary (JSON).
    Show {
        #[command(flatten)]
        store: ops::StoreArgs,
        /// The case.
        #[arg(long)]
        case: String,
        /// Language of messages.
        #[arg(long, default_value = "vi")]
        lang: Lang,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    /// Markdown.
    Md,
    /// JSON (schemas/programme-report.schema.json).
    Json,
    /// A self-contained HTML page with SVG charts.
    Html,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SheetFormat {
    /// A readable table.
    Table,
    /// The criteria sheet as JSON (schemas/criteria-sheet.schema.json).
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

pub use ops::DemoTimings;

/// For the national benchmark (`benches/national.rs`): runs `ocop demo` with `args` (the
/// first being the program name, the second `demo`) and returns what it timed on the way.
///
/// # Errors
/// When `args` are not a `demo` command line, or the demo fails.
#[doc(hidden)]
pub fn demo_timed<I, T>(args: I) -> Result<DemoTimings>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::try_parse_from(args)?;
    ops::demo_timed(demo_args(cli.command)?)
}

/// The arguments of `ocop demo`.
fn demo_args(command: Command) -> Result<ops::DemoArgs> {
    let Command::Demo {
        store,
        seed,
        products,
        until,
        workflows,
        out,
        lang,
    } = command
    else {
        bail!("not an `ocop demo` command line");
    };
    Ok(ops::DemoArgs {
        store,
        seed,
        products,
        lang,
        workflows,
        end: until,
        out,
    })
}

/// Runs the `ocop` command line with `args` (the first being the program name) and returns
/// its exit code: 0 on success, 1 when a check fails (validation, verification, a plugin's
/// conformance), 2 on an error.
///
/// # Examples
/// ```
/// let code = ocop_cli::run_with(["ocop", "validate", concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/national-2026.toml")]);
/// assert_eq!(code, std::process::ExitCode::SUCCESS);
/// ```
pub fn run_with<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        // The reader of our output went away (`| head`): nothing is left to tell it.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether `e` comes from writing to a pipe whose reader has closed it.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Warnings for `def` (read from `file`) against the definitions already read: two
/// definitions whose jurisdictions meet (a national one meets every province) and whose
/// validity periods overlap need a transitional rule, a migration file between them in a
/// `migrations` folder next to either file (Art. 11-12 of Decision 26/2026).
fn validity_overlaps(
    file: &Path,
    def: &ocop_core::Definition,
    earlier: &[(PathBuf, ocop_core::Definition)],
) -> Vec<String> {
    let period = |d: &ocop_core::Definition| (d.in_force_from, d.in_force_until);
    let meets = |a: &ocop_core::Definition, b: &ocop_core::Definition| match (
        &a.jurisdiction,
        &b.jurisdiction,
    ) {
        (Some(x), Some(y)) => x.province == y.province,
        _ => true,
    };
    let mut out = Vec::new();
    for (other_file, other) in earlier {
        if other.id == def.id || !meets(def, other) {
            continue;
        }
        let ((a0, a1), (b0, b1)) = (period(def), period(other));
        let start = a0.max(b0);
        let end = match (a1, b1) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
        if end.is_some_and(|e| start.is_some_and(|s| s > e)) {
            continue;
        }
        let linked = [file, other_file.as_path()].iter().any(|f| {
            let dir = f.parent().unwrap_or(Path::new(".")).join("migrations");
            std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .any(|e| {
                    let Ok(text) = std::fs::read_to_string(e.path()) else {
                        return false;
                    };
                    let Ok(v) = toml::from_str::<toml::Table>(&text) else {
                        return false;
                    };
                    let names = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
                    let pair = (names("from"), names("to"));
                    pair == (Some(def.id.to_string()), Some(other.id.to_string()))
                        || pair == (Some(other.id.to_string()), Some(def.id.to_string()))
                })
        });
        if !linked {
            let show = |d: Option<ocop_core::Date>, open: &str| {
                d.map_or_else(|| open.to_owned(), |d| d.to_string())
            };
            out.push(format!(
                "`{}` ({}) and `{}` ({}) are both in force from {} to {} for the same jurisdiction, and no migration file between them says which rules a case follows: add one under `migrations/` (Art. 11-12)",
                def.id,
                file.display(),
                other.id,
                other_file.display(),
                show(start, "the beginning"),
                show(end, "no end")
            ));
        }
    }
    out
}

/// What `ocop validate` reads a file as, from the folder it is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Definition,
    /// In a `migrations` folder.
    Migration,
    /// In a `calendars` folder.
    Calendar,
}

impl FileKind {
    fn of(file: &Path) -> FileKind {
        let folder = file
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str());
        match folder {
            Some("migrations") => FileKind::Migration,
            Some("calendars") => FileKind::Calendar,
            _ => FileKind::Definition,
        }
    }
}

/// The folder that holds the folder of `file` (`workflows` for
/// `workflows/migrations/x.toml`).
fn folder_above(file: &Path) -> PathBuf {
    file.parent()
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_owned()
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Validate {
            files,
            format,
            definitions,
            deny_warnings,
            plugins,
            check_plugins,
        } => {
            let mut failed = false;
            let mut loaded = Vec::new();
            for file in &files {
                let text = read(file)?;
                let name = file.display().to_string();
                let kind = FileKind::of(file);
                let report = match kind {
                    FileKind::Migration => {
                        let dir = match &definitions {
                            Some(dir) => dir.clone(),
                            None => folder_above(file),
                        };
                        check_migration(&name, &text, &ops::folder_cycles(&dir)?)
                    }
                    FileKind::Calendar => match Calendar::load(&name, &text) {
                        Ok(_) => Report::new(&name, Vec::new()),
                        Err(e) => e.report().cloned().unwrap_or_default(),
                    },
                    FileKind::Definition if check_plugins || plugins.is_some() => {
                        plugin::check_with_plugins(file, &text, plugins.as_deref())?
                    }
                    FileKind::Definition => check_definition(&name, &text),
                };
                eprint!("{}", diagnostics::render(&report, &text, format));
                let errors = report.errors().count();
                let mut warnings = report.warnings().count();
                if kind == FileKind::Definition
                    && let Ok(cycle) = load_definition(&name, &text)
                {
                    for w in validity_overlaps(file, cycle.definition(), &loaded) {
                        eprintln!("warning[validity-overlap]: {w}");
                        warnings += 1;
                    }
                    loaded.push((file.clone(), cycle.definition().clone()));
                }
                let bad = errors > 0 || (deny_warnings && warnings > 0);
                failed |= bad;
                if bad {
                    eprintln!("{name}: invalid ({errors} errors, {warnings} warnings)");
                } else {
                    outln!("{name}: ok ({warnings} warnings)")?;
                }
            }
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Graph {
            file,
            format,
            lang,
            out,
        } => {
            let text = read(&file)?;
            let cycle = match load_definition(&file.display().to_string(), &text) {
                Ok(c) => c,
                Err(e) => {
                    let shown = diagnostics::render(e.report(), &text, diagnostics::Format::Auto);
                    eprint!("{shown}");
                    bail!(
                        "`{}` is not a valid definition: fix it first",
                        file.display()
                    );
                }
            };
            let drawn = match format {
                GraphFormat::Dot => ocop_core::cycle::to_dot(&cycle, lang),
                GraphFormat::Mermaid => ocop_core::cycle::to_mermaid(&cycle, lang),
            };
            match out {
                Some(path) => std::fs::write(&path, drawn)
                    .with_context(|| format!("cannot write `{}`", path.display()))?,
                None => out!("{drawn}")?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Plugin(PluginCommand::Build { path }) => plugin::build(&path),
        Command::Plugin(PluginCommand::Check {
            path,
            sheets,
            seed,
            sets,
            config,
            definition,
            id,
        }) => plugin::check(plugin::CheckArgs {
            path,
            sheets: usize::try_from(sheets).unwrap_or(usize::MAX),
            seed,
            sets,
            config,
            definition,
            id,
        }),
        Command::Criteria {
            plugin,
            set,
            format,
            template,
            branches,
            lang,
        } => plugin::criteria(
            &plugin,
            set,
            format == SheetFormat::Json,
            template,
            &branches,
            lang,
        ),
        Command::Score { plugin, sheet } => plugin::score(&plugin, &sheet),
        demo @ Command::Demo { .. } => ops::demo(demo_args(demo)?),
        Command::Report {
            store,
            format,
            as_of,
            out,
            lang,
        } => {
            let format = match format {
                ReportFormat::Md => "md",
                ReportFormat::Json => "json",
                ReportFormat::Html => "html",
            };
            ops::report(&store, format, as_of, out.as_deref(), lang)
        }
        Command::Export {
            store,
            as_of,
            out,
            lang,
        } => ops::export(&store, as_of, out.as_deref(), lang),
        Command::Verify { store, lang } => ops::verify(&store, lang),
        Command::Upgrade {
            store,
            workflows,
            lang,
        } => ops::upgrade(&store, &workflows, lang),
        Command::Replay { store, case, lang } => ops::replay(&store, &case, lang),
        Command::Case(CaseCommand::List { store, lang }) => ops::case_list(&store, lang),
        Command::Case(CaseCommand::Show { store, case, lang }) => {
            ops::case_show(&store, &case, lang)
        }
        Command::Serve(args) => serve::serve(args),
        Command::Key(KeyCommand::New {
            id,
            actor,
            roles,
            province,
        }) => serve::key_new(&id, &actor, &roles, &province),
        Command::Schema { out } => {
            std::fs::create_dir_all(&out)
                .with_context(|| format!("cannot create `{}`", out.display()))?;
            let all = document_schemas()
                .into_iter()
                .chain(ocop_engine::document_schemas())
                .chain(ocop_report::document_schemas())
                .chain(ocop_server::document_schemas());
            for s in all {
                let path = out.join(format!("{}.schema.json", s.name));
                let mut text = serde_json::to_string_pretty(&s.schema)?;
                text.push('\n');
                std::fs::write(&path, text)
                    .with_context(|| format!("cannot write `{}`", path.display()))?;
                outln!("{}", path.display())?;
            }
            let path = out.join("openapi.json");
            std::fs::write(&path, ocop_server::openapi())
                .with_context(|| format!("cannot write `{}`", path.display()))?;
            outln!("{}", path.display())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
