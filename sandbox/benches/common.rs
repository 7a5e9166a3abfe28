//! Helpers shared by the bench binaries (each uses some of them).
#![allow(dead_code)]

use crucible_sandbox::TestCase;
use std::process::Command;

/// The interpreter behind `python3` (not a pyenv-style shim script, which would add its own
/// start-up time to the baseline).
pub fn real_python() -> String {
    Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "python3".into())
}

/// `count` tests of "a b" → a + b (the inputs `i` and `3i`, the answer `4i`).
pub fn sum_tests(count: usize) -> Vec<TestCase> {
    (0..count)
        .map(|i| {
            TestCase::new(
                format!("{i}"),
                format!("{i} {}\n", i * 3),
                format!("{}\n", i * 4),
            )
        })
        .collect()
}
