//! `/health`, `/ready` and `/metrics`: for load balancers and monitoring, no credential.

use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ocop_engine::CaseId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::output::{MetricsOutput, Reply};
use crate::state::AppState;

/// The process is up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Health {
    /// Always `ok`.
    pub status: String,
    /// The server's version.
    pub version: String,
}

/// `GET /health`: the process answers.
pub(crate) async fn health() -> Reply<Health> {
    Reply::ok(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// Whether the server can do its work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Readiness {
    /// Every province's store answers and the plugins are loaded.
    pub ready: bool,
    /// Each province's store.
    pub provinces: Vec<ProvinceReadiness>,
    /// The plugins loaded (all those the definitions pin; the server does not start
    /// without them).
    pub plugins: usize,
    /// The definitions loaded.
    pub definitions: usize,
}

/// A province's store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub(crate) struct ProvinceReadiness {
    /// The province.
    pub id: String,
    /// Whether its store answered within 2 seconds.
    pub store: bool,
}

/// `GET /ready`: 200 when every province's store answers, 503 otherwise.
pub(crate) async fn ready(State(state): State<AppState>) -> Reply<Readiness> {
    let mut provinces = Vec::new();
    for (id, p) in &state.provinces {
        let p = std::sync::Arc::clone(p);
        let probe = tokio::task::spawn_blocking(move || {
            p.store.version(&CaseId::new("__ocop_ready__")).is_ok()
        });
        let ok = matches!(
            tokio::time::timeout(Duration::from_secs(2), probe).await,
            Ok(Ok(true))
        );
        provinces.push(ProvinceReadiness {
            id: id.clone(),
            store: ok,
        });
    }
    let ready = provinces.iter().all(|p| p.store);
    let mut reply = Reply::ok(Readiness {
        ready,
        provinces,
        plugins: state.catalogue.plugins.len(),
        definitions: state.catalogue.definitions.len(),
    });
    if !ready {
        reply.status = StatusCode::SERVICE_UNAVAILABLE;
    }
    reply
}

/// `GET /metrics`: Prometheus text.
pub(crate) async fn metrics(State(state): State<AppState>) -> MetricsOutput {
    MetricsOutput(
        (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            state.metrics.render(),
        )
            .into_response(),
    )
}
