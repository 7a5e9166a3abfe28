//! Server settings: the maxima every request's limits are clamped to, the queue, the token.

use crate::ApiError;
use std::time::Duration;

/// How the server runs. `Default` suits one replica on a small machine.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// When set, every endpoint but `/health` needs `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Largest request body accepted, in bytes (larger ones get 413).
    pub max_body_bytes: usize,
    /// Requests admitted at once, running or waiting for a sandbox worker; one more gets 429.
    pub queue: usize,
    /// Largest CPU time limit a request may ask for (calibrated fuel clock); larger asks are
    /// lowered to it. A calibrated Python second is the work native CPython does in a second,
    /// about 13 s of wall time for CPython on WASI: this bounds how long a looping program holds
    /// a worker.
    pub max_time_limit: Duration,
    /// Largest memory limit a request may ask for, in bytes; larger asks are lowered to it.
    pub max_memory_bytes: u64,
    /// Largest compile timeout a request may ask for.
    pub max_compile_timeout: Duration,
    /// Most bytes of stdout (and of stderr) a program may write per run.
    pub max_output_bytes: u64,
    /// Most tests one `/judge` request may carry.
    pub max_tests: usize,
    /// Reported as `executor_pod_name` (SandboxFusion reads `$MY_POD_NAME`).
    pub pod_name: Option<String>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            token: None,
            max_body_bytes: 16 << 20,
            queue: 64,
            max_time_limit: Duration::from_secs(10),
            max_memory_bytes: 1 << 30,
            max_compile_timeout: Duration::from_secs(30),
            max_output_bytes: 16 << 20,
            max_tests: 10_000,
            pod_name: std::env::var("MY_POD_NAME").ok(),
        }
    }
}

impl ServeConfig {
    /// A time limit asked for in seconds: positive and finite, lowered to the maximum.
    pub fn time_limit(&self, field: &str, seconds: f64) -> Result<Duration, ApiError> {
        positive_seconds(field, seconds).map(|d| d.min(self.max_time_limit))
    }

    /// A compile timeout asked for in seconds: positive and finite, lowered to the maximum.
    pub fn compile_timeout(&self, seconds: f64) -> Result<Duration, ApiError> {
        positive_seconds("compile_timeout", seconds).map(|d| d.min(self.max_compile_timeout))
    }

    /// A memory limit asked for in MiB: positive, lowered to the maximum.
    pub fn memory_limit(&self, field: &str, mib: f64) -> Result<u64, ApiError> {
        if !(mib.is_finite() && mib > 0.0) {
            return Err(ApiError::BadRequest(format!(
                "`{field}` must be a positive number of megabytes, got {mib}"
            )));
        }
        let bytes = (mib * f64::from(1u32 << 20)).min(u64::MAX as f64) as u64;
        Ok(bytes.min(self.max_memory_bytes))
    }
}

fn positive_seconds(field: &str, seconds: f64) -> Result<Duration, ApiError> {
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(ApiError::BadRequest(format!(
            "`{field}` must be a positive number of seconds, got {seconds}"
        )));
    }
    Ok(Duration::from_secs_f64(seconds.min(1e9)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_clamped_and_checked() {
        let c = ServeConfig::default();
        assert_eq!(c.time_limit("t", 1e6).ok(), Some(c.max_time_limit));
        assert_eq!(
            c.time_limit("t", 0.5).ok(),
            Some(Duration::from_millis(500))
        );
        assert!(c.time_limit("t", -1.0).is_err());
        assert!(c.time_limit("t", f64::NAN).is_err());
        assert!(c.time_limit("t", 0.0).is_err());
        assert_eq!(c.memory_limit("m", 1e9).ok(), Some(c.max_memory_bytes));
        assert_eq!(c.memory_limit("m", 64.0).ok(), Some(64 << 20));
        assert!(c.memory_limit("m", -5.0).is_err());
    }
}
