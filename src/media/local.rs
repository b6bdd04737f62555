//! The default media store: a folder under the data directory.

use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::{MediaStore, MediaStoreError};

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
}

#[async_trait]
impl MediaStore for LocalMediaStore {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), MediaStoreError> {
        let path = self.path(key)?;
        let err = |e: std::io::Error| MediaStoreError(e.to_string());
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(err)?;
        }
        // Write beside, then rename: a reader never sees half a file.
        let partial = path.with_extension("part");
        tokio::fs::write(&partial, bytes).await.map_err(err)?;
        tokio::fs::rename(&partial, &path).await.map_err(err)
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, MediaStoreError> {
        tokio::fs::read(self.path(key)?)
            .await
            .map_err(|e| MediaStoreError(e.to_string()))
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
        for key in ["", "../etc/passwd", "t1//a", "t1/a.b", "/abs"] {
            assert!(store.put(key, b"x").await.is_err(), "{key}");
        }
    }
}
