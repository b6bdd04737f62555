//! What each member has read: marking a conversation read, its unread messages, and a
//! member's unread counts.

use std::collections::HashMap;

use crate::domain::records::ConversationRecord;
use crate::domain::{ConversationId, TenantId, UserId};
use crate::error::AppError;
use crate::services::auth::{Access, Agent};
use crate::services::conversations::ConversationService;
use crate::store::reads::UnreadCounts;

impl ConversationService {
    /// Marks the conversation read by `user`, up to now.
    pub async fn mark_read(
        &self,
        access: &Access<Agent>,
        user: UserId,
        id: ConversationId,
    ) -> Result<ConversationRecord, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        let visibility = super::visibility::of(&scope, access).await?;
        let conversation = super::visibility::conversation(&scope, &visibility, id).await?;
        scope.reads().mark(id, user, unit.now()).await?;
        unit.commit().await?;
        Ok(conversation)
    }

    /// Each conversation's customer messages `user` has not read (absent: none).
    pub async fn unread_in(
        &self,
        tenant: TenantId,
        user: UserId,
        conversations: &[ConversationId],
    ) -> Result<HashMap<ConversationId, u64>, AppError> {
        Ok(self
            .store
            .tenant(tenant)
            .reads()
            .unread_in(user, conversations)
            .await?)
    }

    /// `user`'s unread messages in the unresolved conversations assigned to them.
    pub async fn unread_counts(
        &self,
        access: &Access<Agent>,
        user: UserId,
    ) -> Result<UnreadCounts, AppError> {
        Ok(self
            .store
            .tenant(access.tenant())
            .reads()
            .counts_assigned(user)
            .await?)
    }
}
