//! `GET /admin/v1/audit`: the audit log, for operators and auditors.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::read;
use crate::hub::Hub;
use crate::problem::Problem;

/// Page size when the caller gives none.
const DEFAULT_PAGE: u32 = 50;
/// Largest page.
const MAX_PAGE: u32 = 500;

pub(super) async fn list(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(problem) = read(&hub, &headers) {
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
    let before = match query.get("before").map(|b| b.parse::<i64>()) {
        None => None,
        Some(Ok(id)) if id > 0 => Some(id),
        Some(_) => {
            return Problem::bad_request("`before` must be an entry id from a previous page")
                .into_response();
        }
    };
    let store = hub.admin_store.clone();
    match tokio::task::spawn_blocking(move || store.audit_page(before, limit)).await {
        Ok(Ok(entries)) => {
            let next = (entries.len() == limit as usize)
                .then(|| entries.last().map(|e| e.id))
                .flatten();
            axum::Json(json!({ "entries": entries, "next": next })).into_response()
        }
        Ok(Err(err)) => Problem::internal(err.to_string()).into_response(),
        Err(err) => Problem::internal(err.to_string()).into_response(),
    }
}
