//! Erasing a contact on request: the contact and everything of it (conversations,
//! messages and their attempts, statuses and jobs, notes, read marks, labels, surveys,
//! campaign rows, attribute values) go in one unit of work, and its media files leave the
//! media store once that commits. The audit entry keeps counts, never the contact's data.
//!
//! A message a worker is handing to the provider at this moment cannot be called back:
//! the erasure is refused (CONFLICT) until that send ends. Messages still waiting in the
//! outbox are simply never sent.

use crate::domain::audit::AuditEvent;
use crate::domain::ContactId;
use crate::error::AppError;
use crate::services::auth::{Access, Admin};
use crate::services::media::files::MediaFiles;
use crate::store::Store;

/// What an erasure removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErasureReport {
    pub conversations: u64,
    pub messages: u64,
    pub files: u64,
}

#[derive(Clone)]
pub struct ErasureService {
    store: Store,
    files: MediaFiles,
}

impl ErasureService {
    pub fn new(store: Store, files: MediaFiles) -> Self {
        Self { store, files }
    }

    /// Erases the contact `id` with everything of it.
    pub async fn erase_contact(
        &self,
        access: &Access<Admin>,
        id: ContactId,
    ) -> Result<ErasureReport, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        scope.contacts().get(id).await?;
        let sending = scope.erasure().sending(id, unit.now()).await?;
        if sending > 0 {
            return Err(AppError::Conflict(format!(
                "{sending} of the contact's messages are being sent right now; erase it once they are sent or failed"
            )));
        }
        let erased = scope.erasure().erase_contact(id).await?;
        let report = ErasureReport {
            conversations: erased.count("conversations"),
            messages: erased.count("messages"),
            files: erased.files.len() as u64,
        };
        let event = AuditEvent::ContactErased {
            contact: id,
            conversations: report.conversations,
            messages: report.messages,
            files: report.files,
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        // After the commit: a file removed before it would be lost if the unit failed.
        self.files.remove(&erased.files).await;
        tracing::info!(
            tenant.id = %access.tenant(),
            contact.id = %id,
            messages = report.messages,
            files = report.files,
            "contact erased"
        );
        Ok(report)
    }
}
