//! The solver's tasks built from one (program, inputs, outputs) triple: induction, deduction
//! and abduction problems.

use super::draft::{ENTRY, ProgramDraft};
use super::reply::is_def_f;
use crate::verdicts::PuzzleTest;
use crucible_problems::{FunctionStyle, FunctionTask, Problem, Split, Task};
use std::path::PathBuf;

/// Examples shown in an induction stub (the rest judge).
const MAX_SHOWN: usize = 5;

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

pub(super) fn problem(id: &str, statement: String, task: FunctionTask) -> Problem {
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
