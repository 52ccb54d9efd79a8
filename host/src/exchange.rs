//! The exchange: one message from a caller to a provider and back, through the adapters and
//! the standards.
//!
//! This module owns the order of the steps and what each failure means
//! ([`ExchangeError`]); it records what happened in a [`Trace`] for the message log. It does
//! not authenticate (the edge does) and does not know HTTP status codes (`problem` does).

use std::future::Future;
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::config::{ClientConfig, ClientForm, Provider};
use crate::hub::Hub;
use crate::message::{Message, Violation};
use crate::message_log::{BodyDigest, StepTime};
use crate::provider::ProviderError;
use crate::runtime::{CallContext, CallError, Direction, LoadedAdapter, Phase};

/// Which side of the exchange something came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// The calling agency (its adapter or, for a national-form client, itself).
    Caller,
    /// The provider (its adapter, or the upstream's reply).
    Provider,
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
    /// The body is over the edge's limit.
    #[error("the request body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
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
        let service = self
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
            self.standards.get(&service.standard),
            self.standards.get(&service.reply_standard),
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

        // 1. The caller's local form becomes the national form.
        let national_request = match &caller_adapter {
            None => request,
            Some(adapter) => {
                trace.caller_adapter = Some(adapter.label());
                let cx = CallContext {
                    exchange_id,
                    service: service_id,
                    standard: standard.key(),
                    phase: Phase::Request,
                };
                trace
                    .timed(
                        "caller-to-national",
                        adapter.call(Direction::ToNational, &cx, &request),
                    )
                    .await
                    .map_err(|e| adapter_error(Side::Caller, Phase::Request, adapter, e))?
            }
        };
        trace.body("national-request", &national_request.body);

        // 2. The hub checks it against the standard, whatever the adapter claims.
        trace
            .timed("validate-request", standard.validate(&national_request))
            .await
            .map_err(|violations| ExchangeError::StandardViolation {
                side: Side::Caller,
                standard: standard.key().to_owned(),
                violations,
            })?;

        // 3. The provider answers in the national form.
        let national_reply = match &service.provider {
            Provider::Upstream { url } => {
                trace
                    .timed(
                        "provider",
                        self.providers
                            .post(url, &national_request, exchange_id, service.timeout),
                    )
                    .await?
            }
            Provider::Agency { agency, endpoint } => {
                let adapter = self.adapter_of(agency)?;
                trace.provider_adapter = Some(adapter.label());
                let request_cx = CallContext {
                    exchange_id,
                    service: service_id,
                    standard: standard.key(),
                    phase: Phase::Request,
                };
                let local_request = trace
                    .timed(
                        "provider-to-local",
                        adapter.call(Direction::ToLocal, &request_cx, &national_request),
                    )
                    .await
                    .map_err(|e| adapter_error(Side::Provider, Phase::Request, &adapter, e))?;
                trace.body("provider-request", &local_request.body);

                let local_reply = trace
                    .timed(
                        "provider",
                        self.providers
                            .post(endpoint, &local_request, exchange_id, service.timeout),
                    )
                    .await?;
                trace.body("provider-reply", &local_reply.body);

                let reply_cx = CallContext {
                    exchange_id,
                    service: service_id,
                    standard: reply_standard.key(),
                    phase: Phase::Reply,
                };
                trace
                    .timed(
                        "provider-to-national",
                        adapter.call(Direction::ToNational, &reply_cx, &local_reply),
                    )
                    .await
                    .map_err(|e| adapter_error(Side::Provider, Phase::Reply, &adapter, e))?
            }
        };
        trace.body("national-reply", &national_reply.body);

        // 4. The reply is checked against its standard too.
        trace
            .timed("validate-reply", reply_standard.validate(&national_reply))
            .await
            .map_err(|violations| ExchangeError::StandardViolation {
                side: Side::Provider,
                standard: reply_standard.key().to_owned(),
                violations,
            })?;

        // 5. The caller gets the reply in its own form.
        let response = match &caller_adapter {
            None => national_reply,
            Some(adapter) => {
                let cx = CallContext {
                    exchange_id,
                    service: service_id,
                    standard: reply_standard.key(),
                    phase: Phase::Reply,
                };
                trace
                    .timed(
                        "caller-to-local",
                        adapter.call(Direction::ToLocal, &cx, &national_reply),
                    )
                    .await
                    .map_err(|e| adapter_error(Side::Caller, Phase::Reply, adapter, e))?
            }
        };
        trace.body("response", &response.body);
        Ok(response)
    }

    fn adapter_of(&self, agency: &str) -> Result<std::sync::Arc<LoadedAdapter>, ExchangeError> {
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
        CallError::Rejected(violations) => ExchangeError::AdapterRejected {
            side,
            phase,
            agency,
            violations,
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
