//! Send-body serialisation tests, one per message type.

use super::*;
use crate::domain::content::{CardPhone, Choice, ChoiceSection};
use crate::domain::PhoneNumber;

fn message(content: OutboundContent) -> OutboundMessage {
    OutboundMessage {
        to: PhoneNumber::parse("+34600000000").unwrap(),
        content,
        reply_to: None,
        correlation_id: None,
        status_callback_url: None,
    }
}

#[test]
fn text_carries_the_envelope_reply_context_and_correlation() {
    let mut m = message(OutboundContent::Text {
        body: "Hola".into(),
        preview_url: true,
    });
    m.reply_to = Some("wamid.IN".into());
    m.correlation_id = Some("msg_1".into());
    assert_eq!(
        message_body(&m),
        json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"34600000000",
            "type":"text","text":{"body":"Hola","preview_url":true},
            "context":{"message_id":"wamid.IN"},"biz_opaque_callback_data":"msg_1"})
    );
}

#[test]
fn media_sends_by_link_with_caption_and_filename_only_where_allowed() {
    let cases = [
        (
            MediaKind::Image,
            json!({"link":"https://x/a","caption":"c"}),
        ),
        (
            MediaKind::Video,
            json!({"link":"https://x/a","caption":"c"}),
        ),
        (
            MediaKind::Document,
            json!({"link":"https://x/a","caption":"c","filename":"f.pdf"}),
        ),
        (MediaKind::Audio, json!({"link":"https://x/a"})),
        (MediaKind::Sticker, json!({"link":"https://x/a"})),
    ];
    for (kind, expected) in cases {
        let body = message_body(&message(OutboundContent::Media {
            kind,
            url: "https://x/a".into(),
            caption: Some("c".into()),
            filename: Some("f.pdf".into()),
        }));
        let name = body["type"].as_str().unwrap().to_owned();
        assert_eq!(body[&name], expected, "{kind:?}");
    }
}

#[test]
fn positional_template_parameters_go_to_the_body_in_numeric_order() {
    let body = message_body(&message(OutboundContent::Template {
        name: "order_update".into(),
        language: "es".into(),
        provider_template_id: None,
        parameters: vec![
            TemplateVariable {
                key: "2".into(),
                value: "A-1".into(),
            },
            TemplateVariable {
                key: "1".into(),
                value: "Ana".into(),
            },
        ],
    }));
    assert_eq!(
        body["template"],
        json!({"name":"order_update","language":{"code":"es"},"components":[{"type":"body",
            "parameters":[{"type":"text","text":"Ana"},{"type":"text","text":"A-1"}]}]})
    );
}

#[test]
fn named_template_parameters_carry_parameter_name() {
    let body = message_body(&message(OutboundContent::Template {
        name: "hello".into(),
        language: "en_US".into(),
        provider_template_id: None,
        parameters: vec![TemplateVariable {
            key: "first_name".into(),
            value: "Ana".into(),
        }],
    }));
    assert_eq!(
        body["template"]["components"][0]["parameters"],
        json!([{"type":"text","parameter_name":"first_name","text":"Ana"}])
    );
}

#[test]
fn a_template_without_parameters_has_no_components() {
    let body = message_body(&message(OutboundContent::Template {
        name: "hello_world".into(),
        language: "en_US".into(),
        provider_template_id: None,
        parameters: vec![],
    }));
    assert_eq!(
        body["template"],
        json!({"name":"hello_world","language":{"code":"en_US"}})
    );
}

#[test]
fn location_uses_numbers() {
    let body = message_body(&message(OutboundContent::Location {
        latitude: 40.4,
        longitude: -3.7,
        name: Some("Sol".into()),
        address: None,
    }));
    assert_eq!(
        body["location"],
        json!({"latitude":40.4,"longitude":-3.7,"name":"Sol"})
    );
}

#[test]
fn contacts_is_an_array_of_cards() {
    let body = message_body(&message(OutboundContent::Contacts(vec![ContactCard {
        formatted_name: "Ana Diaz".into(),
        first_name: Some("Ana".into()),
        phones: vec![CardPhone {
            phone: "+34600000000".into(),
            kind: Some("CELL".into()),
            wa_id: Some("34600000000".into()),
        }],
        emails: vec!["ana@example.com".into()],
        organization: Some("Acme".into()),
        urls: vec!["https://acme.example".into()],
        ..ContactCard::default()
    }])));
    assert_eq!(
        body["contacts"],
        json!([{"name":{"formatted_name":"Ana Diaz","first_name":"Ana"},
            "phones":[{"phone":"+34600000000","type":"CELL","wa_id":"34600000000"}],
            "emails":[{"email":"ana@example.com"}],"org":{"company":"Acme"},
            "urls":[{"url":"https://acme.example"}]}])
    );
}

#[test]
fn buttons_become_an_interactive_button_message() {
    let body = message_body(&message(OutboundContent::Buttons {
        header: Some("H".into()),
        body: "Pick".into(),
        footer: Some("F".into()),
        buttons: vec![Choice {
            id: "yes".into(),
            title: "Yes".into(),
            description: None,
        }],
    }));
    assert_eq!(
        body["interactive"],
        json!({"type":"button","header":{"type":"text","text":"H"},"body":{"text":"Pick"},
            "footer":{"text":"F"},"action":{"buttons":[{"type":"reply","reply":{"id":"yes","title":"Yes"}}]}})
    );
}

#[test]
fn lists_become_an_interactive_list_message() {
    let body = message_body(&message(OutboundContent::List {
        header: None,
        body: "Choose".into(),
        footer: None,
        button: "Options".into(),
        sections: vec![ChoiceSection {
            title: Some("S".into()),
            rows: vec![Choice {
                id: "r1".into(),
                title: "One".into(),
                description: Some("d".into()),
            }],
        }],
    }));
    assert_eq!(
        body["interactive"],
        json!({"type":"list","body":{"text":"Choose"},"action":{"button":"Options",
            "sections":[{"title":"S","rows":[{"id":"r1","title":"One","description":"d"}]}]}})
    );
}

#[test]
fn reactions_name_the_message_and_emoji() {
    let body = message_body(&message(OutboundContent::Reaction {
        message_id: "wamid.X".into(),
        emoji: String::new(),
    }));
    assert_eq!(body["reaction"], json!({"message_id":"wamid.X","emoji":""}));
}

#[test]
fn read_receipts_name_the_inbound_message() {
    assert_eq!(
        read_body("wamid.IN"),
        json!({"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN"})
    );
}
