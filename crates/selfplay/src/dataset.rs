//! Training data from a round: solver examples (statement → an accepted solution, at most m
//! per puzzle, the most different ones first) and proposer examples (topic and difficulty →
//! a valid, learnable puzzle, weighted by its Absolute Zero reward), as chat messages in the
//! `{"messages": [...]}` layout.

use crate::config::TrainRole;
use crate::puzzle::{Draft, render_p3, render_stdio};
use crate::similarity::Fingerprint;
use crate::store::{AttemptRow, DatasetRow, PuzzleRow, PuzzleScore};
use crate::verdicts::PuzzleTest;
use crucible_eval::prompts::{
    PROPOSER_SYSTEM, fence_tag, idea_instruction, propose_instruction, variant_idea_instruction,
};
use crucible_sandbox::Language;
use std::collections::HashSet;

/// Test inputs shown in a proposer training target.
const TARGET_TESTS: usize = 6;

/// A chat conversation as one JSON line.
pub fn messages_json(user: &str, assistant: &str) -> String {
    conversation(None, user, assistant).to_string()
}

fn conversation(system: Option<&str>, user: &str, assistant: &str) -> serde_json::Value {
    let mut messages = Vec::new();
    if let Some(system) = system {
        messages.push(serde_json::json!({"role": "system", "content": system}));
    }
    messages.push(serde_json::json!({"role": "user", "content": user}));
    messages.push(serde_json::json!({"role": "assistant", "content": assistant}));
    serde_json::json!({ "messages": messages })
}

/// A proposer conversation as one JSON line: the system message every proposer request carries
/// (so the model learns under the prompt it is asked with), the instruction and the reply, the
/// reply counting `weight` times in the training loss.
pub fn proposer_messages_json(user: &str, assistant: &str, weight: f64) -> String {
    let mut line = conversation(Some(PROPOSER_SYSTEM), user, assistant);
    line["weight"] = serde_json::json!(weight);
    line.to_string()
}

/// The loss weight of a proposer example: twice its Absolute Zero reward 1 − p, so that a
/// puzzle the solver solves half the time counts once, a harder one up to twice, an easy one
/// little.
pub fn proposer_weight(score: &PuzzleScore) -> f64 {
    2.0 * score.reward_azr
}

/// Up to `m` accepted attempts, distinct after normalisation, greedily most different.
pub fn pick_solutions(attempts: &[AttemptRow], m: usize) -> Vec<&AttemptRow> {
    let mut seen = HashSet::new();
    let candidates: Vec<(&AttemptRow, HashSet<String>)> = attempts
        .iter()
        .filter(|a| a.accepted())
        .filter_map(|a| {
            let code = a.code.as_deref()?;
            seen.insert(normalised(code)).then(|| (a, tokens(code)))
        })
        .collect();
    let mut chosen: Vec<usize> = Vec::new();
    while chosen.len() < m.min(candidates.len()) {
        let next = (0..candidates.len())
            .filter(|i| !chosen.contains(i))
            .max_by(|&a, &b| {
                let da = min_distance(&candidates, &chosen, a);
                let db = min_distance(&candidates, &chosen, b);
                da.total_cmp(&db).then(b.cmp(&a))
            });
        match next {
            Some(i) => chosen.push(i),
            None => break,
        }
    }
    chosen.into_iter().map(|i| candidates[i].0).collect()
}

fn normalised(code: &str) -> String {
    code.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn tokens(code: &str) -> HashSet<String> {
    code.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Jaccard distance to the nearest already chosen candidate (1 when none is chosen).
fn min_distance(c: &[(&AttemptRow, HashSet<String>)], chosen: &[usize], i: usize) -> f64 {
    chosen
        .iter()
        .map(|&j| {
            let inter = c[i].1.intersection(&c[j].1).count() as f64;
            let union = c[i].1.union(&c[j].1).count().max(1) as f64;
            1.0 - inter / union
        })
        .fold(1.0, f64::min)
}

/// A solver training target: the program in one fenced block (the answer contract).
pub fn solver_answer(code: &str, lang: Language) -> String {
    format!("```{}\n{}\n```", fence_tag(lang), code.trim_end())
}

/// The solver rows of one puzzle.
pub fn solver_rows(
    puzzle: &PuzzleRow,
    solve_prompt: &str,
    attempts: &[AttemptRow],
    lang: Language,
    m: usize,
) -> Vec<DatasetRow> {
    pick_solutions(attempts, m)
        .into_iter()
        .filter_map(|a| {
            let code = a.code.as_deref()?;
            Some(DatasetRow {
                kind: TrainRole::Solver,
                puzzle_id: puzzle.id,
                attempt_idx: i64::from(a.idx),
                messages: messages_json(solve_prompt, &solver_answer(code, lang)),
            })
        })
        .collect()
}

/// The proposer rows of one puzzle, when it is learnable: its instruction and the draft in the
/// layout asked for. A mutation written in two requests gives one row per request: the seed →
/// the variant named in one sentence, and that sentence → the program. `answer_type` is the
/// answer type its instruction names (a campaign with `answer_types`: the one its `sat` takes).
pub fn proposer_rows(
    puzzle: &PuzzleRow,
    draft: &Draft,
    tests: &[PuzzleTest],
    score: &PuzzleScore,
    lang: Language,
    answer_type: Option<&str>,
) -> Vec<DatasetRow> {
    if !score.learnable {
        return Vec::new();
    }
    let weight = proposer_weight(score);
    let row = |attempt_idx: i64, user: &str, assistant: &str| DatasetRow {
        kind: TrainRole::Proposer,
        puzzle_id: puzzle.id,
        attempt_idx,
        messages: proposer_messages_json(user, assistant, weight),
    };
    let target = match draft {
        Draft::Stdio(d) => {
            let inputs: Vec<&str> = tests
                .iter()
                .take(TARGET_TESTS)
                .map(|t| t.input.as_str())
                .collect();
            render_stdio(&d.title, &d.statement, &d.solution, lang, &inputs)
        }
        Draft::P3(d) => render_p3(&d.sat, d.sol.as_deref().unwrap_or_default()),
        Draft::Induction(d) | Draft::Deduction(d) | Draft::Abduction(d) => {
            let inputs: Vec<&str> = tests.iter().map(|t| t.input.as_str()).collect();
            let program = crate::program::render_program(d, &inputs);
            if let (Some(parent), Some(idea)) = (&d.parent, &d.idea) {
                return vec![
                    row(
                        IDEA_ROW,
                        &variant_idea_instruction(parent, &puzzle.difficulty),
                        idea,
                    ),
                    row(-1, &idea_instruction(idea), &program),
                ];
            }
            program
        }
    };
    let instruction = propose_instruction(
        draft.kind().layout(),
        &puzzle.topic,
        &puzzle.difficulty,
        lang,
        draft.parent(),
        answer_type,
    );
    vec![row(-1, &instruction, &target)]
}

/// One learnable puzzle's proposer rows (not empty), with what decides whether they teach.
#[derive(Debug, Clone)]
pub struct ProposerCandidate {
    /// The puzzle's Absolute Zero reward (more rewarded puzzles are chosen first).
    pub reward: f64,
    /// The puzzle the rows came from.
    pub puzzle_id: i64,
    /// The puzzle's fingerprint (none: it is always kept).
    pub fingerprint: Option<Fingerprint>,
    /// Its rows ([`proposer_rows`]).
    pub rows: Vec<DatasetRow>,
}

/// The rows of the candidates that are new to the proposer, and the puzzles left out as
/// repeats: most rewarded first (then in puzzle order), a candidate teaches when its
/// similarity to every puzzle that already taught — `taught` from earlier rounds, then the
/// candidates kept before it — stays below `threshold` (1.0 or more keeps them all).
pub fn novel_proposer_rows(
    mut candidates: Vec<ProposerCandidate>,
    mut taught: Vec<Fingerprint>,
    threshold: f64,
) -> (Vec<DatasetRow>, Vec<i64>) {
    candidates.sort_by(|a, b| {
        b.reward
            .total_cmp(&a.reward)
            .then(a.puzzle_id.cmp(&b.puzzle_id))
    });
    let (mut rows, mut repeats) = (Vec::new(), Vec::new());
    for candidate in candidates {
        if let Some(f) = &candidate.fingerprint {
            if threshold < 1.0 && taught.iter().any(|t| t.similarity(f) >= threshold) {
                repeats.push(candidate.puzzle_id);
                continue;
            }
            taught.push(f.clone());
        }
        rows.extend(candidate.rows);
    }
    (rows, repeats)
}

/// The `attempt_idx` of a two-request mutation's first proposer row (the second's is −1, as
/// every other proposer row's).
const IDEA_ROW: i64 = -2;

#[cfg(test)]
mod tests {
    use super::*;

    fn ac(idx: u32, code: &str) -> AttemptRow {
        AttemptRow {
            idx,
            reply: String::new(),
            code: Some(code.into()),
            verdict: "AC".into(),
            passed: 1,
            total: 1,
            per_test: vec![true],
            message: String::new(),
        }
    }

    #[test]
    fn picks_distinct_and_diverse_solutions() {
        let attempts = vec![
            ac(0, "n = int(input())\nprint(n * 2)"),
            ac(1, "n = int(input())\nprint(n  *  2)"),
            ac(2, "n = int(input())\nprint(n + n)"),
            ac(3, "import sys\nprint(sum([int(sys.stdin.read())] * 2))"),
            AttemptRow {
                verdict: "WA".into(),
                ..ac(4, "print(0)")
            },
        ];
        let picked: Vec<u32> = pick_solutions(&attempts, 2).iter().map(|a| a.idx).collect();
        assert_eq!(picked, vec![0, 3]);
        assert_eq!(pick_solutions(&attempts, 10).len(), 3);
        assert!(pick_solutions(&attempts[4..], 2).is_empty());
    }

    #[test]
    fn proposer_examples_weigh_twice_their_reward() {
        let score = |p: f64| PuzzleScore {
            solve_rate: p,
            learnable: p > 0.0 && p < 1.0,
            reward_azr: if p > 0.0 && p < 1.0 { 1.0 - p } else { 0.0 },
            reward_sqlm: 0.0,
            discrimination: None,
        };
        assert_eq!(proposer_weight(&score(0.5)), 1.0);
        assert_eq!(proposer_weight(&score(0.125)), 1.75);
        let line = proposer_messages_json("q", "a", 1.75);
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["weight"], 1.75);
        assert_eq!(v["messages"][0]["content"], PROPOSER_SYSTEM);
        assert_eq!(v["messages"][2]["content"], "a");
    }

    #[test]
    fn a_repeat_of_a_taught_puzzle_does_not_teach_again() {
        let sat = |body: &str| {
            Fingerprint::of_code(&format!("def sat(s: str, n=5):\n    return {body}\n"))
        };
        let palindrome = sat("len(s) == n and all(s[i] == s[-i - 1] for i in range(n // 2))");
        let candidate = |id: i64, reward: f64, f: &Fingerprint| ProposerCandidate {
            reward,
            puzzle_id: id,
            fingerprint: Some(f.clone()),
            rows: vec![DatasetRow {
                kind: TrainRole::Proposer,
                puzzle_id: id,
                attempt_idx: -1,
                messages: String::new(),
            }],
        };
        let unlike = sat("len(s) == n and all(s[i] != s[-i - 1] for i in range(n // 2))");
        let digits = sat("s.isdigit() and sum(int(c) for c in s) == n * 7");
        let vowels = sat("sorted(s) == list(s) and s.count('a') == n");
        assert!(
            palindrome.similarity(&unlike) >= 0.5,
            "{}",
            palindrome.similarity(&unlike)
        );
        let candidates = vec![
            candidate(1, 0.5, &unlike),
            candidate(2, 0.9, &digits),
            candidate(3, 0.7, &vowels),
            candidate(4, 0.2, &digits),
        ];
        // Puzzle 1 repeats one taught earlier, 4 repeats 2 (more rewarded, so chosen first).
        let (rows, repeats) =
            novel_proposer_rows(candidates.clone(), vec![palindrome.clone()], 0.5);
        let kept: Vec<i64> = rows.iter().map(|r| r.puzzle_id).collect();
        assert_eq!((kept, repeats), (vec![2, 3], vec![1, 4]));
        let (rows, repeats) = novel_proposer_rows(candidates, vec![palindrome], 1.0);
        assert_eq!((rows.len(), repeats.len()), (4, 0));
    }

    #[test]
    fn a_mutation_in_two_requests_teaches_both() {
        let puzzle = PuzzleRow {
            id: 4,
            topic: "variant of a seed program".into(),
            difficulty: "easy".into(),
            ..PuzzleRow::empty(
                1,
                0,
                crate::config::TaskKind::Puzzle(crate::config::PuzzleKind::Deduction),
            )
        };
        let score = PuzzleScore {
            solve_rate: 0.5,
            learnable: true,
            reward_azr: 0.5,
            reward_sqlm: 0.0,
            discrimination: None,
        };
        let draft = crate::program::ProgramDraft {
            description: "Returns x plus one.".into(),
            code: "def f(x):\n    return x + 1\n".into(),
            inputs: Vec::new(),
            parent: Some("def f(x):\n    return x\n".into()),
            idea: Some("Returns x plus one.".into()),
        };
        let tests = [PuzzleTest {
            input: "2".into(),
            expected: "3".into(),
            found: false,
        }];
        let rows = proposer_rows(
            &puzzle,
            &Draft::Deduction(draft),
            &tests,
            &score,
            Language::Python,
            None,
        );
        let messages: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| serde_json::from_str(&r.messages).unwrap())
            .collect();
        assert_eq!(
            rows.iter().map(|r| r.attempt_idx).collect::<Vec<_>>(),
            [IDEA_ROW, -1]
        );
        assert!(
            messages[0]["messages"][1]["content"]
                .as_str()
                .unwrap()
                .contains("return x\n")
        );
        assert_eq!(messages[0]["messages"][2]["content"], "Returns x plus one.");
        let second = messages[1]["messages"][1]["content"].as_str().unwrap();
        assert!(
            second.starts_with("Returns x plus one.\n\nName the function")
                && !second.contains("return x\n")
        );
        assert!(
            messages[1]["messages"][2]["content"]
                .as_str()
                .unwrap()
                .starts_with("Description: Returns x plus one.")
        );
    }

    #[test]
    fn rows_are_chat_messages() {
        let line = messages_json("q", "a");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["messages"][0]["role"], "user");
        assert_eq!(v["messages"][1]["content"], "a");
    }
}
