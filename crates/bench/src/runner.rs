//! N concurrent clients running one operation in a loop for a fixed time or
//! count, with latency histograms, error counts by kind and a progress bar.

use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// When a workload stops.
#[derive(Debug, Clone, Copy)]
pub enum Limit {
    /// After this long.
    Duration(Duration),
    /// After this many operations (successful or not).
    Count(u64),
}

/// What one operation reports: the latencies of the HTTP calls (or SQL
/// commands) it made, when it made more than one.
pub type Calls = Vec<Duration>;

/// The outcome of one operation: its calls, or the kind of error it hit.
pub type OpResult = Result<Calls, String>;

/// Latency summary in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    fn of(histogram: &Histogram<u64>) -> Latency {
        let ms = |micros: u64| micros as f64 / 1000.0;
        Latency {
            mean_ms: histogram.mean() / 1000.0,
            p50_ms: ms(histogram.value_at_quantile(0.50)),
            p95_ms: ms(histogram.value_at_quantile(0.95)),
            p99_ms: ms(histogram.value_at_quantile(0.99)),
            max_ms: ms(histogram.max()),
        }
    }
}

/// The result of one workload.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadReport {
    /// Workload name (`lifecycle`, `list-first`, ...).
    pub name: String,
    /// What one operation is (`lifecycle`, `request`, `command`).
    pub unit: String,
    pub clients: usize,
    pub elapsed_s: f64,
    /// Successful operations.
    pub ok: u64,
    /// Failed operations.
    pub errors: u64,
    /// Failed operations by kind.
    pub errors_by_kind: BTreeMap<String, u64>,
    /// Successful operations per second.
    pub throughput: f64,
    /// Latency of successful operations.
    pub latency: Latency,
    /// Calls (HTTP requests / SQL commands) per second, when an operation is several calls.
    pub calls_per_s: Option<f64>,
    /// Latency of the single calls, when an operation is several calls.
    pub call_latency: Option<Latency>,
    /// Events in the log when the workload started (growth runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_events: Option<i64>,
}

struct ClientStats {
    ops: Histogram<u64>,
    calls: Histogram<u64>,
    ok: u64,
    errors: BTreeMap<String, u64>,
}

fn histogram() -> Histogram<u64> {
    // 1 µs .. 10 min, 3 significant digits; the bounds are constants that
    // hdrhistogram accepts, so this cannot fail.
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds")
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX).max(1)
}

/// Runs `op` on `clients` concurrent tasks until `limit`; `op` gets the
/// client index and a global iteration number.
pub async fn run<F, Fut>(
    name: &str,
    unit: &str,
    clients: usize,
    limit: Limit,
    progress: bool,
    op: F,
) -> WorkloadReport
where
    F: Fn(usize, u64) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = OpResult> + Send,
{
    let bar = if progress {
        let (len, template) = match limit {
            Limit::Duration(d) => (
                d.as_millis() as u64,
                "{prefix:>14} [{bar:40}] {elapsed_precise} {msg}",
            ),
            Limit::Count(n) => (n, "{prefix:>14} [{bar:40}] {pos}/{len} {msg}"),
        };
        let bar = ProgressBar::new(len);
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(name.to_owned());
        bar
    } else {
        ProgressBar::hidden()
    };
    let issued = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = match limit {
        Limit::Duration(d) => Some(started + d),
        Limit::Count(_) => None,
    };
    let max = match limit {
        Limit::Count(n) => n,
        Limit::Duration(_) => u64::MAX,
    };
    let ticker = {
        let bar = bar.clone();
        let done = done.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                let n = done.load(Ordering::Relaxed);
                let secs = started.elapsed().as_secs_f64().max(1e-9);
                match limit {
                    Limit::Duration(d) => bar.set_position(
                        (started.elapsed().as_millis() as u64).min(d.as_millis() as u64),
                    ),
                    Limit::Count(_) => bar.set_position(n),
                }
                bar.set_message(format!("{n} ops, {:.0}/s", n as f64 / secs));
            }
        })
    };
    let mut tasks = Vec::with_capacity(clients);
    for client in 0..clients {
        let op = op.clone();
        let issued = issued.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            let mut stats = ClientStats {
                ops: histogram(),
                calls: histogram(),
                ok: 0,
                errors: BTreeMap::new(),
            };
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let i = issued.fetch_add(1, Ordering::Relaxed);
                if i >= max {
                    break;
                }
                let start = Instant::now();
                let outcome = op(client, i).await;
                let took = start.elapsed();
                done.fetch_add(1, Ordering::Relaxed);
                match outcome {
                    Ok(calls) => {
                        stats.ok += 1;
                        let _ = stats.ops.record(micros(took));
                        for call in calls {
                            let _ = stats.calls.record(micros(call));
                        }
                    }
                    Err(kind) => *stats.errors.entry(kind).or_default() += 1,
                }
            }
            stats
        }));
    }
    let mut ops = histogram();
    let mut calls = histogram();
    let mut ok = 0;
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    for task in tasks {
        match task.await {
            Ok(stats) => {
                let _ = ops.add(&stats.ops);
                let _ = calls.add(&stats.calls);
                ok += stats.ok;
                for (kind, n) in stats.errors {
                    *errors.entry(kind).or_default() += n;
                }
            }
            Err(err) => {
                *errors
                    .entry(format!("client task died: {err}"))
                    .or_default() += 1
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64().max(1e-9);
    ticker.abort();
    bar.finish_and_clear();
    let multi = !calls.is_empty();
    WorkloadReport {
        name: name.to_owned(),
        unit: unit.to_owned(),
        clients,
        elapsed_s: elapsed,
        ok,
        errors: errors.values().sum(),
        errors_by_kind: errors,
        throughput: ok as f64 / elapsed,
        latency: Latency::of(&ops),
        calls_per_s: multi.then(|| calls.len() as f64 / elapsed),
        call_latency: multi.then(|| Latency::of(&calls)),
        log_events: None,
    }
}

/// The human-readable table.
pub fn table(reports: &[WorkloadReport]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<26} {:>8} {:>10} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8}  errors\n",
        "workload", "clients", "ok", "ops/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "events"
    ));
    let row = |out: &mut String, name: &str, r: &WorkloadReport, rate: f64, l: &Latency| {
        let errors = if r.errors_by_kind.is_empty() {
            "-".to_owned()
        } else {
            r.errors_by_kind
                .iter()
                .map(|(k, n)| format!("{k}: {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "{:<26} {:>8} {:>10} {:>10.0} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8}  {}\n",
            name,
            r.clients,
            r.ok,
            rate,
            l.p50_ms,
            l.p95_ms,
            l.p99_ms,
            l.max_ms,
            r.log_events.map_or("-".to_owned(), |n| n.to_string()),
            errors
        ));
    };
    for r in reports {
        row(&mut out, &r.name, r, r.throughput, &r.latency);
        if let (Some(rate), Some(l)) = (r.calls_per_s, &r.call_latency) {
            row(&mut out, &format!("  {} (per call)", r.name), r, rate, l);
        }
    }
    out
}
