//! A run's host state and the WASI functions we replace: the memory limiter, the seeded
//! `random_get` that charges fuel and watches the wall-clock backstop, the refusal to sleep,
//! a `sched_yield` that does not yield, and the clocks guests see.

use rand::Rng;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use wasmtime::{Caller, Extern, Linker, ResourceLimiter, Trap};
use wasmtime_wasi::p1::WasiP1Ctx;

use crate::SandboxError;

/// Fuel charged per byte `random_get` writes (generating one takes about as long as four
/// wasm operators), so that a guest cannot buy unmetered time with huge random reads.
pub(crate) const FUEL_PER_RANDOM_BYTE: u64 = 4;

/// The fixed wall-clock time guests see: 2024-01-01T00:00:00Z.
const GUEST_EPOCH_SECS: u64 = 1_704_067_200;

/// Per-run host state.
pub(crate) struct Guest {
    pub(crate) wasi: WasiP1Ctx,
    pub(crate) limiter: MemoryLimiter,
    /// The source `random_get` reads (seeded by `Limits::random_seed`).
    pub(crate) random: rand::rngs::StdRng,
    /// When a metered run's wall-clock backstop expires.
    pub(crate) deadline: Option<Instant>,
}

/// A host call noticed that the run outlived its wall-clock backstop.
#[derive(Debug, thiserror::Error)]
#[error("wall-clock backstop exceeded")]
pub(crate) struct WallClockExceeded;

/// Enforces the memory limit and remembers whether it refused a grow and the peak size.
pub(crate) struct MemoryLimiter {
    pub(crate) limit: u64,
    pub(crate) peak: u64,
    pub(crate) refused: bool,
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

/// Replaces `poll_oneoff` (sleeping) with a refusal: a guest must not hold a worker while
/// consuming no fuel, and judged programs have nothing to wait for. The linker must allow
/// shadowing.
pub(crate) fn disable_sleeping(linker: &mut Linker<Guest>) -> Result<(), SandboxError> {
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

/// Replaces `sched_yield` with one that returns at once: yielding the worker's OS thread lets
/// other processes run in the middle of a metered run, so a loop of yields on a loaded machine
/// could spend seconds of wall time between two looks at the backstop. The linker must allow
/// shadowing.
pub(crate) fn disable_yielding(linker: &mut Linker<Guest>) -> Result<(), SandboxError> {
    linker
        .func_wrap("wasi_snapshot_preview1", "sched_yield", || -> i32 { 0 })
        .map_err(SandboxError::engine)?;
    Ok(())
}

/// Replaces `random_get` with one that charges [`FUEL_PER_RANDOM_BYTE`] (when metered) before
/// filling the buffer from the run's seeded generator, and then looks at the wall clock: charging
/// fuel from the host restarts the guest's fuel slice, so a loop of such calls would otherwise
/// never yield to the backstop. The linker must allow shadowing.
pub(crate) fn meter_random_bytes(linker: &mut Linker<Guest>) -> Result<(), SandboxError> {
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
pub(crate) struct FixedWallClock;

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
pub(crate) struct SteppingClock {
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
