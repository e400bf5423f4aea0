//! The ticker: due timeouts fire in the background, and two servers (two nodes) on one
//! PostgreSQL database fire each timeout exactly once.

use std::time::Duration;

use ocop_engine::{ManualClock, Timestamp};

use crate::support::*;

/// How many times a case's `commune_review_overdue` timeout fired, from its history (a
/// timeout is one `transitioned` event carrying the deadline, then a notice).
async fn fired(s: &TestServer, id: &str) -> usize {
    let events = s
        .get(&format!("/api/v1/cases/{}/events", enc(id)), "office")
        .await;
    events
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["transition"] == "commune_review_overdue"
                && e["kind"] == "transitioned"
                && e["payload"]["timeout"]["due"] == "2026-06-22"
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_ticker_fires_a_due_timeout() {
    let s = TestServer::start(Options {
        tick: Some(Duration::from_millis(100)),
        ..Options::default()
    })
    .await;
    ok(&s.open("CT-TICK").await);
    ok(&s.take("CT-TICK", "producer", "file_dossier").await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fired(&s, "CT-TICK").await, 0, "fired before its day");
    // The commune's 15 working days end on 22 June; the timeout fires after.
    s.clock.set(Timestamp::vn(d("2026-06-23"), 9, 0));
    let mut n = 0;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        n = fired(&s, "CT-TICK").await;
        if n > 0 {
            break;
        }
    }
    let events = s.get("/api/v1/cases/CT-TICK/events", "office").await;
    assert_eq!(n, 1, "{:#}", events.body);
    let metrics = s
        .call(reqwest::Method::GET, "/metrics", None, None, &[])
        .await;
    assert!(
        metrics.text.contains("ocop_timeouts_fired_total 1"),
        "{}",
        metrics.text
    );
    assert!(
        metrics
            .text
            .contains("ocop_tick_runs_total{outcome=\"ok\"}")
    );
    s.assert_all_verify().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgres_fire_each_timeout_once() {
    let Some(url) = postgres() else { return };
    let prefix = unique_prefix("tick");
    let clock = ManualClock::new(Timestamp::vn(d("2026-06-01"), 9, 0));
    let a = TestServer::start(Options {
        postgres: Some((url.clone(), prefix.clone())),
        clock: Some(clock.clone()),
        tick: Some(Duration::from_millis(20)),
        ..Options::default()
    })
    .await;
    let b = TestServer::start(Options {
        postgres: Some((url, prefix)),
        clock: Some(clock.clone()),
        tick: Some(Duration::from_millis(20)),
        dir: Some(a.dir.clone()),
        ..Options::default()
    })
    .await;
    // Cases opened through either node, all in the commune's review.
    let ids: Vec<String> = (0..12).map(|i| format!("CT-RACE-{i:02}")).collect();
    for (i, id) in ids.iter().enumerate() {
        let node = if i % 2 == 0 { &a } else { &b };
        ok(&node.open(id).await);
        ok(&node.take(id, "producer", "file_dossier").await);
    }
    // Past the deadline: both nodes' tickers race.
    clock.set(Timestamp::vn(d("2026-06-25"), 9, 0));
    tokio::time::sleep(Duration::from_millis(800)).await;
    for id in &ids {
        assert_eq!(fired(&a, id).await, 1, "{id} on node a");
        assert_eq!(fired(&b, id).await, 1, "{id} on node b");
    }
    // Both nodes see the same histories, and they verify.
    for id in &ids {
        let ea = a.get(&format!("/api/v1/cases/{id}/events"), "office").await;
        let eb = b.get(&format!("/api/v1/cases/{id}/events"), "office").await;
        assert_eq!(ea.body, eb.body);
    }
    let ma = a
        .call(reqwest::Method::GET, "/metrics", None, None, &[])
        .await
        .text;
    let mb = b
        .call(reqwest::Method::GET, "/metrics", None, None, &[])
        .await
        .text;
    let total = |m: &str| -> usize {
        m.lines()
            .find_map(|l| l.strip_prefix("ocop_timeouts_fired_total "))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(
        total(&ma) + total(&mb),
        ids.len(),
        "a: {}, b: {}",
        total(&ma),
        total(&mb)
    );
    a.assert_all_verify().await;
    a.stop().await;
    b.stop().await;
}
