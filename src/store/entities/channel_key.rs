use sea_orm::entity::prelude::*;

/// A deployment-wide key owned by one channel: `webhook:<key>`, `number:<E.164>` or
/// `meta_phone:<phone number id>`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "channel_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub tenant_id: Uuid,
    pub channel_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
