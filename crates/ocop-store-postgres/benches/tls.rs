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
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark stops at the first failure"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use ocop_engine::store::conformance::{append_sample, sample_events};
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
        append_sample(store, case, version, &events, None).unwrap();
        elapsed += t.elapsed();
        prev.clone_from(&events[0].hash);
    }
    elapsed
}

fn seed(store: &PostgresStore) -> CaseId {
    let case = CaseId::new("hundred");
    if store.version(&case).unwrap() == 0 {
        let events = sample_events(&case, 0, GENESIS_HASH, 100);
        append_sample(store, &case, 0, &events, None).unwrap();
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

/// Per-command times, plaintext and TLS, in many short rounds that alternate between the
/// two so that each pair sees the same machine load (the development machine is shared);
/// the ratio is the median of the rounds' ratios, with its quartiles.
fn ratios(p: &Pair) {
    const ROUNDS: usize = 31;
    const N: u32 = 40;
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
        (
            "open (a new store: TLS handshake included)",
            Box::new(|s, _| {
                let url = if std::ptr::eq(s, &p.plain) {
                    &p.plain_url
                } else {
                    &p.tls_url
                };
                let t = Instant::now();
                drop(
                    PostgresStore::builder(url.as_str())
                        .schema(s.schema())
                        .open()
                        .unwrap(),
                );
                t.elapsed()
            }),
        ),
    ];
    for (name, op) in ops {
        let mut plain = Vec::with_capacity(ROUNDS);
        let mut tls = Vec::with_capacity(ROUNDS);
        let mut ratio = Vec::with_capacity(ROUNDS);
        for round in 0..ROUNDS {
            // Alternate which goes first, so neither always follows the other.
            let (a, b) = if round % 2 == 0 {
                let a = op(&p.plain, &hundred.0);
                (a, op(&p.tls, &hundred.1))
            } else {
                let b = op(&p.tls, &hundred.1);
                (op(&p.plain, &hundred.0), b)
            };
            plain.push(a.as_secs_f64());
            tls.push(b.as_secs_f64());
            ratio.push(b.as_secs_f64() / a.as_secs_f64());
        }
        for v in [&mut plain, &mut tls, &mut ratio] {
            v.sort_by(f64::total_cmp);
        }
        let (q1, q2, q3) = (ROUNDS / 4, ROUNDS / 2, 3 * ROUNDS / 4);
        println!(
            "ratio {name}: plaintext {:.1} µs, TLS {:.1} µs (medians): TLS takes {:.2}× plaintext (quartiles {:.2}–{:.2}, {ROUNDS} paired rounds)",
            plain[q2] * 1e6,
            tls[q2] * 1e6,
            ratio[q2],
            ratio[q1],
            ratio[q3]
        );
    }
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
