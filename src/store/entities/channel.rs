use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "channels")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// `TWILIO` or `META`.
    pub provider: String,
    /// The sender, E.164.
    pub phone_number: String,
    /// Non-secret provider identifiers as JSON (account SID, phone number id, …).
    pub provider_config: String,
    /// Twilio auth token or Meta access token, sealed (`crypto::seal`).
    pub sealed_token: String,
    /// Twilio API key secret or Meta app secret, sealed.
    pub sealed_secret: Option<String>,
    pub credential_hint: String,
    pub webhook_key: String,
    pub verify_token: Option<String>,
    /// `domain::ChannelSettings` as JSON.
    pub settings: String,
    pub verified_at: Option<DateTimeUtc>,
    pub verified_name: Option<String>,
    pub verified_number: Option<String>,
    pub quality_rating: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
