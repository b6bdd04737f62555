//! Schema extensions: an alias limit (depth and complexity are built into the schema), and
//! a panic in a resolver answered as INTERNAL instead of a dropped connection.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Response, ServerError, ServerResult, Variables};
use futures::FutureExt;

/// Refuses documents with more than `max` aliased fields: aliases multiply the work of one
/// field without deepening the query, which the depth limit would not catch.
pub struct AliasLimit {
    pub max: usize,
}

impl ExtensionFactory for AliasLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AliasLimitExtension { max: self.max })
    }
}

struct AliasLimitExtension {
    max: usize,
}

fn count_aliases(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(f) => {
                usize::from(f.node.alias.is_some()) + count_aliases(&f.node.selection_set.node)
            }
            Selection::InlineFragment(f) => count_aliases(&f.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

#[async_trait::async_trait]
impl Extension for AliasLimitExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let in_operations: usize = doc
            .operations
            .iter()
            .map(|(_, op)| count_aliases(&op.node.selection_set.node))
            .sum();
        let in_fragments: usize = doc
            .fragments
            .values()
            .map(|f| count_aliases(&f.node.selection_set.node))
            .sum();
        let total = in_operations + in_fragments;
        if total > self.max {
            let mut err = ServerError::new(
                format!("the query uses {total} aliases; the limit is {}", self.max),
                None,
            );
            err.extensions = Some(code_extension("BAD_USER_INPUT"));
            return Err(err);
        }
        Ok(doc)
    }
}

fn code_extension(code: &str) -> async_graphql::ErrorExtensionValues {
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", code);
    ext
}

/// Turns a panic during execution into one INTERNAL error with a log line.
pub struct CatchPanic;

impl ExtensionFactory for CatchPanic {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CatchPanicExtension)
    }
}

struct CatchPanicExtension;

#[async_trait::async_trait]
impl Extension for CatchPanicExtension {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        match AssertUnwindSafe(next.run(ctx, operation_name))
            .catch_unwind()
            .await
        {
            Ok(response) => response,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "non-text panic".to_owned());
                tracing::error!(panic = %what, operation = ?operation_name, "a resolver panicked");
                let mut err = ServerError::new("internal error", None);
                err.extensions = Some(code_extension("INTERNAL"));
                Response::from_errors(vec![err])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

    struct Query;

    fn explode(reason: &str) -> i32 {
        panic!("{reason}")
    }

    #[Object]
    impl Query {
        async fn calm(&self) -> i32 {
            1
        }
        async fn boom(&self) -> i32 {
            explode("resolver exploded")
        }
    }

    fn schema() -> Schema<Query, EmptyMutation, EmptySubscription> {
        Schema::build(Query, EmptyMutation, EmptySubscription)
            .extension(CatchPanic)
            .extension(AliasLimit { max: 2 })
            .finish()
    }

    #[tokio::test]
    async fn a_panicking_resolver_answers_internal() {
        let response = schema().execute("{ boom }").await;
        assert_eq!(response.errors.len(), 1);
        assert_eq!(response.errors[0].message, "internal error");
        let code = response.errors[0]
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .cloned();
        assert_eq!(code, Some(async_graphql::Value::from("INTERNAL")));
        // The schema keeps serving afterwards.
        assert!(schema().execute("{ calm }").await.errors.is_empty());
    }

    #[tokio::test]
    async fn too_many_aliases_are_refused() {
        assert!(schema()
            .execute("{ a: calm b: calm }")
            .await
            .errors
            .is_empty());
        let response = schema()
            .execute("{ a: calm b: calm ...F } fragment F on Query { c: calm }")
            .await;
        assert!(response.errors[0].message.contains("3 aliases"));
    }
}
