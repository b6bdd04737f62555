use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub channel_id: Uuid,
    pub contact_id: Uuid,
    /// `OPEN`, `ASSIGNED`, `PENDING` or `RESOLVED`.
    pub status: String,
    pub queue_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub last_inbound_at: Option<DateTimeUtc>,
    /// 24 hours after the customer's last inbound message.
    pub window_expires_at: Option<DateTimeUtc>,
    pub last_message_at: DateTimeUtc,
    pub opened_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub snoozed_until: Option<DateTimeUtc>,
    pub waiting_since: Option<DateTimeUtc>,
    pub routed_rule_id: Option<Uuid>,
    pub routed_queue_id: Option<Uuid>,
    pub routed_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
