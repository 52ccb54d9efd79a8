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
use axum::http::{HeaderMap, Uri};
use axum::response::IntoResponse;
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
        .with_state(hub)
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
