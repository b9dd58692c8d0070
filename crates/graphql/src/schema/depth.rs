//! How deep an operation nests, and how deep it may.
//!
//! Depth counts fields the way async-graphql's own limit does: each field
//! one level below the one that selects it, fragments expanded in place.
//! `GRAPHQL_MAX_DEPTH` applies to every operation, except one that asks for
//! nothing but introspection (`__schema`, `__type`, `__typename` at its top):
//! that one may go to [`INTROSPECTION_MAX_DEPTH`]. GraphiQL's own
//! introspection query nests 15 levels (an argument's type, wrapped up to nine
//! times in `ofType`) and must load under the default of 12. Introspection
//! types only ever lead to other introspection types, so the extra levels
//! reach no resolver of ours; a deeper `__type { … ofType … }` is still
//! refused.

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use std::collections::HashMap;

/// How deep an introspection-only operation may nest (when
/// `GRAPHQL_MAX_DEPTH` is lower): room for GraphiQL's introspection query,
/// which nests 15 levels, with one to spare.
pub const INTROSPECTION_MAX_DEPTH: usize = 16;

/// An operation nesting deeper than it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    /// How deep the operation nests.
    pub depth: usize,
    /// How deep it may.
    pub limit: usize,
    /// Whether it asks for introspection only (and so had the higher limit).
    pub introspection: bool,
}

/// The first operation of the document that nests deeper than it may.
pub fn too_deep(document: &ExecutableDocument, max_depth: usize) -> Option<TooDeep> {
    let mut walker = Walker {
        document,
        depths: HashMap::new(),
        visiting: Vec::new(),
    };
    document.operations.iter().find_map(|(_, operation)| {
        let set = &operation.node.selection_set.node;
        let introspection =
            operation.node.ty == OperationType::Query && walker.introspection_only(set);
        let limit = if introspection {
            max_depth.max(INTROSPECTION_MAX_DEPTH)
        } else {
            max_depth
        };
        let depth = walker.depth(set);
        (depth > limit).then_some(TooDeep {
            depth,
            limit,
            introspection,
        })
    })
}

struct Walker<'a> {
    document: &'a ExecutableDocument,
    /// Depth per fragment, each walked once however often it is spread.
    depths: HashMap<&'a str, usize>,
    /// Fragments being walked (a cycle adds nothing; validation refuses it).
    visiting: Vec<&'a str>,
}

impl<'a> Walker<'a> {
    fn depth(&mut self, set: &'a SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    1usize.saturating_add(self.depth(&field.node.selection_set.node))
                }
                Selection::InlineFragment(fragment) => {
                    self.depth(&fragment.node.selection_set.node)
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(spread.node.fragment_name.node.as_str())
                }
            })
            .max()
            .unwrap_or(0)
    }

    fn fragment(&mut self, name: &'a str) -> usize {
        if let Some(depth) = self.depths.get(name) {
            return *depth;
        }
        if self.visiting.contains(&name) {
            return 0;
        }
        let Some((key, fragment)) = self.document.fragments.get_key_value(name) else {
            return 0;
        };
        self.visiting.push(key.as_str());
        let depth = self.depth(&fragment.node.selection_set.node);
        self.visiting.pop();
        self.depths.insert(key.as_str(), depth);
        depth
    }

    /// Whether the top of an operation selects `__schema` or `__type`, and
    /// nothing else but `__typename` (fragments at the top expanded).
    fn introspection_only(&self, set: &'a SelectionSet) -> bool {
        let mut names = Vec::new();
        if !self.top_fields(set, &mut names, &mut Vec::new()) {
            return false;
        }
        names.iter().any(|n| *n == "__schema" || *n == "__type")
            && names
                .iter()
                .all(|n| matches!(*n, "__schema" | "__type" | "__typename"))
    }

    /// The names of the fields at the top of `set`; false for a spread of an
    /// unknown fragment or a cycle (neither is treated as introspection).
    fn top_fields(
        &self,
        set: &'a SelectionSet,
        names: &mut Vec<&'a str>,
        visiting: &mut Vec<&'a str>,
    ) -> bool {
        set.items.iter().all(|item| match &item.node {
            Selection::Field(field) => {
                names.push(field.node.name.node.as_str());
                true
            }
            Selection::InlineFragment(fragment) => {
                self.top_fields(&fragment.node.selection_set.node, names, visiting)
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                let Some((key, fragment)) = self.document.fragments.get_key_value(name) else {
                    return false;
                };
                if visiting.contains(&name) {
                    return false;
                }
                visiting.push(key.as_str());
                let known = self.top_fields(&fragment.node.selection_set.node, names, visiting);
                visiting.pop();
                known
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{too_deep, TooDeep, INTROSPECTION_MAX_DEPTH};

    fn parse(query: &str) -> async_graphql::parser::types::ExecutableDocument {
        async_graphql::parser::parse_query(query).expect("parses")
    }

    /// `{ a { a { … leaf } } }`, `depth` fields deep.
    fn nested(top: &str, depth: usize) -> String {
        let mut inner = String::from("name");
        for _ in 1..depth.saturating_sub(1) {
            inner = format!("ofType {{ {inner} }}");
        }
        format!("{{ {top} {{ {inner} }} }}")
    }

    #[test]
    fn depth_counts_fields_with_fragments_expanded() {
        let doc = parse("{ a { ...F } } fragment F on T { b { c } }");
        assert_eq!(too_deep(&doc, 3), None);
        assert_eq!(
            too_deep(&doc, 2),
            Some(TooDeep {
                depth: 3,
                limit: 2,
                introspection: false
            })
        );
    }

    #[test]
    fn graphiqls_introspection_query_fits_but_not_under_the_plain_limit() {
        let doc = parse(include_str!("introspection_query.graphql"));
        assert_eq!(too_deep(&doc, 12), None);
        // It nests 15 levels: over the plain limit of 12.
        let mut walker = super::Walker {
            document: &doc,
            depths: Default::default(),
            visiting: Vec::new(),
        };
        let (_, op) = doc.operations.iter().next().expect("one operation");
        assert_eq!(walker.depth(&op.node.selection_set.node), 15);
    }

    #[test]
    fn deep_introspection_and_deep_normal_queries_are_refused() {
        let deep_type = parse(&nested("__type(name: \"Query\")", 23));
        assert_eq!(
            too_deep(&deep_type, 12),
            Some(TooDeep {
                depth: 23,
                limit: INTROSPECTION_MAX_DEPTH,
                introspection: true
            })
        );
        let normal = parse(&nested("numberRequests", 13));
        assert_eq!(
            too_deep(&normal, 12).map(|t| (t.depth, t.limit, t.introspection)),
            Some((13, 12, false))
        );
        // Introspection next to a data field is a normal operation.
        let mixed = parse("{ stats { total } ...F } fragment F on Query { __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } } }");
        assert!(too_deep(&mixed, 12).is_some_and(|t| !t.introspection));
        // A higher GRAPHQL_MAX_DEPTH is never lowered for introspection.
        assert_eq!(
            too_deep(&parse(&nested("__type(name: \"Q\")", 18)), 20),
            None
        );
    }
}
