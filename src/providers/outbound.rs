//! What we ask a provider to send. The parts of a message (contact cards, choices, template
//! variables, media kinds) are `domain::content` types; only their wire shape is the
//! adapters' business.

use crate::domain::content::{Choice, ChoiceSection, ContactCard, TemplateVariable};
use crate::domain::{MediaKind, PhoneNumber};

#[derive(Clone, Debug, PartialEq)]
pub enum OutboundContent {
    Text {
        body: String,
        preview_url: bool,
    },
    /// Media by public URL.
    Media {
        kind: MediaKind,
        url: String,
        caption: Option<String>,
        filename: Option<String>,
    },
    Template {
        name: String,
        language: String,
        /// Twilio's `HX…` content SID; Meta addresses templates by name and language.
        provider_template_id: Option<String>,
        parameters: Vec<TemplateVariable>,
    },
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
    },
    Contacts(Vec<ContactCard>),
    Buttons {
        header: Option<String>,
        body: String,
        footer: Option<String>,
        /// Only `id` and `title` are sent.
        buttons: Vec<Choice>,
    },
    List {
        header: Option<String>,
        body: String,
        footer: Option<String>,
        button: String,
        sections: Vec<ChoiceSection>,
    },
    Reaction {
        /// The provider id of the message reacted to.
        message_id: String,
        /// Empty removes our reaction.
        emoji: String,
    },
}

/// One message to send.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboundMessage {
    pub to: PhoneNumber,
    pub content: OutboundContent,
    /// The provider id of the message this one replies to.
    pub reply_to: Option<String>,
    /// Our message id; it travels with the send (Meta `biz_opaque_callback_data`, Twilio's
    /// status callback query) so statuses and reconciliation find the message.
    pub correlation_id: Option<String>,
    /// Where Twilio should post status callbacks (ignored by Meta, which uses the app's
    /// webhook).
    pub status_callback_url: Option<String>,
}

/// The provider's answer to a send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendReceipt {
    pub provider_message_id: String,
    /// The provider's initial status word (`queued`, `accepted`, …), for the record.
    pub status: Option<String>,
}

/// A send as it went: its outcome, and the HTTP status of the provider's answer when one
/// came (none when the connection failed or no answer arrived in time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendAttempt {
    pub outcome: Result<SendReceipt, crate::providers::ProviderError>,
    pub http_status: Option<u16>,
}

/// What a provider says about a send whose answer was lost (a timeout after the request
/// left, or a worker that died mid-request).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reconciled {
    /// Messages the provider holds that match the send, oldest first (never empty). The
    /// caller picks one not already known as another message's.
    Found(Vec<SendReceipt>),
    /// The provider holds no such message: sending again makes no duplicate.
    NotFound,
    /// The provider cannot be asked (Meta has no lookup); only a status carrying our id can
    /// tell.
    Unknown,
}
