//! A database written by the ocop of commit f3e31d7 (schema 1, event format 1, before the
//! due-date index): it upgrades in place, keeps every event, still verifies, and reports
//! what that ocop reported.
//!
//! `tests/fixtures/v1-demo.sqlite` was made by that commit's release binary:
//! `ocop demo --products 3 --seed 3 --lang en --db v1-demo.sqlite`; its report is
//! `tests/fixtures/v1-demo.report.en.md`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ocop_tests::root;

fn run(args: &[&str]) -> ExitCode {
    ocop_cli::run_with(std::iter::once("ocop").chain(args.iter().copied()))
}

fn copy_of_the_fixture(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ocop-upgrade-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("v1-demo.sqlite");
    std::fs::copy(root().join("tests/fixtures/v1-demo.sqlite"), &db).unwrap();
    db
}

/// Every stored event, as the file holds it: (case, seq, hash, body).
fn raw_events(db: &Path) -> Vec<(String, i64, String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT case_id, seq, hash, body FROM ocop_events ORDER BY case_id, seq")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn meta(db: &Path, key: &str) -> Option<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT value FROM ocop_meta WHERE key = ?1", [key], |r| {
        r.get(0)
    })
    .ok()
}

#[test]
fn an_old_demo_database_upgrades_in_place_and_still_verifies() {
    let db = copy_of_the_fixture("upgrade");
    let before = raw_events(&db);
    assert!(
        before.len() > 50,
        "the fixture holds {} events",
        before.len()
    );
    // Format 1: no event-level `format`, and sheets with the plugin's whole evaluation.
    assert!(
        before
            .iter()
            .all(|(_, _, _, body)| !body.starts_with("{\"format\"")),
        "the fixture's events are of format 1"
    );
    assert!(before.iter().any(|(_, _, _, b)| b.contains("\"scored\":")));
    let path = db.to_str().unwrap();

    // Opening it (here, to verify) upgrades the schema and records the versions.
    assert_eq!(run(&["verify", "--db", path]), ExitCode::SUCCESS);
    assert_eq!(meta(&db, "schema_version").as_deref(), Some("2"));
    assert_eq!(meta(&db, "upgraded_from").as_deref(), Some("1"));

    // The projections do not exist yet: reading them asks for the upgrade.
    assert_eq!(run(&["report", "--db", path]), ExitCode::from(2));
    assert_eq!(
        run(&[
            "upgrade",
            "--db",
            path,
            "--workflows",
            root().join("workflows").to_str().unwrap(),
            "--lang",
            "en"
        ]),
        ExitCode::SUCCESS
    );
    // Nothing left to do the second time, and no folder needed.
    assert_eq!(
        run(&["upgrade", "--db", path, "--workflows", "/nonexistent"]),
        ExitCode::SUCCESS
    );

    // Every event is as it was, and the chains verify.
    assert_eq!(raw_events(&db), before);
    assert_eq!(run(&["verify", "--db", path]), ExitCode::SUCCESS);

    // The report is the one that ocop wrote for the same database (re-blessed when the
    // report grouped by commune from 1 July 2025: it is dated 2026-12-10).
    let out = db.with_file_name("report.md");
    assert_eq!(
        run(&[
            "report",
            "--db",
            path,
            "--lang",
            "en",
            "--as-of",
            "2026-12-10",
            "--out",
            out.to_str().unwrap()
        ]),
        ExitCode::SUCCESS
    );
    let expected =
        std::fs::read_to_string(root().join("tests/fixtures/v1-demo.report.en.md")).unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);

    // The old cases carry on under today's engine: its events are of format 2, after theirs.
    let list = run(&["case", "list", "--db", path]);
    assert_eq!(list, ExitCode::SUCCESS);
    std::fs::remove_dir_all(db.parent().unwrap()).ok();
}
