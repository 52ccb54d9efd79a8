//! RFC 9457 problem documents: the one place where errors become HTTP responses.
//!
//! Every error a caller can see is mapped here to a status and a stable `type`, so that the
//! list of kinds in `docs/problems.md` is the whole list. Nothing a caller or an adapter did
//! maps to 500; only the hub's own failures do.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::exchange::{ExchangeError, Side};
use crate::message::Violation;
use crate::provider::ProviderError;
use crate::runtime::{CallError, Phase};

/// The prefix of every problem `type`; the rest is the kind, such as `adapter-rejected`.
pub const TYPE_PREFIX: &str = "urn:lgsp:problem:";

/// The media type of a problem document.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One problem document.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// `urn:lgsp:problem:<kind>`.
    #[serde(rename = "type")]
    pub type_: String,
    /// A short summary of the kind; the same for every occurrence.
    pub title: &'static str,
    /// The HTTP status, repeated in the body.
    pub status: u16,
    /// What happened this time.
    pub detail: String,
    /// The exchange this problem belongs to, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange_id: Option<String>,
    /// Which side produced what failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// Which leg: `request` or `reply`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<&'static str>,
    /// The agency whose adapter is concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// The adapter concerned, `name@version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adapter: Option<String>,
    /// The standard concerned, `id@version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard: Option<String>,
    /// The limit that was hit, such as `max_body_bytes=1048576`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// The field violations, for rejections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violations: Option<Vec<Violation>>,
    /// Whether the request body was left unread, so the connection cannot be reused.
    #[serde(skip)]
    pub close_connection: bool,
    /// Seconds after which a retry may succeed (`Retry-After`).
    #[serde(skip)]
    pub retry_after: Option<u32>,
}

impl Problem {
    /// A problem of `kind` with `status`, `title` and `detail`.
    pub fn new(
        status: StatusCode,
        kind: &str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            type_: format!("{TYPE_PREFIX}{kind}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            exchange_id: None,
            side: None,
            phase: None,
            agency: None,
            adapter: None,
            standard: None,
            limit: None,
            violations: None,
            close_connection: false,
            retry_after: None,
        }
    }

    /// The kind, without the prefix.
    pub fn kind(&self) -> &str {
        self.type_.strip_prefix(TYPE_PREFIX).unwrap_or(&self.type_)
    }

    /// Attaches the exchange id.
    pub fn with_exchange(mut self, id: &str) -> Self {
        self.exchange_id = Some(id.to_owned());
        self
    }

    /// Names the limit that was hit, as `setting=value`.
    pub fn with_limit(mut self, limit: String) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Tells the caller when a retry may succeed.
    pub fn with_retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Closes the connection after this answer: part of the request is still unread.
    pub fn closing(mut self) -> Self {
        self.close_connection = true;
        self
    }

    fn at(mut self, side: Side, phase: Phase, agency: &str) -> Self {
        self.side = Some(side);
        self.phase = Some(phase_name(phase));
        self.agency = Some(agency.to_owned());
        self
    }

    /// The status as a `StatusCode`.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// 404 for a path the API does not have.
    pub fn route_not_found(path: &str) -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("there is nothing at {path:?}"),
        )
    }

    /// 400 for a malformed query or path parameter.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail,
        )
    }

    /// 401 for a missing or unknown key or token.
    pub fn unauthenticated() -> Self {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Not authenticated",
            "send a valid key as `Authorization: Bearer <key>`",
        )
    }

    /// 500 for the hub's own failures.
    pub fn internal(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal hub failure",
            detail,
        )
    }
}

impl From<&crate::admin::AdminError> for Problem {
    fn from(err: &crate::admin::AdminError) -> Self {
        use crate::admin::AdminError as E;
        let detail = err.to_string();
        match err {
            E::BadRequest(_) => Problem::bad_request(detail),
            E::NotFound(_) => Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail),
            E::Conflict { kind, .. } => Problem::new(
                StatusCode::CONFLICT,
                kind,
                "Conflicts with the hub's current state",
                detail,
            ),
            E::Invalid { kind, .. } => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                kind,
                admin_title(kind),
                detail,
            ),
            E::TooLarge { limit } => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                "Request body too large",
                detail,
            )
            .with_limit(format!("bytes={limit}"))
            .closing(),
            E::Store(_) | E::Io(_) => Problem::internal(detail),
        }
    }
}

/// The title of each kind of refused admin input.
fn admin_title(kind: &str) -> &'static str {
    match kind {
        "adapter-invalid" => "Not a valid adapter",
        "adapter-tampered" => "Stored adapter failed its checks",
        "signature-required" => "Signature required",
        "signature-invalid" => "Signature not valid",
        "standard-invalid" => "Schema does not compile",
        _ => "Invalid request",
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let id = self.exchange_id.clone();
        let close = self.close_connection;
        let retry_after = self.retry_after;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if close {
            // The rest of the body is still on the wire: tell the client not to reuse the
            // connection rather than let its next request fail on a closed one.
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(id) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
            headers.insert(crate::api::EXCHANGE_ID_HEADER, id);
        }
        response
    }
}

fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::Request => "request",
        Phase::Reply => "reply",
    }
}

impl From<&ExchangeError> for Problem {
    fn from(err: &ExchangeError) -> Self {
        use ExchangeError as E;
        use StatusCode as S;
        let detail = err.to_string();
        match err {
            E::Unauthenticated => Problem::unauthenticated(),
            E::Forbidden { .. } => Problem::new(S::FORBIDDEN, "forbidden", "Not allowed", detail),
            E::UnknownService(_) => {
                Problem::new(S::NOT_FOUND, "unknown-service", "Unknown service", detail)
            }
            E::HeadersTooLarge { limit } => Problem::new(
                S::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "headers-too-large",
                "Request headers too large",
                detail,
            )
            .with_limit(format!("max_header_bytes={limit}"))
            .closing(),
            E::BodyTooLarge { limit } => Problem::new(
                S::PAYLOAD_TOO_LARGE,
                "body-too-large",
                "Request body too large",
                detail,
            )
            .with_limit(format!("max_body_bytes={limit}"))
            .closing(),
            E::BodyTimeout(limit) => Problem::new(
                S::REQUEST_TIMEOUT,
                "body-timeout",
                "Request body too slow",
                detail,
            )
            .with_limit(format!("exchange_timeout_ms={}", limit.as_millis()))
            .closing(),
            E::BodyRead(_) => Problem::new(
                S::BAD_REQUEST,
                "body-unreadable",
                "Request body could not be read",
                detail,
            )
            .closing(),
            E::AdapterRejected {
                side,
                phase,
                agency,
                violations,
            } => {
                let detail = format!(
                    "the adapter of agency {agency:?} found {} problem(s) in the {} message",
                    violations.len(),
                    phase_name(*phase)
                );
                let mut p = Problem::new(
                    S::UNPROCESSABLE_ENTITY,
                    "adapter-rejected",
                    "The adapter rejected the message",
                    detail,
                )
                .at(*side, *phase, agency);
                p.violations = Some(violations.clone());
                p
            }
            E::AdapterUnsupported {
                side,
                phase,
                agency,
                reason,
            } => Problem::new(
                S::UNPROCESSABLE_ENTITY,
                "unsupported-message",
                "The adapter does not handle this kind of message",
                reason.clone(),
            )
            .at(*side, *phase, agency),
            E::AdapterFault {
                side,
                phase,
                agency,
                adapter,
                source,
            } => {
                let mut p = adapter_problem(source).at(*side, *phase, agency);
                p.adapter = (!adapter.is_empty()).then(|| adapter.clone());
                p
            }
            E::StandardViolation {
                side,
                standard,
                violations,
            } => {
                let who = side.as_str();
                let detail = format!(
                    "the national form produced by the {who} side has {} violation(s) of {standard}",
                    violations.len()
                );
                let mut p = Problem::new(
                    S::UNPROCESSABLE_ENTITY,
                    "standard-violation",
                    "The national form does not satisfy the standard",
                    detail,
                );
                p.side = Some(*side);
                p.standard = Some(standard.clone());
                p.violations = Some(violations.clone());
                p
            }
            E::Provider(source) => {
                let (status, kind, title) = match source {
                    ProviderError::Unreachable(_) => (
                        S::BAD_GATEWAY,
                        "provider-unreachable",
                        "The provider cannot be reached",
                    ),
                    ProviderError::Timeout(_) => (
                        S::GATEWAY_TIMEOUT,
                        "provider-timeout",
                        "The provider did not answer in time",
                    ),
                    ProviderError::Status(_) => (
                        S::BAD_GATEWAY,
                        "provider-error",
                        "The provider answered with an error",
                    ),
                    ProviderError::Tls(_) => (
                        S::BAD_GATEWAY,
                        "provider-tls",
                        "No secure connection to the provider",
                    ),
                    ProviderError::Broken(_) => (
                        S::BAD_GATEWAY,
                        "provider-reply-broken",
                        "The provider's reply broke off",
                    ),
                    ProviderError::TooLarge => (
                        S::BAD_GATEWAY,
                        "provider-reply-too-large",
                        "The provider's reply is too large",
                    ),
                };
                let mut p = Problem::new(status, kind, title, source.to_string());
                p.side = Some(Side::Provider);
                p
            }
            E::Timeout(limit) => Problem::new(
                S::GATEWAY_TIMEOUT,
                "exchange-timeout",
                "The exchange did not finish in time",
                detail,
            )
            .with_limit(format!("exchange_timeout_ms={}", limit.as_millis())),
            E::Log(_) => Problem::internal(detail),
        }
    }
}

/// The problem for an adapter call that failed without a verdict on the message.
fn adapter_problem(source: &CallError) -> Problem {
    use StatusCode as S;
    let detail = source.to_string();
    match source {
        CallError::Deadline(limit) => Problem::new(
            S::BAD_GATEWAY,
            "adapter-deadline",
            "The adapter ran out of time",
            detail,
        )
        .with_limit(format!("deadline_ms={}", limit.as_millis())),
        CallError::MemoryLimit(limit) => Problem::new(
            S::BAD_GATEWAY,
            "adapter-memory-limit",
            "The adapter ran out of memory",
            detail,
        )
        .with_limit(format!("max_memory_bytes={limit}")),
        CallError::StackOverflow(limit) => Problem::new(
            S::BAD_GATEWAY,
            "adapter-stack-overflow",
            "The adapter overflowed its stack",
            detail,
        )
        .with_limit(format!("max_wasm_stack={limit}")),
        CallError::TransferLimit(limit) => Problem::new(
            S::BAD_GATEWAY,
            "adapter-transfer-limit",
            "The adapter handed the host too much at once",
            detail,
        )
        .with_limit(format!("hostcall_bytes={limit}")),
        CallError::OutputTooLarge { limit, .. } => Problem::new(
            S::BAD_GATEWAY,
            "adapter-output-too-large",
            "The adapter's output is over its limit",
            detail,
        )
        .with_limit(format!("max_output_bytes={limit}")),
        CallError::Busy(limit) => Problem::new(
            S::SERVICE_UNAVAILABLE,
            "adapter-busy",
            "The adapter is at its limit of messages in flight",
            detail,
        )
        .with_limit(format!("max_in_flight={limit}"))
        .with_retry_after(1),
        CallError::Instantiate(_) => Problem::new(
            S::SERVICE_UNAVAILABLE,
            "adapter-unavailable",
            "The adapter cannot take this message now",
            detail,
        )
        .with_retry_after(1),
        CallError::Rejected(_)
        | CallError::Unsupported(_)
        | CallError::Internal(_)
        | CallError::InvalidOutput(_)
        | CallError::Trap(_) => Problem::new(
            S::BAD_GATEWAY,
            "adapter-fault",
            "The adapter failed",
            detail,
        ),
    }
}
