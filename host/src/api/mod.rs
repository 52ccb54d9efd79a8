//! The HTTP API (axum): routes, authentication and the translation between HTTP and the
//! hub's own types.
//!
//! Handlers stay thin: they authenticate, read the request within its limits, call into the
//! hub, and turn the outcome into a response, with every error going through `problem`.

pub mod admin;
pub mod auth;
mod catalogues;
mod exchange;
mod messages;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::hub::Hub;
use crate::problem::Problem;

/// The response header that carries the exchange id.
pub const EXCHANGE_ID_HEADER: &str = "lgsp-exchange-id";
/// Headers with this prefix carry message metadata, in both directions.
pub const META_HEADER_PREFIX: &str = "lgsp-meta-";
/// Most metadata pairs taken from one request.
pub const MAX_METADATA: usize = 32;

/// The address of the client a request came from, set by the server on every request.
#[derive(Debug, Clone, Copy)]
pub struct RemoteAddr(pub std::net::SocketAddr);

/// The hub's whole HTTP API.
pub fn router(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/v1/exchange/{service}", post(exchange::exchange))
        .route("/v1/catalogues", get(catalogues::index))
        .route("/v1/catalogues/{catalogue}", get(catalogues::list))
        .route("/v1/catalogues/{catalogue}/{code}", get(catalogues::entry))
        .route("/v1/messages", get(messages::list))
        .route("/v1/messages/{id}", get(messages::get))
        .merge(admin::routes())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::map_response(plain_errors_as_problems))
        .with_state(hub)
}

/// Largest plain-text error body turned into a problem's detail.
const MAX_PLAIN_ERROR: usize = 4096;

/// axum's own rejections (a path segment that is not UTF-8, a malformed query, a body it
/// could not buffer) answer in plain text; every error of this API is a problem document, so
/// they are rewritten here, in one place, with their text as the detail.
async fn plain_errors_as_problems(response: Response) -> Response {
    let status = response.status();
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), MAX_PLAIN_ERROR)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let kind = match status {
        StatusCode::BAD_REQUEST => "bad-request",
        StatusCode::PAYLOAD_TOO_LARGE => "body-too-large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid-request",
        _ => "http-error",
    };
    let title = status.canonical_reason().unwrap_or("Error");
    Problem::new(status, kind, title, text).into_response()
}

async fn fallback(uri: Uri) -> impl IntoResponse {
    Problem::route_not_found(uri.path())
}

async fn method_not_allowed(uri: Uri) -> impl IntoResponse {
    Problem::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        format!("{:?} does not accept this method", uri.path()),
    )
}

/// One metadata pair as the `lgsp-meta-<key>` header it travels as, or why it cannot be one.
/// Every place that sends metadata (to a provider, back to a caller) and the check of what an
/// adapter returns go through here.
pub fn meta_header(key: &str, value: &str) -> Result<(HeaderName, HeaderValue), &'static str> {
    let name = HeaderName::from_bytes(format!("{META_HEADER_PREFIX}{key}").as_bytes())
        .map_err(|_| "key is not a header name")?;
    let value = HeaderValue::from_str(value).map_err(|_| "value is not a header value")?;
    Ok((name, value))
}

/// Metadata pairs from `lgsp-meta-*` headers, in order, at most [`MAX_METADATA`]; values that
/// are not visible ASCII or UTF-8 are skipped.
pub fn metadata_from_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(name, value)| {
            let key = name.as_str().strip_prefix(META_HEADER_PREFIX)?;
            let value = std::str::from_utf8(value.as_bytes()).ok()?;
            Some((key.to_owned(), value.to_owned()))
        })
        .take(MAX_METADATA)
        .collect()
}
