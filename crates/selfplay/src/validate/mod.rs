//! Validating a draft puzzle in the sandbox: the reference compiles and runs on every test
//! within limits, twice with different random seeds and the same outputs; outputs are non-empty
//! and not all identical (tests must discriminate). Expected outputs come from the reference.
//! P3 puzzles: `sat` compiles and rejects trivial answers; a `sol` is kept when `sat(sol())`
//! holds twice, dropped otherwise (the puzzle then stands on solvability, decided by the
//! campaign after the solver's attempts).

mod p3;
mod program_first;
mod runs;
mod stdio;
use crate::SelfplayError;
use crate::config::LimitsConfig;
use crate::puzzle::Draft;
use crate::verdicts::Validation;
use crucible_sandbox::{Language, Sandbox};
use p3::validate_p3;
pub(crate) use p3::{same_puzzle_as, sol_holds};
use program_first::validate_program;
use stdio::validate_stdio;

/// Validates `draft` written in `lang`. A P3 `sol` that does not satisfy its `sat` is removed
/// from the draft (the puzzle then stands on solvability).
pub async fn validate(
    sandbox: &Sandbox,
    draft: &mut Draft,
    lang: Language,
    limits: &LimitsConfig,
) -> Result<Validation, SelfplayError> {
    match draft {
        Draft::Stdio(d) => validate_stdio(sandbox, d, lang, limits).await,
        Draft::P3(d) => validate_p3(sandbox, d, limits).await,
        Draft::Induction(d) | Draft::Deduction(d) | Draft::Abduction(d) => {
            validate_program(sandbox, d, limits).await
        }
    }
}

#[cfg(test)]
mod tests;
