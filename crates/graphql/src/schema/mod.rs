//! The GraphQL schema. The SDL is checked in at `crates/graphql/schema.graphql`
//! and a test fails when the code drifts from it.

mod arguments;
mod attention;
mod context;
mod depth;
mod fulfilment;
mod guard;
mod inputs;
mod mutation;
mod paging;
mod query;
mod quote;
mod subscription;
mod types;

pub use attention::AttentionQuery;
pub use context::{Caller, OpsOnly, RequestId, Scope};
pub use depth::INTROSPECTION_MAX_DEPTH;
pub use fulfilment::FulfilmentQuery;
pub use mutation::Mutation;
pub use paging::{parse_cursor, KeysetConnection, PageArgs};
pub use query::Query;
pub use quote::QuoteQuery;
pub use subscription::{SubscriberKey, SubscriptionRoot};

use async_graphql::{MergedObject, Schema};
use numberdesk_application::AppState;

/// The root `Query`: the request reads plus fulfilment (jobs, callbacks).
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(Query, FulfilmentQuery, AttentionQuery, QuoteQuery);

/// The schema type served by the router.
pub type NumberDeskSchema = Schema<QueryRoot, Mutation, SubscriptionRoot>;

/// Builds the schema with the state's limits.
pub fn build_schema(state: AppState) -> NumberDeskSchema {
    let settings = state.settings.clone();
    let mut builder = Schema::build(QueryRoot::default(), Mutation, SubscriptionRoot)
        // The guard enforces GRAPHQL_MAX_DEPTH (higher for introspection-only
        // operations); this is async-graphql's own backstop at the higher one.
        .limit_depth(settings.max_query_depth.max(INTROSPECTION_MAX_DEPTH))
        .limit_complexity(settings.max_query_complexity)
        .limit_recursive_depth(32)
        .extension(guard::DocumentGuard {
            introspection: settings.introspection,
            max_depth: settings.max_query_depth,
            max_fields: settings.max_query_complexity,
        })
        .extension(arguments::NameBadArguments)
        .data(state);
    if !settings.introspection {
        // Off means off: no schema, and no "Did you mean …" listing names.
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema's SDL, as checked in.
pub fn sdl() -> String {
    Schema::build(QueryRoot::default(), Mutation, SubscriptionRoot)
        .finish()
        .sdl()
}
