//! Outgoing webhooks' payload documents, checked and executed by the schema itself: a
//! document is a subscription, and a payload is what that subscription would have sent for
//! the event, read as the tenant at the endpoint's role.

use std::sync::Arc;

use async_graphql::parser::types::{OperationType, Selection};
use async_graphql::{Request, ServerError};
use async_trait::async_trait;
use futures::StreamExt;

use super::guards::SeenOnce;
use super::subscriptions::Replay;
use super::AppSchema;
use crate::domain::webhook::EventRoot;
use crate::domain::{Role, TenantId, WebhookEndpointId};
use crate::services::auth::{Principal, Viewer};
use crate::services::events::Event;
use crate::services::webhooks::Render;

pub struct SchemaRender {
    schema: AppSchema,
}

impl SchemaRender {
    pub fn new(schema: AppSchema) -> Self {
        Self { schema }
    }
}

fn viewer(tenant: TenantId, role: Role, endpoint: WebhookEndpointId) -> Viewer {
    Viewer {
        principal: Principal::Webhook { endpoint },
        tenant: Some(tenant),
        role,
    }
}

/// An error with where it is in the document.
fn located(error: &ServerError) -> String {
    match error.locations.first() {
        Some(at) => format!("line {}, column {}: {}", at.line, at.column, error.message),
        None => error.message.clone(),
    }
}

/// The one field a document selects at its top, when it is a single subscription.
fn top_field(document: &str) -> Result<String, String> {
    let parsed = async_graphql::parser::parse_query(document).map_err(|e| e.to_string())?;
    let mut operations = parsed.operations.iter();
    let (Some((_, operation)), None) = (operations.next(), operations.next()) else {
        return Err("give exactly one operation".to_owned());
    };
    if operation.node.ty != OperationType::Subscription {
        return Err("the document must be a subscription".to_owned());
    }
    let items = &operation.node.selection_set.node.items;
    match items.as_slice() {
        [one] => match &one.node {
            Selection::Field(field) => Ok(field.node.name.node.to_string()),
            _ => Err("select the event's field itself, not a fragment".to_owned()),
        },
        _ => Err("select exactly one field".to_owned()),
    }
}

#[async_trait]
impl Render for SchemaRender {
    async fn check(
        &self,
        tenant: TenantId,
        role: Role,
        root: EventRoot,
        document: &str,
    ) -> Result<(), String> {
        let top = top_field(document)?;
        if top != root.field() {
            return Err(format!(
                "this event type's document must select `{}`, not `{top}`",
                root.field()
            ));
        }
        // Validated and set up as the endpoint's role would be, with no event to answer.
        let request = Request::new(document)
            .data(viewer(tenant, role, WebhookEndpointId::new()))
            .data(Replay(None))
            .data(SeenOnce::all());
        let mut responses = self.schema.execute_stream(request);
        while let Some(response) = responses.next().await {
            if let Some(error) = response.errors.first() {
                return Err(located(error));
            }
        }
        Ok(())
    }

    async fn render(
        &self,
        endpoint: WebhookEndpointId,
        role: Role,
        document: &str,
        event: Event,
    ) -> Option<serde_json::Value> {
        let request = Request::new(document)
            .data(viewer(event.tenant(), role, endpoint))
            .data(Replay(Some(Arc::new(event))))
            .data(SeenOnce::all());
        let response = self.schema.execute_stream(request).next().await?;
        Some(serde_json::to_value(&response).unwrap_or_else(
            |e| serde_json::json!({ "data": null, "errors": [{ "message": e.to_string() }] }),
        ))
    }
}
