//! The fake's routes: what it answers to each Telnyx call, and how an
//! order settles.

use super::*;

pub(super) fn route(
    state: &Arc<Mutex<FakeState>>,
    method: &Method,
    path: &str,
    query: &[(String, String)],
    body: &[u8],
) -> Response {
    let pairs = || query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut s = lock(state);
    match (method.clone(), segments.as_slice()) {
        (Method::GET, ["available_phone_numbers"]) => {
            let q = AvailablePhoneNumbersQuery::from_query_pairs(pairs());
            let limit = q.limit.unwrap_or(50) as usize;
            let data: Vec<AvailablePhoneNumber> = s
                .inventory
                .iter()
                .filter(|i| q.country_code.as_deref().is_none_or(|c| c == i.country))
                .filter(|i| {
                    q.national_destination_code
                        .as_deref()
                        .is_none_or(|n| n == i.ndc)
                })
                .take(limit)
                .map(|i| AvailablePhoneNumber {
                    phone_number: i.number.clone(),
                    record_type: Some("available_phone_number".into()),
                    best_effort: Some(i.best_effort),
                    region_information: std::iter::once(RegionInformation {
                        region_type: Some("country_code".into()),
                        region_name: Some(i.country.into()),
                    })
                    .chain(s.places.get(&i.number).cloned().unwrap_or_default())
                    .collect(),
                    ..AvailablePhoneNumber::default()
                })
                .collect();
            let meta = AvailablePhoneNumbersMetadata {
                total_results: Some(data.len() as i64),
                best_effort_results: Some(
                    data.iter().filter(|d| d.best_effort == Some(true)).count() as i64,
                ),
            };
            json(
                StatusCode::OK,
                &AvailablePhoneNumbersResponse {
                    data,
                    meta: Some(meta.clone()),
                    metadata: Some(meta),
                },
            )
        }
        (Method::POST, ["number_orders"]) => {
            let Ok(request) = serde_json::from_slice::<CreateNumberOrderRequest>(body) else {
                return error(400, "10015", "Bad Request", "body is not a number order");
            };
            if request.phone_numbers.is_empty() {
                return error(
                    422,
                    "10015",
                    "Bad Request",
                    "phone_numbers must not be empty",
                );
            }
            let now = chrono::Utc::now();
            let order = NumberOrderWithPhoneNumbers {
                id: uuid::Uuid::new_v4().to_string(),
                record_type: Some("number_order".into()),
                status: Some(OrderStatus::Pending),
                phone_numbers_count: Some(request.phone_numbers.len() as i64),
                requirements_met: Some(true),
                sub_number_orders_ids: vec![uuid::Uuid::new_v4().to_string()],
                customer_reference: request.customer_reference.clone(),
                connection_id: request.connection_id.clone(),
                messaging_profile_id: request.messaging_profile_id.clone(),
                billing_group_id: request.billing_group_id.clone(),
                phone_numbers: request
                    .phone_numbers
                    .iter()
                    .map(|n| OrderPhoneNumber {
                        id: Some(uuid::Uuid::new_v4().to_string()),
                        record_type: Some("number_order_phone_number".into()),
                        phone_number: n.phone_number.clone(),
                        bundle_id: n.bundle_id.clone(),
                        status: Some(OrderStatus::Pending),
                        requirements_met: Some(true),
                        requirements_status: Some(RequirementsStatus::Pending),
                        ..OrderPhoneNumber::default()
                    })
                    .collect(),
                created_at: Some(now),
                updated_at: Some(now),
            };
            let mut stored = StoredOrder {
                order,
                polls_left: s.pending_polls,
            };
            if stored.polls_left == 0 {
                resolve(&mut stored.order, &s.failing_numbers);
            }
            let order = stored.order.clone();
            if s.sell_once {
                let sold: HashSet<&str> = order
                    .phone_numbers
                    .iter()
                    .map(|n| n.phone_number.as_str())
                    .collect();
                s.inventory.retain(|i| !sold.contains(i.number.as_str()));
            }
            s.orders.push(stored);
            if let Some(target) = s.webhook.clone() {
                webhook::report_later(state.clone(), target, order.id.clone());
            }
            json(StatusCode::OK, &DataEnvelope { data: order })
        }
        (Method::GET, ["number_orders"]) => {
            let q = ListNumberOrdersQuery::from_query_pairs(pairs());
            let visible_before = chrono::Utc::now()
                - chrono::Duration::from_std(s.reference_lag).unwrap_or(chrono::Duration::zero());
            let data: Vec<NumberOrder> = s
                .orders
                .iter()
                .map(|o| &o.order)
                .filter(|o| {
                    q.customer_reference.is_none()
                        || (o.customer_reference == q.customer_reference
                            && o.created_at.is_none_or(|at| at <= visible_before))
                })
                .map(summary)
                .collect();
            let meta = PaginationMeta {
                page_number: Some(i64::from(q.page_number.unwrap_or(1))),
                page_size: Some(i64::from(q.page_size.unwrap_or(20))),
                total_pages: Some(1),
                total_results: Some(data.len() as i64),
            };
            json(
                StatusCode::OK,
                &ListEnvelope {
                    data,
                    meta: Some(meta),
                },
            )
        }
        (Method::GET, ["number_orders", id]) => {
            let failing = s.failing_numbers.clone();
            let Some(stored) = s.orders.iter_mut().find(|o| o.order.id == *id) else {
                return error(404, "10005", "Resource not found", "no such number order");
            };
            if stored.polls_left > 0 {
                stored.polls_left -= 1;
            } else {
                resolve(&mut stored.order, &failing);
            }
            json(
                StatusCode::OK,
                &DataEnvelope {
                    data: stored.order.clone(),
                },
            )
        }
        (_, segments) => {
            phone_numbers::route(&mut s, method, segments, query).unwrap_or_else(|| {
                error(
                    404,
                    "10005",
                    "Resource not found",
                    "no such route in the fake",
                )
            })
        }
    }
}

/// Finishes an order: failing numbers fail, the others succeed.
pub(super) fn resolve(order: &mut NumberOrderWithPhoneNumbers, failing: &HashSet<String>) {
    for number in &mut order.phone_numbers {
        if failing.contains(&number.phone_number) {
            number.status = Some(OrderStatus::Failure);
            number.requirements_met = Some(false);
            number.requirements_status = Some(RequirementsStatus::RequirementInfoException);
        } else {
            number.status = Some(OrderStatus::Success);
            number.requirements_status = Some(RequirementsStatus::Approved);
        }
    }
    let all_failed = order
        .phone_numbers
        .iter()
        .all(|n| n.status == Some(OrderStatus::Failure));
    order.status = Some(if all_failed {
        OrderStatus::Failure
    } else {
        OrderStatus::Success
    });
    order.requirements_met = Some(
        order
            .phone_numbers
            .iter()
            .all(|n| n.requirements_met != Some(false)),
    );
    order.updated_at = Some(chrono::Utc::now());
}

fn summary(order: &NumberOrderWithPhoneNumbers) -> NumberOrder {
    NumberOrder {
        id: order.id.clone(),
        record_type: order.record_type.clone(),
        status: order.status,
        phone_numbers_count: order.phone_numbers_count,
        requirements_met: order.requirements_met,
        sub_number_orders_ids: order.sub_number_orders_ids.clone(),
        customer_reference: order.customer_reference.clone(),
        connection_id: order.connection_id.clone(),
        messaging_profile_id: order.messaging_profile_id.clone(),
        billing_group_id: order.billing_group_id.clone(),
        phone_numbers: order
            .phone_numbers
            .iter()
            .map(|n| PhoneNumbersJobPhoneNumber {
                id: n.id.clone(),
                phone_number: n.phone_number.clone(),
            })
            .collect(),
        created_at: order.created_at,
        updated_at: order.updated_at,
    }
}
