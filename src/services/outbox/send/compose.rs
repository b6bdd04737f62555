//! Building what a send stores: the content checked against the provider, an uploaded
//! file's attachment, the provider id of the message replied to, and a text over the
//! provider's limit cut into ordered parts.

use sea_orm::ConnectionTrait;

use super::checks::{check_upload, kind_of, validate};
use crate::domain::records::{AttachmentOrigin, AttachmentState, ChannelRecord, UploadRecord};
use crate::domain::text_split::split_text;
use crate::domain::{MediaKind, MessageContent, MessageId, Visibility};
use crate::error::AppError;
use crate::providers::capabilities::Capabilities;
use crate::store::messages::NewAttachment;
use crate::store::TenantScope;

/// Checks the content against the channel's provider and answers it with the attachment
/// it keeps (an uploaded document takes the upload's file name when it has none).
pub(super) async fn build<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    channel: &ChannelRecord,
    caps: &Capabilities,
    mut content: MessageContent,
) -> Result<(MessageContent, Vec<NewAttachment>), AppError> {
    let kind = kind_of(&content)
        .ok_or_else(|| AppError::bad_input("content", "this content cannot be sent"))?;
    if !caps.content_kinds.contains(&kind) {
        return Err(AppError::bad_input(
            "content",
            format!(
                "{} does not carry this content",
                channel.provider().as_str()
            ),
        ));
    }
    validate(&content, caps)?;
    let mut uploaded = None;
    if let MessageContent::Media {
        media_kind,
        upload: Some(upload),
        filename,
        ..
    } = &mut content
    {
        let upload = scope.uploads().get(*upload).await?;
        check_upload(&upload, *media_kind, caps, channel.provider().as_str())?;
        if filename.is_none() && *media_kind == MediaKind::Document {
            filename.clone_from(&upload.filename);
        }
        uploaded = Some(upload);
    }
    let attachments = sent_media(&content, uploaded);
    Ok((content, attachments))
}

/// The provider id of the message replied to.
pub(super) async fn reply_to<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    visibility: &Visibility,
    id: MessageId,
) -> Result<String, AppError> {
    crate::services::visibility::message(scope, visibility, id)
        .await
        .map_err(|_| AppError::bad_input("replyToMessageId", "no such message"))?
        .provider_message_id
        .ok_or_else(|| {
            AppError::bad_input("replyToMessageId", "that message has no provider id yet")
        })
}

/// Text over the provider's limit goes out as ordered parts, each waiting for the one
/// before it: the first part, and the parts after it.
pub(super) fn split(
    content: MessageContent,
    caps: &Capabilities,
) -> (MessageContent, Vec<MessageContent>) {
    match content {
        MessageContent::Text { body, preview_url }
            if body.chars().count() > caps.text_max_length as usize =>
        {
            let mut parts = split_text(&body, caps.text_max_length as usize).into_iter();
            let first = parts.next().unwrap_or_default();
            let rest: Vec<MessageContent> = parts
                .map(|body| MessageContent::Text {
                    body,
                    preview_url: false,
                })
                .collect();
            (
                MessageContent::Text {
                    body: first,
                    preview_url,
                },
                rest,
            )
        }
        other => (other, Vec::new()),
    }
}

/// What outbound media keeps of the file it sent, so the message shows it: the upload,
/// already stored, or the public link the provider fetched.
fn sent_media(content: &MessageContent, upload: Option<UploadRecord>) -> Vec<NewAttachment> {
    let MessageContent::Media { url, filename, .. } = content else {
        return Vec::new();
    };
    let attachment = match (upload, url) {
        (Some(upload), _) => NewAttachment {
            reference: upload.id.to_string(),
            content_type: Some(upload.content_type),
            filename: filename.clone().or(upload.filename),
            sha256: Some(upload.sha256),
            state: AttachmentState::Ready,
            last_error: None,
            origin: AttachmentOrigin::Upload,
            stored: Some((upload.storage_key, upload.size_bytes)),
        },
        (None, Some(url)) => NewAttachment {
            reference: url.clone(),
            content_type: None,
            filename: filename.clone(),
            sha256: None,
            state: AttachmentState::Ready,
            last_error: None,
            origin: AttachmentOrigin::Link,
            stored: None,
        },
        (None, None) => return Vec::new(),
    };
    vec![attachment]
}
