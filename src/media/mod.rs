//! Inbound media: fetched from the provider after the webhook's commit, kept in a media
//! store, and served to the owning tenant or through short-lived signed links.

pub mod fetcher;
pub mod link;
pub mod local;

use async_trait::async_trait;

pub use fetcher::MediaFetcher;
pub use link::MediaLinks;
pub use local::LocalMediaStore;

#[derive(Debug, thiserror::Error)]
#[error("media store: {0}")]
pub struct MediaStoreError(pub String);

/// Where media bytes live. Keys are `<tenant>/<attachment>`.
#[async_trait]
pub trait MediaStore: Send + Sync {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), MediaStoreError>;
    async fn get(&self, key: &str) -> Result<Vec<u8>, MediaStoreError>;
}
