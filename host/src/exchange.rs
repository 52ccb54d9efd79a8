//! The exchange: one message from a caller to a provider and back, through the adapters and
//! the standards.
//!
//! This module owns the order of the steps and what each failure means
//! ([`ExchangeError`]); it records what happened in a [`Trace`] for the message log. It does
//! not authenticate (the edge does) and does not know HTTP status codes (`problem` does).

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::config::{ClientConfig, ClientForm, Provider};
use crate::hub::Hub;
use crate::message::{Message, Violation};
use crate::message_log::{BodyDigest, StepTime};
use crate::provider::ProviderError;
use crate::runtime::{CallContext, CallError, Direction, LoadedAdapter, Phase};
use crate::standard::Standard;

/// Which side of the exchange something came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// The calling agency (its adapter or, for a national-form client, itself).
    Caller,
    /// The provider (its adapter, or the upstream's reply).
    Provider,
}

impl Side {
    /// `caller` or `provider`, as problem documents and logs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Caller => "caller",
            Side::Provider => "provider",
        }
    }
}

/// Why an exchange did not deliver an answer. `problem` turns each into a response.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// No valid API key.
    #[error("the request has no valid API key")]
    Unauthenticated,
    /// The client may not call the service.
    #[error("agency {agency:?} may not call service {service:?}")]
    Forbidden {
        /// The caller.
        agency: String,
        /// The service.
        service: String,
    },
    /// No such service.
    #[error("there is no service {0:?}")]
    UnknownService(String),
    /// The header section is over the edge's limit.
    #[error("the request headers take more than {limit} bytes")]
    HeadersTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is over the edge's limit.
    #[error("the request body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The client did not send its whole body in time.
    #[error("the request body did not arrive within {} ms", .0.as_millis())]
    BodyTimeout(std::time::Duration),
    /// The body could not be read from the connection.
    #[error("failed to read the request body: {0}")]
    BodyRead(String),
    /// An adapter refused the message, with violations.
    #[error("the {side:?} adapter rejected the message")]
    AdapterRejected {
        /// Whose adapter.
        side: Side,
        /// Which leg.
        phase: Phase,
        /// The agency whose adapter it is.
        agency: String,
        /// Why.
        violations: Vec<Violation>,
    },
    /// An adapter does not handle this kind of message.
    #[error("the {side:?} adapter does not support the message: {reason}")]
    AdapterUnsupported {
        /// Whose adapter.
        side: Side,
        /// Which leg.
        phase: Phase,
        /// The agency whose adapter it is.
        agency: String,
        /// The adapter's explanation.
        reason: String,
    },
    /// An adapter failed: an internal error, a trap, or its deadline.
    #[error("the {side:?} adapter failed: {source}")]
    AdapterFault {
        /// Whose adapter.
        side: Side,
        /// Which leg.
        phase: Phase,
        /// The agency whose adapter it is.
        agency: String,
        /// `name@version`.
        adapter: String,
        /// What happened.
        source: CallError,
    },
    /// The national form did not satisfy the standard.
    #[error("the national form from the {side:?} side does not satisfy {standard}")]
    StandardViolation {
        /// Who produced the national form.
        side: Side,
        /// `id@version`.
        standard: String,
        /// What is wrong.
        violations: Vec<Violation>,
    },
    /// The provider could not be reached, timed out, or answered with an error.
    #[error("provider call failed: {0}")]
    Provider(#[from] ProviderError),
    /// The whole exchange ran past `server.exchange_timeout_ms`.
    #[error("the exchange did not finish within {} ms", .0.as_millis())]
    Timeout(std::time::Duration),
    /// The record of the exchange could not be written; the hub's own failure.
    #[error("failed to record the exchange: {0}")]
    Log(String),
}

/// What the message log keeps of an exchange, filled in as the steps run.
#[derive(Debug, Default)]
pub struct Trace {
    /// Time per step.
    pub steps: Vec<StepTime>,
    /// Size and digest of each body.
    pub bodies: Vec<BodyDigest>,
    /// The provider's agency id or URL.
    pub provider: Option<String>,
    /// The caller's adapter, `name@version`.
    pub caller_adapter: Option<String>,
    /// The provider's adapter, `name@version`.
    pub provider_adapter: Option<String>,
    /// SHA-256 of the caller's adapter component.
    pub caller_adapter_sha256: Option<String>,
    /// SHA-256 of the provider's adapter component.
    pub provider_adapter_sha256: Option<String>,
}

impl Trace {
    fn body(&mut self, leg: &str, body: &[u8]) {
        self.bodies.push(BodyDigest {
            leg: leg.to_owned(),
            bytes: body.len() as u64,
            sha256: hex::encode(Sha256::digest(body)),
        });
    }

    async fn timed<T>(&mut self, step: &str, work: impl Future<Output = T>) -> T {
        let started = Instant::now();
        let out = work.await;
        self.steps.push(StepTime {
            step: step.to_owned(),
            micros: started.elapsed().as_micros() as u64,
        });
        out
    }
}

/// One translation by one adapter, as a step of an exchange.
struct Translation<'a> {
    /// The step's name in the message log.
    step: &'static str,
    side: Side,
    phase: Phase,
    direction: Direction,
    /// The standard of the national form on this leg.
    standard: &'a Standard,
}

/// What every step of one exchange shares.
struct Run<'a> {
    exchange_id: &'a str,
    service: &'a str,
    trace: &'a mut Trace,
}

impl Run<'_> {
    async fn translate(
        &mut self,
        adapter: &LoadedAdapter,
        t: Translation<'_>,
        msg: &Message,
    ) -> Result<Message, ExchangeError> {
        let cx = CallContext {
            exchange_id: self.exchange_id,
            service: self.service,
            standard: t.standard.key(),
            phase: t.phase,
        };
        self.trace
            .timed(t.step, adapter.call(t.direction, &cx, msg))
            .await
            .map_err(|e| adapter_error(t.side, t.phase, adapter, e))
    }

    /// The hub's own check of a national form, whatever the adapter that made it claims.
    async fn validate(
        &mut self,
        step: &'static str,
        side: Side,
        standard: &Arc<Standard>,
        msg: &Message,
    ) -> Result<(), ExchangeError> {
        self.trace
            .timed(step, standard.validate(msg))
            .await
            .map_err(|violations| ExchangeError::StandardViolation {
                side,
                standard: standard.key().to_owned(),
                violations,
            })
    }
}

impl Hub {
    /// Runs one exchange for an authenticated `client`.
    pub async fn exchange(
        &self,
        exchange_id: &str,
        client: &ClientConfig,
        service_id: &str,
        request: Message,
        trace: &mut Trace,
    ) -> Result<Message, ExchangeError> {
        // One snapshot for the whole exchange: a change made meanwhile applies to the next.
        let tables = self.tables();
        let service = tables
            .services
            .get(service_id)
            .ok_or_else(|| ExchangeError::UnknownService(service_id.to_owned()))?;
        if !client.services.contains(service_id) {
            return Err(ExchangeError::Forbidden {
                agency: client.agency.clone(),
                service: service_id.to_owned(),
            });
        }
        // Both exist: the configuration was validated at start.
        let (Some(standard), Some(reply_standard)) = (
            tables.standards.get(&service.standard),
            tables.standards.get(&service.reply_standard),
        ) else {
            return Err(ExchangeError::UnknownService(service_id.to_owned()));
        };
        trace.provider = Some(match &service.provider {
            Provider::Upstream { url } => url.clone(),
            Provider::Agency { agency, .. } => agency.clone(),
        });
        trace.body("request", &request.body);

        let caller_adapter = match client.form {
            ClientForm::National => None,
            ClientForm::Local => Some(self.adapter_of(&client.agency)?),
        };
        trace.caller_adapter = caller_adapter.as_ref().map(|a| a.label());
        trace.caller_adapter_sha256 = caller_adapter.as_ref().map(|a| a.sha256().to_owned());
        let mut run = Run {
            exchange_id,
            service: service_id,
            trace,
        };

        // 1. The caller's local form becomes the national form.
        let national_request = match &caller_adapter {
            None => request,
            Some(adapter) => {
                let t = Translation {
                    step: "caller-to-national",
                    side: Side::Caller,
                    phase: Phase::Request,
                    direction: Direction::ToNational,
                    standard,
                };
                let national = run.translate(adapter, t, &request).await?;
                // Nothing reads the caller's form again: a large message is not held through
                // the steps that make their own copies of it (the check, the forwarding).
                drop(request);
                national
            }
        };
        run.trace.body("national-request", &national_request.body);

        // 2. The hub checks it against the standard.
        run.validate(
            "validate-request",
            Side::Caller,
            standard,
            &national_request,
        )
        .await?;

        // 3. The provider answers in the national form.
        let national_reply = match &service.provider {
            Provider::Upstream { url } => {
                let call =
                    self.providers
                        .post(url, &national_request, exchange_id, service.timeout);
                run.trace.timed("provider", call).await?
            }
            Provider::Agency { agency, endpoint } => {
                let adapter = self.adapter_of(agency)?;
                run.trace.provider_adapter = Some(adapter.label());
                run.trace.provider_adapter_sha256 = Some(adapter.sha256().to_owned());
                let t = Translation {
                    step: "provider-to-local",
                    side: Side::Provider,
                    phase: Phase::Request,
                    direction: Direction::ToLocal,
                    standard,
                };
                let local_request = run.translate(&adapter, t, &national_request).await?;
                run.trace.body("provider-request", &local_request.body);

                let call =
                    self.providers
                        .post(endpoint, &local_request, exchange_id, service.timeout);
                let local_reply = run.trace.timed("provider", call).await?;
                run.trace.body("provider-reply", &local_reply.body);

                let t = Translation {
                    step: "provider-to-national",
                    side: Side::Provider,
                    phase: Phase::Reply,
                    direction: Direction::ToNational,
                    standard: reply_standard,
                };
                run.translate(&adapter, t, &local_reply).await?
            }
        };
        drop(national_request);
        run.trace.body("national-reply", &national_reply.body);

        // 4. The reply is checked against its standard too.
        run.validate(
            "validate-reply",
            Side::Provider,
            reply_standard,
            &national_reply,
        )
        .await?;

        // 5. The caller gets the reply in its own form.
        let response = match &caller_adapter {
            None => national_reply,
            Some(adapter) => {
                let t = Translation {
                    step: "caller-to-local",
                    side: Side::Caller,
                    phase: Phase::Reply,
                    direction: Direction::ToLocal,
                    standard: reply_standard,
                };
                run.translate(adapter, t, &national_reply).await?
            }
        };
        run.trace.body("response", &response.body);
        Ok(response)
    }

    fn adapter_of(&self, agency: &str) -> Result<Arc<LoadedAdapter>, ExchangeError> {
        // Validated at start: every local-form client and agency provider has an adapter.
        self.adapter(agency)
            .ok_or_else(|| ExchangeError::AdapterFault {
                side: Side::Caller,
                phase: Phase::Request,
                agency: agency.to_owned(),
                adapter: String::new(),
                source: CallError::Instantiate(format!("agency {agency:?} has no active adapter")),
            })
    }
}

fn adapter_error(
    side: Side,
    phase: Phase,
    adapter: &LoadedAdapter,
    err: CallError,
) -> ExchangeError {
    let agency = adapter.agency().to_owned();
    match err {
        // An adapter's list is capped like the standard's: the caller needs the first
        // reasons, not a document as large as its input.
        CallError::Rejected(violations) => ExchangeError::AdapterRejected {
            side,
            phase,
            agency,
            violations: crate::standard::cap(violations),
        },
        CallError::Unsupported(reason) => ExchangeError::AdapterUnsupported {
            side,
            phase,
            agency,
            reason,
        },
        source => ExchangeError::AdapterFault {
            side,
            phase,
            agency,
            adapter: adapter.label(),
            source,
        },
    }
}
