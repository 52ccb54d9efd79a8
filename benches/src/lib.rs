//! What the benchmarks share: the benchmark hub's configuration, messages of a chosen size,
//! a stand-in upstream, the hub driven in process through its router (no client socket), and
//! the process's memory as the kernel counts it.
//!
//! The benchmarks themselves live in `benches/*.rs`; `README.md` says how to run each one.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, header};
use tower::ServiceExt;

/// The benchmark agency, named as the peers name their source.
pub const AGENCY: &str = "agency-a";
/// The service doing the peers' job.
pub const SERVICE: &str = "person.submit";
/// The benchmark client's API key (only its SHA-256 is in the configuration).
pub const KEY: &str = "bench-key-agency-a";
/// The peers' request body (`../shared/peers/body.json`).
pub const PEERS_BODY: &str =
    r#"{"firstName":"Ana","lastName":"Silva","dob":"1990-01-31","nationalId":"12345678"}"#;
/// The sizes of the size-dependent benchmarks: 1 KiB, 100 KiB and 10 MiB.
pub const SIZES: [usize; 3] = [1 << 10, 100 << 10, 10 << 20];

/// The workspace root.
pub fn root() -> PathBuf {
    lgsp_tests::root()
}

/// The bench-person component built by `build.rs`.
pub fn bench_person_component() -> PathBuf {
    PathBuf::from(env!("LGSP_BENCH_PERSON"))
}

/// SHA-256 as lowercase hex.
pub fn sha256(data: impl AsRef<[u8]>) -> String {
    lgsp_tests::sha256(data)
}

/// The values `bench-person.toml.in` leaves open.
#[derive(Debug, Clone)]
pub struct Placeholders {
    /// `server.listen`.
    pub listen: String,
    /// `server.data_dir`.
    pub data: PathBuf,
    /// The bench-person component.
    pub component: PathBuf,
    /// Where the service forwards the national form.
    pub upstream: String,
}

/// The benchmark configuration with its placeholders filled in.
pub fn config_text(p: &Placeholders) -> String {
    include_str!("../bench-person.toml.in")
        .replace("@LISTEN@", &p.listen)
        .replace("@DATA@", &p.data.display().to_string())
        .replace("@ROOT@", &root().display().to_string())
        .replace("@COMPONENT@", &p.component.display().to_string())
        .replace("@UPSTREAM@", &p.upstream)
        .replace("@KEY_SHA256@", &sha256(KEY))
}

/// `json` with a `"remarks"` string added before its final `}` so that the whole is `size`
/// bytes (or as short as it can be, when `size` is smaller than `json`).
fn padded(json: &str, size: usize) -> Vec<u8> {
    let head = json.strip_suffix('}').expect("a JSON object");
    let fixed = head.len() + r#","remarks":""}"#.len();
    let filler = size.saturating_sub(fixed);
    let mut out = Vec::with_capacity(fixed + filler);
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(br#","remarks":""#);
    out.extend(std::iter::repeat_n(b'r', filler));
    out.extend_from_slice(br#""}"#);
    out
}

/// The peers' body in the agency's local form, padded to `size` bytes with `remarks`.
pub fn local_person(size: usize) -> Vec<u8> {
    padded(PEERS_BODY, size)
}

/// The national form of the peers' body, padded to `size` bytes with `remarks`.
pub fn national_person(size: usize) -> Vec<u8> {
    let envelope = r#"{"schemaVersion":"1.0","source":"agency-a","person":{"givenName":"Ana","familyName":"Silva","birthDate":"1990-01-31","id":"12345678"}}"#;
    let person = padded(&envelope[..envelope.len() - 1], size.saturating_sub(1));
    let mut out = person;
    out.push(b'}');
    out
}

/// A valid edXML (QCVN 102:2016) national form of about `size` bytes: a real Status message
/// (1,642 bytes) for the smallest size, else a real document whose first attachment is padded.
pub fn edxml_of_size(size: usize) -> Vec<u8> {
    let status = root().join("samples/edxml/status_finish_06.edxml");
    let status = std::fs::read(&status).unwrap_or_else(|e| panic!("{}: {e}", status.display()));
    if size <= status.len() {
        return status;
    }
    let path = root().join(
        "sample-adapters/edxml-documents/fixtures/to-local/1f881896-6e3a-4a5f-87f1-c380878e148e.input.edxml",
    );
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let open = doc
        .find("<edXML:ContentTransferEncoded")
        .expect("an attachment");
    let start = open + doc[open..].find('>').expect("a start tag") + 1;
    let end = start + doc[start..].find('<').expect("an end tag");
    let rest = doc.len() - (end - start);
    // Base64 of zeros, in whole quanta of four characters.
    let filler = size.saturating_sub(rest) / 4 * 4;
    let mut out = String::with_capacity(rest + filler);
    out.push_str(&doc[..start]);
    out.extend(std::iter::repeat_n('A', filler.max(4)));
    out.push_str(&doc[end..]);
    out.into_bytes()
}

/// Starts, on this runtime, an upstream that reads each request body without keeping it and
/// answers `{"accepted":true}` as the peers' upstream does. Returns its `/ingest` URL.
pub async fn ack_upstream() -> String {
    use axum::routing::post;
    async fn ingest(body: Body) -> ([(header::HeaderName, &'static str); 1], &'static str) {
        use http_body_util::BodyExt;
        let mut body = body;
        while let Some(frame) = body.frame().await {
            if frame.is_err() {
                break;
            }
        }
        (
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"accepted":true}"#,
        )
    }
    let app = axum::Router::new().route("/ingest", post(ingest));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the upstream");
    let addr = listener.local_addr().expect("upstream address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/ingest")
}

/// The benchmark hub, started in this process and driven through its router without a
/// client socket (the provider call still goes to the upstream over loopback).
pub struct InProcess {
    /// The hub.
    pub hub: Arc<lgsp::Hub>,
    router: axum::Router,
    _dir: Option<tempfile::TempDir>,
}

impl InProcess {
    /// Starts the hub with the benchmark configuration, changed by `edit` first, on a data
    /// directory of its own that goes with it.
    pub async fn start(upstream: &str, edit: impl FnOnce(String) -> String) -> InProcess {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut hub = Self::start_in(upstream, &dir.path().join("data"), edit).await;
        hub._dir = Some(dir);
        hub
    }

    /// Like [`InProcess::start`] on the data directory `data`, which outlives the hub (a
    /// later start on it is a restart).
    pub async fn start_in(
        upstream: &str,
        data: &Path,
        edit: impl FnOnce(String) -> String,
    ) -> InProcess {
        let text = edit(config_text(&Placeholders {
            listen: "127.0.0.1:0".to_owned(),
            data: data.to_owned(),
            component: bench_person_component(),
            upstream: upstream.to_owned(),
        }));
        let base = data.parent().unwrap_or(data);
        let config = lgsp::config::Config::parse(&text, base).expect("the bench config is valid");
        let hub = lgsp::Hub::start(config).await.expect("the hub starts");
        InProcess {
            router: lgsp::api::router(hub.clone()),
            hub,
            _dir: None,
        }
    }

    /// One whole exchange: `body` posted to `service` with the benchmark key, through the
    /// router. Returns the status and the body of the answer.
    pub async fn exchange(&self, service: &str, body: Vec<u8>) -> (u16, bytes::Bytes) {
        let request = Request::post(format!("/v1/exchange/{service}"))
            .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(body))
            .expect("a request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("the body");
        (status, body)
    }
}

/// The process's memory as the kernel counts it (`/proc/self/status`).
pub mod memory {
    fn status_kib(field: &str) -> u64 {
        let text = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
        text.lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
    }

    /// Resident memory now, in bytes.
    pub fn resident() -> u64 {
        status_kib("VmRSS:") * 1024
    }

    /// The highest resident memory since the start or the last [`reset_peak`], in bytes.
    pub fn peak() -> u64 {
        status_kib("VmHWM:") * 1024
    }

    /// Sets the peak back to the current resident memory (Linux 4.0 and later).
    pub fn reset_peak() {
        std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak resident memory");
    }
}

/// The median and 99th percentile of `samples`, in microseconds.
pub fn quantiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at =
        |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e6;
    (at(0.5), at(0.99))
}

/// A size in bytes for a person: `1 KiB`, `100 KiB`, `10 MiB`.
pub fn size_label(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_messages_have_the_asked_size_and_stay_json() {
        for size in SIZES {
            let local = local_person(size);
            assert_eq!(local.len(), size);
            let v: serde_json::Value = serde_json::from_slice(&local).expect("json");
            assert_eq!(v["firstName"], "Ana");
            let national = national_person(size);
            assert_eq!(national.len(), size);
            let v: serde_json::Value = serde_json::from_slice(&national).expect("json");
            assert_eq!(v["person"]["id"], "12345678");
        }
        let xml = edxml_of_size(100 << 10);
        assert!(
            xml.len() <= 100 << 10 && xml.len() > 99 << 10,
            "{}",
            xml.len()
        );
    }
}
