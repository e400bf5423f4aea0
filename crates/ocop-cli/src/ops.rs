//! `ocop demo`, `report`, `export`, `verify`, `replay`, `case list|show`: working with a
//! database of cases.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use ocop_core::{Cycle, Date, Lang, definition::PluginKind, load_definition, plugin::Scorer};
use ocop_engine::{
    Calendar, Case, CaseId, CaseSummary, EngineBuilder, ManualClock, Migration, Projector,
    SqliteStore, Store,
};
use ocop_plugin_host::{PluginHost, PluginHostBuilder, build_plugin};
use ocop_report::{ProgrammeReport, ReportInput};
use ocop_store_postgres::PostgresStore;

use crate::demo::sim::Sim;

/// Vietnamese or English.
pub(crate) fn t<'a>(lang: Lang, vi: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// Where cases are kept: `--db PATH` (SQLite) or `--store postgres://...`.
#[derive(Clone, Debug, clap::Args)]
pub(crate) struct StoreArgs {
    /// The SQLite database file.
    #[arg(long, conflicts_with = "store")]
    pub(crate) db: Option<PathBuf>,
    /// A PostgreSQL database, `postgres://user@host:port/db`.
    #[arg(long)]
    pub(crate) store: Option<String>,
    /// The PostgreSQL schema holding the tables.
    #[arg(long, default_value = "ocop")]
    pub(crate) schema: String,
}

pub(crate) const DEFAULT_DB: &str = "target/ocop-demo/ocop.sqlite";

impl StoreArgs {
    pub(crate) fn open(&self, lang: Lang) -> Result<Box<dyn Store>> {
        if let Some(url) = &self.store {
            return Ok(Box::new(
                PostgresStore::builder(url)
                    .schema(&self.schema)
                    .max_connections(4)
                    .open()?,
            ));
        }
        let path = self.db.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DB));
        if !path.exists() {
            bail!(
                "{} `{}`: {}",
                t(lang, "không có cơ sở dữ liệu", "no database at"),
                path.display(),
                t(
                    lang,
                    "chạy `ocop demo` trước, hoặc chỉ `--db`",
                    "run `ocop demo` first, or point `--db` at one"
                )
            );
        }
        Ok(Box::new(SqliteStore::open(&path)?))
    }
}

const TO_AMENDED: &str = "migrations/can-tho-2024-to-amended-2025.toml";
const TO_NATIONAL: &str = "migrations/amended-2025-to-national-2026.toml";

/// The shipped cycles and the migrations between them.
pub(crate) struct Workflows {
    pub(crate) dir: PathBuf,
    pub(crate) can_tho: Cycle,
    pub(crate) amended: Cycle,
    pub(crate) national: Cycle,
    /// can-tho-2024 → amended-2025 (1 July 2025).
    pub(crate) to_amended_text: String,
    /// amended-2025 → national-2026 (22 May 2026).
    pub(crate) to_national_text: String,
}

impl Workflows {
    pub(crate) fn load(dir: &Path) -> Result<Workflows> {
        let read = |name: &str| {
            let p = dir.join(name);
            std::fs::read_to_string(&p).with_context(|| format!("cannot read `{}`", p.display()))
        };
        let cycle = |name: &str| -> Result<Cycle> {
            let file = dir.join(name).display().to_string();
            Ok(load_definition(&file, &read(name)?)?)
        };
        Ok(Workflows {
            dir: dir.to_owned(),
            can_tho: cycle("can-tho-2024.toml")?,
            amended: cycle("amended-2025.toml")?,
            national: cycle("national-2026.toml")?,
            to_amended_text: read(TO_AMENDED)?,
            to_national_text: read(TO_NATIONAL)?,
        })
    }

    /// The path of a file of the folder, as diagnostics name it.
    pub(crate) fn file(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

/// Guard plugins by their id in the definition.
type Guards = Vec<(String, Arc<dyn ocop_core::plugin::GuardPlugin>)>;

/// Loads a definition's plugins, building any component that is not there yet.
fn plugins(
    host: &PluginHost,
    cycle: &Cycle,
    base: &Path,
    root: &Path,
) -> Result<(Arc<dyn Scorer>, Guards)> {
    let mut scorer: Option<Arc<dyn Scorer>> = None;
    let mut guards = Vec::new();
    for decl in &cycle.definition().plugins {
        let mut decl = decl.clone();
        if !base.join(&decl.path).exists() {
            let krate = root.join("plugins").join(decl.id.as_str());
            eprintln!("building plugin {} ...", decl.id);
            let built = build_plugin(&krate)
                .with_context(|| format!("cannot build `{}`", krate.display()))?;
            decl.path = built.path.display().to_string();
        }
        match decl.kind {
            PluginKind::Scoring => scorer = Some(Arc::new(host.load_scorer(&decl, base)?)),
            PluginKind::Guard => guards.push((
                decl.id.to_string(),
                Arc::new(host.load_guard(&decl, base)?) as Arc<dyn ocop_core::plugin::GuardPlugin>,
            )),
        }
    }
    let scorer = scorer.context("the definition declares no scoring plugin")?;
    Ok((scorer, guards))
}

fn progress_bar(share: f64, today: Date, started: Instant, tty: bool, last: &mut i64) {
    let pct = (share * 100.0).round() as i64;
    if tty {
        let width = 30;
        let filled = ((share * width as f64) as usize).min(width);
        eprint!(
            "\r[{}{}] {pct:>3}%  {today}  {:.0}s ",
            "#".repeat(filled),
            " ".repeat(width - filled),
            started.elapsed().as_secs_f64()
        );
    } else if pct / 10 != *last / 10 {
        eprintln!("{pct:>3}%  {today}");
    }
    *last = pct;
}

/// What `ocop demo` was asked.
pub(crate) struct DemoArgs {
    pub(crate) store: StoreArgs,
    pub(crate) seed: u64,
    pub(crate) products: usize,
    pub(crate) lang: Lang,
    pub(crate) workflows: PathBuf,
    pub(crate) end: Date,
    pub(crate) out: Option<PathBuf>,
}

/// What `ocop demo` measured on the way, for the national benchmark
/// (`crates/ocop-cli/benches/national.rs`).
#[derive(Debug, Clone)]
pub struct DemoTimings {
    /// The engine's wall time for each accepted command, in the order they ran.
    pub commands: Vec<Duration>,
    /// Cases in the store at the end.
    pub cases: usize,
    /// Events in the store at the end.
    pub events: usize,
}

/// The median and the 99th percentile of `times` (zero when empty).
pub(crate) fn median_p99(times: &[Duration]) -> (Duration, Duration) {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    let at = |q: f64| {
        let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
        sorted.get(i).copied().unwrap_or_default()
    };
    (at(0.5), at(0.99))
}

pub(crate) fn demo(args: DemoArgs) -> Result<ExitCode> {
    demo_timed(args)?;
    Ok(ExitCode::SUCCESS)
}

/// `ocop demo`, returning what it timed on the way.
pub(crate) fn demo_timed(args: DemoArgs) -> Result<DemoTimings> {
    let lang = args.lang;
    let started = Instant::now();
    let wf = Workflows::load(&args.workflows)?;
    let root = args
        .workflows
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let store: Box<dyn Store> = if let Some(url) = &args.store.store {
        Box::new(
            PostgresStore::builder(url)
                .schema(&args.store.schema)
                .fresh(true)
                .open()?,
        )
    } else {
        let path = args
            .store
            .db
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DB));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
        }
        for suffix in ["", "-wal", "-shm"] {
            let p = PathBuf::from(format!("{}{suffix}", path.display()));
            if p.exists() {
                std::fs::remove_file(&p)
                    .with_context(|| format!("cannot replace `{}`", p.display()))?;
            }
        }
        Box::new(
            SqliteStore::builder(&path)
                .synchronous(ocop_engine::Synchronous::Normal)
                .open()?,
        )
    };
    let host = PluginHostBuilder::new()
        .cache_dir(std::env::temp_dir().join("ocop-plugin-cache"))
        .build()?;
    let (scorer, guards) = plugins(&host, &wf.can_tho, &wf.dir, &root)?;
    let start = Date::new(2024, 3, 1).context("start date")?;
    let clock = ManualClock::on(start);
    let mut engines = BTreeMap::new();
    let mut can_tho = EngineBuilder::new(wf.can_tho.clone())
        .clock(clock.clone())
        .scorer("criteria-26-2026", Arc::clone(&scorer));
    for (id, g) in guards {
        can_tho = can_tho.guard_plugin(id, g);
    }
    engines.insert("can-tho-2024".to_owned(), can_tho.build()?);
    for cycle in [&wf.amended, &wf.national] {
        engines.insert(
            cycle.definition().id.to_string(),
            EngineBuilder::new(cycle.clone())
                .clock(clock.clone())
                .scorer("criteria-26-2026", Arc::clone(&scorer))
                .build()?,
        );
    }
    let migrations = vec![
        Migration::load(
            &wf.file(TO_AMENDED),
            &wf.to_amended_text,
            &wf.can_tho,
            &wf.amended,
        )?,
        Migration::load(
            &wf.file(TO_NATIONAL),
            &wf.to_national_text,
            &wf.amended,
            &wf.national,
        )?,
    ];
    outln!(
        "{} {} ({} {}, seed {})",
        t(
            lang,
            "Mô phỏng chương trình OCOP thành phố Cần Thơ:",
            "Simulating Cần Thơ's OCOP programme:"
        ),
        format_args!("{start} → {}", args.end),
        args.products,
        t(lang, "hồ sơ năm 2024", "dossiers in 2024"),
        args.seed
    )?;
    let mut sim = Sim::new(
        engines,
        store.as_ref(),
        clock.clone(),
        args.seed,
        Arc::clone(&scorer),
        migrations,
    );
    let n = args.products;
    let d = |y, m, dd| Date::new(y, m, dd).context("date");
    // The plan's existing certified products (148 at the default 45 dossiers), then the
    // 2024 cohort, filed from March to July so the councils decide it within the year.
    sim.plan_existing(n * 148 / 45, start);
    sim.plan_cohort(n, d(2024, 3, 1)?, d(2024, 7, 31)?);
    sim.plan_cohort(n / 4, d(2025, 2, 1)?, d(2025, 9, 30)?);
    sim.plan_cohort(n / 6, d(2026, 1, 15)?, d(2026, 4, 30)?);
    sim.plan_cohort(n / 6, d(2026, 6, 1)?, d(2026, 9, 30)?);
    let tty = std::io::stderr().is_terminal();
    let mut last = -1;
    sim.run(start, args.end, &mut |share, today| {
        progress_bar(share, today, started, tty, &mut last)
    })?;
    if tty {
        eprintln!();
    }
    let stats = &sim.stats;
    let cases = summaries(store.as_ref(), lang)?;
    let cycles = stored_cycles(store.as_ref(), &cases, lang)?;
    let report = ocop_report::compute(&ReportInput {
        as_of: args.end,
        cycles: &cycles.iter().collect::<Vec<_>>(),
        cases: &cases,
    });
    let events: usize = cases.iter().map(|c| c.version as usize).sum();
    outln!(
        "{}: {} {}, {} {}, {} {} ({} {}), {} {}",
        t(lang, "Kết quả", "Done"),
        cases.len(),
        t(lang, "hồ sơ", "cases"),
        events,
        t(lang, "sự kiện", "events"),
        stats.commands,
        t(lang, "lệnh", "commands"),
        stats.refused,
        t(lang, "bị từ chối", "refused"),
        stats.timeouts,
        t(lang, "lần hết hạn", "timeouts fired"),
    )?;
    outln!(
        "{}: {} {}, {} {}, {} {}",
        t(
            lang,
            "Chuyển tiếp (1/7/2025: QĐ 1489; 22/5/2026: QĐ 26/2026)",
            "Transitions (1 July 2025: Decision 1489; 22 May 2026: Decision 26/2026)"
        ),
        stats.migrated,
        t(lang, "hồ sơ chuyển", "cases migrated"),
        stats.continued,
        t(
            lang,
            "hồ sơ tiếp tục theo quy định cũ (Điều 12.2)",
            "cases continued under the old rules (Art. 12.2)"
        ),
        stats.cannot_migrate,
        t(lang, "không chuyển được", "could not migrate"),
    )?;
    for s in &report.stars {
        outln!(
            "  {}: {} ({} {})",
            s.stars,
            s.certified,
            s.new_this_year,
            t(
                lang,
                &format!("mới năm {}", report.year),
                &format!("new in {}", report.year)
            )
        )?;
    }
    for row in &report.targets {
        outln!(
            "  {} {}: {} / {}",
            t(lang, "chỉ tiêu", "target"),
            row.stars,
            row.actual,
            row.target
        )?;
    }
    if !stats.stuck.is_empty() {
        outln!(
            "{}: {}",
            t(lang, "Hồ sơ dừng lại", "Cases left waiting"),
            stats.stuck.join(", ")
        )?;
    }
    let out_dir = match (&args.out, &args.store.db) {
        (Some(dir), _) => dir.clone(),
        (None, Some(p)) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
        (None, None) => PathBuf::from("target/ocop-demo"),
    };
    std::fs::create_dir_all(&out_dir).ok();
    write_report(&report, &out_dir, lang)?;
    let (median, p99) = median_p99(&stats.command_times);
    outln!(
        "{} {:.1}s ({} {} µs, p99 {} µs)",
        t(lang, "Thời gian:", "Wall time:"),
        started.elapsed().as_secs_f64(),
        t(lang, "mỗi lệnh: trung vị", "per command: median"),
        median.as_micros(),
        p99.as_micros()
    )?;
    Ok(DemoTimings {
        commands: stats.command_times.clone(),
        cases: cases.len(),
        events,
    })
}

fn write_report(report: &ProgrammeReport, dir: &Path, lang: Lang) -> Result<()> {
    let html = dir.join("report.html");
    std::fs::write(&html, ocop_report::render_html(report, lang))?;
    std::fs::write(
        dir.join("report.md"),
        ocop_report::render_markdown(report, lang),
    )?;
    std::fs::write(
        dir.join("report.json"),
        serde_json::to_string_pretty(report)? + "\n",
    )?;
    outln!("{}: {}", t(lang, "Báo cáo", "Report"), html.display())?;
    Ok(())
}

/// Every case's projection, as the store keeps it beside the events.
pub(crate) fn summaries(store: &dyn Store, lang: Lang) -> Result<Vec<CaseSummary>> {
    let missing = store.unprojected()?;
    if let Some(first) = missing.first() {
        bail!(
            "{} ({} {}, {} `{first}`): {}",
            t(
                lang,
                "cơ sở dữ liệu được ghi bởi phiên bản ocop cũ hơn",
                "the database was written by an older ocop"
            ),
            missing.len(),
            t(
                lang,
                "hồ sơ chưa có bản tóm tắt",
                "cases without a projection"
            ),
            t(lang, "ví dụ", "e.g."),
            t(
                lang,
                "chạy `ocop upgrade` trước",
                "run `ocop upgrade` on it first"
            )
        );
    }
    Ok(store.summaries()?)
}

/// Every definition the store keeps (each case pins one, by SHA-256, or for a case that
/// predates pins, by id and version), in the order of their ids. All of them, not only those
/// the cases run under now: a province whose cases all migrated to the national definition
/// is still named by the definition they started under.
pub(crate) fn stored_cycles(
    store: &dyn Store,
    cases: &[CaseSummary],
    lang: Lang,
) -> Result<Vec<Cycle>> {
    let kept = store.definitions()?;
    for case in cases {
        let found = kept.iter().any(|d| match &case.definition_sha256 {
            Some(sha) => d.sha256 == *sha,
            None => d.id == case.definition && d.version == case.definition_version,
        });
        if !found {
            bail!(
                "{} `{}` {} `{}` {}: {}",
                t(lang, "hồ sơ", "case"),
                case.case,
                t(lang, "chạy theo", "runs under"),
                case.definition,
                t(
                    lang,
                    "nhưng cơ sở dữ liệu không lưu định nghĩa này",
                    "but the database does not keep that definition"
                ),
                t(
                    lang,
                    "chạy `ocop upgrade --workflows <thư mục định nghĩa>`",
                    "run `ocop upgrade --workflows <the definitions' folder>`"
                )
            );
        }
    }
    kept.iter()
        .map(|d| {
            load_definition(&d.file_name, &d.text).with_context(|| {
                format!(
                    "definition `{}` (sha256 {}) kept in the database no longer loads",
                    d.id, d.sha256
                )
            })
        })
        .collect()
}

/// The store, its cases, and the day asked for (default: the last day anything happened in
/// the store).
fn cases_as_of(
    store: &StoreArgs,
    as_of: Option<Date>,
    lang: Lang,
) -> Result<(Box<dyn Store>, Vec<CaseSummary>, Date)> {
    let store = store.open(lang)?;
    let cases = summaries(store.as_ref(), lang)?;
    let as_of = as_of
        .or_else(|| cases.iter().map(|c| c.entered_on).max())
        .context("the database holds no case")?;
    Ok((store, cases, as_of))
}

pub(crate) fn report(
    store: &StoreArgs,
    format: &str,
    as_of: Option<Date>,
    out: Option<&Path>,
    lang: Lang,
) -> Result<ExitCode> {
    let (store, cases, as_of) = cases_as_of(store, as_of, lang)?;
    let cycles = stored_cycles(store.as_ref(), &cases, lang)?;
    let report = ocop_report::compute(&ReportInput {
        as_of,
        cycles: &cycles.iter().collect::<Vec<_>>(),
        cases: &cases,
    });
    let text = match format {
        "json" => serde_json::to_string_pretty(&report)? + "\n",
        "html" => ocop_report::render_html(&report, lang),
        _ => ocop_report::render_markdown(&report, lang),
    };
    emit(&text, out)
}

fn emit(text: &str, out: Option<&Path>) -> Result<ExitCode> {
    match out {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("cannot write `{}`", p.display()))?
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn export(
    store: &StoreArgs,
    as_of: Option<Date>,
    out: Option<&Path>,
    lang: Lang,
) -> Result<ExitCode> {
    let (_, cases, as_of) = cases_as_of(store, as_of, lang)?;
    let mut text = String::new();
    for record in ocop_report::export(&cases, as_of) {
        text.push_str(&serde_json::to_string(&record)?);
        text.push('\n');
    }
    emit(&text, out)
}

pub(crate) fn verify(store: &StoreArgs, lang: Lang) -> Result<ExitCode> {
    let store = store.open(lang)?;
    let ids = store.cases()?;
    let mut events = 0;
    let mut snapshots = 0;
    for id in &ids {
        // The whole chain, from the first event: a snapshot never shortens verification.
        let history = store.load(id, 0)?;
        events += history.len();
        if let Err(e) = ocop_engine::verify(&history) {
            eprintln!("{}: {e}", t(lang, "LỖI", "FAILED"));
            eprintln!(
                "{}",
                t(
                    lang,
                    "lịch sử hồ sơ đã bị sửa đổi sau khi ghi: khôi phục cơ sở dữ liệu từ bản sao lưu và điều tra sự kiện này",
                    "the case's history was changed after it was written: restore the database from a backup and investigate this event"
                )
            );
            return Ok(ExitCode::from(1));
        }
        if let Some(snapshot) = store.snapshot(id)? {
            snapshots += 1;
            if let Err(e) = Case::check_snapshot(&history, &snapshot) {
                eprintln!("{}: {e}", t(lang, "LỖI", "FAILED"));
                eprintln!(
                    "{}",
                    t(
                        lang,
                        "ảnh chụp trạng thái không khớp với các sự kiện: máy sẽ dùng ảnh sai khi nạp hồ sơ; khôi phục từ bản sao lưu",
                        "the snapshot does not match the events an engine would read after it: restore the database from a backup"
                    )
                );
                return Ok(ExitCode::from(1));
            }
        }
    }
    outln!(
        "{}: {} {}, {} {}, {} {}",
        t(lang, "Chuỗi băm hợp lệ", "Hash chains verify"),
        ids.len(),
        t(lang, "hồ sơ", "cases"),
        events,
        t(lang, "sự kiện", "events"),
        snapshots,
        t(lang, "ảnh chụp khớp", "snapshots match"),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The definitions in `dir` (every `.toml` or `.json` file directly in it that reads as a
/// definition), each with its calendar.
pub(crate) fn folder_cycles(dir: &Path) -> Result<Vec<Cycle>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml" || x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read `{}`", file.display()))?;
        if let Ok(cycle) = load_definition(&file.display().to_string(), &text) {
            out.push(cycle);
        }
    }
    Ok(out)
}

/// The working-day calendar a cycle names: the shipped Vietnamese one, or
/// `calendars/<id>.toml` in the definitions' folder.
fn calendar_for(cycle: &Cycle, dir: &Path) -> Result<Calendar> {
    let id = &cycle.definition().calendar;
    if id == "vn" {
        return Ok(Calendar::vietnam());
    }
    let file = dir.join("calendars").join(format!("{id}.toml"));
    let text = std::fs::read_to_string(&file).with_context(|| {
        format!(
            "definition `{}` counts on calendar `{id}`: cannot read `{}`",
            cycle.definition().id,
            file.display()
        )
    })?;
    Ok(Calendar::load(&file.display().to_string(), &text)?)
}

pub(crate) fn upgrade(store_args: &StoreArgs, workflows: &Path, lang: Lang) -> Result<ExitCode> {
    // Opening the store upgrades its schema (in one transaction; events untouched).
    let store = store_args.open(lang)?;
    let missing = store.unprojected()?;
    if missing.is_empty() {
        outln!(
            "{}",
            t(
                lang,
                "Cơ sở dữ liệu đã ở phiên bản mới nhất: không có gì để nâng cấp",
                "The database is up to date: nothing to upgrade"
            )
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut cycles: Vec<Cycle> = Vec::new();
    for d in store.definitions()? {
        cycles.push(load_definition(&d.file_name, &d.text)?);
    }
    for c in folder_cycles(workflows)? {
        if !cycles.iter().any(|k| k.sha256() == c.sha256()) {
            cycles.push(c);
        }
    }
    // Keep every definition the cases' histories name (where they started, where they were
    // migrated to), so that the database reads without the folder from now on.
    let mut kept = Vec::new();
    for id in &missing {
        for e in store.load(id, 0)? {
            let named = match &e.body {
                ocop_engine::EventBody::Opened(o) => {
                    Some((o.definition.clone(), o.definition_version.clone()))
                }
                ocop_engine::EventBody::Migrated(m) => {
                    Some((m.to_definition.clone(), m.to_version.clone()))
                }
                _ => None,
            };
            if let Some((def, version)) = named
                && let Some(c) = cycles
                    .iter()
                    .find(|c| c.definition().id == def && c.definition().version == version)
                && !kept.contains(&c.sha256().to_owned())
            {
                let source = c.source();
                store.put_definition(&ocop_engine::store::StoredDefinition {
                    sha256: source.sha256.clone(),
                    id: c.definition().id.clone(),
                    version: c.definition().version.clone(),
                    file_name: source.file_name.clone(),
                    text: source.text.clone(),
                })?;
                kept.push(c.sha256().to_owned());
            }
        }
    }
    let projectors = cycles
        .iter()
        .map(|c| Ok(Projector::new(c.clone(), calendar_for(c, workflows)?)))
        .collect::<Result<Vec<_>>>()?;
    let projected =
        ocop_engine::project_missing(store.as_ref(), &projectors).with_context(|| {
            format!(
                "{} `{}`",
                t(
                    lang,
                    "không dựng được bản tóm tắt hồ sơ; thư mục định nghĩa",
                    "cannot build the cases' projections; definitions folder"
                ),
                workflows.display()
            )
        })?;
    outln!(
        "{}: {} {}, {} {}",
        t(lang, "Đã nâng cấp", "Upgraded"),
        projected.len(),
        t(lang, "hồ sơ được tóm tắt", "cases projected"),
        kept.len(),
        t(lang, "định nghĩa được lưu", "definitions kept"),
    )?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn replay(store: &StoreArgs, case: &str, lang: Lang) -> Result<ExitCode> {
    let store = store.open(lang)?;
    let id = CaseId::from(case);
    let history = store.load(&id, 0)?;
    if history.is_empty() {
        bail!(
            "{} `{case}`: {}",
            t(lang, "không có hồ sơ", "no case"),
            t(lang, "xem `ocop case list`", "see `ocop case list`")
        );
    }
    for e in &history {
        let at = e.at.vn_date();
        let transition = e
            .transition
            .as_ref()
            .map(|t| format!(" [{t}]"))
            .unwrap_or_default();
        let from = e
            .from
            .as_ref()
            .map(|f| format!("{f} → "))
            .unwrap_or_default();
        outln!(
            "{:>3}  {at}  {:<34} {:<18}{transition} {from}{}",
            e.seq,
            format!("{} ({})", e.actor.id, e.actor.role),
            e.body.kind(),
            e.to
        )?;
    }
    let case = ocop_engine::replay(&history)?;
    outln!(
        "{}: {} (v{})",
        t(lang, "Trạng thái", "State"),
        case.state(),
        case.version()
    )?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn case_list(store: &StoreArgs, lang: Lang) -> Result<ExitCode> {
    let store = store.open(lang)?;
    let mut out = String::new();
    for case in summaries(store.as_ref(), lang)? {
        let stars = case
            .certificate
            .as_ref()
            .map(|c| c.stars.to_string())
            .unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "{:<14} {:<16} {:<34} {:<4} {}\n",
            case.case.as_str(),
            case.definition.as_str(),
            case.state.as_str(),
            stars,
            case.product.name
        ));
    }
    emit(&out, None)
}

pub(crate) fn case_show(store: &StoreArgs, case: &str, lang: Lang) -> Result<ExitCode> {
    let store = store.open(lang)?;
    summaries(store.as_ref(), lang)?;
    let Some(summary) = store.summary(&CaseId::from(case))? else {
        bail!(
            "{} `{case}`: {}",
            t(lang, "không có hồ sơ", "no case"),
            t(lang, "xem `ocop case list`", "see `ocop case list`")
        );
    };
    outln!("{}", serde_json::to_string_pretty(&summary)?)?;
    Ok(ExitCode::SUCCESS)
}
