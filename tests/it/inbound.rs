//! Inbound webhooks: signed by the fakes, stored once, threaded into conversations, and
//! refused without storing when anything is off.

use serde_json::{json, Value};
use switchboard::fakes::meta::{FakeInbound, FakePhoneNumber, InboundKind};
use switchboard::fakes::twilio::{FakeAccount, InboundParams};

use crate::channels::{create_channel, META_APP_SECRET, META_TOKEN};
use crate::support::{TestApp, TestTenant};

pub const CUSTOMER: &str = "+34600000000";
pub const SENDER: &str = "+14155238886";

pub struct TwilioChannel {
    pub id: String,
    pub webhook: String,
    pub account: FakeAccount,
}

pub async fn twilio_channel(app: &TestApp, tenant: &TestTenant) -> TwilioChannel {
    let account = app.twilio.add_account("Acme", SENDER);
    let channel = create_channel(
        tenant,
        json!({ "name": "Support", "provider": "TWILIO", "phoneNumber": SENDER,
                "twilio": { "accountSid": account.sid, "authToken": account.auth_token } }),
    )
    .await;
    TwilioChannel {
        id: channel["id"].as_str().unwrap().to_owned(),
        webhook: channel["webhookUrl"].as_str().unwrap().to_owned(),
        account,
    }
}

pub struct MetaChannel {
    pub id: String,
    pub webhook: String,
    pub verify_token: String,
    pub phone_number_id: String,
}

pub async fn meta_channel(
    app: &TestApp,
    tenant: &TestTenant,
    number: &str,
    phone_number_id: &str,
) -> MetaChannel {
    app.meta.set_app_secret(META_APP_SECRET);
    app.meta.add_phone_number(FakePhoneNumber::new(
        phone_number_id,
        "102290129340398",
        META_TOKEN,
    ));
    let channel =
        create_channel(tenant, crate::channels::meta_input(number, phone_number_id)).await;
    MetaChannel {
        id: channel["id"].as_str().unwrap().to_owned(),
        webhook: channel["webhookUrl"].as_str().unwrap().to_owned(),
        verify_token: channel["verifyToken"].as_str().unwrap().to_owned(),
        phone_number_id: phone_number_id.to_owned(),
    }
}

const CONVERSATIONS: &str = "{ conversations { edges { node { id status windowOpen windowExpiresAt
    channel { id } contact { waId phoneNumber profileName optedIn }
    messages { edges { node { id direction status text providerMessageId replyToProviderId forwarded referral { headline sourceUrl }
      content { __typename ... on TextContent { body } ... on MediaContent { mediaType caption voice }
        ... on LocationContent { latitude longitude name address } ... on ContactsContent { contacts { formattedName phones { phone } } }
        ... on ButtonReplyContent { id title } ... on ListReplyContent { id title description }
        ... on TemplateButtonContent { payload text } ... on ReactionContent { messageId emoji }
        ... on OrderContent { catalogId text items { productRetailerId quantity itemPrice currency } }
        ... on SystemContent { kind newWaId } ... on FlowReplyContent { name responseJson }
        ... on UnsupportedContent { rawType } }
      attachments { contentType state filename } } } } } } } }";

pub async fn conversations(tenant: &TestTenant) -> Value {
    tenant
        .owner
        .gql
        .query(CONVERSATIONS, json!({}))
        .await
        .data()["conversations"]["edges"]
        .clone()
}

fn messages_of(conversation: &Value) -> Vec<Value> {
    conversation["node"]["messages"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn a_twilio_message_opens_a_conversation_and_a_replay_is_a_no_op() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let params = InboundParams::text(&channel.account.sid, CUSTOMER, SENDER, "Hello there")
        .set("ProfileName", "Ana");
    for _ in 0..2 {
        let delivery = app
            .twilio
            .deliver_inbound(&channel.webhook, &channel.account.auth_token, &params)
            .await
            .unwrap();
        assert_eq!(delivery.status, 200);
        assert!(delivery.body.contains("<Response/>"), "{}", delivery.body);
    }
    let conversations = conversations(&tenant).await;
    assert_eq!(conversations.as_array().unwrap().len(), 1);
    let conversation = &conversations[0]["node"];
    assert_eq!(conversation["status"], "OPEN");
    assert_eq!(conversation["windowOpen"], true);
    assert_eq!(conversation["channel"]["id"], channel.id.as_str());
    assert_eq!(conversation["contact"]["waId"], "34600000000");
    assert_eq!(conversation["contact"]["profileName"], "Ana");
    let messages = messages_of(&conversations[0]);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["direction"], "INBOUND");
    assert_eq!(messages[0]["status"], "RECEIVED");
    assert_eq!(messages[0]["text"], "Hello there");
    assert_eq!(messages[0]["providerMessageId"], params.message_sid());

    // A second message reuses the conversation and keeps the profile name current.
    let next = InboundParams::text(&channel.account.sid, CUSTOMER, SENDER, "Still there?")
        .set("ProfileName", "Ana María");
    app.twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &next)
        .await
        .unwrap();
    let conversations = self::conversations(&tenant).await;
    assert_eq!(conversations.as_array().unwrap().len(), 1);
    assert_eq!(messages_of(&conversations[0]).len(), 2);
    assert_eq!(
        conversations[0]["node"]["contact"]["profileName"],
        "Ana María"
    );
}

#[tokio::test]
async fn a_bad_signature_is_refused_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let twilio = twilio_channel(&app, &tenant).await;
    let meta = meta_channel(&app, &tenant, "+15550783881", "106540352242922").await;
    let params = InboundParams::text(&twilio.account.sid, CUSTOMER, SENDER, "forged");
    let forged = app
        .twilio
        .deliver_inbound(&twilio.webhook, "ffffffffffffffffffffffffffffffff", &params)
        .await
        .unwrap();
    assert_eq!(forged.status, 403);
    app.meta.set_app_secret("not-the-channel-secret");
    let delivered = app
        .meta
        .deliver_inbound(
            &meta.webhook,
            &meta.phone_number_id,
            &FakeInbound::text("34600000000", "forged"),
        )
        .await
        .unwrap();
    assert_eq!(delivered.status, 403);
    let unsigned = app
        .http
        .post(&meta.webhook)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 403);
    let unsigned = app
        .http
        .post(&twilio.webhook)
        .form(&[("Body", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 403);
    assert_eq!(conversations(&tenant).await.as_array().unwrap().len(), 0);
    let contacts = tenant
        .owner
        .gql
        .query("{ contacts { edges { cursor } } }", json!({}))
        .await;
    assert_eq!(
        contacts.data()["contacts"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn unknown_keys_oversized_and_malformed_bodies_are_refused() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = meta_channel(&app, &tenant, "+15550783881", "106540352242922").await;
    let unknown = app
        .http
        .post(app.url("/webhooks/twilio/nope"))
        .form(&[("Body", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    let wrong_provider = meta.webhook.replace("/webhooks/meta/", "/webhooks/twilio/");
    assert_eq!(
        app.http
            .post(&wrong_provider)
            .form(&[("a", "b")])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    let big = vec![b'x'; (1 << 20) + 10];
    let too_large = app.http.post(&meta.webhook).body(big).send().await.unwrap();
    assert_eq!(too_large.status().as_u16(), 413);
    let body = br#"{"object":"whatsapp_business_account","entry":"nope"}"#;
    let signature = switchboard::fakes::meta::hub_signature(META_APP_SECRET, body);
    let malformed = app
        .http
        .post(&meta.webhook)
        .header("x-hub-signature-256", signature)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status().as_u16(), 400);
}

#[tokio::test]
async fn the_meta_handshake_answers_the_challenge_only_for_the_right_token() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = meta_channel(&app, &tenant, "+15550783881", "106540352242922").await;
    assert!(app
        .meta
        .verify_webhook(&meta.webhook, &meta.verify_token)
        .await
        .unwrap());
    assert!(!app
        .meta
        .verify_webhook(&meta.webhook, "wrong-token")
        .await
        .unwrap());
    let challenge = app
        .http
        .get(format!(
            "{}?hub.mode=subscribe&hub.verify_token={}&hub.challenge=12345",
            meta.webhook, meta.verify_token
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(challenge.status().as_u16(), 200);
    assert_eq!(challenge.text().await.unwrap(), "12345");
    let wrong_mode = app
        .http
        .get(format!(
            "{}?hub.mode=unsubscribe&hub.verify_token={}&hub.challenge=1",
            meta.webhook, meta.verify_token
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_mode.status().as_u16(), 403);
}

#[tokio::test]
async fn every_meta_inbound_type_is_stored() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = meta_channel(&app, &tenant, "+15550783881", "106540352242922").await;
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

#[tokio::test]
async fn stop_opts_a_contact_out_and_start_back_in() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let say = |text: &str| InboundParams::text(&channel.account.sid, CUSTOMER, SENDER, text);
    let opted_in =
        || async { conversations(&tenant).await[0]["node"]["contact"]["optedIn"].clone() };
    for (text, expected) in [
        ("hello", true),
        ("  Stop ", false),
        ("please stop sending", false),
        ("START", true),
        ("unsubscribe", false),
    ] {
        app.twilio
            .deliver_inbound(&channel.webhook, &channel.account.auth_token, &say(text))
            .await
            .unwrap();
        assert_eq!(opted_in().await, expected, "after {text:?}");
    }
    let contact = tenant
        .owner
        .gql
        .query("{ contacts { edges { node { id } } } }", json!({}))
        .await;
    let id = contact.data()["contacts"]["edges"][0]["node"]["id"].clone();
    let set = tenant
        .owner
        .gql
        .query("mutation($id: ID!) { setContactOptIn(contactId: $id, optedIn: true) { optedIn optedOutAt } }", json!({ "id": id }))
        .await;
    assert_eq!(set.data()["setContactOptIn"]["optedIn"], true);
    let audit = tenant
        .owner
        .gql
        .query(
            "{ auditLog(first: 10) { edges { node { action actor } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<String> = audit.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "contact.opt_out").count(),
        2,
        "{actions:?}"
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "contact.opt_in").count(),
        2,
        "{actions:?}"
    );
}

#[tokio::test]
async fn another_tenant_sees_none_of_it() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let channel = twilio_channel(&app, &acme).await;
    let params = InboundParams::text(&channel.account.sid, CUSTOMER, SENDER, "hi");
    app.twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &params)
        .await
        .unwrap();
    let conversation = conversations(&acme).await[0]["node"].clone();
    let message = messages_of(&json!({ "node": conversation.clone() }))[0].clone();
    let contact = acme
        .owner
        .gql
        .query("{ contacts { edges { node { id } } } }", json!({}))
        .await
        .data()["contacts"]["edges"][0]["node"]["id"]
        .clone();
    for (query, vars) in [
        (
            "query($id: ID!) { conversation(id: $id) { id } }",
            json!({ "id": conversation["id"] }),
        ),
        (
            "query($id: ID!) { message(id: $id) { id } }",
            json!({ "id": message["id"] }),
        ),
        (
            "query($id: ID!) { contact(id: $id) { id } }",
            json!({ "id": contact }),
        ),
        (
            "mutation($id: ID!) { setContactOptIn(contactId: $id, optedIn: false) { id } }",
            json!({ "id": contact }),
        ),
    ] {
        assert_eq!(
            globex.owner.gql.query(query, vars).await.code(),
            "NOT_FOUND",
            "{query}"
        );
    }
    assert_eq!(conversations(&globex).await.as_array().unwrap().len(), 0);
    let lists = globex
        .owner
        .gql
        .query(
            "{ contacts { edges { cursor } } messages { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        lists.data()["contacts"]["edges"].as_array().unwrap().len(),
        0
    );
    assert_eq!(
        lists.data()["messages"]["edges"].as_array().unwrap().len(),
        0
    );
}

#[tokio::test]
async fn one_meta_app_callback_routes_each_number_to_its_channel() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let sales = meta_channel(&app, &acme, "+15550783881", "106540352242922").await;
    let support = meta_channel(&app, &acme, "+15550783882", "106540352242923").await;
    let foreign = meta_channel(&app, &globex, "+15550783883", "106540352242924").await;
    // All three numbers' changes arrive at the sales channel's callback URL.
    for (pnid, text) in [
        (&sales.phone_number_id, "to sales"),
        (&support.phone_number_id, "to support"),
        (&foreign.phone_number_id, "to globex"),
    ] {
        let delivered = app
            .meta
            .deliver_inbound(
                &sales.webhook,
                pnid,
                &FakeInbound::text("34600000000", text),
            )
            .await
            .unwrap();
        assert_eq!(delivered.status, 200);
    }
    let found = conversations(&acme).await;
    let mut by_channel: Vec<(String, String)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["node"]["channel"]["id"].as_str().unwrap().to_owned(),
                messages_of(c)[0]["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    by_channel.sort();
    let mut expected = vec![
        (sales.id.clone(), "to sales".to_owned()),
        (support.id.clone(), "to support".to_owned()),
    ];
    expected.sort();
    assert_eq!(by_channel, expected);
    assert_eq!(conversations(&globex).await.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_storage_failure_answers_503_so_the_provider_retries() {
    use sea_orm::{ConnectionTrait, Database};
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let db = Database::connect(&app.database_url).await.unwrap();
    db.execute_unprepared("DROP TABLE attachments")
        .await
        .unwrap();
    db.close().await.ok();
    let photo = app
        .twilio
        .add_media(&channel.account.sid, "image/jpeg", vec![1, 2, 3]);
    let params = InboundParams::media(
        &channel.account.sid,
        CUSTOMER,
        SENDER,
        "photo",
        &[(photo, "image/jpeg".into())],
    );
    let delivery = app
        .twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &params)
        .await
        .unwrap();
    assert_eq!(delivery.status, 503);
    let messages = tenant
        .owner
        .gql
        .query(
            "{ messages { edges { cursor } } contacts { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        messages.data()["messages"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "the transaction rolled back"
    );
    assert_eq!(
        messages.data()["contacts"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

/// An outbound message as the outbox will record it, for status tests until sends exist.
async fn outbound_fixture(
    app: &TestApp,
    tenant: &TestTenant,
    channel_id: &str,
    provider_id: &str,
) -> String {
    use switchboard::domain::records::MessageRecord;
    use switchboard::domain::{Direction, MessageContent, MessageId, MessageStatus};
    let store = switchboard::store::Store::connect(&app.database_url)
        .await
        .unwrap();
    let scope = store.tenant(tenant.id.parse().unwrap());
    let conversation = scope
        .conversations()
        .list(
            &Default::default(),
            switchboard::domain::PageRequest {
                first: 1,
                after: None,
            },
        )
        .await
        .unwrap()
        .items
        .remove(0);
    let now = chrono::Utc::now();
    let record = MessageRecord {
        id: MessageId::new(),
        revision: uuid::Uuid::now_v7(),
        channel: channel_id.parse().unwrap(),
        conversation: Some(conversation.id),
        contact: conversation.contact,
        direction: Direction::Outbound,
        status: MessageStatus::Queued,
        provider_message_id: Some(provider_id.to_owned()),
        content: MessageContent::Text {
            body: "We are on it".into(),
            preview_url: false,
        },
        reply_to_provider_id: None,
        forwarded: false,
        referral: None,
        idempotency_key: None,
        error_code: None,
        error_message: None,
        part: switchboard::domain::records::Part::WHOLE,
        sent_at: now,
        created_at: now,
        updated_at: now,
    };
    scope.messages().insert(&record, &[], now).await.unwrap();
    store.close().await;
    record.id.to_string()
}

#[tokio::test]
async fn statuses_move_forward_only_whatever_their_order() {
    use switchboard::fakes::meta::StatusSpec;
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = meta_channel(&app, &tenant, "+15550783881", "106540352242922").await;
    app.meta
        .deliver_inbound(
            &meta.webhook,
            &meta.phone_number_id,
            &FakeInbound::text("34600000000", "hi"),
        )
        .await
        .unwrap();
    let id = outbound_fixture(&app, &tenant, &meta.id, "wamid.OUT1").await;
    let status = |s: &str| StatusSpec::new("wamid.OUT1", s, "34600000000");
    for s in ["read", "sent", "delivered", "read"] {
        app.meta
            .send_status(&meta.webhook, &meta.phone_number_id, status(s))
            .await
            .unwrap();
    }
    let mut failed = status("failed");
    failed.error = Some((131047, "Re-engagement message".into()));
    app.meta
        .send_status(&meta.webhook, &meta.phone_number_id, failed)
        .await
        .unwrap();
    let answer = tenant
        .owner
        .gql
        .query("query($id: ID!) { message(id: $id) { status lastError { code } statusHistory { status providerStatus errorCode } } }", json!({ "id": id }))
        .await;
    let message = &answer.data()["message"];
    assert_eq!(
        message["status"], "READ",
        "a late failure does not undo the read"
    );
    assert!(message["lastError"].is_null());
    let history: Vec<&str> = message["statusHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["providerStatus"].as_str().unwrap())
        .collect();
    assert_eq!(history.len(), 4, "each provider status once: {history:?}");
    assert!(message["statusHistory"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["errorCode"] == "131047"));

    // A failure before delivery ends the message with the provider's code.
    let second = outbound_fixture(&app, &tenant, &meta.id, "wamid.OUT2").await;
    app.meta
        .send_status(
            &meta.webhook,
            &meta.phone_number_id,
            StatusSpec::new("wamid.OUT2", "sent", "34600000000"),
        )
        .await
        .unwrap();
    let mut failed = StatusSpec::new("wamid.OUT2", "failed", "34600000000");
    failed.error = Some((131026, "Message undeliverable".into()));
    app.meta
        .send_status(&meta.webhook, &meta.phone_number_id, failed)
        .await
        .unwrap();
    app.meta
        .send_status(
            &meta.webhook,
            &meta.phone_number_id,
            StatusSpec::new("wamid.OUT2", "delivered", "34600000000"),
        )
        .await
        .unwrap();
    let answer = tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { message(id: $id) { status lastError { code message } } }",
            json!({ "id": second }),
        )
        .await;
    assert_eq!(answer.data()["message"]["status"], "FAILED");
    assert_eq!(answer.data()["message"]["lastError"]["code"], "131026");
}

#[tokio::test]
async fn a_status_that_beats_its_message_applies_when_the_message_is_recorded() {
    use switchboard::fakes::meta::StatusSpec;
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = meta_channel(&app, &tenant, "+15550783881", "106540352242922").await;
    app.meta
        .deliver_inbound(
            &meta.webhook,
            &meta.phone_number_id,
            &FakeInbound::text("34600000000", "hi"),
        )
        .await
        .unwrap();
    for s in ["delivered", "sent"] {
        app.meta
            .send_status(
                &meta.webhook,
                &meta.phone_number_id,
                StatusSpec::new("wamid.EARLY", s, "34600000000"),
            )
            .await
            .unwrap();
    }
    let id = outbound_fixture(&app, &tenant, &meta.id, "wamid.EARLY").await;
    let answer = tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { message(id: $id) { status statusHistory { providerStatus } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(answer.data()["message"]["status"], "DELIVERED");
    assert_eq!(
        answer.data()["message"]["statusHistory"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_status_for_an_unknown_message_is_kept() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    use switchboard::fakes::meta::StatusSpec;
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = meta_channel(&app, &tenant, "+15550783881", "106540352242922").await;
    for _ in 0..2 {
        app.meta
            .send_status(
                &meta.webhook,
                &meta.phone_number_id,
                StatusSpec::new("wamid.LATER", "delivered", "34600000000"),
            )
            .await
            .unwrap();
    }
    let db = Database::connect(&app.database_url).await.unwrap();
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT provider_message_id FROM pending_statuses",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "kept once");
    db.close().await.ok();
}

#[tokio::test]
async fn a_tenant_may_choose_its_own_keywords() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let set = tenant
        .owner
        .gql
        .query(
            "mutation { updateTenantSettings(input: { optOutKeywords: [\"Basta ya\", \"basta YA\"], optInKeywords: [\"Volver\"] }) { optOutKeywords optInKeywords } }",
            json!({}),
        )
        .await;
    assert_eq!(
        set.data()["updateTenantSettings"]["optOutKeywords"],
        json!(["Basta ya"])
    );
    let blank = tenant
        .owner
        .gql
        .query(
            "mutation { updateTenantSettings(input: { optOutKeywords: [\" \"] }) { name } }",
            json!({}),
        )
        .await;
    assert_eq!(
        blank.body["errors"][0]["extensions"]["field"],
        "optOutKeywords"
    );
    let say = |text: &str| InboundParams::text(&channel.account.sid, CUSTOMER, SENDER, text);
    for (text, expected) in [("STOP", true), ("BASTA YA", false), ("volver", true)] {
        app.twilio
            .deliver_inbound(&channel.webhook, &channel.account.auth_token, &say(text))
            .await
            .unwrap();
        assert_eq!(
            conversations(&tenant).await[0]["node"]["contact"]["optedIn"],
            expected,
            "after {text:?}"
        );
    }
}
