//! Parsing literal Twilio payloads shaped like PROVIDERS.md §1.4 and §1.5.

use super::*;

const URL: &str = "https://sb.example/webhooks/twilio/wk_7f3a";

fn request(body: &str) -> WebhookRequest {
    WebhookRequest {
        url: URL.into(),
        content_type: Some("application/x-www-form-urlencoded".into()),
        signature: None,
        body: body.as_bytes().to_vec(),
    }
}

const BASE: &str = "SmsMessageSid=SM11&ProfileName=Ana&SmsSid=SM11&WaId=34600000000\
&SmsStatus=received&To=whatsapp%3A%2B14155238886&NumSegments=1&ReferralNumMedia=0\
&MessageSid=SM11&AccountSid=AC1&From=whatsapp%3A%2B34600000000&ApiVersion=2010-04-01";

fn inbound_of(extra: &str) -> InboundMessage {
    let media = if extra.contains("NumMedia=") {
        ""
    } else {
        "&NumMedia=0"
    };
    let events = parse(&request(&format!("{BASE}{media}&{extra}"))).unwrap();
    match events.as_slice() {
        [WebhookEvent::MessageReceived(m)] => m.clone(),
        other => panic!("expected one inbound message, got {other:?}"),
    }
}

fn status_of(body: &str, url: &str) -> StatusUpdate {
    let mut req = request(body);
    req.url = url.into();
    match parse(&req).unwrap().as_slice() {
        [WebhookEvent::StatusChanged(s)] => s.clone(),
        other => panic!("expected one status, got {other:?}"),
    }
}

#[test]
fn an_inbound_text_names_the_customer_and_our_number() {
    let m = inbound_of("MessageType=text&Body=Hola");
    assert_eq!(m.provider_message_id, "SM11");
    assert_eq!(m.channel_address, "+14155238886");
    assert_eq!(m.from_wa_id, "34600000000");
    assert_eq!(m.profile_name.as_deref(), Some("Ana"));
    assert_eq!(
        m.content,
        InboundContent::Text {
            body: "Hola".into()
        }
    );
    assert!(!m.forwarded);
    assert_eq!(m.referral, None);
}

#[test]
fn media_messages_carry_every_attachment_and_the_caption() {
    let m = inbound_of(
        "MessageType=image&Body=Look&NumMedia=2\
         &MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm0&MediaContentType0=image%2Fjpeg\
         &MediaUrl1=https%3A%2F%2Fapi.twilio.com%2Fm1&MediaContentType1=image%2Fpng",
    );
    let InboundContent::Media {
        kind,
        caption,
        attachments,
        ..
    } = m.content
    else {
        panic!("not media")
    };
    assert_eq!(kind, MediaKind::Image);
    assert_eq!(caption.as_deref(), Some("Look"));
    assert_eq!(attachments.len(), 2);
    assert_eq!(attachments[1].reference, "https://api.twilio.com/m1");
    assert_eq!(attachments[1].content_type.as_deref(), Some("image/png"));
}

#[test]
fn the_first_content_type_decides_the_media_kind() {
    for (ct, kind) in [
        ("video/mp4", MediaKind::Video),
        ("audio/ogg", MediaKind::Audio),
        ("application/pdf", MediaKind::Document),
        ("text/vcard", MediaKind::Document),
        ("image/webp", MediaKind::Sticker),
    ] {
        let m = inbound_of(&format!(
            "NumMedia=1&MediaUrl0=https%3A%2F%2Fa%2Fb&MediaContentType0={}",
            ct.replace('/', "%2F")
        ));
        assert!(
            matches!(m.content, InboundContent::Media { kind: k, .. } if k == kind),
            "{ct}"
        );
    }
}

#[test]
fn latitude_and_longitude_make_a_location() {
    let m = inbound_of(
        "MessageType=location&Latitude=40.4168&Longitude=-3.7038&Label=Sol&Address=Madrid",
    );
    assert_eq!(
        m.content,
        InboundContent::Location {
            latitude: 40.4168,
            longitude: -3.7038,
            name: Some("Sol".into()),
            address: Some("Madrid".into())
        }
    );
}

#[test]
fn a_template_button_is_a_template_button_and_an_interactive_one_a_button_reply() {
    let m = inbound_of("MessageType=button&Body=Yes&ButtonText=Yes&ButtonPayload=CONFIRM");
    assert_eq!(
        m.content,
        InboundContent::TemplateButton {
            payload: "CONFIRM".into(),
            text: "Yes".into()
        }
    );
    let m = inbound_of("MessageType=interactive&Body=Yes&ButtonText=Yes&ButtonPayload=yes_id");
    assert_eq!(
        m.content,
        InboundContent::ButtonReply {
            id: "yes_id".into(),
            title: "Yes".into()
        }
    );
}

#[test]
fn list_selection_fields_make_a_list_reply() {
    let m = inbound_of("MessageType=interactive&ListId=r2&ListTitle=Two");
    assert_eq!(
        m.content,
        InboundContent::ListReply {
            id: "r2".into(),
            title: "Two".into(),
            description: None
        }
    );
}

#[test]
fn reply_context_forwarding_and_referral_are_kept() {
    let m = inbound_of(
        "Body=Hi&OriginalRepliedMessageSid=SM99&Forwarded=true\
         &ReferralSourceUrl=https%3A%2F%2Ffb.me%2Fad&ReferralSourceId=123&ReferralSourceType=ad\
         &ReferralHeadline=Sale&ReferralBody=Half+off&ReferralCtwaClid=clid",
    );
    assert_eq!(m.reply_to.as_deref(), Some("SM99"));
    assert!(m.forwarded);
    let r = m.referral.unwrap();
    assert_eq!(r.source_type.as_deref(), Some("ad"));
    assert_eq!(r.headline.as_deref(), Some("Sale"));
    assert_eq!(r.ctwa_clid.as_deref(), Some("clid"));
}

#[test]
fn an_unknown_type_without_body_is_unsupported_with_the_raw_params() {
    let m = inbound_of("MessageType=order");
    let InboundContent::Unsupported { raw_type, raw } = m.content else {
        panic!("not unsupported")
    };
    assert_eq!(raw_type, "order");
    assert_eq!(raw["MessageSid"], "SM11");
}

#[test]
fn status_callbacks_map_every_twilio_word() {
    for (word, status) in [
        ("accepted", DeliveryStatus::Queued),
        ("scheduled", DeliveryStatus::Queued),
        ("queued", DeliveryStatus::Queued),
        ("sending", DeliveryStatus::Queued),
        ("sent", DeliveryStatus::Sent),
        ("delivered", DeliveryStatus::Delivered),
        ("read", DeliveryStatus::Read),
        ("failed", DeliveryStatus::Failed),
        ("undelivered", DeliveryStatus::Failed),
        ("canceled", DeliveryStatus::Failed),
    ] {
        let body = format!(
            "MessageSid=SM2&MessageStatus={word}&SmsStatus={word}&From=whatsapp%3A%2B14155238886"
        );
        let s = status_of(&body, URL);
        assert_eq!((s.status, s.raw_status.as_str()), (status, word));
        assert_eq!(s.channel_address, "+14155238886");
    }
}

#[test]
fn a_failed_status_keeps_the_error_and_the_correlation_id_from_the_url() {
    let s = status_of(
        "MessageSid=SM2&MessageStatus=undelivered&ErrorCode=63016&ErrorMessage=Outside+window\
         &ChannelPrefix=whatsapp&From=whatsapp%3A%2B14155238886&To=whatsapp%3A%2B34600000000",
        "https://sb.example/webhooks/twilio/wk?kind=status&sb_message=msg_42",
    );
    assert_eq!(s.error_code.as_deref(), Some("63016"));
    assert_eq!(s.error_message.as_deref(), Some("Outside window"));
    assert_eq!(s.correlation_id.as_deref(), Some("msg_42"));
}

#[test]
fn a_json_status_body_parses_like_a_form() {
    let mut req = request(r#"{"MessageSid":"SM3","MessageStatus":"delivered"}"#);
    req.content_type = Some("application/json".into());
    let events = parse(&req).unwrap();
    assert!(
        matches!(&events[0], WebhookEvent::StatusChanged(s) if s.status == DeliveryStatus::Delivered)
    );
}

#[test]
fn a_body_without_a_message_sid_is_a_bad_webhook() {
    for body in ["", "hello", "Body=Hi&From=whatsapp%3A%2B1"] {
        assert!(matches!(
            parse(&request(body)),
            Err(ProviderError::BadWebhook(_))
        ));
    }
    let mut req = request("[1,2]");
    req.content_type = Some("application/json".into());
    assert!(matches!(parse(&req), Err(ProviderError::BadWebhook(_))));
}

#[test]
fn garbage_bytes_never_panic() {
    let mut req = request("");
    req.body = b"MessageSid=SM1&WaId=34600000000&Body=\xff\xfe%zz&NumMedia=0&Latitude=NaN".to_vec();
    assert!(parse(&req).is_ok());
    req.body = b"MessageSid=SM1&WaId=34600000000&NumMedia=9999999999999999999999".to_vec();
    assert!(matches!(parse(&req), Err(ProviderError::BadWebhook(_))));
}

#[test]
fn a_media_count_twilio_cannot_send_is_a_bad_webhook() {
    for count in ["11", "1000000000000000", "-1", "two", "1e3"] {
        let body = format!("{BASE}&NumMedia={count}&MediaUrl0=https%3A%2F%2Fa%2Fb");
        assert!(
            matches!(parse(&request(&body)), Err(ProviderError::BadWebhook(_))),
            "{count}"
        );
    }
}

#[test]
fn only_the_media_present_are_kept() {
    let m = inbound_of(
        "NumMedia=10&MediaUrl3=https%3A%2F%2Fa%2F3&MediaContentType3=image%2Fpng\
         &MediaUrl0=https%3A%2F%2Fa%2F0&MediaUrl10=https%3A%2F%2Fa%2F10",
    );
    let InboundContent::Media { attachments, .. } = m.content else {
        panic!("not media")
    };
    let refs: Vec<&str> = attachments.iter().map(|a| a.reference.as_str()).collect();
    assert_eq!(refs, ["https://a/0", "https://a/3"]);
}

#[test]
fn a_sender_that_is_not_a_whatsapp_number_is_a_bad_webhook() {
    let tail = "&To=whatsapp%3A%2B14155238886&MessageSid=SM11&NumMedia=0&Body=Hi";
    for sender in [
        "From=whatsapp%3Aabc",
        "From=whatsapp%3A",
        "From=",
        "WaId=abc&From=whatsapp%3A%2B34600000000",
        "WaId=&From=whatsapp%3A%2B1",
        "",
    ] {
        assert!(
            matches!(
                parse(&request(&format!("{sender}{tail}"))),
                Err(ProviderError::BadWebhook(_))
            ),
            "{sender}"
        );
    }
    let long = format!("From=whatsapp%3A%2B{}{tail}", "1".repeat(100_000));
    assert!(matches!(
        parse(&request(&long)),
        Err(ProviderError::BadWebhook(_))
    ));
    let m = match parse(&request(&format!("From=whatsapp%3A%2B34600000000{tail}"))).unwrap()[0]
        .clone()
    {
        WebhookEvent::MessageReceived(m) => m,
        other => panic!("{other:?}"),
    };
    assert_eq!(m.from_wa_id, "34600000000");
}
