//! Pure value types and rules. Nothing here performs I/O or knows about the database,
//! HTTP, GraphQL or a provider's wire format.

pub mod assignment;
pub mod attempt;
pub mod audit;
pub mod automation;
pub mod business_hours;
pub mod business_profile;
pub mod campaign;
pub mod channel;
pub mod click_to_chat;
pub mod contact_attribute;
pub mod contact_file;
pub mod contact_profile;
pub mod content;
pub mod conversation;
pub mod csat;
pub mod email;
pub mod event_log;
pub mod free_text;
pub mod ids;
pub mod label;
pub mod language_tag;
pub mod markdown;
pub mod message_status;
pub mod note;
pub mod opt_out;
pub mod pace;
pub mod page;
pub mod password;
pub mod phone;
pub mod presence;
pub mod provider;
pub mod public_urls;
pub mod queue;
pub mod quick_reply;
pub mod records;
pub mod role;
pub mod routing;
pub mod stats;
pub mod template;
pub mod tenant_settings;
pub mod text_split;
pub mod visibility;
pub mod webhook;

pub use attempt::AttemptOutcome;
pub use channel::ChannelSettings;
pub use content::{MediaKind, MessageContent};
pub use conversation::ConversationStatus;
pub use email::{Email, EmailError};
pub use ids::EventId;
pub use ids::{
    ApiKeyId, AttachmentId, AuditId, CampaignId, ChannelId, ClickToChatLinkId, ContactAttributeId,
    ContactId, ConversationId, LabelId, MessageId, NoteId, QueueId, QuickReplyId, RefreshTokenId,
    RoutingRuleId, SessionId, TemplateId, TenantId, UploadId, UserId, WebhookEndpointId,
};
pub use message_status::{Direction, MessageStatus};
pub use page::{Page, PageRequest};
pub use password::{NewPassword, PasswordError, PasswordRule};
pub use phone::{PhoneError, PhoneNumber};
pub use provider::ProviderKind;
pub use public_urls::PublicUrls;
pub use role::Role;
pub use tenant_settings::{SettingsError, TenantSettings};
pub use visibility::Visibility;
