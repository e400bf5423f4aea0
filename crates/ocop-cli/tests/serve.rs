//! `ocop serve` as an integrator runs it: on a demo database, with API keys made by
//! `ocop key new`, driven by the Python client of `tests/python/`, stopped by SIGTERM.
#![cfg(test)]

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use support::{Served, demo, ocop, root, succeeded, temp, verify};

/// The Python with `requests`: `OCOP_PYTHON`, or the venv `.ci/run` makes.
fn python() -> Option<PathBuf> {
    let p = std::env::var_os("OCOP_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/ocop-venv/bin/python"));
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var_os("OCOP_REQUIRE_PYTHON").is_none(),
        "OCOP_REQUIRE_PYTHON is set but there is no Python at {}",
        p.display()
    );
    eprintln!(
        "skipped: no Python venv at {} (make one with `python3 -m venv target/ocop-venv && target/ocop-venv/bin/pip install requests`, as .ci/run does)",
        p.display()
    );
    None
}

/// The people of the story: key name, actor, roles.
const PEOPLE: &[(&str, &str, &str)] = &[
    ("producer", "htx-phong-dien", "producer"),
    ("commune", "ubnd-xa-phong-dien", "commune_officer"),
    ("office", "so-nn-can-tho", "province_office"),
    ("advisory", "to-tu-van", "advisory_group"),
    (
        "chair",
        "hd-chu-tich",
        "province_council_chair,province_council_member",
    ),
    ("m1", "hd-m1", "province_council_member"),
    ("m2", "hd-m2", "province_council_member"),
    ("m3", "hd-m3", "province_council_member"),
    ("m4", "hd-m4", "province_council_member"),
    ("decider", "chu-tich-ubnd-tp", "province_chair"),
];

#[test]
fn the_python_client_walks_a_product_to_four_stars_on_the_demo_database() {
    let Some(python) = python() else { return };
    let dir = temp("ocop-serve-e2e");
    // The demo's database (a small programme year of Cần Thơ), which also builds the plugins.
    let db = demo(&dir, 12, &["--lang", "en"]);

    // API keys, made the way the README says; only their hashes go into the auth file.
    let mut auth =
        String::from("format = 1\n\n[[provinces]]\nid = \"can-tho\"\nname = \"Cần Thơ\"\n");
    let mut keys = BTreeMap::new();
    for (name, actor, roles) in PEOPLE {
        let out = succeeded(ocop().args([
            "key",
            "new",
            "--id",
            name,
            "--actor",
            actor,
            "--roles",
            roles,
            "--province",
            "can-tho",
        ]));
        let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        let entry = String::from_utf8(out.stderr).unwrap();
        let table = &entry[entry.find("[[api_keys]]").unwrap()..];
        assert!(
            !table.contains(key.rsplit('.').next().unwrap()),
            "the key is in the entry"
        );
        auth.push('\n');
        auth.push_str(table);
        keys.insert(*name, key);
    }
    std::fs::write(dir.join("auth.toml"), auth).unwrap();
    std::fs::write(dir.join("keys.json"), serde_json::to_string(&keys).unwrap()).unwrap();

    let server = Served::start(&dir, &db, &dir.join("auth.toml"), &["--tick", "1"]);
    let url = server.url.clone();

    let client = Command::new(&python)
        .arg(root().join("tests/python/ocop_client.py"))
        .env("OCOP_URL", &url)
        .env("OCOP_KEYS", dir.join("keys.json"))
        .env("OCOP_CASE", "CT-2026-PY01")
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&client.stdout),
        String::from_utf8_lossy(&client.stderr)
    );

    eprintln!("{said}");
    // SIGTERM: the server finishes what it has and exits 0.
    let log_path = server.log.clone();
    let status = server.stop();
    assert!(client.status.success(), "the Python client failed:\n{said}");
    assert!(said.contains("certified: 4 stars"), "{said}");
    assert!(
        status.success(),
        "the server did not stop cleanly: {status}"
    );
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("\"command\":\"province_certify\""), "{log}");
    assert!(log.contains("stopped"), "{log}");
    for key in keys.values() {
        assert!(
            !log.contains(key.rsplit('.').next().unwrap()),
            "a key's secret is in the log"
        );
    }

    // Every case of the database, the demo's and the new one, still verifies.
    verify(&db);
    let _ = std::fs::remove_dir_all(&dir);
}
