//! Events across instances on PostgreSQL: each instance NOTIFYs the ids of the events it
//! publishes, and LISTENs for the others', loading each record and publishing it to its own
//! subscribers. Payloads carry ids only (NOTIFY allows 8000 bytes), and an instance ignores
//! its own notifications. Revocations travel the same way, as themselves.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::{
    ContactEventKind, ConversationEventKind, Event, EventBus, MessageEventKind, Revocation,
};
use crate::domain::{ConversationId, MessageId, TenantId, UserId};
use crate::store::{Listener, Store};

const CHANNEL: &str = "switchboard_events";
/// Notifications waiting to be sent; beyond this they are dropped with a warning rather than
/// slowing the webhook that produced them.
const OUTBOX: usize = 4096;

/// What goes to the other instances.
#[derive(Clone, Debug)]
pub enum Relayed {
    Event(Box<Event>),
    Revocation(Revocation),
}

/// A revocation as notified; told apart from a [`Notice`] by its field.
#[derive(Debug, Serialize, Deserialize)]
struct RevocationNotice {
    origin: uuid::Uuid,
    revocation: Revocation,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Incoming {
    Revocation(RevocationNotice),
    Event(Notice),
}

fn payload(origin: uuid::Uuid, relayed: &Relayed) -> Option<String> {
    match relayed {
        Relayed::Event(event) => serde_json::to_string(&notice(origin, event)).ok(),
        Relayed::Revocation(revocation) => serde_json::to_string(&RevocationNotice {
            origin,
            revocation: *revocation,
        })
        .ok(),
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Notice {
    origin: uuid::Uuid,
    tenant: TenantId,
    kind: String,
    id: uuid::Uuid,
    queue: Option<crate::domain::QueueId>,
}

fn notice(origin: uuid::Uuid, event: &Event) -> Notice {
    match event {
        Event::Message {
            tenant,
            kind,
            message,
            queue,
            ..
        } => Notice {
            origin,
            tenant: *tenant,
            kind: match kind {
                MessageEventKind::Received => "message.received",
                MessageEventKind::Sent => "message.sent",
                MessageEventKind::StatusChanged => "message.status",
            }
            .to_owned(),
            id: message.id.into_uuid(),
            queue: *queue,
        },
        Event::Conversation {
            tenant,
            kind,
            conversation,
        } => Notice {
            origin,
            tenant: *tenant,
            kind: kind.as_str().to_owned(),
            id: conversation.id.into_uuid(),
            queue: conversation.queue,
        },
        Event::Presence { tenant, presence } => Notice {
            origin,
            tenant: *tenant,
            kind: PRESENCE.to_owned(),
            id: presence.user.into_uuid(),
            queue: None,
        },
        Event::Contact {
            tenant,
            kind,
            contact,
        } => Notice {
            origin,
            tenant: *tenant,
            kind: match kind {
                ContactEventKind::OptedOut => OPTED_OUT,
                ContactEventKind::OptedIn => OPTED_IN,
            }
            .to_owned(),
            id: contact.id.into_uuid(),
            queue: None,
        },
        Event::Template { tenant, template } => Notice {
            origin,
            tenant: *tenant,
            kind: TEMPLATE.to_owned(),
            id: template.id.into_uuid(),
            queue: None,
        },
        Event::Campaign { tenant, campaign } => Notice {
            origin,
            tenant: *tenant,
            kind: CAMPAIGN.to_owned(),
            id: campaign.id.into_uuid(),
            queue: None,
        },
    }
}

const PRESENCE: &str = "presence.changed";
const OPTED_OUT: &str = "contact.opted_out";
const OPTED_IN: &str = "contact.opted_in";
const TEMPLATE: &str = "template.status";
const CAMPAIGN: &str = "campaign.finished";

/// Rebuilds an event from a notice by loading its record.
async fn event(store: &Store, notice: Notice) -> Option<Event> {
    let scope = store.tenant(notice.tenant);
    let message_kind = match notice.kind.as_str() {
        "message.received" => Some(MessageEventKind::Received),
        "message.sent" => Some(MessageEventKind::Sent),
        "message.status" => Some(MessageEventKind::StatusChanged),
        _ => None,
    };
    if let Some(kind) = message_kind {
        let message = scope
            .messages()
            .get(MessageId::from(notice.id))
            .await
            .ok()?;
        // Where the conversation stands now: who may see the event is decided here.
        let (queue, assignee) = super::placement(&scope, message.conversation).await.ok()?;
        return Some(Event::Message {
            tenant: notice.tenant,
            kind,
            message: Box::new(message),
            queue,
            assignee,
        });
    }
    if notice.kind == PRESENCE {
        // The member's presence as it is now: a later change may already have landed.
        let presence = scope
            .presence()
            .of(&[UserId::from(notice.id)])
            .await
            .ok()?
            .pop()?;
        return Some(Event::Presence {
            tenant: notice.tenant,
            presence,
        });
    }
    let tenant = notice.tenant;
    match notice.kind.as_str() {
        OPTED_OUT | OPTED_IN => {
            let contact = scope.contacts().get(notice.id.into()).await.ok()?;
            let kind = if notice.kind == OPTED_OUT {
                ContactEventKind::OptedOut
            } else {
                ContactEventKind::OptedIn
            };
            let contact = Box::new(contact);
            return Some(Event::Contact {
                tenant,
                kind,
                contact,
            });
        }
        TEMPLATE => {
            let template = Box::new(scope.templates().get(notice.id.into()).await.ok()?);
            return Some(Event::Template { tenant, template });
        }
        CAMPAIGN => {
            let campaign = Box::new(scope.campaigns().get(notice.id.into()).await.ok()?);
            return Some(Event::Campaign { tenant, campaign });
        }
        _ => {}
    }
    let kind = ConversationEventKind::parse(&notice.kind)?;
    let conversation = scope
        .conversations()
        .get(ConversationId::from(notice.id))
        .await
        .ok()?;
    Some(Event::Conversation {
        tenant: notice.tenant,
        kind,
        conversation,
    })
}

/// Notifications sent in one statement at most.
const NOTIFY_BATCH: usize = 200;

/// Starts relaying when the store is PostgreSQL; answers the sender the bus forwards to.
pub async fn start(
    store: Store,
    database_url: &str,
    bus: EventBus,
) -> anyhow::Result<Option<mpsc::Sender<Relayed>>> {
    if !store.notifies() {
        return Ok(None);
    }
    let origin = uuid::Uuid::new_v4();
    let mut listener = Listener::connect(database_url, CHANNEL).await?;
    let (tx, mut rx) = mpsc::channel::<Relayed>(OUTBOX);

    let notifier = store.clone();
    tokio::spawn(async move {
        // Events that queued up meanwhile go out together: one round trip for many.
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            while batch.len() < NOTIFY_BATCH {
                match rx.try_recv() {
                    Ok(event) => batch.push(event),
                    Err(_) => break,
                }
            }
            let payloads = batch.iter().filter_map(|r| payload(origin, r)).collect();
            if let Err(e) = notifier.notify(CHANNEL, payloads).await {
                tracing::warn!(error = %e, "could not notify other instances of events");
            }
        }
    });

    tokio::spawn(async move {
        loop {
            match listener.recv().await {
                Ok(notification) => match serde_json::from_str::<Incoming>(&notification) {
                    Ok(Incoming::Revocation(notice)) if notice.origin != origin => {
                        bus.revoke_local(notice.revocation);
                    }
                    Ok(Incoming::Event(notice)) if notice.origin != origin => {
                        if let Some(event) = event(&store, notice).await {
                            bus.publish_local([event]);
                        }
                    }
                    _ => {}
                },
                Err(e) => {
                    // The listener reconnects by itself on the next recv.
                    tracing::warn!(error = %e, "event listener lost its connection; reconnecting");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    });
    Ok(Some(tx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_conversation_event_kind_crosses_instances_by_its_name() {
        use ConversationEventKind::*;
        for kind in ConversationEventKind::ALL {
            // A new kind fails to compile here: add it to ALL too.
            match kind {
                Opened | Routed | Assigned | Unassigned | Transferred | Snoozed | Resumed
                | Resolved | Reopened | NoteAdded => {}
            }
            assert_eq!(ConversationEventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ConversationEventKind::ALL.len(), 10);
        assert_eq!(ConversationEventKind::parse("conversation.unknown"), None);
    }

    #[test]
    fn a_revocation_and_an_event_notice_are_told_apart() {
        let origin = uuid::Uuid::new_v4();
        let revocation = Revocation::ApiKey {
            key: crate::domain::ApiKeyId::new(),
        };
        let text = payload(origin, &Relayed::Revocation(revocation)).unwrap();
        match serde_json::from_str::<Incoming>(&text).unwrap() {
            Incoming::Revocation(n) => assert_eq!(n.revocation, revocation),
            Incoming::Event(_) => panic!("read as an event: {text}"),
        }
        let event = serde_json::json!({
            "origin": origin, "tenant": uuid::Uuid::new_v4(), "kind": "message.sent",
            "id": uuid::Uuid::new_v4(), "queue": null
        });
        assert!(matches!(
            serde_json::from_value::<Incoming>(event).unwrap(),
            Incoming::Event(_)
        ));
    }
}
