//! The problem model: what every reader produces and every consumer (evaluation, campaigns)
//! reads.

use bytes::Bytes;
use crucible_sandbox::{Checker, Language, Limits};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// One problem from any source.
#[derive(Debug, Clone)]
pub struct Problem {
    /// A stable identifier, unique within its set (a Kattis directory name, a `task_id`).
    pub id: String,
    /// A human title.
    pub name: String,
    /// The statement shown to a solver (Markdown or plain text; HTML is kept as is).
    pub statement: String,
    /// Difficulty, when the source says.
    pub difficulty: Option<Difficulty>,
    /// Split, when the source says (our seed set marks `train` / `heldout`).
    pub split: Option<Split>,
    /// Topic tags.
    pub tags: Vec<String>,
    /// Where it was loaded from.
    pub origin: PathBuf,
    /// What to do and how it is judged.
    pub task: Task,
}

/// How a problem is posed and judged.
#[derive(Debug, Clone)]
pub enum Task {
    /// Read stdin, write stdout (Codeforces / ICPC / Kattis style).
    Stdio(StdioTask),
    /// Write a Python function that a harness checks (P3, HumanEval, MBPP).
    Function(FunctionTask),
}

/// A stdin/stdout problem.
#[derive(Debug, Clone)]
pub struct StdioTask {
    /// CPU time limit per test (calibrated fuel clock).
    pub time_limit: Duration,
    /// Memory limit in bytes.
    pub memory_bytes: u64,
    /// Tests in judging order (samples first).
    pub tests: Vec<Test>,
    /// How outputs are compared. `Checker::Custom` comes with `custom_checker`.
    pub checker: Checker,
    /// Source of a custom checker (Kattis output-validator protocol), when `checker` is custom.
    pub custom_checker: Option<Solution>,
    /// Known-good solutions (Kattis `submissions/accepted/`).
    pub accepted: Vec<Solution>,
}

impl StdioTask {
    /// Sandbox limits for one test of this task.
    pub fn limits(&self) -> Limits {
        Limits {
            time: self.time_limit,
            memory_bytes: self.memory_bytes,
            ..Limits::default()
        }
    }
}

/// One test of a stdin/stdout problem.
#[derive(Debug, Clone)]
pub struct Test {
    /// Name, e.g. `sample/01` or `secret/subtask1/3`.
    pub name: String,
    /// Whether it is shown in the statement.
    pub group: TestGroup,
    /// Bytes on stdin.
    pub input: Bytes,
    /// The reference answer.
    pub answer: Bytes,
}

/// Whether a test is a visible sample or a hidden one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TestGroup {
    /// Shown in the statement.
    Sample,
    /// Hidden.
    Secret,
}

/// A solution's source with its language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    /// The language.
    pub lang: Language,
    /// The source code.
    pub source: String,
    /// A name for reports (file name).
    pub name: String,
}

/// What every P3 `sat` runs after, when it is checked as a proposal and when it judges an
/// answer: the `typing` names and `math` (puzzles use `List[int]` and `math.isqrt` unimported).
pub const P3_PRELUDE: &str = "from typing import *\nimport math\n";

/// Python run once a P3 `sat` is defined: `__type_ok(__hint, value)` tells whether `value`
/// has the type `sat`'s first parameter is annotated with, as P3's own check asks — `bool`,
/// `int`, `float` and `str` exactly (`True` is no `int`, `1` no `float`) and `List[...]` of
/// them, nested; other annotations (`Tuple`, `Dict`, none) accept any value. So that
/// `def sat(s: str): return len(s) == 3 and all(c.isdigit() for c in s)` is not satisfied by
/// `['1', '2', '3']`.
pub const P3_ANSWER_TYPE: &str = "\
def __type_ok(t, v):
    if t in (bool, int, float, str):
        return type(v) is t
    if getattr(t, '__origin__', None) is list:
        args = getattr(t, '__args__', None) or (None,)
        return type(v) is list and all(__type_ok(args[0], x) for x in v)
    return True
__hint = sat.__annotations__.get(sat.__code__.co_varnames[0]) if sat.__code__.co_argcount else None
";

/// A function-level Python task.
#[derive(Debug, Clone)]
pub struct FunctionTask {
    /// Which harness convention applies.
    pub style: FunctionStyle,
    /// What the solver is given to complete: a signature with docstring (HumanEval `prompt`,
    /// P3 `sol_header` + `sol_docstring`) or, for MBPP, the function name and a sample assert.
    pub prompt: String,
    /// The function the solution must define.
    pub entry_point: String,
    /// Code that checks a solution: P3's `sat`, HumanEval's `test` with `check`, MBPP's
    /// asserts (with `test_setup_code` first).
    pub harness: String,
    /// Known-good solutions (full programs defining `entry_point`).
    pub reference: Vec<String>,
}

/// Harness conventions of function-level tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FunctionStyle {
    /// P3: accepted when `sat(sol())` is `True`.
    P3,
    /// HumanEval: `check(entry_point)` must not raise.
    HumanEval,
    /// MBPP: every assert in `test_list` must hold.
    Mbpp,
    /// A value, not a program: the solution assigns a Python literal to `entry_point`
    /// (`answer = [1, 2]`, or is the bare literal); it is read with `ast.literal_eval` — no
    /// code of the solution runs — and must equal the literal in `harness` (deduction tasks).
    Value,
    /// Arguments, not a program: the solution is a call of `entry_point` with literal
    /// arguments (`f(3, 'ab')`, also inside `print(...)` or an assignment); the arguments are
    /// read with `ast.literal_eval` — no code of the solution runs — and `harness`, which
    /// defines `entry_point` and `__expected`, checks that the call returns `__expected`
    /// (abduction tasks).
    Call,
}

impl FunctionTask {
    /// The Python program that judges `solution` (source defining `entry_point`): exits 0
    /// exactly when the solution is accepted.
    pub fn judge_program(&self, solution: &str) -> String {
        match self.style {
            FunctionStyle::P3 => format!(
                "{P3_PRELUDE}{solution}\n\n{harness}\n\n{P3_ANSWER_TYPE}\
                 __answer = {entry}()\n\
                 assert __type_ok(__hint, __answer), 'the answer is not of the type sat takes'\n\
                 assert sat(__answer) is True, 'sat(answer) is not True'\n",
                harness = self.harness,
                entry = self.entry_point
            ),
            // Starter code in LiveCodeBench/APPS uses `List[int]` without importing it.
            FunctionStyle::HumanEval => format!(
                "from typing import *\n{solution}\n\n{harness}\n\ncheck({entry})\n",
                harness = self.harness,
                entry = self.entry_point
            ),
            FunctionStyle::Mbpp => format!("{solution}\n\n{harness}\n", harness = self.harness),
            FunctionStyle::Value => format!(
                "import ast\n__tree = ast.parse({source})\n__value = None\n\
                 for __node in __tree.body:\n    \
                 if isinstance(__node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == {entry} for t in __node.targets):\n        \
                 __value = (ast.literal_eval(__node.value),)\n    \
                 elif isinstance(__node, ast.Expr) and len(__tree.body) == 1:\n        \
                 __value = (ast.literal_eval(__node.value),)\n\
                 assert __value is not None, 'no value assigned to ' + {entry}\n\
                 assert __value[0] == ({expected}), 'wrong value'\n",
                source = python_string(solution),
                entry = python_string(&self.entry_point),
                expected = self.harness.trim()
            ),
            FunctionStyle::Call => format!(
                "import ast\n__tree = ast.parse({source})\n__call = None\n\
                 for __stmt in __tree.body:\n    \
                 if isinstance(__stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):\n        \
                 continue\n    \
                 for __node in ast.walk(__stmt):\n        \
                 if __call is None and isinstance(__node, ast.Call) \
                 and isinstance(__node.func, ast.Name) and __node.func.id == {entry}:\n            \
                 __call = __node\n\
                 assert __call is not None, 'no call of ' + {entry}\n\
                 __args = [ast.literal_eval(__a) for __a in __call.args]\n\
                 __kwargs = {{__k.arg: ast.literal_eval(__k.value) for __k in __call.keywords}}\n\
                 del __tree, __call\n\n{harness}\n\n\
                 assert {name}(*__args, **__kwargs) == __expected, 'wrong output'\n",
                source = python_string(solution),
                entry = python_string(&self.entry_point),
                harness = self.harness.trim_end(),
                name = self.entry_point
            ),
        }
    }
}

/// `text` as a Python string literal (a JSON string is one).
fn python_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// Difficulty as the source gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    /// Easy.
    Easy,
    /// Medium.
    Medium,
    /// Hard.
    Hard,
}

impl Difficulty {
    /// Parses `easy` / `medium` / `hard` (any case; `introductory`, `interview`,
    /// `competition` as APPS names them).
    pub fn parse(s: &str) -> Option<Difficulty> {
        match s.trim().to_ascii_lowercase().as_str() {
            "easy" | "introductory" => Some(Difficulty::Easy),
            "medium" | "interview" => Some(Difficulty::Medium),
            "hard" | "competition" => Some(Difficulty::Hard),
            _ => None,
        }
    }

    /// From a Codeforces-style rating.
    pub fn from_rating(rating: u32) -> Difficulty {
        match rating {
            0..=1399 => Difficulty::Easy,
            1400..=1999 => Difficulty::Medium,
            _ => Difficulty::Hard,
        }
    }

    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
}

/// Which part of a set a problem belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Campaigns may start from it (few-shot examples, seeds).
    Train,
    /// Only for measuring.
    Heldout,
}

impl Split {
    /// Parses `train` / `heldout` (also `test`, `held-out`).
    pub fn parse(s: &str) -> Option<Split> {
        match s.trim().to_ascii_lowercase().as_str() {
            "train" => Some(Split::Train),
            "heldout" | "held-out" | "test" => Some(Split::Heldout),
            _ => None,
        }
    }
}
