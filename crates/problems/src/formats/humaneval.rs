//! OpenAI HumanEval: JSON Lines, usually gzip-compressed (`HumanEval.jsonl.gz`), one task per line
//! with `task_id, prompt, canonical_solution, test, entry_point`.
//!
//! Each task becomes a [`FunctionTask`] of style [`FunctionStyle::HumanEval`]:
//!
//! | field | from |
//! |---|---|
//! | `id` | `task_id` (`HumanEval/0`) |
//! | `name` | `entry_point` |
//! | `statement`, `prompt` | `prompt` (signature and docstring) |
//! | `entry_point` | `entry_point` (must be a Python identifier) |
//! | `harness` | `test` (must define `check`) |
//! | `reference` | `prompt + canonical_solution` (none when `canonical_solution` is missing) |
//!
//! Required: `task_id` (string or integer), `prompt`, `test`, `entry_point`; `canonical_solution`
//! is optional. The same fields in a JSON list are read too.
//!
//! HumanEval is a test set: every task is [`Split::Heldout`] (evaluation only, never training).

use super::common::{self, Record};
use crate::{FunctionStyle, FunctionTask, LoadError, LoadReport, Problem, Split, Task};
use std::path::Path;

/// Reads a HumanEval file (`.jsonl` or `.jsonl.gz`). A bad task is an error naming its line and
/// field; an unreadable file is one error.
pub fn read_file(path: &Path) -> LoadReport {
    let mut report = LoadReport::default();
    common::read_records(path, &mut report, task);
    report
}

fn task(rec: &Record<'_>) -> Result<Problem, LoadError> {
    let id = rec.id("task_id")?;
    let prompt = rec.str("prompt")?;
    let test = rec.str("test")?;
    let entry_point = rec.str("entry_point")?.trim();
    if !is_identifier(entry_point) {
        return Err(rec.err(
            "entry_point",
            format!("{entry_point:?} is not a Python identifier"),
        ));
    }
    if !test.contains("def check") {
        return Err(rec.err("test", "does not define `check(candidate)`"));
    }
    let canonical = rec.opt_str("canonical_solution")?;
    Ok(Problem {
        id,
        name: entry_point.to_owned(),
        statement: prompt.to_owned(),
        difficulty: None,
        split: Some(Split::Heldout),
        tags: Vec::new(),
        origin: rec.path.to_path_buf(),
        task: Task::Function(FunctionTask {
            style: FunctionStyle::HumanEval,
            prompt: prompt.to_owned(),
            entry_point: entry_point.to_owned(),
            harness: test.to_owned(),
            reference: canonical
                .map(|body| format!("{prompt}{body}"))
                .into_iter()
                .collect(),
        }),
    })
}

/// Whether `s` is an ASCII Python identifier (what the harness may name safely).
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const GOOD: &str = r#"{"task_id": "HumanEval/0", "prompt": "def add(a, b):\n    \"\"\"Add.\"\"\"\n", "canonical_solution": "    return a + b\n", "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n", "entry_point": "add"}"#;

    fn load(name: &str, bytes: &[u8]) -> LoadReport {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        read_file(&path)
    }

    #[test]
    fn reads_a_task() {
        let report = load("h.jsonl", GOOD.as_bytes());
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let p = &report.problems[0];
        assert_eq!(p.id, "HumanEval/0");
        let Task::Function(f) = &p.task else {
            panic!("not a function task")
        };
        assert_eq!(f.entry_point, "add");
        assert_eq!(
            f.reference,
            vec!["def add(a, b):\n    \"\"\"Add.\"\"\"\n    return a + b\n".to_owned()]
        );
        assert!(f.judge_program(&f.reference[0]).ends_with("check(add)\n"));
    }

    #[test]
    fn reads_gzip() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(format!("{GOOD}\n{GOOD}\n").as_bytes())
            .expect("gzip");
        let report = load("h.jsonl.gz", &gz.finish().expect("gzip"));
        assert_eq!(report.problems.len(), 2);
        assert!(report.errors.is_empty());
    }

    #[test]
    fn bad_lines_are_errors_and_do_not_stop_the_file() {
        let no_entry = GOOD.replace(r#", "entry_point": "add""#, "");
        let bad_type = GOOD.replace(r#""prompt": "#, r#""prompt": 5, "x": "#);
        let truncated = &GOOD[..40];
        let bad_entry = GOOD.replace(r#""entry_point": "add""#, r#""entry_point": "a b""#);
        let text = format!("{no_entry}\n{bad_type}\n{truncated}\n{GOOD}\n{bad_entry}\n");
        let report = load("h.jsonl", text.as_bytes());
        assert_eq!(report.problems.len(), 1);
        let fields = common::error_fields(&report);
        assert_eq!(
            fields,
            vec![
                "line 1: entry_point",
                "line 2: prompt",
                "line 3",
                "line 5: entry_point"
            ]
        );
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("has_close_elements"));
        assert!(is_identifier("_x1"));
        assert!(!is_identifier("1x"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("a.b"));
    }
}
