//! `POST /v1/exchange/{service}`: the exchange endpoint.
//!
//! Opens the exchange's span, authenticates, reads the body within the limit, runs the
//! exchange, records it in the message log, and answers. Every outcome, including a refused
//! key, is recorded.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tracing::Instrument;

use super::{EXCHANGE_ID_HEADER, auth, meta_header, metadata_from_headers};
use crate::exchange::{ExchangeError, Trace};
use crate::hub::Hub;
use crate::message::Message;
use crate::message_log::{ExchangeRecord, Outcome};
use crate::problem::Problem;

/// Longest service name kept in the message log from a request that names an unknown one.
const MAX_LOGGED_SERVICE: usize = 128;

pub(super) async fn exchange(
    State(hub): State<Arc<Hub>>,
    service: Result<Path<String>, PathRejection>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // A segment that does not decode to UTF-8 names no service; keep it as it was sent.
    let service = match service {
        Ok(Path(service)) => service,
        Err(_) => uri.path().rsplit('/').next().unwrap_or_default().to_owned(),
    };
    let id = uuid::Uuid::now_v7().to_string();
    let span = tracing::info_span!(
        "exchange",
        exchange.id = %id,
        service = %crate::message::loggable(crate::message::truncate(&service, MAX_LOGGED_SERVICE)),
        agency = tracing::field::Empty,
        status = tracing::field::Empty,
    );
    // The exchange runs in a task of its own, so that a caller who hangs up cannot cancel it
    // half way: whatever was started is finished and recorded.
    let fallback_id = id.clone();
    tokio::spawn(run(hub, id, service, headers, body).instrument(span))
        .await
        .unwrap_or_else(|err| {
            tracing::error!(exchange.id = %fallback_id, error = %err, "an exchange task failed");
            Problem::internal("the exchange stopped unexpectedly")
                .with_exchange(&fallback_id)
                .into_response()
        })
}

async fn run(
    hub: Arc<Hub>,
    id: String,
    service: String,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started_at = OffsetDateTime::now_utc();
    let clock = Instant::now();
    let mut trace = Trace::default();

    // The header section is checked first: nothing in an oversized one is looked at.
    let header_bytes: usize = headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum();
    let client = if header_bytes > hub.config.max_header_bytes {
        None
    } else {
        auth::client(&hub, &headers)
    };
    if let Some(c) = &client {
        tracing::Span::current().record("agency", c.agency.as_str());
    }
    let result = match &client {
        None if header_bytes > hub.config.max_header_bytes => Err(ExchangeError::HeadersTooLarge {
            limit: hub.config.max_header_bytes,
        }),
        None => Err(ExchangeError::Unauthenticated),
        // A client that dribbles its body gets no longer than a whole exchange would.
        Some(client) => match tokio::time::timeout(
            hub.config.exchange_timeout,
            read_body(&headers, body, hub.config.max_body_bytes),
        )
        .await
        .unwrap_or(Err(ExchangeError::BodyTimeout(hub.config.exchange_timeout)))
        {
            Err(err) => Err(err),
            Ok(bytes) => {
                let request = Message {
                    content_type: headers
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("application/octet-stream")
                        .to_owned(),
                    metadata: metadata_from_headers(&headers),
                    body: bytes,
                };
                let limit = hub.config.exchange_timeout;
                let work = hub.exchange(&id, client, &service, request, &mut trace);
                tokio::time::timeout(limit, work)
                    .await
                    .unwrap_or(Err(ExchangeError::Timeout(limit)))
            }
        },
    };

    let problem = result
        .as_ref()
        .err()
        .map(|e| Problem::from(e).with_exchange(&id));
    let status = problem.as_ref().map_or(200, |p| p.status);
    tracing::Span::current().record("status", status);
    match &problem {
        None => tracing::debug!("exchange delivered"),
        Some(p) if p.status >= 500 => {
            // One line per failed exchange, naming the adapter at fault when there is one.
            tracing::warn!(
                problem = p.kind(),
                side = p.side.map_or("", |side| side.as_str()),
                adapter.agency = p.agency.as_deref().unwrap_or(""),
                adapter = p.adapter.as_deref().unwrap_or(""),
                limit = p.limit.as_deref().unwrap_or(""),
                detail = %p.detail,
                "exchange failed"
            )
        }
        Some(p) => tracing::info!(problem = p.kind(), "exchange refused"),
    }

    let record = ExchangeRecord {
        id: id.clone(),
        started_at: started_at.format(&Rfc3339).unwrap_or_default(),
        finished_at: OffsetDateTime::now_utc()
            .format(&Rfc3339)
            .unwrap_or_default(),
        duration_micros: clock.elapsed().as_micros() as u64,
        caller: client.as_ref().map(|c| c.agency.clone()),
        service: Some(service.chars().take(MAX_LOGGED_SERVICE).collect()),
        provider: trace.provider.take(),
        caller_adapter: trace.caller_adapter.take(),
        provider_adapter: trace.provider_adapter.take(),
        caller_adapter_sha256: trace.caller_adapter_sha256.take(),
        provider_adapter_sha256: trace.provider_adapter_sha256.take(),
        outcome: match status {
            200..=299 => Outcome::Delivered,
            400..=499 => Outcome::Rejected,
            _ => Outcome::Failed,
        },
        status,
        problem_type: problem.as_ref().map(|p| p.type_.clone()),
        steps: std::mem::take(&mut trace.steps),
        bodies: std::mem::take(&mut trace.bodies),
    };
    if let Err(err) = hub.message_log.record(record).await {
        // The provider may already have acted on the message: say so loudly.
        tracing::error!(error = %err, "failed to record an exchange in the message log");
        return Problem::from(&ExchangeError::Log(err.to_string()))
            .with_exchange(&id)
            .into_response();
    }

    match (result, problem) {
        (Ok(reply), _) => reply_response(&id, reply),
        (Err(_), Some(problem)) => problem.into_response(),
        (Err(err), None) => Problem::from(&err).with_exchange(&id).into_response(),
    }
}

/// Reads the body, refusing it as soon as it is known to be over `limit`.
async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<bytes::Bytes, ExchangeError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ExchangeError::BodyTooLarge { limit });
    }
    axum::body::to_bytes(body, limit).await.map_err(|err| {
        let too_large = std::error::Error::source(&err)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if too_large {
            ExchangeError::BodyTooLarge { limit }
        } else {
            ExchangeError::BodyRead(err.to_string())
        }
    })
}

fn reply_response(id: &str, reply: Message) -> Response {
    let mut response = (StatusCode::OK, reply.body).into_response();
    let headers = response.headers_mut();
    let content_type = HeaderValue::from_str(&reply.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, content_type);
    if let Ok(v) = HeaderValue::from_str(id) {
        headers.insert(EXCHANGE_ID_HEADER, v);
    }
    for (key, value) in &reply.metadata {
        if let Ok((name, value)) = meta_header(key, value) {
            headers.append(name, value);
        }
    }
    response
}
