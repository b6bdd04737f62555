//! Response fields in the order they were selected, as the GraphQL spec asks. The library
//! resolves a query's fields concurrently and keeps them in the order they finish; this
//! extension keeps the parsed document and puts every object of each response back into
//! selection order, for queries, mutations and every event of a subscription.
//!
//! Fields are ordered by their first appearance with fragments expanded in place. The
//! runtime type of an abstract field is not known here, so a fragment whose type condition
//! does not apply still takes part in the order; that only matters when the same key is
//! selected both in such a fragment and after it.

use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
};
use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Response, ServerResult, Value, Variables};
use std::collections::HashMap;

/// Installs [`SelectionOrderExtension`] on a schema.
pub struct SelectionOrder;

impl ExtensionFactory for SelectionOrder {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SelectionOrderExtension::default())
    }
}

/// One request's extension: the document, kept from parsing until its responses go out,
/// and the order of its response keys, worked out once and used for every response (a
/// subscription's events each come through [`Extension::execute`]).
#[derive(Default)]
pub struct SelectionOrderExtension {
    document: Mutex<Option<ExecutableDocument>>,
    plan: Mutex<Option<Arc<Plan>>>,
}

#[async_trait::async_trait]
impl Extension for SelectionOrderExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        *self.document.lock().unwrap_or_else(PoisonError::into_inner) = Some(document.clone());
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        if let Some(plan) = self.plan(operation_name) {
            plan.apply(&mut response.data);
        }
        response
    }
}

impl SelectionOrderExtension {
    /// The order of the operation's response, worked out on first use.
    fn plan(&self, operation_name: Option<&str>) -> Option<Arc<Plan>> {
        let mut plan = self.plan.lock().unwrap_or_else(PoisonError::into_inner);
        if plan.is_none() {
            let document = self.document.lock().unwrap_or_else(PoisonError::into_inner);
            *plan = document
                .as_ref()
                .and_then(|d| Plan::of_operation(d, operation_name))
                .map(Arc::new);
        }
        plan.clone()
    }
}

/// Response keys in selection order, each with the order of its own object's keys.
#[derive(Debug, Default)]
struct Plan {
    keys: Vec<(Name, Plan)>,
}

impl Plan {
    fn of_operation(document: &ExecutableDocument, operation_name: Option<&str>) -> Option<Self> {
        let mut operations = document.operations.iter();
        let (_, operation) = match operation_name {
            Some(name) => operations.find(|(n, _)| n.is_some_and(|n| n.as_str() == name)),
            None => operations.next(),
        }?;
        let order = Order {
            fragments: &document.fragments,
        };
        Some(Self::of(&order, &[&operation.node.selection_set.node]))
    }

    fn of(order: &Order<'_>, sets: &[&SelectionSet]) -> Self {
        let mut keys = Vec::new();
        for set in sets {
            order.collect(set, &mut keys, 0);
        }
        let keys = keys
            .into_iter()
            .map(|(key, children)| (Name::new(key), Self::of(order, &children)))
            .collect();
        Self { keys }
    }

    /// Puts the keys of `value` (an object, or lists of objects) in the planned order,
    /// and does the same for every nested object.
    fn apply(&self, value: &mut Value) {
        match value {
            Value::List(items) => {
                for item in items {
                    self.apply(item);
                }
            }
            Value::Object(map) => {
                for (key, child) in &self.keys {
                    if let Some(value) = map.get_mut(key).filter(|_| !child.keys.is_empty()) {
                        child.apply(value);
                    }
                }
                if self.follows(map.keys()) {
                    return;
                }
                let mut old = std::mem::take(map);
                for (key, _) in &self.keys {
                    if let Some((name, value)) = old.shift_remove_entry(key) {
                        map.insert(name, value);
                    }
                }
                // Anything not found in the document keeps its place after the rest.
                map.extend(old);
            }
            _ => {}
        }
    }

    /// Whether `keys` are already in the planned order, all of them planned.
    fn follows<'k>(&self, keys: impl Iterator<Item = &'k Name>) -> bool {
        let mut next = 0;
        for key in keys {
            match self.keys[next..].iter().position(|(k, _)| k == key) {
                Some(at) => next += at + 1,
                None => return false,
            }
        }
        true
    }
}

struct Order<'d> {
    fragments: &'d HashMap<Name, Positioned<FragmentDefinition>>,
}

/// Fragments nested deeper than this are left as the library ordered them; validation has
/// refused cycles and the document limits bound the depth long before.
const MAX_FRAGMENT_DEPTH: usize = 64;

impl<'d> Order<'d> {
    /// Response keys of `set` in first-appearance order, with the selection sets of their
    /// fields merged, fragments expanded in place.
    fn collect(
        &self,
        set: &'d SelectionSet,
        keys: &mut Vec<(&'d str, Vec<&'d SelectionSet>)>,
        depth: usize,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let key = field.node.response_key().node.as_str();
                    let child = &field.node.selection_set.node;
                    let children = match keys.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, children)) => children,
                        None => {
                            keys.push((key, Vec::new()));
                            &mut keys.last_mut().expect("just pushed").1
                        }
                    };
                    if !child.items.is_empty() {
                        children.push(child);
                    }
                }
                Selection::InlineFragment(fragment) if depth < MAX_FRAGMENT_DEPTH => {
                    self.collect(&fragment.node.selection_set.node, keys, depth + 1);
                }
                Selection::FragmentSpread(spread) if depth < MAX_FRAGMENT_DEPTH => {
                    if let Some(fragment) = self.fragments.get(&spread.node.fragment_name.node) {
                        self.collect(&fragment.node.selection_set.node, keys, depth + 1);
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn ordered(query: &str, data: serde_json::Value) -> String {
        let doc = parse_query(query).unwrap();
        let mut data = Value::from_json(data).unwrap();
        Plan::of_operation(&doc, None).unwrap().apply(&mut data);
        serde_json::to_string(&data).unwrap()
    }

    #[test]
    fn objects_follow_the_selection_through_lists_and_fragments() {
        let query = "{ b: x a: y { z w ...F } ... on Query { c } } fragment F on T { v }";
        let data = serde_json::json!({
            "c": 3,
            "a": [{ "v": 1, "w": 2, "z": 3 }, { "w": 2, "z": 3, "v": 1 }],
            "b": 1,
        });
        assert_eq!(
            ordered(query, data),
            r#"{"b":1,"a":[{"z":3,"w":2,"v":1},{"z":3,"w":2,"v":1}],"c":3}"#
        );
    }

    #[test]
    fn a_key_selected_twice_takes_its_first_place_and_merges_its_fields() {
        let query = "{ m { a } n ...F } fragment F on Query { m { b } }";
        let data = serde_json::json!({ "n": 1, "m": { "b": 2, "a": 1 } });
        assert_eq!(ordered(query, data), r#"{"m":{"a":1,"b":2},"n":1}"#);
    }
}
