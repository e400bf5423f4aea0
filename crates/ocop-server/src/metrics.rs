//! Prometheus metrics in the text exposition format: requests by route and status,
//! request latencies, commands by outcome, tick runs and timeouts fired.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Histogram bucket bounds, in seconds.
const BOUNDS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BOUNDS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        for (b, c) in BOUNDS.iter().zip(self.counts.iter_mut()) {
            if secs <= *b {
                *c += 1;
            }
        }
        self.count += 1;
        self.sum += secs;
    }
}

#[derive(Debug, Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
    commands: BTreeMap<String, u64>,
    ticks: BTreeMap<String, u64>,
    fired: u64,
}

/// The server's counters.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    inner: Mutex<Inner>,
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A request answered.
    pub(crate) fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let mut m = self.inner();
        *m.requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        m.latency
            .entry(route.to_owned())
            .or_default()
            .observe(took.as_secs_f64());
    }

    /// A command decided: `ok`, `replayed`, or the problem's code.
    pub(crate) fn command(&self, outcome: &str) {
        *self.inner().commands.entry(outcome.to_owned()).or_default() += 1;
    }

    /// A tick run: `ok` or `failed`, with the timeouts it fired.
    pub(crate) fn tick(&self, outcome: &str, fired: usize) {
        let mut m = self.inner();
        *m.ticks.entry(outcome.to_owned()).or_default() += 1;
        m.fired += fired as u64;
    }

    /// The metrics as Prometheus text.
    pub(crate) fn render(&self) -> String {
        let m = self.inner();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP ocop_http_requests_total HTTP requests answered, by method, route and status."
        );
        let _ = writeln!(out, "# TYPE ocop_http_requests_total counter");
        for ((method, route, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "ocop_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(method),
                escape(route)
            );
        }
        let _ = writeln!(
            out,
            "# HELP ocop_http_request_duration_seconds Time to answer a request, by route."
        );
        let _ = writeln!(out, "# TYPE ocop_http_request_duration_seconds histogram");
        for (route, h) in &m.latency {
            let r = escape(route);
            for (b, c) in BOUNDS.iter().zip(h.counts.iter()) {
                let _ = writeln!(
                    out,
                    "ocop_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{b}\"}} {c}"
                );
            }
            let _ = writeln!(
                out,
                "ocop_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "ocop_http_request_duration_seconds_sum{{route=\"{r}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "ocop_http_request_duration_seconds_count{{route=\"{r}\"}} {}",
                h.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP ocop_commands_total Commands decided, by outcome (`ok`, `replayed`, or the problem code)."
        );
        let _ = writeln!(out, "# TYPE ocop_commands_total counter");
        for (outcome, n) in &m.commands {
            let _ = writeln!(
                out,
                "ocop_commands_total{{outcome=\"{}\"}} {n}",
                escape(outcome)
            );
        }
        let _ = writeln!(
            out,
            "# HELP ocop_tick_runs_total Background tick runs, by outcome."
        );
        let _ = writeln!(out, "# TYPE ocop_tick_runs_total counter");
        for (outcome, n) in &m.ticks {
            let _ = writeln!(
                out,
                "ocop_tick_runs_total{{outcome=\"{}\"}} {n}",
                escape(outcome)
            );
        }
        let _ = writeln!(
            out,
            "# HELP ocop_timeouts_fired_total Deadlines fired by this node's ticker."
        );
        let _ = writeln!(out, "# TYPE ocop_timeouts_fired_total counter");
        let _ = writeln!(out, "ocop_timeouts_fired_total {}", m.fired);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_buckets() {
        let m = Metrics::default();
        m.request("GET", "/api/v1/cases", 200, Duration::from_millis(3));
        m.command("ok");
        m.tick("ok", 2);
        let text = m.render();
        assert!(text.contains(
            "ocop_http_requests_total{method=\"GET\",route=\"/api/v1/cases\",status=\"200\"} 1"
        ));
        assert!(text.contains(
            "ocop_http_request_duration_seconds_bucket{route=\"/api/v1/cases\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "ocop_http_request_duration_seconds_bucket{route=\"/api/v1/cases\",le=\"0.001\"} 0"
        ));
        assert!(text.contains("ocop_commands_total{outcome=\"ok\"} 1"));
        assert!(text.contains("ocop_timeouts_fired_total 2"));
    }
}
