//! Response types the OpenAPI document can describe: JSON with an `ETag`, and text bodies
//! (graphs, reports, metrics, JSON Lines).

use aide::OperationOutput;
use aide::generate::GenContext;
use aide::openapi::{
    MediaType, Operation, Response as OpenApiResponse, SchemaObject, StatusCode as DocStatus,
};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;

/// A JSON body of type `T` with a status and, for a case, its version as `ETag`.
#[derive(Debug)]
pub(crate) struct Reply<T> {
    /// The status (200 or 201).
    pub status: StatusCode,
    /// The case version, sent as `ETag: "<version>"`.
    pub version: Option<u64>,
    /// `Location` of a created resource.
    pub location: Option<String>,
    /// The body.
    pub body: T,
}

impl<T> Reply<T> {
    /// 200 with `body`.
    pub(crate) fn ok(body: T) -> Reply<T> {
        Reply {
            status: StatusCode::OK,
            version: None,
            location: None,
            body,
        }
    }

    /// With the case version as `ETag`.
    pub(crate) fn version(mut self, v: u64) -> Reply<T> {
        self.version = Some(v);
        self
    }
}

impl<T: Serialize> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        let mut res = (self.status, axum::Json(self.body)).into_response();
        if let Some(v) = self.version
            && let Ok(v) = HeaderValue::from_str(&format!("\"{v}\""))
        {
            res.headers_mut().insert(header::ETAG, v);
        }
        if let Some(l) = self.location
            && let Ok(l) = HeaderValue::from_str(&l)
        {
            res.headers_mut().insert(header::LOCATION, l);
        }
        res
    }
}

impl<T: JsonSchema> OperationOutput for Reply<T> {
    type Inner = T;

    fn operation_response(ctx: &mut GenContext, op: &mut Operation) -> Option<OpenApiResponse> {
        <axum::Json<T> as OperationOutput>::operation_response(ctx, op)
    }

    fn inferred_responses(
        ctx: &mut GenContext,
        op: &mut Operation,
    ) -> Vec<(Option<DocStatus>, OpenApiResponse)> {
        as_200(Self::operation_response(ctx, op))
    }
}

/// The response an operation documents, as its status 200.
pub(crate) fn as_200(r: Option<OpenApiResponse>) -> Vec<(Option<DocStatus>, OpenApiResponse)> {
    r.map(|r| vec![(Some(DocStatus::Code(200)), r)])
        .unwrap_or_default()
}

/// A response documented with several media types.
pub(crate) fn media_response(
    ctx: &mut GenContext,
    description: &str,
    types: &[(&str, Option<schemars::Schema>)],
) -> OpenApiResponse {
    let _ = ctx;
    OpenApiResponse {
        description: description.into(),
        content: types
            .iter()
            .map(|(t, schema)| {
                (
                    (*t).to_owned(),
                    MediaType {
                        schema: schema.clone().map(|json_schema| SchemaObject {
                            json_schema,
                            example: None,
                            external_docs: None,
                        }),
                        ..Default::default()
                    },
                )
            })
            .collect(),
        ..Default::default()
    }
}

macro_rules! text_output {
    ($name:ident, $desc:literal, [$($media:literal),+]) => {
        /// A text response (see the OpenAPI document for its media types).
        #[derive(Debug)]
        pub(crate) struct $name(pub Response);

        impl IntoResponse for $name {
            fn into_response(self) -> Response {
                self.0
            }
        }

        impl OperationOutput for $name {
            type Inner = String;

            fn operation_response(ctx: &mut GenContext, _op: &mut Operation) -> Option<OpenApiResponse> {
                let s = ctx.schema.subschema_for::<String>();
                Some(media_response(ctx, $desc, &[$(($media, Some(s.clone()))),+]))
            }

            fn inferred_responses(
                ctx: &mut GenContext,
                op: &mut Operation,
            ) -> Vec<(Option<DocStatus>, OpenApiResponse)> {
                as_200(Self::operation_response(ctx, op))
            }
        }
    };
}

text_output!(
    GraphOutput,
    "The state graph: Graphviz DOT, a Mermaid flowchart, or SVG",
    ["text/vnd.graphviz", "text/vnd.mermaid", "image/svg+xml"]
);
text_output!(
    MetricsOutput,
    "Prometheus text exposition format",
    ["text/plain; version=0.0.4"]
);
text_output!(
    ExportOutput,
    "Certified products, one JSON document per line (schemas/export-record.schema.json), streamed",
    ["application/jsonl"]
);

/// The programme report as JSON, Markdown or HTML.
#[derive(Debug)]
pub(crate) struct ReportOutput(pub Response);

impl IntoResponse for ReportOutput {
    fn into_response(self) -> Response {
        self.0
    }
}

impl OperationOutput for ReportOutput {
    type Inner = ocop_report::ProgrammeReport;

    fn operation_response(ctx: &mut GenContext, _op: &mut Operation) -> Option<OpenApiResponse> {
        let json = ctx.schema.subschema_for::<ocop_report::ProgrammeReport>();
        let text = ctx.schema.subschema_for::<String>();
        Some(media_response(
            ctx,
            "The programme report (`format=json`, `md` or `html`)",
            &[
                ("application/json", Some(json)),
                ("text/markdown", Some(text.clone())),
                ("text/html", Some(text)),
            ],
        ))
    }

    fn inferred_responses(
        ctx: &mut GenContext,
        op: &mut Operation,
    ) -> Vec<(Option<DocStatus>, OpenApiResponse)> {
        as_200(Self::operation_response(ctx, op))
    }
}
