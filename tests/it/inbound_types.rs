//! Every inbound type of both providers is stored with its content, and several Twilio media
//! make one message.

use crate::support::fixtures::{
    conversations, default_meta_channel, twilio_channel, CUSTOMER, SENDER,
};
use crate::support::TestApp;
use serde_json::json;
use switchboard::fakes::meta::{FakeInbound, InboundKind};
use switchboard::fakes::twilio::InboundParams;

use crate::inbound::messages_of;

#[tokio::test]
async fn every_meta_inbound_type_is_stored() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let from = "34600000000";
    let kinds = vec![
        InboundKind::Text { body: "hi".into() },
        InboundKind::Image {
            media_id: "111".into(),
            caption: Some("a photo".into()),
        },
        InboundKind::Audio {
            media_id: "222".into(),
            voice: true,
        },
        InboundKind::Document {
            media_id: "333".into(),
            filename: "invoice.pdf".into(),
            caption: None,
        },
        InboundKind::Sticker {
            media_id: "444".into(),
            animated: false,
        },
        InboundKind::Video {
            media_id: "555".into(),
            caption: None,
        },
        InboundKind::Location {
            latitude: 38.7,
            longitude: -9.1,
            name: Some("Office".into()),
            address: Some("Rua A".into()),
        },
        InboundKind::Contacts(
            json!([{ "name": { "formatted_name": "Rui Costa" }, "phones": [{ "phone": "+351 912 345 678", "type": "CELL" }] }]),
        ),
        InboundKind::ButtonReply {
            id: "yes".into(),
            title: "Yes".into(),
        },
        InboundKind::ListReply {
            id: "row-2".into(),
            title: "Tuesday".into(),
            description: Some("afternoon".into()),
        },
        InboundKind::TemplateButton {
            payload: "STOP_PROMO".into(),
            text: "Stop promotions".into(),
        },
        InboundKind::Reaction {
            message_id: "wamid.OUT1".into(),
            emoji: Some("👍".into()),
        },
        InboundKind::Reaction {
            message_id: "wamid.OUT1".into(),
            emoji: None,
        },
        InboundKind::Order {
            catalog_id: "cat1".into(),
            product_items: json!([{ "product_retailer_id": "SKU-1", "quantity": 2, "item_price": 12.5, "currency": "EUR" }]),
        },
        InboundKind::Unsupported,
        InboundKind::System {
            body: "changed number".into(),
            new_wa_id: "34600000001".into(),
        },
        InboundKind::FlowReply {
            name: "flow".into(),
            body: "Sent".into(),
            response_json: "{\"date\":\"2026-12-24\"}".into(),
        },
    ];
    for kind in kinds {
        let mut inbound = FakeInbound::new(from, kind);
        inbound.profile_name = Some("Ana".into());
        let delivered = app
            .meta
            .deliver_inbound(&meta.webhook, &meta.phone_number_id, &inbound)
            .await
            .unwrap();
        assert_eq!(delivered.status, 200);
    }
    let replying = FakeInbound::text(from, "about that").replying_to("wamid.OUT1");
    let from_ad = FakeInbound::text(from, "saw your ad").from_ad().forwarded();
    app.meta
        .deliver_inbound(&meta.webhook, &meta.phone_number_id, &replying)
        .await
        .unwrap();
    app.meta
        .deliver_inbound(&meta.webhook, &meta.phone_number_id, &from_ad)
        .await
        .unwrap();

    let conversations = conversations(&tenant).await;
    let mut messages = messages_of(&conversations[0]);
    messages.reverse();
    let types: Vec<&str> = messages
        .iter()
        .map(|m| m["content"]["__typename"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "TextContent",
            "MediaContent",
            "MediaContent",
            "MediaContent",
            "MediaContent",
            "MediaContent",
            "LocationContent",
            "ContactsContent",
            "ButtonReplyContent",
            "ListReplyContent",
            "TemplateButtonContent",
            "ReactionContent",
            "ReactionContent",
            "OrderContent",
            "UnsupportedContent",
            "SystemContent",
            "FlowReplyContent",
            "TextContent",
            "TextContent",
        ]
    );
    assert_eq!(messages[1]["content"]["mediaType"], "IMAGE");
    assert_eq!(messages[1]["text"], "a photo");
    assert_eq!(messages[1]["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(messages[2]["content"]["voice"], true);
    assert_eq!(messages[3]["attachments"][0]["filename"], "invoice.pdf");
    assert_eq!(messages[4]["content"]["mediaType"], "STICKER");
    assert_eq!(messages[6]["content"]["name"], "Office");
    assert_eq!(
        messages[7]["content"]["contacts"][0]["formattedName"],
        "Rui Costa"
    );
    assert_eq!(messages[9]["content"]["description"], "afternoon");
    assert_eq!(messages[10]["content"]["payload"], "STOP_PROMO");
    assert_eq!(messages[11]["content"]["emoji"], "👍");
    assert!(messages[12]["content"]["emoji"].is_null());
    assert_eq!(messages[13]["content"]["catalogId"], "cat1");
    assert_eq!(
        messages[13]["content"]["items"][0],
        json!({ "productRetailerId": "SKU-1", "quantity": 2, "itemPrice": 12.5, "currency": "EUR" })
    );
    assert_eq!(messages[15]["content"]["newWaId"], "34600000001");
    assert_eq!(
        messages[16]["content"]["responseJson"],
        "{\"date\":\"2026-12-24\"}"
    );
    assert_eq!(messages[17]["replyToProviderId"], "wamid.OUT1");
    assert_eq!(messages[18]["forwarded"], true);
    assert!(messages[18]["referral"]["sourceUrl"].is_string());
}

#[tokio::test]
async fn every_twilio_inbound_family_is_stored_and_several_media_make_one_message() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let sid = channel.account.sid.clone();
    let photo = app.twilio.add_media(&sid, "image/jpeg", vec![1, 2, 3]);
    let pdf = app.twilio.add_media(&sid, "application/pdf", vec![4, 5, 6]);
    let sends = vec![
        InboundParams::media(
            &sid,
            CUSTOMER,
            SENDER,
            "two files",
            &[
                (photo, "image/jpeg".into()),
                (pdf, "application/pdf".into()),
            ],
        ),
        InboundParams::location(&sid, CUSTOMER, SENDER, 38.7, -9.1, "Office", "Rua A"),
        InboundParams::template_button(&sid, CUSTOMER, SENDER, "Stop promotions", "STOP_PROMO"),
        InboundParams::quick_reply(&sid, CUSTOMER, SENDER, "Yes", "yes"),
        InboundParams::unsupported(&sid, CUSTOMER, SENDER, "order"),
        InboundParams::text(&sid, CUSTOMER, SENDER, "from an ad")
            .with_referral("https://fb.me/ad", "Spring sale"),
        InboundParams::text(&sid, CUSTOMER, SENDER, "quoting you")
            .replying_to("SM00000000000000000000000000000abc", SENDER)
            .forwarded(),
    ];
    for params in &sends {
        let delivery = app
            .twilio
            .deliver_inbound(&channel.webhook, &channel.account.auth_token, params)
            .await
            .unwrap();
        assert_eq!(delivery.status, 200, "{:?}", params.get("MessageType"));
    }
    let conversations = conversations(&tenant).await;
    let mut messages = messages_of(&conversations[0]);
    messages.reverse();
    assert_eq!(messages.len(), sends.len());
    assert_eq!(messages[0]["content"]["__typename"], "MediaContent");
    let attachments = messages[0]["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 2);
    assert_eq!(attachments[1]["contentType"], "application/pdf");
    assert_eq!(messages[1]["content"]["__typename"], "LocationContent");
    assert_eq!(
        messages[2]["content"]["__typename"],
        "TemplateButtonContent"
    );
    assert_eq!(messages[3]["content"]["__typename"], "ButtonReplyContent");
    assert_eq!(messages[4]["content"]["__typename"], "UnsupportedContent");
    assert_eq!(messages[5]["text"], "from an ad");
    assert_eq!(messages[5]["referral"]["headline"], "Spring sale");
    assert_eq!(
        messages[6]["replyToProviderId"],
        "SM00000000000000000000000000000abc"
    );
    assert_eq!(messages[6]["forwarded"], true);
}
