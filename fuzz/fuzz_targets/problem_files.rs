//! The problem-format readers: any set of files laid out in a directory (a Kattis package, the
//! seed set, APPS folders, P3 / HumanEval / MBPP / CodeContests / LiveCodeBench / APPS JSON) is
//! detected and read by `load_set` — the one loader of `crucible eval`, campaigns and
//! `/judge_problem` — without a panic; what it cannot read is an error in the report.
//!
//! Input layout: `name NUL content NUL name NUL content ...`. Names are made safe (relative,
//! no `..`, at most five levels); the first name may be empty, meaning `set.jsonl`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

/// At most this many files per input.
const MAX_FILES: usize = 12;

/// A relative path built from `name`'s plain components, or `None` if nothing is left.
fn safe_name(name: &[u8]) -> Option<PathBuf> {
    let text = String::from_utf8_lossy(name);
    let parts: Vec<&str> = text
        .split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .filter(|p| p.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)))
        .take(5)
        .collect();
    (!parts.is_empty()).then(|| parts.iter().collect())
}

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let mut fields = data.split(|b| *b == 0);
    let mut written = 0;
    while let Some(name) = fields.next() {
        let content = fields.next().unwrap_or_default();
        let name = if written == 0 && name.is_empty() {
            Some(PathBuf::from("set.jsonl"))
        } else {
            safe_name(name)
        };
        let Some(name) = name else {
            continue;
        };
        let path = dir.path().join(name);
        let made = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, content));
        if made.is_ok() {
            written += 1;
        }
        if written == MAX_FILES {
            break;
        }
    }
    if let Ok(report) = crucible_problems::formats::load_set(dir.path()) {
        for problem in &report.problems {
            assert!(!problem.id.is_empty(), "a loaded problem has an id");
        }
        for error in &report.errors {
            let _ = error.to_string();
        }
    }
});
