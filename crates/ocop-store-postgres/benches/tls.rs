//! The cost of TLS per command: the same store operations over a plaintext connection
//! (`sslmode=disable`) and over TLS (`sslmode=verify-full`), against the same server in the
//! same run, with the ratios printed at the end:
//! - `version`: one round trip reading a case's version;
//! - `load_100`: reading a 100-event case (about 60 KB of rows);
//! - `append`: a command's transaction (lock the row, check, insert, bump, commit);
//! - `open`: a new store, whose first connection pays the TLS handshake.
//!
//! Needs `OCOP_TEST_POSTGRES` pointing at a server with TLS and a URL carrying its
//! `sslrootcert` (as `.ci/run` sets up); says so and does nothing otherwise.
//! `cargo bench -p ocop-store-postgres --bench tls` (full run) or with `-- --test` (a smoke
//! run that checks each benchmark once).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs,
    reason = "a benchmark stops at the first failure"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use ocop_engine::store::conformance::sample_events;
use ocop_engine::{CaseId, GENESIS_HASH, Store};
use ocop_store_postgres::PostgresStore;

struct Pair {
    plain_url: String,
    tls_url: String,
    plain: PostgresStore,
    tls: PostgresStore,
}

/// The server's URL as given (TLS) and the same with `sslmode=disable`.
fn pair() -> Option<Pair> {
    let url = std::env::var("OCOP_TEST_POSTGRES").ok()?;
    let (base, query) = url.split_once('?')?;
    if !query.contains("sslrootcert=") {
        return None;
    }
    let plain_query: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.starts_with("sslmode=") && !kv.starts_with("sslrootcert="))
        .chain(["sslmode=disable"])
        .collect();
    let plain_url = format!("{base}?{}", plain_query.join("&"));
    let schema = format!("bench_tls_{}", std::process::id());
    let open = |u: &str, tag: &str| {
        PostgresStore::builder(u)
            .schema(format!("{schema}_{tag}"))
            .max_connections(1)
            .fresh(true)
            .open()
            .unwrap()
    };
    let plain = open(&plain_url, "plain");
    let tls = open(&url, "tls");
    assert_eq!(plain.transport().unwrap().tls_version, None);
    assert!(tls.transport().unwrap().tls_version.is_some());
    Some(Pair {
        plain,
        tls,
        plain_url,
        tls_url: url,
    })
}

/// Appends `n` events to `case`, one command each.
fn appends(store: &PostgresStore, case: &CaseId, n: u64) -> Duration {
    let start = store.version(case).unwrap();
    let mut prev = store
        .load(case, start.saturating_sub(1))
        .unwrap()
        .last()
        .map_or(GENESIS_HASH.to_owned(), |e| e.hash.clone());
    let mut elapsed = Duration::ZERO;
    for version in start..start + n {
        let events = sample_events(case, version, &prev, 1);
        let t = Instant::now();
        store.append(case, version, &events, None).unwrap();
        elapsed += t.elapsed();
        prev.clone_from(&events[0].hash);
    }
    elapsed
}

fn seed(store: &PostgresStore) -> CaseId {
    let case = CaseId::new("hundred");
    if store.version(&case).unwrap() == 0 {
        let events = sample_events(&case, 0, GENESIS_HASH, 100);
        store.append(&case, 0, &events, None).unwrap();
    }
    case
}

fn benches(c: &mut Criterion, p: &Pair) {
    let mut g = c.benchmark_group("postgres");
    g.sample_size(20);
    for (name, store, url) in [
        ("plain", &p.plain, &p.plain_url),
        ("tls", &p.tls, &p.tls_url),
    ] {
        let hundred = seed(store);
        g.bench_function(format!("version_{name}"), |b| {
            b.iter(|| black_box(store.version(&hundred).unwrap()));
        });
        g.bench_function(format!("load_100_{name}"), |b| {
            b.iter(|| black_box(store.load(&hundred, 0).unwrap()));
        });
        let case = CaseId::new("appended");
        g.bench_function(format!("append_{name}"), |b| {
            b.iter_custom(|iters| appends(store, &case, iters));
        });
        let schema = store.schema().to_owned();
        g.bench_function(format!("open_{name}"), |b| {
            b.iter(|| {
                black_box(
                    PostgresStore::builder(url.as_str())
                        .schema(&schema)
                        .open()
                        .unwrap(),
                )
            });
        });
    }
    g.finish();
}

fn median(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut v: Vec<Duration> = (0..runs).map(|_| f()).collect();
    v.sort();
    v[runs / 2]
}

/// Per-command times, plaintext and TLS interleaved run by run so that both see the same
/// machine load, and their ratio.
fn ratios(p: &Pair) {
    const N: u32 = 300;
    let hundred = (seed(&p.plain), seed(&p.tls));
    let time = |f: &dyn Fn()| {
        let t = Instant::now();
        for _ in 0..N {
            f();
        }
        t.elapsed() / N
    };
    type Op<'a> = Box<dyn Fn(&PostgresStore, &CaseId) -> Duration + 'a>;
    let ops: Vec<(&str, Op)> = vec![
        (
            "version",
            Box::new(|s, c| {
                time(&|| {
                    black_box(s.version(c).unwrap());
                })
            }),
        ),
        (
            "load_100",
            Box::new(|s, c| {
                time(&|| {
                    black_box(s.load(c, 0).unwrap());
                })
            }),
        ),
        (
            "append",
            Box::new(|s, _| appends(s, &CaseId::new("ratio"), u64::from(N)) / N),
        ),
    ];
    for (name, op) in ops {
        let mut plain = Vec::new();
        let mut tls = Vec::new();
        for _ in 0..7 {
            plain.push(op(&p.plain, &hundred.0));
            tls.push(op(&p.tls, &hundred.1));
        }
        let (mut it, mut pl) = (plain.into_iter(), tls.into_iter());
        let plain = median(7, || it.next().unwrap());
        let tls = median(7, || pl.next().unwrap());
        println!(
            "ratio {name}: plaintext {:.1} µs, TLS {:.1} µs per command: TLS takes {:.2}× plaintext",
            plain.as_secs_f64() * 1e6,
            tls.as_secs_f64() * 1e6,
            tls.as_secs_f64() / plain.as_secs_f64()
        );
    }
    let open = |url: &str, schema: &str| {
        median(7, || {
            let t = Instant::now();
            drop(PostgresStore::builder(url).schema(schema).open().unwrap());
            t.elapsed()
        })
    };
    let plain = open(&p.plain_url, p.plain.schema());
    let tls = open(&p.tls_url, p.tls.schema());
    println!(
        "ratio open (first connection, TLS handshake included): plaintext {:.2} ms, TLS {:.2} ms: TLS takes {:.2}× plaintext",
        plain.as_secs_f64() * 1e3,
        tls.as_secs_f64() * 1e3,
        tls.as_secs_f64() / plain.as_secs_f64()
    );
}

fn main() {
    let Some(pair) = pair() else {
        println!(
            "skipped: set OCOP_TEST_POSTGRES to a TLS server's URL with sslrootcert (as .ci/run does) to measure the cost of TLS"
        );
        return;
    };
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c, &pair);
    c.final_summary();
    if !std::env::args().any(|a| a == "--test" || a == "--list") {
        ratios(&pair);
    }
}
