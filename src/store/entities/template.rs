use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub channel_id: Uuid,
    pub name: String,
    pub language: String,
    /// `MARKETING`, `UTILITY` or `AUTHENTICATION`, when known.
    pub category: Option<String>,
    /// `domain::template::TemplateStatus` as text.
    pub status: String,
    pub rejection_reason: Option<String>,
    pub body: String,
    pub header_text: Option<String>,
    pub footer: Option<String>,
    /// JSON list of quick-reply titles.
    pub quick_replies: String,
    /// JSON list of the body's placeholder keys, in order.
    pub variables: String,
    /// `POSITIONAL` or `NAMED`.
    pub parameter_format: String,
    /// Twilio `HX…` content SID or Meta template id.
    pub provider_template_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub synced_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
