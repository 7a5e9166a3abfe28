//! A valid puzzle as the problem the solver is given (for its prompt, judging and export):
//! stdin/stdout puzzles keep their tests and reference, P3 puzzles their `sat`, program-first
//! tasks the task type's view of the program and its I/O pairs.

use crate::config::LimitsConfig;
use crate::puzzle::Draft;
use crate::verdicts::PuzzleTest;
use crucible_problems::{FunctionStyle, FunctionTask, Problem, Split, StdioTask, Task};
use crucible_sandbox::{Checker, Language};
use std::path::PathBuf;
use std::time::Duration;

/// The puzzle as a problem (for the solver's prompt, judging, and export).
pub fn as_problem(
    id: &str,
    draft: &Draft,
    tests: &[PuzzleTest],
    lang: Language,
    limits: &LimitsConfig,
) -> Problem {
    let (name, statement, task) = match draft {
        Draft::Stdio(d) => (
            d.title.clone(),
            d.statement.clone(),
            Task::Stdio(StdioTask {
                time_limit: Duration::from_millis(limits.time_ms),
                memory_bytes: limits.memory_mib << 20,
                tests: tests
                    .iter()
                    .enumerate()
                    .map(|(i, t)| crucible_problems::Test {
                        name: format!("{:02}", i + 1),
                        group: crucible_problems::TestGroup::Secret,
                        input: t.input.clone().into(),
                        answer: t.expected.clone().into(),
                    })
                    .collect(),
                checker: Checker::Tokens {
                    case_sensitive: true,
                },
                custom_checker: None,
                accepted: vec![crucible_problems::Solution {
                    lang,
                    source: d.solution.clone(),
                    name: "reference".into(),
                }],
            }),
        ),
        Draft::P3(d) => {
            let header = d
                .sol
                .as_deref()
                .and_then(|s| s.lines().next())
                .unwrap_or("def sol():")
                .to_string();
            (
                id.to_string(),
                format!(
                    "Find an answer that makes `sat` return True.\n\n```python\n{}```",
                    d.sat
                ),
                Task::Function(FunctionTask {
                    style: FunctionStyle::P3,
                    prompt: header,
                    entry_point: "sol".into(),
                    harness: d.sat.clone(),
                    reference: d.sol.iter().cloned().collect(),
                }),
            )
        }
        Draft::Induction(d) => return crate::program::induction_problem(id, d, tests),
        Draft::Deduction(d) => return crate::program::deduction_problem(id, d, tests),
        Draft::Abduction(d) => return crate::program::abduction_problem(id, d, tests),
    };
    Problem {
        id: id.to_string(),
        name,
        statement,
        difficulty: None,
        split: Some(Split::Train),
        tags: Vec::new(),
        origin: PathBuf::new(),
        task,
    }
}
