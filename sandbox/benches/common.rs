//! Helpers shared by the bench binaries.

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
