use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The WhatsApp id: the number's digits without `+`.
    pub wa_id: String,
    pub phone_number: String,
    /// The name the customer set in WhatsApp, kept current from inbound messages.
    pub profile_name: Option<String>,
    /// A name the business gave the contact.
    pub name: Option<String>,
    /// A language tag such as `es` or `pt-BR`.
    pub language: Option<String>,
    pub opted_out_at: Option<DateTimeUtc>,
    /// When the contact gave its consent, as the business recorded it (an import).
    pub opted_in_at: Option<DateTimeUtc>,
    /// Where the consent was given: a web form, a signed paper, a CRM.
    pub opt_in_source: Option<String>,
    pub marketing_opted_out_at: Option<DateTimeUtc>,
    pub last_inbound_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
