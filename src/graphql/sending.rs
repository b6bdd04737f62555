//! `sendMessage` and `retryMessage`.

use async_graphql::{Context, Enum, InputObject, Object, OneofObject, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::channels::MediaKindGql;
use super::errors::GqlResult;
use super::guards::viewer;
use super::messages::Message;
use super::types::parse_id;
use crate::domain::content::{CardPhone, Choice, ChoiceSection, ContactCard};
use crate::domain::{MessageContent, MessageId};
use crate::services::auth::Agent;
use crate::services::outbox::send::{Requested, SendInput};
use crate::services::Services;

#[derive(InputObject)]
pub struct TextInput {
    /// Up to the channel's `textMaxLength` characters.
    pub body: String,
    pub preview_url: Option<bool>,
    /// Convert Markdown (bold, italic, strike, code, lists, links) to WhatsApp formatting.
    pub markdown: Option<bool>,
}

#[derive(InputObject)]
pub struct MediaInput {
    #[graphql(name = "type")]
    pub media_type: MediaKindGql,
    /// A public http(s) URL the provider fetches; or give `mediaId`.
    pub url: Option<String>,
    /// The id `POST /media` answered for an uploaded file.
    pub media_id: Option<ID>,
    pub caption: Option<String>,
    pub filename: Option<String>,
}

#[derive(InputObject)]
pub struct LocationInput {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
    pub address: Option<String>,
}

#[derive(InputObject)]
pub struct ReactionInput {
    /// The message reacted to.
    pub message_id: ID,
    /// Empty removes the reaction.
    pub emoji: String,
}

#[derive(InputObject)]
pub struct ContactPhoneInput {
    /// As people write it: `+1 (415) 555-0100`.
    pub phone: String,
    /// `CELL`, `HOME`, `WORK`, …
    #[graphql(name = "type")]
    pub kind: Option<String>,
    /// The WhatsApp id, when the number is on WhatsApp.
    pub wa_id: Option<String>,
}

/// A contact card to share.
#[derive(InputObject)]
pub struct ContactCardInput {
    pub formatted_name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    #[graphql(default)]
    pub phones: Vec<ContactPhoneInput>,
    #[graphql(default)]
    pub emails: Vec<String>,
    pub organization: Option<String>,
    #[graphql(default)]
    pub urls: Vec<String>,
}

impl From<ContactPhoneInput> for CardPhone {
    fn from(p: ContactPhoneInput) -> Self {
        Self {
            phone: p.phone,
            kind: p.kind,
            wa_id: p.wa_id,
        }
    }
}

impl From<ContactCardInput> for ContactCard {
    fn from(c: ContactCardInput) -> Self {
        Self {
            formatted_name: c.formatted_name,
            first_name: c.first_name,
            last_name: c.last_name,
            phones: c.phones.into_iter().map(Into::into).collect(),
            emails: c.emails,
            organization: c.organization,
            urls: c.urls,
        }
    }
}

/// A choice: a reply button, or a list row.
#[derive(InputObject)]
pub struct ChoiceInput {
    /// Comes back in the customer's reply.
    pub id: String,
    /// What the customer sees: up to 20 characters on a button, 24 on a list row.
    pub title: String,
    /// List rows only, up to 72 characters.
    pub description: Option<String>,
}

impl From<ChoiceInput> for Choice {
    fn from(c: ChoiceInput) -> Self {
        Self {
            id: c.id,
            title: c.title,
            description: c.description,
        }
    }
}

#[derive(InputObject)]
pub struct ButtonsInput {
    pub header: Option<String>,
    pub body: String,
    pub footer: Option<String>,
    /// One to three.
    pub buttons: Vec<ChoiceInput>,
}

#[derive(InputObject)]
pub struct ListSectionInput {
    /// Required when there is more than one section.
    pub title: Option<String>,
    pub rows: Vec<ChoiceInput>,
}

#[derive(InputObject)]
pub struct ListInput {
    pub header: Option<String>,
    pub body: String,
    pub footer: Option<String>,
    /// The label of the button that opens the list.
    pub button: String,
    /// Up to ten rows in all.
    pub sections: Vec<ListSectionInput>,
}

/// Reply buttons or a list.
#[derive(OneofObject)]
pub enum InteractiveInput {
    Buttons(ButtonsInput),
    List(ListInput),
}

#[derive(InputObject)]
pub struct TemplateVariableInput {
    /// `1`, `2`… or the variable's name, as in the template's `variables`.
    pub key: String,
    pub value: String,
}

/// An APPROVED template of the sending channel, by id or by name and language. The one
/// kind of message that may go out when the 24-hour window is closed.
#[derive(InputObject)]
pub struct TemplateMessageInput {
    pub template_id: Option<ID>,
    pub name: Option<String>,
    pub language: Option<String>,
    pub variables: Option<Vec<TemplateVariableInput>>,
}

/// Exactly one kind of content.
#[derive(OneofObject)]
pub enum MessageContentInput {
    Text(TextInput),
    Media(MediaInput),
    Location(LocationInput),
    Contacts(Vec<ContactCardInput>),
    Interactive(InteractiveInput),
    Reaction(ReactionInput),
    Template(TemplateMessageInput),
}

#[derive(InputObject)]
pub struct SendMessageInput {
    /// The conversation to answer; or give `channelId` and `to`.
    pub conversation_id: Option<ID>,
    pub channel_id: Option<ID>,
    /// The recipient, E.164.
    pub to: Option<String>,
    pub content: MessageContentInput,
    pub reply_to_message_id: Option<ID>,
    /// A repeated call with the same key returns the first message and sends nothing again.
    pub idempotency_key: Option<String>,
}

/// One call to the provider to send a message.
/// What became of one attempt to hand a message to its provider.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "AttemptOutcome", remote = "crate::domain::AttemptOutcome")]
pub enum AttemptOutcomeGql {
    /// The provider call has started and not ended.
    InFlight,
    /// Its worker stopped during the call; the send may have reached the provider.
    Interrupted,
    /// The provider accepted the message.
    Sent,
    /// The provider refused for now; tried again later.
    Retry,
    /// The provider refused for good, or the message could not be sent.
    Failed,
    /// The request left but no answer came in time; looked up before any resend.
    Timeout,
    /// The lookup found the message at the provider: not sent again.
    Reconciled,
    /// The lookup found no such message: sent again.
    NotFound,
    /// The provider cannot be asked (Meta): waiting for a status carrying our id.
    AwaitingStatus,
    /// No status came within the grace period: sent again, possibly a duplicate.
    Unreconciled,
    /// Asking the provider failed: asked again later.
    ReconcileError,
    /// Nothing was sent: the message had already left.
    Skipped,
}

#[derive(SimpleObject)]
pub struct DeliveryAttempt {
    pub number: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i64,
    /// What was asked, without secrets or text.
    pub request: String,
    /// The HTTP status the provider answered the send with, success or refusal; null when
    /// no answer came (connection failure, timeout) or no send was made (a lookup, a skip).
    pub http_status: Option<i32>,
    pub outcome: AttemptOutcomeGql,
    pub provider_code: Option<String>,
    pub provider_message: Option<String>,
    pub provider_message_id: Option<String>,
}

#[derive(Default)]
pub struct SendingMutation;

#[Object]
impl SendingMutation {
    /// Queues a message; it is stored before it is sent, and sent by the outbox.
    async fn send_message(&self, ctx: &Context<'_>, input: SendMessageInput) -> GqlResult<Message> {
        let access = viewer(ctx)?.access::<Agent>()?;
        let tenant = access.tenant();
        let state = ctx.data_unchecked::<Services>();
        let content: Requested = match input.content {
            MessageContentInput::Text(t) if t.markdown.unwrap_or(false) => Requested::Markdown {
                body: t.body,
                preview_url: t.preview_url.unwrap_or(false),
            },
            MessageContentInput::Text(t) => MessageContent::Text {
                body: t.body,
                preview_url: t.preview_url.unwrap_or(false),
            }
            .into(),
            MessageContentInput::Media(m) => MessageContent::Media {
                media_kind: m.media_type.into(),
                caption: m.caption,
                voice: false,
                url: m.url,
                upload: m
                    .media_id
                    .as_ref()
                    .map(|id| parse_id("content.media.mediaId", id))
                    .transpose()?,
                filename: m.filename,
            }
            .into(),
            MessageContentInput::Location(l) => MessageContent::Location {
                latitude: l.latitude,
                longitude: l.longitude,
                name: l.name,
                address: l.address,
            }
            .into(),
            MessageContentInput::Contacts(cards) => MessageContent::Contacts {
                contacts: cards.into_iter().map(Into::into).collect(),
            }
            .into(),
            MessageContentInput::Interactive(InteractiveInput::Buttons(b)) => {
                MessageContent::Buttons {
                    header: b.header,
                    body: b.body,
                    footer: b.footer,
                    buttons: b.buttons.into_iter().map(Into::into).collect(),
                }
                .into()
            }
            MessageContentInput::Interactive(InteractiveInput::List(l)) => MessageContent::List {
                header: l.header,
                body: l.body,
                footer: l.footer,
                button: l.button,
                sections: l
                    .sections
                    .into_iter()
                    .map(|s| ChoiceSection {
                        title: s.title,
                        rows: s.rows.into_iter().map(Into::into).collect(),
                    })
                    .collect(),
            }
            .into(),
            MessageContentInput::Reaction(r) => Requested::Reaction {
                to: parse_id("content.reaction.messageId", &r.message_id)?,
                emoji: Some(r.emoji).filter(|e| !e.is_empty()),
            },
            MessageContentInput::Template(t) => crate::services::outbox::template_send::requested(
                t.template_id
                    .as_ref()
                    .map(|id| parse_id("content.template.templateId", id))
                    .transpose()?,
                t.name,
                t.language,
                t.variables
                    .unwrap_or_default()
                    .into_iter()
                    .map(|v| (v.key, v.value))
                    .collect(),
            )
            .into(),
        };
        let input = SendInput {
            conversation: input
                .conversation_id
                .as_ref()
                .map(|id| parse_id("conversationId", id))
                .transpose()?,
            channel: input
                .channel_id
                .as_ref()
                .map(|id| parse_id("channelId", id))
                .transpose()?,
            to: input.to,
            content,
            reply_to: input
                .reply_to_message_id
                .as_ref()
                .map(|id| parse_id("replyToMessageId", id))
                .transpose()?,
            idempotency_key: input.idempotency_key,
        };
        Ok(Message(state.sending.send(&access, input).await?, tenant))
    }

    /// Tells the customer their message was read (Meta: a read receipt; Twilio: the typing
    /// indicator, which also marks it read).
    async fn mark_read(&self, ctx: &Context<'_>, message_id: ID) -> GqlResult<Message> {
        let access = viewer(ctx)?.access::<Agent>()?;
        let tenant = access.tenant();
        let state = ctx.data_unchecked::<Services>();
        let id: MessageId = parse_id("messageId", &message_id)?;
        Ok(Message(
            state
                .sending
                .mark_read(&access, id, &state.channels)
                .await?,
            tenant,
        ))
    }

    /// Sends a FAILED message again, as a new recorded attempt.
    async fn retry_message(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Message> {
        let access = viewer(ctx)?.access::<Agent>()?;
        let tenant = access.tenant();
        let state = ctx.data_unchecked::<Services>();
        let id: MessageId = parse_id("id", &id)?;
        Ok(Message(state.sending.retry(&access, id).await?, tenant))
    }
}
