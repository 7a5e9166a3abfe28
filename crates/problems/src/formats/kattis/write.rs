//! The writer: a stdin/stdout problem as a package in our format.

use super::flags::flags_for_checker;
use super::layout::test_order;
use super::{MAX_MEMORY_MIB, MAX_TIME_LIMIT_S, MIB, PROBLEM_YAML, VALIDATOR_DIRS};
use crate::{LoadError, Problem, Solution, Split, StdioTask, Task, Test, TestGroup};
use crucible_sandbox::{Checker, Language};
use serde_yaml_ng::{Mapping, Value};
use std::cmp::Ordering;
use std::collections::HashSet;
use std::fs;
use std::path::Path;

/// Writes a stdin/stdout problem as a package in our format (see `puzzles/README.md`) into
/// `dir`, which must not exist or be empty.
///
/// Written: `problem.yaml` (`name`, `limits.time_limit`, `limits.memory`, `validation`,
/// `validator_flags`, and a `crucible:` block with difficulty, split and tags),
/// `problem_statement/problem.md` (the statement text as it is, whatever its markup),
/// `data/<test name>.in/.ans`, `submissions/accepted/<name>` and, for a custom checker,
/// `output_validators/checker/<name>`.
///
/// [`read_problem`] gives back the same problem except for: `origin` (now `dir`); `id` (the
/// directory name); test names when they are not all of the form `sample/...` / `secret/...`
/// made of portable file names, unique, and already in the reader's order — then every test
/// is renamed `sample/01`, `secret/01`, ... in the given order; solution file names that are
/// unsafe, duplicated or do not match their language (renamed `sol.<ext>`, `sol-2.<ext>`),
/// the order of accepted solutions (the reader sorts them by name), and `Checker::Exact`,
/// which Kattis cannot express (see [`flags_for_checker`]).
///
/// [`read_problem`]: super::read_problem
pub fn write_problem(problem: &Problem, dir: &Path) -> Result<(), LoadError> {
    let Task::Stdio(task) = &problem.task else {
        return Err(LoadError::new(
            dir,
            format!(
                "problem `{}` is a function task; only stdin/stdout problems can be written \
                 as Kattis packages",
                problem.id
            ),
        ));
    };
    check_writable(problem, task, dir)?;

    let mut yaml = Mapping::new();
    yaml.insert("name".into(), problem.name.clone().into());
    let mut limits = Mapping::new();
    limits.insert("time_limit".into(), task.time_limit.as_secs_f64().into());
    let memory: Value = if task.memory_bytes % MIB == 0 {
        (task.memory_bytes / MIB).into()
    } else {
        (task.memory_bytes as f64 / MIB as f64).into()
    };
    limits.insert("memory".into(), memory);
    yaml.insert("limits".into(), Value::Mapping(limits));
    match flags_for_checker(&task.checker) {
        None => {
            yaml.insert("validation".into(), "custom".into());
        }
        Some(flags) => {
            yaml.insert("validation".into(), "default".into());
            if !flags.is_empty() {
                yaml.insert("validator_flags".into(), flags.into());
            }
        }
    }
    let mut ours = Mapping::new();
    if let Some(d) = problem.difficulty {
        ours.insert("difficulty".into(), d.name().into());
    }
    if let Some(s) = problem.split {
        let name = match s {
            Split::Train => "train",
            Split::Heldout => "heldout",
        };
        ours.insert("split".into(), name.into());
    }
    if !problem.tags.is_empty() {
        let tags = problem
            .tags
            .iter()
            .map(|t| Value::from(t.clone()))
            .collect();
        ours.insert("tags".into(), Value::Sequence(tags));
    }
    if !ours.is_empty() {
        yaml.insert("crucible".into(), Value::Mapping(ours));
    }
    let yaml_path = dir.join(PROBLEM_YAML);
    let text = serde_yaml_ng::to_string(&Value::Mapping(yaml))
        .map_err(|e| LoadError::new(&yaml_path, format!("cannot write YAML: {e}")))?;
    write_file(&yaml_path, text.as_bytes())?;

    write_file(
        &dir.join("problem_statement").join("problem.md"),
        problem.statement.as_bytes(),
    )?;

    let data = dir.join("data");
    for (test, name) in task.tests.iter().zip(test_file_names(&task.tests)) {
        write_file(&data.join(format!("{name}.in")), &test.input)?;
        write_file(&data.join(format!("{name}.ans")), &test.answer)?;
    }

    let accepted = dir.join("submissions").join("accepted");
    let mut used = HashSet::new();
    for solution in &task.accepted {
        let name = solution_file_name(solution, "sol", &mut used);
        write_file(&accepted.join(name), solution.source.as_bytes())?;
    }

    if let Some(checker) = &task.custom_checker {
        let name = solution_file_name(checker, "checker", &mut HashSet::new());
        write_file(
            &dir.join(VALIDATOR_DIRS[0]).join("checker").join(name),
            checker.source.as_bytes(),
        )?;
    }
    Ok(())
}

/// Rejects what the format cannot hold and a non-empty target directory.
fn check_writable(problem: &Problem, task: &StdioTask, dir: &Path) -> Result<(), LoadError> {
    let bad = |message: String| Err(LoadError::new(dir, message));
    let id = &problem.id;
    if task.tests.is_empty() {
        return bad(format!("problem `{id}` has no tests"));
    }
    let secs = task.time_limit.as_secs_f64();
    if task.time_limit.is_zero() || secs > MAX_TIME_LIMIT_S {
        return bad(format!(
            "problem `{id}`: time limit {secs} s is out of range (0, {MAX_TIME_LIMIT_S}]"
        ));
    }
    if task.memory_bytes == 0 || task.memory_bytes as f64 / MIB as f64 > MAX_MEMORY_MIB {
        return bad(format!(
            "problem `{id}`: memory limit {} bytes is out of range",
            task.memory_bytes
        ));
    }
    match (&task.checker, &task.custom_checker) {
        (Checker::Custom, None) => {
            return bad(format!("problem `{id}`: custom checker without its source"));
        }
        (Checker::Custom, Some(source))
            if !matches!(source.lang, Language::C | Language::Cpp | Language::Python) =>
        {
            return bad(format!(
                "problem `{id}`: a custom checker must be C, C++ or Python, not {}",
                source.lang
            ));
        }
        (Checker::Custom, Some(_)) => {}
        (_, Some(_)) => {
            return bad(format!(
                "problem `{id}`: a custom checker source but the checker is not custom"
            ));
        }
        (Checker::Float { abs, rel, .. }, None) => {
            if !(abs.is_finite() && *abs >= 0.0 && rel.is_finite() && *rel >= 0.0) {
                return bad(format!(
                    "problem `{id}`: float tolerances must be finite and non-negative"
                ));
            }
        }
        (_, None) => {}
    }
    match fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return bad("refusing to write a package into a non-empty directory".into());
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return bad(format!("cannot read directory: {e}")),
    }
    fs::create_dir_all(dir)
        .map_err(|e| LoadError::new(dir, format!("cannot create directory: {e}")))
}

/// File names (without `.in` / `.ans`, relative to `data/`) for the tests: their own names
/// when all of them can be kept, else `sample/01`, `secret/01`, ... in the given order.
fn test_file_names(tests: &[Test]) -> Vec<String> {
    let keep = {
        let mut seen = HashSet::new();
        tests.iter().all(|t| {
            let prefix = match t.group {
                TestGroup::Sample => "sample/",
                TestGroup::Secret => "secret/",
            };
            t.name
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.split('/').all(portable_name))
                && seen.insert(t.name.clone())
        }) && tests
            .windows(2)
            .all(|w| test_order(w[0].group, &w[0].name, w[1].group, &w[1].name) == Ordering::Less)
            && {
                // No file may be needed as a folder too (`a.in` and `a.in/b.in`).
                let files: HashSet<String> = tests
                    .iter()
                    .flat_map(|t| [format!("{}.in", t.name), format!("{}.ans", t.name)])
                    .collect();
                tests.iter().all(|t| {
                    t.name
                        .match_indices('/')
                        .all(|(i, _)| !files.contains(&t.name[..i]))
                })
            }
    };
    if keep {
        return tests.iter().map(|t| t.name.clone()).collect();
    }
    let count = |g: TestGroup| tests.iter().filter(|t| t.group == g).count();
    let width = count(TestGroup::Sample)
        .max(count(TestGroup::Secret))
        .to_string()
        .len()
        .max(2);
    let (mut samples, mut secrets) = (0, 0);
    tests
        .iter()
        .map(|t| match t.group {
            TestGroup::Sample => {
                samples += 1;
                format!("sample/{samples:0width$}")
            }
            TestGroup::Secret => {
                secrets += 1;
                format!("secret/{secrets:0width$}")
            }
        })
        .collect()
}

/// A file name that is safe on every file system and not hidden: letters, digits, `_`, `-`,
/// `.`, not starting with `.`, at most 100 characters.
fn portable_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The solution's own file name when portable, unused and of its language; else
/// `<stem>.<ext>`, `<stem>-2.<ext>`, ...
fn solution_file_name(solution: &Solution, stem: &str, used: &mut HashSet<String>) -> String {
    let ext = match solution.lang {
        Language::Wasm => "wat",
        lang => lang.extension(),
    };
    let own = &solution.name;
    if portable_name(own)
        && Language::from_path(Path::new(own)) == Some(solution.lang)
        && !own.to_ascii_lowercase().ends_with(".wasm")
        && used.insert(own.clone())
    {
        return own.clone();
    }
    let mut n = 1;
    loop {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        if used.insert(name.clone()) {
            return name;
        }
        n += 1;
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), LoadError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| LoadError::new(parent, format!("cannot create directory: {e}")))?;
    }
    fs::write(path, bytes).map_err(|e| LoadError::new(path, format!("cannot write: {e}")))
}
