//! National scale: ticks over many cases when nothing is due, and the cost of a command,
//! on SQLite (`synchronous = NORMAL`: commits are not synced, so fsync is left out).
//!
//! For 2,000 and 20,000 cases (each opened and filed, so each waits in the commune's review
//! with a 15-working-day deadline in the index), it prints the median wall time of a command
//! while the cases are built, and the median of 20 ticks on a day before any deadline, with
//! the ratio of the two tick figures. The ticks read the due-date index: their cost must not
//! follow the number of cases.
//!
//! `cargo bench -p ocop-engine --bench national` (full run, about a minute) or
//! `cargo bench -p ocop-engine --bench national -- --test` (200 and 2,000 cases).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs,
    reason = "a benchmark stops at the first failure"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use ocop_core::{Date, DossierDocument, Producer, ProducerKind, ProductSet, RegistrationType};
use ocop_engine::{
    Actor, Command, EngineBuilder, ManualClock, OpenCase, Product, SqliteStore, Synchronous,
    Timestamp,
};

fn open(i: usize) -> OpenCase {
    OpenCase {
        product: Product {
            name: format!("Sản phẩm {i}"),
            product_set: ProductSet::new(u8::try_from(i % 26 + 1).unwrap()).unwrap(),
            producer: Producer {
                name: format!("HTX {i}"),
                kind: ProducerKind::Cooperative,
                province: "92".into(),
                commune: format!("xa-{}", i % 80),
                district: None,
            },
        },
        registration: RegistrationType::First,
        documents: ["form_01", "form_02"]
            .map(|kind| DossierDocument {
                kind: kind.into(),
                present: true,
                valid_until: None,
            })
            .to_vec(),
        facts: Default::default(),
        certificate: None,
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Builds `n` cases and returns (median command time, median tick time with nothing due).
fn scale(n: usize) -> (Duration, Duration) {
    let text = include_str!("../../../workflows/national-2026.toml");
    let cycle = ocop_core::load_definition("national-2026.toml", text).unwrap();
    let clock = ManualClock::on(Date::new(2026, 6, 1).unwrap());
    let engine = EngineBuilder::new(cycle)
        .clock(clock)
        .scorer(
            "criteria-26-2026",
            Arc::new(ocop_criteria_26_2026::NativeScorer::new()),
        )
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::builder(dir.path().join("national.sqlite"))
        .synchronous(Synchronous::Normal)
        .open()
        .unwrap();
    let mut commands = Vec::with_capacity(2 * n);
    for i in 0..n {
        let case = format!("VN-{i:06}");
        let producer = Actor::new(format!("p-{i}"), "producer");
        for cmd in [
            Command::open(case.as_str(), producer.clone(), open(i)),
            Command::take(case.as_str(), producer, "file_dossier"),
        ] {
            let t = Instant::now();
            engine.execute(&store, &cmd).unwrap();
            commands.push(t.elapsed());
        }
    }
    // 22 June is the deadline's last day: nothing fires before 23 June.
    let on = Timestamp::vn(Date::new(2026, 6, 22).unwrap(), 17, 0);
    let mut ticks = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let report = engine.tick(&store, on).unwrap();
        ticks.push(t.elapsed());
        assert!(report.fired.is_empty() && report.failed.is_empty());
    }
    (median(commands), median(ticks))
}

fn main() {
    let smoke = std::env::args().any(|a| a == "--test");
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let sizes = if smoke { [200, 2_000] } else { [2_000, 20_000] };
    let results: Vec<(usize, Duration, Duration)> = sizes
        .iter()
        .map(|&n| {
            let (command, tick) = scale(n);
            (n, command, tick)
        })
        .collect();
    println!("| cases | median command (open / file) | median tick, nothing due |");
    println!("|---|---|---|");
    for (n, command, tick) in &results {
        println!(
            "| {n} | {:.0} µs | {:.3} ms |",
            command.as_secs_f64() * 1e6,
            tick.as_secs_f64() * 1e3
        );
    }
    if let [(_, _, small), (_, _, large)] = results.as_slice() {
        println!(
            "tick ratio {}×cases: {:.2}×",
            sizes[1] / sizes[0],
            large.as_secs_f64() / small.as_secs_f64().max(1e-9)
        );
    }
}
