//! Decontamination: a training example is left out when it contains an evaluation problem's
//! statement (at least 8 words, compared word by word) or when at least half of its code's
//! word 13-grams come from one evaluation problem's reference code, tests or prompt — so a
//! held-out gain cannot come from having trained on the test. Shared boilerplate (the lines
//! that read the input, "the first line contains two integers n and m") is not an overlap.
//! A task sentence a proposer wrote ("Write a function to find the largest prime factor of a
//! given number") is compared with the evaluation statements by its content words
//! ([`NgramIndex::near_task`]): the 0.5B model writes MBPP test statements from memory,
//! nearly word for word.

use crucible_problems::{FunctionStyle, Problem, Task};
use std::collections::{HashMap, HashSet};

/// Words per code n-gram (13, as in the GPT-3 and Codex decontamination).
pub const NGRAM: usize = 13;

/// Fewest words a statement needs to be searched for (shorter ones match too much).
const MIN_STATEMENT_WORDS: usize = 8;

/// The evaluation problems a training example must not overlap.
#[derive(Debug, Default, Clone)]
pub struct NgramIndex {
    /// Each problem's label (`set: id`).
    labels: Vec<String>,
    /// Each problem's statement, as lower-case words joined by single spaces (padded).
    statements: Vec<(String, usize)>,
    /// Code 13-gram → the problems whose code, tests or prompt hold it.
    grams: HashMap<u64, Vec<usize>>,
    /// Each short statement's content words ([`content_words`]).
    tasks: Vec<(HashSet<String>, usize)>,
}

/// Longest statement (in words) compared with task sentences: one-sentence tasks, as MBPP's.
const MAX_TASK_WORDS: usize = 40;

/// Shared content words over all content words ([Jaccard]) from which a task sentence is the
/// evaluation task again.
///
/// [Jaccard]: https://en.wikipedia.org/wiki/Jaccard_index
const NEAR_TASK: f64 = 0.6;

/// Words every task sentence has ("write a python function to find the ... of a given ..."):
/// left out before task sentences are compared.
const TASK_STOP_WORDS: [&str; 28] = [
    "a",
    "an",
    "the",
    "write",
    "python",
    "function",
    "to",
    "of",
    "in",
    "given",
    "is",
    "and",
    "that",
    "for",
    "with",
    "from",
    "by",
    "on",
    "it",
    "its",
    "find",
    "calculate",
    "compute",
    "determine",
    "get",
    "return",
    "returns",
    "check",
];

/// A sentence's words without [`TASK_STOP_WORDS`].
fn content_words(text: &str) -> HashSet<String> {
    words(text)
        .into_iter()
        .filter(|w| !TASK_STOP_WORDS.contains(&w.as_str()))
        .collect()
}

impl NgramIndex {
    /// Indexes `problems` (of the set called `set`).
    pub fn add_problems(&mut self, set: &str, problems: &[Problem]) {
        for problem in problems {
            let at = self.labels.len();
            self.labels.push(format!("{set}: {}", problem.id));
            let words = words(&problem.statement);
            if words.len() >= MIN_STATEMENT_WORDS {
                self.statements.push((padded(&words), at));
            }
            if words.len() <= MAX_TASK_WORDS {
                self.tasks.push((content_words(&problem.statement), at));
            }
            let mut grams = HashSet::new();
            for text in code_texts(problem) {
                grams.extend(ngrams(text));
            }
            for gram in grams {
                self.grams.entry(gram).or_default().push(at);
            }
        }
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The evaluation problem one of `text`'s sentences or lines (a task a proposer wrote, a
    /// description) restates, if any: at least two content words, and [`NEAR_TASK`] of them
    /// shared with a short evaluation statement's.
    pub fn near_task(&self, text: &str) -> Option<&str> {
        text.split(['\n', '.', '?', '!'])
            .map(content_words)
            .filter(|sentence| sentence.len() >= 2)
            .find_map(|sentence| {
                self.tasks.iter().find_map(|(task, at)| {
                    let shared = sentence.intersection(task).count() as f64;
                    let all = sentence.union(task).count() as f64;
                    (shared / all >= NEAR_TASK).then(|| self.labels[*at].as_str())
                })
            })
    }

    /// The evaluation problem `text` (a prompt, a program, or both) overlaps, if any.
    pub fn overlap(&self, text: &str) -> Option<&str> {
        let joined = padded(&words(text));
        if let Some((_, at)) = self.statements.iter().find(|(s, _)| joined.contains(s)) {
            return Some(&self.labels[*at]);
        }
        let grams: HashSet<u64> = ngrams(text).collect();
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for gram in &grams {
            for &at in self.grams.get(gram).into_iter().flatten() {
                *shared.entry(at).or_default() += 1;
            }
        }
        shared
            .into_iter()
            .filter(|&(_, n)| 2 * n >= grams.len())
            .max_by_key(|&(at, n)| (n, std::cmp::Reverse(at)))
            .map(|(at, _)| self.labels[at].as_str())
    }
}

/// The code-like texts of a problem: reference solutions, tests, and a function prompt
/// (HumanEval's signature and docstring; MBPP's prompt is its statement and an assert).
fn code_texts(problem: &Problem) -> Vec<&str> {
    match &problem.task {
        Task::Function(f) => {
            let mut texts = vec![f.harness.as_str()];
            if f.style != FunctionStyle::Mbpp {
                texts.push(f.prompt.as_str());
            }
            texts.extend(f.reference.iter().map(String::as_str));
            texts
        }
        Task::Stdio(s) => s.accepted.iter().map(|a| a.source.as_str()).collect(),
    }
}

/// Words: runs of letters, digits and `_`, lower-cased.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Words joined by single spaces, with a space at each end (so matches are whole words).
fn padded(words: &[String]) -> String {
    format!(" {} ", words.join(" "))
}

/// Hashes of the text's word 13-grams.
fn ngrams(text: &str) -> impl Iterator<Item = u64> {
    let hashed: Vec<u64> = words(text).iter().map(|w| hash(w)).collect();
    let count = hashed.len().saturating_sub(NGRAM - 1);
    (0..count).map(move |i| {
        hashed[i..i + NGRAM]
            .iter()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, w| {
                (h ^ w).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(5)
            })
    })
}

fn hash(word: &str) -> u64 {
    word.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crucible_problems::{Split, formats};
    use crucible_sandbox::Language;
    use std::path::Path;

    fn load(path: &str) -> Vec<Problem> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(path);
        formats::load_set(&path).expect("set").problems
    }

    fn split(problems: Vec<Problem>) -> (Vec<Problem>, Vec<Problem>) {
        problems
            .into_iter()
            .partition(|p| p.split == Some(Split::Heldout))
    }

    #[test]
    fn a_planted_test_problem_is_caught() {
        let (test, _) = split(load("puzzles/mbpp/mbpp.jsonl"));
        let mut index = NgramIndex::default();
        index.add_problems("mbpp-test", &test);
        index.add_problems("humaneval", &load("puzzles/humaneval"));
        let planted = &test[17];
        let label = format!("mbpp-test: {}", planted.id);
        // Planted in a training pool under another id: its solve prompt holds its statement.
        let (prompt, _) = crucible_eval::solve_prompt(planted, Language::Python);
        assert_eq!(index.overlap(&prompt), Some(label.as_str()));
        // Its reference solution, reformatted, as a training target.
        let Task::Function(f) = &planted.task else {
            panic!("MBPP is function-level")
        };
        let code = f.reference[0].replace("    ", "\t").to_uppercase();
        assert_eq!(
            index.overlap(&format!("```python\n{code}\n```")),
            Some(label.as_str())
        );
        // A HumanEval problem's prompt.
        let humaneval = &load("puzzles/humaneval")[40];
        let (prompt, _) = crucible_eval::solve_prompt(humaneval, Language::Python);
        assert!(index.overlap(&prompt).is_some());
        assert_eq!(index.overlap("def f(x):\n    return x + 1\n"), None);
    }

    #[test]
    fn a_test_task_written_from_memory_is_caught() {
        let (test, train) = split(load("puzzles/mbpp/mbpp.jsonl"));
        let mut index = NgramIndex::default();
        index.add_problems("mbpp-test", &test);
        // Tasks the 0.5B model wrote when shown a seed program (runs/mutation-v13*).
        assert_eq!(
            index.near_task("Write a function to find the largest prime factor of a given number."),
            Some("mbpp-test: mbpp/32")
        );
        assert!(
            index
                .near_task("Given x.\nWrite a function to find the circumference of a circle given its radius.")
                .is_some()
        );
        assert_eq!(
            index.near_task("Write a function to calculate the factorial of a number."),
            None
        );
        assert_eq!(index.near_task("Returns x."), None);
        // MBPP's own splits share many one-word variants ("first odd" / "first even", "move
        // all zeroes to the end of the list" / "... array"): 114 of its 474 train statements
        // are near a test statement. Proposals are held to that, not the pools; most train
        // statements are still other tasks.
        let near = train
            .iter()
            .filter(|p| index.near_task(&p.statement).is_some())
            .count();
        assert!(near * 3 <= train.len(), "{near} of {}", train.len());
    }

    #[test]
    fn shared_boilerplate_is_no_overlap() {
        // The seed set's stdin/stdout problems share input-reading code and phrasing
        // ("the first line contains two integers n and m") across splits.
        let (heldout, train) = split(load("puzzles"));
        let mut index = NgramIndex::default();
        index.add_problems("seed", &heldout);
        let flagged: Vec<&str> = train
            .iter()
            .filter(|p| {
                let (prompt, _) = crucible_eval::solve_prompt(p, Language::Python);
                let reference = match &p.task {
                    Task::Stdio(s) => s
                        .accepted
                        .iter()
                        .map(|a| a.source.as_str())
                        .collect::<Vec<_>>()
                        .join("\n"),
                    Task::Function(f) => f.reference.join("\n"),
                };
                index.overlap(&prompt).is_some() || index.overlap(&reference).is_some()
            })
            .map(|p| p.id.as_str())
            .collect();
        assert!(flagged.is_empty(), "{flagged:?}");
        // MBPP has near-duplicate tasks across its splits; most train tasks are clean.
        let (test, train) = split(load("puzzles/mbpp/mbpp.jsonl"));
        let mut index = NgramIndex::default();
        index.add_problems("mbpp-test", &test);
        let clean = train
            .iter()
            .filter(|p| {
                let (prompt, _) = crucible_eval::solve_prompt(p, Language::Python);
                let Task::Function(f) = &p.task else {
                    return false;
                };
                index.overlap(&prompt).is_none() && index.overlap(&f.reference[0]).is_none()
            })
            .count();
        assert!(clean * 10 >= train.len() * 9, "{clean} of {}", train.len());
    }
}
