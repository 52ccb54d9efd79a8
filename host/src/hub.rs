//! The assembled hub: everything the configuration names, loaded and checked, in one value
//! that request handlers share.
//!
//! This module owns start-up order (catalogues, standards, runtime, adapters, data directory,
//! message log) and the tables the hot path reads. It does not serve HTTP and does not run
//! exchanges; see `api` and `exchange`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use arc_swap::ArcSwap;
use cap_std::ambient_authority;
use cap_std::fs::Dir;

use crate::catalogue::{CatalogueError, Catalogues};
use crate::config::{ClientConfig, Config, OperatorConfig, ServiceConfig};
use crate::message_log::{DB_FILE, LogError, MessageLog};
use crate::provider::Providers;
use crate::runtime::{
    AdapterLimits, LoadError, LoadedAdapter, Runtime, RuntimeError, RuntimeSettings,
};
use crate::standard::{StandardError, Standards};

/// Why the hub could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A catalogue file is missing or wrong.
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// A standard's schema is missing or does not compile.
    #[error(transparent)]
    Standard(#[from] StandardError),
    /// The wasmtime engine could not be set up.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// A component file could not be read.
    #[error("failed to read the adapter of agency {agency:?} at {path:?}: {source}")]
    ReadAdapter {
        /// The agency.
        agency: String,
        /// The component file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A component was refused.
    #[error("failed to load the adapter of agency {agency:?} from {path:?}: {source}")]
    LoadAdapter {
        /// The agency.
        agency: String,
        /// The component file.
        path: PathBuf,
        /// Why.
        source: LoadError,
    },
    /// The data directory could not be created or opened.
    #[error("failed to open the data directory {path:?}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The message log could not be opened.
    #[error("failed to open the message log: {0}")]
    MessageLog(#[from] LogError),
}

/// What [`Hub::check`] loaded: everything but the data directory.
pub struct Loaded {
    catalogues: Arc<Catalogues>,
    standards: Standards,
    runtime: Runtime,
    adapters: HashMap<String, Arc<LoadedAdapter>>,
}

impl Loaded {
    /// The adapters, by agency.
    pub fn adapters(&self) -> impl Iterator<Item = &Arc<LoadedAdapter>> + '_ {
        self.adapters.values()
    }
}

/// The shared state of a running hub.
pub struct Hub {
    pub(crate) config: Config,
    pub(crate) catalogues: Arc<Catalogues>,
    pub(crate) standards: Standards,
    pub(crate) runtime: Runtime,
    /// Adapters by agency, swapped whole so the hot path reads without a lock.
    pub(crate) adapters: ArcSwap<HashMap<String, Arc<LoadedAdapter>>>,
    pub(crate) services: HashMap<String, Arc<ServiceConfig>>,
    /// Clients by the SHA-256 of their API key.
    pub(crate) clients: HashMap<String, Arc<ClientConfig>>,
    /// Operators by the SHA-256 of their token.
    pub(crate) operators: HashMap<String, Arc<OperatorConfig>>,
    pub(crate) providers: Providers,
    pub(crate) message_log: MessageLog,
    /// The capability on the hub's own data directory; nothing outside it is written.
    pub(crate) data_dir: Dir,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("listen", &self.config.listen)
            .finish_non_exhaustive()
    }
}

impl Hub {
    /// Loads and checks everything `config` names, short of opening the data directory: the
    /// catalogues, every standard's schema, and every adapter (compiled, checked against the
    /// contract, described). `lgsp check-config` runs exactly this.
    pub async fn check(config: &Config) -> Result<Loaded, StartError> {
        let catalogues = Arc::new(Catalogues::load_admin_units(&config.admin_units)?);
        tracing::info!(
            provinces = catalogues.len(crate::catalogue::PROVINCES),
            communes = catalogues.len(crate::catalogue::COMMUNES),
            "catalogues loaded"
        );

        let standards = Standards::load(config.standards.values())?;

        let settings = RuntimeSettings {
            max_memory_bytes: config
                .adapters
                .values()
                .map(|a| a.max_memory_bytes)
                .max()
                .unwrap_or(crate::config::DEFAULT_ADAPTER_MEMORY_BYTES),
            ..RuntimeSettings::default()
        };
        let runtime = Runtime::new(settings, catalogues.clone())?;

        let mut adapters = HashMap::new();
        for a in config.adapters.values() {
            let bytes = std::fs::read(&a.component).map_err(|source| StartError::ReadAdapter {
                agency: a.agency.clone(),
                path: a.component.clone(),
                source,
            })?;
            let limits = AdapterLimits {
                deadline: a.deadline,
                max_memory_bytes: a.max_memory_bytes,
                max_output_bytes: a.max_output_bytes,
                max_in_flight: a.max_in_flight,
            };
            let started = std::time::Instant::now();
            let loaded = runtime
                .load(&a.agency, &bytes, limits)
                .await
                .map_err(|source| StartError::LoadAdapter {
                    agency: a.agency.clone(),
                    path: a.component.clone(),
                    source,
                })?;
            tracing::info!(
                agency = %a.agency,
                adapter.name = %loaded.description().name,
                adapter.version = %loaded.description().version,
                adapter.sha256 = %loaded.sha256(),
                millis = started.elapsed().as_millis() as u64,
                "adapter loaded"
            );
            adapters.insert(a.agency.clone(), loaded);
        }

        Ok(Loaded {
            catalogues,
            standards,
            runtime,
            adapters,
        })
    }

    /// Loads everything `config` names. Fails on the first problem, naming it.
    pub async fn start(config: Config) -> Result<Arc<Hub>, StartError> {
        let Loaded {
            catalogues,
            standards,
            runtime,
            adapters,
        } = Hub::check(&config).await?;

        std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
            path: config.data_dir.clone(),
            source,
        })?;
        let data_dir =
            Dir::open_ambient_dir(&config.data_dir, ambient_authority()).map_err(|source| {
                StartError::DataDir {
                    path: config.data_dir.clone(),
                    source,
                }
            })?;
        // SQLite opens by path; the name is a constant, never anything from a request.
        let message_log = MessageLog::open(&config.data_dir.join(DB_FILE))?;

        let services = config
            .services
            .values()
            .map(|s| (s.id.clone(), Arc::new(s.clone())))
            .collect();
        let clients = config
            .clients
            .iter()
            .map(|c| (c.api_key_sha256.clone(), Arc::new(c.clone())))
            .collect();
        let operators = config
            .operators
            .iter()
            .map(|o| (o.token_sha256.clone(), Arc::new(o.clone())))
            .collect();

        Ok(Arc::new(Hub {
            catalogues,
            standards,
            runtime,
            adapters: ArcSwap::from_pointee(adapters),
            services,
            clients,
            operators,
            providers: Providers::new(),
            message_log,
            data_dir,
            config,
        }))
    }

    /// The configuration the hub started with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The message log.
    pub fn message_log(&self) -> &MessageLog {
        &self.message_log
    }

    /// The active adapter of `agency`.
    pub fn adapter(&self, agency: &str) -> Option<Arc<LoadedAdapter>> {
        self.adapters.load().get(agency).cloned()
    }

    /// The sandbox runtime adapters run in.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The data directory capability.
    pub fn data_dir(&self) -> &Dir {
        &self.data_dir
    }
}
