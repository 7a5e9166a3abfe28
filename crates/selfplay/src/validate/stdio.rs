//! Standard-input/output drafts: the reference runs on the explicit and generated inputs, twice
//! with different random seeds, and its outputs must tell programs apart.

use super::runs::{compile, failed_run, reproducible};
use crate::SelfplayError;
use crate::config::LimitsConfig;
use crate::puzzle::StdioDraft;
use crate::verdicts::{PuzzleTest, Reason, Rejection, Validation};
use crucible_sandbox::{Language, Sandbox, Termination};

pub(super) async fn validate_stdio(
    sandbox: &Sandbox,
    draft: &StdioDraft,
    lang: Language,
    config: &LimitsConfig,
) -> Result<Validation, SelfplayError> {
    let reference = match compile(sandbox, lang, &draft.solution).await {
        Ok(p) => p,
        Err(r) => return Ok(Err(r)),
    };
    let inputs = match test_inputs(sandbox, draft, config).await? {
        Ok(inputs) => inputs,
        Err(r) => return Ok(Err(r)),
    };
    let limits = config.limits();
    let mut tests = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let first = sandbox
            .run_async(&reference, input.as_bytes(), &limits)
            .await?;
        if let Some(r) = failed_run(Reason::ReferenceFailed, i, &first) {
            return Ok(Err(r));
        }
        if !reproducible(sandbox, &reference, input.as_bytes(), &limits, &first).await? {
            return Ok(Err(Rejection::new(
                Reason::Nondeterministic,
                format!(
                    "test {}: a second run with another random seed printed something else",
                    i + 1
                ),
            )));
        }
        let expected = String::from_utf8_lossy(&first.stdout).into_owned();
        if expected.len() > config.max_test_bytes {
            return Ok(Err(Rejection::new(
                Reason::OutputTooLarge,
                format!("test {}: {} bytes of output", i + 1, expected.len()),
            )));
        }
        tests.push(PuzzleTest {
            input,
            expected,
            found: false,
        });
    }
    Ok(check_outputs(&tests).map(|()| tests))
}

/// The explicit inputs, then generated ones, distinct, at most `max_tests`.
async fn test_inputs(
    sandbox: &Sandbox,
    draft: &StdioDraft,
    config: &LimitsConfig,
) -> Result<Result<Vec<String>, Rejection>, SelfplayError> {
    let mut inputs: Vec<String> = Vec::new();
    let add = |input: String, inputs: &mut Vec<String>| {
        if input.len() <= config.max_test_bytes
            && inputs.len() < config.max_tests
            && !inputs.contains(&input)
        {
            inputs.push(input);
        }
    };
    for input in &draft.tests {
        add(input.clone(), &mut inputs);
    }
    if let Some(source) = &draft.generator {
        let generator = match sandbox
            .compile_async(Language::Python, source.as_bytes().to_vec())
            .await
        {
            Ok(p) => Some(p),
            Err(e) if inputs.len() < config.min_tests => {
                return Ok(Err(Rejection::new(
                    Reason::GeneratorFailed,
                    e.message(2000),
                )));
            }
            Err(_) => None,
        };
        for i in 0..config.max_tests {
            let Some(generator) = &generator else { break };
            if inputs.len() >= config.max_tests {
                break;
            }
            let run = sandbox
                .run_async(generator, format!("{i}\n").as_bytes(), &config.limits())
                .await?;
            if run.termination != Termination::Exited(0) {
                if inputs.len() < config.min_tests {
                    return Ok(Err(failed_run(Reason::GeneratorFailed, i, &run)
                        .unwrap_or_else(|| {
                            Rejection::new(Reason::GeneratorFailed, "the generator failed")
                        })));
                }
                break;
            }
            add(
                String::from_utf8_lossy(&run.stdout).into_owned(),
                &mut inputs,
            );
        }
    }
    if inputs.len() < config.min_tests {
        return Ok(Err(Rejection::new(
            Reason::TooFewTests,
            format!(
                "{} distinct test inputs, {} needed",
                inputs.len(),
                config.min_tests
            ),
        )));
    }
    Ok(Ok(inputs))
}

/// Outputs must be non-empty and must not all be the same.
fn check_outputs(tests: &[PuzzleTest]) -> Result<(), Rejection> {
    if let Some(i) = tests.iter().position(|t| t.expected.trim().is_empty()) {
        return Err(Rejection::new(
            Reason::EmptyOutput,
            format!("test {}: the reference printed nothing", i + 1),
        ));
    }
    let first = tests
        .first()
        .map(|t| t.expected.split_whitespace().collect::<Vec<_>>());
    if tests.len() > 1
        && tests
            .iter()
            .all(|t| Some(t.expected.split_whitespace().collect::<Vec<_>>()) == first)
    {
        return Err(Rejection::new(
            Reason::ConstantOutput,
            "every test has the same expected output, so the tests cannot tell programs apart",
        ));
    }
    Ok(())
}
