//! The sandbox: one wasmtime `Engine` for the process, adapters compiled once and prepared,
//! and a fresh `Store` and instance for every message.
//!
//! This module owns everything that touches wasmtime: engine settings (pooling allocator,
//! epoch interruption), the deny-by-default `Linker` that offers only the contract's two
//! imports, loading and checking components, and calling them under limits. It knows nothing
//! of HTTP, services or the message log.

mod adapter;
mod bindings;
mod compile;
mod host;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

pub use adapter::{
    AdapterLimits, CallContext, CallError, Description, Direction, LoadError, LoadedAdapter, Phase,
};
pub use compile::{CacheKey, CompiledCache, engine_fingerprint};
use host::HostState;
pub use host::{AdapterIdentity, CallIdentity};

use crate::catalogue::Catalogues;

/// How often the engine's epoch advances; adapter deadlines are counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);
/// Default number of adapter instances that can be alive at once in the pool.
pub const DEFAULT_POOL_INSTANCES: u32 = 1000;
/// Freed instance slots whose memory is reset together, in one batch (see `engine_config`).
pub const DECOMMIT_BATCH: usize = 8;
/// Bytes of a freed slot's linear memory reset in place (copied back from the component's
/// image or zeroed) instead of being returned to the kernel (see `engine_config`).
pub const KEEP_RESIDENT_BYTES: usize = 1024 * 1024;
/// Native stack given to an adapter; deep recursion traps instead of overflowing the host.
pub const MAX_WASM_STACK: usize = 512 * 1024;

/// Why the runtime could not start.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// wasmtime refused the engine settings.
    #[error("failed to create the wasmtime engine: {0}")]
    Engine(String),
    /// The contract's imports could not be added to the linker.
    #[error("failed to set up the adapter linker: {0}")]
    Linker(String),
}

/// Sizes of the engine-wide resources.
#[derive(Debug, Clone, Copy)]
pub struct RuntimeSettings {
    /// Instances that can be alive at once (messages in flight, across all adapters).
    pub pool_instances: u32,
    /// The largest linear memory any adapter may have.
    pub max_memory_bytes: usize,
}

impl Default for RuntimeSettings {
    fn default() -> Self {
        Self {
            pool_instances: DEFAULT_POOL_INSTANCES,
            max_memory_bytes: crate::config::DEFAULT_ADAPTER_MEMORY_BYTES,
        }
    }
}

/// The engine, the linker and the shared data adapters can read. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    linker: Arc<Linker<HostState>>,
    catalogues: Arc<Catalogues>,
    /// Compiled components by the SHA-256 of their bytes: agencies that run the same adapter
    /// share one compilation and one copy of its code.
    compiled: Arc<Mutex<HashMap<String, Component>>>,
    /// The hub's compiled components on disk, once the data directory is open.
    cache: Arc<OnceLock<Arc<dyn CompiledCache>>>,
    /// [`engine_fingerprint`] of `engine`, computed once.
    engine_fingerprint: String,
}

impl Runtime {
    /// Creates the engine with the pooling allocator (falling back to on-demand allocation
    /// when the process cannot reserve the pool's address space) and starts the epoch ticker.
    pub fn new(
        settings: RuntimeSettings,
        catalogues: Arc<Catalogues>,
    ) -> Result<Self, RuntimeError> {
        let engine = match Engine::new(&engine_config(Some(settings))) {
            Ok(engine) => engine,
            Err(err) => {
                tracing::warn!(
                    error = %err,
                    "failed to reserve the pooling allocator; using on-demand allocation"
                );
                Engine::new(&engine_config(None))
                    .map_err(|e| RuntimeError::Engine(format!("{e:#}")))?
            }
        };

        let mut linker = Linker::new(&engine);
        bindings::Adapter::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)
            .map_err(|e| RuntimeError::Linker(format!("{e:#}")))?;

        start_epoch_ticker(&engine);
        Ok(Self {
            engine_fingerprint: engine_fingerprint(&engine),
            engine,
            linker: Arc::new(linker),
            catalogues,
            compiled: Arc::default(),
            cache: Arc::default(),
        })
    }

    /// Keeps compiled components in `cache` from now on, and looks there before compiling.
    /// Set once; later calls are ignored.
    pub fn use_cache(&self, cache: Arc<dyn CompiledCache>) {
        let _ = self.cache.set(cache);
    }

    /// The engine, for callers that compile components ahead of loading them.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

fn engine_config(pooling: Option<RuntimeSettings>) -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    config.max_wasm_stack(MAX_WASM_STACK);
    if let Some(settings) = pooling {
        let n = settings.pool_instances;
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(n)
            // Only an upper bound on metadata allocations, not reserved up front: room for
            // every instance to be as large as the largest toolchains make them.
            .total_core_instances(n.saturating_mul(adapter::MAX_CORE_INSTANCES as u32))
            .total_memories(n)
            .total_tables(n.saturating_mul(4))
            .total_stacks(n)
            .max_memory_size(settings.max_memory_bytes)
            // A fresh instance per message means a slot is freed after every call, and each
            // reset is an madvise that shoots down TLBs on every CPU running the hub, the
            // largest cost of a small call in the profile. Batching resets pays it once per
            // batch.
            .decommit_batch_size(DECOMMIT_BATCH)
            // Better still is no reset through the kernel at all: the pages a message dirtied
            // (found with the PAGEMAP_SCAN ioctl, Linux 6.7 and later) are reset in place,
            // up to KEEP_RESIDENT_BYTES, and stay mapped, so that the next instance in the
            // slot takes no page faults. Only what is past that bound is decommitted.
            .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
            .table_keep_resident(64 * 1024)
            .pagemap_scan(Enabled::Auto);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    config
}

/// One thread advances the epoch for the whole engine; a ticker per call would cost far more
/// than the deadline it enforces. It stops when the engine is dropped.
fn start_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    let spawned = std::thread::Builder::new()
        .name("lgsp-epoch".to_owned())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        });
    if let Err(err) = spawned {
        tracing::error!(error = %err, "failed to start the epoch ticker; adapter deadlines will not fire");
    }
}
