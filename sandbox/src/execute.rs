//! One run of one program: its WASI context and store, its time budget (fuel with a
//! wall-clock backstop, or epochs), and how it ended.

use crate::SandboxError;
use crate::guest::{FixedWallClock, Guest, MemoryLimiter, SteppingClock, WallClockExceeded};
use crate::limits::{Clock, FUEL_PER_WALL_SECOND, Limits};
use crate::pipe::{CappedPipe, OutputLimitHit};
use crate::program::{Loaded, Program};
use crate::verdict::{RunReport, Termination};
use rand::SeedableRng;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use wasmtime::{Engine, Store, Trap};
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

/// How often the wall-clock limit's epoch advances (unmetered sandboxes).
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Fuel between two looks at the wall clock in a metered run (about 1 ms of guest code): the
/// guest yields to the host this often, and the host ends the run once past its backstop.
const FUEL_SLICE: u64 = FUEL_PER_WALL_SECOND / 1000;

/// A host directory made visible to a (trusted) guest such as a checker program.
#[derive(Debug, Clone)]
pub(crate) struct Mount {
    /// The host folder.
    pub host: PathBuf,
    /// Where the guest sees it.
    pub guest: String,
    /// Whether the guest may write there.
    pub writable: bool,
}

/// Arguments and mounts beyond a program's own; empty for submissions.
#[derive(Debug, Clone, Default)]
pub(crate) struct Extra {
    /// Arguments after the program's own.
    pub args: Vec<String>,
    /// Host folders the guest sees.
    pub mounts: Vec<Mount>,
}

/// The engine a run happens in and the sandbox-wide settings it needs.
pub(crate) struct Runner<'a> {
    /// The engine (fuel-metered or epoch-interrupted, as `clock` says).
    pub engine: &'a Engine,
    /// What time limits count.
    pub clock: Clock,
    /// The largest memory any run may have.
    pub max_memory_bytes: u64,
}

/// How a run's time is bounded: fuel, with a wall-clock backstop the guest's fuel slices
/// check; or wall-clock time alone, through the engine's epochs.
enum Budget {
    Fuel { fuel: u64, backstop: Duration },
    Wall { time: Duration },
}

impl Budget {
    fn new(clock: Clock, limits: &Limits, lang: crate::Language) -> Self {
        match clock {
            Clock::Fuel => Budget::Fuel {
                fuel: limits.fuel(lang),
                backstop: limits.wall(lang),
            },
            Clock::Wall => Budget::Wall { time: limits.time },
        }
    }

    /// When the run is ended whatever it is doing, counted from its start.
    fn deadline(&self) -> Duration {
        match self {
            Budget::Fuel { backstop, .. } => *backstop,
            Budget::Wall { time } => *time,
        }
    }

    /// Gives the store its fuel and fuel slices, or its epoch deadline.
    fn arm(&self, store: &mut Store<Guest>, started: Instant) -> Result<(), SandboxError> {
        match self {
            Budget::Fuel { fuel, backstop } => {
                store.set_fuel(*fuel).map_err(SandboxError::engine)?;
                store
                    .fuel_async_yield_interval(Some(FUEL_SLICE))
                    .map_err(SandboxError::engine)?;
                store.data_mut().deadline = Some(started + *backstop);
            }
            Budget::Wall { time } => {
                store.set_epoch_deadline(
                    time.as_millis() as u64 / EPOCH_TICK.as_millis() as u64 + 1,
                );
            }
        }
        Ok(())
    }

    /// Fuel the run consumed (0 without fuel).
    fn used(&self, store: &Store<Guest>) -> u64 {
        match self {
            Budget::Fuel { fuel, .. } => fuel.saturating_sub(store.get_fuel().unwrap_or(0)),
            Budget::Wall { .. } => 0,
        }
    }

    /// The run's CPU time: its fuel in seconds of the language's reference speed, or the
    /// wall-clock time it took.
    fn cpu_seconds(&self, used: u64, wall: Duration, lang: crate::Language) -> f64 {
        match self {
            Budget::Fuel { .. } => Limits::fuel_to_seconds(used, lang),
            Budget::Wall { .. } => wall.as_secs_f64(),
        }
    }
}

/// Runs one program on one input on the current (worker) thread.
pub(crate) fn execute(
    runner: &Runner<'_>,
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
        limit: limits.memory_bytes.min(runner.max_memory_bytes),
        peak: 0,
        refused: false,
    };
    let random = rand::rngs::StdRng::seed_from_u64(limits.random_seed);
    let mut store = Store::new(
        runner.engine,
        Guest {
            wasi,
            limiter,
            random,
            deadline: None,
        },
    );
    store.limiter(|g| &mut g.limiter);
    let budget = Budget::new(runner.clock, limits, program.lang);
    let started = Instant::now();
    budget.arm(&mut store, started)?;
    let mut instance = None;
    let result = wasmtime_wasi::runtime::in_tokio(WallDeadline {
        run: Box::pin(run_start(&program.loaded, &mut store, &mut instance)),
        deadline: started + budget.deadline(),
    });
    let wall = started.elapsed();
    let used = budget.used(&store);
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
        cpu_seconds: budget.cpu_seconds(used, wall, program.lang),
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
