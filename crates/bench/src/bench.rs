//! The benchmark session: the server's API (with the tenant), the server's
//! PostgreSQL when given, the provisioned requests known so far, and what the
//! read workloads need prepared (prefill, planner statistics, cursor ranges).

use crate::cli::RunArgs;
use crate::runner::{self, Limit, WorkloadReport};
use crate::setup::{self, Tenant};
use crate::workloads::{self, Api};
use anyhow::{bail, Context};
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One benchmark session against one server.
pub(crate) struct Bench {
    pub(crate) api: Api,
    pub(crate) pg: Option<PgPool>,
    /// UUIDs of provisioned requests of the bench organisation.
    pub(crate) known: Arc<Mutex<Vec<String>>>,
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl Bench {
    pub(crate) async fn new(args: &RunArgs) -> anyhow::Result<Bench> {
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

    pub(crate) fn limit(args: &RunArgs) -> Limit {
        match args.count {
            Some(n) => Limit::Count(n),
            None => Limit::Duration(Duration::from_secs_f64(args.duration)),
        }
    }

    pub(crate) fn known(&self) -> Vec<String> {
        self.known.lock().map(|k| k.clone()).unwrap_or_default()
    }

    /// Makes sure some provisioned requests exist for the read workloads.
    /// Refreshes the planner's statistics of the log and the views, as
    /// autovacuum does within a minute or so of a bulk change: a log that grew
    /// by thousands of rows since the last ANALYZE is otherwise planned as if
    /// it were nearly empty (the audit page then sorts every event of the
    /// organisation instead of walking the position index).
    pub(crate) async fn analyze(&self) -> anyhow::Result<()> {
        if let Some(pg) = &self.pg {
            sqlx::query(
                "ANALYZE events, number_requests, phone_numbers, request_counts, event_counts",
            )
            .execute(pg)
            .await?;
        }
        Ok(())
    }

    pub(crate) async fn prefill(&self, args: &RunArgs) -> anyhow::Result<()> {
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

    pub(crate) async fn lifecycles(
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
    pub(crate) async fn ranges(&self) -> anyhow::Result<Option<((i64, i64), (i64, i64))>> {
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
}
