//! The sandbox: one wasmtime engine, a worker pool, the toolchains and the module cache.

use crate::cache::{CacheStats, DiskCache, ProgramCache, cache_key, engine_key};
use crate::execute::{EPOCH_TICK, Extra, Mount, Runner, execute};
use crate::guest::{Guest, disable_sleeping, disable_yielding, meter_random_bytes};
use crate::limits::{Clock, Limits};
use crate::pool::{MAX_WASM_STACK_BYTES, WorkerPool};
use crate::program::{Loaded, Program};
use crate::toolchain::{Toolchain, ToolchainConfig};
use crate::verdict::{RunReport, Termination};
use crate::{CompileError, Language, SandboxError, python};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, Linker, Module, OptLevel,
    PoolingAllocationConfig,
};

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
    programs: Mutex<ProgramCache<Loaded>>,
    disk: DiskCache,
    stats: [AtomicU64; 3],
    stop_ticker: Arc<AtomicBool>,
    engine_key: String,
}

impl Inner {
    /// What a run on this sandbox's engine needs.
    fn runner(&self) -> Runner<'_> {
        Runner {
            engine: &self.engine,
            clock: self.config.clock,
            max_memory_bytes: self.config.max_memory_bytes,
        }
    }

    /// The content key of a program in this sandbox's caches.
    fn cache_key(&self, lang: Language, toolchain: &str, source: &[u8]) -> String {
        cache_key(&self.engine_key, lang, toolchain, source)
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop_ticker.store(true, Ordering::Relaxed);
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
        disable_yielding(&mut linker)?;
        meter_random_bytes(&mut linker)?;
        linker.allow_shadowing(false);
        let pool = WorkerPool::new(config.workers)?;
        let stop_ticker = Arc::new(AtomicBool::new(false));
        let metered = config.clock == Clock::Fuel;
        if !metered {
            start_epoch_ticker(engine.clone(), Arc::clone(&stop_ticker))?;
        }
        let engine_key = engine_key(&engine, MAX_WASM_STACK_BYTES, config.max_memory_bytes);
        let programs = ProgramCache::new(config.memory_cache_entries);
        let disk = DiskCache::new(&config.cache_dir, config.disk_cache);
        Ok(Sandbox {
            inner: Arc::new(Inner {
                config,
                engine,
                linker,
                pool,
                toolchain: Mutex::new(None),
                python: Mutex::new(None),
                programs: Mutex::new(programs),
                disk,
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
        self.inner.pool.run_blocking(move || {
            execute(&inner.runner(), &program, stdin, &limits, &Extra::default())
        })?
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
            .run(move || execute(&inner.runner(), &program, stdin, &limits, &extra))
            .await?
    }

    /// Runs `program` on each input in turn in one worker job, handing each report to `judge`,
    /// which returns what to keep and whether to go on. One job for several short runs saves
    /// the per-job hand-offs (task, channel, wake-ups) that otherwise cost as much CPU as a
    /// run of a tiny program.
    pub(crate) async fn run_in_turn<T, F>(
        &self,
        program: &Program,
        inputs: Vec<bytes::Bytes>,
        limits: &Limits,
        judge: F,
    ) -> Result<Vec<T>, SandboxError>
    where
        T: Send + 'static,
        F: Fn(usize, Result<RunReport, SandboxError>) -> (T, bool) + Send + 'static,
    {
        let (inner, program, limits) = (Arc::clone(&self.inner), program.clone(), limits.clone());
        self.inner
            .pool
            .run(move || {
                let runner = inner.runner();
                let mut kept = Vec::with_capacity(inputs.len());
                for (i, input) in inputs.into_iter().enumerate() {
                    let report = execute(&runner, &program, input, &limits, &Extra::default());
                    let (item, go_on) = judge(i, report);
                    kept.push(item);
                    if !go_on {
                        break;
                    }
                }
                kept
            })
            .await
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
        let key = self.inner.cache_key(lang, toolchain.fingerprint(), source);
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
        let key = self.inner.cache_key(Language::Wasm, "", source);
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
        let key = self
            .inner
            .cache_key(Language::Python, python::PYTHON_WASM_SHA256, source);
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
        let key = self.inner.cache_key(
            Language::Python,
            "interpreter",
            python::PYTHON_WASM_SHA256.as_bytes(),
        );
        let module = match self.inner.disk.load(&self.inner.engine, &key) {
            Some(module) => module,
            None => {
                let bytes = python::load_verified(&path)?;
                let module =
                    Module::new(&self.inner.engine, &bytes).map_err(SandboxError::engine)?;
                self.inner.disk.store(&key, &module);
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
        let module = match self.inner.disk.load(&self.inner.engine, key) {
            Some(module) => {
                self.inner.stats[1].fetch_add(1, Ordering::Relaxed);
                module
            }
            None => {
                self.inner.stats[2].fetch_add(1, Ordering::Relaxed);
                let module = build()?;
                self.inner.disk.store(key, &module);
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
}

/// Locks a mutex, recovering the data if a holder panicked (our caches stay consistent).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// How a freed linear memory is made ready for the next run: with Linux's `PAGEMAP_SCAN`
/// (kernel 6.7+), wasmtime finds the pages the run wrote and resets up to
/// [`SCANNED_KEEP_RESIDENT`] bytes of them in place; without it, it `memset`s the lowest
/// [`PLAIN_KEEP_RESIDENT`] bytes and `madvise`s the rest away.
///
/// A C/C++ program's stack sits first in its memory (64 MiB, growing down) and its data and heap
/// after it, so a tiny run writes a few pages near the 64 MiB mark, never the lowest bytes.
/// Without the scan every such run faults its pages back in and every reset flushes the TLB of
/// each core that runs a worker, which kept a second worker from judging more (BENCHMARKS.md,
/// "Judge workers"). With it, a run that wrote at most 2 MiB leaves nothing to `madvise`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MemoryReset {
    /// `PAGEMAP_SCAN`: reset the written pages, wherever they are.
    Scanned,
    /// `memset` the lowest bytes, `madvise` the rest.
    Plain,
}

/// Written bytes of a freed memory reset in place when the kernel can find them.
const SCANNED_KEEP_RESIDENT: usize = 2 << 20;
/// Lowest bytes of a freed memory reset in place otherwise (more costs more `memset` than the
/// `madvise` it saves: BENCHMARKS.md, "Judge workers").
const PLAIN_KEEP_RESIDENT: usize = 256 << 10;

impl MemoryReset {
    /// The preferred policy: `Scanned`, unless `CRUCIBLE_PAGEMAP_SCAN=0` asks for the plain one
    /// (for A/B measurements).
    fn preferred() -> MemoryReset {
        if std::env::var("CRUCIBLE_PAGEMAP_SCAN").is_ok_and(|v| v == "0") {
            MemoryReset::Plain
        } else {
            MemoryReset::Scanned
        }
    }
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
    let preferred = MemoryReset::preferred();
    match engine_with(config, slots, preferred) {
        // A kernel without `PAGEMAP_SCAN` refuses the scanned policy: fall back to the plain one.
        Err(_) if preferred == MemoryReset::Scanned => {
            engine_with(config, slots, MemoryReset::Plain)
        }
        built => built,
    }
}

/// [`build_engine`] with one way of resetting freed memories.
fn engine_with(
    config: &SandboxConfig,
    slots: u32,
    reset: MemoryReset,
) -> Result<Engine, SandboxError> {
    let (keep_resident, pagemap_scan) = match reset {
        MemoryReset::Scanned => (SCANNED_KEEP_RESIDENT, Enabled::Yes),
        MemoryReset::Plain => (PLAIN_KEEP_RESIDENT, Enabled::No),
    };
    let mut pool = PoolingAllocationConfig::default();
    pool.total_core_instances(slots)
        .total_memories(slots)
        .total_tables(slots)
        .total_stacks(slots)
        .max_memory_size(config.max_memory_bytes as usize)
        .table_elements(1 << 16)
        .max_core_instance_size(16 << 20)
        .linear_memory_keep_resident(keep_resident)
        .table_keep_resident(64 << 10)
        .async_stack_keep_resident(64 << 10)
        .pagemap_scan(pagemap_scan);
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
