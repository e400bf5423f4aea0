//! The PostgreSQL store against a live server: the engine's store-conformance suite, and two
//! processes racing on the same cases. Set `OCOP_TEST_POSTGRES` to a connection URL (CI
//! does); without it these tests say so and pass without running.
#![cfg(test)]

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Instant;

use ocop_engine::store::conformance;
use ocop_engine::{CaseId, Store, StoreError};
use ocop_store_postgres::PostgresStore;

mod common;
use common::{fresh_schema, server};

#[test]
fn passes_the_store_conformance_suite() {
    let Some(url) = server() else { return };
    let failures = conformance::run_all(|| {
        PostgresStore::builder(&url)
            .schema(fresh_schema("conf"))
            .max_connections(8)
            .open()
            .unwrap()
    });
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn unreachable_server_is_a_clear_error() {
    let err = PostgresStore::open("postgres://nobody:secret@127.0.0.1:1/none").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("cannot connect to PostgreSQL"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}

const CASES: usize = 6;
const ROUNDS: u64 = 40;

/// One racer: for each round, read every case's version and try to append the next event.
/// Prints `wins=N attempts=M seconds=S` for the parent.
fn race(url: &str, schema: &str, racer: &str) {
    let store = PostgresStore::builder(url)
        .schema(schema)
        .max_connections(2)
        .open()
        .unwrap();
    let (mut wins, mut attempts) = (0u64, 0u64);
    let start = Instant::now();
    for _ in 0..ROUNDS {
        for c in 0..CASES {
            let case = CaseId::from(format!("case-{c}"));
            loop {
                let version = store.version(&case).unwrap();
                if version >= ROUNDS {
                    break;
                }
                let prev = store
                    .load(&case, version.saturating_sub(1))
                    .unwrap()
                    .last()
                    .map_or(ocop_engine::GENESIS_HASH.to_owned(), |e| e.hash.clone());
                let events = conformance::sample_events(&case, version, &prev, 1);
                attempts += 1;
                let key = ocop_engine::store::IdempotencyRecord {
                    key: format!("{racer}-{version}"),
                    fingerprint: racer.to_owned(),
                };
                let summary = conformance::sample_summary(&case, version + 1, "race", None);
                let append = ocop_engine::store::Append {
                    case: &case,
                    expected: version,
                    events: &events,
                    key: Some(&key),
                    summary: &summary,
                    snapshot: None,
                };
                match store.append(&append) {
                    Ok(()) => {
                        wins += 1;
                        break;
                    }
                    Err(StoreError::Conflict { .. }) => continue,
                    Err(e) => panic!("{racer}: {e}"),
                }
            }
        }
    }
    println!(
        "wins={wins} attempts={attempts} seconds={:.3}",
        start.elapsed().as_secs_f64()
    );
}

#[test]
fn race_child() {
    // Runs only when the parent test starts this binary as a racer.
    if let (Ok(url), Ok(schema), Ok(racer)) = (
        std::env::var("OCOP_RACE_URL"),
        std::env::var("OCOP_RACE_SCHEMA"),
        std::env::var("OCOP_RACE_NAME"),
    ) {
        race(&url, &schema, &racer);
    }
}

fn spawn_racers(url: &str, schema: &str, n: usize) -> Vec<BTreeMap<String, f64>> {
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..n)
        .map(|i| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "race_child",
                    "--nocapture",
                    "--test-threads",
                    "1",
                ])
                .env("OCOP_RACE_URL", url)
                .env("OCOP_RACE_SCHEMA", schema)
                .env("OCOP_RACE_NAME", format!("racer{i}"))
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "a racer failed: {}",
                String::from_utf8_lossy(&out.stdout)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            let line = text
                .lines()
                .find_map(|l| l.find("wins=").and_then(|i| l.get(i..)))
                .unwrap_or_else(|| panic!("no result in {text}"))
                .to_owned();
            line.split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.parse().unwrap()))
                .collect()
        })
        .collect()
}

/// An engine for `national-2026` on the store, as each node builds it.
fn engine() -> ocop_engine::Engine {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../workflows/national-2026.toml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let cycle = ocop_core::load_definition(path, &text).unwrap();
    let clock = ocop_engine::ManualClock::on(ocop_core::Date::new(2026, 6, 1).unwrap());
    ocop_engine::EngineBuilder::new(cycle)
        .clock(clock)
        .scorer(
            "criteria-26-2026",
            std::sync::Arc::new(ocop_criteria_26_2026::NativeScorer::new()),
        )
        .build()
        .unwrap()
}

fn producer() -> ocop_engine::Actor {
    ocop_engine::Actor::new("htx-thoi-lai", "producer")
}

const ENGINE_CASES: usize = 4;
const ENGINE_ROUNDS: usize = 30;

/// One engine node: for each round and case, decide a command on the case as the store has
/// it and append it at that version; on a conflict, decide again. Each success is retried
/// once with the same idempotency key, which must return the same events and append nothing.
fn engine_race(url: &str, schema: &str, racer: &str) {
    use ocop_engine::{Action, Command, CommandError};
    let store = PostgresStore::builder(url)
        .schema(schema)
        .max_connections(2)
        .open()
        .unwrap();
    let engine = engine();
    let (mut wins, mut conflicts) = (0u64, 0u64);
    let start = Instant::now();
    for round in 0..ENGINE_ROUNDS {
        for c in 0..ENGINE_CASES {
            let id = CaseId::from(format!("case-{c}"));
            loop {
                let version = engine.case(&store, &id).unwrap().version();
                let command = Command::new(
                    id.clone(),
                    producer(),
                    Action::RecordFacts {
                        facts: [(format!("{racer}_{round}"), true)].into_iter().collect(),
                    },
                )
                .expecting(version)
                .idempotency_key(format!("{racer}-{round}-{c}"));
                match engine.execute(&store, &command) {
                    Ok(events) => {
                        wins += 1;
                        let again = engine.execute(&store, &command).unwrap();
                        assert_eq!(
                            again, events,
                            "an idempotent retry returns the original events"
                        );
                        break;
                    }
                    Err(CommandError::Conflict { .. }) => conflicts += 1,
                    Err(e) => panic!("{racer}: {e}"),
                }
            }
        }
    }
    println!(
        "wins={wins} attempts={} seconds={:.3}",
        wins + conflicts,
        start.elapsed().as_secs_f64()
    );
}

#[test]
fn engine_race_child() {
    if let (Ok(url), Ok(schema), Ok(racer)) = (
        std::env::var("OCOP_ENGINE_RACE_URL"),
        std::env::var("OCOP_RACE_SCHEMA"),
        std::env::var("OCOP_RACE_NAME"),
    ) {
        engine_race(&url, &schema, &racer);
    }
}

#[test]
fn two_engine_processes_racing_commands_get_one_success_per_version() {
    let Some(url) = server() else { return };
    for racers in [1usize, 2] {
        let schema = fresh_schema("engine");
        let store = PostgresStore::builder(&url).schema(&schema).open().unwrap();
        let engine = engine();
        for c in 0..ENGINE_CASES {
            let open = ocop_engine::OpenCase {
                product: ocop_engine::Product {
                    name: format!("Bánh tráng {c}"),
                    product_set: ocop_core::ProductSet::new(6).unwrap(),
                    producer: ocop_core::domain::Producer {
                        name: "HTX Thới Lai".into(),
                        kind: ocop_core::domain::ProducerKind::Cooperative,
                        province: "92".into(),
                        commune: "Thới Lai".into(),
                        district: None,
                    },
                },
                registration: ocop_core::domain::RegistrationType::First,
                documents: vec![],
                facts: Default::default(),
                certificate: None,
            };
            engine
                .execute(
                    &store,
                    &ocop_engine::Command::open(format!("case-{c}"), producer(), open),
                )
                .unwrap();
        }
        let exe = std::env::current_exe().unwrap();
        let started = Instant::now();
        let children: Vec<_> = (0..racers)
            .map(|i| {
                Command::new(&exe)
                    .args([
                        "--exact",
                        "engine_race_child",
                        "--nocapture",
                        "--test-threads",
                        "1",
                    ])
                    .env("OCOP_ENGINE_RACE_URL", &url)
                    .env("OCOP_RACE_SCHEMA", &schema)
                    .env("OCOP_RACE_NAME", format!("node{i}"))
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut wins = 0.0;
        let mut attempts = 0.0;
        for child in children {
            let out = child.wait_with_output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(out.status.success(), "a node failed: {text}");
            let line = text
                .lines()
                .find_map(|l| l.find("wins=").and_then(|i| l.get(i..)))
                .unwrap()
                .to_owned();
            let kv: BTreeMap<String, f64> = line
                .split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.parse().unwrap()))
                .collect();
            wins += kv["wins"];
            attempts += kv["attempts"];
        }
        let seconds = started.elapsed().as_secs_f64();
        let expected = (racers * ENGINE_CASES * ENGINE_ROUNDS) as u64;
        assert_eq!(wins as u64, expected, "each command committed exactly once");
        for c in 0..ENGINE_CASES {
            let id = CaseId::from(format!("case-{c}"));
            let history = store.load(&id, 0).unwrap();
            assert_eq!(
                history.len() as u64,
                1 + (racers * ENGINE_ROUNDS) as u64,
                "no lost or duplicated event"
            );
            ocop_engine::verify(&history).unwrap();
            let case = ocop_engine::replay(&history).unwrap();
            assert_eq!(
                case.facts().len(),
                racers * ENGINE_ROUNDS,
                "every node's every fact, once"
            );
        }
        eprintln!(
            "{racers} engine process(es): {wins} commands in {seconds:.2} s ({:.0} commands/s), {} conflicts retried",
            wins / seconds,
            attempts - wins
        );
    }
}

#[test]
fn two_processes_racing_get_exactly_one_success_per_version() {
    let Some(url) = server() else { return };
    for racers in [1, 2] {
        let schema = fresh_schema("race");
        drop(PostgresStore::builder(&url).schema(&schema).open().unwrap());
        let started = Instant::now();
        let results = spawn_racers(&url, &schema, racers);
        let seconds = started.elapsed().as_secs_f64();
        let wins: f64 = results.iter().map(|r| r["wins"]).sum();
        let attempts: f64 = results.iter().map(|r| r["attempts"]).sum();
        assert_eq!(
            wins as u64,
            CASES as u64 * ROUNDS,
            "every version won exactly once"
        );
        let store = PostgresStore::builder(&url).schema(&schema).open().unwrap();
        for c in 0..CASES {
            let case = CaseId::from(format!("case-{c}"));
            assert_eq!(store.version(&case).unwrap(), ROUNDS);
            let events = store.load(&case, 0).unwrap();
            let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
            assert_eq!(
                seqs,
                (1..=ROUNDS).collect::<Vec<_>>(),
                "no lost or duplicated event"
            );
            for pair in events.windows(2) {
                assert_eq!(
                    pair[1].prev_hash, pair[0].hash,
                    "the chain holds across racers"
                );
            }
        }
        eprintln!(
            "{racers} process(es): {wins} appends in {seconds:.2} s ({:.0} appends/s), {attempts} attempts ({} conflicts)",
            wins / seconds,
            attempts - wins
        );
    }
}
