//! Scripted generators with fixed replies (the proposer/solver script, the seed-program
//! mutator, the retried solver, the P3 solvability, feedback-turn and drafts scripts) and the seed set's reference answers
//! they solve with.

use crate::support::seed_set;
use crucible_model::{Completion, FinishReason, GenerationRequest, Generator, ModelError};
use std::path::Path;

/// A finished completion of `text` (what the scripted generators answer).
fn completion(text: String) -> Completion {
    Completion {
        text,
        tokens: Vec::new(),
        logprobs: Vec::new(),
        finish: FinishReason::Stop,
        prompt_tokens: 0,
    }
}

/// Fixed replies chosen by the request's seed; fails once `fail_after` requests are served.
pub(crate) struct Scripted {
    pub(crate) served: usize,
    pub(crate) fail_after: Option<usize>,
}

const DOUBLE: &str = "Title: Double it\nStatement:\nRead one integer n from standard input and print twice its value.\n\
Solution:\n```python\nprint(2 * int(input()))\n```\nTests:\n```\n1\n```\n```\n5\n```\n```\n-4\n```\n";
const VOWELS: &str = "Here is a puzzle.\n## Title: Vowel count\n## Statement\nRead a line of lowercase letters and print how many vowels (a, e, i, o, u) it has.\n\
## Solution\n```python\ns = input().strip()\nprint(sum(c in 'aeiou' for c in s))\n```\n## Generator\n```python\ni = int(input())\nprint('abcdefghijklmnopqrstuvwxyz'[i:] * (i + 1))\n```\n";
const P3_GOOD: &str = "```python\ndef sat(x: int) -> bool:\n    return x * x == 17161\n\ndef sol():\n    return 131\n```";
const P3_TRIVIAL: &str = "```python\ndef sat(s: str) -> bool:\n    return len(s) < 3\n\ndef sol():\n    return 'ab'\n```";

impl Scripted {
    /// A scripted model that never fails, as the campaign opens models.
    pub(crate) fn boxed() -> Box<dyn Generator> {
        Box::new(Scripted {
            served: 0,
            fail_after: None,
        })
    }

    fn proposal(request: &GenerationRequest) -> String {
        let prompt = &request.messages.last().expect("a message").content;
        let pick = request.sampling.seed % 4;
        if prompt.contains("programming puzzle about") {
            return (if pick < 3 { P3_GOOD } else { P3_TRIVIAL }).to_string();
        }
        match pick {
            0 => DOUBLE.to_string(),
            1 => VOWELS.to_string(),
            2 => "I cannot write that.".to_string(),
            _ => DOUBLE
                .replace("print(2 * int(input()))", "print(2 * int(input())")
                .to_string(),
        }
    }

    /// Even samples are right, odd ones wrong (or without code). Seed-set problems are
    /// answered with their reference solution.
    fn attempt(prompt: &str, i: usize) -> String {
        let right = i.is_multiple_of(2);
        if let Some((_, solution)) = seed_solutions()
            .iter()
            .find(|(statement, _)| prompt.contains(statement.as_str()))
        {
            let code = if right { solution.as_str() } else { "print(0)" };
            return format!("```python\n{code}\n```");
        }
        if let Some((_, solution)) = seed_p3_solutions()
            .iter()
            .find(|(sat, _)| prompt.contains(sat.as_str()))
        {
            let code = if right { solution.as_str() } else { "print(0)" };
            return format!("```python\n{code}\n```");
        }
        let code = if prompt.contains("twice its value") {
            if right {
                "print(int(input()) * 2)"
            } else {
                "print(int(input()) + 2)"
            }
        } else if prompt.contains("vowels") {
            if right {
                "print(len([c for c in input() if c in 'aeiou']))"
            } else {
                "print(len(input()))"
            }
        } else if right {
            "def sol():\n    return -131"
        } else {
            return "The answer is 130.".to_string();
        };
        format!("```python\n{code}\n```")
    }
}

impl Generator for Scripted {
    fn generate(
        &mut self,
        request: &GenerationRequest,
        _on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError> {
        self.served += 1;
        if self.fail_after.is_some_and(|n| self.served > n) {
            return Err(ModelError::Tokenizer("scripted failure".into()));
        }
        let prompt = &request.messages.last().expect("a message").content;
        let solver = prompt.starts_with("Solve the following")
            || prompt.starts_with("Find an input that makes");
        Ok((0..request.n)
            .map(|i| {
                completion(if solver {
                    Self::attempt(prompt, i)
                } else {
                    Self::proposal(request)
                })
            })
            .collect())
    }

    fn describe(&self) -> String {
        "scripted".into()
    }
}

/// (statement, Python reference) of the seed set's stdin/stdout problems.
fn seed_solutions() -> &'static Vec<(String, String)> {
    static SOLUTIONS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    SOLUTIONS.get_or_init(|| {
        let root = Path::new(&seed_set()).join("stdio");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(root).expect("seed set").flatten() {
            let read = |rel: &str| std::fs::read_to_string(entry.path().join(rel));
            if let (Ok(statement), Ok(solution)) = (
                read("problem_statement/problem.md"),
                read("submissions/accepted/sol.py"),
            ) {
                out.push((statement.trim().to_string(), solution));
            }
        }
        out
    })
}

/// (sat, reference sol) of the seed set's P3 puzzles.
fn seed_p3_solutions() -> &'static Vec<(String, String)> {
    static SOLUTIONS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    SOLUTIONS.get_or_init(|| {
        let path = Path::new(&seed_set()).join("p3/puzzles.json");
        let text = std::fs::read_to_string(path).expect("seed P3 puzzles");
        let puzzles: Vec<serde_json::Value> = serde_json::from_str(&text).expect("JSON");
        puzzles
            .iter()
            .map(|p| {
                let field = |k: &str| p[k].as_str().unwrap_or_default().to_string();
                let body = p["sol_bodies"][0].as_str().unwrap_or_default();
                (
                    field("sat").trim().to_string(),
                    format!("{}\n{body}", field("sol_header")),
                )
            })
            .collect()
    })
}

/// Proposes variants of the built-in seed programs and of seed P3 puzzles: even seeds copy
/// what they were given (a program with its own calls, a puzzle as shown), odd ones write a
/// different function or puzzle. A program's variant comes in two requests: the task named
/// with the seed shown (a copy names the seed by its index among the built-in examples), then
/// the program from that sentence alone.
pub(crate) struct Mutator;

/// The task a copying mutation names: the built-in example it was shown, by index.
const COPY_TASK: &str = "Write a function to do what built-in example";

const VARIANT: &str = "Description: Sums i * k over i below n, modulo 97.\n\n```python\n\
def f(n: int, k: int) -> int:\n    return sum(i * k for i in range(n)) % 97\n\n\
f(3, 2)\nf(10, 3)\nf(7, 7)\nf(20, 1)\nf(5, 11)\nf(0, 4)\nf(12, 5)\nf(9, 9)\nf(31, 2)\nf(4, 40)\n```\n";

impl Generator for Mutator {
    fn generate(
        &mut self,
        request: &GenerationRequest,
        _on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError> {
        let prompt = &request.messages.last().expect("a message").content;
        let examples = crucible_selfplay::program::example_drafts();
        let text = if prompt.contains("programming task for a different function") {
            let index = examples
                .iter()
                .position(|d| prompt.contains(d.code.trim_end()))
                .expect("the prompt shows a seed program");
            if request.sampling.seed.is_multiple_of(2) {
                format!("{COPY_TASK} {index} does.")
            } else {
                "Write a function to sum i * k over i below n, modulo 97.".to_string()
            }
        } else if let Some(at) = prompt.find(COPY_TASK) {
            let index: usize = prompt[at + COPY_TASK.len()..]
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .expect("an example's index");
            let example = &examples[index];
            let inputs: Vec<&str> = example.inputs.iter().map(String::as_str).collect();
            crucible_selfplay::program::render_program(example, &inputs)
        } else if prompt.contains("sum i * k over i below n") {
            VARIANT.to_string()
        } else if prompt.contains("puzzle from it:") {
            if request.sampling.seed.is_multiple_of(2) {
                let start = prompt.find("```python").expect("the prompt shows a puzzle");
                let end = prompt[start + 3..].find("```").expect("closed") + start + 6;
                prompt[start..end].to_string()
            } else {
                format!("```python\n{SAT_SQUARE}\ndef sol():\n    return 131\n```\n")
            }
        } else {
            "No code.".to_string()
        };
        Ok((0..request.n).map(|_| completion(text.clone())).collect())
    }

    fn describe(&self) -> String {
        "mutator".into()
    }
}

/// A solver that fails every first sample and solves every retry (requests of 3 samples).
pub(crate) struct Retrier;

impl Generator for Retrier {
    fn generate(
        &mut self,
        request: &GenerationRequest,
        _on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError> {
        let prompt = &request.messages.last().expect("a message").content;
        Ok((0..request.n)
            .map(|_| {
                completion(if request.n == 3 {
                    Scripted::attempt(prompt, 0)
                } else {
                    "```python\nprint(0)\n```".to_string()
                })
            })
            .collect())
    }

    fn describe(&self) -> String {
        "retrier".into()
    }
}

/// Proposes three P3 puzzles in turn: a solvable `sat` without `sol`, another with a wrong
/// `sol` (one that no fit of `sat`'s constants mends), and one nothing satisfies. Solves them
/// right on even samples.
#[derive(Default)]
pub(crate) struct Solvability {
    proposed: usize,
}

const SAT_SQUARE: &str = "def sat(x: int) -> bool:\n    return x * x == 17161\n";
const SAT_LETTERS: &str = "def sat(s: str) -> bool:\n    return s.count('q') == 7 and len(s) == 9 and s[0] == 'z' and s[-1] != s[0]\n";
const SAT_NONE: &str = "def sat(li: List[int]) -> bool:\n    return len(li) == 2 and li[0] + li[1] == 3 and min(li) > 4\n";

impl Generator for Solvability {
    fn generate(
        &mut self,
        request: &GenerationRequest,
        _on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError> {
        let prompt = &request.messages.last().expect("a message").content;
        let text = |i: usize| {
            if prompt.contains("programming puzzle about") {
                return match self.proposed % 3 {
                    0 => format!("```python\n{SAT_SQUARE}```"),
                    1 => format!("```python\n{SAT_LETTERS}\ndef sol():\n    return 'qq'\n```"),
                    _ => format!("```python\n{SAT_NONE}\ndef sol():\n    return [5]\n```"),
                };
            }
            let answer = match (i % 2, prompt.contains("17161"), prompt.contains("'q'")) {
                (1, _, _) => "7",
                (_, true, _) => "-131",
                (_, _, true) => "'zqqqqqqqa'",
                _ => "[1, 2]",
            };
            format!("```python\ndef sol():\n    return {answer}\n```")
        };
        let replies = (0..request.n).map(|i| completion(text(i))).collect();
        if prompt.contains("programming puzzle about") {
            self.proposed += 1;
        }
        Ok(replies)
    }

    fn describe(&self) -> String {
        "solvability".into()
    }
}

/// P3 proposals, each asked in turn for one of three first replies — a `sat` any
/// non-negative number satisfies, a `sol` that does not satisfy its `sat`, a good puzzle — and
/// answering feedback turns by what it wrote first: the trivial puzzle fixed, the wrong `sol`
/// answered with no code at all. The solver answers as [`Solvability`]'s.
#[derive(Default)]
pub(crate) struct Repairer {
    proposed: usize,
}

const SAT_ANY: &str = "def sat(x: int) -> bool:\n    return x >= 0\n";
const SAT_FIXED: &str = "def sat(word: str) -> bool:\n    return len(word) == 12 and word.count('zy') == 4 and word.endswith('k')\n";

impl Generator for Repairer {
    fn generate(
        &mut self,
        request: &GenerationRequest,
        on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError> {
        let messages = &request.messages;
        let last = &messages.last().expect("a message").content;
        if last.contains("Fix the puzzle") {
            let first = &messages[2].content;
            let text = if first.contains("x >= 0") {
                format!("```python\n{SAT_FIXED}\ndef sol():\n    return 'zyzyzyzyabck'\n```")
            } else {
                "I cannot.".to_string()
            };
            return Ok(vec![completion(text)]);
        }
        if last.contains("programming puzzle about") {
            let text = match self.proposed % 3 {
                0 => format!("```python\n{SAT_ANY}\ndef sol():\n    return 3\n```"),
                1 => format!("```python\n{SAT_LETTERS}\ndef sol():\n    return 'qq'\n```"),
                _ => format!("```python\n{SAT_SQUARE}\ndef sol():\n    return 131\n```"),
            };
            self.proposed += 1;
            return Ok(vec![completion(text)]);
        }
        Solvability::default().generate(request, on_token)
    }

    fn describe(&self) -> String {
        "repairer".into()
    }
}

/// `sat` with the right tests and a wrong number: `sum(li) == 10` where its `sol` sums to 11.
const SAT_ODD: &str = "def sat(li: List[int]) -> bool:\n    return len(li) == 3 and sum(li) == 10 and all(x % 2 == 1 for x in li)\n";

/// P3 proposals answered with as many drafts as asked for, in this order: a `sat` any
/// non-negative number satisfies, a `sol` that does not satisfy its `sat`, a `sol` that does
/// once `sat`'s constants are fitted to it, a good puzzle with a `sol` that holds. The solver answers as [`Solvability`]'s. Records each proposal
/// request's `n`.
#[derive(Default)]
pub(crate) struct Drafter {
    pub(crate) asked: std::sync::Arc<std::sync::Mutex<Vec<usize>>>,
}

impl Generator for Drafter {
    fn generate(
        &mut self,
        request: &GenerationRequest,
        on_token: &mut dyn FnMut(&str),
    ) -> Result<Vec<Completion>, ModelError> {
        let last = &request.messages.last().expect("a message").content;
        if !last.contains("programming puzzle about") {
            return Solvability::default().generate(request, on_token);
        }
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(request.n);
        }
        let text = |i: usize| match i % 4 {
            0 => format!("```python\n{SAT_ANY}\ndef sol():\n    return 3\n```"),
            1 => format!("```python\n{SAT_LETTERS}\ndef sol():\n    return 'qq'\n```"),
            2 => format!("```python\n{SAT_ODD}\ndef sol():\n    return [1, 3, 7]\n```"),
            _ => format!("```python\n{SAT_FIXED}\ndef sol():\n    return 'zyzyzyzyabck'\n```"),
        };
        Ok((0..request.n).map(|i| completion(text(i))).collect())
    }

    fn describe(&self) -> String {
        "drafter".into()
    }
}
