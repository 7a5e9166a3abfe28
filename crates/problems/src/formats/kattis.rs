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

use crate::{
    Difficulty, LoadError, LoadReport, Problem, Solution, Split, StdioTask, Task, Test, TestGroup,
};
use bytes::Bytes;
use crucible_sandbox::{Checker, Language};
use serde_yaml_ng::{Mapping, Value};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

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

/// How deep test groups and validator folders may nest (guards against symlink loops).
const MAX_DEPTH: usize = 32;

/// Statement folders: legacy, then the 2023 draft.
const STATEMENT_DIRS: [&str; 2] = ["problem_statement", "statement"];

/// Statement files in order of preference.
const STATEMENT_FILES: [&str; 6] = [
    "problem.md",
    "problem.en.md",
    "problem.en.tex",
    "problem.tex",
    "problem.html",
    "problem.en.html",
];

/// Output-validator folders: legacy, then the 2023 draft.
const VALIDATOR_DIRS: [&str; 2] = ["output_validators", "output_validator"];

/// Statement files a bare package may have (any name), in order of preference.
const LOOSE_STATEMENT_EXTENSIONS: [&str; 5] = ["md", "tex", "txt", "html", "pdf"];

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

// ---------------------------------------------------------------------------------------------
// problem.yaml
// ---------------------------------------------------------------------------------------------

/// What `validation` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Validation {
    /// No `validation` key.
    Unspecified,
    /// `validation: default`.
    Default,
    /// `validation: custom` (possibly with `score`).
    Custom,
}

/// The parts of `problem.yaml` we use.
#[derive(Debug)]
struct Meta {
    name: Option<String>,
    time_limit: Option<Duration>,
    memory_bytes: Option<u64>,
    validation: Validation,
    /// `(field name, flags)` from `validator_flags` / `output_validator_flags`.
    flags: Option<(String, String)>,
    /// `problem_format_version` names a 2023 draft (or later) format.
    draft_2023: bool,
    difficulty: Option<Difficulty>,
    split: Option<Split>,
    tags: Vec<String>,
}

impl Meta {
    fn parse(path: &Path, doc: &Mapping) -> Result<Meta, LoadError> {
        let err = |field: &str, message: String| LoadError::field(path, field, message);

        let draft_2023 = match get(doc, "problem_format_version") {
            None => false,
            Some(v) => {
                let version = scalar_string(v).ok_or_else(|| {
                    err(
                        "problem_format_version",
                        format!("expected a string, found {}", describe(v)),
                    )
                })?;
                !version.trim().eq_ignore_ascii_case("legacy")
            }
        };

        let name = match get(doc, "name") {
            None => None,
            Some(Value::Mapping(by_lang)) => {
                let chosen = get(by_lang, "en").or_else(|| by_lang.values().next());
                match chosen {
                    None => None,
                    Some(v) => Some(scalar_string(v).ok_or_else(|| {
                        err(
                            "name",
                            format!("expected a string per language, found {}", describe(v)),
                        )
                    })?),
                }
            }
            Some(v) => Some(scalar_string(v).ok_or_else(|| {
                err(
                    "name",
                    format!(
                        "expected a string or a map of language to string, found {}",
                        describe(v)
                    ),
                )
            })?),
        };

        let (mut time_limit, mut memory_bytes) = (None, None);
        match get(doc, "limits") {
            None => {}
            Some(Value::Mapping(limits)) => {
                if let Some(v) = get(limits, "time_limit") {
                    let secs = positive_number(v)
                        .map_err(|m| err("limits.time_limit", format!("{m} (seconds)")))?;
                    if secs > MAX_TIME_LIMIT_S {
                        return Err(err(
                            "limits.time_limit",
                            format!("{secs} s is out of range (at most {MAX_TIME_LIMIT_S} s)"),
                        ));
                    }
                    time_limit = Some(secs_to_duration(secs));
                }
                if let Some(v) = get(limits, "memory") {
                    let mib = positive_number(v)
                        .map_err(|m| err("limits.memory", format!("{m} (MiB)")))?;
                    if mib > MAX_MEMORY_MIB {
                        return Err(err(
                            "limits.memory",
                            format!("{mib} MiB is out of range (at most {MAX_MEMORY_MIB} MiB)"),
                        ));
                    }
                    let bytes = (mib * MIB as f64).round() as u64;
                    if bytes == 0 {
                        return Err(err("limits.memory", "must be at least one byte".into()));
                    }
                    memory_bytes = Some(bytes);
                }
            }
            Some(v) => {
                return Err(err(
                    "limits",
                    format!("expected a mapping, found {}", describe(v)),
                ));
            }
        }

        let validation = match get(doc, "validation") {
            None => Validation::Unspecified,
            Some(v) => {
                let text = scalar_string(v).ok_or_else(|| {
                    err(
                        "validation",
                        format!("expected a string, found {}", describe(v)),
                    )
                })?;
                let words: Vec<String> = text
                    .split_whitespace()
                    .map(str::to_ascii_lowercase)
                    .collect();
                if words.iter().any(|w| w == "interactive") {
                    return Err(err(
                        "validation",
                        "interactive problems are not supported".into(),
                    ));
                }
                match words.first().map(String::as_str) {
                    Some("default") if words.len() == 1 => Validation::Default,
                    Some("custom") if words.iter().skip(1).all(|w| w == "score") => {
                        Validation::Custom
                    }
                    _ => {
                        return Err(err(
                            "validation",
                            format!(
                                "expected `default`, `custom` or `custom interactive`, found \
                                 `{text}`"
                            ),
                        ));
                    }
                }
            }
        };

        // 2023 draft: `type: interactive` or a list containing it.
        if let Some(v) = get(doc, "type") {
            let kinds: Vec<String> = match v {
                Value::Sequence(items) => items.iter().filter_map(scalar_string).collect(),
                other => scalar_string(other)
                    .map(|s| s.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default(),
            };
            if kinds.iter().any(|k| k.eq_ignore_ascii_case("interactive")) {
                return Err(err("type", "interactive problems are not supported".into()));
            }
        }

        let mut flags = None;
        for field in ["validator_flags", "output_validator_flags"] {
            if let Some(v) = get(doc, field) {
                let text = flags_string(v).map_err(|m| err(field, m))?;
                flags = Some((field.to_string(), text));
                break;
            }
        }

        let (mut difficulty, mut split, mut tags) = (None, None, Vec::new());
        match get(doc, "crucible") {
            None => {}
            Some(Value::Mapping(ours)) => {
                if let Some(v) = get(ours, "difficulty") {
                    let text = scalar_string(v).unwrap_or_default();
                    difficulty = Some(Difficulty::parse(&text).ok_or_else(|| {
                        err(
                            "crucible.difficulty",
                            format!("expected easy, medium or hard, found {}", shown(v)),
                        )
                    })?);
                }
                if let Some(v) = get(ours, "split") {
                    let text = scalar_string(v).unwrap_or_default();
                    split = Some(Split::parse(&text).ok_or_else(|| {
                        err(
                            "crucible.split",
                            format!("expected train or heldout, found {}", shown(v)),
                        )
                    })?);
                }
                if let Some(v) = get(ours, "tags") {
                    let Value::Sequence(items) = v else {
                        return Err(err(
                            "crucible.tags",
                            format!("expected a list of strings, found {}", describe(v)),
                        ));
                    };
                    for (i, item) in items.iter().enumerate() {
                        tags.push(scalar_string(item).ok_or_else(|| {
                            err(
                                &format!("crucible.tags[{i}]"),
                                format!("expected a string, found {}", describe(item)),
                            )
                        })?);
                    }
                }
            }
            Some(v) => {
                return Err(err(
                    "crucible",
                    format!("expected a mapping, found {}", describe(v)),
                ));
            }
        }

        Ok(Meta {
            name,
            time_limit,
            memory_bytes,
            validation,
            flags,
            draft_2023,
            difficulty,
            split,
            tags,
        })
    }
}

/// Parses a YAML file that must hold a mapping (an empty file is an empty mapping).
fn parse_yaml(path: &Path, text: &str) -> Result<Mapping, LoadError> {
    let value: Value = serde_yaml_ng::from_str(text)
        .map_err(|e| LoadError::new(path, format!("invalid YAML: {e}")))?;
    match value {
        Value::Mapping(map) => Ok(map),
        Value::Null => Ok(Mapping::new()),
        other => Err(LoadError::new(
            path,
            format!(
                "expected a YAML mapping at the top, found {}",
                describe(&other)
            ),
        )),
    }
}

/// A key's value, treating `key: ~` as absent.
fn get<'a>(map: &'a Mapping, key: &str) -> Option<&'a Value> {
    map.get(key).filter(|v| !v.is_null())
}

/// A scalar as text (strings as they are; numbers and booleans as YAML writes them).
fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A finite positive number, or why not.
fn positive_number(v: &Value) -> Result<f64, String> {
    let Some(x) = v.as_f64() else {
        return Err(format!("expected a number, found {}", shown(v)));
    };
    if !x.is_finite() || x <= 0.0 {
        return Err(format!("expected a positive number, found {x}"));
    }
    Ok(x)
}

/// Seconds to a duration, rounded to the nanosecond (`secs` is finite and in range).
fn secs_to_duration(secs: f64) -> Duration {
    Duration::from_nanos((secs * 1e9).round() as u64)
}

/// Validator flags: a string, or a list of strings (joined with spaces).
fn flags_string(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Sequence(items) => {
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                parts.push(scalar_string(item).ok_or_else(|| {
                    format!("expected a list of strings, found {} in it", describe(item))
                })?);
            }
            Ok(parts.join(" "))
        }
        other => Err(format!(
            "expected a string of flags, found {}",
            describe(other)
        )),
    }
}

/// What kind of YAML value `v` is, for messages.
fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// `describe` plus the value itself for scalars.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("a string `{s}`"),
        Value::Number(n) => format!("the number {n}"),
        Value::Bool(b) => format!("the boolean {b}"),
        other => describe(other).to_string(),
    }
}

/// The built-in checker for Kattis default-validator flags.
///
/// - no flags: `Checker::Tokens { case_sensitive: false }` (the Kattis default);
/// - `case_sensitive`: letters compare exactly;
/// - `float_tolerance X` (absolute and relative), `float_absolute_tolerance X`,
///   `float_relative_tolerance X`: `Checker::Float` (an unset tolerance is 0; either one
///   suffices, as in Kattis);
/// - `space_change_sensitive`: Kattis then rejects changes in the amount of whitespace. We
///   have no such checker (`Checker::Exact` would also reject a missing final newline, which
///   Kattis accepts), so this is approximated by the token checker, which is more lenient
///   about whitespace only.
///
/// Unknown flags are an error (the Kattis default validator rejects them as well).
pub fn checker_from_flags(flags: &str) -> Result<Checker, String> {
    let mut case_sensitive = false;
    let (mut abs, mut rel) = (None, None);
    let mut words = flags.split_whitespace();
    while let Some(flag) = words.next() {
        let tolerance = |words: &mut std::str::SplitWhitespace<'_>| -> Result<f64, String> {
            let Some(text) = words.next() else {
                return Err(format!("`{flag}` needs a number after it"));
            };
            match text.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
                _ => Err(format!(
                    "`{flag}` needs a non-negative number, found `{text}`"
                )),
            }
        };
        match flag {
            "case_sensitive" => case_sensitive = true,
            "space_change_sensitive" => {
                tracing::debug!("space_change_sensitive approximated by the token checker");
            }
            "float_tolerance" => {
                let x = tolerance(&mut words)?;
                abs = Some(x);
                rel = Some(x);
            }
            "float_absolute_tolerance" => abs = Some(tolerance(&mut words)?),
            "float_relative_tolerance" => rel = Some(tolerance(&mut words)?),
            other => {
                return Err(format!(
                    "unknown validator flag `{other}` (expected case_sensitive, \
                     space_change_sensitive, float_tolerance, float_absolute_tolerance or \
                     float_relative_tolerance)"
                ));
            }
        }
    }
    Ok(if abs.is_some() || rel.is_some() {
        Checker::Float {
            abs: abs.unwrap_or(0.0),
            rel: rel.unwrap_or(0.0),
            case_sensitive,
        }
    } else {
        Checker::Tokens { case_sensitive }
    })
}

/// Kattis default-validator flags for a built-in checker (`None` for `Checker::Custom`).
///
/// `Checker::Exact` becomes `case_sensitive space_change_sensitive`, the strictest the
/// default validator offers; it reads back as `Tokens { case_sensitive: true }`.
pub fn flags_for_checker(checker: &Checker) -> Option<String> {
    let mut flags = Vec::new();
    match checker {
        Checker::Exact => {
            flags.push("case_sensitive".to_string());
            flags.push("space_change_sensitive".to_string());
        }
        Checker::Tokens { case_sensitive } => {
            if *case_sensitive {
                flags.push("case_sensitive".to_string());
            }
        }
        Checker::Float {
            abs,
            rel,
            case_sensitive,
        } => {
            if abs == rel {
                flags.push(format!("float_tolerance {}", format_float(*abs)));
            } else {
                if *abs != 0.0 {
                    flags.push(format!("float_absolute_tolerance {}", format_float(*abs)));
                }
                if *rel != 0.0 {
                    flags.push(format!("float_relative_tolerance {}", format_float(*rel)));
                }
            }
            if *case_sensitive {
                flags.push("case_sensitive".to_string());
            }
        }
        Checker::Custom => return None,
    }
    Some(flags.join(" "))
}

/// A float in the shortest form that parses back to the same value (`1e-6`, `0.5`).
fn format_float(x: f64) -> String {
    if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e7) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// `output_validator_flags` from `data/testdata.yaml`, else from the first
/// `data/secret/**/testdata.yaml` that sets them (2023 draft). Returns the file and flags.
fn testdata_flags(dir: &Path) -> Result<Option<(PathBuf, String)>, LoadError> {
    let data = dir.join("data");
    let mut files = Vec::new();
    let top = data.join("testdata.yaml");
    if top.is_file() {
        files.push(top);
    }
    let secret = data.join("secret");
    if secret.is_dir() {
        let mut nested = Vec::new();
        collect_files(&secret, 0, &mut nested, &|name| name == "testdata.yaml")?;
        nested.sort_by(|a, b| path_cmp(a, b));
        files.extend(nested);
    }
    let mut found: Option<(PathBuf, String)> = None;
    for file in files {
        let text = read_utf8(&file)?;
        let doc = parse_yaml(&file, &text)?;
        if let Some(v) = get(&doc, "output_validator_flags") {
            let flags = flags_string(v)
                .map_err(|m| LoadError::field(&file, "output_validator_flags", m))?;
            match &found {
                None => found = Some((file, flags)),
                Some((first, kept)) if kept.split_whitespace().ne(flags.split_whitespace()) => {
                    tracing::warn!(
                        "{}: output_validator_flags `{flags}` differ from `{kept}` in {}; one \
                         checker per problem, keeping the first",
                        file.display(),
                        first.display()
                    );
                }
                Some(_) => {}
            }
        }
    }
    Ok(found)
}

/// The `.timelimit` file problemtools writes next to `problem.yaml`, when present.
fn read_timelimit_file(dir: &Path) -> Result<Option<Duration>, LoadError> {
    let path = dir.join(".timelimit");
    if !path.is_file() {
        return Ok(None);
    }
    let text = read_utf8(&path)?;
    match text.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= MAX_TIME_LIMIT_S => {
            Ok(Some(secs_to_duration(secs)))
        }
        _ => Err(LoadError::new(
            &path,
            format!(
                "expected a positive number of seconds, found `{}`",
                text.trim()
            ),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Statement, tests, solutions, checker
// ---------------------------------------------------------------------------------------------

/// The statement file: the preferred names first, then any `problem.<lang>.{md,tex,html}`.
fn find_statement(dir: &Path) -> Result<PathBuf, LoadError> {
    for sub in STATEMENT_DIRS {
        for file in STATEMENT_FILES {
            let path = dir.join(sub).join(file);
            if path.is_file() {
                return Ok(path);
            }
        }
    }
    for ext in ["md", "tex", "html"] {
        for sub in STATEMENT_DIRS {
            let folder = dir.join(sub);
            if !folder.is_dir() {
                continue;
            }
            for (name, path) in list_dir(&folder)? {
                if name.starts_with("problem.")
                    && name.ends_with(&format!(".{ext}"))
                    && path.is_file()
                {
                    return Ok(path);
                }
            }
        }
    }
    Err(LoadError::new(
        dir.join(STATEMENT_DIRS[0]),
        "no statement: expected problem_statement/problem.md (or problem.en.md, \
         problem.en.tex, problem.tex, problem.html, problem.en.html; statement/ in the 2023 \
         draft)",
    ))
}

/// A bare package's statement: the first file, by preference of extension then name, in the
/// folder itself or its statement folder whose extension is one of
/// [`LOOSE_STATEMENT_EXTENSIONS`].
fn find_loose_statement(dir: &Path) -> Result<Option<PathBuf>, LoadError> {
    let mut candidates = Vec::new();
    for folder in std::iter::once(dir.to_path_buf()).chain(STATEMENT_DIRS.map(|s| dir.join(s))) {
        if !folder.is_dir() {
            continue;
        }
        for (_, path) in list_dir(&folder)? {
            let rank = path.extension().and_then(|e| e.to_str()).and_then(|e| {
                LOOSE_STATEMENT_EXTENSIONS
                    .iter()
                    .position(|x| e.eq_ignore_ascii_case(x))
            });
            if let (Some(rank), true) = (rank, path.is_file()) {
                candidates.push((rank, path));
            }
        }
    }
    candidates.sort();
    Ok(candidates.into_iter().next().map(|(_, path)| path))
}

/// A title from the statement: LaTeX `\problemname{...}` or a Markdown `# ` heading.
fn title_from_statement(path: &Path, text: &str) -> Option<String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let title = match ext {
        "tex" => {
            let start = text.find("\\problemname{")? + "\\problemname{".len();
            let mut depth = 1usize;
            let mut end = None;
            for (i, c) in text[start..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(start + i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            text[start..end?].trim().to_string()
        }
        "md" => text
            .lines()
            .find_map(|line| line.strip_prefix("# "))?
            .trim()
            .to_string(),
        _ => return None,
    };
    (!title.is_empty()).then_some(title)
}

/// Tests under `data/sample` and `data/secret` (nested groups), samples first, each group in
/// natural order.
fn read_tests(dir: &Path) -> Result<Vec<Test>, LoadError> {
    let data = dir.join("data");
    let mut found: Vec<(TestGroup, String, PathBuf)> = Vec::new();
    for (group, sub) in [(TestGroup::Sample, "sample"), (TestGroup::Secret, "secret")] {
        let root = data.join(sub);
        if !root.is_dir() {
            continue;
        }
        let mut inputs = Vec::new();
        collect_files(&root, 0, &mut inputs, &|name| name.ends_with(".in"))?;
        for input in inputs {
            let rel = input.strip_prefix(&data).unwrap_or(&input);
            let mut parts = Vec::new();
            for part in rel.iter() {
                parts.push(
                    part.to_str()
                        .ok_or_else(|| LoadError::new(&input, "file name is not valid UTF-8"))?,
                );
            }
            let joined = parts.join("/");
            let name = joined.strip_suffix(".in").unwrap_or(&joined).to_string();
            found.push((group, name, input));
        }
    }
    if found.is_empty() {
        return Err(LoadError::new(
            &data,
            "no tests: expected data/sample/*.in or data/secret/*.in with matching .ans files",
        ));
    }
    found.sort_by(|a, b| test_order(a.0, &a.1, b.0, &b.1));
    let mut tests = Vec::with_capacity(found.len());
    for (group, name, input_path) in found {
        let answer_path = input_path.with_extension("ans");
        if !answer_path.is_file() {
            let file = answer_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            return Err(LoadError::new(
                &input_path,
                format!("missing answer file `{file}` for this input"),
            ));
        }
        let input = read_bytes(&input_path)?;
        let answer = read_bytes(&answer_path)?;
        tests.push(Test {
            name,
            group,
            input: Bytes::from(input),
            answer: Bytes::from(answer),
        });
    }
    Ok(tests)
}

/// Judging order of tests: samples first, then natural order of the name's components.
fn test_order(ga: TestGroup, a: &str, gb: TestGroup, b: &str) -> Ordering {
    let rank = |g: TestGroup| match g {
        TestGroup::Sample => 0,
        TestGroup::Secret => 1,
    };
    rank(ga).cmp(&rank(gb)).then_with(|| components_cmp(a, b))
}

/// Natural order of `/`-separated names, component by component; ties broken bytewise.
fn components_cmp(a: &str, b: &str) -> Ordering {
    let mut xs = a.split('/');
    let mut ys = b.split('/');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => match natural_cmp(x, y) {
                Ordering::Equal => continue,
                other => return other,
            },
        }
    }
}

/// Natural order of paths (by their `/`-joined UTF-8 text).
fn path_cmp(a: &Path, b: &Path) -> Ordering {
    components_cmp(&a.to_string_lossy(), &b.to_string_lossy())
}

/// Natural string order: runs of digits compare as numbers (`2` < `10`), other runs as text,
/// a number before text. Equal-valued numbers (`01`, `1`) compare equal here.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (xs, ys) = (chunks(a), chunks(b));
    for (x, y) in xs.iter().zip(&ys) {
        let order = match (x, y) {
            (Chunk::Num(x), Chunk::Num(y)) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            }
            (Chunk::Text(x), Chunk::Text(y)) => x.cmp(y),
            (Chunk::Num(_), Chunk::Text(_)) => Ordering::Less,
            (Chunk::Text(_), Chunk::Num(_)) => Ordering::Greater,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    xs.len().cmp(&ys.len())
}

/// A run of ASCII digits or of other characters.
#[derive(Debug)]
enum Chunk<'a> {
    Num(&'a str),
    Text(&'a str),
}

fn chunks(s: &str) -> Vec<Chunk<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut digits = None;
    for (i, c) in s.char_indices() {
        let d = c.is_ascii_digit();
        match digits {
            Some(prev) if prev != d => {
                out.push(chunk(&s[start..i], prev));
                start = i;
            }
            _ => {}
        }
        digits = Some(d);
    }
    if let Some(d) = digits {
        out.push(chunk(&s[start..], d));
    }
    out
}

fn chunk(s: &str, digits: bool) -> Chunk<'_> {
    if digits {
        Chunk::Num(s)
    } else {
        Chunk::Text(s)
    }
}

/// Accepted solutions: files in `submissions/accepted/` with a known source extension, in
/// natural order of their names. Binary `.wasm` files (not text) are skipped.
fn read_accepted(dir: &Path) -> Result<Vec<Solution>, LoadError> {
    let folder = dir.join("submissions").join("accepted");
    if !folder.is_dir() {
        return Ok(Vec::new());
    }
    let mut solutions = Vec::new();
    for (name, path) in list_dir(&folder)? {
        if name.starts_with('.') || !path.is_file() {
            continue;
        }
        let Some(lang) = Language::from_path(&path) else {
            continue;
        };
        let bytes = read_bytes(&path)?;
        match String::from_utf8(bytes) {
            Ok(source) => solutions.push(Solution { lang, source, name }),
            Err(_) => tracing::warn!("{}: not UTF-8 text, skipped", path.display()),
        }
    }
    solutions.sort_by(|a, b| natural_cmp(&a.name, &b.name).then_with(|| a.name.cmp(&b.name)));
    Ok(solutions)
}

/// The single checker source (C, C++ or Python) under `output_validators/` or
/// `output_validator/`, if there is one. Several sources are an error.
fn find_checker_source(dir: &Path) -> Result<Option<Solution>, LoadError> {
    let mut sources = Vec::new();
    for sub in VALIDATOR_DIRS {
        let folder = dir.join(sub);
        if folder.is_dir() {
            collect_files(&folder, 0, &mut sources, &|name| {
                matches!(
                    Language::from_path(Path::new(name)),
                    Some(Language::C | Language::Cpp | Language::Python)
                )
            })?;
        }
    }
    match sources.len() {
        0 => Ok(None),
        1 => {
            let path = &sources[0];
            let lang = Language::from_path(path)
                .ok_or_else(|| LoadError::new(path, "unknown checker language"))?;
            let source = read_utf8(path)?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(Some(Solution { lang, source, name }))
        }
        _ => {
            sources.sort();
            let listed: Vec<String> = sources
                .iter()
                .map(|p| p.strip_prefix(dir).unwrap_or(p).display().to_string())
                .collect();
            Err(LoadError::new(
                dir.join(VALIDATOR_DIRS[0]),
                format!(
                    "expected one checker source, found {}: {}",
                    sources.len(),
                    listed.join(", ")
                ),
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// File helpers
// ---------------------------------------------------------------------------------------------

/// Entries of a directory as `(name, path)`, sorted by name; names that are not UTF-8 are
/// skipped.
fn list_dir(dir: &Path) -> Result<Vec<(String, PathBuf)>, LoadError> {
    let read = fs::read_dir(dir)
        .map_err(|e| LoadError::new(dir, format!("cannot read directory: {e}")))?;
    let mut entries = Vec::new();
    for entry in read {
        let entry =
            entry.map_err(|e| LoadError::new(dir, format!("cannot read directory: {e}")))?;
        match entry.file_name().into_string() {
            Ok(name) => entries.push((name, entry.path())),
            Err(name) => {
                tracing::warn!("{}: skipping {:?} (name is not UTF-8)", dir.display(), name)
            }
        }
    }
    entries.sort();
    Ok(entries)
}

/// Files below `dir` (following folders, skipping hidden ones) whose name passes `keep`.
fn collect_files(
    dir: &Path,
    depth: usize,
    out: &mut Vec<PathBuf>,
    keep: &dyn Fn(&str) -> bool,
) -> Result<(), LoadError> {
    if depth > MAX_DEPTH {
        return Err(LoadError::new(
            dir,
            format!("folders nested more than {MAX_DEPTH} deep (a symlink loop?)"),
        ));
    }
    for (name, path) in list_dir(dir)? {
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect_files(&path, depth + 1, out, keep)?;
        } else if path.is_file() && keep(&name) {
            out.push(path);
        }
    }
    Ok(())
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, LoadError> {
    fs::read(path).map_err(|e| LoadError::new(path, format!("cannot read: {e}")))
}

fn read_utf8(path: &Path) -> Result<String, LoadError> {
    String::from_utf8(read_bytes(path)?)
        .map_err(|e| LoadError::new(path, format!("not valid UTF-8: {e}")))
}

/// Text that should be UTF-8; invalid bytes (old Latin-1 statements) are replaced.
fn read_text_lossy(path: &Path) -> Result<String, LoadError> {
    let bytes = read_bytes(path)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            tracing::warn!(
                "{}: not valid UTF-8, invalid bytes replaced",
                path.display()
            );
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------

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

#[cfg(test)]
mod tests {
    use super::*;
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
    fn natural_order() {
        let mut names = vec!["10", "2", "1", "a", "01", "b2", "b10", "b1x"];
        names.sort_by(|a, b| natural_cmp(a, b).then_with(|| a.cmp(b)));
        assert_eq!(names, ["01", "1", "2", "10", "a", "b1x", "b2", "b10"]);
        assert_eq!(
            components_cmp("secret/subtask2/1", "secret/subtask10/0"),
            Ordering::Less
        );
        assert_eq!(components_cmp("secret/a/1", "secret/a-b/1"), Ordering::Less);
        assert_eq!(components_cmp("secret/9", "secret/g/1"), Ordering::Less);
        assert_eq!(
            test_order(TestGroup::Secret, "secret/1", TestGroup::Sample, "sample/9"),
            Ordering::Greater
        );
        assert_eq!(natural_cmp("", ""), Ordering::Equal);
        assert_eq!(natural_cmp("x", ""), Ordering::Greater);
        // Huge numbers do not overflow.
        assert_eq!(
            natural_cmp("99999999999999999999999", "100000000000000000000000"),
            Ordering::Less
        );
    }

    #[test]
    fn flags_map_to_checkers() {
        assert_eq!(checker_from_flags(""), Ok(Checker::default()));
        assert_eq!(
            checker_from_flags("case_sensitive"),
            Ok(Checker::Tokens {
                case_sensitive: true
            })
        );
        assert_eq!(
            checker_from_flags("space_change_sensitive"),
            Ok(Checker::Tokens {
                case_sensitive: false
            })
        );
        assert_eq!(
            checker_from_flags("float_tolerance 1e-6"),
            Ok(Checker::float(1e-6))
        );
        assert_eq!(
            checker_from_flags("float_absolute_tolerance 0.5 case_sensitive"),
            Ok(Checker::Float {
                abs: 0.5,
                rel: 0.0,
                case_sensitive: true
            })
        );
        assert_eq!(
            checker_from_flags(" float_relative_tolerance 1e-4\tfloat_absolute_tolerance 1e-9 "),
            Ok(Checker::Float {
                abs: 1e-9,
                rel: 1e-4,
                case_sensitive: false
            })
        );
        assert!(checker_from_flags("float_tolerance").is_err());
        assert!(checker_from_flags("float_tolerance abc").is_err());
        assert!(checker_from_flags("float_tolerance -1").is_err());
        assert!(checker_from_flags("float_tolerance inf").is_err());
        let unknown = checker_from_flags("frobnicate").unwrap_err();
        assert!(unknown.contains("frobnicate"), "{unknown}");
    }

    #[test]
    fn flags_round_trip() {
        let checkers = [
            Checker::default(),
            Checker::Tokens {
                case_sensitive: true,
            },
            Checker::float(1e-6),
            Checker::Float {
                abs: 0.0,
                rel: 0.25,
                case_sensitive: true,
            },
            Checker::Float {
                abs: 3e-9,
                rel: 0.0,
                case_sensitive: false,
            },
            Checker::Float {
                abs: 1.5e10,
                rel: 1e-300,
                case_sensitive: false,
            },
        ];
        for checker in checkers {
            let flags = flags_for_checker(&checker).unwrap();
            assert_eq!(checker_from_flags(&flags), Ok(checker.clone()), "{flags}");
        }
        assert_eq!(flags_for_checker(&Checker::Custom), None);
        assert_eq!(
            checker_from_flags(&flags_for_checker(&Checker::Exact).unwrap()),
            Ok(Checker::Tokens {
                case_sensitive: true
            })
        );
        assert_eq!(format_float(1e-6), "1e-6");
        assert_eq!(format_float(0.5), "0.5");
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
                |(
                    (name, statement, difficulty, split, tags),
                    nanos,
                    memory,
                    tests,
                    checker,
                    py,
                )| {
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
}
