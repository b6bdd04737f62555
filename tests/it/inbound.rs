//! Inbound webhooks: signed by the fakes, stored once, threaded into conversations, and
//! refused without storing when anything is off.

use serde_json::{json, Value};
use switchboard::fakes::meta::FakeInbound;
use switchboard::fakes::twilio::InboundParams;

use crate::support::fixtures::{
    conversations, default_meta_channel, meta_channel, twilio_channel, twilio_inbound, CUSTOMER,
    META_APP_SECRET, SENDER,
};
use crate::support::TestApp;

pub(crate) fn messages_of(conversation: &Value) -> Vec<Value> {
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
    let meta = default_meta_channel(&app, &tenant).await;
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
    let meta = default_meta_channel(&app, &tenant).await;
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
    let meta = default_meta_channel(&app, &tenant).await;
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
    twilio_inbound(&app, &channel, "hi").await;
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
    let sales = default_meta_channel(&app, &acme).await;
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
