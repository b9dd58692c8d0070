//! The command path of [`NumberDesk`]: submit and execute, the optimistic
//! retry, the answer from the command's own transaction, and the
//! `numberdesk_commands_total` counter (every command, whoever runs it: the
//! HTTP use cases and the fulfilment workers alike).

use super::{NumberDesk, ORGANIZATION_ID};
use crate::fold::fold;
use crate::model::NumberRequestView;
use crate::store::{OwnView, Sql};
use crate::{CommandError, StoreError};
use chrono::{SecondsFormat, Utc};
use cqrs_es::AggregateError;
use numberdesk_domain::metadata::{CommandMetadata, OCCURRED_AT};
use numberdesk_domain::request::{RequestDetails, SubmitNumberRequest};
use numberdesk_domain::{NumberRequestCommand, NumberRequestError};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use tracing::instrument;
use uuid::Uuid;

/// The counter of commands by `command` and `outcome` (`ok`, `refused` by
/// the domain, `error` of the store), served at `/metrics`.
pub const COMMANDS_TOTAL: &str = "numberdesk_commands_total";

/// How often a command is retried when another writer appended to the same
/// request between its load and its commit.
const CONFLICT_RETRIES: usize = 3;

/// The commands' names, for spans and counters.
fn names(commands: &[NumberRequestCommand]) -> Vec<&'static str> {
    commands.iter().map(NumberRequestCommand::name).collect()
}

/// Counts one command's outcome.
fn count(command: &'static str, result: &Result<NumberRequestView, CommandError>) {
    let outcome = match result {
        Ok(_) => "ok",
        Err(CommandError::Domain(_)) => "refused",
        Err(CommandError::Store(_)) => "error",
    };
    metrics::counter!(COMMANDS_TOTAL, "command" => command, "outcome" => outcome).increment(1);
}

impl NumberDesk {
    /// Draws the next request number ([`crate::store::Dialect::next_number`]).
    async fn allocate_number(&self) -> Result<i64, StoreError> {
        let db = &self.inner.db;
        let next = Sql::new(db.dialect().next_number);
        if !db.dialect().single_writer {
            return db.scalar(next).await;
        }
        let mut tx = db.begin().await?;
        let number = tx.conn().scalar(next).await?;
        tx.commit().await?;
        Ok(number)
    }

    /// Allocates the per-deployment integer number and a new UUID, executes
    /// `Submit`, and returns the request's view (read-your-writes).
    pub async fn submit(
        &self,
        organization_id: i64,
        account_id: Uuid,
        details: RequestDetails,
        meta: &CommandMetadata,
    ) -> Result<NumberRequestView, CommandError> {
        let number = self.allocate_number().await?;
        let id = Uuid::new_v4();
        let command = NumberRequestCommand::Submit(Box::new(SubmitNumberRequest {
            id,
            number,
            organization_id,
            account_id,
            details,
        }));
        let view = self.run(id, vec![command], meta, organization_id).await?;
        self.inner.owners.insert(id, organization_id);
        Ok(view)
    }

    /// Executes any command but `Submit` on an existing request and returns
    /// its updated view. An unknown id is
    /// `CommandError::Domain(NumberRequestError::NotFound)`.
    pub async fn execute(
        &self,
        id: Uuid,
        command: NumberRequestCommand,
        meta: &CommandMetadata,
    ) -> Result<NumberRequestView, CommandError> {
        self.execute_all(id, vec![command], meta).await
    }

    /// Executes several commands (none of them `Submit`) on an existing
    /// request as one: each is decided on the request as the ones before it
    /// left it, and all of their events are appended in one transaction — or,
    /// if any is refused, none (the error is the first refusal). Returns the
    /// view after the last. Used where one outcome is several facts, e.g. an
    /// order the carrier settled at once (`Ordered`, then `Provisioned`).
    pub async fn execute_all(
        &self,
        id: Uuid,
        commands: Vec<NumberRequestCommand>,
        meta: &CommandMetadata,
    ) -> Result<NumberRequestView, CommandError> {
        if commands
            .iter()
            .any(|c| matches!(c, NumberRequestCommand::Submit(_)))
        {
            return Err(CommandError::Domain(NumberRequestError::Invalid {
                field: "command",
                reason: "use submit to open a request".to_owned(),
            }));
        }
        let organization_id = match self.inner.owners.get(&id) {
            Some(owner) => owner,
            None => self.owner(id).await?,
        };
        self.run(id, commands, meta, organization_id).await
    }

    /// The organisation owning a request, from its view or else its log.
    async fn owner(&self, id: Uuid) -> Result<i64, CommandError> {
        let organization_id = match self.request(id).await? {
            Some(view) => view.organization_id,
            None => {
                // The view may lag the log (another process, a crash): read
                // the owner from the log itself.
                let history = self.history(id).await?;
                match fold(&history)? {
                    Some(projection) => projection.request.organization_id,
                    None => return Err(CommandError::Domain(NumberRequestError::NotFound)),
                }
            }
        };
        self.inner.owners.insert(id, organization_id);
        Ok(organization_id)
    }

    /// Runs commands as one and counts each one's outcome.
    #[instrument(skip_all, fields(request_id = %id, commands = ?names(&commands)), err)]
    async fn run(
        &self,
        id: Uuid,
        commands: Vec<NumberRequestCommand>,
        meta: &CommandMetadata,
        organization_id: i64,
    ) -> Result<NumberRequestView, CommandError> {
        let names = names(&commands);
        let result = self
            .run_uncounted(id, commands, meta, organization_id)
            .await;
        for name in names {
            count(name, &result);
        }
        result
    }

    async fn run_uncounted(
        &self,
        id: Uuid,
        commands: Vec<NumberRequestCommand>,
        meta: &CommandMetadata,
        organization_id: i64,
    ) -> Result<NumberRequestView, CommandError> {
        let mut metadata: HashMap<String, String> = meta.to_map();
        metadata.insert(ORGANIZATION_ID.to_owned(), organization_id.to_string());
        let aggregate_id = id.to_string();
        let mut attempt = 0;
        let own_view = loop {
            attempt += 1;
            // Stamped at each attempt: a command that lost a race is recorded
            // now, not when its first attempt began (the store also keeps a
            // request's times in order, whatever the clocks say).
            let at = meta.occurred_at.max(Utc::now());
            metadata.insert(
                OCCURRED_AT.to_owned(),
                at.to_rfc3339_opts(SecondsFormat::Millis, true),
            );
            let result = self
                .inner
                .commands
                .execute(&aggregate_id, commands.clone(), metadata.clone())
                .await;
            match result {
                Ok(own_view) => break own_view,
                Err(AggregateError::AggregateConflict) if attempt < CONFLICT_RETRIES => continue,
                Err(err) => return Err(CommandError::from(err)),
            }
        };
        // The view row committed with the events.
        self.inner.generation.bump();
        match own_view {
            // The answer is the request as this command left it, whatever
            // commands landed on it since (theirs answer their own version).
            Some(OwnView::Written(view)) => {
                self.wake_sequencer();
                Ok(*view)
            }
            // Its view needs positions only the sequencer gives: wait for a
            // pass, then read it.
            Some(OwnView::Deferred) => {
                self.catch_up().await?;
                self.read_view(id).await
            }
            // No view touched (the command decided no events).
            None => {
                self.wake_sequencer();
                self.read_view(id).await
            }
        }
    }

    /// Counts a commit of this process and wakes the sequencer for it.
    fn wake_sequencer(&self) {
        self.inner.committed.fetch_add(1, Ordering::SeqCst);
        self.inner.wake.notify_one();
    }

    async fn read_view(&self, id: Uuid) -> Result<NumberRequestView, CommandError> {
        self.request(id)
            .await?
            .ok_or(CommandError::Domain(NumberRequestError::NotFound))
    }
}
