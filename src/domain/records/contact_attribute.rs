//! A contact attribute's definition as stored, and one contact's value of it.

use chrono::{DateTime, Utc};

use crate::domain::contact_attribute::AttributeKind;
use crate::domain::ContactAttributeId;

#[derive(Clone, Debug)]
pub struct ContactAttributeRecord {
    pub id: ContactAttributeId,
    pub key: String,
    pub name: String,
    pub kind: AttributeKind,
    /// A CHOICE's choices in order; empty for the other kinds.
    pub choices: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A contact's value of an attribute, in its canonical text form.
#[derive(Clone, Debug)]
pub struct AttributeValueRecord {
    pub attribute: ContactAttributeRecord,
    pub value: String,
    pub updated_at: DateTime<Utc>,
}
