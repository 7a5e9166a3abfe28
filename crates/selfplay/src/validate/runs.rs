//! Sandbox runs shared by every kind of draft: compiling, the second run with another random
//! seed, and the rejection for a run that did not exit cleanly.

use crate::SelfplayError;
use crate::verdicts::{Reason, Rejection};
use crucible_sandbox::{Language, Limits, Program, Sandbox, Termination};

/// Second seed for the determinism run.
const OTHER_SEED: u64 = 0x5EED_0002;

/// Whether `program` run again on `input` with another random seed exits cleanly and prints
/// what its `first` run printed.
pub(super) async fn reproducible(
    sandbox: &Sandbox,
    program: &Program,
    input: &[u8],
    limits: &Limits,
    first: &crucible_sandbox::RunReport,
) -> Result<bool, SelfplayError> {
    let other = Limits {
        random_seed: OTHER_SEED,
        ..limits.clone()
    };
    let second = sandbox.run_async(program, input, &other).await?;
    Ok(second.termination == Termination::Exited(0) && second.stdout == first.stdout)
}

pub(super) async fn compile(
    sandbox: &Sandbox,
    lang: Language,
    source: &str,
) -> Result<Program, Rejection> {
    sandbox
        .compile_async(lang, source.as_bytes().to_vec())
        .await
        .map_err(|e| Rejection::new(Reason::ReferenceCompileError, e.message(2000)))
}

/// A rejection when a run did not exit cleanly.
pub(super) fn failed_run(
    reason: Reason,
    test: usize,
    run: &crucible_sandbox::RunReport,
) -> Option<Rejection> {
    if run.termination == Termination::Exited(0) {
        return None;
    }
    let stderr = String::from_utf8_lossy(&run.stderr);
    let tail: String = stderr
        .chars()
        .rev()
        .take(600)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    Some(Rejection::new(
        reason,
        format!(
            "test {}: {}\n{}",
            test + 1,
            run.termination.describe(),
            tail.trim()
        ),
    ))
}
