//! One agency's adapter: checked and prepared once, instantiated afresh for every message.

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::component::{ComponentExportIndex, ComponentType, Lower, TypedFunc};
use wasmtime::{Store, StoreLimitsBuilder, Trap, UpdateDeadline};

use super::bindings::AdapterPre;
use super::bindings::lgsp::adapter::types as wit;
use super::host::{AdapterIdentity, CallIdentity, HostState};
use super::{EPOCH_TICK, Runtime};
use crate::message::{Message, Violation};

/// Bytes a guest may hand the host in one crossing beyond its output cap.
pub const HOSTCALL_SLACK_BYTES: usize = 1024 * 1024;

/// The interface whose functions the hub calls, as the contract names it.
const MAPPING_INTERFACE: &str = "lgsp:adapter/mapping@0.1.0";

/// Core instances, tables and memories one adapter instance may create. A component's count
/// is fixed when it is built, so these only refuse an adapter that is oddly large; they are
/// sized for the toolchains agencies use: Rust and C need one or two of each, ComponentizeJS
/// a handful, componentize-py (which links CPython and its libraries as separate modules)
/// about forty.
pub const MAX_CORE_INSTANCES: usize = 64;
/// See [`MAX_CORE_INSTANCES`].
pub const MAX_TABLES: usize = 32;
/// See [`MAX_CORE_INSTANCES`].
pub const MAX_MEMORIES: usize = 4;

/// A message as the host hands it to a guest: borrowed, so that lowering copies the body
/// once, straight into the guest's memory, instead of first into an owned copy.
#[derive(ComponentType, Lower)]
#[component(record)]
struct MessageArg<'a> {
    #[component(name = "content-type")]
    content_type: &'a str,
    metadata: &'a [(String, String)],
    body: &'a [u8],
}

/// The call's context as the host hands it to a guest, borrowed for the same reason.
#[derive(ComponentType, Lower)]
#[component(record)]
struct ContextArg<'a> {
    #[component(name = "exchange-id")]
    exchange_id: &'a str,
    service: &'a str,
    standard: &'a str,
    phase: wit::Phase,
    agency: &'a str,
}

/// `to-national` and `to-local` as the host calls them.
type MappingFunc<'a> =
    TypedFunc<(ContextArg<'a>, MessageArg<'a>), (Result<wit::Message, wit::AdapterError>,)>;

/// Where the two translations are among the component's exports, found once at load.
#[derive(Debug, Clone)]
struct MappingExports {
    to_national: ComponentExportIndex,
    to_local: ComponentExportIndex,
}

impl MappingExports {
    fn find(component: &Component) -> Result<Self, LoadError> {
        let missing = |name: &str| LoadError::Contract(format!("no export `{name}`"));
        let mapping = component
            .get_export_index(None, MAPPING_INTERFACE)
            .ok_or_else(|| missing(MAPPING_INTERFACE))?;
        let function = |name: &str| {
            component
                .get_export_index(Some(&mapping), name)
                .ok_or_else(|| missing(&format!("{MAPPING_INTERFACE}#{name}")))
        };
        Ok(Self {
            to_national: function("to-national")?,
            to_local: function("to-local")?,
        })
    }

    fn get(&self, direction: Direction) -> &ComponentExportIndex {
        match direction {
            Direction::ToNational => &self.to_national,
            Direction::ToLocal => &self.to_local,
        }
    }
}

/// Limits that apply to every call of one adapter.
#[derive(Debug, Clone, Copy)]
pub struct AdapterLimits {
    /// CPU deadline per call, enforced through epoch interruption.
    pub deadline: Duration,
    /// Cap on linear memory.
    pub max_memory_bytes: usize,
    /// Cap on the body a call returns.
    pub max_output_bytes: usize,
    /// Calls that may run at once; more are refused, not queued.
    pub max_in_flight: usize,
}

/// What an adapter said about itself when it was loaded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Description {
    /// Short name.
    pub name: String,
    /// The adapter's own version.
    pub version: String,
    /// Standards it handles, as `id@version`.
    pub standards: Vec<String>,
    /// Services it is written for; empty for any.
    pub services: Vec<String>,
}

/// Which way a message goes through an adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Local form to national form.
    ToNational,
    /// National form to local form.
    ToLocal,
}

impl Direction {
    /// The contract's name for the export.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::ToNational => "to-national",
            Direction::ToLocal => "to-local",
        }
    }
}

/// Why a component was refused at load.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not a WebAssembly binary at all (text format, an archive, anything else).
    #[error(
        "this is not a WebAssembly binary (it does not begin with \\0asm): send the .wasm \
         component itself, not its text form nor any other file"
    )]
    NotBinary,
    /// The bytes are not a valid component for this engine.
    #[error("failed to compile the component: {0}")]
    Compile(String),
    /// It imports things the host does not offer; all of them are named.
    #[error(
        "the component imports {}, which adapters may not use; only lgsp:adapter/log and lgsp:adapter/catalogue are offered",
        .0.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
    )]
    ForbiddenImport(Vec<String>),
    /// Its imports or exports do not match the contract.
    #[error("the component does not match the adapter contract: {0}")]
    Contract(String),
    /// `describe` failed or returned nonsense.
    #[error("the component's `describe` failed: {0}")]
    Describe(String),
}

/// Why one call of an adapter did not produce a message.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The adapter refused the input, with reasons.
    #[error("the adapter rejected the message ({} violations)", .0.len())]
    Rejected(Vec<Violation>),
    /// The adapter does not handle this kind of message.
    #[error("the adapter does not support this message: {0}")]
    Unsupported(String),
    /// The adapter reported a failure of its own.
    #[error("the adapter failed: {0}")]
    Internal(String),
    /// The adapter ran past its CPU deadline and was interrupted.
    #[error("the adapter ran past its CPU deadline of {} ms", .0.as_millis())]
    Deadline(Duration),
    /// The adapter trapped (a panic, an `unreachable`, a stack overflow, a memory limit).
    #[error("the adapter trapped: {0}")]
    Trap(String),
    /// No instance could be created, most often because the pool is full.
    #[error("failed to instantiate the adapter: {0}")]
    Instantiate(String),
    /// The adapter tried to grow its memory past its cap.
    #[error("the adapter trapped growing its memory past its limit of {0} bytes")]
    MemoryLimit(usize),
    /// The adapter overflowed its stack (deep recursion).
    #[error("the adapter overflowed its stack of {0} bytes")]
    StackOverflow(usize),
    /// The adapter tried to hand the host more bytes in one crossing than it may.
    #[error("the adapter tried to hand the host more than {0} bytes in one call")]
    TransferLimit(usize),
    /// The adapter already translates as many messages as it may at once.
    #[error("the adapter already translates {0} messages, its limit")]
    Busy(usize),
    /// The adapter returned a content type or metadata that cannot travel as HTTP headers.
    #[error("the adapter returned {0}")]
    InvalidOutput(String),
    /// The adapter returned a body over its cap.
    #[error("the adapter returned {size} bytes, over its limit of {limit}")]
    OutputTooLarge {
        /// What it returned.
        size: usize,
        /// The cap.
        limit: usize,
    },
}

/// A checked, compiled and prepared adapter. Cheap to share; each call gets its own store.
pub struct LoadedAdapter {
    agency: String,
    description: Description,
    sha256: String,
    limits: AdapterLimits,
    /// One permit per message in flight, so that one slow agency cannot take every instance.
    in_flight: Arc<tokio::sync::Semaphore>,
    /// Who the adapter is, for its log lines; built once, shared by every call.
    identity: Arc<AdapterIdentity>,
    pre: AdapterPre<HostState>,
    exports: MappingExports,
    runtime: Runtime,
}

impl std::fmt::Debug for LoadedAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedAdapter")
            .field("agency", &self.agency)
            .field("description", &self.description)
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// Compiles `bytes`, checks its imports and exports against the contract, prepares it and
    /// asks it to describe itself. Nothing of an adapter that fails here is kept.
    pub async fn load(
        &self,
        agency: &str,
        bytes: &[u8],
        limits: AdapterLimits,
    ) -> Result<Arc<LoadedAdapter>, LoadError> {
        if !bytes.starts_with(b"\0asm") {
            return Err(LoadError::NotBinary);
        }
        let sha256 = hex::encode(Sha256::digest(bytes));
        let component = self.compile(&sha256, bytes)?;

        let instance_pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Contract(format!("{e:#}")))?;
        let exports = MappingExports::find(instance_pre.component())?;
        let pre =
            AdapterPre::new(instance_pre).map_err(|e| LoadError::Contract(format!("{e:#}")))?;

        let mut adapter = LoadedAdapter {
            agency: agency.to_owned(),
            description: Description {
                name: String::new(),
                version: String::new(),
                standards: Vec::new(),
                services: Vec::new(),
            },
            sha256,
            limits,
            in_flight: Arc::new(tokio::sync::Semaphore::new(limits.max_in_flight)),
            identity: Arc::new(AdapterIdentity {
                agency: agency.to_owned(),
                adapter: String::new(),
                version: String::new(),
            }),
            pre,
            exports,
            runtime: self.clone(),
        };
        adapter.description = adapter.describe().await?;
        adapter.identity = Arc::new(AdapterIdentity {
            agency: agency.to_owned(),
            adapter: adapter.description.name.clone(),
            version: adapter.description.version.clone(),
        });
        Ok(Arc::new(adapter))
    }
}

impl LoadedAdapter {
    /// The agency this adapter serves.
    pub fn agency(&self) -> &str {
        &self.agency
    }

    /// What the adapter said about itself.
    pub fn description(&self) -> &Description {
        &self.description
    }

    /// SHA-256 of the component's bytes, lowercase hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// `name@version`, for logs and the message log.
    pub fn label(&self) -> String {
        format!("{}@{}", self.description.name, self.description.version)
    }

    /// What a guest may hand the host in one crossing.
    fn hostcall_bytes(&self) -> usize {
        self.limits
            .max_output_bytes
            .saturating_add(HOSTCALL_SLACK_BYTES)
    }

    fn store(&self, exchange_id: &str) -> Store<HostState> {
        let identity = CallIdentity {
            exchange_id: exchange_id.to_owned(),
            adapter: Arc::clone(&self.identity),
        };
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.limits.max_memory_bytes)
            .instances(MAX_CORE_INSTANCES)
            .tables(MAX_TABLES)
            .memories(MAX_MEMORIES)
            .trap_on_grow_failure(true)
            .build();
        let ticks = (self.limits.deadline.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
        let mut store = Store::new(
            &self.runtime.engine,
            HostState::new(identity, self.runtime.catalogues.clone(), limits, ticks),
        );
        store.limiter(|s| &mut s.limits);
        // Bounds what a guest can make the host copy in one crossing: a log line, a look-up,
        // or (wasmtime counts these too) the message an export returns. The slack lets an
        // output just over its cap be lifted, so the caller hears which limit it broke.
        store.set_hostcall_fuel(
            self.limits
                .max_output_bytes
                .saturating_add(HOSTCALL_SLACK_BYTES),
        );
        // Every tick, yield to Tokio so a spinning adapter never holds a worker thread; once
        // the deadline's ticks are spent, interrupt it.
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|mut cx| {
            let state = cx.data_mut();
            state.ticks_left = state.ticks_left.saturating_sub(1);
            if state.ticks_left == 0 {
                Ok(UpdateDeadline::Interrupt)
            } else {
                Ok(UpdateDeadline::YieldCustom(
                    1,
                    Box::pin(tokio::task::yield_now()),
                ))
            }
        });
        store
    }

    async fn describe(&self) -> Result<Description, LoadError> {
        let mut store = self.store("load");
        let instantiated = self.pre.instantiate_async(&mut store).await;
        let bindings = match instantiated {
            Ok(bindings) => bindings,
            Err(_) if store.data().limits.memory_denied => {
                return Err(LoadError::Describe(format!(
                    "the component's initial memory is more than its max_memory_bytes={} \
                     (a Rust adapter built with lgsp-guest starts with about 2.1 MiB: 1 MiB \
                     of stack and the allocator's 1 MiB arena)",
                    self.limits.max_memory_bytes
                )));
            }
            Err(e) => return Err(LoadError::Describe(format!("{e:#}"))),
        };
        let d = bindings
            .lgsp_adapter_mapping()
            .call_describe(&mut store)
            .await
            .map_err(|e| LoadError::Describe(format!("{e:#}")))?;
        if d.name.trim().is_empty() || d.version.trim().is_empty() {
            return Err(LoadError::Describe(
                "the description has no name or no version".to_owned(),
            ));
        }
        Ok(Description {
            name: d.name,
            version: d.version,
            standards: d.standards,
            services: d.services,
        })
    }

    /// Runs one message through the adapter on a fresh instance.
    pub async fn call(
        &self,
        direction: Direction,
        cx: &CallContext<'_>,
        msg: &Message,
    ) -> Result<Message, CallError> {
        let _permit = self
            .in_flight
            .try_acquire()
            .map_err(|_| CallError::Busy(self.limits.max_in_flight))?;
        let mut store = self.store(cx.exchange_id);
        let instance = self
            .pre
            .instance_pre()
            .instantiate_async(&mut store)
            .await
            .map_err(|e| CallError::Instantiate(format!("{e:#}")))?;
        let function: MappingFunc<'_> = instance
            .get_typed_func(&mut store, self.exports.get(direction))
            .map_err(|e| CallError::Instantiate(format!("{e:#}")))?;

        let wit_cx = ContextArg {
            exchange_id: cx.exchange_id,
            service: cx.service,
            standard: cx.standard,
            phase: match cx.phase {
                Phase::Request => wit::Phase::Request,
                Phase::Reply => wit::Phase::Reply,
            },
            agency: &self.agency,
        };
        let wit_msg = MessageArg {
            content_type: &msg.content_type,
            metadata: &msg.metadata,
            body: &msg.body,
        };
        let result = function
            .call_async(&mut store, (wit_cx, wit_msg))
            .await
            .map(|(result,)| result);

        let dropped = store.data().log_dropped;
        if dropped > 0 {
            tracing::warn!(
                exchange.id = %cx.exchange_id,
                agency = %self.agency,
                adapter.version = %self.description.version,
                dropped,
                "adapter log lines over the limit were dropped"
            );
        }

        match result {
            Ok(Ok(out)) if out.body.len() > self.limits.max_output_bytes => {
                Err(CallError::OutputTooLarge {
                    size: out.body.len(),
                    limit: self.limits.max_output_bytes,
                })
            }
            Ok(Ok(out)) => match unsendable(&out.content_type, &out.metadata) {
                Some(why) => Err(CallError::InvalidOutput(why)),
                None => Ok(Message {
                    content_type: out.content_type,
                    metadata: out.metadata,
                    body: out.body.into(),
                }),
            },
            Ok(Err(wit::AdapterError::Rejected(v))) => Err(CallError::Rejected(
                v.into_iter()
                    .map(|v| Violation::new(v.path, v.code, v.message))
                    .collect(),
            )),
            Ok(Err(wit::AdapterError::Unsupported(why))) => Err(CallError::Unsupported(why)),
            Ok(Err(wit::AdapterError::Internal(why))) => Err(CallError::Internal(why)),
            Err(err) => {
                let text = format!("{err:#}");
                Err(match err.downcast_ref::<Trap>() {
                    Some(Trap::Interrupt) => CallError::Deadline(self.limits.deadline),
                    Some(Trap::StackOverflow) => CallError::StackOverflow(super::MAX_WASM_STACK),
                    _ if store.data().limits.memory_denied => {
                        CallError::MemoryLimit(self.limits.max_memory_bytes)
                    }
                    // wasmtime's error for an exhausted host-call budget is a private type;
                    // its text is pinned with wasmtime's version and checked by the tests.
                    _ if text.contains("fuel allocated for hostcalls") => {
                        CallError::TransferLimit(self.hostcall_bytes())
                    }
                    _ => {
                        // The caller, and the exchange's one warn line, get the trap's cause;
                        // the guest's backtrace (function names, never data) is logged at
                        // debug level for the adapter's author.
                        tracing::debug!(agency = %self.agency, trap = %text, "adapter trapped");
                        CallError::Trap(match err.downcast_ref::<Trap>() {
                            Some(trap) => trap.to_string(),
                            None => err.root_cause().to_string(),
                        })
                    }
                })
            }
        }
    }
}

/// Which leg of an exchange a call belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Caller to provider.
    Request,
    /// Provider back to caller.
    Reply,
}

/// What an adapter is told about the message it translates.
#[derive(Debug, Clone, Copy)]
pub struct CallContext<'a> {
    /// The exchange id.
    pub exchange_id: &'a str,
    /// The service called.
    pub service: &'a str,
    /// The standard of the national form, `id@version`.
    pub standard: &'a str,
    /// Request or reply.
    pub phase: Phase,
}

/// Why a message's content type or metadata could not be sent as HTTP headers
/// (`content-type`, `lgsp-meta-<key>`), if so; checked as the adapter returns it, so that
/// the fault is the adapter's and not reported later as the provider's or silently dropped.
fn unsendable(content_type: &str, metadata: &[(String, String)]) -> Option<String> {
    if hyper::header::HeaderValue::from_str(content_type).is_err() {
        return Some(format!(
            "a content type that is not a header value: {content_type:?}"
        ));
    }
    metadata.iter().find_map(|(key, value)| {
        let why = crate::api::meta_header(key, value).err()?;
        Some(format!("metadata {key:?} whose {why}"))
    })
}
