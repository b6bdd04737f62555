//! Customer satisfaction: a queue may ask the customer to rate a conversation when it is
//! resolved. The question is stored as an outbound message with its outbox job in the
//! transaction of the resolve (from Switchboard, no user), once per resolution, only while
//! the 24-hour window is open; the customer's rating, a chosen row or a lone digit 1–5
//! within a day of asking, is stored with the conversation, its agent and queue, and
//! neither reopens the conversation nor opens another.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use crate::domain::audit::{AuditEvent, QueueChange};
use crate::domain::conversation::ChangeKind;
use crate::domain::csat::{self, CsatSettings, Rating, SurveyRecord};
use crate::domain::records::{ChannelRecord, ContactRecord, ConversationRecord};
use crate::domain::{ConversationId, MessageContent, QueueId, TenantId};
use crate::error::AppError;
use crate::services::auth::{Access, Admin, Agent};
use crate::services::outbox::send::{send_own, Outcome};
use crate::store::{Store, StoreError, TenantScope};

/// A change of a queue's CSAT setting; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct CsatInput {
    pub enabled: Option<bool>,
    pub question: Option<String>,
}

#[derive(Clone)]
pub struct CsatService {
    store: Store,
}

impl CsatService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// The CSAT setting of a queue of `tenant` (the tenant of the queue the caller reached).
    pub async fn settings_in(
        &self,
        tenant: TenantId,
        queue: QueueId,
    ) -> Result<CsatSettings, AppError> {
        Ok(self.store.tenant(tenant).csat().settings(queue).await?)
    }

    /// Changes a queue's CSAT setting; another tenant's queue answers NOT_FOUND.
    pub async fn update(
        &self,
        access: &Access<Admin>,
        queue: QueueId,
        input: CsatInput,
    ) -> Result<CsatSettings, AppError> {
        let question = input
            .question
            .as_deref()
            .map(csat::parse_question)
            .transpose()
            .map_err(|e| AppError::bad_input("question", e))?;
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        let record = scope.queues().get(queue).await?;
        let mut settings = scope.csat().settings(queue).await?;
        if let Some(enabled) = input.enabled {
            settings.enabled = enabled;
        }
        if let Some(question) = question {
            settings.question = question;
        }
        scope
            .csat()
            .put_settings(queue, &settings, unit.now())
            .await?;
        let event = AuditEvent::Queue {
            queue,
            change: QueueChange::Updated,
            name: &record.name,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        Ok(settings)
    }

    /// The latest question asked in a conversation the caller sees, with its answer.
    pub async fn of_conversation(
        &self,
        tenant: TenantId,
        conversation: ConversationId,
    ) -> Result<Option<SurveyRecord>, AppError> {
        Ok(self
            .store
            .tenant(tenant)
            .csat()
            .latest_of(conversation)
            .await?)
    }

    /// The ratings given in `[from, to)`, each with the agent the conversation was
    /// resolved by; of one queue, or of all.
    pub async fn ratings(
        &self,
        access: &Access<Agent>,
        queue: Option<QueueId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(Option<crate::domain::UserId>, u8)>, AppError> {
        Ok(self
            .store
            .tenant(access.tenant())
            .csat()
            .ratings(queue, from, to)
            .await?)
    }
}

/// After a lifecycle change, inside its transaction: a resolution asks the customer for a
/// rating when the conversation's queue wants it, the window is open and the customer has
/// not opted out.
pub(crate) async fn on_change<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    before: &ConversationRecord,
    after: &ConversationRecord,
    kind: ChangeKind,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if kind != ChangeKind::Resolved {
        return Ok(());
    }
    let Some(queue) = after.queue else {
        return Ok(());
    };
    // A free-form message goes only inside the window: a template would be needed after.
    if after.window_expires_at.is_none_or(|at| at <= now) {
        return Ok(());
    }
    let settings = scope.csat().settings(queue).await?;
    if !settings.enabled {
        return Ok(());
    }
    let channel = scope.channels().get(after.channel).await?;
    let contact = scope.contacts().get(after.contact).await?;
    let content = csat::question_content(channel.provider(), &settings.question);
    let channel_id = channel.id;
    let message = match send_own(scope, channel, contact, after, content, now).await? {
        Outcome::Queued(message) => message,
        // An opted-out customer is not asked.
        Outcome::Skipped(reason) => {
            tracing::info!(tenant.id = %scope.id(), conversation.id = %after.id, reason, "csat question not asked");
            return Ok(());
        }
    };
    let survey = SurveyRecord {
        message: message.id,
        conversation: after.id,
        channel: channel_id,
        contact: after.contact,
        queue: Some(queue),
        // Who worked it until the resolve.
        agent: before.assignee.or(after.assignee),
        asked_at: now,
        rating: None,
        answered_at: None,
    };
    scope.csat().insert_survey(&survey).await?;
    tracing::info!(tenant.id = %scope.id(), conversation.id = %after.id, message.id = %message.id, "csat question queued");
    Ok(())
}

/// A customer's message that answers a pending question: the contact has no conversation
/// open on the channel, was asked there within a day, the conversation asked in is still
/// resolved, and the message is a rating. The rating is stored and the resolved
/// conversation answered for the message to be kept in; `None` for any other message,
/// which goes the usual way and leaves the question pending.
pub(crate) async fn answer<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    channel: &ChannelRecord,
    contact: &ContactRecord,
    content: &MessageContent,
    now: DateTime<Utc>,
) -> Result<Option<ConversationRecord>, StoreError> {
    let Some(rating) = Rating::of_reply(content) else {
        return Ok(None);
    };
    let Some(survey) = scope
        .csat()
        .find_pending(channel.id, contact.id, now - csat::ANSWER_WITHIN)
        .await?
    else {
        return Ok(None);
    };
    let conversations = scope.conversations();
    if conversations
        .find_open(channel.id, contact.id)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let conversation = conversations.get(survey.conversation).await?;
    if conversation.is_unresolved() {
        return Ok(None);
    }
    if !scope.csat().answer(survey.message, rating, now).await? {
        return Ok(None);
    }
    tracing::info!(tenant.id = %scope.id(), conversation.id = %conversation.id, rating = rating.value(), "csat answer stored");
    Ok(Some(conversation))
}
