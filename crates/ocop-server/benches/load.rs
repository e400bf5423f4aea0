//! A bounded load run on loopback: 32 concurrent clients mixing reads and commands against
//! `ocop serve` on SQLite and, when `OCOP_TEST_POSTGRES` names a server, on PostgreSQL; and
//! the same commands through `Engine::execute` on the same store object (the server is given
//! it with `ServerBuilder::province_store`), in alternating turns, for the cost of HTTP as a
//! ratio from the same run.
//!
//! `cargo bench -p ocop-server --bench load` takes about 50 s: per store, `OCOP_BENCH_SECONDS`
//! (default and at most 12) of alternating ratio runs, then as long of mixed load.
//! `cargo bench -- --test` (CI) runs a few requests of each kind and stops.
//! Only 409/412 (the races the load provokes on purpose) are expected errors; anything else
//! fails the run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs,
    reason = "a benchmark harness fails loudly"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ocop_core::{load_definition, plugin::Scorer};
use ocop_engine::{
    Actor, Command, EngineBuilder, ManualClock, OpenCase, SqliteStore, Store, Timestamp,
};
use ocop_server::{ServerBuilder, StoreConfig};
use serde_json::{Value, json};

const CLIENTS: usize = 32;
/// The transitions a case takes after opening, and who takes them.
const STEPS: [(&str, &str, &str); 4] = [
    ("file_dossier", "producer", "producer"),
    ("commune_propose", "commune", "commune_officer"),
    ("province_accept", "office", "province_office"),
    ("advisory_report", "advisory", "advisory_group"),
];
const PEOPLE: [(&str, &str, &str); 4] = [
    ("producer", "htx-bench", "producer"),
    ("commune", "xa-bench", "commune_officer"),
    ("office", "so-bench", "province_office"),
    ("advisory", "tv-bench", "advisory_group"),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[derive(Default)]
struct Samples {
    by_kind: BTreeMap<&'static str, Vec<Duration>>,
    statuses: BTreeMap<u16, usize>,
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn open_body(id: &str) -> Value {
    json!({
        "id": id, "definition": "national-2026", "registration": "first",
        "product": {"name": "Bench", "product_set": 1, "producer": {"name": "HTX", "kind": "cooperative", "province": "92", "commune": "bench"}},
        "documents": [{"kind": "form_01", "present": true}, {"kind": "form_02", "present": true}, {"kind": "food_safety_certificate", "present": true}]
    })
}

/// `POST /api/v1/cases`: the producer opens `id`.
fn open_request(
    http: &reqwest::Client,
    base: &str,
    keys: &BTreeMap<String, String>,
    id: &str,
) -> reqwest::RequestBuilder {
    http.post(format!("{base}/api/v1/cases"))
        .header("X-Api-Key", &keys["producer"])
        .json(&open_body(id))
}

/// `POST /api/v1/cases/{id}/commands`: `who` takes `transition`.
fn take_request(
    http: &reqwest::Client,
    base: &str,
    keys: &BTreeMap<String, String>,
    id: &str,
    who: &str,
    transition: &str,
) -> reqwest::RequestBuilder {
    http.post(format!("{base}/api/v1/cases/{id}/commands"))
        .header("X-Api-Key", &keys[who])
        .json(&json!({"action": {"type": "take", "transition": transition}}))
}

fn open_case() -> OpenCase {
    serde_json::from_value(json!({
        "product": {"name": "Bench", "product_set": 1, "producer": {"name": "HTX", "kind": "cooperative", "province": "92", "commune": "bench"}},
        "registration": "first",
        "documents": [{"kind": "form_01", "present": true}, {"kind": "form_02", "present": true}, {"kind": "food_safety_certificate", "present": true}]
    }))
    .unwrap()
}

struct Setup {
    dir: PathBuf,
    keys: BTreeMap<String, String>,
}

fn setup(schema: &str) -> Setup {
    let dir = std::env::temp_dir().join(format!("ocop-bench-{}-{schema}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut auth = format!(
        "format = 1\n\n[[provinces]]\nid = \"bench\"\nname = \"Bench\"\nschema = \"{schema}\"\n"
    );
    let mut keys = BTreeMap::new();
    for (name, actor, role) in PEOPLE {
        let made = ocop_server::new_api_key(name).unwrap();
        auth.push_str(&format!(
            "\n[[api_keys]]\nid = \"{name}\"\nhash = \"{}\"\nactor = \"{actor}\"\nroles = [\"{role}\"]\nprovince = \"bench\"\n",
            made.hash
        ));
        keys.insert(name.to_owned(), made.key);
    }
    std::fs::write(dir.join("auth.toml"), auth).unwrap();
    Setup { dir, keys }
}

fn plugins() -> PathBuf {
    let built = ocop_plugin_host::build_plugin(&root().join("plugins/criteria-26-2026")).unwrap();
    built.path.parent().unwrap().to_owned()
}

struct LoadResult {
    samples: Samples,
    elapsed: Duration,
    requests: usize,
}

/// What every client of a load run shares.
#[derive(Clone)]
struct Shared {
    http: reqwest::Client,
    samples: Arc<Mutex<Samples>>,
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
    keys: BTreeMap<String, String>,
    base: String,
    prefix: String,
}

/// `CLIENTS` clients: each opens cases and takes them through the steps; with `mix`, it
/// also reads the case after every command and a list page every 16th case, and a racing
/// pair sends two commands with the same `If-Match` on shared cases (one gets 412).
async fn load(
    base: &str,
    keys: &BTreeMap<String, String>,
    run: Duration,
    prefix: &str,
    max_cases: usize,
    mix: bool,
) -> LoadResult {
    let shared = Shared {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(CLIENTS)
            .build()
            .unwrap(),
        samples: Arc::new(Mutex::new(Samples::default())),
        stop: Arc::new(AtomicBool::new(false)),
        requests: Arc::new(AtomicUsize::new(0)),
        keys: keys.clone(),
        base: base.to_owned(),
        prefix: prefix.to_owned(),
    };
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let Shared {
            http,
            samples,
            stop,
            requests,
            keys,
            base,
            prefix,
        } = shared.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0usize;
            let send = |kind: &'static str, req: reqwest::RequestBuilder| {
                let samples = Arc::clone(&samples);
                let requests = Arc::clone(&requests);
                async move {
                    let t = Instant::now();
                    let r = req.send().await.unwrap();
                    let status = r.status().as_u16();
                    let body: Value = r.json().await.unwrap_or(Value::Null);
                    let took = t.elapsed();
                    requests.fetch_add(1, Ordering::Relaxed);
                    let mut s = samples.lock().unwrap();
                    *s.statuses.entry(status).or_default() += 1;
                    if status < 300 {
                        s.by_kind.entry(kind).or_default().push(took);
                    }
                    (status, body)
                }
            };
            while !stop.load(Ordering::Relaxed) && n < max_cases {
                let id = format!("{prefix}-{c:02}-{n:05}");
                n += 1;
                let (st, _) = send("open", open_request(&http, &base, &keys, &id)).await;
                assert_eq!(st, 201);
                for (transition, who, _) in STEPS {
                    let (st, b) = send(
                        "command",
                        take_request(&http, &base, &keys, &id, who, transition),
                    )
                    .await;
                    assert_eq!(st, 200, "{b}");
                    if mix {
                        let (st, _) = send(
                            "read case",
                            http.get(format!("{base}/api/v1/cases/{id}"))
                                .header("X-Api-Key", &keys["office"]),
                        )
                        .await;
                        assert_eq!(st, 200);
                    }
                }
                if mix && n.is_multiple_of(16) {
                    let (st, _) = send(
                        "list page",
                        http.get(format!(
                            "{base}/api/v1/cases?limit=20&state=advisory_review"
                        ))
                        .header("X-Api-Key", &keys["office"]),
                    )
                    .await;
                    assert_eq!(st, 200);
                }
            }
        }));
    }
    let racer = {
        let sh = shared.clone();
        tokio::spawn(async move {
            let mut n = 0;
            while mix && !sh.stop.load(Ordering::Relaxed) && n < max_cases {
                let id = format!("{}-race-{n:05}", sh.prefix);
                n += 1;
                let r = open_request(&sh.http, &sh.base, &sh.keys, &id)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
                let racing = || {
                    take_request(
                        &sh.http,
                        &sh.base,
                        &sh.keys,
                        &id,
                        "producer",
                        "file_dossier",
                    )
                    .header("If-Match", "\"1\"")
                    .send()
                };
                let (a, b) = tokio::join!(racing(), racing());
                let mut st = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
                st.sort_unstable();
                assert_eq!(st, [200, 412], "one of two racing commands wins");
                sh.requests.fetch_add(3, Ordering::Relaxed);
                let mut s = sh.samples.lock().unwrap();
                *s.statuses.entry(201).or_default() += 1;
                for x in st {
                    *s.statuses.entry(x).or_default() += 1;
                }
            }
        })
    };
    tokio::time::sleep(run).await;
    shared.stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    racer.await.unwrap();
    let elapsed = started.elapsed();
    let Shared {
        samples, requests, ..
    } = shared;
    let samples = Arc::try_unwrap(samples).ok().unwrap().into_inner().unwrap();
    LoadResult {
        samples,
        elapsed,
        requests: requests.load(Ordering::Relaxed),
    }
}

/// An engine for national-2026 with the criteria plugin, built as the server builds it.
fn engine() -> Arc<ocop_engine::Engine> {
    let text = std::fs::read_to_string(root().join("workflows/national-2026.toml")).unwrap();
    let cycle = load_definition("national-2026.toml", &text).unwrap();
    let host = ocop_plugin_host::PluginHostBuilder::new()
        .cache_dir(std::env::temp_dir().join("ocop-plugin-cache"))
        .build()
        .unwrap();
    let scorer = host
        .load_scorer_file(&plugins().join("ocop_criteria_26_2026.wasm"), None)
        .unwrap();
    let clock = ManualClock::new(Timestamp::vn("2026-06-01".parse().unwrap(), 9, 0));
    Arc::new(
        EngineBuilder::new(cycle)
            .clock(clock)
            .scorer("criteria-26-2026", Arc::new(scorer) as Arc<dyn Scorer>)
            .build()
            .unwrap(),
    )
}

/// The same commands through `Engine::execute` on the same store, with `threads` threads.
fn engine_baseline(
    engine: &Arc<ocop_engine::Engine>,
    store: &Arc<dyn Store>,
    run: Duration,
    threads: usize,
    prefix: &str,
    max_cases: usize,
) -> Vec<Duration> {
    let stop = Arc::new(AtomicBool::new(false));
    let all = Arc::new(Mutex::new(Vec::new()));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (engine, store, stop, all) = (
                Arc::clone(engine),
                Arc::clone(store),
                Arc::clone(&stop),
                Arc::clone(&all),
            );
            let prefix = prefix.to_owned();
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) && n < max_cases {
                    let id = format!("{prefix}-{t:02}-{n:05}");
                    n += 1;
                    engine
                        .execute(
                            store.as_ref(),
                            &Command::open(
                                id.as_str(),
                                Actor::new("htx-bench", "producer"),
                                open_case(),
                            ),
                        )
                        .unwrap();
                    for (transition, _, role) in STEPS {
                        let actor = Actor::new(format!("{role}-bench"), role);
                        let cmd = Command::take(id.as_str(), actor, transition);
                        let t0 = Instant::now();
                        engine.execute(store.as_ref(), &cmd).unwrap();
                        mine.push(t0.elapsed());
                    }
                }
                all.lock().unwrap().extend(mine);
            })
        })
        .collect();
    std::thread::sleep(run);
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().unwrap();
    }
    Arc::try_unwrap(all).ok().unwrap().into_inner().unwrap()
}

struct Ratios {
    http_1: Vec<Duration>,
    engine_1: Vec<Duration>,
    http_32: Vec<Duration>,
    engine_32: Vec<Duration>,
}

fn report(name: &str, r: &mut LoadResult, q: &mut Ratios) -> Value {
    println!(
        "\n== {name}: {CLIENTS} clients for {:.1} s on loopback",
        r.elapsed.as_secs_f64()
    );
    println!(
        "{:<12} {:>9} {:>10} {:>10}",
        "request", "count", "p50 ms", "p99 ms"
    );
    let mut kinds = serde_json::Map::new();
    for (kind, v) in &mut r.samples.by_kind {
        let (p50, p99) = (pct(v, 0.5), pct(v, 0.99));
        println!(
            "{kind:<12} {:>9} {:>10.2} {:>10.2}",
            v.len(),
            ms(p50),
            ms(p99)
        );
        kinds.insert(
            (*kind).into(),
            json!({"count": v.len(), "p50_ms": ms(p50), "p99_ms": ms(p99)}),
        );
    }
    let rps = r.requests as f64 / r.elapsed.as_secs_f64();
    println!("requests/s: {rps:.0}; statuses: {:?}", r.samples.statuses);
    let unexpected: usize = r
        .samples
        .statuses
        .iter()
        .filter(|(s, _)| !matches!(**s, 200 | 201 | 409 | 412))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(
        unexpected, 0,
        "errors other than 409/412: {:?}",
        r.samples.statuses
    );
    // The median command over HTTP against `Engine::execute`, one client, then `CLIENTS`.
    let p50 = |what: String, http: &mut [Duration], engine: &mut [Duration]| {
        let (h, e) = (pct(http, 0.5), pct(engine, 0.5));
        println!(
            "command p50, {what} ({} vs {} commands): HTTP {:.2} ms vs Engine::execute {:.2} ms: {:.2}x",
            http.len(),
            engine.len(),
            ms(h),
            ms(e),
            ms(h) / ms(e)
        );
        (h, e)
    };
    let (h1, e1) = p50("one client".into(), &mut q.http_1, &mut q.engine_1);
    let (h32, e32) = p50(
        format!("{CLIENTS} clients vs {CLIENTS} threads"),
        &mut q.http_32,
        &mut q.engine_32,
    );
    json!({
        "store": name, "clients": CLIENTS, "seconds": r.elapsed.as_secs_f64(), "requests_per_second": rps,
        "statuses": r.samples.statuses, "requests": kinds,
        "command_p50_ms": {"http_1": ms(h1), "engine_1": ms(e1), "ratio_1": ms(h1) / ms(e1), "http_32": ms(h32), "engine_32": ms(e32), "ratio_32": ms(h32) / ms(e32)}
    })
}

/// One client's commands over HTTP, for the sequential ratio.
async fn http_sequential(
    base: &str,
    keys: &BTreeMap<String, String>,
    run: Duration,
    prefix: &str,
    max_cases: usize,
) -> Vec<Duration> {
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut out = Vec::new();
    let mut n = 0;
    while started.elapsed() < run && n < max_cases {
        let id = format!("{prefix}-{n:05}");
        n += 1;
        let r = open_request(&http, base, keys, &id).send().await.unwrap();
        assert_eq!(r.status(), 201);
        for (transition, who, _) in STEPS {
            let t = Instant::now();
            let r = take_request(&http, base, keys, &id, who, transition)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            let _ = r.bytes().await.unwrap();
            out.push(t.elapsed());
        }
    }
    out
}

fn bench_store(
    runtime: &tokio::runtime::Runtime,
    name: &str,
    pg: Option<&str>,
    phase: Duration,
    max_cases: usize,
) -> Value {
    let schema = format!("bench_{}_{}", name, std::process::id());
    let s = setup(&schema);
    let store_config = match pg {
        Some(url) => StoreConfig::Postgres {
            url: url.to_owned(),
            max_connections: 16,
        },
        None => StoreConfig::Sqlite(s.dir.join("bench.sqlite")),
    };
    let plugin_dir = plugins();
    // One store object for the server and for the engine alone: the same connections.
    let store: Arc<dyn Store> = match pg {
        Some(url) => Arc::new(
            ocop_store_postgres::PostgresStore::builder(url)
                .schema(schema.clone())
                .max_connections(CLIENTS)
                .open()
                .unwrap(),
        ),
        None => Arc::new(SqliteStore::open(s.dir.join("bench.sqlite")).unwrap()),
    };
    let out = runtime.block_on(async {
        let server = ServerBuilder::new(
            root().join("workflows"),
            store_config,
            s.dir.join("auth.toml"),
        )
        .plugins(plugin_dir)
        .listen("127.0.0.1:0".parse().unwrap())
        .rate_limit(1e9, u32::MAX)
        .tick_every(None)
        .clock(Arc::new(ManualClock::new(Timestamp::vn(
            "2026-06-01".parse().unwrap(),
            9,
            0,
        ))))
        .start()
        .await
        .unwrap();
        let base = format!("http://{}", server.local_addr());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve(async move {
            let _ = rx.await;
        }));
        // Warm the key cache (argon2 once per key) and the engine.
        let _ = http_sequential(&base, &s.keys, Duration::from_millis(300), "warm", 2).await;
        let engine = tokio::task::spawn_blocking(engine).await.unwrap();
        // The ratios: HTTP and the engine alone take turns on the same store, so that
        // neither works on a store that is smaller, warmer or emptier than the other's.
        let mut q = Ratios {
            http_1: Vec::new(),
            engine_1: Vec::new(),
            http_32: Vec::new(),
            engine_32: Vec::new(),
        };
        let rounds = 4u32;
        let slice = phase / (4 * rounds);
        for r in 0..rounds {
            q.http_1.extend(
                http_sequential(&base, &s.keys, slice, &format!("seq{r}"), max_cases).await,
            );
            let (e, st, p) = (Arc::clone(&engine), Arc::clone(&store), format!("eng1r{r}"));
            q.engine_1.extend(
                tokio::task::spawn_blocking(move || {
                    engine_baseline(&e, &st, slice, 1, &p, max_cases)
                })
                .await
                .unwrap(),
            );
            let mut h = load(&base, &s.keys, slice, &format!("par{r}"), max_cases, false).await;
            q.http_32
                .append(h.samples.by_kind.entry("command").or_default());
            let (e, st, p) = (
                Arc::clone(&engine),
                Arc::clone(&store),
                format!("eng32r{r}"),
            );
            q.engine_32.extend(
                tokio::task::spawn_blocking(move || {
                    engine_baseline(&e, &st, slice, CLIENTS, &p, max_cases)
                })
                .await
                .unwrap(),
            );
        }
        // The mixed load: commands, reads, list pages and provoked races.
        let mut result = load(&base, &s.keys, phase, "load", max_cases, true).await;
        let _ = tx.send(());
        serving.await.unwrap().unwrap();
        report(name, &mut result, &mut q)
    });
    drop(store);
    out
}

fn main() {
    let smoke = std::env::args().any(|a| a == "--test");
    let phase = if smoke {
        Duration::from_millis(500)
    } else {
        let s: u64 = std::env::var("OCOP_BENCH_SECONDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(12);
        Duration::from_secs(s.clamp(1, 12))
    };
    let max_cases = if smoke { 2 } else { usize::MAX };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut results = vec![bench_store(&runtime, "sqlite", None, phase, max_cases)];
    match std::env::var("OCOP_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => results.push(bench_store(
            &runtime,
            "postgres",
            Some(&url),
            phase,
            max_cases,
        )),
        _ => println!("\n(PostgreSQL skipped: set OCOP_TEST_POSTGRES=postgres://… to include it)"),
    }
    if !smoke {
        let out = root().join("target/ocop-bench");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(
            out.join("server-load.json"),
            serde_json::to_string_pretty(&results).unwrap(),
        )
        .unwrap();
        println!("\nwritten: target/ocop-bench/server-load.json");
    }
}
