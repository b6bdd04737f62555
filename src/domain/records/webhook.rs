//! Outgoing webhooks as stored: endpoints, their subscriptions, deliveries and attempts.

use chrono::{DateTime, Utc};

use crate::domain::webhook::{DeliveryState, WebhookEventType};
use crate::domain::{EventId, Role, WebhookEndpointId};

/// One event type an endpoint receives, with the document that shapes its payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookSubscription {
    pub event: WebhookEventType,
    pub document: String,
}

#[derive(Clone, Debug)]
pub struct EndpointRecord {
    pub id: WebhookEndpointId,
    pub url: String,
    pub description: String,
    pub enabled: bool,
    /// What the payload documents may select: `Admin` or `Agent`.
    pub role: Role,
    pub subscriptions: Vec<WebhookSubscription>,
    /// Sealed; opened only to sign.
    pub sealed_secret: String,
    /// The secret before the last rotation, still signing until `previous_secret_until`.
    pub sealed_previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// Since when every attempt has failed (cleared by a success).
    pub failing_since: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Why Switchboard disabled the endpoint (a 410, or failing too long).
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct DeliveryRecord {
    pub id: i64,
    pub endpoint: WebhookEndpointId,
    pub event: EventId,
    pub event_type: WebhookEventType,
    /// The message, conversation, contact, template or campaign the event is about.
    pub subject: Option<uuid::Uuid>,
    /// Deliveries with the same key go out one at a time, in order (the conversation).
    pub order_key: uuid::Uuid,
    pub occurred_at: DateTime<Utc>,
    pub state: DeliveryState,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub lease_until: Option<DateTime<Utc>>,
    /// The payload, rendered at the first attempt and sent unchanged after.
    pub body: Option<String>,
    pub first_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
}

/// Which deliveries of an endpoint a log lists.
#[derive(Clone, Debug, Default)]
pub struct DeliveryFilter {
    pub state: Option<DeliveryState>,
    pub event_type: Option<WebhookEventType>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub struct WebhookAttemptRecord {
    pub number: i32,
    pub at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<String>,
    /// The start of the receiver's answer.
    pub excerpt: Option<String>,
}

/// How one attempt ended, to record.
#[derive(Clone, Debug)]
pub struct AttemptOutcome {
    pub at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub excerpt: Option<String>,
}

/// An event to queue for the endpoints subscribed to its type, in the transaction of the
/// change that caused it.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub id: EventId,
    pub event_type: WebhookEventType,
    pub subject: Option<uuid::Uuid>,
    pub order_key: uuid::Uuid,
    pub at: DateTime<Utc>,
}
