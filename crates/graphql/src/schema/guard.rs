//! Checks on the parsed document, before validation and execution:
//!
//! - **Introspection policy**: `__schema` and `__type` answer signed-in
//!   callers only, and nobody when introspection is off
//!   (`GRAPHQL_INTROSPECTION=false`). Both are errors, never a silent `null`.
//! - **Every field counts**: async-graphql's complexity leaves `__typename`
//!   out, so 2000 aliased `__typename`s would pass. Here every selected field
//!   counts, aliases and `__typename` included, fragments expanded, against
//!   the complexity limit (`GRAPHQL_MAX_COMPLEXITY`).
//! - **Depth**: `GRAPHQL_MAX_DEPTH`, or `INTROSPECTION_MAX_DEPTH` for an
//!   operation asking for introspection only (see `depth.rs`), so GraphiQL's
//!   docs load while deep data queries stay refused.

use super::context::Caller;
use super::depth::too_deep;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Pos, ServerError, ServerResult, Variables};
use numberdesk_application::ApiError;
use std::collections::HashMap;
use std::sync::Arc;

/// The document checks, as a schema extension.
#[derive(Clone, Copy, Debug)]
pub struct DocumentGuard {
    /// Whether introspection is on at all.
    pub introspection: bool,
    /// How deep an operation may nest (`GRAPHQL_MAX_DEPTH`).
    pub max_depth: usize,
    /// The most fields one operation may select.
    pub max_fields: usize,
}

impl ExtensionFactory for DocumentGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

#[async_trait::async_trait]
impl Extension for DocumentGuard {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if let Some(pos) = introspection_field(&document) {
            let signed_in = matches!(ctx.data_opt::<Caller>(), Some(Caller(Ok(_))));
            let refusal = if !self.introspection {
                Some(ApiError::Forbidden(
                    "introspection (__schema, __type) is turned off on this server".into(),
                ))
            } else if !signed_in {
                Some(ApiError::Unauthenticated(
                    "introspection (__schema, __type) needs an API key: \
                     send Authorization: Bearer <api key>"
                        .into(),
                ))
            } else {
                None
            };
            if let Some(error) = refusal {
                return Err(server_error(error, pos));
            }
        }
        if let Some(excess) = too_deep(&document, self.max_depth) {
            let limit = if excess.introspection {
                format!(
                    "the limit is {} for an operation asking for introspection only",
                    excess.limit
                )
            } else {
                format!("the limit is {} (GRAPHQL_MAX_DEPTH)", excess.limit)
            };
            let error = ApiError::bad_field(
                "query",
                format!(
                    "is nested too deep: {} levels of fields; {limit}",
                    excess.depth
                ),
            );
            return Err(server_error(error, Pos::default()));
        }
        let fields = field_count(&document);
        if fields > self.max_fields {
            let error = ApiError::bad_field(
                "query",
                format!(
                    "selects {fields} fields (aliases and __typename included); \
                     the limit is {} (GRAPHQL_MAX_COMPLEXITY)",
                    self.max_fields
                ),
            );
            return Err(server_error(error, Pos::default()));
        }
        Ok(document)
    }
}

fn server_error(error: ApiError, pos: Pos) -> ServerError {
    async_graphql::Error::from(error).into_server_error(pos)
}

/// Where the document asks for `__schema` or `__type`, if it does.
fn introspection_field(document: &ExecutableDocument) -> Option<Pos> {
    let sets = document
        .operations
        .iter()
        .map(|(_, op)| &op.node.selection_set.node)
        .chain(
            document
                .fragments
                .values()
                .map(|f| &f.node.selection_set.node),
        );
    sets.into_iter().find_map(find_introspection)
}

fn find_introspection(set: &SelectionSet) -> Option<Pos> {
    set.items.iter().find_map(|item| match &item.node {
        Selection::Field(field) => {
            let name = field.node.name.node.as_str();
            if name == "__schema" || name == "__type" {
                Some(field.pos)
            } else {
                find_introspection(&field.node.selection_set.node)
            }
        }
        Selection::InlineFragment(fragment) => {
            find_introspection(&fragment.node.selection_set.node)
        }
        Selection::FragmentSpread(_) => None,
    })
}

/// The most fields any one operation selects, fragments expanded.
fn field_count(document: &ExecutableDocument) -> usize {
    let mut counter = Counter {
        document,
        done: HashMap::new(),
        visiting: Vec::new(),
    };
    document
        .operations
        .iter()
        .map(|(_, op)| counter.count(&op.node.selection_set.node))
        .max()
        .unwrap_or(0)
}

struct Counter<'a> {
    document: &'a ExecutableDocument,
    /// Fields per fragment, each counted once however often it is spread.
    done: HashMap<&'a str, usize>,
    /// Fragments being counted (a cycle counts nothing; validation refuses it).
    visiting: Vec<&'a str>,
}

impl<'a> Counter<'a> {
    fn count(&mut self, set: &'a SelectionSet) -> usize {
        set.items.iter().fold(0usize, |total, item| {
            let here = match &item.node {
                Selection::Field(field) => {
                    1usize.saturating_add(self.count(&field.node.selection_set.node))
                }
                Selection::InlineFragment(fragment) => {
                    self.count(&fragment.node.selection_set.node)
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(spread.node.fragment_name.node.as_str())
                }
            };
            total.saturating_add(here)
        })
    }

    fn fragment(&mut self, name: &'a str) -> usize {
        if let Some(count) = self.done.get(name) {
            return *count;
        }
        if self.visiting.contains(&name) {
            return 0;
        }
        let Some((key, fragment)) = self.document.fragments.get_key_value(name) else {
            return 0;
        };
        self.visiting.push(key.as_str());
        let count = self.count(&fragment.node.selection_set.node);
        self.visiting.pop();
        self.done.insert(key.as_str(), count);
        count
    }
}

#[cfg(test)]
mod tests {
    use super::{field_count, introspection_field};

    fn parse(query: &str) -> async_graphql::parser::types::ExecutableDocument {
        async_graphql::parser::parse_query(query).expect("parses")
    }

    #[test]
    fn aliases_typename_and_fragments_all_count() {
        assert_eq!(field_count(&parse("{ a: __typename b: __typename }")), 2);
        assert_eq!(
            field_count(&parse(
                "{ x { ...F } y { ...F } } fragment F on T { a b { c } }"
            )),
            2 + 2 * 3
        );
        assert_eq!(field_count(&parse("{ ... on Q { a b } }")), 2);
    }

    #[test]
    fn introspection_is_found_in_fragments_too() {
        assert!(introspection_field(&parse("{ __typename }")).is_none());
        assert!(introspection_field(&parse("{ __schema { types { name } } }")).is_some());
        assert!(introspection_field(&parse(
            "{ ...F } fragment F on Query { __type(name: \"X\") { name } }"
        ))
        .is_some());
    }
}

#[cfg(test)]
mod introspection_size {
    #[test]
    fn graphiqls_introspection_query_fits_the_default_limit() {
        let document =
            async_graphql::parser::parse_query(include_str!("introspection_query.graphql"))
                .expect("parses");
        let count = super::field_count(&document);
        assert!(count < 1000, "{count}");
    }
}
