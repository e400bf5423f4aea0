//! National scale, measured on the demo's simulation: a province's OCOP years (three cycle
//! definitions, the transitions between them, commune and provincial councils whose members'
//! sheets the criteria plugin scores as a WebAssembly component), grown to 2,000 and to
//! 20,000 cases with their full histories, on SQLite (`synchronous = NORMAL`: commits are not
//! synced) and, when `OCOP_TEST_POSTGRES` names a server, on PostgreSQL (the bench's
//! sessions set `synchronous_commit = off`, the same trade: fsync is left out of both).
//!
//! For each store and size it prints, from the same run:
//! - the median and p99 wall time of a command in the simulation's mix (opening, filing,
//!   reviews, council sittings scored by the plugin, decisions, monitoring), as the
//!   engine's `execute` saw it;
//! - the median of 20 tick rounds (one engine per definition the store keeps, with its
//!   plugins, as a server node runs them) on the close of the last simulated day, when the
//!   simulation's own tick has fired everything due, and how many due-date index entries
//!   such a round reads;
//! - the median time of `ocop report` and `ocop export`, run in-process through the command
//!   line's own code (`ocop_cli::run_with`, output to a file);
//! - bytes per stored event (the JSON text both stores keep in their `body` column, read
//!   back through the store; on SQLite checked against the column's own lengths), median
//!   and p99;
//!
//! then the ratios of the large figures to the small ones.
//!
//! Building the cases is not what is measured, and it is where the run spends its time. The
//! 2,000 cases are simulated on SQLite, one command and one append at a time, as a
//! deployment makes them. The 20,000 are those 2,000 ten times over under new case ids
//! (`<id>-r1` ... `<id>-r9`), each copy's events re-chained so `verify` holds, one append per
//! case: the same province's histories, so the large store has exactly ten times the small
//! one's rows and every ratio compares like with like (simulating 20,000 cases takes the
//! best part of an hour on two shared cores). The PostgreSQL stores are copies of the SQLite
//! ones, one append per case with its whole history, projection and latest snapshot (the
//! same bytes; idempotency keys are not copied). What a command costs on PostgreSQL comes
//! from a small store (100 cases) that the simulation builds there: a command reads one case
//! and appends to it through indexes, whatever the store's size.
//!
//! `cargo bench -p ocop-cli --bench national` (full run: 2,000 and 20,000 cases, many
//! minutes) or `cargo bench -p ocop-cli --bench national -- --test` (50 and 500 cases, the CI
//! smoke).
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a benchmark stops at the first failure"
)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use std::sync::Arc;

use ocop_core::{Date, definition::PluginKind, load_definition};
use ocop_engine::store::Append;
use ocop_engine::{Engine, EngineBuilder, ManualClock, SqliteStore, Store, Timestamp};
use ocop_plugin_host::PluginHostBuilder;
use ocop_store_postgres::PostgresStore;

/// The demo's last simulated day (its default `--until`).
const LAST_DAY: (i16, i8, i8) = (2026, 12, 10);

#[derive(Clone)]
enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres(_) => "PostgreSQL",
        }
    }
}

/// How a store's cases are made.
#[derive(Clone, Copy)]
enum Build<'a> {
    /// By the demo's simulation, one command at a time.
    Simulate,
    /// A copy of the SQLite store at this path, one append per case.
    Copy(&'a Path),
    /// The SQLite store at this path, this many times over under new case ids.
    Replicate(&'a Path, usize),
}

struct Row {
    store: &'static str,
    target: usize,
    cases: usize,
    events: usize,
    build: Duration,
    /// How the cases were made.
    built: String,
    commands: usize,
    command: Option<(Duration, Duration)>,
    tick: Duration,
    index_entries: usize,
    report: Duration,
    export: Duration,
    bytes: (usize, usize),
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

/// A scratch folder under the system's temporary one, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(label: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "ocop-bench-national-{}-{label}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

fn quantile<T: Ord + Copy>(mut v: Vec<T>, q: f64) -> T {
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * q).round() as usize;
    v[i]
}

/// `--db PATH` or `--store URL --schema NAME`.
fn store_args(backend: &Backend, db: &Path, schema: &str) -> Vec<OsString> {
    match backend {
        Backend::Sqlite => vec!["--db".into(), db.into()],
        Backend::Postgres(url) => vec![
            "--store".into(),
            url.into(),
            "--schema".into(),
            schema.into(),
        ],
    }
}

/// Runs `ocop <command> <store> --out FILE --lang en` `runs` times and returns the median.
fn time_cli(command: &str, store: &[OsString], out: &Path, runs: usize) -> Duration {
    let times = (0..runs)
        .map(|_| {
            let mut args: Vec<OsString> = vec!["ocop".into(), command.into()];
            args.extend(store.iter().cloned());
            args.extend(["--out".into(), out.into(), "--lang".into(), "en".into()]);
            let started = Instant::now();
            let code = ocop_cli::run_with(args);
            let took = started.elapsed();
            assert_eq!(code, ExitCode::SUCCESS, "ocop {command} failed");
            took
        })
        .collect();
    median(times)
}

/// The length of every stored event's body: the JSON text each store writes
/// (`serde_json::to_string` of the event, in both stores), read back through the store.
fn event_bytes(store: &dyn Store) -> Vec<usize> {
    let mut sizes = Vec::new();
    for id in store.cases().unwrap() {
        for event in store.load(&id, 0).unwrap() {
            sizes.push(serde_json::to_string(&event).unwrap().len());
        }
    }
    sizes
}

/// One engine per definition `store` keeps, each with the plugins it declares (components
/// from the demo's build), on a clock at `day`: what a server node ticks with.
fn engines(store: &dyn Store, day: Date) -> Vec<Engine> {
    let host = PluginHostBuilder::new()
        .cache_dir(std::env::temp_dir().join("ocop-plugin-cache"))
        .build()
        .unwrap();
    let base = root().join("workflows");
    store
        .definitions()
        .unwrap()
        .iter()
        .map(|d| {
            let cycle = load_definition(&d.file_name, &d.text).unwrap();
            let mut builder = EngineBuilder::new(cycle.clone()).clock(ManualClock::on(day));
            for decl in &cycle.definition().plugins {
                builder = match decl.kind {
                    PluginKind::Scoring => builder.scorer(
                        decl.id.clone(),
                        Arc::new(host.load_scorer(decl, &base).unwrap()),
                    ),
                    PluginKind::Guard => builder.guard_plugin(
                        decl.id.clone(),
                        Arc::new(host.load_guard(decl, &base).unwrap()),
                    ),
                };
            }
            builder.build().unwrap()
        })
        .collect()
}

/// The median of 20 tick rounds (every engine once) at the close of `day`, and how many
/// due-date index entries a round reads. Panics if a round fires or fails anything.
fn idle_ticks(store: &dyn Store, day: Date) -> (Duration, usize) {
    let engines = engines(store, day);
    let at = Timestamp::vn(day, 17, 0);
    let times = (0..20)
        .map(|_| {
            let started = Instant::now();
            let mut acted = 0;
            for engine in &engines {
                let report = engine.tick(store, at).unwrap();
                acted += report.fired.len() + report.failed.len();
            }
            let took = started.elapsed();
            assert_eq!(
                acted, 0,
                "a tick after the simulation's last found something due"
            );
            took
        })
        .collect();
    let entries = engines
        .iter()
        .map(|e| store.due(&e.cycle().definition().id, day).unwrap().len())
        .sum();
    (median(times), entries)
}

/// Writes every case of `from` into `to` `times` over: as it is, then under the ids
/// `<id>-r1`, `<id>-r2`, ..., each copy's events re-chained (their hashes computed again,
/// so `verify` holds) and without a snapshot. One append per case. Once over is a copy:
/// the same events, hashes, projection and latest snapshot.
fn replicate(from: &dyn Store, to: &dyn Store, times: usize) {
    for definition in from.definitions().unwrap() {
        to.put_definition(&definition).unwrap();
    }
    for id in from.cases().unwrap() {
        let events = from.load(&id, 0).unwrap();
        let summary = from.summary(&id).unwrap().unwrap();
        let snapshot = from.snapshot(&id).unwrap();
        for k in 0..times {
            let new_id = if k == 0 {
                id.clone()
            } else {
                ocop_engine::CaseId::new(format!("{id}-r{k}"))
            };
            let mut prev = events[0].prev_hash.clone();
            let copied: Vec<_> = events
                .iter()
                .map(|e| {
                    let mut e = e.clone();
                    e.case = new_id.clone();
                    e.prev_hash = prev.clone();
                    e.hash = e.compute_hash().expect("a copied event encodes");
                    prev = e.hash.clone();
                    e
                })
                .collect();
            let mut summary = summary.clone();
            summary.case = new_id.clone();
            to.append(&Append {
                case: &new_id,
                expected: 0,
                events: &copied,
                key: None,
                summary: &summary,
                snapshot: if k == 0 { snapshot.as_ref() } else { None },
            })
            .unwrap();
        }
    }
}

fn open(backend: &Backend, db: &Path, schema: &str) -> Box<dyn Store> {
    match backend {
        Backend::Sqlite => Box::new(SqliteStore::open(db).unwrap()),
        Backend::Postgres(url) => {
            Box::new(PostgresStore::builder(url).schema(schema).open().unwrap())
        }
    }
}

/// Builds `target` cases on `backend` (by the simulation, or by copying the SQLite store at
/// `copy_from`) in `dir`, and measures them.
fn measure(backend: &Backend, target: usize, smoke: bool, dir: &Path, build: Build<'_>) -> Row {
    let db = dir.join("national.sqlite");
    let schema = format!("national_{target}");
    let store_args = store_args(backend, &db, &schema);
    let started = Instant::now();
    let commands = match build {
        Build::Simulate => {
            // The 2024 cohort is `products`; the plan's existing products add 148/45 of it and
            // the later cohorts a quarter and two sixths: about 219/45 cases a product.
            let products = (target * 45).div_ceil(219);
            let mut args: Vec<OsString> = vec![
                "ocop".into(),
                "demo".into(),
                "--lang".into(),
                "en".into(),
                "--products".into(),
                products.to_string().into(),
                "--workflows".into(),
                root().join("workflows").into(),
                "--out".into(),
                dir.into(),
            ];
            args.extend(store_args.iter().cloned());
            Some(ocop_cli::demo_timed(args).unwrap().commands)
        }
        Build::Copy(source) => {
            let Backend::Postgres(url) = backend else {
                panic!("only a PostgreSQL store is built by copying");
            };
            let to = PostgresStore::builder(url)
                .schema(&schema)
                .fresh(true)
                .open()
                .unwrap();
            replicate(&SqliteStore::open(source).unwrap(), &to, 1);
            None
        }
        Build::Replicate(source, times) => {
            let Backend::Sqlite = backend else {
                panic!("only a SQLite store is built by replication");
            };
            let to = SqliteStore::builder(&db)
                .synchronous(ocop_engine::Synchronous::Normal)
                .open()
                .unwrap();
            replicate(&SqliteStore::open(source).unwrap(), &to, times);
            None
        }
    };
    let took = started.elapsed();

    let store = open(backend, &db, &schema);
    let cases = store.cases().unwrap().len();
    let day = Date::new(LAST_DAY.0, LAST_DAY.1, LAST_DAY.2).unwrap();
    let (tick, index_entries) = idle_ticks(store.as_ref(), day);

    let runs = if smoke { 1 } else { 3 };
    let report = time_cli("report", &store_args, &dir.join("report.md"), runs);
    let export = time_cli("export", &store_args, &dir.join("export.jsonl"), runs);

    let bytes = event_bytes(store.as_ref());
    if let Backend::Sqlite = backend {
        // The same figures straight from the column.
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut stmt = conn
            .prepare("SELECT length(CAST(body AS BLOB)) FROM ocop_events")
            .unwrap();
        let mut stored: Vec<usize> = stmt
            .query_map([], |r| r.get::<_, i64>(0))
            .unwrap()
            .map(|n| usize::try_from(n.unwrap()).unwrap())
            .collect();
        let mut read = bytes.clone();
        read.sort_unstable();
        stored.sort_unstable();
        assert_eq!(
            read, stored,
            "event bodies differ from what the store keeps"
        );
    }
    Row {
        store: backend.name(),
        target,
        cases,
        events: bytes.len(),
        build: took,
        built: match build {
            Build::Simulate => "simulated".to_owned(),
            Build::Copy(_) => "copied".to_owned(),
            Build::Replicate(_, times) => format!("replicated ×{times}"),
        },
        commands: commands.as_ref().map_or(0, Vec::len),
        command: commands.map(|c| (quantile(c.clone(), 0.5), quantile(c, 0.99))),
        tick,
        index_entries,
        report,
        export,
        bytes: (quantile(bytes.clone(), 0.5), quantile(bytes, 0.99)),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A row of the table.
fn row_text(r: &Row) -> String {
    let command = r.command.map_or("-".to_owned(), |(m, p)| {
        format!(
            "{:.0} / {:.0} µs",
            m.as_secs_f64() * 1e6,
            p.as_secs_f64() * 1e6
        )
    });
    format!(
        "| {} | {} ({} asked) | {} | {:.1} s ({}) | {} | {command} | {:.3} ms ({}) | {:.0} ms | {:.0} ms | {} / {} B |",
        r.store,
        r.cases,
        r.target,
        r.events,
        r.build.as_secs_f64(),
        r.built,
        r.commands,
        ms(r.tick),
        r.index_entries,
        ms(r.report),
        ms(r.export),
        r.bytes.0,
        r.bytes.1,
    )
}

/// A row as soon as it is measured, on standard error (the table follows at the end).
fn print_row(r: &Row) {
    eprintln!("{}", row_text(r));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let smoke = args.iter().any(|a| a == "--test");
    let sizes = if smoke { [50, 500] } else { [2_000, 20_000] };
    let postgres = match std::env::var("OCOP_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => {
            // Commits not waited for, like SQLite's `synchronous = NORMAL`.
            let sep = if url.contains('?') { '&' } else { '?' };
            Some(Backend::Postgres(format!(
                "{url}{sep}options=-c%20synchronous_commit%3Doff"
            )))
        }
        _ => {
            eprintln!("PostgreSQL skipped: set OCOP_TEST_POSTGRES to a server's URL");
            None
        }
    };
    let mut rows = Vec::new();
    if let Some(pg) = &postgres {
        // What a command costs on PostgreSQL: a small store, simulated.
        let n = if smoke { 40 } else { 100 };
        let dir = Scratch::new("pg-commands");
        eprintln!("PostgreSQL: simulating {n} cases ...");
        rows.push(measure(pg, n, smoke, dir.path(), Build::Simulate));
        print_row(rows.last().unwrap());
    }
    let [small, large] = sizes;
    let small_dir = Scratch::new(&format!("sqlite-{small}"));
    let large_dir = Scratch::new(&format!("sqlite-{large}"));
    let small_db = small_dir.path().join("national.sqlite");
    let large_db = large_dir.path().join("national.sqlite");
    eprintln!("SQLite: simulating {small} cases ...");
    rows.push(measure(
        &Backend::Sqlite,
        small,
        smoke,
        small_dir.path(),
        Build::Simulate,
    ));
    print_row(rows.last().unwrap());
    eprintln!("SQLite: {small} cases ×{} ...", large / small);
    rows.push(measure(
        &Backend::Sqlite,
        large,
        smoke,
        large_dir.path(),
        Build::Replicate(&small_db, large / small),
    ));
    print_row(rows.last().unwrap());
    if let Some(pg) = &postgres {
        for (n, from) in [(small, &small_db), (large, &large_db)] {
            let dir = Scratch::new(&format!("pg-{n}"));
            eprintln!("PostgreSQL: copying {n} cases ...");
            rows.push(measure(pg, n, smoke, dir.path(), Build::Copy(from)));
            print_row(rows.last().unwrap());
        }
    }
    println!(
        "| store | cases | events | built in (not measured) | commands | command median / p99 | tick, nothing due (index entries read) | report | export | bytes per event median / p99 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for r in &rows {
        println!("{}", row_text(r));
    }
    for store in ["SQLite", "PostgreSQL"] {
        if let [small, large] = rows
            .iter()
            .filter(|r| r.store == store && sizes.contains(&r.target))
            .collect::<Vec<_>>()
            .as_slice()
        {
            let ratio = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64().max(1e-9);
            println!(
                "{store}, {} vs {} cases ({:.1}× the cases): tick {:.2}×, report {:.2}×, export {:.2}×",
                large.cases,
                small.cases,
                large.cases as f64 / small.cases.max(1) as f64,
                ratio(small.tick, large.tick),
                ratio(small.report, large.report),
                ratio(small.export, large.export),
            );
        }
    }
}
