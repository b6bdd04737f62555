//! Inbound media: fetched from the provider after the webhook's commit, kept in a media
//! store, and served to the owning tenant or through short-lived signed links.

pub mod fetcher;
pub mod files;
pub mod link;
pub mod local;

use std::pin::Pin;

use async_trait::async_trait;
use bytes::Bytes;
use futures::Stream;

pub use fetcher::MediaFetcher;
pub use link::MediaLinks;
pub use local::LocalMediaStore;

#[derive(Debug, thiserror::Error)]
#[error("media store: {0}")]
pub struct MediaStoreError(pub String);

/// A body arriving in chunks, as a client uploads it.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// A file stored from a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub size_bytes: u64,
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
}

/// Why a streamed file was not stored; nothing is left behind in each case.
#[derive(Debug, thiserror::Error)]
pub enum PutStreamError {
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    #[error("the upload was interrupted: {0}")]
    Body(std::io::Error),
    #[error(transparent)]
    Store(#[from] MediaStoreError),
}

/// Where media bytes live. Keys are `<tenant>/<attachment>`.
#[async_trait]
pub trait MediaStore: Send + Sync {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), MediaStoreError>;
    /// Stores a stream without holding it in memory, refusing it past `max_bytes`.
    async fn put_stream(
        &self,
        key: &str,
        body: ByteStream,
        max_bytes: u64,
    ) -> Result<Written, PutStreamError>;
    async fn get(&self, key: &str) -> Result<Vec<u8>, MediaStoreError>;
    /// Removes a file; a key without one is already removed.
    async fn delete(&self, key: &str) -> Result<(), MediaStoreError>;
}
