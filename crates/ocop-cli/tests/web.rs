//! The pages of `ocop serve` as people use them: the Playwright suite of `tests/web/`
//! (Debian's Chromium, axe-core) against `ocop serve --dev-login` on a demo database on a
//! loopback port; then the certificate the chair issued through the pages, and `ocop
//! verify` over the database.
//!
//! A browser suite, so not part of `cargo test` by default: `.ci/run` runs it as its own
//! step (`cargo test -p ocop-cli --test web -- --ignored`, with `OCOP_REQUIRE_WEB=1`), after
//! `npm ci` in `tests/web`. Screenshots of every page at 1280 and 390 px go to
//! `target/web-screenshots/`.
#![cfg(test)]

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{Served, demo, ocop, root, succeeded, temp, verify};

/// The longest the browser suite may run before it is stopped and the test fails.
const SUITE_LIMIT: Duration = Duration::from_secs(420);

/// Node, Chromium and the suite's npm packages, or why not (a failure when
/// `OCOP_REQUIRE_WEB` is set).
fn prerequisites() -> Option<PathBuf> {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let node = Command::new("node").arg("--version").output();
    let missing = if !root()
        .join("tests/web/node_modules/playwright-core")
        .exists()
    {
        Some("tests/web/node_modules (run `npm ci` in tests/web)")
    } else if !chromium.exists() {
        Some("Chromium (apt-get install chromium)")
    } else if !node.is_ok_and(|o| o.status.success()) {
        Some("node (apt-get install nodejs npm)")
    } else {
        None
    };
    match missing {
        None => Some(chromium),
        Some(what) => {
            assert!(
                std::env::var_os("OCOP_REQUIRE_WEB").is_none(),
                "OCOP_REQUIRE_WEB is set but there is no {what}"
            );
            eprintln!("skipped: no {what}");
            None
        }
    }
}

#[test]
#[ignore = "a browser suite (Chromium, tests/web/node_modules): .ci/run runs it with --ignored"]
fn five_members_score_through_the_form_and_the_chair_certifies_in_a_real_browser() {
    let Some(chromium) = prerequisites() else {
        return;
    };
    let dir = temp("ocop-web");
    // A small programme year of Cần Thơ: the dashboard has something to show, "my work"
    // has other cases to filter.
    let db = demo(&dir, 6, &[]);
    // The dashboard's targets come from the definition's jurisdiction data.
    std::fs::write(
        dir.join("auth.toml"),
        "format = 1\n\n[[provinces]]\nid = \"can-tho\"\nname = \"Cần Thơ\"\n",
    )
    .unwrap();
    let server = Served::start(
        &dir,
        &db,
        &dir.join("auth.toml"),
        &["--dev-login", "--tick", "0", "--log", "text"],
    );

    // `localhost`, not 127.0.0.1: the suite's "other site" is 127.0.0.1 on another port.
    let shots = root().join("target/web-screenshots");
    let mut node = Command::new("node")
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .current_dir(root().join("tests/web"))
        .env("OCOP_URL", format!("http://localhost:{}", server.port()))
        .env("OCOP_SHOTS", &shots)
        .env("OCOP_OUT", &dir)
        .env("CHROMIUM", &chromium)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = node.stdout.take().unwrap();
    let err = node.stderr.take().unwrap();
    let said_out = std::thread::spawn(move || std::io::read_to_string(out).unwrap_or_default());
    let said_err = std::thread::spawn(move || std::io::read_to_string(err).unwrap_or_default());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = node.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > SUITE_LIMIT {
            let _ = node.kill();
            let _ = node.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let said = format!("{}{}", said_out.join().unwrap(), said_err.join().unwrap());
    eprintln!("{said}");
    let log = server.log.clone();
    let stopped = server.stop();
    let status = status.unwrap_or_else(|| panic!("the suite ran over {SUITE_LIMIT:?}"));
    assert!(
        status.success(),
        "the browser suite failed (server log: {})",
        log.display()
    );
    assert!(
        stopped.success(),
        "the server did not stop cleanly: {stopped}"
    );
    eprintln!("screenshots: {}", shots.display());

    // The certificate the chair issued through the pages, as the CLI reads it from the store.
    let case = std::fs::read_to_string(dir.join("case.txt")).unwrap();
    let show = succeeded(
        ocop()
            .args(["case", "show", "--case", case.trim(), "--db"])
            .arg(&db),
    );
    let summary: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(
        summary["product"]["name"],
        "<script>alert(1)</script> Bánh pía Bình Minh"
    );
    let cert = &summary["certificate"];
    assert_eq!(cert["stars"], 4, "{summary:#}");
    assert_eq!(cert["issued_by"], "province", "{summary:#}");
    assert_eq!(cert["status"]["status"], "active", "{summary:#}");
    assert_eq!(cert["issued_on"], "2026-06-01", "{summary:#}");
    assert_eq!(cert["expires_on"], "2029-06-01", "{summary:#}");
    let members = summary["latest_result"]["members"].as_array().unwrap();
    assert_eq!(members.len(), 5, "{summary:#}");

    // Every case of the database, the demo's and those made through the pages, verifies.
    verify(&db);
    let _ = std::fs::remove_dir_all(&dir);
}
