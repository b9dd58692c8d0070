//! The report of a run: the table, the ratios to the raw-SQL baseline and to
//! the ceiling, the JSON document, and the `--check` verdict.

use crate::cli::RunArgs;
use crate::runner::{self, WorkloadReport};
use anyhow::{bail, Context};
use serde_json::json;

/// Lifecycles per second ÷ the ceiling's lifecycles per second (a lifecycle
/// is four commands).
fn ceiling_ratio(reports: &[WorkloadReport]) -> Option<f64> {
    let find = |name: &str| reports.iter().find(|r| r.name == name);
    match (find("lifecycle"), find("ceiling")) {
        (Some(nd), Some(ceiling)) if ceiling.throughput > 0.0 => {
            Some(nd.throughput / (ceiling.throughput / 4.0))
        }
        _ => None,
    }
}

fn ratio(reports: &[WorkloadReport]) -> Option<f64> {
    let find = |name: &str| reports.iter().find(|r| r.name == name);
    match (find("lifecycle"), find("raw-sql-lifecycle")) {
        (Some(nd), Some(raw)) if raw.throughput > 0.0 => Some(nd.throughput / raw.throughput),
        _ => None,
    }
}

/// Prints the table, the ratios and the JSON report (also to `--json`);
/// with `--check`, fails when a workload completed nothing or hit an error.
pub(crate) fn finish(
    args: &RunArgs,
    reports: &[WorkloadReport],
    extra: serde_json::Value,
) -> anyhow::Result<()> {
    println!("\n{}", runner::table(reports));
    let vs_ceiling = ceiling_ratio(reports);
    if let Some(r) = vs_ceiling {
        println!("lifecycle ÷ (ceiling ÷ 4): {r:.3}");
    }
    let ratio = ratio(reports);
    if let Some(r) = ratio {
        println!("numberdesk ÷ raw SQL (lifecycles/s): {r:.3}");
    }
    let report = json!({
        "url": args.url,
        "clients": args.clients,
        "workloads": reports,
        "lifecycle_vs_raw_ratio": ratio,
        "lifecycle_vs_ceiling_ratio": vs_ceiling,
        "extra": extra,
    });
    let text = serde_json::to_string_pretty(&report)?;
    println!("{text}");
    if let Some(path) = &args.json {
        std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?;
    }
    if args.check {
        let bad: Vec<String> = reports
            .iter()
            .filter(|r| r.ok == 0 || r.errors > 0)
            .map(|r| format!("{} (ok {}, errors {:?})", r.name, r.ok, r.errors_by_kind))
            .collect();
        if !bad.is_empty() {
            bail!("check failed: {}", bad.join("; "));
        }
    }
    Ok(())
}
