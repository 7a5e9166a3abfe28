//! Program-first puzzles (the shape of Absolute Zero's tasks): the proposer writes a small
//! deterministic Python function `f`, a short description of it and about ten inputs; the
//! sandbox runs `f` on every input and records what it returns, so the reference cannot fail
//! its own tests. From one (program, inputs, outputs) triple come the solver's tasks:
//!
//! - **induction** ([`induction_problem`]): the description and half of the input/output pairs
//!   as a function stub with examples → write `f`; judged on the other half with asserts, the
//!   way MBPP is judged;
//! - **deduction** ([`deduction_problem`]): `f` and one input → the value `f` returns; the
//!   answer is a literal, read without running any of the solver's code
//!   ([`FunctionStyle::Value`]);
//! - **abduction** ([`abduction_problem`]): `f` and one of its outputs → a call of `f` that
//!   produces it; the call's arguments are read as literals and judged by running the
//!   proposer's `f` on them ([`FunctionStyle::Call`]).
//!
//! An input is the text between the parentheses of a call, `f(3, [1, 2])` → `3, [1, 2]`: Python
//! literals only (read with `ast.literal_eval`), so an input cannot run code of its own.

use crate::puzzle::FormatProblem;
use crate::validate::PuzzleTest;
use crucible_eval::code_blocks;
use crucible_problems::{FunctionStyle, FunctionTask, Problem, Split, Task};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The function every program-first puzzle defines.
pub const ENTRY: &str = "f";

/// Fewest inputs that must run (the rest are dropped): induction shows half and judges on half.
pub const MIN_INPUTS: usize = 5;

/// Fewest distinct outputs: a function that returns three values on ten inputs teaches little.
pub const MIN_DISTINCT_OUTPUTS: usize = 5;

/// Examples shown in an induction stub (the rest judge).
const MAX_SHOWN: usize = 5;

/// Modules a puzzle's program may not import: clocks, randomness, the file system, processes,
/// threads and the network make outputs irreproducible or reach outside the function.
const BANNED_MODULES: [&str; 18] = [
    "os",
    "sys",
    "subprocess",
    "random",
    "secrets",
    "time",
    "datetime",
    "threading",
    "multiprocessing",
    "asyncio",
    "socket",
    "shutil",
    "pathlib",
    "io",
    "tempfile",
    "signal",
    "ctypes",
    "uuid",
];

/// Calls a puzzle's program may not make (input, files, dynamic code).
const BANNED_CALLS: [&str; 9] = [
    "open(",
    "input(",
    "exec(",
    "eval(",
    "compile(",
    "__import__",
    "globals(",
    "breakpoint(",
    "getattr(__builtins__",
];

/// Puzzles shown to the proposer as examples of the layout (written for this project; two per
/// prompt): description, code, calls.
pub const EXAMPLES: [(&str, &str, &[&str]); 6] = [
    (
        "Returns the k largest distinct values of the list, largest first.",
        "def f(nums, k):\n    return sorted(set(nums), reverse=True)[:k]\n",
        &[
            "[3, 1, 4, 1, 5, 9, 2, 6], 3",
            "[7, 7, 7], 2",
            "[], 1",
            "[10, -2, 33, 4], 1",
            "[5, 4, 3, 2, 1], 5",
            "[1, 2], 4",
            "[-5, -1, -3], 2",
            "[8, 8, 9, 9, 10], 2",
            "[0], 1",
            "[2, 4, 6, 8, 10, 12], 0",
        ],
    ),
    (
        "Encodes the string by replacing each run of a repeated character with the character \
         followed by the length of the run.",
        "def f(s):\n    out = []\n    i = 0\n    while i < len(s):\n        j = i\n        \
         while j < len(s) and s[j] == s[i]:\n            j += 1\n        \
         out.append(s[i] + str(j - i))\n        i = j\n    return ''.join(out)\n",
        &[
            "'aaabcc'",
            "'abc'",
            "''",
            "'zzzzzz'",
            "'aabbaa'",
            "'x'",
            "'hello'",
            "'mississippi'",
            "'112233'",
            "'abba'",
        ],
    ),
    (
        "Counts, for a list of words, how many words start with each letter, as a dictionary \
         from lowercase first letter to count.",
        "def f(words):\n    counts = {}\n    for w in words:\n        if w:\n            \
         c = w[0].lower()\n            counts[c] = counts.get(c, 0) + 1\n    return counts\n",
        &[
            "['apple', 'avocado', 'banana']",
            "[]",
            "['Cat', 'cow', 'dog', 'Deer', 'duck']",
            "['x']",
            "['', 'a', 'A']",
            "['tree', 'tiger', 'tea', 'top']",
            "['one', 'two', 'three']",
            "['Zebra', 'zoo', 'yak']",
            "['moon', 'sun', 'star', 'mars']",
            "['a', 'b', 'c', 'd']",
        ],
    ),
    (
        "Returns how many steps the process 'halve n if even, else replace it by 3n + 1' takes \
         to reach 1 from n.",
        "def f(n):\n    steps = 0\n    while n != 1:\n        n = n // 2 if n % 2 == 0 else 3 * n + 1\n        \
         steps += 1\n    return steps\n",
        &["1", "2", "3", "6", "7", "9", "12", "19", "27", "97"],
    ),
    (
        "Returns the total length covered by a list of (start, end) intervals, counting \
         overlapping parts once.",
        "def f(intervals):\n    total = 0\n    end = None\n    for a, b in sorted(intervals):\n        \
         if end is None or a > end:\n            total += b - a\n            end = b\n        \
         elif b > end:\n            total += b - end\n            end = b\n    return total\n",
        &[
            "[(1, 3), (2, 5)]",
            "[]",
            "[(0, 10)]",
            "[(1, 2), (3, 4), (5, 6)]",
            "[(5, 8), (1, 2), (2, 5)]",
            "[(0, 4), (1, 2)]",
            "[(-3, 3), (2, 7), (10, 11)]",
            "[(1, 1)]",
            "[(0, 100), (50, 150), (149, 151)]",
            "[(4, 6), (4, 6)]",
        ],
    ),
    (
        "Returns the sum of the main diagonal of a square matrix minus the sum of its \
         anti-diagonal.",
        "def f(m):\n    n = len(m)\n    return sum(m[i][i] for i in range(n)) - \
         sum(m[i][n - 1 - i] for i in range(n))\n",
        &[
            "[[1, 2], [3, 4]]",
            "[[5]]",
            "[]",
            "[[1, 0, 0], [0, 1, 0], [0, 0, 1]]",
            "[[2, 9, 4], [7, 5, 3], [6, 1, 8]]",
            "[[0, 1], [1, 0]]",
            "[[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8], [9, 7, 9, 3]]",
            "[[-1, 2], [2, -1]]",
            "[[10, 20], [30, 45]]",
            "[[1, 2, 3], [4, 5, 6], [7, 8, 10]]",
        ],
    ),
];

/// The [`EXAMPLES`] as drafts.
pub fn example_drafts() -> Vec<ProgramDraft> {
    EXAMPLES
        .iter()
        .map(|(description, code, inputs)| ProgramDraft {
            description: description.to_string(),
            code: code.to_string(),
            inputs: inputs.iter().map(|i| i.to_string()).collect(),
            parent: None,
        })
        .collect()
}

/// Longest seed program (in bytes) a mutation proposal shows.
const MAX_PARENT_LEN: usize = 1200;

/// The programs mutation proposals vary: the reference solutions of the function problems
/// among `problems` (MBPP- and HumanEval-style, renamed to `f` as a proposal would be, at
/// most [`MAX_PARENT_LEN`] bytes), or the built-in [`EXAMPLES`] when there are none.
pub fn seed_programs(problems: &[&Problem]) -> Vec<String> {
    let from_problems: Vec<String> = problems
        .iter()
        .filter_map(|p| match &p.task {
            Task::Function(t)
                if matches!(t.style, FunctionStyle::Mbpp | FunctionStyle::HumanEval) =>
            {
                t.reference.first()
            }
            _ => None,
        })
        .filter_map(|code| parse_program(&format!("```python\n{code}\n```")).ok())
        .map(|d| d.code)
        .filter(|code| code.len() <= MAX_PARENT_LEN && banned_use(code).is_none())
        .collect();
    if from_problems.is_empty() {
        example_drafts().into_iter().map(|d| d.code).collect()
    } else {
        from_problems
    }
}

/// A program-first puzzle as the proposer wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramDraft {
    /// What `f` computes, in words (the induction task's statement).
    pub description: String,
    /// The program: `def f(...)` with any imports and helpers it needs.
    pub code: String,
    /// Argument lists, each the text between the parentheses of a call to `f`.
    pub inputs: Vec<String>,
    /// The seed program this draft is a variant of (a mutation proposal; its instruction
    /// shows it), `None` for a free proposal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// Parses a reply into a program-first draft: the code block defining `f`, the description
/// (the text outside code, or a `Description:` section), and every call `f(...)` written in
/// the reply (none is no error: the sandbox then looks for inputs, [`finder`]) (in an inputs block, as `assert f(...) == ...`, `print(f(...))` or `>>> f(...)`;
/// calls at the top level of the code are moved out of it into the inputs).
pub fn parse_program(reply: &str) -> Result<ProgramDraft, FormatProblem> {
    let blocks = code_blocks(reply);
    if blocks.is_empty() {
        return Err(FormatProblem::NoCode);
    }
    // A function the model named otherwise (`def count_ones(n)`) is `f` under another name.
    if !blocks.iter().any(|b| b.body.lines().any(is_def_f))
        && let Some(name) = blocks
            .iter()
            .find_map(|b| b.body.lines().find_map(top_level_def))
    {
        return parse_program(&rename(reply, name, ENTRY));
    }
    let defines_f = |body: &str| body.lines().any(is_def_f);
    let block = blocks
        .iter()
        .find(|b| defines_f(&b.body))
        .ok_or(FormatProblem::NoFunction)?;
    let mut inputs = Vec::new();
    let mut code = Vec::new();
    // Top-level lines other than definitions, imports and assignments (calls, prints, prose)
    // are left out, with any lines that continue them.
    let mut keeping = true;
    for line in block.body.lines() {
        let top = !line.starts_with([' ', '\t', ')', ']', '}']) && !line.trim().is_empty();
        if top {
            if let Some(args) = call_args(line) {
                push_new(&mut inputs, args);
            }
            keeping = is_definition(line);
        }
        if keeping || line.trim().is_empty() {
            code.push(line);
        }
    }
    for line in reply.lines() {
        if let Some(args) = call_args(line) {
            push_new(&mut inputs, args);
        }
    }
    let code = with_imports(code.join("\n").trim_matches('\n').to_string() + "\n");
    Ok(ProgramDraft {
        parent: None,
        description: description(reply),
        code,
        inputs,
    })
}

/// Whether a top-level line belongs to the program: a definition, a decorator, an import, a
/// comment or an assignment.
fn is_definition(line: &str) -> bool {
    let line = line.trim_end();
    ["def ", "class ", "import ", "from ", "@", "#", "async def "]
        .iter()
        .any(|p| line.starts_with(p))
        || line.split_once('=').is_some_and(|(lhs, rhs)| {
            !rhs.starts_with('=')
                && !lhs.is_empty()
                && lhs
                    .trim()
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == ',' || c == ' ' || c == ':')
        })
}

/// Names models use without importing them, and the import each needs.
const IMPLICIT_IMPORTS: [(&str, &str); 16] = [
    ("List[", "from typing import List"),
    ("Dict[", "from typing import Dict"),
    ("Tuple[", "from typing import Tuple"),
    ("Optional[", "from typing import Optional"),
    ("Set[", "from typing import Set"),
    ("Counter(", "from collections import Counter"),
    ("defaultdict(", "from collections import defaultdict"),
    ("deque(", "from collections import deque"),
    ("math.", "import math"),
    ("itertools.", "import itertools"),
    ("functools.", "import functools"),
    ("string.", "import string"),
    ("re.", "import re"),
    ("heapq.", "import heapq"),
    ("bisect.", "import bisect"),
    ("reduce(", "from functools import reduce"),
];

/// `code` with the imports it uses but lacks (a NameError on every call otherwise).
fn with_imports(code: String) -> String {
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    let mut missing: Vec<&str> = Vec::new();
    for (use_, import) in IMPLICIT_IMPORTS {
        let name = import.rsplit(' ').next().unwrap_or("");
        let used = code
            .match_indices(use_)
            .any(|(i, _)| !code[..i].chars().next_back().is_some_and(is_word));
        let imported = code
            .lines()
            .any(|l| (l.starts_with("import ") || l.starts_with("from ")) && l.contains(name));
        if used && !imported && !missing.contains(&import) {
            missing.push(import);
        }
    }
    if missing.is_empty() {
        code
    } else {
        format!("{}\n\n{code}", missing.join("\n"))
    }
}

/// The name of the function `line` defines at the top level (`def name(`), if any.
fn top_level_def(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("def ")?.trim_start();
    let end = rest.find('(')?;
    let name = rest[..end].trim_end();
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(name)
}

/// `text` with every whole-word `from` replaced by `to`.
fn rename(text: &str, from: &str, to: &str) -> String {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + from.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(is_word) || after.is_some_and(is_word) {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}

fn push_new(inputs: &mut Vec<String>, args: String) {
    if !inputs.contains(&args) {
        inputs.push(args);
    }
}

/// Whether `line` starts the definition of `f`.
fn is_def_f(line: &str) -> bool {
    line.strip_prefix("def ")
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix(ENTRY))
        .is_some_and(|r| r.trim_start().starts_with('('))
}

/// The arguments of a call to `f` that `line` makes: `f(1, 2)`, `assert f(1, 2) == 3`,
/// `print(f(1, 2))`, `>>> f(1, 2)`, `- f(1, 2)`, `1. f(1, 2)`, `` `f(1, 2)` ``. `None` for any
/// other line (and for `def f(`).
pub fn call_args(line: &str) -> Option<String> {
    let mut rest = line.trim();
    loop {
        let before = rest;
        for prefix in [
            ">>>", "assert ", "print(", "-", "*", "`", "Input:", "input:",
        ] {
            rest = rest.strip_prefix(prefix).unwrap_or(rest).trim_start();
        }
        let digits = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        if digits.len() < rest.len() && (digits.starts_with(". ") || digits.starts_with(") ")) {
            rest = digits[2..].trim_start();
        }
        if rest == before {
            break;
        }
    }
    let open = rest.strip_prefix(ENTRY)?.trim_start().strip_prefix('(')?;
    let end = closing_paren(open)?;
    let args = open[..end].trim();
    Some(args.to_string())
}

/// The byte offset of the parenthesis that closes an already open one in `text` (brackets and
/// Python string literals respected).
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' | ']' | '}' => depth = depth.checked_sub(1)?,
            _ => {}
        }
    }
    None
}

/// The description: a `Description:` (or `Statement:`) section, else the prose outside code
/// blocks, without header and input lines.
fn description(reply: &str) -> String {
    let mut lines = Vec::new();
    let mut in_fence = false;
    let mut in_inputs = false;
    for line in reply.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || call_args(line).is_some() {
            continue;
        }
        let plain = trimmed
            .trim_start_matches(['#', '*', ' '])
            .to_ascii_lowercase();
        let header = plain.split(':').next().unwrap_or("").trim_end_matches('*');
        match header {
            "description" | "statement" => {
                in_inputs = false;
                let after = trimmed.split_once(':').map(|x| x.1).unwrap_or("");
                lines.push(after.trim_start_matches('*').trim().to_string());
                continue;
            }
            "inputs" | "tests" | "test inputs" | "examples" | "code" | "program" | "function" => {
                in_inputs = true;
                continue;
            }
            _ => {}
        }
        if !in_inputs {
            lines.push(trimmed.to_string());
        }
    }
    lines.join("\n").trim().to_string()
}

/// Why a program may not be a puzzle, before it runs: a banned import or call.
pub fn banned_use(code: &str) -> Option<String> {
    for line in code.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let modules: Vec<&str> = if let Some(rest) = line.strip_prefix("import ") {
            rest.split(',')
                .map(|m| m.split_whitespace().next().unwrap_or(""))
                .collect()
        } else if let Some(rest) = line.strip_prefix("from ") {
            vec![rest.split_whitespace().next().unwrap_or("")]
        } else {
            Vec::new()
        };
        for module in modules {
            let root = module.split('.').next().unwrap_or("");
            if BANNED_MODULES.contains(&root) {
                return Some(format!("imports `{root}`"));
            }
        }
        for call in BANNED_CALLS {
            let called = line.match_indices(call).any(|(i, _)| {
                // `my_open(` or `x.eval(` is not `open(`.
                !line[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            });
            if called {
                return Some(format!("calls `{}`", call.trim_end_matches('(')));
            }
        }
    }
    None
}

/// The Python program that runs `code`'s `f` on the arguments given on standard input and
/// prints, as its last line, the `repr` of what `f` returned — which must read back as a
/// literal (so asserts and answers can compare it).
pub fn runner(code: &str) -> String {
    format!(
        "{code}\n\nimport ast as _crucible_ast\nimport sys as _crucible_sys\n\
         _crucible_text = _crucible_sys.stdin.read().strip()\n\
         _crucible_args = _crucible_ast.literal_eval('(' + _crucible_text + ',)') if _crucible_text else ()\n\
         _crucible_out = repr({ENTRY}(*_crucible_args))\n\
         _crucible_ast.literal_eval(_crucible_out)\n\
         print()\nprint(_crucible_out)\n"
    )
}

/// The Python program that looks for inputs of `code`'s `f` when the proposer wrote too few
/// that run: each required parameter's kind is guessed from its annotation or name (numbers,
/// strings, lists, lists of strings, matrices, dictionaries, booleans), twelve argument lists
/// are drawn from fixed pools of such values, and the calls that return a literal are printed
/// as JSON lines `[arguments, repr(result)]`. When fewer than five calls succeed, every
/// parameter is tried as each kind in turn.
pub fn finder(code: &str) -> String {
    format!("{code}\n\n{FINDER}")
}

const FINDER: &str = r#"import ast as _ca, copy as _cc, inspect as _ci, json as _cj
_CP = {
 'int': [0, 1, 2, 3, 5, 7, 10, 12, 25, 100, -4, 42],
 'float': [0.5, 1.0, 2.5, -3.25, 10.0, 0.1, 7.75, 100.0, 3.0, 1.5, -0.5, 12.0],
 'str': ['', 'a', 'abc', 'hello', 'banana', 'Mississippi', 'racecar', 'a b c', 'Hello World', 'xyz123', 'aabbcc', 'Python'],
 'list': [[], [1], [1, 2, 3], [3, 1, 2], [5, 5, 5], [-1, 4, 0, 9], [10, 20, 30, 40], [2, 7, 1, 8, 2, 8], [9, 8, 7], [1, 2, 2, 3, 3, 3], [4], [6, -2, 6]],
 'strs': [[], ['a'], ['apple', 'banana'], ['x', 'y', 'z'], ['hello', 'world', 'hello'], ['Cat', 'dog'], ['one', 'two', 'three', 'four'], ['aa', 'b'], ['sun'], ['race', 'car', 'racecar'], ['Q', 'q'], ['abc', 'cab', 'bca']],
 'matrix': [[[1, 2], [3, 4]], [[5]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[2, 9, 4], [7, 5, 3], [6, 1, 8]], [[0, 1], [1, 0]], [[1, 2, 3], [4, 5, 6]], [[-1, 2], [2, -1]], [[7, 7], [7, 7]], [[3]], [[1, 2], [3, 4], [5, 6]], [[0]], [[9, 8], [7, 6]]],
 'dict': [{}, {'a': 1}, {'a': 1, 'b': 2}, {'x': 10, 'y': -1}, {'k': 0}, {'a': 3, 'b': 3, 'c': 1}, {'one': 1, 'two': 2, 'three': 3}, {'z': 26}, {'p': 5, 'q': 7}, {'m': 2, 'n': 2}, {'b': 0, 'a': 0}, {'w': 4}],
 'bool': [True, False] * 6,
}
_CN = [('matrix', ('matrix', 'grid', 'board', 'mat', 'm')), ('strs', ('words', 'strings', 'names', 'strs', 'sentences')), ('list', ('arr', 'nums', 'numbers', 'lst', 'list', 'items', 'values', 'xs', 'a', 'l', 'seq', 'data', 'array', 'ints', 'prices', 'scores', 'elements', 'li', 'intervals')), ('str', ('s', 'text', 'word', 'string', 'sentence', 'name', 'st', 'str', 'char', 'c', 'ch', 'pattern', 'prefix', 'suffix', 'sub', 't')), ('dict', ('d', 'dict', 'mapping', 'counts', 'dic', 'dictionary')), ('float', ('rate', 'ratio', 'price', 'amount')), ('bool', ('flag', 'reverse'))]
def _cguess(p):
    a = p.annotation
    t = '' if a is p.empty else (a if isinstance(a, str) else getattr(a, '__name__', str(a))).lower()
    t = t + str(a).lower() if t else t
    if t:
        if 'list[list' in t: return 'matrix'
        if 'list[str' in t: return 'strs'
        if 'list' in t or 'tuple' in t or 'sequence' in t: return 'list'
        for k in ('int', 'float', 'str', 'bool', 'dict'):
            if k in t: return k
    n = p.name.lower()
    for k, names in _CN:
        if n in names: return k
    for k, parts in (('matrix', ('matrix', 'grid')), ('strs', ('words', 'strings', 'names')), ('list', ('list', 'nums', 'numbers', 'arr', 'values', 'items', 'scores')), ('str', ('str', 'text', 'word', 'char', 'name')), ('dict', ('dict', 'map')), ('float', ('float', 'rate', 'price'))):
        if any(x in n for x in parts): return k
    return 'int'
_cparams = [p for p in _ci.signature(f).parameters.values() if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
_ckinds = [_cguess(p) for p in _cparams]
_corder = ['int', 'str', 'list', 'strs', 'float', 'matrix', 'dict', 'bool']
for _cround in range(len(_corder) + 1):
    _cfound = []
    for _cn in range(12):
        _cargs = tuple(_cc.deepcopy(_CP[k][(_cn + 5 * j) % 12]) for j, k in enumerate(_ckinds))
        _ctext = ', '.join(repr(x) for x in _cargs)
        try:
            _cout = repr(f(*_cargs))
            _ca.literal_eval(_cout)
        except Exception:
            continue
        _cfound.append((_ctext, _cout))
    if len(_cfound) >= 5 or _cround == len(_corder):
        break
    _ckinds = [_corder[_cround]] * len(_cparams)
print()
for _ct, _co in _cfound:
    print(_cj.dumps([_ct, _co]))
"#;

/// The (arguments, result) pairs a [`finder`] run printed.
pub fn found_pairs(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<(String, String)>(line).ok())
        .collect()
}

/// The signature of `f` in `code` (its `def` line, or lines up to the one ending in `:`).
fn signature(code: &str) -> String {
    let mut out = Vec::new();
    let mut started = false;
    for line in code.lines() {
        if !started && !is_def_f(line) {
            continue;
        }
        started = true;
        out.push(line);
        if line
            .split('#')
            .next()
            .unwrap_or("")
            .trim_end()
            .ends_with(':')
        {
            break;
        }
    }
    if out.is_empty() {
        format!("def {ENTRY}(*args):")
    } else {
        out.join("\n")
    }
}

/// The induction task: a stub of `f` whose docstring holds the description and up to five
/// examples (every other test), judged by asserts on the other tests.
pub fn induction_problem(id: &str, draft: &ProgramDraft, tests: &[PuzzleTest]) -> Problem {
    let (shown, hidden) = split_tests(tests);
    let mut doc = String::new();
    for line in draft.description.lines() {
        doc.push_str(&format!("    {line}\n").replace("\"\"\"", "'''"));
    }
    for t in &shown {
        doc.push_str(&format!(
            "\n    >>> {ENTRY}({})\n    {}\n",
            t.input,
            t.expected.trim()
        ));
    }
    let prompt = format!(
        "{}\n    \"\"\"\n{}    \"\"\"\n",
        signature(&draft.code),
        doc.trim_start_matches('\n')
    );
    let harness: Vec<String> = hidden
        .iter()
        .map(|t| format!("assert {ENTRY}({}) == {}", t.input, t.expected.trim()))
        .collect();
    let statement = format!(
        "{}\n\nExamples:\n{}",
        draft.description,
        shown
            .iter()
            .map(|t| format!("{ENTRY}({}) == {}", t.input, t.expected.trim()))
            .collect::<Vec<_>>()
            .join("\n")
    );
    problem(
        id,
        statement,
        FunctionTask {
            style: FunctionStyle::Mbpp,
            prompt,
            entry_point: ENTRY.into(),
            harness: harness.join("\n") + "\n",
            reference: vec![draft.code.clone()],
        },
    )
}

/// Every other test is shown (at most [`MAX_SHOWN`]); the rest judge.
fn split_tests(tests: &[PuzzleTest]) -> (Vec<&PuzzleTest>, Vec<&PuzzleTest>) {
    let mut shown = Vec::new();
    let mut hidden = Vec::new();
    for (i, t) in tests.iter().enumerate() {
        if i % 2 == 0 && shown.len() < MAX_SHOWN {
            shown.push(t);
        } else {
            hidden.push(t);
        }
    }
    (shown, hidden)
}

/// The deduction task: `f` and the input of the test a third of the way in; the answer is
/// the value `f` returns, as a literal assigned to `answer`.
pub fn deduction_problem(id: &str, draft: &ProgramDraft, tests: &[PuzzleTest]) -> Problem {
    let (input, expected) = tests
        .get(tests.len() / 3)
        .map(|t| (t.input.clone(), t.expected.trim().to_string()))
        .unwrap_or_else(|| (String::new(), "None".into()));
    let prompt = format!(
        "```python\n{}```\n\nWhat does `{ENTRY}({input})` return?",
        draft.code
    );
    problem(
        id,
        prompt.clone(),
        FunctionTask {
            style: FunctionStyle::Value,
            prompt,
            entry_point: "answer".into(),
            harness: expected.clone(),
            reference: vec![format!("answer = {expected}\n")],
        },
    )
}

/// The abduction task: `f` and the output of its middle test; an answer is a call of `f`
/// with literal arguments that returns that output ([`FunctionStyle::Call`]: the arguments
/// are read as literals and the proposer's `f` is applied to them, so an answer that restates
/// or redefines `f` changes nothing).
pub fn abduction_problem(id: &str, draft: &ProgramDraft, tests: &[PuzzleTest]) -> Problem {
    let (input, target) = tests
        .get(tests.len() / 2)
        .map(|t| (t.input.clone(), t.expected.trim().to_string()))
        .unwrap_or_else(|| (String::new(), "None".into()));
    let prompt = format!(
        "```python\n{}```\n\nFind arguments for which `{ENTRY}` returns `{target}`.",
        draft.code
    );
    problem(
        id,
        prompt.clone(),
        FunctionTask {
            style: FunctionStyle::Call,
            prompt,
            entry_point: ENTRY.into(),
            harness: format!("{}\n\n__expected = {target}\n", draft.code.trim_end()),
            reference: vec![format!("{ENTRY}({input})\n")],
        },
    )
}

fn problem(id: &str, statement: String, task: FunctionTask) -> Problem {
    Problem {
        id: id.to_string(),
        name: id.to_string(),
        statement,
        difficulty: None,
        split: Some(Split::Train),
        tags: Vec::new(),
        origin: PathBuf::new(),
        task: Task::Function(task),
    }
}

/// The draft in the layout the proposer is asked for (examples and the proposer's training
/// target): the description, then one code block with the code and the calls after it (one
/// block, so that generation can stop at its end).
///
/// ```
/// use crucible_selfplay::program::{ProgramDraft, parse_program, render_program};
/// let draft = ProgramDraft {
///     description: "Doubles x.".into(),
///     code: "def f(x):\n    return 2 * x\n".into(),
///     inputs: vec!["1".into(), "2".into()],
///     parent: None,
/// };
/// let text = render_program(&draft, &["1", "2"]);
/// assert_eq!(parse_program(&text), Ok(draft));
/// ```
pub fn render_program(draft: &ProgramDraft, inputs: &[&str]) -> String {
    let calls: Vec<String> = inputs.iter().map(|i| format!("{ENTRY}({i})")).collect();
    format!(
        "Description: {}\n\n```python\n{}\n{}\n```\n",
        draft.description.trim(),
        draft.code,
        calls.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REPLY: &str = "Description: Returns the sum of the even numbers in a list, times k.\n\n\
        ```python\nfrom typing import List\n\ndef f(xs: List[int], k: int) -> int:\n    \
        return k * sum(x for x in xs if x % 2 == 0)\n\nprint(f([1, 2], 3))\n```\n\n\
        Inputs:\n```\nf([1, 2, 3, 4], 1)\nf([], 5)\nassert f([6], 2) == 12\n>>> f([2, 2], -1)\n\
        f(\"(\", 1)\n```\n";

    #[test]
    fn parses_code_description_and_every_call() {
        let d = parse_program(REPLY).expect("parses");
        assert_eq!(
            d.description,
            "Returns the sum of the even numbers in a list, times k."
        );
        assert!(d.code.starts_with("from typing import List\n\ndef f("));
        assert!(!d.code.contains("print"), "{}", d.code);
        assert_eq!(
            d.inputs,
            vec![
                "[1, 2], 3",
                "[1, 2, 3, 4], 1",
                "[], 5",
                "[6], 2",
                "[2, 2], -1",
                "\"(\", 1"
            ]
        );
        assert_eq!(parse_program("no code"), Err(FormatProblem::NoCode));
        assert_eq!(
            parse_program("```python\nx = 1\n```"),
            Err(FormatProblem::NoFunction)
        );
        // Another name is renamed to f, with its calls; typing names get their import.
        let renamed = parse_program(
            "```python\ndef count_ones(n: List[int]):\n    return sum(count_ones_x(v) for v in n)\n\n\
             count_ones([1, 2])\n```",
        )
        .expect("parses");
        assert_eq!(renamed.inputs, vec!["[1, 2]"]);
        assert!(
            renamed.code.starts_with("from typing import"),
            "{}",
            renamed.code
        );
        assert!(
            renamed.code.contains("def f(n: List[int])")
                && renamed.code.contains("count_ones_x(v)")
        );
        // Prose, prints and broken calls after the function are left out; missing imports added.
        let messy = parse_program(
            "```python\nLIMIT = 3\n\ndef f(s):\n    return Counter(s).most_common(LIMIT)\n\n\
             10 calls of f, one per line:\nprint(f([1, 2,\n    3]))\nf('abc')\n```",
        )
        .expect("parses");
        assert_eq!(
            messy.code,
            "from collections import Counter\n\nLIMIT = 3\n\ndef f(s):\n    return Counter(s).most_common(LIMIT)\n"
        );
        assert_eq!(messy.inputs, vec!["'abc'"]);
        // Without calls the sandbox looks for inputs itself.
        assert_eq!(
            parse_program("```python\ndef f(x):\n    return x\n```").map(|d| d.inputs.len()),
            Ok(0)
        );
    }

    #[test]
    fn calls_are_found_in_their_usual_dress() {
        for (line, args) in [
            ("f(1)", Some("1")),
            ("  1. f('a', [1, (2, 3)])", Some("'a', [1, (2, 3)]")),
            ("- `f(\")\")`", Some("\")\"")),
            ("print(f(2))", Some("2")),
            ("def f(x):", None),
            ("g(1)", None),
            ("f(1", None),
            ("ff(1)", None),
        ] {
            assert_eq!(call_args(line).as_deref(), args, "{line}");
        }
    }

    #[test]
    fn banned_imports_and_calls_are_named() {
        assert_eq!(
            banned_use("import random\ndef f(x):\n    return x").as_deref(),
            Some("imports `random`")
        );
        assert!(banned_use("from os.path import join").is_some());
        assert!(banned_use("import math, time").is_some());
        assert!(banned_use("def f(x):\n    return open('a').read()").is_some());
        assert!(banned_use("def f(x):\n    return eval(x)").is_some());
        for fine in [
            "import math\nfrom collections import Counter\ndef f(x):\n    return x",
            "def f(x):\n    return my_open(x) + s.eval(1)  # open(",
        ] {
            assert_eq!(banned_use(fine), None, "{fine}");
        }
    }

    fn tests_of(pairs: &[(&str, &str)]) -> Vec<PuzzleTest> {
        pairs
            .iter()
            .map(|(i, o)| PuzzleTest {
                input: i.to_string(),
                expected: o.to_string(),
                found: false,
            })
            .collect()
    }

    #[test]
    fn induction_shows_half_and_judges_on_the_rest() {
        let draft = parse_program(REPLY).expect("parses");
        let tests = tests_of(&[("1", "2"), ("2", "4"), ("3", "6"), ("4", "8")]);
        let p = induction_problem("t", &draft, &tests);
        let Task::Function(task) = &p.task else {
            panic!("function task")
        };
        assert!(
            task.prompt
                .starts_with("def f(xs: List[int], k: int) -> int:\n    \"\"\"")
        );
        assert!(task.prompt.contains(">>> f(1)\n    2") && task.prompt.contains(">>> f(3)"));
        assert_eq!(task.harness, "assert f(2) == 4\nassert f(4) == 8\n");
        assert_eq!(task.style, FunctionStyle::Mbpp);
    }

    #[test]
    fn deduction_asks_for_the_value_of_one_call() {
        let draft = ProgramDraft {
            description: String::new(),
            code: "def f(a, b):\n    return [a] * b\n".into(),
            inputs: Vec::new(),
            parent: None,
        };
        let tests = tests_of(&[("1, 2", "[1, 1]"), ("'x', 3", "['x', 'x', 'x']")]);
        let p = deduction_problem("t", &draft, &tests);
        let Task::Function(task) = &p.task else {
            panic!("function task")
        };
        assert!(
            task.prompt.ends_with("What does `f(1, 2)` return?"),
            "{}",
            task.prompt
        );
        assert_eq!(task.harness, "[1, 1]");
        assert_eq!(task.style, FunctionStyle::Value);
    }

    #[test]
    fn abduction_asks_for_arguments_of_the_middle_output() {
        let draft = ProgramDraft {
            description: String::new(),
            code: "def f(a, b):\n    return a * b\n".into(),
            inputs: Vec::new(),
            parent: None,
        };
        let tests = tests_of(&[("1, 2", "2"), ("3, 4", "12"), ("5, 6", "30")]);
        let p = abduction_problem("t", &draft, &tests);
        let Task::Function(task) = &p.task else {
            panic!("function task")
        };
        assert!(task.harness.ends_with("return a * b\n\n__expected = 12\n"));
        assert_eq!(task.reference, vec!["f(3, 4)\n"]);
        assert!(
            p.statement
                .ends_with("Find arguments for which `f` returns `12`.")
        );
        assert_eq!(task.style, FunctionStyle::Call);
    }

    #[test]
    fn seed_programs_are_function_references_renamed_to_f() {
        let mbpp = |id: &str, reference: &str| {
            problem(
                id,
                String::new(),
                FunctionTask {
                    style: FunctionStyle::Mbpp,
                    prompt: String::new(),
                    entry_point: "twice".into(),
                    harness: String::new(),
                    reference: vec![reference.into()],
                },
            )
        };
        let good = mbpp("1", "def twice(x):\n    return 2 * x\n");
        let banned = mbpp("2", "import os\ndef g(x):\n    return os.getcwd()\n");
        let programs = seed_programs(&[&good, &banned]);
        assert_eq!(programs, vec!["def f(x):\n    return 2 * x\n".to_string()]);
        // Without function references, the built-in examples.
        assert_eq!(seed_programs(&[]).len(), EXAMPLES.len());
    }

    #[test]
    fn a_mutation_instruction_shows_the_seed_program() {
        use crate::config::PuzzleKind;
        use crate::prompts::propose_instruction;
        use crucible_sandbox::Language;
        let parent = "def f(x):\n    return 2 * x\n";
        let text = propose_instruction(
            PuzzleKind::Deduction,
            "strings",
            "easy",
            Language::Python,
            Some(parent),
        );
        assert!(text.contains("```python\ndef f(x):\n    return 2 * x\n```"));
        assert!(text.contains("variant of it") && text.ends_with(PROGRAM_LAYOUT_END));
        // Other kinds ignore a parent.
        let p3 = propose_instruction(
            PuzzleKind::P3,
            "strings",
            "easy",
            Language::Python,
            Some(parent),
        );
        assert!(!p3.contains("variant"));
    }

    /// How the program-first layout ends.
    const PROGRAM_LAYOUT_END: &str = "one per line>\n```";

    proptest! {
        #[test]
        fn parsing_never_panics(reply in "(?s).{0,400}") {
            let _ = parse_program(&reply);
        }

        #[test]
        fn call_parsing_never_panics(line in "[f(\\[\\]{}'\"\\\\ ,0-9a-z>*.-]{0,40}") {
            let _ = call_args(&line);
        }
    }
}
