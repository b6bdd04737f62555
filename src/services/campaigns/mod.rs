//! Bulk sends. A campaign sends one approved template to many recipients, each with their
//! own variables. The dispatcher feeds each running campaign into the outbox a small batch
//! at a time, so pausing takes effect within a batch and one campaign never floods the
//! channel's queue. Each recipient's message and outbox job are created in the transaction
//! that marks the recipient queued: after a crash a recipient is either queued (and the
//! outbox sends it once) or still pending, never both, so nobody is messaged twice.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use crate::domain::audit::{AuditEvent, CampaignChange};
use crate::domain::campaign::{CampaignState, RecipientRow, SkipReason};
use crate::domain::records::{CampaignRecord, Template};
use crate::domain::template::TemplateStatus;
use crate::domain::{CampaignId, ChannelId, TemplateId};
use crate::error::AppError;
use crate::services::auth::{Access, Admin};
use crate::services::outbox::OutboxWorker;
use crate::store::campaigns::NewRecipient;
use crate::store::Store;

/// The most recipients one campaign takes.
pub const MAX_RECIPIENTS: usize = 100_000;
mod dispatch;
mod reads;

const NAME_MAX: usize = 200;
/// How often the dispatcher looks for work when nothing wakes it.
const POLL: Duration = Duration::from_millis(500);
/// A campaign's messages waiting in the outbox at most, at the least.
const MIN_WINDOW: u64 = 20;
const MAX_WINDOW: u64 = 500;

/// What `createCampaign` asks for.
pub struct NewCampaign {
    pub name: String,
    pub channel: ChannelId,
    pub template: TemplateId,
    pub recipients: Vec<RecipientRow>,
    pub start_at: Option<DateTime<Utc>>,
}

/// Who would be skipped, and why, if the campaign went now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preview {
    pub total: u64,
    pub sendable: u64,
    pub skipped: BTreeMap<SkipReason, u64>,
    /// Sendable recipients who have not written in the last 24 hours: a template reaches
    /// them anyway, but nothing free-form could.
    pub outside_window: u64,
}

#[derive(Clone)]
pub struct CampaignService {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    outbox: OutboxWorker,
    bus: crate::services::events::EventBus,
    wake: Notify,
    stopping: AtomicBool,
}

impl CampaignService {
    pub fn new(store: Store, outbox: OutboxWorker, bus: crate::services::events::EventBus) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                outbox,
                bus,
                wake: Notify::new(),
                stopping: AtomicBool::new(false),
            }),
        }
    }

    /// Stops dispatching; a batch in progress finishes its transaction.
    pub fn stop(&self) {
        self.inner.stopping.store(true, Ordering::SeqCst);
        self.inner.wake.notify_one();
    }

    pub async fn create(
        &self,
        access: &Access<Admin>,
        input: NewCampaign,
    ) -> Result<CampaignRecord, AppError> {
        let tenant = access.tenant();
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX {
            return Err(AppError::bad_input(
                "name",
                format!("must be 1 to {NAME_MAX} characters"),
            ));
        }
        if input.recipients.is_empty() || input.recipients.len() > MAX_RECIPIENTS {
            return Err(AppError::bad_input(
                "recipients",
                format!("give 1 to {MAX_RECIPIENTS} recipients"),
            ));
        }
        let scope = self.inner.store.tenant(tenant);
        let channel = scope.channels().get(input.channel).await?;
        let template = scope.templates().get(input.template).await?;
        if template.channel != channel.id {
            return Err(AppError::bad_input(
                "templateId",
                "the template belongs to another channel",
            ));
        }
        if template.status != TemplateStatus::Approved {
            return Err(AppError::bad_input("templateId", not_approved(&template)));
        }
        let now = Utc::now();
        let record = CampaignRecord {
            id: CampaignId::new(),
            channel: channel.id,
            template: template.id,
            name: name.to_owned(),
            state: CampaignState::Draft,
            state_reason: None,
            start_at: input.start_at,
            recipient_count: input.recipients.len() as i32,
            created_by: access.actor().clone().label,
            created_at: now,
            updated_at: now,
            started_at: None,
            finished_at: None,
        };
        let recipients = screen(input.recipients);
        let unit = self.inner.store.write(tenant).await?;
        let created = unit
            .scope()
            .campaigns()
            .insert(&record, &recipients)
            .await?;
        let event = AuditEvent::CampaignCreated {
            campaign: created.id,
            name: &created.name,
            recipients: created.recipient_count,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        Ok(created)
    }

    /// Starts a draft: now, or at its start time. Its template must be APPROVED.
    pub async fn start(
        &self,
        access: &Access<Admin>,
        id: CampaignId,
    ) -> Result<CampaignRecord, AppError> {
        let tenant = access.tenant();
        let scope = self.inner.store.tenant(tenant);
        let campaign = scope.campaigns().get(id).await?;
        let template = scope.templates().get(campaign.template).await?;
        if template.status != TemplateStatus::Approved {
            return Err(AppError::bad_input("id", not_approved(&template)));
        }
        let channel = scope.channels().get(campaign.channel).await?;
        if channel.provider() == crate::providers::ProviderKind::Twilio
            && template.provider_template_id.is_none()
        {
            return Err(AppError::bad_input(
                "id",
                "the template has no Twilio content SID; sync the channel's templates",
            ));
        }
        let to = if campaign.start_at.is_some_and(|at| at > Utc::now()) {
            CampaignState::Scheduled
        } else {
            CampaignState::Running
        };
        self.change(
            access,
            id,
            &[CampaignState::Draft],
            to,
            CampaignChange::Started,
        )
        .await
    }

    pub async fn pause(
        &self,
        access: &Access<Admin>,
        id: CampaignId,
    ) -> Result<CampaignRecord, AppError> {
        self.change(
            access,
            id,
            &[CampaignState::Running, CampaignState::Scheduled],
            CampaignState::Paused,
            CampaignChange::Paused,
        )
        .await
    }

    pub async fn resume(
        &self,
        access: &Access<Admin>,
        id: CampaignId,
    ) -> Result<CampaignRecord, AppError> {
        let tenant = access.tenant();
        let campaign = self.inner.store.tenant(tenant).campaigns().get(id).await?;
        let to = if campaign.started_at.is_none()
            && campaign.start_at.is_some_and(|at| at > Utc::now())
        {
            CampaignState::Scheduled
        } else {
            CampaignState::Running
        };
        self.change(
            access,
            id,
            &[CampaignState::Paused],
            to,
            CampaignChange::Resumed,
        )
        .await
    }

    /// Cancels the campaign: recipients still pending are skipped. Messages already handed
    /// to the outbox still go.
    pub async fn cancel(
        &self,
        access: &Access<Admin>,
        id: CampaignId,
    ) -> Result<CampaignRecord, AppError> {
        self.change(
            access,
            id,
            &[
                CampaignState::Draft,
                CampaignState::Scheduled,
                CampaignState::Running,
                CampaignState::Paused,
            ],
            CampaignState::Cancelled,
            CampaignChange::Cancelled,
        )
        .await
    }

    async fn change(
        &self,
        access: &Access<Admin>,
        id: CampaignId,
        from: &[CampaignState],
        to: CampaignState,
        change: CampaignChange,
    ) -> Result<CampaignRecord, AppError> {
        let unit = self.inner.store.write(access.tenant()).await?;
        let campaigns = unit.scope().campaigns();
        let current = campaigns.lock(id).await?;
        let Some(changed) = campaigns.transition(id, from, to, None, unit.now()).await? else {
            return Err(AppError::bad_input(
                "id",
                format!("the campaign is {}", current.state),
            ));
        };
        if to == CampaignState::Cancelled {
            campaigns
                .skip_pending(id, SkipReason::Cancelled, unit.now())
                .await?;
        }
        let event = AuditEvent::Campaign {
            campaign: id,
            change,
        };
        unit.audit(access.actor(), event).await?;
        let events = finished(access.tenant(), &changed);
        let committed = crate::services::webhooks::journal::commit(unit, &events).await?;
        self.inner.bus.publish(committed);
        self.inner.wake.notify_one();
        Ok(changed)
    }

    /// Dispatches running campaigns until stopped.
    pub async fn run(self) {
        loop {
            if self.inner.stopping.load(Ordering::SeqCst) {
                return;
            }
            if let Err(e) = self.dispatch_all().await {
                tracing::error!(error = %e, "dispatching campaigns failed");
            }
            let _ = tokio::time::timeout(POLL, self.inner.wake.notified()).await;
        }
    }
}

/// Why a campaign refuses a template that is not APPROVED.
fn not_approved(template: &Template) -> String {
    format!(
        "template {} ({}) is {}; a campaign needs an APPROVED template",
        template.name, template.language, template.status
    )
}

/// Marks unusable numbers and repeats as skipped from the start.
fn screen(rows: Vec<RecipientRow>) -> Vec<NewRecipient> {
    let mut seen = HashSet::new();
    rows.into_iter()
        .map(|row| {
            let (phone, skip) = match crate::providers::parse_number(&row.phone) {
                Err(_) => (row.phone, Some(SkipReason::InvalidNumber)),
                Ok(p) => {
                    let repeated = !seen.insert(p.digits().to_owned());
                    (
                        p.as_str().to_owned(),
                        repeated.then_some(SkipReason::Duplicate),
                    )
                }
            };
            NewRecipient {
                phone,
                variables: row.variables,
                skip,
            }
        })
        .collect()
}

/// The event of a campaign that just finished (COMPLETED or CANCELLED); none otherwise.
pub(crate) fn finished(
    tenant: crate::domain::TenantId,
    campaign: &CampaignRecord,
) -> Vec<crate::services::events::Event> {
    match campaign.state {
        CampaignState::Completed | CampaignState::Cancelled => {
            vec![crate::services::events::Event::Campaign {
                tenant,
                campaign: Box::new(campaign.clone()),
            }]
        }
        _ => Vec::new(),
    }
}
