//! `OutboundMessage` → the form fields of `POST /2010-04-01/Accounts/{AC}/Messages.json`
//! (PROVIDERS.md §1.2). Repeatable fields stay repeated keys, never `Key[]`.

use serde_json::{Map, Value};

use super::address::address;
use crate::domain::content::ContactCard;
use crate::providers::outbound::{OutboundContent, OutboundMessage};
use crate::providers::{ProviderError, TwilioCredentials};

/// The query parameter carrying our message id on status callbacks.
pub const CORRELATION_PARAM: &str = "sb_message";

/// Builds the form. `session_content_sid` is the `HX…` created on the fly for interactive
/// buttons and lists (see `TwilioProvider::send`).
pub(crate) fn message_form(
    credentials: &TwilioCredentials,
    message: &OutboundMessage,
    session_content_sid: Option<&str>,
) -> Result<Vec<(String, String)>, ProviderError> {
    let mut form: Vec<(String, String)> = vec![("To".into(), address(message.to.as_str()))];
    match &credentials.messaging_service_sid {
        Some(mg) => form.push(("MessagingServiceSid".into(), mg.clone())),
        None => form.push(("From".into(), address(credentials.sender.as_str()))),
    }
    // Twilio has no quoted-reply parameter on send, so `reply_to` cannot travel; the
    // message still goes out, just without the quote.
    match &message.content {
        OutboundContent::Text { body, .. } => form.push(("Body".into(), body.clone())),
        OutboundContent::Media { url, caption, .. } => {
            form.push(("MediaUrl".into(), url.clone()));
            // WhatsApp shows Body as the caption of images and videos; Twilio drops it for
            // documents, and filenames cannot be set at all.
            if let Some(c) = caption.as_ref().filter(|c| !c.is_empty()) {
                form.push(("Body".into(), c.clone()));
            }
        }
        OutboundContent::Template {
            name,
            provider_template_id,
            parameters,
            ..
        } => {
            let sid = provider_template_id
                .as_ref()
                .ok_or_else(|| ProviderError::Rejected {
                    code: "TEMPLATE_NOT_SYNCED".into(),
                    message: format!("template {name} has no Twilio content SID"),
                })?;
            form.push(("ContentSid".into(), sid.clone()));
            if !parameters.is_empty() {
                let vars: Map<String, Value> = parameters
                    .iter()
                    .map(|p| (p.key.clone(), Value::String(p.value.clone())))
                    .collect();
                form.push(("ContentVariables".into(), Value::Object(vars).to_string()));
            }
        }
        OutboundContent::Location {
            latitude,
            longitude,
            name,
            address,
        } => {
            let mut action = format!("geo:{latitude},{longitude}");
            if let Some(label) = name.as_ref().or(address.as_ref()) {
                action.push('|');
                action.push_str(label);
            }
            form.push(("PersistentAction".into(), action));
            let lines: Vec<&str> = [name, address]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
            let body = if lines.is_empty() {
                format!("{latitude},{longitude}")
            } else {
                lines.join("\n")
            };
            form.push(("Body".into(), body));
        }
        // Twilio sends a contact card only as a hosted `.vcf` MediaUrl, which would need a
        // public URL for generated content; a readable text card needs nothing and shows
        // every field, so contacts go out as text.
        OutboundContent::Contacts(cards) => {
            let text: Vec<String> = cards.iter().map(contact_text).collect();
            form.push(("Body".into(), text.join("\n\n")));
        }
        OutboundContent::Buttons { .. } | OutboundContent::List { .. } => {
            let sid = session_content_sid.ok_or_else(|| ProviderError::Rejected {
                code: "UNSUPPORTED".into(),
                message: "interactive messages need a session content".into(),
            })?;
            form.push(("ContentSid".into(), sid.to_owned()));
        }
        OutboundContent::Reaction { .. } => {
            return Err(ProviderError::Rejected {
                code: "UNSUPPORTED".into(),
                message: "Twilio has no API to send WhatsApp reactions".into(),
            })
        }
    }
    if let Some(url) = &message.status_callback_url {
        let url = match &message.correlation_id {
            Some(id) => with_query_param(url, CORRELATION_PARAM, id),
            None => url.clone(),
        };
        form.push(("StatusCallback".into(), url));
    }
    Ok(form)
}

/// Appends `name=value` to the query, before any `#` fragment (Twilio's connection
/// overrides live there).
pub(crate) fn with_query_param(url: &str, name: &str, value: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let pair = form_urlencoded::Serializer::new(String::new())
        .append_pair(name, value)
        .finish();
    let sep = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    match fragment {
        Some(f) => format!("{base}{sep}{pair}#{f}"),
        None => format!("{base}{sep}{pair}"),
    }
}

fn contact_text(card: &ContactCard) -> String {
    let mut lines = vec![format!("👤 {}", card.formatted_name)];
    if let Some(org) = &card.organization {
        lines.push(org.clone());
    }
    for phone in &card.phones {
        match &phone.kind {
            Some(kind) => lines.push(format!("📞 {} ({})", phone.phone, kind.to_lowercase())),
            None => lines.push(format!("📞 {}", phone.phone)),
        }
    }
    lines.extend(card.emails.iter().map(|e| format!("✉️ {e}")));
    lines.extend(card.urls.iter().map(|u| format!("🔗 {u}")));
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Secret;
    use crate::domain::content::{CardPhone, TemplateVariable};
    use crate::domain::MediaKind;
    use crate::domain::PhoneNumber;

    fn creds(service: Option<&str>) -> TwilioCredentials {
        TwilioCredentials {
            account_sid: "AC00000000000000000000000000000001".into(),
            auth_token: Secret::new("0123456789abcdef0123456789abcdef"),
            api_key: None,
            messaging_service_sid: service.map(str::to_owned),
            sender: PhoneNumber::parse("+14155238886").unwrap(),
            sandbox: false,
        }
    }

    fn msg(content: OutboundContent) -> OutboundMessage {
        OutboundMessage {
            to: PhoneNumber::parse("+34600000000").unwrap(),
            content,
            reply_to: Some("SMquoted".into()),
            correlation_id: None,
            status_callback_url: None,
        }
    }

    fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
        form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    #[test]
    fn text_sends_body_from_the_sender_and_ignores_reply_to() {
        let m = msg(OutboundContent::Text {
            body: "Hola".into(),
            preview_url: false,
        });
        let form = message_form(&creds(None), &m, None).unwrap();
        assert_eq!(
            pairs(&form),
            [
                ("To", "whatsapp:+34600000000"),
                ("From", "whatsapp:+14155238886"),
                ("Body", "Hola")
            ]
        );
    }

    #[test]
    fn a_messaging_service_replaces_from() {
        let m = msg(OutboundContent::Text {
            body: "x".into(),
            preview_url: false,
        });
        let form = message_form(&creds(Some("MG1")), &m, None).unwrap();
        assert_eq!(form[1], ("MessagingServiceSid".into(), "MG1".into()));
        assert!(!form.iter().any(|(k, _)| k == "From"));
    }

    #[test]
    fn media_sends_media_url_with_the_caption_as_body() {
        let m = msg(OutboundContent::Media {
            kind: MediaKind::Image,
            url: "https://cdn.example/p.jpg".into(),
            caption: Some("Look".into()),
            filename: None,
        });
        let form = message_form(&creds(None), &m, None).unwrap();
        assert_eq!(
            &pairs(&form)[2..],
            [("MediaUrl", "https://cdn.example/p.jpg"), ("Body", "Look")]
        );
    }

    #[test]
    fn templates_send_content_sid_and_variables_as_a_json_string() {
        let m = msg(OutboundContent::Template {
            name: "order_update".into(),
            language: "es".into(),
            provider_template_id: Some("HX1".into()),
            parameters: vec![
                TemplateVariable {
                    key: "1".into(),
                    value: "Ana".into(),
                },
                TemplateVariable {
                    key: "2".into(),
                    value: "14:30".into(),
                },
            ],
        });
        let form = message_form(&creds(None), &m, None).unwrap();
        assert_eq!(
            &pairs(&form)[2..],
            [
                ("ContentSid", "HX1"),
                ("ContentVariables", r#"{"1":"Ana","2":"14:30"}"#)
            ]
        );
    }

    #[test]
    fn a_template_without_a_content_sid_is_rejected() {
        let m = msg(OutboundContent::Template {
            name: "t".into(),
            language: "en".into(),
            provider_template_id: None,
            parameters: vec![],
        });
        let err = message_form(&creds(None), &m, None).unwrap_err();
        assert!(matches!(err, ProviderError::Rejected { .. }));
    }

    #[test]
    fn location_sends_a_geo_persistent_action_and_a_body() {
        let m = msg(OutboundContent::Location {
            latitude: 40.4168,
            longitude: -3.7038,
            name: Some("Sol".into()),
            address: Some("Puerta del Sol, Madrid".into()),
        });
        let form = message_form(&creds(None), &m, None).unwrap();
        assert_eq!(
            &pairs(&form)[2..],
            [
                ("PersistentAction", "geo:40.4168,-3.7038|Sol"),
                ("Body", "Sol\nPuerta del Sol, Madrid")
            ]
        );
    }

    #[test]
    fn contacts_become_a_readable_text_card() {
        let m = msg(OutboundContent::Contacts(vec![ContactCard {
            formatted_name: "Ana Pérez".into(),
            phones: vec![CardPhone {
                phone: "+34600000001".into(),
                kind: Some("CELL".into()),
                wa_id: None,
            }],
            emails: vec!["ana@example.com".into()],
            ..Default::default()
        }]));
        let form = message_form(&creds(None), &m, None).unwrap();
        assert_eq!(
            form[2].1,
            "👤 Ana Pérez\n📞 +34600000001 (cell)\n✉️ ana@example.com"
        );
    }

    #[test]
    fn interactive_sends_the_session_content_sid() {
        let m = msg(OutboundContent::Buttons {
            header: None,
            body: "Pick".into(),
            footer: None,
            buttons: vec![],
        });
        let form = message_form(&creds(None), &m, Some("HXsession")).unwrap();
        assert_eq!(form[2], ("ContentSid".into(), "HXsession".into()));
    }

    #[test]
    fn reactions_are_unsupported() {
        let m = msg(OutboundContent::Reaction {
            message_id: "SM1".into(),
            emoji: "👍".into(),
        });
        let err = message_form(&creds(None), &m, None).unwrap_err();
        assert_eq!(err.code(), Some("UNSUPPORTED"));
    }

    #[test]
    fn the_correlation_id_joins_the_status_callback_query() {
        let mut m = msg(OutboundContent::Text {
            body: "x".into(),
            preview_url: false,
        });
        m.correlation_id = Some("msg 1&2".into());
        m.status_callback_url = Some("https://sb.example/wh/twilio/k?kind=status#rc=3".into());
        let form = message_form(&creds(None), &m, None).unwrap();
        assert_eq!(
            form.last().unwrap().1,
            "https://sb.example/wh/twilio/k?kind=status&sb_message=msg+1%262#rc=3"
        );
        assert_eq!(
            with_query_param("https://a/b", "sb_message", "m1"),
            "https://a/b?sb_message=m1"
        );
    }
}
