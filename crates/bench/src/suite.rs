//! Running the chosen workloads in order: the HTTP ones through the server,
//! the raw-SQL baseline and the lock-free ceiling on its PostgreSQL.

use crate::bench::Bench;
use crate::cli::{RunArgs, Workload};
use crate::runner::{self, Limit, WorkloadReport};
use crate::{ceiling, raw};
use rand::Rng;
use std::sync::Arc;

/// Connections (and clients) of the ceiling: pgbench `-c 32`.
const CEILING_CONNECTIONS: u32 = 32;

impl Bench {
    /// Runs `args.workloads` in order, printing each report as it ends.
    pub(crate) async fn run_all(
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
