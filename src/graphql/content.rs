//! A message's content in the API: one object type per kind of content, joined in the
//! `MessageContent` union, made from the domain's content.

use async_graphql::{SimpleObject, Union, ID};

use super::channels::MediaKindGql;
use crate::domain::content::{CardPhone, Choice, ContactCard};
use crate::domain::MessageContent;

#[derive(SimpleObject)]
pub struct TextContent {
    pub body: String,
}

#[derive(SimpleObject)]
pub struct MediaContent {
    pub media_type: MediaKindGql,
    pub caption: Option<String>,
    pub voice: bool,
}

#[derive(SimpleObject)]
pub struct LocationContent {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
    pub address: Option<String>,
}

#[derive(SimpleObject)]
pub struct ContactCardPhone {
    pub phone: String,
    pub kind: Option<String>,
    pub wa_id: Option<String>,
}

#[derive(SimpleObject)]
#[graphql(name = "ContactCard")]
pub struct ContactCardView {
    pub formatted_name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phones: Vec<ContactCardPhone>,
    pub emails: Vec<String>,
    pub organization: Option<String>,
    pub urls: Vec<String>,
}

impl From<CardPhone> for ContactCardPhone {
    fn from(p: CardPhone) -> Self {
        Self {
            phone: p.phone,
            kind: p.kind,
            wa_id: p.wa_id,
        }
    }
}

impl From<ContactCard> for ContactCardView {
    fn from(c: ContactCard) -> Self {
        Self {
            formatted_name: c.formatted_name,
            first_name: c.first_name,
            last_name: c.last_name,
            phones: c.phones.into_iter().map(Into::into).collect(),
            emails: c.emails,
            organization: c.organization,
            urls: c.urls,
        }
    }
}

#[derive(SimpleObject)]
pub struct ContactsContent {
    pub contacts: Vec<ContactCardView>,
}

/// A choice we offered: a reply button or a list row.
#[derive(SimpleObject)]
#[graphql(name = "Choice")]
pub struct ChoiceView {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
}

impl From<Choice> for ChoiceView {
    fn from(c: Choice) -> Self {
        Self {
            id: c.id,
            title: c.title,
            description: c.description,
        }
    }
}

/// Reply buttons we sent.
#[derive(SimpleObject)]
pub struct ButtonsContent {
    pub header: Option<String>,
    pub body: String,
    pub footer: Option<String>,
    pub buttons: Vec<ChoiceView>,
}

#[derive(SimpleObject)]
#[graphql(name = "ListSection")]
pub struct ListSectionView {
    pub title: Option<String>,
    pub rows: Vec<ChoiceView>,
}

/// A list we sent.
#[derive(SimpleObject)]
pub struct ListContent {
    pub header: Option<String>,
    pub body: String,
    pub footer: Option<String>,
    pub button: String,
    pub sections: Vec<ListSectionView>,
}

#[derive(SimpleObject)]
pub struct ButtonReplyContent {
    pub id: String,
    pub title: String,
}

#[derive(SimpleObject)]
pub struct ListReplyContent {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
}

#[derive(SimpleObject)]
pub struct TemplateButtonContent {
    pub payload: String,
    pub text: String,
}

#[derive(SimpleObject)]
pub struct ReactionContent {
    /// The provider id of the message reacted to.
    pub message_id: String,
    /// Null when the reaction was removed.
    pub emoji: Option<String>,
}

/// One line of an order.
#[derive(SimpleObject)]
#[graphql(name = "OrderItem")]
pub struct OrderItemView {
    pub product_retailer_id: String,
    pub quantity: u32,
    /// The unit price, in `currency`.
    pub item_price: Option<f64>,
    pub currency: Option<String>,
}

/// A cart the customer sent from the business's catalog.
#[derive(SimpleObject)]
pub struct OrderContent {
    pub catalog_id: String,
    /// The customer's note.
    pub text: Option<String>,
    pub items: Vec<OrderItemView>,
}

/// A WhatsApp Flow's answer.
#[derive(SimpleObject)]
pub struct FlowReplyContent {
    pub name: Option<String>,
    pub body: Option<String>,
    /// The form's fields, as the JSON text WhatsApp sent.
    pub response_json: String,
}

/// A notice from WhatsApp about the customer.
#[derive(SimpleObject)]
pub struct SystemContent {
    /// `user_changed_number`, `customer_identity_changed`, …
    pub kind: String,
    pub body: Option<String>,
    /// The customer's new WhatsApp id, when the number changed.
    pub new_wa_id: Option<String>,
}

#[derive(SimpleObject)]
pub struct UnsupportedContent {
    pub raw_type: String,
    pub raw: async_graphql::Json<serde_json::Value>,
}

#[derive(SimpleObject)]
#[graphql(name = "TemplateVariable")]
pub struct TemplateVariableView {
    pub key: String,
    pub value: String,
}

/// A template as sent: which one, its variables, and the text the customer read.
#[derive(SimpleObject)]
pub struct TemplateContent {
    pub template_id: Option<ID>,
    pub name: String,
    pub language: String,
    pub variables: Vec<TemplateVariableView>,
    /// The body with the variables filled in.
    pub text: String,
}

/// What a message carries.
#[derive(Union)]
#[graphql(name = "MessageContent")]
pub enum MessageContentGql {
    Text(TextContent),
    Media(MediaContent),
    Location(LocationContent),
    Contacts(ContactsContent),
    Buttons(ButtonsContent),
    List(ListContent),
    ButtonReply(ButtonReplyContent),
    ListReply(ListReplyContent),
    TemplateButton(TemplateButtonContent),
    Reaction(ReactionContent),
    Order(OrderContent),
    FlowReply(FlowReplyContent),
    System(SystemContent),
    Unsupported(UnsupportedContent),
    Template(TemplateContent),
}

impl From<&MessageContent> for MessageContentGql {
    fn from(content: &MessageContent) -> Self {
        match content.clone() {
            MessageContent::Text { body, .. } => Self::Text(TextContent { body }),
            MessageContent::Media {
                media_kind,
                caption,
                voice,
                ..
            } => Self::Media(MediaContent {
                media_type: media_kind.into(),
                caption,
                voice,
            }),
            MessageContent::Location {
                latitude,
                longitude,
                name,
                address,
            } => Self::Location(LocationContent {
                latitude,
                longitude,
                name,
                address,
            }),
            MessageContent::Contacts { contacts } => Self::Contacts(ContactsContent {
                contacts: contacts.into_iter().map(Into::into).collect(),
            }),
            MessageContent::Buttons {
                header,
                body,
                footer,
                buttons,
            } => Self::Buttons(ButtonsContent {
                header,
                body,
                footer,
                buttons: buttons.into_iter().map(Into::into).collect(),
            }),
            MessageContent::List {
                header,
                body,
                footer,
                button,
                sections,
            } => Self::List(ListContent {
                header,
                body,
                footer,
                button,
                sections: sections
                    .into_iter()
                    .map(|s| ListSectionView {
                        title: s.title,
                        rows: s.rows.into_iter().map(Into::into).collect(),
                    })
                    .collect(),
            }),
            MessageContent::ButtonReply { choice } => Self::ButtonReply(ButtonReplyContent {
                id: choice.id,
                title: choice.title,
            }),
            MessageContent::ListReply { choice } => Self::ListReply(ListReplyContent {
                id: choice.id,
                title: choice.title,
                description: choice.description,
            }),
            MessageContent::TemplateButton { payload, text } => {
                Self::TemplateButton(TemplateButtonContent { payload, text })
            }
            MessageContent::Reaction { message_id, emoji } => {
                Self::Reaction(ReactionContent { message_id, emoji })
            }
            MessageContent::Template {
                template_id,
                name,
                language,
                variables,
                rendered,
                ..
            } => Self::Template(TemplateContent {
                template_id: template_id.map(|id| ID(id.to_string())),
                name,
                language,
                variables: variables
                    .into_iter()
                    .map(|v| TemplateVariableView {
                        key: v.key,
                        value: v.value,
                    })
                    .collect(),
                text: rendered,
            }),
            MessageContent::Order {
                catalog_id,
                text,
                items,
            } => Self::Order(OrderContent {
                catalog_id,
                text,
                items: items
                    .into_iter()
                    .map(|i| OrderItemView {
                        product_retailer_id: i.product_retailer_id,
                        quantity: i.quantity,
                        item_price: i.item_price,
                        currency: i.currency,
                    })
                    .collect(),
            }),
            MessageContent::FlowReply {
                name,
                body,
                response_json,
            } => Self::FlowReply(FlowReplyContent {
                name,
                body,
                response_json,
            }),
            MessageContent::System {
                kind,
                body,
                new_wa_id,
            } => Self::System(SystemContent {
                kind,
                body,
                new_wa_id,
            }),
            MessageContent::Unsupported { raw_type, raw } => {
                Self::Unsupported(UnsupportedContent {
                    raw_type,
                    raw: async_graphql::Json(raw),
                })
            }
        }
    }
}
