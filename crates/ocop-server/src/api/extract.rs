//! Request extractors whose failures are problems, each documented in the OpenAPI document:
//! JSON bodies (line and column of a parse error, no `actor` anywhere at the top), queries,
//! paths, the caller's language and the command headers.

use aide::OperationInput;
use aide::generate::GenContext;
use aide::openapi::{
    Operation, Parameter, ParameterData, ParameterSchemaOrContent, ReferenceOr, SchemaObject,
};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, IF_MATCH};
use axum::http::request::Parts;
use ocop_core::Lang;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use super::problem::{ErrorCode, Problem};
use crate::auth::Principal;
use crate::state::AppState;

/// Adds a header parameter to an operation once.
pub(crate) fn header_param(
    ctx: &mut GenContext,
    operation: &mut Operation,
    name: &str,
    description: &str,
) {
    let exists = operation.parameters.iter().any(|p| {
        matches!(p, ReferenceOr::Item(Parameter::Header { parameter_data, .. }) if parameter_data.name == name)
    });
    if exists {
        return;
    }
    let schema = ctx.schema.subschema_for::<String>();
    operation
        .parameters
        .push(ReferenceOr::Item(Parameter::Header {
            parameter_data: ParameterData {
                name: name.into(),
                description: Some(description.into()),
                required: false,
                format: ParameterSchemaOrContent::Schema(SchemaObject {
                    json_schema: schema,
                    example: None,
                    external_docs: None,
                }),
                extensions: Default::default(),
                deprecated: None,
                example: None,
                examples: Default::default(),
                explode: None,
            },
            style: Default::default(),
        }));
}

/// The language labels and problem titles are rendered in: the first of `vi` or `en` in
/// `Accept-Language` by quality, Vietnamese when neither is named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Language(pub Lang);

/// Picks `vi` or `en` from an `Accept-Language` value.
pub(crate) fn negotiate(header: &str) -> Lang {
    let mut best: Option<(f32, Lang)> = None;
    for part in header.split(',') {
        let mut bits = part.trim().split(';');
        let tag = bits.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = bits
            .find_map(|b| b.trim().strip_prefix("q=").map(str::to_owned))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let lang = match tag.split('-').next().unwrap_or("") {
            "vi" => Lang::Vi,
            "en" => Lang::En,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map_or(Lang::Vi, |(_, l)| l)
}

/// The language of a request's headers.
pub(crate) fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::Vi, negotiate)
}

impl<S: Send + Sync> FromRequestParts<S> for Language {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Language(lang_of(&parts.headers)))
    }
}

impl OperationInput for Language {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        header_param(
            ctx,
            operation,
            "Accept-Language",
            "`vi` (default) or `en`: the language of labels and error titles",
        );
    }
}

/// Who calls an authenticated route, and in which language: the server's state, the
/// principal the authentication layer attached (`missing-credential` without one) and the
/// language of `Accept-Language`. Its OpenAPI inputs are its parts', in this order.
pub(crate) struct Caller {
    pub(crate) state: AppState,
    pub(crate) principal: Principal,
    pub(crate) lang: Lang,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let principal = Principal::from_request_parts(parts, state).await?;
        Ok(Caller {
            state: state.clone(),
            principal,
            lang: lang_of(&parts.headers),
        })
    }
}

impl OperationInput for Caller {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        Principal::operation_input(ctx, operation);
        Language::operation_input(ctx, operation);
    }
}

/// A JSON body of type `T`. Refused with `malformed-body` (400, naming the line and
/// column), `actor-in-body` (400), `unsupported-media-type` (415) or `body-too-large` (413).
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub T);

/// Parses a JSON body: syntax first (line and column), then a refused `actor` field, then
/// the type (line and column again).
pub(crate) fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let malformed = |e: serde_json::Error| {
        let mut p = Problem::new(
            ErrorCode::MalformedBody,
            format!(
                "the body is not valid: {e}; fix the JSON at line {}, column {}",
                e.line(),
                e.column()
            ),
        );
        p.line = Some(e.line());
        p.column = Some(e.column());
        p
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(malformed)?;
    let names_actor =
        |v: &serde_json::Value| v.as_object().is_some_and(|o| o.contains_key("actor"));
    if names_actor(&value) || value.get("action").is_some_and(names_actor) {
        return Err(Problem::new(
            ErrorCode::ActorInBody,
            "the body names an `actor`: who acts comes only from your credential (and `role` picks one of its roles); remove `actor`",
        ));
    }
    serde_json::from_slice(bytes).map_err(malformed)
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || m.ends_with("+json")
            })
            .unwrap_or(false);
        if !json {
            return Err(Problem::new(
                ErrorCode::UnsupportedMediaType,
                "send the body as `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| match e {
            BytesRejection::FailedToBufferBody(_) => too_large(),
            other => Problem::new(ErrorCode::MalformedBody, other.body_text()),
        })?;
        parse_body(&bytes).map(ApiJson)
    }
}

/// The answer to a body over the limit.
pub(crate) fn too_large() -> Problem {
    Problem::new(
        ErrorCode::BodyTooLarge,
        "the body is larger than this server accepts (see `--max-body`); send less",
    )
}

impl<T: JsonSchema> OperationInput for ApiJson<T> {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        <axum::Json<T> as OperationInput>::operation_input(ctx, operation);
    }
}

/// Query parameters of type `T`; refused with `bad-parameter` (400).
#[derive(Debug)]
pub(crate) struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| Problem::new(ErrorCode::BadParameter, e.body_text()))
    }
}

impl<T: JsonSchema> OperationInput for ApiQuery<T> {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        <axum::extract::Query<T> as OperationInput>::operation_input(ctx, operation);
    }
}

/// Path parameters of type `T`; refused with `bad-parameter` (400).
#[derive(Debug)]
pub(crate) struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e| Problem::new(ErrorCode::BadParameter, e.body_text()))
    }
}

impl<T: JsonSchema> OperationInput for ApiPath<T> {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        <axum::extract::Path<T> as OperationInput>::operation_input(ctx, operation);
    }
}

/// The headers of a command: `Idempotency-Key` (the engine's idempotency key) and
/// `If-Match` (the case version the caller saw).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CommandHeaders {
    /// `Idempotency-Key`.
    pub idempotency_key: Option<String>,
    /// `If-Match`, as a version.
    pub if_match: Option<u64>,
}

/// The longest idempotency key accepted.
const MAX_KEY: usize = 200;

impl<S: Send + Sync> FromRequestParts<S> for CommandHeaders {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let bad = |what: &str| Problem::new(ErrorCode::BadParameter, what.to_owned());
        let idempotency_key = match parts.headers.get("idempotency-key") {
            None => None,
            Some(v) => {
                let k = v
                    .to_str()
                    .map_err(|_| bad("`Idempotency-Key` must be visible ASCII"))?
                    .trim()
                    .trim_matches('"');
                if k.is_empty() || k.len() > MAX_KEY {
                    return Err(bad("`Idempotency-Key` must be 1 to 200 characters"));
                }
                Some(k.to_owned())
            }
        };
        let if_match = match parts.headers.get(IF_MATCH) {
            None => None,
            Some(v) => {
                let text = v
                    .to_str()
                    .map_err(|_| bad("`If-Match` must be a case version such as \"3\""))?;
                let n = text.trim().trim_start_matches("W/").trim_matches('"');
                Some(n.parse::<u64>().map_err(|_| {
                    bad("`If-Match` must be a case version such as \"3\" (the `ETag` of the case)")
                })?)
            }
        };
        Ok(CommandHeaders {
            idempotency_key,
            if_match,
        })
    }
}

impl OperationInput for CommandHeaders {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        header_param(
            ctx,
            operation,
            "Idempotency-Key",
            "A key you choose per command: a retry with the same key returns the original events (200) instead of acting twice",
        );
        header_param(
            ctx,
            operation,
            "If-Match",
            "The case version you saw (its `ETag`); a stale version gets 412 with the current one",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_by_quality() {
        assert_eq!(negotiate("en-US,en;q=0.9,vi;q=0.8"), Lang::En);
        assert_eq!(negotiate("fr, vi;q=0.5, en;q=0.4"), Lang::Vi);
        assert_eq!(negotiate("de"), Lang::Vi);
        assert_eq!(negotiate("en;q=0"), Lang::Vi);
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let err = parse_body::<serde_json::Value>(b"{\n  \"a\": 1,\n  \"b\": }").unwrap_err();
        assert_eq!((err.line, err.column), (Some(3), Some(8)));
        assert_eq!(err.code, ErrorCode::MalformedBody);
    }

    #[test]
    fn an_actor_is_refused() {
        let err = parse_body::<serde_json::Value>(br#"{"action": {"type": "take", "actor": {}}}"#)
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::ActorInBody);
    }
}
