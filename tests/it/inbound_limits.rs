//! Hostile webhooks and inputs: counts a provider cannot send, oversized batches, junk
//! senders and unbounded free text are refused with a clear answer, and the server stays
//! healthy for everyone else.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use switchboard::fakes::twilio::InboundParams;

use crate::support::fixtures::{
    default_meta_channel, meta_channel, twilio_channel, twilio_inbound, MetaChannel, CUSTOMER,
    META_APP_SECRET, SENDER,
};
use crate::support::{TestApp, TestTenant};

async fn assert_healthy(app: &TestApp) {
    let health = tokio::time::timeout(
        crate::support::deadline(10),
        app.http.get(app.url("/healthz")).send(),
    )
    .await
    .expect("/healthz answers in time")
    .unwrap();
    assert_eq!(health.status().as_u16(), 200);
}

async fn count(app: &TestApp, table: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let db = Database::connect(&app.database_url).await.unwrap();
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    db.close().await.ok();
    row.try_get::<i64>("", "n").unwrap()
}

async fn contact_numbers(tenant: &TestTenant) -> Vec<String> {
    tenant
        .owner
        .gql
        .query(
            "{ contacts(first: 100) { edges { node { phoneNumber } } } }",
            json!({}),
        )
        .await
        .data()["contacts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["phoneNumber"].as_str().unwrap().to_owned())
        .collect()
}

fn meta_text(from: &str, id: &str) -> Value {
    json!({"from": from, "id": id, "timestamp": "1749416383", "type": "text", "text": {"body": "hi"}})
}

/// A signed Meta delivery of `messages` to `channel`, answered with its status.
async fn post_meta(app: &TestApp, channel: &MetaChannel, messages: Vec<Value>) -> u16 {
    let body = serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": channel.phone_number_id},
            "messages": messages}}]}]
    }))
    .unwrap();
    let signature = switchboard::fakes::meta::hub_signature(META_APP_SECRET, &body);
    app.http
        .post(&channel.webhook)
        .header("x-hub-signature-256", signature)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_twilio_webhook_claiming_a_quadrillion_media_is_refused_at_once() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let sid = channel.account.sid.clone();
    let attack = InboundParams::text(&sid, CUSTOMER, SENDER, "")
        .set("MessageType", "image")
        .set("NumMedia", "1000000000000000")
        .set("MediaUrl0", "https://api.twilio.com/m0");
    let started = Instant::now();
    let answer = tokio::time::timeout(
        crate::support::deadline(10),
        app.twilio
            .deliver_inbound(&channel.webhook, &channel.account.auth_token, &attack),
    )
    .await
    .expect("the webhook is answered, not looped on")
    .unwrap();
    assert_eq!(
        answer.status, 400,
        "a count Twilio cannot send is a bad webhook"
    );
    eprintln!("NumMedia=1e15 answered in {:?}", started.elapsed());
    assert_healthy(&app).await;
    assert_eq!(count(&app, "messages").await, 0);

    // A real two-media message still keeps both.
    let photo = app.twilio.add_media(&sid, "image/jpeg", vec![1, 2, 3]);
    let pdf = app.twilio.add_media(&sid, "application/pdf", vec![4, 5, 6]);
    let two = InboundParams::media(
        &sid,
        CUSTOMER,
        SENDER,
        "two files",
        &[
            (photo, "image/jpeg".into()),
            (pdf, "application/pdf".into()),
        ],
    );
    let answer = app
        .twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &two)
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    let messages = tenant
        .owner
        .gql
        .query(
            "{ messages { edges { node { attachments { contentType } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        messages.data()["messages"]["edges"][0]["node"]["attachments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_meta_batch_over_the_cap_is_refused_and_one_at_the_cap_stored_while_others_are_served() {
    const CAP: usize = 600;
    let app = TestApp::spawn_with(|c| c.webhook_max_events = CAP).await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let big = default_meta_channel(&app, &acme).await;
    let small = meta_channel(&app, &globex, "+15550783882", "106540352242923").await;
    let batch = |n: usize, tag: &str| -> Vec<Value> {
        (0..n)
            .map(|i| meta_text(&format!("3460{:07}", i), &format!("wamid.{tag}{i}")))
            .collect()
    };

    assert_eq!(post_meta(&app, &big, batch(CAP + 1, "OVER")).await, 413);
    assert_eq!(count(&app, "messages").await, 0, "nothing of it is stored");

    let started = Instant::now();
    let at_cap = async {
        let status = post_meta(&app, &big, batch(CAP, "CAP")).await;
        (status, started.elapsed())
    };
    let other = async {
        // Sent once the big batch has started committing.
        // Polls faster than `eventually`: the small batch must go while the big one is
        // still committing, which a 50 ms poll could miss.
        let deadline = Instant::now() + crate::support::deadline(20);
        while count(&app, "messages").await == 0 {
            assert!(Instant::now() < deadline, "the big batch never started");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let sent = Instant::now();
        let status = post_meta(&app, &small, vec![meta_text("34699999999", "wamid.OTHER")]).await;
        (status, sent.elapsed(), started.elapsed())
    };
    let ((big_status, big_done), (other_status, other_waited, other_done)) =
        tokio::join!(at_cap, other);
    eprintln!(
        "{CAP} messages stored in {big_done:?}; the other tenant's webhook answered in {other_waited:?}"
    );
    assert_eq!(big_status, 200);
    assert_eq!(other_status, 200);
    assert!(
        other_done < big_done,
        "the other tenant's webhook waited for the whole batch ({other_waited:?})"
    );
    assert!(
        other_waited < crate::support::deadline(5),
        "the other tenant waited {other_waited:?}"
    );
    assert_eq!(count(&app, "messages").await, CAP as i64 + 1);
    assert_healthy(&app).await;
}

#[tokio::test]
async fn junk_senders_create_no_contacts() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let twilio = twilio_channel(&app, &tenant).await;
    let meta = default_meta_channel(&app, &tenant).await;
    let sid = twilio.account.sid.clone();
    let long = "1".repeat(100_000);
    for junk in ["abc", "", &long] {
        let params = InboundParams::text(&sid, CUSTOMER, SENDER, "hi")
            .set("From", &format!("whatsapp:{junk}"))
            .set("WaId", junk);
        let answer = app
            .twilio
            .deliver_inbound(&twilio.webhook, &twilio.account.auth_token, &params)
            .await
            .unwrap();
        assert_eq!(answer.status, 400, "From=whatsapp:{:.10}", junk);
    }
    let status = post_meta(
        &app,
        &meta,
        vec![
            meta_text("", "wamid.J1"),
            meta_text("abc", "wamid.J2"),
            meta_text(&long, "wamid.J3"),
            meta_text("34600000000", "wamid.GOOD"),
        ],
    )
    .await;
    assert_eq!(status, 200, "the good message of the batch is kept");
    assert_eq!(contact_numbers(&tenant).await, vec![CUSTOMER.to_owned()]);
    assert_eq!(count(&app, "messages").await, 1);
    assert_healthy(&app).await;
}

#[tokio::test]
async fn a_refused_send_to_a_new_number_creates_no_contact() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let send = tenant
        .owner
        .gql
        .query(
            "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }",
            json!({ "i": { "channelId": channel.id, "to": "+34611111111",
                           "content": { "text": { "body": "hello" } } } }),
        )
        .await;
    assert_eq!(send.code(), "WINDOW_CLOSED");
    assert!(contact_numbers(&tenant).await.is_empty());
}

/// An open conversation to send into.
async fn open_conversation(app: &TestApp, tenant: &TestTenant) -> String {
    let channel = twilio_channel(app, tenant).await;
    twilio_inbound(app, &channel, "hi").await;
    crate::support::fixtures::conversations(tenant).await[0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn free_text_inputs_are_bounded_and_control_characters_refused() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let conversation = open_conversation(&app, &tenant).await;
    let send = |content: Value| {
        let gql = tenant.owner.gql.clone();
        let conversation = conversation.clone();
        async move {
            gql.query(
                "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }",
                json!({ "i": { "conversationId": conversation, "content": content } }),
            )
            .await
        }
    };
    let emails: Vec<String> = (0..10_000).map(|i| format!("a{i}@b.example")).collect();
    for (content, field) in [
        (
            json!({ "text": { "body": "nul \u{0} inside" } }),
            "content.text.body",
        ),
        (
            json!({ "location": { "latitude": 1.0, "longitude": 2.0, "name": "n".repeat(10_000) } }),
            "content.location.name",
        ),
        (
            json!({ "location": { "latitude": 1.0, "longitude": 2.0, "address": "a".repeat(10_000) } }),
            "content.location.address",
        ),
        (
            json!({ "media": { "type": "DOCUMENT", "url": "https://files.example/a.pdf", "filename": "f".repeat(10_000) } }),
            "content.media.filename",
        ),
        (
            json!({ "contacts": [{ "formattedName": "Ana", "emails": emails }] }),
            "content.contacts[0].emails",
        ),
    ] {
        let answer = send(content).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{field}");
        assert_eq!(
            answer.body["errors"][0]["extensions"]["field"], field,
            "{:?}",
            answer.body
        );
    }
    assert_eq!(
        send(json!({ "text": { "body": "two\nlines\tand a tab" } }))
            .await
            .body["errors"],
        Value::Null
    );

    let huge = "x".repeat(900_000);
    for (query, field) in [
        (
            "query($s: String) { contacts(search: $s) { edges { cursor } } }",
            "search",
        ),
        (
            "query($s: String) { messages(filter: { text: $s }) { edges { cursor } } }",
            "filter.text",
        ),
    ] {
        let answer = tenant.owner.gql.query(query, json!({ "s": huge })).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{field}");
        assert_eq!(answer.body["errors"][0]["extensions"]["field"], field);
    }

    let channel = tenant
        .owner
        .gql
        .query("{ channels { id } }", json!({}))
        .await
        .data()["channels"][0]["id"]
        .clone();
    let types: Vec<String> = (0..10_000).map(|i| format!("image/x-{i}")).collect();
    let answer = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!, $t: [String!]) { updateChannel(id: $id, input: { settings: { allowedMediaTypes: $t } }) { id } }",
            json!({ "id": channel, "t": types }),
        )
        .await;
    assert_eq!(answer.code(), "BAD_USER_INPUT");
    assert_eq!(
        answer.body["errors"][0]["extensions"]["field"],
        "settings.allowedMediaTypes"
    );
    assert_healthy(&app).await;
}
