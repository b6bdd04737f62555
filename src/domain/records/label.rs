//! A label as stored.

use chrono::{DateTime, Utc};

use crate::domain::LabelId;

#[derive(Clone, Debug)]
pub struct LabelRecord {
    pub id: LabelId,
    pub name: String,
    /// `#rrggbb`, lower case.
    pub color: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
