//! Proposed puzzles: parsing the proposer's reply into a draft, and rendering a puzzle in the
//! same layout (for few-shot examples and the proposer's training data).
//!
//! A stdin/stdout puzzle is written as sections:
//!
//! ````text
//! Title: Sum of two numbers
//! Statement:
//! Read two integers and print their sum. (input and output format included)
//! Solution:
//! ```python
//! a, b = map(int, input().split())
//! print(a + b)
//! ```
//! Tests:
//! ```
//! 1 2
//! ```
//! ```
//! -5 5
//! ```
//! ````
//!
//! A `Generator:` section with a Python program may replace or extend `Tests:`: it reads a test
//! number from standard input and prints that test's input. A P3 puzzle is one Python block
//! defining `sat(...)` (returns True for a correct answer) and `sol(...)` (returns one).
//! Headers may carry Markdown decoration (`## Solution`, `**Tests:**`).

use crate::config::PuzzleKind;
use crate::program::{ProgramDraft, parse_program};
use crate::similarity::Fingerprint;
use crate::verdicts::FormatProblem;
use crucible_eval::prompts::fence_tag;
use crucible_eval::{code_blocks, extract_code};
use crucible_sandbox::Language;
use serde::{Deserialize, Serialize};

/// A stdin/stdout puzzle as the proposer wrote it (tests are inputs only: the expected
/// outputs come from running the reference in the sandbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StdioDraft {
    /// One-line title.
    pub title: String,
    /// The statement, with input and output format.
    pub statement: String,
    /// Reference solution source.
    pub solution: String,
    /// Explicit test inputs.
    pub tests: Vec<String>,
    /// A Python program printing test input number `i` (read from stdin), if given.
    pub generator: Option<String>,
}

/// A P3 puzzle as the proposer wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct P3Draft {
    /// The `sat` function's source.
    pub sat: String,
    /// The `sol` function's source, when the proposer wrote one that satisfies `sat`. Without
    /// it the puzzle stands on solvability: valid once a solver attempt satisfies `sat`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sol: Option<String>,
    /// Why the proposer's `sol` was dropped (its error, or the answer `sat` refused); not
    /// stored: a campaign's feedback turn (`repairs`) shows it to the proposer.
    #[serde(skip)]
    pub sol_failure: Option<String>,
    /// The `sat` of the seed puzzle a mutation proposal varies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// `sat` as the proposer wrote it, when validation fitted the constants of its equality
    /// tests to the answer its `sol` returns (`sat` is then the fitted one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sat_as_written: Option<String>,
}

/// A parsed proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Draft {
    /// A stdin/stdout puzzle.
    Stdio(StdioDraft),
    /// A P3 puzzle.
    P3(P3Draft),
    /// A program-first puzzle posed as induction (write `f` from examples).
    Induction(ProgramDraft),
    /// A program-first puzzle posed as deduction (work out an output).
    Deduction(ProgramDraft),
    /// A program-first puzzle posed as abduction (find arguments for an output).
    Abduction(ProgramDraft),
}

impl Draft {
    /// The text compared for near-duplicates: the statement, or `sat` for P3.
    pub fn fingerprint_text(&self) -> &str {
        match self {
            Draft::Stdio(d) => &d.statement,
            Draft::P3(d) => &d.sat,
            Draft::Induction(d) | Draft::Deduction(d) | Draft::Abduction(d) => &d.code,
        }
    }

    /// The words a proposer's training target holds besides [`Draft::fingerprint_text`] and
    /// [`Draft::solution`]: a program-first draft's description and the task its mutation
    /// named (empty for other drafts), searched for evaluation statements before training.
    pub fn prose(&self) -> String {
        match self {
            Draft::Induction(d) | Draft::Deduction(d) | Draft::Abduction(d) => {
                format!(
                    "{}\n{}",
                    d.description,
                    d.idea.as_deref().unwrap_or_default()
                )
            }
            _ => String::new(),
        }
    }

    /// The fingerprint compared for near-duplicates: of the statement, or of the code
    /// without its comments.
    pub fn fingerprint(&self) -> Fingerprint {
        match self {
            Draft::Stdio(d) => Fingerprint::of(&d.statement),
            _ => Fingerprint::of_code(self.fingerprint_text()),
        }
    }

    /// What a mutation proposal varied, compared with [`Draft::fingerprint`]: the seed
    /// program of a program-first draft, the seed puzzle's `sat` of a P3 draft.
    pub fn parent(&self) -> Option<&str> {
        match self {
            Draft::Induction(d) | Draft::Deduction(d) | Draft::Abduction(d) => d.parent.as_deref(),
            Draft::P3(d) => d.parent.as_deref(),
            Draft::Stdio(_) => None,
        }
    }

    /// Sets what a mutation proposal varied, from the text its prompt showed: the seed program
    /// (program-first) or the seed puzzle, of which a P3 draft keeps `sat` (no effect on
    /// stdin/stdout drafts).
    pub fn set_parent(&mut self, parent: Option<String>) {
        match self {
            Draft::Induction(d) | Draft::Deduction(d) | Draft::Abduction(d) => d.parent = parent,
            Draft::P3(d) => d.parent = parent.and_then(|p| top_level_function(&p, "sat")),
            Draft::Stdio(_) => {}
        }
    }

    /// Sets the variant a program-first mutation named before its code was asked for
    /// ([`ProgramDraft::idea`]; no effect on other drafts).
    pub fn set_idea(&mut self, idea: Option<String>) {
        if let Draft::Induction(d) | Draft::Deduction(d) | Draft::Abduction(d) = self {
            d.idea = idea;
        }
    }

    /// The reference solution (stdin/stdout) or `sol` (P3; empty without one).
    pub fn solution(&self) -> &str {
        match self {
            Draft::Stdio(d) => &d.solution,
            Draft::P3(d) => d.sol.as_deref().unwrap_or_default(),
            Draft::Induction(d) | Draft::Deduction(d) | Draft::Abduction(d) => &d.code,
        }
    }

    /// The puzzle's kind.
    pub fn kind(&self) -> PuzzleKind {
        match self {
            Draft::Stdio(_) => PuzzleKind::Stdio,
            Draft::P3(_) => PuzzleKind::P3,
            Draft::Induction(_) => PuzzleKind::Induction,
            Draft::Deduction(_) => PuzzleKind::Deduction,
            Draft::Abduction(_) => PuzzleKind::Abduction,
        }
    }

    /// The language of its programs: `lang` for stdin/stdout puzzles, else Python.
    pub fn language(&self, lang: Language) -> Language {
        match self {
            Draft::Stdio(_) => lang,
            _ => Language::Python,
        }
    }
}

/// The section headers the parser knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Header {
    Title,
    Statement,
    Solution,
    Tests,
    Generator,
}

/// A header line's section and any text after the colon (`Title: Foo`).
fn header(line: &str) -> Option<(Header, &str)> {
    let plain = line.trim().trim_start_matches(['#', '*', ' ']);
    let (name, rest) = match plain.split_once(':') {
        Some((name, rest)) => (name, rest.trim().trim_start_matches('*').trim()),
        None => (plain, ""),
    };
    let name = name
        .trim()
        .trim_end_matches('*')
        .trim()
        .to_ascii_lowercase();
    let section = match name.as_str() {
        "title" | "name" => Header::Title,
        "statement" | "problem" | "problem statement" | "description" => Header::Statement,
        "solution" | "reference solution" | "reference" | "code" => Header::Solution,
        "tests" | "test inputs" | "test cases" | "inputs" | "examples" => Header::Tests,
        "generator" | "test generator" | "input generator" => Header::Generator,
        _ => return None,
    };
    // "Input: 5" inside a statement is text, not a header; only titles take inline text.
    if !rest.is_empty() && section != Header::Title {
        return None;
    }
    Some((section, rest))
}

/// The reply split into sections (text before any header is under `None`).
fn sections(reply: &str) -> Vec<(Option<Header>, String)> {
    let mut out: Vec<(Option<Header>, String)> = vec![(None, String::new())];
    let mut in_fence = false;
    for line in reply.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        } else if !in_fence && let Some((section, rest)) = header(line) {
            out.push((Some(section), rest.to_string()));
            continue;
        }
        if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    out
}

fn section_text(sections: &[(Option<Header>, String)], wanted: Header) -> Option<String> {
    let text: Vec<&str> = sections
        .iter()
        .filter(|(h, _)| *h == Some(wanted))
        .map(|(_, t)| t.as_str())
        .collect();
    (!text.is_empty()).then(|| text.join("\n"))
}

/// Fewest words of an induction puzzle's description (its statement).
pub(crate) const MIN_DESCRIPTION_WORDS: usize = 3;

/// Parses a reply into a puzzle of `kind` whose code is in `lang` (P3 is always Python).
pub fn parse_reply(reply: &str, kind: PuzzleKind, lang: Language) -> Result<Draft, FormatProblem> {
    match kind {
        PuzzleKind::Stdio => parse_stdio(reply, lang).map(Draft::Stdio),
        PuzzleKind::P3 => parse_p3(reply).map(Draft::P3),
        PuzzleKind::Deduction => parse_program(reply).map(Draft::Deduction),
        PuzzleKind::Abduction => parse_program(reply).map(Draft::Abduction),
        // Induction's statement is the description: without one there is no task.
        PuzzleKind::Induction => parse_program(reply).and_then(|d| {
            if d.description.split_whitespace().count() >= MIN_DESCRIPTION_WORDS {
                Ok(Draft::Induction(d))
            } else {
                Err(FormatProblem::NoStatement)
            }
        }),
    }
}

fn parse_stdio(reply: &str, lang: Language) -> Result<StdioDraft, FormatProblem> {
    if code_blocks(reply).is_empty() {
        return Err(FormatProblem::NoCode);
    }
    let parts = sections(reply);
    let title = section_text(&parts, Header::Title)
        .map(|t| {
            t.lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .unwrap_or_default();
    let statement = section_text(&parts, Header::Statement)
        .or_else(|| parts.first().map(|(_, t)| t.clone()))
        .map(|t| t.trim().to_string())
        .filter(|t| t.split_whitespace().count() >= 5)
        .ok_or(FormatProblem::NoStatement)?;
    let solution = section_text(&parts, Header::Solution)
        .and_then(|t| extract_code(&t, lang))
        .ok_or(FormatProblem::NoSolution)?;
    // Inputs from the tests section; else blocks labelled as inputs anywhere outside the
    // solution (small models often write `Input:` / `Output:` examples instead).
    let tests = match section_text(&parts, Header::Tests).map(|t| test_inputs(&t, false)) {
        Some(tests) if !tests.is_empty() => tests,
        _ => {
            let rest: String = parts
                .iter()
                .filter(|(h, _)| !matches!(h, Some(Header::Solution | Header::Generator)))
                .map(|(_, t)| t.as_str())
                .collect();
            test_inputs(&rest, true)
        }
    };
    let generator =
        section_text(&parts, Header::Generator).and_then(|t| extract_code(&t, Language::Python));
    if tests.is_empty() && generator.is_none() {
        return Err(FormatProblem::NoTests);
    }
    Ok(StdioDraft {
        title: if title.is_empty() {
            first_words(&statement, 6)
        } else {
            title
        },
        statement,
        solution,
        tests,
        generator,
    })
}

/// The test inputs in `text`: each untagged (or plain-text) block is one input, except blocks
/// labelled as outputs (`Output:` on the line before). With `labelled_only`, only blocks
/// labelled as inputs (`Input:`, `Sample input 2`) count.
fn test_inputs(text: &str, labelled_only: bool) -> Vec<String> {
    code_blocks(text)
        .into_iter()
        .zip(fence_labels(text))
        .filter(|(b, _)| matches!(b.tag.as_str(), "" | "text" | "txt" | "plaintext" | "input"))
        .filter(|(_, label)| !label.contains("output") && !label.contains("expected"))
        .filter(|(_, label)| !labelled_only || label.contains("input"))
        .map(|(b, _)| {
            let mut input = b.body.trim_matches('\n').to_string();
            input.push('\n');
            input
        })
        .filter(|input| !input.trim().is_empty())
        .collect()
}

/// For each fenced block of `text`, in order, the last non-empty line before it (lower-cased).
fn fence_labels(text: &str) -> Vec<String> {
    let mut labels = Vec::new();
    let mut open: Option<&str> = None;
    let mut last = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        match (open, fence) {
            (None, Some(f)) => {
                labels.push(last.to_lowercase());
                open = Some(f);
            }
            (Some(o), Some(f)) if f == o && trimmed.trim_start_matches(f).trim().is_empty() => {
                open = None;
                last.clear();
            }
            (None, None) if !trimmed.is_empty() => last = trimmed.to_string(),
            _ => {}
        }
    }
    labels
}

fn first_words(text: &str, n: usize) -> String {
    text.split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_p3(reply: &str) -> Result<P3Draft, FormatProblem> {
    let blocks = code_blocks(reply);
    if blocks.is_empty() {
        return Err(FormatProblem::NoCode);
    }
    let code: String = blocks
        .iter()
        .filter(|b| b.tag.is_empty() || b.is_language(Language::Python))
        .map(|b| b.body.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let sat = top_level_function(&code, "sat").ok_or(FormatProblem::NoSat)?;
    let sol = top_level_function(&code, "sol");
    Ok(P3Draft {
        sat,
        sol,
        sol_failure: None,
        parent: None,
        sat_as_written: None,
    })
}

/// The source of the last top-level `def name(` in `code` (a later definition replaces an
/// earlier one, as in Python: a reply that restates the seed puzzle and then writes its variant
/// means the variant), up to the next top-level line, without the comments that come after
/// its body.
pub fn top_level_function(code: &str, name: &str) -> Option<String> {
    let lines: Vec<&str> = code.lines().collect();
    let start = lines.iter().rposition(|l| {
        l.strip_prefix("def ")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix(name))
            .is_some_and(|r| r.trim_start().starts_with('('))
    })?;
    let mut end = start + 1;
    while end < lines.len() {
        let line = lines[end];
        let top_level = !line.is_empty() && !line.starts_with([' ', '\t', ')', ']', '}']);
        if top_level && !line.trim_start().starts_with('#') {
            break;
        }
        end += 1;
    }
    // Comments after the body belong to what follows (`# New sol function …`): kept, they
    // would make a copied `sat` look different to the copy check.
    end -= lines[start + 1..end]
        .iter()
        .rev()
        .take_while(|l| l.trim().is_empty() || l.starts_with('#'))
        .count();
    let body = lines[start..end].join("\n");
    Some(format!("{}\n", body.trim_end()))
}

/// Renders a stdin/stdout puzzle in the layout the parser reads (few-shot examples and
/// proposer training targets).
pub fn render_stdio(
    title: &str,
    statement: &str,
    solution: &str,
    lang: Language,
    tests: &[&str],
) -> String {
    let tag = fence_tag(lang);
    let mut out = format!(
        "Title: {title}\nStatement:\n{}\nSolution:\n```{tag}\n{}\n```\nTests:\n",
        statement.trim(),
        solution.trim_end()
    );
    for test in tests {
        out.push_str(&format!("```\n{}\n```\n", test.trim_end_matches('\n')));
    }
    out
}

/// Renders a P3 puzzle in the layout the parser reads.
pub fn render_p3(sat: &str, sol: &str) -> String {
    format!("```python\n{}\n\n{}\n```\n", sat.trim_end(), sol.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOOD: &str = "Title: Sum\nStatement:\nRead two integers a and b and print their sum.\n\
        Input: one line with a and b.\nSolution:\n```python\na, b = map(int, input().split())\nprint(a + b)\n```\n\
        Tests:\n```\n1 2\n```\n```\n-5 5\n```\n";

    #[test]
    fn reads_the_documented_layout() {
        let Draft::Stdio(d) = parse_reply(GOOD, PuzzleKind::Stdio, Language::Python).unwrap()
        else {
            panic!("not stdio")
        };
        assert_eq!(d.title, "Sum");
        assert!(d.statement.starts_with("Read two integers"));
        assert!(d.statement.contains("Input: one line"), "{}", d.statement);
        assert!(d.solution.contains("print(a + b)"));
        assert_eq!(d.tests, vec!["1 2\n", "-5 5\n"]);
        assert_eq!(d.generator, None);
    }

    #[test]
    fn markdown_headers_and_a_generator() {
        let reply = "## Title: Squares\n**Statement:**\nPrint the square of the integer n given on one line.\n\
            ### Solution\n```python\nprint(int(input())**2)\n```\n### Generator\n```python\ni = int(input())\nprint(i * 7)\n```\n";
        let Draft::Stdio(d) = parse_reply(reply, PuzzleKind::Stdio, Language::Python).unwrap()
        else {
            panic!("not stdio")
        };
        assert_eq!(d.title, "Squares");
        assert!(d.tests.is_empty());
        assert!(d.generator.unwrap().contains("i * 7"));
    }

    #[test]
    fn outputs_are_not_inputs_and_labelled_examples_are_found() {
        let reply = "Title: Add\nStatement:\nRead a and b on one line and print a + b.\n\nInput:\n```\n1 2\n```\nOutput:\n```\n3\n```\n\
            Solution:\n```python\nprint(sum(map(int, input().split())))\n```\n";
        let Draft::Stdio(d) = parse_reply(reply, PuzzleKind::Stdio, Language::Python).unwrap()
        else {
            panic!("not stdio")
        };
        assert_eq!(d.tests, vec!["1 2\n"]);
        let with_tests = format!(
            "{reply}Tests:\n**Input 1**\n```\n4 5\n```\n**Output 1**\n```\n9\n```\n```\n6 7\n```\n"
        );
        let Draft::Stdio(d) =
            parse_reply(&with_tests, PuzzleKind::Stdio, Language::Python).unwrap()
        else {
            panic!("not stdio")
        };
        assert_eq!(d.tests, vec!["4 5\n", "6 7\n"]);
    }

    #[test]
    fn render_then_parse_round_trips() {
        let text = render_stdio(
            "T",
            "Read n and print n doubled, one number.",
            "print(2*int(input()))",
            Language::Python,
            &["3\n", "4\n"],
        );
        let Draft::Stdio(d) = parse_reply(&text, PuzzleKind::Stdio, Language::Python).unwrap()
        else {
            panic!("not stdio")
        };
        assert_eq!(d.tests, vec!["3\n", "4\n"]);
        assert_eq!(d.solution, "print(2*int(input()))");
        let p3 = render_p3(
            "def sat(x: int) -> bool:\n    return x > 3\n",
            "def sol():\n    return 4\n",
        );
        assert_eq!(
            parse_reply(&p3, PuzzleKind::P3, Language::Python).unwrap(),
            Draft::P3(P3Draft {
                sat: "def sat(x: int) -> bool:\n    return x > 3\n".into(),
                sol: Some("def sol():\n    return 4\n".into()),
                sol_failure: None,
                parent: None,
                sat_as_written: None,
            })
        );
    }

    #[test]
    fn missing_parts_are_named() {
        let parse = |r: &str| parse_reply(r, PuzzleKind::Stdio, Language::Python).unwrap_err();
        assert_eq!(parse("just words, no code"), FormatProblem::NoCode);
        assert_eq!(
            parse("Solution:\n```python\nprint(1)\n```\n"),
            FormatProblem::NoStatement
        );
        assert_eq!(
            parse("Statement:\nPrint one, then stop right there.\nTests:\n```\n1\n```\n"),
            FormatProblem::NoSolution
        );
        assert_eq!(
            parse(
                "Statement:\nPrint one, then stop right there.\nSolution:\n```python\nprint(1)\n```\n"
            ),
            FormatProblem::NoTests
        );
        let p3 = |r: &str| parse_reply(r, PuzzleKind::P3, Language::Python).unwrap_err();
        assert_eq!(
            p3("```python\ndef sol():\n    return 1\n```"),
            FormatProblem::NoSat
        );
        // Without `sol` the puzzle stands on solvability.
        assert_eq!(
            parse_reply(
                "```python\ndef sat(x):\n    return x\n```",
                PuzzleKind::P3,
                Language::Python
            ),
            Ok(Draft::P3(P3Draft {
                sat: "def sat(x):\n    return x\n".into(),
                sol: None,
                sol_failure: None,
                parent: None,
                sat_as_written: None,
            }))
        );
    }

    #[test]
    fn the_prose_of_a_mutation_holds_its_description_and_named_task() {
        let mut draft = Draft::Deduction(crate::program::ProgramDraft {
            description: "Returns the largest prime factor of n.".into(),
            code: "def f(n):\n    return n\n".into(),
            inputs: Vec::new(),
            parent: Some("def f(x):\n    return x\n".into()),
            idea: None,
        });
        draft.set_idea(Some(
            "Write a function to find the largest prime factor.".into(),
        ));
        let prose = draft.prose();
        assert!(prose.contains("Returns the largest prime factor of n."));
        assert!(prose.contains("Write a function to find the largest prime factor."));
        assert!(!prose.contains("def f"));
        let p3 = Draft::P3(P3Draft {
            sat: "def sat(x: int):\n    return x > 7\n".into(),
            sol: None,
            sol_failure: None,
            parent: None,
            sat_as_written: None,
        });
        assert_eq!(p3.prose(), "");
    }

    #[test]
    fn top_level_function_stops_at_the_next_definition() {
        let code = "import math\ndef sat(x: int,\n        y=2) -> bool:\n\n    # comment\n    return x == y\n# trailing\ndef sol():\n    return 2\n";
        assert_eq!(
            top_level_function(code, "sat").unwrap(),
            "def sat(x: int,\n        y=2) -> bool:\n\n    # comment\n    return x == y\n"
        );
        assert_eq!(
            top_level_function(code, "sol").unwrap(),
            "def sol():\n    return 2\n"
        );
        assert_eq!(top_level_function(code, "solve"), None);
        // Defined twice (the seed puzzle restated, then the variant): the last one counts.
        let twice =
            format!("# Original\n{code}\n# New\ndef sat(x: int) -> bool:\n    return x == 3\n");
        assert_eq!(
            top_level_function(&twice, "sat").unwrap(),
            "def sat(x: int) -> bool:\n    return x == 3\n"
        );
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_replies(reply in any::<String>(), p3 in any::<bool>()) {
            let kind = if p3 { PuzzleKind::P3 } else { PuzzleKind::Stdio };
            let _ = parse_reply(&reply, kind, Language::Python);
        }

        #[test]
        fn never_panics_on_fence_soup(parts in prop::collection::vec(prop::sample::select(vec![
            "```", "```python\n", "Title:", "Tests:\n", "Solution:\n", "Generator:\n", "def sat(x):\n", "def sol():\n", "\n", "x", "## Statement\n",
        ]), 0..40)) {
            let reply: String = parts.concat();
            let _ = parse_reply(&reply, PuzzleKind::Stdio, Language::Python);
            let _ = parse_reply(&reply, PuzzleKind::P3, Language::Python);
        }
    }
}
