//! `GET /v1/messages...`: the message log, for operators and auditors.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::auth;
use crate::hub::Hub;
use crate::message_log::MAX_PAGE;
use crate::problem::Problem;

/// What an agency's key is told.
const MESSAGE_LOG_ONLY: &str = "the message log is for operators and auditors, not agencies";

/// Page size when the caller gives none.
const DEFAULT_PAGE: u32 = 50;

pub(super) async fn list(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(problem) = auth::require_operator(&hub, &headers, MESSAGE_LOG_ONLY) {
        return problem.into_response();
    }
    if let Some(unknown) = query
        .keys()
        .find(|k| !matches!(k.as_str(), "limit" | "before"))
    {
        return Problem::bad_request(format!(
            "unknown query parameter {unknown:?}; `limit` and `before` are accepted"
        ))
        .into_response();
    }
    let limit = match query.get("limit").map(|l| l.parse::<u32>()) {
        None => DEFAULT_PAGE,
        Some(Ok(n)) if (1..=MAX_PAGE).contains(&n) => n,
        Some(_) => {
            return Problem::bad_request(format!(
                "`limit` must be a whole number from 1 to {MAX_PAGE}"
            ))
            .into_response();
        }
    };
    // `before` continues a listing: it must be an exchange id, not something to ignore.
    let before = query.get("before").cloned();
    if let Some(id) = &before
        && uuid::Uuid::parse_str(id).is_err()
    {
        return Problem::bad_request("`before` must be an exchange id from a previous page")
            .into_response();
    }
    match hub.message_log.list(before, limit).await {
        Ok(records) => {
            let next = (records.len() == limit as usize)
                .then(|| records.last().map(|r| r.id.clone()))
                .flatten();
            Json(json!({ "records": records, "next": next })).into_response()
        }
        Err(err) => {
            tracing::error!(error = %err, "failed to read the message log");
            Problem::internal("the message log could not be read").into_response()
        }
    }
}

pub(super) async fn get(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return Problem::bad_request("the path is not valid UTF-8").into_response();
    };
    if let Err(problem) = auth::require_operator(&hub, &headers, MESSAGE_LOG_ONLY) {
        return problem.into_response();
    }
    match hub.message_log.get(id.clone()).await {
        Ok(Some(record)) => Json(record).into_response(),
        Ok(None) => Problem::new(
            StatusCode::NOT_FOUND,
            "unknown-exchange",
            "No such exchange",
            format!("the message log has no exchange {id:?}"),
        )
        .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "failed to read the message log");
            Problem::internal("the message log could not be read").into_response()
        }
    }
}
