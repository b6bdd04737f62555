//! Outgoing webhooks for every event type: one endpoint subscribed to all eleven receives
//! each as it happens through the API and the fake providers, signed, with its default
//! document's fields, a conversation's events in the order they happened. Custom documents
//! shape (and by their arguments filter) the payload, and each tenant hears only its own.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::lifecycle::run;
use crate::support::fixtures::{
    default_meta_channel, meta_channel, meta_inbound, settled, twilio_channel, CUSTOMER,
};
use crate::support::receiver::{verify, Received, Receiver};
use crate::support::{eventually, TestTenant};
use crate::webhooks::{app, deliveries, register, CREATE, DELIVERIES};

const ALL: [&str; 11] = [
    "MESSAGE_RECEIVED",
    "MESSAGE_SENT",
    "MESSAGE_STATUS_CHANGED",
    "CONVERSATION_OPENED",
    "CONVERSATION_ASSIGNED",
    "CONVERSATION_TRANSFERRED",
    "CONVERSATION_RESOLVED",
    "CONTACT_OPTED_OUT",
    "CONTACT_OPTED_IN",
    "TEMPLATE_STATUS_CHANGED",
    "CAMPAIGN_FINISHED",
];

/// Registers `url` with one custom `document` for `event`; answers its id and secret.
async fn register_document(
    tenant: &TestTenant,
    url: &str,
    event: &str,
    document: &str,
) -> (String, String) {
    let input = json!({ "url": url, "events": [{ "type": event, "document": document }] });
    let answer = tenant.owner.gql.query(CREATE, json!({ "i": input })).await;
    let created = &answer.data()["createWebhookEndpoint"];
    (
        created["endpoint"]["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

/// Waits until a request of `event_type` arrived (`n` of them), and answers them all.
async fn arrived(receiver: &Receiver, event_type: &str, n: usize) -> Vec<Received> {
    eventually(
        20,
        &format!("{n} {event_type} webhook(s) arrive"),
        || async { receiver.received() },
        |got| got.iter().filter(|r| r.event_type() == event_type).count() >= n,
    )
    .await
}

/// The last request of `event_type`, as JSON.
fn last_of(got: &[Received], event_type: &str) -> Value {
    got.iter()
        .rev()
        .find(|r| r.event_type() == event_type)
        .map(Received::json)
        .unwrap_or_else(|| panic!("no {event_type} in {got:?}"))
}

/// An object's field names, sorted.
fn fields(value: &Value) -> Vec<String> {
    let mut names: Vec<String> = value
        .as_object()
        .unwrap_or_else(|| panic!("an object: {value}"))
        .keys()
        .cloned()
        .collect();
    names.sort();
    names
}

/// Checks that `body`'s data has the fields the default document of its type selects.
fn assert_default_fields(body: &Value) {
    let (root, item, expected): (&str, &str, &[&str]) =
        match body["type"].as_str().unwrap().split('.').next().unwrap() {
            "message" => (
                "messageEvents",
                "message",
                &[
                    "channel",
                    "contact",
                    "conversation",
                    "createdAt",
                    "direction",
                    "id",
                    "lastError",
                    "providerMessageId",
                    "status",
                    "text",
                    "updatedAt",
                ],
            ),
            "conversation" => (
                "conversationEvents",
                "conversation",
                &[
                    "assigneeId",
                    "channel",
                    "contact",
                    "id",
                    "labels",
                    "lastMessageAt",
                    "openedAt",
                    "queueId",
                    "resolvedAt",
                    "status",
                ],
            ),
            "contact" => (
                "contactEvents",
                "contact",
                &[
                    "id",
                    "marketingOptedOutAt",
                    "name",
                    "optedIn",
                    "optedOutAt",
                    "phoneNumber",
                    "waId",
                ],
            ),
            "template" => (
                "templateEvents",
                "template",
                &[
                    "category",
                    "channelId",
                    "id",
                    "language",
                    "name",
                    "rejectionReason",
                    "status",
                    "updatedAt",
                ],
            ),
            "campaign" => (
                "campaignEvents",
                "campaign",
                &[
                    "counts",
                    "finishedAt",
                    "id",
                    "name",
                    "recipientCount",
                    "startedAt",
                    "state",
                    "stateReason",
                ],
            ),
            other => panic!("an unexpected type {other}"),
        };
    assert_eq!(fields(&body["data"]), [root], "{body}");
    let event = &body["data"][root];
    let mut outer = vec![item.to_owned()];
    match root {
        "messageEvents" => outer.extend(["cursor".to_owned(), "kind".to_owned()]),
        "conversationEvents" | "contactEvents" => outer.push("kind".to_owned()),
        _ => {}
    }
    outer.sort();
    assert_eq!(fields(event), outer, "{body}");
    assert_eq!(fields(&event[item]), expected, "{body}");
}

/// The conversation an event is about, if it is about one.
fn conversation_of(body: &Value) -> Option<String> {
    let data = &body["data"];
    let id = data["messageEvents"]["message"]["conversation"]["id"]
        .as_str()
        .or_else(|| data["conversationEvents"]["conversation"]["id"].as_str())?;
    Some(id.to_owned())
}

#[tokio::test]
async fn a_local_receiver_gets_every_event_type_signed_and_in_order() {
    let app = app().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    app.meta.set_webhook_url(Some(&meta.webhook));
    let receiver = Receiver::start().await;
    let (endpoint, secret) = register(&tenant, &receiver.url, &ALL).await;
    let bo = app.new_user(&tenant, "bo@acme.test", "ADMIN").await;

    // The customer writes: the conversation opens with the message.
    meta_inbound(&app, &meta, &CUSTOMER[1..], "hello").await;
    let got = arrived(&receiver, "message.received", 1).await;
    let received = last_of(&got, "message.received");
    let message = &received["data"]["messageEvents"]["message"];
    assert_eq!(received["data"]["messageEvents"]["kind"], "RECEIVED");
    assert_eq!(message["text"], "hello");
    assert_eq!(message["direction"], "INBOUND");
    assert_eq!(message["channel"]["id"], meta.id.as_str());
    assert_eq!(message["contact"]["phoneNumber"], CUSTOMER);
    let conversation = message["conversation"]["id"].as_str().unwrap().to_owned();
    let contact = message["contact"]["id"].as_str().unwrap().to_owned();

    // A reply goes out and Meta reports it sent, delivered and read.
    let sent = crate::support::fixtures::send_text(&tenant, &conversation, "On it").await;
    settled(&tenant, &sent, |m| m["status"] == "READ").await;
    // The conversation is assigned, transferred and resolved.
    let owner = &tenant.owner.gql;
    run(
        owner,
        "assignConversation",
        &conversation,
        json!({ "u": tenant.owner.user_id }),
    )
    .await
    .data();
    run(
        owner,
        "transferConversation",
        &conversation,
        json!({ "u": bo.user_id, "n": "Over to Bo" }),
    )
    .await
    .data();
    run(owner, "resolveConversation", &conversation, json!({}))
        .await
        .data();
    // The customer opts out with the keyword, and an admin opts them back in after.
    meta_inbound(&app, &meta, &CUSTOMER[1..], "STOP").await;
    let got = arrived(&receiver, "contact.opted_out", 1).await;
    let out = last_of(&got, "contact.opted_out");
    assert_eq!(out["data"]["contactEvents"]["kind"], "OPTED_OUT");
    assert_eq!(
        out["data"]["contactEvents"]["contact"]["id"],
        contact.as_str()
    );
    assert_eq!(out["data"]["contactEvents"]["contact"]["optedIn"], false);
    assert!(out["data"]["contactEvents"]["contact"]["optedOutAt"].is_string());
    tenant
        .owner
        .gql
        .query(
            "mutation($c: ID!) { setContactOptIn(contactId: $c, optedIn: true) { id optedIn } }",
            json!({ "c": contact }),
        )
        .await
        .data();
    let got = arrived(&receiver, "contact.opted_in", 1).await;
    let back = last_of(&got, "contact.opted_in");
    assert_eq!(back["data"]["contactEvents"]["kind"], "OPTED_IN");
    assert_eq!(back["data"]["contactEvents"]["contact"]["optedIn"], true);

    // Meta approves a template; a campaign with it is cancelled.
    let template = tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id providerTemplateId } }",
            json!({ "i": { "channelId": meta.id, "name": "spring_sale", "language": "en",
                "category": "MARKETING", "body": "Hi {{1}}, {{2}} off everything this week.",
                "examples": ["Ana", "20%"] } }),
        )
        .await
        .data()["createTemplate"]
        .clone();
    app.meta
        .review_template(
            template["providerTemplateId"].as_str().unwrap(),
            "APPROVED",
            None,
        )
        .await
        .unwrap();
    let got = arrived(&receiver, "template.status_changed", 1).await;
    let reviewed = &last_of(&got, "template.status_changed")["data"]["templateEvents"]["template"];
    assert_eq!(reviewed["id"], template["id"]);
    assert_eq!(reviewed["name"], "spring_sale");
    assert_eq!(reviewed["status"], "APPROVED");
    assert_eq!(reviewed["channelId"], meta.id.as_str());
    let campaign = tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
            json!({ "i": { "name": "Promo", "channelId": meta.id, "templateId": template["id"],
                "recipients": [{ "to": "+34600000001" }] } }),
        )
        .await
        .data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { cancelCampaign(id: $id) { state } }",
            json!({ "id": campaign }),
        )
        .await
        .data();
    let got = arrived(&receiver, "campaign.finished", 1).await;
    let finished = &last_of(&got, "campaign.finished")["data"]["campaignEvents"]["campaign"];
    assert_eq!(finished["id"], campaign.as_str());
    assert_eq!(finished["name"], "Promo");
    assert_eq!(finished["state"], "CANCELLED");
    assert_eq!(finished["recipientCount"], 1);

    // Every type arrived, each signed, its envelope matching its headers.
    let got = eventually(
        20,
        "every delivery is delivered",
        || deliveries(&tenant, &endpoint),
        |d| d.iter().all(|d| d["state"] == "DELIVERED"),
    )
    .await;
    let received = receiver.received();
    assert_eq!(
        received.len(),
        got.len(),
        "each delivery once: {received:?}"
    );
    let mut types: Vec<String> = received.iter().map(Received::event_type).collect();
    types.sort();
    types.dedup();
    let mut expected: Vec<String> = ALL
        .iter()
        .map(|t| t.to_lowercase().replacen('_', ".", 1))
        .collect();
    expected.sort();
    assert_eq!(types, expected, "every type arrives");
    for request in &received {
        assert!(verify(&secret, request), "signed: {request:?}");
        let body = request.json();
        assert_eq!(body["id"], request.event_id());
        assert_eq!(body["type"], request.event_type());
        assert_eq!(body["endpointId"], endpoint.as_str());
        assert!(body["occurredAt"].is_string());
        assert!(body.get("errors").is_none(), "{body}");
        assert_default_fields(&body);
        assert!(!request.header("x-switchboard-delivery").is_empty());
        assert_eq!(request.header("x-switchboard-attempt"), "1");
    }
    let sent_event = last_of(&received, "message.sent");
    assert_eq!(sent_event["data"]["messageEvents"]["kind"], "SENT");
    assert_eq!(
        sent_event["data"]["messageEvents"]["message"]["id"],
        sent.as_str()
    );
    let status = last_of(&received, "message.status_changed");
    assert_eq!(status["data"]["messageEvents"]["kind"], "STATUS_CHANGED");
    assert_eq!(
        status["data"]["messageEvents"]["message"]["id"],
        sent.as_str()
    );
    for (event_type, kind) in [
        ("conversation.opened", "OPENED"),
        ("conversation.assigned", "ASSIGNED"),
        ("conversation.transferred", "TRANSFERRED"),
        ("conversation.resolved", "RESOLVED"),
    ] {
        let event = last_of(&received, event_type);
        assert_eq!(event["data"]["conversationEvents"]["kind"], kind);
        assert_eq!(
            event["data"]["conversationEvents"]["conversation"]["id"],
            conversation.as_str()
        );
    }

    // The conversation's events in the order they happened. The reply's own events (sent,
    // and Meta's statuses, which may be recorded before the send's answer is) come as one
    // run between the customer's first message and the assignment.
    let mut order: Vec<String> = Vec::new();
    let mut at: Vec<String> = Vec::new();
    let mut reply: Vec<String> = Vec::new();
    for request in &received {
        let body = request.json();
        if conversation_of(&body).as_deref() != Some(conversation.as_str()) {
            continue;
        }
        let name = if body["data"]["messageEvents"]["message"]["id"] == sent.as_str() {
            reply.push(request.event_type());
            "reply".to_owned()
        } else {
            at.push(body["occurredAt"].as_str().unwrap().to_owned());
            request.event_type()
        };
        if order.last() != Some(&name) {
            order.push(name);
        }
    }
    assert_eq!(
        order,
        [
            "conversation.opened",
            "message.received",
            "reply",
            "conversation.assigned",
            "conversation.transferred",
            "conversation.resolved",
            "message.received",
        ]
    );
    let statuses = reply
        .iter()
        .filter(|t| *t == "message.status_changed")
        .count();
    assert!(
        reply.iter().filter(|t| *t == "message.sent").count() == 1
            && statuses >= 1
            && statuses + 1 == reply.len(),
        "the reply is sent once and changes status: {reply:?}"
    );
    let mut sorted = at.clone();
    sorted.sort();
    assert_eq!(at, sorted, "arrival order is the order they happened");
}

#[tokio::test]
async fn a_custom_document_selects_its_fields_and_its_arguments_filter() {
    let app = app().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let other = twilio_channel(&app, &tenant).await;
    let few = Receiver::start().await;
    let (_, secret) = register_document(
        &tenant,
        &few.url,
        "MESSAGE_RECEIVED",
        "subscription { messageEvents { message { text } } }",
    )
    .await;
    let elsewhere = Receiver::start().await;
    let (filtered, _) = register_document(
        &tenant,
        &elsewhere.url,
        "MESSAGE_RECEIVED",
        &format!(
            "subscription {{ messageEvents(channelId: \"{}\") {{ kind message {{ text }} }} }}",
            other.id
        ),
    )
    .await;
    meta_inbound(&app, &meta, &CUSTOMER[1..], "just the text").await;
    let got = few.wait_for(1, 20).await;
    assert!(verify(&secret, &got[0]));
    assert_eq!(
        got[0].json()["data"],
        json!({ "messageEvents": { "message": { "text": "just the text" } } })
    );
    let log = eventually(
        20,
        "the other channel's endpoint filters the event out",
        || deliveries(&tenant, &filtered),
        |d| d.len() == 1 && d[0]["state"] == "FILTERED",
    )
    .await;
    assert_eq!(log[0]["eventType"], "MESSAGE_RECEIVED");
    assert!(log[0]["payload"].is_null(), "{log:?}");
    assert!(log[0]["attempts"][0]["statusCode"].is_null(), "{log:?}");
    assert!(elsewhere.received().is_empty(), "nothing is sent");
}

#[tokio::test]
async fn each_tenant_receives_only_its_own_events() {
    let app = app().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let acme_meta = default_meta_channel(&app, &acme).await;
    let globex_meta = meta_channel(&app, &globex, "+15550783882", "106540352242923").await;
    let types = [
        "MESSAGE_RECEIVED",
        "CONVERSATION_OPENED",
        "CONTACT_OPTED_OUT",
    ];
    let acme_receiver = Receiver::start().await;
    let (acme_endpoint, acme_secret) = register(&acme, &acme_receiver.url, &types).await;
    let globex_receiver = Receiver::start().await;
    let (globex_endpoint, globex_secret) = register(&globex, &globex_receiver.url, &types).await;

    meta_inbound(&app, &acme_meta, &CUSTOMER[1..], "to Acme").await;
    meta_inbound(&app, &globex_meta, &CUSTOMER[1..], "to Globex").await;
    meta_inbound(&app, &globex_meta, &CUSTOMER[1..], "STOP").await;
    let globex_got = globex_receiver.wait_for(4, 20).await;
    let acme_got = acme_receiver.wait_for(2, 20).await;
    let mut seen: HashMap<&str, Vec<String>> = HashMap::new();
    for (name, got, secret, endpoint, channel) in [
        (
            "acme",
            &acme_got,
            &acme_secret,
            &acme_endpoint,
            &acme_meta.id,
        ),
        (
            "globex",
            &globex_got,
            &globex_secret,
            &globex_endpoint,
            &globex_meta.id,
        ),
    ] {
        for request in got.iter() {
            assert!(verify(secret, request), "{name}: {request:?}");
            let body = request.json();
            assert_eq!(body["endpointId"], endpoint.as_str());
            let data = &body["data"];
            if let Some(channel_id) = data["messageEvents"]["message"]["channel"]["id"]
                .as_str()
                .or_else(|| data["conversationEvents"]["conversation"]["channel"]["id"].as_str())
            {
                assert_eq!(channel_id, channel.as_str(), "{name}: {body}");
            }
            if let Some(text) = data["messageEvents"]["message"]["text"].as_str() {
                seen.entry(name).or_default().push(text.to_owned());
            }
        }
    }
    assert_eq!(seen["acme"], ["to Acme"]);
    assert_eq!(seen["globex"], ["to Globex", "STOP"]);
    // Acme's contact never opted out: Globex's customer did, in Globex only.
    assert!(acme_got
        .iter()
        .all(|r| r.event_type() != "contact.opted_out"));
    assert_eq!(
        globex_got
            .iter()
            .filter(|r| r.event_type() == "contact.opted_out")
            .count(),
        1
    );
    // Nothing more reaches Acme, and one tenant cannot read the other's log.
    let log = eventually(
        20,
        "Acme's deliveries are done",
        || deliveries(&acme, &acme_endpoint),
        |d| d.len() == 2 && d.iter().all(|d| d["state"] == "DELIVERED"),
    )
    .await;
    assert_eq!(log.len(), acme_receiver.received().len());
    let foreign = globex
        .owner
        .gql
        .query(DELIVERIES, json!({ "e": acme_endpoint }))
        .await;
    assert_eq!(foreign.code(), "NOT_FOUND");
}
