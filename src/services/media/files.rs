//! The files the API serves and takes: inbound attachments and uploads, by a signed link or
//! for the owning tenant, and uploads streamed to the media store for sending.

use std::sync::Arc;

use uuid::Uuid;

use super::{ByteStream, MediaLinks, MediaStore, MediaStoreError, PutStreamError};
use crate::domain::records::{AttachmentState, UploadRecord};
use crate::domain::{AttachmentId, ProviderKind, TenantId, UploadId, Visibility};
use crate::error::AppError;
use crate::providers::capabilities::capabilities;
use crate::services::auth::{Access, Agent};
use crate::store::{Store, StoreError};

/// A stored file, as `GET /media/{id}` serves it.
pub struct StoredFile {
    key: String,
    pub content_type: Option<String>,
    pub filename: Option<String>,
}

/// Why an upload was not stored; nothing is left behind in each case.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    #[error("the file is empty")]
    Empty,
    #[error("the upload was interrupted")]
    Interrupted,
    #[error("the file could not be stored")]
    Unavailable,
}

#[derive(Clone)]
pub struct MediaFiles {
    store: Store,
    media: Arc<dyn MediaStore>,
    links: MediaLinks,
    max_bytes: u64,
}

impl MediaFiles {
    pub fn new(
        store: Store,
        media: Arc<dyn MediaStore>,
        links: MediaLinks,
        max_bytes: u64,
    ) -> Self {
        Self {
            store,
            media,
            links,
            max_bytes,
        }
    }

    /// The largest file taken or fetched (`SWITCHBOARD_MEDIA_MAX_BYTES`).
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The tenant a signed link for `id` was made for, when its signature holds and it has
    /// not expired.
    pub fn linked_tenant(
        &self,
        id: Uuid,
        tenant: &str,
        expires: &str,
        signature: &str,
    ) -> Option<TenantId> {
        let (Ok(tenant), Ok(expires)) = (tenant.parse::<TenantId>(), expires.parse::<i64>()) else {
            return None;
        };
        self.links
            .check(
                tenant,
                id,
                expires,
                signature,
                chrono::Utc::now().timestamp(),
            )
            .then_some(tenant)
    }

    /// An inbound attachment that is ready, of a message `visibility` sees, or an upload, of
    /// the tenant.
    pub async fn stored(
        &self,
        tenant: TenantId,
        visibility: &Visibility,
        id: Uuid,
    ) -> Result<Option<StoredFile>, AppError> {
        let scope = self.store.tenant(tenant);
        match scope.messages().attachment(AttachmentId::from(id)).await {
            Ok(a) => {
                match crate::services::visibility::message(&scope, visibility, a.message).await {
                    Ok(_) => {}
                    Err(AppError::NotFound) => return Ok(None),
                    Err(e) => return Err(e),
                }
                return Ok(a
                    .storage_key
                    .filter(|_| a.state == AttachmentState::Ready)
                    .map(|key| StoredFile {
                        key,
                        content_type: a.content_type,
                        filename: a.filename,
                    }));
            }
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        match scope.uploads().get(UploadId::from(id)).await {
            Ok(u) => Ok(Some(StoredFile {
                key: u.storage_key,
                content_type: Some(u.content_type),
                filename: u.filename,
            })),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The bytes of a stored file.
    pub async fn read(&self, file: &StoredFile) -> Result<Vec<u8>, MediaStoreError> {
        self.media.get(&file.key).await
    }

    /// Removes files no row refers to any more. A file that cannot be removed is logged by
    /// its key (ids only) and left for the operator.
    pub async fn remove(&self, keys: &[String]) {
        for key in keys {
            if let Err(e) = self.media.delete(key).await {
                tracing::error!(error = %e, media.key = %key, "a media file could not be removed");
            }
        }
    }

    /// Whether some provider can send a file of this type.
    pub fn sendable(content_type: &str) -> bool {
        [ProviderKind::Twilio, ProviderKind::Meta]
            .into_iter()
            .flat_map(|p| capabilities(p).media)
            .any(|limit| limit.mime_types.contains(&content_type))
    }

    /// Streams an upload to the media store, hashed on the way, and records it for sending.
    pub async fn upload(
        &self,
        access: &Access<Agent>,
        content_type: String,
        filename: Option<String>,
        body: ByteStream,
    ) -> Result<UploadRecord, UploadError> {
        let tenant = access.tenant();
        let id = UploadId::new();
        let key = format!("{tenant}/{id}");
        let written = match self.media.put_stream(&key, body, self.max_bytes).await {
            Ok(written) => written,
            Err(PutStreamError::TooLarge(max)) => return Err(UploadError::TooLarge(max)),
            Err(PutStreamError::Body(_)) => return Err(UploadError::Interrupted),
            Err(PutStreamError::Store(e)) => {
                tracing::error!(error = %e, "media store write failed");
                return Err(UploadError::Unavailable);
            }
        };
        if written.size_bytes == 0 {
            return Err(UploadError::Empty);
        }
        let record = UploadRecord {
            id,
            content_type,
            filename,
            size_bytes: i64::try_from(written.size_bytes).unwrap_or(i64::MAX),
            sha256: written.sha256,
            storage_key: key,
            created_at: chrono::Utc::now(),
        };
        let actor = &access.actor().label;
        self.store
            .tenant(tenant)
            .uploads()
            .insert(&record, actor)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "recording an upload failed");
                UploadError::Unavailable
            })
    }
}
