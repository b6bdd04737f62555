//! Sending through the durable outbox: validation, idempotency, retries and failures, as
//! the fake providers see the requests.

use std::time::Duration;

use serde_json::{json, Value};
use switchboard::fakes::meta::{FakeInbound, Fault};

use crate::support::fixtures::{
    conversation_id, default_meta_channel, meta_conversation, meta_inbound, settled,
    twilio_channel, twilio_conversation, twilio_inbound, CUSTOMER, SEND, SENDER,
};
use crate::support::TestApp;

#[tokio::test]
async fn a_reply_is_queued_then_sent_through_meta() {
    let app = TestApp::spawn().await;
    let (tenant, _, conversation) = meta_conversation(&app, "help").await;
    let sent = tenant
        .owner
        .gql
        .query(SEND, json!({ "i": { "conversationId": conversation, "content": { "text": { "body": "On it!" } } } }))
        .await;
    assert_eq!(sent.data()["sendMessage"]["status"], "QUEUED");
    let id = sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let message = settled(&tenant, &id, |m| m["status"] != "QUEUED").await;
    assert!(
        ["SENT", "DELIVERED", "READ"].contains(&message["status"].as_str().unwrap()),
        "{message}"
    );
    assert_eq!(message["attempts"][0]["outcome"], "SENT");
    assert!(!message["attempts"][0]["request"]
        .as_str()
        .unwrap()
        .contains("On it"));
    let wire = app.meta.sent_messages().pop().unwrap();
    assert_eq!(wire.to, "34600000000");
    assert_eq!(wire.body["text"]["body"], "On it!");
    assert_eq!(wire.correlation.as_deref(), Some(id.as_str()));
    assert_eq!(message["providerMessageId"], wire.wamid.as_str());
    app.finish().await;
}

#[tokio::test]
async fn a_twilio_text_goes_out_as_the_form_twilio_expects() {
    let app = TestApp::spawn().await;
    let (tenant, channel) = twilio_conversation(&app).await;
    let sent = tenant
        .owner
        .gql
        .query(SEND, json!({ "i": { "channelId": channel.id, "to": CUSTOMER, "content": { "text": { "body": "Hello from Acme" } } } }))
        .await;
    let id = sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    settled(&tenant, &id, |m| m["status"] != "QUEUED").await;
    let request = app
        .twilio
        .requests_to("/Messages.json")
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(
        request.form_value("To"),
        Some(format!("whatsapp:{CUSTOMER}").as_str())
    );
    assert_eq!(
        request.form_value("From"),
        Some(format!("whatsapp:{SENDER}").as_str())
    );
    assert_eq!(request.form_value("Body"), Some("Hello from Acme"));
    assert!(request
        .form_value("StatusCallback")
        .unwrap()
        .contains(&format!("sb_message={id}")));
    app.finish().await;
}

#[tokio::test]
async fn window_opt_out_and_idempotency_are_honoured() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let closed = tenant
        .owner
        .gql
        .query(SEND, json!({ "i": { "channelId": channel.id, "to": "+34611111111", "content": { "text": { "body": "hi" } } } }))
        .await;
    assert_eq!(closed.code(), "WINDOW_CLOSED");
    twilio_inbound(&app, &channel, "hi").await;
    let conversation = conversation_id(&tenant).await;
    let input = json!({ "i": { "conversationId": conversation, "idempotencyKey": "order-42", "content": { "text": { "body": "once" } } } });
    let first = tenant.owner.gql.query(SEND, input.clone()).await;
    let again = tenant.owner.gql.query(SEND, input).await;
    assert_eq!(
        first.data()["sendMessage"]["id"],
        again.data()["sendMessage"]["id"]
    );
    let id = first.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    settled(&tenant, &id, |m| m["status"] != "QUEUED").await;
    let posts = app
        .twilio
        .requests_to("/Messages.json")
        .into_iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "sent once");

    twilio_inbound(&app, &channel, "STOP").await;
    let refused = tenant
        .owner
        .gql
        .query(SEND, json!({ "i": { "conversationId": conversation, "content": { "text": { "body": "more" } } } }))
        .await;
    assert_eq!(refused.code(), "OPTED_OUT");
    app.finish().await;
}

#[tokio::test]
async fn a_server_error_is_retried_and_a_permanent_one_fails_with_its_code() {
    let app = TestApp::spawn().await;
    let (tenant, meta, conversation) = meta_conversation(&app, "help").await;
    tenant
        .owner
        .gql
        .query("mutation($id: ID!) { updateChannel(id: $id, input: { settings: { retryWaitSeconds: 1 } }) { id } }", json!({ "id": meta.id }))
        .await
        .data();
    app.meta.inject(Fault::ServerError { http_status: 503 }, 1);
    let sent = tenant
        .owner
        .gql
        .query(SEND, json!({ "i": { "conversationId": conversation, "content": { "text": { "body": "retry me" } } } }))
        .await;
    let id = sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let message = settled(&tenant, &id, |m| m["status"] != "QUEUED").await;
    let outcomes: Vec<&str> = message["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["RETRY", "SENT"]);

    app.meta.fail_next(131009, 1);
    let sent = tenant
        .owner
        .gql
        .query(SEND, json!({ "i": { "conversationId": conversation, "content": { "text": { "body": "bad" } } } }))
        .await;
    let id = sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let failed = settled(&tenant, &id, |m| m["status"] == "FAILED").await;
    assert_eq!(failed["lastError"]["code"], "131009");
    assert_eq!(failed["attempts"].as_array().unwrap().len(), 1);

    let retried = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { retryMessage(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(retried.data()["retryMessage"]["status"], "QUEUED");
    let after = settled(&tenant, &id, |m| m["status"] != "QUEUED").await;
    assert_eq!(after["attempts"].as_array().unwrap().len(), 2);
    assert_eq!(after["attempts"][1]["outcome"], "SENT");
    app.finish().await;
}

#[tokio::test]
async fn another_tenants_conversation_cannot_be_written_to() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let meta = default_meta_channel(&app, &acme).await;
    meta_inbound(&app, &meta, "34600000000", "help").await;
    let conversation = conversation_id(&acme).await;
    let answer = globex
        .owner
        .gql
        .query(SEND, json!({ "i": { "conversationId": conversation, "content": { "text": { "body": "hijack" } } } }))
        .await;
    assert_eq!(answer.code(), "NOT_FOUND");
    let answer = globex
        .owner
        .gql
        .query(SEND, json!({ "i": { "channelId": meta.id, "to": CUSTOMER, "content": { "text": { "body": "hijack" } } } }))
        .await;
    assert_eq!(answer.code(), "NOT_FOUND");
    assert!(app.meta.sent_messages().is_empty());
}

#[tokio::test]
async fn long_markdown_goes_out_as_ordered_whatsapp_parts() {
    let app = TestApp::spawn().await;
    let (tenant, _channel) = twilio_conversation(&app).await;
    let conversation = conversation_id(&tenant).await;
    let paragraph = "This is a sentence about your order, and it goes on for a while. ".repeat(9);
    let body = format!(
        "**Order update**\n\n{}\n\n{}\n\n{}\n\nSee [the tracker](https://example.com/t).",
        paragraph, paragraph, paragraph
    );
    assert!(body.chars().count() > 1600);
    let sent = tenant
        .owner
        .gql
        .query(SEND, json!({ "i": { "conversationId": conversation, "content": { "text": { "body": body, "markdown": true } } } }))
        .await;
    let first = sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    settled(&tenant, &first, |m| m["status"] != "QUEUED").await;
    let history = tenant
        .owner
        .gql
        .query(
            "query($c: ID!) { messages(filter: { conversationId: $c, direction: OUTBOUND }) { edges { node { text } } } }",
            json!({ "c": conversation }),
        )
        .await;
    let parts = history.data()["messages"]["edges"]
        .as_array()
        .unwrap()
        .len();
    assert!(parts >= 2, "{parts}");
    let bodies = crate::support::eventually(
        20,
        "every part reaches Twilio",
        || async {
            app.twilio
                .requests_to("/Messages.json")
                .into_iter()
                .filter(|r| r.method == "POST")
                .map(|r| r.form_value("Body").unwrap_or_default().to_owned())
                .collect::<Vec<String>>()
        },
        |bodies| bodies.len() >= parts,
    )
    .await;
    assert_eq!(bodies.len(), parts, "{bodies:?}");
    assert!(bodies.iter().all(|b| b.chars().count() <= 1600));
    assert!(bodies[0].starts_with("*Order update*"), "{}", bodies[0]);
    assert!(
        bodies[parts - 1].ends_with("See the tracker (https://example.com/t)."),
        "{}",
        bodies[parts - 1]
    );
    app.finish().await;
}

#[tokio::test]
async fn mark_read_sends_a_read_receipt_for_inbound_messages_only() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let other = app.new_tenant("Globex").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let delivered = app
        .meta
        .deliver_inbound(
            &meta.webhook,
            &meta.phone_number_id,
            &FakeInbound::text("34600000000", "hello"),
        )
        .await
        .unwrap();
    let inbound = tenant
        .owner
        .gql
        .query("{ messages { edges { node { id } } } }", json!({}))
        .await
        .data()["messages"]["edges"][0]["node"]["id"]
        .clone();
    let read = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { markRead(messageId: $id) { id } }",
            json!({ "id": inbound }),
        )
        .await;
    read.data();
    let receipt = app
        .meta
        .requests()
        .into_iter()
        .filter_map(|r| r.body)
        .find(|b| b["status"] == "read")
        .expect("a read receipt reached Meta");
    assert_eq!(receipt["message_id"], delivered.wamid.as_str());
    assert_eq!(
        other
            .owner
            .gql
            .query(
                "mutation($id: ID!) { markRead(messageId: $id) { id } }",
                json!({ "id": inbound })
            )
            .await
            .code(),
        "NOT_FOUND"
    );

    let conversation = conversation_id(&tenant).await;
    let sent = tenant.owner.gql.query(SEND, json!({ "i": { "conversationId": conversation, "content": { "text": { "body": "hi" } } } })).await;
    let outbound = sent.data()["sendMessage"]["id"].clone();
    let refused = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { markRead(messageId: $id) { id } }",
            json!({ "id": outbound }),
        )
        .await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_pair_rate_refusal_delays_only_that_message() {
    let app = TestApp::spawn().await;
    let (tenant, _, conversation) = meta_conversation(&app, "hello").await;
    app.meta.fail_next(131056, 1);
    let sent = tenant.owner.gql.query(SEND, json!({ "i": { "conversationId": conversation, "content": { "text": { "body": "hi" } } } })).await;
    let id = sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let message = settled(&tenant, &id, |m| m["status"] != "QUEUED").await;
    let attempts = message["attempts"].as_array().unwrap();
    assert_eq!(attempts[0]["outcome"], "RETRY");
    assert_eq!(attempts[0]["providerCode"], "131056");
    assert_eq!(attempts[1]["outcome"], "SENT");
    let at =
        |a: &Value| chrono::DateTime::parse_from_rfc3339(a["startedAt"].as_str().unwrap()).unwrap();
    let waited = at(&attempts[1]) - at(&attempts[0]);
    assert!(waited >= chrono::Duration::seconds(5), "waited {waited}");
}

#[tokio::test]
async fn a_429_waits_its_retry_after_and_max_retries_bound_the_attempts() {
    use chrono::DateTime;

    let app = TestApp::spawn().await;
    let (tenant, channel) = twilio_conversation(&app).await;
    tenant
        .owner
        .gql
        .query("mutation($id: ID!) { updateChannel(id: $id, input: { settings: { maxRetries: 2, retryWaitSeconds: 1 } }) { id } }", json!({ "id": channel.id }))
        .await
        .data();
    let conversation = conversation_id(&tenant).await;

    // Twilio's 429 says when to come back; the next attempt waits at least that long.
    app.twilio.rate_limit_next(2, 1);
    let sent = tenant
        .owner
        .gql
        .query(SEND, json!({ "i": { "conversationId": conversation, "content": { "text": { "body": "after a 429" } } } }))
        .await;
    let id = sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let message = settled(&tenant, &id, |m| m["status"] != "QUEUED").await;
    let attempts = message["attempts"].as_array().unwrap();
    let outcomes: Vec<&str> = attempts
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["RETRY", "SENT"], "{message}");
    assert_eq!(attempts[0]["providerCode"], "20429");
    let at = |a: &Value| DateTime::parse_from_rfc3339(a["startedAt"].as_str().unwrap()).unwrap();
    let waited = at(&attempts[1]) - at(&attempts[0]);
    assert!(
        waited >= chrono::Duration::milliseconds(1900),
        "waited {waited}"
    );

    // A provider that keeps failing gets the first try and maxRetries more, then FAILED.
    app.twilio.fail_next(20500, 10);
    let sent = tenant
        .owner
        .gql
        .query(SEND, json!({ "i": { "conversationId": conversation, "content": { "text": { "body": "never" } } } }))
        .await;
    let id = sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let failed = settled(&tenant, &id, |m| m["status"] == "FAILED").await;
    let outcomes: Vec<&str> = failed["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["RETRY", "RETRY", "FAILED"], "{failed}");
    assert_eq!(failed["lastError"]["code"], "20500");
}

#[tokio::test]
async fn sends_held_back_past_their_lease_by_a_paused_channel_each_go_once() {
    let app = TestApp::spawn_with(|config| {
        config.provider_timeout = Duration::from_secs(1);
        config.outbox_lease = Duration::from_secs(2);
    })
    .await;
    let (tenant, meta, conversation) = meta_conversation(&app, "help").await;
    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateChannel(id: $id, input: { settings: { retryWaitSeconds: 4 } }) { id } }",
            json!({ "id": meta.id }),
        )
        .await
        .data();
    let send = |i: usize| {
        let tenant = &tenant;
        let conversation = &conversation;
        async move {
            let sent = tenant
                .owner
                .gql
                .query(SEND, json!({ "i": { "conversationId": conversation, "content": { "text": { "body": format!("update {i}") } } } }))
                .await;
            sent.data()["sendMessage"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    // Meta's throughput error pauses the channel for four seconds, twice the lease.
    app.meta.fail_next(130429, 1);
    let first = send(0).await;
    settled(&tenant, &first, |m| m["attempts"][0]["outcome"] == "RETRY").await;
    // Sends claimed now wait out the pause past the lease they were claimed with; nobody
    // else may claim and send them meanwhile.
    let mut ids = vec![first];
    for i in 1..5 {
        ids.push(send(i).await);
    }
    for id in &ids {
        let message = settled(&tenant, id, |m| m["status"] != "QUEUED").await;
        let outcomes: Vec<&str> = message["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["outcome"].as_str().unwrap())
            .collect();
        let expected: &[&str] = if *id == ids[0] {
            &["RETRY", "SENT"]
        } else {
            &["SENT"]
        };
        assert_eq!(outcomes, expected, "{message}");
    }
    let mut reached: Vec<String> = app
        .meta
        .sent_messages()
        .into_iter()
        .filter_map(|m| m.correlation)
        .collect();
    reached.sort_unstable();
    ids.sort_unstable();
    assert_eq!(reached, ids, "each message reached Meta once");
}
