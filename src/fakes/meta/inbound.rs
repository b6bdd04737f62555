//! Builders for inbound messages of every type Meta sends (PROVIDERS.md §2.5).

use serde_json::{json, Value};

/// What the customer sent.
#[derive(Clone, Debug)]
pub enum InboundKind {
    Text {
        body: String,
    },
    Image {
        media_id: String,
        caption: Option<String>,
    },
    Video {
        media_id: String,
        caption: Option<String>,
    },
    Audio {
        media_id: String,
        voice: bool,
    },
    Document {
        media_id: String,
        filename: String,
        caption: Option<String>,
    },
    Sticker {
        media_id: String,
        animated: bool,
    },
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
    },
    /// The `contacts` array as Meta sends it.
    Contacts(Value),
    ButtonReply {
        id: String,
        title: String,
    },
    ListReply {
        id: String,
        title: String,
        description: Option<String>,
    },
    /// A WhatsApp Flow's completion (`interactive.nfm_reply`).
    FlowReply {
        name: String,
        body: String,
        response_json: String,
    },
    /// A template's quick-reply button.
    TemplateButton {
        payload: String,
        text: String,
    },
    /// `emoji: None` removes the reaction.
    Reaction {
        message_id: String,
        emoji: Option<String>,
    },
    Order {
        catalog_id: String,
        product_items: Value,
    },
    /// `user_changed_number`.
    System {
        body: String,
        new_wa_id: String,
    },
    /// A type the Cloud API cannot show (`unsupported` with error 131051).
    Unsupported,
}

/// One inbound message, with the optional parts every type may carry.
#[derive(Clone, Debug)]
pub struct FakeInbound {
    /// The customer's wa_id (digits).
    pub from: String,
    pub profile_name: Option<String>,
    pub kind: InboundKind,
    /// Our message being quoted or answered (`context.id`).
    pub reply_to: Option<String>,
    pub forwarded: bool,
    /// A click-to-WhatsApp `referral` object.
    pub referral: Option<Value>,
}

impl FakeInbound {
    pub fn new(from: &str, kind: InboundKind) -> Self {
        Self {
            from: from.into(),
            profile_name: Some("Ana".into()),
            kind,
            reply_to: None,
            forwarded: false,
            referral: None,
        }
    }

    pub fn text(from: &str, body: &str) -> Self {
        Self::new(from, InboundKind::Text { body: body.into() })
    }

    pub fn replying_to(mut self, wamid: &str) -> Self {
        self.reply_to = Some(wamid.into());
        self
    }

    pub fn forwarded(mut self) -> Self {
        self.forwarded = true;
        self
    }

    /// Adds a typical ad referral.
    pub fn from_ad(mut self) -> Self {
        self.referral = Some(json!({
            "source_url": "https://fb.me/ad123", "source_id": "120200000000001",
            "source_type": "ad", "body": "Spring sale", "headline": "Save 20%",
            "media_type": "image", "image_url": "https://scontent.example/ad.jpg",
            "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ"
        }));
        self
    }

    /// The `messages[]` item.
    pub(super) fn to_json(&self, wamid: &str, timestamp: i64) -> Value {
        let (kind, object) = self.kind.object();
        let mut message = json!({
            "from": self.from,
            "id": wamid,
            "timestamp": timestamp.to_string(),
            "type": kind,
        });
        if let Some(object) = object {
            message[kind] = object;
        }
        if matches!(self.kind, InboundKind::Unsupported) {
            message["errors"] = json!([{
                "code": 131051, "title": "Message type unknown",
                "message": "Message type unknown",
                "error_data": { "details": "Message type is currently not supported." }
            }]);
        }
        if let Some(reply_to) = &self.reply_to {
            message["context"] = json!({ "from": "15550783881", "id": reply_to });
        } else if self.forwarded {
            message["context"] = json!({ "forwarded": true });
        }
        if let Some(referral) = &self.referral {
            message["referral"] = referral.clone();
        }
        message
    }

    /// Whether Meta includes a `contacts` block (not for `system` messages).
    pub(super) fn has_contact_block(&self) -> bool {
        !matches!(self.kind, InboundKind::System { .. })
    }
}

fn media(media_id: &str, mime: &str) -> Value {
    json!({ "id": media_id, "mime_type": mime, "sha256": "q83vEjRWeJA=" })
}

impl InboundKind {
    fn object(&self) -> (&'static str, Option<Value>) {
        let with = |mut value: Value, key: &str, extra: &Option<String>| {
            if let Some(extra) = extra {
                value[key] = json!(extra);
            }
            value
        };
        match self {
            InboundKind::Text { body } => ("text", Some(json!({ "body": body }))),
            InboundKind::Image { media_id, caption } => (
                "image",
                Some(with(media(media_id, "image/jpeg"), "caption", caption)),
            ),
            InboundKind::Video { media_id, caption } => (
                "video",
                Some(with(media(media_id, "video/mp4"), "caption", caption)),
            ),
            InboundKind::Audio { media_id, voice } => {
                let mut value = media(media_id, "audio/ogg; codecs=opus");
                value["voice"] = json!(voice);
                ("audio", Some(value))
            }
            InboundKind::Document {
                media_id,
                filename,
                caption,
            } => {
                let mut value = with(media(media_id, "application/pdf"), "caption", caption);
                value["filename"] = json!(filename);
                ("document", Some(value))
            }
            InboundKind::Sticker { media_id, animated } => {
                let mut value = media(media_id, "image/webp");
                value["animated"] = json!(animated);
                ("sticker", Some(value))
            }
            InboundKind::Location {
                latitude,
                longitude,
                name,
                address,
            } => {
                let value = json!({ "latitude": latitude, "longitude": longitude });
                let value = with(value, "name", name);
                ("location", Some(with(value, "address", address)))
            }
            InboundKind::Contacts(cards) => ("contacts", Some(cards.clone())),
            InboundKind::ButtonReply { id, title } => (
                "interactive",
                Some(
                    json!({ "type": "button_reply", "button_reply": { "id": id, "title": title } }),
                ),
            ),
            InboundKind::ListReply {
                id,
                title,
                description,
            } => {
                let reply = with(
                    json!({ "id": id, "title": title }),
                    "description",
                    description,
                );
                (
                    "interactive",
                    Some(json!({ "type": "list_reply", "list_reply": reply })),
                )
            }
            InboundKind::FlowReply {
                name,
                body,
                response_json,
            } => (
                "interactive",
                Some(json!({ "type": "nfm_reply", "nfm_reply": {
                    "name": name, "body": body, "response_json": response_json } })),
            ),
            InboundKind::TemplateButton { payload, text } => {
                ("button", Some(json!({ "payload": payload, "text": text })))
            }
            InboundKind::Reaction { message_id, emoji } => {
                let mut value = json!({ "message_id": message_id });
                if let Some(emoji) = emoji {
                    value["emoji"] = json!(emoji);
                }
                ("reaction", Some(value))
            }
            InboundKind::Order {
                catalog_id,
                product_items,
            } => (
                "order",
                Some(
                    json!({ "catalog_id": catalog_id, "text": "", "product_items": product_items }),
                ),
            ),
            InboundKind::System { body, new_wa_id } => (
                "system",
                Some(json!({ "body": body, "type": "user_changed_number", "wa_id": new_wa_id })),
            ),
            InboundKind::Unsupported => ("unsupported", Some(json!({ "type": "poll" }))),
        }
    }
}
