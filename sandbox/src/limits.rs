//! Resource limits for one run, and the fuel calibration that turns seconds into fuel.
//!
//! CPU time is measured in *fuel*: wasmtime charges one unit per executed WebAssembly
//! operator, so the same program on the same input uses the same fuel on every machine. A time
//! limit in seconds is converted with a per-language rate measured once on a reference machine
//! (see `BENCHMARKS.md`, "fuel calibration"): a limit of 1 s means "the work a program of that
//! language gets done in 1 s on the reference machine". Wall-clock time is only a backstop
//! against a guest stuck in a host call, set generously so a slow or loaded machine never turns
//! an accepted run into a time-out.

use crate::Language;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Fuel per second for compiled languages (C, C++, raw wasm): the fuel a program burns in the
/// sandbox for each second the same program runs natively (`g++ -O2`) on the reference machine
/// (median over the calibration set; `cargo bench -p crucible-sandbox --bench calibrate`).
pub const FUEL_PER_SECOND_COMPILED: u64 = 12_000_000_000;

/// Fuel per second for Python: the fuel CPython-on-WASI burns for each second the same script
/// runs under native CPython on the reference machine. Python in wasm is several times slower
/// than native, so this rate keeps Python time limits meaning what problem setters intend.
pub const FUEL_PER_SECOND_PYTHON: u64 = 53_000_000_000;

/// Fuel the reference machine's wasmtime executes per wall-clock second (the slowest of the
/// calibration programs); used only to size the wall-clock backstop.
pub const FUEL_PER_WALL_SECOND: u64 = 4_000_000_000;

/// Limits for one run of a program on one input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// CPU time on the calibrated fuel clock.
    #[serde(with = "seconds")]
    pub time: Duration,
    /// Largest linear memory the program may have, in bytes (the 64 MiB stack of C/C++
    /// programs lives inside it, as it does in a native process's address space).
    pub memory_bytes: u64,
    /// Most bytes the program may write to stdout; one more stops it (OutputLimitExceeded).
    pub output_bytes: u64,
    /// Most bytes of stderr kept; writing more also stops the program.
    pub stderr_bytes: u64,
    /// Wall-clock backstop: this multiple of the wall time the fuel budget takes to burn on the
    /// reference machine, plus 2 s.
    pub wall_factor: f64,
    /// Seed of the guest's random sources (`random_get`, Python's hash seed): runs are
    /// reproducible for a fixed seed; running twice with different seeds exposes programs
    /// whose output depends on randomness.
    #[serde(default = "default_random_seed")]
    pub random_seed: u64,
}

/// The seed guests get unless a caller picks another.
pub const DEFAULT_RANDOM_SEED: u64 = 0x00C0_FFEE;

fn default_random_seed() -> u64 {
    DEFAULT_RANDOM_SEED
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time: Duration::from_secs(2),
            memory_bytes: 256 << 20,
            output_bytes: 64 << 20,
            stderr_bytes: 64 << 10,
            wall_factor: 3.0,
            random_seed: DEFAULT_RANDOM_SEED,
        }
    }
}

impl Limits {
    /// The fuel a program of `lang` gets for this time limit.
    pub fn fuel(&self, lang: Language) -> u64 {
        let rate = match lang {
            Language::Python => FUEL_PER_SECOND_PYTHON,
            Language::C | Language::Cpp | Language::Wasm => FUEL_PER_SECOND_COMPILED,
        };
        (self.time.as_secs_f64() * rate as f64).min(u64::MAX as f64 / 2.0) as u64
    }

    /// The wall-clock backstop for a `lang` program under this time limit.
    pub fn wall(&self, lang: Language) -> Duration {
        let burn = self.fuel(lang) as f64 / FUEL_PER_WALL_SECOND as f64;
        Duration::from_secs_f64((burn * self.wall_factor.max(1.0)).min(1e6))
            + Duration::from_secs(2)
    }

    /// Converts fuel used by a `lang` program back into calibrated seconds.
    pub fn fuel_to_seconds(fuel: u64, lang: Language) -> f64 {
        let one_second = Limits {
            time: Duration::from_secs(1),
            ..Limits::default()
        };
        fuel as f64 / one_second.fuel(lang) as f64
    }
}

/// Serde helper: a `Duration` as fractional seconds.
mod seconds {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuel_scales_with_time() {
        let one = Limits {
            time: Duration::from_secs(1),
            ..Limits::default()
        };
        let two = Limits {
            time: Duration::from_secs(2),
            ..Limits::default()
        };
        assert_eq!(two.fuel(Language::Cpp), 2 * one.fuel(Language::Cpp));
        assert!(
            (Limits::fuel_to_seconds(one.fuel(Language::Python), Language::Python) - 1.0).abs()
                < 1e-9
        );
    }

    #[test]
    fn wall_backstop_is_generous() {
        let l = Limits {
            time: Duration::from_millis(100),
            ..Limits::default()
        };
        assert!(l.wall(Language::Cpp) >= Duration::from_millis(2100));
        assert!(l.wall(Language::Python) > l.wall(Language::Cpp));
    }
}

/// What a time limit counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Clock {
    /// Fuel: executed WebAssembly instructions, calibrated to seconds of the reference machine.
    /// Deterministic (the same verdict on any machine, under any load), with a wall-clock
    /// backstop. The default.
    #[default]
    Fuel,
    /// Wall-clock time, enforced by epoch checks: about as fast, but verdicts depend on the
    /// machine and its load, reports carry no fuel, and bulk-memory operations are allowed.
    Wall,
}
