//! The Kattis reader and writer on hand-written fixtures (`tests/fixtures/kattis/`), on the
//! seed set (`puzzles/stdio`) and, when present, on the real packages in
//! `../shared/benchmarks` (Kattis examples, Code Jam 2008–2018).

use crucible_problems::formats::kattis::{
    DEFAULT_MEMORY_MIB, DEFAULT_TIME_LIMIT, is_package, read_problem, read_set, write_problem,
};
use crucible_problems::{
    Difficulty, LoadReport, Problem, Solution, Split, StdioTask, Task, TestGroup,
};
use crucible_sandbox::{Checker, Language};
use std::path::{Path, PathBuf};
use std::time::Duration;

const MIB: u64 = 1 << 20;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    manifest_dir().join("tests/fixtures/kattis")
}

/// The project root (`/work/main`).
fn project_root() -> PathBuf {
    let root = manifest_dir().join("../..");
    std::fs::canonicalize(&root).unwrap_or(root)
}

fn stdio(p: &Problem) -> &StdioTask {
    match &p.task {
        Task::Stdio(t) => t,
        Task::Function(_) => panic!("{} is not a stdio task", p.id),
    }
}

fn test_names(p: &Problem) -> Vec<&str> {
    stdio(p).tests.iter().map(|t| t.name.as_str()).collect()
}

fn langs(p: &Problem) -> Vec<Language> {
    stdio(p).accepted.iter().map(|s| s.lang).collect()
}

fn by_id<'a>(report: &'a LoadReport, id: &str) -> &'a Problem {
    report
        .problems
        .iter()
        .find(|p| p.id == id)
        .unwrap_or_else(|| panic!("no problem {id}; errors: {:?}", report.errors))
}

/// Asserts `b` equals `a` in everything the Kattis format stores.
fn assert_same(a: &Problem, b: &Problem) {
    assert_eq!(a.name, b.name, "{}", a.id);
    assert_eq!(a.statement, b.statement, "{}", a.id);
    assert_eq!(a.difficulty, b.difficulty, "{}", a.id);
    assert_eq!(a.split, b.split, "{}", a.id);
    assert_eq!(a.tags, b.tags, "{}", a.id);
    let (x, y) = (stdio(a), stdio(b));
    assert_eq!(x.time_limit, y.time_limit, "{}", a.id);
    assert_eq!(x.memory_bytes, y.memory_bytes, "{}", a.id);
    assert_eq!(x.checker, y.checker, "{}", a.id);
    assert_eq!(x.custom_checker, y.custom_checker, "{}", a.id);
    let sorted = |v: &[Solution]| {
        let mut v = v.to_vec();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    };
    assert_eq!(sorted(&x.accepted), sorted(&y.accepted), "{}", a.id);
    assert_eq!(x.tests.len(), y.tests.len(), "{}", a.id);
    for (s, t) in x.tests.iter().zip(&y.tests) {
        assert_eq!(s.name, t.name, "{}", a.id);
        assert_eq!(s.group, t.group, "{}", a.id);
        assert_eq!(s.input, t.input, "{} {}", a.id, s.name);
        assert_eq!(s.answer, t.answer, "{} {}", a.id, s.name);
    }
}

/// Writes `p` to a temporary package and reads it back.
fn round_trip(p: &Problem) {
    let tmp = tempfile::tempdir().unwrap();
    // read_set's ids may be paths (`codejam/2008/...`); read_problem's is the folder name.
    let leaf = p.id.rsplit('/').next().unwrap();
    let dir = tmp.path().join(leaf);
    write_problem(p, &dir).unwrap_or_else(|e| panic!("writing {}: {e}", p.id));
    let q = read_problem(&dir).unwrap_or_else(|e| panic!("reading back {}: {e}", p.id));
    assert_eq!(q.id, leaf);
    assert_same(p, &q);
}

#[test]
fn valid_fixtures_load() {
    let report = read_set(&fixtures().join("valid"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let ids: Vec<_> = report.problems.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "custom-checker",
            "draft-2023",
            "float-tolerance",
            "minimal",
            "nested-groups"
        ]
    );

    let p = by_id(&report, "minimal");
    assert_eq!(p.name, "Lantern Sum");
    assert!(p.statement.starts_with("# Lantern Sum\n"));
    assert_eq!(p.difficulty, Some(Difficulty::Easy));
    assert_eq!(p.split, Some(Split::Train));
    assert_eq!(p.tags, ["math", "implementation"]);
    assert_eq!(p.origin, fixtures().join("valid/minimal"));
    let t = stdio(p);
    assert_eq!(t.time_limit, Duration::from_millis(1500));
    assert_eq!(t.memory_bytes, 256 * MIB);
    assert_eq!(t.limits().memory_bytes, 256 * MIB);
    assert_eq!(t.checker, Checker::default());
    assert!(t.custom_checker.is_none());
    assert_eq!(test_names(p), ["sample/1", "secret/2", "secret/10"]);
    assert_eq!(t.tests[0].group, TestGroup::Sample);
    assert_eq!(&t.tests[0].input[..], b"1 2\n");
    assert_eq!(&t.tests[0].answer[..], b"3\n");
    assert_eq!(t.tests[2].group, TestGroup::Secret);
    let names: Vec<_> = t.accepted.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["sol.cpp", "sol.py"],
        "README.txt and wrong_answer/ are not accepted"
    );
    assert_eq!(langs(p), [Language::Cpp, Language::Python]);

    let p = by_id(&report, "nested-groups");
    assert_eq!(
        test_names(p),
        [
            "sample/1",
            "sample/2",
            "secret/05",
            "secret/subtask1/1",
            "secret/subtask1/2",
            "secret/subtask1/10",
            "secret/subtask2/1",
            "secret/subtask2/deeper/3",
            "secret/subtask10/1",
        ]
    );
    for test in &stdio(p).tests {
        assert_eq!(test.input, test.answer);
    }
    let t = stdio(p);
    assert_eq!(t.time_limit, Duration::from_secs(2));
    assert_eq!(t.memory_bytes, DEFAULT_MEMORY_MIB * MIB);
    assert_eq!((p.difficulty, p.split), (None, None));

    let p = by_id(&report, "float-tolerance");
    assert_eq!(
        stdio(p).checker,
        Checker::Float {
            abs: 1e-6,
            rel: 1e-4,
            case_sensitive: true
        }
    );
    assert!(
        stdio(p)
            .checker
            .check(b"", b"1.3333333333\n", b"1.33334")
            .accepted
    );

    let p = by_id(&report, "custom-checker");
    let t = stdio(p);
    assert_eq!(t.checker, Checker::Custom);
    let checker = t.custom_checker.as_ref().unwrap();
    assert_eq!(checker.name, "divisor_checker.cpp");
    assert_eq!(checker.lang, Language::Cpp);
    assert!(checker.source.contains("ACCEPT = 42"));

    let p = by_id(&report, "draft-2023");
    assert_eq!(p.name, "Halve It");
    assert!(
        p.statement.contains("Print half"),
        "statement/problem.en.md"
    );
    let t = stdio(p);
    assert_eq!(t.time_limit, Duration::from_millis(500));
    assert_eq!(t.memory_bytes, 512 * MIB);
    assert_eq!(
        t.checker,
        Checker::float(1e-6),
        "flags from data/testdata.yaml"
    );
    assert_eq!(
        test_names(p),
        ["sample/1", "secret/group1/1", "secret/group1/2"]
    );
}

#[test]
fn malformed_fixtures_are_errors_naming_file_and_field() {
    let root = fixtures().join("malformed");
    let report = read_set(&root);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // (package, file relative to the package, field, words in the message)
    let expected: [(&str, &str, Option<&str>, &str); 7] = [
        (
            "bad-time-limit",
            "problem.yaml",
            Some("limits.time_limit"),
            "expected a number",
        ),
        ("bad-yaml", "problem.yaml", None, "invalid YAML"),
        (
            "custom-no-checker",
            "problem.yaml",
            Some("validation"),
            "no checker source",
        ),
        (
            "interactive",
            "problem.yaml",
            Some("validation"),
            "interactive problems are not supported",
        ),
        ("missing-ans", "data/secret/group/3.in", None, "3.ans"),
        ("no-tests", "data", None, "no tests"),
        (
            "unknown-flag",
            "problem.yaml",
            Some("validator_flags"),
            "ignore_case",
        ),
    ];
    assert_eq!(report.errors.len(), expected.len(), "{:?}", report.errors);
    for (error, (package, file, field, needle)) in report.errors.iter().zip(expected) {
        assert_eq!(error.path, root.join(package).join(file), "{error}");
        assert_eq!(error.field.as_deref(), field, "{error}");
        assert!(error.message.contains(needle), "{error}");
        // The rendered message names the file and the field too.
        let text = error.to_string();
        assert!(text.contains(file), "{text}");
        if let Some(field) = field {
            assert!(text.contains(field), "{text}");
        }
        // The same error from read_problem.
        let direct = read_problem(&root.join(package)).unwrap_err();
        assert_eq!(direct.to_string(), text);
    }
}

#[test]
fn whole_fixture_tree_uses_relative_ids() {
    assert!(!is_package(&fixtures()));
    assert!(is_package(&fixtures().join("valid/minimal")));
    let report = read_set(&fixtures());
    assert_eq!(report.problems.len(), 5);
    assert_eq!(report.errors.len(), 7);
    assert_eq!(report.problems[0].id, "valid/custom-checker");
    assert!(report.problems.windows(2).all(|w| w[0].id < w[1].id));
}

#[test]
fn fixtures_round_trip() {
    let report = read_set(&fixtures().join("valid"));
    assert!(!report.problems.is_empty());
    for p in &report.problems {
        round_trip(p);
    }
}

#[test]
fn seed_set_loads() {
    let dir = project_root().join("puzzles/stdio");
    let report = read_set(&dir);
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    assert_eq!(report.problems.len(), 40);
    for p in &report.problems {
        let t = stdio(p);
        assert!(t.tests.len() >= 10, "{}: {} tests", p.id, t.tests.len());
        assert_eq!(t.tests[0].group, TestGroup::Sample, "{}", p.id);
        let langs = langs(p);
        assert!(langs.contains(&Language::Cpp), "{}: {langs:?}", p.id);
        assert!(langs.contains(&Language::Python), "{}: {langs:?}", p.id);
        assert!(p.difficulty.is_some() && p.split.is_some(), "{}", p.id);
        assert!(!p.statement.is_empty() && !p.name.is_empty(), "{}", p.id);
        round_trip(p);
    }
    let heldout = report
        .problems
        .iter()
        .filter(|p| p.split == Some(Split::Heldout))
        .count();
    println!("seed set: 40 problems, {heldout} heldout");
}

/// `../shared/benchmarks`, or `None` (with a note) when this checkout has none.
fn benchmarks() -> Option<PathBuf> {
    let dir = project_root().join("../shared/benchmarks");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "note: {} is missing; skipping the real-package test",
            dir.display()
        );
        None
    }
}

/// Every error names an existing file or folder inside `root`.
fn errors_name_files(root: &Path, report: &LoadReport) {
    for e in &report.errors {
        assert!(e.path.starts_with(root), "{e}");
        assert!(e.path.exists(), "{e}");
        assert!(e.to_string().contains(&e.path.display().to_string()), "{e}");
    }
}

#[test]
fn kattis_examples_load() {
    let Some(bench) = benchmarks() else {
        return;
    };
    let root = bench.join("kattis-examples");
    if !root.is_dir() {
        println!("note: {} is missing; skipped", root.display());
        return;
    }
    let report = read_set(&root);
    println!(
        "kattis-examples: {} loaded, {} errors",
        report.problems.len(),
        report.errors.len()
    );
    for e in &report.errors {
        println!("  {e}");
    }
    errors_name_files(&root, &report);
    // `different` says `validation: custom` but its validator was not copied.
    assert!(report.errors.len() <= 1, "{:#?}", report.errors);

    let hello = by_id(&report, "hello");
    assert_eq!(hello.name, "Hello World!");
    assert!(hello.statement.contains("\\problemname"), "problem.en.tex");
    assert_eq!(stdio(hello).memory_bytes, 512 * MIB);
    assert_eq!(stdio(hello).time_limit, DEFAULT_TIME_LIMIT);
    assert_eq!(test_names(hello), ["secret/hello"]);

    let odd = by_id(&report, "oddecho");
    assert_eq!(odd.name, "Odd Echo");
    let t = stdio(odd);
    assert_eq!(t.checker, Checker::default());
    assert_eq!(t.tests.len(), 18);
    assert_eq!(t.tests[0].name, "sample/1");
    assert_eq!(t.tests[2].name, "secret/subtask1/1");
    assert!(t.tests.iter().any(|x| x.name == "secret/subtask2/10"));
    round_trip(odd);
}

#[test]
fn codejam_archive_loads() {
    let Some(bench) = benchmarks() else {
        return;
    };
    let root = bench.join("codejam-2008-2018");
    if !root.is_dir() {
        println!("note: {} is missing; skipped", root.display());
        return;
    }
    let report = read_set(&root);
    let total = report.problems.len() + report.errors.len();
    println!(
        "codejam-2008-2018: {total} packages, {} loaded, {} errors",
        report.problems.len(),
        report.errors.len()
    );
    for e in report.errors.iter().take(5) {
        println!("  {e}");
    }
    errors_name_files(&root, &report);
    assert!(total >= 250, "{total} packages");
    // The archive ships no checker programs, so its `validation: custom` packages fail; two
    // problem.yaml files are not valid YAML (`name: Steed 2: Cruise Control`, unquoted).
    assert!(report.errors.len() * 8 <= total, "{:#?}", report.errors);
    for e in &report.errors {
        let custom = e.field.as_deref() == Some("validation");
        let bad_yaml = e.message.starts_with("invalid YAML");
        assert!(custom || bad_yaml, "{e}");
        assert!(e.path.ends_with("problem.yaml"), "{e}");
    }
    let floats = report
        .problems
        .iter()
        .filter(|p| matches!(stdio(p).checker, Checker::Float { .. }))
        .count();
    println!("  {floats} with a float tolerance");
    // Time and memory limits come from the archive's problems.json index.
    let code_sequence = by_id(&report, "codejam/2008/amer_semifinal/code_sequence");
    assert_eq!(
        stdio(code_sequence).time_limit,
        std::time::Duration::from_secs(30)
    );
    assert_eq!(stdio(code_sequence).memory_bytes, 1024 << 20);
    for p in &report.problems {
        let t = stdio(p);
        assert!(!t.tests.is_empty(), "{}", p.id);
        assert!(p.statement.contains('<'), "{}: HTML statement", p.id);
        assert!(p.id.contains('/'), "{}: nested ids", p.id);
    }
    // Time and memory limits come from the archive's problems.json index.
    let code_sequence = by_id(&report, "codejam/2008/amer_semifinal/code_sequence");
    assert_eq!(
        stdio(code_sequence).time_limit,
        std::time::Duration::from_secs(30)
    );
    assert_eq!(stdio(code_sequence).memory_bytes, 1024 << 20);
    for p in &report.problems {
        round_trip(p);
    }
}
