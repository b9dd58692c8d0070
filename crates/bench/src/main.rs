//! `numberdesk-bench`: drives a running numberdesk server over real HTTP with
//! N concurrent clients, runs the raw-SQL baseline on the same PostgreSQL, and
//! grows the log with a bulk loader for the growth runs. See BENCHMARKS.md.

mod ceiling;
mod cross_server;
mod raw;
mod runner;
mod seed;
mod setup;
mod workloads;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};
use rand::Rng;
use runner::{Limit, WorkloadReport};
use serde_json::json;
use setup::Tenant;
use sqlx::PgPool;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use workloads::Api;

#[derive(Debug, Parser)]
#[command(name = "numberdesk-bench", about = "Load generator for numberdesk")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a benchmark tenant in the server's database and print it as JSON.
    Setup {
        /// The server's database.
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// Also write the tenant JSON here.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run workloads against a running server (and the raw-SQL baseline).
    Run(RunArgs),
    /// Subscriber latency across two servers on one database: writes through
    /// `--url`, a subscriber on `--url2` (see `cross_server.rs`).
    CrossServer {
        /// Server 1 (writes).
        #[arg(long)]
        url: String,
        /// Server 2 (the subscriber).
        #[arg(long)]
        url2: String,
        /// The servers' database (a bench tenant is created in it).
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// Writes to time.
        #[arg(long, default_value_t = 400)]
        samples: usize,
        /// Time the fulfilment workers' events instead (servers started
        /// with `AUTO_FULFILMENT=true`): from each `Ordered`/`Provisioned`
        /// event's `occurredAt` to the subscriber on server 2 hearing it.
        #[arg(long)]
        worker_events: bool,
    },
    /// Grow the log to each level with the bulk loader and measure at each.
    Growth {
        #[command(flatten)]
        run: RunArgs,
        /// Log sizes (events) to measure at, ascending.
        #[arg(long, value_delimiter = ',', default_value = "1000,100000,1000000")]
        levels: Vec<i64>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Workload {
    /// submit → assign → order → provisioned through GraphQL.
    Lifecycle,
    /// The REST create of the contract's example body.
    RestCreate,
    /// REST list, first page (20).
    ListFirst,
    /// REST list, a page among the oldest requests (keyset cursor).
    ListDeep,
    /// GraphQL history of a random request.
    History,
    /// GraphQL audit feed of the organisation, first page.
    AuditFirst,
    /// GraphQL audit feed, a page after a random position.
    AuditDeep,
    /// The raw-SQL lifecycle baseline on PostgreSQL.
    Raw,
    /// The lock-free write ceiling: `ceiling/cmd_lockfree.sql` as pgbench
    /// runs it, 32 connections, on the server's PostgreSQL (one op = one
    /// command; a lifecycle is four).
    Ceiling,
    /// `GET /healthz`: the HTTP stack alone (no database, no auth), the
    /// ceiling of any other workload on the same machine and generator.
    HttpFloor,
}

impl Workload {
    /// Whether it only reads (and so depends on the planner's statistics).
    fn reads(self) -> bool {
        matches!(
            self,
            Workload::ListFirst
                | Workload::ListDeep
                | Workload::History
                | Workload::AuditFirst
                | Workload::AuditDeep
        )
    }

    fn name(self) -> &'static str {
        match self {
            Workload::Lifecycle => "lifecycle",
            Workload::RestCreate => "rest-create",
            Workload::ListFirst => "list-first",
            Workload::ListDeep => "list-deep",
            Workload::History => "history",
            Workload::AuditFirst => "audit-first",
            Workload::AuditDeep => "audit-deep",
            Workload::Raw => "raw-sql-lifecycle",
            Workload::Ceiling => "ceiling",
            Workload::HttpFloor => "http-floor",
        }
    }
}

#[derive(Debug, Clone, clap::Args)]
struct RunArgs {
    /// The running server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The server's database (tenant setup, deep cursors, raw baseline, seeding).
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// A tenant written by `setup --out`; without it one is created through --database-url.
    #[arg(long)]
    tenant: Option<PathBuf>,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Seconds per workload.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Operations per workload instead of a duration.
    #[arg(long)]
    count: Option<u64>,
    /// Workloads, in order.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "lifecycle,ceiling,raw,rest-create,list-first,list-deep,history,audit-first,audit-deep,http-floor"
    )]
    workloads: Vec<Workload>,
    /// Requests created (as full lifecycles) before the read workloads when fewer exist.
    #[arg(long, default_value_t = 200)]
    prefill: usize,
    /// Write the JSON report here too.
    #[arg(long)]
    json: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    no_progress: bool,
    /// Exit non-zero when a workload completed nothing or hit any error
    /// (for smoke runs; never a timing check).
    #[arg(long)]
    check: bool,
}

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

struct Bench {
    api: Api,
    pg: Option<PgPool>,
    /// UUIDs of provisioned requests of the bench organisation.
    known: Arc<Mutex<Vec<String>>>,
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl Bench {
    async fn new(args: &RunArgs) -> anyhow::Result<Bench> {
        let tenant: Tenant = match (&args.tenant, &args.database_url) {
            (Some(path), _) => setup::load(path)?,
            (None, Some(url)) => setup::create(url).await?,
            (None, None) => bail!("give --tenant FILE or --database-url (DATABASE_URL)"),
        };
        let pg = match &args.database_url {
            Some(url) if is_postgres(url) => Some(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .connect(url)
                    .await
                    .context("connecting to PostgreSQL")?,
            ),
            _ => None,
        };
        let api = Api {
            base: Arc::from(args.url.trim_end_matches('/')),
            client: workloads::http_client(args.clients)?,
            tenant: Arc::new(tenant),
        };
        let health = api
            .client
            .get(format!("{}/healthz", api.base))
            .send()
            .await
            .with_context(|| format!("no numberdesk server answers at {}", api.base))?;
        if !health.status().is_success() {
            bail!("{}/healthz answered {}", api.base, health.status());
        }
        Ok(Bench {
            api,
            pg,
            known: Arc::new(Mutex::new(Vec::new())),
        })
    }

    fn limit(args: &RunArgs) -> Limit {
        match args.count {
            Some(n) => Limit::Count(n),
            None => Limit::Duration(Duration::from_secs_f64(args.duration)),
        }
    }

    fn known(&self) -> Vec<String> {
        self.known.lock().map(|k| k.clone()).unwrap_or_default()
    }

    /// Makes sure some provisioned requests exist for the read workloads.
    /// Refreshes the planner's statistics of the log and the views, as
    /// autovacuum does within a minute or so of a bulk change: a log that grew
    /// by thousands of rows since the last ANALYZE is otherwise planned as if
    /// it were nearly empty (the audit page then sorts every event of the
    /// organisation instead of walking the position index).
    async fn analyze(&self) -> anyhow::Result<()> {
        if let Some(pg) = &self.pg {
            sqlx::query(
                "ANALYZE events, number_requests, phone_numbers, request_counts, event_counts",
            )
            .execute(pg)
            .await?;
        }
        Ok(())
    }

    async fn prefill(&self, args: &RunArgs) -> anyhow::Result<()> {
        if let Some(pg) = &self.pg {
            let ids: Vec<String> = sqlx::query_scalar(
                "SELECT uuid::text FROM number_requests WHERE organization_id = $1 \
                 AND status = 'provisioned' ORDER BY random() LIMIT 2000",
            )
            .bind(self.api.tenant.organization_id)
            .fetch_all(pg)
            .await?;
            if let Ok(mut known) = self.known.lock() {
                known.extend(ids);
                known.sort();
                known.dedup();
            }
        }
        let have = self.known().len();
        if have >= args.prefill {
            return Ok(());
        }
        let report = self
            .lifecycles(
                "prefill",
                args.clients.min(8),
                Limit::Count((args.prefill - have) as u64),
                args.no_progress,
            )
            .await;
        if report.ok == 0 {
            bail!("prefill failed: {:?}", report.errors_by_kind);
        }
        self.analyze().await
    }

    async fn lifecycles(
        &self,
        name: &str,
        clients: usize,
        limit: Limit,
        no_progress: bool,
    ) -> WorkloadReport {
        let api = self.api.clone();
        let known = self.known.clone();
        runner::run(
            name,
            "lifecycle",
            clients,
            limit,
            !no_progress,
            move |_, _| {
                let api = api.clone();
                let known = known.clone();
                async move {
                    let (calls, id) = api.lifecycle().await?;
                    if let Ok(mut known) = known.lock() {
                        if known.len() < 10_000 {
                            known.push(id);
                        }
                    }
                    Ok(calls)
                }
            },
        )
        .await
    }

    /// Lowest and highest request number and event position of the bench org.
    async fn ranges(&self) -> anyhow::Result<Option<((i64, i64), (i64, i64))>> {
        let Some(pg) = &self.pg else { return Ok(None) };
        let org = self.api.tenant.organization_id;
        let numbers: (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT MIN(id), MAX(id) FROM number_requests WHERE organization_id = $1",
        )
        .bind(org)
        .fetch_one(pg)
        .await?;
        let positions: (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT MIN(position), MAX(position) FROM events WHERE organization_id = $1",
        )
        .bind(org)
        .fetch_one(pg)
        .await?;
        Ok(match (numbers, positions) {
            ((Some(a), Some(b)), (Some(c), Some(d))) => Some(((a, b), (c, d))),
            _ => None,
        })
    }

    async fn run_all(
        &mut self,
        args: &RunArgs,
        log_events: Option<i64>,
    ) -> anyhow::Result<Vec<WorkloadReport>> {
        let limit = Self::limit(args);
        let progress = !args.no_progress;
        let mut reports = Vec::new();
        for workload in &args.workloads {
            let name = workload.name();
            let api = self.api.clone();
            if workload.reads() {
                self.analyze().await?;
            }
            let mut report = match workload {
                Workload::Lifecycle => {
                    self.lifecycles(name, args.clients, limit, args.no_progress)
                        .await
                }
                Workload::RestCreate => {
                    runner::run(
                        name,
                        "request",
                        args.clients,
                        limit,
                        progress,
                        move |_, _| {
                            let api = api.clone();
                            async move { api.rest_create().await.map(|_| Vec::new()) }
                        },
                    )
                    .await
                }
                Workload::ListFirst | Workload::AuditFirst | Workload::HttpFloor => {
                    // One call each, nothing to prepare.
                    let workload = *workload;
                    runner::run(
                        name,
                        "request",
                        args.clients,
                        limit,
                        progress,
                        move |_, _| {
                            let api = api.clone();
                            async move {
                                match workload {
                                    Workload::ListFirst => api.list(None).await,
                                    Workload::AuditFirst => api.audit(None).await,
                                    _ => api.healthz().await,
                                }
                            }
                        },
                    )
                    .await
                }
                Workload::ListDeep | Workload::AuditDeep => {
                    self.prefill(args).await?;
                    let Some(((low, high), (first, last))) = self.ranges().await? else {
                        eprintln!(
                            "{name}: skipped (needs a PostgreSQL --database-url for cursors)"
                        );
                        continue;
                    };
                    let deep = *workload == Workload::ListDeep;
                    runner::run(
                        name,
                        "request",
                        args.clients,
                        limit,
                        progress,
                        move |_, _| {
                            let api = api.clone();
                            // A page among the oldest 10 % (keyset cursor),
                            // or the audit feed after a random position.
                            let cursor = {
                                let mut rng = rand::thread_rng();
                                if deep {
                                    low + 21 + rng.gen_range(0..((high - low) / 10).max(1))
                                } else {
                                    rng.gen_range(first..=last.max(first))
                                }
                            };
                            async move {
                                if deep {
                                    api.list(Some(cursor)).await
                                } else {
                                    api.audit(Some(cursor)).await
                                }
                            }
                        },
                    )
                    .await
                }
                Workload::History => {
                    self.prefill(args).await?;
                    let ids = Arc::new(self.known());
                    runner::run(
                        name,
                        "request",
                        args.clients,
                        limit,
                        progress,
                        move |_, i| {
                            let api = api.clone();
                            let ids = ids.clone();
                            async move {
                                let id = &ids[(i as usize * 7919) % ids.len()];
                                api.history(id).await
                            }
                        },
                    )
                    .await
                }
                Workload::Raw => match self.raw(args, limit).await? {
                    Some(report) => report,
                    None => continue,
                },
                Workload::Ceiling => match self.ceiling(args, limit).await? {
                    Some(report) => report,
                    None => continue,
                },
            };
            report.log_events = log_events;
            eprintln!(
                "{}",
                runner::table(std::slice::from_ref(&report)).trim_end()
            );
            reports.push(report);
        }
        Ok(reports)
    }

    async fn ceiling(
        &mut self,
        args: &RunArgs,
        limit: Limit,
    ) -> anyhow::Result<Option<WorkloadReport>> {
        let Some(url) = &args.database_url else {
            eprintln!("ceiling: skipped (needs a PostgreSQL --database-url)");
            return Ok(None);
        };
        let script = Arc::new(ceiling::Script::lockfree()?);
        let pool = ceiling::prepare(url, CEILING_CONNECTIONS).await?;
        let for_run = pool.clone();
        let report = runner::run(
            Workload::Ceiling.name(),
            "command",
            CEILING_CONNECTIONS as usize,
            limit,
            !args.no_progress,
            move |client, _| {
                let pool = for_run.clone();
                let script = script.clone();
                ceiling::command(pool, script, client)
            },
        )
        .await;
        ceiling::cleanup(&pool).await?;
        pool.close().await;
        Ok(Some(report))
    }

    async fn raw(
        &mut self,
        args: &RunArgs,
        limit: Limit,
    ) -> anyhow::Result<Option<WorkloadReport>> {
        let (Some(url), Some(pg)) = (&args.database_url, &self.pg) else {
            eprintln!("raw-sql-lifecycle: skipped (needs a PostgreSQL --database-url)");
            return Ok(None);
        };
        // A real provisioned request to copy payloads from.
        let template = match self.known().first() {
            Some(id) => id.clone(),
            None => self.api.lifecycle().await.map_err(anyhow::Error::msg)?.1,
        };
        let template = raw::template(pg, &template).await?;
        // The server's pool holds 16 connections; the baseline gets as many.
        let pool = raw::prepare(url, 16).await?;
        let raw = raw::Raw::new(pool.clone(), template);
        let report = runner::run(
            Workload::Raw.name(),
            "lifecycle",
            args.clients,
            limit,
            !args.no_progress,
            move |_, _| {
                let raw = raw.clone();
                async move { raw.lifecycle().await }
            },
        )
        .await;
        pool.close().await;
        raw::cleanup(url).await?;
        Ok(Some(report))
    }
}

/// Connections (and clients) of the ceiling: pgbench `-c 32`.
const CEILING_CONNECTIONS: u32 = 32;

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

fn finish(
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
