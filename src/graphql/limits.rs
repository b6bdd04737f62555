//! Bounds on the document before the library parses and walks it (see
//! [`super::document`]), and a panic in a resolver answered as INTERNAL instead of a dropped
//! connection; [`super::hooks`] applies both. Depth and complexity are built into the
//! schema.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult};
use futures::FutureExt;

use super::document::{nesting, Shape};
use super::errors::code_extension;

use crate::error::ErrorCode;

/// Refuses, before the library parses or walks it, a document that nests brackets deeper than
/// `nesting`, that selects more than `fields` fields or `aliases` aliased fields once its
/// fragments are expanded, or that puts more than `directives` directives on one selection.
/// Aliases and fragment spreads multiply the work of one field without deepening the query,
/// which the depth limit would not catch.
#[derive(Clone, Copy)]
pub struct DocumentLimits {
    pub nesting: usize,
    pub fields: usize,
    pub aliases: usize,
    pub directives: usize,
    /// Whether a request without a signed-in viewer may read the schema.
    pub anonymous_introspection: bool,
}

impl DocumentLimits {
    /// The first bound `query` breaks, as the message to answer.
    pub fn check_text(&self, query: &str) -> Result<(), String> {
        let depth = nesting(query, self.nesting);
        if depth > self.nesting {
            return Err(format!(
                "the query nests brackets more than {} deep",
                self.nesting
            ));
        }
        Ok(())
    }

    fn check_shape(&self, doc: &ExecutableDocument) -> Result<Shape, String> {
        let shape = Shape::of(doc)?;
        if shape.aliases > self.aliases as u64 {
            return Err(format!(
                "the query uses {} aliases once its fragments are expanded; the limit is {}",
                shape.aliases, self.aliases
            ));
        }
        if shape.fields > self.fields as u64 {
            return Err(format!(
                "the query is too complex: it selects {} fields once its fragments are expanded; the limit is {}",
                shape.fields, self.fields
            ));
        }
        if shape.directives_on_one > self.directives {
            return Err(format!(
                "a selection carries {} directives; the limit is {}",
                shape.directives_on_one, self.directives
            ));
        }
        Ok(shape)
    }
}

fn refusal(message: String) -> ServerError {
    let mut err = ServerError::new(message, None);
    err.extensions = Some(code_extension(ErrorCode::BadUserInput));
    err
}

impl DocumentLimits {
    /// Refuses `query` when it breaks a bound, or reads the schema without a viewer where
    /// that is not allowed; before the library parses it.
    pub(super) fn admit(&self, query: &str, signed_in: bool) -> ServerResult<()> {
        self.check_text(query).map_err(refusal)?;
        // Parsed here as well as by the library, because the library's own checks after
        // parsing walk every fragment expansion before any bound applies.
        let doc = async_graphql::parser::parse_query(query)
            .map_err(super::request_errors::syntax_error)?;
        let shape = self.check_shape(&doc).map_err(refusal)?;
        if shape.introspects && !self.anonymous_introspection && !signed_in {
            let mut err = ServerError::new(
                "sign in to read the schema; `switchboard schema` prints it without a server",
                None,
            );
            err.extensions = Some(code_extension(ErrorCode::Unauthenticated));
            return Err(err);
        }
        Ok(())
    }
}

/// The response of `execution`, or one INTERNAL error with a log line if it panics.
pub(super) async fn catch_panic(
    execution: impl Future<Output = Response>,
    operation_name: Option<&str>,
) -> Response {
    match AssertUnwindSafe(execution).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-text panic".to_owned());
            tracing::error!(panic = %what, operation = ?operation_name, "a resolver panicked");
            let mut err = ServerError::new("internal error", None);
            err.extensions = Some(code_extension(ErrorCode::Internal));
            Response::from_errors(vec![err])
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
            .extension(super::super::hooks::Hooks::new(DocumentLimits {
                nesting: 8,
                fields: 6,
                aliases: 2,
                directives: 2,
                anonymous_introspection: false,
            }))
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
        let response = schema()
            .execute("{ ...F ...F ...F } fragment F on Query { a: calm }")
            .await;
        assert!(response.errors[0].message.contains("3 aliases once"));
    }

    #[tokio::test]
    async fn deep_brackets_are_refused_before_parsing() {
        let deep = format!(
            "{{ calm(x: {}1{}) }}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let response = schema().execute(deep).await;
        assert!(response.errors[0].message.contains("nests brackets"));
    }

    #[tokio::test]
    async fn fragment_fan_out_is_refused_without_walking_it() {
        let mut query = String::from("{ ...F0 }");
        for i in 0..40 {
            query.push_str(&format!(
                " fragment F{i} on Query {{ ...F{} ...F{} }}",
                i + 1,
                i + 1
            ));
        }
        query.push_str(" fragment F40 on Query { calm }");
        let response = schema().execute(query).await;
        assert!(response.errors[0].message.contains("fields once"));
    }

    #[tokio::test]
    async fn repeated_directives_are_refused_once() {
        let query = format!("{{ calm {} }}", "@skip(if: false) ".repeat(5000));
        let response = schema().execute(query).await;
        assert_eq!(response.errors.len(), 1);
        assert!(response.errors[0].message.contains("5000 directives"));
    }
}
