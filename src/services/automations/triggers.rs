//! When automated messages go. Each is sent inside the transaction of the change that
//! causes it, so a crash loses both or neither: WELCOME and OUT_OF_HOURS when an inbound
//! message opens a new conversation, RESOLVED when a conversation is resolved, and WAITING
//! from a sweep that finds conversations waiting unassigned too long. A row per
//! conversation and kind, inserted before the message, makes each go at most once, also
//! when two instances sweep at the same time.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ConnectionTrait;

use crate::domain::automation::{Automation, AutomationKind};
use crate::domain::conversation::ChangeKind;
use crate::domain::records::ConversationRecord;
use crate::domain::ConversationStatus;
use crate::services::outbox::send::{send_automated, Automated, Outcome};
use crate::store::{Store, StoreError, TenantScope};

/// After an inbound message opened `conversation` (new, not reopened) and was stored:
/// the WELCOME, and OUT_OF_HOURS when its queue has business hours and is outside them.
pub async fn on_open<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    conversation: &ConversationRecord,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    fire(scope, conversation, AutomationKind::Welcome, now).await?;
    fire(scope, conversation, AutomationKind::OutOfHours, now).await
}

/// After a lifecycle change from `before` to `after`: RESOLVED when it resolved it.
pub async fn on_change<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    before: &ConversationRecord,
    after: &ConversationRecord,
    kind: ChangeKind,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if kind == ChangeKind::Resolved && before.status != ConversationStatus::Resolved {
        fire(scope, after, AutomationKind::Resolved, now).await?;
    }
    Ok(())
}

/// Sends WAITING to every conversation waiting unassigned in its queue for the queue's
/// `afterMinutes` or longer (`waiting_since`), at most `limit` per queue and sweep; each
/// in a transaction of its own that reads the conversation again.
pub async fn sweep_waiting(store: &Store, limit: u64) -> Result<(), StoreError> {
    let queues = store.system().automation_sweeps().waiting(limit).await?;
    for (tenant, queue, minutes) in queues {
        let after = TimeDelta::minutes(i64::from(minutes));
        let due = store
            .tenant(tenant)
            .automations()
            .due(queue, AutomationKind::Waiting, after, Utc::now(), limit)
            .await?;
        for conversation in due {
            let unit = store.write(tenant).await?;
            let (scope, now) = (unit.scope(), unit.now());
            let current = scope.conversations().get(conversation.id).await?;
            let still_waiting = current.status == ConversationStatus::Open
                && current.assignee.is_none()
                && current.queue == Some(queue)
                && current
                    .waiting_since
                    .is_some_and(|since| since <= now - after);
            if still_waiting {
                fire(&scope, &current, AutomationKind::Waiting, now).await?;
                unit.commit().await?;
            }
        }
    }
    Ok(())
}

/// Sends the conversation's queue's automation of `kind` when it is enabled, applies now
/// and was not sent to this conversation before; records what it did.
async fn fire<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    conversation: &ConversationRecord,
    kind: AutomationKind,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(queue) = conversation.queue else {
        return Ok(());
    };
    let Some(automation) = scope.automations().enabled(queue, kind).await? else {
        return Ok(());
    };
    if kind == AutomationKind::OutOfHours {
        let hours = scope.queues().get(queue).await?.hours;
        if hours.is_none_or(|h| h.is_open(now)) {
            return Ok(());
        }
    }
    if !scope
        .automations()
        .claim(conversation.id, kind, now)
        .await?
    {
        return Ok(());
    }
    let outcome = send_automated(scope, conversation, message(&automation), now).await?;
    let settled = match &outcome {
        Outcome::Queued(message) => {
            tracing::debug!(tenant.id = %scope.id(), conversation.id = %conversation.id, message.id = %message.id, automation = kind.as_str(), "automated message queued");
            Ok(message.id)
        }
        Outcome::Skipped(reason) => {
            tracing::info!(tenant.id = %scope.id(), conversation.id = %conversation.id, automation = kind.as_str(), reason = %reason, "automated message skipped");
            Err(reason.as_str())
        }
    };
    scope
        .automations()
        .settle(conversation.id, kind, settled)
        .await
}

fn message(automation: &Automation) -> Automated<'_> {
    Automated {
        text: automation.text.as_deref(),
        template: automation
            .template
            .map(|id| (id, automation.template_variables.as_slice())),
    }
}
