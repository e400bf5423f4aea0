//! Crash safety of the SQLite store: a child process (this test binary re-running itself)
//! writes commands while the parent SIGKILLs it at random points. Afterwards no
//! acknowledged command is lost, every history verifies, and no command is half-written.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use ocop_engine::{CaseId, Command, ManualClock, SqliteStore, Store};

use crate::support::*;

const DB_VAR: &str = "OCOP_CRASH_DB";
const RUN_VAR: &str = "OCOP_CRASH_RUN";

/// The cycle each child case runs: transitions with one, two and three events per command.
fn next(state: &str) -> Option<(&'static str, &'static str, &'static str)> {
    match state {
        "registration" => Some(("file_dossier", "p", "producer")),
        "commune_review" => Some(("commune_propose", "ubnd-xa", "commune_officer")),
        "province_office_check" => Some(("province_return", "so-nn", "province_office")),
        "province_completion" => Some(("province_resubmit", "p", "producer")),
        _ => None,
    }
}

/// The child: writes until killed (or for 30 s at most), printing `ACK case version` after
/// each command the store acknowledged.
#[test]
fn crash_child() {
    let (Ok(path), Ok(run)) = (std::env::var(DB_VAR), std::env::var(RUN_VAR)) else {
        return;
    };
    let store = SqliteStore::open(&path).unwrap();
    let clock = ManualClock::on(d("2026-06-01"));
    let engine = engine("national-2026", &clock);
    let mut out = std::io::stdout().lock();
    let start = Instant::now();
    let mut n = 0;
    while start.elapsed() < Duration::from_secs(30) {
        n += 1;
        let case = format!("r{run}-c{}", n % 3);
        let id = CaseId::new(case.as_str());
        let version = store.version(&id).unwrap();
        let cmd = if version == 0 {
            Command::open(case.as_str(), a("p", "producer"), open(&case))
        } else {
            let c = engine.case(&store, &id).unwrap();
            let (t, who, role) = next(c.state().as_str()).unwrap();
            Command::take(case.as_str(), a(who, role), t)
        }
        .expecting(version)
        .idempotency_key(format!("{case}-v{version}"));
        let events = engine.execute(&store, &cmd).unwrap();
        writeln!(out, "ACK {case} {}", events.last().unwrap().seq).unwrap();
        out.flush().unwrap();
    }
}

struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[test]
fn sigkill_loses_no_acknowledged_command_and_leaves_no_half_command() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.sqlite");
    let seed = std::env::var("OCOP_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_u64);
    let mut rng = Lcg(seed);
    let mut acked: BTreeMap<String, u64> = BTreeMap::new();
    let runs = 10;
    for run in 0..runs {
        let mut child = Process::new(std::env::current_exe().unwrap())
            .args([
                "crash::crash_child",
                "--exact",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(DB_VAR, &path)
            .env(RUN_VAR, run.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let kill_after = 3 + rng.below(40);
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = 0;
        while seen < kill_after {
            let Some(Ok(line)) = lines.next() else { break };
            if let Some(rest) = line.strip_prefix("ACK ") {
                let (case, v) = rest.split_once(' ').unwrap();
                acked.insert(case.to_owned(), v.parse().unwrap());
                seen += 1;
            }
        }
        std::thread::sleep(Duration::from_micros(rng.below(3000)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        // ACKs already in the pipe were acknowledged before the kill.
        for line in lines.map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("ACK ") {
                let (case, v) = rest.split_once(' ').unwrap();
                acked.insert(case.to_owned(), v.parse().unwrap());
            }
        }
        assert!(seen > 0, "run {run}: the child acknowledged nothing");
    }

    eprintln!("crash test (seed {seed}): acknowledged {acked:?}");
    assert!(
        acked.len() >= runs,
        "each run acknowledged at least one command"
    );
    let store = SqliteStore::open(&path).unwrap();
    for (case, version) in &acked {
        let id = CaseId::new(case.as_str());
        let stored = store.version(&id).unwrap();
        assert!(
            stored >= *version,
            "{case}: acknowledged version {version}, stored {stored}"
        );
    }
    for id in store.cases().unwrap() {
        let events = store.load(&id, 0).unwrap();
        assert_eq!(events.len() as u64, store.version(&id).unwrap(), "{id}");
        ocop_engine::verify(&events).unwrap();
        ocop_engine::replay(&events).unwrap();
        // Every command's events are all there: the idempotency ranges tile the history.
        let mut v = 0;
        while v < events.len() as u64 {
            let rec = store
                .recorded(&id, &format!("{id}-v{v}"))
                .unwrap()
                .unwrap_or_else(|| panic!("{id}: events after version {v} belong to no command"));
            assert_eq!(rec.events.first().unwrap().seq, v + 1);
            v = rec.events.last().unwrap().seq;
        }
        assert_eq!(v, events.len() as u64);
    }
}
