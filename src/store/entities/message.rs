use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Renewed at every change; orders the change feed.
    pub revision: Uuid,
    pub channel_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub contact_id: Uuid,
    /// `INBOUND` or `OUTBOUND`.
    pub direction: String,
    /// `RECEIVED`, `QUEUED`, `SENT`, `DELIVERED`, `READ` or `FAILED`.
    pub status: String,
    pub provider_message_id: Option<String>,
    /// The content's kind (`TEXT`, `IMAGE`, …, `UNSUPPORTED`).
    pub kind: String,
    /// The content as JSON.
    pub content: String,
    /// The text or caption, for search and display.
    pub text: Option<String>,
    pub reply_to_provider_id: Option<String>,
    /// Forwarded by the customer (WhatsApp marks it so).
    pub forwarded: bool,
    /// `domain::content::Referral` as JSON: the ad or post the customer came from.
    pub referral: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// When the provider says it was sent (inbound) or when it was created (outbound).
    pub sent_at: DateTimeUtc,
    /// The caller's key: a repeated send with it returns this message.
    pub idempotency_key: Option<String>,
    /// The first part of the long text this message is a later part of.
    pub split_of: Option<Uuid>,
    /// This part's place among the text's parts, from 1; 1 of 1 when sent whole.
    pub part_number: i32,
    pub part_count: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
