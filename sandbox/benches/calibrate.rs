//! Fuel calibration: for CPU-bound programs (sandbox/calibration) and the seed set's reference
//! solutions, the fuel burned in the sandbox per second of native run time (`g++ -O2`,
//! `python3`). The medians are the constants in `src/limits.rs`.
//!
//! Run: `cargo bench -p crucible-sandbox --bench calibrate` on an otherwise idle machine.

use crucible_sandbox::{Language, Limits, Sandbox, SandboxConfig};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common.rs"]
mod common;

/// Native runs shorter than this are dominated by process start-up and are skipped.
const MIN_NATIVE_MS: f64 = 100.0;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sandbox = Sandbox::new(SandboxConfig {
        workers: 1,
        ..SandboxConfig::default()
    })
    .expect("sandbox");
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut samples: Vec<(Language, String, f64)> = Vec::new();
    for lang in [Language::Cpp, Language::Python] {
        for (name, source, inputs) in programs(root, lang) {
            let native = NativeProgram::build(lang, &source, scratch.path());
            let program = sandbox.compile(lang, source.as_bytes()).expect("compile");
            let limits = Limits {
                time: Duration::from_secs(600),
                memory_bytes: 1 << 30,
                ..Limits::default()
            };
            for input in inputs {
                let native_ms = (0..3)
                    .map(|_| native.run_ms(&input))
                    .fold(f64::INFINITY, f64::min);
                if native_ms < MIN_NATIVE_MS {
                    continue;
                }
                let fuel = sandbox.run(&program, &input, &limits).expect("run").fuel;
                samples.push((lang, name.clone(), fuel as f64 / (native_ms / 1000.0)));
            }
        }
    }
    println!("| language | samples | fuel per native second: min | median | max |");
    println!("|---|---|---|---|---|");
    for lang in [Language::Cpp, Language::Python] {
        let mut rates: Vec<f64> = samples
            .iter()
            .filter(|s| s.0 == lang)
            .map(|s| s.2)
            .collect();
        rates.sort_by(f64::total_cmp);
        if rates.is_empty() {
            continue;
        }
        println!(
            "| {lang} | {} | {:.2e} | {:.2e} | {:.2e} |",
            rates.len(),
            rates[0],
            rates[rates.len() / 2],
            rates[rates.len() - 1]
        );
    }
}

/// Calibration programs (no input) and seed-set references with their largest inputs.
fn programs(root: &Path, lang: Language) -> Vec<(String, String, Vec<Vec<u8>>)> {
    let ext = lang.extension();
    let mut out = Vec::new();
    for name in ["sieve", "sort", "dp"] {
        let path = root.join("calibration").join(format!("{name}.{ext}"));
        if let Ok(source) = std::fs::read_to_string(&path) {
            out.push((name.to_string(), source, vec![Vec::new()]));
        }
    }
    let seed = root.join("../puzzles/stdio");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&seed)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs {
        let Ok(source) =
            std::fs::read_to_string(dir.join(format!("submissions/accepted/sol.{ext}")))
        else {
            continue;
        };
        let mut inputs: Vec<Vec<u8>> = std::fs::read_dir(dir.join("data/secret"))
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "in"))
                    .filter_map(|p| std::fs::read(p).ok())
                    .collect()
            })
            .unwrap_or_default();
        inputs.sort_by_key(|i| std::cmp::Reverse(i.len()));
        inputs.truncate(2);
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push((name, source, inputs));
    }
    out
}

/// A natively built (or interpreted) copy of a program.
struct NativeProgram {
    argv: Vec<String>,
}

impl NativeProgram {
    fn build(lang: Language, source: &str, scratch: &Path) -> Self {
        let id = format!(
            "{:x}",
            source.len() * 31 + source.bytes().map(usize::from).sum::<usize>()
        );
        match lang {
            Language::Python => {
                let path = scratch.join(format!("p{id}.py"));
                std::fs::write(&path, source).expect("write");
                NativeProgram {
                    argv: vec![common::real_python(), path.display().to_string()],
                }
            }
            _ => {
                let src = scratch.join(format!("c{id}.cpp"));
                std::fs::write(&src, source).expect("write");
                let bin = src.with_extension("bin");
                let ok = Command::new("g++")
                    .args(["-O2", "-std=c++20", "-o"])
                    .arg(&bin)
                    .arg(&src)
                    .status()
                    .expect("g++");
                assert!(ok.success());
                NativeProgram {
                    argv: vec![bin.display().to_string()],
                }
            }
        }
    }

    fn run_ms(&self, input: &[u8]) -> f64 {
        let started = Instant::now();
        let mut child = Command::new(&self.argv[0])
            .args(&self.argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(input).expect("write");
        drop(stdin);
        child.wait().expect("wait");
        started.elapsed().as_secs_f64() * 1000.0
    }
}
