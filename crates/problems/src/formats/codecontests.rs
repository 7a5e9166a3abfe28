//! DeepMind CodeContests as JSON Lines (optionally gzip-compressed), one problem per line:
//! `name, description, public_tests, private_tests, generated_tests, time_limit,
//! memory_limit_bytes, cf_rating, cf_tags, difficulty, solutions` (other fields are ignored).
//!
//! Each problem becomes a [`StdioTask`]:
//!
//! - `id`, `name`: `name` (`1548_E. Gregor and the Two Painters`); `statement`: `description`.
//! - Tests: `public_tests` → [`TestGroup::Sample`] `public/<i>`; `private_tests` and
//!   `generated_tests` → [`TestGroup::Secret`] `private/<i>`, `generated/<i>`. Each field is
//!   `{input: [..], output: [..]}`.
//! - `time_limit`: `{seconds, nanos}`, a number of seconds, or a protobuf duration string
//!   (`"2.5s"`); missing, `null` or zero → 2 s.
//! - `memory_bytes`: `memory_limit_bytes` (number or decimal string); missing or zero → 256 MiB.
//! - `checker`: `Checker::Tokens { case_sensitive: false }` (see below).
//! - `difficulty`: `cf_rating` through [`Difficulty::from_rating`] when above 0, else the
//!   `difficulty` enum when it is 1–5 (EASY, MEDIUM, HARD, HARDER, HARDEST; the last three map
//!   to hard).
//! - `tags`: `cf_tags`.
//! - `accepted`: `solutions {language: [..], solution: [..]}`: language 2 (CPP) → C++, 3
//!   (PYTHON3) → Python; 1 (Python 2), 4 (Java) and others are skipped. Enum names (`"CPP"`)
//!   work too.
//!
//! CodeContests carries no checker information: its own evaluation compares outputs token by
//! token, and problems with real-valued answers exist whose tolerance is not recorded. We use the
//! Kattis default (whitespace-insensitive, case-insensitive tokens), so such problems may reject
//! correct answers that print a different number of decimals.
//!
//! A problem without any test is an error, as is a test list whose `input` and `output` differ
//! in length.

use super::common::{self, Record};
use crate::{
    Difficulty, LoadError, LoadReport, Problem, Solution, StdioTask, Task, Test, TestGroup,
};
use bytes::Bytes;
use crucible_sandbox::{Checker, Language, Limits};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// Reads a CodeContests file (`.jsonl`, `.jsonl.gz`). A bad problem is an error naming its line
/// and field; an unreadable file is one error.
pub fn read_file(path: &Path) -> LoadReport {
    let mut report = LoadReport::default();
    common::read_records(path, &mut report, problem);
    report
}

fn problem(rec: &Record<'_>) -> Result<Problem, LoadError> {
    let name = rec.str("name")?.trim();
    if name.is_empty() {
        return Err(rec.err("name", "empty"));
    }
    let description = rec.str("description")?;
    let mut tests = test_list(rec, "public_tests", "public", TestGroup::Sample)?;
    tests.extend(test_list(
        rec,
        "private_tests",
        "private",
        TestGroup::Secret,
    )?);
    tests.extend(test_list(
        rec,
        "generated_tests",
        "generated",
        TestGroup::Secret,
    )?);
    if tests.is_empty() {
        return Err(
            rec.record_err("no tests (public_tests, private_tests and generated_tests are empty)")
        );
    }
    let time_limit = time_limit(rec)?;
    let memory_bytes = match rec.opt("memory_limit_bytes") {
        None => Limits::default().memory_bytes,
        Some(v) => match common::lenient_u64(v) {
            Some(0) => Limits::default().memory_bytes,
            Some(bytes) => bytes,
            None => {
                return Err(rec.err(
                    "memory_limit_bytes",
                    format!("expected a non-negative integer, found {v}"),
                ));
            }
        },
    };
    let difficulty = difficulty(rec)?;
    let tags = rec
        .opt_str_list("cf_tags")?
        .into_iter()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let accepted = solutions(rec)?;

    Ok(Problem {
        id: name.to_owned(),
        name: name.to_owned(),
        statement: description.to_owned(),
        difficulty,
        split: None,
        tags,
        origin: rec.path.to_path_buf(),
        task: Task::Stdio(StdioTask {
            time_limit,
            memory_bytes,
            tests,
            checker: Checker::Tokens {
                case_sensitive: false,
            },
            custom_checker: None,
            accepted,
        }),
    })
}

/// The tests of one `{input: [..], output: [..]}` field (none when missing or `null`).
fn test_list(
    rec: &Record<'_>,
    key: &str,
    prefix: &str,
    group: TestGroup,
) -> Result<Vec<Test>, LoadError> {
    let Some(value) = rec.opt(key) else {
        return Ok(Vec::new());
    };
    let Value::Object(obj) = value else {
        return Err(rec.err(
            key,
            format!(
                "expected an object {{input: [..], output: [..]}}, found {}",
                common::type_name(value)
            ),
        ));
    };
    let list = |sub: &str| -> Result<Vec<&str>, LoadError> {
        match obj.get(sub).filter(|v| !v.is_null()) {
            None => Ok(Vec::new()),
            Some(v) => common::str_list(v).map_err(|msg| rec.err(&format!("{key}.{sub}"), msg)),
        }
    };
    let inputs = list("input")?;
    let outputs = list("output")?;
    if inputs.len() != outputs.len() {
        return Err(rec.err(
            key,
            format!("{} inputs but {} outputs", inputs.len(), outputs.len()),
        ));
    }
    Ok(inputs
        .into_iter()
        .zip(outputs)
        .enumerate()
        .map(|(i, (input, output))| Test {
            name: format!("{prefix}/{i}"),
            group,
            input: Bytes::from(input.to_owned()),
            answer: Bytes::from(output.to_owned()),
        })
        .collect())
}

/// `time_limit`: see the module documentation.
fn time_limit(rec: &Record<'_>) -> Result<Duration, LoadError> {
    let default = Limits::default().time;
    let Some(value) = rec.opt("time_limit") else {
        return Ok(default);
    };
    let bad = |what: String| rec.err("time_limit", what);
    let seconds = match value {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| bad(format!("not a number of seconds: {n}")))?,
        Value::String(s) => {
            let t = s.trim();
            t.strip_suffix('s')
                .unwrap_or(t)
                .trim()
                .parse::<f64>()
                .map_err(|_| bad(format!("not a duration: {s:?}")))?
        }
        Value::Object(obj) => {
            let part = |key: &str| -> Result<u64, LoadError> {
                match obj.get(key).filter(|v| !v.is_null()) {
                    None => Ok(0),
                    Some(v) => common::lenient_u64(v).ok_or_else(|| {
                        rec.err(
                            &format!("time_limit.{key}"),
                            format!("expected a non-negative integer, found {v}"),
                        )
                    }),
                }
            };
            part("seconds")? as f64 + part("nanos")? as f64 * 1e-9
        }
        other => {
            return Err(bad(format!(
                "expected {{seconds, nanos}} or a number, found {}",
                common::type_name(other)
            )));
        }
    };
    if !(0.0..=1e6).contains(&seconds) {
        return Err(bad(format!("out of range: {seconds} s")));
    }
    if seconds == 0.0 {
        return Ok(default);
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// `cf_rating` when above 0, else the `difficulty` enum (number or name) when it names one.
fn difficulty(rec: &Record<'_>) -> Result<Option<Difficulty>, LoadError> {
    if let Some(v) = rec.opt("cf_rating") {
        match common::lenient_u64(v) {
            Some(0) => {}
            Some(rating) => {
                return Ok(Some(Difficulty::from_rating(
                    u32::try_from(rating).unwrap_or(u32::MAX),
                )));
            }
            None => {
                return Err(rec.err(
                    "cf_rating",
                    format!("expected a non-negative integer, found {v}"),
                ));
            }
        }
    }
    Ok(match rec.opt("difficulty") {
        None => None,
        Some(Value::String(s)) => match s.trim().to_ascii_uppercase().as_str() {
            "HARDER" | "HARDEST" => Some(Difficulty::Hard),
            _ => Difficulty::parse(s),
        },
        Some(v) => match common::lenient_u64(v) {
            Some(1) => Some(Difficulty::Easy),
            Some(2) => Some(Difficulty::Medium),
            Some(3..=5) => Some(Difficulty::Hard),
            Some(_) => None,
            None => {
                return Err(rec.err(
                    "difficulty",
                    format!("expected an integer or a name, found {v}"),
                ));
            }
        },
    })
}

/// Accepted C++ and Python 3 solutions from `solutions {language, solution}`.
fn solutions(rec: &Record<'_>) -> Result<Vec<Solution>, LoadError> {
    let Some(value) = rec.opt("solutions") else {
        return Ok(Vec::new());
    };
    let Value::Object(obj) = value else {
        return Err(rec.err(
            "solutions",
            format!(
                "expected an object {{language: [..], solution: [..]}}, found {}",
                common::type_name(value)
            ),
        ));
    };
    let languages = match obj.get("language").filter(|v| !v.is_null()) {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => {
            return Err(rec.err(
                "solutions.language",
                format!("expected a list, found {}", common::type_name(other)),
            ));
        }
    };
    let sources = match obj.get("solution").filter(|v| !v.is_null()) {
        None => Vec::new(),
        Some(v) => common::str_list(v).map_err(|msg| rec.err("solutions.solution", msg))?,
    };
    if languages.len() != sources.len() {
        return Err(rec.err(
            "solutions",
            format!(
                "{} languages but {} solutions",
                languages.len(),
                sources.len()
            ),
        ));
    }
    let mut accepted = Vec::new();
    for (i, (lang, source)) in languages.into_iter().zip(sources).enumerate() {
        let lang = match lang {
            Value::String(name) => match name.trim().to_ascii_uppercase().as_str() {
                "CPP" => Some(Language::Cpp),
                "PYTHON3" => Some(Language::Python),
                _ => None,
            },
            other => match common::lenient_u64(other) {
                Some(2) => Some(Language::Cpp),
                Some(3) => Some(Language::Python),
                Some(_) => None,
                None => {
                    return Err(rec.err(
                        &format!("solutions.language[{i}]"),
                        format!("expected a language code, found {other}"),
                    ));
                }
            },
        };
        if let Some(lang) = lang {
            accepted.push(Solution {
                lang,
                source: source.to_owned(),
                name: format!("solutions/{i}"),
            });
        }
    }
    Ok(accepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(extra: &str) -> String {
        format!(
            r#"{{"name": "1_A. Theatre Square", "description": "Cover the square.", "public_tests": {{"input": ["6 6 4\n"], "output": ["4\n"]}}, "private_tests": {{"input": ["1 1 1\n", "2 2 1\n"], "output": ["1\n", "4\n"]}}, "generated_tests": {{"input": ["3 3 3\n"], "output": ["1\n"]}}{extra}}}"#
        )
    }

    fn load(text: &str) -> LoadReport {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("cc.jsonl");
        std::fs::write(&path, text).expect("write");
        read_file(&path)
    }

    fn stdio(p: &Problem) -> &StdioTask {
        match &p.task {
            Task::Stdio(s) => s,
            Task::Function(_) => panic!("not a stdio task"),
        }
    }

    #[test]
    fn reads_tests_limits_and_solutions() {
        let text = record(
            r#", "time_limit": {"seconds": 1, "nanos": 500000000}, "memory_limit_bytes": 67108864, "cf_rating": 1000, "cf_tags": ["math", ""], "solutions": {"language": [2, 1, 3, 4], "solution": ["int main(){}", "print 1", "print(1)", "class A {}"]}"#,
        );
        let report = load(&text);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let p = &report.problems[0];
        assert_eq!(p.id, "1_A. Theatre Square");
        assert_eq!(p.difficulty, Some(Difficulty::Easy));
        assert_eq!(p.tags, vec!["math".to_owned()]);
        let s = stdio(p);
        assert_eq!(s.time_limit, Duration::from_millis(1500));
        assert_eq!(s.memory_bytes, 64 << 20);
        let names: Vec<_> = s.tests.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            vec!["public/0", "private/0", "private/1", "generated/0"]
        );
        assert_eq!(s.tests[0].group, TestGroup::Sample);
        assert_eq!(s.tests[3].group, TestGroup::Secret);
        assert_eq!(&s.tests[2].answer[..], b"4\n");
        let langs: Vec<_> = s
            .accepted
            .iter()
            .map(|a| (a.lang, a.name.as_str()))
            .collect();
        assert_eq!(
            langs,
            vec![
                (Language::Cpp, "solutions/0"),
                (Language::Python, "solutions/2")
            ]
        );
    }

    #[test]
    fn defaults_and_other_time_limit_forms() {
        let report = load(&format!(
            "{}\n{}\n{}\n",
            record(r#", "time_limit": null, "cf_rating": 0, "difficulty": 2"#),
            record(r#", "time_limit": 3"#),
            record(r#", "time_limit": "0.5s", "memory_limit_bytes": "0""#),
        ));
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let limits: Vec<_> = report
            .problems
            .iter()
            .map(|p| (stdio(p).time_limit, stdio(p).memory_bytes))
            .collect();
        assert_eq!(
            limits,
            vec![
                (Duration::from_secs(2), 256 << 20),
                (Duration::from_secs(3), 256 << 20),
                (Duration::from_millis(500), 256 << 20)
            ]
        );
        assert_eq!(report.problems[0].difficulty, Some(Difficulty::Medium));
        assert_eq!(report.problems[1].difficulty, None);
    }

    #[test]
    fn bad_records_are_errors() {
        let mismatched = record("").replace(r#""output": ["4\n"]"#, r#""output": []"#);
        let wrong_type = record(r#", "time_limit": [1]"#);
        let bad_test = record("").replace(r#""input": ["6 6 4\n"]"#, r#""input": [6]"#);
        let no_tests = r#"{"name": "x", "description": "d"}"#;
        let bad_solutions = record(r#", "solutions": {"language": [2], "solution": []}"#);
        let text = format!(
            "{mismatched}\n{wrong_type}\n{bad_test}\n{no_tests}\n{bad_solutions}\n{}\n{{\"name\": \"x\", \"desc",
            record("")
        );
        let report = load(&text);
        assert_eq!(report.problems.len(), 1);
        let fields = common::error_fields(&report);
        assert_eq!(
            fields,
            vec![
                "line 1: public_tests",
                "line 2: time_limit",
                "line 3: public_tests.input",
                "line 4",
                "line 5: solutions",
                "line 7"
            ]
        );
    }
}
