//! One number request through its whole lifecycle, in memory: the domain
//! crate on cqrs-es's `MemStore`, with no database, HTTP or carrier.
//!
//! ```sh
//! cargo run -p numberdesk-domain --example lifecycle
//! ```
//!
//! It validates a customer's input, submits it, assigns it, records a
//! carrier order and its provisioned number, shows that a terminal request
//! refuses further commands, and prints the request's event log with the
//! metadata every event carries. (`MemStore` prints its own `loading:` /
//! `storing:` lines; it is meant for tests and examples.)

use cqrs_es::mem_store::MemStore;
use cqrs_es::{Aggregate, AggregateError, CqrsFramework, DomainEvent, EventStore};
use numberdesk_domain::values::{Assignee, CarrierOrderId, PhoneNumber, Reason};
use numberdesk_domain::{
    CommandMetadata, NumberRequest, NumberRequestCommand, NumberRequestError, RequestDetails,
    RequestInput, SubmitNumberRequest,
};
use std::error::Error;
use uuid::Uuid;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    // 1. Validate what the customer sent. Every refused field is reported at
    //    once; nothing reaches the aggregate unchecked.
    let bad = RequestInput {
        country: Some("Narnia".into()),
        quantity: Some(5000),
        ..RequestInput::default()
    };
    let refused = RequestDetails::parse(&bad)
        .err()
        .ok_or("bad input was accepted")?;
    println!("refused input:");
    for (field, reason) in refused.fields() {
        println!("  {field}: {reason}");
    }

    let details = RequestDetails::parse(&RequestInput {
        country: Some("NL".into()),
        number_type: Some("local".into()),
        use_case: Some("Support line".into()),
        contact_name: Some("Jane Doe".into()),
        contact_email: Some("jane@acme.example".into()),
        quantity: Some(1),
        ..RequestInput::default()
    })?;

    // 2. The aggregate on cqrs-es's in-memory event store.
    let store = MemStore::<NumberRequest>::default();
    let cqrs = CqrsFramework::new(store.clone(), vec![], ());
    let id = Uuid::new_v4();
    let aggregate_id = id.to_string();
    let meta = CommandMetadata::new("ops:example").to_map();

    let number = PhoneNumber::parse("+31201234567")?;
    let commands = [
        NumberRequestCommand::Submit(Box::new(SubmitNumberRequest {
            id,
            number: 1,
            organization_id: 1,
            account_id: Uuid::new_v4(),
            details,
        })),
        NumberRequestCommand::Assign {
            assignee: Assignee::parse("alice")?,
            notes: None,
        },
        NumberRequestCommand::RecordOrder {
            carrier_order_id: CarrierOrderId::parse("order-1")?,
            phone_numbers: vec![number.clone()],
            prices: vec![],
        },
        NumberRequestCommand::RecordProvisioned {
            phone_number: number,
        },
    ];
    for command in commands {
        let name = command.name();
        cqrs.execute_with_metadata(&aggregate_id, command, meta.clone())
            .await?;
        println!("accepted: {name}");
    }

    // 3. A provisioned request is terminal: the command is refused with a
    //    typed error and nothing is written.
    let refused = cqrs
        .execute(
            &aggregate_id,
            NumberRequestCommand::Reject {
                reason: Reason::parse("too late")?,
            },
        )
        .await;
    match refused {
        Err(AggregateError::UserError(err @ NumberRequestError::InvalidTransition { .. })) => {
            println!("refused: {err}")
        }
        other => return Err(format!("expected a refused transition, got {other:?}").into()),
    }

    // 4. The log: the audit trail, and what the state is rebuilt from.
    println!("history of {aggregate_id}:");
    let mut request = NumberRequest::default();
    for envelope in store.load_events(&aggregate_id).await? {
        println!(
            "  #{} {} v{} by {}",
            envelope.sequence,
            envelope.payload.event_type(),
            envelope.payload.event_version(),
            envelope.metadata.get("actor").map_or("?", String::as_str),
        );
        // Replaying the log rebuilds the state exactly.
        request.apply(envelope.payload);
    }
    let status = request.status().ok_or("no status")?;
    println!("status: {status}");
    if status != numberdesk_domain::RequestStatus::Provisioned {
        return Err(format!("expected provisioned, got {status}").into());
    }
    Ok(())
}
