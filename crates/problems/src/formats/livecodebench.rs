//! LiveCodeBench (code generation) as JSON Lines, optionally gzip-compressed: `question_title,
//! question_content, platform, question_id, contest_date, starter_code, difficulty,
//! public_test_cases, private_test_cases, metadata`.
//!
//! `public_test_cases` and `private_test_cases` are JSON *strings* holding a list of
//! `{input, output, testtype}` (a list given directly is accepted too); `metadata` is a JSON
//! string (or object) with `func_name` for LeetCode problems.
//!
//! - `testtype: "stdin"` (AtCoder, Codeforces) → a [`StdioTask`]: public tests are
//!   [`TestGroup::Sample`] `public/<i>`, private ones [`TestGroup::Secret`] `private/<i>`; limits
//!   are the sandbox defaults (2 s, 256 MiB; LiveCodeBench records none); the checker is
//!   `Checker::Tokens { case_sensitive: true }` (LiveCodeBench compares lines after stripping,
//!   so case matters but spacing does not).
//! - `testtype: "functional"` (LeetCode) → a [`FunctionTask`] of style
//!   [`FunctionStyle::HumanEval`] with `entry_point = "Solution"`: the solution defines
//!   `class Solution` with the method `func_name`, and `check(Solution)` runs, for each test,
//!   `Solution().<func_name>(*args)` where `args` are the JSON values on the lines of `input`,
//!   and compares the result (a tuple counts as a list) with `==` to the JSON-decoded `output`,
//!   as LiveCodeBench's own grader does. The test data is embedded in the harness as string
//!   literals and decoded by Python's `json`, so numbers keep their exact value. The prompt is the
//!   question followed by the starter code; the harness runs after the solution, so a solution
//!   must import what its annotations use (`from typing import List`).
//!
//! The real release stores `private_test_cases` as base64 of zlib of a pickled JSON string. That
//! is not decoded: a record whose private tests are not JSON loads with its public tests only
//! (with a `tracing` warning), or, without public tests, is an error. A record that mixes stdin and
//! functional tests, or has none, is an error.
//!
//! `id` is `question_id`, `name` is `question_title`, `statement` is `question_content`,
//! `difficulty` is `difficulty`, and `platform` becomes a tag. `contest_date` has no place in
//! [`Problem`] and is dropped.

use super::common::{self, Record};
use crate::formats::humaneval::is_identifier;
use crate::{
    Difficulty, FunctionStyle, FunctionTask, LoadError, LoadReport, Problem, StdioTask, Task, Test,
    TestGroup,
};
use bytes::Bytes;
use crucible_sandbox::{Checker, Limits};
use serde_json::Value;
use std::path::Path;

/// Reads a LiveCodeBench file (`.jsonl`, `.jsonl.gz`). A bad problem is an error naming its line
/// and field; an unreadable file is one error.
pub fn read_file(path: &Path) -> LoadReport {
    let mut report = LoadReport::default();
    common::read_records(path, &mut report, problem);
    report
}

/// One `{input, output, testtype}` entry.
struct Case {
    name: String,
    group: TestGroup,
    input: String,
    output: String,
    functional: bool,
}

/// The entries of a test-case field, or `None` when the field is a string that is not JSON (the
/// compressed form of the real release).
fn cases(
    rec: &Record<'_>,
    key: &str,
    prefix: &str,
    group: TestGroup,
) -> Result<Option<Vec<Case>>, LoadError> {
    let parsed;
    let list = match rec.opt(key) {
        None => return Ok(Some(Vec::new())),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(Some(Vec::new())),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(v) => {
                parsed = v;
                &parsed
            }
            Err(_) => return Ok(None),
        },
        Some(v) => v,
    };
    let Value::Array(items) = list else {
        return Err(rec.err(
            key,
            format!(
                "expected a list of {{input, output, testtype}}, found {}",
                common::type_name(list)
            ),
        ));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let field = |name: &str| -> Result<&str, LoadError> {
            let v = item
                .get(name)
                .filter(|v| !v.is_null())
                .ok_or_else(|| rec.err(&format!("{key}[{i}].{name}"), "missing field"))?;
            v.as_str().ok_or_else(|| {
                rec.err(
                    &format!("{key}[{i}].{name}"),
                    format!("expected a string, found {}", common::type_name(v)),
                )
            })
        };
        if !item.is_object() {
            return Err(rec.err(
                &format!("{key}[{i}]"),
                format!("expected an object, found {}", common::type_name(item)),
            ));
        }
        let functional = match field("testtype")? {
            "stdin" => false,
            "functional" => true,
            other => {
                return Err(rec.err(
                    &format!("{key}[{i}].testtype"),
                    format!("unknown test type {other:?} (stdin, functional)"),
                ));
            }
        };
        out.push(Case {
            name: format!("{prefix}/{i}"),
            group,
            input: field("input")?.to_owned(),
            output: field("output")?.to_owned(),
            functional,
        });
    }
    Ok(Some(out))
}

fn problem(rec: &Record<'_>) -> Result<Problem, LoadError> {
    let id = rec.id("question_id")?;
    let content = rec.str("question_content")?;
    let title = rec
        .opt_str("question_title")?
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(&id)
        .to_owned();
    let difficulty = match rec.opt_str("difficulty")? {
        None => None,
        Some(s) => Some(Difficulty::parse(s).ok_or_else(|| {
            rec.err(
                "difficulty",
                format!("unknown difficulty {s:?} (easy, medium, hard)"),
            )
        })?),
    };
    let tags = rec
        .opt_str("platform")?
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .into_iter()
        .collect();

    let public = cases(rec, "public_test_cases", "public", TestGroup::Sample)?
        .ok_or_else(|| rec.err("public_test_cases", "not valid JSON"))?;
    let mut all = public;
    match cases(rec, "private_test_cases", "private", TestGroup::Secret)? {
        Some(private) => all.extend(private),
        None if !all.is_empty() => tracing::warn!(
            path = %rec.path.display(),
            record = %rec.loc,
            question_id = %id,
            "private_test_cases is compressed (base64+zlib+pickle), which is not supported; \
             loading the public tests only"
        ),
        None => {
            return Err(rec.err(
                "private_test_cases",
                "compressed private tests (base64+zlib+pickle) are not supported, and there are \
                 no public tests",
            ));
        }
    }
    let Some(first) = all.first() else {
        return Err(rec.record_err("no tests"));
    };
    let functional = first.functional;
    if all.iter().any(|c| c.functional != functional) {
        return Err(rec.err("private_test_cases", "mixes stdin and functional tests"));
    }

    let task = if functional {
        let func_name = func_name(rec)?;
        for case in &all {
            check_case(rec, case)?;
        }
        let starter = rec.opt_str("starter_code")?.unwrap_or("").trim_end();
        let starter = if starter.trim().is_empty() {
            format!("class Solution:\n    def {func_name}(self, *args):\n        ")
        } else {
            starter.to_owned()
        };
        Task::Function(FunctionTask {
            style: FunctionStyle::HumanEval,
            prompt: format!(
                "{}\n\nComplete this starter code (define `class Solution` with the method \
                 `{func_name}`):\n\n{starter}\n",
                content.trim_end()
            ),
            entry_point: "Solution".to_owned(),
            harness: functional_harness(&func_name, &all),
            reference: Vec::new(),
        })
    } else {
        Task::Stdio(StdioTask {
            time_limit: Limits::default().time,
            memory_bytes: Limits::default().memory_bytes,
            tests: all
                .into_iter()
                .map(|c| Test {
                    name: c.name,
                    group: c.group,
                    input: Bytes::from(c.input),
                    answer: Bytes::from(c.output),
                })
                .collect(),
            checker: Checker::Tokens {
                case_sensitive: true,
            },
            custom_checker: None,
            accepted: Vec::new(),
        })
    };

    Ok(Problem {
        id,
        name: title,
        statement: content.to_owned(),
        difficulty,
        split: None,
        tags,
        origin: rec.path.to_path_buf(),
        task,
    })
}

/// `metadata.func_name`, which must be a Python identifier.
fn func_name(rec: &Record<'_>) -> Result<String, LoadError> {
    let parsed;
    let metadata = match rec.opt("metadata") {
        None => {
            return Err(rec.err(
                "metadata",
                "missing field (functional tests need func_name)",
            ));
        }
        Some(Value::String(s)) => {
            parsed = serde_json::from_str::<Value>(s)
                .map_err(|e| rec.err("metadata", format!("not valid JSON: {e}")))?;
            &parsed
        }
        Some(v) => v,
    };
    let name = metadata
        .get("func_name")
        .and_then(Value::as_str)
        .map(str::trim)
        .ok_or_else(|| rec.err("metadata.func_name", "missing (functional tests need it)"))?;
    if !is_identifier(name) {
        return Err(rec.err(
            "metadata.func_name",
            format!("{name:?} is not a Python identifier"),
        ));
    }
    Ok(name.to_owned())
}

/// A functional test's `input` lines and `output` must be JSON.
fn check_case(rec: &Record<'_>, case: &Case) -> Result<(), LoadError> {
    let key = match case.group {
        TestGroup::Sample => "public_test_cases",
        TestGroup::Secret => "private_test_cases",
    };
    let index = case.name.rsplit('/').next().unwrap_or_default();
    for (n, line) in case.input.lines().enumerate() {
        if !line.trim().is_empty() && serde_json::from_str::<Value>(line).is_err() {
            return Err(rec.err(
                &format!("{key}[{index}].input"),
                format!("line {} is not a JSON value", n + 1),
            ));
        }
    }
    if serde_json::from_str::<Value>(&case.output).is_err() {
        return Err(rec.err(&format!("{key}[{index}].output"), "not a JSON value"));
    }
    Ok(())
}

/// The `check(candidate)` harness of a functional problem; `candidate` is the `Solution` class.
fn functional_harness(func_name: &str, cases: &[Case]) -> String {
    let mut out = String::from(
        "import json as _crucible_json\n\n\
         # (test name, input: one JSON value per line = the arguments, output: JSON)\n\
         _CRUCIBLE_TESTS = [\n",
    );
    for case in cases {
        out.push_str(&format!(
            "    ({}, {}, {}),\n",
            common::py_str(&case.name),
            common::py_str(&case.input),
            common::py_str(&case.output)
        ));
    }
    out.push_str(&format!(
        "]\n\n\n\
         def check(candidate):\n\
         \x20   for name, args_json, expected_json in _CRUCIBLE_TESTS:\n\
         \x20       args = [_crucible_json.loads(line) for line in args_json.split(\"\\n\") if line.strip()]\n\
         \x20       expected = _crucible_json.loads(expected_json)\n\
         \x20       got = candidate().{func_name}(*args)\n\
         \x20       if isinstance(got, tuple):\n\
         \x20           got = list(got)\n\
         \x20       assert got == expected, f\"{{name}}: expected {{expected!r:.200}}, got {{got!r:.200}}\"\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tests_json(cases: &[(&str, &str, &str)]) -> String {
        let list: Vec<Value> = cases
            .iter()
            .map(|(i, o, t)| json!({"input": i, "output": o, "testtype": t}))
            .collect();
        Value::Array(list).to_string()
    }

    fn stdin_record() -> Value {
        json!({
            "question_title": "Echo",
            "question_content": "Print N.",
            "platform": "atcoder",
            "question_id": "abc000_a",
            "contest_date": "2023-08-01T00:00:00",
            "starter_code": "",
            "difficulty": "easy",
            "public_test_cases": tests_json(&[("3\n", "3\n", "stdin")]),
            "private_test_cases": tests_json(&[("4\n", "4\n", "stdin"), ("5\n", "5\n", "stdin")]),
            "metadata": "{}"
        })
    }

    fn functional_record() -> Value {
        json!({
            "question_title": "Two Sum",
            "question_content": "Return indices.",
            "platform": "leetcode",
            "question_id": "1",
            "contest_date": "2023-08-01T00:00:00",
            "starter_code": "class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n        ",
            "difficulty": "medium",
            "public_test_cases": tests_json(&[("[2,7,11,15]\n9", "[0, 1]", "functional")]),
            "private_test_cases": tests_json(&[("[3,3]\n6", "[0, 1]", "functional")]),
            "metadata": "{\"func_name\": \"twoSum\"}"
        })
    }

    fn load(records: &[Value]) -> LoadReport {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("lcb.jsonl");
        let text: Vec<String> = records.iter().map(Value::to_string).collect();
        std::fs::write(&path, text.join("\n")).expect("write");
        read_file(&path)
    }

    #[test]
    fn reads_a_stdin_problem() {
        let report = load(&[stdin_record()]);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let p = &report.problems[0];
        assert_eq!(p.id, "abc000_a");
        assert_eq!(p.name, "Echo");
        assert_eq!(p.difficulty, Some(Difficulty::Easy));
        assert_eq!(p.tags, vec!["atcoder".to_owned()]);
        let Task::Stdio(s) = &p.task else {
            panic!("not stdio")
        };
        let names: Vec<_> = s.tests.iter().map(|t| (t.name.as_str(), t.group)).collect();
        assert_eq!(
            names,
            vec![
                ("public/0", TestGroup::Sample),
                ("private/0", TestGroup::Secret),
                ("private/1", TestGroup::Secret)
            ]
        );
    }

    #[test]
    fn reads_a_functional_problem() {
        let report = load(&[functional_record()]);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let Task::Function(f) = &report.problems[0].task else {
            panic!("not a function task")
        };
        assert_eq!(f.style, FunctionStyle::HumanEval);
        assert_eq!(f.entry_point, "Solution");
        assert!(f.prompt.contains("def twoSum(self"));
        assert!(f.harness.contains("got = candidate().twoSum(*args)"));
        assert!(
            f.harness
                .contains(r#"("public/0", "[2,7,11,15]\n9", "[0, 1]"),"#),
            "{}",
            f.harness
        );
        assert!(
            f.judge_program("class Solution: pass")
                .ends_with("check(Solution)\n")
        );
    }

    #[test]
    fn compressed_private_tests_fall_back_to_public_ones() {
        let mut rec = stdin_record();
        rec["private_test_cases"] = json!("eJzLSM3JyVcozy/KSQEAGgQEXQ==");
        let mut no_public = rec.clone();
        no_public["public_test_cases"] = json!("[]");
        let report = load(&[rec, no_public]);
        assert_eq!(report.problems.len(), 1);
        let Task::Stdio(s) = &report.problems[0].task else {
            panic!("not stdio")
        };
        assert_eq!(s.tests.len(), 1);
        assert_eq!(report.errors.len(), 1);
        assert_eq!(
            report.errors[0].field.as_deref(),
            Some("line 2: private_test_cases")
        );
        assert!(report.errors[0].message.contains("not supported"));
    }

    #[test]
    fn bad_records_are_errors() {
        let mut mixed = functional_record();
        mixed["private_test_cases"] = json!(tests_json(&[("1\n", "1\n", "stdin")]));
        let mut no_func = functional_record();
        no_func["metadata"] = json!("{}");
        let mut bad_input = functional_record();
        bad_input["public_test_cases"] = json!(tests_json(&[("[1,\n2", "1", "functional")]));
        let mut bad_type = stdin_record();
        bad_type["public_test_cases"] =
            json!(r#"[{"input": 1, "output": "1", "testtype": "stdin"}]"#);
        let mut missing = stdin_record();
        if let Some(obj) = missing.as_object_mut() {
            obj.remove("question_content");
        }
        let report = load(&[mixed, no_func, bad_input, bad_type, missing, stdin_record()]);
        assert_eq!(report.problems.len(), 1);
        let fields = common::error_fields(&report);
        assert_eq!(
            fields,
            vec![
                "line 1: private_test_cases",
                "line 2: metadata.func_name",
                "line 3: public_test_cases[0].input",
                "line 4: public_test_cases[0].input",
                "line 5: question_content"
            ]
        );
    }
}
