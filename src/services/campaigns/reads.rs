//! Reading campaigns: lists, recipients, counts, and the preview of who would be skipped.

use chrono::Utc;

use super::dispatch::{contacts_of, verdict, wa_id};
use super::{CampaignService, Preview};
use crate::domain::campaign::RecipientState;
use crate::domain::records::{CampaignCounts, CampaignRecord, RecipientRecord};
use crate::domain::{CampaignId, Page, PageRequest, TenantId};
use crate::error::AppError;
use crate::services::auth::{Access, Admin};

impl CampaignService {
    /// The tenant's campaigns, newest first.
    pub async fn list(
        &self,
        access: &Access<Admin>,
        page: PageRequest,
    ) -> Result<Page<CampaignRecord>, AppError> {
        Ok(self
            .inner
            .store
            .tenant(access.tenant())
            .campaigns()
            .list(page)
            .await?)
    }

    /// A campaign of a tenant the caller reached; another tenant's answers NOT_FOUND.
    pub async fn get_in(
        &self,
        tenant: TenantId,
        id: CampaignId,
    ) -> Result<CampaignRecord, AppError> {
        Ok(self.inner.store.tenant(tenant).campaigns().get(id).await?)
    }

    /// A campaign's recipients in list order, optionally in one state, after a position.
    pub async fn recipients(
        &self,
        tenant: TenantId,
        id: CampaignId,
        state: Option<RecipientState>,
        after_position: Option<i32>,
        first: u64,
    ) -> Result<Page<RecipientRecord>, AppError> {
        Ok(self
            .inner
            .store
            .tenant(tenant)
            .campaigns()
            .recipients(id, state, after_position, first)
            .await?)
    }

    pub async fn counts(
        &self,
        tenant: TenantId,
        id: CampaignId,
    ) -> Result<CampaignCounts, AppError> {
        Ok(self
            .inner
            .store
            .tenant(tenant)
            .campaigns()
            .counts(id)
            .await?)
    }

    /// Counts who would be skipped and why if the campaign's pending recipients were
    /// dispatched now. Sends nothing.
    pub async fn preview(
        &self,
        access: &Access<Admin>,
        id: CampaignId,
    ) -> Result<Preview, AppError> {
        let tenant = access.tenant();
        let scope = self.inner.store.tenant(tenant);
        let campaign = scope.campaigns().get(id).await?;
        let template = scope.templates().get(campaign.template).await?;
        let counts = scope.campaigns().counts(id).await?;
        let mut preview = Preview {
            total: counts.total,
            skipped: counts.skipped_by_reason.clone(),
            ..Preview::default()
        };
        let now = Utc::now();
        let mut after = None;
        loop {
            let page = scope
                .campaigns()
                .recipients(id, Some(RecipientState::Pending), after, 1000)
                .await?;
            after = page.items.last().map(|r| r.position);
            let contacts = contacts_of(&scope, &page.items).await?;
            for recipient in &page.items {
                let contact = wa_id(&recipient.phone).and_then(|w| contacts.get(&w));
                match verdict(&template, recipient, contact) {
                    Err(reason) => *preview.skipped.entry(reason).or_default() += 1,
                    Ok(_) => {
                        preview.sendable += 1;
                        let recent = contact
                            .and_then(|c| c.last_inbound_at)
                            .is_some_and(|at| now - at < chrono::Duration::hours(24));
                        if !recent {
                            preview.outside_window += 1;
                        }
                    }
                }
            }
            if !page.has_next {
                break;
            }
        }
        // Recipients already handed to the outbox count as sendable.
        preview.sendable += counts.total - counts.pending - counts.skipped;
        Ok(preview)
    }
}
