//! `ocop demo` end to end: a small programme year on SQLite, its report checked against an
//! independent count over the raw events, a golden report for a fixed seed, determinism, and
//! `verify` failing after an event is tampered with.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;

use ocop_engine::{EventBody, SqliteStore, Store};
use ocop_tests::{check_golden, root};

fn run(args: &[&str]) -> ExitCode {
    ocop_cli::run_with(std::iter::once("ocop").chain(args.iter().copied()))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ocop-e2e-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A 30-product demo, run once per test binary.
fn demo() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let db = temp("demo").join("ocop.sqlite");
        let workflows = root().join("workflows");
        let code = run(&[
            "demo",
            "--products",
            "30",
            "--seed",
            "7",
            "--lang",
            "en",
            "--db",
            db.to_str().unwrap(),
            "--workflows",
            workflows.to_str().unwrap(),
        ]);
        assert_eq!(code, ExitCode::SUCCESS, "the demo failed");
        db
    })
}

/// Counts straight from the stored events, without the engine's fold or the report code.
struct RawCount {
    cases: usize,
    by_state: BTreeMap<String, u32>,
    certified: BTreeMap<u8, u32>,
}

fn raw_count(db: &Path) -> RawCount {
    let store = SqliteStore::open(db).unwrap();
    let mut by_state = BTreeMap::new();
    let mut certified = BTreeMap::new();
    let ids = store.cases().unwrap();
    for id in &ids {
        let events = store.load(id, 0).unwrap();
        let last = events.last().unwrap();
        *by_state.entry(last.to.to_string()).or_insert(0) += 1;
        // The certificate in force at the end: the last one issued, unless revoked or expired
        // after it.
        let mut stars = None;
        for e in &events {
            let v = serde_json::to_value(&e.body).unwrap();
            match v["kind"].as_str().unwrap() {
                "certificate_issued" => {
                    stars = v["payload"]["certificate"]["stars"]
                        .as_u64()
                        .or(v["payload"]["stars"].as_u64())
                }
                "certificate_revoked" | "certificate_expired" => stars = None,
                _ => {}
            }
            if matches!(e.body, EventBody::Opened(_)) {
                stars = None;
            }
        }
        if let Some(s) = stars {
            *certified.entry(s as u8).or_insert(0) += 1;
        }
    }
    RawCount {
        cases: ids.len(),
        by_state,
        certified,
    }
}

#[test]
fn the_report_agrees_with_an_independent_count_of_the_events() {
    let db = demo();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(db.with_file_name("report.json")).unwrap())
            .unwrap();
    let raw = raw_count(db);
    assert!(raw.cases >= 40, "the demo made {} cases", raw.cases);
    assert_eq!(report["cases"].as_u64().unwrap() as usize, raw.cases);
    let by_state: BTreeMap<String, u32> = report["by_state"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_owned(),
                c["count"].as_u64().unwrap() as u32,
            )
        })
        .collect();
    assert_eq!(by_state, raw.by_state);
    for s in report["stars"].as_array().unwrap() {
        let stars = s["stars"].as_u64().unwrap() as u8;
        assert_eq!(
            s["certified"].as_u64().unwrap() as u32,
            raw.certified.get(&stars).copied().unwrap_or(0),
            "{stars}-star certificates"
        );
    }
    assert!(
        raw.certified.values().sum::<u32>() > 0,
        "the demo certified nothing"
    );
    assert!(raw.by_state.contains_key("monitoring"));
}

#[test]
fn the_report_for_a_fixed_seed_is_stable() {
    let db = demo();
    let out = db.with_file_name("golden.md");
    let code = run(&[
        "report",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "md",
        "--lang",
        "en",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, ExitCode::SUCCESS);
    let text = std::fs::read_to_string(&out).unwrap();
    if let Err(e) = check_golden("tests/golden/demo-report.en.md", &text) {
        panic!("{e}");
    }
}

#[test]
fn the_same_seed_gives_the_same_database() {
    let db = demo();
    let again = temp("again").join("ocop.sqlite");
    let code = run(&[
        "demo",
        "--products",
        "30",
        "--seed",
        "7",
        "--lang",
        "en",
        "--db",
        again.to_str().unwrap(),
        "--workflows",
        root().join("workflows").to_str().unwrap(),
    ]);
    assert_eq!(code, ExitCode::SUCCESS);
    let hashes = |p: &Path| {
        let store = SqliteStore::open(p).unwrap();
        store
            .cases()
            .unwrap()
            .iter()
            .flat_map(|id| store.load(id, 0).unwrap())
            .map(|e| (e.case.to_string(), e.seq, e.hash))
            .collect::<Vec<_>>()
    };
    assert_eq!(hashes(db), hashes(&again));
}

#[test]
fn verify_passes_and_fails_after_an_event_is_changed() {
    let db = demo();
    assert_eq!(
        run(&["verify", "--db", db.to_str().unwrap()]),
        ExitCode::SUCCESS
    );
    let copy = temp("tamper").join("ocop.sqlite");
    std::fs::copy(db, &copy).unwrap();
    for suffix in ["-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", db.display()));
        if from.exists() {
            std::fs::copy(&from, PathBuf::from(format!("{}{suffix}", copy.display()))).unwrap();
        }
    }
    let conn = rusqlite::Connection::open(&copy).unwrap();
    // Raise one member's total on a scored sheet: the kind of edit a fraud would make.
    let (case, seq, body): (String, i64, String) = conn
        .query_row("SELECT case_id, seq, body FROM ocop_events WHERE kind = 'sheet_submitted' ORDER BY case_id, seq LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    let tampered = body.replacen("\"total\":", "\"total\":1", 1);
    assert_ne!(tampered, body);
    conn.execute(
        "UPDATE ocop_events SET body = ?1 WHERE case_id = ?2 AND seq = ?3",
        rusqlite::params![tampered, case, seq],
    )
    .unwrap();
    drop(conn);
    assert_eq!(
        run(&["verify", "--db", copy.to_str().unwrap()]),
        ExitCode::from(1)
    );
}

#[test]
fn the_demo_runs_on_postgresql() {
    let Ok(url) = std::env::var("OCOP_TEST_POSTGRES") else {
        eprintln!(
            "skipped: set OCOP_TEST_POSTGRES=postgres://user@host:port/db to run the demo on PostgreSQL"
        );
        return;
    };
    let schema = format!("e2e_demo_{}", std::process::id());
    let workflows = root().join("workflows");
    let report_dir = temp("pg-demo");
    let code = run(&[
        "demo",
        "--products",
        "12",
        "--seed",
        "3",
        "--lang",
        "en",
        "--store",
        &url,
        "--schema",
        &schema,
        "--workflows",
        workflows.to_str().unwrap(),
        "--out",
        report_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, ExitCode::SUCCESS);
    assert!(report_dir.join("report.html").exists());
    assert_eq!(
        run(&["verify", "--store", &url, "--schema", &schema]),
        ExitCode::SUCCESS
    );
    let out = temp("pg-export").join("export.jsonl");
    assert_eq!(
        run(&[
            "export",
            "--store",
            &url,
            "--schema",
            &schema,
            "--out",
            out.to_str().unwrap()
        ]),
        ExitCode::SUCCESS
    );
    let lines = std::fs::read_to_string(&out).unwrap();
    for line in lines.lines() {
        let record: ocop_report::ExportRecord = serde_json::from_str(line).unwrap();
        assert!(record.stars.get() >= 3);
    }
}
