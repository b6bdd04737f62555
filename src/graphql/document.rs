//! Bounds on a GraphQL document that must hold before the library parses, validates or
//! executes it. The parser recurses once per nested `{`, `[` or `(`, so a few kilobytes of
//! brackets overflow a worker's stack and abort the process: [`check_nesting`] measures the
//! nesting with a flat scan of the text first. Fragment spreads can fan out exponentially
//! (`fragment A { ...B ...B }`, `fragment B { ...C ...C }`, …) and the library's own depth and
//! complexity checks walk every expansion, so [`Shape::of`] counts the expanded fields,
//! aliases and directives once per fragment, in time linear in the document.

use std::collections::HashMap;

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::Positioned;

/// The deepest nesting of brackets in `query`, ignoring strings, block strings and comments.
/// Stops counting (and answers `limit + 1`) as soon as the depth passes `limit`.
pub fn nesting(query: &str, limit: usize) -> usize {
    let bytes = query.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    // `\"""` is an escaped triple quote inside a block string.
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > deepest {
                    deepest = depth;
                    if deepest > limit {
                        return deepest;
                    }
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// What a document would select once every fragment spread is expanded in place.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Field selections, each counted as often as its fragments are spread.
    pub fields: u64,
    /// Aliased fields, counted the same way.
    pub aliases: u64,
    /// The most directives on any one selection or operation.
    pub directives_on_one: usize,
    /// Whether any selection reads the schema (`__schema` or `__type`).
    pub introspects: bool,
}

impl Shape {
    fn add(self, other: Shape) -> Shape {
        Shape {
            fields: self.fields.saturating_add(other.fields),
            aliases: self.aliases.saturating_add(other.aliases),
            directives_on_one: self.directives_on_one.max(other.directives_on_one),
            introspects: self.introspects || other.introspects,
        }
    }

    /// The shape of every operation in `doc` together, or an error naming a fragment that
    /// spreads itself (directly or through others).
    pub fn of(doc: &ExecutableDocument) -> Result<Shape, String> {
        let mut walk = Walk {
            fragments: &doc.fragments,
            done: HashMap::new(),
            active: Vec::new(),
        };
        let mut total = Shape::default();
        for (_, op) in doc.operations.iter() {
            let own = Shape {
                directives_on_one: op.node.directives.len(),
                ..Shape::default()
            };
            total = total.add(own).add(walk.set(&op.node.selection_set.node)?);
        }
        // Unused fragments are refused by validation later; their own selections still count
        // toward the directive bound, which is checked before validation runs.
        for (name, _) in doc.fragments.iter() {
            let shape = walk.fragment(name.as_str())?;
            total.directives_on_one = total.directives_on_one.max(shape.directives_on_one);
            total.introspects |= shape.introspects;
        }
        Ok(total)
    }
}

struct Walk<'d> {
    fragments: &'d HashMap<async_graphql::Name, Positioned<FragmentDefinition>>,
    done: HashMap<&'d str, Shape>,
    active: Vec<&'d str>,
}

impl<'d> Walk<'d> {
    fn set(&mut self, set: &'d SelectionSet) -> Result<Shape, String> {
        let mut shape = Shape::default();
        for item in &set.items {
            let here = match &item.node {
                Selection::Field(f) => Shape {
                    fields: 1,
                    aliases: u64::from(f.node.alias.is_some()),
                    directives_on_one: f.node.directives.len(),
                    introspects: matches!(f.node.name.node.as_str(), "__schema" | "__type"),
                }
                .add(self.set(&f.node.selection_set.node)?),
                Selection::InlineFragment(f) => Shape {
                    directives_on_one: f.node.directives.len(),
                    ..Shape::default()
                }
                .add(self.set(&f.node.selection_set.node)?),
                Selection::FragmentSpread(s) => Shape {
                    directives_on_one: s.node.directives.len(),
                    ..Shape::default()
                }
                .add(self.fragment(s.node.fragment_name.node.as_str())?),
            };
            shape = shape.add(here);
        }
        Ok(shape)
    }

    fn fragment(&mut self, name: &'d str) -> Result<Shape, String> {
        if let Some(shape) = self.done.get(name) {
            return Ok(*shape);
        }
        if self.active.contains(&name) {
            return Err(format!("the fragment {name} spreads itself"));
        }
        // A spread of an unknown fragment is refused by validation; it adds nothing here.
        let Some((key, definition)) = self.fragments.get_key_value(name) else {
            return Ok(Shape::default());
        };
        self.active.push(key.as_str());
        let own = Shape {
            directives_on_one: definition.node.directives.len(),
            ..Shape::default()
        };
        let shape = own.add(self.set(&definition.node.selection_set.node)?);
        self.active.pop();
        self.done.insert(key.as_str(), shape);
        Ok(shape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    #[test]
    fn nesting_counts_brackets_outside_strings_and_comments() {
        assert_eq!(nesting("{ a { b } }", 100), 2);
        assert_eq!(nesting("{ a(x: [[1]]) }", 100), 4);
        assert_eq!(nesting(r#"{ a(x: "{{{[[[") }"#, 100), 2);
        assert_eq!(nesting(r#"{ a(x: "\"{{{") }"#, 100), 2);
        assert_eq!(nesting("{ a(x: \"\"\"{{{ \\\"\"\" [[[\"\"\") }", 100), 2);
        assert_eq!(nesting("# {{{{\n{ a }", 100), 1);
        assert_eq!(nesting("}}}} { a }", 100), 1);
    }

    #[test]
    fn nesting_stops_at_the_limit() {
        let deep = "[".repeat(1_000_000);
        assert_eq!(nesting(&deep, 64), 65);
    }

    #[test]
    fn fragments_count_once_per_spread() {
        let doc = parse_query(
            "{ ...A ...A } fragment A on Query { x: me { role } ...B ...B } fragment B on Query { y: me @skip(if: false) }",
        )
        .unwrap();
        let shape = Shape::of(&doc).unwrap();
        // A = x, role, B, B = 2 + 2 * 1 fields; two spreads of A.
        assert_eq!(shape.fields, 8);
        assert_eq!(shape.aliases, 6);
        assert_eq!(shape.directives_on_one, 1);
    }

    #[test]
    fn exponential_fan_out_is_counted_without_walking_it() {
        let mut query = String::from("{ ...F0 }");
        for i in 0..60 {
            query.push_str(&format!(
                " fragment F{i} on Query {{ ...F{} ...F{} }}",
                i + 1,
                i + 1
            ));
        }
        query.push_str(" fragment F60 on Query { a: me { role } }");
        let shape = Shape::of(&parse_query(&query).unwrap()).unwrap();
        assert_eq!(shape.aliases, 1 << 60);
        assert!(shape.fields >= 1 << 61);
    }

    #[test]
    fn a_fragment_cycle_is_named() {
        let doc = parse_query("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }")
            .unwrap();
        assert!(Shape::of(&doc).unwrap_err().contains("spreads itself"));
    }

    #[test]
    fn reading_the_schema_is_seen_through_fragments_and_aliases() {
        let reads = |q: &str| Shape::of(&parse_query(q).unwrap()).unwrap().introspects;
        assert!(reads("{ __schema { queryType { name } } }"));
        assert!(reads("{ t: __type(name: \"Query\") { name } }"));
        assert!(reads(
            "{ ...F } fragment F on Query { ... on Query { __schema { types { name } } } }"
        ));
        assert!(!reads("{ __typename me { role } }"));
        assert!(!reads("{ __schema: __typename }"));
    }
}
