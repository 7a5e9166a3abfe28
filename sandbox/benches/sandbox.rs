//! End-to-end sandbox benchmarks, printed as Markdown for `BENCHMARKS.md`. Every figure that
//! is compared with a baseline is measured in this same invocation.
//!
//! Run: `cargo bench -p crucible-sandbox --bench sandbox` (needs `g++` and `python3` for the
//! native baselines, and `./setup.sh` done).

use crucible_sandbox::{
    Clock, JudgeOptions, Language, Limits, Sandbox, SandboxConfig, TestCase, Verdict,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common.rs"]
mod common;
use common::real_python;

const TINY_CPP: &str =
    "#include <bits/stdc++.h>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}\n";
const TESTS: usize = 1000;

fn main() {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let scratch = tempfile::tempdir().expect("tempdir");
    println!("## Sandbox benchmarks ({workers} cores)\n");
    runtime.block_on(throughput(workers, scratch.path()));
    cpu_ratio(scratch.path());
    instrumentation_cost();
    compile_latency(scratch.path());
    python_startup();
    memory_per_run(&runtime);
}

fn sandbox_with(workers: usize) -> Sandbox {
    Sandbox::new(SandboxConfig {
        workers,
        ..SandboxConfig::default()
    })
    .expect("sandbox")
}

fn tests() -> Vec<TestCase> {
    common::sum_tests(TESTS)
}

/// Judged tests per second for a tiny C++ program, against fork/exec of the native binary.
async fn throughput(workers: usize, scratch: &Path) {
    let tests = tests();
    println!("### Judging throughput: tiny C++ (a+b), {TESTS} tests, program already compiled\n");
    println!("| runner | workers | tests/s | tests/s per worker |");
    println!("|---|---|---|---|");
    for w in [1, workers] {
        let sandbox = sandbox_with(w);
        let program = sandbox
            .compile(Language::Cpp, TINY_CPP.as_bytes())
            .expect("compile");
        let options = JudgeOptions::default();
        let _warm = sandbox.judge(&program, &tests[..50], &options).await;
        let started = Instant::now();
        let report = sandbox.judge(&program, &tests, &options).await;
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(
            report.verdict,
            Verdict::Accepted,
            "{:?}",
            report.tests.iter().find(|t| !t.verdict.is_accepted())
        );
        let rate = TESTS as f64 / secs;
        println!(
            "| wasm sandbox (judge + token checker) | {w} | {rate:.0} | {:.0} |",
            rate / w as f64
        );
    }
    let native = compile_native_cpp(TINY_CPP, scratch);
    for w in [1, workers] {
        let started = Instant::now();
        std::thread::scope(|s| {
            for chunk in tests.chunks(TESTS.div_ceil(w)) {
                let native = &native;
                s.spawn(move || {
                    for t in chunk {
                        let out = run_native(native, &t.input);
                        assert_eq!(out, t.expected.as_ref());
                    }
                });
            }
        });
        let rate = TESTS as f64 / started.elapsed().as_secs_f64();
        println!(
            "| native fork/exec (no isolation, byte compare) | {w} | {rate:.0} | {:.0} |",
            rate / w as f64
        );
    }
    println!();
}

fn compile_native_cpp(source: &str, scratch: &Path) -> PathBuf {
    let src = scratch.join(format!("native{}.cpp", source.len()));
    std::fs::write(&src, source).expect("write");
    let bin = src.with_extension("bin");
    let status = Command::new("g++")
        .args(["-O2", "-std=c++20", "-o"])
        .arg(&bin)
        .arg(&src)
        .status()
        .expect("g++");
    assert!(status.success());
    bin
}

fn run_native(bin: &Path, input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(bin)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write");
    child.wait_with_output().expect("wait").stdout
}

/// CPU-bound programs: wall time natively (g++ -O2) vs in the sandbox with all limits on.
fn cpu_ratio(scratch: &Path) {
    println!("### CPU-bound time, wasm (memory limits on) vs native g++ -O2\n");
    println!(
        "| program | native (ms) | sandbox, fuel metering (ms) | ratio | sandbox, wall-clock limit only (ms) | ratio |"
    );
    println!("|---|---|---|---|---|---|");
    let metered = sandbox_with(1);
    let unmetered = Sandbox::new(SandboxConfig {
        workers: 1,
        clock: Clock::Wall,
        ..SandboxConfig::default()
    })
    .expect("sandbox");
    let limits = Limits {
        time: Duration::from_secs(60),
        memory_bytes: 1 << 30,
        ..Limits::default()
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("calibration");
    let (mut with_fuel, mut without) = (Vec::new(), Vec::new());
    for name in ["sieve", "sort", "dp"] {
        let source = std::fs::read_to_string(dir.join(format!("{name}.cpp"))).expect("source");
        let native = compile_native_cpp(&source, scratch);
        let native_ms = best_of(3, || {
            let started = Instant::now();
            run_native(&native, b"");
            started.elapsed()
        });
        let time = |sandbox: &Sandbox| {
            let program = sandbox
                .compile(Language::Cpp, source.as_bytes())
                .expect("compile");
            best_of(3, || sandbox.run(&program, b"", &limits).expect("run").wall)
        };
        let (fuel_ms, plain_ms) = (time(&metered), time(&unmetered));
        with_fuel.push(fuel_ms / native_ms);
        without.push(plain_ms / native_ms);
        println!(
            "| {name}.cpp | {native_ms:.1} | {fuel_ms:.1} | {:.2} | {plain_ms:.1} | {:.2} |",
            fuel_ms / native_ms,
            plain_ms / native_ms
        );
    }
    let geo = |r: &[f64]| (r.iter().map(|x| x.ln()).sum::<f64>() / r.len() as f64).exp();
    println!(
        "| geometric mean | | | {:.2} | | {:.2} |\n",
        geo(&with_fuel),
        geo(&without)
    );
}

/// What fuel and epoch checks each cost, alone and together: the calibration programs run
/// directly in wasmtime (no sandbox around them) under four engine configurations.
fn instrumentation_cost() {
    use crucible_sandbox::toolchain::{Toolchain, ToolchainConfig};
    use wasmtime::{Config, Engine, Linker, Module, OptLevel, Store};
    println!("### Fuel and epoch instrumentation, plain wasmtime (ms, best of 3)\n");
    println!("| program | neither | epochs | fuel | fuel + epochs |");
    println!("|---|---|---|---|---|");
    let toolchain = Toolchain::prepare(
        ToolchainConfig::default(),
        &crucible_sandbox::default_cache_dir(),
    )
    .expect("toolchain");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("calibration");
    for name in ["sieve", "sort", "dp"] {
        let source = std::fs::read(dir.join(format!("{name}.cpp"))).expect("source");
        let wasm = toolchain.compile(Language::Cpp, &source).expect("compile");
        let mut row = format!("| {name}.cpp |");
        for (fuel, epochs) in [(false, false), (false, true), (true, false), (true, true)] {
            let mut config = Config::new();
            config
                .consume_fuel(fuel)
                .epoch_interruption(epochs)
                .cranelift_opt_level(OptLevel::Speed)
                .async_stack_size(65 << 20)
                .max_wasm_stack(64 << 20)
                .memory_reservation(4 << 30);
            let engine = Engine::new(&config).expect("engine");
            let module = Module::new(&engine, &wasm).expect("module");
            let mut linker = Linker::new(&engine);
            wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |c| c).expect("linker");
            let ms = best_of(3, || {
                let mut store =
                    Store::new(&engine, wasmtime_wasi::WasiCtxBuilder::new().build_p1());
                if fuel {
                    store.set_fuel(u64::MAX / 4).expect("fuel");
                }
                store.set_epoch_deadline(1 << 40);
                let started = Instant::now();
                let instance = linker.instantiate(&mut store, &module).expect("instance");
                let start = instance
                    .get_typed_func::<(), ()>(&mut store, "_start")
                    .expect("_start");
                let _ = start.call(&mut store, ());
                started.elapsed()
            });
            row += &format!(" {ms:.1} |");
        }
        println!("{row}");
    }
    println!();
}

fn best_of(n: usize, mut f: impl FnMut() -> Duration) -> f64 {
    (0..n)
        .map(|_| f().as_secs_f64() * 1000.0)
        .fold(f64::INFINITY, f64::min)
}

/// Compile latency: cold (unique source), cached in memory, cached on disk (new sandbox).
fn compile_latency(scratch: &Path) {
    println!("### Compile latency (ms; cold = never seen before, includes Cranelift)\n");
    println!("| language | cold | memory cache | disk cache (new process state) |");
    println!("|---|---|---|---|");
    let cases: [(Language, &str); 4] = [
        (
            Language::C,
            "#include <stdio.h>\nint main(void){int a,b;scanf(\"%d %d\",&a,&b);printf(\"%d\\n\",a+b);}\n",
        ),
        (Language::Cpp, TINY_CPP),
        (
            Language::Cpp,
            "#include <iostream>\n#include <vector>\n#include <algorithm>\nint main(){std::vector<int> v{3,1,2};std::sort(v.begin(),v.end());std::cout<<v[0]<<'\\n';}\n",
        ),
        (
            Language::Python,
            "a, b = map(int, input().split())\nprint(a + b)\n",
        ),
    ];
    let labels = [
        "C",
        "C++ (bits/stdc++.h, precompiled)",
        "C++ (<iostream> etc., no PCH)",
        "Python (syntax check)",
    ];
    let cache = scratch.join("compile-cache");
    let python =
        crucible_sandbox::python::default_python_path(&crucible_sandbox::default_cache_dir());
    let config = SandboxConfig {
        cache_dir: cache.clone(),
        python_wasm: Some(python),
        ..SandboxConfig::default()
    };
    // Warm the toolchain (PCH, shims) and the Python interpreter so "cold" is per program.
    let warm = Sandbox::new(config.clone()).expect("sandbox");
    warm.compile(Language::Cpp, TINY_CPP.as_bytes())
        .expect("warm");
    warm.compile(Language::Python, b"pass").expect("warm");
    for ((lang, source), label) in cases.iter().zip(labels) {
        let nonce = format!("{}\n{}", source, comment(*lang));
        let sandbox = Sandbox::new(config.clone()).expect("sandbox");
        let t0 = Instant::now();
        sandbox
            .compile(*lang, nonce.as_bytes())
            .expect("cold compile");
        let cold = t0.elapsed().as_secs_f64() * 1000.0;
        let t1 = Instant::now();
        sandbox
            .compile(*lang, nonce.as_bytes())
            .expect("cached compile");
        let hot = t1.elapsed().as_secs_f64() * 1000.0;
        let fresh = Sandbox::new(config.clone()).expect("sandbox");
        let t2 = Instant::now();
        fresh
            .compile(*lang, nonce.as_bytes())
            .expect("disk compile");
        let disk = t2.elapsed().as_secs_f64() * 1000.0;
        println!("| {label} | {cold:.1} | {hot:.3} | {disk:.1} |");
    }
    println!();
}

/// A comment that makes a source unique, so it misses every cache.
fn comment(lang: Language) -> String {
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    match lang {
        Language::Python => format!("# nonce {nonce}"),
        _ => format!("// nonce {nonce}"),
    }
}

/// Wall time per run of a trivial Python program, against a native `python3 -c pass`.
fn python_startup() {
    println!("### Python start-up per test (ms, mean of 50)\n");
    println!("| runner | ms per run |");
    println!("|---|---|");
    let sandbox = sandbox_with(1);
    let program = sandbox
        .compile(Language::Python, b"print(int(input()) * 2)\n")
        .expect("compile");
    let limits = Limits::default();
    sandbox.run(&program, b"21\n", &limits).expect("warm");
    let n = 50;
    let started = Instant::now();
    for _ in 0..n {
        let report = sandbox.run(&program, b"21\n", &limits).expect("run");
        assert_eq!(report.stdout, b"42\n");
    }
    let wasm = started.elapsed().as_secs_f64() * 1000.0 / n as f64;
    println!("| sandbox, CPython 3.12 on WASI | {wasm:.1} |");
    let python = real_python();
    let started = Instant::now();
    for _ in 0..n {
        let out = Command::new(&python)
            .args(["-c", "print(int(input()) * 2)"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                c.stdin.take().expect("stdin").write_all(b"21\n")?;
                c.wait_with_output()
            })
            .expect("python3");
        assert_eq!(out.stdout, b"42\n");
    }
    let native = started.elapsed().as_secs_f64() * 1000.0 / n as f64;
    println!("| native python3 (no isolation) | {native:.1} |\n");
}

/// Linear memory per run and the process's resident-set high-water mark.
fn memory_per_run(runtime: &tokio::runtime::Runtime) {
    println!("### Memory per concurrent run\n");
    println!("| program | peak linear memory per run (MiB) |");
    println!("|---|---|");
    let sandbox = sandbox_with(2);
    let limits = Limits::default();
    for (label, lang, src) in [
        ("tiny C++", Language::Cpp, TINY_CPP.as_bytes()),
        (
            "tiny Python",
            Language::Python,
            b"a, b = map(int, input().split())\nprint(a + b)\n".as_slice(),
        ),
    ] {
        let program = sandbox.compile(lang, src).expect("compile");
        let reports = runtime.block_on(async {
            let a = sandbox.run_async(&program, b"1 2\n", &limits);
            let b = sandbox.run_async(&program, b"3 4\n", &limits);
            tokio::join!(a, b)
        });
        let peak = reports
            .0
            .expect("run")
            .peak_memory
            .max(reports.1.expect("run").peak_memory);
        println!("| {label} | {:.1} |", peak as f64 / (1 << 20) as f64);
    }
    println!(
        "\nProcess resident-set high-water mark after all benchmarks: {:.0} MiB\n",
        vm_hwm_mib()
    );
}

fn vm_hwm_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
