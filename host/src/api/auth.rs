//! Who is calling: agency API keys and operator tokens, both sent as bearer credentials and
//! looked up by their SHA-256, so the hub never holds a key in clear.

use std::sync::Arc;

use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};

use crate::config::{ClientConfig, OperatorConfig};
use crate::hub::Hub;

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let value = values.next()?.to_str().ok()?;
    // Two credentials in one request: neither is trusted, whichever comes first.
    if values.next().is_some() {
        return None;
    }
    let (scheme, credential) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credential.trim())
        .filter(|c| !c.is_empty())
}

/// The SHA-256 of a key or token, lowercase hex: what the hub stores and looks up.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new random API key or operator token: `lgsp_` and 244 random bits in hex.
pub fn new_key() -> String {
    format!(
        "lgsp_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The agency whose API key the request carries.
pub(super) fn client(hub: &Hub, headers: &HeaderMap) -> Option<Arc<ClientConfig>> {
    hub.tables
        .load()
        .clients
        .get(&digest(bearer(headers)?))
        .cloned()
}

/// The operator whose token the request carries.
pub(super) fn operator(hub: &Hub, headers: &HeaderMap) -> Option<Arc<OperatorConfig>> {
    hub.operators.get(&digest(bearer(headers)?)).cloned()
}

/// Whether the request carries any valid client key or operator token.
pub(super) fn anyone(hub: &Hub, headers: &HeaderMap) -> bool {
    bearer(headers).is_some_and(|secret| {
        let hash = digest(secret);
        hub.tables.load().clients.contains_key(&hash) || hub.operators.contains_key(&hash)
    })
}

/// An operator, or the problem to answer: 401 without valid credentials, 403 for an agency's
/// key, which is valid but does not open what `refusal` names.
pub(super) fn require_operator(
    hub: &Hub,
    headers: &HeaderMap,
    refusal: &'static str,
) -> Result<Arc<OperatorConfig>, Box<crate::problem::Problem>> {
    if let Some(operator) = operator(hub, headers) {
        return Ok(operator);
    }
    if client(hub, headers).is_some() {
        return Err(Box::new(crate::problem::Problem::new(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            "Not allowed",
            refusal,
        )));
    }
    Err(Box::new(crate::problem::Problem::unauthenticated()))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn one_bearer_credential_is_read_and_two_are_refused() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer key-a"),
        );
        assert_eq!(bearer(&headers), Some("key-a"));
        headers.append(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer key-b"),
        );
        assert_eq!(bearer(&headers), None);
    }
}
