//! Program-first drafts: the gate on banned uses, `f` run on each input, inputs the sandbox
//! finds when the proposer's calls were too few or gave too few distinct results, and the
//! distinct-results check.

use super::runs::{compile, failed_run, reproducible};
use crate::SelfplayError;
use crate::config::LimitsConfig;
use crate::program::{
    MIN_DISTINCT_OUTPUTS, MIN_INPUTS, ProgramDraft, banned_use, finder, found_pairs, runner,
};
use crate::verdicts::{PuzzleTest, Reason, Rejection, Validation};
use crucible_sandbox::{Language, Limits, Sandbox, Termination};

/// A program-first draft: no banned import or call; `f` runs on each input (inputs that fail
/// or return something that is not a literal are dropped; at least [`MIN_INPUTS`] must
/// remain), twice with different random seeds and the same result; at least
/// [`MIN_DISTINCT_OUTPUTS`] distinct results; a mutation must not return what its seed returns
/// on every input. The tests are (arguments, `repr` of the result).
pub(super) async fn validate_program(
    sandbox: &Sandbox,
    draft: &ProgramDraft,
    config: &LimitsConfig,
) -> Result<Validation, SelfplayError> {
    if let Some(what) = banned_use(&draft.code) {
        return Ok(Err(Rejection::new(
            Reason::BannedCall,
            format!("the program {what}"),
        )));
    }
    let program = match compile(sandbox, Language::Python, &runner(&draft.code)).await {
        Ok(p) => p,
        Err(r) => return Ok(Err(r)),
    };
    let limits = config.limits();
    let mut tests = Vec::new();
    let mut first_failure = None;
    for (i, input) in draft.inputs.iter().take(config.max_tests).enumerate() {
        let first = sandbox
            .run_async(&program, input.as_bytes(), &limits)
            .await?;
        if let Some(r) = failed_run(Reason::ReferenceFailed, i, &first) {
            first_failure.get_or_insert(r);
            continue;
        }
        if !reproducible(sandbox, &program, input.as_bytes(), &limits, &first).await? {
            return Ok(Err(Rejection::new(
                Reason::Nondeterministic,
                format!(
                    "f({input}): a second run with another random seed returned something else"
                ),
            )));
        }
        let stdout = String::from_utf8_lossy(&first.stdout);
        let expected = stdout
            .trim_end()
            .rsplit('\n')
            .next()
            .unwrap_or("")
            .to_string();
        if expected.len() <= config.max_test_bytes {
            tests.push(PuzzleTest {
                input: input.clone(),
                expected,
                found: false,
            });
        }
    }
    if tests.len() < MIN_INPUTS || distinct_outputs(&tests) < MIN_DISTINCT_OUTPUTS {
        match find_inputs(sandbox, draft, config, &limits).await? {
            Ok(found) => tests = merged(tests, found, config.max_tests),
            Err(r) => return Ok(Err(r)),
        }
    }
    if tests.len() < MIN_INPUTS {
        return Ok(Err(match first_failure {
            Some(r) if tests.is_empty() => r,
            _ => Rejection::new(
                Reason::TooFewTests,
                format!(
                    "{} of {} inputs ran (at least {MIN_INPUTS} must)",
                    tests.len(),
                    draft.inputs.len().min(config.max_tests)
                ),
            ),
        }));
    }
    let distinct = distinct_outputs(&tests);
    if distinct < MIN_DISTINCT_OUTPUTS {
        return Ok(Err(Rejection::new(
            Reason::FewDistinctOutputs,
            format!(
                "{distinct} distinct results on {} inputs (at least {MIN_DISTINCT_OUTPUTS} needed)",
                tests.len()
            ),
        )));
    }
    if let Some(parent) = &draft.parent
        && same_as_parent(sandbox, parent, &tests, &limits).await?
    {
        return Ok(Err(Rejection::new(
            Reason::CopiedParent,
            format!(
                "returns what the seed it was to vary returns on all {} inputs",
                tests.len()
            ),
        )));
    }
    Ok(Ok(tests))
}

/// Whether the seed program a mutation was to vary returns the expected result of every test:
/// the same function written anew (a seed that fails on an input, or does not run, differs).
async fn same_as_parent(
    sandbox: &Sandbox,
    parent: &str,
    tests: &[PuzzleTest],
    limits: &Limits,
) -> Result<bool, SelfplayError> {
    let Ok(program) = compile(sandbox, Language::Python, &runner(parent)).await else {
        return Ok(false);
    };
    for test in tests {
        let run = sandbox
            .run_async(&program, test.input.as_bytes(), limits)
            .await?;
        let stdout = String::from_utf8_lossy(&run.stdout);
        let last = stdout.trim_end().rsplit('\n').next().unwrap_or("");
        if run.termination != Termination::Exited(0) || last != test.expected {
            return Ok(false);
        }
    }
    Ok(true)
}

/// How many different results `tests` expect.
fn distinct_outputs(tests: &[PuzzleTest]) -> usize {
    let mut distinct: Vec<&str> = tests.iter().map(|t| t.expected.as_str()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len()
}

/// The proposer's tests and the found ones together, at most `max` and no input twice: first
/// every test that expects a result not seen before (the proposer's, then the found ones), then
/// the rest in the same order — so a proposer whose calls all returned the same few values
/// keeps them, and the found inputs bring the other results.
fn merged(own: Vec<PuzzleTest>, found: Vec<PuzzleTest>, max: usize) -> Vec<PuzzleTest> {
    let all: Vec<PuzzleTest> = own.into_iter().chain(found).collect();
    let mut new_result = vec![false; all.len()];
    for (i, test) in all.iter().enumerate() {
        new_result[i] = !all[..i].iter().any(|t| t.expected == test.expected);
    }
    let order = (0..all.len())
        .filter(|&i| new_result[i])
        .chain((0..all.len()).filter(|&i| !new_result[i]));
    let mut tests: Vec<PuzzleTest> = Vec::new();
    for i in order {
        if tests.len() < max && !tests.iter().any(|t| t.input == all[i].input) {
            tests.push(all[i].clone());
        }
    }
    tests
}

/// Inputs the sandbox finds for `f` ([`finder`]) from the proposer's own calls and then from
/// `f`'s signature, twice with different random seeds and the
/// same results; a finder that fails finds nothing.
async fn find_inputs(
    sandbox: &Sandbox,
    draft: &ProgramDraft,
    config: &LimitsConfig,
    limits: &Limits,
) -> Result<Result<Vec<PuzzleTest>, Rejection>, SelfplayError> {
    let Ok(program) = compile(
        sandbox,
        Language::Python,
        &finder(&draft.code, &draft.inputs),
    )
    .await
    else {
        return Ok(Ok(Vec::new()));
    };
    let first = sandbox.run_async(&program, b"", limits).await?;
    if first.termination != Termination::Exited(0) {
        return Ok(Ok(Vec::new()));
    }
    if !reproducible(sandbox, &program, b"", limits, &first).await? {
        return Ok(Err(Rejection::new(
            Reason::Nondeterministic,
            "a second run with another random seed returned something else",
        )));
    }
    Ok(Ok(found_pairs(&String::from_utf8_lossy(&first.stdout))
        .into_iter()
        .filter(|(input, expected)| {
            input.len() <= config.max_test_bytes && expected.len() <= config.max_test_bytes
        })
        .map(|(input, expected)| PuzzleTest {
            input,
            expected,
            found: true,
        })
        .collect()))
}
