//! `sendMessage` and `retryMessage`: validate, then store the message QUEUED together with
//! its outbox job in one transaction, and return; the worker sends.

use chrono::Utc;

use super::OutboxWorker;
use crate::domain::content::{Choice, ContactCard};
use crate::domain::records::{
    AttachmentOrigin, AttachmentState, ContactRecord, MessageRecord, Part, UploadRecord,
};
use crate::domain::text_split::split_text;
use crate::domain::{
    ChannelId, ConversationId, Direction, MediaKind, MessageContent, MessageId, MessageStatus,
    PhoneNumber,
};
use crate::error::AppError;
use crate::providers::capabilities::{capabilities, Capabilities, ContentKind};
use crate::services::auth::{Access, Agent};
use crate::store::messages::NewAttachment;
use crate::store::{Store, StoreError, TenantScope};

/// What a caller asks to send.
pub struct SendInput {
    pub conversation: Option<ConversationId>,
    pub channel: Option<ChannelId>,
    pub to: Option<String>,
    pub content: MessageContent,
    pub reply_to: Option<MessageId>,
    pub idempotency_key: Option<String>,
}

/// Whom a send goes to: a contact, or a number not yet known, which becomes a contact in
/// the transaction that stores the message.
enum Recipient {
    Known(ContactRecord),
    New(PhoneNumber),
}

#[derive(Clone)]
pub struct SendService {
    store: Store,
    worker: OutboxWorker,
}

fn kind_of(content: &MessageContent) -> Option<ContentKind> {
    Some(match content {
        MessageContent::Text { .. } => ContentKind::Text,
        MessageContent::Media { .. } => ContentKind::Media,
        MessageContent::Location { .. } => ContentKind::Location,
        MessageContent::Reaction { .. } => ContentKind::Reaction,
        MessageContent::Contacts { .. } => ContentKind::Contacts,
        MessageContent::Buttons { .. } | MessageContent::List { .. } => ContentKind::Interactive,
        MessageContent::Template { .. } => ContentKind::Template,
        _ => return None,
    })
}

impl SendService {
    pub fn new(store: Store, worker: OutboxWorker) -> Self {
        Self { store, worker }
    }

    pub async fn send(
        &self,
        access: &Access<Agent>,
        input: SendInput,
    ) -> Result<MessageRecord, AppError> {
        let tenant = access.tenant();
        let scope = self.store.tenant(tenant);
        let key = match input.idempotency_key.as_deref().map(str::trim) {
            Some(k) if k.is_empty() || k.len() > 200 => {
                return Err(AppError::bad_input(
                    "idempotencyKey",
                    "must be 1 to 200 characters",
                ))
            }
            Some(k) => {
                if let Some(existing) = scope.messages().find_by_idempotency_key(k).await? {
                    return Ok(existing);
                }
                Some(k.to_owned())
            }
            None => None,
        };
        let now = Utc::now();
        let (channel, contact, conversation) =
            match (input.conversation, input.channel, input.to.as_deref()) {
                (Some(id), None, None) => {
                    let conversation = scope.conversations().get(id).await?;
                    let channel = scope.channels().get(conversation.channel).await?;
                    let contact = scope.contacts().get(conversation.contact).await?;
                    (channel, Recipient::Known(contact), Some(conversation))
                }
                (None, Some(channel), Some(to)) => {
                    let channel = scope.channels().get(channel).await?;
                    let phone = PhoneNumber::parse(to).map_err(|e| AppError::bad_input("to", e))?;
                    let contact = scope.contacts().find_by_wa_id(phone.digits()).await?;
                    let conversation = match &contact {
                        Some(c) => scope.conversations().find_open(channel.id, c.id).await?,
                        None => None,
                    };
                    let recipient = match contact {
                        Some(c) => Recipient::Known(c),
                        None => Recipient::New(phone),
                    };
                    (channel, recipient, conversation)
                }
                _ => {
                    return Err(AppError::bad_input(
                        "conversationId",
                        "give either conversationId, or channelId and to",
                    ))
                }
            };
        if matches!(&contact, Recipient::Known(c) if c.opted_out_at.is_some()) {
            return Err(AppError::OptedOut);
        }
        // Templates are the one kind WhatsApp delivers outside the 24-hour window.
        let content = super::template_send::resolve(&scope, &channel, input.content).await?;
        let window = conversation.as_ref().and_then(|c| c.window_expires_at);
        let is_template = matches!(content, MessageContent::Template { .. });
        if !is_template && window.is_none_or(|at| at <= now) {
            return Err(AppError::WindowClosed { expires_at: window });
        }
        let caps = capabilities(channel.provider());
        let kind = kind_of(&content)
            .ok_or_else(|| AppError::bad_input("content", "this content cannot be sent"))?;
        if !caps.content_kinds.contains(&kind) {
            return Err(AppError::bad_input(
                "content",
                format!(
                    "{} does not carry this content",
                    channel.provider().as_str()
                ),
            ));
        }
        validate(&content, &caps)?;
        let mut content = content;
        let mut uploaded = None;
        if let MessageContent::Media {
            media_kind,
            upload: Some(upload),
            filename,
            ..
        } = &mut content
        {
            let upload = scope.uploads().get(*upload).await?;
            check_upload(&upload, *media_kind, &caps, channel.provider().as_str())?;
            if filename.is_none() && *media_kind == MediaKind::Document {
                filename.clone_from(&upload.filename);
            }
            uploaded = Some(upload);
        }
        let attachments = sent_media(&content, uploaded);
        let reply_to = match input.reply_to {
            Some(id) => Some(
                scope
                    .messages()
                    .get(id)
                    .await
                    .map_err(|_| AppError::bad_input("replyToMessageId", "no such message"))?
                    .provider_message_id
                    .ok_or_else(|| {
                        AppError::bad_input(
                            "replyToMessageId",
                            "that message has no provider id yet",
                        )
                    })?,
            ),
            None => None,
        };
        // Text over the provider's limit goes out as ordered parts, each waiting for the one
        // before it.
        let (first_part, more_parts) = match content {
            MessageContent::Text { body, preview_url }
                if body.chars().count() > caps.text_max_length as usize =>
            {
                let mut parts = split_text(&body, caps.text_max_length as usize).into_iter();
                let first = parts.next().unwrap_or_default();
                let rest: Vec<MessageContent> = parts
                    .map(|body| MessageContent::Text {
                        body,
                        preview_url: false,
                    })
                    .collect();
                (
                    MessageContent::Text {
                        body: first,
                        preview_url,
                    },
                    rest,
                )
            }
            other => (other, Vec::new()),
        };
        let txn = self.store.begin_write().await?;
        let scope = TenantScope::new(&txn, tenant);
        // A number written to for the first time becomes a contact only together with the
        // message: a refused send leaves nothing behind.
        let contact = match contact {
            Recipient::Known(c) => c.id,
            Recipient::New(phone) => {
                scope
                    .contacts()
                    .find_or_create(phone.digits(), phone.as_str(), now)
                    .await?
                    .id
            }
        };
        let record = MessageRecord {
            id: MessageId::new(),
            revision: uuid::Uuid::now_v7(),
            channel: channel.id,
            conversation: conversation.as_ref().map(|c| c.id),
            contact,
            direction: Direction::Outbound,
            status: MessageStatus::Queued,
            provider_message_id: None,
            content: first_part,
            reply_to_provider_id: reply_to,
            forwarded: false,
            referral: None,
            idempotency_key: key.clone(),
            error_code: None,
            error_message: None,
            part: Part {
                first: None,
                number: 1,
                count: 1 + more_parts.len() as i32,
            },
            sent_at: now,
            created_at: now,
            updated_at: now,
        };
        let stored = match scope.messages().insert(&record, &attachments, now).await {
            Ok(stored) => stored,
            // Another call with the same key won the race: answer its message.
            Err(StoreError::Conflict(_)) if key.is_some() => {
                drop(txn);
                let existing = self
                    .store
                    .tenant(tenant)
                    .messages()
                    .find_by_idempotency_key(key.as_deref().unwrap_or_default())
                    .await?;
                return existing.ok_or(AppError::Conflict("the idempotency key is in use".into()));
            }
            Err(e) => return Err(e.into()),
        };
        scope
            .outbox()
            .enqueue(stored.id, channel.id, None, now)
            .await?;
        let mut previous = stored.id;
        for (number, content) in (2..).zip(more_parts) {
            let part = MessageRecord {
                id: MessageId::new(),
                revision: uuid::Uuid::now_v7(),
                content,
                idempotency_key: None,
                reply_to_provider_id: None,
                part: Part {
                    first: Some(stored.id),
                    number,
                    ..record.part
                },
                ..record.clone()
            };
            scope.messages().insert(&part, &[], now).await?;
            scope
                .outbox()
                .enqueue(part.id, channel.id, Some(previous), now)
                .await?;
            previous = part.id;
        }
        txn.commit().await?;
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
        let message = scope.messages().get(id).await?;
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
        let txn = self.store.begin_write().await?;
        let scope = TenantScope::new(&txn, tenant);
        let message = scope.messages().get(id).await?;
        if message.direction != Direction::Outbound || message.status != MessageStatus::Failed {
            return Err(AppError::bad_input(
                "id",
                "only a FAILED outbound message can be retried",
            ));
        }
        let reset = scope.messages().reset_for_retry(&message, now).await?;
        scope.outbox().requeue(id, now).await?;
        txn.commit().await?;
        self.worker.wake();
        Ok(reset)
    }
}

/// What outbound media keeps of the file it sent, so the message shows it: the upload,
/// already stored, or the public link the provider fetched.
fn sent_media(content: &MessageContent, upload: Option<UploadRecord>) -> Vec<NewAttachment> {
    let MessageContent::Media { url, filename, .. } = content else {
        return Vec::new();
    };
    let attachment = match (upload, url) {
        (Some(upload), _) => NewAttachment {
            reference: upload.id.to_string(),
            content_type: Some(upload.content_type),
            filename: filename.clone().or(upload.filename),
            sha256: Some(upload.sha256),
            state: AttachmentState::Ready,
            last_error: None,
            origin: AttachmentOrigin::Upload,
            stored: Some((upload.storage_key, upload.size_bytes)),
        },
        (None, Some(url)) => NewAttachment {
            reference: url.clone(),
            content_type: None,
            filename: filename.clone(),
            sha256: None,
            state: AttachmentState::Ready,
            last_error: None,
            origin: AttachmentOrigin::Link,
            stored: None,
        },
        (None, None) => return Vec::new(),
    };
    vec![attachment]
}

pub use crate::domain::text_split::MAX_TEXT;

fn validate(content: &MessageContent, caps: &Capabilities) -> Result<(), AppError> {
    let text_max = caps.text_max_length as usize;
    let caption_max = caps.caption_max_length as usize;
    super::text_limits::check_content(content)?;
    match content {
        MessageContent::Text { body, .. } => {
            if body.trim().is_empty() {
                return Err(AppError::bad_input(
                    "content.text.body",
                    "must not be empty",
                ));
            }
            // Longer text than the provider takes goes out in parts; this bounds how many.
            if body.chars().count() > MAX_TEXT {
                return Err(AppError::bad_input(
                    "content.text.body",
                    format!("must be at most {MAX_TEXT} characters (sent in parts of {text_max})"),
                ));
            }
        }
        MessageContent::Media {
            url,
            caption,
            upload,
            ..
        } => {
            match (url.as_deref(), upload) {
                (Some(url), None) => {
                    if !(url.starts_with("https://") || url.starts_with("http://"))
                        || url.len() > 2000
                    {
                        return Err(AppError::bad_input(
                            "content.media.url",
                            "must be a public http(s) URL",
                        ));
                    }
                }
                (None, Some(_)) => {}
                _ => {
                    return Err(AppError::bad_input(
                        "content.media",
                        "give either url or mediaId",
                    ))
                }
            }
            if caption
                .as_ref()
                .is_some_and(|c| c.chars().count() > caption_max)
            {
                return Err(AppError::bad_input(
                    "content.media.caption",
                    format!("must be at most {caption_max} characters"),
                ));
            }
        }
        MessageContent::Location {
            latitude,
            longitude,
            ..
        } if !(-90.0..=90.0).contains(latitude) || !(-180.0..=180.0).contains(longitude) => {
            return Err(AppError::bad_input(
                "content.location",
                "latitude or longitude out of range",
            ));
        }
        MessageContent::Contacts { contacts } => validate_cards(contacts)?,
        MessageContent::Buttons {
            header,
            body,
            footer,
            buttons,
        } => {
            let field = "content.interactive.buttons";
            validate_frame(field, header, body, footer)?;
            if buttons.is_empty() || buttons.len() > caps.max_buttons as usize {
                return Err(AppError::bad_input(
                    format!("{field}.buttons"),
                    format!("give 1 to {} buttons", caps.max_buttons),
                ));
            }
            validate_choices(&format!("{field}.buttons"), buttons, BUTTON_TITLE_MAX)?;
        }
        MessageContent::List {
            header,
            body,
            footer,
            button,
            sections,
        } => {
            let field = "content.interactive.list";
            validate_frame(field, header, body, footer)?;
            bounded(&format!("{field}.button"), button, BUTTON_TITLE_MAX)?;
            let rows: Vec<Choice> = sections.iter().flat_map(|s| s.rows.clone()).collect();
            if sections.is_empty() || sections.len() > caps.max_list_rows as usize {
                return Err(AppError::bad_input(
                    format!("{field}.sections"),
                    format!("give 1 to {} sections", caps.max_list_rows),
                ));
            }
            if rows.is_empty() || rows.len() > caps.max_list_rows as usize {
                return Err(AppError::bad_input(
                    format!("{field}.sections.rows"),
                    format!("give 1 to {} rows in all", caps.max_list_rows),
                ));
            }
            for (i, section) in sections.iter().enumerate() {
                let title = format!("{field}.sections[{i}].title");
                match &section.title {
                    Some(t) => bounded(&title, t, SECTION_TITLE_MAX)?,
                    None if sections.len() > 1 => {
                        return Err(AppError::bad_input(
                            title,
                            "is required when there is more than one section",
                        ))
                    }
                    None => {}
                }
            }
            validate_choices(&format!("{field}.sections.rows"), &rows, ROW_TITLE_MAX)?;
        }
        MessageContent::Reaction { message_id, .. } if message_id.is_empty() => {
            return Err(AppError::bad_input(
                "content.reaction.messageId",
                "is required",
            ));
        }
        _ => {}
    }
    Ok(())
}

// Interactive limits (PROVIDERS.md §2.2); Twilio's quick-reply and list-picker contents
// take the same.
const INTERACTIVE_BODY_MAX: usize = 1024;
const HEADER_FOOTER_MAX: usize = 60;
const BUTTON_TITLE_MAX: usize = 20;
const ROW_TITLE_MAX: usize = 24;
const SECTION_TITLE_MAX: usize = 24;
const ROW_DESCRIPTION_MAX: usize = 72;
const CHOICE_ID_MAX: usize = 200;
const CARDS_MAX: usize = 10;

/// A non-blank value of at most `max` characters.
fn bounded(field: &str, value: &str, max: usize) -> Result<(), AppError> {
    if value.trim().is_empty() {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

fn validate_frame(
    field: &str,
    header: &Option<String>,
    body: &str,
    footer: &Option<String>,
) -> Result<(), AppError> {
    bounded(&format!("{field}.body"), body, INTERACTIVE_BODY_MAX)?;
    if let Some(header) = header {
        bounded(&format!("{field}.header"), header, HEADER_FOOTER_MAX)?;
    }
    if let Some(footer) = footer {
        bounded(&format!("{field}.footer"), footer, HEADER_FOOTER_MAX)?;
    }
    Ok(())
}

/// Titles within `title_max`, ids present, short and distinct.
fn validate_choices(field: &str, choices: &[Choice], title_max: usize) -> Result<(), AppError> {
    let mut seen = std::collections::HashSet::new();
    for (i, choice) in choices.iter().enumerate() {
        bounded(&format!("{field}[{i}].id"), &choice.id, CHOICE_ID_MAX)?;
        bounded(&format!("{field}[{i}].title"), &choice.title, title_max)?;
        if let Some(d) = &choice.description {
            if d.chars().count() > ROW_DESCRIPTION_MAX {
                return Err(AppError::bad_input(
                    format!("{field}[{i}].description"),
                    format!("must be at most {ROW_DESCRIPTION_MAX} characters"),
                ));
            }
        }
        if !seen.insert(choice.id.as_str()) {
            return Err(AppError::bad_input(
                format!("{field}[{i}].id"),
                "ids must be distinct",
            ));
        }
    }
    Ok(())
}

fn validate_cards(cards: &[ContactCard]) -> Result<(), AppError> {
    if cards.is_empty() || cards.len() > CARDS_MAX {
        return Err(AppError::bad_input(
            "content.contacts",
            format!("give 1 to {CARDS_MAX} contact cards"),
        ));
    }
    for (i, card) in cards.iter().enumerate() {
        let field = format!("content.contacts[{i}]");
        bounded(&format!("{field}.formattedName"), &card.formatted_name, 256)?;
        if card.phones.is_empty() && card.emails.is_empty() {
            return Err(AppError::bad_input(
                format!("{field}.phones"),
                "a card needs a phone number or an e-mail address",
            ));
        }
        for (j, phone) in card.phones.iter().enumerate() {
            // Cards carry numbers as people write them: "+1 (415) 555-0100".
            let digits = phone.phone.chars().filter(char::is_ascii_digit).count();
            let tidy = phone
                .phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            if !tidy || !(5..=20).contains(&digits) {
                return Err(AppError::bad_input(
                    format!("{field}.phones[{j}].phone"),
                    "must be a phone number",
                ));
            }
        }
        for (j, email) in card.emails.iter().enumerate() {
            if crate::domain::Email::parse(email).is_err() {
                return Err(AppError::bad_input(
                    format!("{field}.emails[{j}]"),
                    "must be an e-mail address",
                ));
            }
        }
    }
    Ok(())
}

/// An uploaded file must be of a type and size the provider sends as this kind of media.
fn check_upload(
    upload: &UploadRecord,
    kind: MediaKind,
    caps: &Capabilities,
    provider: &str,
) -> Result<(), AppError> {
    let Some(limit) = caps.media.iter().find(|l| l.kind == kind) else {
        return Err(AppError::bad_input(
            "content.media.type",
            format!("{provider} does not send this kind of media"),
        ));
    };
    if !limit.mime_types.contains(&upload.content_type.as_str()) {
        return Err(AppError::bad_input(
            "content.media.mediaId",
            format!(
                "{provider} does not send {} as this media type (it takes {})",
                upload.content_type,
                limit.mime_types.join(", ")
            ),
        ));
    }
    if upload.size_bytes as u64 > limit.max_bytes {
        return Err(AppError::bad_input(
            "content.media.mediaId",
            format!(
                "the file is {} bytes; {provider} sends at most {} bytes of this media type",
                upload.size_bytes, limit.max_bytes
            ),
        ));
    }
    Ok(())
}
