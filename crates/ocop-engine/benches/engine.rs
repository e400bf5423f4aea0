//! Engine benchmarks, with the ratios against their baselines printed at the end from the
//! same run:
//! - `transitions/engine` vs `transitions/match_baseline`: commands in memory (the commune
//!   review's return-and-resubmit loop of `national-2026`: 2 commands, 3 events) against a
//!   hand-written `match` doing the same checks (expected version, edge, role, separation)
//!   and producing the same hash-chained events;
//! - `sqlite/store` vs `sqlite/raw_rusqlite`: `SqliteStore::append` of those commands'
//!   events against raw rusqlite inserts of the same rows with the same batching (one
//!   immediate transaction per command), both in WAL mode with `synchronous = FULL` and,
//!   in a second pair, `NORMAL`;
//! - `replay/1000_events` (and `verify/1000_events`).
//!
//! `cargo bench -p ocop-engine` (full run) or `cargo bench -p ocop-engine -- --test` (a smoke
//! run that checks each benchmark once).
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark stops at the first failure"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::hint::black_box;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use criterion::Criterion;
use ocop_core::ids::{RoleId, StateId, TransitionId};
use ocop_engine::{
    Actor, CaseId, Command, Engine, EngineBuilder, Event, EventBody, ManualClock, MemoryStore,
    SqliteStore, Store, Synchronous, Timestamp, Transitioned,
};
use ocop_testkit::TransitionHarness;
use rusqlite::{Connection, TransactionBehavior, params};

const COMMANDS_PER_CASE: u64 = 500;

/// The testkit's harness for `national-2026`: it builds the engine and opens the case (a
/// product of set 1, filed with every document the definition asks for). The council
/// stage scores with the native build of the criteria plugin (no WebAssembly here).
fn harness() -> &'static TransitionHarness {
    static HARNESS: OnceLock<TransitionHarness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let text = std::fs::read_to_string(root.join("workflows/national-2026.toml")).unwrap();
        let cycle = ocop_core::load_definition("national-2026.toml", &text).unwrap();
        TransitionHarness::new(cycle, |cycle, clock| {
            EngineBuilder::new(cycle)
                .clock(clock)
                .scorer(
                    "criteria-26-2026",
                    std::sync::Arc::new(ocop_criteria_26_2026::NativeScorer::new()),
                )
                .build()
        })
    })
}

fn engine(clock: &ManualClock) -> Engine {
    harness().engine(clock.clone()).unwrap()
}

fn producer() -> Actor {
    harness().actor("producer")
}

fn officer() -> Actor {
    harness().actor("commune_officer")
}

/// Opens `case` and files its dossier: the case waits in `commune_review` at version 2.
fn start(engine: &Engine, store: &dyn Store, case: &str) {
    harness().open(engine, store, case).unwrap();
    engine
        .execute(store, &Command::take(case, producer(), "file_dossier"))
        .unwrap();
}

/// One loop of the benchmark: the commune returns the dossier, the producer resubmits.
fn engine_loop(engine: &Engine, store: &dyn Store, case: &str, version: u64) -> u64 {
    let e = engine
        .execute(
            store,
            &Command::take(case, officer(), "commune_return").expecting(version),
        )
        .unwrap();
    let v = version + e.len() as u64;
    let e = engine
        .execute(
            store,
            &Command::take(case, producer(), "commune_resubmit").expecting(v),
        )
        .unwrap();
    v + e.len() as u64
}

fn run_engine(iters: u64) -> Duration {
    let clock = ManualClock::on("2026-06-01".parse().unwrap());
    let engine = engine(&clock);
    let store = MemoryStore::new();
    let mut elapsed = Duration::ZERO;
    let mut done = 0;
    let mut n = 0;
    while done < iters {
        let case = format!("c{n}");
        n += 1;
        start(&engine, &store, &case);
        let batch = (iters - done).min(COMMANDS_PER_CASE);
        let t = Instant::now();
        let mut v = 2;
        for _ in 0..batch {
            v = engine_loop(&engine, &store, &case, v);
        }
        elapsed += t.elapsed();
        done += batch;
    }
    black_box(store.cases().unwrap());
    elapsed
}

/// The baseline: the same checks and events, written as a `match` on (state, transition).
struct Baseline {
    case: CaseId,
    state: u8,
    version: u64,
    last_hash: String,
    acted: BTreeMap<String, BTreeSet<RoleId>>,
    log: Vec<Event>,
}

const REVIEW: u8 = 0;
const COMPLETION: u8 = 1;

impl Baseline {
    fn event(
        &mut self,
        actor: &Actor,
        t: &str,
        from: &str,
        to: &str,
        body: EventBody,
        at: Timestamp,
    ) {
        let mut e = Event {
            format: ocop_engine::EVENT_FORMAT,
            case: self.case.clone(),
            seq: self.version + 1,
            at,
            actor: actor.clone(),
            transition: Some(TransitionId::new(t)),
            from: Some(StateId::new(from)),
            to: StateId::new(to),
            body,
            prev_hash: self.last_hash.clone(),
            hash: String::new(),
        };
        e.hash = e.compute_hash().expect("a bench event encodes");
        self.version = e.seq;
        self.last_hash.clone_from(&e.hash);
        self.log.push(e);
    }

    fn step(
        &mut self,
        actor: &Actor,
        t: &str,
        expected: u64,
        at: Timestamp,
    ) -> Result<(), &'static str> {
        if expected != self.version {
            return Err("conflict");
        }
        // Separation: the definition's three rules, none of which involve these roles.
        if let Some(held) = self.acted.get(&actor.id)
            && held.iter().any(|r| {
                r.as_str() == "province_chair" && actor.role.as_str() == "province_council_member"
            })
        {
            return Err("separation");
        }
        let transitioned = || {
            EventBody::Transitioned(Transitioned {
                input: Default::default(),
                timeout: None,
            })
        };
        match (self.state, t) {
            (REVIEW, "commune_return") => {
                if actor.role.as_str() != "commune_officer" {
                    return Err("role");
                }
                self.event(
                    actor,
                    t,
                    "commune_review",
                    "commune_completion",
                    transitioned(),
                    at,
                );
                self.event(
                    actor,
                    t,
                    "commune_review",
                    "commune_completion",
                    EventBody::Notified {
                        role: RoleId::new("producer"),
                    },
                    at,
                );
                self.state = COMPLETION;
            }
            (COMPLETION, "commune_resubmit") => {
                if actor.role.as_str() != "producer" {
                    return Err("role");
                }
                self.event(
                    actor,
                    t,
                    "commune_completion",
                    "commune_review",
                    transitioned(),
                    at,
                );
                self.state = REVIEW;
            }
            _ => return Err("not an edge"),
        }
        self.acted
            .entry(actor.id.clone())
            .or_default()
            .insert(actor.role.clone());
        Ok(())
    }
}

fn run_baseline(iters: u64) -> Duration {
    let clock = ManualClock::on("2026-06-01".parse().unwrap());
    let mut elapsed = Duration::ZERO;
    let mut done = 0;
    let mut n = 0;
    while done < iters {
        let mut b = Baseline {
            case: CaseId::new(format!("c{n}")),
            state: REVIEW,
            version: 2,
            last_hash: "0".repeat(64),
            acted: BTreeMap::new(),
            log: Vec::new(),
        };
        n += 1;
        let batch = (iters - done).min(COMMANDS_PER_CASE);
        let t = Instant::now();
        for _ in 0..batch {
            let at = ocop_engine::Clock::now(&clock);
            let v = b.version;
            b.step(&officer(), "commune_return", v, at).unwrap();
            let at = ocop_engine::Clock::now(&clock);
            let v = b.version;
            b.step(&producer(), "commune_resubmit", v, at).unwrap();
        }
        elapsed += t.elapsed();
        black_box(&b.log);
        done += batch;
    }
    elapsed
}

/// The commands' events of `loops` loops on one case, grouped by command.
fn command_batches(loops: u64) -> Vec<Vec<Event>> {
    let clock = ManualClock::on("2026-06-01".parse().unwrap());
    let engine = engine(&clock);
    let store = MemoryStore::new();
    let mut out = Vec::new();
    out.push(harness().open(&engine, &store, "c").unwrap());
    out.push(
        engine
            .execute(&store, &Command::take("c", producer(), "file_dossier"))
            .unwrap(),
    );
    for _ in 0..loops {
        out.push(
            engine
                .execute(&store, &Command::take("c", officer(), "commune_return"))
                .unwrap(),
        );
        out.push(
            engine
                .execute(&store, &Command::take("c", producer(), "commune_resubmit"))
                .unwrap(),
        );
    }
    out
}

fn run_store(batches: &[Vec<Event>], sync: Synchronous) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::builder(dir.path().join("s.sqlite"))
        .synchronous(sync)
        .open()
        .unwrap();
    let case = CaseId::new("c");
    // The projection each append carries, made beforehand: this measures the store.
    let mut v = 0;
    let summaries: Vec<_> = batches
        .iter()
        .map(|b| {
            v += b.len() as u64;
            ocop_engine::store::conformance::sample_summary(&case, v, "national-2026", None)
        })
        .collect();
    let t = Instant::now();
    let mut v = 0;
    for (b, summary) in batches.iter().zip(&summaries) {
        store
            .append(&ocop_engine::store::Append {
                case: &case,
                expected: v,
                events: b,
                key: None,
                summary,
                snapshot: None,
            })
            .unwrap();
        v += b.len() as u64;
    }
    t.elapsed()
}

fn run_raw(batches: &[Vec<(u64, &'static str, String, String)>], sync: Synchronous) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("r.sqlite")).unwrap();
    let _: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    conn.pragma_update(
        None,
        "synchronous",
        if sync == Synchronous::Full {
            "FULL"
        } else {
            "NORMAL"
        },
    )
    .unwrap();
    conn.execute_batch(
        "CREATE TABLE events (case_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, hash TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (case_id, seq)) WITHOUT ROWID;",
    )
    .unwrap();
    let t = Instant::now();
    for b in batches {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        {
            let mut s = tx
                .prepare_cached("INSERT INTO events (case_id, seq, kind, hash, body) VALUES (?1, ?2, ?3, ?4, ?5)")
                .unwrap();
            for (seq, kind, hash, body) in b {
                s.execute(params!["c", *seq as i64, kind, hash, body])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    t.elapsed()
}

fn rows(batches: &[Vec<Event>]) -> Vec<Vec<(u64, &'static str, String, String)>> {
    batches
        .iter()
        .map(|b| {
            b.iter()
                .map(|e| {
                    (
                        e.seq,
                        e.body.kind(),
                        e.hash.clone(),
                        serde_json::to_string(e).unwrap(),
                    )
                })
                .collect()
        })
        .collect()
}

fn history(n: usize) -> Vec<Event> {
    let loops = (n as u64).div_ceil(3);
    let mut events: Vec<Event> = command_batches(loops).into_iter().flatten().collect();
    events.truncate(n);
    events
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("transitions");
    g.bench_function("engine", |b| b.iter_custom(run_engine));
    g.bench_function("match_baseline", |b| b.iter_custom(run_baseline));
    g.finish();

    let batches = command_batches(100);
    let raw = rows(&batches);
    let mut g = c.benchmark_group("sqlite");
    g.sample_size(10);
    for (name, sync) in [("full", Synchronous::Full), ("normal", Synchronous::Normal)] {
        g.bench_function(format!("store_{name}"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| run_store(&batches, sync)).sum())
        });
        g.bench_function(format!("raw_rusqlite_{name}"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| run_raw(&raw, sync)).sum())
        });
    }
    g.finish();

    let events = history(1000);
    assert_eq!(events.len(), 1000);
    let mut g = c.benchmark_group("history");
    g.bench_function("replay_1000_events", |b| {
        b.iter(|| ocop_engine::replay(black_box(&events)).unwrap())
    });
    g.bench_function("verify_1000_events", |b| {
        b.iter(|| ocop_engine::verify(black_box(&events)).unwrap())
    });
    g.finish();
}

/// The median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut v: Vec<Duration> = (0..runs).map(|_| f()).collect();
    v.sort();
    v[runs / 2]
}

fn ratios() {
    let iters = 2_000;
    let engine = median(7, || run_engine(iters));
    let baseline = median(7, || run_baseline(iters));
    println!(
        "\nratio transitions: engine {:.2} µs/loop, match baseline {:.2} µs/loop: engine takes {:.2}× the baseline (target ≤ 5×)",
        engine.as_secs_f64() * 1e6 / iters as f64,
        baseline.as_secs_f64() * 1e6 / iters as f64,
        engine.as_secs_f64() / baseline.as_secs_f64()
    );
    let batches = command_batches(100);
    let raw = rows(&batches);
    let commands = batches.len() as f64;
    for (name, sync) in [("FULL", Synchronous::Full), ("NORMAL", Synchronous::Normal)] {
        let store = median(5, || run_store(&batches, sync));
        let rawt = median(5, || run_raw(&raw, sync));
        println!(
            "ratio sqlite (synchronous = {name}): store {:.0} commands/s, raw rusqlite {:.0} commands/s: the store reaches {:.0}% of raw throughput (target ≥ 50%)",
            commands / store.as_secs_f64(),
            commands / rawt.as_secs_f64(),
            100.0 * rawt.as_secs_f64() / store.as_secs_f64()
        );
    }
    let events = history(1000);
    let replay = median(7, || {
        let t = Instant::now();
        black_box(ocop_engine::replay(&events).unwrap());
        t.elapsed()
    });
    println!(
        "replay of a 1,000-event case: {:.2} ms",
        replay.as_secs_f64() * 1e3
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
    if !std::env::args().any(|a| a == "--test" || a == "--list") {
        ratios();
    }
}
