use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub message_id: Uuid,
    pub position: i32,
    /// The provider's media reference (Twilio URL, Meta media id); for media we sent, the
    /// upload's id or the public URL.
    pub reference: String,
    pub content_type: Option<String>,
    pub filename: Option<String>,
    pub sha256: Option<String>,
    /// `PENDING`, `READY` or `FAILED`.
    pub state: String,
    /// `FETCHED` from the provider, or sent by us from an `UPLOAD` or a public `LINK`.
    pub origin: String,
    pub size_bytes: Option<i64>,
    pub storage_key: Option<String>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
