//! The hostile suite over HTTP: its programs with their expected output, its limits as a
//! server configuration and as in-process judge options, the `/judge` body for a program, and
//! the SandboxFusion status each verdict maps to.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use crucible_sandbox::{Checker, JudgeOptions, Language, Limits, Verdict};
use crucible_serve::ServeConfig;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A hostile program: its file, language, source and expected stdout (`output:` header).
pub(crate) struct Hostile {
    pub(crate) name: String,
    pub(crate) lang: Language,
    pub(crate) source: Vec<u8>,
    pub(crate) output: Vec<u8>,
    pub(crate) exact: bool,
}

pub(crate) fn hostile_programs() -> Vec<Hostile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sandbox/tests/hostile");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("hostile dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| Language::from_path(p).is_some())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let lang = Language::from_path(&path)?;
            let source = std::fs::read(&path).expect("read");
            // A binary module cannot travel in a JSON string; the text formats do.
            let text = std::str::from_utf8(&source).ok()?;
            let header = |key: &str| {
                text.lines().take(6).find_map(|l| {
                    let l = l.trim_start_matches(['/', ';', '#', ' ']);
                    l.strip_prefix(key).map(|v| v.trim().to_string())
                })
            };
            let (output, exact) = match (header("output:"), header("output-hex:")) {
                (_, Some(hex)) => (
                    (0..hex.len())
                        .step_by(2)
                        .filter_map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
                        .collect(),
                    true,
                ),
                (Some(out), None) => (out.into_bytes(), false),
                (None, None) => (Vec::new(), false),
            };
            Some(Hostile {
                name: path.file_name()?.to_string_lossy().into_owned(),
                lang,
                source,
                output,
                exact,
            })
        })
        .collect()
}

/// The hostile suite's limits: 0.25 s, 256 MiB, 1 MiB of output.
pub(crate) fn hostile_config() -> ServeConfig {
    ServeConfig {
        max_output_bytes: 1 << 20,
        max_body_bytes: 32 << 20,
        queue: 256,
        ..ServeConfig::default()
    }
}

pub(crate) fn hostile_options(exact: bool) -> JudgeOptions {
    JudgeOptions {
        limits: Limits {
            time: Duration::from_millis(250),
            memory_bytes: 256 << 20,
            output_bytes: 1 << 20,
            stderr_bytes: 1 << 20,
            ..Limits::default()
        },
        checker: if exact {
            Checker::Exact
        } else {
            Checker::default()
        },
        ..JudgeOptions::default()
    }
}

pub(crate) fn judge_body(p: &Hostile) -> Value {
    let checker = if p.exact {
        json!({"kind": "exact"})
    } else {
        json!({"kind": "tokens", "case_sensitive": false})
    };
    json!({
        "language": p.lang.name(),
        "source": String::from_utf8_lossy(&p.source),
        "tests": [{"name": "t", "input": "", "expected_base64": STANDARD.encode(&p.output)}],
        "checker": checker,
        "time_limit": 0.25,
        "memory_limit_mb": 256,
    })
}

/// The SandboxFusion status a verdict must come back as.
pub(crate) fn fusion_status(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Accepted | Verdict::WrongAnswer => "Success",
        Verdict::SandboxError => "SandboxError",
        _ => "Failed",
    }
}
