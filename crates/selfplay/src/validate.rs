//! Validating a draft puzzle in the sandbox: the reference compiles and runs on every test
//! within limits, twice with different random seeds and the same outputs; outputs are non-empty
//! and not all identical (tests must discriminate). Expected outputs come from the reference.
//! P3 puzzles: `sat` compiles and rejects trivial answers; a `sol` is kept when `sat(sol())`
//! holds twice, dropped otherwise (the puzzle then stands on solvability, decided by the
//! campaign after the solver's attempts).

use crate::SelfplayError;
use crate::config::LimitsConfig;
use crate::program::{
    MIN_DISTINCT_OUTPUTS, MIN_INPUTS, ProgramDraft, banned_use, finder, found_pairs, runner,
};
use crate::puzzle::{Draft, P3Draft, StdioDraft};
use crucible_sandbox::{Language, Limits, Program, Sandbox, Termination};
use serde::{Deserialize, Serialize};

/// One test of a validated puzzle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PuzzleTest {
    /// Standard input.
    pub input: String,
    /// The reference's output.
    pub expected: String,
    /// Program-first: the sandbox found this input (the proposer wrote too few that run).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub found: bool,
}

/// Why a draft was rejected by the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Machine-readable reason (counted in reports).
    pub reason: &'static str,
    /// What exactly happened.
    pub detail: String,
}

impl Rejection {
    /// A rejection for `reason`.
    pub fn new(reason: &'static str, detail: impl Into<String>) -> Self {
        Rejection {
            reason,
            detail: detail.into(),
        }
    }
}

/// The sandbox's verdict on a draft: its tests, or why it is rejected.
pub type Validation = Result<Vec<PuzzleTest>, Rejection>;

/// Second seed for the determinism run.
const OTHER_SEED: u64 = 0x5EED_0002;

/// Whether `program` run again on `input` with another random seed exits cleanly and prints
/// what its `first` run printed.
async fn reproducible(
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

async fn compile(sandbox: &Sandbox, lang: Language, source: &str) -> Result<Program, Rejection> {
    sandbox
        .compile_async(lang, source.as_bytes().to_vec())
        .await
        .map_err(|e| Rejection::new("reference_compile_error", e.message(2000)))
}

async fn validate_stdio(
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
        if let Some(r) = failed_run("reference_failed", i, &first) {
            return Ok(Err(r));
        }
        if !reproducible(sandbox, &reference, input.as_bytes(), &limits, &first).await? {
            return Ok(Err(Rejection::new(
                "nondeterministic",
                format!(
                    "test {}: a second run with another random seed printed something else",
                    i + 1
                ),
            )));
        }
        let expected = String::from_utf8_lossy(&first.stdout).into_owned();
        if expected.len() > config.max_test_bytes {
            return Ok(Err(Rejection::new(
                "output_too_large",
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

/// A program-first draft: no banned import or call; `f` runs on each input (inputs that fail
/// or return something that is not a literal are dropped; at least [`MIN_INPUTS`] must
/// remain), twice with different random seeds and the same result; at least
/// [`MIN_DISTINCT_OUTPUTS`] distinct results. The tests are (arguments, `repr` of the result).
async fn validate_program(
    sandbox: &Sandbox,
    draft: &ProgramDraft,
    config: &LimitsConfig,
) -> Result<Validation, SelfplayError> {
    if let Some(what) = banned_use(&draft.code) {
        return Ok(Err(Rejection::new(
            "banned_call",
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
        if let Some(r) = failed_run("reference_failed", i, &first) {
            first_failure.get_or_insert(r);
            continue;
        }
        if !reproducible(sandbox, &program, input.as_bytes(), &limits, &first).await? {
            return Ok(Err(Rejection::new(
                "nondeterministic",
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
    if tests.len() < MIN_INPUTS {
        match find_inputs(sandbox, draft, config, &limits).await? {
            Ok(found) => {
                for test in found {
                    if tests.len() < config.max_tests
                        && !tests.iter().any(|t| t.input == test.input)
                    {
                        tests.push(test);
                    }
                }
            }
            Err(r) => return Ok(Err(r)),
        }
    }
    if tests.len() < MIN_INPUTS {
        return Ok(Err(match first_failure {
            Some(r) if tests.is_empty() => r,
            _ => Rejection::new(
                "too_few_tests",
                format!(
                    "{} of {} inputs ran (at least {MIN_INPUTS} must)",
                    tests.len(),
                    draft.inputs.len().min(config.max_tests)
                ),
            ),
        }));
    }
    let mut distinct: Vec<&str> = tests.iter().map(|t| t.expected.as_str()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < MIN_DISTINCT_OUTPUTS {
        return Ok(Err(Rejection::new(
            "few_distinct_outputs",
            format!(
                "{} distinct results on {} inputs (at least {MIN_DISTINCT_OUTPUTS} needed)",
                distinct.len(),
                tests.len()
            ),
        )));
    }
    Ok(Ok(tests))
}

/// Inputs the sandbox finds for `f` ([`finder`]), twice with different random seeds and the
/// same results; a finder that fails finds nothing.
async fn find_inputs(
    sandbox: &Sandbox,
    draft: &ProgramDraft,
    config: &LimitsConfig,
    limits: &Limits,
) -> Result<Result<Vec<PuzzleTest>, Rejection>, SelfplayError> {
    let Ok(program) = compile(sandbox, Language::Python, &finder(&draft.code)).await else {
        return Ok(Ok(Vec::new()));
    };
    let first = sandbox.run_async(&program, b"", limits).await?;
    if first.termination != Termination::Exited(0) {
        return Ok(Ok(Vec::new()));
    }
    if !reproducible(sandbox, &program, b"", limits, &first).await? {
        return Ok(Err(Rejection::new(
            "nondeterministic",
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
                return Ok(Err(Rejection::new("generator_failed", e.message(2000))));
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
                    return Ok(Err(failed_run("generator_failed", i, &run).unwrap_or_else(
                        || Rejection::new("generator_failed", "the generator failed"),
                    )));
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
            "too_few_tests",
            format!(
                "{} distinct test inputs, {} needed",
                inputs.len(),
                config.min_tests
            ),
        )));
    }
    Ok(Ok(inputs))
}

/// A rejection when a run did not exit cleanly.
fn failed_run(
    reason: &'static str,
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

/// Outputs must be non-empty and must not all be the same.
fn check_outputs(tests: &[PuzzleTest]) -> Result<(), Rejection> {
    if let Some(i) = tests.iter().position(|t| t.expected.trim().is_empty()) {
        return Err(Rejection::new(
            "empty_output",
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
            "constant_output",
            "every test has the same expected output, so the tests cannot tell programs apart",
        ));
    }
    Ok(())
}

/// Answers that no interesting `sat` accepts.
/// Python that sets `__cands` to the trivial answers tried against a proposed `sat` (whose
/// source it reads from stdin): the integers −10…100, short strings and lists, other small
/// constants, and every literal in `sat`'s own source (`return s == "abc"` gives its answer
/// away), as the P3 paper's check against puzzles with a given answer.
const TRIVIAL_ANSWERS: &str = r#"import ast, sys
__cands = list(range(-10, 101)) + ['', ' ', 'a', 'b', 'z', 'ab', 'abc', 'hello', 'world', '0', '1']
__cands += [[], [0], [1], [0, 1], [1, 2], [1, 2, 3], [''], ['a'], [[]], (), {}, set(), None, True, False, 0.0, 0.5, 1.0, -1.0]
for __node in ast.walk(ast.parse(sys.stdin.read())):
    if isinstance(__node, (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.UnaryOp)):
        try:
            __value = ast.literal_eval(__node)
        except Exception:
            continue
        __cands.append(__value)
        if isinstance(__value, (tuple, set)):
            __cands.append(list(__value))
"#;

/// A P3 puzzle needs no reference: `sat` must compile and reject the trivial answers. A
/// `sol` that satisfies it (twice, with two random seeds) is kept as the reference; one that
/// does not is dropped, and the puzzle then stands on solvability — valid once one of the
/// solver's attempts satisfies `sat` (the campaign rejects it as `unsolved` otherwise).
async fn validate_p3(
    sandbox: &Sandbox,
    draft: &mut P3Draft,
    config: &LimitsConfig,
) -> Result<Validation, SelfplayError> {
    let header = "from typing import *\nimport math\n";
    if let Err(r) = compile(sandbox, Language::Python, &format!("{header}{}", draft.sat)).await {
        return Ok(Err(r));
    }
    let limits = config.limits();
    if let Some(sol) = &draft.sol
        && !reference_holds(sandbox, &draft.sat, sol, &limits).await?
    {
        draft.sol = None;
    }
    if let Some(answer) = trivial_answer(sandbox, draft, &limits).await? {
        return Ok(Err(Rejection::new(
            "trivial_sat",
            format!("sat accepts the trivial answer {answer}"),
        )));
    }
    Ok(Ok(Vec::new()))
}

/// Whether `sat(sol())` is `True`, with the same answer under another random seed.
async fn reference_holds(
    sandbox: &Sandbox,
    sat: &str,
    sol: &str,
    limits: &Limits,
) -> Result<bool, SelfplayError> {
    let program = format!(
        "from typing import *\nimport math\n{sat}\n{sol}\n__answer = sol()\nassert sat(__answer) is True, 'sat(sol()) is not True'\nprint(repr(__answer))\n"
    );
    let Ok(compiled) = compile(sandbox, Language::Python, &program).await else {
        return Ok(false);
    };
    let first = sandbox.run_async(&compiled, b"", limits).await?;
    if failed_run("reference_failed", 0, &first).is_some() {
        return Ok(false);
    }
    reproducible(sandbox, &compiled, b"", limits, &first).await
}

/// A trivial value `sat` accepts, if any (a crash or timeout here means none).
async fn trivial_answer(
    sandbox: &Sandbox,
    draft: &P3Draft,
    limits: &Limits,
) -> Result<Option<String>, SelfplayError> {
    let program = format!(
        "from typing import *\nimport math\n{}\n{TRIVIAL_ANSWERS}for __x in __cands:\n    try:\n        if sat(__x) is True:\n            print(repr(__x)[:80])\n            break\n    except Exception:\n        pass\n",
        draft.sat
    );
    let Ok(compiled) = sandbox
        .compile_async(Language::Python, program.into_bytes())
        .await
    else {
        return Ok(None);
    };
    let run = sandbox
        .run_async(&compiled, draft.sat.as_bytes(), limits)
        .await?;
    let out = String::from_utf8_lossy(&run.stdout).trim().to_string();
    Ok((run.termination == Termination::Exited(0) && !out.is_empty()).then_some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stdio(solution: &str, tests: &[&str], generator: Option<&str>) -> Draft {
        Draft::Stdio(StdioDraft {
            title: "t".into(),
            statement: "s".into(),
            solution: solution.into(),
            tests: tests.iter().map(|t| t.to_string()).collect(),
            generator: generator.map(str::to_string),
        })
    }

    fn reason(sandbox: &Sandbox, draft: &Draft) -> Option<&'static str> {
        checked(sandbox, draft).0
    }

    /// The rejection reason (if any) and the draft as validation left it.
    fn checked(sandbox: &Sandbox, draft: &Draft) -> (Option<&'static str>, Draft) {
        let mut draft = draft.clone();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let reason = rt
            .block_on(validate(
                sandbox,
                &mut draft,
                Language::Python,
                &LimitsConfig::default(),
            ))
            .expect("sandbox works")
            .err()
            .map(|r| r.reason);
        (reason, draft)
    }

    fn one_worker_sandbox() -> Sandbox {
        Sandbox::new(crucible_sandbox::SandboxConfig {
            workers: 1,
            ..Default::default()
        })
        .unwrap()
    }

    fn program(code: &str, inputs: &[&str]) -> Draft {
        Draft::Induction(ProgramDraft {
            description: "d".into(),
            code: code.into(),
            inputs: inputs.iter().map(|i| i.to_string()).collect(),
            parent: None,
        })
    }

    fn run<T>(future: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn program_first_gates_name_each_failure_and_drop_crashing_inputs() {
        let sandbox = one_worker_sandbox();
        let square = "def f(x):\n    return x * x\n";
        let ten: Vec<String> = (1..=10).map(|i| i.to_string()).collect();
        let ten: Vec<&str> = ten.iter().map(String::as_str).collect();
        // Inputs that crash (a string squared, a call that is not a literal) are dropped.
        let mut with_bad = ten.clone();
        with_bad.splice(2..2, ["'a'", "__import__('os')", "[1, 2]"]);
        let draft = program(square, &with_bad[..10]);
        let tests = run(validate(
            &sandbox,
            &mut draft.clone(),
            Language::Python,
            &LimitsConfig::default(),
        ))
        .expect("sandbox works")
        .expect("valid");
        assert_eq!(tests.len(), 7, "{tests:?}");
        assert_eq!(
            (tests[0].input.as_str(), tests[0].expected.as_str()),
            ("1", "1")
        );
        assert_eq!(tests[6].expected, "49");
        assert_eq!(reason(&sandbox, &program(square, &ten)), None);
        assert_eq!(
            reason(
                &sandbox,
                &program("import time\ndef f(x):\n    return x", &ten)
            ),
            Some("banned_call")
        );
        assert_eq!(
            reason(
                &sandbox,
                &program("def f(x):\n    return hash(str(x)) % 1000", &ten)
            ),
            Some("nondeterministic")
        );
        assert_eq!(
            reason(&sandbox, &program("def f(x):\n    return x % 2", &ten)),
            Some("few_distinct_outputs")
        );
        // Too few calls (or none): the sandbox finds inputs from f's signature.
        let found = run(validate(
            &sandbox,
            &mut program(
                "def f(words: list, k):\n    return [w * k for w in words]",
                &[],
            ),
            Language::Python,
            &LimitsConfig::default(),
        ))
        .expect("sandbox works")
        .expect("valid");
        assert!(
            found.len() >= 5 && found.iter().all(|t| t.found),
            "{found:?}"
        );
        assert!(found[2].input.starts_with('['), "{found:?}");
        let some = run(validate(
            &sandbox,
            &mut program(square, &ten[..2]),
            Language::Python,
            &LimitsConfig::default(),
        ))
        .expect("sandbox works")
        .expect("valid");
        assert_eq!((some[0].found, some[2].found), (false, true));
        // A function no found input suits is still rejected.
        assert_eq!(
            reason(
                &sandbox,
                &program("def f(x):\n    assert x == 17\n    return x", &[])
            ),
            Some("too_few_tests")
        );
        assert_eq!(
            reason(&sandbox, &program("def f(x):\n    return x +", &ten)),
            Some("reference_compile_error")
        );
        // A result that is not a literal (an object) does not make a test.
        assert_eq!(
            reason(&sandbox, &program("def f(x):\n    return object()", &ten)),
            Some("reference_failed")
        );
    }

    #[test]
    fn the_built_in_program_examples_are_valid_puzzles() {
        let sandbox = one_worker_sandbox();
        for draft in crate::program::example_drafts() {
            let tests = run(validate(
                &sandbox,
                &mut Draft::Induction(draft.clone()),
                Language::Python,
                &LimitsConfig::default(),
            ))
            .expect("sandbox works");
            assert_eq!(tests.map(|t| t.len()).ok(), Some(10), "{}", draft.code);
        }
    }

    #[test]
    fn program_first_tasks_judge_right_and_wrong_answers() {
        use crate::judge::{Attempt, judge_attempts};
        use crate::program::{abduction_problem, deduction_problem, induction_problem};
        let sandbox = one_worker_sandbox();
        let code = "def f(s, k):\n    return s[k:] + s[:k]\n";
        let inputs = [
            "'abcde', 1",
            "'abcde', 2",
            "'hello', 3",
            "'xy', 1",
            "'rust', 0",
            "'python', 4",
            "'aab', 1",
            "'zz', 1",
        ];
        let Draft::Induction(draft) = program(code, &inputs) else {
            unreachable!()
        };
        let tests = run(validate(
            &sandbox,
            &mut Draft::Induction(draft.clone()),
            Language::Python,
            &LimitsConfig::default(),
        ))
        .expect("sandbox works")
        .expect("valid");
        let verdicts = |problem: &crucible_problems::Problem, answers: &[&str]| -> Vec<bool> {
            let attempts = answers
                .iter()
                .enumerate()
                .map(|(i, a)| Attempt {
                    idx: i as u32,
                    reply: a.to_string(),
                    code: Some(a.to_string()),
                })
                .collect();
            run(judge_attempts(
                &sandbox,
                None,
                problem,
                Language::Python,
                LimitsConfig::default().limits(),
                attempts,
            ))
            .expect("judged")
            .iter()
            .map(|a| a.verdict == "AC")
            .collect()
        };
        let induction = induction_problem("i", &draft, &tests);
        assert_eq!(
            verdicts(
                &induction,
                &[
                    "def f(s, k):\n    return s[k:] + s[:k]",
                    "def f(s, k):\n    return s[::-1]",
                ]
            ),
            vec![true, false]
        );
        // The middle test is 'rust', 0 → 'rust'; any arguments giving 'rust' are right. The
        // arguments are read as literals and the proposer's f applied to them: restating f is
        // harmless, redefining it changes nothing, computed arguments are not an answer.
        let abduction = abduction_problem("a", &draft, &tests);
        assert_eq!(
            verdicts(
                &abduction,
                &[
                    "f('rust', 0)",
                    "print(f('trus', 1))",
                    "def f(s, k):\n    return s[k:] + s[:k]\n\nresult = f(s='rust', k=4)",
                    "f('rust', 1)",
                    "def f(s, k):\n    return 'rust'\n\nf('x', 1)",
                    "f('ru' + 'st', 0)",
                    "sol()",
                ]
            ),
            vec![true, true, true, false, false, false, false]
        );
        // The test a third of the way in is 'hello', 3 → 'lohel'. The answer is read as a
        // literal: a call of f (which would compute it) is not an answer.
        let deduction = deduction_problem("d", &draft, &tests);
        assert_eq!(
            verdicts(
                &deduction,
                &[
                    "answer = 'lohel'",
                    "'lohel'",
                    "answer = 'hello'",
                    "def f(s, k):\n    return s[k:] + s[:k]\nanswer = f('hello', 3)",
                ]
            ),
            vec![true, true, false, false]
        );
    }

    #[test]
    fn accepts_good_puzzles_and_names_each_failure() {
        let sandbox = one_worker_sandbox();
        let double = "print(2 * int(input()))";
        assert_eq!(
            reason(&sandbox, &stdio(double, &["1\n", "2\n", "3\n"], None)),
            None
        );
        assert_eq!(
            reason(
                &sandbox,
                &stdio(double, &["1\n"], Some("print(int(input()) + 10)"))
            ),
            None
        );
        assert_eq!(
            reason(&sandbox, &stdio("print(", &["1\n", "2\n", "3\n"], None)),
            Some("reference_compile_error")
        );
        assert_eq!(
            reason(&sandbox, &stdio(double, &["1\n", "1\n", "2\n"], None)),
            Some("too_few_tests")
        );
        assert_eq!(
            reason(&sandbox, &stdio(double, &["1\n", "x\n", "3\n"], None)),
            Some("reference_failed")
        );
        assert_eq!(
            reason(
                &sandbox,
                &stdio("input()\nprint(7)", &["1\n", "2\n", "3\n"], None)
            ),
            Some("constant_output")
        );
        assert_eq!(
            reason(&sandbox, &stdio("input()", &["1\n", "2\n", "3\n"], None)),
            Some("empty_output")
        );
        assert_eq!(
            reason(
                &sandbox,
                &stdio(
                    "import random\ninput()\nprint(random.random())",
                    &["1\n", "2\n", "3\n"],
                    None
                )
            ),
            Some("nondeterministic")
        );
        assert_eq!(
            reason(&sandbox, &stdio(double, &[], Some("raise SystemExit(1)"))),
            Some("generator_failed")
        );
        assert_eq!(
            reason(
                &sandbox,
                &stdio("while True: pass", &["1\n", "2\n", "3\n"], None)
            ),
            Some("reference_failed")
        );

        let p3 = |sat: &str, sol: &str| {
            Draft::P3(P3Draft {
                sat: sat.into(),
                sol: Some(sol.into()),
            })
        };
        // 131 is no small integer and no literal of the puzzle.
        let sat = "def sat(x: int) -> bool:\n    return x * x == 17161\n";
        assert_eq!(
            reason(&sandbox, &p3(sat, "def sol():\n    return 131\n")),
            None
        );
        // A `sol` that fails is dropped: the puzzle stands on solvability (the campaign
        // rejects it as `unsolved` when no attempt satisfies `sat`), as one written without.
        let (rejection, draft) = checked(&sandbox, &p3(sat, "def sol():\n    return 130\n"));
        assert_eq!(rejection, None);
        assert_eq!(
            draft,
            Draft::P3(P3Draft {
                sat: sat.into(),
                sol: None
            })
        );
        let (rejection, draft) = checked(&sandbox, &p3(sat, "def sol():\n    return 131\n"));
        assert_eq!(
            (rejection, draft.solution()),
            (None, "def sol():\n    return 131\n")
        );
        let no_sol = Draft::P3(P3Draft {
            sat: "def sat(n: int):\n    return n == 5\n".into(),
            sol: None,
        });
        assert_eq!(reason(&sandbox, &no_sol), Some("trivial_sat"));
        assert_eq!(
            reason(
                &sandbox,
                &p3(
                    "def sat(x: int) -> bool:\n    return x >= 0\n",
                    "def sol():\n    return 5\n"
                )
            ),
            Some("trivial_sat")
        );
        // Answers written into the puzzle itself (the quick start's `return n == 5`).
        for (sat, sol) in [
            (
                "def sat(n: int):\n    return n == 5\n",
                "def sol():\n    return 5\n",
            ),
            (
                "def sat(s: str):\n    return s == \"abc\"\n",
                "def sol():\n    return \"abc\"\n",
            ),
            (
                "def sat(n: int):\n    return n == 12345\n",
                "def sol():\n    return 12345\n",
            ),
            (
                "def sat(li: List[int]):\n    return li == [3, 1, 2]\n",
                "def sol():\n    return [3, 1, 2]\n",
            ),
            (
                "def sat(x: int):\n    return x == -7\n",
                "def sol():\n    return -7\n",
            ),
        ] {
            assert_eq!(
                reason(&sandbox, &p3(sat, sol)),
                Some("trivial_sat"),
                "{sat}"
            );
        }
        assert_eq!(
            reason(
                &sandbox,
                &p3(
                    "def sat(x) -> bool\n    return x\n",
                    "def sol():\n    return 5\n"
                )
            ),
            Some("reference_compile_error")
        );
    }
}
