//! Reading events stored in an older shape.
//!
//! A shipped `(event_type, event_version)` never changes; a change of shape
//! gets a new version (see [`NumberRequestEvent::current_version`]) and an
//! upcaster here that turns the older payload into the newer one. Upcasters
//! run in order, each lifting one step, so a payload of any older version
//! reaches the current one. The same list serves the cqrs-es event store
//! (aggregate loads, via `PersistedEventStore::with_upcasters`) and every
//! other reader of the log ([`upcast`]), so they cannot disagree.
//!
//! | event     | version | change                                   |
//! |-----------|---------|------------------------------------------|
//! | `Ordered` | 2.0     | gains `prices` (1.0 is read with none)   |
//!
//! [`NumberRequestEvent::current_version`]: super::NumberRequestEvent::current_version

use cqrs_es::persist::{EventUpcaster, SemanticVersionEventUpcaster, SerializedEvent};
use serde_json::Value;

/// Inserts `field` = `value` into the variant object of an externally tagged
/// payload (`{"ordered": {...}}`) unless it is already there. A payload of
/// another shape is left alone: decoding it then fails with a clear error.
fn add_field(
    variant: &'static str,
    field: &'static str,
    value: fn() -> Value,
) -> impl Fn(Value) -> Value {
    move |mut payload: Value| {
        if let Some(body) = payload.get_mut(variant).and_then(Value::as_object_mut) {
            body.entry(field).or_insert_with(value);
        }
        payload
    }
}

/// Every upcaster, oldest change first (cqrs-es applies them in order).
pub fn upcasters() -> Vec<Box<dyn EventUpcaster>> {
    vec![Box::new(SemanticVersionEventUpcaster::new(
        "Ordered",
        super::events::ORDERED_VERSION,
        Box::new(add_field("ordered", "prices", || Value::Array(vec![]))),
    ))]
}

/// Lifts a stored payload of `event_type` at `event_version` to the current
/// shape, through the same upcasters the event store uses.
pub fn upcast(event_type: &str, event_version: &str, payload: Value) -> Value {
    let event = SerializedEvent::new(
        String::new(),
        0,
        "NumberRequest".to_owned(),
        event_type.to_owned(),
        event_version.to_owned(),
        payload,
        Value::Null,
    );
    upcasters()
        .iter()
        .fold(event, |event, upcaster| {
            if upcaster.can_upcast(&event.event_type, &event.event_version) {
                upcaster.upcast(event)
            } else {
                event
            }
        })
        .payload
}
