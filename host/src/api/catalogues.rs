//! `GET /v1/catalogues...`: the reference catalogues, for any authenticated client or operator.

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
use crate::problem::Problem;

pub(super) async fn index(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !auth::anyone(&hub, &headers) {
        return Problem::unauthenticated().into_response();
    }
    if let Some(unknown) = query.keys().next() {
        return Problem::bad_request(format!("unknown query parameter {unknown:?}"))
            .into_response();
    }
    let catalogues: Vec<_> = hub
        .catalogues
        .names()
        .map(|name| json!({ "name": name, "entries": hub.catalogues.len(name) }))
        .collect();
    Json(json!({ "catalogues": catalogues })).into_response()
}

pub(super) async fn list(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    catalogue: Result<Path<String>, PathRejection>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Ok(Path(catalogue)) = catalogue else {
        return Problem::bad_request("the path is not valid UTF-8").into_response();
    };
    if !auth::anyone(&hub, &headers) {
        return Problem::unauthenticated().into_response();
    }
    if let Some(unknown) = query.keys().find(|k| k.as_str() != "parent") {
        return Problem::bad_request(format!(
            "unknown query parameter {unknown:?}; only `parent` is accepted"
        ))
        .into_response();
    }
    let Some(entries) = hub.catalogues.list(&catalogue) else {
        return unknown_catalogue(&catalogue).into_response();
    };
    let parent = query.get("parent");
    let entries: Vec<_> = entries
        .filter(|e| parent.is_none() || e.parent.as_ref() == parent)
        .collect();
    Json(json!({ "catalogue": catalogue, "entries": entries })).into_response()
}

pub(super) async fn entry(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let Ok(Path((catalogue, code))) = path else {
        return Problem::bad_request("the path is not valid UTF-8").into_response();
    };
    if !auth::anyone(&hub, &headers) {
        return Problem::unauthenticated().into_response();
    }
    if hub.catalogues.list(&catalogue).is_none() {
        return unknown_catalogue(&catalogue).into_response();
    }
    match hub.catalogues.lookup(&catalogue, &code) {
        Some(entry) => Json(entry).into_response(),
        None => Problem::new(
            StatusCode::NOT_FOUND,
            "unknown-code",
            "No such entry",
            format!("catalogue {catalogue:?} has no code {code:?}"),
        )
        .into_response(),
    }
}

fn unknown_catalogue(name: &str) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "unknown-catalogue",
        "No such catalogue",
        format!("there is no catalogue {name:?}; see GET /v1/catalogues"),
    )
}
