//! Prompts: what the proposer is asked (few-shot from the seed set's `train` split, a sampled
//! topic and difficulty), and what the solver is asked (the statement only).

use crate::SelfplayError;
use crate::config::{CampaignConfig, PuzzleKind};
use crate::puzzle::{Draft, fence_tag, render_p3, render_stdio};
use crate::similarity::Fingerprint;
use crate::validate::PuzzleTest;
use crucible_problems::{FunctionStyle, FunctionTask, Problem, Split, StdioTask, Task};
use crucible_sandbox::{Checker, Language};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A seed-set puzzle shown to the proposer, rendered in the reply layout.
#[derive(Debug, Clone)]
pub struct Example {
    /// The kind of puzzle.
    pub kind: PuzzleKind,
    /// The rendered puzzle.
    pub text: String,
    /// Fingerprint of its statement (copy check).
    pub fingerprint: Fingerprint,
}

/// The seed set's `train` puzzles usable as examples.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    /// All examples, stdin/stdout and P3.
    pub all: Vec<Example>,
}

/// Largest test input shown in an example.
const MAX_EXAMPLE_INPUT: usize = 120;

impl Examples {
    /// Loads the examples from a seed set directory (every format `crucible eval` reads).
    pub fn load(seed_set: &Path, lang: Language) -> Result<Self, SelfplayError> {
        let mut all: Vec<Example> = seed_set_problems(seed_set)?
            .iter()
            .filter_map(|p| example(p, lang))
            .collect();
        // Program-first examples are built in (the seed set has none of that layout).
        for draft in crate::program::example_drafts() {
            let inputs: Vec<&str> = draft.inputs.iter().map(String::as_str).collect();
            all.push(Example {
                kind: PuzzleKind::Induction,
                text: crate::program::render_program(&draft, &inputs),
                fingerprint: Fingerprint::of(&draft.code),
            });
        }
        if all.is_empty() {
            return Err(SelfplayError::SeedSet(format!(
                "{} has no train-split puzzles with a reference solution",
                seed_set.display()
            )));
        }
        Ok(Examples { all })
    }

    /// Up to `n` examples of `kind`, picked by `pick` (a random number per choice).
    pub fn pick(&self, kind: PuzzleKind, n: usize, mut pick: impl FnMut() -> u64) -> Vec<&Example> {
        let mut pool: Vec<&Example> = self
            .all
            .iter()
            .filter(|e| same_layout(e.kind, kind))
            .collect();
        let mut chosen = Vec::new();
        while chosen.len() < n && !pool.is_empty() {
            let i = (pick() % pool.len() as u64) as usize;
            chosen.push(pool.swap_remove(i));
        }
        chosen
    }

    /// The highest similarity of `fingerprint` to an example of `kind`.
    pub fn closest(&self, kind: PuzzleKind, fingerprint: &Fingerprint) -> f64 {
        self.all
            .iter()
            .filter(|e| same_layout(e.kind, kind))
            .map(|e| e.fingerprint.similarity(fingerprint))
            .fold(0.0, f64::max)
    }
}

/// Whether examples of kind `a` show the layout of kind `b` (the program-first kinds share one).
fn same_layout(a: PuzzleKind, b: PuzzleKind) -> bool {
    a == b || (a.program_first() && b.program_first())
}

/// The seed set's stdio and P3 parts (the project's layout), or the directory itself.
/// Every problem of the seed set: its `stdio` and `p3` parts, or the folder itself.
pub(crate) fn seed_set_problems(seed_set: &Path) -> Result<Vec<Problem>, SelfplayError> {
    let mut problems = Vec::new();
    for path in seed_set_parts(seed_set) {
        let report = crucible_problems::formats::load_set(&path)
            .map_err(|e| SelfplayError::SeedSet(format!("{}: {e}", path.display())))?;
        problems.extend(report.problems);
    }
    Ok(problems)
}

fn seed_set_parts(seed_set: &Path) -> Vec<PathBuf> {
    let parts: Vec<PathBuf> = ["stdio", "p3"]
        .iter()
        .map(|p| seed_set.join(p))
        .filter(|p| p.exists())
        .collect();
    if parts.is_empty() {
        vec![seed_set.to_path_buf()]
    } else {
        parts
    }
}

fn example(problem: &Problem, lang: Language) -> Option<Example> {
    if problem.split == Some(Split::Heldout) {
        return None;
    }
    match &problem.task {
        Task::Stdio(task) => {
            let solution = task.accepted.iter().find(|s| s.lang == lang)?;
            let inputs: Vec<String> = task
                .tests
                .iter()
                .map(|t| String::from_utf8_lossy(&t.input).into_owned())
                .filter(|i| i.len() <= MAX_EXAMPLE_INPUT)
                .take(4)
                .collect();
            if inputs.len() < 2 {
                return None;
            }
            let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
            Some(Example {
                kind: PuzzleKind::Stdio,
                text: render_stdio(
                    &problem.name,
                    &problem.statement,
                    &solution.source,
                    lang,
                    &inputs,
                ),
                fingerprint: Fingerprint::of(&problem.statement),
            })
        }
        Task::Function(task) if task.style == FunctionStyle::P3 => {
            let sol = task.reference.first()?;
            Some(Example {
                kind: PuzzleKind::P3,
                text: render_p3(&task.harness, sol),
                fingerprint: Fingerprint::of(&task.harness),
            })
        }
        Task::Function(_) => None,
    }
}

/// How a complete program reads and writes, per language.
fn io_hint(lang: Language) -> &'static str {
    match lang {
        Language::Python => "It reads the input with input() and prints the answer with print().",
        Language::C => "It reads the input with scanf and prints the answer with printf.",
        _ => "It reads the input with std::cin and prints the answer with std::cout.",
    }
}

/// The proposer's instruction (without examples: the training target for the proposer). It
/// ends with the layout to fill in, which small models follow best. A program-first proposal
/// with a `parent` asks for a variant of that seed program instead of a new one.
pub fn propose_instruction(
    kind: PuzzleKind,
    topic: &str,
    difficulty: &str,
    lang: Language,
    parent: Option<&str>,
) -> String {
    if let Some(parent) = parent.filter(|_| kind.program_first()) {
        return format!(
            "Here is a Python function `f`:\n\n```python\n{}\n```\n\nWrite a {difficulty} \
             variant of it as a new Python function named `f`: change its constants or \
             operators, add a parameter, or combine it with one more step, so that it computes \
             something different. Give it meaningful parameter names and type annotations; it \
             returns its result. Then write 10 calls of `f` with different arguments, which give \
             different results (do not write the results).\n\n{PROGRAM_LAYOUT}",
            parent.trim_end()
        );
    }
    match kind {
        PuzzleKind::Stdio => {
            let tag = fence_tag(lang);
            format!(
                "Write a new {difficulty} programming problem about {topic}: a statement, a \
                 reference solution, and 5 to 8 small test inputs (inputs only, no outputs). The \
                 solution must be a complete program, not just a function. {}\n\n\
                 Reply in exactly this layout:\n\n\
                 Title: <a short title>\nStatement:\n<the task, the input format, the output format>\n\
                 Solution:\n```{tag}\n<the complete program>\n```\nTests:\n```\n<test input 1>\n```\n\
                 ```\n<test input 2>\n```",
                io_hint(lang)
            )
        }
        PuzzleKind::P3 => format!(
            "Write a new {difficulty} Python programming puzzle about {topic}. A puzzle is a function \
             `sat` whose first parameter is the answer and whose other parameters have default \
             values; it returns True exactly when the answer is correct. A second function `sol`, \
             with the same default parameters, computes a correct answer. The answer must not be \
             trivial (not 0, 1, an empty list or an empty string). Reply with one ```python block \
             that defines `sat` and `sol`."
        ),
        PuzzleKind::Induction | PuzzleKind::Deduction | PuzzleKind::Abduction => format!(
            "Write a new {difficulty} Python function named `f` about {topic}, with meaningful \
             parameter names and type annotations; it returns its result. Then write 10 calls \
             of `f` with different arguments, which give different results (do not write the results).\n\n{PROGRAM_LAYOUT}"
        ),
    }
}

/// The reply layout of program-first proposals (examples come before the instruction).
const PROGRAM_LAYOUT: &str = "Reply in exactly this layout:\n\n\
    Description: <one sentence: what f returns, in terms of its parameters>\n\n\
    ```python\n<the function f, with any imports it needs>\n\n\
    <10 calls of f with different arguments, one per line>\n```";

/// The system message of every proposer request.
pub const PROPOSER_SYSTEM: &str = "You are an expert competitive programmer. You write original, \
    correct programming puzzles, and you follow the requested layout exactly.";

/// The full proposer prompt: examples first (so the model does not continue them), then the
/// instruction.
pub fn propose_prompt(
    kind: PuzzleKind,
    topic: &str,
    difficulty: &str,
    lang: Language,
    examples: &[&Example],
    parent: Option<&str>,
) -> String {
    let mut prompt = String::new();
    if !examples.is_empty() {
        prompt.push_str("Here are examples of puzzles in the required layout.");
        for (i, example) in examples.iter().enumerate() {
            prompt.push_str(&format!(
                "\n\nExample {}:\n\n{}",
                i + 1,
                example.text.trim_end()
            ));
        }
        prompt.push_str("\n\nDo not copy the examples. ");
    }
    prompt.push_str(&propose_instruction(kind, topic, difficulty, lang, parent));
    prompt
}

/// The puzzle as a problem (for the solver's prompt, judging, and export).
pub fn as_problem(
    id: &str,
    draft: &Draft,
    tests: &[PuzzleTest],
    lang: Language,
    config: &CampaignConfig,
) -> Problem {
    let (name, statement, task) = match draft {
        Draft::Stdio(d) => (
            d.title.clone(),
            d.statement.clone(),
            Task::Stdio(StdioTask {
                time_limit: Duration::from_millis(config.limits.time_ms),
                memory_bytes: config.limits.memory_mib << 20,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_set() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../puzzles")
    }

    #[test]
    fn loads_examples_of_both_kinds_from_the_seed_set() {
        let examples = Examples::load(&seed_set(), Language::Python).expect("seed set loads");
        let stdio = examples
            .all
            .iter()
            .filter(|e| e.kind == PuzzleKind::Stdio)
            .count();
        let p3 = examples
            .all
            .iter()
            .filter(|e| e.kind == PuzzleKind::P3)
            .count();
        assert!(stdio >= 10 && p3 >= 10, "{stdio} stdio, {p3} p3");
        // Every example parses back in the layout the proposer is asked for.
        for e in &examples.all {
            crate::puzzle::parse_reply(&e.text, e.kind, Language::Python)
                .unwrap_or_else(|err| panic!("{err:?}\n{}", e.text));
        }
        let mut n = 0u64;
        let picked = examples.pick(PuzzleKind::P3, 2, || {
            n += 7;
            n
        });
        assert_eq!(picked.len(), 2);
        assert!(picked.iter().all(|e| e.kind == PuzzleKind::P3));
        let prompt = propose_prompt(
            PuzzleKind::P3,
            "strings",
            "easy",
            Language::Python,
            &picked,
            None,
        );
        assert!(prompt.contains("Example 2:") && prompt.contains("def sat"));
        assert_eq!(
            examples.closest(PuzzleKind::P3, &picked[0].fingerprint),
            1.0
        );
    }
}
