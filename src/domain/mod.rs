//! Pure value types and rules. Nothing here performs I/O or knows about the database,
//! HTTP, GraphQL or a provider's wire format.

pub mod channel;
pub mod email;
pub mod ids;
pub mod password;
pub mod phone;
pub mod role;
pub mod tenant_settings;

pub use channel::ChannelSettings;
pub use email::{Email, EmailError};
pub use ids::{ApiKeyId, AuditId, ChannelId, SessionId, TenantId, UserId};
pub use password::{NewPassword, PasswordError};
pub use phone::{PhoneError, PhoneNumber};
pub use role::Role;
pub use tenant_settings::{SettingsError, TenantSettings};
