//! The command line: subcommands, the `run` arguments and the workloads.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "numberdesk-bench", about = "Load generator for numberdesk")]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
pub(crate) enum Workload {
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
    pub(crate) fn reads(self) -> bool {
        matches!(
            self,
            Workload::ListFirst
                | Workload::ListDeep
                | Workload::History
                | Workload::AuditFirst
                | Workload::AuditDeep
        )
    }

    pub(crate) fn name(self) -> &'static str {
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
pub(crate) struct RunArgs {
    /// The running server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub(crate) url: String,
    /// The server's database (tenant setup, deep cursors, raw baseline, seeding).
    #[arg(long, env = "DATABASE_URL")]
    pub(crate) database_url: Option<String>,
    /// A tenant written by `setup --out`; without it one is created through --database-url.
    #[arg(long)]
    pub(crate) tenant: Option<PathBuf>,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    pub(crate) clients: usize,
    /// Seconds per workload.
    #[arg(long, default_value_t = 10.0)]
    pub(crate) duration: f64,
    /// Operations per workload instead of a duration.
    #[arg(long)]
    pub(crate) count: Option<u64>,
    /// Workloads, in order.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "lifecycle,ceiling,raw,rest-create,list-first,list-deep,history,audit-first,audit-deep,http-floor"
    )]
    pub(crate) workloads: Vec<Workload>,
    /// Requests created (as full lifecycles) before the read workloads when fewer exist.
    #[arg(long, default_value_t = 200)]
    pub(crate) prefill: usize,
    /// Write the JSON report here too.
    #[arg(long)]
    pub(crate) json: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// Exit non-zero when a workload completed nothing or hit any error
    /// (for smoke runs; never a timing check).
    #[arg(long)]
    pub(crate) check: bool,
}
