//! The command side behind the seam: cqrs-es on whichever event repository
//! the database has (postgres-es's or this crate's SQLite one), as one type.

use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::{PersistedEventRepository, PersistedEventStore};
use cqrs_es::{Aggregate, AggregateError, EventStore};
use futures::future::BoxFuture;
use numberdesk_domain::{NumberRequest, NumberRequestCommand, NumberRequestError};
use std::collections::HashMap;

use super::event_repo::EventRepository;
use super::own_view::OwnView;
use super::Database;

/// Runs commands against one request's stream.
trait Execute: Send + Sync {
    fn execute<'a>(
        &'a self,
        aggregate_id: &'a str,
        commands: Vec<NumberRequestCommand>,
        metadata: HashMap<String, String>,
    ) -> BoxFuture<'a, Result<(), AggregateError<NumberRequestError>>>;
}

/// What cqrs-es's `CqrsFramework::execute_with_metadata` does (load, handle,
/// commit; this service registers no queries), for one command or several
/// handled one after the other on the same loaded request and committed
/// together: all of their events or none.
impl<R: PersistedEventRepository + 'static> Execute for PersistedEventStore<R, NumberRequest> {
    fn execute<'a>(
        &'a self,
        aggregate_id: &'a str,
        commands: Vec<NumberRequestCommand>,
        metadata: HashMap<String, String>,
    ) -> BoxFuture<'a, Result<(), AggregateError<NumberRequestError>>> {
        Box::pin(async move {
            let mut context = self.load_aggregate(aggregate_id).await?;
            let sink: EventSink<NumberRequest> = EventSink::default();
            for command in commands {
                // The sink applies each event to the aggregate as it is
                // written, so a command sees what the ones before it did.
                context
                    .aggregate
                    .handle(command, &(), &sink)
                    .await
                    .map_err(AggregateError::UserError)?;
            }
            self.commit(sink.collect().await, context, metadata).await?;
            Ok(())
        })
    }
}

/// cqrs-es's event store on the database's event repository (see
/// `Database::commands`).
pub(crate) struct Commands(Box<dyn Execute>);

impl Commands {
    /// cqrs-es on `repo`, snapshotting every `snapshot_every` events (0 =
    /// never).
    pub(super) fn on<R: PersistedEventRepository + 'static>(
        repo: R,
        snapshot_every: usize,
    ) -> Self {
        let store = if snapshot_every == 0 {
            PersistedEventStore::new_event_store(repo)
        } else {
            PersistedEventStore::new_snapshot_store(repo, snapshot_every)
        }
        .with_upcasters(numberdesk_domain::request::upcasting::upcasters());
        Commands(Box::new(store))
    }

    /// Loads the request, handles the commands in order and appends all of
    /// their events in one transaction (optimistically: a concurrent append
    /// is `AggregateConflict`). A command refused leaves nothing appended.
    pub async fn execute(
        &self,
        aggregate_id: &str,
        commands: Vec<NumberRequestCommand>,
        metadata: HashMap<String, String>,
    ) -> Result<Option<OwnView>, AggregateError<NumberRequestError>> {
        let (result, own_view) =
            super::own_view::capture(self.0.execute(aggregate_id, commands, metadata)).await;
        result.map(|()| own_view)
    }
}

impl Database {
    /// The command side on this database's event store (the seam's own
    /// repository, which writes a request's view row in the command's
    /// transaction; see `event_repo.rs`).
    pub(crate) fn commands(&self, snapshot_every: usize) -> Commands {
        Commands::on(EventRepository::new(self.clone()), snapshot_every)
    }
}
