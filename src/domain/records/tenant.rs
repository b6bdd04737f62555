//! A tenant as the API shows it.

use chrono::{DateTime, Utc};

use crate::domain::{TenantId, TenantSettings};

/// A tenant as the API shows it.
#[derive(Clone, Debug)]
pub struct TenantRecord {
    pub id: TenantId,
    pub name: String,
    pub settings: TenantSettings,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
