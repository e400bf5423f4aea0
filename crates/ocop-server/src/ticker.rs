//! The background ticker: every interval, each engine of each province fires the timeouts
//! that are due ([`ocop_engine::Engine::tick`]).
//!
//! Several nodes on one PostgreSQL database may all tick: a timeout is an ordinary append at
//! the case's version, so of two nodes firing the same timeout exactly one commits; the other
//! gets a conflict, re-reads the case and finds the deadline already fired. Nothing here
//! coordinates the nodes, and nothing needs to.

use std::time::Duration;

use tokio::sync::watch;

use crate::state::AppState;

/// Runs one tick over every province and definition; returns the timeouts fired.
pub(crate) async fn tick_once(state: &AppState) -> usize {
    let mut fired = 0;
    for province in state.provinces.values() {
        let p = std::sync::Arc::clone(province);
        let clock = std::sync::Arc::clone(&state.clock);
        let run = tokio::task::spawn_blocking(move || {
            let now = clock.now();
            p.engines
                .values()
                .map(|e| {
                    (
                        e.cycle().definition().id.to_string(),
                        e.tick(p.store.as_ref(), now),
                    )
                })
                .collect::<Vec<_>>()
        })
        .await;
        let Ok(results) = run else {
            state.metrics.tick("failed", 0);
            continue;
        };
        for (definition, result) in results {
            match result {
                Ok(report) => {
                    let conflicts = report
                        .failed
                        .iter()
                        .filter(|f| matches!(f.error, ocop_engine::CommandError::Conflict { .. }))
                        .count();
                    for f in report
                        .failed
                        .iter()
                        .filter(|f| !matches!(f.error, ocop_engine::CommandError::Conflict { .. }))
                    {
                        tracing::warn!(target: "ocop_server::ticker", province = %province.config.id, definition, case = %f.case, error = %f.error, "a deadline could not be handled");
                    }
                    if !report.fired.is_empty() || conflicts > 0 {
                        tracing::info!(target: "ocop_server::ticker", province = %province.config.id, definition, fired = report.fired.len(), lost_races = conflicts, "tick");
                    }
                    fired += report.fired.len();
                    state.metrics.tick("ok", report.fired.len());
                }
                Err(e) => {
                    tracing::error!(target: "ocop_server::ticker", province = %province.config.id, definition, error = %e, "tick failed");
                    state.metrics.tick("failed", 0);
                }
            }
        }
    }
    fired
}

/// Ticks every `interval` until `stop` turns true; a tick in progress finishes first.
pub(crate) async fn run(state: AppState, interval: Duration, mut stop: watch::Receiver<bool>) {
    let mut timer = tokio::time::interval(interval);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = timer.tick() => { tick_once(&state).await; }
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
    }
}
