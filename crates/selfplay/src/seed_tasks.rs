//! Seed tasks: the seed set's `train` problems given to the solver beside the proposed puzzles
//! (as in STaR and ReST-EM: sample solutions to problems with known tests, keep the verified
//! ones). They feed the solver's training data when the proposer's puzzles are rarely valid;
//! they never feed the proposer's.

use crate::SelfplayError;
use crate::config::PuzzleKind;
use crate::prompts::seed_set_problems;
use crate::puzzle::{Draft, P3Draft, StdioDraft};
use crate::validate::PuzzleTest;
use crucible_problems::{FunctionStyle, Problem, Split, Task};
use crucible_sandbox::Checker;
use crucible_sandbox::Language;
use std::path::Path;

/// One seed-set problem in the campaign's puzzle form.
#[derive(Debug, Clone)]
pub struct SeedTask {
    /// The problem's id in the seed set.
    pub id: String,
    /// Stdin/stdout or P3.
    pub kind: PuzzleKind,
    /// The seed set's difficulty (`easy`, `medium`, `hard`; `-` when absent).
    pub difficulty: String,
    /// Statement and reference (P3: `sat` and `sol`).
    pub draft: Draft,
    /// Inputs with their expected outputs (none for P3).
    pub tests: Vec<PuzzleTest>,
}

/// The train-split problems of the seed set that the campaign's judge can check: stdin/stdout
/// problems with token-wise answers and UTF-8 tests, and P3 puzzles with a reference.
pub fn seed_tasks(seed_set: &Path, lang: Language) -> Result<Vec<SeedTask>, SelfplayError> {
    Ok(seed_set_problems(seed_set)?
        .iter()
        .filter(|p| p.split != Some(Split::Heldout))
        .filter_map(|p| seed_task(p, lang))
        .collect())
}

fn seed_task(problem: &Problem, lang: Language) -> Option<SeedTask> {
    let (kind, draft, tests) = match &problem.task {
        Task::Stdio(task) => {
            if !matches!(task.checker, Checker::Tokens { .. }) || task.custom_checker.is_some() {
                return None;
            }
            let tests = task
                .tests
                .iter()
                .map(|t| {
                    Some(PuzzleTest {
                        input: String::from_utf8(t.input.to_vec()).ok()?,
                        expected: String::from_utf8(t.answer.to_vec()).ok()?,
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            let solution = task
                .accepted
                .iter()
                .find(|s| s.lang == lang)
                .or(task.accepted.first())
                .map(|s| s.source.clone())
                .unwrap_or_default();
            let draft = Draft::Stdio(StdioDraft {
                title: problem.name.clone(),
                statement: problem.statement.clone(),
                solution,
                tests: Vec::new(),
                generator: None,
            });
            (PuzzleKind::Stdio, draft, tests)
        }
        Task::Function(task) if task.style == FunctionStyle::P3 => {
            let draft = Draft::P3(P3Draft {
                sat: task.harness.clone(),
                sol: task.reference.first()?.clone(),
            });
            (PuzzleKind::P3, draft, Vec::new())
        }
        Task::Function(_) => return None,
    };
    Some(SeedTask {
        id: problem.id.clone(),
        kind,
        difficulty: problem
            .difficulty
            .map_or("-".to_string(), |d| d.name().to_string()),
        draft,
        tests,
    })
}

/// The tasks of round `round` (from 1): a window of `per_round` that moves on each round,
/// wrapping around.
pub fn window(tasks: &[SeedTask], round: u32, per_round: usize) -> Vec<&SeedTask> {
    if tasks.is_empty() {
        return Vec::new();
    }
    let start = (round.saturating_sub(1) as usize * per_round) % tasks.len();
    (0..per_round.min(tasks.len()))
        .map(|i| &tasks[(start + i) % tasks.len()])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_set() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../puzzles")
    }

    #[test]
    fn the_seed_sets_train_split_becomes_tasks_without_heldout_problems() {
        let tasks = seed_tasks(&seed_set(), Language::Python).expect("seed set");
        let heldout = crate::heldout::heldout_problems(&seed_set(), 0).expect("held-out");
        assert!(tasks.len() >= 40, "{} tasks", tasks.len());
        assert!(tasks.iter().all(|t| heldout.iter().all(|h| h.id != t.id)));
        assert!(tasks.iter().any(|t| t.kind == PuzzleKind::P3));
        for task in tasks.iter().filter(|t| t.kind == PuzzleKind::Stdio) {
            assert!(!task.tests.is_empty(), "{} has no tests", task.id);
        }
    }

    #[test]
    fn windows_move_on_and_wrap() {
        let tasks = seed_tasks(&seed_set(), Language::Python).expect("seed set");
        let n = tasks.len();
        let first: Vec<&str> = window(&tasks, 1, 5).iter().map(|t| t.id.as_str()).collect();
        let second: Vec<&str> = window(&tasks, 2, 5).iter().map(|t| t.id.as_str()).collect();
        assert_eq!(first.len(), 5);
        assert!(first.iter().all(|id| !second.contains(id)));
        assert_eq!(window(&tasks, 1, n + 3).len(), n);
        assert!(window(&[], 1, 5).is_empty());
    }
}
