//! The adapter registry: every version of every agency's adapter, content-addressed on disk,
//! one active per agency, previous ones kept prepared for an immediate rollback.
//!
//! An upload is checked (signature policy, a component, only the contract's imports, the
//! exports and a description), compiled once (the compiled form is cached on disk by content
//! and engine), stored as `adapters/<sha256>.wasm` in the data directory, and recorded in the
//! admin store. Activation swaps the agency's entry of the active map in one atomic store:
//! an exchange holds the `Arc` of the version it started with until it ends. At start every
//! active version is read back, its digest and signature checked again, then loaded.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use cap_std::fs::Dir;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::store::VersionRow;
use super::{Actor, AdminError, AdminStore, now};
use crate::config::{
    AdapterConfig, DEFAULT_ADAPTER_DEADLINE, DEFAULT_ADAPTER_MAX_IN_FLIGHT,
    DEFAULT_ADAPTER_MEMORY_BYTES, DEFAULT_ADAPTER_OUTPUT_BYTES, RegistryConfig,
};
use crate::runtime::{AdapterLimits, LoadedAdapter, Runtime};
use crate::signing::Signature;

/// The folder of components, inside the data directory.
pub const ADAPTERS_DIR: &str = "adapters";

/// The active adapter of each agency, swapped whole.
pub type ActiveAdapters = ArcSwap<HashMap<String, Arc<LoadedAdapter>>>;

/// A version as the admin API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    /// The stored version.
    #[serde(flatten)]
    pub row: VersionRow,
    /// Whether it is the agency's active version.
    pub active: bool,
}

/// What an upload did.
#[derive(Debug)]
pub struct Uploaded {
    /// The version, new or the one that already had these bytes.
    pub version: VersionInfo,
    /// False when the same bytes were already registered for the agency.
    pub created: bool,
    /// Time spent validating and compiling, in milliseconds.
    pub compile_ms: u64,
}

/// The registry. One per hub.
pub struct Registry {
    store: Arc<AdminStore>,
    blobs: Dir,
    runtime: Runtime,
    policy: RegistryConfig,
    limits: BTreeMap<String, AdapterLimits>,
    active: Arc<ActiveAdapters>,
    /// Prepared versions by `(agency, version)`: the active ones and those kept for rollback.
    ready: Mutex<HashMap<(String, i64), Arc<LoadedAdapter>>>,
    /// Agencies whose active version could not be loaded at start, with the reason.
    refused: Mutex<BTreeMap<String, String>>,
    /// Serialises changes: two activations of one agency must not interleave.
    changes: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").finish_non_exhaustive()
    }
}

/// The limits of `agency`'s adapter: from its `[[adapters]]` entry, or the defaults.
fn limits_of(config: Option<&AdapterConfig>) -> AdapterLimits {
    match config {
        Some(a) => AdapterLimits {
            deadline: a.deadline,
            max_memory_bytes: a.max_memory_bytes,
            max_output_bytes: a.max_output_bytes,
            max_in_flight: a.max_in_flight,
        },
        None => AdapterLimits {
            deadline: DEFAULT_ADAPTER_DEADLINE,
            max_memory_bytes: DEFAULT_ADAPTER_MEMORY_BYTES,
            max_output_bytes: DEFAULT_ADAPTER_OUTPUT_BYTES,
            max_in_flight: DEFAULT_ADAPTER_MAX_IN_FLIGHT,
        },
    }
}

fn blob_name(sha256: &str) -> String {
    // The SHA-256 is computed by the hub: lowercase hex, never a name from a request.
    format!("{sha256}.wasm")
}

/// Checks `signature` over `bytes` against the publishers `policy` trusts for `agency`.
/// Returns the publisher's name; `None` when unsigned and signatures are not required.
pub fn check_signature(
    policy: &RegistryConfig,
    agency: &str,
    bytes: &[u8],
    signature: Option<&str>,
) -> Result<Option<String>, AdminError> {
    let Some(text) = signature else {
        if policy.require_signatures {
            return Err(AdminError::invalid(
                "signature-required",
                "this hub accepts only signed adapters: send the Ed25519 signature of the \
                 component in the `lgsp-signature` header (`lgsp sign` makes it)"
                    .to_owned(),
            ));
        }
        return Ok(None);
    };
    let signature: Signature = text.parse().map_err(|e: crate::signing::SigningError| {
        AdminError::invalid("signature-invalid", e.to_string())
    })?;
    let trusted: Vec<_> = policy
        .publishers
        .iter()
        .filter(|p| p.covers(agency))
        .collect();
    if trusted.is_empty() && !policy.require_signatures {
        // Nobody to check it against, and none needed: kept as unsigned.
        return Ok(None);
    }
    if trusted.is_empty() {
        return Err(AdminError::invalid(
            "signature-invalid",
            format!("no trusted publisher key may sign adapters of agency {agency:?}"),
        ));
    }
    trusted
        .iter()
        .find(|p| p.public_key.verify(bytes, &signature).is_ok())
        .map(|p| Some(p.name.clone()))
        .ok_or_else(|| {
            AdminError::invalid(
                "signature-invalid",
                format!(
                    "the signature does not match these bytes under any key trusted for \
                     agency {agency:?} ({}); the component was altered or signed with \
                     another key",
                    trusted
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
}

/// The signature of a component named in the configuration: `<component>.sig` beside it.
pub fn config_signature(component: &std::path::Path) -> Option<String> {
    std::fs::read_to_string(crate::signing::with_suffix(component, "sig")).ok()
}

/// Refuses a configured component without its `<component>.sig` when signatures are required,
/// saying where the file belongs (an upload is told of the header instead).
fn require_config_signature(
    policy: &RegistryConfig,
    component: &std::path::Path,
    signature: Option<&str>,
) -> Result<(), AdminError> {
    if signature.is_none() && policy.require_signatures {
        return Err(AdminError::invalid(
            "signature-required",
            format!(
                "this hub accepts only signed adapters: put the component's signature in {:?} \
                 (`lgsp sign` writes it there)",
                crate::signing::with_suffix(component, "sig")
            ),
        ));
    }
    Ok(())
}

/// [`check_signature`] for a component named in the configuration, whose signature can only
/// come from the file beside it.
pub fn check_config_signature(
    policy: &RegistryConfig,
    agency: &str,
    component: &std::path::Path,
    bytes: &[u8],
) -> Result<Option<String>, AdminError> {
    let signature = config_signature(component);
    require_config_signature(policy, component, signature.as_deref())?;
    check_signature(policy, agency, bytes, signature.as_deref())
}

impl Registry {
    /// A registry over `store` and the data directory's `adapters` folder.
    pub fn new(
        store: Arc<AdminStore>,
        blobs: Dir,
        runtime: Runtime,
        policy: RegistryConfig,
        adapters: &BTreeMap<String, AdapterConfig>,
    ) -> Self {
        Self {
            store,
            blobs,
            runtime,
            policy,
            limits: adapters
                .iter()
                .map(|(agency, a)| (agency.clone(), limits_of(Some(a))))
                .collect(),
            active: Arc::new(ArcSwap::from_pointee(HashMap::new())),
            ready: Mutex::default(),
            refused: Mutex::default(),
            changes: tokio::sync::Mutex::new(()),
        }
    }

    /// The active adapters, shared with the exchange path.
    pub fn active(&self) -> &Arc<ActiveAdapters> {
        &self.active
    }

    fn limits(&self, agency: &str) -> AdapterLimits {
        self.limits
            .get(agency)
            .copied()
            .unwrap_or_else(|| limits_of(None))
    }

    /// Checks `signature` over `bytes` against the publishers trusted for `agency`. Returns
    /// the publisher's name; `None` when unsigned and signatures are not required.
    fn check_signature(
        &self,
        agency: &str,
        bytes: &[u8],
        signature: Option<&str>,
    ) -> Result<Option<String>, AdminError> {
        check_signature(&self.policy, agency, bytes, signature)
    }

    async fn prepare(&self, agency: &str, bytes: &[u8]) -> Result<Arc<LoadedAdapter>, AdminError> {
        self.runtime
            .load(agency, bytes, self.limits(agency))
            .await
            .map_err(|e| AdminError::invalid("adapter-invalid", e.to_string()))
    }

    fn info(&self, row: VersionRow) -> VersionInfo {
        let active = self.active_version(&row.agency) == Some(row.version);
        VersionInfo { row, active }
    }

    /// The active version of `agency`, by number.
    pub fn active_version(&self, agency: &str) -> Option<i64> {
        let adapters = self.active.load();
        let loaded = adapters.get(agency)?;
        let ready = self.ready.lock().unwrap_or_else(|p| p.into_inner());
        ready
            .iter()
            .find(|((a, _), l)| a == agency && Arc::ptr_eq(l, loaded))
            .map(|((_, v), _)| *v)
    }

    /// Every version of `agency`, oldest first.
    pub fn versions(&self, agency: &str) -> Result<Vec<VersionInfo>, AdminError> {
        Ok(self
            .store
            .versions(agency)?
            .into_iter()
            .map(|row| self.info(row))
            .collect())
    }

    /// Every agency with versions, with its active version and the number of versions.
    pub fn agencies(&self) -> Result<Vec<(String, Option<VersionInfo>, usize)>, AdminError> {
        let mut out = Vec::new();
        for agency in self.store.agencies()? {
            let versions = self.versions(&agency)?;
            let active = versions.iter().find(|v| v.active).cloned();
            out.push((agency, active, versions.len()));
        }
        Ok(out)
    }

    /// Why `agency`'s active version was refused at start, if it was.
    pub fn refused(&self, agency: &str) -> Option<String> {
        self.refused
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(agency)
            .cloned()
    }

    /// Registers `bytes` as a new version of `agency`'s adapter, and activates it if asked.
    pub async fn upload(
        &self,
        agency: &str,
        bytes: &[u8],
        signature: Option<&str>,
        activate: bool,
        actor: &Actor,
    ) -> Result<Uploaded, AdminError> {
        let _change = self.changes.lock().await;
        let publisher = self.check_signature(agency, bytes, signature)?;
        let sha256 = hex::encode(Sha256::digest(bytes));
        if let Some(row) = self
            .store
            .versions(agency)?
            .into_iter()
            .find(|v| v.sha256 == sha256)
        {
            if self.read_checked(&row).is_err() {
                // The stored copy was altered or lost since its upload; these bytes have the
                // registered digest (and passed the signature check), so they restore it.
                self.write_blob(&sha256, bytes)?;
                tracing::warn!(
                    agency,
                    adapter.version_id = row.version,
                    "stored component restored from a new upload of the same bytes"
                );
            }
            if activate {
                self.switch(agency, row.version, actor).await?;
            }
            return Ok(Uploaded {
                version: self.info(row),
                created: false,
                compile_ms: 0,
            });
        }
        let started = std::time::Instant::now();
        let loaded = self.prepare(agency, bytes).await?;
        let compile_ms = started.elapsed().as_millis() as u64;
        let description = loaded.description().clone();
        if !self.blobs.exists(blob_name(&sha256)) {
            self.write_blob(&sha256, bytes)?;
        }
        // A signature is kept only when a trusted key checked it.
        let signature = publisher
            .as_ref()
            .and(signature)
            .map(|s| s.trim().to_owned());
        let row = self.store.insert_version(VersionRow {
            agency: agency.to_owned(),
            version: 0,
            sha256,
            size: bytes.len() as i64,
            name: description.name,
            adapter_version: description.version,
            standards: description.standards,
            services: description.services,
            uploaded_at: now(),
            uploaded_by: actor.name().to_owned(),
            publisher,
            signature,
        })?;
        self.ready
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((agency.to_owned(), row.version), loaded);
        tracing::info!(
            agency,
            adapter.version_id = row.version,
            adapter.sha256 = %row.sha256,
            millis = compile_ms,
            "adapter version registered"
        );
        if activate {
            self.switch(agency, row.version, actor).await?;
        }
        Ok(Uploaded {
            version: self.info(row),
            created: true,
            compile_ms,
        })
    }

    /// Makes `version` the active version of `agency`. Returns it and the previous one.
    pub async fn activate(
        &self,
        agency: &str,
        version: i64,
        actor: &Actor,
    ) -> Result<(VersionInfo, Option<i64>), AdminError> {
        let _change = self.changes.lock().await;
        let previous = self.active_version(agency);
        let row = self.switch(agency, version, actor).await?;
        Ok((self.info(row), previous))
    }

    /// Activates the version that was active before the current one.
    pub async fn rollback(
        &self,
        agency: &str,
        actor: &Actor,
    ) -> Result<(VersionInfo, i64), AdminError> {
        let _change = self.changes.lock().await;
        let current = self.active_version(agency).ok_or_else(|| {
            AdminError::conflict(
                "nothing-to-roll-back",
                format!("agency {agency:?} has no active adapter"),
            )
        })?;
        let live: Vec<i64> = self
            .store
            .versions(agency)?
            .iter()
            .map(|v| v.version)
            .collect();
        let target = self
            .store
            .activation_history(agency)?
            .into_iter()
            .find(|v| *v != current && live.contains(v))
            .ok_or_else(|| {
                AdminError::conflict(
                    "nothing-to-roll-back",
                    format!("agency {agency:?} has had no other active version to go back to"),
                )
            })?;
        let row = self.switch(agency, target, actor).await?;
        Ok((self.info(row), current))
    }

    /// Deletes a version that is not active.
    pub async fn delete(&self, agency: &str, version: i64) -> Result<VersionInfo, AdminError> {
        let _change = self.changes.lock().await;
        let row = self.row(agency, version)?;
        if self.active_version(agency) == Some(version) {
            return Err(AdminError::conflict(
                "version-active",
                format!(
                    "version {version} is agency {agency:?}'s active adapter; activate another \
                     version first"
                ),
            ));
        }
        self.store.delete_version(agency, version, &now())?;
        self.ready
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(agency.to_owned(), version));
        if !self.store.sha_in_use(&row.sha256)? {
            let _ = self.blobs.remove_file(blob_name(&row.sha256));
        }
        Ok(VersionInfo { row, active: false })
    }

    fn row(&self, agency: &str, version: i64) -> Result<VersionRow, AdminError> {
        self.store
            .versions(agency)?
            .into_iter()
            .find(|v| v.version == version)
            .ok_or_else(|| {
                AdminError::NotFound(format!(
                    "agency {agency:?} has no adapter version {version}"
                ))
            })
    }

    /// Stores `bytes` as the component of digest `sha256`, whole or not at all.
    fn write_blob(&self, sha256: &str, bytes: &[u8]) -> Result<(), AdminError> {
        let temporary = format!("{sha256}.tmp");
        self.blobs.write(&temporary, bytes)?;
        self.blobs
            .rename(&temporary, &self.blobs, blob_name(sha256))?;
        Ok(())
    }

    /// Reads a stored component back, checking its digest and, when required, its signature.
    fn read_checked(&self, row: &VersionRow) -> Result<Vec<u8>, AdminError> {
        let bytes = self.blobs.read(blob_name(&row.sha256)).map_err(|e| {
            AdminError::invalid(
                "adapter-tampered",
                format!(
                    "the stored component of version {} cannot be read: {e}",
                    row.version
                ),
            )
        })?;
        let digest = hex::encode(Sha256::digest(&bytes));
        if digest != row.sha256 {
            return Err(AdminError::invalid(
                "adapter-tampered",
                format!(
                    "the stored component of version {} was altered after upload: its SHA-256 \
                     is {digest}, {} was registered",
                    row.version, row.sha256
                ),
            ));
        }
        if self.policy.require_signatures || row.signature.is_some() {
            self.check_signature(&row.agency, &bytes, row.signature.as_deref())?;
        }
        Ok(bytes)
    }

    /// Prepares `version` if needed and swaps it in. The caller holds `changes`.
    async fn switch(
        &self,
        agency: &str,
        version: i64,
        actor: &Actor,
    ) -> Result<VersionRow, AdminError> {
        let row = self.row(agency, version)?;
        let key = (agency.to_owned(), version);
        let cached = self
            .ready
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned();
        let loaded = match cached {
            Some(loaded) => loaded,
            None => {
                let bytes = self.read_checked(&row)?;
                let loaded = self.prepare(agency, &bytes).await?;
                self.ready
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key, loaded.clone());
                loaded
            }
        };
        self.store.activate(agency, version, &now(), actor.name())?;
        self.active.rcu(|current| {
            let mut next = HashMap::clone(current);
            next.insert(agency.to_owned(), loaded.clone());
            next
        });
        self.refused
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(agency);
        tracing::info!(
            agency,
            adapter.version_id = version,
            adapter.sha256 = %row.sha256,
            actor = actor.name(),
            "adapter version activated"
        );
        Ok(row)
    }

    /// At start: registers each component the configuration names (activating it when its
    /// bytes are new to the agency), then loads every agency's active version, checking it
    /// again. An agency whose version fails is left without an adapter and reported; the
    /// others are served.
    pub async fn start(
        &self,
        config_adapters: &BTreeMap<String, AdapterConfig>,
    ) -> Result<(), crate::hub::StartError> {
        let config_actor = Actor::default();
        for a in config_adapters.values() {
            let Some(path) = &a.component else { continue };
            let bytes =
                std::fs::read(path).map_err(|source| crate::hub::StartError::ReadAdapter {
                    agency: a.agency.clone(),
                    path: path.clone(),
                    source,
                })?;
            let register_error = |source| crate::hub::StartError::Register {
                agency: a.agency.clone(),
                path: path.clone(),
                source,
            };
            // The upload below checks the signature; only a missing file is said here.
            let signature = config_signature(path);
            require_config_signature(&self.policy, path, signature.as_deref())
                .map_err(register_error)?;
            self.upload(
                &a.agency,
                &bytes,
                signature.as_deref(),
                false,
                &config_actor,
            )
            .await
            .map_err(|source| crate::hub::StartError::Register {
                agency: a.agency.clone(),
                path: path.clone(),
                source,
            })?;
            let sha256 = hex::encode(Sha256::digest(&bytes));
            let version = self
                .store
                .versions(&a.agency)
                .map_err(AdminError::from)
                .and_then(|vs| {
                    vs.into_iter()
                        .find(|v| v.sha256 == sha256)
                        .map(|v| v.version)
                        .ok_or_else(|| AdminError::NotFound("just registered".to_owned()))
                })
                .map_err(|source| crate::hub::StartError::Register {
                    agency: a.agency.clone(),
                    path: path.clone(),
                    source,
                })?;
            // The file's component becomes active the first time its bytes are seen; after
            // that the registry's own choice (an activation or a rollback) stands.
            let seen = self
                .store
                .activation_history(&a.agency)
                .map(|h| h.contains(&version))
                .unwrap_or(false);
            if !seen {
                let _change = self.changes.lock().await;
                self.switch(&a.agency, version, &config_actor)
                    .await
                    .map_err(|source| crate::hub::StartError::Register {
                        agency: a.agency.clone(),
                        path: path.clone(),
                        source,
                    })?;
            }
        }

        let agencies = self
            .store
            .agencies()
            .map_err(AdminError::from)
            .map_err(|source| crate::hub::StartError::Register {
                agency: String::new(),
                path: std::path::PathBuf::new(),
                source,
            })?;
        for agency in agencies {
            if self.active.load().contains_key(&agency) {
                continue;
            }
            let Some(version) = self
                .store
                .activation_history(&agency)
                .ok()
                .and_then(|h| h.first().copied())
            else {
                continue;
            };
            let started = std::time::Instant::now();
            let loaded = async {
                let row = self.row(&agency, version)?;
                let bytes = self.read_checked(&row)?;
                let loaded = self.prepare(&agency, &bytes).await?;
                Ok::<_, AdminError>(loaded)
            }
            .await;
            match loaded {
                Ok(loaded) => {
                    self.ready
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert((agency.clone(), version), loaded.clone());
                    self.active.rcu(|current| {
                        let mut next = HashMap::clone(current);
                        next.insert(agency.clone(), loaded.clone());
                        next
                    });
                    tracing::info!(
                        agency = %agency,
                        adapter.version_id = version,
                        adapter.name = %loaded.description().name,
                        adapter.version = %loaded.description().version,
                        millis = started.elapsed().as_millis() as u64,
                        "adapter loaded"
                    );
                }
                Err(err) => {
                    tracing::error!(
                        agency = %agency,
                        adapter.version_id = version,
                        error = %err,
                        "the agency's active adapter was refused at start; it has no adapter until an operator activates a good version"
                    );
                    self.refused
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(agency, format!("version {version}: {err}"));
                }
            }
        }
        Ok(())
    }
}
