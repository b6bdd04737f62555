//! Message content in provider-neutral terms, as stored and as the API shows it.

use serde::{Deserialize, Serialize};

use super::TemplateId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardPhone {
    pub phone: String,
    pub kind: Option<String>,
    pub wa_id: Option<String>,
}

/// A shared contact card.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactCard {
    pub formatted_name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phones: Vec<CardPhone>,
    pub emails: Vec<String>,
    pub organization: Option<String>,
    pub urls: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
}

/// A section of an interactive list we send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceSection {
    pub title: Option<String>,
    pub rows: Vec<Choice>,
}

/// Where a customer came from: a click-to-WhatsApp ad or post.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Referral {
    pub source_url: Option<String>,
    pub source_id: Option<String>,
    pub source_type: Option<String>,
    pub headline: Option<String>,
    pub body: Option<String>,
    pub ctwa_clid: Option<String>,
}

/// One line of a customer's order from the catalog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderItem {
    pub product_retailer_id: String,
    pub quantity: u32,
    /// The unit price, in `currency`.
    pub item_price: Option<f64>,
    pub currency: Option<String>,
}

/// One filled-in template variable: `{{key}}` → `value`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateVariable {
    pub key: String,
    pub value: String,
}

/// What a message carries. Attachments of media messages are kept apart, with their state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MessageContent {
    Text {
        body: String,
        /// Outbound: render a preview of the first link.
        #[serde(default, rename = "previewUrl")]
        preview_url: bool,
    },
    Media {
        #[serde(rename = "mediaKind")]
        media_kind: MediaKind,
        caption: Option<String>,
        /// A voice note (Meta audio).
        #[serde(default)]
        voice: bool,
        /// Outbound: the public URL the provider fetches.
        #[serde(default)]
        url: Option<String>,
        /// Outbound: an uploaded file, fetched by the provider through a signed link.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        upload: Option<crate::domain::UploadId>,
        /// Outbound documents: the file name shown.
        #[serde(default)]
        filename: Option<String>,
    },
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
    },
    Contacts {
        contacts: Vec<ContactCard>,
    },
    /// Outbound: up to three reply buttons under a body.
    Buttons {
        header: Option<String>,
        body: String,
        footer: Option<String>,
        buttons: Vec<Choice>,
    },
    /// Outbound: a menu that opens from a button.
    List {
        header: Option<String>,
        body: String,
        footer: Option<String>,
        button: String,
        sections: Vec<ChoiceSection>,
    },
    /// A tap on an interactive reply button.
    ButtonReply {
        choice: Choice,
    },
    /// A choice from an interactive list.
    ListReply {
        choice: Choice,
    },
    /// A tap on a template's quick-reply button.
    TemplateButton {
        payload: String,
        text: String,
    },
    /// An approved template with its variables. Stored with the text the customer read.
    Template {
        /// Empty until `sendMessage` has resolved the template on its channel.
        #[serde(default, rename = "templateId")]
        template_id: Option<TemplateId>,
        name: String,
        language: String,
        /// Twilio's `HX…` content SID, or Meta's template id.
        #[serde(default, rename = "providerTemplateId")]
        provider_template_id: Option<String>,
        /// In the template's placeholder order.
        #[serde(default)]
        variables: Vec<TemplateVariable>,
        /// The body with the variables filled in.
        #[serde(default)]
        rendered: String,
    },
    Reaction {
        /// The provider id of the message reacted to.
        #[serde(rename = "messageId")]
        message_id: String,
        /// `None` when the reaction was removed.
        emoji: Option<String>,
    },
    /// A cart the customer sent from the business's catalog.
    Order {
        #[serde(rename = "catalogId")]
        catalog_id: String,
        /// The customer's note.
        text: Option<String>,
        items: Vec<OrderItem>,
    },
    /// A WhatsApp Flow's answer: the form's fields as a JSON text.
    FlowReply {
        name: Option<String>,
        body: Option<String>,
        #[serde(rename = "responseJson")]
        response_json: String,
    },
    /// A notice from WhatsApp about the customer, such as a changed number.
    System {
        kind: String,
        body: Option<String>,
        #[serde(rename = "newWaId")]
        new_wa_id: Option<String>,
    },
    /// A kind this version does not know, kept with its raw payload.
    Unsupported {
        #[serde(rename = "rawType")]
        raw_type: String,
        raw: serde_json::Value,
    },
}

impl MessageContent {
    /// The stored kind name.
    pub fn kind(&self) -> &'static str {
        match self {
            MessageContent::Text { .. } => "TEXT",
            MessageContent::Media { media_kind, .. } => match media_kind {
                MediaKind::Image => "IMAGE",
                MediaKind::Video => "VIDEO",
                MediaKind::Audio => "AUDIO",
                MediaKind::Document => "DOCUMENT",
                MediaKind::Sticker => "STICKER",
            },
            MessageContent::Location { .. } => "LOCATION",
            MessageContent::Contacts { .. } => "CONTACTS",
            MessageContent::Buttons { .. } => "BUTTONS",
            MessageContent::List { .. } => "LIST",
            MessageContent::ButtonReply { .. } => "BUTTON_REPLY",
            MessageContent::ListReply { .. } => "LIST_REPLY",
            MessageContent::TemplateButton { .. } => "TEMPLATE_BUTTON",
            MessageContent::Template { .. } => "TEMPLATE",
            MessageContent::Reaction { .. } => "REACTION",
            MessageContent::Order { .. } => "ORDER",
            MessageContent::FlowReply { .. } => "FLOW_REPLY",
            MessageContent::System { .. } => "SYSTEM",
            MessageContent::Unsupported { .. } => "UNSUPPORTED",
        }
    }

    /// The text a person reads: the body, the caption, the chosen title.
    pub fn text(&self) -> Option<&str> {
        match self {
            MessageContent::Text { body, .. } => Some(body),
            MessageContent::Media { caption, .. } => caption.as_deref(),
            MessageContent::Buttons { body, .. } | MessageContent::List { body, .. } => Some(body),
            MessageContent::ButtonReply { choice } | MessageContent::ListReply { choice } => {
                Some(&choice.title)
            }
            MessageContent::TemplateButton { text, .. } => Some(text),
            MessageContent::Template { rendered, .. } => Some(rendered),
            MessageContent::Location { name, .. } => name.as_deref(),
            MessageContent::Order { text, .. } => text.as_deref(),
            MessageContent::FlowReply { body, .. } | MessageContent::System { body, .. } => {
                body.as_deref()
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_round_trips_through_json() {
        let content = MessageContent::Media {
            media_kind: MediaKind::Document,
            caption: Some("Invoice".into()),
            voice: false,
            url: None,
            upload: None,
            filename: Some("invoice.pdf".into()),
        };
        let json = serde_json::to_string(&content).unwrap();
        assert!(json.contains("\"type\":\"MEDIA\""), "{json}");
        assert_eq!(
            serde_json::from_str::<MessageContent>(&json).unwrap(),
            content
        );
        assert_eq!(content.kind(), "DOCUMENT");
        assert_eq!(content.text(), Some("Invoice"));
    }

    #[test]
    fn a_template_reads_as_its_rendered_text() {
        let content = MessageContent::Template {
            template_id: Some(TemplateId::new()),
            name: "order_update".into(),
            language: "en".into(),
            provider_template_id: Some("HX1".into()),
            variables: vec![TemplateVariable {
                key: "1".into(),
                value: "Ana".into(),
            }],
            rendered: "Hi Ana".into(),
        };
        let json = serde_json::to_string(&content).unwrap();
        assert!(json.contains("\"type\":\"TEMPLATE\""), "{json}");
        assert_eq!(
            serde_json::from_str::<MessageContent>(&json).unwrap(),
            content
        );
        assert_eq!(
            (content.kind(), content.text()),
            ("TEMPLATE", Some("Hi Ana"))
        );
    }

    #[test]
    fn unknown_content_keeps_its_raw_payload() {
        let content = MessageContent::Unsupported {
            raw_type: "order".into(),
            raw: serde_json::json!({ "catalog_id": "1" }),
        };
        let back: MessageContent =
            serde_json::from_str(&serde_json::to_string(&content).unwrap()).unwrap();
        assert_eq!(back, content);
        assert_eq!(back.text(), None);
    }
}
