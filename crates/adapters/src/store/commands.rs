//! The command side behind the seam: cqrs-es on whichever event repository
//! the database has (postgres-es's or this crate's SQLite one), as one type.

use cqrs_es::persist::{PersistedEventRepository, PersistedEventStore};
use cqrs_es::{AggregateError, CqrsFramework};
use futures::future::BoxFuture;
use numberdesk_domain::{NumberRequest, NumberRequestCommand, NumberRequestError};
use std::collections::HashMap;

use super::event_repo::EventRepository;
use super::own_view::OwnView;
use super::Database;

/// Runs one command against one request's stream.
trait Execute: Send + Sync {
    fn execute<'a>(
        &'a self,
        aggregate_id: &'a str,
        command: NumberRequestCommand,
        metadata: HashMap<String, String>,
    ) -> BoxFuture<'a, Result<(), AggregateError<NumberRequestError>>>;
}

impl<R: PersistedEventRepository + 'static> Execute
    for CqrsFramework<NumberRequest, PersistedEventStore<R, NumberRequest>>
{
    fn execute<'a>(
        &'a self,
        aggregate_id: &'a str,
        command: NumberRequestCommand,
        metadata: HashMap<String, String>,
    ) -> BoxFuture<'a, Result<(), AggregateError<NumberRequestError>>> {
        Box::pin(self.execute_with_metadata(aggregate_id, command, metadata))
    }
}

/// The cqrs-es framework on the database's event store (see
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
        Commands(Box::new(CqrsFramework::new(store, vec![], ())))
    }

    /// Loads the request, handles the command and appends its events
    /// (optimistically: a concurrent append is `AggregateConflict`).
    pub async fn execute(
        &self,
        aggregate_id: &str,
        command: NumberRequestCommand,
        metadata: HashMap<String, String>,
    ) -> Result<Option<OwnView>, AggregateError<NumberRequestError>> {
        let (result, own_view) =
            super::own_view::capture(self.0.execute(aggregate_id, command, metadata)).await;
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
