//! Response fields in the order they were selected, as the GraphQL spec asks. The library
//! resolves a query's fields concurrently and keeps them in the order they finish; this
//! puts every object of each response back into selection order, for queries, mutations
//! and every event of a subscription ([`super::hooks`] applies it).
//!
//! Fields are ordered by their first appearance with fragments expanded in place. The
//! runtime type of an abstract field is not known here, so a fragment whose type condition
//! does not apply still takes part in the order; that only matters when the same key is
//! selected both in such a fragment and after it.

use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Value};
use std::collections::HashMap;

/// One request's order: the order of the response keys of each operation in its document,
/// worked out when the document is parsed and used for every response (each event of a
/// subscription among them). The document itself is not kept.
#[derive(Default)]
pub struct SelectionOrder {
    plans: Mutex<Vec<(Option<Name>, Arc<Plan>)>>,
}

impl SelectionOrder {
    /// Works out the order of each operation of the request's `document`.
    pub fn plan(&self, document: &ExecutableDocument) {
        *self.plans.lock().unwrap_or_else(PoisonError::into_inner) = Plan::of_document(document);
    }

    /// Puts the objects of a response `data` of the named operation (the first without a
    /// name) in selection order.
    pub fn apply(&self, operation_name: Option<&str>, data: &mut Value) {
        let plan = {
            let plans = self.plans.lock().unwrap_or_else(PoisonError::into_inner);
            let mut plans = plans.iter();
            match operation_name {
                Some(name) => plans.find(|(n, _)| n.as_ref().is_some_and(|n| n.as_str() == name)),
                None => plans.next(),
            }
            .map(|(_, plan)| plan.clone())
        };
        if let Some(plan) = plan {
            plan.apply(data);
        }
    }
}

/// Response keys in selection order, each with the order of its own object's keys.
#[derive(Debug, Default)]
struct Plan {
    keys: Vec<(Name, Plan)>,
}

impl Plan {
    /// The plan of each operation of `document`, in the document's order.
    fn of_document(document: &ExecutableDocument) -> Vec<(Option<Name>, Arc<Self>)> {
        let order = Order {
            fragments: &document.fragments,
        };
        document
            .operations
            .iter()
            .map(|(name, operation)| {
                let plan = Self::of(&order, &[&operation.node.selection_set.node]);
                (name.cloned(), Arc::new(plan))
            })
            .collect()
    }

    fn of(order: &Order<'_>, sets: &[&SelectionSet]) -> Self {
        let mut keys = Vec::new();
        for set in sets {
            order.collect(set, &mut keys, 0);
        }
        let keys = keys
            .into_iter()
            .map(|(key, children)| (key.clone(), Self::of(order, &children)))
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
        keys: &mut Vec<(&'d Name, Vec<&'d SelectionSet>)>,
        depth: usize,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let key = &field.node.response_key().node;
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
        let plans = Plan::of_document(&doc);
        plans[0].1.apply(&mut data);
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
