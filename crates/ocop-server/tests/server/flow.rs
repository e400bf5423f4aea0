//! The integrator's path: a product from registration to a 4-star certificate under
//! national-2026 through the API, and every read route on the way.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_walks_to_four_stars_and_every_read_route_answers() {
    let s = TestServer::start(Options::default()).await;
    s.walk_to_four_stars("CT-2026-0001").await;

    // The case: 4 stars, monitoring ahead, what the office may do next, its version as ETag.
    let case = s.get("/api/v1/cases/CT-2026-0001", "office").await;
    ok(&case);
    assert_eq!(case.body["stars"], 4);
    assert_eq!(case.body["state"], "certified");
    let version = case.body["version"].as_u64().unwrap();
    assert_eq!(case.header("etag"), Some(format!("\"{version}\"")));
    let available: Vec<&str> = case.body["available"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["transition"].as_str().unwrap())
        .collect();
    assert!(available.contains(&"announce"), "{available:?}");
    // The producer may do nothing here.
    let mine = s.get("/api/v1/cases/CT-2026-0001", "producer").await;
    assert_eq!(mine.body["available"], json!([]));

    // History, verify, the council.
    let events = s.get("/api/v1/cases/CT-2026-0001/events", "office").await;
    assert_eq!(events.body.as_array().unwrap().len() as u64, version);
    let after = s
        .get("/api/v1/cases/CT-2026-0001/events?after=3", "office")
        .await;
    assert_eq!(after.body[0]["seq"], 4);
    let council = s
        .get("/api/v1/cases/CT-2026-0001/council/province_council", "m2")
        .await;
    assert_eq!(council.body["sheets"].as_array().unwrap().len(), 5);
    assert_eq!(council.body["result"]["stars"], 4);
    // Each sheet names the plugin that scored it, by the sha256 the definition pins.
    let pinned = s.get("/api/v1/plugins", "m2").await;
    let criteria_pin = pinned
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "criteria-26-2026")
        .map(|p| p["sha256"].clone())
        .unwrap();
    assert_eq!(criteria_pin.as_str().map(str::len), Some(64));
    assert_eq!(council.body["sheets"][0]["plugin"]["sha256"], criteria_pin);

    // Listing with filters and a cursor.
    for i in 2..=4 {
        ok(&s.open(&format!("CT-2026-000{i}")).await);
    }
    let all = s
        .get("/api/v1/cases?definition=national-2026", "office")
        .await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 4);
    let four = s.get("/api/v1/cases?stars=4", "office").await;
    assert_eq!(four.body["items"].as_array().unwrap().len(), 1);
    let reg = s
        .get(
            "/api/v1/cases?state=registration&commune=THOI-LAI&product_set=1",
            "office",
        )
        .await;
    assert_eq!(reg.body["items"].as_array().unwrap().len(), 3);
    let p1 = s.get("/api/v1/cases?limit=3", "office").await;
    assert_eq!(p1.body["items"].as_array().unwrap().len(), 3);
    let cursor = p1.body["next_cursor"].as_str().unwrap().to_owned();
    let p2 = s
        .get(&format!("/api/v1/cases?limit=3&cursor={cursor}"), "office")
        .await;
    assert_eq!(p2.body["items"].as_array().unwrap().len(), 1);
    assert!(p2.body.get("next_cursor").is_none());
    problem(
        &s.get("/api/v1/cases?cursor=zz", "office").await,
        400,
        "bad-parameter",
    );
    problem(
        &s.get("/api/v1/cases?stars=many", "office").await,
        400,
        "bad-parameter",
    );

    // Deadlines due: the three cases in registration have none; file one.
    ok(&s.take("CT-2026-0002", "producer", "file_dossier").await);
    let due = s.get("/api/v1/deadlines?before=2026-07-01", "office").await;
    ok(&due);
    assert_eq!(
        due.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        due.body
    );
    assert_eq!(due.body["items"][0]["due"], "2026-06-22");
    let due_before = s.get("/api/v1/cases?due_before=2026-06-23", "office").await;
    assert_eq!(due_before.body["items"].as_array().unwrap().len(), 1);

    // Report (json, md, html) and the streamed export.
    let report = s.get("/api/v1/report?as_of=2026-06-30", "office").await;
    ok(&report);
    assert_eq!(report.body["province"], "Cần Thơ");
    let md = s
        .call(
            Method::GET,
            "/api/v1/report?format=md",
            Some("office"),
            None,
            &[("Accept-Language", "en")],
        )
        .await;
    assert!(
        md.header("content-type")
            .unwrap()
            .starts_with("text/markdown")
    );
    assert!(
        md.text.contains("Targets") || md.text.contains("targets"),
        "{}",
        md.text
    );
    let html = s.get("/api/v1/report?format=html", "office").await;
    assert!(html.text.starts_with("<!DOCTYPE html>") || html.text.starts_with("<!doctype html>"));
    let export = s.get("/api/v1/export?as_of=2026-07-01", "office").await;
    assert_eq!(
        export.header("content-type").as_deref(),
        Some("application/jsonl")
    );
    let lines: Vec<&str> = export.text.lines().collect();
    assert_eq!(lines.len(), 1, "{}", export.text);
    let record: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(record["stars"], 4);

    // Definitions, graphs in three formats and both languages, criteria, a score preview.
    let defs = s.get("/api/v1/definitions", "producer").await;
    // The three cycles in workflows/: can-tho-2024, amended-2025 and national-2026.
    assert_eq!(defs.body.as_array().unwrap().len(), 3, "{}", defs.text);
    let def = s.get("/api/v1/definitions/national-2026", "producer").await;
    assert_eq!(def.body["initial"], "registration");
    problem(
        &s.get("/api/v1/definitions/national-2062", "producer").await,
        404,
        "not-found",
    );
    let dot = s
        .get("/api/v1/definitions/national-2026/graph", "producer")
        .await;
    assert!(dot.text.starts_with("digraph"));
    assert!(dot.text.contains("Đánh giá cấp xã"));
    let mermaid = s
        .call(
            Method::GET,
            "/api/v1/definitions/national-2026/graph?format=mermaid",
            Some("producer"),
            None,
            &[("Accept-Language", "en-GB,en;q=0.9")],
        )
        .await;
    assert!(mermaid.text.contains("Commune review"), "{}", mermaid.text);
    let svg = s
        .get(
            "/api/v1/definitions/national-2026/graph?format=svg",
            "producer",
        )
        .await;
    assert_eq!(svg.header("content-type").as_deref(), Some("image/svg+xml"));
    assert!(svg.text.contains("<svg"));
    let sheet = s
        .get("/api/v1/plugins/criteria-26-2026/criteria/16", "producer")
        .await;
    assert_eq!(sheet.body["product_set"], 16);
    problem(
        &s.get("/api/v1/plugins/criteria-26-2026/criteria/27", "producer")
            .await,
        404,
        "not-found",
    );
    problem(
        &s.get("/api/v1/plugins/nope/criteria/1", "producer").await,
        404,
        "not-found",
    );
    let template = s
        .get(
            "/api/v1/plugins/criteria-26-2026/criteria/1/template",
            "producer",
        )
        .await;
    let preview = s
        .post(
            "/api/v1/plugins/criteria-26-2026/score",
            "producer",
            template.body.clone(),
        )
        .await;
    ok(&preview);
    assert!(
        preview.body["evaluation"]["total"].is_number(),
        "{}",
        preview.body
    );
    let plugins = s.get("/api/v1/plugins", "producer").await;
    assert_eq!(plugins.body.as_array().unwrap().len(), 2);

    // Operations, the document and its page.
    let metrics = s.call(Method::GET, "/metrics", None, None, &[]).await;
    assert!(
        metrics.text.contains("ocop_commands_total{outcome=\"ok\"}"),
        "{}",
        metrics.text
    );
    assert!(
        metrics
            .text
            .contains("ocop_http_request_duration_seconds_bucket")
    );
    let ready = s.call(Method::GET, "/ready", None, None, &[]).await;
    assert_eq!(ready.body["ready"], true);
    let doc = s.call(Method::GET, "/openapi.json", None, None, &[]).await;
    assert_eq!(doc.text, ocop_server::openapi());
    let page = s.call(Method::GET, "/docs", None, None, &[]).await;
    assert!(page.text.contains("/docs/docs.js") && !page.text.contains("https://"));
    let js = s.call(Method::GET, "/docs/docs.js", None, None, &[]).await;
    assert!(js.text.contains("openapi.json") && !js.text.contains("https://"));

    s.assert_all_verify().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_requests_in_flight_finish() {
    let s = TestServer::start(Options::default()).await;
    ok(&s.open("CT-SHUT").await);
    let http = s.http.clone();
    let url = format!("{}/api/v1/plugins/criteria-26-2026/score", s.base);
    let key = s.key("m1");
    let template = s
        .get("/api/v1/plugins/criteria-26-2026/criteria/1/template", "m1")
        .await
        .body;
    // Several slow requests (a score each), then the shutdown while they run.
    let mut inflight = Vec::new();
    for _ in 0..4 {
        let req = http
            .post(&url)
            .header("X-Api-Key", &key)
            .json(&template)
            .send();
        inflight.push(tokio::spawn(req));
    }
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let base = s.base.clone();
    s.stop().await;
    for r in inflight {
        let r = r.await.unwrap().unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    // Nothing listens any more.
    assert!(reqwest::get(format!("{base}/health")).await.is_err());
}
