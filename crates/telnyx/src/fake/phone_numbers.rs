//! The fake's numbers held by the account: every number of a successful
//! order, until it is released. `GET /phone_numbers?filter[phone_number]=…`
//! lists them (a released number is no longer listed, as Telnyx's default
//! listing hides deleted numbers) and `DELETE /phone_numbers/{id}` releases
//! one (404 once it is gone). A number's id is its digits.

use super::{error, json, FakeState};
use crate::types::{DataEnvelope, ListEnvelope, OrderStatus, PaginationMeta, PhoneNumberRecord};
use axum::http::{Method, StatusCode};
use axum::response::Response;

impl FakeState {
    /// The id the fake gives a held number (its digits).
    pub fn phone_number_id(phone_number: &str) -> String {
        phone_number.chars().filter(char::is_ascii_digit).collect()
    }

    /// `DELETE /phone_numbers/{id}` requests received (faulted ones included).
    pub fn release_deletes(&self) -> usize {
        self.requests
            .iter()
            .filter(|r| r.method == Method::DELETE && r.path.starts_with("/phone_numbers/"))
            .count()
    }

    /// Whether the number was released here.
    pub fn is_released(&self, phone_number: &str) -> bool {
        self.released.contains(phone_number)
    }

    fn held(&self) -> Vec<String> {
        let mut held: Vec<String> = self
            .orders
            .iter()
            .flat_map(|o| o.order.phone_numbers.iter())
            .filter(|n| n.status == Some(OrderStatus::Success))
            .map(|n| n.phone_number.clone())
            .filter(|n| !self.released.contains(n))
            .collect();
        held.sort();
        held.dedup();
        held
    }
}

fn record(phone_number: &str, status: &str) -> PhoneNumberRecord {
    PhoneNumberRecord {
        id: Some(FakeState::phone_number_id(phone_number)),
        record_type: Some("phone_number".into()),
        phone_number: Some(phone_number.to_owned()),
        status: Some(status.to_owned()),
        customer_reference: None,
    }
}

/// Answers the phone-number routes; `None` for any other route.
pub(super) fn route(
    s: &mut FakeState,
    method: &Method,
    segments: &[&str],
    query: &[(String, String)],
) -> Option<Response> {
    match (method.clone(), segments) {
        (Method::GET, ["phone_numbers"]) => {
            let wanted: Option<String> = query
                .iter()
                .find(|(k, _)| k == "filter[phone_number]")
                .map(|(_, v)| FakeState::phone_number_id(v));
            // Telnyx matches on digits, partly: so does the fake.
            let data: Vec<PhoneNumberRecord> = s
                .held()
                .iter()
                .filter(|n| {
                    wanted
                        .as_deref()
                        .is_none_or(|w| FakeState::phone_number_id(n).contains(w))
                })
                .map(|n| record(n, "active"))
                .collect();
            let meta = PaginationMeta {
                page_number: Some(1),
                page_size: Some(250),
                total_pages: Some(1),
                total_results: Some(data.len() as i64),
            };
            Some(json(
                StatusCode::OK,
                &ListEnvelope {
                    data,
                    meta: Some(meta),
                },
            ))
        }
        (Method::DELETE, ["phone_numbers", id]) => {
            let found = s
                .held()
                .into_iter()
                .find(|n| FakeState::phone_number_id(n) == *id);
            Some(match found {
                Some(number) => {
                    s.released.insert(number.clone());
                    json(
                        StatusCode::OK,
                        &DataEnvelope {
                            data: record(&number, "deleted"),
                        },
                    )
                }
                None => error(404, "10005", "Resource not found", "no such phone number"),
            })
        }
        _ => None,
    }
}
