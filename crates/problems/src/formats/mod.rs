//! Readers (and the Kattis writer), one module per format, and `load_set`, which detects the
//! format of a path.

pub mod kattis;

pub mod apps;
pub mod codecontests;
mod common;
pub mod humaneval;
pub mod livecodebench;
pub mod mbpp;
pub mod p3;

use crate::{LoadError, LoadReport};
use std::fmt;
use std::path::Path;

/// The formats [`Format::detect`] recognises, for error messages.
const RECOGNISED: &str = "recognised formats: a Kattis problem package (a directory with \
    problem.yaml), a directory of Kattis packages, an APPS directory (problem folders with \
    question.txt and input_output.json), the Crucible seed set (a directory with stdio/ and/or \
    p3/puzzles.json), and .json / .jsonl / .json.gz / .jsonl.gz files of P3 (records with `sat`), \
    HumanEval (`prompt` and `entry_point`), MBPP (`test_list`), CodeContests (`public_tests`), \
    LiveCodeBench (`question_content`) or APPS (`question` and `input_output`)";

/// How deep below a directory [`Format::detect`] looks for Kattis packages or APPS problem
/// folders (the Code Jam archive nests packages three levels down: `codejam/2008/<id>/`).
const SEARCH_DEPTH: usize = 4;

/// A problem-set format that [`load_set`] can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// One Kattis problem package (a directory holding `problem.yaml`, or a bare package with
    /// test data only): [`kattis::read_problem`].
    KattisProblem,
    /// A directory with Kattis packages somewhere below it: [`kattis::read_set`].
    KattisSet,
    /// The Crucible seed set's root: `stdio/` (Kattis packages) and/or `p3/puzzles.json`.
    SeedSet,
    /// A directory of APPS problem folders (directly or in `train/`, `test/`):
    /// [`apps::read_set`].
    Apps,
    /// The APPS JSON Lines release: [`apps::read_file`].
    AppsJsonl,
    /// A P3 puzzle list: [`p3::read_file`].
    P3,
    /// HumanEval JSON Lines: [`humaneval::read_file`].
    HumanEval,
    /// MBPP JSON Lines: [`mbpp::read_file`].
    Mbpp,
    /// CodeContests JSON Lines: [`codecontests::read_file`].
    CodeContests,
    /// LiveCodeBench JSON Lines: [`livecodebench::read_file`].
    LiveCodeBench,
}

impl Format {
    /// A short lowercase name (`kattis-problem`, `humaneval`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Format::KattisProblem => "kattis-problem",
            Format::KattisSet => "kattis-set",
            Format::SeedSet => "seed-set",
            Format::Apps => "apps",
            Format::AppsJsonl => "apps-jsonl",
            Format::P3 => "p3",
            Format::HumanEval => "humaneval",
            Format::Mbpp => "mbpp",
            Format::CodeContests => "codecontests",
            Format::LiveCodeBench => "livecodebench",
        }
    }

    /// Detects the format of `path`.
    ///
    /// A directory is, in this order: a Kattis package; the seed set's root (it has `stdio/` or
    /// `p3/puzzles.json`); a set of APPS problem folders or Kattis packages, whichever is found
    /// first below it (up to four levels down, in name order). A file named `.json`, `.jsonl`,
    /// `.ndjson` (optionally `.gz`) is recognised by the keys of its first record (the first line
    /// of JSON Lines, the first element of a JSON list): `sat` → P3; `entry_point` and `prompt`
    /// → HumanEval; `test_list` → MBPP; `public_tests` → CodeContests; `question_content` →
    /// LiveCodeBench; `question` and `input_output` → APPS. Anything else is an error naming the
    /// path and listing the recognised formats.
    pub fn detect(path: &Path) -> Result<Format, LoadError> {
        let meta = std::fs::metadata(path)
            .map_err(|e| LoadError::new(path, format!("cannot read: {e}; {RECOGNISED}")))?;
        if meta.is_dir() {
            return detect_dir(path);
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let base = name.strip_suffix(".gz").unwrap_or(&name);
        if ![".json", ".jsonl", ".ndjson"]
            .iter()
            .any(|ext| base.ends_with(ext))
        {
            return Err(LoadError::new(
                path,
                format!("not a recognised problem set; {RECOGNISED}"),
            ));
        }
        let first = common::first_record(path)?
            .ok_or_else(|| LoadError::new(path, format!("no records; {RECOGNISED}")))?;
        let serde_json::Value::Object(obj) = &first else {
            return Err(LoadError::new(
                path,
                format!(
                    "the first record is {}, not an object; {RECOGNISED}",
                    common::type_name(&first)
                ),
            ));
        };
        let has = |key: &str| obj.contains_key(key);
        if has("sat") {
            Ok(Format::P3)
        } else if has("entry_point") && has("prompt") {
            Ok(Format::HumanEval)
        } else if has("test_list") {
            Ok(Format::Mbpp)
        } else if has("public_tests") {
            Ok(Format::CodeContests)
        } else if has("question_content") {
            Ok(Format::LiveCodeBench)
        } else if has("question") && has("input_output") {
            Ok(Format::AppsJsonl)
        } else {
            let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            keys.sort_unstable();
            Err(LoadError::new(
                path,
                format!(
                    "unrecognised record keys [{}]; {RECOGNISED}",
                    keys.join(", ")
                ),
            ))
        }
    }

    /// Reads `path` as this format.
    pub fn load(self, path: &Path) -> LoadReport {
        match self {
            // `read_set` reads a package given as the set's root as that one problem.
            Format::KattisProblem | Format::KattisSet => kattis::read_set(path),
            Format::SeedSet => {
                let mut report = LoadReport::default();
                let stdio = path.join("stdio");
                if stdio.is_dir() {
                    report.extend(kattis::read_set(&stdio));
                }
                let puzzles = path.join("p3").join("puzzles.json");
                if puzzles.is_file() {
                    report.extend(p3::read_file(&puzzles));
                }
                report
            }
            Format::Apps => apps::read_set(path),
            Format::AppsJsonl => apps::read_file(path),
            Format::P3 => p3::read_file(path),
            Format::HumanEval => humaneval::read_file(path),
            Format::Mbpp => mbpp::read_file(path),
            Format::CodeContests => codecontests::read_file(path),
            Format::LiveCodeBench => livecodebench::read_file(path),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn detect_dir(dir: &Path) -> Result<Format, LoadError> {
    if kattis::is_package(dir) {
        return Ok(Format::KattisProblem);
    }
    if dir.join("stdio").is_dir() || dir.join("p3").join("puzzles.json").is_file() {
        return Ok(Format::SeedSet);
    }
    find_below(dir, SEARCH_DEPTH).ok_or_else(|| {
        LoadError::new(
            dir,
            format!("no Kattis packages or APPS problems found below this directory; {RECOGNISED}"),
        )
    })
}

/// The first Kattis package (→ set) or APPS problem folder (→ APPS, at most two levels down)
/// below `dir`, breadth-first, in name order.
fn find_below(dir: &Path, depth: usize) -> Option<Format> {
    let mut level = vec![dir.to_path_buf()];
    for d in 1..=depth {
        let mut next = Vec::new();
        for parent in &level {
            let Ok(entries) = std::fs::read_dir(parent) else {
                continue;
            };
            let mut children: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| !n.starts_with('.'))
                })
                .collect();
            children.sort();
            for child in children {
                if kattis::is_package(&child) {
                    return Some(Format::KattisSet);
                }
                if d <= 2 && apps::is_problem_dir(&child) {
                    return Some(Format::Apps);
                }
                next.push(child);
            }
        }
        level = next;
    }
    None
}

/// Detects the format of `path` ([`Format::detect`]) and reads it. `Err` only when the format is
/// not recognised; problems that fail to load are in the report's `errors`.
pub fn load_set(path: &Path) -> Result<LoadReport, LoadError> {
    match Format::detect(path) {
        Ok(format) => Ok(format.load(path)),
        // A folder holding one data file (`mbpp/mbpp.jsonl`) means that file.
        Err(err) => match single_data_file(path) {
            Some(file) => Ok(Format::detect(&file)?.load(&file)),
            None => Err(err),
        },
    }
}

/// The only `.json` / `.jsonl` / `.ndjson` file (optionally `.gz`) directly inside `dir`.
fn single_data_file(dir: &Path) -> Option<std::path::PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut files = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_ascii_lowercase();
            let base = name.strip_suffix(".gz").unwrap_or(&name);
            p.is_file()
                && [".json", ".jsonl", ".ndjson"]
                    .iter()
                    .any(|ext| base.ends_with(ext))
        });
    let first = files.next()?;
    files.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }

    #[test]
    fn a_folder_with_one_data_file_loads_that_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(
            &dir.path().join("set/tasks.jsonl"),
            r#"{"task_id": 1, "text": "Add.", "code": "def add(a, b):\n    return a + b", "test_list": ["assert add(1, 2) == 3"], "test_setup_code": "", "challenge_test_list": []}"#,
        );
        let report = load_set(&dir.path().join("set")).expect("loads the one file");
        assert_eq!(report.problems.len(), 1);
        write(&dir.path().join("set/other.json"), "[]");
        assert!(
            load_set(&dir.path().join("set")).is_err(),
            "two files are ambiguous"
        );
    }

    #[test]
    fn detects_files_by_first_record() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cases = [
            (
                "a.json",
                r#"[{"sat": "def sat(x): return x", "name": "n"}]"#,
                Format::P3,
            ),
            (
                "b.jsonl",
                r#"{"task_id": "t", "prompt": "p", "entry_point": "f"}"#,
                Format::HumanEval,
            ),
            (
                "c.jsonl",
                r#"{"task_id": 1, "test_list": []}"#,
                Format::Mbpp,
            ),
            (
                "d.jsonl",
                r#"{"name": "x", "public_tests": {}}"#,
                Format::CodeContests,
            ),
            (
                "e.jsonl",
                r#"{"question_content": "q"}"#,
                Format::LiveCodeBench,
            ),
            (
                "f.jsonl",
                r#"{"question": "q", "input_output": "{}"}"#,
                Format::AppsJsonl,
            ),
        ];
        for (name, text, format) in cases {
            let path = dir.path().join(name);
            write(&path, text);
            assert_eq!(Format::detect(&path).ok(), Some(format), "{name}");
        }
    }

    #[test]
    fn unknown_inputs_are_errors_listing_the_formats() {
        let dir = tempfile::tempdir().expect("tempdir");
        let other = dir.path().join("x.jsonl");
        write(&other, r#"{"foo": 1}"#);
        let err = Format::detect(&other).expect_err("unknown keys");
        assert!(err.message.contains("[foo]"), "{err}");
        assert!(err.message.contains("recognised formats"), "{err}");

        let txt = dir.path().join("notes.txt");
        write(&txt, "hello");
        assert!(Format::detect(&txt).is_err());
        let empty = dir.path().join("empty.jsonl");
        write(&empty, "");
        assert!(Format::detect(&empty).is_err());
        let empty_dir = dir.path().join("nothing");
        std::fs::create_dir_all(&empty_dir).expect("mkdir");
        assert!(Format::detect(&empty_dir).is_err());
        assert!(load_set(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn detects_directories() {
        let dir = tempfile::tempdir().expect("tempdir");
        let kattis = dir.path().join("k");
        write(&kattis.join("set/hello/problem.yaml"), "name: Hello\n");
        assert_eq!(
            Format::detect(&kattis.join("set/hello")).ok(),
            Some(Format::KattisProblem)
        );
        assert_eq!(Format::detect(&kattis).ok(), Some(Format::KattisSet));

        let apps = dir.path().join("apps");
        write(&apps.join("train/0000/question.txt"), "q");
        assert_eq!(Format::detect(&apps).ok(), Some(Format::Apps));

        let seed = dir.path().join("seed");
        write(&seed.join("p3/puzzles.json"), "[]");
        assert_eq!(Format::detect(&seed).ok(), Some(Format::SeedSet));
        let report = load_set(&seed).expect("seed set");
        assert!(report.problems.is_empty() && report.errors.is_empty());

        // Kattis-like folders without problem.yaml, beside an unrelated problems.json (a JSON
        // set on its own): the folders win.
        let bare = dir.path().join("bare");
        write(&bare.join("a/data/sample/1.in"), "1\n");
        write(&bare.join("a/data/sample/1.ans"), "1\n");
        write(&bare.join("a/problem.md"), "Echo.");
        write(
            &bare.join("problems.json"),
            r#"[{"sat": "def sat(x: int): return x > 1"}]"#,
        );
        assert_eq!(Format::detect(&bare).ok(), Some(Format::KattisSet));
        assert_eq!(
            Format::detect(&bare.join("a")).ok(),
            Some(Format::KattisProblem)
        );
        let report = load_set(&bare).expect("bare set");
        assert_eq!(report.problems.len(), 1);
        assert_eq!(report.notices.len(), 1);
    }
}
