//! The write-path ceiling (`shared/bench/ceiling/`, copied to
//! `crates/bench/ceiling/`): what PostgreSQL on this machine does per command
//! with no lock of ours. Runs `cmd_lockfree.sql` exactly as pgbench would
//! (the same statements, one round trip each, simple protocol, `:agg` drawn
//! per transaction, `:client_id` the client index) on the server's
//! PostgreSQL, in the `ceiling` schema that `schema.sql` creates (and that is
//! dropped afterwards). One operation is one command; a lifecycle is four.

use anyhow::{bail, Context};
use rand::Rng;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Executor, PgPool};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SCHEMA: &str = include_str!("../ceiling/schema.sql");
const SCRIPT: &str = include_str!("../ceiling/cmd_lockfree.sql");

/// A `\set name random(low, high)` line of the script.
#[derive(Debug, Clone)]
struct Random {
    name: String,
    low: i64,
    high: i64,
}

/// The parsed pgbench script.
#[derive(Debug, Clone)]
pub struct Script {
    randoms: Vec<Random>,
    statements: Vec<String>,
}

fn parse_random(line: &str) -> anyhow::Result<Random> {
    let rest = line.trim_start_matches("\\set").trim();
    let (name, expr) = rest
        .split_once(char::is_whitespace)
        .context("\\set without an expression")?;
    let args = expr
        .trim()
        .strip_prefix("random(")
        .and_then(|a| a.strip_suffix(')'))
        .context("only random(low, high) is supported")?;
    let (low, high) = args.split_once(',').context("random needs two bounds")?;
    Ok(Random {
        name: name.to_owned(),
        low: low.trim().parse()?,
        high: high.trim().parse()?,
    })
}

impl Script {
    /// Parses `cmd_lockfree.sql`.
    pub fn lockfree() -> anyhow::Result<Script> {
        let mut randoms = Vec::new();
        let mut statements = Vec::new();
        let mut current = String::new();
        for line in SCRIPT.lines() {
            let line = line.trim_end();
            if line.starts_with("\\set") {
                randoms.push(parse_random(line)?);
                continue;
            }
            if line.is_empty() {
                continue;
            }
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(line);
            if line.ends_with(';') {
                statements.push(std::mem::take(&mut current));
            }
        }
        if !current.trim().is_empty() || statements.is_empty() {
            bail!("cmd_lockfree.sql: unterminated or empty script");
        }
        Ok(Script {
            randoms,
            statements,
        })
    }

    /// The statements with this client's variables filled in.
    fn bound(&self, client: usize) -> Vec<String> {
        let mut rng = rand::thread_rng();
        let mut values: Vec<(String, String)> = self
            .randoms
            .iter()
            .map(|r| {
                (
                    format!(":{}", r.name),
                    rng.gen_range(r.low..=r.high).to_string(),
                )
            })
            .collect();
        values.push((":client_id".to_owned(), client.to_string()));
        // Longest names first, so `:a` never replaces part of `:agg`.
        values.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
        self.statements
            .iter()
            .map(|s| {
                values
                    .iter()
                    .fold(s.clone(), |s, (name, value)| s.replace(name, value))
            })
            .collect()
    }
}

/// Creates the `ceiling` schema and a pool of `connections`.
pub async fn prepare(database_url: &str, connections: u32) -> anyhow::Result<PgPool> {
    let pool = PgPoolOptions::new()
        .max_connections(connections)
        .min_connections(connections)
        .acquire_timeout(Duration::from_secs(30))
        .connect(database_url)
        .await?;
    sqlx::raw_sql(SCHEMA)
        .execute(&pool)
        .await
        .context("ceiling schema.sql")?;
    Ok(pool)
}

/// Drops the `ceiling` schema.
pub async fn cleanup(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::raw_sql("DROP SCHEMA IF EXISTS ceiling CASCADE")
        .execute(pool)
        .await?;
    Ok(())
}

/// One command of the script on one connection (a pgbench transaction).
/// (Boxed: sqlx's executor futures are otherwise not `Send` for every
/// lifetime the load runner needs.)
pub fn command(
    pool: PgPool,
    script: Arc<Script>,
    client: usize,
) -> Pin<Box<dyn Future<Output = Result<Vec<Duration>, String>> + Send>> {
    Box::pin(async move {
        let started = Instant::now();
        let mut conn = pool.acquire().await.map_err(|e| format!("acquire: {e}"))?;
        for statement in script.bound(client) {
            // A text without arguments goes out as a simple query, as pgbench sends it.
            if let Err(err) = conn.execute(statement.as_str()).await {
                // Leave the connection clean for the next command.
                let _ = conn.execute("ROLLBACK").await;
                return Err(format!("sql: {err}"));
            }
        }
        Ok(vec![started.elapsed()])
    })
}
