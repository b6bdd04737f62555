//! Campaigns in the API: bulk template sends with a preflight, pause, resume and cancel, and
//! their progress. Owners and admins run them.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::channels::Channel;
use super::connection::{connection, page_request};
use super::errors::GqlResult;
use super::guards::viewer;
use super::messages::Message;
use super::sending::TemplateVariableInput;
use super::templates::Template;
use super::types::parse_id;
use crate::domain::campaign::{parse_csv, RecipientRow, SkipReason};
use crate::domain::records::{CampaignCounts, CampaignRecord, RecipientRecord};
use crate::domain::{CampaignId, ChannelId, TemplateId, TenantId};
use crate::error::AppError;
use crate::services::auth::Admin;
use crate::services::campaigns::{NewCampaign, Preview};
use crate::services::Services;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "CampaignState",
    remote = "crate::domain::campaign::CampaignState"
)]
pub enum CampaignStateGql {
    Draft,
    Scheduled,
    Running,
    Paused,
    Completed,
    Cancelled,
}

/// Why a recipient gets no message.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "SkipReason", remote = "crate::domain::campaign::SkipReason")]
pub enum SkipReasonGql {
    InvalidNumber,
    Duplicate,
    OptedOut,
    OptedOutMarketing,
    MissingVariable,
    InvalidVariable,
    TemplateNotApproved,
    Cancelled,
}

/// What became of a recipient. Once handed to the outbox, a recipient follows its
/// message's status: QUEUED, then SENT, DELIVERED, READ, or FAILED.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "RecipientState",
    remote = "crate::domain::campaign::RecipientState"
)]
pub enum RecipientStateGql {
    /// Not yet handed to the outbox.
    Pending,
    /// In the outbox; the provider has not accepted the message yet.
    Queued,
    Sent,
    Delivered,
    Read,
    Failed,
    /// Gets no message; `skipReason` says why.
    Skipped,
}

#[derive(SimpleObject)]
pub struct SkipCount {
    pub reason: SkipReasonGql,
    pub count: u64,
}

fn skip_counts(map: &std::collections::BTreeMap<SkipReason, u64>) -> Vec<SkipCount> {
    map.iter()
        .map(|(reason, count)| SkipCount {
            reason: (*reason).into(),
            count: *count,
        })
        .collect()
}

/// Where a campaign's recipients stand. `sent` counts every message that left (sent,
/// delivered or read); `delivered` those delivered or read.
#[derive(SimpleObject)]
#[graphql(name = "CampaignCounts")]
pub struct CampaignCountsView {
    pub total: u64,
    /// Not yet handed to the outbox.
    pub pending: u64,
    /// In the outbox, not yet accepted by the provider.
    pub queued: u64,
    pub sent: u64,
    pub delivered: u64,
    pub read: u64,
    pub failed: u64,
    pub skipped: u64,
    pub skipped_by_reason: Vec<SkipCount>,
}

impl From<CampaignCounts> for CampaignCountsView {
    fn from(c: CampaignCounts) -> Self {
        Self {
            skipped_by_reason: skip_counts(&c.skipped_by_reason),
            total: c.total,
            pending: c.pending,
            queued: c.queued,
            sent: c.sent,
            delivered: c.delivered,
            read: c.read,
            failed: c.failed,
            skipped: c.skipped,
        }
    }
}

/// What the campaign would do if its pending recipients were dispatched now.
#[derive(SimpleObject)]
pub struct CampaignPreview {
    pub total: u64,
    pub sendable: u64,
    /// Recipients who would get no message: already skipped, or skipped if sent now.
    pub skipped: u64,
    /// `skipped` by reason; reasons with no recipient are left out.
    pub skipped_by_reason: Vec<SkipCount>,
    /// Sendable recipients who have not written in the last 24 hours: a template reaches
    /// them, nothing free-form could.
    pub outside_window: u64,
}

impl From<Preview> for CampaignPreview {
    fn from(p: Preview) -> Self {
        Self {
            total: p.total,
            sendable: p.sendable,
            skipped: p.skipped.values().sum(),
            skipped_by_reason: skip_counts(&p.skipped),
            outside_window: p.outside_window,
        }
    }
}

pub struct Campaign(pub CampaignRecord, pub TenantId);

#[Object]
impl Campaign {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn state(&self) -> CampaignStateGql {
        self.0.state.into()
    }
    /// Why the campaign paused itself (its template stopped being APPROVED, …).
    async fn state_reason(&self) -> Option<&str> {
        self.0.state_reason.as_deref()
    }
    async fn start_at(&self) -> Option<DateTime<Utc>> {
        self.0.start_at
    }
    async fn recipient_count(&self) -> i32 {
        self.0.recipient_count
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    async fn channel(&self, ctx: &Context<'_>) -> GqlResult<Channel> {
        Ok(Channel(
            super::loaders::channel(ctx, self.1, self.0.channel).await?,
        ))
    }
    async fn template(&self, ctx: &Context<'_>) -> GqlResult<Option<Template>> {
        let state = ctx.data_unchecked::<Services>();
        Ok(state
            .templates
            .find_in(self.1, self.0.template)
            .await?
            .map(Template))
    }
    async fn counts(&self, ctx: &Context<'_>) -> GqlResult<CampaignCountsView> {
        let state = ctx.data_unchecked::<Services>();
        Ok(state.campaigns.counts(self.1, self.0.id).await?.into())
    }
    /// The recipients in list order, optionally in one state.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn recipients(
        &self,
        ctx: &Context<'_>,
        state: Option<RecipientStateGql>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, CampaignRecipient>> {
        let has_previous = after.is_some();
        let page = page_request("campaignRecipient", first, after)?;
        let app = ctx.data_unchecked::<Services>();
        let after_position = page.after.map(|u| u.as_u128() as i32);
        let rows = app
            .campaigns
            .recipients(
                self.1,
                self.0.id,
                state.map(Into::into),
                after_position,
                page.first,
            )
            .await?;
        let tenant = self.1;
        Ok(connection(
            "campaignRecipient",
            rows,
            has_previous,
            |r| uuid::Uuid::from_u128(r.position as u128),
            |r| CampaignRecipient(r, tenant),
        ))
    }
}

pub struct CampaignRecipient(RecipientRecord, TenantId);

#[Object]
impl CampaignRecipient {
    /// The number as given (E.164 when it is one).
    async fn phone(&self) -> &str {
        &self.0.phone
    }
    async fn variables(&self) -> async_graphql::Json<&std::collections::BTreeMap<String, String>> {
        async_graphql::Json(&self.0.variables)
    }
    async fn state(&self) -> RecipientStateGql {
        self.0.state.into()
    }
    async fn skip_reason(&self) -> Option<SkipReasonGql> {
        self.0.skip_reason.map(Into::into)
    }
    /// The message sent to this recipient, once queued.
    async fn message(&self, ctx: &Context<'_>) -> GqlResult<Option<Message>> {
        let Some(id) = self.0.message else {
            return Ok(None);
        };
        let state = ctx.data_unchecked::<Services>();
        let visibility = super::guards::visibility(ctx).await?;
        let message = state.history.message(self.1, &visibility, id).await?;
        Ok(Some(Message(message, self.1)))
    }
}

#[derive(InputObject)]
pub struct CampaignRecipientInput {
    /// E.164.
    pub to: String,
    /// This recipient's values for the template's variables.
    #[graphql(default)]
    pub variables: Vec<TemplateVariableInput>,
}

#[derive(InputObject)]
pub struct CreateCampaignInput {
    pub name: String,
    pub channel_id: ID,
    /// An APPROVED template of that channel; any other status is refused with
    /// BAD_USER_INPUT on `templateId`. Checked again when the campaign starts, and a running
    /// campaign pauses itself when its template stops being APPROVED.
    pub template_id: ID,
    /// The recipients; or give `recipientsCsv`.
    pub recipients: Option<Vec<CampaignRecipientInput>>,
    /// CSV text whose header names a `phone` column; every other column is a template
    /// variable (`1`, `2`, … or the variable's name).
    pub recipients_csv: Option<String>,
    /// When a started campaign begins; now when absent or past.
    pub start_at: Option<DateTime<Utc>>,
}

/// The largest CSV taken, in bytes.
const CSV_MAX_BYTES: usize = 20 << 20;

fn recipients_of(input: &mut CreateCampaignInput) -> Result<Vec<RecipientRow>, AppError> {
    match (input.recipients.take(), input.recipients_csv.take()) {
        (Some(list), None) => list
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let mut variables = std::collections::BTreeMap::new();
                for v in r.variables {
                    if variables.insert(v.key.clone(), v.value).is_some() {
                        return Err(AppError::bad_input(
                            format!("recipients[{i}].variables.{}", v.key),
                            "the variable is given twice",
                        ));
                    }
                }
                Ok(RecipientRow {
                    phone: r.to.trim().to_owned(),
                    variables,
                })
            })
            .collect(),
        (None, Some(csv)) if csv.len() > CSV_MAX_BYTES => Err(AppError::bad_input(
            "recipientsCsv",
            format!("must be at most {CSV_MAX_BYTES} bytes"),
        )),
        (None, Some(csv)) => parse_csv(&csv).map_err(|e| AppError::bad_input("recipientsCsv", e)),
        _ => Err(AppError::bad_input(
            "recipients",
            "give either recipients or recipientsCsv",
        )),
    }
}

#[derive(Default)]
pub struct CampaignQuery;

#[Object]
impl CampaignQuery {
    /// The tenant's campaigns, newest first.
    #[graphql(complexity = "crate::graphql::connection::page_cost(first, child_complexity)")]
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Campaign>> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let tenant = access.tenant();
        let has_previous = after.is_some();
        let page = page_request("campaign", first, after)?;
        let state = ctx.data_unchecked::<Services>();
        let rows = state.campaigns.list(&access, page).await?;
        Ok(connection(
            "campaign",
            rows,
            has_previous,
            |c| c.id.into_uuid(),
            |c| Campaign(c, tenant),
        ))
    }

    async fn campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Campaign>> {
        let tenant = viewer(ctx)?.access::<Admin>()?.tenant();
        let id: CampaignId = parse_id("id", &id)?;
        let state = ctx.data_unchecked::<Services>();
        Ok(Some(Campaign(
            state.campaigns.get_in(tenant, id).await?,
            tenant,
        )))
    }

    /// Who would be skipped, and why, if the campaign went now. Sends nothing.
    async fn preview_campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<CampaignPreview> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let id: CampaignId = parse_id("id", &id)?;
        let state = ctx.data_unchecked::<Services>();
        Ok(state.campaigns.preview(&access, id).await?.into())
    }
}

#[derive(Default)]
pub struct CampaignMutation;

#[Object]
impl CampaignMutation {
    /// Creates a DRAFT campaign; nothing is sent until `startCampaign`.
    async fn create_campaign(
        &self,
        ctx: &Context<'_>,
        mut input: CreateCampaignInput,
    ) -> GqlResult<Campaign> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let tenant = access.tenant();
        let recipients = recipients_of(&mut input)?;
        let channel: ChannelId = parse_id("channelId", &input.channel_id)?;
        let template: TemplateId = parse_id("templateId", &input.template_id)?;
        let state = ctx.data_unchecked::<Services>();
        let created = state
            .campaigns
            .create(
                &access,
                NewCampaign {
                    name: input.name,
                    channel,
                    template,
                    recipients,
                    start_at: input.start_at,
                },
            )
            .await?;
        Ok(Campaign(created, tenant))
    }

    /// Starts a DRAFT campaign: now, or at its `startAt`.
    async fn start_campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Campaign> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let tenant = access.tenant();
        let id: CampaignId = parse_id("id", &id)?;
        let state = ctx.data_unchecked::<Services>();
        Ok(Campaign(state.campaigns.start(&access, id).await?, tenant))
    }

    /// Stops handing recipients to the outbox; messages already queued still go.
    async fn pause_campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Campaign> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let tenant = access.tenant();
        let id: CampaignId = parse_id("id", &id)?;
        let state = ctx.data_unchecked::<Services>();
        Ok(Campaign(state.campaigns.pause(&access, id).await?, tenant))
    }

    async fn resume_campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Campaign> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let tenant = access.tenant();
        let id: CampaignId = parse_id("id", &id)?;
        let state = ctx.data_unchecked::<Services>();
        Ok(Campaign(state.campaigns.resume(&access, id).await?, tenant))
    }

    /// Ends the campaign; recipients not yet dispatched are skipped as CANCELLED.
    async fn cancel_campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Campaign> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let tenant = access.tenant();
        let id: CampaignId = parse_id("id", &id)?;
        let state = ctx.data_unchecked::<Services>();
        Ok(Campaign(state.campaigns.cancel(&access, id).await?, tenant))
    }
}
