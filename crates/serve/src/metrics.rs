//! Prometheus metrics, written by hand in the text exposition format: requests by endpoint
//! and status, runs by verdict, queue depth and a latency histogram.

use crucible_sandbox::{CacheStats, Verdict};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

/// The endpoints metrics are kept for (anything else is `other`, so that a scanner cannot
/// grow the label set).
pub const ENDPOINTS: [&str; 7] = [
    "/run_code",
    "/judge",
    "/judge_problem",
    "/submit",
    "/health",
    "/metrics",
    "/v1/ping",
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (count, bound) in self.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

#[derive(Debug, Default)]
struct Counters {
    requests: BTreeMap<(&'static str, u16), u64>,
    runs: HashMap<(&'static str, Verdict), u64>,
    latency: BTreeMap<&'static str, Histogram>,
}

/// The server's counters, shared by every request.
#[derive(Debug, Default)]
pub struct Metrics {
    counters: Mutex<Counters>,
}

/// The label for a request path: one of [`ENDPOINTS`] or `other`.
pub fn endpoint_label(path: &str) -> &'static str {
    ENDPOINTS
        .iter()
        .find(|e| **e == path)
        .copied()
        .unwrap_or("other")
}

impl Metrics {
    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a finished request: its status and how long it took.
    pub fn request(&self, endpoint: &'static str, status: u16, elapsed: Duration) {
        let mut c = self.counters();
        *c.requests.entry((endpoint, status)).or_default() += 1;
        c.latency
            .entry(endpoint)
            .or_default()
            .observe(elapsed.as_secs_f64());
    }

    /// Records the verdict of one judged submission or run.
    pub fn run(&self, endpoint: &'static str, verdict: Verdict) {
        *self.counters().runs.entry((endpoint, verdict)).or_default() += 1;
    }

    /// The exposition text; `queue` is (admitted now, capacity).
    pub fn render(&self, queue: (usize, usize), cache: CacheStats) -> String {
        let c = self.counters();
        let mut out = String::new();
        header(
            &mut out,
            "crucible_serve_requests_total",
            "counter",
            "HTTP requests answered, by endpoint and status.",
        );
        for ((endpoint, status), n) in &c.requests {
            let _ = writeln!(
                out,
                "crucible_serve_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}} {n}"
            );
        }
        header(
            &mut out,
            "crucible_serve_runs_total",
            "counter",
            "Programs judged or run, by endpoint and verdict.",
        );
        let mut runs: Vec<(&str, String, u64)> = c
            .runs
            .iter()
            .map(|((endpoint, verdict), n)| (*endpoint, format!("{verdict:?}"), *n))
            .collect();
        runs.sort();
        for (endpoint, verdict, n) in runs {
            let _ = writeln!(
                out,
                "crucible_serve_runs_total{{endpoint=\"{endpoint}\",verdict=\"{verdict}\"}} {n}"
            );
        }
        header(
            &mut out,
            "crucible_serve_queue_depth",
            "gauge",
            "Requests admitted now (running or waiting for a sandbox worker).",
        );
        let _ = writeln!(out, "crucible_serve_queue_depth {}", queue.0);
        header(
            &mut out,
            "crucible_serve_queue_capacity",
            "gauge",
            "Requests admitted at most; one more is answered 429.",
        );
        let _ = writeln!(out, "crucible_serve_queue_capacity {}", queue.1);
        header(
            &mut out,
            "crucible_serve_compile_cache_total",
            "counter",
            "Compilations by cache outcome.",
        );
        for (outcome, n) in [
            ("memory_hit", cache.memory_hits),
            ("disk_hit", cache.disk_hits),
            ("miss", cache.misses),
        ] {
            let _ = writeln!(
                out,
                "crucible_serve_compile_cache_total{{outcome=\"{outcome}\"}} {n}"
            );
        }
        header(
            &mut out,
            "crucible_serve_request_duration_seconds",
            "histogram",
            "Time from request to response, by endpoint.",
        );
        for (endpoint, h) in &c.latency {
            write_histogram(&mut out, endpoint, h);
        }
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn write_histogram(out: &mut String, endpoint: &str, h: &Histogram) {
    let name = "crucible_serve_request_duration_seconds";
    for (bound, count) in BUCKETS.iter().zip(h.counts) {
        let _ = writeln!(
            out,
            "{name}_bucket{{endpoint=\"{endpoint}\",le=\"{bound}\"}} {count}"
        );
    }
    let _ = writeln!(
        out,
        "{name}_bucket{{endpoint=\"{endpoint}\",le=\"+Inf\"}} {}",
        h.count
    );
    let _ = writeln!(out, "{name}_sum{{endpoint=\"{endpoint}\"}} {}", h.sum);
    let _ = writeln!(out, "{name}_count{{endpoint=\"{endpoint}\"}} {}", h.count);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_has_every_family() {
        let m = Metrics::default();
        m.request("/run_code", 200, Duration::from_millis(30));
        m.request("/run_code", 429, Duration::from_millis(1));
        m.run("/run_code", Verdict::TimeLimitExceeded);
        let text = m.render((3, 64), CacheStats::default());
        assert!(
            text.contains("crucible_serve_requests_total{endpoint=\"/run_code\",status=\"429\"} 1")
        );
        assert!(text.contains("verdict=\"TimeLimitExceeded\"} 1"));
        assert!(text.contains("crucible_serve_queue_depth 3"));
        assert!(text.contains("le=\"0.05\"} 2"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert_eq!(endpoint_label("/etc/passwd"), "other");
    }
}
