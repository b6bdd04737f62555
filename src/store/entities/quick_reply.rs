use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quick_replies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub queue_id: Option<Uuid>,
    /// Empty for the tenant's own replies, the queue's id for a queue's.
    pub scope_key: String,
    pub shortcut: String,
    /// The shortcut lower-cased; unique within the tenant and scope.
    pub shortcut_key: String,
    pub text: String,
    /// `IMAGE`, `VIDEO`, `AUDIO`, `DOCUMENT` or `STICKER`, with `upload_id`.
    pub media_kind: Option<String>,
    pub upload_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
