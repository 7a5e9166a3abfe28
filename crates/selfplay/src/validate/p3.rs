//! P3 drafts: `sat` compiles and rejects trivial answers; a `sol` is kept when `sat(sol())`
//! holds twice.

use super::runs::{compile, reproducible};
use crate::SelfplayError;
use crate::config::LimitsConfig;
use crate::puzzle::P3Draft;
use crate::verdicts::{Reason, Rejection, Validation, last_line};
use crucible_problems::{P3_ANSWER_TYPE, P3_PRELUDE};
use crucible_sandbox::{Language, Limits, Sandbox, Termination};

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
pub(super) async fn validate_p3(
    sandbox: &Sandbox,
    draft: &mut P3Draft,
    config: &LimitsConfig,
) -> Result<Validation, SelfplayError> {
    if let Err(r) = compile(
        sandbox,
        Language::Python,
        &format!("{P3_PRELUDE}{}", draft.sat),
    )
    .await
    {
        return Ok(Err(r));
    }
    let limits = config.limits();
    if let Some(sol) = &draft.sol
        && let Some(failure) = reference_failure(sandbox, &draft.sat, sol, &limits).await?
    {
        draft.sol = None;
        draft.sol_failure = Some(failure);
    }
    if let Some(answer) = trivial_answer(sandbox, draft, &limits).await? {
        return Ok(Err(Rejection::new(
            Reason::TrivialSat,
            format!("sat accepts the trivial answer {answer}"),
        )));
    }
    Ok(Ok(Vec::new()))
}

/// Why `sat(sol())` is not `True` with the same answer under another random seed (the last
/// line of the error, or what `sol` returned), or `None` when it is.
async fn reference_failure(
    sandbox: &Sandbox,
    sat: &str,
    sol: &str,
    limits: &Limits,
) -> Result<Option<String>, SelfplayError> {
    let program = format!(
        "{P3_PRELUDE}{sat}\n{sol}\n{P3_ANSWER_TYPE}__answer = sol()\nassert __type_ok(__hint, __answer), f'sol() returned {{__answer!r:.80}}, not of the type sat takes'\nassert sat(__answer) is True, f'sol() returned {{__answer!r:.80}}, and sat of it is not True'\nprint(repr(__answer))\n"
    );
    let compiled = match compile(sandbox, Language::Python, &program).await {
        Ok(compiled) => compiled,
        Err(rejection) => return Ok(Some(last_line(&rejection.detail))),
    };
    let first = sandbox.run_async(&compiled, b"", limits).await?;
    if first.termination != Termination::Exited(0) {
        let stderr = String::from_utf8_lossy(&first.stderr);
        return Ok(Some(match last_line(&stderr) {
            line if line.is_empty() => first.termination.describe(),
            line => line,
        }));
    }
    Ok(
        (!reproducible(sandbox, &compiled, b"", limits, &first).await?)
            .then(|| "sol() gave another answer when run again".to_string()),
    )
}

/// A trivial value `sat` accepts, if any (a crash or timeout here means none).
async fn trivial_answer(
    sandbox: &Sandbox,
    draft: &P3Draft,
    limits: &Limits,
) -> Result<Option<String>, SelfplayError> {
    let program = format!(
        "{P3_PRELUDE}{}\n{P3_ANSWER_TYPE}{TRIVIAL_ANSWERS}for __x in __cands:\n    try:\n        if __type_ok(__hint, __x) and sat(__x) is True:\n            print(repr(__x)[:80])\n            break\n    except Exception:\n        pass\n",
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
