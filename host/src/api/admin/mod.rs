//! The admin API under `/admin/v1`: operators change the hub while it runs, auditors read.
//!
//! This module owns who may do what and the audit trail of it: every change goes through
//! [`change`], which authenticates, refuses an auditor's change with 403, runs the change,
//! and records the outcome (refused attempts included) before answering. Reads go through
//! [`read`]. The rules of each change are `admin`'s; handlers only translate HTTP.

mod adapters;
mod audit;
mod tables;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::Value;

use super::RemoteAddr;
use super::auth;
use crate::admin::{Actor, AdminError, AuditEntry, now};
use crate::config::Role;
use crate::hub::Hub;
use crate::problem::Problem;

/// The OpenAPI document of this API, served as is.
pub const OPENAPI: &str = include_str!("openapi.json");
/// Largest component an upload may carry. Interpreted languages' components carry their
/// whole interpreter: tens of megabytes.
pub const MAX_COMPONENT_BYTES: usize = 128 * 1024 * 1024;
/// Largest schema a standard may have.
pub const MAX_SCHEMA_BYTES: usize = 8 * 1024 * 1024;
/// Largest JSON body of the other routes (axum's default limit, which they keep).
pub const MAX_JSON_BYTES: usize = 2 * 1024 * 1024;

/// The body of a change, or why it could not be read. Handlers call this inside [`change`],
/// so that a caller without the right gets 401 or 403 whatever its body, and an operator
/// gets a problem document for a body over `limit`.
pub(super) fn body_within(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
    limit: usize,
) -> Result<axum::body::Bytes, AdminError> {
    body.map_err(|rejection| {
        let too_large = std::error::Error::source(&rejection)
            .and_then(std::error::Error::source)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
            || rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE;
        if too_large {
            AdminError::TooLarge { limit }
        } else {
            AdminError::BadRequest(format!("failed to read the request body: {rejection}"))
        }
    })
}

/// The admin routes.
pub(super) fn routes() -> Router<Arc<Hub>> {
    Router::new()
        .route("/admin/v1/openapi.json", get(openapi))
        .route("/admin/v1/adapters", get(adapters::list_agencies))
        .route(
            "/admin/v1/agencies/{agency}/adapters",
            get(adapters::list_versions)
                .post(adapters::upload)
                .layer(DefaultBodyLimit::max(MAX_COMPONENT_BYTES)),
        )
        .route(
            "/admin/v1/agencies/{agency}/adapters/{version}",
            axum::routing::delete(adapters::delete),
        )
        .route(
            "/admin/v1/agencies/{agency}/adapters/{version}/activate",
            post(adapters::activate),
        )
        .route(
            "/admin/v1/agencies/{agency}/rollback",
            post(adapters::rollback),
        )
        .route("/admin/v1/standards", get(tables::list_standards))
        .route(
            "/admin/v1/standards/{id}/{version}",
            put(tables::put_standard)
                .delete(tables::delete_standard)
                .layer(DefaultBodyLimit::max(MAX_SCHEMA_BYTES)),
        )
        .route("/admin/v1/services", get(tables::list_services))
        .route(
            "/admin/v1/services/{id}",
            put(tables::put_service).delete(tables::delete_service),
        )
        .route(
            "/admin/v1/clients",
            get(tables::list_clients).post(tables::create_client),
        )
        .route(
            "/admin/v1/clients/{id}",
            put(tables::update_client).delete(tables::delete_client),
        )
        .route("/admin/v1/audit", get(audit::list))
}

async fn openapi(
    axum::extract::State(hub): axum::extract::State<Arc<Hub>>,
    headers: HeaderMap,
) -> Response {
    if let Err(problem) = read(&hub, &headers) {
        return problem.into_response();
    }
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response()
}

/// What a change answers and records.
pub(super) struct Done {
    status: StatusCode,
    body: Option<Value>,
    before: Option<Value>,
    after: Option<Value>,
}

impl Done {
    /// `status` with `body`, recording `before` and `after`.
    pub(super) fn new(status: StatusCode, body: Option<Value>) -> Self {
        Self {
            status,
            body,
            before: None,
            after: None,
        }
    }

    /// The object before the change, for the audit log.
    pub(super) fn before(mut self, before: Option<Value>) -> Self {
        self.before = before;
        self
    }

    /// The object after the change, for the audit log.
    pub(super) fn after(mut self, after: Option<Value>) -> Self {
        self.after = after;
        self
    }
}

/// 401 without an operator token, 403 for an agency's key.
fn operator(
    hub: &Hub,
    headers: &HeaderMap,
) -> Result<Arc<crate::config::OperatorConfig>, Box<Problem>> {
    auth::require_operator(hub, headers, "the admin API is for operators and auditors")
}

/// Authenticates a read: any operator role.
pub(super) fn read(hub: &Hub, headers: &HeaderMap) -> Result<(), Box<Problem>> {
    operator(hub, headers).map(|_| ())
}

/// Runs one change for an operator and records it in the audit log, whatever its outcome.
pub(super) async fn change(
    hub: &Hub,
    headers: &HeaderMap,
    remote: Option<RemoteAddr>,
    action: &str,
    target: String,
    run: impl AsyncFnOnce(Actor) -> Result<Done, AdminError>,
) -> Response {
    let mut actor = Actor {
        operator: None,
        remote: remote.map(|r| r.0.to_string()),
    };
    let outcome = match operator(hub, headers) {
        Err(problem) => Err(*problem),
        Ok(op) if op.role != Role::Operator => {
            actor.operator = Some(op);
            Err(Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed",
                "an auditor may read but not change; this needs the `operator` role",
            ))
        }
        Ok(op) => {
            actor.operator = Some(op);
            run(actor.clone()).await.map_err(|e| Problem::from(&e))
        }
    };
    let (status, reason, before, after) = match &outcome {
        Ok(done) => (done.status, None, done.before.clone(), done.after.clone()),
        Err(p) => (p.status_code(), Some(p.detail.clone()), None, None),
    };
    let entry = AuditEntry {
        id: 0,
        at: now(),
        actor: actor.operator.as_ref().map(|o| o.name.clone()),
        role: actor.role().map(str::to_owned),
        remote: actor.remote.clone(),
        action: action.to_owned(),
        target,
        outcome: if outcome.is_ok() { "done" } else { "refused" }.to_owned(),
        status: status.as_u16(),
        reason,
        before,
        after,
    };
    let store = hub.admin_store.clone();
    let recorded = tokio::task::spawn_blocking(move || store.audit(&entry)).await;
    if !matches!(recorded, Ok(Ok(()))) {
        // A change that cannot be audited must not look like a success.
        tracing::error!(action, "failed to write the audit log");
        return Problem::internal(if outcome.is_ok() {
            "the change was made but could not be recorded in the audit log"
        } else {
            "the change was refused and could not be recorded in the audit log"
        })
        .into_response();
    }
    match outcome {
        Ok(done) => done.into_response(),
        Err(problem) => problem.into_response(),
    }
}

impl IntoResponse for Done {
    fn into_response(self) -> Response {
        match self.body {
            Some(body) => (self.status, axum::Json(body)).into_response(),
            None => self.status.into_response(),
        }
    }
}
