//! Stand-ins for the peers of the hub, so that the whole path runs on one machine.
//!
//! The national exchange (`/national/...`) accepts messages in the national form and answers
//! in the national form; agencies' own systems (`/agency/...`) accept their local formats and
//! answer in them. They check what they receive just enough to answer like the real thing,
//! and never call the hub back. The demo and the integration tests both mount [`router`].

use axum::Router;
use axum::routing::post;

mod civil;
mod edxml;

/// Every stand-in endpoint on one router.
pub fn router() -> Router {
    Router::new()
        .route("/national/edxml", post(edxml::national))
        .route("/agency/dms", post(edxml::agency_dms))
        .route("/national/citizens", post(civil::national))
        .route("/agency/civil-registry", post(civil::agency_registry))
}

/// Serves [`router`] on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router()).await
}
