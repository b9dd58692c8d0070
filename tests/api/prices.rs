//! Prices before and after buying, over HTTP with the sandbox carrier on
//! both stores: `quote` offers candidate numbers with prices (ops, and a
//! partner key for its own organisation only); the order records the prices
//! of what was bought in `Ordered` (version 2.0), shown in the history; the
//! REST `numberRequest` keeps the seed's keys.

use crate::helpers::{fast_fulfilment, spawn_fulfilment, Backend, TestApp};
use serde_json::{json, Value};

on_both_stores!(
    "pr":
    quote_lists_priced_candidates_for_ops_and_the_owner_only,
    the_order_records_what_was_bought_at_its_price,
);

const QUOTE: &str = "query($id: ID!) { quote(requestId: $id) { requestId quantity complete numbers { phoneNumber monthlyCost upfrontCost currency } } }";

async fn app(backend: Backend, name: &str) -> Option<TestApp> {
    spawn_fulfilment(backend, name, fast_fulfilment(), None)
        .await
        .map(|(app, _node, _url)| app)
}

async fn quote_lists_priced_candidates_for_ops_and_the_owner_only(backend: Backend, name: &str) {
    let Some(app) = app(backend, name).await else {
        return;
    };
    let id = app.submit_with(json!({"quantity": 2})).await;
    for key in [&app.tenant.ops_key, &app.tenant.partner_key] {
        let quote = app.graphql_ok(key, QUOTE, json!({"id": id})).await["quote"].clone();
        assert_eq!(quote["requestId"], id.as_str());
        assert_eq!(quote["quantity"], 2);
        assert_eq!(quote["complete"], true);
        let numbers = quote["numbers"].as_array().expect("numbers");
        assert_eq!(numbers.len(), 2);
        for n in numbers {
            assert!(n["phoneNumber"]
                .as_str()
                .expect("number")
                .starts_with("+31"));
            assert_eq!(n["monthlyCost"], "1.00", "sandbox local price: {n}");
            assert_eq!(n["upfrontCost"], "1.00");
            assert_eq!(n["currency"], "USD");
        }
    }
    // Another organisation's partner key sees nothing.
    let other = app
        .graphql_ok(&app.other.partner_key, QUOTE, json!({"id": id}))
        .await;
    assert_eq!(other["quote"], Value::Null);
    // A quote buys nothing.
    let request = app.request_at(&app.base, &id).await;
    assert_eq!(request["status"], "SUBMITTED");
    assert_eq!(request["orderedNumbers"], json!([]));
}

async fn the_order_records_what_was_bought_at_its_price(backend: Backend, name: &str) {
    let Some(app) = app(backend, name).await else {
        return;
    };
    let id = app.submit_with(json!({"quantity": 1})).await;
    app.assign(&id).await;
    let done = app.wait_status(&id, "PROVISIONED", 30).await;
    let bought = done["orderedNumbers"][0]
        .as_str()
        .expect("bought")
        .to_owned();
    let history = app
        .graphql_ok(
            &app.tenant.partner_key,
            "query($id: ID!) { history(requestId: $id) { eventType eventVersion payload } }",
            json!({"id": id}),
        )
        .await["history"]
        .clone();
    let ordered = history
        .as_array()
        .expect("history")
        .iter()
        .find(|e| e["eventType"] == "Ordered")
        .expect("an Ordered event")
        .clone();
    assert_eq!(ordered["eventVersion"], "2.0");
    assert_eq!(
        ordered["payload"]["ordered"]["prices"],
        json!([{"phone_number": bought, "price": {"monthly_cost": "1.00", "upfront_cost": "1.00", "currency": "USD"}}])
    );
    // REST keeps the seed's keys: no price fields appear there.
    let number = done["number"].as_i64().expect("number");
    let path = format!(
        "/api/v1/org/{}/number-requests/{number}",
        app.tenant.org.slug
    );
    let response = app.rest_get(&app.tenant, &path).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    let text = body.to_string();
    assert!(
        !text.contains("monthly_cost") && !text.contains("prices"),
        "{text}"
    );
}
