//! sea-orm entities: the rows as stored. Converted to domain values by the repositories.

pub mod api_key;
pub mod audit_log;
pub mod channel;
pub mod channel_key;
pub mod membership;
pub mod refresh_token;
pub mod session;
pub mod tenant;
pub mod user;
