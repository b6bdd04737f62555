//! Sends of Switchboard's own (automated messages): stored QUEUED with their outbox job
//! inside the caller's transaction, from no user, like any message. Inside the 24-hour
//! window the text goes; outside it the template, if one is set; what cannot go is skipped
//! with the reason, never refused, so the change that caused it still happens.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::compose::{build, split};
use super::enqueue::store_in;
use super::{Draft, Recipient, Target};
use crate::domain::records::{ChannelRecord, ContactRecord, ConversationRecord, MessageRecord};
use crate::domain::{MessageContent, TemplateId};
use crate::error::AppError;
use crate::providers::capabilities::capabilities;
use crate::services::outbox::template_send;
use crate::store::{StoreError, TenantScope};

/// What an automated message is made of.
pub struct Automated<'a> {
    /// Sent while the window is open.
    pub text: Option<&'a str>,
    /// Sent instead while the window is closed.
    pub template: Option<(TemplateId, &'a [(String, String)])>,
}

/// What became of an automated send.
pub enum Outcome {
    Queued(Box<MessageRecord>),
    /// Nothing was stored, for this reason.
    Skipped(String),
}

/// Stores the automated message to the conversation's contact with its outbox job, or
/// answers why it is skipped. Only storage failures are errors.
pub async fn send_automated<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    conversation: &ConversationRecord,
    message: Automated<'_>,
    now: DateTime<Utc>,
) -> Result<Outcome, StoreError> {
    let channel = scope.channels().get(conversation.channel).await?;
    let contact = scope.contacts().get(conversation.contact).await?;
    if contact.opted_out_at.is_some() {
        return Ok(skipped("the contact opted out"));
    }
    let window_open = conversation.window_expires_at.is_some_and(|at| at > now);
    let content = match (window_open, message.text, message.template) {
        (true, Some(text), _) => MessageContent::Text {
            body: text.to_owned(),
            preview_url: false,
        },
        (_, _, Some((id, variables))) => {
            let template = match scope.templates().get(id).await {
                Ok(t) => t,
                Err(StoreError::NotFound) => return Ok(skipped("the template was deleted")),
                Err(e) => return Err(e),
            };
            let variables = variables.to_vec();
            // The template named is one channel's; the conversation's channel has its own
            // copy by the same name and language.
            let requested = if template.channel == channel.id {
                template_send::requested(Some(id), None, None, variables)
            } else {
                template_send::requested(
                    None,
                    Some(template.name),
                    Some(template.language),
                    variables,
                )
            };
            match template_send::resolve(scope, &channel, requested).await {
                Ok(content) => content,
                Err(AppError::NotFound) => {
                    return Ok(skipped("the conversation's channel has no such template"))
                }
                Err(e) => return refused(e),
            }
        }
        (true, None, None) => return Ok(skipped("no text is set")),
        (false, _, None) => {
            return Ok(skipped(
                "the 24-hour window is closed and no template is set",
            ))
        }
    };
    send_own(scope, channel, contact, conversation, content, now).await
}

/// Stores Switchboard's own message `content` to the conversation's contact (on its
/// channel) with its outbox job, checked and split like any message, or answers why it is
/// skipped. The caller has chosen the content for the window; only storage failures are
/// errors.
pub async fn send_own<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    channel: ChannelRecord,
    contact: ContactRecord,
    conversation: &ConversationRecord,
    content: MessageContent,
    now: DateTime<Utc>,
) -> Result<Outcome, StoreError> {
    if contact.opted_out_at.is_some() {
        return Ok(skipped("the contact opted out"));
    }
    let caps = capabilities(channel.provider());
    let (content, attachments) = match build(scope, &channel, &caps, content).await {
        Ok(built) => built,
        Err(e) => return refused(e),
    };
    let (first, more) = split(content, &caps);
    let draft = Draft {
        target: Target {
            channel,
            recipient: Recipient::Known(Box::new(contact.clone())),
            conversation: Some(conversation.clone()),
        },
        key: None,
        reply_to: None,
        first,
        more,
        attachments,
    };
    let stored = store_in(scope, draft, contact.id, now).await?;
    Ok(Outcome::Queued(Box::new(stored)))
}

fn skipped(reason: &str) -> Outcome {
    Outcome::Skipped(reason.to_owned())
}

/// A check that refused the content skips the send; a failure to read fails the caller.
fn refused(err: AppError) -> Result<Outcome, StoreError> {
    match err {
        AppError::Internal(e) => Err(StoreError::Db(sea_orm::DbErr::Custom(format!("{e:#}")))),
        other => Ok(Outcome::Skipped(other.to_string())),
    }
}
