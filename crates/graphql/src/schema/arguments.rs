//! Arguments that do not parse as their type (`createdAfter: "bad"`,
//! `at: "yesterday"`, `first: 2147483648`) are the client's: BAD_USER_INPUT
//! naming the argument, in the message and in `extensions.argument`.
//!
//! async-graphql reports them from inside the resolver as `Failed to parse
//! "<Scalar>": …`, located at the argument's value but without its name; this
//! extension, the one place that knows the field being resolved, finds the
//! argument at that location (and, inside an input object, the field whose
//! type is that scalar) and names it. A subscription's arguments are read
//! before any resolver runs, so for them it keeps the parsed operation's
//! root-field arguments and names the failing one in the stream's answer.

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextResolve, NextSubscribe,
    ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, Selection};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{Pos, Response, ServerError, ServerResult, Value, Variables};
use futures::stream::BoxStream;
use futures::StreamExt;
use std::sync::{Arc, Mutex};

/// The argument-naming extension.
#[derive(Clone, Copy, Debug, Default)]
pub struct NameBadArguments;

impl ExtensionFactory for NameBadArguments {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Naming::default())
    }
}

/// One root-field argument of a parsed operation: field, argument, where
/// its value stands, and the value as written.
type RootArgument = (String, String, Pos, serde_json::Value);

/// The extension's state for one request: the root-field arguments of its
/// operation (read at parse time, used to name a subscription's bad one).
#[derive(Default)]
struct Naming {
    root_arguments: Arc<Mutex<Vec<RootArgument>>>,
}

fn root_arguments(document: &ExecutableDocument) -> Vec<RootArgument> {
    let mut found = Vec::new();
    for (_, operation) in document.operations.iter() {
        for selection in &operation.node.selection_set.node.items {
            if let Selection::Field(field) = &selection.node {
                for (name, value) in &field.node.arguments {
                    found.push((
                        field.node.name.node.to_string(),
                        name.node.to_string(),
                        value.pos,
                        serde_json::to_value(&value.node).unwrap_or_default(),
                    ));
                }
            }
        }
    }
    found
}

#[async_trait::async_trait]
impl Extension for Naming {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if let Ok(mut kept) = self.root_arguments.lock() {
            *kept = root_arguments(&document);
        }
        Ok(document)
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let kept = Arc::clone(&self.root_arguments);
        let env = ctx.schema_env.clone();
        let named = stream.map(move |mut response| {
            let registry = &env.registry;
            let Some(subscription) = registry.subscription_type.as_deref() else {
                return response;
            };
            let arguments = kept.lock().map(|k| k.clone()).unwrap_or_default();
            for error in &mut response.errors {
                let Some(scalar) = failed_scalar(&error.message).map(str::to_owned) else {
                    continue;
                };
                let at = error.locations.first().copied();
                if let Some((field, argument, _, value)) =
                    arguments.iter().find(|(_, _, pos, _)| Some(*pos) == at)
                {
                    let name =
                        argument_path(registry, subscription, field, argument, value, &scalar);
                    name_argument(error, &name, &scalar);
                }
            }
            response
        });
        next.run(ctx, named.boxed())
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let parent_type = info.parent_type;
        let field_name = info.name;
        let field = info.field;
        next.run(ctx, info).await.map_err(|mut error| {
            if let Some(scalar) = failed_scalar(&error.message).map(str::to_owned) {
                let scalar = scalar.as_str();
                let at = error.locations.first().copied();
                if let Some((argument, value)) = field
                    .arguments
                    .iter()
                    .find(|(_, value)| Some(value.pos) == at)
                {
                    let registry = &ctx.schema_env.registry;
                    let name = argument_path(
                        registry,
                        parent_type,
                        field_name,
                        argument.node.as_str(),
                        &serde_json::to_value(&value.node).unwrap_or_default(),
                        scalar,
                    );
                    name_argument(&mut error, &name, scalar);
                }
            }
            error
        })
    }
}

/// The scalar named by async-graphql's `Failed to parse "<Scalar>"`.
fn failed_scalar(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("Failed to parse \"")?;
    rest.split('"').next()
}

fn name_argument(error: &mut ServerError, argument: &str, scalar: &str) {
    let reason = error
        .message
        .split_once(": ")
        .map(|(_, reason)| reason)
        .unwrap_or("")
        .split(" (occurred while parsing")
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    error.message = if reason.is_empty() {
        format!("argument `{argument}` is not a valid {scalar}")
    } else {
        format!("argument `{argument}` is not a valid {scalar}: {reason}")
    };
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", "BAD_USER_INPUT");
    extensions.set("argument", argument);
}

/// `argument`, or `argument.field` when the argument is an input object
/// holding exactly one given field of the failing scalar's type.
fn argument_path(
    registry: &Registry,
    parent_type: &str,
    field: &str,
    argument: &str,
    value: &serde_json::Value,
    scalar: &str,
) -> String {
    let ty = registry
        .types
        .get(parent_type)
        .and_then(|t| t.field_by_name(field))
        .and_then(|f| f.args.get(argument))
        .map(|a| MetaTypeName::concrete_typename(&a.ty).to_owned());
    let (Some(ty), Some(given)) = (ty, value.as_object()) else {
        return argument.to_owned();
    };
    let Some(MetaType::InputObject { input_fields, .. }) = registry.types.get(&ty) else {
        return argument.to_owned();
    };
    let candidates: Vec<&str> = given
        .keys()
        .map(String::as_str)
        .filter(|name| {
            input_fields
                .get(*name)
                .is_some_and(|f| MetaTypeName::concrete_typename(&f.ty) == scalar)
        })
        .collect();
    match candidates.as_slice() {
        [only] => format!("{argument}.{only}"),
        _ => argument.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::failed_scalar;

    #[test]
    fn the_scalar_is_read_from_async_graphqls_message() {
        assert_eq!(
            failed_scalar("Failed to parse \"DateTime\": input contains invalid characters"),
            Some("DateTime")
        );
        assert_eq!(failed_scalar("something else"), None);
    }
}
