//! Judge throughput with one worker and with one per core, for programs whose runs take from
//! microseconds to milliseconds, and the CPU the process used meanwhile (so one sees whether
//! the second worker had a core to itself, or the judging loop around the runs took it).
//! Printed as Markdown for `BENCHMARKS.md`.
//!
//! Run: `cargo bench -p crucible-sandbox --bench judge_scaling` (after `./setup.sh`); words
//! after `--` keep only the programs whose name contains one of them (`-- Python`).

#[path = "common.rs"]
mod common;

use crucible_sandbox::{JudgeOptions, Language, Sandbox, SandboxConfig, Verdict};
use std::time::Instant;

/// a + b: a run is an instantiation and a few hundred instructions.
const TINY_CPP: &str =
    "#include <bits/stdc++.h>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}\n";

/// a + b after 300,000 dependent multiply-adds (a run the compiler cannot skip).
const BUSY_CPP: &str = "#include <bits/stdc++.h>\nint main(){long long a,b;std::cin>>a>>b;\
     unsigned long long x=a;for(int i=0;i<300000;i++)x=x*6364136223846793005ULL+1;\
     std::cout<<a+b<<(x==42?\"!\":\"\")<<'\\n';}\n";

/// a + b in Python: a run starts the interpreter.
const PYTHON: &str = "a, b = map(int, input().split())\nprint(a + b)\n";

fn main() {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    println!("## Judge scaling ({cores} cores)\n");
    println!("| program | tests | workers | tests/s | vs 1 worker | CPU cores used |");
    println!("|---|---|---|---|---|---|");
    let cases = [
        ("C++ a+b", Language::Cpp, TINY_CPP, 40_000),
        (
            "C++ a+b after 300k multiply-adds",
            Language::Cpp,
            BUSY_CPP,
            10_000,
        ),
        ("Python a+b", Language::Python, PYTHON, 200),
    ];
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    for (name, lang, source, count) in cases {
        if !only.is_empty() && !only.iter().any(|w| name.contains(w.as_str())) {
            continue;
        }
        let tests = common::sum_tests(count);
        let mut one = 0.0;
        for workers in [1, cores] {
            let sandbox = Sandbox::new(SandboxConfig {
                workers,
                ..SandboxConfig::default()
            })
            .expect("sandbox");
            let program = sandbox.compile(lang, source.as_bytes()).expect("compile");
            let options = JudgeOptions::default();
            let _warm =
                runtime.block_on(sandbox.judge(&program, &tests[..tests.len() / 10], &options));
            let cpu = cpu_seconds();
            let started = Instant::now();
            let report = runtime.block_on(sandbox.judge(&program, &tests, &options));
            let wall = started.elapsed().as_secs_f64();
            let used = (cpu_seconds() - cpu) / wall;
            assert_eq!(report.verdict, Verdict::Accepted, "{name}");
            let rate = count as f64 / wall;
            if workers == 1 {
                one = rate;
            }
            println!(
                "| {name} | {count} | {workers} | {rate:.0} | {:.2}× | {used:.2} |",
                rate / one
            );
        }
    }
}

/// User + system CPU seconds of this process so far (`/proc/self/stat`, clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of the file (utime, stime) are 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}
