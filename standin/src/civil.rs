//! Placeholder, filled in with its sample adapter.

use axum::http::StatusCode;
use bytes::Bytes;

/// The national side.
pub async fn national(_body: Bytes) -> StatusCode {
    StatusCode::NOT_IMPLEMENTED
}

/// The agency side.
pub async fn agency_registry(_body: Bytes) -> StatusCode {
    StatusCode::NOT_IMPLEMENTED
}
