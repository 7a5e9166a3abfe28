//! P3 drafts: `sat` compiles and rejects trivial answers; a `sol` is kept when `sat(sol())`
//! holds twice, as written or once the constants of `sat`'s equality tests are fitted to the
//! answer `sol` returns.

use super::runs::{compile, reproducible};
use crate::SelfplayError;
use crate::config::LimitsConfig;
use crate::puzzle::P3Draft;
use crate::verdicts::{Reason, Rejection, Validation, last_line};
use crucible_problems::{P3_ANSWER_TYPE, P3_PRELUDE};
use crucible_sandbox::{Language, Limits, Sandbox, Termination};

/// Python that defines `__candidates()`, the trivial answers tried against a proposed `sat`
/// (whose source it reads from stdin), each with where it came from: the integers −10…100,
/// short strings and lists, other small constants, every literal in `sat`'s own source
/// (`return s == "abc"` gives its answer away), as the P3 paper's check against puzzles with a
/// given answer — then the value of every expression in `sat`'s body that does not mention
/// the answer, its parameters bound to their defaults (`return li == [a] * n` and
/// `sorted(li) == list(range(1, n + 1))` give theirs away too). An expression that fails is
/// skipped; one that runs past the limits ends the check with no trivial answer found. Last,
/// the answer `sat` spells out element by element (`li[0] == a and li[1] == 3`, or `if s[2] !=
/// "x": return False`), at the length `len(answer) == n` names (other elements 0 or `a`). A `sat`
/// that calls `sol` (`return answer == sol()`) is trivial outright: every answer defines its
/// own `sol`, so any answer satisfies it.
const TRIVIAL_ANSWERS: &str = r#"import ast, sys
__tree = ast.parse(sys.stdin.read())
__cands = list(range(-10, 101)) + ['', ' ', 'a', 'b', 'z', 'ab', 'abc', 'hello', 'world', '0', '1']
__cands += [[], [0], [1], [0, 1], [1, 2], [1, 2, 3], [''], ['a'], [[]], (), {}, set(), None, True, False, 0.0, 0.5, 1.0, -1.0]
for __node in ast.walk(__tree):
    if isinstance(__node, (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.UnaryOp)):
        try:
            __value = ast.literal_eval(__node)
        except Exception:
            continue
        __cands.append(__value)
        if isinstance(__value, (tuple, set)):
            __cands.append(list(__value))
__sat_node = next((n for n in ast.walk(__tree) if isinstance(n, ast.FunctionDef) and n.name == 'sat'), None)
def __sat_scope():
    fn = __sat_node
    if fn is None or not fn.args.args:
        return None
    names = [a.arg for a in fn.args.args]
    defaults = sat.__defaults__ or ()
    return fn, names[0], {**globals(), **dict(zip(names[len(names) - len(defaults):], defaults))}
def __mentions(node, name):
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))
def __value(node, scope):
    return eval(compile(ast.Expression(body=node), '<sat>', 'eval'), dict(scope))
def __expressions():
    found = __sat_scope()
    if found is None:
        return
    fn, answer, scope = found
    seen = set()
    for stmt in fn.body:
        for node in ast.walk(stmt):
            if not isinstance(node, ast.expr) or isinstance(node, (ast.Constant, ast.Lambda)):
                continue
            if __mentions(node, answer):
                continue
            text = ast.unparse(node)
            if text in seen:
                continue
            seen.add(text)
            try:
                value = __value(node, scope)
            except Exception:
                continue
            where = f' (the value of `{text[:60]}` in sat)'
            yield value, where
            if isinstance(value, (tuple, set, range)):
                yield list(value), where
def __spelled_out():
    found = __sat_scope()
    if found is None:
        return
    fn, answer, scope = found
    items, length = {}, 0
    for node in ast.walk(fn):
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq))):
            continue
        for side, other in ((node.left, node.comparators[0]), (node.comparators[0], node.left)):
            if __mentions(other, answer):
                continue
            try:
                if isinstance(side, ast.Subscript) and isinstance(side.value, ast.Name) and side.value.id == answer and not __mentions(side.slice, answer):
                    index = __value(side.slice, scope)
                    if isinstance(index, int) and 0 <= index < 1000:
                        items[index] = __value(other, scope)
                elif isinstance(side, ast.Call) and isinstance(side.func, ast.Name) and side.func.id == 'len' and len(side.args) == 1 and isinstance(side.args[0], ast.Name) and side.args[0].id == answer:
                    n = __value(other, scope)
                    if isinstance(n, int) and 0 <= n <= 1000:
                        length = n
            except Exception:
                continue
    if not items:
        return
    where = ' (its elements as sat names them one by one)'
    size = max(max(items) + 1, length)
    yield [items.get(i, 0) for i in range(size)], where
    if all(isinstance(v, str) and len(v) == 1 for v in items.values()):
        yield ''.join(items.get(i, 'a') for i in range(size)), where
__calls_sol = __sat_node is not None and __mentions(__sat_node, 'sol')
def __candidates():
    for __value in __cands:
        yield __value, ''
    yield from __expressions()
    yield from __spelled_out()
"#;

/// A P3 puzzle needs no reference: `sat` must compile and reject the trivial answers. A
/// `sol` that satisfies it (twice, with two random seeds) is kept as the reference. When it
/// does not, the constants of `sat`'s equality tests are fitted to the answer `sol` returns
/// ([`FIT_CONSTANTS`]): if the fitted `sat` holds and rejects the trivial answers it replaces
/// the one written (kept in `sat_as_written`) — the sandbox supplies the numbers, as it
/// supplies a program-first task's outputs. Otherwise `sol` is dropped and the puzzle stands
/// on solvability — valid once one of the solver's attempts satisfies `sat` (the campaign
/// rejects it as `unsolved` otherwise).
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
    if let Some(sol) = draft.sol.take() {
        match reference_failure(sandbox, &draft.sat, &sol, &limits).await? {
            None => draft.sol = Some(sol),
            Some(failure) => match fitted_sat(sandbox, &draft.sat, &sol, &limits).await? {
                // A fitted `sat` that a trivial answer satisfies is no puzzle; the one as
                // written may still be (it then stands on solvability).
                Some(fitted) if trivial_answer(sandbox, &fitted, &limits).await?.is_none() => {
                    draft.sat_as_written = Some(std::mem::replace(&mut draft.sat, fitted));
                    draft.sol = Some(sol);
                    return Ok(Ok(Vec::new()));
                }
                _ => draft.sol_failure = Some(failure),
            },
        }
    }
    if let Some(answer) = trivial_answer(sandbox, &draft.sat, &limits).await? {
        return Ok(Err(Rejection::new(
            Reason::TrivialSat,
            format!("sat accepts the trivial answer {answer}"),
        )));
    }
    Ok(Ok(Vec::new()))
}

/// Whether `sat(sol())` is `True`, twice with the same answer (a reference `sol` holds).
pub(crate) async fn sol_holds(
    sandbox: &Sandbox,
    sat: &str,
    sol: &str,
    limits: &Limits,
) -> Result<bool, SelfplayError> {
    Ok(reference_failure(sandbox, sat, sol, limits)
        .await?
        .is_none())
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

/// What the constant fit prints before the fitted `sat` (as JSON).
const FIT_MARK: &str = "__fitted_sat__ ";

/// Python that fits the constants of a `sat` (its source read from stdin) to the answer its
/// `sol` returned, `__answer`: each equality test whose truth decides a satisfied `sat` — in
/// `return` (through `and` and `not`), `assert`, or an `if` whose body is `return False` —
/// with the answer on one side and a literal on the other gets the value that side has at
/// the answer (`return len(li) == 7 and sum(li) == 28` with `sol` returning eight primes
/// becomes `len(li) == 8 and sum(li) == 77`; `if sum(li) != 555: return False` likewise). A
/// side that fails or names a loop variable is left alone, and so is every other test: what
/// the puzzle asks stays the proposer's; only the numbers come from running its `sol`. Prints
/// [`FIT_MARK`] and the new source when something changed and the new `sat` accepts the
/// answer. The edits splice the literals' own spans, so comments and layout stay.
const FIT_CONSTANTS: &str = r#"import ast, copy, json, sys
def __fit_wanted(fn):
    found = []
    def walk(node, want):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And if want else ast.Or):
            for value in node.values:
                walk(value, want)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            walk(node.operand, not want)
        elif isinstance(node, ast.Compare) and len(node.ops) == 1:
            found.append((node, want))
    def refuses(body):
        return len(body) == 1 and isinstance(body[0], ast.Return) and isinstance(body[0].value, ast.Constant) and body[0].value.value is False
    def block(stmts):
        for stmt in stmts:
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                walk(stmt.value, True)
            elif isinstance(stmt, ast.Assert):
                walk(stmt.test, True)
            elif isinstance(stmt, ast.If):
                if refuses(stmt.body):
                    walk(stmt.test, False)
                block(stmt.orelse)
    block(fn.body)
    return found
def __fit_literal(node):
    try:
        return True, ast.literal_eval(node)
    except Exception:
        return False, None
def __fit_plain(value):
    return type(value) in (int, str, bool) or (type(value) is list and len(value) <= 50 and all(type(v) in (int, str, bool) for v in value))
def __fit(source, answer):
    fn = next((n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef) and n.name == 'sat'), None)
    if fn is None or not fn.args.args:
        return None
    names = [a.arg for a in fn.args.args]
    scope = {**globals(), **dict(zip(names[len(names) - len(sat.__defaults__ or ()):], sat.__defaults__ or ()))}
    edits = {}
    for node, want in __fit_wanted(fn):
        if not isinstance(node.ops[0], ast.Eq if want else ast.NotEq):
            continue
        for side, other in ((node.left, node.comparators[0]), (node.comparators[0], node.left)):
            is_literal, old = __fit_literal(other)
            if not is_literal or not any(isinstance(n, ast.Name) and n.id == names[0] for n in ast.walk(side)):
                continue
            try:
                value = eval(compile(ast.Expression(body=side), '<sat>', 'eval'), {**scope, names[0]: copy.deepcopy(answer)})
            except Exception:
                continue
            if __fit_plain(value) and type(value) is type(old) and value != old and other.lineno == other.end_lineno:
                edits[(other.lineno, other.col_offset, other.end_col_offset)] = repr(value)
    if not edits:
        return None
    lines = source.encode().split(b'\n')
    for (line, start, end), text in sorted(edits.items(), reverse=True):
        lines[line - 1] = lines[line - 1][:start] + text.encode() + lines[line - 1][end:]
    return b'\n'.join(lines).decode()
__fit_source = sys.stdin.read()
__fit_answer = sol()
__fit_new = __fit(__fit_source, __fit_answer) if __type_ok(__hint, __fit_answer) else None
if __fit_new is not None:
    __fit_scope = {}
    exec(__prelude + __fit_new, __fit_scope)
    if __fit_scope['sat'](copy.deepcopy(__fit_answer)) is True:
        print(__mark + json.dumps(__fit_new))
"#;

/// `sat` with the constants of its equality tests fitted to what `sol` returns
/// ([`FIT_CONSTANTS`]), when that makes `sat(sol())` hold; `None` otherwise (a crash or
/// timeout of the fit included). The caller checks the result as it checks any reference.
async fn fitted_sat(
    sandbox: &Sandbox,
    sat: &str,
    sol: &str,
    limits: &Limits,
) -> Result<Option<String>, SelfplayError> {
    let program = format!(
        "{P3_PRELUDE}{sat}\n{sol}\n{P3_ANSWER_TYPE}__prelude = {P3_PRELUDE:?}\n__mark = {FIT_MARK:?}\n{FIT_CONSTANTS}"
    );
    let Some(fitted) = marked_line(sandbox, program, sat.as_bytes(), FIT_MARK, limits)
        .await?
        .and_then(|json| serde_json::from_str::<String>(&json).ok())
    else {
        return Ok(None);
    };
    Ok(reference_failure(sandbox, &fitted, sol, limits)
        .await?
        .is_none()
        .then_some(fitted))
}

/// What the trivial-answer check prints before the answer it found.
const TRIVIAL_MARK: &str = "__trivial_answer__ ";

/// A trivial value `sat` accepts, if any (a crash or timeout here means none).
async fn trivial_answer(
    sandbox: &Sandbox,
    sat: &str,
    limits: &Limits,
) -> Result<Option<String>, SelfplayError> {
    let program = format!(
        "{P3_PRELUDE}{}\n{P3_ANSWER_TYPE}{TRIVIAL_ANSWERS}if __calls_sol:\n    print('{TRIVIAL_MARK}sol() (sat calls sol, which every answer defines)')\nfor __x, __where in [] if __calls_sol else __candidates():\n    try:\n        if __type_ok(__hint, __x) and sat(__x) is True:\n            print('{TRIVIAL_MARK}' + repr(__x)[:80] + __where)\n            break\n    except Exception:\n        pass\n",
        sat
    );
    marked_line(sandbox, program, sat.as_bytes(), TRIVIAL_MARK, limits).await
}

/// What `program` printed after `mark` on a line of its own (the code it runs may print
/// too), when it compiles and exits cleanly on `input`; `None` otherwise: these checks read a
/// crash or timeout as finding nothing.
async fn marked_line(
    sandbox: &Sandbox,
    program: String,
    input: &[u8],
    mark: &str,
    limits: &Limits,
) -> Result<Option<String>, SelfplayError> {
    let Ok(compiled) = sandbox
        .compile_async(Language::Python, program.into_bytes())
        .await
    else {
        return Ok(None);
    };
    let run = sandbox.run_async(&compiled, input, limits).await?;
    if run.termination != Termination::Exited(0) {
        return Ok(None);
    }
    Ok(String::from_utf8_lossy(&run.stdout)
        .lines()
        .find_map(|line| line.strip_prefix(mark))
        .map(str::to_string))
}

/// What the same-puzzle check prints before the index of the example it matched.
const SAME_MARK: &str = "__same_puzzle__ ";

/// Python that reads a JSON list of `[sat, sol]` sources from stdin and prints [`SAME_MARK`]
/// and the index of the first whose answer the new `sat` accepts and whose `sat` accepts the
/// new answer (`__new_sat`, `__new_answer`): the same puzzle written another way. An example
/// that fails to run is skipped.
const SAME_PUZZLE: &str = r#"import json, sys
for __i, (__sat, __sol) in enumerate(json.loads(sys.stdin.read())):
    __scope = {}
    try:
        exec(__prelude + __sat + '\n' + __sol, __scope)
        __answer = __scope['sol']()
        if __new_sat(__answer) is True and __scope['sat'](__new_answer) is True:
            print(__mark + str(__i))
            break
    except Exception:
        pass
"#;

/// The index of the first of `examples` (`sat` and `sol` sources) that is the same puzzle as
/// `draft` by behaviour: the draft's `sat` accepts the example's answer and the example's
/// `sat` accepts the draft's (its `sol` must hold; `None` without one). The small models
/// restate an example shown to them with its clauses reordered, split into `if`s or one of
/// them dropped, which the copy check's fingerprints of the text miss; a check's crash or
/// timeout means no match.
pub(crate) async fn same_puzzle_as(
    sandbox: &Sandbox,
    draft: &P3Draft,
    examples: &[(String, String)],
    limits: &Limits,
) -> Result<Option<usize>, SelfplayError> {
    let Some(sol) = draft.sol.as_deref().filter(|_| !examples.is_empty()) else {
        return Ok(None);
    };
    let program = format!(
        "{P3_PRELUDE}{}\n{sol}\n__new_sat, __new_answer = sat, sol()\n__prelude = {:?}\n__mark = {:?}\n{SAME_PUZZLE}",
        draft.sat, P3_PRELUDE, SAME_MARK
    );
    let input = serde_json::to_vec(examples).unwrap_or_default();
    Ok(marked_line(sandbox, program, &input, SAME_MARK, limits)
        .await?
        .and_then(|index| index.trim().parse().ok()))
}
