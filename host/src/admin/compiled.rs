//! The compiled cache on disk: the hub's own compiled form of each component, in
//! `compiled/<sha256>-<engine>.cwasm` under the data directory, with its digest in the admin
//! store. An entry whose file no longer matches its recorded digest is ignored, so a changed
//! or foreign file is never turned into running code.

use std::sync::Arc;

use cap_std::fs::Dir;
use sha2::{Digest, Sha256};

use super::AdminStore;
use crate::runtime::{CacheKey, CompiledCache};

/// The folder, inside the data directory.
pub const COMPILED_DIR: &str = "compiled";

/// [`CompiledCache`] over a folder capability and the admin store.
pub struct FileCache {
    dir: Dir,
    store: Arc<AdminStore>,
}

impl FileCache {
    /// A cache in `dir` (the data directory's `compiled` folder).
    pub fn new(dir: Dir, store: Arc<AdminStore>) -> Self {
        Self { dir, store }
    }
}

fn file_name(key: &CacheKey) -> String {
    // Both parts are lowercase hex made by the hub, never text from a request.
    format!("{}-{}.cwasm", key.sha256, key.engine)
}

impl CompiledCache for FileCache {
    fn get(&self, key: &CacheKey) -> Option<Vec<u8>> {
        let recorded = self
            .store
            .compiled_digest(&key.sha256, &key.engine)
            .ok()
            .flatten()?;
        let bytes = self.dir.read(file_name(key)).ok()?;
        if hex::encode(Sha256::digest(&bytes)) == recorded {
            Some(bytes)
        } else {
            tracing::warn!(
                adapter.sha256 = %key.sha256,
                "compiled cache file does not match its recorded digest; ignored"
            );
            None
        }
    }

    fn put(&self, key: &CacheKey, compiled: &[u8]) {
        let name = file_name(key);
        let temporary = format!("{name}.tmp");
        let written = self
            .dir
            .write(&temporary, compiled)
            .and_then(|()| self.dir.rename(&temporary, &self.dir, &name));
        let recorded = written.map_err(|e| e.to_string()).and_then(|()| {
            self.store
                .set_compiled_digest(
                    &key.sha256,
                    &key.engine,
                    &hex::encode(Sha256::digest(compiled)),
                )
                .map_err(|e| e.to_string())
        });
        if let Err(err) = recorded {
            tracing::warn!(adapter.sha256 = %key.sha256, error = %err, "failed to keep a compiled component");
        }
    }
}
