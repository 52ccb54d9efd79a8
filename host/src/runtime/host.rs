//! What the host gives an adapter: the store's data and the two imports, `log` and `catalogue`.
//!
//! A [`HostState`] lives for exactly one message. Guest log lines are bounded in count and
//! size and go to `tracing` with the exchange id, agency and adapter version attached; the
//! catalogue is shared, read-only.

use std::sync::Arc;

use wasmtime::{ResourceLimiter, StoreLimits};

use super::bindings::lgsp::adapter::{catalogue, log, types};
use crate::catalogue::Catalogues;
use crate::message::truncate;

/// Most log lines one adapter call may write; the rest are counted and dropped.
pub const MAX_LOG_LINES: u32 = 64;
/// Longest log message kept, in bytes; longer ones are cut.
pub const MAX_LOG_MESSAGE_BYTES: usize = 1024;
/// Most fields kept per log line.
pub const MAX_LOG_FIELDS: usize = 16;
/// Longest field key or value kept, in bytes.
pub const MAX_LOG_FIELD_BYTES: usize = 256;

/// Which adapter a store runs, fixed when the adapter is loaded and shared by its calls.
#[derive(Debug, Clone)]
pub struct AdapterIdentity {
    /// The agency whose adapter runs.
    pub agency: String,
    /// The adapter's name.
    pub adapter: String,
    /// The adapter's version.
    pub version: String,
}

/// Who a store serves, for the log lines its adapter writes.
#[derive(Debug, Clone)]
pub struct CallIdentity {
    /// The exchange.
    pub exchange_id: String,
    /// The adapter.
    pub adapter: Arc<AdapterIdentity>,
}

/// wasmtime's store limits, remembering whether they refused a memory growth, so that a trap
/// can be reported as the memory limit it is.
pub(super) struct Limiter {
    pub(super) inner: StoreLimits,
    pub(super) memory_denied: bool,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.inner.memory_growing(current, desired, maximum);
        if !matches!(allowed, Ok(true)) {
            self.memory_denied = true;
        }
        allowed
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.memory_denied = true;
        self.inner.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.inner.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.inner.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.inner.instances()
    }

    fn tables(&self) -> usize {
        self.inner.tables()
    }

    fn memories(&self) -> usize {
        self.inner.memories()
    }
}

/// The data of one store: one message, one adapter instance.
pub struct HostState {
    pub(super) limits: Limiter,
    pub(super) catalogues: Arc<Catalogues>,
    pub(super) identity: CallIdentity,
    pub(super) log_lines: u32,
    pub(super) log_dropped: u32,
    pub(super) ticks_left: u64,
}

impl HostState {
    pub(super) fn new(
        identity: CallIdentity,
        catalogues: Arc<Catalogues>,
        limits: StoreLimits,
        ticks: u64,
    ) -> Self {
        Self {
            limits: Limiter {
                inner: limits,
                memory_denied: false,
            },
            catalogues,
            identity,
            log_lines: 0,
            log_dropped: 0,
            ticks_left: ticks,
        }
    }
}

impl types::Host for HostState {}

impl catalogue::Host for HostState {
    fn lookup(&mut self, catalogue: String, code: String) -> Option<catalogue::Entry> {
        self.catalogues
            .lookup(&catalogue, &code)
            .map(|e| catalogue::Entry {
                code: e.code.clone(),
                name: e.name.clone(),
                parent: e.parent.clone(),
            })
    }
}

impl log::Host for HostState {
    fn write(&mut self, level: log::Level, message: String, fields: Vec<(String, String)>) {
        if self.log_lines >= MAX_LOG_LINES {
            self.log_dropped += 1;
            return;
        }
        self.log_lines += 1;

        let message = crate::message::loggable(truncate(&message, MAX_LOG_MESSAGE_BYTES));
        let fields = fields
            .iter()
            .take(MAX_LOG_FIELDS)
            .map(|(k, v)| {
                format!(
                    "{}={:?}",
                    crate::message::loggable(truncate(k, MAX_LOG_FIELD_BYTES)),
                    truncate(v, MAX_LOG_FIELD_BYTES)
                )
            })
            .collect::<Vec<_>>()
            .join(" ");
        let id = &self.identity;
        macro_rules! emit {
            ($lvl:expr) => {
                tracing::event!(
                    target: "lgsp::adapter",
                    $lvl,
                    exchange.id = %id.exchange_id,
                    agency = %id.adapter.agency,
                    adapter.name = %id.adapter.adapter,
                    adapter.version = %id.adapter.version,
                    guest.fields = %fields,
                    "{message}"
                )
            };
        }
        match level {
            log::Level::Trace => emit!(tracing::Level::TRACE),
            log::Level::Debug => emit!(tracing::Level::DEBUG),
            log::Level::Info => emit!(tracing::Level::INFO),
            log::Level::Warn => emit!(tracing::Level::WARN),
            log::Level::Error => emit!(tracing::Level::ERROR),
        }
    }
}
