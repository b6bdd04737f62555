//! A contact as the API shows it.

use chrono::{DateTime, Utc};

use crate::domain::language_tag::LanguageTag;
use crate::domain::ContactId;

/// A contact as stored.
#[derive(Clone, Debug)]
pub struct ContactRecord {
    pub id: ContactId,
    pub wa_id: String,
    pub phone_number: String,
    pub profile_name: Option<String>,
    pub name: Option<String>,
    /// The language the business speaks with the contact in.
    pub language: Option<LanguageTag>,
    pub opted_out_at: Option<DateTime<Utc>>,
    /// When the contact gave its consent, as the business recorded it.
    pub opted_in_at: Option<DateTime<Utc>>,
    /// Where the consent was given (a web form, a signed paper, a CRM).
    pub opt_in_source: Option<String>,
    pub marketing_opted_out_at: Option<DateTime<Utc>>,
    pub last_inbound_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
