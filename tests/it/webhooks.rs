//! Outgoing webhooks delivered to a receiver on 127.0.0.1: signed with the README's recipe,
//! in order, retried after errors and timeouts, disabled by a 410, redelivered, replayed,
//! and signed by both secrets while a rotation overlaps.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::fixtures::{default_meta_channel, meta_inbound, CUSTOMER};
use crate::support::receiver::{verify, Receiver, Reply};
use crate::support::{eventually, TestApp, TestTenant};

pub const CREATE: &str = "mutation($i: WebhookEndpointInput!) { createWebhookEndpoint(input: $i) { secret endpoint { id url enabled role events { event document } } } }";
pub const DELIVERIES: &str = "query($e: ID!, $f: WebhookDeliveryFilter) { webhookDeliveries(endpointId: $e, filter: $f, first: 100) { edges { node { id eventId eventType state attemptCount lastStatus lastError payload attempts { number statusCode durationMs error responseExcerpt } } } } }";
const ENDPOINT: &str = "query($id: ID!) { webhookEndpoint(id: $id) { id enabled disabledReason disabledAt failingSince lastError previousSecretUntil } }";

/// A server whose webhooks may reach the receiver, retrying quickly.
pub async fn app() -> TestApp {
    TestApp::spawn_with(|c| {
        c.webhooks.allowed_hosts = vec!["127.0.0.1".to_owned()];
        c.webhooks.backoff_base = Duration::from_millis(50);
        c.webhooks.backoff_max = Duration::from_millis(200);
        c.webhooks.timeout = Duration::from_secs(1);
    })
    .await
}

/// Registers `url` for `events` (type names, default documents); answers its id and secret.
pub async fn register(tenant: &TestTenant, url: &str, events: &[&str]) -> (String, String) {
    let events: Vec<Value> = events.iter().map(|e| json!({ "type": e })).collect();
    let answer = tenant
        .owner
        .gql
        .query(CREATE, json!({ "i": { "url": url, "events": events } }))
        .await;
    let created = &answer.data()["createWebhookEndpoint"];
    (
        created["endpoint"]["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

pub async fn deliveries(tenant: &TestTenant, endpoint: &str) -> Vec<Value> {
    let answer = tenant
        .owner
        .gql
        .query(DELIVERIES, json!({ "e": endpoint }))
        .await;
    answer.data()["webhookDeliveries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn endpoint(tenant: &TestTenant, id: &str) -> Value {
    let answer = tenant.owner.gql.query(ENDPOINT, json!({ "id": id })).await;
    answer.data()["webhookEndpoint"].clone()
}

#[tokio::test]
async fn deliveries_are_signed_and_arrive_in_order() {
    let app = app().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let receiver = Receiver::start().await;
    let (_, secret) = register(
        &tenant,
        &receiver.url,
        &["CONVERSATION_OPENED", "MESSAGE_RECEIVED"],
    )
    .await;
    let texts: Vec<String> = (1..=6).map(|i| format!("message {i}")).collect();
    for text in &texts {
        meta_inbound(&app, &meta, &CUSTOMER[1..], text).await;
    }
    let got = receiver.wait_for(7, 20).await;
    for request in &got {
        assert!(
            verify(&secret, request),
            "signed with the README's recipe: {request:?}"
        );
        assert!(!verify("whsec_wrong", request));
        let body = request.json();
        assert_eq!(body["id"], request.event_id());
        assert_eq!(body["type"], request.event_type());
    }
    assert_eq!(got[0].event_type(), "conversation.opened");
    let opened = got[0].json();
    assert_eq!(opened["data"]["conversationEvents"]["kind"], "OPENED");
    assert_eq!(
        opened["data"]["conversationEvents"]["conversation"]["contact"]["phoneNumber"],
        CUSTOMER
    );
    let received: Vec<String> = got[1..]
        .iter()
        .map(|r| {
            assert_eq!(r.event_type(), "message.received");
            let event = &r.json()["data"]["messageEvents"];
            assert_eq!(event["kind"], "RECEIVED");
            event["message"]["text"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(received, texts, "in the order they happened");
    // A tampered body or an old timestamp fails the recipe.
    let mut tampered = got[1].clone();
    tampered.body = tampered.body.replace("message 1", "message 9");
    assert!(!verify(&secret, &tampered));
}

#[tokio::test]
async fn failures_are_retried_until_the_receiver_answers() {
    let app = app().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let receiver = Receiver::start().await;
    // A 500, then no answer within the timeout, then a 200.
    receiver.then([Reply::status(500), Reply::slow(Duration::from_secs(3))]);
    let (id, _) = register(&tenant, &receiver.url, &["MESSAGE_RECEIVED"]).await;
    meta_inbound(&app, &meta, &CUSTOMER[1..], "hello").await;
    let got = receiver.wait_for(3, 30).await;
    let ids: Vec<String> = got.iter().map(|r| r.event_id()).collect();
    assert!(ids.iter().all(|e| *e == ids[0]), "the same event each time");
    let attempts: Vec<&str> = got
        .iter()
        .map(|r| r.header("x-switchboard-attempt"))
        .collect();
    assert_eq!(attempts[..3], ["1", "2", "3"]);
    assert_eq!(got[0].body, got[2].body, "the same payload each time");
    let log = eventually(
        20,
        "the delivery is recorded as delivered",
        || deliveries(&tenant, &id),
        |d| d.len() == 1 && d[0]["state"] == "DELIVERED",
    )
    .await;
    let attempts = log[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3);
    assert_eq!(attempts[0]["statusCode"], 500);
    assert!(attempts[0]["error"].as_str().unwrap().contains("500"));
    assert!(attempts[1]["statusCode"].is_null());
    assert!(attempts[1]["error"].as_str().unwrap().contains("in time"));
    assert_eq!(attempts[2]["statusCode"], 200);
    assert!(attempts[2]["error"].is_null());
    assert_eq!(log[0]["attemptCount"], 3);
    let healthy = endpoint(&tenant, &id).await;
    assert!(healthy["failingSince"].is_null(), "{healthy}");
}

#[tokio::test]
async fn a_410_disables_the_endpoint_until_it_is_enabled_again() {
    let app = app().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let receiver = Receiver::start().await;
    receiver.then([Reply::status(410)]);
    let (id, _) = register(&tenant, &receiver.url, &["MESSAGE_RECEIVED"]).await;
    meta_inbound(&app, &meta, &CUSTOMER[1..], "first").await;
    let disabled = eventually(
        20,
        "the endpoint is disabled",
        || endpoint(&tenant, &id),
        |e| e["enabled"] == false,
    )
    .await;
    assert!(disabled["disabledReason"].as_str().unwrap().contains("410"));
    assert!(disabled["disabledAt"].is_string());
    // Disabled: new events are not queued for it, the first one waits.
    meta_inbound(&app, &meta, &CUSTOMER[1..], "second").await;
    let log = deliveries(&tenant, &id).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["state"], "PENDING");
    assert_eq!(receiver.received().len(), 1);
    // Enabled again, the waiting delivery goes out.
    let update = "mutation($id: ID!, $i: WebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $i) { enabled disabledReason } }";
    let answer = tenant
        .owner
        .gql
        .query(
            update,
            json!({ "id": id, "i": { "url": receiver.url, "events": [{ "type": "MESSAGE_RECEIVED" }] } }),
        )
        .await;
    assert_eq!(answer.data()["updateWebhookEndpoint"]["enabled"], true);
    assert!(answer.data()["updateWebhookEndpoint"]["disabledReason"].is_null());
    let got = receiver.wait_for(2, 20).await;
    assert_eq!(
        got[1].json()["data"]["messageEvents"]["message"]["text"],
        "first"
    );
}

#[tokio::test]
async fn deliveries_are_redelivered_and_replayed_with_their_event_ids() {
    let app = app().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let receiver = Receiver::start().await;
    let (id, secret) = register(&tenant, &receiver.url, &["MESSAGE_RECEIVED"]).await;
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    meta_inbound(&app, &meta, &CUSTOMER[1..], "one").await;
    meta_inbound(&app, &meta, &CUSTOMER[1..], "two").await;
    let first = receiver.wait_for(2, 20).await;
    let log = eventually(
        20,
        "both are delivered",
        || deliveries(&tenant, &id),
        |d| d.len() == 2 && d.iter().all(|d| d["state"] == "DELIVERED"),
    )
    .await;
    let redeliver = "mutation($id: ID!) { redeliverWebhook(id: $id) { id state eventId } }";
    let newest = &log[0];
    let answer = tenant
        .owner
        .gql
        .query(redeliver, json!({ "id": newest["id"] }))
        .await;
    assert_eq!(
        answer.data()["redeliverWebhook"]["eventId"],
        newest["eventId"]
    );
    let got = receiver.wait_for(3, 20).await;
    assert_eq!(got[2].event_id(), newest["eventId"].as_str().unwrap());
    assert_eq!(got[2].body, first[1].body, "the original payload");
    assert!(verify(&secret, &got[2]));

    let replay = "mutation($e: ID!, $from: DateTime!, $to: DateTime!) { replayWebhooks(endpointId: $e, from: $from, to: $to) }";
    let to = chrono::Utc::now() + chrono::Duration::seconds(1);
    let answer = eventually(
        20,
        "the replay finds both delivered",
        || {
            tenant.owner.gql.query(
                replay,
                json!({ "e": id, "from": before.to_rfc3339(), "to": to.to_rfc3339() }),
            )
        },
        |a| a.data()["replayWebhooks"] == 2,
    )
    .await;
    assert_eq!(answer.data()["replayWebhooks"], 2);
    let got = receiver.wait_for(5, 20).await;
    let replayed: Vec<String> = got[3..].iter().map(|r| r.event_id()).collect();
    let originals: Vec<String> = first.iter().map(|r| r.event_id()).collect();
    assert_eq!(replayed, originals, "replayed in their order");
    // A period with nothing in it replays nothing.
    let answer = tenant
        .owner
        .gql
        .query(
            replay,
            json!({ "e": id, "from": "2020-01-01T00:00:00Z", "to": "2020-01-02T00:00:00Z" }),
        )
        .await;
    assert_eq!(answer.data()["replayWebhooks"], 0);
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_old_one_while_they_overlap() {
    let app = app().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let receiver = Receiver::start().await;
    let (id, old) = register(&tenant, &receiver.url, &["MESSAGE_RECEIVED"]).await;
    let rotate = "mutation($id: ID!, $s: Int!) { rotateWebhookSecret(id: $id, overlapSeconds: $s) { secret endpoint { previousSecretUntil } } }";
    let answer = tenant
        .owner
        .gql
        .query(rotate, json!({ "id": id, "s": 3600 }))
        .await;
    let rotated = &answer.data()["rotateWebhookSecret"];
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(rotated["endpoint"]["previousSecretUntil"].is_string());
    meta_inbound(&app, &meta, &CUSTOMER[1..], "during the overlap").await;
    let got = receiver.wait_for(1, 20).await;
    assert!(verify(&old, &got[0]) && verify(&new, &got[0]));
    assert_eq!(
        got[0].header("x-switchboard-signature").split(',').count(),
        2
    );
    // Without an overlap, only the newest signs.
    let answer = tenant
        .owner
        .gql
        .query(rotate, json!({ "id": id, "s": 0 }))
        .await;
    let newest = answer.data()["rotateWebhookSecret"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    meta_inbound(&app, &meta, &CUSTOMER[1..], "after").await;
    let got = receiver.wait_for(2, 20).await;
    assert!(verify(&newest, &got[1]));
    assert!(!verify(&new, &got[1]) && !verify(&old, &got[1]));
    // The secret is never readable afterwards, nor in the audit log.
    let audit = tenant
        .owner
        .gql
        .query(
            "{ auditLog(first: 50) { edges { node { action details } } } }",
            json!({}),
        )
        .await;
    let text = audit.data().to_string();
    assert!(text.contains("webhook.rotate_secret"));
    assert!(!text.contains(&newest) && !text.contains(&old));
}

#[tokio::test]
async fn a_test_sends_a_signed_ping_and_answers_how_it_went() {
    let app = app().await;
    let tenant = app.new_tenant("Acme").await;
    let receiver = Receiver::start().await;
    let (id, secret) = register(&tenant, &receiver.url, &["MESSAGE_RECEIVED"]).await;
    let test = "mutation($id: ID!) { testWebhookEndpoint(id: $id) { eventType state lastStatus attempts { statusCode durationMs } } }";
    let answer = tenant.owner.gql.query(test, json!({ "id": id })).await;
    let ping = &answer.data()["testWebhookEndpoint"];
    assert_eq!(ping["eventType"], "PING");
    assert_eq!(ping["state"], "DELIVERED");
    assert_eq!(ping["attempts"][0]["statusCode"], 200);
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].event_type(), "ping");
    assert!(verify(&secret, &got[0]));
    assert_eq!(got[0].json()["data"]["ping"]["endpointId"], id.as_str());
    // A receiver that refuses the ping is reported, not retried.
    receiver.then([Reply::status(503)]);
    let answer = tenant.owner.gql.query(test, json!({ "id": id })).await;
    let ping = &answer.data()["testWebhookEndpoint"];
    assert_eq!(ping["state"], "FAILED");
    assert_eq!(ping["lastStatus"], 503);
}

#[tokio::test]
async fn an_endpoint_failing_too_long_is_disabled_saying_why() {
    let app = TestApp::spawn_with(|c| {
        c.webhooks.allowed_hosts = vec!["127.0.0.1".to_owned()];
        c.webhooks.backoff_base = Duration::from_millis(50);
        c.webhooks.backoff_max = Duration::from_millis(200);
        c.webhooks.disable_after = Duration::from_secs(1);
    })
    .await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let receiver = Receiver::start().await;
    receiver.always(Reply::status(500));
    let (id, _) = register(&tenant, &receiver.url, &["MESSAGE_RECEIVED"]).await;
    meta_inbound(&app, &meta, &CUSTOMER[1..], "hello").await;
    let failing = eventually(
        20,
        "the endpoint is seen failing",
        || endpoint(&tenant, &id),
        |e| e["failingSince"].is_string(),
    )
    .await;
    assert!(failing["lastError"].as_str().unwrap().contains("500"));
    let disabled = eventually(
        20,
        "the endpoint failing for longer than allowed is disabled",
        || endpoint(&tenant, &id),
        |e| e["enabled"] == false,
    )
    .await;
    let reason = disabled["disabledReason"].as_str().unwrap();
    assert!(reason.contains("every delivery failed since"), "{reason}");
    assert!(reason.contains("500"), "{reason}");
    // Its delivery waits, not lost, for the endpoint to be enabled again.
    let log = deliveries(&tenant, &id).await;
    assert_eq!(log[0]["state"], "PENDING");
}
