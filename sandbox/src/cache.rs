//! The program caches: an LRU of linked programs in memory, compiled modules on disk
//! (`<cache_dir>/modules/<key>.cwasm`), and the content key that names both.

use crate::Language;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wasmtime::{Engine, Module};

/// Counters describing cache behaviour (for benchmarks and diagnostics).
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct CacheStats {
    /// Programs found in the in-memory cache.
    pub memory_hits: u64,
    /// Programs loaded from the on-disk cache.
    pub disk_hits: u64,
    /// Programs compiled from source.
    pub misses: u64,
}

/// A small LRU of compiled programs keyed by content hash.
pub(crate) struct ProgramCache<T> {
    capacity: usize,
    clock: u64,
    entries: HashMap<String, (Arc<T>, u64)>,
}

impl<T> ProgramCache<T> {
    /// An empty cache holding at most `capacity` programs (at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        ProgramCache {
            capacity: capacity.max(1),
            clock: 0,
            entries: HashMap::new(),
        }
    }

    /// The program under `key`, marked as just used.
    pub(crate) fn get(&mut self, key: &str) -> Option<Arc<T>> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(key).map(|(loaded, used)| {
            *used = clock;
            Arc::clone(loaded)
        })
    }

    /// Stores `loaded` under `key`, evicting the least recently used program when full.
    pub(crate) fn insert(&mut self, key: String, loaded: Arc<T>) {
        self.clock += 1;
        if self.entries.len() >= self.capacity
            && let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone())
        {
            self.entries.remove(&oldest);
        }
        self.entries.insert(key, (loaded, self.clock));
    }
}

/// Compiled modules serialized on disk, shared by every process using the same cache folder.
pub(crate) struct DiskCache {
    /// `<cache_dir>/modules`, or `None` when the disk cache is off.
    dir: Option<PathBuf>,
}

impl DiskCache {
    /// The cache under `cache_dir` (off unless `enabled`).
    pub(crate) fn new(cache_dir: &Path, enabled: bool) -> Self {
        DiskCache {
            dir: enabled.then(|| cache_dir.join("modules")),
        }
    }

    fn path(&self, key: &str) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|dir| dir.join(format!("{key}.cwasm")))
    }

    /// The module stored under `key`, if any and usable by `engine` (an unusable file is
    /// removed and the caller compiles again).
    pub(crate) fn load(&self, engine: &Engine, key: &str) -> Option<Module> {
        let path = self.path(key)?;
        if !path.exists() {
            return None;
        }
        // SAFETY: the file was written by `Module::serialize` of this same wasmtime build into
        // our own cache directory; wasmtime also checks version and configuration compatibility
        // and we fall back to recompiling on any error.
        match unsafe { Module::deserialize_file(engine, &path) } {
            Ok(module) => Some(module),
            Err(e) => {
                tracing::warn!("dropping unusable cached module {}: {e:#}", path.display());
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Stores `module` under `key` (a failure is logged: the cache is an optimisation).
    pub(crate) fn store(&self, key: &str, module: &Module) {
        let Some(path) = self.path(key) else {
            return;
        };
        let result = module
            .serialize()
            .map_err(|e| std::io::Error::other(format!("{e:#}")))
            .and_then(|bytes| write_atomic(&path, &bytes));
        if let Err(e) = result {
            tracing::warn!("could not cache module at {}: {e}", path.display());
        }
    }
}

/// What makes compiled code of `engine` reusable: wasmtime's own compatibility hash (its
/// version and every compilation setting — fuel or epochs, stack size, memory layout), plus
/// our stack and memory sizes. Rust's `DefaultHasher` may change between Rust releases, which
/// only costs one recompilation.
pub(crate) fn engine_key(engine: &Engine, stack_bytes: usize, max_memory_bytes: u64) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    format!(
        "wasmtime-{:016x};stack={stack_bytes};mem={max_memory_bytes}",
        hasher.finish()
    )
}

/// The content key of a program: the engine (see [`engine_key`]), the language, the
/// toolchain's fingerprint and the source.
pub(crate) fn cache_key(
    engine_key: &str,
    lang: Language,
    toolchain: &str,
    source: &[u8],
) -> String {
    let digest = Sha256::new()
        .chain_update(b"crucible-sandbox-1\0")
        .chain_update(engine_key.as_bytes())
        .chain_update(b"\0")
        .chain_update(lang.name())
        .chain_update(b"\0")
        .chain_update(toolchain)
        .chain_update(b"\0")
        .chain_update(source)
        .finalize();
    hex::encode(&digest[..20])
}

/// Writes bytes through a temporary file and a rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(
        format!(
            "tmp{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        )
        .replace(['(', ')'], ""),
    );
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
