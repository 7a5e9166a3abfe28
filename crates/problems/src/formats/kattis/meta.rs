//! `problem.yaml` (and, for the 2023 draft, `data/**/testdata.yaml`; problemtools'
//! `.timelimit`): the metadata of a package that the reader uses, and the YAML helpers.

use super::layout::{collect_files, path_cmp, read_utf8};
use super::{MAX_MEMORY_MIB, MAX_TIME_LIMIT_S, MIB};
use crate::{Difficulty, LoadError, Split};
use serde_yaml_ng::{Mapping, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What `validation` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Validation {
    /// No `validation` key.
    Unspecified,
    /// `validation: default`.
    Default,
    /// `validation: custom` (possibly with `score`).
    Custom,
}

/// The parts of `problem.yaml` we use.
#[derive(Debug)]
pub(super) struct Meta {
    pub(super) name: Option<String>,
    pub(super) time_limit: Option<Duration>,
    pub(super) memory_bytes: Option<u64>,
    pub(super) validation: Validation,
    /// `(field name, flags)` from `validator_flags` / `output_validator_flags`.
    pub(super) flags: Option<(String, String)>,
    /// `problem_format_version` names a 2023 draft (or later) format.
    pub(super) draft_2023: bool,
    pub(super) difficulty: Option<Difficulty>,
    pub(super) split: Option<Split>,
    pub(super) tags: Vec<String>,
}

impl Meta {
    pub(super) fn parse(path: &Path, doc: &Mapping) -> Result<Meta, LoadError> {
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
pub(super) fn parse_yaml(path: &Path, text: &str) -> Result<Mapping, LoadError> {
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

/// `output_validator_flags` from `data/testdata.yaml`, else from the first
/// `data/secret/**/testdata.yaml` that sets them (2023 draft). Returns the file and flags.
pub(super) fn testdata_flags(dir: &Path) -> Result<Option<(PathBuf, String)>, LoadError> {
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
pub(super) fn read_timelimit_file(dir: &Path) -> Result<Option<Duration>, LoadError> {
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
