//! The assembled hub: everything the configuration names, loaded and checked, in one value
//! that request handlers share.
//!
//! This module owns start-up order (catalogues, standards, runtime, data directory, message
//! log, admin store, adapter registry, tables) and hands the hot path its lock-free views of
//! the active adapters and tables. It does not serve HTTP and does not run exchanges; see
//! `api` and `exchange`; run-time changes are `admin`'s.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use arc_swap::ArcSwap;
use cap_std::ambient_authority;
use cap_std::fs::Dir;

use crate::admin::registry::ADAPTERS_DIR;
use crate::admin::store::ADMIN_DB_FILE;
use crate::admin::tables::STANDARDS_DIR;
use crate::admin::{AdminError, AdminStore, Registry, StoreError, Tables};
use crate::catalogue::{CatalogueError, Catalogues};
use crate::config::{Config, OperatorConfig};
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
    /// Another hub holds the data directory.
    #[error(
        "another hub is using the data directory {path:?} (its lgsp.lock is held); give each \
         hub its own data_dir"
    )]
    DataDirInUse {
        /// The directory.
        path: PathBuf,
    },
    /// The message log could not be opened.
    #[error("failed to open the message log: {0}")]
    MessageLog(#[from] LogError),
    /// The admin store could not be opened or read.
    #[error("failed to open the admin store: {0}")]
    AdminStore(#[from] StoreError),
    /// The admin store's tables could not be built.
    #[error("failed to build the runtime tables: {0}")]
    Tables(AdminError),
    /// A component named in the configuration was refused by the registry.
    #[error("failed to register the adapter of agency {agency:?} from {path:?}: {source}")]
    Register {
        /// The agency.
        agency: String,
        /// The component file.
        path: PathBuf,
        /// Why.
        source: AdminError,
    },
}

/// What [`Hub::check`] loaded: the configuration file's adapters, each compiled, checked
/// and described.
#[derive(Debug)]
pub struct Loaded {
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
    pub(crate) runtime: Runtime,
    /// Every agency's adapter versions; its active map is what exchanges read.
    pub(crate) registry: Registry,
    /// Standards, services and clients, swapped whole so the hot path reads without a lock.
    pub(crate) tables: ArcSwap<Tables>,
    /// The registry, run-time tables and audit log.
    pub(crate) admin_store: Arc<AdminStore>,
    /// Serialises changes to `tables`.
    pub(crate) table_changes: tokio::sync::Mutex<()>,
    /// Operators by the SHA-256 of their token.
    pub(crate) operators: HashMap<String, Arc<OperatorConfig>>,
    pub(crate) providers: Providers,
    pub(crate) message_log: MessageLog,
    /// The capability on the hub's own data directory; nothing outside it is written.
    pub(crate) data_dir: Dir,
    /// Holds the data directory's lock for as long as the hub lives.
    _lock: std::fs::File,
}

/// The file in the data directory whose lock says which hub owns it.
pub const LOCK_FILE: &str = "lgsp.lock";
/// How long a starting hub waits for the data directory's lock (a hub being restarted may
/// still be finishing its last exchanges) before it gives up.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Takes the lock of `dir`, waiting up to [`LOCK_WAIT`] for another hub to let it go. Two hubs
/// on one data directory would each believe its own copy of the registry.
async fn lock_data_dir(dir: &Dir) -> std::io::Result<Option<std::fs::File>> {
    let file = dir
        .open_with(
            LOCK_FILE,
            cap_std::fs::OpenOptions::new().create(true).write(true),
        )?
        .into_std();
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
            Err(std::fs::TryLockError::Error(err)) => return Err(err),
        }
    }
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
        let (_catalogues, _standards, runtime) = Hub::base(config)?;
        let mut adapters = HashMap::new();
        for a in config.adapters.values() {
            let Some(component) = &a.component else {
                continue;
            };
            let bytes = std::fs::read(component).map_err(|source| StartError::ReadAdapter {
                agency: a.agency.clone(),
                path: component.clone(),
                source,
            })?;
            crate::admin::registry::check_config_signature(
                &config.registry,
                &a.agency,
                component,
                &bytes,
            )
            .map_err(|source| StartError::Register {
                agency: a.agency.clone(),
                path: component.clone(),
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
                    path: component.clone(),
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

        Ok(Loaded { adapters })
    }

    /// Catalogues, standards and the runtime: what everything else stands on.
    fn base(config: &Config) -> Result<(Arc<Catalogues>, Standards, Runtime), StartError> {
        let catalogues = Arc::new(Catalogues::load_admin_units(&config.admin_units)?);
        tracing::info!(
            provinces = catalogues.len(crate::catalogue::PROVINCES),
            communes = catalogues.len(crate::catalogue::COMMUNES),
            "catalogues loaded"
        );

        let standards = Standards::load(config.standards.values())?;

        // The pool's slots are never smaller than the default cap (address space only): a
        // smaller cap is then enforced per store, where a component whose initial memory is
        // over it is refused naming `max_memory_bytes`, not by the pool's own check.
        let settings = RuntimeSettings {
            max_memory_bytes: config
                .adapters
                .values()
                .map(|a| a.max_memory_bytes)
                .max()
                .unwrap_or_default()
                .max(crate::config::DEFAULT_ADAPTER_MEMORY_BYTES),
            ..RuntimeSettings::default()
        };
        let runtime = Runtime::new(settings, catalogues.clone())?;
        Ok((catalogues, standards, runtime))
    }

    /// Loads everything `config` names and everything the data directory holds (the adapter
    /// registry and the tables added through the admin API). Fails on the first problem,
    /// naming it; an agency whose stored adapter fails its checks is left without one and
    /// reported instead (see `Registry::start`).
    pub async fn start(config: Config) -> Result<Arc<Hub>, StartError> {
        let (catalogues, standards, runtime) = Hub::base(&config)?;

        let data_dir_error = |source| StartError::DataDir {
            path: config.data_dir.clone(),
            source,
        };
        std::fs::create_dir_all(&config.data_dir).map_err(data_dir_error)?;
        let data_dir =
            Dir::open_ambient_dir(&config.data_dir, ambient_authority()).map_err(data_dir_error)?;
        let lock = lock_data_dir(&data_dir)
            .await
            .map_err(data_dir_error)?
            .ok_or_else(|| StartError::DataDirInUse {
                path: config.data_dir.clone(),
            })?;
        let subdir = |name: &str| {
            data_dir.create_dir_all(name)?;
            data_dir.open_dir(name)
        };
        // SQLite opens by path; the names are constants, never anything from a request.
        let message_log = MessageLog::open(&config.data_dir.join(DB_FILE))?;
        let admin_store = Arc::new(AdminStore::open(&config.data_dir.join(ADMIN_DB_FILE))?);
        let compiled = subdir(crate::admin::COMPILED_DIR).map_err(data_dir_error)?;
        runtime.use_cache(Arc::new(crate::admin::FileCache::new(
            compiled,
            admin_store.clone(),
        )));
        subdir(STANDARDS_DIR).map_err(data_dir_error)?;
        let registry = Registry::new(
            admin_store.clone(),
            subdir(ADAPTERS_DIR).map_err(data_dir_error)?,
            runtime.clone(),
            config.registry.clone(),
            &config.adapters,
        );
        let started = std::time::Instant::now();
        registry.start(&config.adapters).await?;
        tracing::info!(
            adapters = registry.active().load().len(),
            millis = started.elapsed().as_millis() as u64,
            "adapter registry loaded"
        );

        let active = registry.active().clone();
        let has_adapter = move |agency: &str| active.load().contains_key(agency);
        let tables = Tables::build(
            &config,
            standards,
            &admin_store,
            &config.data_dir,
            &has_adapter,
        )
        .map_err(StartError::Tables)?;

        let operators = config
            .operators
            .iter()
            .map(|o| (o.token_sha256.clone(), Arc::new(o.clone())))
            .collect();

        Ok(Arc::new(Hub {
            catalogues,
            runtime,
            registry,
            tables: ArcSwap::from_pointee(tables),
            admin_store,
            table_changes: tokio::sync::Mutex::new(()),
            operators,
            providers: Providers::new(),
            message_log,
            data_dir,
            _lock: lock,
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
        self.registry.active().load().get(agency).cloned()
    }

    /// The adapter registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The standards, services and clients in force now.
    pub fn tables(&self) -> Arc<Tables> {
        self.tables.load_full()
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
