//! sea-orm entities: the rows as stored. Converted to domain values by the repositories.

pub mod agent_presence;
pub mod api_key;
pub mod attachment;
pub mod audit_log;
pub mod campaign;
pub mod campaign_recipient;
pub mod channel;
pub mod channel_key;
pub mod contact;
pub mod conversation;
pub mod delivery_attempt;
pub mod membership;
pub mod message;
pub mod message_status;
pub mod outbox_job;
pub mod pending_status;
pub mod presence_lease;
pub mod queue;
pub mod queue_member;
pub mod refresh_token;
pub mod routing_rule;
pub mod session;
pub mod template;
pub mod tenant;
pub mod upload;
pub mod user;
