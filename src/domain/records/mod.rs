//! The values the store answers with: records of what is stored, filters and orders of
//! lists. Plain data, so every layer above the store can name them; the conversions from
//! rows stay in the store.

pub mod account;
pub mod api_key;
pub mod attempt;
pub mod audit;
pub mod campaign;
pub mod channel;
pub mod click_to_chat;
pub mod contact;
pub mod contact_attribute;
pub mod conversation;
pub mod job;
pub mod label;
pub mod member;
pub mod message;
pub mod note;
pub mod pending_attachment;
pub mod presence;
pub mod queue;
pub mod quick_reply;
pub mod routing;
pub mod session;
pub mod template;
pub mod tenant;
pub mod upload;
pub mod webhook;

pub use account::{MembershipRecord, UserAccount};
pub use api_key::{ApiKeyCredential, ApiKeyRecord};
pub use attempt::AttemptRecord;
pub use audit::{AuditActor, AuditRecord};
pub use campaign::{CampaignCounts, CampaignRecord, RecipientRecord};
pub use channel::{ChannelRecord, ProviderConfig, Verification};
pub use click_to_chat::{ClickToChatLinkRecord, ConversationReferralRecord};
pub use contact::ContactRecord;
pub use contact_attribute::{AttributeValueRecord, ContactAttributeRecord};
pub use conversation::{ConversationChangeRecord, ConversationFilter, ConversationRecord};
pub use job::{JobRecord, JobState};
pub use label::LabelRecord;
pub use member::MemberRecord;
pub use message::{
    AttachmentOrigin, AttachmentRecord, AttachmentState, MessageFilter, MessageOrder,
    MessageRecord, Part, StatusRecord,
};
pub use note::NoteRecord;
pub use pending_attachment::PendingAttachment;
pub use presence::PresenceRecord;
pub use queue::{QueueMember, QueueRecord};
pub use quick_reply::{QuickReplyRecord, ReplyMedia};
pub use routing::{RoutingRecord, RoutingRuleRecord};
pub use session::{RefreshRecord, SessionRecord};
pub use template::Template;
pub use tenant::TenantRecord;
pub use upload::UploadRecord;
pub use webhook::{
    AttemptOutcome, DeliveryFilter, DeliveryRecord, EndpointRecord, Occurrence,
    WebhookAttemptRecord, WebhookSubscription,
};
