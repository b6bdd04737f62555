use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "queues")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// The name lower-cased; unique within the tenant.
    pub name_key: String,
    /// `MANUAL`, `ROUND_ROBIN` or `LEAST_BUSY`.
    pub assignment_mode: String,
    pub language: Option<String>,
    pub first_response_minutes: Option<i32>,
    /// Business hours as JSON; none means always open.
    pub hours: Option<String>,
    /// One per tenant.
    pub is_default: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
