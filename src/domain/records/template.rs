//! A message template as stored.

use chrono::{DateTime, Utc};

use crate::domain::template::{ParameterFormat, TemplateCategory, TemplateStatus};
use crate::domain::{ChannelId, TemplateId};

/// A template as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub id: TemplateId,
    pub channel: ChannelId,
    pub name: String,
    pub language: String,
    pub category: Option<TemplateCategory>,
    pub status: TemplateStatus,
    pub rejection_reason: Option<String>,
    pub body: String,
    pub header_text: Option<String>,
    pub footer: Option<String>,
    pub quick_replies: Vec<String>,
    /// The body's placeholder keys, in order of first appearance.
    pub variables: Vec<String>,
    pub parameter_format: ParameterFormat,
    /// Twilio `HX…` content SID or Meta template id.
    pub provider_template_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the last `syncTemplates` saw it at the provider.
    pub synced_at: Option<DateTime<Utc>>,
}
