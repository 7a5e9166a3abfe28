//! The solver's side: the prompt for a problem of any kind, and how a reply becomes the
//! program that is judged (a reply without code is `None`, a counted failure).

use super::fence_tag;
use crate::extract::extract_code;
use crucible_problems::{FunctionStyle, Problem, Task};
use crucible_sandbox::Language;

/// Two solved P3 puzzles (written for this project) that show the answer contract: `sol()`
/// returns the answer itself, it does not call `sat`.
const P3_EXAMPLES: &str = "Example:\n\n```python\ndef sat(s: str):\n    return s.count(\"ab\") == 3 and len(s) == 8\n```\n\n\
Answer:\n\n```python\ndef sol():\n    return \"ababab\" + \"xy\"\n```\n\n\
Example:\n\n```python\ndef sat(nums: List[int], n=4):\n    return len(nums) == n and all(x > 0 for x in nums) and sum(nums) == 10\n```\n\n\
Answer:\n\n```python\ndef sol(n=4):\n    return [1, 2, 3, 4]\n```\n\n";

/// The user message asking for a solution, and the language the answer must be in: the
/// answer contract of each task kind, as one fenced code block (generation can stop there).
pub fn solve_prompt(problem: &Problem, lang: Language) -> (String, Language) {
    match &problem.task {
        Task::Stdio(_) => {
            let tag = fence_tag(lang);
            let name = match lang {
                Language::Python => "Python 3",
                Language::C => "C",
                _ => "C++17",
            };
            (
                format!(
                    "Solve the following competitive programming problem in {name}. Read the input from \
                     standard input and write the answer to standard output. Reply with the complete \
                     program in a single ```{tag} code block.\n\n{}",
                    problem.statement
                ),
                if lang == Language::Wasm {
                    Language::Cpp
                } else {
                    lang
                },
            )
        }
        Task::Function(task) => {
            let ask = match task.style {
                FunctionStyle::P3 => format!(
                    "Find an input that makes the function `sat` return True. Write it as a Python \
                     function `sol` with the signature below that returns that input itself (sol does \
                     not call sat).\n\n{P3_EXAMPLES}Puzzle:\n\n```python\n{}\n```\n\n\
                     Complete this function and reply with it in a single ```python code block:\n\n\
                     ```python\n{}\n```",
                    task.harness.trim_end(),
                    task.prompt.trim_end()
                ),
                // MBPP's prompt is its statement and first assert. Measured on MBPP's
                // validation ids with the 0.5B model (greedy): this form 40/100, the statement
                // with all three asserts outside a code block 36/100 (BENCHMARKS.md).
                FunctionStyle::Value => format!(
                    "{}\n\nWork out the value without running any code. Reply with one line, \
                     `{} = <the value as a Python literal>`, in a single ```python code block.",
                    task.prompt.trim_end(),
                    task.entry_point
                ),
                FunctionStyle::Call => format!(
                    "{}\n\nWork out the arguments without running any code. Reply with one line, \
                     the call `{}(<the arguments as Python literals>)`, in a single ```python code block.",
                    task.prompt.trim_end(),
                    task.entry_point
                ),
                FunctionStyle::HumanEval | FunctionStyle::Mbpp => format!(
                    "Complete the following Python function. Reply with the complete function (with any \
                     imports it needs) in a single ```python code block.\n\n```python\n{}\n```",
                    task.prompt
                ),
            };
            (ask, Language::Python)
        }
    }
}

/// The program in a reply to `problem`'s prompt: extracted for `lang`, a bare function body
/// completed with the prompt's signature. `None`: the reply held no program.
pub fn reply_code(problem: &Problem, reply: &str, lang: Language) -> Option<String> {
    match extract_code(reply, lang) {
        Some(code) => Some(complete_function(problem, code)),
        // A value or call answered outside a code block (`answer = 75`, `` `f(3)` ``) is
        // still an answer.
        None if is_literal_task(problem) => {
            let text = reply.trim().trim_matches('`').trim();
            (!text.is_empty()).then(|| text.to_string())
        }
        None => None,
    }
}

/// Whether the answer to `problem` is literals, not a program ([`FunctionStyle::Value`],
/// [`FunctionStyle::Call`]).
fn is_literal_task(problem: &Problem) -> bool {
    matches!(&problem.task, Task::Function(t) if matches!(t.style, FunctionStyle::Value | FunctionStyle::Call))
}

/// Makes a function-level reply self-contained: a bare body gets the prompt's signature.
pub fn complete_function(problem: &Problem, code: String) -> String {
    match &problem.task {
        Task::Function(task)
            if !matches!(task.style, FunctionStyle::Value | FunctionStyle::Call)
                && !code.contains(&format!("def {}", task.entry_point))
                && !code.contains(&format!("class {}", task.entry_point)) =>
        {
            format!("{}\n{}", task.prompt, code)
        }
        _ => code,
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crucible_problems::{FunctionTask, Split};

    /// A train-split function-level problem: `prompt` shown, `entry_point` called, `harness`
    /// judging.
    pub(in crate::prompts) fn function_problem(
        style: FunctionStyle,
        prompt: &str,
        entry_point: &str,
        harness: &str,
    ) -> Problem {
        Problem {
            id: "p".into(),
            name: "p".into(),
            statement: String::new(),
            difficulty: None,
            split: Some(Split::Train),
            tags: Vec::new(),
            origin: Default::default(),
            task: Task::Function(FunctionTask {
                style,
                prompt: prompt.into(),
                entry_point: entry_point.into(),
                harness: harness.into(),
                reference: Vec::new(),
            }),
        }
    }

    fn value_problem() -> Problem {
        function_problem(
            FunctionStyle::Value,
            "What does `f(3)` return?",
            "answer",
            "9",
        )
    }

    #[test]
    fn a_value_is_an_answer_with_or_without_a_code_block() {
        let p = value_problem();
        let code = |reply: &str| reply_code(&p, reply, Language::Python);
        assert_eq!(
            code("```python\nanswer = 9\n```").as_deref(),
            Some("answer = 9")
        );
        assert_eq!(code("answer = 9").as_deref(), Some("answer = 9"));
        assert_eq!(code("`answer = 9`").as_deref(), Some("answer = 9"));
        assert_eq!(code("  "), None);
        // The prompt is never prepended to a value.
        assert!(!code("answer = 9").unwrap_or_default().contains("What does"));
    }
}
