//! A province other than Cần Thơ: its report names it and compares with its own targets, and
//! every command that reads a database works for its definition without the file.

use std::process::ExitCode;
use std::sync::Arc;

use ocop_core::{
    Date, ProductSet,
    domain::{DossierDocument, Producer, ProducerKind, RegistrationType},
    load_definition,
};
use ocop_engine::{Actor, Command, EngineBuilder, ManualClock, OpenCase, Product, SqliteStore};
use ocop_tests::root;

fn run(args: &[&str]) -> ExitCode {
    ocop_cli::run_with(std::iter::once("ocop").chain(args.iter().copied()))
}

/// National-2026 adopted by Đồng Tháp, with its plan's targets for 2026.
fn dong_thap() -> String {
    let national = std::fs::read_to_string(root().join("workflows/national-2026.toml")).unwrap();
    national
        .replacen("id = \"national-2026\"", "id = \"dong-thap-2026\"", 1)
        .replacen(
            "initial = ",
            "jurisdiction = { province = \"Đồng Tháp\", plan = \"Kế hoạch OCOP tỉnh Đồng Tháp 2026\", targets = [{ year = 2026, new_three_star = 30, new_four_star = 12, new_five_star = 3 }] }\ninitial = ",
            1,
        )
}

#[test]
fn a_dong_thap_database_is_reported_as_dong_thap() {
    let dir = std::env::temp_dir().join(format!("ocop-provinces-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("dong-thap.sqlite");
    let cycle = load_definition("dong-thap-2026.toml", &dong_thap()).unwrap();
    let engine = EngineBuilder::new(cycle)
        .clock(ManualClock::on(Date::new(2026, 6, 1).unwrap()))
        .scorer(
            "criteria-26-2026",
            Arc::new(ocop_criteria_26_2026::NativeScorer::new()),
        )
        .build()
        .unwrap();
    let store = SqliteStore::open(&db).unwrap();
    for i in 0..3 {
        let producer = Actor::new(format!("htx-{i}"), "producer");
        let open = OpenCase {
            product: Product {
                name: format!("Xoài cát Hòa Lộc {i}"),
                product_set: ProductSet::new(1).unwrap(),
                producer: Producer {
                    name: format!("HTX {i}"),
                    kind: ProducerKind::Cooperative,
                    province: "87".into(),
                    commune: "Mỹ Xương".into(),
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
        };
        let case = format!("DT-{i}");
        engine
            .execute(
                &store,
                &Command::open(case.as_str(), producer.clone(), open),
            )
            .unwrap();
        engine
            .execute(
                &store,
                &Command::take(case.as_str(), producer, "file_dossier"),
            )
            .unwrap();
    }
    drop(store);

    let db = db.to_str().unwrap();
    let json = dir.join("report.json");
    assert_eq!(
        run(&[
            "report",
            "--db",
            db,
            "--format",
            "json",
            "--as-of",
            "2026-06-30",
            "--out",
            json.to_str().unwrap()
        ]),
        ExitCode::SUCCESS
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["province"], "Đồng Tháp");
    assert_eq!(report["year"], 2026);
    assert_eq!(report["definitions"], serde_json::json!(["dong-thap-2026"]));
    assert_eq!(report["targets"][0]["target"], 30);
    assert_eq!(report["targets"][2]["target"], 3);

    let md = dir.join("report.md");
    assert_eq!(
        run(&[
            "report",
            "--db",
            db,
            "--lang",
            "en",
            "--as-of",
            "2026-06-30",
            "--out",
            md.to_str().unwrap()
        ]),
        ExitCode::SUCCESS
    );
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.contains("— Đồng Tháp"), "{text}");
    assert!(!text.contains("Cần Thơ"), "{text}");

    // Every command reading the database works for this definition, without its file.
    assert_eq!(
        run(&["case", "show", "--db", db, "--case", "DT-1"]),
        ExitCode::SUCCESS
    );
    assert_eq!(run(&["case", "list", "--db", db]), ExitCode::SUCCESS);
    assert_eq!(
        run(&["replay", "--db", db, "--case", "DT-2"]),
        ExitCode::SUCCESS
    );
    assert_eq!(run(&["verify", "--db", db]), ExitCode::SUCCESS);
    let export = dir.join("export.jsonl");
    assert_eq!(
        run(&["export", "--db", db, "--out", export.to_str().unwrap()]),
        ExitCode::SUCCESS
    );
    std::fs::remove_dir_all(&dir).ok();
}
