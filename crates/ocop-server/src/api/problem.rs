//! Errors as `application/problem+json` (RFC 9457), each with a stable `code`.
//!
//! A problem never carries a stack trace or a store's own message: store failures are logged
//! on the server and answered with a generic sentence.

use std::collections::BTreeMap;

use aide::OperationOutput;
use aide::generate::GenContext;
use aide::openapi::{MediaType, Operation, Response as OpenApiResponse, SchemaObject};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ocop_core::{Lang, plugin::PluginError};
use ocop_engine::{CommandError, StoreError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The media type of every error answer.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The stable codes of the API's errors, one per kind. Clients match on these, never on
/// the wording of `detail`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// No credential was sent (401).
    MissingCredential,
    /// The credential is malformed, expired, not yet valid, wrongly signed, for another
    /// issuer or audience, or revoked (401).
    InvalidCredential,
    /// The credential does not hold the role the request needs (403).
    RoleNotAllowed,
    /// Separation of duties forbids this actor from acting in this role on this case (403).
    SeparationOfDuties,
    /// No such route, definition, plugin, product set or case in the caller's province (404).
    NotFound,
    /// The method is not allowed on this route (405).
    MethodNotAllowed,
    /// The body is not JSON, or not the JSON this route takes; `detail` names the line and
    /// column (400).
    MalformedBody,
    /// A query parameter, path parameter or header is malformed (400).
    BadParameter,
    /// The body names an actor; the actor comes only from the credential (400).
    ActorInBody,
    /// The body is larger than the server accepts (413).
    BodyTooLarge,
    /// The body is not sent as `application/json` (415).
    UnsupportedMediaType,
    /// The case to open exists already (409).
    CaseExists,
    /// The case has ended and accepts no more commands (409).
    CaseTerminal,
    /// The command cannot be taken from the case's state (409).
    NotFromState,
    /// The case moved on meanwhile and the engine could not settle the command (409).
    Conflict,
    /// `If-Match` named a version the case is no longer at; `current_version` says where it
    /// is (412).
    VersionMismatch,
    /// The definition has no such transition; `hint` may suggest one (422).
    UnknownTransition,
    /// A guard of the transition does not hold; `findings` lists every failing guard (422).
    GuardFailed,
    /// The command is missing input or carries invalid input (422).
    InvalidInput,
    /// A council command does not fit the council (422).
    Council,
    /// The scoring plugin refused the answer sheet (422).
    SheetRejected,
    /// The definition is not in force on the day the case would open (422).
    NotInForce,
    /// The definition takes no new cases since its intake ended; earlier cases run on under
    /// it (422).
    IntakeClosed,
    /// The idempotency key was used before for a different command (422).
    IdempotencyKeyReused,
    /// A transition's effect could not be carried out (422).
    EffectFailed,
    /// The caller sent too many requests; wait `Retry-After` seconds (429).
    RateLimited,
    /// The request took longer than the server allows (503).
    Timeout,
    /// The store cannot be reached or failed; nothing was written (503).
    StoreUnavailable,
    /// A plugin failed in the sandbox (500).
    PluginFailed,
    /// A stored history cannot be read back (500).
    CorruptHistory,
    /// A deadline needs calendar data the server does not have (500).
    CalendarNotCovered,
    /// Anything else (500); the server's log has the details.
    Internal,
}

impl ErrorCode {
    /// The HTTP status of this kind of error.
    pub fn status(self) -> StatusCode {
        use ErrorCode::*;
        match self {
            MissingCredential | InvalidCredential => StatusCode::UNAUTHORIZED,
            RoleNotAllowed | SeparationOfDuties => StatusCode::FORBIDDEN,
            NotFound => StatusCode::NOT_FOUND,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            MalformedBody | BadParameter | ActorInBody => StatusCode::BAD_REQUEST,
            BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            CaseExists | CaseTerminal | NotFromState | Conflict => StatusCode::CONFLICT,
            VersionMismatch => StatusCode::PRECONDITION_FAILED,
            UnknownTransition | GuardFailed | InvalidInput | Council | SheetRejected
            | NotInForce | IntakeClosed | IdempotencyKeyReused | EffectFailed => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Timeout | StoreUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            PluginFailed | CorruptHistory | CalendarNotCovered | Internal => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The code as it appears in `code` (kebab case).
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            MissingCredential => "missing-credential",
            InvalidCredential => "invalid-credential",
            RoleNotAllowed => "role-not-allowed",
            SeparationOfDuties => "separation-of-duties",
            NotFound => "not-found",
            MethodNotAllowed => "method-not-allowed",
            MalformedBody => "malformed-body",
            BadParameter => "bad-parameter",
            ActorInBody => "actor-in-body",
            BodyTooLarge => "body-too-large",
            UnsupportedMediaType => "unsupported-media-type",
            CaseExists => "case-exists",
            CaseTerminal => "case-terminal",
            NotFromState => "not-from-state",
            Conflict => "conflict",
            VersionMismatch => "version-mismatch",
            UnknownTransition => "unknown-transition",
            GuardFailed => "guard-failed",
            InvalidInput => "invalid-input",
            Council => "council",
            SheetRejected => "sheet-rejected",
            NotInForce => "not-in-force",
            IntakeClosed => "intake-closed",
            IdempotencyKeyReused => "idempotency-key-reused",
            EffectFailed => "effect-failed",
            RateLimited => "rate-limited",
            Timeout => "timeout",
            StoreUnavailable => "store-unavailable",
            PluginFailed => "plugin-failed",
            CorruptHistory => "corrupt-history",
            CalendarNotCovered => "calendar-not-covered",
            Internal => "internal",
        }
    }

    fn title(self, lang: Lang) -> &'static str {
        use ErrorCode::*;
        let (vi, en) = match self {
            MissingCredential => ("Thiếu thông tin xác thực", "Missing credential"),
            InvalidCredential => ("Thông tin xác thực không hợp lệ", "Invalid credential"),
            RoleNotAllowed => ("Vai trò không được phép", "Role not allowed"),
            SeparationOfDuties => (
                "Vi phạm nguyên tắc phân tách nhiệm vụ",
                "Separation of duties",
            ),
            NotFound => ("Không tìm thấy", "Not found"),
            MethodNotAllowed => ("Phương thức không được hỗ trợ", "Method not allowed"),
            MalformedBody => ("Nội dung yêu cầu không hợp lệ", "Malformed body"),
            BadParameter => ("Tham số không hợp lệ", "Bad parameter"),
            ActorInBody => (
                "Không được khai người thực hiện trong nội dung",
                "Actor in body",
            ),
            BodyTooLarge => ("Nội dung quá lớn", "Body too large"),
            UnsupportedMediaType => ("Kiểu nội dung không được hỗ trợ", "Unsupported media type"),
            CaseExists => ("Hồ sơ đã tồn tại", "Case exists"),
            CaseTerminal => ("Hồ sơ đã kết thúc", "Case has ended"),
            NotFromState => (
                "Không thể thực hiện ở trạng thái hiện tại",
                "Not from this state",
            ),
            Conflict => ("Xung đột cập nhật", "Conflict"),
            VersionMismatch => ("Phiên bản hồ sơ đã thay đổi", "Version mismatch"),
            UnknownTransition => ("Bước chuyển không tồn tại", "Unknown transition"),
            GuardFailed => ("Chưa đủ điều kiện", "Guard failed"),
            InvalidInput => ("Dữ liệu không hợp lệ", "Invalid input"),
            Council => ("Hội đồng không hợp lệ", "Council"),
            SheetRejected => ("Phiếu chấm bị từ chối", "Sheet rejected"),
            NotInForce => ("Quy trình chưa có hiệu lực", "Not in force"),
            IntakeClosed => ("Quy trình đã hết hạn nhận hồ sơ mới", "Intake closed"),
            IdempotencyKeyReused => (
                "Khoá chống lặp đã dùng cho lệnh khác",
                "Idempotency key reused",
            ),
            EffectFailed => ("Không thực hiện được tác động", "Effect failed"),
            RateLimited => ("Quá nhiều yêu cầu", "Rate limited"),
            Timeout => ("Hết thời gian xử lý", "Timeout"),
            StoreUnavailable => ("Cơ sở dữ liệu không sẵn sàng", "Store unavailable"),
            PluginFailed => ("Plugin gặp lỗi", "Plugin failed"),
            CorruptHistory => ("Lịch sử hồ sơ không đọc được", "Corrupt history"),
            CalendarNotCovered => ("Thiếu dữ liệu lịch làm việc", "Calendar not covered"),
            Internal => ("Lỗi máy chủ", "Internal error"),
        };
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

// Not `Finding`: the API's schemas also carry a guard plugin's `Finding`, and two schemas of
// one name became `Finding` and `Finding2`.
/// One failing guard of a transition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FailedGuard {
    /// The guard, e.g. `dossier_complete`.
    pub guard: String,
    /// Why it does not hold.
    pub reason: String,
}

/// An error answer (RFC 9457 problem details) with the API's extensions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:ocop:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short title of the kind, in the caller's language.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong in this request, and what to do about it.
    pub detail: String,
    /// The stable code of the kind.
    pub code: ErrorCode,
    /// A suggestion ("did you mean `province_certify`?").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Every failing guard, for `guard-failed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FailedGuard>,
    /// The case's version now, for `version-mismatch` (also sent as `ETag`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
    /// Seconds to wait, for `rate-limited` (also sent as `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Line of the body where parsing failed, for `malformed-body`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Column of the body where parsing failed, for `malformed-body`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Anything else the kind carries.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
    /// The language titles are rendered in (not serialised).
    #[serde(skip)]
    #[schemars(skip)]
    lang: Lang,
}

impl Problem {
    /// A problem of kind `code` with `detail`.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("urn:ocop:problem:{}", code.as_str()),
            title: code.title(Lang::En).to_owned(),
            status: code.status().as_u16(),
            detail: detail.into(),
            code,
            hint: None,
            findings: Vec::new(),
            current_version: None,
            retry_after: None,
            line: None,
            column: None,
            extra: BTreeMap::new(),
            lang: Lang::En,
        }
    }

    /// Renders the title in `lang`.
    pub fn in_lang(mut self, lang: Lang) -> Problem {
        self.lang = lang;
        self.title = self.code.title(lang).to_owned();
        self
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Problem {
        let h = hint.into();
        if !h.is_empty() {
            self.hint = Some(h);
        }
        self
    }

    /// A 404 naming what was not found.
    pub fn not_found(what: impl Into<String>) -> Problem {
        Problem::new(ErrorCode::NotFound, what)
    }

    /// A 500 whose cause was logged, not shown.
    pub fn internal() -> Problem {
        Problem::new(
            ErrorCode::Internal,
            "the server failed; its log has the details",
        )
    }

    /// A store failure: the cause is logged, never shown (it may hold SQL).
    pub fn store(e: &StoreError) -> Problem {
        tracing::error!(target: "ocop_server::store", error = %e, "store failure");
        Problem::new(
            ErrorCode::StoreUnavailable,
            "the store failed or cannot be reached; nothing was written, try again later",
        )
    }

    /// The problem for a refused or failed command.
    pub fn command(e: &CommandError, if_match: bool) -> Problem {
        use ErrorCode as C;
        match e {
            CommandError::UnknownCase { case } => {
                Problem::not_found(format!("there is no case `{case}` in your province"))
            }
            CommandError::CaseExists { .. } => Problem::new(C::CaseExists, e.to_string()),
            CommandError::NotInForce { .. } => Problem::new(C::NotInForce, e.to_string()),
            CommandError::IntakeClosed { .. } => Problem::new(C::IntakeClosed, e.to_string()),
            CommandError::WrongDefinition { .. } => Problem::new(C::Conflict, e.to_string()),
            CommandError::Terminal { .. } => Problem::new(C::CaseTerminal, e.to_string()),
            CommandError::Conflict { actual, .. } => {
                let code = if if_match {
                    C::VersionMismatch
                } else {
                    C::Conflict
                };
                let mut p = Problem::new(code, e.to_string());
                p.current_version = Some(*actual);
                p
            }
            CommandError::UnknownTransition {
                transition,
                definition,
                hint,
            } => Problem::new(
                C::UnknownTransition,
                format!("transition `{transition}` is not defined in `{definition}`"),
            )
            .hint(hint.trim().trim_start_matches(';').trim()),
            CommandError::NotFromState { .. } => Problem::new(C::NotFromState, e.to_string()),
            CommandError::UnknownRole { .. }
            | CommandError::SystemRole
            | CommandError::RoleNotAllowed { .. } => Problem::new(C::RoleNotAllowed, e.to_string()),
            CommandError::Separation { .. } | CommandError::ProducerMayNotScore { .. } => {
                Problem::new(C::SeparationOfDuties, e.to_string())
            }
            CommandError::GuardFailed { guard, reason, .. } => {
                let mut p = Problem::new(C::GuardFailed, e.to_string());
                p.findings = vec![FailedGuard {
                    guard: guard.clone(),
                    reason: reason.clone(),
                }];
                p
            }
            CommandError::UnknownEvaluation { .. } => Problem::new(C::Council, e.to_string()),
            CommandError::NotInEvaluation { .. } => Problem::new(C::NotFromState, e.to_string()),
            CommandError::Council { .. } => Problem::new(C::Council, e.to_string()),
            CommandError::InvalidInput(_) => Problem::new(C::InvalidInput, e.to_string()),
            CommandError::Plugin(p) => Problem::plugin(p),
            CommandError::Effect { .. } => Problem::new(C::EffectFailed, e.to_string()),
            CommandError::Calendar(_) => Problem::new(C::CalendarNotCovered, e.to_string()),
            CommandError::KeyReused { .. } => Problem::new(C::IdempotencyKeyReused, e.to_string()),
            CommandError::Store(s) => Problem::store(s),
            CommandError::Corrupt(_) => {
                tracing::error!(target: "ocop_server::store", error = %e, "corrupt history");
                Problem::new(
                    C::CorruptHistory,
                    "the case's stored history cannot be read back; run `ocop verify` on the store",
                )
            }
            CommandError::PluginNotRegistered { .. } => {
                tracing::error!(target: "ocop_server::engine", error = %e, "plugin not registered");
                Problem::internal()
            }
            other => {
                tracing::error!(target: "ocop_server::engine", error = %other, "unmapped command error");
                Problem::internal()
            }
        }
    }

    /// The problem for a plugin failure: a refused sheet is the caller's, anything else the
    /// server's.
    pub fn plugin(e: &PluginError) -> Problem {
        match e {
            PluginError::Rejected { .. } => Problem::new(ErrorCode::SheetRejected, e.to_string()),
            other => {
                tracing::error!(target: "ocop_server::plugin", error = %other, "plugin failure");
                Problem::new(ErrorCode::PluginFailed, other.to_string())
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        let h = res.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(v) = self.current_version
            && let Ok(v) = HeaderValue::from_str(&format!("\"{v}\""))
        {
            h.insert(header::ETAG, v);
        }
        if let Some(s) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if self.code == ErrorCode::MissingCredential || self.code == ErrorCode::InvalidCredential {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"ocop\""),
            );
        }
        res.extensions_mut().insert(self.code);
        res
    }
}

impl OperationOutput for Problem {
    type Inner = Problem;

    fn operation_response(ctx: &mut GenContext, _op: &mut Operation) -> Option<OpenApiResponse> {
        let schema = ctx.schema.subschema_for::<Problem>();
        Some(OpenApiResponse {
            description: "An error, as RFC 9457 problem details with a stable `code`".into(),
            content: [(
                PROBLEM_JSON.to_owned(),
                MediaType {
                    schema: Some(SchemaObject {
                        json_schema: schema,
                        example: None,
                        external_docs: None,
                    }),
                    ..Default::default()
                },
            )]
            .into_iter()
            .collect(),
            ..Default::default()
        })
    }

    fn inferred_responses(
        ctx: &mut GenContext,
        op: &mut Operation,
    ) -> Vec<(Option<aide::openapi::StatusCode>, OpenApiResponse)> {
        Self::operation_response(ctx, op)
            .map(|r| vec![(None, r)])
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_kebab_and_match_serde() {
        for code in [
            ErrorCode::VersionMismatch,
            ErrorCode::ActorInBody,
            ErrorCode::IntakeClosed,
            ErrorCode::Internal,
        ] {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json.as_str(), Some(code.as_str()));
        }
    }

    #[test]
    fn a_closed_intake_is_the_callers_to_fix_not_the_servers() {
        let e = CommandError::IntakeClosed {
            definition: "can-tho-2024".into(),
            until: ocop_core::Date::new(2026, 5, 21).unwrap(),
            today: ocop_core::Date::new(2026, 6, 1).unwrap(),
            basis: "QĐ 26/2026 Điều 12.2".into(),
        };
        let p = Problem::command(&e, false);
        assert_eq!(p.code, ErrorCode::IntakeClosed);
        assert_eq!(p.status, 422);
        assert_eq!(p.kind, "urn:ocop:problem:intake-closed");
        assert!(p.detail.contains("after 2026-05-21"), "{}", p.detail);
    }

    #[test]
    fn store_messages_never_reach_the_client() {
        let p = Problem::store(&StoreError::Backend(
            "PostgreSQL: syntax error at or near \"DROP\" (42601)".into(),
        ));
        let text = serde_json::to_string(&p).unwrap();
        assert!(
            !text.contains("DROP") && !text.contains("PostgreSQL"),
            "{text}"
        );
        assert_eq!(p.status, 503);
    }
}
