use sea_orm::entity::prelude::*;

/// One call to the provider to send a message, as it went.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub message_id: Uuid,
    pub number: i32,
    pub started_at: DateTimeUtc,
    pub duration_ms: i64,
    /// What was asked, without secrets or message text.
    pub request: String,
    pub http_status: Option<i32>,
    /// `SENT`, `RETRY`, `FAILED`, `SKIPPED`, `TIMEOUT`; `IN_FLIGHT` while the call runs
    /// (`INTERRUPTED` if its worker died); reconciliation steps `RECONCILED`, `NOT_FOUND`,
    /// `AWAITING_STATUS`, `UNRECONCILED`, `RECONCILE_ERROR`.
    pub outcome: String,
    pub provider_code: Option<String>,
    pub provider_message: Option<String>,
    pub provider_message_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
