//! Turning a component's bytes into checked machine code, once per content hash.
//!
//! This module owns compilation and the two caches in front of it: compiled components in
//! memory, shared by every agency that runs the same bytes, and the hub's own compiled form on
//! disk, so that a restart loads machine code instead of compiling again. Only code this hub
//! compiled is ever loaded from disk, and only after its digest matches the one recorded when
//! it was written; precompiled code from outside is never accepted.

use std::hash::Hasher;

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use super::{LoadError, Runtime};

/// The interfaces an adapter may import, by name without version. Anything else is refused.
const ALLOWED_IMPORTS: [&str; 3] = [
    "lgsp:adapter/types",
    "lgsp:adapter/log",
    "lgsp:adapter/catalogue",
];
/// The contract's major line: imports must be `@0.1.x`.
const CONTRACT_VERSION_PREFIX: &str = "@0.1.";

/// Names one compiled form: the component's content and the engine that compiled it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheKey {
    /// SHA-256 of the component's bytes, lowercase hex.
    pub sha256: String,
    /// A digest of the engine's compatibility hash (version, target, settings), 16 hex digits.
    pub engine: String,
}

/// Where the hub keeps its compiled components between runs.
pub trait CompiledCache: Send + Sync {
    /// The compiled form stored under `key`, if it is there and intact.
    fn get(&self, key: &CacheKey) -> Option<Vec<u8>>;
    /// Stores the compiled form under `key`. Failing to store only costs a later compile.
    fn put(&self, key: &CacheKey, compiled: &[u8]);
}

/// A digest of everything that makes compiled code usable by `engine`, stable across runs.
pub fn engine_fingerprint(engine: &Engine) -> String {
    struct ShaHasher(Sha256);
    impl Hasher for ShaHasher {
        fn finish(&self) -> u64 {
            unreachable!("only the digest is read")
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
    }
    let mut hasher = ShaHasher(Sha256::new());
    std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut hasher);
    hex::encode(&hasher.0.finalize()[..8])
}

impl Runtime {
    /// Compiles `bytes`, or returns the component already compiled from the same bytes, in
    /// memory or in the compiled cache. Only components that passed the import check are kept.
    pub(super) fn compile(&self, sha256: &str, bytes: &[u8]) -> Result<Component, LoadError> {
        if let Some(component) = self.compiled_in_memory(sha256) {
            return Ok(component);
        }
        let key = CacheKey {
            sha256: sha256.to_owned(),
            engine: self.engine_fingerprint.clone(),
        };
        let cache = self.cache.get();
        let from_cache = cache.and_then(|c| c.get(&key)).and_then(|native| {
            // SAFETY: the bytes are this hub's own output of `Component::serialize` for this
            // engine, read back only after their digest matched the one recorded when they
            // were written (see `CompiledCache::get`); wasmtime checks the engine settings
            // again and refuses a mismatch.
            #[allow(unsafe_code, reason = "loading the hub's own compiled code; see SAFETY")]
            let deserialized = unsafe { Component::deserialize(&self.engine, &native) };
            match deserialized {
                Ok(component) => Some(component),
                Err(err) => {
                    tracing::warn!(adapter.sha256 = %sha256, error = %err, "compiled cache entry refused; compiling again");
                    None
                }
            }
        });
        let component = match from_cache {
            Some(component) => component,
            None => {
                let component = Component::from_binary(&self.engine, bytes)
                    .map_err(|e| LoadError::Compile(format!("{e:#}")))?;
                check_imports(&self.engine, &component)?;
                if let Some(cache) = cache {
                    match component.serialize() {
                        Ok(native) => cache.put(&key, &native),
                        Err(err) => {
                            tracing::warn!(adapter.sha256 = %sha256, error = %err, "failed to serialise a compiled component")
                        }
                    }
                }
                component
            }
        };
        check_imports(&self.engine, &component)?;
        self.compiled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(sha256.to_owned(), component.clone());
        Ok(component)
    }

    fn compiled_in_memory(&self, sha256: &str) -> Option<Component> {
        self.compiled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(sha256)
            .cloned()
    }

    /// Whether `sha256` is compiled and in memory.
    pub fn is_compiled(&self, sha256: &str) -> bool {
        self.compiled_in_memory(sha256).is_some()
    }
}

/// Refuses, naming every one, the imports that are not part of the contract. Not linking WASI
/// at all already makes such a component fail to instantiate; checking here gives the
/// operator the offending names at load time.
fn check_imports(engine: &Engine, component: &Component) -> Result<(), LoadError> {
    let forbidden: Vec<String> = component
        .component_type()
        .imports(engine)
        .map(|(name, _)| name)
        .filter(|name| {
            !ALLOWED_IMPORTS.iter().any(|base| {
                name.strip_prefix(base)
                    .is_some_and(|rest| rest.starts_with(CONTRACT_VERSION_PREFIX))
            })
        })
        .map(str::to_owned)
        .collect();
    if forbidden.is_empty() {
        Ok(())
    } else {
        Err(LoadError::ForbiddenImport(forbidden))
    }
}
