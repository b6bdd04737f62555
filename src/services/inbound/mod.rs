//! Ingesting webhooks: contacts are upserted, conversations opened or reused, messages
//! stored once per provider id, statuses applied forward only (or kept until their message
//! is known) and consent keywords honoured, each webhook in a unit of its own: a savepoint
//! of a batch the [`writer`] commits for many webhooks at once, or a transaction of its
//! own. In a batch, plain messages (see [`batched`]) are written together in a few
//! multi-row statements. The events to publish are answered for publishing after the commit.

pub mod batched;
pub mod convert;
pub mod writer;

pub use batched::Batched;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::domain::audit::AuditEvent;
use crate::domain::conversation::Act;
use crate::domain::opt_out::{consent_change, ConsentChange};
use crate::domain::records::{
    AuditActor, ChannelRecord, ContactRecord, ConversationRecord, MessageRecord, StatusRecord,
};
use crate::domain::routing::Arrival;
use crate::domain::template::TemplateStatus;
use crate::domain::{
    ContactId, ConversationId, Direction, MessageId, MessageStatus, PhoneNumber, TenantSettings,
};
use crate::providers::{InboundMessage, StatusUpdate, WebhookEvent};
use crate::services::automations;
use crate::services::click_to_chat;
use crate::services::csat;
use crate::services::events::{
    Committed, ContactEventKind, ConversationEventKind, Event, MessageEventKind,
};
use crate::services::lifecycle::{self, Applied, By};
use crate::services::routing;
use crate::services::webhooks::journal;
use crate::store::contacts::InboundSender;
use crate::store::{Batch, Store, StoreError, TenantScope};
use sea_orm::DatabaseTransaction;

/// Attempts of one webhook's transaction when it races another for the same contact or
/// conversation (a unique key answers `Conflict`; the next attempt finds the row), or
/// SQLite's single writer (`Busy`).
const ATTEMPTS: usize = 6;

#[derive(Clone)]
pub struct Ingest {
    store: Store,
}

impl Ingest {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stores what one webhook carries for `channel` in a transaction of its own, and
    /// answers the events to publish.
    pub async fn ingest(
        &self,
        channel: &ChannelRecord,
        events: &[WebhookEvent],
    ) -> Result<Committed, StoreError> {
        let settings = self
            .store
            .tenant(channel.tenant)
            .profile()
            .get()
            .await?
            .settings;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = std::time::Instant::now();
            let result = async {
                let unit = self.store.write(channel.tenant).await?;
                let mut known = Batched::default();
                let out = store_events(
                    &unit.scope(),
                    unit.now(),
                    channel,
                    events,
                    &settings,
                    &mut known,
                )
                .await?;
                journal::commit(unit, &out).await
            }
            .await;
            if result.is_ok() {
                crate::telemetry::metrics::ingest_committed(events.len(), started.elapsed());
            }
            match result {
                Err(StoreError::Conflict(_) | StoreError::Busy | StoreError::Stale)
                    if attempt < ATTEMPTS =>
                {
                    tokio::time::sleep(std::time::Duration::from_millis(5 << attempt)).await;
                }
                other => return other,
            }
        }
    }

    /// Stores what one webhook carries for `channel` in `batch`: in a savepoint of its own
    /// when `isolated` (a failure undoes it alone), else straight in the batch's transaction
    /// (a failure spoils the batch). Answers its events for [`journal::commit_in`].
    pub async fn ingest_in(
        &self,
        batch: &Batch,
        isolated: bool,
        channel: &ChannelRecord,
        events: &[WebhookEvent],
        known: &mut Batched,
    ) -> Result<Vec<Event>, StoreError> {
        let settings = known.settings(channel.tenant)?.clone();
        if isolated {
            let unit = batch.unit(channel.tenant).await?;
            let out =
                store_events(&unit.scope(), unit.now(), channel, events, &settings, known).await?;
            unit.commit().await?;
            Ok(out)
        } else {
            let scope = batch.scope(channel.tenant);
            store_events(&scope, Utc::now(), channel, events, &settings, known).await
        }
    }
}

/// Stores `events` for `channel` in `scope`, and answers the events to publish.
async fn store_events(
    scope: &TenantScope<'_, DatabaseTransaction>,
    now: DateTime<Utc>,
    channel: &ChannelRecord,
    events: &[WebhookEvent],
    settings: &TenantSettings,
    known: &mut Batched,
) -> Result<Vec<Event>, StoreError> {
    let mut out = Vec::new();
    for event in events {
        match event {
            WebhookEvent::MessageReceived(message) => {
                receive(scope, channel, message, settings, known, now, &mut out).await?
            }
            WebhookEvent::StatusChanged(update) => {
                apply_status(scope, channel, update, now, &mut out).await?
            }
            WebhookEvent::TemplateStatusChanged {
                provider_template_id,
                status,
                reason,
                ..
            } => {
                // Events without a status of their own (UNLOCKED…) keep the status.
                let status_now = TemplateStatus::from_provider(status);
                let before = scope
                    .templates()
                    .by_provider_id(provider_template_id)
                    .await?;
                let changed = scope
                    .templates()
                    .set_status_by_provider_id(
                        provider_template_id,
                        TemplateStatus::from_provider(status),
                        reason.as_deref(),
                        now,
                    )
                    .await?;
                tracing::info!(channel.id = %channel.id, template = %provider_template_id, status = %status, changed, "template status received");
                for template in before {
                    if status_now.is_some_and(|s| s != template.status) {
                        out.push(Event::Template {
                            tenant: channel.tenant,
                            template: Box::new(scope.templates().get(template.id).await?),
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

async fn receive<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    channel: &ChannelRecord,
    inbound: &InboundMessage,
    settings: &TenantSettings,
    known: &mut Batched,
    now: DateTime<Utc>,
    out: &mut Vec<Event>,
) -> Result<(), StoreError> {
    let unstored = known.take_unstored(channel.id, &inbound.provider_message_id);
    // The parsers refuse such senders already; a contact is never made from a junk id.
    let phone = PhoneNumber::from_wa_id(&inbound.from_wa_id).ok();
    let (content, refs) = convert::content(inbound.content.clone());
    let attachments = convert::attachments(
        refs,
        channel.settings.inbound_media,
        &channel.settings.allowed_media_types,
    );
    let sender = phone.as_ref().map(|phone| InboundSender {
        wa_id: phone.digits(),
        phone_number: phone.as_str(),
        profile_name: inbound.profile_name.as_deref(),
        at: inbound.timestamp,
    });
    if let Some(sender) = sender.filter(|_| unstored && is_plain(&content, settings)) {
        if let Some(place) = known.place(channel, sender.wa_id) {
            let record = inbound_record(
                channel,
                place.conversation.id,
                place.contact,
                inbound,
                content,
                now,
            );
            out.push(Event::Message {
                tenant: channel.tenant,
                kind: MessageEventKind::Received,
                message: Box::new(record.clone()),
                queue: place.conversation.queue,
                assignee: place.conversation.assignee,
            });
            known.hold(channel.tenant, sender, record, attachments);
            return Ok(());
        }
    }
    // What this message reads sees every message before it.
    known.write(scope).await?;
    let messages = scope.messages();
    if !unstored
        && messages
            .find_by_provider_id(channel.id, &inbound.provider_message_id)
            .await?
            .is_some()
    {
        // A replayed webhook: already stored, nothing to do.
        return Ok(());
    }
    let Some(sender) = sender else {
        tracing::warn!(channel.id = %channel.id, "inbound message skipped: the sender is not a WhatsApp number");
        return Ok(());
    };
    let contact = scope.contacts().upsert_inbound(&sender, now).await?;
    known.forget(channel.id, contact.id);
    let text = content.text().unwrap_or_default();
    let grace = settings.reopen_grace();
    // A rating answering the question asked on resolving stays in that conversation.
    let (mut conversation, opened) =
        match csat::answer(scope, channel, &contact, &content, now).await? {
            Some(rated) => (rated, false),
            None => open_conversation(scope, channel, &contact, text, grace, now, out).await?,
        };
    scope
        .conversations()
        .record_inbound(&mut conversation, inbound.timestamp, now)
        .await?;
    let record = inbound_record(channel, conversation.id, contact.id, inbound, content, now);
    messages.insert(&record, &attachments, now).await?;
    if let crate::domain::MessageContent::Text { body, .. } = &record.content {
        apply_keyword(scope, channel, &contact, body, settings, now, out).await?;
    }
    if opened {
        let first = record.content.text().unwrap_or_default();
        click_to_chat::on_open(scope, channel, conversation.id, first, now).await?;
        // After the customer's message and their consent keyword, in its window.
        automations::on_open(scope, &conversation, now).await?;
    }
    out.push(Event::Message {
        tenant: channel.tenant,
        kind: MessageEventKind::Received,
        message: Box::new(record),
        queue: conversation.queue,
        assignee: conversation.assignee,
    });
    Ok(())
}

/// Whether storing the message changes nothing but itself and its conversation's times:
/// it is neither a rating nor a consent keyword.
fn is_plain(content: &crate::domain::MessageContent, settings: &TenantSettings) -> bool {
    let keyword = match content {
        crate::domain::MessageContent::Text { body, .. } => {
            consent_change(body, &settings.opt_out_keywords, &settings.opt_in_keywords).is_some()
        }
        _ => false,
    };
    !keyword && crate::domain::csat::Rating::of_reply(content).is_none()
}

/// The record of a customer's message, stored in `conversation`.
fn inbound_record(
    channel: &ChannelRecord,
    conversation: ConversationId,
    contact: ContactId,
    inbound: &InboundMessage,
    content: crate::domain::MessageContent,
    now: DateTime<Utc>,
) -> MessageRecord {
    MessageRecord {
        id: MessageId::new(),
        revision: uuid::Uuid::now_v7(),
        channel: channel.id,
        conversation: Some(conversation),
        contact,
        direction: Direction::Inbound,
        status: MessageStatus::Received,
        provider_message_id: Some(inbound.provider_message_id.clone()),
        content,
        reply_to_provider_id: inbound.reply_to.clone(),
        forwarded: inbound.forwarded,
        referral: inbound.referral.clone(),
        idempotency_key: None,
        error_code: None,
        error_message: None,
        part: crate::domain::records::Part::WHOLE,
        sent_at: inbound.timestamp,
        created_at: now,
        updated_at: now,
    }
}

/// The conversation a customer's message belongs to: the contact's unresolved one on the
/// channel (back from PENDING: the customer answered), else the one resolved within
/// `grace` (reopened), else a new one (announced) in the queue routing picks for its first
/// message `text`; answers whether it is new.
async fn open_conversation<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    channel: &ChannelRecord,
    contact: &ContactRecord,
    text: &str,
    grace: chrono::TimeDelta,
    now: DateTime<Utc>,
    out: &mut Vec<Event>,
) -> Result<(ConversationRecord, bool), StoreError> {
    let conversations = scope.conversations();
    let current = match conversations.find_open(channel.id, contact.id).await? {
        Some(open) => Some((open, Act::Resume)),
        None if grace > chrono::TimeDelta::zero() => conversations
            .find_resolved_since(channel.id, contact.id, now - grace)
            .await?
            .map(|resolved| (resolved, Act::Reopen)),
        None => None,
    };
    if let Some((found, act)) = current {
        let by = By {
            actor: None,
            note: None,
        };
        return match lifecycle::apply(scope, &found, act, by, now).await {
            Ok(None) => Ok((found, false)),
            Ok(Some((after, events))) => {
                out.extend(events);
                Ok((after, false))
            }
            // Moved by someone else meanwhile, or a concurrent message opened another:
            // the delivery's next attempt reads again.
            Err(Applied::Changed) => Err(StoreError::Stale),
            Err(Applied::Refused(_)) => Err(StoreError::Conflict("conversation")),
        };
    }
    let attributes: BTreeMap<String, String> = scope
        .contact_attributes()
        .values_of(contact.id)
        .await?
        .into_iter()
        .map(|v| (v.attribute.key, v.value))
        .collect();
    let arrival = Arrival {
        channel: channel.id,
        text,
        language: contact.language.as_ref().map(|l| l.as_str()),
        attributes: &attributes,
        at: now,
    };
    let routed = routing::decide(scope, channel, &arrival).await?;
    let opened = conversations
        .open(channel.id, contact.id, &routed.record(now), now)
        .await?;
    for kind in [ConversationEventKind::Opened, ConversationEventKind::Routed] {
        out.push(Event::Conversation {
            tenant: channel.tenant,
            kind,
            conversation: opened.clone(),
        });
    }
    Ok((opened, true))
}

/// A text that is one of the tenant's opt-out or opt-in keywords changes the contact's
/// consent, audited as the customer's own act.
async fn apply_keyword<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    channel: &ChannelRecord,
    contact: &ContactRecord,
    text: &str,
    settings: &TenantSettings,
    now: DateTime<Utc>,
    out: &mut Vec<Event>,
) -> Result<(), StoreError> {
    let Some(change) = consent_change(text, &settings.opt_out_keywords, &settings.opt_in_keywords)
    else {
        return Ok(());
    };
    let at = (change == ConsentChange::OptOut).then_some(now);
    if scope.contacts().set_opted_out(contact.id, at, now).await? {
        let actor = AuditActor {
            user: None,
            api_key: None,
            label: "WhatsApp customer".to_owned(),
        };
        let event = AuditEvent::Consent {
            contact: contact.id,
            opted_in: change == ConsentChange::OptIn,
            keyword: Some((text.trim(), channel.id)),
        };
        scope.audit().record(&actor, &event, now).await?;
        out.push(Event::Contact {
            tenant: channel.tenant,
            kind: match change {
                ConsentChange::OptOut => ContactEventKind::OptedOut,
                ConsentChange::OptIn => ContactEventKind::OptedIn,
            },
            contact: Box::new(scope.contacts().get(contact.id).await?),
        });
    }
    Ok(())
}

async fn apply_status<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    channel: &ChannelRecord,
    update: &StatusUpdate,
    now: DateTime<Utc>,
    out: &mut Vec<Event>,
) -> Result<(), StoreError> {
    let messages = scope.messages();
    let step = StatusRecord {
        status: convert::status(update.status),
        raw_status: update.raw_status.clone(),
        error_code: update.error_code.clone(),
        error_message: update.error_message.clone(),
        occurred_at: update.timestamp,
        marketing_opt_out: update.marketing_opt_out,
    };
    let mut found = messages
        .find_by_provider_id(channel.id, &update.provider_message_id)
        .await?;
    if found.is_none() {
        // Our id travels with the send; it finds a message whose send has not answered yet.
        if let Some(id) = update
            .correlation_id
            .as_deref()
            .and_then(|c| c.parse::<MessageId>().ok())
        {
            found = match messages.get(id).await {
                Ok(m) if m.channel == channel.id && m.direction == Direction::Outbound => {
                    // The status names the provider's id of a send whose answer is pending
                    // or lost; keeping it lets later statuses and reconciliation match.
                    if m.provider_message_id.is_none() {
                        messages
                            .attach_provider_id(m.id, &update.provider_message_id)
                            .await?;
                    }
                    Some(m)
                }
                Ok(_) | Err(StoreError::NotFound) => None,
                Err(e) => return Err(e),
            };
        }
    }
    let Some(message) = found else {
        messages
            .keep_pending_status(channel.id, &update.provider_message_id, &step, now)
            .await?;
        return Ok(());
    };
    if let Some(updated) = messages.apply_status(&message, &step, now).await? {
        if updated.status == MessageStatus::Failed {
            tracing::warn!(tenant.id = %channel.tenant, channel.id = %channel.id, message.id = %updated.id, provider = channel.provider().as_str(), provider_code = update.error_code.as_deref().unwrap_or("-"), error = update.error_message.as_deref().unwrap_or("-"), "the provider reports a send failed");
        }
        let (queue, assignee) =
            crate::services::events::placement(scope, updated.conversation).await?;
        out.push(Event::Message {
            tenant: channel.tenant,
            kind: MessageEventKind::StatusChanged,
            message: Box::new(updated),
            queue,
            assignee,
        });
    }
    Ok(())
}
