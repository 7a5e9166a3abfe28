//! Warm-up data: the puzzles of a P3 set (P3's train puzzles) as the conversations a campaign
//! has with each role, so that a role tuned on them before round 1 learns the campaign's own
//! requests. The proposer's: the P3 proposal instruction (the topic read from the puzzle, a
//! drawn difficulty, the puzzle's answer type when the campaign names types) answered by the
//! puzzle; the solver's: the solve request for the puzzle answered by its `sol`.

use crate::config::{LimitsConfig, TrainRole};
use crate::dataset::{messages_json, proposer_messages_json, solver_answer};
use crate::hindsight::{answer_type, p3_topic};
use crate::problem::as_problem;
use crate::puzzle::{Draft, P3Draft, render_p3};
use crate::seeds::{derive, mix};
use crate::{SelfplayError, examples::load_set};
use crucible_eval::prompts::{Layout, propose_instruction};
use crucible_eval::solve_prompt;
use crucible_problems::{FunctionStyle, Split, Task};
use crucible_sandbox::Language;
use std::path::Path;

/// One puzzle of a warm-up set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarmupPuzzle {
    /// Its name in the set.
    pub name: String,
    /// The `sat` function.
    pub sat: String,
    /// Its first reference `sol`.
    pub sol: String,
}

/// The P3 puzzles of the set at `path` with a reference `sol` whose `sat` and `sol` together
/// are at most `max_chars` bytes, held-out ones left out, in the set's order.
pub fn warmup_puzzles(path: &Path, max_chars: usize) -> Result<Vec<WarmupPuzzle>, SelfplayError> {
    let report = load_set(path)?;
    Ok(report
        .problems
        .iter()
        .filter(|p| p.split != Some(Split::Heldout))
        .filter_map(|p| match &p.task {
            Task::Function(t) if t.style == FunctionStyle::P3 => Some(WarmupPuzzle {
                name: p.id.clone(),
                sat: t.harness.trim_end().to_string(),
                sol: t.reference.first()?.trim_end().to_string(),
            }),
            _ => None,
        })
        .filter(|p| p.sat.len() + p.sol.len() <= max_chars)
        .collect())
}

/// The difficulty named in the proposer's request for the `index`-th puzzle: drawn, as a
/// campaign draws it for a proposal (the set says nothing of it).
fn difficulty(seed: u64, index: usize) -> &'static str {
    ["easy", "medium", "hard"][(mix(derive(&[seed, index as u64])) % 3) as usize]
}

/// The conversation that teaches `role` the `index`-th puzzle, as one JSON line: the
/// proposer's request (with the puzzle's answer type when `typed`) answered by the puzzle, or
/// the solver's request answered by the `sol`.
pub fn warmup_conversation(
    role: TrainRole,
    puzzle: &WarmupPuzzle,
    index: usize,
    seed: u64,
    typed: bool,
) -> String {
    match role {
        TrainRole::Proposer => {
            let instruction = propose_instruction(
                Layout::P3,
                p3_topic(&puzzle.sat),
                difficulty(seed, index),
                Language::Python,
                None,
                answer_type(&puzzle.sat).filter(|_| typed),
            );
            proposer_messages_json(&instruction, &render_p3(&puzzle.sat, &puzzle.sol), 1.0)
        }
        TrainRole::Solver => {
            let draft = Draft::P3(P3Draft {
                sat: puzzle.sat.clone(),
                sol: Some(puzzle.sol.clone()),
                ..P3Draft::default()
            });
            let problem = as_problem(
                &puzzle.name,
                &draft,
                &[],
                Language::Python,
                &LimitsConfig::default(),
            );
            let (prompt, lang) = solve_prompt(&problem, Language::Python);
            messages_json(&prompt, &solver_answer(&puzzle.sol, lang))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn puzzle() -> WarmupPuzzle {
        WarmupPuzzle {
            name: "Study_1:0".into(),
            sat: "def sat(s: str):\n    return s.count('o') == 1000 and s.count('oo') == 0".into(),
            sol: "def sol():\n    return ('h' + 'o') * 1000".into(),
        }
    }

    fn messages(line: &str) -> Vec<(String, String)> {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        value["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let text = |k: &str| m[k].as_str().unwrap().to_string();
                (text("role"), text("content"))
            })
            .collect()
    }

    #[test]
    fn the_proposer_learns_its_own_request_answered_by_the_puzzle() {
        let line = warmup_conversation(TrainRole::Proposer, &puzzle(), 0, 7, true);
        let m = messages(&line);
        assert_eq!(m[0].0, "system");
        assert_eq!(m[0].1, crucible_eval::prompts::PROPOSER_SYSTEM);
        let asked = &m[1].1;
        let expected = propose_instruction(
            Layout::P3,
            p3_topic(&puzzle().sat),
            difficulty(7, 0),
            Language::Python,
            None,
            Some("str"),
        );
        assert_eq!(asked, &expected);
        assert!(asked.contains("`str`"), "{asked}");
        assert_eq!(m[2].1, render_p3(&puzzle().sat, &puzzle().sol));
        // Untyped campaigns are asked without a type.
        let untyped = warmup_conversation(TrainRole::Proposer, &puzzle(), 0, 7, false);
        assert!(!messages(&untyped)[1].1.contains("`str`"));
        // The difficulty is drawn per puzzle and stable.
        let drawn: std::collections::HashSet<_> = (0..30).map(|i| difficulty(7, i)).collect();
        assert_eq!(drawn.len(), 3);
        assert_eq!(difficulty(7, 3), difficulty(7, 3));
    }

    #[test]
    fn the_solver_learns_the_campaigns_solve_request_answered_by_the_sol() {
        let line = warmup_conversation(TrainRole::Solver, &puzzle(), 0, 7, true);
        let m = messages(&line);
        assert_eq!(m.len(), 2);
        assert!(m[0].1.contains(&puzzle().sat), "{}", m[0].1);
        assert!(m[0].1.contains("def sol():"), "{}", m[0].1);
        assert_eq!(m[1].1, format!("```python\n{}\n```", puzzle().sol));
    }

    #[test]
    fn the_shipped_p3_train_set_gives_hundreds_of_short_puzzles() {
        let set = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../puzzles/p3-train");
        let proposer = warmup_puzzles(&set, 600).unwrap();
        let solver = warmup_puzzles(&set, 400).unwrap();
        assert!(proposer.len() > 400, "{}", proposer.len());
        assert!(solver.len() > 300 && solver.len() < proposer.len());
        assert!(proposer.iter().all(|p| p.sat.len() + p.sol.len() <= 600));
        assert!(proposer.iter().all(|p| p.sol.starts_with("def sol(")));
    }
}
