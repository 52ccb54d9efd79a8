//! `/admin/v1/standards`, `/admin/v1/services` and `/admin/v1/clients`: the run-time tables
//! over HTTP.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{Done, body_within, change, read};
use crate::admin::AdminError;
use crate::admin::tables::{ClientSpec, ServiceSpec, client_json, parse_kind, service_json};
use crate::api::RemoteAddr;
use crate::hub::Hub;

fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AdminError> {
    serde_json::from_slice(body)
        .map_err(|e| AdminError::BadRequest(format!("the body is not the expected JSON: {e}")))
}

fn created_or_replaced(before: &Option<Value>) -> StatusCode {
    if before.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    }
}

pub(super) async fn list_standards(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Response {
    if let Err(problem) = read(&hub, &headers) {
        return problem.into_response();
    }
    let tables = hub.tables();
    let standards: Vec<Value> = tables
        .standards
        .keys()
        .map(|key| tables.standard_json(key, hub.config.standards.contains_key(key)))
        .collect();
    axum::Json(json!({ "standards": standards })).into_response()
}

pub(super) async fn put_standard(
    State(hub): State<Arc<Hub>>,
    remote: Option<Extension<RemoteAddr>>,
    headers: HeaderMap,
    Path((id, version)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let target = format!("standard/{id}@{version}");
    change(
        &hub,
        &headers,
        remote.map(|r| r.0),
        "standard.put",
        target,
        async |_actor| {
            let body = body_within(body, super::MAX_SCHEMA_BYTES)?;
            let kind = query.get("kind").ok_or_else(|| {
                AdminError::BadRequest("`kind` is required: `json-schema` or `xsd`".to_owned())
            })?;
            let kind = parse_kind(kind)?;
            let (after, before) = hub.put_standard(&id, &version, kind, &body).await?;
            Ok(Done::new(created_or_replaced(&before), Some(after.clone()))
                .before(before)
                .after(Some(after)))
        },
    )
    .await
}

pub(super) async fn delete_standard(
    State(hub): State<Arc<Hub>>,
    remote: Option<Extension<RemoteAddr>>,
    headers: HeaderMap,
    Path((id, version)): Path<(String, String)>,
) -> Response {
    let target = format!("standard/{id}@{version}");
    change(
        &hub,
        &headers,
        remote.map(|r| r.0),
        "standard.delete",
        target,
        async |_actor| {
            let before = hub.delete_standard(&id, &version).await?;
            Ok(Done::new(StatusCode::NO_CONTENT, None).before(Some(before)))
        },
    )
    .await
}

pub(super) async fn list_services(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Response {
    if let Err(problem) = read(&hub, &headers) {
        return problem.into_response();
    }
    let tables = hub.tables();
    let mut services: Vec<_> = tables.services.values().collect();
    services.sort_by(|a, b| a.id.cmp(&b.id));
    let services: Vec<Value> = services
        .iter()
        .map(|s| service_json(s, hub.config.services.contains_key(&s.id)))
        .collect();
    axum::Json(json!({ "services": services })).into_response()
}

pub(super) async fn put_service(
    State(hub): State<Arc<Hub>>,
    remote: Option<Extension<RemoteAddr>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let target = format!("service/{id}");
    change(
        &hub,
        &headers,
        remote.map(|r| r.0),
        "service.put",
        target,
        async |_actor| {
            let body = body_within(body, super::MAX_JSON_BYTES)?;
            let spec: ServiceSpec = parse_json(&body)?;
            let (after, before) = hub.put_service(&id, spec).await?;
            Ok(Done::new(created_or_replaced(&before), Some(after.clone()))
                .before(before)
                .after(Some(after)))
        },
    )
    .await
}

pub(super) async fn delete_service(
    State(hub): State<Arc<Hub>>,
    remote: Option<Extension<RemoteAddr>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let target = format!("service/{id}");
    change(
        &hub,
        &headers,
        remote.map(|r| r.0),
        "service.delete",
        target,
        async |_actor| {
            let before = hub.delete_service(&id).await?;
            Ok(Done::new(StatusCode::NO_CONTENT, None).before(Some(before)))
        },
    )
    .await
}

pub(super) async fn list_clients(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Response {
    if let Err(problem) = read(&hub, &headers) {
        return problem.into_response();
    }
    let tables = hub.tables();
    let mut clients: Vec<Value> = tables
        .clients
        .values()
        .map(|c| {
            let from_config = hub
                .config
                .clients
                .iter()
                .any(|f| f.api_key_sha256 == c.api_key_sha256);
            client_json(c, from_config)
        })
        .collect();
    clients.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    axum::Json(json!({ "clients": clients })).into_response()
}

pub(super) async fn create_client(
    State(hub): State<Arc<Hub>>,
    remote: Option<Extension<RemoteAddr>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    change(
        &hub,
        &headers,
        remote.map(|r| r.0),
        "client.create",
        "clients".to_owned(),
        async |_actor| {
            let body = body_within(body, super::MAX_JSON_BYTES)?;
            let spec: ClientSpec = parse_json(&body)?;
            let mut made = hub.create_client(spec).await?;
            // The audit log keeps the client without its key.
            Ok(Done::new(StatusCode::CREATED, Some(made["shown"].take()))
                .after(Some(made["after"].take())))
        },
    )
    .await
}

pub(super) async fn update_client(
    State(hub): State<Arc<Hub>>,
    remote: Option<Extension<RemoteAddr>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let target = format!("client/{id}");
    change(
        &hub,
        &headers,
        remote.map(|r| r.0),
        "client.update",
        target,
        async |_actor| {
            let body = body_within(body, super::MAX_JSON_BYTES)?;
            let spec: ClientSpec = parse_json(&body)?;
            let (after, before) = hub.update_client(&id, spec).await?;
            Ok(Done::new(StatusCode::OK, Some(after.clone()))
                .before(Some(before))
                .after(Some(after)))
        },
    )
    .await
}

pub(super) async fn delete_client(
    State(hub): State<Arc<Hub>>,
    remote: Option<Extension<RemoteAddr>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let target = format!("client/{id}");
    change(
        &hub,
        &headers,
        remote.map(|r| r.0),
        "client.delete",
        target,
        async |_actor| {
            let before = hub.delete_client(&id).await?;
            Ok(Done::new(StatusCode::NO_CONTENT, None).before(Some(before)))
        },
    )
    .await
}
