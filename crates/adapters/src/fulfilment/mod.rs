//! Fulfilment: the process manager that turns requests into carrier orders,
//! carrier outcomes into events, and status changes into customer callbacks,
//! through durable jobs in the database.
//!
//! * A checkpointed **event consumer** ([`Fulfilment::consume_events`]) reads
//!   the log after its checkpoint and enqueues one job per unit of work, with
//!   a unique key, in the same transaction that moves the checkpoint
//!   (compare-and-set, so several processes may run it): `Submitted` (with
//!   auto-fulfilment) → `auto_assign`; `Assigned` → `order:{request}:{attempt}`;
//!   `Ordered` still pending → `poll:{request}:{attempt}`; every status change
//!   of a request with a `callback_url` → `callback:{request}:{position}`.
//! * **Workers** ([`Fulfilment::run`]) lease due jobs ([`jobs`]), run them
//!   with a heartbeat that extends the lease, and record the outcome: done,
//!   retry with exponential backoff up to a limit, or failed (with the error
//!   visible). A worker that dies leaves a lease that expires, and the job is
//!   taken over (the run counts as an attempt).
//! * The **order job** never pays twice: the lease serialises work on one
//!   attempt (the `orderNumbers` mutation claims the same job through
//!   [`Fulfilment::order_now`]), and before placing an order it asks the
//!   carrier for an order with the attempt's `customer_reference`.
//! * **Webhooks** are stored with their job in one transaction
//!   ([`Fulfilment::store_webhook`]) before they are acknowledged.
//! * **Callbacks** ([`callbacks`]) are signed with a per-account secret and
//!   refused when the URL resolves to a non-public address.

pub mod callbacks;
mod consumer;
mod error;
mod heartbeat;
mod job_finish;
mod job_row;
mod job_store;
pub mod jobs;
mod order;
mod order_now;
mod release;
mod settings;
mod unmatched;
mod webhooks;
mod worker;

pub use callbacks::{sign_callback, verify_callback, CallbackSecrets, SIGNATURE_HEADER};
pub use error::FulfilmentError;
pub use job_store::{JobQueueCount, JobStore};
pub use jobs::{Job, JobAttemptRow, JobKind, JobStatus, NewJob, RunOutcome};
pub use order::{
    customer_reference, order_outcome_unknown_since, request_of_reference, ORDER_MISSING_AFTER,
};
pub use settings::FulfilmentSettings;
pub use unmatched::UnmatchedWebhook;
pub use webhooks::{InboundWebhook, WebhookReceipt};

use crate::{CommandError, Database, NumberDesk, NumberRequestView};
use numberdesk_domain::ports::NumberProvider;
use numberdesk_domain::NumberRequestError;
use serde_json::json;
use std::sync::Arc;
use tokio::sync::Notify;
use uuid::Uuid;

/// The actor of automatic work.
pub const SYSTEM_ACTOR: &str = "system";

/// Renders the callback body (the REST `numberRequest` envelope) of a
/// request; injected by the HTTP layer, which owns that shape.
pub type CallbackRenderer = Arc<dyn Fn(&NumberRequestView) -> Result<String, String> + Send + Sync>;

/// A JSON `{"success": true, "numberRequest": <view>}` body, for embedders
/// without the REST layer.
pub fn default_renderer() -> CallbackRenderer {
    Arc::new(|view: &NumberRequestView| {
        serde_json::to_string(&json!({"success": true, "numberRequest": view}))
            .map_err(|e| e.to_string())
    })
}

struct Inner {
    desk: NumberDesk,
    jobs: JobStore,
    secrets: CallbackSecrets,
    provider: Arc<dyn NumberProvider>,
    settings: FulfilmentSettings,
    renderer: CallbackRenderer,
    wake: Notify,
    /// Signalled whenever this process records how a job run ended (see
    /// `order_now`, which waits for a worker's run).
    finished: Notify,
    process: String,
}

/// The fulfilment process manager; cheap to clone.
#[derive(Clone)]
pub struct Fulfilment {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Fulfilment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fulfilment")
            .field("settings", &self.inner.settings)
            .finish()
    }
}

impl Fulfilment {
    /// Fulfilment on the desk's database with this carrier.
    pub fn new(
        desk: NumberDesk,
        provider: Arc<dyn NumberProvider>,
        settings: FulfilmentSettings,
        renderer: CallbackRenderer,
    ) -> Self {
        let db = desk.database().clone();
        let process = format!(
            "{}-{}",
            std::process::id(),
            &Uuid::new_v4().simple().to_string()[..8]
        );
        Self {
            inner: Arc::new(Inner {
                desk,
                jobs: JobStore::new(db.clone()),
                secrets: CallbackSecrets::new(db),
                provider,
                settings,
                renderer,
                wake: Notify::new(),
                finished: Notify::new(),
                process,
            }),
        }
    }

    /// The jobs table.
    pub fn jobs(&self) -> &JobStore {
        &self.inner.jobs
    }

    /// The callback secrets.
    pub fn secrets(&self) -> &CallbackSecrets {
        &self.inner.secrets
    }

    /// The settings.
    pub fn settings(&self) -> &FulfilmentSettings {
        &self.inner.settings
    }

    /// The carrier.
    pub fn provider(&self) -> &Arc<dyn NumberProvider> {
        &self.inner.provider
    }

    /// Wakes idle workers (new jobs or events).
    pub fn wake(&self) {
        self.inner.wake.notify_waiters();
    }

    fn db(&self) -> &Database {
        self.inner.desk.database()
    }

    async fn view(&self, request: Uuid) -> Result<NumberRequestView, FulfilmentError> {
        self.inner
            .desk
            .request(request)
            .await?
            .ok_or(FulfilmentError::Command(CommandError::Domain(
                NumberRequestError::NotFound,
            )))
    }
}

fn order_key(request: Uuid, attempt: u32) -> String {
    format!("order:{request}:{attempt}")
}
