//! Webhook parsing tests, from literal payloads shaped like PROVIDERS.md §2.5.

use serde_json::{json, Value};

use super::*;

fn envelope(value: Value) -> Vec<u8> {
    let mut value = value;
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] =
        json!({"display_phone_number":"15550783881","phone_number_id":"106540352242922"});
    serde_json::to_vec(
        &json!({"object":"whatsapp_business_account","entry":[{"id":"102290129340398",
        "changes":[{"field":"messages","value":value}]}]}),
    )
    .unwrap()
}

fn one_message(message: Value) -> InboundMessage {
    let body = envelope(json!({
        "contacts":[{"profile":{"name":"Ana"},"wa_id":"16505551234"}],
        "messages":[message]}));
    match parse(&body).unwrap().pop() {
        Some(WebhookEvent::MessageReceived(m)) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

fn typed(kind: &str, object: Value) -> Value {
    let mut message =
        json!({"from":"16505551234","id":"wamid.X","timestamp":"1749416383","type":kind});
    message[kind] = object;
    message
}

#[test]
fn a_text_message_carries_sender_profile_channel_and_time() {
    let m = one_message(typed("text", json!({"body":"Hi"})));
    assert_eq!(m.provider_message_id, "wamid.X");
    assert_eq!(m.channel_address, "106540352242922");
    assert_eq!(m.from_wa_id, "16505551234");
    assert_eq!(m.profile_name.as_deref(), Some("Ana"));
    assert_eq!(m.timestamp.timestamp(), 1749416383);
    assert_eq!(m.content, InboundContent::Text { body: "Hi".into() });
    assert!(!m.forwarded);
}

#[test]
fn every_media_type_becomes_one_attachment_referenced_by_media_id() {
    for (kind, expected) in [
        ("image", MediaKind::Image),
        ("video", MediaKind::Video),
        ("audio", MediaKind::Audio),
        ("document", MediaKind::Document),
        ("sticker", MediaKind::Sticker),
    ] {
        let m = one_message(typed(
            kind,
            json!({"id":"MEDIA1","mime_type":"x/y","sha256":"abc=","caption":"cap","filename":"f.pdf"}),
        ));
        let InboundContent::Media {
            kind: got,
            caption,
            attachments,
            voice,
        } = m.content
        else {
            panic!("{kind}: not media");
        };
        assert_eq!(got, expected);
        assert_eq!(caption.as_deref(), Some("cap"));
        assert!(!voice);
        assert_eq!(attachments.len(), 1);
        assert_eq!(attachments[0].reference, "MEDIA1");
        assert_eq!(attachments[0].content_type.as_deref(), Some("x/y"));
        assert_eq!(attachments[0].sha256.as_deref(), Some("abc="));
    }
}

#[test]
fn a_voice_note_is_audio_with_voice_set() {
    let m = one_message(typed(
        "audio",
        json!({"id":"A1","mime_type":"audio/ogg; codecs=opus","sha256":"x","voice":true}),
    ));
    assert!(matches!(
        m.content,
        InboundContent::Media {
            kind: MediaKind::Audio,
            voice: true,
            ..
        }
    ));
}

#[test]
fn a_location_accepts_numbers_or_strings() {
    let m = one_message(typed(
        "location",
        json!({"latitude":40.4,"longitude":"-3.7","name":"Sol","address":"Madrid"}),
    ));
    assert_eq!(
        m.content,
        InboundContent::Location {
            latitude: 40.4,
            longitude: -3.7,
            name: Some("Sol".into()),
            address: Some("Madrid".into())
        }
    );
}

#[test]
fn shared_contacts_become_cards() {
    let m = one_message(typed(
        "contacts",
        json!([{"name":{"formatted_name":"Bo Li","first_name":"Bo"},
            "phones":[{"phone":"+1 555 0100","wa_id":"15550100","type":"CELL"}],
            "emails":[{"email":"bo@example.com","type":"WORK"}],"org":{"company":"Acme"}}]),
    ));
    let InboundContent::Contacts(cards) = m.content else {
        panic!("not contacts")
    };
    assert_eq!(cards[0].formatted_name, "Bo Li");
    assert_eq!(cards[0].phones[0].wa_id.as_deref(), Some("15550100"));
    assert_eq!(cards[0].emails, vec!["bo@example.com".to_owned()]);
    assert_eq!(cards[0].organization.as_deref(), Some("Acme"));
}

#[test]
fn interactive_button_and_list_replies_are_parsed_with_their_context() {
    let mut message = typed(
        "interactive",
        json!({"type":"button_reply","button_reply":{"id":"yes","title":"Yes"}}),
    );
    message["context"] = json!({"from":"15550783881","id":"wamid.OUT"});
    let m = one_message(message);
    assert_eq!(
        m.content,
        InboundContent::ButtonReply {
            id: "yes".into(),
            title: "Yes".into()
        }
    );
    assert_eq!(m.reply_to.as_deref(), Some("wamid.OUT"));

    let m = one_message(typed(
        "interactive",
        json!({"type":"list_reply","list_reply":{"id":"r1","title":"One","description":"d"}}),
    ));
    assert_eq!(
        m.content,
        InboundContent::ListReply {
            id: "r1".into(),
            title: "One".into(),
            description: Some("d".into())
        }
    );
}

#[test]
fn an_unknown_interactive_kind_is_unsupported_not_an_error() {
    let m = one_message(typed(
        "interactive",
        json!({"type":"call_permission_reply","call_permission_reply":{"response":"accept"}}),
    ));
    assert!(
        matches!(m.content, InboundContent::Unsupported { ref raw_type, .. } if raw_type == "interactive")
    );
}

#[test]
fn a_template_button_tap_is_a_template_button() {
    let m = one_message(typed(
        "button",
        json!({"payload":"STOP_PROMO","text":"Stop"}),
    ));
    assert_eq!(
        m.content,
        InboundContent::TemplateButton {
            payload: "STOP_PROMO".into(),
            text: "Stop".into()
        }
    );
}

#[test]
fn reactions_and_their_removal_are_parsed() {
    let m = one_message(typed(
        "reaction",
        json!({"message_id":"wamid.OUT","emoji":"👍"}),
    ));
    assert_eq!(
        m.content,
        InboundContent::Reaction {
            message_id: "wamid.OUT".into(),
            emoji: Some("👍".into())
        }
    );
    for removal in [
        json!({"message_id":"wamid.OUT","emoji":""}),
        json!({"message_id":"wamid.OUT"}),
    ] {
        let m = one_message(typed("reaction", removal));
        assert_eq!(
            m.content,
            InboundContent::Reaction {
                message_id: "wamid.OUT".into(),
                emoji: None
            }
        );
    }
}

#[test]
fn system_unsupported_and_unknown_types_keep_their_raw_payload() {
    for (kind, object) in [
        // An order without its catalog cannot be shown as an order.
        ("order", json!({"product_items":[]})),
        // A notice without its type says nothing to show.
        ("system", json!({"body":"changed"})),
        ("unsupported", json!({"type":"poll"})),
        ("unknown", json!({})),
        ("hologram", json!({"x":1})),
    ] {
        let m = one_message(typed(kind, object));
        let InboundContent::Unsupported { raw_type, raw } = m.content else {
            panic!("{kind}: not unsupported");
        };
        assert_eq!(raw_type, kind);
        assert_eq!(raw["id"], "wamid.X");
    }
}

#[test]
fn forwarded_flags_and_referrals_are_kept() {
    let mut message = typed("text", json!({"body":"x"}));
    message["context"] = json!({"frequently_forwarded":true});
    message["referral"] = json!({"source_url":"https://fb.me/1","source_id":"ad1","source_type":"ad",
        "headline":"H","body":"B","media_type":"image","ctwa_clid":"clid"});
    let m = one_message(message);
    assert!(m.forwarded);
    let referral = m.referral.unwrap();
    assert_eq!(referral.source_type.as_deref(), Some("ad"));
    assert_eq!(referral.ctwa_clid.as_deref(), Some("clid"));
}

#[test]
fn statuses_map_to_delivery_statuses_with_errors_and_correlation() {
    let body = envelope(json!({"statuses":[
        {"id":"wamid.1","status":"sent","timestamp":"1749416500","recipient_id":"1","biz_opaque_callback_data":"msg_1",
         "pricing":{"billable":true,"pricing_model":"PMP","category":"utility"}},
        {"id":"wamid.1","status":"delivered","timestamp":"1749416501","recipient_id":"1"},
        {"id":"wamid.1","status":"read","timestamp":"1749416502","recipient_id":"1"},
        {"id":"wamid.2","status":"played","timestamp":"1749416503","recipient_id":"1"},
        {"id":"wamid.3","status":"failed","timestamp":"1749416504","recipient_id":"1",
         "errors":[{"code":131047,"title":"Re-engagement message","message":"m"}]},
        {"id":"wamid.4","status":"someday_new","timestamp":"1749416505","recipient_id":"1"}]}));
    let events = parse(&body).unwrap();
    let statuses: Vec<StatusUpdate> = events
        .into_iter()
        .map(|e| match e {
            WebhookEvent::StatusChanged(s) => s,
            other => panic!("{other:?}"),
        })
        .collect();
    let got: Vec<DeliveryStatus> = statuses.iter().map(|s| s.status).collect();
    assert_eq!(
        got,
        [
            DeliveryStatus::Sent,
            DeliveryStatus::Delivered,
            DeliveryStatus::Read,
            DeliveryStatus::Read,
            DeliveryStatus::Failed
        ]
    );
    assert_eq!(statuses[0].correlation_id.as_deref(), Some("msg_1"));
    assert_eq!(statuses[3].raw_status, "played");
    assert_eq!(statuses[4].error_code.as_deref(), Some("131047"));
    assert_eq!(
        statuses[4].error_message.as_deref(),
        Some("Re-engagement message")
    );
    assert_eq!(statuses[4].channel_address, "106540352242922");
    assert!(!statuses[4].marketing_opt_out);
}

#[test]
fn a_failure_for_stopped_marketing_carries_the_opt_out() {
    let body = envelope(json!({"statuses":[
        {"id":"wamid.5","status":"failed","timestamp":"1749416504","recipient_id":"1",
         "errors":[{"code":131050,"title":"User has stopped marketing messages"}]}]}));
    let events = parse(&body).unwrap();
    let [WebhookEvent::StatusChanged(status)] = events.as_slice() else {
        panic!("{events:?}");
    };
    assert!(status.marketing_opt_out);
    assert_eq!(status.error_code.as_deref(), Some("131050"));
}

#[test]
fn template_status_updates_are_parsed_and_other_fields_ignored() {
    let body = serde_json::to_vec(&json!({"object":"whatsapp_business_account","entry":[{"id":"1","time":1749416600,
        "changes":[
          {"field":"message_template_status_update","value":{"event":"REJECTED","message_template_id":123456,
            "message_template_name":"order_update","message_template_language":"es","reason":"INVALID_FORMAT"}},
          {"field":"message_template_quality_update","value":{"new_quality_score":"RED"}},
          {"field":"account_update","value":{}}]}]}))
    .unwrap();
    assert_eq!(
        parse(&body).unwrap(),
        vec![WebhookEvent::TemplateStatusChanged {
            provider_template_id: "123456".into(),
            name: Some("order_update".into()),
            language: Some("es".into()),
            status: "REJECTED".into(),
            reason: Some("INVALID_FORMAT".into()),
        }]
    );
}

#[test]
fn several_entries_and_changes_are_all_visited() {
    let change = |id: &str| {
        json!({"field":"messages","value":{"metadata":{"phone_number_id":"1"},
        "messages":[{"from":"16505551234","id":id,"timestamp":"1","type":"text","text":{"body":"x"}}]}})
    };
    let body = serde_json::to_vec(&json!({"object":"whatsapp_business_account","entry":[
        {"id":"w","changes":[change("a"),change("b")]},{"id":"w","changes":[change("c")]}]}))
    .unwrap();
    assert_eq!(parse(&body).unwrap().len(), 3);
}

#[test]
fn bodies_that_are_not_meta_notifications_are_bad_webhooks() {
    for body in [
        &b"not json"[..],
        b"{}",
        b"[]",
        br#"{"object":"page","entry":[]}"#,
        &[0xff, 0xfe],
    ] {
        assert!(
            matches!(parse(body), Err(ProviderError::BadWebhook(_))),
            "{body:?}"
        );
    }
}

#[test]
fn a_message_change_without_a_phone_number_id_is_a_bad_webhook() {
    let body = serde_json::to_vec(
        &json!({"object":"whatsapp_business_account","entry":[{"id":"w",
        "changes":[{"field":"messages","value":{"messages":[]}}]}]}),
    )
    .unwrap();
    assert!(matches!(parse(&body), Err(ProviderError::BadWebhook(_))));
}

#[test]
fn an_order_keeps_its_catalog_note_and_items() {
    let m = one_message(typed(
        "order",
        json!({"catalog_id":"CAT1","text":"for Friday","product_items":[
            {"product_retailer_id":"SKU-1","quantity":2,"item_price":12.5,"currency":"EUR"},
            {"product_retailer_id":"SKU-2","quantity":"1","item_price":"3","currency":"EUR"},
            {"quantity":1}]}),
    ));
    assert_eq!(
        m.content,
        InboundContent::Order {
            catalog_id: "CAT1".into(),
            text: Some("for Friday".into()),
            items: vec![
                OrderItem {
                    product_retailer_id: "SKU-1".into(),
                    quantity: 2,
                    item_price: Some(12.5),
                    currency: Some("EUR".into()),
                },
                OrderItem {
                    product_retailer_id: "SKU-2".into(),
                    quantity: 1,
                    item_price: Some(3.0),
                    currency: Some("EUR".into()),
                },
            ],
        }
    );
}

#[test]
fn a_message_from_a_sender_that_is_no_whatsapp_number_is_skipped_and_the_rest_kept() {
    let message = |from: &str, id: &str| json!({"from":from,"id":id,"timestamp":"1749416383","type":"text","text":{"body":"x"}});
    let long = "1".repeat(100_000);
    let body = envelope(json!({"messages":[
        message("", "wamid.A"), message("abc", "wamid.B"), message(&long, "wamid.C"),
        message("+0123", "wamid.D"), message("16505551234", "wamid.OK")]}));
    let events = parse(&body).unwrap();
    assert_eq!(events.len(), 1);
    assert!(
        matches!(&events[0], WebhookEvent::MessageReceived(m) if m.provider_message_id == "wamid.OK")
    );
}

#[test]
fn a_system_notice_and_a_flow_reply_are_kept() {
    let m = one_message(typed(
        "system",
        json!({"body":"User A changed from 16505551234 to 16505559999","type":"user_changed_number","wa_id":"16505559999"}),
    ));
    assert_eq!(
        m.content,
        InboundContent::System {
            kind: "user_changed_number".into(),
            body: Some("User A changed from 16505551234 to 16505559999".into()),
            new_wa_id: Some("16505559999".into()),
        }
    );
    let m = one_message(typed(
        "interactive",
        json!({"type":"nfm_reply","nfm_reply":{"name":"flow","body":"Sent","response_json":"{\"a\":1}"}}),
    ));
    assert_eq!(
        m.content,
        InboundContent::FlowReply {
            name: Some("flow".into()),
            body: Some("Sent".into()),
            response_json: "{\"a\":1}".into(),
        }
    );
}
