//! An audit log entry and who acted.

use chrono::{DateTime, Utc};

use crate::domain::{ApiKeyId, AuditId, UserId};

/// Who acted: a user or an API key, and a label to show (an e-mail or a key's name).
#[derive(Clone, Debug)]
pub struct AuditActor {
    pub user: Option<UserId>,
    pub api_key: Option<ApiKeyId>,
    pub label: String,
}

/// An entry as the API shows it.
#[derive(Clone, Debug)]
pub struct AuditRecord {
    pub id: AuditId,
    pub actor: AuditActor,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub details: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}
