//! Media a tenant uploaded to send: what the file is and where it is stored.

use chrono::{DateTime, Utc};

use crate::domain::UploadId;

/// An uploaded file as stored.
#[derive(Clone, Debug)]
pub struct UploadRecord {
    pub id: UploadId,
    pub content_type: String,
    pub filename: Option<String>,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub created_at: DateTime<Utc>,
}
