//! Storing a send: in one transaction the recipient (a number written to for the first
//! time becomes a contact only together with its message), the message QUEUED with its
//! outbox job, and the parts after it of a split text, each waiting for the one before.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::{Draft, Recipient, SendService};
use crate::domain::records::{MessageRecord, Part};
use crate::domain::{ContactId, Direction, MessageContent, MessageId, MessageStatus, TenantId};
use crate::error::AppError;
use crate::store::messages::NewAttachment;
use crate::store::{StoreError, TenantScope};

impl SendService {
    /// Stores the draft and its outbox jobs; the message of the first part is the answer.
    pub(super) async fn store_draft(
        &self,
        tenant: TenantId,
        draft: Draft,
        now: DateTime<Utc>,
    ) -> Result<MessageRecord, AppError> {
        let unit = self.store.write(tenant).await?;
        let scope = unit.scope();
        // A number written to for the first time becomes a contact only together with the
        // message: a refused send leaves nothing behind.
        let contact = match &draft.target.recipient {
            Recipient::Known(c) => c.id,
            Recipient::New(phone) => {
                scope
                    .contacts()
                    .find_or_create(phone.digits(), phone.as_str(), now)
                    .await?
                    .id
            }
        };
        let (record, attachments, more) = draft.into_message(contact, now);
        let stored = match scope.messages().insert(&record, &attachments, now).await {
            Ok(stored) => stored,
            // Another call with the same key won the race: answer its message.
            Err(StoreError::Conflict(_)) if record.idempotency_key.is_some() => {
                drop(unit);
                let existing = self
                    .store
                    .tenant(tenant)
                    .messages()
                    .find_by_idempotency_key(record.idempotency_key.as_deref().unwrap_or_default())
                    .await?;
                return existing.ok_or(AppError::Conflict("the idempotency key is in use".into()));
            }
            Err(e) => return Err(e.into()),
        };
        enqueue_all(&scope, &record, more, now).await?;
        unit.commit().await?;
        Ok(stored)
    }
}

/// Stores a draft to a known contact inside the caller's transaction, for a send of
/// Switchboard's own: the message QUEUED with its outbox job, and the parts after it.
pub(super) async fn store_in<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    draft: Draft,
    contact: ContactId,
    now: DateTime<Utc>,
) -> Result<MessageRecord, StoreError> {
    let (record, attachments, more) = draft.into_message(contact, now);
    let stored = scope.messages().insert(&record, &attachments, now).await?;
    enqueue_all(scope, &record, more, now).await?;
    Ok(stored)
}

/// The first part's outbox job, and the parts after it with theirs.
async fn enqueue_all<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    record: &MessageRecord,
    more: Vec<MessageContent>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    scope
        .outbox()
        .enqueue(record.id, record.channel, None, now)
        .await?;
    enqueue_parts(scope, record, more, now).await
}

impl Draft {
    /// The message of the first part, its attachments, and the content of the parts after
    /// it.
    fn into_message(
        self,
        contact: ContactId,
        now: DateTime<Utc>,
    ) -> (MessageRecord, Vec<NewAttachment>, Vec<MessageContent>) {
        let record = MessageRecord {
            id: MessageId::new(),
            revision: uuid::Uuid::now_v7(),
            channel: self.target.channel.id,
            conversation: self.target.conversation.as_ref().map(|c| c.id),
            contact,
            direction: Direction::Outbound,
            status: MessageStatus::Queued,
            provider_message_id: None,
            content: self.first,
            reply_to_provider_id: self.reply_to,
            forwarded: false,
            referral: None,
            idempotency_key: self.key,
            error_code: None,
            error_message: None,
            part: Part {
                first: None,
                number: 1,
                count: 1 + self.more.len() as i32,
            },
            sent_at: now,
            created_at: now,
            updated_at: now,
        };
        (record, self.attachments, self.more)
    }
}

/// Stores the parts after `first` (of a split text), each with a job that waits for the
/// part before it.
async fn enqueue_parts<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    first: &MessageRecord,
    more: Vec<MessageContent>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut previous = first.id;
    for (number, content) in (2..).zip(more) {
        let part = MessageRecord {
            id: MessageId::new(),
            revision: uuid::Uuid::now_v7(),
            content,
            idempotency_key: None,
            reply_to_provider_id: None,
            part: Part {
                first: Some(first.id),
                number,
                ..first.part
            },
            ..first.clone()
        };
        scope.messages().insert(&part, &[], now).await?;
        scope
            .outbox()
            .enqueue(part.id, first.channel, Some(previous), now)
            .await?;
        previous = part.id;
    }
    Ok(())
}
