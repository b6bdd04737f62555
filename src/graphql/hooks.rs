//! The schema's extension. It does several jobs in one, because the library runs every
//! extension's hooks around every field of every response, each event of a subscription
//! included: each extension more would be a hop more for each of them.
//!
//! - The document's bounds, checked before the library parses and walks it ([`limits`]).
//! - A panic in a resolver answered as one INTERNAL error ([`limits::catch_panic`]).
//! - The library's own errors coded, coercion errors naming their field
//!   ([`request_errors::polish`]).
//! - Response fields in selection order ([`order`]).
//!
//! [`limits`]: super::limits
//! [`limits::catch_panic`]: super::limits::catch_panic
//! [`request_errors::polish`]: super::request_errors::polish
//! [`order`]: super::order

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextRequest,
    NextSubscribe,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerResult, Variables};
use futures::stream::BoxStream;
use futures::StreamExt;

use super::limits::{catch_panic, DocumentLimits};
use super::order::SelectionOrder;
use super::request_errors::polish;
use crate::services::auth::Viewer;

/// Installs [`RequestHooks`] on a schema, with the document bounds to apply.
pub struct Hooks(DocumentLimits);

impl Hooks {
    pub fn new(limits: DocumentLimits) -> Self {
        Self(limits)
    }
}

impl ExtensionFactory for Hooks {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestHooks {
            limits: self.0,
            order: SelectionOrder::default(),
        })
    }
}

/// One request's hooks.
struct RequestHooks {
    limits: DocumentLimits,
    order: SelectionOrder,
}

#[async_trait::async_trait]
impl Extension for RequestHooks {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        polish(next.run(ctx).await)
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream).map(polish).boxed()
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        self.limits
            .admit(query, ctx.data_opt::<Viewer>().is_some())?;
        let document = next.run(ctx, query, variables).await?;
        self.order.plan(&document);
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = catch_panic(next.run(ctx, operation_name), operation_name).await;
        self.order.apply(operation_name, &mut response.data);
        response
    }
}
