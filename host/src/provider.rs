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
use reqwest::Url;

use crate::message::Message;

/// Largest provider reply the hub reads, so that a provider cannot exhaust its memory.
pub const MAX_REPLY_BYTES: usize = 64 * 1024 * 1024;

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
    /// The reply was larger than [`MAX_REPLY_BYTES`].
    #[error("the provider's reply is larger than {MAX_REPLY_BYTES} bytes")]
    TooLarge,
}

/// The shared client.
#[derive(Debug, Clone)]
pub struct Providers {
    client: reqwest::Client,
    /// Provider URLs already parsed. They come from the configuration, never from a request,
    /// so the map stays as small as the service catalogue; reading it takes no lock.
    urls: Arc<ArcSwap<HashMap<String, Url>>>,
}

impl Providers {
    /// A client with pooled, kept-alive connections.
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_secs(90))
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("lgsp/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self {
            client,
            urls: Arc::default(),
        }
    }

    /// `url` parsed, once per URL: parsing took about a tenth of the provider step's
    /// instructions when it was done for every message.
    fn parsed(&self, url: &str) -> Result<Url, ProviderError> {
        if let Some(parsed) = self.urls.load().get(url) {
            return Ok(parsed.clone());
        }
        let parsed = Url::parse(url)
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
            let mut request = self
                .client
                .post(self.parsed(url)?)
                .header(reqwest::header::CONTENT_TYPE, &msg.content_type)
                .header(crate::api::EXCHANGE_ID_HEADER, exchange_id)
                .body(msg.body.clone());
            for (k, v) in &msg.metadata {
                request = request.header(format!("{}{k}", crate::api::META_HEADER_PREFIX), v);
            }
            let mut response = request.send().await.map_err(classify)?;
            let status = response.status();
            if !status.is_success() {
                return Err(ProviderError::Status(status.as_u16()));
            }
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/octet-stream")
                .to_owned();
            let metadata = crate::api::metadata_from_headers(response.headers());
            if response
                .content_length()
                .is_some_and(|n| n > MAX_REPLY_BYTES as u64)
            {
                return Err(ProviderError::TooLarge);
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(classify)? {
                if body.len() + chunk.len() > MAX_REPLY_BYTES {
                    return Err(ProviderError::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Message {
                content_type,
                metadata,
                body: Bytes::from(body),
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

fn classify(err: reqwest::Error) -> ProviderError {
    // Only the error's own text, never the URL with any credentials it may carry.
    let err = err.without_url();
    if err.is_timeout() {
        ProviderError::Timeout(Duration::ZERO)
    } else {
        let mut text = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        ProviderError::Unreachable(text)
    }
}
