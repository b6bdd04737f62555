//! What the audit log records: one variant per action, each with the details it keeps.
//!
//! The action names and the details' keys are part of the API (`auditLog` shows them), so
//! they are spelled here once. Details never hold a secret.

use serde_json::{json, Value};

use crate::domain::{
    ApiKeyId, CampaignId, ChannelId, ClickToChatLinkId, ContactAttributeId, ContactId, LabelId,
    ProviderKind, QueueId, QuickReplyId, Role, TemplateId, TenantId, TenantSettings, UserId,
    WebhookEndpointId,
};

/// One audited change.
#[derive(Clone, Debug)]
pub enum AuditEvent<'a> {
    TenantCreated {
        tenant: TenantId,
        name: &'a str,
    },
    SettingsUpdated {
        tenant: TenantId,
        name: &'a str,
        settings: &'a TenantSettings,
    },
    UserCreated {
        user: UserId,
        email: &'a str,
        role: Role,
    },
    UserUpdated {
        user: UserId,
        role: Option<Role>,
        name_changed: bool,
        password_changed: bool,
    },
    UserDeactivated {
        user: UserId,
    },
    PasswordChanged {
        user: UserId,
    },
    ApiKeyCreated {
        key: ApiKeyId,
        name: &'a str,
        prefix: &'a str,
        role: Role,
    },
    ApiKeyRevoked {
        key: ApiKeyId,
    },
    ChannelCreated {
        channel: ChannelId,
        name: &'a str,
        provider: ProviderKind,
        /// The number with its middle digits hidden.
        masked_number: String,
    },
    ChannelUpdated {
        channel: ChannelId,
        name: &'a str,
        credentials_changed: bool,
    },
    ChannelVerified {
        channel: ChannelId,
        outcome: Verified<'a>,
    },
    ChannelDeleted {
        channel: ChannelId,
    },
    /// The channel's WhatsApp business profile was changed at the provider.
    BusinessProfileUpdated {
        channel: ChannelId,
        /// The fields changed (`about`, `websites`, `photo`, …).
        fields: Vec<&'static str>,
    },
    Template {
        template: TemplateId,
        change: TemplateChange,
        name: &'a str,
        language: &'a str,
    },
    CampaignCreated {
        campaign: CampaignId,
        name: &'a str,
        recipients: i32,
    },
    Campaign {
        campaign: CampaignId,
        change: CampaignChange,
    },
    Queue {
        queue: QueueId,
        change: QueueChange,
        name: &'a str,
    },
    Label {
        label: LabelId,
        change: LabelChange,
        name: &'a str,
    },
    ContactAttribute {
        attribute: ContactAttributeId,
        change: AttributeChange,
        key: &'a str,
    },
    QuickReply {
        reply: QuickReplyId,
        change: QuickReplyChange,
        queue: Option<QueueId>,
        shortcut: &'a str,
    },
    /// An outgoing webhook endpoint changed; `host` is its URL's host (never its path or
    /// query, which may carry a receiver's token).
    Webhook {
        endpoint: WebhookEndpointId,
        change: WebhookChange,
        host: &'a str,
    },
    ClickToChatLink {
        link: ClickToChatLinkId,
        channel: ChannelId,
        created: bool,
        tag: &'a str,
    },
    /// A contact's name, language or attributes changed: `fields` names them (`name`,
    /// `language`, `attributes.<key>`), never their values.
    ContactUpdated {
        contact: ContactId,
        fields: Vec<String>,
    },
    /// Contacts were imported from a file (`import` names the run): how many lines did
    /// what, never the contacts themselves.
    ContactsImported {
        import: uuid::Uuid,
        created: u64,
        updated: u64,
        unchanged: u64,
        refused: u64,
    },
    /// A contact was erased with everything of it; only counts are kept, never its data.
    ContactErased {
        contact: ContactId,
        conversations: u64,
        messages: u64,
        files: u64,
    },
    /// A contact opted out or back in; `keyword` when the customer wrote it on a channel.
    Consent {
        contact: ContactId,
        opted_in: bool,
        keyword: Option<(&'a str, ChannelId)>,
    },
}

/// How a channel's verification ended.
#[derive(Clone, Copy, Debug)]
pub enum Verified<'a> {
    Yes,
    /// The provider accepted the credentials, but another channel holds the number.
    NumberClaimedElsewhere,
    /// The provider refused, with its own code when it gave one.
    Refused {
        provider_code: Option<&'a str>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateChange {
    Created,
    Updated,
    Deleted,
    Submitted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueChange {
    Created,
    Updated,
    /// Its conversations went to `moved_to` (or out of any queue when it had only resolved
    /// ones).
    Deleted {
        moved_to: Option<QueueId>,
        moved: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookChange {
    Created,
    Updated,
    Deleted,
    SecretRotated,
    /// Deliveries were queued again (one, or a period's).
    Redelivered {
        deliveries: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuickReplyChange {
    Created,
    Updated,
    Deleted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelChange {
    Created,
    Updated,
    /// It was taken off `conversations` conversations.
    Deleted {
        conversations: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttributeChange {
    Created,
    Updated,
    /// `values` contacts' values of it went with it.
    Deleted {
        values: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CampaignChange {
    Started,
    Paused,
    Resumed,
    Cancelled,
}

impl AuditEvent<'_> {
    /// The action's name, as `auditLog` shows it.
    pub fn action(&self) -> &'static str {
        use AuditEvent::*;
        match self {
            TenantCreated { .. } => "tenant.create",
            SettingsUpdated { .. } => "tenant.settings.update",
            UserCreated { .. } => "user.create",
            UserUpdated { .. } => "user.update",
            UserDeactivated { .. } => "user.deactivate",
            PasswordChanged { .. } => "user.change_password",
            ApiKeyCreated { .. } => "api_key.create",
            ApiKeyRevoked { .. } => "api_key.revoke",
            ChannelCreated { .. } => "channel.create",
            ChannelUpdated { .. } => "channel.update",
            ChannelVerified { .. } => "channel.verify",
            ChannelDeleted { .. } => "channel.delete",
            BusinessProfileUpdated { .. } => "channel.business_profile.update",
            Template { change, .. } => match change {
                TemplateChange::Created => "template.create",
                TemplateChange::Updated => "template.update",
                TemplateChange::Deleted => "template.delete",
                TemplateChange::Submitted => "template.submit",
            },
            CampaignCreated { .. } => "campaign.create",
            Campaign { change, .. } => match change {
                CampaignChange::Started => "campaign.start",
                CampaignChange::Paused => "campaign.pause",
                CampaignChange::Resumed => "campaign.resume",
                CampaignChange::Cancelled => "campaign.cancel",
            },
            Queue { change, .. } => match change {
                QueueChange::Created => "queue.create",
                QueueChange::Updated => "queue.update",
                QueueChange::Deleted { .. } => "queue.delete",
            },
            Label { change, .. } => match change {
                LabelChange::Created => "label.create",
                LabelChange::Updated => "label.update",
                LabelChange::Deleted { .. } => "label.delete",
            },
            ContactAttribute { change, .. } => match change {
                AttributeChange::Created => "contact_attribute.create",
                AttributeChange::Updated => "contact_attribute.update",
                AttributeChange::Deleted { .. } => "contact_attribute.delete",
            },
            QuickReply { change, .. } => match change {
                QuickReplyChange::Created => "quick_reply.create",
                QuickReplyChange::Updated => "quick_reply.update",
                QuickReplyChange::Deleted => "quick_reply.delete",
            },
            Webhook { change, .. } => match change {
                WebhookChange::Created => "webhook.create",
                WebhookChange::Updated => "webhook.update",
                WebhookChange::Deleted => "webhook.delete",
                WebhookChange::SecretRotated => "webhook.rotate_secret",
                WebhookChange::Redelivered { .. } => "webhook.redeliver",
            },
            ClickToChatLink { created: true, .. } => "click_to_chat_link.create",
            ClickToChatLink { created: false, .. } => "click_to_chat_link.delete",
            ContactUpdated { .. } => "contact.update",
            ContactsImported { .. } => "contact.import",
            ContactErased { .. } => "contact.erase",
            Consent { opted_in: true, .. } => "contact.opt_in",
            Consent {
                opted_in: false, ..
            } => "contact.opt_out",
        }
    }

    /// The kind of object changed, and its id.
    pub fn target(&self) -> (&'static str, String) {
        use AuditEvent::*;
        match self {
            TenantCreated { tenant, .. } | SettingsUpdated { tenant, .. } => {
                ("tenant", tenant.to_string())
            }
            UserCreated { user, .. }
            | UserUpdated { user, .. }
            | UserDeactivated { user }
            | PasswordChanged { user } => ("user", user.to_string()),
            ApiKeyCreated { key, .. } | ApiKeyRevoked { key } => ("api_key", key.to_string()),
            ChannelCreated { channel, .. }
            | ChannelUpdated { channel, .. }
            | ChannelVerified { channel, .. }
            | ChannelDeleted { channel }
            | BusinessProfileUpdated { channel, .. } => ("channel", channel.to_string()),
            Template { template, .. } => ("template", template.to_string()),
            CampaignCreated { campaign, .. } | Campaign { campaign, .. } => {
                ("campaign", campaign.to_string())
            }
            Queue { queue, .. } => ("queue", queue.to_string()),
            Label { label, .. } => ("label", label.to_string()),
            ContactAttribute { attribute, .. } => ("contact_attribute", attribute.to_string()),
            QuickReply { reply, .. } => ("quick_reply", reply.to_string()),
            ClickToChatLink { link, .. } => ("click_to_chat_link", link.to_string()),
            Webhook { endpoint, .. } => ("webhook_endpoint", endpoint.to_string()),
            ContactsImported { import, .. } => ("contact_import", import.to_string()),
            ContactUpdated { contact, .. }
            | ContactErased { contact, .. }
            | Consent { contact, .. } => ("contact", contact.to_string()),
        }
    }

    /// What the entry keeps beside the action and target.
    pub fn details(&self) -> Option<Value> {
        use AuditEvent::*;
        Some(match self {
            TenantCreated { name, .. } => json!({ "name": name }),
            SettingsUpdated { name, settings, .. } => json!({ "name": name, "settings": settings }),
            UserCreated { email, role, .. } => json!({ "email": email, "role": role.as_str() }),
            UserUpdated {
                role,
                name_changed,
                password_changed,
                ..
            } => json!({
                "role": role.map(Role::as_str),
                "nameChanged": name_changed,
                "passwordChanged": password_changed,
            }),
            ApiKeyCreated {
                name, prefix, role, ..
            } => json!({ "name": name, "prefix": prefix, "role": role.as_str() }),
            ChannelCreated {
                name,
                provider,
                masked_number,
                ..
            } => {
                json!({ "name": name, "provider": provider.as_str(), "phoneNumber": masked_number })
            }
            ChannelUpdated {
                name,
                credentials_changed,
                ..
            } => json!({ "name": name, "credentialsChanged": credentials_changed }),
            BusinessProfileUpdated { fields, .. } => json!({ "fields": fields }),
            ChannelVerified { outcome, .. } => match outcome {
                Verified::Yes => json!({ "verified": true }),
                Verified::NumberClaimedElsewhere => {
                    json!({ "verified": false, "numberClaimedElsewhere": true })
                }
                Verified::Refused { provider_code } => {
                    json!({ "verified": false, "providerCode": provider_code })
                }
            },
            Template { name, language, .. } => json!({ "name": name, "language": language }),
            CampaignCreated {
                name, recipients, ..
            } => json!({ "name": name, "recipients": recipients }),
            Queue {
                name,
                change: QueueChange::Deleted { moved_to, moved },
                ..
            } => json!({
                "name": name,
                "movedTo": moved_to.map(|q| q.to_string()),
                "conversationsMoved": moved,
            }),
            Queue { name, .. } => json!({ "name": name }),
            Label {
                name,
                change: LabelChange::Deleted { conversations },
                ..
            } => json!({ "name": name, "conversations": conversations }),
            Label { name, .. } => json!({ "name": name }),
            ContactAttribute {
                key,
                change: AttributeChange::Deleted { values },
                ..
            } => json!({ "key": key, "values": values }),
            ContactAttribute { key, .. } => json!({ "key": key }),
            QuickReply {
                queue, shortcut, ..
            } => json!({ "shortcut": shortcut, "queueId": queue.map(|q| q.to_string()) }),
            ClickToChatLink { channel, tag, .. } => {
                json!({ "tag": tag, "channelId": channel.to_string() })
            }
            ContactUpdated { fields, .. } => json!({ "fields": fields }),
            Webhook {
                change: WebhookChange::Redelivered { deliveries },
                host,
                ..
            } => json!({ "host": host, "deliveries": deliveries }),
            Webhook { host, .. } => json!({ "host": host }),
            ContactsImported {
                created,
                updated,
                unchanged,
                refused,
                ..
            } => json!({
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "refused": refused,
            }),
            ContactErased {
                conversations,
                messages,
                files,
                ..
            } => json!({
                "conversations": conversations,
                "messages": messages,
                "files": files,
            }),
            Consent {
                keyword: Some((keyword, channel)),
                ..
            } => json!({ "keyword": keyword, "channelId": channel.to_string() }),
            UserDeactivated { .. }
            | PasswordChanged { .. }
            | ApiKeyRevoked { .. }
            | ChannelDeleted { .. }
            | Campaign { .. }
            | Consent { keyword: None, .. } => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_opt_out_keyword_is_kept_with_its_channel() {
        let channel = ChannelId::new();
        let event = AuditEvent::Consent {
            contact: ContactId::new(),
            opted_in: false,
            keyword: Some(("STOP", channel)),
        };
        assert_eq!(event.action(), "contact.opt_out");
        assert_eq!(event.target().0, "contact");
        assert_eq!(
            event.details(),
            Some(json!({ "keyword": "STOP", "channelId": channel.to_string() }))
        );
    }

    #[test]
    fn a_refused_verification_names_the_provider_code() {
        let event = AuditEvent::ChannelVerified {
            channel: ChannelId::new(),
            outcome: Verified::Refused {
                provider_code: Some("20003"),
            },
        };
        assert_eq!(event.action(), "channel.verify");
        assert_eq!(
            event.details(),
            Some(json!({ "verified": false, "providerCode": "20003" }))
        );
    }
}
