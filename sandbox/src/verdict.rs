//! Verdicts and run reports: what happened to a program, as data.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The judgement of one submission on one test. Never conflated: an internal failure is
/// `SandboxError`, never `WrongAnswer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Verdict {
    /// Ran within limits and the checker accepted the output.
    Accepted,
    /// Ran within limits but the checker rejected the output.
    WrongAnswer,
    /// Used more fuel than the time limit allows (or hit the wall-clock backstop).
    TimeLimitExceeded,
    /// Tried to grow memory past the limit and failed because of it.
    MemoryLimitExceeded,
    /// Wrote more output than allowed.
    OutputLimitExceeded,
    /// Exited with a non-zero code or trapped.
    RuntimeError,
    /// The source did not compile (or the module did not validate or link).
    CompileError,
    /// The test was not run (an earlier test failed and stop-at-first-failure was set).
    Skipped,
    /// The sandbox itself failed; says nothing about the program.
    SandboxError,
}

impl Verdict {
    /// The short code used in contest systems (AC, WA, TLE, ...).
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Accepted => "AC",
            Verdict::WrongAnswer => "WA",
            Verdict::TimeLimitExceeded => "TLE",
            Verdict::MemoryLimitExceeded => "MLE",
            Verdict::OutputLimitExceeded => "OLE",
            Verdict::RuntimeError => "RE",
            Verdict::CompileError => "CE",
            Verdict::Skipped => "SKIP",
            Verdict::SandboxError => "ERR",
        }
    }

    /// Whether this verdict is a pass.
    pub fn is_accepted(self) -> bool {
        self == Verdict::Accepted
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// How a run ended, before any output checking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Termination {
    /// The program exited (returned from `_start` or called `proc_exit`) with this code.
    Exited(i32),
    /// The program trapped (out-of-bounds access, unreachable, stack overflow, ...).
    Trapped(String),
    /// Fuel ran out.
    TimeLimit,
    /// The wall-clock backstop fired (the program was stuck, or the host is overloaded).
    WallTimeLimit,
    /// A memory grow was refused by the limit and the program failed as a result.
    MemoryLimit,
    /// The program wrote past its output cap.
    OutputLimit,
}

impl Termination {
    /// The verdict this termination implies, or `None` when the output must be checked.
    pub fn verdict(&self) -> Option<Verdict> {
        match self {
            Termination::Exited(0) => None,
            Termination::Exited(_) | Termination::Trapped(_) => Some(Verdict::RuntimeError),
            Termination::TimeLimit | Termination::WallTimeLimit => Some(Verdict::TimeLimitExceeded),
            Termination::MemoryLimit => Some(Verdict::MemoryLimitExceeded),
            Termination::OutputLimit => Some(Verdict::OutputLimitExceeded),
        }
    }

    /// A one-line human description.
    pub fn describe(&self) -> String {
        match self {
            Termination::Exited(code) => format!("exited with code {code}"),
            Termination::Trapped(msg) => format!("trapped: {msg}"),
            Termination::TimeLimit => "time limit exceeded (fuel exhausted)".into(),
            Termination::WallTimeLimit => "wall-clock backstop exceeded".into(),
            Termination::MemoryLimit => "memory limit exceeded".into(),
            Termination::OutputLimit => "output limit exceeded".into(),
        }
    }
}

/// Everything observed about one run of a program on one input.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    /// How the run ended.
    pub termination: Termination,
    /// Captured stdout (at most the output cap).
    #[serde(with = "lossy_bytes")]
    pub stdout: Vec<u8>,
    /// Captured stderr (at most the stderr cap).
    #[serde(with = "lossy_bytes")]
    pub stderr: Vec<u8>,
    /// Fuel consumed (deterministic CPU measure).
    pub fuel: u64,
    /// CPU time on the calibrated clock (fuel / rate of the program's language).
    pub cpu_seconds: f64,
    /// Wall time the run took on this machine.
    pub wall: Duration,
    /// Largest linear memory size the program reached, in bytes.
    pub peak_memory: u64,
}

/// Serde helper: bytes as a (lossily decoded) UTF-8 string, which is what reports want.
mod lossy_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(String::deserialize(d)?.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_clean_exit_needs_checking() {
        assert_eq!(Termination::Exited(0).verdict(), None);
        assert_eq!(
            Termination::Exited(3).verdict(),
            Some(Verdict::RuntimeError)
        );
        assert_eq!(
            Termination::TimeLimit.verdict(),
            Some(Verdict::TimeLimitExceeded)
        );
        assert_eq!(
            Termination::MemoryLimit.verdict(),
            Some(Verdict::MemoryLimitExceeded)
        );
        assert_eq!(
            Termination::OutputLimit.verdict(),
            Some(Verdict::OutputLimitExceeded)
        );
    }
}
