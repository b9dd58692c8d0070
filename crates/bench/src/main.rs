//! `numberdesk-bench`: drives a running numberdesk server over real HTTP with
//! N concurrent clients, runs the raw-SQL baseline on the same PostgreSQL, and
//! grows the log with a bulk loader for the growth runs. See BENCHMARKS.md.
//!
//! `cli.rs` (arguments and workloads), `bench.rs` (the session and its
//! preparation), `suite.rs` (running the workloads), `report.rs` (ratios,
//! JSON, `--check`), `runner.rs` (concurrent clients and latencies), and one
//! file per workload family (`workloads.rs`, `raw/`, `ceiling.rs`,
//! `cross_server.rs`), `seed.rs` (the bulk loader), `setup.rs` (the tenant).

mod bench;
mod ceiling;
mod cli;
mod cross_server;
mod raw;
mod report;
mod runner;
mod seed;
mod setup;
mod suite;
mod workloads;

use anyhow::{bail, Context};
use bench::Bench;
use clap::Parser;
use cli::{Cli, Command, RunArgs};
use report::finish;
use serde_json::json;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Setup { database_url, out } => {
            let tenant = setup::create(&database_url).await?;
            let text = serde_json::to_string_pretty(&tenant)?;
            if let Some(path) = out {
                std::fs::write(&path, &text)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            println!("{text}");
            Ok(())
        }
        Command::Run(args) => {
            let mut bench = Bench::new(&args).await?;
            let reports = bench.run_all(&args, None).await?;
            finish(&args, &reports, json!({}))
        }
        Command::Growth { run, levels } => growth(&run, &levels).await,
        Command::CrossServer {
            url,
            url2,
            database_url,
            samples,
            worker_events,
        } => {
            let tenant = setup::create(&database_url).await?;
            cross_server::run(&url, &url2, &tenant, samples, worker_events).await
        }
    }
}

async fn growth(args: &RunArgs, levels: &[i64]) -> anyhow::Result<()> {
    let mut bench = Bench::new(args).await?;
    let Some(pg) = bench.pg.clone() else {
        bail!("growth needs a PostgreSQL --database-url");
    };
    bench.prefill(args).await?;
    let template = bench
        .known()
        .first()
        .cloned()
        .context("no provisioned request to copy")?;
    let mut all = Vec::new();
    for &level in levels {
        let before = seed::log_size(&pg).await?;
        if before < level {
            eprintln!("growing the log from {before} to {level} events");
            seed::grow_to(&pg, &template, level).await?;
        }
        let size = seed::log_size(&pg).await?;
        eprintln!("== log: {size} events");
        let reports = bench.run_all(args, Some(size)).await?;
        for mut report in reports {
            report.name = format!("{}@{}", report.name, level);
            all.push(report);
        }
    }
    finish(args, &all, json!({"levels": levels}))
}
