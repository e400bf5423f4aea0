//! The HTTP API: routes, their OpenAPI description, extractors and problems.
//!
//! Everything under `/api/v1` needs a credential ([`crate::auth::require`]); `/health`,
//! `/ready`, `/metrics`, `/openapi.json` and `/docs` do not. Pages (a later `web/` module)
//! get their own router beside this one and reuse the same middleware and extractors.

pub(crate) mod cases;
pub(crate) mod definitions;
pub(crate) mod docs;
pub(crate) mod extract;
pub(crate) mod ops;
pub(crate) mod output;
pub(crate) mod problem;
pub(crate) mod programme;

use aide::axum::ApiRouter;
use aide::axum::routing::{get_with, post_with};
use aide::openapi::{Info, OpenApi, SecurityScheme, Server, Tag};
use aide::transform::TransformOperation;
use axum::Router;

use crate::state::AppState;
use problem::Problem;

/// Runs blocking work (the engine, the stores, plugins) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Problem> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(target: "ocop_server", error = %e, "a blocking task failed");
        Problem::internal()
    })
}

fn op<'a>(
    o: TransformOperation<'a>,
    tag: &str,
    summary: &str,
    description: &str,
) -> TransformOperation<'a> {
    o.tag(tag).summary(summary).description(description)
}

/// The routes that need a credential.
fn protected() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route(
            "/api/v1/definitions",
            get_with(definitions::list, |o| {
                op(o, "definitions", "List the definitions", "The cycle definitions this server runs, validated at start.")
            }),
        )
        .api_route(
            "/api/v1/definitions/{id}",
            get_with(definitions::get, |o| {
                op(o, "definitions", "Get a definition", "The definition as loaded and validated (schemas/definition.schema.json).")
            }),
        )
        .api_route(
            "/api/v1/definitions/{id}/graph",
            get_with(definitions::graph, |o| {
                op(o, "definitions", "Draw a definition", "The state graph as DOT, Mermaid or SVG, labelled in the `Accept-Language`.")
            }),
        )
        .api_route(
            "/api/v1/plugins",
            get_with(definitions::plugins, |o| {
                op(o, "criteria", "List the plugins", "The plugins the definitions pin, loaded and checked against their sha256.")
            }),
        )
        .api_route(
            "/api/v1/plugins/{plugin}/criteria/{set}",
            get_with(definitions::criteria, |o| {
                op(o, "criteria", "Get a criteria sheet", "The criteria sheet of a product set, from a scoring plugin.")
            }),
        )
        .api_route(
            "/api/v1/plugins/{plugin}/criteria/{set}/template",
            get_with(definitions::template, |o| {
                op(o, "criteria", "Get a blank answer sheet", "An answer sheet of the product set with no answer, to fill in.")
            }),
        )
        .api_route(
            "/api/v1/plugins/{plugin}/score",
            post_with(definitions::score, |o| {
                op(o, "criteria", "Preview a score", "Scores an answer sheet through the plugin; nothing is stored.")
            }),
        )
        .api_route(
            "/api/v1/cases",
            post_with(cases::open, |o| {
                op(o, "cases", "Open a case", "Opens a case under a definition, as the credential's actor. 201 with `Location`; a retry with the same `Idempotency-Key` answers 200 with the original events.")
                    .response_with::<201, axum::Json<cases::CommandResponse>, _>(|r| r.description("The case was opened"))
            })
            .get_with(cases::list, |o| {
                op(o, "cases", "List cases", "The province's cases, filtered by state, definition, product set, commune, stars or due date, one page at a time (`next_cursor`).")
            }),
        )
        .api_route(
            "/api/v1/cases/{id}",
            get_with(cases::get, |o| {
                op(o, "cases", "Get a case", "The case's state, stars, certificate, next deadline, and what the caller may do next. `ETag` is its version. Another province's case answers 404.")
            }),
        )
        .api_route(
            "/api/v1/cases/{id}/events",
            get_with(cases::events, |o| {
                op(o, "cases", "Get a case's history", "The case's events, hash-chained, in order.")
            }),
        )
        .api_route(
            "/api/v1/cases/{id}/verify",
            get_with(cases::verify, |o| {
                op(o, "cases", "Verify a case", "Checks the case's hash chain.")
            }),
        )
        .api_route(
            "/api/v1/cases/{id}/commands",
            post_with(cases::command, |o| {
                op(o, "commands", "Run a command", "Takes a transition or an action through the engine. `Idempotency-Key`: a retry returns the original events (200). `If-Match`: a stale version gets 412 with the current one. A failed guard gets 422 with every finding, a role the caller lacks 403, an ended case 409.")
            }),
        )
        .api_route(
            "/api/v1/cases/{id}/council/{evaluation}",
            get_with(cases::council, |o| {
                op(o, "council", "Get a council", "The council's members, the sheets submitted and its result.")
            }),
        )
        .api_route(
            "/api/v1/cases/{id}/council/{evaluation}/members",
            post_with(cases::constitute, |o| {
                op(o, "council", "Constitute a council", "Names the members (a `constitute_council` command).")
            }),
        )
        .api_route(
            "/api/v1/cases/{id}/council/{evaluation}/sheets",
            post_with(cases::submit_sheet, |o| {
                op(o, "council", "Submit a member's sheet", "The caller's answer sheet as a member, scored by the stage's plugin (a `submit_sheet` command).")
            }),
        )
        .api_route(
            "/api/v1/deadlines",
            get_with(programme::deadlines, |o| {
                op(o, "programme", "Deadlines due", "The province's deadlines not yet fired that fall before a day.")
            }),
        )
        .api_route(
            "/api/v1/report",
            get_with(programme::report, |o| {
                op(o, "programme", "The programme report", "Counts, stars, targets, expiring certificates and overdue cases, as JSON, Markdown or HTML.")
            }),
        )
        .api_route(
            "/api/v1/export",
            get_with(programme::export, |o| {
                op(o, "programme", "The national export", "Certified products as JSON Lines, streamed.")
            }),
        )
}

/// The routes anyone may call.
fn public() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route(
            "/health",
            get_with(ops::health, |o| op(o, "operations", "Liveness", "The process answers.")),
        )
        .api_route(
            "/ready",
            get_with(ops::ready, |o| {
                op(o, "operations", "Readiness", "200 when every province's store answers and the plugins are loaded; 503 otherwise.")
                    .response_with::<503, axum::Json<ops::Readiness>, _>(|r| r.description("Not ready"))
            }),
        )
        .api_route(
            "/metrics",
            get_with(ops::metrics, |o| op(o, "operations", "Metrics", "Prometheus text: requests, latencies, commands by outcome, tick runs.")),
        )
}

fn document() -> OpenApi {
    OpenApi {
        info: Info {
            title: "ocop".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: Some(
                "The OCOP cycle engine as an HTTP/JSON service. Every change to a case is a command through the engine; the actor comes only from the credential. Errors are `application/problem+json` with a stable `code`.".into(),
            ),
            ..Info::default()
        },
        servers: vec![Server {
            url: "/".into(),
            ..Server::default()
        }],
        tags: [
            ("definitions", "Cycle definitions and their graphs"),
            ("criteria", "Criteria sheets and score previews from scoring plugins"),
            ("cases", "Cases of the caller's province"),
            ("commands", "Changing a case"),
            ("council", "Councils: members, sheets, results"),
            ("programme", "Deadlines, the programme report, the national export"),
            ("operations", "Health, readiness, metrics"),
        ]
        .into_iter()
        .map(|(name, d)| Tag {
            name: name.into(),
            description: Some(d.into()),
            ..Tag::default()
        })
        .collect(),
        ..OpenApi::default()
    }
}

fn finish(router: ApiRouter<AppState>, api: &mut OpenApi) -> Router<AppState> {
    router.finish_api_with(api, |t| {
        t.default_response::<Problem>()
            .security_scheme(
                "bearer",
                SecurityScheme::Http {
                    scheme: "bearer".into(),
                    bearer_format: Some("JWT".into()),
                    description: Some(
                        "A JWT from the province's identity provider (RS256 or ES256)".into(),
                    ),
                    extensions: Default::default(),
                },
            )
            .security_scheme(
                "apiKey",
                SecurityScheme::ApiKey {
                    location: aide::openapi::ApiKeyLocation::Header,
                    name: "X-Api-Key".into(),
                    description: Some(
                        "An API key `ocop_<id>.<secret>` for a machine client".into(),
                    ),
                    extensions: Default::default(),
                },
            )
    })
}

/// The OpenAPI 3.1 document of the API, as served at `/openapi.json`.
pub fn openapi() -> String {
    let mut api = document();
    let _ = finish(public().merge(protected()), &mut api);
    docs::serialise(&api)
}

/// The API router with its state, and the OpenAPI document.
pub(crate) fn routes(state: AppState) -> (Router, String) {
    let mut api = document();
    let protected = protected().route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        crate::auth::require,
    ));
    let router = finish(public().merge(protected), &mut api).with_state(state);
    (router, docs::serialise(&api))
}
