//! The `ocop` command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use ocop_core::{Lang, check_definition, document_schemas, load_definition};

/// ocop: the OCOP cycle engine's command line ("Mỗi xã một sản phẩm").
#[derive(Parser)]
#[command(name = "ocop", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check cycle definitions; exit 1 when any has an error.
    Validate {
        /// Definition files (TOML, or JSON with the same schema).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
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
    /// Write the JSON Schema of every document type into a folder.
    Schema {
        /// The folder, e.g. `schemas`.
        #[arg(long, default_value = "schemas")]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Validate {
            files,
            deny_warnings,
        } => {
            let mut failed = false;
            for file in &files {
                let text = read(file)?;
                let name = file.display().to_string();
                let report = check_definition(&name, &text);
                eprint!("{report}");
                let errors = report.errors().count();
                let warnings = report.warnings().count();
                let bad = errors > 0 || (deny_warnings && warnings > 0);
                failed |= bad;
                if bad {
                    eprintln!("{name}: invalid ({errors} errors, {warnings} warnings)");
                } else {
                    println!("{name}: ok ({warnings} warnings)");
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
                    eprint!("{}", e.report());
                    bail!(
                        "`{}` is not a valid definition: fix it first",
                        file.display()
                    );
                }
            };
            let drawn = match format {
                GraphFormat::Dot => ocop_core::to_dot(&cycle, lang),
                GraphFormat::Mermaid => ocop_core::to_mermaid(&cycle, lang),
            };
            match out {
                Some(path) => std::fs::write(&path, drawn)
                    .with_context(|| format!("cannot write `{}`", path.display()))?,
                None => print!("{drawn}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { out } => {
            std::fs::create_dir_all(&out)
                .with_context(|| format!("cannot create `{}`", out.display()))?;
            for s in document_schemas() {
                let path = out.join(format!("{}.schema.json", s.name));
                let mut text = serde_json::to_string_pretty(&s.schema)?;
                text.push('\n');
                std::fs::write(&path, text)
                    .with_context(|| format!("cannot write `{}`", path.display()))?;
                println!("{}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
