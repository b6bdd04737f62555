//! The dispatcher: feeds each running campaign into the outbox a small batch at a time.
//! A batch is one unit of work: each recipient's message and outbox job are stored with
//! the mark that it was queued, so after a crash a recipient is queued (and sent once) or
//! still pending, never both.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::{CampaignService, MAX_WINDOW, MIN_WINDOW};
use crate::domain::campaign::{CampaignState, SkipReason};
use crate::domain::content::TemplateVariable;
use crate::domain::records::{
    CampaignRecord, ChannelRecord, ContactRecord, MessageRecord, Part, RecipientRecord, Template,
};
use crate::domain::template::{
    check_variables, render, TemplateCategory, TemplateStatus, TemplateVariableError,
};
use crate::domain::{
    CampaignId, Direction, MessageContent, MessageId, MessageStatus, PhoneNumber, TenantId,
};
use crate::store::{StoreError, TenantScope};

/// What became of one recipient of a batch.
enum Queued {
    Yes,
    Skipped,
    /// Another instance queued the recipient first: the whole batch is dropped.
    TakenElsewhere,
}

impl CampaignService {
    /// One round over every campaign that needs dispatching.
    pub async fn dispatch_all(&self) -> Result<(), StoreError> {
        let now = Utc::now();
        let due = self.inner.store.system().campaigns_to_dispatch(now).await?;
        for (tenant, id, state) in due {
            if state == CampaignState::Scheduled {
                self.inner
                    .store
                    .tenant(tenant)
                    .campaigns()
                    .transition(
                        id,
                        &[CampaignState::Scheduled],
                        CampaignState::Running,
                        None,
                        now,
                    )
                    .await?;
            }
            if let Err(e) = self.dispatch(tenant, id).await {
                tracing::error!(tenant.id = %tenant, campaign.id = %id, error = %e, "a campaign batch failed; it is tried again");
            }
        }
        Ok(())
    }

    /// Queues the campaign's next batch, or completes it. The batch tops the channel's
    /// queue up to about two seconds of its rate, so the dispatcher stays just ahead of the
    /// outbox and a pause holds everyone not yet queued.
    async fn dispatch(&self, tenant: TenantId, id: CampaignId) -> Result<(), StoreError> {
        let unit = self.inner.store.write(tenant).await?;
        let (scope, now) = (unit.scope(), unit.now());
        let Some(campaign) = scope.campaigns().try_lock(id).await? else {
            // Another instance is dispatching it right now.
            return Ok(());
        };
        if campaign.state != CampaignState::Running {
            return Ok(());
        }
        let channel = scope.channels().get(campaign.channel).await?;
        let window =
            (u64::from(channel.settings.messages_per_second) * 2).clamp(MIN_WINDOW, MAX_WINDOW);
        let depth = scope.campaigns().queue_depth(channel.id).await?;
        if depth >= window {
            return Ok(());
        }
        let batch = scope.campaigns().pending(id, window - depth).await?;
        if batch.is_empty() {
            if scope.campaigns().counts(id).await?.queued == 0 {
                let to = CampaignState::Completed;
                let running = &[CampaignState::Running];
                let done = scope
                    .campaigns()
                    .transition(id, running, to, None, now)
                    .await?;
                let events = done
                    .map(|c| super::finished(tenant, &c))
                    .unwrap_or_default();
                let committed = crate::services::webhooks::journal::commit(unit, &events).await?;
                self.inner.bus.publish(committed);
            }
            return Ok(());
        }
        let Some(template) = usable_template(&scope, &campaign, now).await? else {
            unit.commit().await?;
            return Ok(());
        };
        let contacts = contacts_of(&scope, &batch).await?;
        let mut queued = 0;
        for recipient in &batch {
            let contact = wa_id(&recipient.phone).and_then(|w| contacts.get(&w));
            match queue(&scope, &channel, &template, recipient, contact, now).await? {
                Queued::Yes => queued += 1,
                Queued::Skipped => {}
                Queued::TakenElsewhere => return Ok(()),
            }
        }
        unit.commit().await?;
        if queued > 0 {
            self.inner.outbox.wake();
        }
        // More may be due at once (skips, a wide window): look again without waiting.
        self.inner.wake.notify_one();
        Ok(())
    }
}

/// The campaign's template while it is APPROVED; otherwise the campaign pauses itself,
/// saying why, and there is none.
async fn usable_template<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    campaign: &CampaignRecord,
    now: DateTime<Utc>,
) -> Result<Option<Template>, StoreError> {
    let reason = match scope.templates().get(campaign.template).await {
        Ok(t) if t.status == TemplateStatus::Approved => return Ok(Some(t)),
        Ok(t) => format!("template {} ({}) is {}", t.name, t.language, t.status),
        Err(StoreError::NotFound) => "the template was deleted".to_owned(),
        Err(e) => return Err(e),
    };
    tracing::warn!(tenant.id = %scope.id(), campaign.id = %campaign.id, %reason, "a campaign paused itself");
    scope
        .campaigns()
        .transition(
            campaign.id,
            &[CampaignState::Running],
            CampaignState::Paused,
            Some(&reason),
            now,
        )
        .await?;
    Ok(None)
}

/// Stores the recipient's message and outbox job and marks them queued, or marks them
/// skipped with the reason.
async fn queue<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    channel: &ChannelRecord,
    template: &Template,
    recipient: &RecipientRecord,
    contact: Option<&ContactRecord>,
    now: DateTime<Utc>,
) -> Result<Queued, StoreError> {
    let (phone, values) = match verdict(template, recipient, contact) {
        Ok(found) => found,
        Err(reason) => {
            scope
                .campaigns()
                .mark_skipped(recipient.id, reason, now)
                .await?;
            return Ok(Queued::Skipped);
        }
    };
    let contact = match contact {
        Some(c) => c.clone(),
        None => {
            scope
                .contacts()
                .find_or_create(phone.digits(), phone.as_str(), now)
                .await?
        }
    };
    let conversation = scope
        .conversations()
        .find_open(channel.id, contact.id)
        .await?;
    let message = MessageRecord {
        conversation: conversation.map(|c| c.id),
        ..template_message(channel, template, &contact, values, now)
    };
    scope.messages().insert(&message, &[], now).await?;
    scope
        .outbox()
        .enqueue(message.id, channel.id, None, now)
        .await?;
    let marked = scope
        .campaigns()
        .mark_queued(recipient.id, message.id, now)
        .await?;
    Ok(if marked {
        Queued::Yes
    } else {
        Queued::TakenElsewhere
    })
}

/// The campaign's outbound template message to `contact`, queued.
fn template_message(
    channel: &ChannelRecord,
    template: &Template,
    contact: &ContactRecord,
    values: Vec<(String, String)>,
    now: DateTime<Utc>,
) -> MessageRecord {
    MessageRecord {
        id: MessageId::new(),
        revision: uuid::Uuid::now_v7(),
        channel: channel.id,
        conversation: None,
        contact: contact.id,
        direction: Direction::Outbound,
        status: MessageStatus::Queued,
        provider_message_id: None,
        content: MessageContent::Template {
            template_id: Some(template.id),
            name: template.name.clone(),
            language: template.language.clone(),
            provider_template_id: template.provider_template_id.clone(),
            rendered: render(&template.body, &values),
            variables: values
                .into_iter()
                .map(|(key, value)| TemplateVariable { key, value })
                .collect(),
        },
        reply_to_provider_id: None,
        forwarded: false,
        referral: None,
        idempotency_key: None,
        error_code: None,
        error_message: None,
        part: Part::WHOLE,
        sent_at: now,
        created_at: now,
        updated_at: now,
    }
}

pub(super) fn wa_id(phone: &str) -> Option<String> {
    PhoneNumber::parse(phone)
        .ok()
        .map(|p| p.digits().to_owned())
}

pub(super) async fn contacts_of<C: sea_orm::ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    recipients: &[RecipientRecord],
) -> Result<HashMap<String, ContactRecord>, StoreError> {
    let ids: Vec<String> = recipients.iter().filter_map(|r| wa_id(&r.phone)).collect();
    scope.contacts().find_by_wa_ids(&ids).await
}

/// The recipient's number and the template's values for them, or why they are skipped. Variables the
/// template does not use (extra CSV columns) are ignored.
pub(super) fn verdict(
    template: &Template,
    recipient: &RecipientRecord,
    contact: Option<&ContactRecord>,
) -> Result<(PhoneNumber, Vec<(String, String)>), SkipReason> {
    if template.status != TemplateStatus::Approved {
        return Err(SkipReason::TemplateNotApproved);
    }
    let phone = PhoneNumber::parse(&recipient.phone).map_err(|_| SkipReason::InvalidNumber)?;
    if let Some(contact) = contact {
        if contact.opted_out_at.is_some() {
            return Err(SkipReason::OptedOut);
        }
        if contact.marketing_opted_out_at.is_some()
            && template.category == Some(TemplateCategory::Marketing)
        {
            return Err(SkipReason::OptedOutMarketing);
        }
    }
    let given: BTreeMap<String, String> = recipient
        .variables
        .iter()
        .filter(|(k, _)| template.variables.contains(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let values = check_variables(&template.variables, &given).map_err(|e| match e {
        TemplateVariableError::Missing(_) => SkipReason::MissingVariable,
        _ => SkipReason::InvalidVariable,
    })?;
    Ok((phone, values))
}
