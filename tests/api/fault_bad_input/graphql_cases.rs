//! GraphQL paging and scalar cases of the corpus: malformed cursors, sizes
//! beyond `Int`, unparsable instants and organisation ids out of range, on
//! every connection. Each is BAD_USER_INPUT, and none changes anything.

use super::{answer_all, gql, report, Case};
use crate::helpers::{spawn, submit, Backend};
use serde_json::json;

/// The connections paged by cursor, with a filter that has `organization`.
const CONNECTIONS: [&str; 3] = ["numberRequests", "phoneNumbers", "auditLog"];

fn query(name: String, query: String) -> Case {
    gql(name, json!({"query": query}).to_string())
}

/// The paging and scalar cases (for the corpus and the test below).
pub(super) fn paging_and_scalars() -> Vec<Case> {
    let mut cases = Vec::new();
    for field in CONNECTIONS {
        for args in [
            "after: \"-5\"",
            "after: \"abc\"",
            "after: \"MTA=\"",
            "after: \"1e3\"",
            "before: \"zzz\"",
            "before: \"\"",
            "before: \"0\"",
            "first: 2147483648",
            "last: 2147483648",
            "first: -1",
            "last: 0",
            "filter: {organization: 2147483648}",
            "filter: {organization: -2147483649}",
            "filter: {organization: 99999999999}",
        ] {
            cases.push(query(
                format!("graphql paging {field}({args})"),
                format!("{{ {field}({args}) {{ edges {{ cursor }} }} }}"),
            ));
        }
        cases.push(gql(
            format!("graphql paging {field} first as a variable beyond Int"),
            json!({
                "query": format!("query($n: Int) {{ {field}(first: $n) {{ edges {{ cursor }} }} }}"),
                "variables": {"n": 2_147_483_648_i64},
            })
            .to_string(),
        ));
    }
    for (field, args) in [
        ("numberRequests", "filter: {createdAfter: \"bad\"}"),
        (
            "numberRequests",
            "filter: {createdBefore: \"2026-13-01T00:00:00Z\"}",
        ),
        ("auditLog", "filter: {from: \"yesterday\"}"),
        ("auditLog", "filter: {to: \"soon\"}"),
    ] {
        cases.push(query(
            format!("graphql scalar {field}({args})"),
            format!("{{ {field}({args}) {{ edges {{ cursor }} }} }}"),
        ));
    }
    for (name, text) in [
        ("stats organization beyond Int", "{ stats(organization: 2147483648) { total } }"),
        (
            "asOf at: yesterday",
            "{ numberRequestAsOf(id: \"00000000-0000-0000-0000-000000000001\", at: \"yesterday\") { id } }",
        ),
        ("needsAttention after -5", "{ needsAttention(after: \"-5\") { edges { cursor } } }"),
        ("needsAttention first beyond Int", "{ needsAttention(first: 2147483648) { edges { cursor } } }"),
    ] {
        cases.push(query(format!("graphql scalar {name}"), text.to_owned()));
    }
    cases
}

/// Every paging and scalar case: a 200 or 4xx whose every error is
/// BAD_USER_INPUT, no data, and the log unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_paging_and_scalar_cases_are_bad_user_input() {
    let app = spawn(Backend::Sqlite, "fault_bad_input_paging")
        .await
        .expect("sqlite");
    submit(&app, &app.tenant, 1, None).await;
    let cases = paging_and_scalars();
    let before = app.log_length().await;
    let answers = answer_all(&app, &cases).await;
    let failures: Vec<String> = answers
        .iter()
        .filter(|a| {
            let errors = a.body["errors"].as_array().cloned().unwrap_or_default();
            let coded = !errors.is_empty()
                && errors
                    .iter()
                    .all(|e| e["extensions"]["code"] == "BAD_USER_INPUT");
            let status = a.status == 200 || (400..500).contains(&a.status);
            let no_data = a.body["data"]
                .as_object()
                .is_none_or(|data| data.values().all(serde_json::Value::is_null));
            !(coded && status && no_data)
        })
        .map(|a| format!("{}: HTTP {} {}", a.name, a.status, a.text))
        .collect();
    assert_eq!(
        app.log_length().await,
        before,
        "a refused case changed the log"
    );
    report(&failures, cases.len());
}
