//! The proposer's few-shot examples: the seed set's `train` puzzles (and the built-in
//! program-first and P3 ones) rendered in the reply layout, picked per proposal and used for the
//! copy check. The prompt text itself is `crucible_eval::prompts`.

use crate::SelfplayError;
use crate::config::PuzzleKind;
use crate::puzzle::{render_p3, render_stdio};
use crate::similarity::Fingerprint;
use crucible_problems::{FunctionStyle, Problem, Split, Task};
use crucible_sandbox::Language;
use std::path::{Path, PathBuf};

/// A seed-set puzzle shown to the proposer, rendered in the reply layout.
#[derive(Debug, Clone)]
pub struct SeedExample {
    /// The kind of puzzle.
    pub kind: PuzzleKind,
    /// The rendered puzzle (empty for a copy-check entry, which is never shown).
    pub text: String,
    /// Fingerprint of its statement (copy check).
    pub fingerprint: Fingerprint,
    /// Whether proposer prompts show it (the seed set's P3 puzzles only serve the copy check).
    pub shown: bool,
}

/// The seed set's `train` puzzles usable as examples.
#[derive(Debug, Clone, Default)]
pub struct SeedExamples {
    /// All examples, stdin/stdout and P3.
    pub all: Vec<SeedExample>,
}

/// P3 puzzles shown to the proposer (written for this project): short `sat`s that a little
/// search answers and that no trivial value satisfies, over the common answer types. The seed
/// set's P3 train puzzles are too dense for the default models to imitate: shown two of them,
/// the 0.5B and the 1.5B copied one or wrote unsatisfiable puzzles (BENCHMARKS, "P3 validity by
/// solvability"); they stay in the copy check.
pub const P3_EXAMPLES: [(&str, &str); 8] = [
    (
        "def sat(n: int) -> bool:\n    return n > 1000 and n % 7 == 3 and n % 10 == 6\n",
        "def sol() -> int:\n    return next(n for n in range(1001, 2000) if n % 7 == 3 and n % 10 == 6)\n",
    ),
    (
        "def sat(s: str) -> bool:\n    return len(s) == 9 and s == s[::-1] and s.count(\"x\") == 3\n",
        "def sol() -> str:\n    return \"xaaaxaaax\"\n",
    ),
    (
        "def sat(li: List[int]) -> bool:\n    return len(li) == 6 and sum(li) == 100 and li == sorted(li) and len(set(li)) == 6\n",
        "def sol() -> List[int]:\n    return [1, 2, 3, 4, 5, 85]\n",
    ),
    (
        "def sat(s: str) -> bool:\n    return s.isdigit() and len(s) == 5 and sum(int(c) for c in s) == 30\n",
        "def sol() -> str:\n    return \"66666\"\n",
    ),
    (
        "def sat(n: int) -> bool:\n    return n > 100 and str(n * n).endswith(\"44\")\n",
        "def sol() -> int:\n    return next(n for n in range(101, 1000) if str(n * n).endswith(\"44\"))\n",
    ),
    (
        "def sat(words: List[str]) -> bool:\n    return len(words) == 4 and len(set(words)) == 4 and all(len(w) == 3 for w in words) and \"\".join(words).count(\"a\") == 2\n",
        "def sol() -> List[str]:\n    return [\"abc\", \"abd\", \"bcd\", \"bce\"]\n",
    ),
    (
        "def sat(s: str) -> bool:\n    return len(s) == 8 and s[:4] == s[4:][::-1] and s.count(\"b\") == 2 and s[0] != \"b\"\n",
        "def sol() -> str:\n    return \"abccccba\"\n",
    ),
    (
        "def sat(n: int) -> bool:\n    return 100 < n < 1000 and n % 9 == 0 and len(set(str(n))) == 3\n",
        "def sol() -> int:\n    return next(n for n in range(101, 1000) if n % 9 == 0 and len(set(str(n))) == 3)\n",
    ),
];

/// Largest test input shown in an example.
const MAX_EXAMPLE_INPUT: usize = 120;

impl SeedExamples {
    /// Loads the examples from a seed set directory (every format `crucible eval` reads).
    pub fn load(seed_set: &Path, lang: Language) -> Result<Self, SelfplayError> {
        let mut all: Vec<SeedExample> = seed_set_problems(seed_set)?
            .iter()
            .filter_map(|p| example(p, lang))
            .collect();
        // Program-first examples are built in (the seed set has none of that layout).
        for draft in crate::program::example_drafts() {
            let inputs: Vec<&str> = draft.inputs.iter().map(String::as_str).collect();
            all.push(SeedExample {
                kind: PuzzleKind::Induction,
                text: crate::program::render_program(&draft, &inputs),
                fingerprint: Fingerprint::of_code(&draft.code),
                shown: true,
            });
        }
        for (sat, sol) in P3_EXAMPLES {
            all.push(SeedExample {
                kind: PuzzleKind::P3,
                text: render_p3(sat, sol),
                fingerprint: Fingerprint::of_code(sat),
                shown: true,
            });
        }
        if all.is_empty() {
            return Err(SelfplayError::SeedSet(format!(
                "{} has no train-split puzzles with a reference solution",
                seed_set.display()
            )));
        }
        Ok(SeedExamples { all })
    }

    /// Adds every stdin/stdout problem and P3 puzzle of the set at `set` (held-out ones too,
    /// which a proposal must not copy either) to the copy check, never shown in prompts: the
    /// sets a proposer model was fine-tuned on (`copy_check` in the campaign's configuration).
    /// Returns how many were added.
    pub fn add_copy_check(&mut self, set: &Path) -> Result<usize, SelfplayError> {
        let report = load_set(set)?;
        let before = self.all.len();
        self.all
            .extend(report.problems.iter().filter_map(copy_check_entry));
        Ok(self.all.len() - before)
    }

    /// Adds the P3 puzzles of the set at `set` whose `sat` and `sol` fit in
    /// [`MAX_SHOWN_P3_LEN`] bytes (held-out ones left out) as shown examples; they join the
    /// copy check. Returns how many were added.
    pub fn add_p3_examples(&mut self, set: &Path) -> Result<usize, SelfplayError> {
        let report = load_set(set)?;
        let before = self.all.len();
        self.all.extend(
            report
                .problems
                .iter()
                .filter(|p| p.split != Some(Split::Heldout))
                .filter_map(|p| {
                    let text = p3_text(p).filter(|t| t.len() <= MAX_SHOWN_P3_LEN)?;
                    Some(SeedExample {
                        text,
                        shown: true,
                        ..copy_check_entry(p)?
                    })
                }),
        );
        Ok(self.all.len() - before)
    }

    /// Up to `n` examples of `kind`, picked by `pick` (a random number per choice).
    pub fn pick(
        &self,
        kind: PuzzleKind,
        n: usize,
        mut pick: impl FnMut() -> u64,
    ) -> Vec<&SeedExample> {
        let mut pool: Vec<&SeedExample> = self
            .all
            .iter()
            .filter(|e| e.shown && same_layout(e.kind, kind))
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

/// Longest P3 puzzle (`sat` and `sol`, in bytes) of a `p3_examples` set shown as an example.
pub const MAX_SHOWN_P3_LEN: usize = 300;

/// Longest seed puzzle (`sat` and `sol`, in bytes) a P3 mutation proposal shows.
const MAX_SEED_PUZZLE_LEN: usize = 1200;

/// The puzzles P3 mutation proposals vary: every P3 problem among `problems` with a reference
/// `sol`, rendered as the reply layout (`sat` and `sol` in one block), at most
/// [`MAX_SEED_PUZZLE_LEN`] bytes.
pub fn seed_puzzles(problems: &[&Problem]) -> Vec<String> {
    problems
        .iter()
        .filter_map(|p| p3_text(p))
        .filter(|text| text.len() <= MAX_SEED_PUZZLE_LEN)
        .collect()
}

/// A P3 problem with a reference `sol` in the reply layout (`sat` and `sol` in one block);
/// `None` for other problems.
fn p3_text(problem: &Problem) -> Option<String> {
    match &problem.task {
        Task::Function(t) if t.style == FunctionStyle::P3 => {
            Some(render_p3(&t.harness, t.reference.first()?))
        }
        _ => None,
    }
}

/// A problem as the copy check sees it: the fingerprint of its statement (stdin/stdout) or of
/// its `sat` (P3), never shown; `None` for other function-level problems. A seed example is
/// this with its text.
fn copy_check_entry(problem: &Problem) -> Option<SeedExample> {
    let (kind, fingerprint) = match &problem.task {
        Task::Stdio(_) => (PuzzleKind::Stdio, Fingerprint::of(&problem.statement)),
        Task::Function(t) if t.style == FunctionStyle::P3 => {
            (PuzzleKind::P3, Fingerprint::of_code(&t.harness))
        }
        Task::Function(_) => return None,
    };
    Some(SeedExample {
        kind,
        text: String::new(),
        fingerprint,
        shown: false,
    })
}

/// Whether examples of kind `a` show the layout of kind `b` (the program-first kinds share one).
fn same_layout(a: PuzzleKind, b: PuzzleKind) -> bool {
    a.layout() == b.layout()
}

/// Every problem of the seed set: its `stdio` and `p3` parts, or the folder itself.
pub(crate) fn seed_set_problems(seed_set: &Path) -> Result<Vec<Problem>, SelfplayError> {
    let mut problems = Vec::new();
    for path in seed_set_parts(seed_set) {
        problems.extend(load_set(&path)?.problems);
    }
    Ok(problems)
}

/// The problem set at `path`; a set that does not load is a seed-set error naming it.
pub(crate) fn load_set(path: &Path) -> Result<crucible_problems::LoadReport, SelfplayError> {
    crucible_problems::formats::load_set(path)
        .map_err(|e| SelfplayError::SeedSet(format!("{}: {e}", path.display())))
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

/// A train-split problem as a seed example: its copy-check entry with the text a prompt may
/// show (a stdin/stdout problem with a solution in `lang`, a P3 puzzle with a `sol`).
fn example(problem: &Problem, lang: Language) -> Option<SeedExample> {
    if problem.split == Some(Split::Heldout) {
        return None;
    }
    let entry = copy_check_entry(problem)?;
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
            Some(SeedExample {
                text: render_stdio(
                    &problem.name,
                    &problem.statement,
                    &solution.source,
                    lang,
                    &inputs,
                ),
                shown: true,
                ..entry
            })
        }
        Task::Function(_) => Some(SeedExample {
            text: p3_text(problem)?,
            ..entry
        }),
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
        let examples = SeedExamples::load(&seed_set(), Language::Python).expect("seed set loads");
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
        let texts: Vec<&str> = picked.iter().map(|e| e.text.as_str()).collect();
        let prompt = crucible_eval::prompts::propose_prompt(
            PuzzleKind::P3.layout(),
            "strings",
            "easy",
            Language::Python,
            &texts,
            None,
            None,
        );
        assert!(prompt.contains("Example 2:") && prompt.contains("def sat"));
        assert_eq!(
            examples.closest(PuzzleKind::P3, &picked[0].fingerprint),
            1.0
        );
    }

    #[test]
    fn a_copy_check_set_counts_its_puzzles_as_copies_and_never_shows_them() {
        let mut examples = SeedExamples::load(&seed_set(), Language::Python).expect("seed set");
        let shown_before = examples.all.iter().filter(|e| e.shown).count();
        let recalled = "def sat(ls: List[str]):\n    return min(ls) == max(ls) == str(len(ls))\n";
        let fingerprint = Fingerprint::of_code(recalled);
        assert!(examples.closest(PuzzleKind::P3, &fingerprint) < 0.7);
        let added = examples
            .add_copy_check(&seed_set().join("p3-train"))
            .expect("P3 train loads");
        assert_eq!(added, 636, "every P3 train puzzle, with a `sol` or not");
        assert_eq!(examples.closest(PuzzleKind::P3, &fingerprint), 1.0);
        assert_eq!(
            examples.all.iter().filter(|e| e.shown).count(),
            shown_before
        );
        let missing = examples.add_copy_check(Path::new("no/such/set"));
        assert!(
            matches!(missing, Err(SelfplayError::SeedSet(_))),
            "{missing:?}"
        );
    }

    #[test]
    fn a_p3_examples_set_shows_its_short_puzzles_and_counts_them_as_copies() {
        let mut examples = SeedExamples::load(&seed_set(), Language::Python).expect("seed set");
        let shown_before = examples.all.iter().filter(|e| e.shown).count();
        let added = examples
            .add_p3_examples(&seed_set().join("p3-train"))
            .expect("P3 train loads");
        assert!((100..636).contains(&added), "{added} short puzzles");
        let new = &examples.all[examples.all.len() - added..];
        assert!(new.iter().all(|e| e.shown && e.kind == PuzzleKind::P3));
        for e in new {
            assert!(e.text.len() <= MAX_SHOWN_P3_LEN, "{}", e.text);
            crate::puzzle::parse_reply(&e.text, e.kind, Language::Python)
                .unwrap_or_else(|err| panic!("{err:?}\n{}", e.text));
            assert_eq!(examples.closest(PuzzleKind::P3, &e.fingerprint), 1.0);
        }
        assert_eq!(
            examples.all.iter().filter(|e| e.shown).count(),
            shown_before + added
        );
    }
}
