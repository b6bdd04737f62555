use sea_orm::entity::prelude::*;

/// One recipient of a campaign, with their variables and what became of them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_recipients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub position: i32,
    pub phone: String,
    /// A JSON object of template variables.
    pub variables: String,
    /// `PENDING`, `QUEUED` or `SKIPPED`.
    pub state: String,
    pub skip_reason: Option<String>,
    pub message_id: Option<Uuid>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
