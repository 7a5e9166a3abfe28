//! End-to-end tests of the reader and the writer on packages built in temporary folders.

use super::layout::test_order;
use super::*;
use crate::{Difficulty, Solution, Split, Test, TestGroup};
use bytes::Bytes;
use crucible_sandbox::Language;
use proptest::prelude::*;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A Kattis-like folder without problem.yaml: tests, a statement of the given file name,
/// an accepted Python solution.
fn bare_package(root: &Path, id: &str, statement: &str) -> PathBuf {
    let dir = root.join(id);
    write(&dir, statement, "Print the sum of two integers.");
    write(&dir, "data/sample/1.in", "1 2\n");
    write(&dir, "data/sample/1.ans", "3\n");
    write(&dir, "data/secret/g1/2.in", "5 5\n");
    write(&dir, "data/secret/g1/2.ans", "10\n");
    write(
        &dir,
        "submissions/accepted/sum.py",
        "a, b = map(int, input().split())\nprint(a + b)\n",
    );
    dir
}

#[test]
fn bare_packages_load_with_default_limits_and_one_notice() {
    let tmp = tempfile::tempdir().unwrap();
    let one = bare_package(tmp.path(), "one", "statement.txt");
    bare_package(tmp.path(), "two", "problem_statement/two.pdf");
    package(tmp.path(), "three", "name: Three\n");
    // An unrelated index beside the packages changes nothing.
    write(
        tmp.path(),
        "problems.json",
        r#"[{"sat": "def sat(x): return True"}]"#,
    );
    assert!(is_bare_package(&one) && is_package(&one));
    assert!(!is_bare_package(&tmp.path().join("three")));

    let report = read_set(tmp.path());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.problems.len(), 3);
    assert_eq!(report.notices.len(), 1, "{:?}", report.notices);
    assert!(
        report.notices[0].contains("2 of 3"),
        "{}",
        report.notices[0]
    );
    let p = &report.problems[0];
    assert_eq!((p.id.as_str(), p.name.as_str()), ("one", "one"));
    assert_eq!(p.statement, "Print the sum of two integers.");
    let Task::Stdio(task) = &p.task else {
        panic!("stdio")
    };
    assert_eq!(task.time_limit, DEFAULT_TIME_LIMIT);
    assert_eq!(task.memory_bytes, DEFAULT_MEMORY_MIB * MIB);
    assert_eq!(task.checker, Checker::default());
    assert_eq!(task.tests.len(), 2);
    assert_eq!(task.accepted.len(), 1);
    let two = report.problems.iter().find(|p| p.id == "two").expect("two");
    assert!(two.statement.contains("PDF"), "{}", two.statement);

    // Alone, a bare package is a set of one, with the notice.
    let alone = read_set(&one);
    assert_eq!((alone.problems.len(), alone.notices.len()), (1, 1));
    // A folder with neither problem.yaml nor tests is still not a package.
    write(tmp.path(), "empty/statement.md", "x");
    assert!(!is_package(&tmp.path().join("empty")));
    assert!(read_problem(&tmp.path().join("empty")).is_err());
}

/// A minimal valid package in `root/<id>` with the given problem.yaml.
fn package(root: &Path, id: &str, yaml: &str) -> PathBuf {
    let dir = root.join(id);
    write(&dir, "problem.yaml", yaml);
    write(&dir, "problem_statement/problem.md", "# Title\n\nAdd.\n");
    write(&dir, "data/sample/1.in", "1 2\n");
    write(&dir, "data/sample/1.ans", "3\n");
    dir
}

fn stdio(p: &Problem) -> &StdioTask {
    match &p.task {
        Task::Stdio(t) => t,
        Task::Function(_) => panic!("not stdio"),
    }
}

#[test]
fn yaml_fields_and_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = package(tmp.path(), "plain", "");
    let p = read_problem(&dir).unwrap();
    assert_eq!(p.id, "plain");
    assert_eq!(p.name, "Title", "falls back to the Markdown heading");
    let t = stdio(&p);
    assert_eq!(t.time_limit, DEFAULT_TIME_LIMIT);
    assert_eq!(t.memory_bytes, DEFAULT_MEMORY_MIB * MIB);
    assert_eq!(t.checker, Checker::default());
    assert_eq!(t.tests.len(), 1);
    assert_eq!(t.tests[0].name, "sample/1");

    let dir = package(
        tmp.path(),
        "full",
        "name: {sv: Udda, en: Odd}\nlimits: {time_limit: 1.25, memory: 64}\n\
         validation: default\nvalidator_flags: case_sensitive\nunknown_key: [1, 2]\n\
         crucible: {difficulty: Hard, split: heldout, tags: [dp, 2, true]}\n",
    );
    let p = read_problem(&dir).unwrap();
    assert_eq!(p.name, "Odd");
    assert_eq!(p.difficulty, Some(Difficulty::Hard));
    assert_eq!(p.split, Some(Split::Heldout));
    assert_eq!(p.tags, ["dp", "2", "true"]);
    let t = stdio(&p);
    assert_eq!(t.time_limit, Duration::from_millis(1250));
    assert_eq!(t.memory_bytes, 64 * MIB);
    assert_eq!(
        t.checker,
        Checker::Tokens {
            case_sensitive: true
        }
    );

    let dir = package(tmp.path(), "first-lang", "name: {sv: Udda, de: Ungerade}\n");
    assert_eq!(read_problem(&dir).unwrap().name, "Udda");

    let dir = package(
        tmp.path(),
        "cj",
        "output_validator_flags: float_tolerance 1e-6\n",
    );
    assert_eq!(
        stdio(&read_problem(&dir).unwrap()).checker,
        Checker::float(1e-6)
    );

    let dir = package(tmp.path(), "tl-file", "name: X\n");
    write(&dir, ".timelimit", "3\n");
    assert_eq!(
        stdio(&read_problem(&dir).unwrap()).time_limit,
        Duration::from_secs(3)
    );
}

/// The error for a package with `yaml`: (file name, field, message).
fn yaml_error(yaml: &str) -> (String, Option<String>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = package(tmp.path(), "bad", yaml);
    let e = read_problem(&dir).unwrap_err();
    let file = e.path.file_name().unwrap().to_string_lossy().into_owned();
    (file, e.field, e.message)
}

#[test]
fn yaml_errors_name_file_and_field() {
    let cases: [(&str, Option<&str>, &str); 14] = [
        ("name: [unclosed\n", None, "invalid YAML"),
        ("- a\n- b\n", None, "expected a YAML mapping"),
        (
            "limits: {time_limit: fast}\n",
            Some("limits.time_limit"),
            "expected a number",
        ),
        (
            "limits: {time_limit: -1}\n",
            Some("limits.time_limit"),
            "positive",
        ),
        (
            "limits: {time_limit: .inf}\n",
            Some("limits.time_limit"),
            "positive",
        ),
        (
            "limits: {time_limit: 1e300}\n",
            Some("limits.time_limit"),
            "out of range",
        ),
        (
            "limits: {memory: [1]}\n",
            Some("limits.memory"),
            "expected a number",
        ),
        ("limits: 5\n", Some("limits"), "expected a mapping"),
        (
            "validation: custom interactive\n",
            Some("validation"),
            "interactive problems are not supported",
        ),
        (
            "validation: sometimes\n",
            Some("validation"),
            "expected `default`",
        ),
        (
            "type: [scoring, interactive]\n",
            Some("type"),
            "interactive problems are not supported",
        ),
        (
            "validator_flags: float_tolerance x\n",
            Some("validator_flags"),
            "non-negative number",
        ),
        (
            "crucible: {difficulty: brutal}\n",
            Some("crucible.difficulty"),
            "brutal",
        ),
        (
            "crucible: {tags: [a, [b]]}\n",
            Some("crucible.tags[1]"),
            "expected a string",
        ),
    ];
    for (yaml, field, needle) in cases {
        let (file, got_field, message) = yaml_error(yaml);
        assert_eq!(file, "problem.yaml", "{yaml}");
        assert_eq!(got_field.as_deref(), field, "{yaml}");
        assert!(message.contains(needle), "{yaml}: {message}");
    }
    let (_, field, message) = yaml_error("name: [1, 2]\n");
    assert_eq!(field.as_deref(), Some("name"));
    assert!(message.contains("found a list"), "{message}");
}

#[test]
fn test_files_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = package(tmp.path(), "p", "name: P\n");
    write(&dir, "data/secret/g/5.in", "x");
    let e = read_problem(&dir).unwrap_err();
    assert!(e.path.ends_with("data/secret/g/5.in"), "{e}");
    assert!(e.message.contains("5.ans"), "{e}");

    let dir = tmp.path().join("empty");
    write(&dir, "problem.yaml", "name: E\n");
    write(&dir, "problem_statement/problem.md", "text");
    write(&dir, "data/secret/1.ans", "only an answer");
    let e = read_problem(&dir).unwrap_err();
    assert!(e.message.contains("no tests"), "{e}");

    let dir = tmp.path().join("nostatement");
    write(&dir, "problem.yaml", "name: E\n");
    write(&dir, "data/secret/1.in", "");
    write(&dir, "data/secret/1.ans", "");
    let e = read_problem(&dir).unwrap_err();
    assert!(e.message.contains("no statement"), "{e}");

    let e = read_problem(&tmp.path().join("missing")).unwrap_err();
    assert!(e.path.ends_with("problem.yaml"), "{e}");
}

#[test]
fn statements_and_titles() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tex");
    write(&dir, "problem.yaml", "");
    write(
        &dir,
        "problem_statement/problem.sv.tex",
        "\\problemname{Hej {V}\u{e4}rlden}\nText",
    );
    write(&dir, "data/sample/1.in", "");
    write(&dir, "data/sample/1.ans", "");
    let p = read_problem(&dir).unwrap();
    assert_eq!(p.name, "Hej {V}\u{e4}rlden");
    write(
        &dir,
        "problem_statement/problem.en.tex",
        "\\problemname{Hello}\n",
    );
    assert_eq!(read_problem(&dir).unwrap().name, "Hello");
    write(&dir, "problem_statement/problem.html", "<p>html</p>");
    let p = read_problem(&dir).unwrap();
    assert_eq!(
        p.statement, "\\problemname{Hello}\n",
        "problem.en.tex first"
    );
    write(&dir, "problem_statement/problem.md", "md only");
    let p = read_problem(&dir).unwrap();
    assert_eq!(p.statement, "md only");
    assert_eq!(p.name, "tex", "no heading in the statement: the id");
}

#[test]
fn checker_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = package(
        tmp.path(),
        "c",
        "validation: custom\nvalidator_flags: whatever\n",
    );
    let e = read_problem(&dir).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("validation"));
    write(&dir, "output_validators/v/validate.h", "// header");
    write(&dir, "output_validators/v/validate.cc", "int main(){}");
    let t = stdio(&read_problem(&dir).unwrap()).clone();
    assert_eq!(t.checker, Checker::Custom);
    let c = t.custom_checker.unwrap();
    assert_eq!((c.lang, c.name.as_str()), (Language::Cpp, "validate.cc"));
    write(&dir, "output_validators/w/check.py", "print()");
    let e = read_problem(&dir).unwrap_err();
    assert!(
        e.message.contains("expected one checker source, found 2"),
        "{e}"
    );

    // Default validation ignores validator folders.
    let dir = package(tmp.path(), "d", "validation: default\n");
    write(&dir, "output_validators/v/validate.cc", "int main(){}");
    assert_eq!(
        stdio(&read_problem(&dir).unwrap()).checker,
        Checker::default()
    );

    // 2023 draft: the folder alone means custom.
    let dir = package(tmp.path(), "e", "problem_format_version: 2023-07-draft\n");
    write(&dir, "output_validator/check.py", "print()");
    let t = stdio(&read_problem(&dir).unwrap()).clone();
    assert_eq!(t.checker, Checker::Custom);
    assert_eq!(t.custom_checker.unwrap().lang, Language::Python);
}

#[test]
fn set_skips_bad_packages_and_uses_relative_ids() {
    let tmp = tempfile::tempdir().unwrap();
    package(tmp.path(), "b", "");
    package(&tmp.path().join("deep/er"), "a", "");
    package(tmp.path(), "c", "limits: {time_limit: soon}\n");
    // Not descended into: a package inside a package.
    package(&tmp.path().join("b"), "inner", "");
    write(tmp.path(), ".hidden/x/problem.yaml", "");
    let report = read_set(tmp.path());
    let ids: Vec<_> = report.problems.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["b", "deep/er/a"]);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].field.as_deref(), Some("limits.time_limit"));

    let report = read_set(&tmp.path().join("b"));
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].id, "b");
    let report = read_set(&tmp.path().join("nowhere"));
    assert_eq!((report.problems.len(), report.errors.len()), (0, 1));
}

#[cfg(unix)]
#[test]
fn symlink_loops_end() {
    let tmp = tempfile::tempdir().unwrap();
    package(tmp.path(), "p", "");
    std::os::unix::fs::symlink(tmp.path(), tmp.path().join("loop")).unwrap();
    let report = read_set(tmp.path());
    assert_eq!(report.problems.len(), 1);
    let dir = tmp.path().join("p");
    std::os::unix::fs::symlink(dir.join("data"), dir.join("data/secret")).unwrap();
    let e = read_problem(&dir).unwrap_err();
    assert!(e.message.contains("nested"), "{e}");
}

fn sample_problem() -> Problem {
    let test = |name: &str, group, input: &str, answer: &str| Test {
        name: name.into(),
        group,
        input: Bytes::from(input.to_string()),
        answer: Bytes::from(answer.to_string()),
    };
    Problem {
        id: "sum".into(),
        name: "Sum: of \"two\"".into(),
        statement: "# Sum\n\nAdd.\n".into(),
        difficulty: Some(Difficulty::Easy),
        split: Some(Split::Train),
        tags: vec!["math".into(), "yes".into()],
        origin: PathBuf::from("/nowhere"),
        task: Task::Stdio(StdioTask {
            time_limit: Duration::from_millis(1500),
            memory_bytes: 256 * MIB,
            tests: vec![
                test("sample/1", TestGroup::Sample, "1 2\n", "3\n"),
                test("secret/2", TestGroup::Secret, "2 2\n", "4\n"),
                test("secret/10", TestGroup::Secret, "", ""),
            ],
            checker: Checker::default(),
            custom_checker: None,
            accepted: vec![Solution {
                lang: Language::Python,
                source: "print(sum(map(int, input().split())))\n".into(),
                name: "sol.py".into(),
            }],
        }),
    }
}

/// Asserts `b` (read back) equals `a` (written) in everything the format stores.
fn assert_same(a: &Problem, b: &Problem) {
    assert_eq!(a.name, b.name);
    assert_eq!(a.statement, b.statement);
    assert_eq!(a.difficulty, b.difficulty);
    assert_eq!(a.split, b.split);
    assert_eq!(a.tags, b.tags);
    let (x, y) = (stdio(a), stdio(b));
    assert_eq!(x.time_limit, y.time_limit);
    assert_eq!(x.memory_bytes, y.memory_bytes);
    assert_eq!(x.checker, y.checker);
    assert_eq!(x.custom_checker, y.custom_checker);
    let sorted = |v: &[Solution]| {
        let mut v = v.to_vec();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    };
    assert_eq!(sorted(&x.accepted), sorted(&y.accepted));
    assert_eq!(x.tests.len(), y.tests.len());
    for (s, t) in x.tests.iter().zip(&y.tests) {
        assert_eq!(s.name, t.name);
        assert_eq!(s.group, t.group);
        assert_eq!(s.input, t.input);
        assert_eq!(s.answer, t.answer);
    }
}

#[test]
fn write_then_read() {
    let tmp = tempfile::tempdir().unwrap();
    let p = sample_problem();
    let dir = tmp.path().join("sum");
    write_problem(&p, &dir).unwrap();
    let q = read_problem(&dir).unwrap();
    assert_eq!(q.id, "sum");
    assert_eq!(q.origin, dir);
    assert_same(&p, &q);
    assert!(dir.join("data/secret/10.ans").is_file());

    // Not into a non-empty directory.
    let e = write_problem(&p, &dir).unwrap_err();
    assert!(e.message.contains("non-empty"), "{e}");

    // A custom checker and odd names.
    let mut p = sample_problem();
    let Task::Stdio(t) = &mut p.task else {
        unreachable!()
    };
    t.checker = Checker::Custom;
    t.custom_checker = Some(Solution {
        lang: Language::Cpp,
        source: "int main() { return 42; }\n".into(),
        name: "../evil.txt".into(),
    });
    t.accepted.push(Solution {
        lang: Language::Cpp,
        source: "int main() {}\n".into(),
        name: "sol.py".into(),
    });
    t.tests[1].name = "weird name".into();
    t.memory_bytes = 1000;
    let dir = tmp.path().join("custom");
    write_problem(&p, &dir).unwrap();
    let q = read_problem(&dir).unwrap();
    let u = stdio(&q);
    assert_eq!(u.checker, Checker::Custom);
    assert_eq!(u.custom_checker.as_ref().unwrap().name, "checker.cpp");
    assert_eq!(u.memory_bytes, 1000);
    let names: Vec<_> = u.tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["sample/01", "secret/01", "secret/02"]);
    let files: Vec<_> = u.accepted.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(files, ["sol.cpp", "sol.py"]);

    // Inconsistent or unwritable problems.
    let mut p = sample_problem();
    let Task::Stdio(t) = &mut p.task else {
        unreachable!()
    };
    t.checker = Checker::Custom;
    assert!(write_problem(&p, &tmp.path().join("x")).is_err());
    let Task::Stdio(t) = &mut p.task else {
        unreachable!()
    };
    t.checker = Checker::default();
    t.tests.clear();
    assert!(write_problem(&p, &tmp.path().join("y")).is_err());
}

fn arb_checker() -> impl Strategy<Value = Checker> {
    prop_oneof![
        any::<bool>().prop_map(|case_sensitive| Checker::Tokens { case_sensitive }),
        (0.0f64..1.0, 0.0f64..1.0, any::<bool>()).prop_map(|(abs, rel, case_sensitive)| {
            Checker::Float {
                abs,
                rel,
                case_sensitive,
            }
        }),
        (0.0f64..1e3).prop_map(Checker::float),
    ]
}

fn arb_tests() -> impl Strategy<Value = Vec<Test>> {
    let one = (
        any::<bool>(),
        "[a-z0-9_-]{1,6}(/[a-zA-Z0-9_-]{1,6}){0,2}(\\.[a-z]{1,3})?",
        proptest::collection::vec(any::<u8>(), 0..64),
        proptest::collection::vec(any::<u8>(), 0..64),
    );
    proptest::collection::vec(one, 1..12).prop_map(|raw| {
        let mut seen = HashSet::new();
        let mut tests: Vec<Test> = raw
            .into_iter()
            .filter_map(|(sample, rest, input, answer)| {
                let (group, prefix) = if sample {
                    (TestGroup::Sample, "sample")
                } else {
                    (TestGroup::Secret, "secret")
                };
                let name = format!("{prefix}/{rest}");
                seen.insert(name.clone()).then(|| Test {
                    name,
                    group,
                    input: Bytes::from(input),
                    answer: Bytes::from(answer),
                })
            })
            .collect();
        tests.sort_by(|a, b| test_order(a.group, &a.name, b.group, &b.name));
        tests
    })
}

fn arb_problem() -> impl Strategy<Value = Problem> {
    (
        (
            "\\PC{0,30}",
            "\\PC{0,200}",
            proptest::option::of(prop_oneof![
                Just(Difficulty::Easy),
                Just(Difficulty::Medium),
                Just(Difficulty::Hard)
            ]),
            proptest::option::of(prop_oneof![Just(Split::Train), Just(Split::Heldout)]),
            proptest::collection::vec("\\PC{1,10}", 0..4),
        ),
        1u64..1_000_000_000_000,
        1u64..(1 << 42),
        arb_tests(),
        arb_checker(),
        any::<bool>(),
    )
        .prop_map(
            |((name, statement, difficulty, split, tags), nanos, memory, tests, checker, py)| {
                let accepted = if py {
                    vec![Solution {
                        lang: Language::Python,
                        source: "print(1)\n".into(),
                        name: "a.py".into(),
                    }]
                } else {
                    Vec::new()
                };
                Problem {
                    id: "p".into(),
                    name,
                    statement,
                    difficulty,
                    split,
                    tags,
                    origin: PathBuf::new(),
                    task: Task::Stdio(StdioTask {
                        time_limit: Duration::from_nanos(nanos),
                        memory_bytes: memory,
                        tests,
                        checker,
                        custom_checker: None,
                        accepted,
                    }),
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn round_trip(p in arb_problem()) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("p");
        write_problem(&p, &dir).unwrap();
        let q = read_problem(&dir).unwrap();
        assert_same(&p, &q);
    }

    #[test]
    fn reader_never_panics_on_yaml(yaml in "\\PC{0,200}") {
        let tmp = tempfile::tempdir().unwrap();
        let dir = package(tmp.path(), "p", &yaml);
        let _ = read_problem(&dir);
    }
}
