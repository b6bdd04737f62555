//! Queuing events for outgoing webhooks in the transaction of the change that caused them,
//! and loading an event back when its delivery is rendered.
//!
//! Every use case that publishes events ends its unit with [`commit`] instead of
//! `unit.commit()`: the events are queued for the endpoints and appended to the event log
//! with the change, what is published is exactly what was committed, and a crash keeps the
//! change, its deliveries and its events, or none of them.

use crate::domain::records::{DeliveryRecord, Occurrence};
use crate::domain::webhook::WebhookEventType;
use crate::domain::{EventId, TenantId};
use crate::services::events::{
    Committed, ContactEventKind, ConversationEventKind, Event, MessageEventKind,
};
use crate::store::unit::{Batch, Unit};
use crate::store::{Store, StoreError};

/// The webhook event type of a published event, its subject and its ordering key (the
/// conversation, for everything that happens in one); none for what webhooks do not carry.
fn occurrence(event: &Event, at: chrono::DateTime<chrono::Utc>) -> Option<Occurrence> {
    let (event_type, subject, order_key) = match event {
        Event::Message { kind, message, .. } => {
            let event_type = match kind {
                MessageEventKind::Received => WebhookEventType::MessageReceived,
                MessageEventKind::Sent => WebhookEventType::MessageSent,
                MessageEventKind::StatusChanged => WebhookEventType::MessageStatusChanged,
            };
            let id = message.id.into_uuid();
            let order = message.conversation.map_or(id, |c| c.into_uuid());
            (event_type, id, order)
        }
        Event::Conversation {
            kind, conversation, ..
        } => {
            let event_type = match kind {
                ConversationEventKind::Opened => WebhookEventType::ConversationOpened,
                ConversationEventKind::Assigned => WebhookEventType::ConversationAssigned,
                ConversationEventKind::Transferred => WebhookEventType::ConversationTransferred,
                ConversationEventKind::Resolved => WebhookEventType::ConversationResolved,
                _ => return None,
            };
            let id = conversation.id.into_uuid();
            (event_type, id, id)
        }
        Event::Contact { kind, contact, .. } => {
            let event_type = match kind {
                ContactEventKind::OptedOut => WebhookEventType::ContactOptedOut,
                ContactEventKind::OptedIn => WebhookEventType::ContactOptedIn,
            };
            let id = contact.id.into_uuid();
            (event_type, id, id)
        }
        Event::Template { template, .. } => {
            let id = template.id.into_uuid();
            (WebhookEventType::TemplateStatusChanged, id, id)
        }
        Event::Campaign { campaign, .. } => {
            let id = campaign.id.into_uuid();
            (WebhookEventType::CampaignFinished, id, id)
        }
        Event::Presence { .. } => return None,
    };
    Some(Occurrence {
        id: EventId::new(),
        event_type,
        subject: Some(subject),
        order_key,
        at,
    })
}

/// Queues `events` for the tenant's endpoints inside `unit`, without committing it.
pub async fn queue(unit: &Unit, events: &[Event]) -> Result<(), StoreError> {
    let now = unit.now();
    let occurrences: Vec<Occurrence> = events.iter().filter_map(|e| occurrence(e, now)).collect();
    if occurrences.is_empty() {
        return Ok(());
    }
    unit.scope().webhooks().enqueue(&occurrences).await
}

/// Queues `events` for the tenant's endpoints, appends them to the event log and commits
/// `unit` with them: what is committed is then published with `EventBus::publish`.
pub async fn commit(unit: Unit, events: &[Event]) -> Result<Committed, StoreError> {
    queue(&unit, events).await?;
    crate::services::events::log::commit(unit, events).await
}

/// The end of a batch of units ([`Batch`]): queues the events of all its units for the
/// tenants' endpoints and appends them to the event log, a few statements per tenant, last,
/// so the log's append lock is held only from here to the batch's commit (as in a
/// transaction of its own) and never while the batch waits for a row. Each tenant's events
/// keep their order; what is answered is published once the batch has committed.
pub async fn commit_in(batch: &Batch, events: Vec<Event>) -> Result<Vec<Committed>, StoreError> {
    let mut groups: Vec<(TenantId, Vec<Event>)> = Vec::new();
    for event in events {
        match groups.iter_mut().find(|(t, _)| *t == event.tenant()) {
            Some((_, group)) => group.push(event),
            None => groups.push((event.tenant(), vec![event])),
        }
    }
    let mut appended = Vec::with_capacity(groups.len());
    for (tenant, group) in groups {
        let unit = batch.unit(tenant).await?;
        queue(&unit, &group).await?;
        appended.push(crate::services::events::log::append(&unit, &group).await?);
        unit.commit().await?;
    }
    Ok(appended.into_iter().map(|a| a.committed()).collect())
}

/// The event a delivery is about, as it stands now; `None` when its subject is gone.
pub async fn event_of(
    store: &Store,
    tenant: TenantId,
    delivery: &DeliveryRecord,
) -> Result<Option<Event>, StoreError> {
    let Some(subject) = delivery.subject else {
        return Ok(None);
    };
    let scope = store.tenant(tenant);
    let found = |r: Result<Event, StoreError>| match r {
        Ok(event) => Ok(Some(event)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    };
    use WebhookEventType as T;
    let message_kind = match delivery.event_type {
        T::MessageReceived => Some(MessageEventKind::Received),
        T::MessageSent => Some(MessageEventKind::Sent),
        T::MessageStatusChanged => Some(MessageEventKind::StatusChanged),
        _ => None,
    };
    if let Some(kind) = message_kind {
        let message = match scope.messages().get(subject.into()).await {
            Ok(message) => message,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        let (queue, assignee) =
            crate::services::events::placement(&scope, message.conversation).await?;
        return Ok(Some(Event::Message {
            tenant,
            kind,
            message: Box::new(message),
            queue,
            assignee,
        }));
    }
    let conversation_kind = match delivery.event_type {
        T::ConversationOpened => Some(ConversationEventKind::Opened),
        T::ConversationAssigned => Some(ConversationEventKind::Assigned),
        T::ConversationTransferred => Some(ConversationEventKind::Transferred),
        T::ConversationResolved => Some(ConversationEventKind::Resolved),
        _ => None,
    };
    if let Some(kind) = conversation_kind {
        return found(
            scope
                .conversations()
                .get(subject.into())
                .await
                .map(|conversation| Event::Conversation {
                    tenant,
                    kind,
                    conversation,
                }),
        );
    }
    match delivery.event_type {
        T::ContactOptedOut | T::ContactOptedIn => {
            let kind = if delivery.event_type == T::ContactOptedOut {
                ContactEventKind::OptedOut
            } else {
                ContactEventKind::OptedIn
            };
            found(
                scope
                    .contacts()
                    .get(subject.into())
                    .await
                    .map(|contact| Event::Contact {
                        tenant,
                        kind,
                        contact: Box::new(contact),
                    }),
            )
        }
        T::TemplateStatusChanged => found(scope.templates().get(subject.into()).await.map(
            |template| Event::Template {
                tenant,
                template: Box::new(template),
            },
        )),
        T::CampaignFinished => {
            found(
                scope
                    .campaigns()
                    .get(subject.into())
                    .await
                    .map(|campaign| Event::Campaign {
                        tenant,
                        campaign: Box::new(campaign),
                    }),
            )
        }
        _ => Ok(None),
    }
}
