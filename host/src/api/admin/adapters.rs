//! `/admin/v1/adapters` and `/admin/v1/agencies/{agency}/…`: the adapter registry over HTTP.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Done, body_within, change, read};
use crate::admin::{AdminError, VersionInfo};
use crate::api::RemoteAddr;
use crate::hub::Hub;

/// The header that carries an upload's signature.
pub const SIGNATURE_HEADER: &str = "lgsp-signature";

fn version_json(v: &VersionInfo) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn parse_version(text: &str) -> Result<i64, AdminError> {
    text.parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| AdminError::BadRequest(format!("version {text:?} is not a version number")))
}

pub(super) async fn list_agencies(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Response {
    if let Err(problem) = read(&hub, &headers) {
        return problem.into_response();
    }
    match hub.registry.agencies() {
        Ok(agencies) => {
            let agencies: Vec<Value> = agencies
                .iter()
                .map(|(agency, active, count)| {
                    json!({
                        "agency": agency,
                        "active": active.as_ref().map(version_json),
                        "versions": count,
                        "refused": hub.registry.refused(agency),
                    })
                })
                .collect();
            axum::Json(json!({ "agencies": agencies })).into_response()
        }
        Err(err) => crate::problem::Problem::from(&err).into_response(),
    }
}

pub(super) async fn list_versions(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    Path(agency): Path<String>,
) -> Response {
    if let Err(problem) = read(&hub, &headers) {
        return problem.into_response();
    }
    match hub.registry.versions(&agency) {
        Ok(versions) => axum::Json(json!({
            "agency": agency,
            "active": hub.registry.active_version(&agency),
            "versions": versions.iter().map(version_json).collect::<Vec<_>>(),
            "refused": hub.registry.refused(&agency),
        }))
        .into_response(),
        Err(err) => crate::problem::Problem::from(&err).into_response(),
    }
}

pub(super) async fn upload(
    State(hub): State<Arc<Hub>>,
    remote: Option<Extension<RemoteAddr>>,
    headers: HeaderMap,
    Path(agency): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let target = format!("agency/{agency}");
    change(
        &hub,
        &headers,
        remote.map(|r| r.0),
        "adapter.upload",
        target,
        async |actor| {
            let body = body_within(body, super::MAX_COMPONENT_BYTES)?;
            crate::config::check_name("agency", &agency)
                .map_err(|e| AdminError::BadRequest(e.to_string()))?;
            let activate = match query.get("activate").map(String::as_str) {
                None | Some("false") => false,
                Some("true") => true,
                Some(other) => {
                    return Err(AdminError::BadRequest(format!(
                        "`activate` must be `true` or `false`, not {other:?}"
                    )));
                }
            };
            if let Some(unknown) = query.keys().find(|k| *k != "activate") {
                return Err(AdminError::BadRequest(format!(
                    "unknown query parameter {unknown:?}; `activate` is accepted"
                )));
            }
            if body.is_empty() {
                return Err(AdminError::invalid(
                    "adapter-invalid",
                    "the request body is empty; send the component's bytes as application/wasm",
                ));
            }
            let signature = match headers.get(SIGNATURE_HEADER).map(|v| v.to_str()) {
                None => None,
                Some(Ok(text)) => Some(text.to_owned()),
                Some(Err(_)) => {
                    return Err(AdminError::invalid(
                        "signature-invalid",
                        "the `lgsp-signature` header is not base64 text",
                    ));
                }
            };
            let before = hub.registry.active_version(&agency);
            let up = hub
                .registry
                .upload(&agency, &body, signature.as_deref(), activate, &actor)
                .await?;
            let mut body = version_json(&up.version);
            body["compile_ms"] = json!(up.compile_ms);
            let status = if up.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(Done::new(status, Some(body.clone()))
                .before(Some(json!({ "active": before })))
                .after(Some(body)))
        },
    )
    .await
}

pub(super) async fn activate(
    State(hub): State<Arc<Hub>>,
    remote: Option<Extension<RemoteAddr>>,
    headers: HeaderMap,
    Path((agency, version)): Path<(String, String)>,
) -> Response {
    let target = format!("agency/{agency}/adapters/{version}");
    change(
        &hub,
        &headers,
        remote.map(|r| r.0),
        "adapter.activate",
        target,
        async |actor| {
            let version = parse_version(&version)?;
            let (info, previous) = hub.registry.activate(&agency, version, &actor).await?;
            let mut body = version_json(&info);
            body["previous"] = json!(previous);
            Ok(Done::new(StatusCode::OK, Some(body))
                .before(Some(json!({ "active": previous })))
                .after(Some(json!({ "active": version }))))
        },
    )
    .await
}

pub(super) async fn rollback(
    State(hub): State<Arc<Hub>>,
    remote: Option<Extension<RemoteAddr>>,
    headers: HeaderMap,
    Path(agency): Path<String>,
) -> Response {
    let target = format!("agency/{agency}");
    change(
        &hub,
        &headers,
        remote.map(|r| r.0),
        "adapter.rollback",
        target,
        async |actor| {
            let (info, from) = hub.registry.rollback(&agency, &actor).await?;
            let mut body = version_json(&info);
            body["previous"] = json!(from);
            Ok(Done::new(StatusCode::OK, Some(body))
                .before(Some(json!({ "active": from })))
                .after(Some(json!({ "active": info.row.version }))))
        },
    )
    .await
}

pub(super) async fn delete(
    State(hub): State<Arc<Hub>>,
    remote: Option<Extension<RemoteAddr>>,
    headers: HeaderMap,
    Path((agency, version)): Path<(String, String)>,
) -> Response {
    let target = format!("agency/{agency}/adapters/{version}");
    change(
        &hub,
        &headers,
        remote.map(|r| r.0),
        "adapter.delete",
        target,
        async |_actor| {
            let version = parse_version(&version)?;
            let info = hub.registry.delete(&agency, version).await?;
            Ok(Done::new(StatusCode::NO_CONTENT, None).before(Some(version_json(&info))))
        },
    )
    .await
}
