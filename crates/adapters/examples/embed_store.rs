//! Embedding the store in your own tokio service: a [`NumberDesk`] on a
//! temporary SQLite file, one request through its lifecycle with the sandbox
//! carrier (nothing is bought), then its history.
//!
//! ```sh
//! cargo run -p numberdesk-adapters --example embed_store
//! ```
//!
//! For PostgreSQL, pass a `postgres://` URL to [`Database::connect`] instead;
//! everything else is the same.

use numberdesk_adapters::fulfilment::default_renderer;
use numberdesk_adapters::{Database, Fulfilment, FulfilmentSettings, NumberDesk, StoreSettings};
use numberdesk_domain::values::Assignee;
use numberdesk_domain::{
    CommandMetadata, NumberProvider, NumberRequestCommand, RequestDetails, RequestInput,
    RequestStatus,
};
use numberdesk_telnyx::{SandboxConfig, SandboxProvider};
use std::error::Error;
use std::sync::Arc;
use uuid::Uuid;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // The store: connecting creates the file and applies the migrations;
    // opening brings the views up to date with the log.
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("numberdesk.db").display());
    let desk = NumberDesk::open(Database::connect(&url).await?, StoreSettings::default()).await?;
    println!("store: {url}");

    // The carrier: the in-memory sandbox. `TelnyxProvider` implements the same
    // port for real orders.
    let carrier: Arc<dyn NumberProvider> = Arc::new(SandboxProvider::new(SandboxConfig::default()));
    // No background workers: this example orders in its own task.
    let settings = FulfilmentSettings {
        workers: 0,
        ..FulfilmentSettings::default()
    };
    let fulfilment = Fulfilment::new(desk.clone(), carrier, settings, default_renderer());

    // Submit: validated input in, the request's view out (read-your-writes).
    let details = RequestDetails::parse(&RequestInput {
        country: Some("NL".into()),
        number_type: Some("local".into()),
        use_case: Some("Support line".into()),
        contact_name: Some("Jane Doe".into()),
        contact_email: Some("jane@acme.example".into()),
        quantity: Some(2),
        ..RequestInput::default()
    })?;
    let organization_id = 1;
    let account_id = Uuid::new_v4();
    let customer = CommandMetadata::new("partner:example");
    let view = desk
        .submit(organization_id, account_id, details, &customer)
        .await?;
    println!(
        "submitted request {} ({}): {}",
        view.id, view.uuid, view.status
    );

    // Assign it, then order through the durable order job: search the
    // carrier, place the order, record `Ordered` and what the carrier settled.
    // Metadata is per command: it records when the command was accepted.
    let ops = || CommandMetadata::new("ops:example");
    let assign = NumberRequestCommand::Assign {
        assignee: Assignee::parse("alice")?,
        notes: None,
    };
    let view = desk.execute(view.uuid, assign, &ops()).await?;
    println!("assigned to {:?}: {}", view.assigned_to, view.status);
    let view = fulfilment.order_now(view.uuid, &ops()).await?;
    println!(
        "order {:?}: {}, numbers {:?}",
        view.carrier_order_id, view.status, view.provisioned_numbers
    );
    if view.status != RequestStatus::Provisioned || view.provisioned_numbers.len() != 2 {
        return Err(format!("expected 2 provisioned numbers, got {view:?}").into());
    }

    // The history: every event of the request, with its metadata.
    println!("history:");
    for event in desk.history(view.uuid).await? {
        println!(
            "  #{} {:<11} v{} by {:<15} at {}",
            event.sequence,
            event.event_type,
            event.event_version,
            event.actor,
            event.occurred_at.format("%H:%M:%S%.3f"),
        );
    }

    desk.database().close().await;
    Ok(())
}
