//! A campaign as the API shows it, its recipients and where they stand.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::domain::campaign::{CampaignState, RecipientState, SkipReason};
use crate::domain::{CampaignId, ChannelId, MessageId, TemplateId};

/// A campaign as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignRecord {
    pub id: CampaignId,
    pub channel: ChannelId,
    pub template: TemplateId,
    pub name: String,
    pub state: CampaignState,
    pub state_reason: Option<String>,
    pub start_at: Option<DateTime<Utc>>,
    pub recipient_count: i32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One recipient of a campaign and how far it got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientRecord {
    pub id: uuid::Uuid,
    pub position: i32,
    pub phone: String,
    pub variables: BTreeMap<String, String>,
    pub skip_reason: Option<SkipReason>,
    pub message: Option<MessageId>,
    /// Once dispatched, the state follows the message's status.
    pub state: RecipientState,
}

/// Where a campaign's recipients stand. `sent` counts every message that left (sent,
/// delivered or read), `delivered` those delivered or read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CampaignCounts {
    pub total: u64,
    pub pending: u64,
    pub queued: u64,
    pub sent: u64,
    pub delivered: u64,
    pub read: u64,
    pub failed: u64,
    pub skipped: u64,
    pub skipped_by_reason: BTreeMap<SkipReason, u64>,
}
