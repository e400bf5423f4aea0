//! `/openapi.json` and `/docs`: the OpenAPI 3.1 document and a page that renders it, from
//! files compiled into the binary (no CDN: provincial intranets are often offline).

use std::sync::Arc;

use aide::openapi::OpenApi;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const PAGE: &str = include_str!("../../assets/docs.html");
const SCRIPT: &str = include_str!("../../assets/docs.js");
const STYLE: &str = include_str!("../../assets/docs.css");

/// The documentation routes, for any state.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>(openapi: Arc<String>) -> Router<S> {
    Router::new()
        .route(
            "/openapi.json",
            get(move || {
                let doc = Arc::clone(&openapi);
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        doc.as_str().to_owned(),
                    )
                }
            }),
        )
        .route(
            "/docs",
            get(|| async { asset("text/html; charset=utf-8", PAGE) }),
        )
        .route(
            "/docs/docs.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/docs/docs.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
}

fn asset(ty: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, ty),
            (header::CACHE_CONTROL, "no-cache"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:",
            ),
        ],
        body,
    )
}

/// The document as the server serves it: pretty JSON with a final newline.
pub(crate) fn serialise(api: &OpenApi) -> String {
    let mut value = serde_json::to_value(api).unwrap_or_default();
    to_2020_12(&mut value);
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    s
}

/// aide generates schemas with schemars' draft-07 settings, where a tuple is `items: [..]`;
/// OpenAPI 3.1 speaks JSON Schema 2020-12, where it is `prefixItems`.
fn to_2020_12(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            if map.get("items").is_some_and(serde_json::Value::is_array)
                && let Some(items) = map.remove("items")
            {
                map.insert("prefixItems".into(), items);
            }
            map.values_mut().for_each(to_2020_12);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(to_2020_12),
        _ => {}
    }
}
