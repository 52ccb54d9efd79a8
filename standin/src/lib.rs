//! Stand-ins for the peers of the hub, so that the whole path runs on one machine.
//!
//! The national exchange (`/national/...`) accepts messages in the national form and answers
//! in the national form; agencies' own systems (`/agency/...`) accept their local formats and
//! answer in them. They check what they receive just enough to answer like the real thing,
//! and never call the hub back. The demo and the integration tests both mount [`router`].

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;

/// Largest body the stand-ins read: above the hub's own default limit, so that the hub, not
/// a stand-in, decides what is too large.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

mod civil;
mod edxml;

/// Every stand-in endpoint on one router.
pub fn router() -> Router {
    Router::new()
        .route("/national/edxml", post(edxml::national))
        .route("/agency/dms", post(edxml::agency_dms))
        .route("/national/citizens", post(civil::national))
        .route("/agency/civil-registry", post(civil::agency_registry))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Serves [`router`] on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router()).await
}
