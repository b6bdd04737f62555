//! Click-to-chat links as stored, and the referral a conversation keeps of the link that
//! opened it.

use chrono::{DateTime, Utc};

use crate::domain::{ChannelId, ClickToChatLinkId, ConversationId};

/// A channel's stored link: its tag rides in the prefilled text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClickToChatLinkRecord {
    pub id: ClickToChatLinkId,
    pub channel: ChannelId,
    /// Unique within the tenant.
    pub tag: String,
    /// Where the link is published: a campaign, a web page, a flyer.
    pub source: String,
    /// The text prefilled before the tag, if any.
    pub text: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Which link opened a conversation, as the link was then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationReferralRecord {
    pub conversation: ConversationId,
    /// None once the link is deleted.
    pub link: Option<ClickToChatLinkId>,
    pub tag: String,
    pub source: String,
    pub linked_at: DateTime<Utc>,
}
