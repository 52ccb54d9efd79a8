//! An HTTP client of the hub's admin API (`/admin/v1`), as `docs/admin-api.md` describes it.
//!
//! This module owns the requests and the shapes of their answers, and turns a problem
//! document into [`ClientError::Problem`]; it prints nothing. Everything takes the hub's base
//! URL, so that tests can point it at a hub on `127.0.0.1:0`.

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use indicatif::ProgressBar;
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::signing::Signature;

/// The admin API's path prefix.
pub const PREFIX: [&str; 2] = ["admin", "v1"];
/// The header that carries a component's signature.
pub const SIGNATURE_HEADER: &str = "lgsp-signature";
/// How much of a component goes into one chunk of the upload; the progress bar moves by it.
pub const UPLOAD_CHUNK_BYTES: usize = 64 * 1024;
/// How long to wait for a connection to the hub.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An RFC 9457 problem document from the hub.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Problem {
    /// `urn:lgsp:problem:<kind>`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// A short summary.
    #[serde(default)]
    pub title: String,
    /// The HTTP status.
    #[serde(default)]
    pub status: u16,
    /// What happened this time.
    #[serde(default)]
    pub detail: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.title.is_empty(), self.detail.is_empty()) {
            (false, false) => write!(f, "{}: {}", self.title, self.detail),
            (false, true) => f.write_str(&self.title),
            (true, false) => f.write_str(&self.detail),
            (true, true) => write!(f, "the hub answered {} ({})", self.status, self.kind),
        }
    }
}

/// Why a call of the admin API did not give the expected answer.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The hub refused, with a problem document; shown as `<title>: <detail>`.
    #[error("{0}")]
    Problem(Problem),
    /// The base URL is not an `http` or `https` URL.
    #[error("invalid hub URL {url:?}: {reason}")]
    BadUrl {
        /// What was given.
        url: String,
        /// Why it is refused.
        reason: String,
    },
    /// No answer at all: refused connection, timeout, broken transfer.
    #[error("failed to reach the hub at {url}: {reason}")]
    Unreachable {
        /// The URL called.
        url: String,
        /// The transport's explanation, with its causes.
        reason: String,
    },
    /// An error status without a problem document (a proxy in the way, or not an LGSP hub).
    #[error("the hub answered {status} to {what} without a problem document: {body}")]
    Unexpected {
        /// The status.
        status: u16,
        /// The request, as `METHOD /path`.
        what: String,
        /// The start of the body.
        body: String,
    },
    /// A success whose body is not the document the admin API describes.
    #[error("the hub's answer to {what} is not what the admin API describes: {reason}")]
    Decode {
        /// The request, as `METHOD /path`.
        what: String,
        /// The parser's explanation.
        reason: String,
    },
}

/// Result alias for this module.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;

/// One uploaded version of an agency's adapter.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Version {
    /// The agency.
    pub agency: String,
    /// 1, 2, 3... per agency.
    pub version: u64,
    /// SHA-256 of the component, lowercase hex.
    #[serde(default)]
    pub sha256: String,
    /// Size of the component in bytes.
    #[serde(default)]
    pub size: u64,
    /// The adapter's name, from its description.
    #[serde(default)]
    pub name: String,
    /// The adapter's own version, from its description.
    #[serde(default)]
    pub adapter_version: String,
    /// The standards it handles.
    #[serde(default)]
    pub standards: Vec<String>,
    /// The services it is written for; empty for any.
    #[serde(default)]
    pub services: Vec<String>,
    /// When it was uploaded, RFC 3339.
    #[serde(default)]
    pub uploaded_at: String,
    /// The operator who uploaded it.
    #[serde(default)]
    pub uploaded_by: String,
    /// The trusted publisher key that signed it, if any.
    #[serde(default)]
    pub publisher: Option<String>,
    /// Whether it is the agency's active version.
    #[serde(default)]
    pub active: bool,
    /// How long the hub took to compile it (on upload only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compile_ms: Option<u64>,
    /// The version active before (on activation only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<u64>,
}

/// What `push` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The version object.
    pub version: Version,
    /// `false` when the same bytes were already registered for the agency.
    pub created: bool,
}

/// One agency in the overview.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct AgencySummary {
    /// The agency.
    pub agency: String,
    /// Its active version, if any.
    pub active: Option<Version>,
    /// How many versions it has.
    #[serde(default)]
    pub versions: u64,
}

/// `GET /admin/v1/adapters`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Overview {
    /// Every agency with an adapter.
    pub agencies: Vec<AgencySummary>,
}

/// `GET /admin/v1/agencies/{agency}/adapters`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct AgencyVersions {
    /// The agency.
    pub agency: String,
    /// The active version's number, if any.
    pub active: Option<u64>,
    /// Every version.
    pub versions: Vec<Version>,
}

/// A client of one hub's admin API, with one operator token.
#[derive(Debug, Clone)]
pub struct AdminClient {
    base: Url,
    token: String,
    http: reqwest::Client,
}

impl AdminClient {
    /// A client of the hub at `base` (`http://host:port`, optionally with a path prefix).
    pub fn new(base: &str, token: &str) -> Result<Self> {
        let bad = |reason: &str| ClientError::BadUrl {
            url: base.to_owned(),
            reason: reason.to_owned(),
        };
        let url = Url::parse(base).map_err(|err| bad(&err.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(bad("the hub's URL must start with http:// or https://"));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|err| bad(&error_chain(&err)))?;
        Ok(Self {
            base: url,
            token: token.to_owned(),
            http,
        })
    }

    /// `<base>/admin/v1/<segments...>`, each segment percent-encoded.
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(PREFIX).extend(segments);
        }
        url
    }

    /// Uploads `component` for `agency`, moving `progress` as the bytes go out; once they
    /// are all sent, `progress` is given to `on_sent` so that the caller can show that the
    /// hub is validating and compiling.
    pub async fn push(
        &self,
        agency: &str,
        component: Bytes,
        signature: Option<&Signature>,
        activate: bool,
        progress: &ProgressBar,
        on_sent: impl Fn(&ProgressBar) + Send + Sync + 'static,
    ) -> Result<Pushed> {
        let mut url = self.url(&["agencies", agency, "adapters"]);
        url.query_pairs_mut()
            .append_pair("activate", if activate { "true" } else { "false" });

        let total = component.len();
        let chunks: Vec<Bytes> = (0..total)
            .step_by(UPLOAD_CHUNK_BYTES)
            .map(|start| component.slice(start..total.min(start + UPLOAD_CHUNK_BYTES)))
            .collect();
        let bar = progress.clone();
        let body = futures_util::stream::iter(chunks).map(move |chunk| {
            bar.inc(chunk.len() as u64);
            if bar.position() >= total as u64 {
                on_sent(&bar);
            }
            Ok::<_, std::io::Error>(chunk)
        });

        let mut request = self
            .http
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/wasm")
            .header(reqwest::header::CONTENT_LENGTH, total)
            .body(reqwest::Body::wrap_stream(body));
        if let Some(signature) = signature {
            request = request.header(SIGNATURE_HEADER, signature.to_string());
        }
        let (status, body) = self.send("POST", &url, request).await?;
        let version = decode(&format!("POST {}", url.path()), &body)?;
        Ok(Pushed {
            version,
            created: status == StatusCode::CREATED,
        })
    }

    /// Every agency and its active version.
    pub async fn overview(&self) -> Result<Overview> {
        let url = self.url(&["adapters"]);
        self.get_typed(&url).await
    }

    /// Every version of one agency's adapter.
    pub async fn versions(&self, agency: &str) -> Result<AgencyVersions> {
        let url = self.url(&["agencies", agency, "adapters"]);
        self.get_typed(&url).await
    }

    /// The JSON document at `GET <base>/admin/v1/<segments...>`, as the hub wrote it.
    pub async fn get_document(&self, segments: &[&str]) -> Result<serde_json::Value> {
        let url = self.url(segments);
        self.get_typed(&url).await
    }

    /// Makes `version` the agency's active one; the answer names the previous one.
    pub async fn activate(&self, agency: &str, version: u64) -> Result<Version> {
        let url = self.url(&[
            "agencies",
            agency,
            "adapters",
            &version.to_string(),
            "activate",
        ]);
        self.post_empty(&url).await
    }

    /// Puts the agency's previously active version back.
    pub async fn rollback(&self, agency: &str) -> Result<Version> {
        let url = self.url(&["agencies", agency, "rollback"]);
        self.post_empty(&url).await
    }

    async fn get_typed<T: DeserializeOwned>(&self, url: &Url) -> Result<T> {
        let (_, body) = self.send("GET", url, self.http.get(url.clone())).await?;
        decode(&format!("GET {}", url.path()), &body)
    }

    async fn post_empty<T: DeserializeOwned>(&self, url: &Url) -> Result<T> {
        let (_, body) = self.send("POST", url, self.http.post(url.clone())).await?;
        decode(&format!("POST {}", url.path()), &body)
    }

    /// Sends with the token; a success gives its status and body, anything else an error.
    async fn send(
        &self,
        method: &str,
        url: &Url,
        request: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, Bytes)> {
        let unreachable = |err: reqwest::Error| ClientError::Unreachable {
            url: url.to_string(),
            reason: error_chain(&err),
        };
        let response = request
            .bearer_auth(&self.token)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let body = response.bytes().await.map_err(unreachable)?;
        if status.is_success() {
            return Ok((status, body));
        }
        match serde_json::from_slice::<Problem>(&body) {
            Ok(problem) if !problem.title.is_empty() || !problem.detail.is_empty() => {
                Err(ClientError::Problem(problem))
            }
            _ => Err(ClientError::Unexpected {
                status: status.as_u16(),
                what: format!("{method} {}", url.path()),
                body: crate::message::truncate(&String::from_utf8_lossy(&body), 200).to_owned(),
            }),
        }
    }
}

fn decode<T: DeserializeOwned>(what: &str, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|err| ClientError::Decode {
        what: what.to_owned(),
        reason: err.to_string(),
    })
}

/// An error and its causes on one line, as `a: b: c`.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::extract::{Path, Query, State};
    use axum::http::{HeaderMap, StatusCode, header};
    use axum::response::IntoResponse;
    use axum::routing::{get, post};

    use super::*;
    use crate::signing::SecretKey;

    /// What the stand-in hub saw of an upload.
    #[derive(Debug, Default, Clone)]
    struct Seen {
        agency: String,
        query: HashMap<String, String>,
        authorization: String,
        content_type: String,
        signature: Option<String>,
        body: Vec<u8>,
    }

    type Shared = Arc<Mutex<Seen>>;

    fn version_json(agency: &str, n: u64) -> serde_json::Value {
        serde_json::json!({
            "agency": agency, "version": n, "sha256": "ab".repeat(32), "size": 3,
            "name": "civil-registry-csv", "adapter_version": "0.1.0",
            "standards": ["citizen-record@1.0"], "services": [],
            "uploaded_at": "2025-12-03T10:00:00Z", "uploaded_by": "alice",
            "publisher": "ba-dinh", "active": true, "compile_ms": 41
        })
    }

    async fn upload(
        State(seen): State<Shared>,
        Path(agency): Path<String>,
        Query(query): Query<HashMap<String, String>>,
        headers: HeaderMap,
        body: bytes::Bytes,
    ) -> impl IntoResponse {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        *seen.lock().expect("lock") = Seen {
            agency: agency.clone(),
            query,
            authorization: text("authorization").unwrap_or_default(),
            content_type: text("content-type").unwrap_or_default(),
            signature: text(SIGNATURE_HEADER),
            body: body.to_vec(),
        };
        (StatusCode::CREATED, axum::Json(version_json(&agency, 7)))
    }

    async fn refuse() -> impl IntoResponse {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            [(header::CONTENT_TYPE, "application/problem+json")],
            r#"{"type":"urn:lgsp:problem:signature-invalid","title":"Signature invalid","status":422,"detail":"no trusted key of agency commune-00004 verifies it"}"#,
        )
    }

    async fn hub(router: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let addr = listener.local_addr().expect("an address");
        tokio::spawn(async move { axum::serve(listener, router).await });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn push_sends_the_bytes_signature_token_and_activation() {
        let seen = Shared::default();
        let router = Router::new()
            .route("/admin/v1/agencies/{agency}/adapters", post(upload))
            .with_state(seen.clone());
        let base = hub(router).await;

        // More than one chunk, to see the progress reach the total.
        let component: Vec<u8> = (0..UPLOAD_CHUNK_BYTES * 2 + 5).map(|i| i as u8).collect();
        let signature = SecretKey::generate().expect("key").sign(&component);
        let client = AdminClient::new(&base, "op-token").expect("client");
        let bar = ProgressBar::hidden();
        let sent = Arc::new(Mutex::new(0u64));
        let sent_at = sent.clone();
        let pushed = client
            .push(
                "commune-00004",
                Bytes::from(component.clone()),
                Some(&signature),
                true,
                &bar,
                move |bar| *sent_at.lock().expect("lock") = bar.position(),
            )
            .await
            .expect("pushed");

        assert!(pushed.created);
        assert_eq!(pushed.version.version, 7);
        assert_eq!(pushed.version.compile_ms, Some(41));
        assert_eq!(pushed.version.publisher.as_deref(), Some("ba-dinh"));
        assert_eq!(*sent.lock().expect("lock"), component.len() as u64);

        let seen = seen.lock().expect("lock").clone();
        assert_eq!(seen.agency, "commune-00004");
        assert_eq!(seen.query.get("activate").map(String::as_str), Some("true"));
        assert_eq!(seen.authorization, "Bearer op-token");
        assert_eq!(seen.content_type, "application/wasm");
        assert_eq!(seen.signature, Some(signature.to_string()));
        assert_eq!(seen.body, component);
    }

    #[tokio::test]
    async fn a_problem_document_becomes_title_and_detail() {
        let router = Router::new()
            .route("/admin/v1/agencies/{agency}/adapters", post(refuse))
            .route(
                "/admin/v1/adapters",
                get(|| async { (StatusCode::UNAUTHORIZED, "no") }),
            );
        let base = hub(router).await;
        let client = AdminClient::new(&format!("{base}/"), "t").expect("client");

        let err = client
            .push(
                "commune-00004",
                Bytes::from_static(b"\0asm"),
                None,
                false,
                &ProgressBar::hidden(),
                |_| {},
            )
            .await
            .expect_err("refused");
        assert_eq!(
            err.to_string(),
            "Signature invalid: no trusted key of agency commune-00004 verifies it"
        );
        let ClientError::Problem(p) = err else {
            panic!("a problem document");
        };
        assert_eq!(p.kind, "urn:lgsp:problem:signature-invalid");
        assert_eq!(p.status, 422);

        let err = client.overview().await.expect_err("401 without a problem");
        assert_eq!(
            err.to_string(),
            "the hub answered 401 to GET /admin/v1/adapters without a problem document: no"
        );
    }

    #[tokio::test]
    async fn lists_activation_and_rollback_read_the_documented_shapes() {
        let router = Router::new()
            .route(
                "/admin/v1/adapters",
                get(|| async {
                    axum::Json(serde_json::json!({"agencies": [
                        {"agency": "commune-00004", "active": version_json("commune-00004", 2), "versions": 2},
                        {"agency": "000.00.00.A80", "active": null, "versions": 0}
                    ]}))
                }),
            )
            .route(
                "/admin/v1/agencies/{agency}/adapters",
                get(|Path(agency): Path<String>| async move {
                    axum::Json(serde_json::json!({
                        "agency": agency, "active": 2,
                        "versions": [version_json(&agency, 1), version_json(&agency, 2)]
                    }))
                }),
            )
            .route(
                "/admin/v1/agencies/{agency}/adapters/{version}/activate",
                post(|Path((agency, n)): Path<(String, u64)>| async move {
                    let mut v = version_json(&agency, n);
                    v["previous"] = serde_json::json!(1);
                    axum::Json(v)
                }),
            )
            .route(
                "/admin/v1/agencies/{agency}/rollback",
                post(|| async {
                    (
                        StatusCode::CONFLICT,
                        r#"{"type":"urn:lgsp:problem:nothing-to-roll-back","title":"Nothing to roll back","status":409,"detail":"commune-00004 has had one active version only"}"#,
                    )
                }),
            );
        let client = AdminClient::new(&hub(router).await, "t").expect("client");

        let overview = client.overview().await.expect("overview");
        assert_eq!(overview.agencies.len(), 2);
        assert_eq!(
            overview.agencies[0].active.as_ref().map(|v| v.version),
            Some(2)
        );
        assert_eq!(overview.agencies[1].active, None);

        let list = client.versions("000.00.00.A80").await.expect("versions");
        assert_eq!(list.agency, "000.00.00.A80");
        assert_eq!(list.active, Some(2));
        assert_eq!(list.versions.len(), 2);

        let v = client
            .activate("commune-00004", 2)
            .await
            .expect("activated");
        assert_eq!((v.version, v.previous), (2, Some(1)));

        let err = client.rollback("commune-00004").await.expect_err("409");
        assert_eq!(
            err.to_string(),
            "Nothing to roll back: commune-00004 has had one active version only"
        );
    }

    #[tokio::test]
    async fn an_unreachable_hub_and_a_bad_url_are_named() {
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let addr = closed.local_addr().expect("an address");
        drop(closed);
        let client = AdminClient::new(&format!("http://{addr}"), "t").expect("client");
        let err = client.overview().await.expect_err("nobody listens");
        assert!(
            err.to_string().starts_with(&format!(
                "failed to reach the hub at http://{addr}/admin/v1/adapters: "
            )),
            "{err}"
        );

        let err = AdminClient::new("127.0.0.1:8080", "t").expect_err("no scheme");
        assert!(
            err.to_string()
                .starts_with("invalid hub URL \"127.0.0.1:8080\""),
            "{err}"
        );
    }
}
