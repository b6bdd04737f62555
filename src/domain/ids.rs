//! Identifier newtypes. Ids are UUIDv7, so they sort by creation time and serve as keyset
//! cursors without a second column.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),+ $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// The underlying UUID, for storage adapters.
            pub fn into_uuid(self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }

        impl From<$name> for Uuid {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )+};
}

id_type!(
    /// A tenant (an organisation sharing the deployment).
    TenantId,
    /// A person who signs in.
    UserId,
    /// A login session: one family of rotating refresh tokens.
    SessionId,
    /// One refresh token of a session's family.
    RefreshTokenId,
    /// An API key of a tenant.
    ApiKeyId,
    /// An audit log entry.
    AuditId,
    /// A WhatsApp number connected through a provider.
    ChannelId,
    /// A customer on WhatsApp, as one tenant knows them.
    ContactId,
    /// A thread between a contact and a channel.
    ConversationId,
    /// A message, inbound or outbound.
    MessageId,
    /// A media file of a message.
    AttachmentId,
    /// A media file a tenant uploaded to send.
    UploadId,
    /// A bulk send of a template.
    CampaignId,
    /// A message template of a channel.
    TemplateId,
    /// The send of one outbound message, queued in the outbox.
    JobId,
    /// A queue of conversations that agents work.
    QueueId,
    /// A tenant's rule that routes new conversations to a queue.
    RoutingRuleId,
    /// A tenant's label for conversations.
    LabelId,
    /// A tenant's typed field kept for each contact.
    ContactAttributeId,
    /// A saved reply agents insert by its shortcut.
    QuickReplyId,
    /// An internal note on a conversation, never sent to the customer.
    NoteId,
    /// A tenant's receiver of outgoing webhooks.
    WebhookEndpointId,
    /// One event of a tenant, as its outgoing webhooks carry it.
    EventId,
    /// A stored click-to-chat link of a channel, with its referral tag.
    ClickToChatLinkId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_creation_order() {
        let first = TenantId::new();
        let second = TenantId::new();
        assert!(first < second);
    }

    #[test]
    fn ids_round_trip_through_text() {
        let id = UserId::new();
        assert_eq!(id.to_string().parse::<UserId>().unwrap(), id);
    }
}
