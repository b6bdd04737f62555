//! The background media fetcher: claims due attachments (across instances, by a lease),
//! downloads them through the channel's adapter, checks size and type, stores them, and
//! retries what failed for a reason worth retrying.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::Notify;

use super::MediaStore;
use crate::domain::records::PendingAttachment;
use crate::providers::{MediaRef, ProviderError};
use crate::services::channels::ChannelService;
use crate::store::messages::FetchOutcome;
use crate::store::Store;

/// Attempts before an attachment is given up as failed.
pub const MAX_ATTEMPTS: i32 = 5;
/// How long a claim keeps other workers off an attachment.
const LEASE: Duration = Duration::from_secs(120);
/// How often due work is looked for without a wake-up.
const POLL: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct MediaFetcher {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    channels: ChannelService,
    media: Arc<dyn MediaStore>,
    max_bytes: u64,
    wake: Notify,
}

impl MediaFetcher {
    pub fn new(
        store: Store,
        channels: ChannelService,
        media: Arc<dyn MediaStore>,
        max_bytes: u64,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                channels,
                media,
                max_bytes,
                wake: Notify::new(),
            }),
        }
    }

    /// Asks the worker to look for due work now (after a webhook committed attachments).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Runs until the task is dropped.
    pub async fn run(self) {
        loop {
            if let Err(e) = self.fetch_due().await {
                tracing::error!(error = %e, "media fetch round failed");
            }
            let _ = tokio::time::timeout(POLL, self.inner.wake.notified()).await;
        }
    }

    /// Fetches every attachment due now; answers how many were attempted.
    pub async fn fetch_due(&self) -> anyhow::Result<usize> {
        let system = self.inner.store.system();
        let mut attempted = 0;
        loop {
            let now = Utc::now();
            let due = system.due_attachments(now, 16).await?;
            if due.is_empty() {
                return Ok(attempted);
            }
            for row in due {
                let lease = now + chrono::Duration::from_std(LEASE)?;
                if !system.lease_attachment(&row, lease).await? {
                    continue;
                }
                attempted += 1;
                let outcome = self.fetch_one(&row).await;
                let written = match &outcome {
                    FetchOutcome::Ready { storage_key, .. } => Some(storage_key.clone()),
                    _ => None,
                };
                let kept = self
                    .inner
                    .store
                    .tenant(row.tenant)
                    .messages()
                    .finish_attachment(row.id, outcome, Utc::now())
                    .await?;
                // Its contact was erased while the file was fetched: nothing refers to it.
                if let (false, Some(key)) = (kept, written) {
                    if let Err(e) = self.inner.media.delete(&key).await {
                        tracing::error!(error = %e, media.key = %key, "an orphaned media file could not be removed");
                    }
                }
            }
        }
    }

    async fn fetch_one(&self, row: &PendingAttachment) -> FetchOutcome {
        let tenant = row.tenant;
        let scope = self.inner.store.tenant(tenant);
        let channel = match scope.messages().get(row.message).await {
            Ok(message) => scope.channels().get(message.channel).await,
            Err(e) => Err(e),
        };
        let channel = match channel {
            Ok(c) => c,
            Err(e @ crate::store::StoreError::NotFound) => {
                return FetchOutcome::Failed {
                    error: format!("message or channel gone: {e}"),
                }
            }
            Err(e) => return retry_or_fail(row.attempts, format!("storage: {e}")),
        };
        let provider = match self.inner.channels.provider(&channel) {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(channel.id = %channel.id, error = %e, "cannot open credentials for a media fetch");
                return retry_or_fail(
                    row.attempts,
                    "the channel's credentials could not be opened".into(),
                );
            }
        };
        let reference = MediaRef {
            reference: row.reference.clone(),
            content_type: row.content_type.clone(),
            filename: row.filename.clone(),
            sha256: row.sha256.clone(),
        };
        let fetched = match provider.fetch_media(&reference, self.inner.max_bytes).await {
            Ok(f) => f,
            Err(ProviderError::MediaRefused(reason)) => {
                return FetchOutcome::Failed { error: reason }
            }
            Err(e) if e.is_retryable() => return retry_or_fail(row.attempts, e.to_string()),
            Err(e) => {
                return FetchOutcome::Failed {
                    error: e.to_string(),
                }
            }
        };
        let content_type = fetched
            .content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if !channel.settings.allowed_media_types.contains(&content_type) {
            return FetchOutcome::Failed {
                error: format!("media type {content_type} is not allowed on this channel"),
            };
        }
        let key = format!("{}/{}", row.tenant, row.id);
        if let Err(e) = self.inner.media.put(&key, &fetched.bytes).await {
            tracing::error!(error = %e, "media store write failed");
            return retry_or_fail(
                row.attempts,
                "the media store could not write the file".into(),
            );
        }
        tracing::info!(tenant.id = %tenant, attachment.id = %row.id, bytes = fetched.bytes.len(), "media stored");
        FetchOutcome::Ready {
            content_type,
            size_bytes: fetched.bytes.len() as i64,
            storage_key: key,
        }
    }
}

/// Backs off 2, 4, 8, 16 s between attempts, then gives up.
fn retry_or_fail(attempts_before: i32, error: String) -> FetchOutcome {
    let attempt = attempts_before + 1;
    if attempt >= MAX_ATTEMPTS {
        FetchOutcome::Failed { error }
    } else {
        let wait = chrono::Duration::seconds(1 << attempt.clamp(1, 10));
        FetchOutcome::Retry {
            error,
            at: Utc::now() + wait,
        }
    }
}
