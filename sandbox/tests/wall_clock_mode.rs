//! With fuel metering off, the time limit is a plain wall-clock limit (epochs): a spinning
//! module is stopped near the limit, a quick one finishes and reports no fuel.

use crucible_sandbox::{Clock, Language, Limits, Sandbox, SandboxConfig, Termination, Verdict};
use std::time::Duration;

#[test]
fn wall_clock_limit_replaces_fuel_when_metering_is_off() {
    let sandbox = Sandbox::new(SandboxConfig {
        workers: 1,
        clock: Clock::Wall,
        ..SandboxConfig::default()
    })
    .expect("sandbox");
    let limits = Limits {
        time: Duration::from_millis(200),
        ..Limits::default()
    };
    let spin = sandbox
        .compile(
            Language::Wasm,
            br#"(module (func (export "_start") (loop $l br $l)))"#,
        )
        .expect("valid module");
    let report = sandbox.run(&spin, b"", &limits).expect("run");
    assert_eq!(report.termination, Termination::WallTimeLimit);
    assert_eq!(
        report.termination.verdict(),
        Some(Verdict::TimeLimitExceeded)
    );
    assert!(
        report.wall >= Duration::from_millis(190) && report.wall < Duration::from_secs(2),
        "{:?}",
        report.wall
    );
    assert_eq!(report.fuel, 0);
    let quick = sandbox
        .compile(Language::Wasm, br#"(module (func (export "_start")))"#)
        .expect("valid module");
    let report = sandbox.run(&quick, b"", &limits).expect("run");
    assert_eq!(report.termination, Termination::Exited(0));
}
