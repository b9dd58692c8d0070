//! The pure numberdesk domain: the rules of a phone-number request and
//! nothing else.
//!
//! The [`NumberRequest`] aggregate, the [`NumberRequestCommand`]s it accepts,
//! the [`NumberRequestEvent`]s it emits, value objects that cannot hold invalid
//! data ([`values`]), the metadata every event carries ([`metadata`]), and the
//! ports adapters implement ([`ports`], chiefly [`NumberProvider`]). It
//! depends on no database, HTTP stack or async runtime (cqrs-es and
//! async-trait only), so another service can embed it and apply the same
//! rules as numberdesk. The crate's `README.md` has the overview; the examples
//! below all run as doctests (`cargo test -p numberdesk-domain --doc`), and
//! `cargo run -p numberdesk-domain --example lifecycle` runs a whole request.
//!
//! # The supported surface
//!
//! Everything reachable from this crate root is public API: the re-exports
//! below and the four modules [`request`], [`values`], [`ports`] and
//! [`metadata`]. The modules inside them are private. The aggregate's state
//! is read through its accessors; its fields are private.
//!
//! # Validating a request
//!
//! Customer input arrives as a [`RequestInput`] of optional strings and
//! numbers, named as the REST contract names them. [`RequestDetails::parse`]
//! checks every field and reports **every** refused field at once, keyed by
//! the field's name, so an API can answer with one complete error:
//!
//! ```
//! use numberdesk_domain::{RequestDetails, RequestInput};
//!
//! let input = RequestInput {
//!     country: Some("NL".into()),
//!     number_type: Some("local".into()),
//!     use_case: Some("Support line".into()),
//!     contact_name: Some("Jane Doe".into()),
//!     contact_email: Some("jane@acme.example".into()),
//!     ..RequestInput::default()
//! };
//! let details = RequestDetails::parse(&input).expect("valid");
//! assert_eq!(details.country.as_str(), "NL");
//! assert_eq!(details.quantity.get(), 1); // the default
//!
//! let refused = RequestDetails::parse(&RequestInput {
//!     quantity: Some(0),
//!     contact_email: Some("not an address".into()),
//!     ..input
//! })
//! .unwrap_err();
//! let fields: Vec<&str> = refused.fields().keys().map(String::as_str).collect();
//! assert_eq!(fields, ["contact_email", "quantity"]);
//! ```
//!
//! Each field's type ([`values`]) has its own `parse`/`new`, so a single value
//! can be checked alone; deserialising one goes through the same check.
//!
//! # The lifecycle on cqrs-es's in-memory store
//!
//! [`NumberRequest`] is a cqrs-es [`Aggregate`](cqrs_es::Aggregate) with no
//! services (`()`), so it runs on any cqrs-es event store. On
//! [`MemStore`](cqrs_es::mem_store::MemStore):
//!
//! ```
//! use cqrs_es::mem_store::MemStore;
//! use cqrs_es::{CqrsFramework, DomainEvent, EventStore};
//! use numberdesk_domain::values::{Assignee, CarrierOrderId, PhoneNumber};
//! use numberdesk_domain::{
//!     CommandMetadata, NumberRequest, NumberRequestCommand as Command, RequestDetails,
//!     RequestInput, SubmitNumberRequest,
//! };
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let details = RequestDetails::parse(&RequestInput {
//! #     country: Some("NL".into()), number_type: Some("local".into()),
//! #     use_case: Some("Support".into()), contact_name: Some("Jane".into()),
//! #     contact_email: Some("jane@acme.example".into()), ..RequestInput::default()
//! # })?;
//! let store = MemStore::<NumberRequest>::default();
//! let cqrs = CqrsFramework::new(store.clone(), vec![], ());
//! let id = uuid::Uuid::new_v4();
//! let meta = CommandMetadata::new("ops:example").to_map();
//! let number = PhoneNumber::parse("+31201234567")?;
//!
//! for command in [
//!     Command::Submit(Box::new(SubmitNumberRequest {
//!         id,
//!         number: 1,          // the REST contract's integer id, allocated by the caller
//!         organization_id: 1, // the tenant, resolved by the caller
//!         account_id: uuid::Uuid::new_v4(),
//!         details,
//!     })),
//!     Command::Assign { assignee: Assignee::parse("alice")?, notes: None },
//!     Command::RecordOrder {
//!         carrier_order_id: CarrierOrderId::parse("order-1")?,
//!         phone_numbers: vec![number.clone()],
//!         prices: vec![],
//!     },
//!     Command::RecordProvisioned { phone_number: number },
//! ] {
//!     cqrs.execute_with_metadata(&id.to_string(), command, meta.clone()).await?;
//! }
//!
//! let types: Vec<String> = store
//!     .load_events(&id.to_string())
//!     .await?
//!     .iter()
//!     .map(|e| e.payload.event_type())
//!     .collect();
//! assert_eq!(types, ["Submitted", "Assigned", "Ordered", "Provisioned"]);
//! # Ok(())
//! # }
//! ```
//!
//! Without a store, [`NumberRequest::decide`] is the same decision as a pure
//! function (state and command in, events or an error out), and
//! [`cqrs_es::Aggregate::apply`] folds events into state:
//!
//! ```
//! use cqrs_es::Aggregate;
//! use numberdesk_domain::{NumberRequest, NumberRequestCommand, NumberRequestError};
//!
//! let fresh = NumberRequest::default();
//! let refused = fresh.decide(NumberRequestCommand::Cancel { reason: None });
//! assert_eq!(refused, Err(NumberRequestError::NotFound));
//! ```
//!
//! # The errors a caller must handle
//!
//! A refused command emits nothing and returns a [`NumberRequestError`];
//! through cqrs-es it arrives as
//! [`AggregateError::UserError`](cqrs_es::AggregateError::UserError). The
//! other `AggregateError` variants come from the store, not the rules:
//! `AggregateConflict` (another writer appended first: reload and retry) and
//! the database errors. numberdesk maps the domain's errors as follows, and
//! an embedder should distinguish the same cases:
//!
//! | error | meaning | numberdesk answers |
//! |---|---|---|
//! | [`ValidationErrors`] | input refused, every field with its reason | 400 |
//! | [`NumberRequestError::Invalid`] | a command's data breaks a rule (e.g. more numbers than `quantity`) | 400 |
//! | [`NumberRequestError::NotFound`] | a command other than submit on a request never submitted | 404 |
//! | [`NumberRequestError::AlreadySubmitted`] | submit on an existing id | 409 |
//! | [`NumberRequestError::InvalidTransition`] | the status does not allow the command (terminal statuses allow nothing) | 409 |
//! | [`ProviderError`] | a carrier call failed; [`ProviderError::is_retryable`] says whether to retry | — |
//!
//! ```
//! # use cqrs_es::Aggregate;
//! use numberdesk_domain::values::Reason;
//! use numberdesk_domain::{NumberRequestCommand, NumberRequestError, RequestStatus};
//! # use numberdesk_domain::*;
//! # let mut request = NumberRequest::default();
//! # let details = RequestDetails::parse(&RequestInput {
//! #     country: Some("NL".into()), number_type: Some("local".into()),
//! #     use_case: Some("Support".into()), contact_name: Some("Jane".into()),
//! #     contact_email: Some("jane@acme.example".into()), ..RequestInput::default()
//! # }).unwrap();
//! # for event in request.decide(NumberRequestCommand::Submit(Box::new(SubmitNumberRequest {
//! #     id: uuid::Uuid::new_v4(), number: 1, organization_id: 1,
//! #     account_id: uuid::Uuid::new_v4(), details,
//! # }))).unwrap() { request.apply(event); }
//! # for event in request.decide(NumberRequestCommand::Cancel { reason: None }).unwrap() {
//! #     request.apply(event);
//! # }
//! // `request` was submitted, then cancelled: a terminal status.
//! let err = request
//!     .decide(NumberRequestCommand::Reject { reason: Reason::parse("late").unwrap() })
//!     .unwrap_err();
//! assert_eq!(
//!     err,
//!     NumberRequestError::InvalidTransition { command: "reject", status: RequestStatus::Cancelled }
//! );
//! assert_eq!(err.to_string(), "cannot reject a request that is cancelled");
//! ```
//!
//! # How events are versioned
//!
//! Every event is stored with its type name (one of
//! [`NumberRequestEvent::TYPES`]), an `event_version`
//! ([`NumberRequestEvent::current_version`]: `"1.0"` for every type except
//! `Ordered`, at `"2.0"`), its JSON payload, and the
//! [`metadata`] map (actor, correlation id, time, ...). An embedder may rely
//! on this:
//!
//! * A shipped `(event_type, event_version)` never changes shape: the payload
//!   below stays readable and means the same thing.
//! * A change of shape gets a new `event_version` for that type, never an
//!   edit of the old one. Stored events keep their version; the release that
//!   introduces a new version also ships the upcaster from the old one (for
//!   cqrs-es stores, a `persist::SemanticVersionEventUpcaster`, listed in
//!   [`request::upcasting::upcasters`]). If you read payloads yourself, lift
//!   them with [`request::upcasting::upcast`] first, or decide by
//!   `(event_type, event_version)`.
//! * New event types may be added. In Rust that is a new variant (a breaking
//!   release of this crate for exhaustive matches); a consumer reading stored
//!   events by `event_type` should skip types it does not know.
//! * Metadata keys are the constants of [`metadata`]; new keys may be added.
//!
//! The payload is serde's externally tagged form with snake_case variant names:
//!
//! ```
//! use cqrs_es::DomainEvent;
//! use numberdesk_domain::values::Assignee;
//! use numberdesk_domain::{NumberRequestEvent, EVENT_VERSION};
//!
//! let event = NumberRequestEvent::Assigned {
//!     assignee: Assignee::parse("alice").unwrap(),
//!     notes: None,
//!     attempt: 1,
//! };
//! assert_eq!((event.event_type().as_str(), event.event_version().as_str()), ("Assigned", "1.0"));
//! assert_eq!(EVENT_VERSION, "1.0");
//! assert_eq!(
//!     serde_json::to_value(&event).unwrap(),
//!     serde_json::json!({"assigned": {"assignee": "alice", "notes": null, "attempt": 1}})
//! );
//! ```
//!
//! # Implementing the carrier port
//!
//! [`NumberProvider`] is how fulfilment talks to a carrier. numberdesk ships
//! two implementations in the `numberdesk-telnyx` crate (Telnyx and an
//! in-memory sandbox); the crate README shows a minimal one of your own.
#![deny(missing_docs)]

pub mod metadata;
pub mod ports;
pub mod request;
pub mod values;

pub use metadata::CommandMetadata;
pub use ports::{NumberProvider, ProviderError};
pub use request::{
    NumberRequest, NumberRequestCommand, NumberRequestError, NumberRequestEvent, RequestDetails,
    RequestInput, RequestStatus, SubmitNumberRequest, Submitted, EVENT_VERSION,
};
pub use values::{InvalidValue, ValidationErrors};

/// The code blocks of `README.md`, run as doctests so the README cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
