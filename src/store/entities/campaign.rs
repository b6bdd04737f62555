use sea_orm::entity::prelude::*;

/// A bulk send of one template to many recipients.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub channel_id: Uuid,
    pub template_id: Uuid,
    pub name: String,
    /// `DRAFT`, `SCHEDULED`, `RUNNING`, `PAUSED`, `COMPLETED` or `CANCELLED`.
    pub state: String,
    pub state_reason: Option<String>,
    pub start_at: Option<DateTimeUtc>,
    pub recipient_count: i32,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
