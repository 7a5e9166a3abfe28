//! Hindsight labels for proposer examples: the topic a P3 puzzle turned out to be about, read
//! from its `sat` with the table the warm-up data is labelled with (`data/p3_topics.json`), and
//! the difficulty its solve rate showed. A proposal's topic and difficulty are drawn at random
//! and a small model often writes something else; taught under the drawn labels it learns to
//! ignore them (and collapses onto one family), taught under these it learns to follow them.

use crate::puzzle::Draft;
use crate::store::{PuzzleRow, PuzzleScore};
use serde::Deserialize;
use std::sync::LazyLock;

/// The topic table, as `data/p3_topics.json` holds it.
#[derive(Debug, Deserialize)]
struct TopicTable {
    /// (words, topic): the first entry one of whose words the lower-cased code holds.
    words: Vec<(Vec<String>, String)>,
    /// The topic of a puzzle whose answer is a `str` (no word matched).
    string_answer: String,
    /// The topic of a puzzle whose answer is a `List[...]`.
    list_answer: String,
    /// The topic of any other puzzle.
    other_answer: String,
}

static TOPICS: LazyLock<TopicTable> = LazyLock::new(|| {
    // Embedded at build time; the test below reads it, so a malformed table fails the tests.
    serde_json::from_str(include_str!("../data/p3_topics.json"))
        .expect("data/p3_topics.json is a valid topic table")
});

/// The topic a P3 puzzle is about, read from its `sat`.
pub fn p3_topic(sat: &str) -> &'static str {
    let table = &*TOPICS;
    let text = sat.to_lowercase();
    if let Some((_, topic)) = table
        .words
        .iter()
        .find(|(words, _)| words.iter().any(|w| text.contains(w.as_str())))
    {
        return topic;
    }
    match answer_type(sat) {
        Some("str") => &table.string_answer,
        Some(t) if t.starts_with("List") => &table.list_answer,
        _ => &table.other_answer,
    }
}

/// The annotation of `sat`'s first parameter (`def sat(s: str, ...)` → `str`): up to the
/// first `,`, `=` or `)` outside brackets.
pub(crate) fn answer_type(sat: &str) -> Option<&str> {
    let params = &sat[sat.find("def sat(")? + "def sat(".len()..];
    let colon = params.find(':')?;
    if params[..colon].contains([',', ')', '=']) {
        return None;
    }
    let annotation = &params[colon + 1..];
    let mut depth = 0usize;
    let end = annotation
        .char_indices()
        .find(|&(_, c)| {
            match c {
                '[' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                ',' | '=' | ')' => return depth == 0,
                _ => {}
            }
            false
        })
        .map_or(annotation.len(), |(i, _)| i);
    Some(annotation[..end].trim())
}

/// The puzzle as it teaches the proposer: a P3 puzzle (not a mutation) under the topic its
/// `sat` is about, when `topics` (the campaign's) lists it, and the difficulty its solve rate
/// showed; any other as it was asked for.
pub fn relabelled(
    puzzle: &PuzzleRow,
    draft: &Draft,
    score: &PuzzleScore,
    topics: &[String],
) -> PuzzleRow {
    let mut labelled = puzzle.clone();
    if let Draft::P3(d) = draft
        && d.parent.is_none()
    {
        let topic = p3_topic(&d.sat);
        if topics.iter().any(|t| t == topic) {
            labelled.topic = topic.to_string();
        }
        labelled.difficulty = difficulty_of(score.solve_rate).to_string();
    }
    labelled
}

/// The difficulty a solve rate in the band shows: easy from 2/3 up, medium from 1/3, else hard.
pub fn difficulty_of(solve_rate: f64) -> &'static str {
    if solve_rate >= 2.0 / 3.0 {
        "easy"
    } else if solve_rate >= 1.0 / 3.0 {
        "medium"
    } else {
        "hard"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_come_from_the_words_then_the_answer_type() {
        assert!(!TOPICS.words.is_empty());
        assert_eq!(
            p3_topic("def sat(n: int, a=7):\n    return n % a == 0 and n > 100"),
            "arithmetic"
        );
        assert_eq!(
            p3_topic("def sat(s: str, n=5):\n    return len(s) == n and s == s[::-1]"),
            "strings"
        );
        assert_eq!(
            p3_topic("def sat(x: List[int], n=4):\n    return len(x) == n and x == sorted(x)"),
            "sorting"
        );
        assert_eq!(
            p3_topic(
                "def sat(t: List[int], k=3):\n    return len(t) == k and all(t[i] == i for i in range(k))"
            ),
            "arrays"
        );
        assert_eq!(
            p3_topic(
                "def sat(n: int):\n    return all(n % p for p in range(2, n)) and n > 50 # prime"
            ),
            "number theory"
        );
        assert_eq!(p3_topic("no sat at all"), "arithmetic");
    }

    #[test]
    fn answer_types_are_read_from_the_first_parameter() {
        assert_eq!(answer_type("def sat(s: str, n=5):"), Some("str"));
        assert_eq!(
            answer_type("def sat(x: List[int], n=5):"),
            Some("List[int]")
        );
        assert_eq!(
            answer_type("def sat(t: Tuple[int, int], n=5):"),
            Some("Tuple[int, int]")
        );
        assert_eq!(answer_type("def sat(x):"), None);
        assert_eq!(answer_type("def sat(x: int"), Some("int"));
    }

    proptest::proptest! {
        #[test]
        fn topics_never_panic(sat in proptest::prelude::any::<String>()) {
            let with_header = format!("def sat({sat}");
            let _ = (p3_topic(&sat), p3_topic(&with_header));
        }
    }

    #[test]
    fn a_p3_puzzle_teaches_under_what_it_turned_out_to_be() {
        let sat = "def sat(s: str, n=5):\n    return len(s) == n and s == s[::-1]\n";
        let draft = |parent: Option<&str>| -> Draft {
            serde_json::from_value(serde_json::json!({"kind": "p3", "sat": sat, "parent": parent}))
                .unwrap()
        };
        let puzzle = PuzzleRow {
            topic: "dates and times".into(),
            difficulty: "hard".into(),
            ..PuzzleRow::empty(
                1,
                0,
                crate::config::TaskKind::Puzzle(crate::config::PuzzleKind::P3),
            )
        };
        let score = PuzzleScore {
            solve_rate: 0.875,
            learnable: true,
            reward_azr: 0.125,
            reward_sqlm: 1.0,
            discrimination: None,
        };
        let topics = ["strings".to_string(), "arithmetic".to_string()];
        let labelled = relabelled(&puzzle, &draft(None), &score, &topics);
        assert_eq!(
            (labelled.topic.as_str(), labelled.difficulty.as_str()),
            ("strings", "easy")
        );
        // A topic the campaign does not list stays as drawn; a mutation keeps its request's.
        let unlisted = relabelled(&puzzle, &draft(None), &score, &topics[1..]);
        assert_eq!(
            (unlisted.topic.as_str(), unlisted.difficulty.as_str()),
            ("dates and times", "easy")
        );
        let mutation = relabelled(
            &puzzle,
            &draft(Some("def sat(x: int): return x > 3")),
            &score,
            &topics,
        );
        assert_eq!(
            (mutation.topic, mutation.difficulty),
            (puzzle.topic, puzzle.difficulty)
        );
    }

    #[test]
    fn difficulty_follows_the_solve_rate() {
        assert_eq!(difficulty_of(0.9375), "easy");
        assert_eq!(difficulty_of(0.5), "medium");
        assert_eq!(difficulty_of(0.0625), "hard");
    }
}
