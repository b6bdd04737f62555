//! `sendMessage` and `retryMessage`: validate, then store the message QUEUED together with
//! its outbox job in one transaction, and return; the worker sends.

use chrono::{DateTime, Utc};

mod automated;
mod checks;
mod compose;
mod enqueue;

pub use automated::{send_automated, send_own, Automated, Outcome};

use super::OutboxWorker;
use crate::domain::records::{ChannelRecord, ContactRecord, ConversationRecord, MessageRecord};
use crate::domain::{
    ChannelId, ConversationId, Direction, MessageContent, MessageId, MessageStatus, PhoneNumber,
    Visibility,
};
use crate::error::AppError;
use crate::providers::capabilities::capabilities;
use crate::services::auth::{Access, Agent};
use crate::services::visibility;
use crate::store::messages::NewAttachment;
use crate::store::{Store, TenantScope};
use compose::{build, reply_to, split};
use sea_orm::ConnectionTrait;

/// What a caller asks to send.
pub struct SendInput {
    pub conversation: Option<ConversationId>,
    pub channel: Option<ChannelId>,
    pub to: Option<String>,
    pub content: Requested,
    pub reply_to: Option<MessageId>,
    pub idempotency_key: Option<String>,
}

/// The content a caller asks for, before what it refers to is looked up.
pub enum Requested {
    /// Content as it goes.
    Content(MessageContent),
    /// Text written in Markdown, turned into WhatsApp's own formatting.
    Markdown { body: String, preview_url: bool },
    /// A reaction to a message by its id here; the provider knows the message by its own.
    Reaction {
        to: MessageId,
        emoji: Option<String>,
    },
}

impl From<MessageContent> for Requested {
    fn from(content: MessageContent) -> Self {
        Requested::Content(content)
    }
}

/// Whom a send goes to: a contact, or a number not yet known, which becomes a contact in
/// the transaction that stores the message.
enum Recipient {
    Known(Box<ContactRecord>),
    New(PhoneNumber),
}

/// Where a send goes: the channel, the recipient, and their open conversation if any.
struct Target {
    channel: ChannelRecord,
    recipient: Recipient,
    conversation: Option<ConversationRecord>,
}

/// A send that passed every check, ready to be stored.
struct Draft {
    target: Target,
    key: Option<String>,
    reply_to: Option<String>,
    /// The content of the first part; `more` holds the parts after it, of a text over the
    /// provider's limit.
    first: MessageContent,
    more: Vec<MessageContent>,
    attachments: Vec<NewAttachment>,
}

#[derive(Clone)]
pub struct SendService {
    store: Store,
    worker: OutboxWorker,
}

impl SendService {
    pub fn new(store: Store, worker: OutboxWorker) -> Self {
        Self { store, worker }
    }

    /// validate the input → resolve the recipient → check opt-out and the window → build
    /// the content → store the message and its job → wake the worker.
    pub async fn send(
        &self,
        access: &Access<Agent>,
        input: SendInput,
    ) -> Result<MessageRecord, AppError> {
        let tenant = access.tenant();
        let scope = self.store.tenant(tenant);
        let SendInput {
            conversation,
            channel,
            to,
            content,
            reply_to: reply_to_id,
            idempotency_key: key,
        } = input;
        let visibility = visibility::of(&scope, access).await?;
        let requested = content_of(&scope, &visibility, content).await?;
        let key = idempotency_key(key.as_deref())?;
        if let Some(key) = &key {
            if let Some(existing) = scope.messages().find_by_idempotency_key(key).await? {
                // A message outside any conversation was sent to a number by whoever holds
                // its key; one in a conversation is answered only to those who see it.
                if existing.conversation.is_some() {
                    return visibility::message(&scope, &visibility, existing.id).await;
                }
                return Ok(existing);
            }
        }
        let now = Utc::now();
        let target = resolve(&scope, &visibility, conversation, channel, to.as_deref()).await?;
        let content = admit(&scope, &target, requested, now).await?;
        let caps = capabilities(target.channel.provider());
        let (content, attachments) = build(&scope, &target.channel, &caps, content).await?;
        let reply_to = match reply_to_id {
            Some(id) => Some(reply_to(&scope, &visibility, id).await?),
            None => None,
        };
        let (first, more) = split(content, &caps);
        let draft = Draft {
            target,
            key,
            reply_to,
            first,
            more,
            attachments,
        };
        let stored = self.store_draft(tenant, draft, now).await?;
        self.worker.wake();
        Ok(stored)
    }

    /// Marks an inbound message read at the provider (Meta's read receipt; Twilio's typing
    /// indicator, which marks the message read and shows "typing" until the reply).
    pub async fn mark_read(
        &self,
        access: &Access<Agent>,
        id: MessageId,
        channels: &crate::services::channels::ChannelService,
    ) -> Result<MessageRecord, AppError> {
        let tenant = access.tenant();
        let scope = self.store.tenant(tenant);
        let visibility = visibility::of(&scope, access).await?;
        let message = visibility::message(&scope, &visibility, id).await?;
        if message.direction != Direction::Inbound {
            return Err(AppError::bad_input(
                "messageId",
                "only an inbound message can be marked read",
            ));
        }
        let provider_id = message
            .provider_message_id
            .clone()
            .ok_or_else(|| AppError::bad_input("messageId", "the message has no provider id"))?;
        let channel = scope.channels().get(message.channel).await?;
        channels
            .provider(&channel)?
            .mark_read(&provider_id)
            .await
            .map_err(crate::services::channels::provider_error)?;
        Ok(message)
    }

    /// Sends a FAILED outbound message again, as a new attempt.
    pub async fn retry(
        &self,
        access: &Access<Agent>,
        id: MessageId,
    ) -> Result<MessageRecord, AppError> {
        let tenant = access.tenant();
        let now = Utc::now();
        let unit = self.store.write(tenant).await?;
        let scope = unit.scope();
        let visibility = visibility::of(&scope, access).await?;
        let message = visibility::message(&scope, &visibility, id).await?;
        if message.direction != Direction::Outbound || message.status != MessageStatus::Failed {
            return Err(AppError::bad_input(
                "id",
                "only a FAILED outbound message can be retried",
            ));
        }
        let reset = scope.messages().reset_for_retry(&message, now).await?;
        scope.outbox().requeue(id, now).await?;
        unit.commit().await?;
        self.worker.wake();
        Ok(reset)
    }
}

/// An idempotency key, trimmed, of 1 to 200 characters.
fn idempotency_key(key: Option<&str>) -> Result<Option<String>, AppError> {
    match key.map(str::trim) {
        Some(k) if k.is_empty() || k.len() > 200 => Err(AppError::bad_input(
            "idempotencyKey",
            "must be 1 to 200 characters",
        )),
        Some(k) => Ok(Some(k.to_owned())),
        None => Ok(None),
    }
}

/// The channel, recipient and conversation a send names: a conversation, or a channel and
/// a number. The conversation must be one the caller sees: named, or the number's open
/// one on the channel (NOT_FOUND otherwise). A number with no open conversation there may
/// be written to by any member, with a template; the reply opens a conversation that
/// routing places.
async fn resolve<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    visibility: &Visibility,
    conversation: Option<ConversationId>,
    channel: Option<ChannelId>,
    to: Option<&str>,
) -> Result<Target, AppError> {
    match (conversation, channel, to) {
        (Some(id), None, None) => {
            let conversation = visibility::conversation(scope, visibility, id).await?;
            let channel = scope.channels().get(conversation.channel).await?;
            let contact = scope.contacts().get(conversation.contact).await?;
            Ok(Target {
                channel,
                recipient: Recipient::Known(Box::new(contact)),
                conversation: Some(conversation),
            })
        }
        (None, Some(channel), Some(to)) => {
            let channel = scope.channels().get(channel).await?;
            let phone =
                crate::providers::parse_number(to).map_err(|e| AppError::bad_input("to", e))?;
            let contact = scope.contacts().find_by_wa_id(phone.digits()).await?;
            let conversation = match &contact {
                Some(c) => scope.conversations().find_open(channel.id, c.id).await?,
                None => None,
            };
            if conversation
                .as_ref()
                .is_some_and(|c| !visibility.sees_conversation(c))
            {
                return Err(AppError::NotFound);
            }
            let recipient = match contact {
                Some(c) => Recipient::Known(Box::new(c)),
                None => Recipient::New(phone),
            };
            Ok(Target {
                channel,
                recipient,
                conversation,
            })
        }
        _ => Err(AppError::bad_input(
            "conversationId",
            "give either conversationId, or channelId and to",
        )),
    }
}

/// Refuses a recipient who opted out, and anything but a template outside the 24-hour
/// window. Answers the content with a template resolved.
async fn admit<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    target: &Target,
    content: MessageContent,
    now: DateTime<Utc>,
) -> Result<MessageContent, AppError> {
    if matches!(&target.recipient, Recipient::Known(c) if c.opted_out_at.is_some()) {
        return Err(AppError::OptedOut);
    }
    // Templates are the one kind WhatsApp delivers outside the 24-hour window.
    let content = super::template_send::resolve(scope, &target.channel, content).await?;
    let window = target
        .conversation
        .as_ref()
        .and_then(|c| c.window_expires_at);
    let is_template = matches!(content, MessageContent::Template { .. });
    if !is_template && window.is_none_or(|at| at <= now) {
        return Err(AppError::WindowClosed { expires_at: window });
    }
    Ok(content)
}

pub use crate::domain::text_split::MAX_TEXT;

/// The content to send: a text's length is checked before its Markdown is converted (work
/// in the text's length), and a reaction finds the provider's id of its message.
async fn content_of<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    visibility: &Visibility,
    requested: Requested,
) -> Result<MessageContent, AppError> {
    let too_long = |body: &str| body.chars().count() > crate::domain::text_split::MAX_TEXT;
    match requested {
        Requested::Content(MessageContent::Text { body, .. })
        | Requested::Markdown { body, .. }
            if too_long(&body) =>
        {
            Err(AppError::bad_input(
                "content.text.body",
                format!(
                    "must be at most {} characters",
                    crate::domain::text_split::MAX_TEXT
                ),
            ))
        }
        Requested::Content(content) => Ok(content),
        Requested::Markdown { body, preview_url } => Ok(MessageContent::Text {
            body: crate::domain::markdown::to_whatsapp(&body),
            preview_url,
        }),
        Requested::Reaction { to, emoji } => Ok(MessageContent::Reaction {
            message_id: visibility::message(scope, visibility, to)
                .await?
                .provider_message_id
                .unwrap_or_default(),
            emoji,
        }),
    }
}
