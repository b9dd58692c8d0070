//! Folding a request's recorded events into its views. The projector, the
//! rebuild and time travel all use this one function, so they cannot disagree.

use crate::model::{NumberRequestView, PhoneNumberView, RecordedEvent};
use crate::StoreError;
use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use numberdesk_domain::request::NumberState;
use numberdesk_domain::{NumberRequest, NumberRequestEvent};
use std::collections::BTreeMap;

/// The views of one request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Projection {
    pub request: NumberRequestView,
    pub phone_numbers: Vec<PhoneNumberView>,
    /// Whether `phone_numbers` may hold rows of this request that writing
    /// it must replace (`false`: it only inserts). The fold says so whenever
    /// a number of the request was ever provisioned; a command that knows
    /// its stream before its own events narrows it to that stream.
    pub replace_numbers: bool,
}

struct Provisioning {
    id: i64,
    at: DateTime<Utc>,
    carrier_order_id: String,
}

/// Folds `events` (one request, in sequence order). `None` when the request
/// was never submitted.
pub(crate) fn fold(events: &[RecordedEvent]) -> Result<Option<Projection>, StoreError> {
    let Some(first) = events.first() else {
        return Ok(None);
    };
    let mut aggregate = NumberRequest::default();
    let mut provisioning: BTreeMap<String, Provisioning> = BTreeMap::new();
    let mut updated_at = first.occurred_at;
    let mut version = 0;
    for recorded in events {
        let event = recorded.decode()?;
        if let NumberRequestEvent::Provisioned { phone_number } = &event {
            let carrier_order_id = aggregate
                .order()
                .map(|o| o.carrier_order_id.as_str().to_owned())
                .unwrap_or_default();
            provisioning.insert(
                phone_number.as_str().to_owned(),
                Provisioning {
                    id: recorded.phone_number_id.unwrap_or(recorded.position),
                    at: recorded.occurred_at,
                    carrier_order_id,
                },
            );
        }
        aggregate.apply(event);
        updated_at = recorded.occurred_at;
        version = recorded.sequence;
    }
    let (Some(uuid), Some(account_id), Some(details), Some(status)) = (
        aggregate.id(),
        aggregate.account_id(),
        aggregate.details(),
        aggregate.status(),
    ) else {
        return Ok(None);
    };
    let numbers_in = |state: NumberState| -> Vec<String> {
        aggregate
            .order()
            .iter()
            .flat_map(|o| o.numbers.iter())
            .filter(|(_, s)| **s == state)
            .map(|(n, _)| n.as_str().to_owned())
            .collect()
    };
    let releases = aggregate.releases();
    let number_status = |number: &str| -> &'static str {
        let Ok(number) = numberdesk_domain::values::PhoneNumber::parse(number) else {
            return "provisioned";
        };
        if releases.is_released(&number) {
            "released"
        } else if releases.is_pending(&number) {
            "releasing"
        } else {
            "provisioned"
        }
    };
    let went_live = numbers_in(NumberState::Provisioned);
    let mut phone_numbers: Vec<PhoneNumberView> = went_live
        .iter()
        .filter_map(|number| {
            provisioning.get(number).map(|p| PhoneNumberView {
                id: p.id,
                phone_number: number.clone(),
                organization_id: aggregate.organization_id(),
                account_id,
                request_id: uuid,
                request_number: aggregate.number(),
                carrier_order_id: p.carrier_order_id.clone(),
                status: number_status(number).to_owned(),
                provisioned_at: p.at,
            })
        })
        .collect();
    phone_numbers.sort_by_key(|p| p.id);
    // The live numbers: released ones are listed in `phone_numbers` only.
    let provisioned_numbers: Vec<String> = went_live
        .into_iter()
        .filter(|n| number_status(n) != "released")
        .collect();
    let text = |value: Option<&str>| value.map(str::to_owned);
    let request = NumberRequestView {
        id: aggregate.number(),
        uuid,
        organization_id: aggregate.organization_id(),
        account_id,
        country: details.country.as_str().to_owned(),
        number_type: details.number_type.as_str().to_owned(),
        use_case: details.use_case.as_str().to_owned(),
        status,
        requested_area: text(details.requested_area.as_ref().map(|v| v.as_str())),
        company_name: text(details.company_name.as_ref().map(|v| v.as_str())),
        vat_number: text(details.vat_number.as_ref().map(|v| v.as_str())),
        address: text(details.address.as_ref().map(|v| v.as_str())),
        website: text(details.website.as_ref().map(|v| v.as_str())),
        contact_name: details.contact_name.as_str().to_owned(),
        contact_email: details.contact_email.as_str().to_owned(),
        assigned_to: text(aggregate.assigned_to().map(|v| v.as_str())),
        ops_notes: text(aggregate.ops_notes().map(|v| v.as_str())),
        provisioned_number_id: phone_numbers.first().map(|p| p.id),
        quantity: i64::from(details.quantity.get()),
        range_size: details.range_size.map(|r| i64::from(r.get())),
        area_code: text(details.area_code.as_ref().map(|v| v.as_str())),
        city: text(details.city.as_ref().map(|v| v.as_str())),
        region: text(details.region.as_ref().map(|v| v.as_str())),
        comment: text(details.comment.as_ref().map(|v| v.as_str())),
        callback_url: text(details.callback_url.as_ref().map(|v| v.as_str())),
        attempt: i64::from(aggregate.attempt()),
        carrier_order_id: text(aggregate.order().map(|o| o.carrier_order_id.as_str())),
        ordered_numbers: aggregate
            .order()
            .iter()
            .flat_map(|o| o.numbers.keys())
            .map(|n| n.as_str().to_owned())
            .collect(),
        provisioned_numbers,
        failed_numbers: numbers_in(NumberState::Failed),
        reason: text(aggregate.reason().map(|v| v.as_str())),
        created_at: first.occurred_at,
        updated_at,
        version,
    };
    Ok(Some(Projection {
        request,
        phone_numbers,
        replace_numbers: !provisioning.is_empty(),
    }))
}
