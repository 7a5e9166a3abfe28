//! The sandbox: one wasmtime engine, a worker pool, the toolchains and the module cache.

use crate::limits::{Clock, FUEL_PER_WALL_SECOND, Limits};
use crate::pipe::{CappedPipe, OutputLimitHit};
use crate::pool::{MAX_WASM_STACK_BYTES, WorkerPool};
use crate::toolchain::{Toolchain, ToolchainConfig};
use crate::verdict::{RunReport, Termination};
use crate::{CompileError, Language, SandboxError, python};
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wasmtime::{
    Caller, Config, Engine, Extern, InstanceAllocationStrategy, InstancePre, Linker, Module,
    OptLevel, PoolingAllocationConfig, ResourceLimiter, Store, Trap,
};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

/// How often the wall-clock limit's epoch advances (unmetered sandboxes).
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Fuel between two looks at the wall clock in a metered run (about 1 ms of guest code): the
/// guest yields to the host this often, and the host ends the run once past its backstop.
const FUEL_SLICE: u64 = FUEL_PER_WALL_SECOND / 1000;

/// Fuel charged per byte `random_get` writes (generating one takes about as long as four
/// wasm operators), so that a guest cannot buy unmetered time with huge random reads.
const FUEL_PER_RANDOM_BYTE: u64 = 4;

/// The fixed wall-clock time guests see: 2024-01-01T00:00:00Z.
const GUEST_EPOCH_SECS: u64 = 1_704_067_200;

/// Settings for a [`Sandbox`]. `Default` gives sensible values for a contest judge.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where compiled modules, the toolchain's support files and runtimes are kept.
    pub cache_dir: PathBuf,
    /// Guests that run at once (default: available cores).
    pub workers: usize,
    /// The largest memory limit any run may ask for (sizes the pooling allocator's slots).
    pub max_memory_bytes: u64,
    /// Sources larger than this are a compile error without invoking any compiler.
    pub max_source_bytes: usize,
    /// The C/C++ toolchain.
    pub toolchain: ToolchainConfig,
    /// The Python runtime (`None`: `$CRUCIBLE_PYTHON_WASM` or `<cache_dir>/runtimes/`).
    pub python_wasm: Option<PathBuf>,
    /// Keep compiled modules on disk across processes.
    pub disk_cache: bool,
    /// Compiled programs kept in memory.
    pub memory_cache_entries: usize,
    /// What time limits count: fuel (deterministic, the default) or wall-clock time ([`Clock`]).
    pub clock: Clock,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            cache_dir: default_cache_dir(),
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_memory_bytes: 4 << 30,
            max_source_bytes: 1 << 20,
            toolchain: ToolchainConfig::default(),
            python_wasm: None,
            disk_cache: true,
            memory_cache_entries: 512,
            clock: Clock::Fuel,
        }
    }
}

/// `$CRUCIBLE_CACHE_DIR`, else `$XDG_CACHE_HOME/crucible`, else `~/.cache/crucible`.
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CRUCIBLE_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("crucible");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".cache").join("crucible"),
        None => std::env::temp_dir().join("crucible-cache"),
    }
}

/// A compiled program, ready to run any number of times (cheap to clone).
#[derive(Clone)]
pub struct Program {
    lang: Language,
    loaded: Arc<Loaded>,
    argv: Arc<Vec<String>>,
    key: Arc<str>,
}

impl Program {
    /// The source language.
    pub fn language(&self) -> Language {
        self.lang
    }

    /// The content hash identifying this program in caches.
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Program")
            .field("lang", &self.lang)
            .field("key", &self.key)
            .finish()
    }
}

/// A module linked against our WASI host, ready to instantiate.
struct Loaded {
    pre: InstancePre<Guest>,
}

/// Per-run host state.
struct Guest {
    wasi: WasiP1Ctx,
    limiter: MemoryLimiter,
    /// The source `random_get` reads (seeded by `Limits::random_seed`).
    random: rand::rngs::StdRng,
    /// When a metered run's wall-clock backstop expires.
    deadline: Option<Instant>,
}

/// A host call noticed that the run outlived its wall-clock backstop.
#[derive(Debug, thiserror::Error)]
#[error("wall-clock backstop exceeded")]
struct WallClockExceeded;

/// Enforces the memory limit and remembers whether it refused a grow and the peak size.
struct MemoryLimiter {
    limit: u64,
    peak: u64,
    refused: bool,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired as u64 > self.limit {
            self.refused = true;
            return Ok(false);
        }
        self.peak = self.peak.max(desired as u64);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1 << 20)
    }
}

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

/// Compiles, caches and runs programs. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

struct Inner {
    config: SandboxConfig,
    engine: Engine,
    linker: Linker<Guest>,
    pool: WorkerPool,
    toolchain: Mutex<Option<Arc<Toolchain>>>,
    python: Mutex<Option<Arc<Loaded>>>,
    programs: Mutex<ProgramCache>,
    stats: [AtomicU64; 3],
    stop_ticker: Arc<AtomicBool>,
    engine_key: String,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop_ticker.store(true, Ordering::Relaxed);
    }
}

/// A small LRU of compiled programs keyed by content hash.
struct ProgramCache {
    capacity: usize,
    clock: u64,
    entries: HashMap<String, (Arc<Loaded>, u64)>,
}

impl ProgramCache {
    fn get(&mut self, key: &str) -> Option<Arc<Loaded>> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(key).map(|(loaded, used)| {
            *used = clock;
            Arc::clone(loaded)
        })
    }

    fn insert(&mut self, key: String, loaded: Arc<Loaded>) {
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

impl Sandbox {
    /// Builds the engine and worker pool. Toolchains are prepared on first use, so a sandbox
    /// for Python alone never needs clang and vice versa.
    pub fn new(config: SandboxConfig) -> Result<Self, SandboxError> {
        std::fs::create_dir_all(&config.cache_dir)
            .map_err(|e| SandboxError::io(&config.cache_dir, e))?;
        let slots = (config.workers * 4 + 4) as u32;
        let engine = build_engine(&config, slots)?;
        let mut linker: Linker<Guest> = Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_async(&mut linker, |g: &mut Guest| &mut g.wasi)
            .map_err(SandboxError::engine)?;
        linker.allow_shadowing(true);
        disable_sleeping(&mut linker)?;
        meter_random_bytes(&mut linker)?;
        linker.allow_shadowing(false);
        let pool = WorkerPool::new(config.workers)?;
        let stop_ticker = Arc::new(AtomicBool::new(false));
        let metered = config.clock == Clock::Fuel;
        if !metered {
            start_epoch_ticker(engine.clone(), Arc::clone(&stop_ticker))?;
        }
        let engine_key = format!(
            "wasmtime-48.0.8;fuel={};epoch={};stack={};mem={}",
            metered, !metered, MAX_WASM_STACK_BYTES, config.max_memory_bytes
        );
        let programs = ProgramCache {
            capacity: config.memory_cache_entries.max(1),
            clock: 0,
            entries: HashMap::new(),
        };
        Ok(Sandbox {
            inner: Arc::new(Inner {
                config,
                engine,
                linker,
                pool,
                toolchain: Mutex::new(None),
                python: Mutex::new(None),
                programs: Mutex::new(programs),
                stats: Default::default(),
                stop_ticker,
                engine_key,
            }),
        })
    }

    /// The configuration this sandbox was built with.
    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// How many programs run at once.
    pub fn workers(&self) -> usize {
        self.inner.pool.size()
    }

    /// Cache hit and miss counts since this sandbox was created.
    pub fn cache_stats(&self) -> CacheStats {
        let s = &self.inner.stats;
        CacheStats {
            memory_hits: s[0].load(Ordering::Relaxed),
            disk_hits: s[1].load(Ordering::Relaxed),
            misses: s[2].load(Ordering::Relaxed),
        }
    }

    /// Compiles `source` (blocking; seconds for a cold C++ compile, microseconds when cached).
    /// A program's own fault is `CompileError::Rejected`; ours is `CompileError::Sandbox`.
    pub fn compile(&self, lang: Language, source: &[u8]) -> Result<Program, CompileError> {
        let limit = self.inner.config.max_source_bytes;
        if source.len() > limit {
            return Err(CompileError::Rejected {
                diagnostics: format!(
                    "source is {} bytes, over the {} byte limit",
                    source.len(),
                    limit
                ),
            });
        }
        match lang {
            Language::Python => self.compile_python(source),
            Language::C | Language::Cpp => self.compile_native(lang, source),
            Language::Wasm => self.compile_wasm(source),
        }
    }

    /// [`Sandbox::compile`] on a blocking thread, for async callers.
    pub async fn compile_async(
        &self,
        lang: Language,
        source: Vec<u8>,
    ) -> Result<Program, CompileError> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.compile(lang, &source))
            .await
            .map_err(|e| CompileError::Sandbox(SandboxError::Worker(e.to_string())))?
    }

    /// Runs `program` on `stdin` under `limits` (blocking until a worker has run it).
    pub fn run(
        &self,
        program: &Program,
        stdin: &[u8],
        limits: &Limits,
    ) -> Result<RunReport, SandboxError> {
        let (inner, program, stdin, limits) = self.job_parts(program, stdin, limits);
        self.inner
            .pool
            .run_blocking(move || execute(&inner, &program, stdin, &limits, &Extra::default()))?
    }

    /// Runs `program` on `stdin` under `limits` on the worker pool, asynchronously.
    pub async fn run_async(
        &self,
        program: &Program,
        stdin: &[u8],
        limits: &Limits,
    ) -> Result<RunReport, SandboxError> {
        self.run_extra_async(program, stdin, limits, Extra::default())
            .await
    }

    /// Runs `program` with the host directory `dir` (when given) mounted read-only as the
    /// guest's working directory (relative paths open its files), the way a SandboxFusion
    /// request hands its files to a run. Without `dir` this is [`Sandbox::run_async`].
    pub async fn run_in_dir_async(
        &self,
        program: &Program,
        stdin: &[u8],
        limits: &Limits,
        dir: Option<&Path>,
    ) -> Result<RunReport, SandboxError> {
        let mounts = dir
            .map(|host| {
                vec![Mount {
                    host: host.to_path_buf(),
                    guest: ".".into(),
                    writable: false,
                }]
            })
            .unwrap_or_default();
        let extra = Extra {
            args: Vec::new(),
            mounts,
        };
        self.run_extra_async(program, stdin, limits, extra).await
    }

    /// Runs with extra arguments and mounts (used for checker programs).
    pub(crate) async fn run_extra_async(
        &self,
        program: &Program,
        stdin: &[u8],
        limits: &Limits,
        extra: Extra,
    ) -> Result<RunReport, SandboxError> {
        let (inner, program, stdin, limits) = self.job_parts(program, stdin, limits);
        self.inner
            .pool
            .run(move || execute(&inner, &program, stdin, &limits, &extra))
            .await?
    }

    fn job_parts(
        &self,
        program: &Program,
        stdin: &[u8],
        limits: &Limits,
    ) -> (Arc<Inner>, Program, bytes::Bytes, Limits) {
        (
            Arc::clone(&self.inner),
            program.clone(),
            bytes::Bytes::copy_from_slice(stdin),
            limits.clone(),
        )
    }

    fn compile_native(&self, lang: Language, source: &[u8]) -> Result<Program, CompileError> {
        let toolchain = self.toolchain()?;
        let key = self.cache_key(lang, toolchain.fingerprint(), source);
        let loaded = self.cached_or(&key, || {
            let wasm = toolchain.compile(lang, source)?;
            self.load_module(&wasm)
        })?;
        Ok(Program {
            lang,
            loaded,
            argv: Arc::new(vec!["solution".into()]),
            key: key.into(),
        })
    }

    fn compile_wasm(&self, source: &[u8]) -> Result<Program, CompileError> {
        let key = self.cache_key(Language::Wasm, "", source);
        let loaded = self.cached_or(&key, || self.load_module(source))?;
        Ok(Program {
            lang: Language::Wasm,
            loaded,
            argv: Arc::new(vec!["module".into()]),
            key: key.into(),
        })
    }

    fn compile_python(&self, source: &[u8]) -> Result<Program, CompileError> {
        let text = std::str::from_utf8(source).map_err(|e| CompileError::Rejected {
            diagnostics: format!("source is not valid UTF-8: {e}"),
        })?;
        if text.contains('\0') {
            return Err(CompileError::Rejected {
                diagnostics: "source contains a NUL byte".into(),
            });
        }
        let interpreter = self.python()?;
        let key = self.cache_key(Language::Python, python::PYTHON_WASM_SHA256, source);
        let checker = Program {
            lang: Language::Python,
            loaded: Arc::clone(&interpreter),
            argv: Arc::new(python::argv(python::SYNTAX_CHECK)),
            key: "python-syntax-check".into(),
        };
        let known = lock(&self.inner.programs).get(&key).is_some();
        if !known {
            let limits = Limits {
                time: Duration::from_secs(10),
                ..Limits::default()
            };
            let report = self.run(&checker, source, &limits)?;
            if report.termination != Termination::Exited(0) {
                let mut diagnostics = String::from_utf8_lossy(&report.stderr).into_owned();
                if diagnostics.trim().is_empty() {
                    diagnostics = format!("syntax check {}", report.termination.describe());
                }
                return Err(CompileError::Rejected { diagnostics });
            }
            lock(&self.inner.programs).insert(key.clone(), Arc::clone(&interpreter));
        }
        Ok(Program {
            lang: Language::Python,
            loaded: interpreter,
            argv: Arc::new(python::argv(text)),
            key: key.into(),
        })
    }

    /// The C/C++ toolchain, prepared on first use (and retried after a failure).
    fn toolchain(&self) -> Result<Arc<Toolchain>, SandboxError> {
        let mut slot = lock(&self.inner.toolchain);
        if let Some(tc) = slot.as_ref() {
            return Ok(Arc::clone(tc));
        }
        let tc = Arc::new(Toolchain::prepare(
            self.inner.config.toolchain.clone(),
            &self.inner.config.cache_dir,
        )?);
        *slot = Some(Arc::clone(&tc));
        Ok(tc)
    }

    /// The Python interpreter module, verified and compiled once (then cached on disk).
    fn python(&self) -> Result<Arc<Loaded>, SandboxError> {
        let mut slot = lock(&self.inner.python);
        if let Some(loaded) = slot.as_ref() {
            return Ok(Arc::clone(loaded));
        }
        let path = self.python_path();
        let key = self.cache_key(
            Language::Python,
            "interpreter",
            python::PYTHON_WASM_SHA256.as_bytes(),
        );
        let module = match self.load_from_disk(&key) {
            Some(module) => module,
            None => {
                let bytes = python::load_verified(&path)?;
                let module =
                    Module::new(&self.inner.engine, &bytes).map_err(SandboxError::engine)?;
                self.store_on_disk(&key, &module);
                module
            }
        };
        let loaded = self
            .link(&module)
            .map_err(|e| SandboxError::Engine(e.to_string()))?;
        let loaded = Arc::new(loaded);
        *slot = Some(Arc::clone(&loaded));
        Ok(loaded)
    }

    fn python_path(&self) -> PathBuf {
        self.inner
            .config
            .python_wasm
            .clone()
            .unwrap_or_else(|| python::default_python_path(&self.inner.config.cache_dir))
    }

    /// Looks `key` up in memory, then on disk, else runs `build` and stores the result.
    fn cached_or(
        &self,
        key: &str,
        build: impl FnOnce() -> Result<Module, CompileError>,
    ) -> Result<Arc<Loaded>, CompileError> {
        if let Some(hit) = lock(&self.inner.programs).get(key) {
            self.inner.stats[0].fetch_add(1, Ordering::Relaxed);
            return Ok(hit);
        }
        let module = match self.load_from_disk(key) {
            Some(module) => {
                self.inner.stats[1].fetch_add(1, Ordering::Relaxed);
                module
            }
            None => {
                self.inner.stats[2].fetch_add(1, Ordering::Relaxed);
                let module = build()?;
                self.store_on_disk(key, &module);
                module
            }
        };
        let loaded = Arc::new(self.link(&module)?);
        lock(&self.inner.programs).insert(key.to_string(), Arc::clone(&loaded));
        Ok(loaded)
    }

    /// Validates and compiles wasm bytes (binary or text) with Cranelift.
    fn load_module(&self, wasm: &[u8]) -> Result<Module, CompileError> {
        Module::new(&self.inner.engine, wasm).map_err(|e| {
            let mut diagnostics = format!("invalid WebAssembly module: {e:#}");
            if diagnostics.contains("bulk memory") {
                diagnostics.push_str(
                    "\n(fuel-metered sandboxes refuse bulk-memory operations such as memory.fill \
                     and memory.copy, whose run time fuel cannot meter; build with \
                     -mno-bulk-memory)",
                );
            }
            CompileError::Rejected { diagnostics }
        })
    }

    /// Links a module against our WASI host; unknown imports or a missing `_start` are the
    /// program's fault.
    fn link(&self, module: &Module) -> Result<Loaded, CompileError> {
        if module.get_export("_start").is_none() {
            return Err(CompileError::Rejected {
                diagnostics: "module exports no `_start` function (not a WASI command)".into(),
            });
        }
        let pre =
            self.inner
                .linker
                .instantiate_pre(module)
                .map_err(|e| CompileError::Rejected {
                    diagnostics: format!("module cannot be linked: {e:#}"),
                })?;
        Ok(Loaded { pre })
    }

    fn disk_path(&self, key: &str) -> PathBuf {
        self.inner
            .config
            .cache_dir
            .join("modules")
            .join(format!("{key}.cwasm"))
    }

    fn load_from_disk(&self, key: &str) -> Option<Module> {
        if !self.inner.config.disk_cache {
            return None;
        }
        let path = self.disk_path(key);
        if !path.exists() {
            return None;
        }
        // SAFETY: the file was written by `Module::serialize` of this same wasmtime build into
        // our own cache directory; wasmtime also checks version and configuration compatibility
        // and we fall back to recompiling on any error.
        match unsafe { Module::deserialize_file(&self.inner.engine, &path) } {
            Ok(module) => Some(module),
            Err(e) => {
                tracing::warn!("dropping unusable cached module {}: {e:#}", path.display());
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    fn store_on_disk(&self, key: &str, module: &Module) {
        if !self.inner.config.disk_cache {
            return;
        }
        let path = self.disk_path(key);
        let result = module
            .serialize()
            .map_err(|e| std::io::Error::other(format!("{e:#}")))
            .and_then(|bytes| write_atomic(&path, &bytes));
        if let Err(e) = result {
            tracing::warn!("could not cache module at {}: {e}", path.display());
        }
    }

    fn cache_key(&self, lang: Language, toolchain: &str, source: &[u8]) -> String {
        let digest = Sha256::new()
            .chain_update(b"crucible-sandbox-1\0")
            .chain_update(self.inner.engine_key.as_bytes())
            .chain_update(b"\0")
            .chain_update(lang.name())
            .chain_update(b"\0")
            .chain_update(toolchain)
            .chain_update(b"\0")
            .chain_update(source)
            .finalize();
        hex::encode(&digest[..20])
    }
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

/// Locks a mutex, recovering the data if a holder panicked (our caches stay consistent).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The engine: Cranelift, pooling allocation, and either fuel (metered) or epochs (unmetered).
///
/// A metered engine has no epoch checks: together with fuel's they cost far more than either
/// alone (sieve.cpp in plain wasmtime: 235 ms bare, 260 ms epochs, 273 ms fuel, 356 ms both;
/// `cargo bench -p crucible-sandbox --bench sandbox`). Its wall-clock
/// backstop uses fuel instead: guests run on fibers and yield every [`FUEL_SLICE`]. For that to
/// bound wall time, no operation may take long for little fuel: the bulk-memory operations
/// (`memory.fill` of a gigabyte costs one unit) are turned off — clang 19's output and the
/// Python runtime do not use them — and `random_get` pays per byte ([`FUEL_PER_RANDOM_BYTE`]).
fn build_engine(config: &SandboxConfig, slots: u32) -> Result<Engine, SandboxError> {
    let mut pool = PoolingAllocationConfig::default();
    pool.total_core_instances(slots)
        .total_memories(slots)
        .total_tables(slots)
        .total_stacks(slots)
        .max_memory_size(config.max_memory_bytes as usize)
        .table_elements(1 << 16)
        .max_core_instance_size(16 << 20)
        .linear_memory_keep_resident(64 << 10);
    let mut cfg = Config::new();
    let metered = config.clock == Clock::Fuel;
    cfg.consume_fuel(metered)
        .epoch_interruption(!metered)
        .wasm_bulk_memory(!metered)
        .cranelift_opt_level(OptLevel::Speed)
        .async_stack_size(MAX_WASM_STACK_BYTES + (1 << 20))
        .max_wasm_stack(MAX_WASM_STACK_BYTES)
        .memory_reservation(config.max_memory_bytes.max(4 << 30))
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&cfg).map_err(SandboxError::engine)
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until told to stop.
fn start_epoch_ticker(engine: Engine, stop: Arc<AtomicBool>) -> Result<(), SandboxError> {
    std::thread::Builder::new()
        .name("crucible-epoch".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        })
        .map(|_| ())
        .map_err(|e| SandboxError::Worker(format!("cannot start epoch thread: {e}")))
}

/// Replaces `poll_oneoff` (sleeping) with a refusal: a guest must not hold a worker while
/// consuming no fuel, and judged programs have nothing to wait for. The linker must allow
/// shadowing.
fn disable_sleeping(linker: &mut Linker<Guest>) -> Result<(), SandboxError> {
    const ENOTSUP: i32 = 58;
    linker
        .func_wrap(
            "wasi_snapshot_preview1",
            "poll_oneoff",
            |_: i32, _: i32, _: i32, _: i32| -> i32 { ENOTSUP },
        )
        .map_err(SandboxError::engine)?;
    Ok(())
}

/// Replaces `random_get` with one that charges [`FUEL_PER_RANDOM_BYTE`] (when metered) before
/// filling the buffer from the run's seeded generator, and then looks at the wall clock: charging
/// fuel from the host restarts the guest's fuel slice, so a loop of such calls would otherwise
/// never yield to the backstop. The linker must allow shadowing.
fn meter_random_bytes(linker: &mut Linker<Guest>) -> Result<(), SandboxError> {
    const ERRNO_FAULT: i32 = 21;
    linker
        .func_wrap(
            "wasi_snapshot_preview1",
            "random_get",
            |mut caller: Caller<'_, Guest>, buf: i32, len: i32| -> wasmtime::Result<i32> {
                let (start, len) = (buf as u32 as usize, len as u32 as usize);
                if let Ok(fuel) = caller.get_fuel() {
                    let cost = len as u64 * FUEL_PER_RANDOM_BYTE;
                    if cost > fuel {
                        caller.set_fuel(0)?;
                        return Err(Trap::OutOfFuel.into());
                    }
                    caller.set_fuel(fuel - cost)?;
                }
                let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
                    return Ok(ERRNO_FAULT);
                };
                let (data, guest) = memory.data_and_store_mut(&mut caller);
                match data.get_mut(start..start.saturating_add(len)) {
                    Some(bytes) => {
                        guest.random.fill_bytes(bytes);
                        Ok(0)
                    }
                    None => Ok(ERRNO_FAULT),
                }
                .and_then(|errno| match guest.deadline {
                    Some(deadline) if Instant::now() >= deadline => Err(WallClockExceeded.into()),
                    _ => Ok(errno),
                })
            },
        )
        .map_err(SandboxError::engine)?;
    Ok(())
}

/// A wall clock frozen at [`GUEST_EPOCH_SECS`].
struct FixedWallClock;

impl wasmtime_wasi::HostWallClock for FixedWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }
    fn now(&self) -> Duration {
        Duration::from_secs(GUEST_EPOCH_SECS)
    }
}

/// A monotonic clock that advances one microsecond per reading: deterministic, and a program
/// that waits for time to pass still makes progress (and eventually runs out of fuel).
#[derive(Default)]
struct SteppingClock {
    now: AtomicU64,
}

impl wasmtime_wasi::HostMonotonicClock for SteppingClock {
    fn resolution(&self) -> u64 {
        1_000
    }
    fn now(&self) -> u64 {
        self.now.fetch_add(1_000, Ordering::Relaxed) + 1_000
    }
}

/// A host directory made visible to a (trusted) guest such as a checker program.
#[derive(Debug, Clone)]
pub(crate) struct Mount {
    pub host: PathBuf,
    pub guest: String,
    pub writable: bool,
}

/// Arguments and mounts beyond a program's own; empty for submissions.
#[derive(Debug, Clone, Default)]
pub(crate) struct Extra {
    pub args: Vec<String>,
    pub mounts: Vec<Mount>,
}

/// Runs one program on one input on the current (worker) thread.
fn execute(
    inner: &Inner,
    program: &Program,
    stdin: bytes::Bytes,
    limits: &Limits,
    extra: &Extra,
) -> Result<RunReport, SandboxError> {
    let stdout = CappedPipe::new(limits.output_bytes as usize);
    let stderr = CappedPipe::new(limits.stderr_bytes as usize);
    let mut builder = WasiCtxBuilder::new();
    builder
        .stdin(MemoryInputPipe::new(stdin))
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .args(&program.argv)
        .wall_clock(FixedWallClock)
        .monotonic_clock(SteppingClock::default())
        .secure_random(rand::rngs::StdRng::seed_from_u64(limits.random_seed))
        .insecure_random_seed(u128::from(limits.random_seed))
        .allow_blocking_current_thread(true);
    for arg in &extra.args {
        builder.arg(arg);
    }
    for mount in &extra.mounts {
        let perms = if mount.writable {
            FsPerms::ReadWrite
        } else {
            FsPerms::ReadOnly
        };
        builder
            .preopened_dir(&mount.host, &mount.guest, perms)
            .map_err(|e| {
                SandboxError::Engine(format!("cannot mount {}: {e:#}", mount.host.display()))
            })?;
    }
    let wasi = builder.build_p1();
    let limiter = MemoryLimiter {
        limit: limits.memory_bytes.min(inner.config.max_memory_bytes),
        peak: 0,
        refused: false,
    };
    let random = rand::rngs::StdRng::seed_from_u64(limits.random_seed);
    let mut store = Store::new(
        &inner.engine,
        Guest {
            wasi,
            limiter,
            random,
            deadline: None,
        },
    );
    store.limiter(|g| &mut g.limiter);
    let metered = inner.config.clock == Clock::Fuel;
    let fuel = if metered {
        limits.fuel(program.lang)
    } else {
        0
    };
    let deadline = if metered {
        limits.wall(program.lang)
    } else {
        limits.time
    };
    if metered {
        store.set_fuel(fuel).map_err(SandboxError::engine)?;
        store
            .fuel_async_yield_interval(Some(FUEL_SLICE))
            .map_err(SandboxError::engine)?;
    } else {
        store.set_epoch_deadline(deadline.as_millis() as u64 / EPOCH_TICK.as_millis() as u64 + 1);
    }
    let started = Instant::now();
    if metered {
        store.data_mut().deadline = Some(started + deadline);
    }
    let mut instance = None;
    let result = wasmtime_wasi::runtime::in_tokio(WallDeadline {
        run: Box::pin(run_start(&program.loaded, &mut store, &mut instance)),
        deadline: started + deadline,
    });
    let wall = started.elapsed();
    let used = if metered {
        fuel.saturating_sub(store.get_fuel().unwrap_or(0))
    } else {
        0
    };
    let overflowed = instance.is_some_and(|i| stack_pointer_wrapped(&mut store, i));
    let limiter = &store.data().limiter;
    let mut termination = classify(result, limiter.refused)?;
    if overflowed && matches!(termination, Termination::Trapped(_)) {
        termination = Termination::Trapped(format!(
            "stack overflow (the {} MiB stack is exhausted; out-of-bounds access below address 0)",
            crate::toolchain::STACK_BYTES >> 20
        ));
    }
    Ok(RunReport {
        termination,
        stdout: stdout.contents(),
        stderr: stderr.contents(),
        fuel: used,
        cpu_seconds: if metered {
            Limits::fuel_to_seconds(used, program.lang)
        } else {
            wall.as_secs_f64()
        },
        wall,
        peak_memory: limiter.peak,
    })
}

/// How a run failed: in one of the two places guest code runs (instantiation — start
/// functions, memory set-up — and `_start`), or by outliving its wall-clock backstop.
enum Failure {
    Instantiate(wasmtime::Error),
    Run(wasmtime::Error),
    WallClock,
}

async fn run_start(
    loaded: &Loaded,
    store: &mut Store<Guest>,
    instance_out: &mut Option<wasmtime::Instance>,
) -> Result<(), Failure> {
    let instance = loaded
        .pre
        .instantiate_async(&mut *store)
        .await
        .map_err(Failure::Instantiate)?;
    *instance_out = Some(instance);
    let start = instance
        .get_typed_func::<(), ()>(&mut *store, "_start")
        .map_err(Failure::Run)?;
    start
        .call_async(&mut *store, ())
        .await
        .map_err(Failure::Run)
}

/// A guest run that ends with [`Failure::WallClock`] once `deadline` has passed. The guest
/// yields every [`FUEL_SLICE`] (metered engines), which is when the clock is read; dropping the
/// run then unwinds the guest's fiber.
struct WallDeadline<F> {
    run: std::pin::Pin<Box<F>>,
    deadline: Instant,
}

impl<F: Future<Output = Result<(), Failure>>> Future for WallDeadline<F> {
    type Output = Result<(), Failure>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        match self.run.as_mut().poll(cx) {
            std::task::Poll::Pending if Instant::now() >= self.deadline => {
                std::task::Poll::Ready(Err(Failure::WallClock))
            }
            other => other,
        }
    }
}

/// Whether the C/C++ shadow-stack pointer (exported by our toolchain) has run below zero,
/// i.e. wrapped past the bottom of the stack placed first in linear memory.
fn stack_pointer_wrapped(store: &mut Store<Guest>, instance: wasmtime::Instance) -> bool {
    let Some(global) = instance.get_global(&mut *store, "__stack_pointer") else {
        return false;
    };
    match global.get(&mut *store) {
        wasmtime::Val::I32(sp) => (sp as u32) > crate::toolchain::STACK_BYTES as u32,
        _ => false,
    }
}

/// Maps how guest execution ended to a [`Termination`]; only failures that cannot be the
/// guest's doing become `Err`.
fn classify(
    result: Result<(), Failure>,
    memory_refused: bool,
) -> Result<Termination, SandboxError> {
    let (err, instantiating) = match result {
        Ok(()) => return Ok(Termination::Exited(0)),
        Err(Failure::Instantiate(e)) => (e, true),
        Err(Failure::Run(e)) => (e, false),
        Err(Failure::WallClock) => return Ok(Termination::WallTimeLimit),
    };
    if let Some(exit) = err.downcast_ref::<I32Exit>() {
        return Ok(match exit.0 {
            0 => Termination::Exited(0),
            _ if memory_refused => Termination::MemoryLimit,
            code => Termination::Exited(code),
        });
    }
    if err.downcast_ref::<OutputLimitHit>().is_some() {
        return Ok(Termination::OutputLimit);
    }
    if err.downcast_ref::<WallClockExceeded>().is_some() {
        return Ok(Termination::WallTimeLimit);
    }
    if let Some(trap) = err.downcast_ref::<Trap>() {
        return Ok(match trap {
            Trap::OutOfFuel => Termination::TimeLimit,
            Trap::Interrupt => Termination::WallTimeLimit,
            _ if memory_refused => Termination::MemoryLimit,
            Trap::StackOverflow => Termination::Trapped("stack overflow".into()),
            other => Termination::Trapped(other.to_string()),
        });
    }
    if memory_refused {
        return Ok(Termination::MemoryLimit);
    }
    if instantiating {
        return Err(SandboxError::Engine(format!(
            "instantiation failed: {err:#}"
        )));
    }
    Ok(Termination::Trapped(format!("{err:#}")))
}
