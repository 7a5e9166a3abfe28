//! APPS (Hendrycks et al.): one directory per problem, or the JSON Lines release.
//!
//! Directory layout ([`read_set`]): `<set>/<problem>/` holds `question.txt`, `input_output.json`
//! (`{inputs: [..], outputs: [..], fn_name?: ".."}`), and optionally `metadata.json`
//! (`{difficulty: "introductory" | "interview" | "competition", url}`), `solutions.json` (a list
//! of Python sources) and `starter_code.py`. The problem folders may also sit one level down, in
//! `train/` and `test/` as in the release; that folder name becomes the split (`test` →
//! held-out). Ids are `apps/<path below the set>` (`apps/test/0001`).
//!
//! JSON Lines ([`read_file`], Hugging Face `codeparrot/apps`): `problem_id` (or `id`),
//! `question`, `input_output` and `solutions` as JSON strings, `difficulty`, `starter_code`. Ids
//! are `apps/<file stem>/<problem_id>` (`apps/test/12`), and a file stem naming a split sets it.
//!
//! Without `fn_name` a problem is a [`StdioTask`]: each input/output pair is a secret test
//! `secret/<i>` (APPS's examples live in the question); an input or output given as a list of
//! lines is joined with `"\n"` (an input also gets a final newline). Limits are the sandbox
//! defaults (2 s, 256 MiB; APPS records none), the checker is the Kattis default
//! (whitespace-insensitive, case-insensitive tokens; APPS's own grader is more lenient still),
//! and `solutions.json` gives the accepted Python solutions.
//!
//! With `fn_name` (call-based) a problem is a [`FunctionTask`] of style
//! [`FunctionStyle::HumanEval`]: every `inputs[i]` is the list of arguments; the harness embeds
//! the `input_output` JSON text (decoded by Python, so values are exact) and for each test calls
//! the function and compares as APPS does: equal to `outputs[i]`, or to its first element (APPS
//! wraps return values in a one-element list), tuples at any depth counting as lists. When the
//! starter code (or, without it, a solution) defines `class Solution`, the entry point is
//! `Solution` and the call is `Solution().<fn_name>(*args)` (LeetCode style); otherwise the entry
//! point is `fn_name` itself. The prompt is the question followed by the starter code; the
//! references are the solutions.

use super::common::{self, Record};
use crate::formats::humaneval::is_identifier;
use crate::{
    Difficulty, FunctionStyle, FunctionTask, LoadError, LoadReport, Problem, Solution, Split,
    StdioTask, Task, Test, TestGroup,
};
use bytes::Bytes;
use crucible_sandbox::{Checker, Language, Limits};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Whether `dir` looks like one APPS problem folder (`question.txt` or `input_output.json`).
pub fn is_problem_dir(dir: &Path) -> bool {
    dir.join("question.txt").is_file() || dir.join("input_output.json").is_file()
}

/// Reads an APPS set directory: each problem folder below it (directly, or one level down in
/// split folders such as `train/` and `test/`), in name order. A bad problem is an error naming
/// its folder, file and field; an unreadable directory is one error.
pub fn read_set(dir: &Path) -> LoadReport {
    let mut report = LoadReport::default();
    let children = match sorted_subdirs(dir) {
        Ok(children) => children,
        Err(e) => {
            report.errors.push(e);
            return report;
        }
    };
    for child in children {
        let Some(child_name) = file_name(&child) else {
            continue;
        };
        if is_problem_dir(&child) {
            push(&mut report, read_problem(&child, &child_name, None));
            continue;
        }
        let grandchildren = match sorted_subdirs(&child) {
            Ok(g) => g,
            Err(e) => {
                report.errors.push(e);
                continue;
            }
        };
        let split = Split::parse(&child_name);
        for problem_dir in grandchildren.into_iter().filter(|d| is_problem_dir(d)) {
            let Some(name) = file_name(&problem_dir) else {
                continue;
            };
            push(
                &mut report,
                read_problem(&problem_dir, &format!("{child_name}/{name}"), split),
            );
        }
    }
    report
}

/// Reads an APPS JSON Lines file (`train.jsonl`, `test.jsonl`, optionally gzip-compressed). A bad
/// problem is an error naming its line and field; an unreadable file is one error.
pub fn read_file(path: &Path) -> LoadReport {
    let stem = path
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.split('.').next().unwrap_or(n).to_owned())
        .unwrap_or_default();
    let split = Split::parse(&stem);
    let mut report = LoadReport::default();
    common::read_records(path, &mut report, |rec| record(rec, &stem, split));
    report
}

fn push(report: &mut LoadReport, result: Result<Problem, LoadError>) {
    match result {
        Ok(p) => report.problems.push(p),
        Err(e) => report.errors.push(e),
    }
}

fn file_name(path: &Path) -> Option<String> {
    path.file_name().and_then(|n| n.to_str()).map(str::to_owned)
}

/// Subdirectories of `dir` in name order, hidden ones skipped.
fn sorted_subdirs(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| LoadError::new(dir, format!("cannot read directory: {e}")))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .filter(|p| file_name(p).is_some_and(|n| !n.starts_with('.')))
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// What one APPS problem provides, whichever layout it came from.
struct Source<'a> {
    question: &'a str,
    /// The `input_output` JSON text.
    io_text: &'a str,
    difficulty: Option<&'a str>,
    solutions: Vec<String>,
    starter: Option<&'a str>,
}

/// Reads one problem folder; `rel` is its path below the set.
fn read_problem(dir: &Path, rel: &str, split: Option<Split>) -> Result<Problem, LoadError> {
    let read = |name: &str| -> Result<Option<String>, LoadError> {
        let path = dir.join(name);
        if !path.is_file() {
            return Ok(None);
        }
        std::fs::read(&path)
            .map_err(|e| LoadError::field(dir, name, format!("cannot read: {e}")))
            .and_then(|bytes| {
                String::from_utf8(bytes).map_err(|_| LoadError::field(dir, name, "not valid UTF-8"))
            })
            .map(Some)
    };
    let question =
        read("question.txt")?.ok_or_else(|| LoadError::field(dir, "question.txt", "missing"))?;
    let io_text = read("input_output.json")?.ok_or_else(|| {
        LoadError::field(
            dir,
            "input_output.json",
            "missing (an APPS problem without tests cannot be judged)",
        )
    })?;
    let metadata =
        match read("metadata.json")? {
            None => None,
            Some(text) => Some(serde_json::from_str::<Value>(&text).map_err(|e| {
                LoadError::field(dir, "metadata.json", format!("not valid JSON: {e}"))
            })?),
        };
    let difficulty = match metadata.as_ref().and_then(|m| m.get("difficulty")) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(other) => {
            return Err(LoadError::field(
                dir,
                "metadata.json: difficulty",
                format!("expected a string, found {}", common::type_name(other)),
            ));
        }
    };
    let solutions = match read("solutions.json")? {
        None => Vec::new(),
        Some(text) => {
            solutions(&text).map_err(|msg| LoadError::field(dir, "solutions.json", msg))?
        }
    };
    let starter = read("starter_code.py")?;
    let source = Source {
        question: &question,
        io_text: &io_text,
        difficulty,
        solutions,
        starter: starter.as_deref(),
    };
    build(
        &source,
        &format!("apps/{rel}"),
        dir,
        split,
        &|field: &str, msg: String| {
            let field = match (field, field.strip_prefix("input_output.")) {
                ("input_output", _) => "input_output.json".to_owned(),
                (_, Some(inner)) => format!("input_output.json: {inner}"),
                ("difficulty", _) => "metadata.json: difficulty".to_owned(),
                (f, None) => f.to_owned(),
            };
            LoadError::field(dir, field, msg)
        },
    )
}

/// One record of the JSON Lines release.
fn record(rec: &Record<'_>, stem: &str, split: Option<Split>) -> Result<Problem, LoadError> {
    let id = match rec.opt("problem_id") {
        Some(_) => rec.id("problem_id")?,
        None => rec.id("id")?,
    };
    let question = rec.str("question")?;
    let io_text = rec.str("input_output")?;
    if io_text.trim().is_empty() {
        return Err(rec.err(
            "input_output",
            "empty (an APPS problem without tests cannot be judged)",
        ));
    }
    let solutions = match rec.opt("solutions") {
        None => Vec::new(),
        Some(Value::String(s)) if s.trim().is_empty() => Vec::new(),
        Some(Value::String(s)) => solutions(s).map_err(|msg| rec.err("solutions", msg))?,
        Some(v @ Value::Array(_)) => common::str_list(v)
            .map_err(|msg| rec.err("solutions", msg))?
            .into_iter()
            .map(str::to_owned)
            .collect(),
        Some(other) => {
            return Err(rec.err(
                "solutions",
                format!(
                    "expected a JSON string or a list, found {}",
                    common::type_name(other)
                ),
            ));
        }
    };
    let source = Source {
        question,
        io_text,
        difficulty: rec.opt_str("difficulty")?,
        solutions,
        starter: rec.opt_str("starter_code")?,
    };
    let id = if stem.is_empty() {
        format!("apps/{id}")
    } else {
        format!("apps/{stem}/{id}")
    };
    build(
        &source,
        &id,
        rec.path,
        split,
        &|field: &str, msg: String| rec.err(field, msg),
    )
}

/// `solutions.json`: a JSON list of strings.
fn solutions(text: &str) -> Result<Vec<String>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    Ok(common::str_list(&value)?
        .into_iter()
        .map(str::to_owned)
        .collect())
}

/// Builds the problem; `err(field, message)` makes an error in the caller's terms (`field` is
/// `input_output`, `input_output.outputs[3]`, `difficulty`).
fn build(
    src: &Source<'_>,
    id: &str,
    origin: &Path,
    split: Option<Split>,
    err: &dyn Fn(&str, String) -> LoadError,
) -> Result<Problem, LoadError> {
    let io: Value = serde_json::from_str(src.io_text)
        .map_err(|e| err("input_output", format!("not valid JSON: {e}")))?;
    let Value::Object(io) = io else {
        return Err(err(
            "input_output",
            format!(
                "expected an object {{inputs, outputs}}, found {}",
                common::type_name(&io)
            ),
        ));
    };
    let list = |key: &str| -> Result<&Vec<Value>, LoadError> {
        match io.get(key) {
            Some(Value::Array(items)) => Ok(items),
            None | Some(Value::Null) => {
                Err(err(&format!("input_output.{key}"), "missing field".into()))
            }
            Some(other) => Err(err(
                &format!("input_output.{key}"),
                format!("expected a list, found {}", common::type_name(other)),
            )),
        }
    };
    let inputs = list("inputs")?;
    let outputs = list("outputs")?;
    if inputs.len() != outputs.len() {
        return Err(err(
            "input_output",
            format!("{} inputs but {} outputs", inputs.len(), outputs.len()),
        ));
    }
    if inputs.is_empty() {
        return Err(err("input_output", "no tests".into()));
    }
    let difficulty = match src.difficulty {
        None => None,
        Some(s) if s.trim().is_empty() => None,
        Some(s) => Some(Difficulty::parse(s).ok_or_else(|| {
            err(
                "difficulty",
                format!("unknown difficulty {s:?} (introductory, interview, competition)"),
            )
        })?),
    };
    let fn_name = match io.get("fn_name") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            let s = s.trim();
            if !is_identifier(s) {
                return Err(err(
                    "input_output.fn_name",
                    format!("{s:?} is not a Python identifier"),
                ));
            }
            Some(s)
        }
        Some(other) => {
            return Err(err(
                "input_output.fn_name",
                format!("expected a string, found {}", common::type_name(other)),
            ));
        }
    };

    let task = match fn_name {
        Some(fn_name) => {
            if let Some(i) = inputs.iter().position(|v| !v.is_array()) {
                return Err(err(
                    &format!("input_output.inputs[{i}]"),
                    "call-based tests need a list of arguments".into(),
                ));
            }
            let class_based = match src.starter.filter(|s| !s.trim().is_empty()) {
                Some(starter) => starter.contains("class Solution"),
                None => src.solutions.iter().any(|s| s.contains("class Solution")),
            };
            let starter = src
                .starter
                .filter(|s| !s.trim().is_empty())
                .map(|s| s.trim_end().to_owned())
                .unwrap_or_else(|| format!("def {fn_name}(*args):\n    "));
            let what = if class_based {
                format!("define `class Solution` with the method `{fn_name}`")
            } else {
                format!("define the function `{fn_name}`")
            };
            Task::Function(FunctionTask {
                style: FunctionStyle::HumanEval,
                prompt: format!(
                    "{}\n\nComplete this starter code ({what}):\n\n{starter}\n",
                    src.question.trim_end()
                ),
                entry_point: if class_based {
                    "Solution".to_owned()
                } else {
                    fn_name.to_owned()
                },
                harness: call_harness(src.io_text, fn_name, class_based),
                reference: src.solutions.clone(),
            })
        }
        None => {
            let text = |v: &Value, field: String, input: bool| -> Result<String, LoadError> {
                match v {
                    Value::String(s) => Ok(s.clone()),
                    Value::Array(_) => {
                        let lines = common::str_list(v).map_err(|msg| err(&field, msg))?;
                        let mut joined = lines.join("\n");
                        if input && !joined.is_empty() && !joined.ends_with('\n') {
                            joined.push('\n');
                        }
                        Ok(joined)
                    }
                    other => Err(err(
                        &field,
                        format!(
                            "expected a string or a list of lines, found {}",
                            common::type_name(other)
                        ),
                    )),
                }
            };
            let mut tests = Vec::with_capacity(inputs.len());
            for (i, (input, output)) in inputs.iter().zip(outputs).enumerate() {
                tests.push(Test {
                    name: format!("secret/{i}"),
                    group: TestGroup::Secret,
                    input: Bytes::from(text(input, format!("input_output.inputs[{i}]"), true)?),
                    answer: Bytes::from(text(output, format!("input_output.outputs[{i}]"), false)?),
                });
            }
            Task::Stdio(StdioTask {
                time_limit: Limits::default().time,
                memory_bytes: Limits::default().memory_bytes,
                tests,
                checker: Checker::default(),
                custom_checker: None,
                accepted: src
                    .solutions
                    .iter()
                    .enumerate()
                    .map(|(i, s)| Solution {
                        lang: Language::Python,
                        source: s.clone(),
                        name: format!("solutions/{i}"),
                    })
                    .collect(),
            })
        }
    };

    Ok(Problem {
        id: id.to_owned(),
        name: id.to_owned(),
        statement: src.question.to_owned(),
        difficulty,
        split,
        tags: Vec::new(),
        origin: origin.to_path_buf(),
        task,
    })
}

/// The `check(candidate)` harness of a call-based problem.
fn call_harness(io_text: &str, fn_name: &str, class_based: bool) -> String {
    let call = if class_based {
        format!("candidate().{fn_name}(*args)")
    } else {
        "candidate(*args)".to_owned()
    };
    format!(
        "import json as _crucible_json\n\n\
         # APPS input_output.json: inputs[i] is the argument list of test i, outputs[i] its result.\n\
         _CRUCIBLE_IO = _crucible_json.loads({io})\n\n\n\
         def _crucible_lists(x):\n\
         \x20   # Tuples, at any depth, count as lists (JSON has no tuples).\n\
         \x20   if isinstance(x, (list, tuple)):\n\
         \x20       return [_crucible_lists(y) for y in x]\n\
         \x20   return x\n\n\n\
         def _crucible_same(got, expected):\n\
         \x20   # As APPS grades: equal, or equal to the first element of a list (APPS wraps\n\
         \x20   # return values in a one-element list).\n\
         \x20   got = _crucible_lists(got)\n\
         \x20   if got == expected:\n\
         \x20       return True\n\
         \x20   return isinstance(expected, list) and len(expected) > 0 and got == expected[0]\n\n\n\
         def check(candidate):\n\
         \x20   tests = zip(_CRUCIBLE_IO[\"inputs\"], _CRUCIBLE_IO[\"outputs\"])\n\
         \x20   for i, (args, expected) in enumerate(tests):\n\
         \x20       got = {call}\n\
         \x20       assert _crucible_same(got, expected), f\"test {{i}}: expected {{expected!r:.200}}, got {{got!r:.200}}\"\n",
        io = common::py_str(io_text),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        std::fs::create_dir_all(dir).expect("mkdir");
        for (name, text) in files {
            std::fs::write(dir.join(name), text).expect("write");
        }
    }

    #[test]
    fn reads_stdio_and_call_based_problems_with_splits() {
        let root = tempfile::tempdir().expect("tempdir");
        write(
            &root.path().join("test/0000"),
            &[
                ("question.txt", "Add two numbers."),
                (
                    "input_output.json",
                    r#"{"inputs": ["1 2\n", ["3 4", "x"]], "outputs": ["3\n", ["7", "y"]]}"#,
                ),
                (
                    "metadata.json",
                    r#"{"difficulty": "interview", "url": "u"}"#,
                ),
                (
                    "solutions.json",
                    r#"["print(sum(map(int, input().split())))"]"#,
                ),
            ],
        );
        write(
            &root.path().join("train/0001"),
            &[
                ("question.txt", "Return the double."),
                (
                    "input_output.json",
                    r#"{"fn_name": "double", "inputs": [[1], [2]], "outputs": [[2], [4]]}"#,
                ),
                ("starter_code.py", "def double(x):\n"),
            ],
        );
        write(
            &root.path().join("train/0002"),
            &[
                ("question.txt", "LeetCode style."),
                (
                    "input_output.json",
                    r#"{"fn_name": "f", "inputs": [[1]], "outputs": [1]}"#,
                ),
                ("starter_code.py", "class Solution:\n    def f(self, x):\n"),
            ],
        );
        let report = read_set(root.path());
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let ids: Vec<_> = report.problems.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            vec!["apps/test/0000", "apps/train/0001", "apps/train/0002"]
        );

        let p = &report.problems[0];
        assert_eq!(p.split, Some(Split::Heldout));
        assert_eq!(p.difficulty, Some(Difficulty::Medium));
        let Task::Stdio(s) = &p.task else {
            panic!("not stdio")
        };
        assert_eq!(&s.tests[1].input[..], b"3 4\nx\n");
        assert_eq!(&s.tests[1].answer[..], b"7\ny");
        assert_eq!(s.accepted.len(), 1);

        let Task::Function(f) = &report.problems[1].task else {
            panic!("not a function task")
        };
        assert_eq!(report.problems[1].split, Some(Split::Train));
        assert_eq!(f.entry_point, "double");
        assert!(f.harness.contains("got = candidate(*args)"));
        assert!(f.prompt.contains("def double(x):"));

        let Task::Function(f) = &report.problems[2].task else {
            panic!("not a function task")
        };
        assert_eq!(f.entry_point, "Solution");
        assert!(f.harness.contains("got = candidate().f(*args)"));
    }

    #[test]
    fn bad_problems_are_errors_naming_file_and_field() {
        let root = tempfile::tempdir().expect("tempdir");
        write(
            &root.path().join("0000"),
            &[
                ("question.txt", "q"),
                ("input_output.json", r#"{"inputs": [1], "outputs": ["1"]}"#),
            ],
        );
        write(&root.path().join("0001"), &[("question.txt", "q")]);
        write(
            &root.path().join("0002"),
            &[
                ("question.txt", "q"),
                ("input_output.json", r#"{"inputs": ["1"]"#),
            ],
        );
        write(
            &root.path().join("0003"),
            &[
                ("question.txt", "q"),
                (
                    "input_output.json",
                    r#"{"inputs": ["1"], "outputs": ["1"]}"#,
                ),
                ("metadata.json", r#"{"difficulty": "impossible"}"#),
            ],
        );
        write(
            &root.path().join("0004"),
            &[
                ("question.txt", "q"),
                (
                    "input_output.json",
                    r#"{"inputs": ["1"], "outputs": ["1"]}"#,
                ),
            ],
        );
        let report = read_set(root.path());
        assert_eq!(report.problems.len(), 1);
        let fields: Vec<_> = report
            .errors
            .iter()
            .map(|e| {
                (
                    file_name(&e.path).unwrap_or_default(),
                    e.field.clone().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            fields,
            vec![
                ("0000".to_owned(), "input_output.json: inputs[0]".to_owned()),
                ("0001".to_owned(), "input_output.json".to_owned()),
                ("0002".to_owned(), "input_output.json".to_owned()),
                ("0003".to_owned(), "metadata.json: difficulty".to_owned()),
            ]
        );
    }

    #[test]
    fn reads_the_jsonl_release() {
        let root = tempfile::tempdir().expect("tempdir");
        let path = root.path().join("test.jsonl");
        let good = serde_json::json!({
            "problem_id": 7,
            "question": "Echo.",
            "solutions": "[\"print(input())\"]",
            "input_output": "{\"inputs\": [\"a\\n\"], \"outputs\": [\"a\\n\"]}",
            "difficulty": "introductory",
            "url": "u",
            "starter_code": ""
        });
        let mut empty_io = good.clone();
        empty_io["input_output"] = serde_json::json!("");
        std::fs::write(&path, format!("{good}\n{empty_io}\n")).expect("write");
        let report = read_file(&path);
        assert_eq!(report.problems.len(), 1);
        assert_eq!(report.problems[0].id, "apps/test/7");
        assert_eq!(report.problems[0].split, Some(Split::Heldout));
        assert_eq!(report.errors.len(), 1);
        assert_eq!(
            report.errors[0].field.as_deref(),
            Some("line 2: input_output")
        );
    }

    #[test]
    fn unreadable_directory_is_one_error() {
        let report = read_set(Path::new("/nonexistent/apps"));
        assert_eq!(report.errors.len(), 1);
        assert!(report.problems.is_empty());
    }
}
