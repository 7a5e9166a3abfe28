//! A fuel-metered sandbox has no epoch checks; its wall-clock backstop reads the clock each
//! time the guest has burnt a slice of fuel. These tests pin down the three things that make
//! that sound: a guest that spends its time in cheap host calls still meets the backstop,
//! `random_get` pays fuel per byte, and bulk-memory operations (long-running for one unit of
//! fuel) are refused.

use crucible_sandbox::{
    Clock, CompileError, Language, Limits, Sandbox, SandboxConfig, Termination,
};
use std::time::Duration;

fn sandbox(clock: Clock) -> Sandbox {
    Sandbox::new(SandboxConfig {
        workers: 1,
        clock,
        ..SandboxConfig::default()
    })
    .expect("sandbox")
}

fn limits(time_ms: u64) -> Limits {
    Limits {
        time: Duration::from_millis(time_ms),
        ..Limits::default()
    }
}

fn run(sandbox: &Sandbox, wat: &str, limits: &Limits) -> crucible_sandbox::RunReport {
    let program = sandbox
        .compile(Language::Wasm, wat.as_bytes())
        .expect("valid module");
    sandbox.run(&program, b"", limits).expect("run")
}

#[test]
fn host_call_loop_meets_the_wall_clock_backstop() {
    // Each iteration is a host call (~100 ns) for a handful of fuel units: fuel alone would
    // last many seconds, so the backstop must end the run.
    let wat = r#"(module
        (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
        (memory (export "memory") 1)
        (func (export "_start") (loop $l (drop (call $yield)) (br $l))))"#;
    let limits = limits(100);
    let backstop = limits.wall(Language::Wasm);
    let report = run(&sandbox(Clock::Fuel), wat, &limits);
    assert_eq!(report.termination, Termination::WallTimeLimit);
    assert!(
        report.wall >= backstop && report.wall < backstop + Duration::from_secs(2),
        "stopped after {:?}, backstop {backstop:?}",
        report.wall
    );
}

#[test]
fn random_bytes_cost_fuel() {
    // 64 KiB of random bytes per call: charged per byte, the loop runs out of fuel (15 MB of
    // random bytes under 5 ms) well before the backstop; free, it would spin until the backstop.
    let wat = r#"(module
        (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "_start") (loop $l (drop (call $random (i32.const 0) (i32.const 65536))) (br $l))))"#;
    let limits = limits(5);
    let report = run(&sandbox(Clock::Fuel), wat, &limits);
    assert_eq!(report.termination, Termination::TimeLimit);
    assert!(
        report.wall < limits.wall(Language::Wasm),
        "{:?}",
        report.wall
    );
}

#[test]
fn random_get_outside_memory_is_a_fault_not_a_crash() {
    let wat = r#"(module
        (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1)
        (func (export "_start") (call $exit (call $random (i32.const 65530) (i32.const 100)))))"#;
    for clock in [Clock::Fuel, Clock::Wall] {
        let report = run(&sandbox(clock), wat, &limits(1000));
        assert_eq!(report.termination, Termination::Exited(21), "{clock:?}");
    }
}

#[test]
fn bulk_memory_is_refused_only_when_metered() {
    let wat = r#"(module
        (memory (export "memory") 1)
        (func (export "_start") (memory.fill (i32.const 0) (i32.const 1) (i32.const 100))))"#;
    match sandbox(Clock::Fuel).compile(Language::Wasm, wat.as_bytes()) {
        Err(CompileError::Rejected { diagnostics }) => {
            assert!(diagnostics.contains("-mno-bulk-memory"), "{diagnostics}")
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    let report = run(&sandbox(Clock::Wall), wat, &limits(1000));
    assert_eq!(report.termination, Termination::Exited(0));
}
