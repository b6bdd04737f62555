//! What providers tell us: inbound messages, delivery statuses, template reviews.

use chrono::{DateTime, Utc};

use crate::domain::content::{ContactCard, OrderItem, Referral};
use crate::domain::MediaKind;

/// A webhook as received, before any parsing. `url` is the public URL the provider called
/// (rebuilt from `SWITCHBOARD_PUBLIC_URL`, path and raw query), which Twilio signs.
#[derive(Clone, Debug)]
pub struct WebhookRequest {
    pub url: String,
    pub content_type: Option<String>,
    /// `X-Twilio-Signature` or `X-Hub-Signature-256`.
    pub signature: Option<String>,
    pub body: Vec<u8>,
}

/// Inbound media: the provider's reference, fetched later.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaRef {
    /// Twilio: the `MediaUrlN` URL. Meta: the media id.
    pub reference: String,
    pub content_type: Option<String>,
    pub filename: Option<String>,
    pub sha256: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum InboundContent {
    Text {
        body: String,
    },
    /// One message with one or more attachments (Twilio may carry several).
    Media {
        kind: MediaKind,
        caption: Option<String>,
        attachments: Vec<MediaRef>,
        /// Meta audio: a voice note.
        voice: bool,
    },
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
    },
    Contacts(Vec<ContactCard>),
    ButtonReply {
        id: String,
        title: String,
    },
    ListReply {
        id: String,
        title: String,
        description: Option<String>,
    },
    /// A template's quick-reply button.
    TemplateButton {
        payload: String,
        text: String,
    },
    Reaction {
        message_id: String,
        /// `None` when the reaction was removed.
        emoji: Option<String>,
    },
    /// A cart sent from the business's catalog.
    Order {
        catalog_id: String,
        text: Option<String>,
        items: Vec<OrderItem>,
    },
    /// A WhatsApp Flow's answer (`nfm_reply`): the form's fields as a JSON text.
    FlowReply {
        name: Option<String>,
        body: Option<String>,
        response_json: String,
    },
    /// A notice from WhatsApp about the customer (`user_changed_number`,
    /// `customer_identity_changed`).
    System {
        kind: String,
        body: Option<String>,
        /// The customer's new WhatsApp id, when the number changed.
        new_wa_id: Option<String>,
    },
    /// Anything else, kept with its raw type and payload.
    Unsupported {
        raw_type: String,
        raw: serde_json::Value,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct InboundMessage {
    /// Twilio `MessageSid`, Meta `messages[].id`: the dedupe key.
    pub provider_message_id: String,
    /// Which of our numbers received it: Twilio `To` (E.164), Meta `phone_number_id`.
    pub channel_address: String,
    /// The customer's WhatsApp id (digits).
    pub from_wa_id: String,
    pub profile_name: Option<String>,
    /// When it was written, to the whole second: Meta's own time, or for Twilio, which
    /// sends none, when the webhook arrived.
    pub timestamp: DateTime<Utc>,
    pub content: InboundContent,
    /// The provider id of the message this one quotes or answers.
    pub reply_to: Option<String>,
    pub forwarded: bool,
    pub referral: Option<Referral>,
}

/// Delivery status, in provider-neutral terms (PROVIDERS.md §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeliveryStatus {
    Queued,
    Sent,
    Delivered,
    Read,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusUpdate {
    pub provider_message_id: String,
    pub channel_address: String,
    pub status: DeliveryStatus,
    /// The provider's own word (`undelivered`, `played`, …).
    pub raw_status: String,
    pub timestamp: DateTime<Utc>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// The recipient stopped marketing messages (Meta 131050 on a failed status).
    pub marketing_opt_out: bool,
    /// Our message id, echoed back (Meta `biz_opaque_callback_data`; Twilio callback query).
    pub correlation_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum WebhookEvent {
    MessageReceived(InboundMessage),
    StatusChanged(StatusUpdate),
    TemplateStatusChanged {
        provider_template_id: String,
        name: Option<String>,
        language: Option<String>,
        /// Upper-case (`APPROVED`, `REJECTED`, …).
        status: String,
        reason: Option<String>,
    },
}
