//! A message's attachments: the state each file is in (stored as its word here and nowhere
//! else), recording new ones, and the outcome of each fetch.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::Messages;
use crate::domain::records::message::{AttachmentOrigin, AttachmentRecord, AttachmentState};
use crate::domain::{AttachmentId, MessageId};
use crate::store::entities::attachment;
use crate::store::StoreError;

/// How a fetch attempt ended.
pub enum FetchOutcome {
    Ready {
        content_type: String,
        size_bytes: i64,
        storage_key: String,
    },
    /// Try again at this time.
    Retry {
        error: String,
        at: DateTime<Utc>,
    },
    Failed {
        error: String,
    },
}

impl From<attachment::Model> for AttachmentRecord {
    fn from(row: attachment::Model) -> Self {
        Self {
            id: row.id.into(),
            message: row.message_id.into(),
            position: row.position,
            reference: row.reference,
            content_type: row.content_type,
            filename: row.filename,
            // A word this version does not know reads as still to come, never as ready.
            state: parse_attachment_state(&row.state).unwrap_or(AttachmentState::Pending),
            size_bytes: row.size_bytes,
            attempts: row.attempts,
            last_error: row.last_error,
            storage_key: row.storage_key,
            // Rows written before origins were recorded are all fetched.
            origin: row.origin.parse().unwrap_or(AttachmentOrigin::Fetched),
        }
    }
}

/// The stored word for an attachment's state.
pub(crate) fn attachment_state_str(state: AttachmentState) -> &'static str {
    match state {
        AttachmentState::Pending => "PENDING",
        AttachmentState::Ready => "READY",
        AttachmentState::Failed => "FAILED",
    }
}

/// An attachment's state from its stored word.
fn parse_attachment_state(word: &str) -> Option<AttachmentState> {
    Some(match word {
        "PENDING" => AttachmentState::Pending,
        "READY" => AttachmentState::Ready,
        "FAILED" => AttachmentState::Failed,
        _ => return None,
    })
}

/// An attachment to record with a new message.
pub struct NewAttachment {
    pub reference: String,
    pub content_type: Option<String>,
    pub filename: Option<String>,
    pub sha256: Option<String>,
    /// `PENDING`, or `FAILED` with a reason when inbound media is off for the channel;
    /// `READY` for media we sent.
    pub state: AttachmentState,
    pub last_error: Option<String>,
    pub origin: AttachmentOrigin,
    /// The file, already in the media store: its storage key and size.
    pub stored: Option<(String, i64)>,
}

impl<C: ConnectionTrait> Messages<'_, C> {
    pub async fn attachments(&self, id: MessageId) -> Result<Vec<AttachmentRecord>, StoreError> {
        Ok(attachment::Entity::find()
            .filter(attachment::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(attachment::Column::MessageId.eq(id.into_uuid()))
            .order_by_asc(attachment::Column::Position)
            .all(self.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub async fn attachment(&self, id: AttachmentId) -> Result<AttachmentRecord, StoreError> {
        Ok(attachment::Entity::find()
            .filter(attachment::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(attachment::Column::Id.eq(id.into_uuid()))
            .one(self.db)
            .await?
            .ok_or(StoreError::NotFound)?
            .into())
    }

    /// Records one fetch attempt's outcome; false when the attachment is gone (its contact
    /// was erased meanwhile).
    pub async fn finish_attachment(
        &self,
        id: AttachmentId,
        outcome: FetchOutcome,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut update = attachment::Entity::update_many()
            .col_expr(
                attachment::Column::Attempts,
                Expr::col(attachment::Column::Attempts).add(1),
            )
            .col_expr(attachment::Column::UpdatedAt, Expr::value(now))
            .filter(attachment::Column::TenantId.eq(self.tenant.into_uuid()))
            .filter(attachment::Column::Id.eq(id.into_uuid()));
        update = match outcome {
            FetchOutcome::Ready {
                content_type,
                size_bytes,
                storage_key,
            } => update
                .col_expr(
                    attachment::Column::State,
                    Expr::value(attachment_state_str(AttachmentState::Ready)),
                )
                .col_expr(
                    attachment::Column::ContentType,
                    Expr::value(Some(content_type)),
                )
                .col_expr(attachment::Column::SizeBytes, Expr::value(Some(size_bytes)))
                .col_expr(
                    attachment::Column::StorageKey,
                    Expr::value(Some(storage_key)),
                )
                .col_expr(
                    attachment::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    attachment::Column::NextAttemptAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                ),
            FetchOutcome::Retry { error, at } => update
                .col_expr(attachment::Column::LastError, Expr::value(Some(error)))
                .col_expr(attachment::Column::NextAttemptAt, Expr::value(Some(at))),
            FetchOutcome::Failed { error } => update
                .col_expr(
                    attachment::Column::State,
                    Expr::value(attachment_state_str(AttachmentState::Failed)),
                )
                .col_expr(attachment::Column::LastError, Expr::value(Some(error)))
                .col_expr(
                    attachment::Column::NextAttemptAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                ),
        };
        Ok(update.exec(self.db).await?.rows_affected == 1)
    }
}
