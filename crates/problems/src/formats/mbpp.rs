//! MBPP (Mostly Basic Python Problems): JSON Lines with `task_id, text, code, test_list,
//! test_setup_code, challenge_test_list` (the original release; CRLF line endings and a missing
//! final newline are fine). The sanitized release's `prompt` (for `text`) and `test_imports`
//! (lines put before the setup code) are accepted too, as is a JSON list of records.
//!
//! Each task becomes a [`FunctionTask`] of style [`FunctionStyle::Mbpp`]:
//!
//! | field | from |
//! |---|---|
//! | `id` | `mbpp/<task_id>` |
//! | `name` | the entry point |
//! | `statement` | `text` |
//! | `entry_point` | see below |
//! | `prompt` | `text + "\nYour code should pass this test:\n" + test_list[0]` |
//! | `harness` | `test_imports`, `test_setup_code`, then each assert of `test_list`, one a line |
//! | `reference` | `code` |
//!
//! The entry point is not a field of MBPP: it is the first function called in the first assert
//! of `test_list` that `code` defines (`assert remove_Occ("hello","l") == "heo"` → `remove_Occ`),
//! else the first call there that is not a Python builtin, else the first `def` in `code`.
//! `challenge_test_list` is not judged.
//!
//! The split follows the original release's task ids: 11–510 are the test split
//! ([`Split::Heldout`]: for evaluation only), 1–10 (few-shot prompts), 511–600 (validation) and
//! 601–974 (train) are [`Split::Train`]; other ids have no split.

use super::common::{self, Record};
use crate::{FunctionStyle, FunctionTask, LoadError, LoadReport, Problem, Split, Task};
use std::path::Path;

/// Reads an MBPP file (`.jsonl`, optionally gzip-compressed). A bad task is an error naming its
/// line and field; an unreadable file is one error.
pub fn read_file(path: &Path) -> LoadReport {
    let mut report = LoadReport::default();
    common::read_records(path, &mut report, task);
    report
}

fn task(rec: &Record<'_>) -> Result<Problem, LoadError> {
    let id = rec.id("task_id")?;
    let text = match rec.opt_str("text")? {
        Some(text) => text,
        None => rec
            .opt_str("prompt")?
            .ok_or_else(|| rec.err("text", "missing field"))?,
    };
    let code = rec.str("code")?;
    let tests = rec.str_list("test_list")?;
    let Some(first) = tests.first() else {
        return Err(rec.err("test_list", "empty: no test to judge with"));
    };
    let setup = rec.opt_str("test_setup_code")?.unwrap_or("");
    let imports = rec.opt_str_list("test_imports")?;
    rec.opt_str_list("challenge_test_list")?;
    let entry_point = entry_point(first, code).ok_or_else(|| {
        rec.err(
            "test_list",
            "cannot tell the entry point: the first assert calls no function and `code` has no def",
        )
    })?;

    let harness = imports
        .iter()
        .copied()
        .chain(Some(setup).filter(|s| !s.trim().is_empty()))
        .chain(tests.iter().map(|t| t.trim()))
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Problem {
        id: format!("mbpp/{id}"),
        name: entry_point.clone(),
        statement: text.to_owned(),
        difficulty: None,
        split: split(&id),
        tags: Vec::new(),
        origin: rec.path.to_path_buf(),
        task: Task::Function(FunctionTask {
            style: FunctionStyle::Mbpp,
            prompt: format!("{text}\nYour code should pass this test:\n{first}"),
            entry_point,
            harness,
            reference: vec![code.to_owned()],
        }),
    })
}

/// The split of the original release's task id `id` (see the module documentation).
pub fn split(id: &str) -> Option<Split> {
    match id.trim().parse::<u32>().ok()? {
        11..=510 => Some(Split::Heldout),
        1..=10 | 511..=974 => Some(Split::Train),
        _ => None,
    }
}

/// Python keywords that look like calls (`assert (f(x)) == 1`, `not(...)`).
const KEYWORDS: &[&str] = &[
    "and", "assert", "await", "else", "for", "if", "in", "is", "lambda", "not", "or", "return",
    "None", "True", "False",
];

/// The function under test: see the module documentation.
pub(crate) fn entry_point(assert: &str, code: &str) -> Option<String> {
    let calls = called_names(assert);
    let defined = defined_names(code);
    calls
        .iter()
        .find(|c| defined.contains(c))
        .or_else(|| {
            calls
                .iter()
                .find(|c| !crate::python::BUILTINS.contains(&c.as_str()))
        })
        .or_else(|| defined.first())
        .cloned()
}

/// Names called in a Python expression, in order: identifiers followed by `(` that are not
/// attributes (`math.isclose`), keywords, or inside string literals.
fn called_names(expr: &str) -> Vec<String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut names = Vec::new();
    let mut i = 0;
    let mut prev_significant = ' ';
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '\'' {
            // Skip the literal, honouring backslash escapes.
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            prev_significant = c;
        } else if c.is_ascii_digit() {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            prev_significant = '0';
        } else if c == '_' || c.is_alphabetic() {
            let start = i;
            while i < chars.len() && (chars[i] == '_' || chars[i].is_alphanumeric()) {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            let is_call = j < chars.len() && chars[j] == '(';
            let is_attribute = prev_significant == '.';
            // A string prefix (`r"..."`, `b'...'`) is not a name.
            let is_prefix = j == i && j < chars.len() && (chars[j] == '"' || chars[j] == '\'');
            if is_call && !is_attribute && !is_prefix && !KEYWORDS.contains(&name.as_str()) {
                names.push(name);
            }
            prev_significant = 'a';
        } else {
            if !c.is_whitespace() {
                prev_significant = c;
            }
            i += 1;
        }
    }
    names
}

/// Names of the functions and classes `code` defines, in order.
fn defined_names(code: &str) -> Vec<String> {
    code.lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let rest = line
                .strip_prefix("def ")
                .or_else(|| line.strip_prefix("async def "))
                .or_else(|| line.strip_prefix("class "))?;
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| *c == '_' || c.is_alphanumeric())
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"text": "Write a python function to remove first and last occurrence of a given character from the string.", "code": "def remove_Occ(s,ch): \r\n    return s.replace(ch, '', 1)[::-1].replace(ch, '', 1)[::-1] ", "task_id": 11, "test_setup_code": "", "test_list": ["assert remove_Occ(\"hello\",\"l\") == \"heo\"", "assert remove_Occ(\"abcda\",\"a\") == \"bcd\""], "challenge_test_list": []}"#;

    fn load(text: &str) -> LoadReport {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mbpp.jsonl");
        std::fs::write(&path, text).expect("write");
        read_file(&path)
    }

    #[test]
    fn reads_a_task() {
        let report = load(GOOD);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let p = &report.problems[0];
        assert_eq!(p.id, "mbpp/11");
        let Task::Function(f) = &p.task else {
            panic!("not a function task")
        };
        assert_eq!(f.entry_point, "remove_Occ");
        assert!(f.prompt.ends_with(
            "string.\nYour code should pass this test:\nassert remove_Occ(\"hello\",\"l\") == \"heo\""
        ));
        assert_eq!(
            f.harness,
            "assert remove_Occ(\"hello\",\"l\") == \"heo\"\nassert remove_Occ(\"abcda\",\"a\") == \"bcd\""
        );
        assert_eq!(f.reference.len(), 1);
    }

    #[test]
    fn setup_code_comes_first() {
        let with = GOOD.replace(r#""test_setup_code": """#, r#""test_setup_code": "x = 1""#);
        let report = load(&with);
        let Task::Function(f) = &report.problems[0].task else {
            panic!("not a function task")
        };
        assert!(f.harness.starts_with("x = 1\nassert "));
    }

    #[test]
    fn crlf_and_bad_records() {
        let missing_code = GOOD.replace(r#""code": "#, r#""kode": "#);
        let bad_tests = GOOD.replace(r#""test_list": ["#, r#""test_list": [1, "#);
        let empty_tests =
            r#"{"task_id": 3, "text": "t", "code": "def f(): pass", "test_list": []}"#;
        let text = format!("{GOOD}\r\n{missing_code}\r\n{bad_tests}\r\n{empty_tests}\r\n{GOOD}");
        let report = load(&text);
        assert_eq!(report.problems.len(), 2);
        let fields = common::error_fields(&report);
        assert_eq!(
            fields,
            vec!["line 2: code", "line 3: test_list", "line 4: test_list"]
        );
    }

    #[test]
    fn entry_point_heuristics() {
        let code = "def helper(x):\n  return x\ndef solve(a):\n  return helper(a)";
        assert_eq!(
            entry_point("assert solve(3) == 3", code).as_deref(),
            Some("solve")
        );
        assert_eq!(
            entry_point("assert (solve(3)) == 3", code).as_deref(),
            Some("solve")
        );
        assert_eq!(
            entry_point("assert set(solve((1, 2))) == set((1, 2))", code).as_deref(),
            Some("solve")
        );
        assert_eq!(
            entry_point("assert math.isclose(solve(2), 2.0)", code).as_deref(),
            Some("solve")
        );
        assert_eq!(
            entry_point("assert f(\"helper(\") == 1", "def g(): pass").as_deref(),
            Some("f")
        );
        assert_eq!(
            entry_point("assert 1 == 1", code).as_deref(),
            Some("helper")
        );
        assert_eq!(entry_point("assert 1 == 1", "x = 2"), None);
        assert_eq!(
            entry_point(
                "assert int(lobb_num(5, 3)) == 35",
                "def lobb_num(n, m): pass"
            )
            .as_deref(),
            Some("lobb_num")
        );
    }
}
