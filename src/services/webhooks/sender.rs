//! The sender: delivers queued webhooks, each endpoint's in queue order with at most one
//! delivery per conversation in flight (so a conversation's events arrive in order) and at
//! most the configured number per endpoint. It wakes on every published event and every
//! second. A claimed delivery carries a lease: if the instance dies mid-attempt, another
//! (or this one restarted) attempts it again once the lease runs out, so a receiver may see
//! an event twice, never not at all; the event id in the headers lets it tell.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use rand::Rng;

use super::{envelope, WebhookService};
use crate::domain::records::{AttemptOutcome, DeliveryRecord, EndpointRecord, Occurrence};
use crate::domain::webhook::{backoff, DeliveryState};
use crate::domain::{TenantId, WebhookEndpointId};
use crate::error::AppError;
use crate::services::events::EventBus;
use crate::store::webhooks::AfterAttempt;

/// How many of an endpoint's first unfinished deliveries one round looks at.
const WINDOW: u64 = 200;
/// A claim outlives the receiver's timeout by this much before another may take it.
const LEASE_MARGIN: Duration = Duration::from_secs(5);
const TICK: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct Sender {
    service: WebhookService,
    in_flight: Arc<Mutex<HashMap<WebhookEndpointId, usize>>>,
}

impl Sender {
    pub fn new(service: WebhookService) -> Self {
        Self {
            service,
            in_flight: Arc::default(),
        }
    }

    /// Delivers until aborted.
    pub async fn run(self, bus: EventBus) {
        let mut events = bus.subscribe();
        let wake = self.service.inner.wake.clone();
        loop {
            if let Err(e) = self.round().await {
                tracing::warn!(error = %e, "webhook delivery round failed; trying again shortly");
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = events.recv() => {
                    // Events come in bursts: let the rest of the burst commit first.
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    while events.try_recv().is_ok() {}
                }
                _ = tokio::time::sleep(TICK) => {}
            }
        }
    }

    fn slots(&self, endpoint: WebhookEndpointId) -> usize {
        let taken = self
            .in_flight
            .lock()
            .map(|m| m.get(&endpoint).copied().unwrap_or(0))
            .unwrap_or(usize::MAX);
        self.service
            .inner
            .settings
            .concurrency
            .saturating_sub(taken)
    }

    fn take(&self, endpoint: WebhookEndpointId, delta: isize) {
        if let Ok(mut map) = self.in_flight.lock() {
            let n = map.entry(endpoint).or_insert(0);
            *n = n.saturating_add_signed(delta);
            if *n == 0 {
                map.remove(&endpoint);
            }
        }
    }

    async fn round(&self) -> Result<(), AppError> {
        let store = &self.service.inner.store;
        for (tenant, endpoint) in store.webhook_queue().busy_endpoints().await? {
            let mut free = self.slots(endpoint);
            if free == 0 {
                continue;
            }
            let record = match store.tenant(tenant).webhooks().get(endpoint).await {
                Ok(record) => record,
                Err(crate::store::StoreError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            };
            let window = store.webhook_queue().window(endpoint, WINDOW).await?;
            let mut blocked = HashSet::new();
            let now = Utc::now();
            let lease =
                chrono::Duration::from_std(self.service.inner.settings.timeout + LEASE_MARGIN)
                    .unwrap_or_else(|_| chrono::Duration::seconds(60));
            for delivery in window {
                if free == 0 {
                    break;
                }
                // The first unfinished delivery of each conversation holds back the rest.
                if !blocked.insert(delivery.order_key) {
                    continue;
                }
                let due = match delivery.state {
                    DeliveryState::Pending => delivery.next_attempt_at <= now,
                    DeliveryState::Sending => delivery.lease_until.is_none_or(|l| l < now),
                    _ => false,
                };
                if !due {
                    continue;
                }
                let unit = store.write(tenant).await?;
                let claimed = unit
                    .scope()
                    .webhooks()
                    .claim(delivery.id, now, now + lease)
                    .await?;
                unit.commit().await?;
                if !claimed {
                    continue;
                }
                free -= 1;
                self.take(endpoint, 1);
                let sender = self.clone();
                let record = record.clone();
                tokio::spawn(async move {
                    if let Err(e) = attempt(&sender.service, tenant, &record, delivery, false).await
                    {
                        tracing::warn!(tenant.id = %tenant, endpoint.id = %endpoint, error = %e, "a webhook attempt was not recorded; it will be made again");
                    }
                    sender.take(endpoint, -1);
                    sender.service.wake();
                });
            }
        }
        Ok(())
    }
}

/// Makes one attempt of a claimed delivery and records it: rendering its payload first if
/// this is its first attempt, signing it with every secret that signs now.
pub(super) async fn attempt(
    service: &WebhookService,
    tenant: TenantId,
    endpoint: &EndpointRecord,
    mut delivery: DeliveryRecord,
    ping: bool,
) -> Result<(), AppError> {
    let inner = &service.inner;
    let store = &inner.store;
    let body = match delivery.body.take() {
        Some(body) => body,
        None => match super::journal::event_of(store, tenant, &delivery).await? {
            Some(event) => {
                let document = endpoint
                    .subscriptions
                    .iter()
                    .find(|s| s.event == delivery.event_type)
                    .map_or_else(
                        || delivery.event_type.default_document().to_owned(),
                        |s| s.document.clone(),
                    );
                let Some(response) = service
                    .render()?
                    .render(endpoint.id, endpoint.role, &document, event)
                    .await
                else {
                    return record_only(store, tenant, &delivery, None, AfterAttempt::Filtered)
                        .await;
                };
                let occurrence = Occurrence {
                    id: delivery.event,
                    event_type: delivery.event_type,
                    subject: delivery.subject,
                    order_key: delivery.order_key,
                    at: delivery.occurred_at,
                };
                let body = envelope(&occurrence, endpoint.id, response);
                store
                    .tenant(tenant)
                    .webhooks()
                    .set_body(delivery.id, &body)
                    .await?;
                body
            }
            None => {
                let gone = "what the event is about no longer exists";
                return record_only(store, tenant, &delivery, Some(gone), AfterAttempt::Failed)
                    .await;
            }
        },
    };
    let now = Utc::now();
    let secrets = service.signing_secrets(tenant, endpoint, now)?;
    let secrets: Vec<&str> = secrets.iter().map(|s| s.as_str()).collect();
    let timestamp = now.timestamp();
    let signature = crate::crypto::signing::header(&secrets, timestamp, body.as_bytes());
    let headers = vec![
        ("x-switchboard-event-id", delivery.event.to_string()),
        (
            "x-switchboard-event",
            delivery.event_type.as_str().to_owned(),
        ),
        ("x-switchboard-delivery", delivery.id.to_string()),
        ("x-switchboard-attempt", (delivery.attempts + 1).to_string()),
        ("x-switchboard-timestamp", timestamp.to_string()),
        ("x-switchboard-signature", signature),
    ];
    let sent = inner.client.post(&endpoint.url, headers, body).await;
    let at = Utc::now();
    let outcome = AttemptOutcome {
        at,
        status_code: sent.status.map(i32::from),
        duration_ms: sent.duration_ms,
        error: sent.error.clone().or_else(|| match sent.status {
            Some(s) if !(200..300).contains(&s) => Some(format!("the receiver answered {s}")),
            _ => None,
        }),
        excerpt: sent.excerpt,
    };
    let settings = &inner.settings;
    let unit = store.write(tenant).await?;
    let webhooks = unit.scope().webhooks();
    let delivered = sent.error.is_none() && sent.status.is_some_and(|s| (200..300).contains(&s));
    let after = if delivered {
        webhooks.mark_healthy(endpoint.id).await?;
        AfterAttempt::Delivered
    } else {
        let error = outcome.error.clone().unwrap_or_default();
        let since = webhooks.mark_failing(endpoint.id, &error, at).await?;
        if sent.status == Some(410) {
            webhooks
                .disable(
                    endpoint.id,
                    "the receiver answered 410 Gone: it no longer wants these deliveries",
                    at,
                )
                .await?;
            tracing::warn!(tenant.id = %tenant, endpoint.id = %endpoint.id, "a webhook endpoint answered 410 and was disabled");
        } else if at - since
            >= chrono::Duration::from_std(settings.disable_after).unwrap_or(chrono::Duration::MAX)
        {
            let reason = format!(
                "every delivery failed since {} (last: {error})",
                since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            webhooks.disable(endpoint.id, &reason, at).await?;
            tracing::warn!(tenant.id = %tenant, endpoint.id = %endpoint.id, "a webhook endpoint failing too long was disabled");
        }
        let first = delivery.first_attempt_at.unwrap_or(at);
        let gave_up = at - first
            >= chrono::Duration::from_std(settings.retry_for).unwrap_or(chrono::Duration::MAX);
        if ping || gave_up {
            AfterAttempt::Failed
        } else {
            let jitter: f64 = rand::thread_rng().gen();
            let wait = backoff(
                u32::try_from(delivery.attempts + 1).unwrap_or(u32::MAX),
                settings.backoff_base,
                settings.backoff_max,
                jitter,
            );
            AfterAttempt::RetryAt(
                at + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1)),
            )
        }
    };
    webhooks.finish(&delivery, &outcome, after).await?;
    unit.commit().await?;
    Ok(())
}

/// Ends a delivery that is not sent, saying why.
async fn record_only(
    store: &crate::store::Store,
    tenant: TenantId,
    delivery: &DeliveryRecord,
    error: Option<&str>,
    after: AfterAttempt,
) -> Result<(), AppError> {
    let unit = store.write(tenant).await?;
    let outcome = AttemptOutcome {
        at: Utc::now(),
        status_code: None,
        duration_ms: 0,
        error: error.map(str::to_owned),
        excerpt: None,
    };
    unit.scope()
        .webhooks()
        .finish(delivery, &outcome, after)
        .await?;
    unit.commit().await?;
    Ok(())
}
