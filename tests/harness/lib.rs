//! The test harness: a real hub on `127.0.0.1:0`, with the sample adapters built from source,
//! the stand-ins behind a recorder, and a few deliberately broken providers.
//!
//! Tests talk to the hub over HTTP only, as an agency would; the recorder shows what the hub
//! forwarded to each provider, so tests can assert the exact national or local form.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use sha2::{Digest, Sha256};

pub mod logs;

/// API keys of the test clients (their SHA-256 is what the config holds).
pub mod keys {
    /// Document management system of agency A (edxml-documents).
    pub const DMS_A: &str = "test-key-dms-a";
    /// The national exchange, speaking the national form.
    pub const NATIONAL: &str = "test-key-national";
    /// Commune civil registry A (civil-registry-csv).
    pub const REGISTRY_A: &str = "test-key-registry-a";
    /// A client whose adapter misbehaves on request.
    pub const HOSTILE: &str = "test-key-hostile";
    /// An operator token (role `operator`).
    pub const OPERATOR: &str = "test-token-operator";
    /// An auditor token (role `auditor`: reads only).
    pub const AUDITOR: &str = "test-token-auditor";
}

/// Agency ids used in the test configuration.
pub mod agencies {
    /// Agency A's document system.
    pub const DMS_A: &str = "000.00.00.A80";
    /// Agency B's document system (a provider).
    pub const DMS_B: &str = "000.00.00.H41";
    /// Commune registry A.
    pub const REGISTRY_A: &str = "commune-00004";
    /// Commune registry B (a provider).
    pub const REGISTRY_B: &str = "commune-26734";
    /// The misbehaving adapter's agency.
    pub const HOSTILE: &str = "hostile";
}

/// The workspace root.
pub fn root() -> PathBuf {
    // `LGSP_CHECKOUT` (set by test.sh) wins: checkouts sharing a target directory can share
    // a test binary built from another one.
    std::env::var_os("LGSP_CHECKOUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
            manifest
                .parent()
                .expect("tests/ is in the workspace")
                .to_owned()
        })
}

/// The components built by `build.rs`.
pub mod components {
    /// edxml-documents.
    pub const EDXML_DOCUMENTS: &str = env!("LGSP_TEST_EDXML_DOCUMENTS");
    /// civil-registry-csv.
    pub const CIVIL_REGISTRY_CSV: &str = env!("LGSP_TEST_CIVIL_REGISTRY_CSV");
    /// hostile.
    pub const HOSTILE: &str = env!("LGSP_TEST_HOSTILE");
    /// hostile-wasi, built for wasm32-wasip2 so that it imports WASI.
    pub const HOSTILE_WASI: &str = env!("LGSP_TEST_HOSTILE_WASI");

    /// civil-registry-csv written again in JavaScript, Python and C, built by `build.rs`:
    /// each is a path, or `error: <why>` when its toolchain was missing at build time.
    pub const CIVIL_REGISTRY_CSV_JS: &str = env!("LGSP_TEST_CIVIL_REGISTRY_CSV_JS");
    /// The Python build; see [`CIVIL_REGISTRY_CSV_JS`].
    pub const CIVIL_REGISTRY_CSV_PYTHON: &str = env!("LGSP_TEST_CIVIL_REGISTRY_CSV_PYTHON");
    /// The C build; see [`CIVIL_REGISTRY_CSV_JS`].
    pub const CIVIL_REGISTRY_CSV_C: &str = env!("LGSP_TEST_CIVIL_REGISTRY_CSV_C");

    /// The path of a component `build.rs` built, or a panic with the reason it could not.
    pub fn built(component: &'static str) -> &'static str {
        if let Some(reason) = component.strip_prefix("error: ") {
            panic!("{reason} (run scripts/setup.sh, which installs every toolchain)");
        }
        component
    }

    /// The civil-registry component the hub loads: the one named by
    /// `LGSP_TEST_CIVIL_REGISTRY_CSV` at run time when set (to run the same fixtures against
    /// another language's build of the adapter), else the Rust one built by `build.rs`.
    pub fn civil_registry_csv() -> String {
        std::env::var("LGSP_TEST_CIVIL_REGISTRY_CSV")
            .unwrap_or_else(|_| CIVIL_REGISTRY_CSV.to_owned())
    }
}

/// SHA-256 as lowercase hex.
pub fn sha256(data: impl AsRef<[u8]>) -> String {
    hex::encode(Sha256::digest(data.as_ref()))
}

/// One request the peers received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The exchange id header the hub sent.
    pub exchange_id: String,
    /// The path called.
    pub path: String,
    /// The content type sent.
    pub content_type: String,
    /// The body.
    pub body: bytes::Bytes,
}

/// What the peers received, in order.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Received>>>);

impl Recorder {
    /// Whether anything at all reached a peer during exchange `id`.
    pub fn any(&self, id: &str) -> bool {
        self.0
            .lock()
            .expect("recorder lock")
            .iter()
            .any(|r| r.exchange_id == id)
    }

    /// What was sent to `path` during exchange `id`.
    pub fn find(&self, id: &str, path: &str) -> Option<Received> {
        self.0
            .lock()
            .expect("recorder lock")
            .iter()
            .find(|r| r.exchange_id == id && r.path == path)
            .cloned()
    }
}

async fn record(recorder: axum::extract::State<Recorder>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 256 << 20).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    recorder.0.0.lock().expect("recorder lock").push(Received {
        exchange_id: header(lgsp::api::EXCHANGE_ID_HEADER),
        path: parts.uri.path().to_owned(),
        content_type: header("content-type"),
        body: bytes.clone(),
    });
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The stand-ins plus broken providers, behind the recorder.
fn peers(recorder: Recorder) -> Router {
    lgsp_standin::router()
        .route(
            "/broken/slow",
            post(|| async {
                tokio::time::sleep(Duration::from_secs(10)).await;
                StatusCode::OK
            }),
        )
        .route(
            "/broken/invalid-reply",
            post(|| async {
                (
                    [("content-type", "application/json")],
                    r#"{"standard":"citizen-receipt"}"#,
                )
            }),
        )
        .route(
            "/broken/status-500",
            post(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        )
        .layer(middleware::from_fn_with_state(recorder, record))
}

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a test port");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

/// A running hub and its peers.
pub struct TestHub {
    /// `http://127.0.0.1:<port>` of the hub.
    pub url: String,
    /// `http://127.0.0.1:<port>` of the peers.
    pub peers_url: String,
    /// What the peers received.
    pub recorder: Recorder,
    /// An HTTP client.
    pub http: reqwest::Client,
    /// The hub itself, for in-process checks.
    pub hub: Arc<lgsp::Hub>,
    _dir: Option<Arc<tempfile::TempDir>>,
    /// The configuration text it started with, to start it again.
    config: String,
    /// Stops the server loop.
    stop: Option<Arc<tokio::sync::Notify>>,
}

/// The hub most tests share, running on a runtime of its own so that it outlives each test's.
struct Shared {
    url: String,
    peers_url: String,
    recorder: Recorder,
    hub: Arc<lgsp::Hub>,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

/// The test configuration, with `{peers}`, `{root}` and component paths filled in.
pub fn config_text(peers: &str, data_dir: &Path) -> String {
    let root = root();
    let r = root.display();
    let h = |k: &str| sha256(k);
    format!(
        r#"
[server]
listen = "127.0.0.1:0"
data_dir = "{data}"
max_body_bytes = 1048576
exchange_timeout_ms = 3000

[catalogues]
admin_units = "{r}/catalogues/admin-units-vn-2025.json"

[[standards]]
id = "edxml"
version = "2016"
kind = "xsd"
schema = "{r}/standards/edxml/qcvn-102-2016.xsd"

[[standards]]
id = "citizen-record"
version = "1.0"
kind = "json-schema"
schema = "{r}/standards/citizen-record/citizen-record.schema.json"

[[standards]]
id = "citizen-receipt"
version = "1.0"
kind = "json-schema"
schema = "{r}/standards/citizen-record/citizen-receipt.schema.json"

[[adapters]]
agency = "{dms_a}"
component = "{edxml}"

[[adapters]]
agency = "{dms_b}"
component = "{edxml}"

[[adapters]]
agency = "{reg_a}"
component = "{civil}"

[[adapters]]
agency = "{reg_b}"
component = "{civil}"

[[adapters]]
agency = "{hostile}"
component = "{hostile_wasm}"
deadline_ms = 500
max_memory_bytes = 67108864
max_output_bytes = 1048576
max_in_flight = 16

[[services]]
id = "documents.send"
standard = "edxml@2016"
provider = {{ upstream = "{peers}/national/edxml" }}

[[services]]
id = "documents.deliver.h41"
standard = "edxml@2016"
provider = {{ agency = "{dms_b}", endpoint = "{peers}/agency/dms" }}

[[services]]
id = "citizens.register"
standard = "citizen-record@1.0"
reply_standard = "citizen-receipt@1.0"
provider = {{ upstream = "{peers}/national/citizens" }}

[[services]]
id = "citizens.transfer.b"
standard = "citizen-record@1.0"
reply_standard = "citizen-receipt@1.0"
provider = {{ agency = "{reg_b}", endpoint = "{peers}/agency/civil-registry" }}

[[services]]
id = "hostile.echo"
standard = "citizen-record@1.0"
reply_standard = "citizen-receipt@1.0"
provider = {{ upstream = "{peers}/national/citizens" }}

[[services]]
id = "hostile.unreachable-to-local"
standard = "citizen-record@1.0"
reply_standard = "citizen-receipt@1.0"
provider = {{ upstream = "{peers}/national/citizens" }}

[[services]]
id = "broken.unreachable"
standard = "citizen-record@1.0"
reply_standard = "citizen-receipt@1.0"
provider = {{ upstream = "http://127.0.0.1:1/closed" }}

[[services]]
id = "broken.slow"
standard = "citizen-record@1.0"
reply_standard = "citizen-receipt@1.0"
provider = {{ upstream = "{peers}/broken/slow" }}
timeout_ms = 300

[[services]]
id = "broken.slower"
standard = "citizen-record@1.0"
reply_standard = "citizen-receipt@1.0"
provider = {{ upstream = "{peers}/broken/slow" }}
timeout_ms = 20000

[[services]]
id = "broken.invalid-reply"
standard = "citizen-record@1.0"
reply_standard = "citizen-receipt@1.0"
provider = {{ upstream = "{peers}/broken/invalid-reply" }}

[[services]]
id = "broken.status"
standard = "citizen-record@1.0"
reply_standard = "citizen-receipt@1.0"
provider = {{ upstream = "{peers}/broken/status-500" }}

[[clients]]
agency = "{dms_a}"
api_key_sha256 = "{k_dms}"
services = ["documents.send", "documents.deliver.h41"]

[[clients]]
agency = "national"
form = "national"
api_key_sha256 = "{k_nat}"
services = ["documents.deliver.h41", "citizens.transfer.b"]

[[clients]]
agency = "{reg_a}"
api_key_sha256 = "{k_reg}"
services = ["citizens.register", "citizens.transfer.b"]

[[clients]]
agency = "{hostile}"
api_key_sha256 = "{k_hos}"
services = ["hostile.echo", "hostile.unreachable-to-local", "broken.unreachable", "broken.slow", "broken.slower", "broken.invalid-reply", "broken.status"]

[[operators]]
name = "test-operator"
token_sha256 = "{k_op}"
role = "operator"

[[operators]]
name = "test-auditor"
token_sha256 = "{k_aud}"
role = "auditor"
"#,
        data = data_dir.display(),
        dms_a = agencies::DMS_A,
        dms_b = agencies::DMS_B,
        reg_a = agencies::REGISTRY_A,
        reg_b = agencies::REGISTRY_B,
        hostile = agencies::HOSTILE,
        edxml = components::EDXML_DOCUMENTS,
        civil = components::civil_registry_csv(),
        hostile_wasm = components::HOSTILE,
        k_dms = h(keys::DMS_A),
        k_nat = h(keys::NATIONAL),
        k_reg = h(keys::REGISTRY_A),
        k_hos = h(keys::HOSTILE),
        k_op = h(keys::OPERATOR),
        k_aud = h(keys::AUDITOR),
    )
}

impl TestHub {
    /// Starts the peers and a hub with the test configuration.
    pub async fn start() -> TestHub {
        Self::start_with(|text| text).await
    }

    /// Like [`TestHub::start`], with the configuration text changed by `edit` first.
    pub async fn start_with(edit: impl FnOnce(String) -> String) -> TestHub {
        logs::install();
        let recorder = Recorder::default();
        let peers_addr = serve(peers(recorder.clone())).await;
        let peers_url = format!("http://{peers_addr}");

        let dir = tempfile::tempdir().expect("temp dir");
        let text = edit(config_text(&peers_url, &dir.path().join("data")));
        Self::launch(Arc::new(dir), text, recorder, peers_url).await
    }

    async fn launch(
        dir: Arc<tempfile::TempDir>,
        text: String,
        recorder: Recorder,
        peers_url: String,
    ) -> TestHub {
        let config =
            lgsp::config::Config::parse(&text, dir.path()).expect("the test config is valid");
        let hub = lgsp::Hub::start(config).await.expect("the hub starts");

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let served = hub.clone();
        let stop = Arc::new(tokio::sync::Notify::new());
        let stopped = stop.clone();
        tokio::spawn(async move {
            let _ = lgsp::serve(served, listener, async move { stopped.notified().await }).await;
        });

        TestHub {
            url: format!("http://{addr}"),
            peers_url,
            recorder,
            http: reqwest::Client::new(),
            hub,
            _dir: Some(dir),
            config: text,
            stop: Some(stop),
        }
    }

    /// Stops this hub and starts a new one on the same configuration and data directory, as
    /// an operator's restart does.
    pub async fn restart(self) -> TestHub {
        let stop = self
            .stop
            .expect("a hub started by this test, not the shared one");
        stop.notify_one();
        let dir = self._dir.expect("a data directory");
        drop(self.hub);
        Self::launch(dir, self.config, self.recorder, self.peers_url).await
    }

    /// The data directory of this hub.
    pub fn data_dir(&self) -> PathBuf {
        self._dir
            .as_ref()
            .expect("a hub started by this test")
            .path()
            .join("data")
    }

    /// Sends an admin API request with `token` (none for no `Authorization`).
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some((content_type, body)) = body {
            req = req.header("content-type", content_type).body(body);
        }
        Reply::from(req.send().await.expect("the hub answers")).await
    }

    /// A handle on the hub that tests share: starting a hub compiles every adapter, so tests
    /// that do not depend on a clean message log use this one. Exchanges are told apart by
    /// their exchange ids.
    pub fn shared() -> TestHub {
        let shared = SHARED.get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("a runtime for the shared hub");
                runtime.block_on(async move {
                    let hub = TestHub::start().await;
                    let parts = Shared {
                        url: hub.url.clone(),
                        peers_url: hub.peers_url.clone(),
                        recorder: hub.recorder.clone(),
                        hub: hub.hub.clone(),
                    };
                    let _ = tx.send(parts);
                    // Keep the hub, its peers and its data directory alive for the process.
                    let _keep = hub;
                    std::future::pending::<()>().await;
                });
            });
            rx.recv().expect("the shared hub starts")
        });
        TestHub {
            url: shared.url.clone(),
            peers_url: shared.peers_url.clone(),
            recorder: shared.recorder.clone(),
            // A client per handle: a pooled connection must not outlive the test's runtime.
            http: reqwest::Client::new(),
            hub: shared.hub.clone(),
            _dir: None,
            config: String::new(),
            stop: None,
        }
    }

    /// Another handle on the same hub, for a concurrent task (the data directory stays with
    /// the original).
    pub fn handle(&self) -> TestHub {
        TestHub {
            url: self.url.clone(),
            peers_url: self.peers_url.clone(),
            recorder: self.recorder.clone(),
            http: reqwest::Client::new(),
            hub: self.hub.clone(),
            _dir: self._dir.clone(),
            config: self.config.clone(),
            stop: None,
        }
    }

    /// POSTs `body` to a service with `key` (none for no `Authorization`).
    pub async fn exchange(
        &self,
        service: &str,
        key: Option<&str>,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        self.exchange_with(service, key, content_type, &[], body)
            .await
    }

    /// Like [`TestHub::exchange`], with extra headers.
    pub async fn exchange_with(
        &self,
        service: &str,
        key: Option<&str>,
        content_type: &str,
        headers: &[(&str, &str)],
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let mut req = self
            .http
            .post(format!("{}/v1/exchange/{service}", self.url))
            .header("content-type", content_type)
            .body(body);
        if let Some(key) = key {
            req = req.bearer_auth(key);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Reply::from(req.send().await.expect("the hub answers")).await
    }

    /// GETs a path of the API with `key`.
    pub async fn get(&self, path: &str, key: Option<&str>) -> Reply {
        let mut req = self.http.get(format!("{}{path}", self.url));
        if let Some(key) = key {
            req = req.bearer_auth(key);
        }
        Reply::from(req.send().await.expect("the hub answers")).await
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Content type.
    pub content_type: String,
    /// The exchange id header, if any.
    pub exchange_id: Option<String>,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    /// Body.
    pub body: bytes::Bytes,
}

impl Reply {
    async fn from(r: reqwest::Response) -> Reply {
        let status = r.status().as_u16();
        let header = |n: &str| {
            r.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header("content-type").unwrap_or_default();
        let exchange_id = header(lgsp::api::EXCHANGE_ID_HEADER);
        let retry_after = header("retry-after");
        let body = r.bytes().await.expect("body");
        Reply {
            status,
            content_type,
            exchange_id,
            retry_after,
            body,
        }
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts this is a problem document of `kind` with `status`, and returns it.
    #[track_caller]
    pub fn problem(&self, status: u16, kind: &str) -> serde_json::Value {
        assert_eq!(self.status, status, "status; body: {}", self.text());
        assert_eq!(self.content_type, "application/problem+json");
        let p = self.json();
        assert_eq!(
            p["type"],
            format!("urn:lgsp:problem:{kind}"),
            "type; body: {p}"
        );
        assert_eq!(p["status"], status);
        p
    }
}
