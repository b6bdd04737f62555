//! A message as the API shows it: its parts, status timeline and attachments, and which
//! messages a list holds.

use chrono::{DateTime, Utc};

use crate::domain::content::Referral;
use crate::domain::{
    AttachmentId, ChannelId, ContactId, ConversationId, Direction, MessageContent, MessageId,
    MessageStatus,
};

/// A message as stored.
#[derive(Clone, Debug)]
pub struct MessageRecord {
    pub id: MessageId,
    pub revision: uuid::Uuid,
    pub channel: ChannelId,
    pub conversation: Option<ConversationId>,
    pub contact: ContactId,
    pub direction: Direction,
    pub status: MessageStatus,
    pub provider_message_id: Option<String>,
    pub content: MessageContent,
    pub reply_to_provider_id: Option<String>,
    pub forwarded: bool,
    pub referral: Option<Referral>,
    pub idempotency_key: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// Where it stands among the parts of a long text sent in parts.
    pub part: Part,
    pub sent_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A message's place among the parts of a long text sent as several messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part {
    /// The first part, on every later part.
    pub first: Option<MessageId>,
    /// From 1.
    pub number: i32,
    pub count: i32,
}

impl Part {
    /// A message sent whole: part 1 of 1.
    pub const WHOLE: Part = Part {
        first: None,
        number: 1,
        count: 1,
    };
}

/// One step of a status timeline.
#[derive(Clone, Debug)]
pub struct StatusRecord {
    pub status: MessageStatus,
    pub raw_status: String,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub occurred_at: DateTime<Utc>,
    /// The recipient stopped marketing messages, as the provider told with this step;
    /// applying the step opts the contact out of marketing. Not kept in the timeline.
    pub marketing_opt_out: bool,
}

/// A media file of a message.
#[derive(Clone, Debug)]
pub struct AttachmentRecord {
    pub id: AttachmentId,
    pub message: MessageId,
    pub position: i32,
    pub reference: String,
    pub content_type: Option<String>,
    pub filename: Option<String>,
    pub state: AttachmentState,
    pub size_bytes: Option<i64>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub storage_key: Option<String>,
    pub origin: AttachmentOrigin,
}

/// Where an attachment's file stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachmentState {
    /// Inbound media still to fetch (or being fetched, with retries).
    Pending,
    /// The file is stored (or, for media sent by link, out of our hands): it can be shown.
    Ready,
    /// Refused or given up on; `last_error` says why.
    Failed,
}

/// Where an attachment's file came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttachmentOrigin {
    /// Fetched from the provider: inbound media.
    Fetched,
    /// Sent by us from an upload; `reference` is the upload's id.
    Upload,
    /// Sent by us from a public URL the provider fetched; `reference` is the URL, and no copy
    /// is kept.
    Link,
}

impl AttachmentOrigin {
    /// The stored word for the origin.
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentOrigin::Fetched => "FETCHED",
            AttachmentOrigin::Upload => "UPLOAD",
            AttachmentOrigin::Link => "LINK",
        }
    }
}

impl std::str::FromStr for AttachmentOrigin {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "FETCHED" => AttachmentOrigin::Fetched,
            "UPLOAD" => AttachmentOrigin::Upload,
            "LINK" => AttachmentOrigin::Link,
            other => return Err(format!("unknown attachment origin {other}")),
        })
    }
}

/// Which messages a list holds.
#[derive(Clone, Debug, Default)]
pub struct MessageFilter {
    pub channel: Option<ChannelId>,
    pub contact: Option<ContactId>,
    pub conversation: Option<ConversationId>,
    pub direction: Option<Direction>,
    pub status: Option<MessageStatus>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub text: Option<String>,
    /// Only these messages (the change feed's page, read from the event log).
    pub only: Option<Vec<MessageId>>,
}

/// How a message page is ordered: history (newest first) or the change feed (oldest change
/// first, after a revision).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageOrder {
    Newest,
    /// Oldest first, as a conversation's timeline reads.
    Oldest,
    Changes,
}
