//! One conversation's history written out, oldest message first: a CSV of one row per
//! message, or a JSON document with the conversation, its contact and every message's
//! content in full.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;

use super::write::WriteError;
use super::FileFormat;
use crate::domain::records::{ContactRecord, ConversationRecord, MessageRecord};

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The conversation's messages (oldest first) as a document.
pub fn write_history(
    conversation: &ConversationRecord,
    contact: &ContactRecord,
    messages: &[MessageRecord],
    format: FileFormat,
) -> Result<String, WriteError> {
    match format {
        FileFormat::Csv => write_csv(messages),
        FileFormat::Json => Ok(json!({
            "conversation": {
                "id": conversation.id.to_string(),
                "channelId": conversation.channel.to_string(),
                "status": conversation.status.as_str(),
                "openedAt": time(conversation.opened_at),
                "resolvedAt": conversation.resolved_at.map(time),
                "contact": {
                    "id": contact.id.to_string(),
                    "phoneNumber": contact.phone_number,
                    "name": contact.name,
                    "profileName": contact.profile_name,
                },
            },
            "messages": messages.iter().map(|m| json!({
                "id": m.id.to_string(),
                "createdAt": time(m.created_at),
                "direction": m.direction.as_str(),
                "status": m.status.as_str(),
                "kind": m.content.kind(),
                "text": m.content.text(),
                "content": m.content,
                "providerMessageId": m.provider_message_id,
                "errorCode": m.error_code,
                "errorMessage": m.error_message,
            })).collect::<Vec<_>>(),
        })
        .to_string()),
    }
}

fn write_csv(messages: &[MessageRecord]) -> Result<String, WriteError> {
    let fail = |e: csv::Error| WriteError::new(e);
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "id",
        "created_at",
        "direction",
        "status",
        "kind",
        "text",
        "provider_message_id",
        "error_code",
        "error_message",
    ])
    .map_err(fail)?;
    for m in messages {
        out.write_record([
            m.id.to_string(),
            time(m.created_at),
            m.direction.as_str().to_owned(),
            m.status.as_str().to_owned(),
            m.content.kind().to_owned(),
            m.content
                .text()
                .map(super::write::inert)
                .unwrap_or_default(),
            m.provider_message_id.clone().unwrap_or_default(),
            m.error_code.clone().unwrap_or_default(),
            m.error_message.clone().unwrap_or_default(),
        ])
        .map_err(fail)?;
    }
    let bytes = out.into_inner().map_err(WriteError::new)?;
    String::from_utf8(bytes).map_err(WriteError::new)
}
