use sea_orm::entity::prelude::*;

/// A status for a provider message id not recorded yet; applied when the message is.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pending_statuses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub channel_id: Uuid,
    pub provider_message_id: String,
    pub status: String,
    pub raw_status: String,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub occurred_at: DateTimeUtc,
    /// The status told that the recipient stopped marketing messages.
    pub marketing_opt_out: bool,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
