//! The record-based readers (P3, HumanEval, MBPP, CodeContests, LiveCodeBench, APPS) and format
//! detection on hand-written fixtures (`tests/fixtures/<format>/`, malformed ones included), on
//! the seed set (`puzzles/`) and, when present, on the real sets in `../shared/benchmarks`.

use crucible_problems::formats::{
    Format, apps, codecontests, humaneval, livecodebench, load_set, mbpp, p3,
};
use crucible_problems::{
    Difficulty, FunctionStyle, FunctionTask, LoadReport, Problem, Split, StdioTask, Task, TestGroup,
};
use crucible_sandbox::{Checker, Language};
use std::path::PathBuf;
use std::time::Duration;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures").join(rel)
}

/// The project root (`/work/main`).
fn project_root() -> PathBuf {
    let root = manifest_dir().join("../..");
    std::fs::canonicalize(&root).unwrap_or(root)
}

/// `../shared/benchmarks/<rel>` when it exists; otherwise prints a note and returns `None`.
fn benchmark(rel: &str) -> Option<PathBuf> {
    let path = project_root().join("../shared/benchmarks").join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("note: {} not found; skipping", path.display());
        None
    }
}

/// `(file name, field)` of each error, for compact assertions.
fn error_fields(report: &LoadReport) -> Vec<String> {
    report
        .errors
        .iter()
        .map(|e| e.field.clone().unwrap_or_default())
        .collect()
}

fn function(p: &Problem) -> &FunctionTask {
    match &p.task {
        Task::Function(f) => f,
        Task::Stdio(_) => panic!("{}: not a function task", p.id),
    }
}

fn stdio(p: &Problem) -> &StdioTask {
    match &p.task {
        Task::Stdio(s) => s,
        Task::Function(_) => panic!("{}: not a stdio task", p.id),
    }
}

fn ids(report: &LoadReport) -> Vec<&str> {
    report.problems.iter().map(|p| p.id.as_str()).collect()
}

fn assert_clean(report: &LoadReport) {
    assert!(
        report.errors.is_empty(),
        "{} errors, first: {}",
        report.errors.len(),
        report.errors[0]
    );
}

// ---------------------------------------------------------------------------------------------
// P3

#[test]
fn p3_fixture_loads_good_puzzles_and_reports_bad_ones() {
    let path = fixture("p3/puzzles.json");
    let report = p3::read_file(&path);
    assert_eq!(ids(&report), vec!["ThreeOs:0", "SumTo:0"]);
    assert_eq!(
        error_fields(&report),
        vec![
            "index 2: sat",
            "index 3: sat",
            "index 4: difficulty",
            "index 5"
        ]
    );
    assert!(report.errors.iter().all(|e| e.path == path));

    let three = &report.problems[0];
    assert_eq!(three.split, Some(Split::Train));
    assert_eq!(three.difficulty, Some(Difficulty::Easy));
    assert_eq!(three.tags, vec!["fixture".to_owned()]);
    assert!(three.statement.contains("no two of them adjacent"));
    assert!(three.statement.contains("def sat(s: str):"));
    let f = function(three);
    assert_eq!(f.style, FunctionStyle::P3);
    assert_eq!(f.entry_point, "sol");
    assert_eq!(
        f.reference,
        vec!["def sol():\n    return 'oxoxo'".to_owned()]
    );

    let sum = &report.problems[1];
    assert_eq!(sum.split, Some(Split::Heldout));
    assert!(function(sum).reference.is_empty());
    assert!(
        sum.statement
            .starts_with("Find three integers that add up to n.")
    );
}

#[test]
fn p3_truncated_list_keeps_the_puzzles_before_the_cut() {
    let report = p3::read_file(&fixture("p3/truncated.json"));
    assert_eq!(ids(&report), vec!["Ok:0"]);
    assert_eq!(error_fields(&report), vec!["index 1"]);
    assert!(report.errors[0].message.contains("malformed JSON"));
}

#[test]
fn p3_seed_set_loads_with_splits() {
    let path = project_root().join("puzzles/p3/puzzles.json");
    let report = p3::read_file(&path);
    assert_clean(&report);
    assert_eq!(report.problems.len(), 47);
    assert!(
        report
            .problems
            .iter()
            .all(|p| p.split.is_some() && p.difficulty.is_some())
    );
    let heldout = report
        .problems
        .iter()
        .filter(|p| p.split == Some(Split::Heldout))
        .count();
    assert!(heldout > 0 && heldout < 47, "{heldout} held out");
    for p in &report.problems {
        let f = function(p);
        assert!(!f.reference.is_empty(), "{}: no reference", p.id);
        assert!(f.harness.contains("def sat("), "{}", p.id);
    }
}

#[test]
fn p3_train_benchmark_loads() {
    let Some(path) = benchmark("p3-train/puzzles.json") else {
        return;
    };
    let report = p3::read_file(&path);
    assert_clean(&report);
    assert_eq!(report.problems.len(), 636);
    assert_eq!(Format::detect(&path).ok(), Some(Format::P3));
}

// ---------------------------------------------------------------------------------------------
// HumanEval

#[test]
fn humaneval_plain_and_gzip_fixtures_agree() {
    let plain = humaneval::read_file(&fixture("humaneval/good.jsonl"));
    let gz = humaneval::read_file(&fixture("humaneval/good.jsonl.gz"));
    assert_clean(&plain);
    assert_clean(&gz);
    assert_eq!(ids(&plain), vec!["Fixture/0", "Fixture/1"]);
    assert_eq!(ids(&plain), ids(&gz));
    let f = function(&plain.problems[1]);
    assert_eq!(f.style, FunctionStyle::HumanEval);
    assert_eq!(f.entry_point, "evens");
    assert!(f.reference[0].starts_with(&f.prompt));
    assert!(f.reference[0].ends_with("return [x for x in xs if x % 2 == 0]\n"));
    assert!(f.harness.contains("def check(candidate):"));
}

#[test]
fn humaneval_bad_lines_are_errors_with_line_numbers() {
    let report = humaneval::read_file(&fixture("humaneval/bad.jsonl"));
    assert_eq!(ids(&report), vec!["Fixture/1"]);
    assert_eq!(
        error_fields(&report),
        vec![
            "line 1: entry_point",
            "line 2: test",
            "line 3",
            "line 6",
            "line 7: task_id",
            "line 8: test"
        ]
    );
    assert!(report.errors[0].message.contains("missing field"));
    assert!(report.errors[1].message.contains("found a list"));
    assert!(report.errors[2].message.contains("not valid JSON"));
}

#[test]
fn not_gzip_and_truncated_gzip_are_errors_not_panics() {
    let report = humaneval::read_file(&fixture("humaneval/not-gzip.jsonl.gz"));
    assert!(report.problems.is_empty());
    assert_eq!(report.errors.len(), 1);
    assert!(report.errors[0].message.contains("not a gzip file"));

    let report = humaneval::read_file(&fixture("humaneval/truncated.jsonl.gz"));
    assert!(report.problems.len() < 2);
    assert!(!report.errors.is_empty());

    let report = humaneval::read_file(&fixture("humaneval/missing.jsonl"));
    assert_eq!(report.errors.len(), 1);
    assert!(report.errors[0].message.contains("cannot open"));
}

#[test]
fn humaneval_benchmark_loads() {
    let Some(path) = benchmark("humaneval/HumanEval.jsonl.gz") else {
        return;
    };
    let report = humaneval::read_file(&path);
    assert_clean(&report);
    assert_eq!(report.problems.len(), 164);
    assert_eq!(report.problems[0].id, "HumanEval/0");
    assert_eq!(
        function(&report.problems[0]).entry_point,
        "has_close_elements"
    );
    assert_eq!(Format::detect(&path).ok(), Some(Format::HumanEval));
}

// ---------------------------------------------------------------------------------------------
// MBPP

#[test]
fn mbpp_fixture_with_crlf_and_bad_records() {
    let report = mbpp::read_file(&fixture("mbpp/mbpp.jsonl"));
    assert_eq!(ids(&report), vec!["mbpp/1", "mbpp/2", "mbpp/3", "mbpp/8"]);
    assert_eq!(
        error_fields(&report),
        vec![
            "line 4: code",
            "line 5: test_list",
            "line 6",
            "line 7: test_list"
        ]
    );
    let entry: Vec<_> = report
        .problems
        .iter()
        .map(|p| function(p).entry_point.as_str())
        .collect();
    assert_eq!(
        entry,
        vec!["remove_Occ", "max_height", "list_sum", "list_sum"]
    );

    let first = function(&report.problems[0]);
    assert_eq!(first.style, FunctionStyle::Mbpp);
    assert!(first.prompt.ends_with(
        "Your code should pass this test:\nassert remove_Occ(\"hello\",\"l\") == \"heo\""
    ));
    assert_eq!(
        first.harness.lines().count(),
        3,
        "challenge tests are not judged"
    );

    let tree = function(&report.problems[1]);
    assert!(tree.harness.starts_with("root = Node(1)"));
    assert!(tree.harness.ends_with("assert max_height(None) == 0"));
}

#[test]
fn mbpp_benchmark_loads_every_record() {
    let Some(path) = benchmark("mbpp/mbpp.jsonl") else {
        return;
    };
    let text = std::fs::read_to_string(&path).expect("read mbpp.jsonl");
    let records = text.lines().filter(|l| !l.trim().is_empty()).count();
    let report = mbpp::read_file(&path);
    assert_clean(&report);
    assert_eq!(report.problems.len(), records);
    assert_eq!(records, 974);
    for p in &report.problems {
        let f = function(p);
        let first_assert = f.harness.lines().find(|l| l.starts_with("assert"));
        assert!(
            first_assert.is_some_and(|a| a.contains(&f.entry_point)),
            "{}: entry point {} not in {first_assert:?}",
            p.id,
            f.entry_point
        );
    }
    assert_eq!(Format::detect(&path).ok(), Some(Format::Mbpp));
}

// ---------------------------------------------------------------------------------------------
// CodeContests

#[test]
fn codecontests_gzip_fixture() {
    let path = fixture("codecontests/sample.jsonl.gz");
    let report = codecontests::read_file(&path);
    assert_clean(&report);
    assert_eq!(ids(&report), vec!["1_A. Sum", "2_B. Sum Again"]);

    let a = &report.problems[0];
    assert_eq!(a.difficulty, Some(Difficulty::Easy));
    assert_eq!(a.tags, vec!["implementation".to_owned(), "math".to_owned()]);
    let s = stdio(a);
    assert_eq!(s.time_limit, Duration::from_millis(1500));
    assert_eq!(s.memory_bytes, 256 << 20);
    assert_eq!(
        s.checker,
        Checker::Tokens {
            case_sensitive: false
        }
    );
    let tests: Vec<_> = s.tests.iter().map(|t| (t.name.as_str(), t.group)).collect();
    assert_eq!(
        tests,
        vec![
            ("public/0", TestGroup::Sample),
            ("private/0", TestGroup::Secret),
            ("private/1", TestGroup::Secret),
            ("generated/0", TestGroup::Secret)
        ]
    );
    assert_eq!(&s.tests[2].answer[..], b"2000000000\n");
    let langs: Vec<_> = s.accepted.iter().map(|a| a.lang).collect();
    assert_eq!(langs, vec![Language::Cpp, Language::Python]);

    let b = &report.problems[1];
    assert_eq!(
        b.difficulty,
        Some(Difficulty::Hard),
        "from the difficulty enum"
    );
    assert_eq!(stdio(b).time_limit, Duration::from_secs(2));
    assert_eq!(stdio(b).memory_bytes, 256 << 20);
    assert_eq!(Format::detect(&path).ok(), Some(Format::CodeContests));
}

#[test]
fn codecontests_bad_records() {
    let report = codecontests::read_file(&fixture("codecontests/bad.jsonl"));
    assert_eq!(ids(&report), vec!["8_H. Good"]);
    assert_eq!(
        error_fields(&report),
        vec![
            "line 1: public_tests",
            "line 2: time_limit",
            "line 3: description",
            "line 4: private_tests.input",
            "line 5",
            "line 7"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// LiveCodeBench

#[test]
fn livecodebench_fixture() {
    let path = fixture("livecodebench/sample.jsonl");
    let report = livecodebench::read_file(&path);
    assert_clean(&report);
    assert_eq!(ids(&report), vec!["abc900_a", "9001", "abc900_b"]);

    let echo = &report.problems[0];
    assert_eq!(echo.name, "Double It");
    assert_eq!(echo.tags, vec!["atcoder".to_owned()]);
    let s = stdio(echo);
    assert_eq!(s.tests.len(), 3);
    assert_eq!(s.tests[0].group, TestGroup::Sample);
    assert_eq!(s.tests[2].name, "private/1");

    let pair = &report.problems[1];
    assert_eq!(pair.difficulty, Some(Difficulty::Medium));
    let f = function(pair);
    assert_eq!(f.style, FunctionStyle::HumanEval);
    assert_eq!(f.entry_point, "Solution");
    assert!(
        f.prompt
            .contains("def pairSum(self, nums: List[int], target: int)")
    );
    assert!(f.harness.contains("candidate().pairSum(*args)"));
    // Big integers stay text until Python decodes them.
    assert!(f.harness.contains("12345678901234567890128"));

    // Compressed private tests: the public ones only.
    assert_eq!(stdio(&report.problems[2]).tests.len(), 1);
    assert_eq!(Format::detect(&path).ok(), Some(Format::LiveCodeBench));
}

#[test]
fn livecodebench_bad_records() {
    let report = livecodebench::read_file(&fixture("livecodebench/bad.jsonl"));
    assert_eq!(ids(&report), vec!["abc900_e"]);
    assert_eq!(
        error_fields(&report),
        vec![
            "line 1: private_test_cases",
            "line 2: metadata.func_name",
            "line 3: public_test_cases[0].output",
            "line 4: private_test_cases",
            "line 5: question_content",
            "line 7",
            "line 8: public_test_cases"
        ]
    );
    assert!(report.errors[0].message.contains("compressed"));
    assert!(report.errors[3].message.contains("mixes"));
}

// ---------------------------------------------------------------------------------------------
// APPS

#[test]
fn apps_directory_fixture() {
    let dir = fixture("apps/set");
    let report = apps::read_set(&dir);
    assert_eq!(
        ids(&report),
        vec!["apps/test/0000", "apps/train/0000", "apps/train/0001"]
    );
    let errors: Vec<_> = report
        .errors
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e.path.file_name().and_then(|n| n.to_str()).unwrap_or(""),
                e.field.clone().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            "0001: input_output.json",
            "0002: input_output.json",
            "0003: metadata.json: difficulty",
            "0004: input_output.json: inputs[0]",
            "0005: solutions.json"
        ]
    );

    let merge = &report.problems[0];
    assert_eq!(merge.split, Some(Split::Heldout));
    assert_eq!(merge.difficulty, Some(Difficulty::Hard));
    let f = function(merge);
    assert_eq!(f.entry_point, "Solution");
    assert!(f.harness.contains("candidate().merge(*args)"));
    assert_eq!(f.reference.len(), 1);

    let sum = &report.problems[1];
    assert_eq!(sum.split, Some(Split::Train));
    assert_eq!(sum.difficulty, Some(Difficulty::Easy));
    let s = stdio(sum);
    assert_eq!(&s.tests[1].input[..], b"3\n1\n5\n2\n");
    assert_eq!(&s.tests[1].answer[..], b"8\n5");
    assert_eq!(s.accepted.len(), 1);
    assert!(s.tests.iter().all(|t| t.group == TestGroup::Secret));

    let digits = function(&report.problems[2]);
    assert_eq!(digits.entry_point, "digits");
    assert!(digits.harness.contains("candidate(*args)"));
    assert_eq!(Format::detect(&dir).ok(), Some(Format::Apps));
}

#[test]
fn apps_jsonl_fixture() {
    let path = fixture("apps/test.jsonl");
    let report = apps::read_file(&path);
    assert_eq!(ids(&report), vec!["apps/test/0", "apps/test/2"]);
    assert_eq!(error_fields(&report), vec!["line 2: input_output"]);
    assert_eq!(function(&report.problems[1]).entry_point, "sq");
    assert_eq!(Format::detect(&path).ok(), Some(Format::AppsJsonl));
}

// ---------------------------------------------------------------------------------------------
// Detection and load_set

#[test]
fn load_set_detects_each_fixture_format() {
    let cases = [
        ("p3/puzzles.json", Format::P3, 2),
        ("humaneval/good.jsonl.gz", Format::HumanEval, 2),
        ("mbpp/mbpp.jsonl", Format::Mbpp, 4),
        ("codecontests/sample.jsonl.gz", Format::CodeContests, 2),
        ("livecodebench/sample.jsonl", Format::LiveCodeBench, 3),
        ("apps/set", Format::Apps, 3),
        ("apps/test.jsonl", Format::AppsJsonl, 2),
    ];
    for (rel, format, problems) in cases {
        let path = fixture(rel);
        assert_eq!(Format::detect(&path).ok(), Some(format), "{rel}");
        let report = load_set(&path).expect(rel);
        assert_eq!(report.problems.len(), problems, "{rel}");
    }
}

#[test]
fn unrecognised_paths_name_the_path_and_the_formats() {
    for rel in [
        "detect/unknown.jsonl",
        "detect/notes.txt",
        "detect/numbers.json",
        "detect",
        "detect/missing.jsonl",
    ] {
        let path = fixture(rel);
        let err = load_set(&path).expect_err(rel);
        assert_eq!(err.path, path);
        assert!(err.message.contains("recognised formats"), "{rel}: {err}");
    }
    let err = Format::detect(&fixture("humaneval/not-gzip.jsonl.gz")).expect_err("not gzip");
    assert!(err.message.contains("not a gzip file"), "{err}");
}

#[test]
fn seed_set_root_loads_both_halves() {
    let root = project_root().join("puzzles");
    assert_eq!(Format::detect(&root).ok(), Some(Format::SeedSet));
    let report = load_set(&root).expect("seed set");
    assert_clean(&report);
    let packages = std::fs::read_dir(root.join("stdio"))
        .expect("puzzles/stdio")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("problem.yaml").is_file())
        .count();
    let stdio_count = report
        .problems
        .iter()
        .filter(|p| matches!(p.task, Task::Stdio(_)))
        .count();
    assert_eq!(stdio_count, packages);
    assert_eq!(report.problems.len(), packages + 47);
    assert_eq!(
        Format::detect(&root.join("stdio")).ok(),
        Some(Format::KattisSet)
    );
}

#[test]
fn benchmark_directories_are_detected() {
    if let Some(dir) = benchmark("kattis-examples") {
        assert_eq!(Format::detect(&dir).ok(), Some(Format::KattisSet));
        assert_eq!(
            Format::detect(&dir.join("hello")).ok(),
            Some(Format::KattisProblem)
        );
    }
    if let Some(dir) = benchmark("codejam-2008-2018") {
        assert_eq!(Format::detect(&dir).ok(), Some(Format::KattisSet));
    }
}

#[test]
fn format_names_are_distinct() {
    let all = [
        Format::KattisProblem,
        Format::KattisSet,
        Format::SeedSet,
        Format::Apps,
        Format::AppsJsonl,
        Format::P3,
        Format::HumanEval,
        Format::Mbpp,
        Format::CodeContests,
        Format::LiveCodeBench,
    ];
    let names: std::collections::HashSet<_> = all.iter().map(|f| f.to_string()).collect();
    assert_eq!(names.len(), all.len());
}
