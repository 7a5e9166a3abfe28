//! Kattis problem packages: a reader (legacy format and the 2023-07 draft) and a writer.
//!
//! A package is a directory holding `problem.yaml`:
//!
//! ```text
//! <id>/
//!   problem.yaml                         name, limits, validation, flags, our `crucible:` block
//!   problem_statement/problem.md         or problem.en.md, problem.en.tex, problem.tex,
//!                                        problem.html, problem.en.html; 2023 draft: statement/
//!   data/sample/**/*.in, *.ans           samples (nested groups allowed)
//!   data/secret/**/*.in, *.ans           hidden tests (nested groups: secret/subtask1/3)
//!   submissions/accepted/*               reference solutions (.c, .cpp/.cc, .py, .wat)
//!   output_validators/<name>/<source>    custom checker (2023 draft: output_validator/)
//! ```
//!
//! What we read and how it maps onto [`Problem`]:
//!
//! - `name`: a string, or a map language → string (2023 draft; `en`, else the first entry).
//!   Without it, the statement's `\problemname{...}` (LaTeX) or first `# ` heading (Markdown),
//!   else the id.
//! - `limits.time_limit` (seconds). Kattis itself derives the time limit from the accepted
//!   submissions' running times; we cannot, so a package without one gets
//!   [`DEFAULT_TIME_LIMIT`] (2 s). A `.timelimit` file (written by problemtools) is used when
//!   the key is absent.
//! - `limits.memory` (MiB). The Kattis default is 2048 MiB; ours is [`DEFAULT_MEMORY_MIB`]
//!   (1024 MiB), which is what the sandbox is tuned for.
//! - `validation`: `default` | `custom` (`score` is ignored). Interactive problems (`custom
//!   interactive`, or `type: interactive` in the 2023 draft) are rejected. In the 2023 draft,
//!   which has no `validation` key, a checker source in `output_validator(s)/` means custom.
//! - `validator_flags` / `output_validator_flags` (problem.yaml, or for the 2023 draft
//!   `data/testdata.yaml` and `data/secret/**/testdata.yaml`) choose the built-in checker; see
//!   [`checker_from_flags`]. With custom validation the flags are arguments for the checker
//!   program; [`Problem`] has no place for them, so they are dropped.
//! - `crucible:` (ours): `difficulty`, `split`, `tags`. Every other key is ignored.
//!
//! A folder without `problem.yaml` whose `data/sample/` or `data/secret/` holds `.in` files (a
//! Kattis-like contest archive) is a *bare* package ([`is_bare_package`]): it loads with the
//! default limits and checker, and its statement may also be any `.md`, `.tex`, `.txt`,
//! `.html` or `.pdf` file in the folder or its statement folder (a PDF is named, not read).
//! [`read_set`] says so once per set in [`LoadReport::notices`].
//!
//! The id of a package read by [`read_problem`] is its directory name; [`read_set`] uses the
//! path relative to the set's root (`/`-separated), which is the directory name for packages
//! that sit directly in the root and stays unique in nested archives (the Code Jam set has
//! the same problem under `codejam/` and `codejam_to_io/`).

use crate::{LoadError, LoadReport, Problem, StdioTask, Task};
use crucible_sandbox::Checker;
use serde_yaml_ng::Mapping;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod flags;
mod layout;
mod meta;
mod write;

#[cfg(test)]
mod tests;

pub use flags::{checker_from_flags, flags_for_checker};
pub use write::write_problem;

use layout::{
    find_checker_source, find_loose_statement, find_statement, list_dir, read_accepted, read_tests,
    read_text_lossy, read_utf8, title_from_statement,
};
use meta::{Meta, Validation, parse_yaml, read_timelimit_file, testdata_flags};

/// Time limit of a package whose `problem.yaml` gives none (Kattis would derive one from the
/// accepted submissions' running times).
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(2);

/// Memory limit in MiB of a package whose `problem.yaml` gives none. Kattis defaults to
/// 2048 MiB; we use 1024 MiB.
pub const DEFAULT_MEMORY_MIB: u64 = 1024;

/// The file that makes a directory a package.
const PROBLEM_YAML: &str = "problem.yaml";

const MIB: u64 = 1 << 20;

/// Longest time limit we accept, in seconds (keeps the nanosecond arithmetic exact).
const MAX_TIME_LIMIT_S: f64 = 1e6;

/// Largest memory limit we accept, in MiB (1 PiB).
const MAX_MEMORY_MIB: f64 = (1u64 << 30) as f64;

/// Statement folders: legacy, then the 2023 draft.
const STATEMENT_DIRS: [&str; 2] = ["problem_statement", "statement"];

/// Output-validator folders: legacy, then the 2023 draft.
const VALIDATOR_DIRS: [&str; 2] = ["output_validators", "output_validator"];

/// Whether `dir` is a Kattis package: it holds a `problem.yaml`, or it is a bare package.
pub fn is_package(dir: &Path) -> bool {
    dir.join(PROBLEM_YAML).is_file() || is_bare_package(dir)
}

/// Whether `dir` is a Kattis-like folder without `problem.yaml`: `data/sample/` or
/// `data/secret/` holds `.in` files (directly or one group folder down).
pub fn is_bare_package(dir: &Path) -> bool {
    if dir.join(PROBLEM_YAML).is_file() {
        return false;
    }
    ["sample", "secret"]
        .iter()
        .any(|sub| holds_inputs(&dir.join("data").join(sub), 1))
}

/// Whether `dir` (or a folder up to `depth` levels below it) holds a `.in` file.
fn holds_inputs(dir: &Path, depth: usize) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|entry| {
        let path = entry.path();
        if path.is_dir() {
            depth > 0 && holds_inputs(&path, depth - 1)
        } else {
            path.extension().is_some_and(|e| e == "in")
        }
    })
}

/// The notice [`read_set`] gives for `bare` packages
/// without `problem.yaml` among `total`.
pub(crate) fn bare_notice(dir: &Path, bare: usize, total: usize) -> String {
    format!(
        "{}: {bare} of {total} problem folders have no problem.yaml; loaded with the default \
         limits ({} s, {DEFAULT_MEMORY_MIB} MiB) and the default checker",
        dir.display(),
        DEFAULT_TIME_LIMIT.as_secs()
    )
}

/// Reads every package under `dir` (recursively, without descending into a package), sorted
/// by id. A package that fails to load becomes an entry in `errors`; loading continues.
///
/// Ids are paths relative to `dir` with `/` separators (just the directory name for packages
/// directly in `dir`); when `dir` is itself a package its id is its directory name.
pub fn read_set(dir: &Path) -> LoadReport {
    let mut report = LoadReport::default();
    if is_package(dir) {
        if is_bare_package(dir) {
            report.notices.push(bare_notice(dir, 1, 1));
        }
        match read_problem(dir) {
            Ok(problem) => report.problems.push(problem),
            Err(e) => report.errors.push(e),
        }
        return report;
    }
    if !dir.is_dir() {
        report
            .errors
            .push(LoadError::new(dir, "not a directory of Kattis packages"));
        return report;
    }
    let mut packages = Vec::new();
    let mut visited = HashSet::new();
    find_packages(dir, "", &mut packages, &mut report.errors, &mut visited);
    let bare = packages.iter().filter(|(_, p)| is_bare_package(p)).count();
    if bare > 0 {
        report.notices.push(bare_notice(dir, bare, packages.len()));
    }
    for (rel, path) in packages {
        match read_problem(&path) {
            Ok(mut problem) => {
                problem.id = rel;
                report.problems.push(problem);
            }
            Err(e) => report.errors.push(e),
        }
    }
    apply_archive_index(dir, &mut report);
    report.problems.sort_by(|a, b| a.id.cmp(&b.id));
    report.errors.sort_by(|a, b| a.path.cmp(&b.path));
    report
}

/// Archive index beside the packages (`problems.json` of the Code Jam archive export): its
/// `problems[]` give `time_limits_s_in_statement_order` and `memory_limit_mb` per package id,
/// which the packages' own `problem.yaml` files lack. The largest per-test-set limit applies to
/// every test (our model has one time limit per problem). Absent or unreadable: nothing changes.
fn apply_archive_index(dir: &Path, report: &mut LoadReport) {
    let Ok(text) = std::fs::read_to_string(dir.join("problems.json")) else {
        return;
    };
    let Ok(index) = serde_json::from_str::<serde_json::Value>(&text) else {
        tracing::warn!(
            "ignoring unreadable {}",
            dir.join("problems.json").display()
        );
        return;
    };
    let Some(entries) = index.get("problems").and_then(|p| p.as_array()) else {
        return;
    };
    let by_id: HashMap<&str, &serde_json::Value> = entries
        .iter()
        .filter_map(|e| Some((e.get("id")?.as_str()?, e)))
        .collect();
    for problem in &mut report.problems {
        let (Some(entry), Task::Stdio(task)) = (by_id.get(problem.id.as_str()), &mut problem.task)
        else {
            continue;
        };
        let longest = entry
            .get("time_limits_s_in_statement_order")
            .and_then(|t| t.as_array())
            .and_then(|t| t.iter().filter_map(|v| v.as_f64()).reduce(f64::max));
        if let Some(secs) = longest.filter(|s| s.is_finite() && *s > 0.0) {
            task.time_limit = Duration::from_secs_f64(secs);
        }
        if let Some(mb) = entry
            .get("memory_limit_mb")
            .and_then(|m| m.as_f64())
            .filter(|m| *m > 0.0)
        {
            task.memory_bytes = (mb * 1024.0 * 1024.0) as u64;
        }
    }
}

/// Collects `(relative id, path)` of the packages below `dir`.
fn find_packages(
    dir: &Path,
    rel: &str,
    out: &mut Vec<(String, PathBuf)>,
    errors: &mut Vec<LoadError>,
    visited: &mut HashSet<PathBuf>,
) {
    // Symlinked folders are followed once; a loop ends at the second visit.
    match fs::canonicalize(dir) {
        Ok(canonical) => {
            if !visited.insert(canonical) {
                return;
            }
        }
        Err(e) => {
            errors.push(LoadError::new(dir, format!("cannot read directory: {e}")));
            return;
        }
    }
    let entries = match list_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(e);
            return;
        }
    };
    for (name, path) in entries {
        if name.starts_with('.') || !path.is_dir() {
            continue;
        }
        let child_rel = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if is_package(&path) {
            out.push((child_rel, path));
        } else {
            find_packages(&path, &child_rel, out, errors, visited);
        }
    }
}

/// Reads one package directory. The id is the directory name.
pub fn read_problem(dir: &Path) -> Result<Problem, LoadError> {
    let yaml_path = dir.join(PROBLEM_YAML);
    let bare = is_bare_package(dir);
    if !yaml_path.is_file() && !bare {
        return Err(LoadError::new(
            &yaml_path,
            "missing problem.yaml (and no data/sample or data/secret tests): not a Kattis package",
        ));
    }
    let id = package_id(dir)?;
    let doc = if bare {
        Mapping::new()
    } else {
        parse_yaml(&yaml_path, &read_utf8(&yaml_path)?)?
    };
    let meta = Meta::parse(&yaml_path, &doc)?;

    let statement_path = match find_statement(dir) {
        Ok(path) => path,
        Err(e) => match bare
            .then(|| find_loose_statement(dir))
            .transpose()?
            .flatten()
        {
            Some(path) => path,
            None => return Err(e),
        },
    };
    let statement = if statement_path.extension().is_some_and(|e| e == "pdf") {
        format!(
            "(The statement is only available as a PDF: {}.)",
            statement_path.display()
        )
    } else {
        read_text_lossy(&statement_path)?
    };

    let time_limit = match meta.time_limit {
        Some(t) => t,
        None => read_timelimit_file(dir)?.unwrap_or(DEFAULT_TIME_LIMIT),
    };
    let memory_bytes = meta.memory_bytes.unwrap_or(DEFAULT_MEMORY_MIB * MIB);

    let custom_source = find_checker_source(dir)?;
    let custom = match meta.validation {
        Validation::Default => false,
        Validation::Custom => true,
        // The 2023 draft has no `validation` key: a checker in output_validator(s)/ decides.
        Validation::Unspecified => meta.draft_2023 && custom_source.is_some(),
    };
    let (checker, custom_checker) = if custom {
        let Some(source) = custom_source else {
            return Err(LoadError::field(
                &yaml_path,
                "validation",
                "custom validation but no checker source (.c, .cc, .cpp or .py) in \
                 output_validators/",
            ));
        };
        (Checker::Custom, Some(source))
    } else {
        let (flags_file, field, flags) = match meta.flags {
            Some((field, flags)) => (yaml_path.clone(), field, Some(flags)),
            None => match testdata_flags(dir)? {
                Some((file, flags)) => (file, "output_validator_flags".to_string(), Some(flags)),
                None => (yaml_path.clone(), String::new(), None),
            },
        };
        let checker = match flags {
            Some(flags) => checker_from_flags(&flags)
                .map_err(|message| LoadError::field(&flags_file, field, message))?,
            None => Checker::default(),
        };
        (checker, None)
    };

    let tests = read_tests(dir)?;
    let accepted = read_accepted(dir)?;

    let name = match meta.name {
        Some(name) => name,
        None => title_from_statement(&statement_path, &statement).unwrap_or_else(|| id.clone()),
    };

    Ok(Problem {
        id,
        name,
        statement,
        difficulty: meta.difficulty,
        split: meta.split,
        tags: meta.tags,
        origin: dir.to_path_buf(),
        task: Task::Stdio(StdioTask {
            time_limit,
            memory_bytes,
            tests,
            checker,
            custom_checker,
            accepted,
        }),
    })
}

/// The directory name of a package.
fn package_id(dir: &Path) -> Result<String, LoadError> {
    let name = match dir.file_name() {
        Some(name) => name.to_os_string(),
        None => fs::canonicalize(dir)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_os_string()))
            .ok_or_else(|| LoadError::new(dir, "cannot tell the package's directory name"))?,
    };
    name.into_string()
        .map_err(|_| LoadError::new(dir, "directory name is not valid UTF-8"))
}
