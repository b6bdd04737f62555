//! The default media store: a folder under the data directory.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use futures::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::{ByteStream, MediaStore, MediaStoreError, PutStreamError, Written};

/// Files only this service's user may read: they are tenants' customers' media.
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;

fn io_error(e: std::io::Error) -> MediaStoreError {
    MediaStoreError(e.to_string())
}

pub struct LocalMediaStore {
    root: PathBuf,
}

impl LocalMediaStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The file of a key; keys are made of ids only, never of request input.
    fn path(&self, key: &str) -> Result<PathBuf, MediaStoreError> {
        let ok = !key.is_empty()
            && key.split('/').all(|part| {
                !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !ok {
            return Err(MediaStoreError(format!("invalid key {key:?}")));
        }
        Ok(self.root.join(Path::new(key)))
    }

    /// The key's file, with its folders made, and the file a write goes to first: beside
    /// it, renamed at the end, so a reader never sees half a file.
    async fn prepare(&self, key: &str) -> Result<(PathBuf, PathBuf), MediaStoreError> {
        let path = self.path(key)?;
        if let Some(parent) = path.parent() {
            let mut dirs = tokio::fs::DirBuilder::new();
            dirs.recursive(true);
            #[cfg(unix)]
            dirs.mode(DIR_MODE);
            dirs.create(parent).await.map_err(io_error)?;
        }
        let partial = path.with_extension("part");
        Ok((path, partial))
    }
}

async fn create_private(path: &Path) -> std::io::Result<tokio::fs::File> {
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    options.open(path).await
}

/// Copies the stream into `file`, hashing as it goes; refuses it past `max_bytes`.
async fn copy_hashed(
    file: &mut tokio::fs::File,
    mut body: ByteStream,
    max_bytes: u64,
) -> Result<Written, PutStreamError> {
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(PutStreamError::Body)?;
        size += chunk.len() as u64;
        if size > max_bytes {
            return Err(PutStreamError::TooLarge(max_bytes));
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(io_error)?;
    }
    file.flush().await.map_err(io_error)?;
    Ok(Written {
        size_bytes: size,
        sha256: hex::encode(hasher.finalize()),
    })
}

#[async_trait]
impl MediaStore for LocalMediaStore {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), MediaStoreError> {
        let (path, partial) = self.prepare(key).await?;
        let mut file = create_private(&partial).await.map_err(io_error)?;
        file.write_all(bytes).await.map_err(io_error)?;
        file.flush().await.map_err(io_error)?;
        drop(file);
        tokio::fs::rename(&partial, &path).await.map_err(io_error)
    }

    async fn put_stream(
        &self,
        key: &str,
        body: ByteStream,
        max_bytes: u64,
    ) -> Result<Written, PutStreamError> {
        let (path, partial) = self.prepare(key).await?;
        let mut file = create_private(&partial).await.map_err(io_error)?;
        let written = copy_hashed(&mut file, body, max_bytes).await;
        drop(file);
        match written {
            Ok(written) => {
                tokio::fs::rename(&partial, &path).await.map_err(io_error)?;
                Ok(written)
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(&partial).await;
                Err(e)
            }
        }
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, MediaStoreError> {
        tokio::fs::read(self.path(key)?)
            .await
            .map_err(|e| MediaStoreError(e.to_string()))
    }

    async fn delete(&self, key: &str) -> Result<(), MediaStoreError> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bytes_round_trip_and_odd_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalMediaStore::new(dir.path());
        store.put("t1/a1", b"hello").await.unwrap();
        assert_eq!(store.get("t1/a1").await.unwrap(), b"hello");
        store.delete("t1/a1").await.unwrap();
        assert!(store.get("t1/a1").await.is_err());
        store.delete("t1/a1").await.unwrap();
        for key in ["", "../etc/passwd", "t1//a", "t1/a.b", "/abs"] {
            assert!(store.put(key, b"x").await.is_err(), "{key}");
        }
    }

    fn chunks(parts: &[&'static [u8]]) -> ByteStream {
        let parts: Vec<Result<bytes::Bytes, std::io::Error>> = parts
            .iter()
            .map(|p| Ok(bytes::Bytes::from_static(p)))
            .collect();
        Box::pin(futures::stream::iter(parts))
    }

    #[tokio::test]
    async fn a_stream_is_stored_hashed_and_refused_past_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalMediaStore::new(dir.path());
        let written = store
            .put_stream("t1/a1", chunks(&[b"hel", b"lo"]), 5)
            .await
            .unwrap();
        assert_eq!(written.size_bytes, 5);
        assert_eq!(written.sha256, hex::encode(Sha256::digest(b"hello")));
        assert_eq!(store.get("t1/a1").await.unwrap(), b"hello");
        let refused = store
            .put_stream("t1/a2", chunks(&[b"hel", b"lo!"]), 5)
            .await;
        assert!(matches!(refused, Err(PutStreamError::TooLarge(5))));
        assert!(store.get("t1/a2").await.is_err());
        assert!(!dir.path().join("t1/a2.part").exists());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn files_and_folders_are_private_to_the_service() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = LocalMediaStore::new(dir.path());
        store.put("t1/a1", b"x").await.unwrap();
        store.put_stream("t1/a2", chunks(&[b"y"]), 5).await.unwrap();
        let mode = |p: &str| {
            std::fs::metadata(dir.path().join(p))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("t1"), 0o700);
        assert_eq!(mode("t1/a1"), 0o600);
        assert_eq!(mode("t1/a2"), 0o600);
    }
}
