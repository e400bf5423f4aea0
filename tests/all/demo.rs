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

/// The default demo (45 new dossiers in 2024 and the plan's 148 existing products, seed
/// 2024), run once per test binary: the calibration test checks the default year.
fn demo() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let db = temp("demo").join("ocop.sqlite");
        assert_eq!(default_demo(&db), ExitCode::SUCCESS, "the demo failed");
        db
    })
}

/// Runs the default demo into `db`.
fn default_demo(db: &Path) -> ExitCode {
    run(&[
        "demo",
        "--products",
        "45",
        "--seed",
        "2024",
        "--lang",
        "en",
        "--db",
        db.to_str().unwrap(),
        "--workflows",
        root().join("workflows").to_str().unwrap(),
    ])
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

fn report_json(db: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(db.with_file_name("report.json")).unwrap())
        .unwrap()
}

/// Issue 11 item 7: the 2024 cohort at the plan's scale. Kế hoạch 109 I.2.a sets 20 new 3★,
/// 10 new 4★ and 2 new 5★ products for 2024; the default demo lands each rank within
/// 70-150% of its target, from sheets the criteria plugin scores (nothing is set directly).
#[test]
fn demo_2024_cohort_lands_within_the_plans_targets() {
    let report = report_json(demo());
    assert_eq!(report["year"], 2024);
    let targets = report["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 3, "{targets:?}");
    for t in targets {
        let (actual, target) = (t["actual"].as_f64().unwrap(), t["target"].as_f64().unwrap());
        let share = actual / target;
        assert!(
            (0.7..=1.5).contains(&share),
            "{}★: {actual} new against a target of {target} ({:.0}%)",
            t["stars"],
            share * 100.0
        );
    }
}

/// Issue 11 item 7: the plan's 148 existing certified products enter the renewal
/// (re-evaluation) and upgrade paths with the certificate they hold; producers filing from
/// 1 July 2025 have a commune or ward and no district, and the report (dated after that
/// day) groups by commune.
#[test]
fn demo_history_has_the_existing_products_and_communes_after_1_july_2025() {
    let db = demo();
    let store = SqliteStore::open(db).unwrap();
    let mut existing = 0;
    let mut renewed = 0;
    let mut after_reform = 0;
    for id in store.cases().unwrap() {
        let events = store.load(&id, 0).unwrap();
        let Some(EventBody::Opened(opened)) = events.first().map(|e| &e.body) else {
            panic!("{id} does not start with its opening");
        };
        let on = events[0].at.vn_date();
        if let Some(held) = &opened.certificate {
            existing += 1;
            assert_ne!(
                opened.registration,
                ocop_core::domain::RegistrationType::First,
                "{id}"
            );
            assert!(held.issued_on < ocop_core::Date::new(2024, 1, 1).unwrap());
            let issued = events
                .iter()
                .filter(|e| matches!(e.body, EventBody::CertificateIssued { .. }))
                .count();
            renewed += usize::from(issued > 0);
        }
        if on >= ocop_core::Date::new(2025, 7, 1).unwrap() {
            after_reform += 1;
            assert_eq!(
                opened.product.producer.district, None,
                "{id} opened on {on}"
            );
        }
    }
    assert_eq!(existing, 148, "the plan's existing products");
    assert!(renewed > 100, "{renewed} of 148 existing products renewed");
    assert!(after_reform > 0, "no dossier after 1 July 2025");
    let report = report_json(db);
    assert_eq!(report["by_area"].as_array().unwrap().len(), 0);
    let communes = report["by_commune"].as_array().unwrap();
    let cases: u64 = communes.iter().map(|c| c["cases"].as_u64().unwrap()).sum();
    assert_eq!(cases, report["cases"].as_u64().unwrap());
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
    assert_eq!(default_demo(&again), ExitCode::SUCCESS);
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
