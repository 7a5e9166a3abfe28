//! Decontamination: a training example that shares a 13-gram of words with any evaluation
//! problem (its statement, prompt, tests or reference solutions) is left out of training, so a
//! held-out gain cannot come from having trained on the test.

use crucible_problems::{FunctionStyle, Problem, Task};
use std::collections::HashMap;

/// Words per n-gram (13, as in the GPT-3 and Codex decontamination).
pub const NGRAM: usize = 13;

/// The n-grams of a set of evaluation problems, each with the problem it came from.
#[derive(Debug, Default, Clone)]
pub struct NgramIndex {
    grams: HashMap<u64, String>,
}

impl NgramIndex {
    /// Indexes every text of `problems` (of the set called `set`).
    pub fn add_problems(&mut self, set: &str, problems: &[Problem]) {
        for problem in problems {
            let label = format!("{set}: {}", problem.id);
            for text in problem_texts(problem) {
                for gram in ngrams(text) {
                    self.grams.entry(gram).or_insert_with(|| label.clone());
                }
            }
        }
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.grams.is_empty()
    }

    /// The evaluation problem `text` shares an n-gram with, if any.
    pub fn overlap(&self, text: &str) -> Option<&str> {
        ngrams(text).find_map(|g| self.grams.get(&g).map(String::as_str))
    }
}

/// The texts of a problem a training example could leak. MBPP's `prompt` is left out: it is
/// the statement and the first assert joined by a fixed sentence, which would let 13-grams
/// match on that sentence and a few words around it.
fn problem_texts(problem: &Problem) -> Vec<&str> {
    let mut texts = vec![problem.statement.as_str()];
    match &problem.task {
        Task::Function(f) => {
            if f.style != FunctionStyle::Mbpp {
                texts.push(f.prompt.as_str());
            }
            texts.push(f.harness.as_str());
            texts.extend(f.reference.iter().map(String::as_str));
        }
        Task::Stdio(s) => texts.extend(s.accepted.iter().map(|a| a.source.as_str())),
    }
    texts
}

/// Hashes of the text's word 13-grams (words: runs of letters, digits and `_`, lower-cased).
fn ngrams(text: &str) -> impl Iterator<Item = u64> {
    let words: Vec<u64> = text
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(|w| hash(&w.to_lowercase()))
        .collect();
    let count = words.len().saturating_sub(NGRAM - 1);
    (0..count).map(move |i| {
        words[i..i + NGRAM]
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
    use crucible_problems::formats;
    use std::path::Path;

    fn mbpp() -> Vec<Problem> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../puzzles/mbpp/mbpp.jsonl");
        formats::load_set(&path).expect("mbpp").problems
    }

    #[test]
    fn a_planted_test_problem_is_caught_and_train_problems_pass() {
        let problems = mbpp();
        let (test, train): (Vec<Problem>, Vec<Problem>) = problems
            .into_iter()
            .partition(|p| p.split == Some(crucible_problems::Split::Heldout));
        let mut index = NgramIndex::default();
        index.add_problems("mbpp-test", &test);
        // A test problem planted in a training pool (renamed, reformatted) is caught by its
        // reference solution alone, and by its statement with its tests.
        let long = |p: &&Problem| {
            matches!(&p.task, Task::Function(f) if f.reference[0].split_whitespace().count() > 30)
        };
        let planted = test.iter().find(long).expect("a long reference");
        let Task::Function(f) = &planted.task else {
            panic!("MBPP is function-level")
        };
        let code = f.reference[0].replace("    ", "\t");
        assert_eq!(
            index.overlap(&format!("```python\n{code}\n```")),
            Some(format!("mbpp-test: {}", planted.id).as_str())
        );
        // Most train problems share no 13-gram with the test split (MBPP has near-duplicate
        // tasks across its splits: 74 of its 474 non-test tasks overlap, and are left out).
        let clean = train
            .iter()
            .filter(|p| {
                let Task::Function(f) = &p.task else {
                    return false;
                };
                let (prompt, _) = crucible_eval::solve_prompt(p, crucible_sandbox::Language::Python);
                index.overlap(&prompt).is_none() && index.overlap(&f.reference[0]).is_none()
            })
            .count();
        assert_eq!(clean, 400, "{clean} of {}", train.len());
    }

    #[test]
    fn short_texts_have_no_ngrams() {
        let mut index = NgramIndex::default();
        assert!(index.is_empty());
        index.add_problems("s", &mbpp()[..3]);
        assert!(!index.is_empty());
        assert_eq!(index.overlap("def f(x): return x"), None);
    }
}
