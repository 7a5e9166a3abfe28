//! Replay: conversations from a file — the warm-up data a role was first tuned on, or any
//! data in the layout `crucible train` reads — mixed into the role's training data after each
//! round. A round gives a role a few dozen examples of its own; trained on them alone, round
//! after round, the proposer narrows onto one family of puzzles and the solver loses general
//! skill (BENCHMARKS.md, "Rounds of P3 self-play"). Replayed examples hold the rest of what
//! the model knew in view.

use crate::SelfplayError;
use crate::decontam::NgramIndex;
use crate::seeds::mix;
use std::path::Path;

/// The conversations of a replay file, one JSON object with a `messages` array per line
/// (blank lines skipped), less those whose messages overlap an evaluation problem in
/// `contamination` (they are never replayed). A line of another shape is an error naming it.
pub fn read_replay(path: &Path, contamination: &NgramIndex) -> Result<Vec<String>, SelfplayError> {
    let text = std::fs::read_to_string(path).map_err(|e| SelfplayError::io(path, e))?;
    let mut lines = Vec::new();
    let mut conversations = 0;
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some(contents) = message_contents(line) else {
            return Err(SelfplayError::Config(format!(
                "replay file {} line {}: not a JSON object with a non-empty `messages` array",
                path.display(),
                number + 1
            )));
        };
        conversations += 1;
        if contamination.overlap(&contents).is_none() {
            lines.push(line.to_string());
        }
    }
    if conversations == 0 {
        return Err(SelfplayError::Config(format!(
            "replay file {} holds no conversations",
            path.display()
        )));
    }
    Ok(lines)
}

/// The contents of a conversation line's messages, one per line (what the contamination
/// check reads: the JSON escapes would glue words together); `None` when the line is not a
/// JSON object with a non-empty `messages` array.
fn message_contents(line: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    let messages = value
        .get("messages")?
        .as_array()
        .filter(|m| !m.is_empty())?;
    Some(
        messages
            .iter()
            .filter_map(|m| m.get("content").and_then(|c| c.as_str()))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// `count` of `lines` (all of them when there are fewer), drawn by `seed` without
/// repetition and kept in file order.
pub fn draw(lines: &[String], count: usize, seed: u64) -> Vec<String> {
    let mut keyed: Vec<(u64, usize)> = (0..lines.len())
        .map(|at| (mix(seed ^ mix(at as u64)), at))
        .collect();
    keyed.sort_unstable();
    let mut chosen: Vec<usize> = keyed.into_iter().take(count).map(|(_, at)| at).collect();
    chosen.sort_unstable();
    chosen.into_iter().map(|at| lines[at].clone()).collect()
}

/// How many replayed conversations go with `own` examples at `ratio` replayed per own one.
pub fn replay_count(own: usize, ratio: f64) -> usize {
    (own as f64 * ratio).ceil() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversation(reply: &str) -> String {
        serde_json::json!({"messages": [
            {"role": "user", "content": "Write a puzzle."},
            {"role": "assistant", "content": reply},
        ]})
        .to_string()
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    #[test]
    fn reads_conversations_and_names_a_bad_line() {
        let good = format!("{}\n\n{}\n", conversation("a"), conversation("b"));
        let none = NgramIndex::default();
        assert_eq!(read_replay(file(&good).path(), &none).unwrap().len(), 2);
        let bad = format!("{}\n{{\"text\": \"no messages\"}}\n", conversation("a"));
        let err = read_replay(file(&bad).path(), &none)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(read_replay(file("\n").path(), &none).is_err());
        assert!(read_replay(Path::new("no/such/replay.jsonl"), &none).is_err());
    }

    #[test]
    fn draws_are_seeded_without_repeats_and_in_file_order() {
        let lines: Vec<String> = (0..50)
            .map(|i| conversation(&format!("reply {i}")))
            .collect();
        let first = draw(&lines, 10, 7);
        assert_eq!(first.len(), 10);
        assert_eq!(first, draw(&lines, 10, 7));
        assert_ne!(first, draw(&lines, 10, 8));
        let at: Vec<usize> = first
            .iter()
            .map(|l| lines.iter().position(|x| x == l).unwrap())
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
        assert_eq!(draw(&lines, 80, 7).len(), 50);
        assert_eq!(replay_count(11, 1.0), 11);
        assert_eq!(replay_count(11, 0.5), 6);
        assert_eq!(replay_count(0, 2.0), 0);
    }

    #[test]
    fn a_conversation_holding_an_evaluation_problem_is_never_drawn() {
        let set = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../puzzles/humaneval");
        let problems = crucible_problems::formats::load_set(&set)
            .expect("HumanEval")
            .problems;
        let mut index = NgramIndex::default();
        index.add_problems("humaneval", &problems);
        let (prompt, _) =
            crucible_eval::solve_prompt(&problems[40], crucible_sandbox::Language::Python);
        let mut lines: Vec<String> = (0..9)
            .map(|i| conversation(&format!("reply {i}")))
            .collect();
        lines.insert(4, conversation(&prompt));
        let read = read_replay(file(&lines.join("\n")).path(), &index).unwrap();
        let drawn = draw(&read, 10, 3);
        assert_eq!(drawn.len(), 9);
        assert!(!drawn.contains(&lines[4]));
    }
}
