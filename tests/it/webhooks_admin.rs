//! Registering outgoing webhooks: payload documents checked against the schema and the
//! endpoint's role, URLs refused when they lead inside (SSRF), redirects never followed,
//! admins only, and another tenant's endpoints and deliveries answering NOT_FOUND.

use serde_json::{json, Value};

use crate::support::fixtures::{default_meta_channel, meta_inbound, CUSTOMER};
use crate::support::receiver::{Receiver, Reply};
use crate::support::{eventually, TestApp, TestTenant};
use crate::webhooks::{app, deliveries, register, CREATE};

async fn create(tenant: &TestTenant, input: Value) -> crate::support::graphql::Answer {
    tenant.owner.gql.query(CREATE, json!({ "i": input })).await
}

#[tokio::test]
async fn payload_documents_are_checked_against_the_schema_and_the_role() {
    let app = app().await;
    let tenant = app.new_tenant("Acme").await;
    let receiver = Receiver::start().await;
    let with = |role: &str, event: &str, document: &str| json!({ "url": receiver.url, "role": role, "events": [{ "type": event, "document": document }] });
    // An unknown field is refused with where it is.
    let answer = create(
        &tenant,
        with(
            "ADMIN",
            "MESSAGE_RECEIVED",
            "subscription { messageEvents { message { id nope } } }",
        ),
    )
    .await;
    assert_eq!(answer.code(), "BAD_USER_INPUT");
    let message = answer.message();
    assert!(message.contains("events[0].document"), "{message}");
    assert!(message.contains("line 1, column 45"), "{message}");
    assert!(message.contains("nope"), "{message}");
    // The event type's own field, in a subscription, alone.
    for (event, document, says) in [
        ("MESSAGE_RECEIVED", "subscription { conversationEvents { kind } }", "messageEvents"),
        ("MESSAGE_RECEIVED", "query { messageEvents { kind } }", "subscription"),
        ("MESSAGE_RECEIVED", "subscription { messageEvents { kind", "expected"),
        (
            "CONVERSATION_OPENED",
            "subscription { conversationEvents { kind } } subscription B { conversationEvents { kind } }",
            "operations",
        ),
    ] {
        let answer = create(&tenant, with("ADMIN", event, document)).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{document}");
        assert!(answer.message().contains(says), "{document}: {}", answer.message());
    }
    // An AGENT-role endpoint cannot select what only admins may read.
    for (event, document) in [
        (
            "TEMPLATE_STATUS_CHANGED",
            "subscription { templateEvents { template { id status } } }",
        ),
        (
            "CAMPAIGN_FINISHED",
            "subscription { campaignEvents { campaign { id state } } }",
        ),
    ] {
        let answer = create(&tenant, with("AGENT", event, document)).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{document}");
        assert!(answer.message().contains("role"), "{}", answer.message());
        let answer = create(&tenant, with("ADMIN", event, document)).await;
        assert_eq!(
            answer.data()["createWebhookEndpoint"]["endpoint"]["role"],
            "ADMIN"
        );
    }
    let answer = create(
        &tenant,
        with(
            "AGENT",
            "MESSAGE_RECEIVED",
            "subscription { messageEvents { message { text } } }",
        ),
    )
    .await;
    assert_eq!(
        answer.data()["createWebhookEndpoint"]["endpoint"]["role"],
        "AGENT"
    );
    // Defaults fill what is left out, and every default is a valid document.
    let types = tenant
        .owner
        .gql
        .query(
            "{ webhookEventTypes { type field defaultDocument adminOnly } }",
            json!({}),
        )
        .await;
    let types = types.data()["webhookEventTypes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(types.len(), 11);
    let all: Vec<Value> = types.iter().map(|t| json!({ "type": t["type"] })).collect();
    let answer = create(&tenant, json!({ "url": receiver.url, "events": all })).await;
    let events = &answer.data()["createWebhookEndpoint"]["endpoint"]["events"];
    for (given, info) in events.as_array().unwrap().iter().zip(&types) {
        assert_eq!(given["document"], info["defaultDocument"]);
    }
    // Input bounds.
    for (input, says) in [
        (json!({ "url": receiver.url, "events": [] }), "at least one"),
        (
            json!({ "url": receiver.url, "events": [{ "type": "PING" }] }),
            "testWebhookEndpoint",
        ),
        (
            json!({ "url": receiver.url, "events": [{ "type": "MESSAGE_SENT" }, { "type": "MESSAGE_SENT" }] }),
            "twice",
        ),
        (
            json!({ "url": receiver.url, "description": "x".repeat(501), "events": [{ "type": "MESSAGE_SENT" }] }),
            "500",
        ),
    ] {
        let answer = create(&tenant, input).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT");
        assert!(answer.message().contains(says), "{}", answer.message());
    }
}

#[tokio::test]
async fn endpoints_that_lead_inside_are_refused() {
    // No host allowed by the operator: https to public addresses only.
    let strict = TestApp::spawn().await;
    let tenant = strict.new_tenant("Acme").await;
    for url in [
        "http://127.0.0.1:9000/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.7/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://localhost:8443/hook",
        "https://user:pw@crm.example.com/hook",
        "ftp://crm.example.com/hook",
    ] {
        let answer = create(
            &tenant,
            json!({ "url": url, "events": [{ "type": "MESSAGE_RECEIVED" }] }),
        )
        .await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{url}");
        assert!(
            answer.message().starts_with("url:"),
            "{url}: {}",
            answer.message()
        );
    }
    // An allowed host opens plain http to that host only.
    let app = app().await;
    let tenant = app.new_tenant("Acme").await;
    for url in [
        "https://10.0.0.7/hook",
        "http://127.0.0.2:9000/hook",
        "https://localhost/hook",
    ] {
        let answer = create(
            &tenant,
            json!({ "url": url, "events": [{ "type": "MESSAGE_RECEIVED" }] }),
        )
        .await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{url}");
    }
}

#[tokio::test]
async fn redirects_are_never_followed() {
    let app = app().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let receiver = Receiver::start().await;
    receiver.then([Reply::status(302)]);
    let (id, _) = register(&tenant, &receiver.url, &["MESSAGE_RECEIVED"]).await;
    meta_inbound(&app, &meta, &CUSTOMER[1..], "hello").await;
    let log = eventually(
        20,
        "the redirect is recorded and the retry delivers",
        || deliveries(&tenant, &id),
        |d| d.len() == 1 && d[0]["state"] == "DELIVERED",
    )
    .await;
    let first = &log[0]["attempts"][0];
    assert_eq!(first["statusCode"], 302);
    assert!(first["error"].as_str().unwrap().contains("redirect"));
    assert_eq!(receiver.received().len(), 2, "nothing else was called");
}

#[tokio::test]
async fn only_admins_manage_webhooks_and_only_their_tenants() {
    let app = app().await;
    let mine = app.new_tenant("Acme").await;
    let theirs = app.new_tenant("Globex").await;
    let meta = default_meta_channel(&app, &mine).await;
    let receiver = Receiver::start().await;
    let (id, _) = register(&mine, &receiver.url, &["MESSAGE_RECEIVED"]).await;
    meta_inbound(&app, &meta, &CUSTOMER[1..], "hello").await;
    let log = eventually(
        20,
        "the delivery is made",
        || deliveries(&mine, &id),
        |d| d.len() == 1 && d[0]["state"] == "DELIVERED",
    )
    .await;
    let delivery = log[0]["id"].as_str().unwrap().to_owned();
    let input = json!({ "url": receiver.url, "events": [{ "type": "MESSAGE_RECEIVED" }] });
    let calls = [
        ("query($id: ID!) { webhookEndpoint(id: $id) { id } }", json!({ "id": id })),
        (
            "mutation($id: ID!, $i: WebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $i) { id } }",
            json!({ "id": id, "i": input }),
        ),
        ("mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }", json!({ "id": id })),
        ("mutation($id: ID!) { testWebhookEndpoint(id: $id) { id } }", json!({ "id": id })),
        (
            "query($id: ID!) { webhookDeliveries(endpointId: $id) { edges { node { id } } } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { replayWebhooks(endpointId: $id, from: \"2020-01-01T00:00:00Z\", to: \"2030-01-01T00:00:00Z\") }",
            json!({ "id": id }),
        ),
        ("mutation($id: ID!) { redeliverWebhook(id: $id) { id } }", json!({ "id": delivery })),
        ("mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }", json!({ "id": id })),
    ];
    for (query, variables) in &calls {
        let answer = theirs.owner.gql.query(query, variables.clone()).await;
        assert_eq!(answer.code(), "NOT_FOUND", "{query}");
    }
    let listed = theirs
        .owner
        .gql
        .query("{ webhookEndpoints { id } }", json!({}))
        .await;
    assert_eq!(listed.data()["webhookEndpoints"], json!([]));
    // Agents neither see nor change webhooks.
    let agent = app.new_user(&mine, "agent@acme.test", "AGENT").await;
    let answer = agent
        .gql
        .query("{ webhookEndpoints { id } }", json!({}))
        .await;
    assert_eq!(answer.code(), "FORBIDDEN");
    for (query, variables) in &calls {
        let answer = agent.gql.query(query, variables.clone()).await;
        assert_eq!(answer.code(), "FORBIDDEN", "{query}");
    }
    // Still there for its own tenant, which may delete it.
    let answer = mine
        .owner
        .gql
        .query(
            "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(answer.data()["deleteWebhookEndpoint"], true);
    let answer = mine
        .owner
        .gql
        .query(
            "query($id: ID!) { webhookEndpoint(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(answer.code(), "NOT_FOUND");
}
