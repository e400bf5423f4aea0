//! The pages' style sheet, scripts and icon, compiled into the binary (no CDN: provincial
//! intranets are often offline). Fonts are the system's (DejaVu Sans, Noto Sans, Segoe UI,
//! Roboto, Arial), all of which carry Vietnamese; nothing is fetched from elsewhere.
//! URLs carry a hash of the content, so a new build is never served a stale copy.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const FILES: [(&str, &str, &str); 4] = [
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/web/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/web/app.js"),
    ),
    (
        "score.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/web/score.js"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_str!("../../assets/web/icon.svg"),
    ),
];

fn versions() -> &'static Vec<(&'static str, String)> {
    static V: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    V.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, _, body)| {
                let hash = Sha256::digest(body.as_bytes());
                let short: String = hash.iter().take(6).map(|b| format!("{b:02x}")).collect();
                (*name, short)
            })
            .collect()
    })
}

/// The URL of asset `name`, with its content hash.
pub(crate) fn url(name: &str) -> String {
    let v = versions()
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("0", |(_, h)| h.as_str());
    format!("/assets/{name}?v={v}")
}

/// `GET /assets/{file}`.
pub(crate) async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == file) {
        Some((_, ty, body)) => (
            [
                (header::CONTENT_TYPE, *ty),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
