//! What a message's answer tells: the HTTP status of every provider call, every part of a
//! split text, what outbound media was sent, status history in the order it happened, and
//! inbound times at one precision whichever provider brought them.

use std::time::Duration;

use serde_json::{json, Value};
use switchboard::fakes::meta::Fault;
use switchboard::fakes::twilio::InboundParams;

use crate::support::fixtures::{
    meta_conversation, send_message, twilio_channel, twilio_conversation, CUSTOMER, SENDER,
};
use crate::support::{TestApp, TestTenant};

const MESSAGE: &str = "query($id: ID!) { message(id: $id) { id status \
    attempts { number outcome httpStatus providerCode } \
    statusHistory { status providerStatus at } } }";

async fn message(tenant: &TestTenant, query: &str, id: &str) -> Value {
    tenant
        .owner
        .gql
        .query(query, json!({ "id": id }))
        .await
        .data()["message"]
        .clone()
}

/// The message once `done` says so, within the scaled deadline.
async fn eventually(
    tenant: &TestTenant,
    query: &str,
    id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    crate::support::eventually(
        20,
        "the message settles",
        || message(tenant, query, id),
        done,
    )
    .await
}

fn left_queue(m: &Value) -> bool {
    m["status"] != "QUEUED"
}

#[tokio::test]
async fn meta_attempts_record_the_http_status_of_success_and_of_refusal() {
    let app = TestApp::spawn().await;
    let (tenant, _, conversation) = meta_conversation(&app, "help").await;
    app.meta.fail_next(132001, 1);
    let refused = send_message(
        &tenant,
        json!({ "conversationId": conversation, "content": { "text": { "body": "first" } } }),
    )
    .await;
    let refused = eventually(&tenant, MESSAGE, &refused, left_queue).await;
    assert_eq!(refused["status"], "FAILED", "{refused}");
    assert_eq!(refused["attempts"][0]["providerCode"], "132001");
    assert_eq!(refused["attempts"][0]["httpStatus"], 404, "{refused}");

    let sent = send_message(
        &tenant,
        json!({ "conversationId": conversation, "content": { "text": { "body": "second" } } }),
    )
    .await;
    let sent = eventually(&tenant, MESSAGE, &sent, left_queue).await;
    assert_eq!(sent["attempts"][0]["outcome"], "SENT", "{sent}");
    assert_eq!(sent["attempts"][0]["httpStatus"], 200, "{sent}");
    app.finish().await;
}

#[tokio::test]
async fn twilio_attempts_record_the_http_status_of_each_retry_and_of_the_send() {
    let app = TestApp::spawn().await;
    let (tenant, channel) = twilio_conversation(&app).await;
    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateChannel(id: $id, input: { settings: { retryWaitSeconds: 1 } }) { id } }",
            json!({ "id": channel.id }),
        )
        .await
        .data();
    app.twilio.fail_next(20503, 1);
    let id = send_message(
        &tenant,
        json!({ "channelId": channel.id, "to": CUSTOMER, "content": { "text": { "body": "hello" } } }),
    )
    .await;
    let message = eventually(&tenant, MESSAGE, &id, |m| {
        m["attempts"].as_array().is_some_and(|a| a.len() == 2) && left_queue(m)
    })
    .await;
    let attempts = &message["attempts"];
    assert_eq!(attempts[0]["outcome"], "RETRY", "{message}");
    assert_eq!(attempts[0]["httpStatus"], 503, "{message}");
    assert_eq!(attempts[1]["outcome"], "SENT", "{message}");
    assert_eq!(attempts[1]["httpStatus"], 201, "{message}");
    app.finish().await;
}

#[tokio::test]
async fn an_attempt_without_an_answer_has_no_http_status() {
    let app = TestApp::spawn_with(|config| {
        config.provider_timeout = Duration::from_secs(1);
        config.outbox_lease = Duration::from_secs(3);
    })
    .await;
    let (tenant, _, conversation) = meta_conversation(&app, "help").await;
    app.meta.inject(Fault::Delay(Duration::from_secs(3)), 1);
    let id = send_message(
        &tenant,
        json!({ "conversationId": conversation, "content": { "text": { "body": "slow" } } }),
    )
    .await;
    let message = eventually(&tenant, MESSAGE, &id, |m| {
        m["attempts"][0]["outcome"]
            .as_str()
            .is_some_and(|o| o != "IN_FLIGHT")
    })
    .await;
    assert_eq!(message["attempts"][0]["outcome"], "TIMEOUT", "{message}");
    assert_eq!(
        message["attempts"][0]["httpStatus"],
        Value::Null,
        "{message}"
    );
}

const INBOUND: &str = "query { messages(filter: { direction: INBOUND }) { edges { node { \
    sentAt channel { provider } } } } }";

/// Inbound `sentAt` values by provider.
async fn inbound_times(tenant: &TestTenant) -> Vec<(String, String)> {
    let answer = tenant.owner.gql.query(INBOUND, json!({})).await;
    answer.data()["messages"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["channel"]["provider"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                e["node"]["sentAt"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn inbound_times_are_whole_seconds_on_both_providers() {
    let app = TestApp::spawn().await;
    let (tenant, _, _) = meta_conversation(&app, "help").await;
    let channel = twilio_channel(&app, &tenant).await;
    let hello = InboundParams::text(&channel.account.sid, CUSTOMER, SENDER, "hi");
    let before = chrono::Utc::now();
    app.twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &hello)
        .await
        .unwrap();
    let times = inbound_times(&tenant).await;
    let mut providers: Vec<&str> = times.iter().map(|(p, _)| p.as_str()).collect();
    providers.sort_unstable();
    assert_eq!(providers, ["META", "TWILIO"], "{times:?}");
    for (provider, at) in &times {
        let parsed = chrono::DateTime::parse_from_rfc3339(at).unwrap();
        assert_eq!(parsed.timestamp_subsec_nanos(), 0, "{provider}: {at}");
        assert!(!at.contains('.'), "{provider}: {at}");
    }
    // Twilio sends no time: the arrival time stands in, to the second.
    let (_, twilio_at) = times.iter().find(|(p, _)| p == "TWILIO").unwrap();
    let twilio_at = chrono::DateTime::parse_from_rfc3339(twilio_at).unwrap();
    assert!(
        twilio_at.timestamp() >= before.timestamp(),
        "{twilio_at} {before}"
    );
    assert!(twilio_at.timestamp() <= chrono::Utc::now().timestamp());
}

#[tokio::test]
async fn meta_status_history_reads_in_the_order_it_happened() {
    let app = TestApp::spawn().await;
    let (tenant, meta, conversation) = meta_conversation(&app, "help").await;
    app.meta.set_webhook_url(Some(&meta.webhook));
    let id = send_message(
        &tenant,
        json!({ "conversationId": conversation, "content": { "text": { "body": "On it" } } }),
    )
    .await;
    // Meta stamps its statuses to the second, usually the very second we accepted the send in.
    // The message and its history are read one after the other: wait for both.
    let message = eventually(&tenant, MESSAGE, &id, |m| {
        m["status"] == "READ" && m["statusHistory"].as_array().is_some_and(|h| h.len() == 4)
    })
    .await;
    let history = message["statusHistory"].as_array().unwrap();
    let words: Vec<&str> = history
        .iter()
        .map(|s| s["providerStatus"].as_str().unwrap())
        .collect();
    assert_eq!(
        words,
        ["accepted", "sent", "delivered", "read"],
        "{message}"
    );
    let statuses: Vec<&str> = history
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["SENT", "SENT", "DELIVERED", "READ"], "{message}");
    assert_eq!(message["status"], "READ");
}

const SEND_PARTS: &str = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id \
    partNumber partCount parts { id partNumber partCount text } } }";
const PARTS: &str = "query($id: ID!) { message(id: $id) { id status partNumber partCount \
    parts { id partNumber status text } } }";

/// A long text of distinct words, so the parts can be told apart.
fn long_text(words: usize) -> String {
    (0..words)
        .map(|i| format!("word{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

#[tokio::test]
async fn a_split_text_answers_every_part_in_order() {
    let app = TestApp::spawn().await;
    let (tenant, _, conversation) = meta_conversation(&app, "tell me everything").await;
    // Meta takes 4,096 characters a message: this goes as two parts.
    let body = long_text(900);
    assert!(body.chars().count() > 4096 && body.chars().count() < 8000);
    let sent = tenant
        .owner
        .gql
        .query(
            SEND_PARTS,
            json!({ "i": { "conversationId": conversation, "content": { "text": { "body": body } } } }),
        )
        .await;
    let answer = &sent.data()["sendMessage"];
    assert_eq!(answer["partNumber"], 1, "{answer}");
    assert_eq!(answer["partCount"], 2, "{answer}");
    let parts = answer["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2, "{answer}");
    assert_eq!(parts[0]["id"], answer["id"]);
    assert_eq!(parts[1]["partNumber"], 2);
    assert_eq!(parts[1]["partCount"], 2);
    let joined: Vec<&str> = parts
        .iter()
        .flat_map(|p| words(p["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        joined,
        words(&body),
        "the parts together are the text, in order"
    );

    // A later part answers the same parts, and each part is sent in turn.
    let second = parts[1]["id"].as_str().unwrap();
    let later = eventually(&tenant, PARTS, second, |m| {
        m["parts"]
            .as_array()
            .is_some_and(|p| p.iter().all(|p| p["status"] != "QUEUED"))
    })
    .await;
    let ids: Vec<&Value> = later["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert_eq!(ids, [&parts[0]["id"], &parts[1]["id"]]);
    let delivered: Vec<String> = app
        .meta
        .sent_messages()
        .iter()
        .map(|m| {
            m.body["text"]["body"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(delivered.len(), 2, "{delivered:?}");
    assert_eq!(delivered[0], parts[0]["text"].as_str().unwrap());
    assert_eq!(delivered[1], parts[1]["text"].as_str().unwrap());

    // A text sent whole is its one part.
    let whole = send_message(
        &tenant,
        json!({ "conversationId": conversation, "content": { "text": { "body": "short" } } }),
    )
    .await;
    let whole = message(&tenant, PARTS, &whole).await;
    assert_eq!(whole["partNumber"], 1);
    assert_eq!(whole["partCount"], 1);
    assert_eq!(whole["parts"][0]["id"], whole["id"]);
    assert_eq!(whole["parts"].as_array().unwrap().len(), 1);

    // Another tenant reaches no part.
    let other = app.new_tenant("Globex").await;
    let answer = other.owner.gql.query(PARTS, json!({ "id": second })).await;
    assert_eq!(answer.code(), "NOT_FOUND");
    app.finish().await;
}

const ATTACHMENTS: &str = "query($id: ID!) { message(id: $id) { id status \
    attachments { id url origin uploadId caption contentType filename state sizeBytes } } }";

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test]
async fn outbound_media_shows_the_file_it_sent() {
    let app = TestApp::spawn().await;
    let (tenant, _, conversation) = meta_conversation(&app, "the invoice please").await;
    let uploaded: Value = app
        .http
        .post(app.url("/media?filename=invoice-42.pdf"))
        .bearer_auth(&tenant.owner.access_token)
        .header("content-type", "application/pdf")
        .body(PDF.to_vec())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let upload_id = uploaded["id"].as_str().unwrap();
    let by_upload = send_message(
        &tenant,
        json!({ "conversationId": conversation, "content": { "media": {
            "type": "DOCUMENT", "mediaId": upload_id, "caption": "Your invoice" } } }),
    )
    .await;
    let message = message(&tenant, ATTACHMENTS, &by_upload).await;
    let attachment = &message["attachments"][0];
    assert_eq!(
        message["attachments"].as_array().unwrap().len(),
        1,
        "{message}"
    );
    assert_eq!(attachment["origin"], "UPLOAD", "{message}");
    assert_eq!(attachment["uploadId"], upload_id);
    assert_eq!(attachment["caption"], "Your invoice");
    assert_eq!(attachment["contentType"], "application/pdf");
    assert_eq!(attachment["filename"], "invoice-42.pdf");
    assert_eq!(attachment["state"], "READY");
    assert_eq!(attachment["sizeBytes"], PDF.len());
    // Its link serves the file sent, as an inbound attachment's does.
    let response = app
        .http
        .get(attachment["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
    let upload_attachment = attachment["id"].as_str().unwrap().to_owned();

    let link = "https://cdn.example.com/catalog/spring.jpg";
    let by_link = send_message(
        &tenant,
        json!({ "conversationId": conversation, "content": { "media": {
            "type": "IMAGE", "url": link, "caption": "Spring" } } }),
    )
    .await;
    let message = self::message(&tenant, ATTACHMENTS, &by_link).await;
    let attachment = &message["attachments"][0];
    assert_eq!(
        message["attachments"].as_array().unwrap().len(),
        1,
        "{message}"
    );
    assert_eq!(attachment["origin"], "LINK", "{message}");
    assert_eq!(attachment["url"], link);
    assert_eq!(attachment["uploadId"], Value::Null);
    assert_eq!(attachment["caption"], "Spring");
    assert_eq!(attachment["state"], "READY");

    // Another tenant sees neither the message nor the file.
    let other = app.new_tenant("Globex").await;
    let answer = other
        .owner
        .gql
        .query(ATTACHMENTS, json!({ "id": by_upload }))
        .await;
    assert_eq!(answer.code(), "NOT_FOUND");
    let foreign = app
        .http
        .get(app.url(&format!("/media/{upload_attachment}")))
        .bearer_auth(&other.owner.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status().as_u16(), 404);
}
