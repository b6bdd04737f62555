//! Outgoing webhooks in the API (owners and admins): endpoints, their event types and
//! payload documents, the delivery log with every attempt, redelivery and replay.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{ComplexObject, Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::connection::{decode_cursor, encode_cursor, DEFAULT_PAGE, MAX_PAGE};
use super::errors::GqlResult;
use super::guards::viewer;
use super::types::parse_id;
use crate::domain::records::{DeliveryFilter, DeliveryRecord, EndpointRecord};
use crate::domain::webhook::{self, EventRoot};
use crate::domain::{Role, WebhookEndpointId};
use crate::error::AppError;
use crate::services::auth::Admin;
use crate::services::webhooks::{EndpointInput, Revealed};
use crate::services::Services;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::webhook::WebhookEventType")]
pub enum WebhookEventType {
    MessageReceived,
    MessageSent,
    MessageStatusChanged,
    ConversationOpened,
    ConversationAssigned,
    ConversationTransferred,
    ConversationResolved,
    ContactOptedOut,
    ContactOptedIn,
    TemplateStatusChanged,
    CampaignFinished,
    /// `testWebhookEndpoint`'s ping (in the delivery log; not subscribed to).
    Ping,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::webhook::DeliveryState")]
pub enum WebhookDeliveryState {
    /// Waiting for its first attempt or its next retry.
    Pending,
    /// Being attempted now.
    Sending,
    /// The receiver answered 2xx.
    Delivered,
    /// Retries ran out, or what the event is about no longer exists.
    Failed,
    /// The endpoint's document filtered the event out by its arguments: nothing was sent.
    Filtered,
}

/// What an endpoint's payload documents may select.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum WebhookRole {
    /// Everything an admin may read.
    Admin,
    /// Only what an agent may read: admin-only fields and events are refused when saved.
    Agent,
}

impl From<WebhookRole> for Role {
    fn from(role: WebhookRole) -> Self {
        match role {
            WebhookRole::Admin => Role::Admin,
            WebhookRole::Agent => Role::Agent,
        }
    }
}

/// An event type an endpoint receives, with the subscription document of its payload.
#[derive(SimpleObject)]
pub struct WebhookEventSubscription {
    pub event: WebhookEventType,
    pub document: String,
}

/// A receiver of the tenant's events.
pub struct WebhookEndpoint(pub EndpointRecord);

#[Object]
impl WebhookEndpoint {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn url(&self) -> &str {
        &self.0.url
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Disabled endpoints queue nothing new; their pending deliveries wait until enabled.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    async fn role(&self) -> WebhookRole {
        match self.0.role {
            Role::Agent => WebhookRole::Agent,
            _ => WebhookRole::Admin,
        }
    }
    async fn events(&self) -> Vec<WebhookEventSubscription> {
        self.0
            .subscriptions
            .iter()
            .map(|s| WebhookEventSubscription {
                event: s.event.into(),
                document: s.document.clone(),
            })
            .collect()
    }
    /// Why Switchboard disabled it (the receiver answered 410, or failed for too long).
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }
    async fn disabled_at(&self) -> Option<DateTime<Utc>> {
        self.0.disabled_at
    }
    /// Since when every attempt has failed; null while deliveries succeed.
    async fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.0.failing_since
    }
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// Until when the secret before the last rotation still signs beside the new one.
    async fn previous_secret_until(&self) -> Option<DateTime<Utc>> {
        self.0
            .previous_secret_until
            .filter(|until| *until > Utc::now())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A new or rotated signing secret: shown only in this answer.
#[derive(SimpleObject)]
pub struct WebhookEndpointSecret {
    pub endpoint: WebhookEndpoint,
    /// Verify `x-switchboard-signature` with it (see the README).
    pub secret: String,
}

impl From<Revealed> for WebhookEndpointSecret {
    fn from(revealed: Revealed) -> Self {
        Self {
            endpoint: WebhookEndpoint(revealed.endpoint),
            secret: revealed.secret,
        }
    }
}

/// One event sent (or to be sent) to one endpoint.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct WebhookDelivery {
    pub id: ID,
    pub endpoint_id: ID,
    /// The event's id, the same in every attempt (`x-switchboard-event-id`).
    pub event_id: ID,
    pub event_type: WebhookEventType,
    pub state: WebhookDeliveryState,
    pub occurred_at: DateTime<Utc>,
    pub attempt_count: i32,
    /// When the next attempt is due, while PENDING.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    /// The body sent (rendered at the first attempt, then sent unchanged).
    pub payload: Option<String>,
}

impl From<DeliveryRecord> for WebhookDelivery {
    fn from(d: DeliveryRecord) -> Self {
        Self {
            id: ID(d.id.to_string()),
            endpoint_id: ID(d.endpoint.to_string()),
            event_id: ID(d.event.to_string()),
            event_type: d.event_type.into(),
            state: d.state.into(),
            occurred_at: d.occurred_at,
            attempt_count: d.attempts,
            next_attempt_at: (d.state == webhook::DeliveryState::Pending)
                .then_some(d.next_attempt_at),
            delivered_at: d.delivered_at,
            last_status: d.last_status,
            last_error: d.last_error,
            payload: d.body,
        }
    }
}

/// One attempt of a delivery.
#[derive(SimpleObject)]
pub struct WebhookAttempt {
    pub number: i32,
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status; null when no answer came.
    pub status_code: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<String>,
    /// The start of the receiver's answer (up to 1 KiB).
    pub response_excerpt: Option<String>,
}

#[ComplexObject]
impl WebhookDelivery {
    /// Every attempt, oldest first.
    async fn attempts(&self, ctx: &Context<'_>) -> GqlResult<Vec<WebhookAttempt>> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let id: i64 = parse_id("id", &self.id)?;
        let state = ctx.data_unchecked::<Services>();
        let mut found = state.webhooks.attempts(access.tenant(), &[id]).await?;
        Ok(found
            .remove(&id)
            .unwrap_or_default()
            .into_iter()
            .map(|a| WebhookAttempt {
                number: a.number,
                at: a.at,
                status_code: a.status_code,
                duration_ms: a.duration_ms,
                error: a.error,
                response_excerpt: a.excerpt,
            })
            .collect())
    }
}

/// An event type, the subscription field its payload document selects, and the document
/// used when an endpoint gives none.
#[derive(SimpleObject)]
pub struct WebhookEventTypeInfo {
    #[graphql(name = "type")]
    pub event_type: WebhookEventType,
    pub field: String,
    pub default_document: String,
    /// Only an ADMIN-role endpoint may receive it.
    pub admin_only: bool,
}

#[derive(InputObject)]
pub struct WebhookEventInput {
    #[graphql(name = "type")]
    pub event_type: WebhookEventType,
    /// A subscription document selecting this type's field (see `webhookEventTypes`);
    /// left out, the default.
    pub document: Option<String>,
}

#[derive(InputObject)]
pub struct WebhookEndpointInput {
    /// https, or http to a host the operator allows.
    pub url: String,
    #[graphql(default)]
    pub description: String,
    #[graphql(default = true)]
    pub enabled: bool,
    #[graphql(default_with = "WebhookRole::Admin")]
    pub role: WebhookRole,
    pub events: Vec<WebhookEventInput>,
}

impl From<WebhookEndpointInput> for EndpointInput {
    fn from(input: WebhookEndpointInput) -> Self {
        Self {
            url: input.url,
            description: input.description,
            enabled: input.enabled,
            role: input.role.into(),
            events: input
                .events
                .into_iter()
                .map(|e| (e.event_type.into(), e.document))
                .collect(),
        }
    }
}

#[derive(InputObject, Default)]
pub struct WebhookDeliveryFilter {
    pub state: Option<WebhookDeliveryState>,
    pub event_type: Option<WebhookEventType>,
    /// Events that happened at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Events that happened before this time.
    pub to: Option<DateTime<Utc>>,
}

const CURSOR: &str = "webhook_delivery";

fn delivery_cursor(id: i64) -> String {
    encode_cursor(CURSOR, uuid::Uuid::from_u64_pair(0, id as u64))
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The tenant's outgoing webhook endpoints, oldest first.
    async fn webhook_endpoints(&self, ctx: &Context<'_>) -> GqlResult<Vec<WebhookEndpoint>> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let state = ctx.data_unchecked::<Services>();
        let list = state.webhooks.list(&access).await?;
        Ok(list.into_iter().map(WebhookEndpoint).collect())
    }

    async fn webhook_endpoint(&self, ctx: &Context<'_>, id: ID) -> GqlResult<WebhookEndpoint> {
        let id: WebhookEndpointId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Admin>()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(WebhookEndpoint(state.webhooks.get(&access, id).await?))
    }

    /// Every event type with the field and default document of its payload.
    async fn webhook_event_types(&self) -> Vec<WebhookEventTypeInfo> {
        webhook::WebhookEventType::SUBSCRIBABLE
            .into_iter()
            .map(|t| WebhookEventTypeInfo {
                event_type: t.into(),
                field: t.root().map_or("", EventRoot::field).to_owned(),
                default_document: t.default_document().to_owned(),
                admin_only: t.admin_only(),
            })
            .collect()
    }

    /// An endpoint's deliveries, newest first.
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        endpoint_id: ID,
        filter: Option<WebhookDeliveryFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, WebhookDelivery>> {
        let endpoint: WebhookEndpointId = parse_id("endpointId", &endpoint_id)?;
        let first = match first {
            None => DEFAULT_PAGE,
            Some(n) if (1..=MAX_PAGE as i32).contains(&n) => n as u64,
            Some(_) => return Err(AppError::bad_input("first", "must be between 1 and 100").into()),
        };
        let before = after
            .map(|c| decode_cursor(CURSOR, &c))
            .transpose()?
            .map(|u| u.as_u64_pair().1 as i64);
        let filter = filter.unwrap_or_default();
        let filter = DeliveryFilter {
            state: filter.state.map(Into::into),
            event_type: filter.event_type.map(Into::into),
            from: filter.from,
            to: filter.to,
        };
        let access = viewer(ctx)?.access::<Admin>()?;
        let state = ctx.data_unchecked::<Services>();
        let mut rows = state
            .webhooks
            .deliveries(&access, endpoint, &filter, before, first + 1)
            .await?;
        let has_next = rows.len() as u64 > first;
        rows.truncate(first as usize);
        let mut connection = Connection::new(before.is_some(), has_next);
        connection.edges.extend(
            rows.into_iter()
                .map(|d| Edge::new(delivery_cursor(d.id), WebhookDelivery::from(d))),
        );
        Ok(connection)
    }
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers an endpoint; its signing secret is in this answer only.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: WebhookEndpointInput,
    ) -> GqlResult<WebhookEndpointSecret> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(state.webhooks.create(&access, input.into()).await?.into())
    }

    /// Replaces an endpoint's settings and event types. Enabling a disabled endpoint
    /// resumes its pending deliveries.
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: WebhookEndpointInput,
    ) -> GqlResult<WebhookEndpoint> {
        let id: WebhookEndpointId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Admin>()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(WebhookEndpoint(
            state.webhooks.update(&access, id, input.into()).await?,
        ))
    }

    /// Deletes an endpoint with its delivery log.
    async fn delete_webhook_endpoint(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let id: WebhookEndpointId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Admin>()?;
        let state = ctx.data_unchecked::<Services>();
        state.webhooks.delete(&access, id).await?;
        Ok(true)
    }

    /// A new signing secret, in this answer only; the old one keeps signing beside it for
    /// `overlapSeconds` (default a day, at most 7 days, 0 to stop at once).
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = 86400)] overlap_seconds: i64,
    ) -> GqlResult<WebhookEndpointSecret> {
        let id: WebhookEndpointId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Admin>()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(state
            .webhooks
            .rotate_secret(&access, id, overlap_seconds)
            .await?
            .into())
    }

    /// Sends a PING now and answers its delivery with the attempt.
    async fn test_webhook_endpoint(&self, ctx: &Context<'_>, id: ID) -> GqlResult<WebhookDelivery> {
        let id: WebhookEndpointId = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Admin>()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(state.webhooks.test(&access, id).await?.into())
    }

    /// Sends a delivery again with its original payload and event id.
    async fn redeliver_webhook(&self, ctx: &Context<'_>, id: ID) -> GqlResult<WebhookDelivery> {
        let id: i64 = parse_id("id", &id)?;
        let access = viewer(ctx)?.access::<Admin>()?;
        let state = ctx.data_unchecked::<Services>();
        Ok(state.webhooks.redeliver(&access, id).await?.into())
    }

    /// Sends again every delivery of an endpoint whose event happened in `[from, to)`;
    /// answers how many.
    async fn replay_webhooks(
        &self,
        ctx: &Context<'_>,
        endpoint_id: ID,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> GqlResult<i32> {
        let endpoint: WebhookEndpointId = parse_id("endpointId", &endpoint_id)?;
        let access = viewer(ctx)?.access::<Admin>()?;
        let state = ctx.data_unchecked::<Services>();
        let count = state.webhooks.replay(&access, endpoint, from, to).await?;
        Ok(i32::try_from(count).unwrap_or(i32::MAX))
    }
}
