//! Calls to providers: the POST of a message to an upstream or to an agency's endpoint.
//!
//! One pooled HTTP client for the whole hub, so connections to providers are reused. This
//! module owns timeouts and the mapping of transport failures to [`ProviderError`]; it never
//! looks inside a body.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::{Request, Uri, header};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::crypto::ring;
use rustls::{ClientConfig, RootCertStore};

use crate::message::Message;

/// Largest provider reply the hub reads, so that a provider cannot exhaust its memory.
pub const MAX_REPLY_BYTES: usize = 64 * 1024 * 1024;
/// How long a new connection to a provider may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long an unused connection stays in the pool.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// How the hub names itself to providers.
const USER_AGENT: &str = concat!("lgsp/", env!("CARGO_PKG_VERSION"));

/// Why a provider call did not produce a reply.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// No connection could be made.
    #[error("failed to reach the provider: {0}")]
    Unreachable(String),
    /// No complete reply within the service's timeout.
    #[error("the provider did not answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// The provider answered with a status outside 2xx.
    #[error("the provider answered with status {0}")]
    Status(u16),
    /// The TLS handshake with an `https://` provider failed: most often its certificate is
    /// not trusted.
    #[error("the TLS handshake with the provider failed: {0}")]
    Tls(String),
    /// The request was sent and no complete reply came back: the provider may have acted on
    /// it.
    #[error("the provider's reply broke off: {0}")]
    Broken(String),
    /// The reply was larger than [`MAX_REPLY_BYTES`].
    #[error("the provider's reply is larger than {MAX_REPLY_BYTES} bytes")]
    TooLarge,
}

/// The connector under the client: TCP, with TLS for `https://` providers.
type Connector = HttpsConnector<HttpConnector>;
/// The shared client's type: requests carry one body in memory.
type HttpClient = Client<Connector, Full<Bytes>>;

/// The shared client.
#[derive(Debug, Clone)]
pub struct Providers {
    client: HttpClient,
    /// Provider URLs already parsed. They come from the configuration, never from a request,
    /// so the map stays as small as the service catalogue; reading it takes no lock.
    urls: Arc<ArcSwap<HashMap<String, Uri>>>,
}

impl Providers {
    /// A client with pooled, kept-alive connections, trusting the system's certificate
    /// authorities for `https://` providers (`SSL_CERT_FILE` and `SSL_CERT_DIR` point
    /// elsewhere, as for OpenSSL).
    pub fn new() -> Self {
        Self::with_roots(system_roots())
    }

    /// The same client trusting only `roots`.
    pub fn with_roots(roots: RootCertStore) -> Self {
        let tls = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("ring offers every protocol version rustls defaults to")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut tcp = HttpConnector::new();
        tcp.set_connect_timeout(Some(CONNECT_TIMEOUT));
        tcp.set_nodelay(true);
        tcp.enforce_http(false);
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .pool_timer(TokioTimer::new())
            .build(connector);
        Self {
            client,
            urls: Arc::default(),
        }
    }

    /// `url` parsed, once per URL: parsing took about a tenth of the provider step's
    /// instructions when it was done for every message.
    fn parsed(&self, url: &str) -> Result<Uri, ProviderError> {
        if let Some(parsed) = self.urls.load().get(url) {
            return Ok(parsed.clone());
        }
        let parsed = provider_uri(url)
            .map_err(|err| ProviderError::Unreachable(format!("invalid provider URL: {err}")))?;
        self.urls.rcu(|urls| {
            let mut urls = HashMap::clone(urls);
            urls.insert(url.to_owned(), parsed.clone());
            urls
        });
        Ok(parsed)
    }

    /// POSTs `msg` to `url` and returns the reply, all within `timeout`.
    pub async fn post(
        &self,
        url: &str,
        msg: &Message,
        exchange_id: &str,
        timeout: Duration,
    ) -> Result<Message, ProviderError> {
        let call = async {
            let mut request = Request::post(self.parsed(url)?)
                .header(header::CONTENT_TYPE, &msg.content_type)
                .header(crate::api::EXCHANGE_ID_HEADER, exchange_id)
                .header(header::USER_AGENT, USER_AGENT);
            for (key, value) in &msg.metadata {
                let (name, value) = crate::api::meta_header(key, value).map_err(|why| {
                    ProviderError::Unreachable(format!("invalid request: metadata {key:?}: {why}"))
                })?;
                request = request.header(name, value);
            }
            let request = request
                .body(Full::new(msg.body.clone()))
                .map_err(|err| ProviderError::Unreachable(format!("invalid request: {err}")))?;
            let response = self.client.request(request).await.map_err(classify)?;
            let status = response.status();
            if !status.is_success() {
                return Err(ProviderError::Status(status.as_u16()));
            }
            let content_type = response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/octet-stream")
                .to_owned();
            let metadata = crate::api::metadata_from_headers(response.headers());
            let declared = response
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if declared.is_some_and(|n| n > MAX_REPLY_BYTES as u64) {
                return Err(ProviderError::TooLarge);
            }
            let body = Limited::new(response.into_body(), MAX_REPLY_BYTES)
                .collect()
                .await
                .map_err(|err| {
                    if err.is::<LengthLimitError>() {
                        ProviderError::TooLarge
                    } else {
                        ProviderError::Broken(chain(&*err))
                    }
                })?
                .to_bytes();
            Ok(Message {
                content_type,
                metadata,
                body,
            })
        };
        tokio::time::timeout(timeout, call)
            .await
            .unwrap_or(Err(ProviderError::Timeout(timeout)))
    }
}

impl Default for Providers {
    fn default() -> Self {
        Self::new()
    }
}

/// A provider URL as the hub sends it: read as the WHATWG URL standard reads it (the
/// configuration check reads it the same way), so that a path with spaces or non-ASCII
/// letters is percent-encoded and `http:/host` means `http://host`, then taken as an HTTP
/// request target.
pub fn provider_uri(url: &str) -> Result<Uri, String> {
    request_target(&url::Url::parse(url).map_err(|err| err.to_string())?)
}

/// An already parsed provider URL as an HTTP request target.
pub(crate) fn request_target(url: &url::Url) -> Result<Uri, String> {
    url.as_str()
        .parse::<Uri>()
        .map_err(|err| format!("{url} is not an HTTP request target: {err}"))
}

/// The system's trusted certificate authorities. Without any, `https://` providers are
/// refused (and said so at start), while `http://` ones still work.
fn system_roots() -> RootCertStore {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 || !found.errors.is_empty() {
        let var = |name| std::env::var(name).unwrap_or_default();
        let first_error = found.errors.first().map(ToString::to_string);
        tracing::warn!(
            ssl_cert_file = %var("SSL_CERT_FILE"),
            ssl_cert_dir = %var("SSL_CERT_DIR"),
            errors = found.errors.len(),
            first_error = first_error.as_deref().unwrap_or("none"),
            trusted = added,
            "certificate authorities missing or unreadable; https providers whose authority \
             is not among the trusted ones will be refused (install ca-certificates, or point \
             SSL_CERT_FILE or SSL_CERT_DIR at PEM files)"
        );
    } else if ignored > 0 {
        tracing::debug!(added, ignored, "some system certificates could not be read");
    }
    roots
}

fn classify(err: hyper_util::client::legacy::Error) -> ProviderError {
    // hyper's error texts never carry the request's URL, so no credentials can leak here.
    match tls_error(&err) {
        Some(tls) => ProviderError::Tls(explain_tls(tls)),
        // No connection was made, so the provider cannot have seen the request.
        None if err.is_connect() => ProviderError::Unreachable(chain(&err)),
        // The request went out (hyper retries by itself what a stale pooled connection
        // refused before sending): the provider may have acted on it.
        None => ProviderError::Broken(chain(&err)),
    }
}

/// The TLS error under `err`, if the failure was the handshake. rustls's error travels inside
/// an `io::Error` (inside another, from hyper-rustls), whose `source` skips what it wraps, so
/// each I/O error is opened too.
fn tls_error<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        next = match e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            Some(wrapped) => Some(wrapped as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}

/// What an operator can do about a failed handshake, then rustls's own words.
fn explain_tls(err: &rustls::Error) -> String {
    use rustls::{CertificateError as C, Error as E, InvalidMessage};
    let why = match err {
        E::InvalidCertificate(C::UnknownIssuer) => {
            "the provider's certificate is not signed by an authority the hub trusts \
             (SSL_CERT_FILE or SSL_CERT_DIR name the authorities to trust)"
        }
        E::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "the provider's certificate has expired"
        }
        E::InvalidCertificate(C::NotValidYet | C::NotValidYetContext { .. }) => {
            "the provider's certificate is not valid yet (is the hub's clock right?)"
        }
        E::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => {
            "the provider's certificate does not name the host in the provider URL"
        }
        E::InvalidCertificate(C::Other(other))
            if other.to_string().contains("CaUsedAsEndEntity") =>
        {
            "the provider presents an authority's certificate (CA:TRUE) as its own; it needs a \
             certificate with CA:FALSE, signed by a trusted authority"
        }
        E::InvalidCertificate(_) => "the provider's certificate was refused",
        E::InvalidMessage(InvalidMessage::InvalidContentType) => {
            "the provider does not speak TLS at this address (is it an http:// server?)"
        }
        _ => "no secure connection could be agreed",
    };
    format!("{why} ({err})")
}

/// An error and its causes on one line.
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failed step fails the test")]
mod tests {
    use std::convert::Infallible;

    use http_body_util::Full;
    use hyper::Response;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    use rustls::pki_types::{CertificateDer, PrivatePkcs8KeyDer};

    use super::*;

    /// An `https://localhost` provider with a fresh self-signed certificate, answering every
    /// request with `{"accepted":true}`, and the certificate to trust it by.
    async fn tls_provider() -> (String, CertificateDer<'static>) {
        let key = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let cert = key.cert.der().clone();
        let private = PrivatePkcs8KeyDer::from(key.signing_key.serialize_der());
        let config =
            rustls::ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(vec![cert.clone()], private.into())
                .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let answer = service_fn(|_| async {
                        let mut reply =
                            Response::new(Full::new(Bytes::from_static(br#"{"accepted":true}"#)));
                        reply.headers_mut().insert(
                            header::CONTENT_TYPE,
                            header::HeaderValue::from_static("application/json"),
                        );
                        Ok::<_, Infallible>(reply)
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), answer)
                        .await;
                });
            }
        });
        (format!("https://localhost:{port}/ingest"), cert)
    }

    fn message() -> Message {
        Message {
            content_type: "application/json".to_owned(),
            metadata: Vec::new(),
            body: Bytes::from_static(br#"{"person":{}}"#),
        }
    }

    #[tokio::test]
    async fn an_https_provider_is_reached_when_its_authority_is_trusted() {
        let (url, cert) = tls_provider().await;
        let mut roots = RootCertStore::empty();
        roots.add(cert).unwrap();
        let providers = Providers::with_roots(roots);

        let reply = providers
            .post(&url, &message(), "ex-1", Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(reply.content_type, "application/json");
        assert_eq!(&reply.body[..], br#"{"accepted":true}"#);
    }

    #[tokio::test]
    async fn an_https_provider_with_an_unknown_authority_is_refused() {
        let (url, _) = tls_provider().await;
        let err = refused(Providers::with_roots(RootCertStore::empty()), &url).await;
        let ProviderError::Tls(why) = err else {
            panic!("expected Tls, got {err:?}");
        };
        assert!(
            why.contains("not signed by an authority the hub trusts"),
            "{why}"
        );
        assert!(why.contains("UnknownIssuer"), "{why}");
    }

    /// The error of a POST of [`message`] to `url` that must fail.
    async fn refused(providers: Providers, url: &str) -> ProviderError {
        providers
            .post(url, &message(), "ex-1", Duration::from_secs(5))
            .await
            .unwrap_err()
    }

    /// A TCP server that answers every connection with `reply`, byte for byte, and closes it.
    async fn raw_server(reply: &'static [u8]) -> u16 {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut tcp, _)) = listener.accept().await {
                let mut request = [0u8; 4096];
                let _ = tcp.read(&mut request).await;
                let _ = tcp.write_all(reply).await;
            }
        });
        port
    }

    #[tokio::test]
    async fn an_https_url_to_a_plain_http_server_says_so() {
        let port = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}").await;
        let err = refused(
            Providers::with_roots(RootCertStore::empty()),
            &format!("https://localhost:{port}/"),
        )
        .await;
        let ProviderError::Tls(why) = err else {
            panic!("expected Tls, got {err:?}");
        };
        assert!(why.contains("does not speak TLS"), "{why}");
    }

    #[tokio::test]
    async fn a_reply_that_breaks_off_is_not_called_unreachable() {
        let port =
            raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"accepted\":").await;
        let err = refused(Providers::new(), &format!("http://127.0.0.1:{port}/")).await;
        let ProviderError::Broken(why) = err else {
            panic!("expected Broken, got {err:?}");
        };
        assert!(why.contains("end of file"), "{why}");
    }

    #[tokio::test]
    async fn unreachable_only_when_no_connection_was_made() {
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let err = refused(Providers::new(), &format!("http://127.0.0.1:{port}/")).await;
        assert!(matches!(err, ProviderError::Unreachable(_)), "{err:?}");

        // Reads the request, then closes without a word: the provider may have acted on it.
        let port = raw_server(b"").await;
        let err = refused(Providers::new(), &format!("http://127.0.0.1:{port}/")).await;
        assert!(matches!(err, ProviderError::Broken(_)), "{err:?}");
    }

    #[test]
    fn a_provider_url_is_read_as_the_configuration_check_reads_it() {
        let uri = provider_uri("http://127.0.0.1:8080/dịch vụ/a b?x=1").unwrap();
        assert_eq!(uri.path(), "/d%E1%BB%8Bch%20v%E1%BB%A5/a%20b");
        assert_eq!(uri.query(), Some("x=1"));
        let uri = provider_uri("http:/127.0.0.1:8080/ok\\x").unwrap();
        assert_eq!(uri.authority().unwrap().as_str(), "127.0.0.1:8080");
        assert_eq!(uri.path(), "/ok/x");
        assert!(provider_uri("not a url").is_err());
    }
}
