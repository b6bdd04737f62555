//! Outgoing webhooks: a tenant's admins register endpoints, choose the event types each
//! receives and the GraphQL subscription document that shapes each payload; events are
//! queued in the transaction of their change ([`journal`]) and delivered, signed, retried
//! and recorded by the [`sender`].

mod client;
pub mod journal;
pub mod sender;

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::config::WebhookSettings;
use crate::crypto::{random_token, KeyRing, SealContext};
use crate::domain::audit::{AuditEvent, WebhookChange};
use crate::domain::records::{
    DeliveryFilter, DeliveryRecord, EndpointRecord, Occurrence, WebhookAttemptRecord,
    WebhookSubscription,
};
use crate::domain::webhook::{self, EventRoot, WebhookEventType};
use crate::domain::{EventId, Role, TenantId, WebhookEndpointId};
use crate::error::AppError;
use crate::services::auth::{Access, Admin};
use crate::services::events::Event;
use crate::store::webhooks::Requeue;
use crate::store::Store;

pub use client::Attempt;

/// Renders payload documents: implemented by the API layer, which owns the schema.
#[async_trait]
pub trait Render: Send + Sync {
    /// Checks that `document` is a subscription selecting `root`, valid against the schema
    /// for an endpoint of `role`; the error names what is wrong and where.
    async fn check(
        &self,
        tenant: TenantId,
        role: Role,
        root: EventRoot,
        document: &str,
    ) -> Result<(), String>;

    /// What `document` selects of `event`, as a GraphQL response (`data`, and `errors`
    /// when some field failed); `None` when the document's arguments filter it out.
    async fn render(
        &self,
        endpoint: WebhookEndpointId,
        role: Role,
        document: &str,
        event: Event,
    ) -> Option<serde_json::Value>;
}

/// What an admin gives for an endpoint.
#[derive(Clone, Debug)]
pub struct EndpointInput {
    pub url: String,
    pub description: String,
    pub enabled: bool,
    pub role: Role,
    /// Each event type, with its document or the default.
    pub events: Vec<(WebhookEventType, Option<String>)>,
}

/// A secret shown once: at creation and at each rotation.
pub struct Revealed {
    pub endpoint: EndpointRecord,
    pub secret: String,
}

#[derive(Clone)]
pub struct WebhookService {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    keys: Arc<KeyRing>,
    settings: WebhookSettings,
    render: OnceLock<Arc<dyn Render>>,
    client: client::Client,
    /// Wakes the sender when events were queued on this instance.
    wake: Arc<tokio::sync::Notify>,
}

/// The longest overlap of a rotated secret.
const MAX_OVERLAP_S: i64 = 7 * 86_400;

fn bad(field: &str, reason: impl Into<String>) -> AppError {
    AppError::BadUserInput {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

pub(crate) fn seal_context(
    tenant: TenantId,
    endpoint: WebhookEndpointId,
    previous: bool,
) -> SealContext<'static> {
    SealContext {
        tenant: tenant.into_uuid(),
        owner: endpoint.into_uuid(),
        field: if previous {
            "webhook_previous_secret"
        } else {
            "webhook_secret"
        },
    }
}

fn new_secret() -> String {
    format!("whsec_{}", random_token(32))
}

/// Audits a change to an endpoint, naming its URL's host only (a path or query may carry
/// the receiver's token).
async fn audit(
    unit: &crate::store::unit::Unit,
    access: &Access<Admin>,
    endpoint: WebhookEndpointId,
    change: WebhookChange,
    url: &str,
) -> Result<(), AppError> {
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let event = AuditEvent::Webhook {
        endpoint,
        change,
        host: &host,
    };
    Ok(unit.audit(access.actor(), event).await?)
}

impl WebhookService {
    pub fn new(store: Store, keys: Arc<KeyRing>, settings: WebhookSettings) -> Self {
        let client = client::Client::new(&settings);
        Self {
            inner: Arc::new(Inner {
                store,
                keys,
                settings,
                render: OnceLock::new(),
                client,
                wake: Arc::default(),
            }),
        }
    }

    /// Installs the renderer once the schema exists.
    pub fn install(&self, render: Arc<dyn Render>) {
        let _ = self.inner.render.set(render);
    }

    fn render(&self) -> Result<&Arc<dyn Render>, AppError> {
        self.inner
            .render
            .get()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no webhook renderer installed")))
    }

    /// Tells the sender that events were queued.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    pub fn sender(&self) -> sender::Sender {
        sender::Sender::new(self.clone())
    }

    pub async fn list(&self, access: &Access<Admin>) -> Result<Vec<EndpointRecord>, AppError> {
        Ok(self
            .inner
            .store
            .tenant(access.tenant())
            .webhooks()
            .list()
            .await?)
    }

    pub async fn get(
        &self,
        access: &Access<Admin>,
        id: WebhookEndpointId,
    ) -> Result<EndpointRecord, AppError> {
        Ok(self
            .inner
            .store
            .tenant(access.tenant())
            .webhooks()
            .get(id)
            .await?)
    }

    /// Checks an endpoint's input: its URL, its role and every document.
    async fn checked(
        &self,
        access: &Access<Admin>,
        input: EndpointInput,
    ) -> Result<(String, Role, Vec<WebhookSubscription>), AppError> {
        let url = webhook::check_url(&input.url, &self.inner.settings.allowed_hosts)
            .map_err(|reason| bad("url", reason))?;
        self.inner
            .client
            .check_resolves(&url)
            .await
            .map_err(|reason| bad("url", reason))?;
        if input.description.chars().count() > webhook::MAX_DESCRIPTION {
            return Err(bad("description", "longer than 500 characters"));
        }
        let role = match input.role {
            Role::Agent => Role::Agent,
            Role::Admin | Role::Owner => Role::Admin,
            Role::PlatformAdmin => return Err(bad("role", "must be ADMIN or AGENT")),
        };
        if !access.role().includes(role) {
            return Err(bad("role", "cannot exceed your own role"));
        }
        if input.events.is_empty() {
            return Err(bad("events", "give at least one event type"));
        }
        let mut subscriptions: Vec<WebhookSubscription> = Vec::new();
        for (i, (event, document)) in input.events.into_iter().enumerate() {
            let field = format!("events[{i}]");
            let Some(root) = event.root() else {
                return Err(bad(
                    &field,
                    "PING is sent by testWebhookEndpoint, not subscribed to",
                ));
            };
            if subscriptions.iter().any(|s| s.event == event) {
                return Err(bad(&field, format!("{} is given twice", event.as_str())));
            }
            let document = match document.map(|d| d.trim().to_owned()) {
                Some(d) if !d.is_empty() => d,
                _ => event.default_document().to_owned(),
            };
            if document.len() > webhook::MAX_DOCUMENT {
                return Err(bad(
                    &format!("{field}.document"),
                    "longer than 10000 characters",
                ));
            }
            self.render()?
                .check(access.tenant(), role, root, &document)
                .await
                .map_err(|reason| bad(&format!("{field}.document"), reason))?;
            subscriptions.push(WebhookSubscription { event, document });
        }
        Ok((url.to_string(), role, subscriptions))
    }

    pub async fn create(
        &self,
        access: &Access<Admin>,
        input: EndpointInput,
    ) -> Result<Revealed, AppError> {
        let enabled = input.enabled;
        let description = input.description.trim().to_owned();
        let (url, role, subscriptions) = self.checked(access, input).await?;
        let unit = self.inner.store.write(access.tenant()).await?;
        if unit.scope().webhooks().count().await? >= webhook::MAX_ENDPOINTS {
            return Err(AppError::Conflict(format!(
                "a tenant may register at most {} endpoints",
                webhook::MAX_ENDPOINTS
            )));
        }
        let id = WebhookEndpointId::new();
        let secret = new_secret();
        let now = unit.now();
        let record = EndpointRecord {
            id,
            url,
            description,
            enabled,
            role,
            subscriptions,
            sealed_secret: self
                .inner
                .keys
                .seal(seal_context(access.tenant(), id, false), &secret),
            sealed_previous_secret: None,
            previous_secret_until: None,
            failing_since: None,
            last_error: None,
            disabled_reason: None,
            disabled_at: None,
            created_at: now,
            updated_at: now,
        };
        unit.scope().webhooks().save(&record, true).await?;
        audit(&unit, access, id, WebhookChange::Created, &record.url).await?;
        unit.commit().await?;
        Ok(Revealed {
            endpoint: record,
            secret,
        })
    }

    /// Replaces an endpoint's settings. Enabling it clears why it was disabled and resumes
    /// its pending deliveries.
    pub async fn update(
        &self,
        access: &Access<Admin>,
        id: WebhookEndpointId,
        input: EndpointInput,
    ) -> Result<EndpointRecord, AppError> {
        let enabled = input.enabled;
        let description = input.description.trim().to_owned();
        let (url, role, subscriptions) = self.checked(access, input).await?;
        let unit = self.inner.store.write(access.tenant()).await?;
        let webhooks = unit.scope().webhooks();
        let mut record = webhooks.get(id).await?;
        record.url = url;
        record.description = description;
        record.role = role;
        record.subscriptions = subscriptions;
        if enabled && !record.enabled {
            record.disabled_reason = None;
            record.disabled_at = None;
            record.failing_since = None;
        }
        record.enabled = enabled;
        record.updated_at = unit.now();
        webhooks.save(&record, false).await?;
        audit(&unit, access, id, WebhookChange::Updated, &record.url).await?;
        unit.commit().await?;
        self.wake();
        Ok(record)
    }

    pub async fn delete(
        &self,
        access: &Access<Admin>,
        id: WebhookEndpointId,
    ) -> Result<(), AppError> {
        let unit = self.inner.store.write(access.tenant()).await?;
        let record = unit.scope().webhooks().get(id).await?;
        unit.scope().webhooks().delete(id).await?;
        audit(&unit, access, id, WebhookChange::Deleted, &record.url).await?;
        unit.commit().await?;
        Ok(())
    }

    /// A new signing secret, shown once; the old one keeps signing beside it for
    /// `overlap_s` seconds, so receivers can switch without losing a delivery.
    pub async fn rotate_secret(
        &self,
        access: &Access<Admin>,
        id: WebhookEndpointId,
        overlap_s: i64,
    ) -> Result<Revealed, AppError> {
        if !(0..=MAX_OVERLAP_S).contains(&overlap_s) {
            return Err(bad("overlapSeconds", "must be from 0 to 604800 (7 days)"));
        }
        let unit = self.inner.store.write(access.tenant()).await?;
        let webhooks = unit.scope().webhooks();
        let mut record = webhooks.get(id).await?;
        let keys = &self.inner.keys;
        let tenant = access.tenant();
        let old = keys
            .open(seal_context(tenant, id, false), &record.sealed_secret)
            .map_err(|e| AppError::Internal(e.into()))?;
        let secret = new_secret();
        let now = unit.now();
        record.sealed_secret = keys.seal(seal_context(tenant, id, false), &secret);
        if overlap_s > 0 {
            record.sealed_previous_secret = Some(keys.seal(seal_context(tenant, id, true), &old));
            record.previous_secret_until = Some(now + chrono::Duration::seconds(overlap_s));
        } else {
            record.sealed_previous_secret = None;
            record.previous_secret_until = None;
        }
        record.updated_at = now;
        webhooks.save(&record, false).await?;
        audit(&unit, access, id, WebhookChange::SecretRotated, &record.url).await?;
        unit.commit().await?;
        Ok(Revealed {
            endpoint: record,
            secret,
        })
    }

    /// The secrets that sign now: the current one, and the previous while it overlaps.
    fn signing_secrets(
        &self,
        tenant: TenantId,
        endpoint: &EndpointRecord,
        now: DateTime<Utc>,
    ) -> Result<Vec<zeroize::Zeroizing<String>>, AppError> {
        let keys = &self.inner.keys;
        let mut secrets = vec![keys
            .open(
                seal_context(tenant, endpoint.id, false),
                &endpoint.sealed_secret,
            )
            .map_err(|e| AppError::Internal(e.into()))?];
        if let (Some(sealed), Some(until)) = (
            &endpoint.sealed_previous_secret,
            endpoint.previous_secret_until,
        ) {
            if until > now {
                secrets.push(
                    keys.open(seal_context(tenant, endpoint.id, true), sealed)
                        .map_err(|e| AppError::Internal(e.into()))?,
                );
            }
        }
        Ok(secrets)
    }

    /// Sends a ping now and answers how the receiver took it; recorded in the log.
    pub async fn test(
        &self,
        access: &Access<Admin>,
        id: WebhookEndpointId,
    ) -> Result<DeliveryRecord, AppError> {
        let tenant = access.tenant();
        let scope = self.inner.store.tenant(tenant);
        let endpoint = scope.webhooks().get(id).await?;
        let now = Utc::now();
        let event = Occurrence {
            id: EventId::new(),
            event_type: WebhookEventType::Ping,
            subject: None,
            order_key: EventId::new().into_uuid(),
            at: now,
        };
        let body = envelope(
            &event,
            id,
            serde_json::json!({ "data": { "ping": { "endpointId": id.to_string(), "description": endpoint.description } } }),
        );
        // Held for the call, so the sender does not send it too.
        let lease = chrono::Duration::from_std(self.inner.settings.timeout)
            .unwrap_or_else(|_| chrono::Duration::seconds(120))
            + chrono::Duration::seconds(30);
        let delivery_id = scope
            .webhooks()
            .enqueue_one(id, &event, &body, now + lease)
            .await?;
        let delivery = scope.webhooks().delivery(delivery_id).await?;
        sender::attempt(self, tenant, &endpoint, delivery, true).await?;
        Ok(scope.webhooks().delivery(delivery_id).await?)
    }

    /// An endpoint's deliveries, newest first.
    pub async fn deliveries(
        &self,
        access: &Access<Admin>,
        endpoint: WebhookEndpointId,
        filter: &DeliveryFilter,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<DeliveryRecord>, AppError> {
        let webhooks = self.inner.store.tenant(access.tenant()).webhooks();
        webhooks.get(endpoint).await?;
        Ok(webhooks.log(endpoint, filter, before, limit).await?)
    }

    pub async fn delivery(
        &self,
        access: &Access<Admin>,
        id: i64,
    ) -> Result<DeliveryRecord, AppError> {
        Ok(self
            .inner
            .store
            .tenant(access.tenant())
            .webhooks()
            .delivery(id)
            .await?)
    }

    pub async fn attempts(
        &self,
        tenant: TenantId,
        deliveries: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<WebhookAttemptRecord>>, AppError> {
        Ok(self
            .inner
            .store
            .tenant(tenant)
            .webhooks()
            .attempts(deliveries)
            .await?)
    }

    /// Sends one delivery again, with its original payload and event id.
    pub async fn redeliver(
        &self,
        access: &Access<Admin>,
        id: i64,
    ) -> Result<DeliveryRecord, AppError> {
        let unit = self.inner.store.write(access.tenant()).await?;
        let webhooks = unit.scope().webhooks();
        let delivery = webhooks.delivery(id).await?;
        let endpoint = webhooks.get(delivery.endpoint).await?;
        let queued = webhooks
            .requeue(delivery.endpoint, Requeue::One(id), unit.now())
            .await?;
        if queued == 0 {
            return Err(AppError::Conflict(
                "this delivery is being attempted right now".to_owned(),
            ));
        }
        audit(
            &unit,
            access,
            endpoint.id,
            WebhookChange::Redelivered { deliveries: 1 },
            &endpoint.url,
        )
        .await?;
        unit.commit().await?;
        self.wake();
        self.delivery(access, id).await
    }

    /// Sends again every delivery of `endpoint` whose event happened in `[from, to)`.
    pub async fn replay(
        &self,
        access: &Access<Admin>,
        endpoint: WebhookEndpointId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64, AppError> {
        if to <= from {
            return Err(bad("to", "must be after from"));
        }
        let unit = self.inner.store.write(access.tenant()).await?;
        let webhooks = unit.scope().webhooks();
        let record = webhooks.get(endpoint).await?;
        let queued = webhooks
            .requeue(endpoint, Requeue::Period { from, to }, unit.now())
            .await?;
        audit(
            &unit,
            access,
            endpoint,
            WebhookChange::Redelivered { deliveries: queued },
            &record.url,
        )
        .await?;
        unit.commit().await?;
        self.wake();
        Ok(queued)
    }
}

/// The body of a delivery: the event's identity around what the document selected.
pub(crate) fn envelope(
    event: &Occurrence,
    endpoint: WebhookEndpointId,
    response: serde_json::Value,
) -> String {
    let mut body = serde_json::json!({
        "id": event.id.to_string(),
        "type": event.event_type.as_str(),
        "occurredAt": event.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "endpointId": endpoint.to_string(),
        "data": response.get("data").cloned().unwrap_or(serde_json::Value::Null),
    });
    if let (Some(errors), Some(map)) = (response.get("errors"), body.as_object_mut()) {
        map.insert("errors".to_owned(), errors.clone());
    }
    body.to_string()
}
