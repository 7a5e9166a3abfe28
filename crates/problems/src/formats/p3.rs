//! Python Programming Puzzles (microsoft/PythonProgrammingPuzzles): a JSON list of puzzles with
//! `name, sat, ans_type, sol_header, sol_docstring, sol_bodies, module, notes, weight`; our seed
//! set (`puzzles/p3/puzzles.json`) adds optional `difficulty` and `split`.
//!
//! Each puzzle becomes a [`FunctionTask`] of style [`FunctionStyle::P3`]:
//!
//! | field | from |
//! |---|---|
//! | `id`, `name` | `name` |
//! | `prompt` | `sol_header + "\n" + sol_docstring` (what a solver completes) |
//! | `entry_point` | `sol` (`sol_header` must define it) |
//! | `harness` | `sat` (must define `sat`) |
//! | `reference` | `sol_header + "\n" + body` for each of `sol_bodies` (may be empty) |
//! | `statement` | the docstring, the `sat` source, the answer type and the header |
//! | `tags` | `module` without `.py` |
//!
//! Required: `name`, `sat`, `sol_header` (strings). Optional, but checked when present:
//! `sol_docstring`, `ans_type`, `module`, `notes` (strings), `sol_bodies` (list of strings),
//! `weight` (number), `difficulty` (`easy|medium|hard`), `split` (`train|heldout`). The file may
//! also be JSON Lines, one puzzle per line.

use super::common::{self, Record};
use crate::{Difficulty, FunctionStyle, FunctionTask, LoadError, LoadReport, Problem, Split, Task};
use std::path::Path;

/// Reads a P3 puzzle file. A bad puzzle is an error naming its index and field; an unreadable
/// file is one error.
pub fn read_file(path: &Path) -> LoadReport {
    let mut report = LoadReport::default();
    common::read_records(path, &mut report, puzzle);
    report
}

fn puzzle(rec: &Record<'_>) -> Result<Problem, LoadError> {
    let name = rec.str("name")?.trim();
    if name.is_empty() {
        return Err(rec.err("name", "empty"));
    }
    let sat = rec.str("sat")?;
    if !defines(sat, "sat") {
        return Err(rec.err("sat", "does not define `def sat(...)`"));
    }
    let header = rec.str("sol_header")?;
    if !defines(header, "sol") {
        return Err(rec.err("sol_header", "does not define `def sol(...)`"));
    }
    let docstring = rec.opt_str("sol_docstring")?.unwrap_or("");
    let bodies = rec.opt_str_list("sol_bodies")?;
    let ans_type = rec.opt_str("ans_type")?;
    let module = rec.opt_str("module")?;
    rec.opt_str("notes")?;
    if let Some(weight) = rec.opt("weight")
        && !weight.is_number()
    {
        return Err(rec.err(
            "weight",
            format!("expected a number, found {}", common::type_name(weight)),
        ));
    }
    let difficulty = match rec.opt_str("difficulty")? {
        None => None,
        Some(s) => Some(Difficulty::parse(s).ok_or_else(|| {
            rec.err(
                "difficulty",
                format!("unknown difficulty {s:?} (easy, medium, hard)"),
            )
        })?),
    };
    let split = match rec.opt_str("split")? {
        None => None,
        Some(s) => Some(
            Split::parse(s)
                .ok_or_else(|| rec.err("split", format!("unknown split {s:?} (train, heldout)")))?,
        ),
    };
    let tags = module
        .map(|m| m.trim().trim_end_matches(".py").to_owned())
        .filter(|m| !m.is_empty())
        .into_iter()
        .collect();

    Ok(Problem {
        id: name.to_owned(),
        name: name.to_owned(),
        statement: statement(sat, header, docstring, ans_type),
        difficulty,
        split,
        tags,
        origin: rec.path.to_path_buf(),
        task: Task::Function(FunctionTask {
            style: FunctionStyle::P3,
            prompt: format!("{header}\n{docstring}"),
            entry_point: "sol".to_owned(),
            harness: sat.to_owned(),
            reference: bodies
                .iter()
                .map(|body| format!("{header}\n{body}"))
                .collect(),
        }),
    })
}

/// Whether `source` has a line `def <name>(`.
fn defines(source: &str, name: &str) -> bool {
    source.lines().any(|line| {
        line.trim_start()
            .strip_prefix("def ")
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix(name))
            .is_some_and(|rest| rest.trim_start().starts_with('('))
    })
}

/// The docstring's text without its quotes and indentation.
fn docstring_text(docstring: &str) -> String {
    let mut s = docstring.trim();
    s = s
        .strip_prefix(['r', 'R', 'u', 'U'])
        .filter(|rest| rest.starts_with(['"', '\'']))
        .unwrap_or(s);
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if s.len() >= 2 * quote.len()
            && let Some(inner) = s.strip_prefix(quote).and_then(|r| r.strip_suffix(quote))
        {
            s = inner;
            break;
        }
    }
    // The first line follows the quotes directly; indent it like the rest before dedenting.
    let (first, rest) = s.split_once('\n').unwrap_or((s, ""));
    let text = common::dedent(rest);
    match (first.trim(), text.trim()) {
        ("", rest) => rest.to_owned(),
        (first, "") => first.to_owned(),
        (first, rest) => format!("{first}\n{rest}"),
    }
}

/// A readable statement: the docstring, then the `sat` function and what to write.
fn statement(sat: &str, header: &str, docstring: &str, ans_type: Option<&str>) -> String {
    let mut out = String::new();
    let doc = docstring_text(docstring);
    if !doc.is_empty() {
        out.push_str(&doc);
        out.push_str("\n\n");
    }
    let of_type = ans_type
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| format!(" of type `{t}`"))
        .unwrap_or_default();
    out.push_str(&format!(
        "Write a function `sol` that returns a value{of_type} for which `sat` returns `True`:\n\n\
         ```python\n{sat}\n```\n\nYour function starts with this header:\n\n\
         ```python\n{header}\n```\n",
        sat = sat.trim_end(),
        header = header.trim_end(),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(json: &str) -> LoadReport {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("puzzles.json");
        std::fs::write(&path, json).expect("write");
        read_file(&path)
    }

    const GOOD: &str = r#"{
        "name": "Study_1:0",
        "sat": "def sat(s: str):\n    return s.count('o') == 3",
        "ans_type": "str",
        "sol_header": "def sol():",
        "sol_docstring": "    \"\"\"Find a string with three 'o's.\"\"\"",
        "sol_bodies": ["    return 'ooo'", "    return 'oxoxo'"],
        "module": "study.py",
        "notes": "",
        "weight": 1.0
    }"#;

    #[test]
    fn reads_a_puzzle() {
        let report = load(&format!("[{GOOD}]"));
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let p = &report.problems[0];
        assert_eq!(p.id, "Study_1:0");
        assert_eq!(p.tags, vec!["study".to_owned()]);
        assert_eq!(p.split, None);
        assert!(p.statement.starts_with("Find a string with three 'o's.\n"));
        assert!(p.statement.contains("def sat(s: str):"));
        assert!(p.statement.contains("of type `str`"));
        let Task::Function(f) = &p.task else {
            panic!("not a function task")
        };
        assert_eq!(f.style, FunctionStyle::P3);
        assert_eq!(f.entry_point, "sol");
        assert_eq!(
            f.prompt,
            "def sol():\n    \"\"\"Find a string with three 'o's.\"\"\""
        );
        assert_eq!(f.reference[0], "def sol():\n    return 'ooo'");
        assert_eq!(f.reference.len(), 2);
        assert!(
            f.judge_program(&f.reference[0])
                .contains("assert sat(__answer)")
        );
    }

    #[test]
    fn reads_difficulty_and_split() {
        let with = GOOD.replacen('{', r#"{"difficulty": "Hard", "split": "heldout","#, 1);
        let report = load(&format!("[{with}]"));
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.problems[0].difficulty, Some(Difficulty::Hard));
        assert_eq!(report.problems[0].split, Some(Split::Heldout));
    }

    #[test]
    fn bad_puzzles_are_errors_naming_index_and_field() {
        let missing_sat = r#"{"name": "x", "sol_header": "def sol():"}"#;
        let wrong_type = GOOD.replace(r#""sol_bodies": ["#, r#""sol_bodies": [3, "#);
        let bad_split = GOOD.replacen('{', r#"{"split": "dev","#, 1);
        let not_object = "17";
        let report = load(&format!(
            "[{missing_sat}, {wrong_type}, {GOOD}, {bad_split}, {not_object}]"
        ));
        assert_eq!(report.problems.len(), 1);
        let fields = common::error_fields(&report);
        assert_eq!(
            fields,
            vec![
                "index 0: sat",
                "index 1: sol_bodies",
                "index 3: split",
                "index 4"
            ]
        );
    }

    #[test]
    fn header_must_define_sol() {
        let bad = GOOD.replace("def sol():", "def solve():");
        let report = load(&format!("[{bad}]"));
        assert_eq!(report.errors.len(), 1);
        assert_eq!(
            report.errors[0].field.as_deref(),
            Some("index 0: sol_header")
        );
    }

    #[test]
    fn unreadable_file_is_one_error() {
        let report = read_file(Path::new("/nonexistent/puzzles.json"));
        assert!(report.problems.is_empty());
        assert_eq!(report.errors.len(), 1);
    }

    #[test]
    fn docstring_text_strips_quotes_and_indent() {
        assert_eq!(
            docstring_text("    \"\"\"\n    Find x.\n      Indented.\n    \"\"\""),
            "Find x.\n  Indented."
        );
        assert_eq!(docstring_text("'''One line.'''"), "One line.");
        assert_eq!(docstring_text(""), "");
    }
}
