//! Message history: every filter alone and combined, keyset paging, a contact's history,
//! other tenants' ids, and a channel's rate limit as the fake provider sees it.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{json, Value};
use switchboard::fakes::meta::FakePhoneNumber;

use crate::support::fixtures::{
    create_channel, default_meta_channel, meta_channel, meta_inbound, meta_input, MetaChannel,
    META_TOKEN,
};
use crate::support::{TestApp, TestTenant};

const SEND: &str = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }";
const HISTORY: &str = "query($f: MessageFilter, $n: Int, $a: String) { messages(filter: $f, first: $n, after: $a) {
    edges { cursor node { id text direction status createdAt lastError { code } attempts { number outcome } statusHistory { status } } }
    pageInfo { hasNextPage } } }";
const FIRST_CUSTOMER: &str = "34600000001";
const SECOND_CUSTOMER: &str = "34600000002";

/// A page of history as the owner sees it.
async fn page(tenant: &TestTenant, filter: Value, first: i32, after: Option<&str>) -> Value {
    tenant
        .owner
        .gql
        .query(HISTORY, json!({ "f": filter, "n": first, "a": after }))
        .await
        .data()["messages"]
        .clone()
}

/// The texts of the first 100 messages matching `filter`, newest first.
async fn texts(tenant: &TestTenant, filter: Value) -> Vec<String> {
    page(tenant, filter, 100, None).await["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn inbound(app: &TestApp, channel: &MetaChannel, customer: &str, text: &str) {
    meta_inbound(app, channel, customer, text).await;
}

/// Sends `text` and waits until the outbox settled it.
async fn reply(tenant: &TestTenant, channel: &MetaChannel, customer: &str, text: &str) -> String {
    let sent = tenant
        .owner
        .gql
        .query(SEND, json!({ "i": { "channelId": channel.id, "to": format!("+{customer}"), "content": { "text": { "body": text } } } }))
        .await;
    let id = sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    crate::support::eventually(
        20,
        "the message leaves the outbox",
        || async {
            tenant
                .owner
                .gql
                .query(
                    "query($id: ID!) { message(id: $id) { status } }",
                    json!({ "id": id.as_str() }),
                )
                .await
                .data()["message"]["status"]
                .clone()
        },
        |status| status != "QUEUED",
    )
    .await;
    id
}

/// Ids of the tenant's contacts and conversations, by customer and channel.
struct Ids {
    first_contact: String,
    first_on_a: String,
}

async fn ids(tenant: &TestTenant, channel_a: &str) -> Ids {
    let answer = tenant
        .owner
        .gql
        .query(
            "{ conversations(first: 100) { edges { node { id channel { id } contact { id waId } } } } }",
            json!({}),
        )
        .await;
    let edges = answer.data()["conversations"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let find = |wa: &str, channel: &str| {
        edges
            .iter()
            .map(|e| &e["node"])
            .find(|n| n["contact"]["waId"] == wa && n["channel"]["id"] == channel)
            .unwrap()
            .clone()
    };
    let first = find(FIRST_CUSTOMER, channel_a);
    Ids {
        first_contact: first["contact"]["id"].as_str().unwrap().to_owned(),
        first_on_a: first["id"].as_str().unwrap().to_owned(),
    }
}

/// Channel A: both customers write, one reply is sent, one fails. Channel B: the first
/// customer writes.
async fn history_of_two_channels(app: &TestApp) -> (TestTenant, MetaChannel, MetaChannel) {
    let tenant = app.new_tenant("Acme").await;
    let a = default_meta_channel(app, &tenant).await;
    let b = meta_channel(app, &tenant, "+15550783882", "106540352242923").await;
    inbound(app, &a, FIRST_CUSTOMER, "Hello there").await;
    inbound(app, &a, SECOND_CUSTOMER, "Where is my INVOICE?").await;
    inbound(app, &b, FIRST_CUSTOMER, "Second channel hi").await;
    reply(&tenant, &a, FIRST_CUSTOMER, "Your invoice is attached").await;
    app.meta.fail_next(131009, 1);
    reply(&tenant, &a, SECOND_CUSTOMER, "This one fails").await;
    (tenant, a, b)
}

#[tokio::test]
async fn each_filter_alone_and_combined_finds_exactly_its_messages() {
    let app = TestApp::spawn().await;
    let (tenant, a, b) = history_of_two_channels(&app).await;
    let ids = ids(&tenant, &a.id).await;
    let all = [
        "This one fails",
        "Your invoice is attached",
        "Second channel hi",
        "Where is my INVOICE?",
        "Hello there",
    ];
    assert_eq!(texts(&tenant, json!({})).await, all);
    assert_eq!(
        texts(&tenant, json!({ "channelId": a.id })).await,
        [all[0], all[1], all[3], all[4]]
    );
    assert_eq!(texts(&tenant, json!({ "channelId": b.id })).await, [all[2]]);
    assert_eq!(
        texts(&tenant, json!({ "contactId": ids.first_contact })).await,
        [all[1], all[2], all[4]]
    );
    assert_eq!(
        texts(&tenant, json!({ "conversationId": ids.first_on_a })).await,
        [all[1], all[4]]
    );
    assert_eq!(
        texts(&tenant, json!({ "direction": "OUTBOUND" })).await,
        [all[0], all[1]]
    );
    assert_eq!(
        texts(&tenant, json!({ "direction": "INBOUND" })).await,
        [all[2], all[3], all[4]]
    );
    assert_eq!(
        texts(&tenant, json!({ "status": "FAILED" })).await,
        [all[0]]
    );
    assert_eq!(
        texts(&tenant, json!({ "status": "RECEIVED" })).await,
        [all[2], all[3], all[4]]
    );
    // Combined.
    assert_eq!(
        texts(
            &tenant,
            json!({ "channelId": a.id, "contactId": ids.first_contact, "direction": "INBOUND" })
        )
        .await,
        [all[4]]
    );
    assert_eq!(
        texts(&tenant, json!({ "channelId": a.id, "status": "FAILED" })).await,
        [all[0]]
    );
    assert_eq!(
        texts(&tenant, json!({ "channelId": b.id, "status": "FAILED" })).await,
        Vec::<String>::new()
    );
    assert_eq!(
        texts(
            &tenant,
            json!({ "conversationId": ids.first_on_a, "direction": "OUTBOUND", "status": "SENT" })
        )
        .await,
        [all[1]]
    );
    assert_eq!(
        texts(
            &tenant,
            json!({ "status": "RECEIVED", "direction": "INBOUND", "channelId": a.id })
        )
        .await,
        [all[3], all[4]]
    );
    assert_eq!(
        texts(
            &tenant,
            json!({ "contactId": ids.first_contact, "text": "HI" })
        )
        .await,
        [all[2]]
    );
    // What a page shows of each message: attempts, the last error and the timeline.
    let failed = &page(&tenant, json!({ "status": "FAILED" }), 1, None).await["edges"][0]["node"];
    assert_eq!(failed["lastError"]["code"], "131009");
    assert_eq!(failed["attempts"][0]["outcome"], "FAILED", "{failed}");
    let sent = &page(&tenant, json!({ "status": "SENT" }), 1, None).await["edges"][0]["node"];
    assert_eq!(sent["attempts"][0]["outcome"], "SENT", "{sent}");
    assert!(sent["statusHistory"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["status"] == "SENT"));
    assert_eq!(sent["lastError"], Value::Null);
}

#[tokio::test]
async fn text_search_ignores_case_and_takes_wildcards_literally() {
    let app = TestApp::spawn().await;
    let (tenant, a, _) = history_of_two_channels(&app).await;
    assert_eq!(
        texts(&tenant, json!({ "text": "invoice" })).await,
        ["Your invoice is attached", "Where is my INVOICE?"]
    );
    assert_eq!(
        texts(
            &tenant,
            json!({ "text": "InVoIcE", "direction": "INBOUND" })
        )
        .await,
        ["Where is my INVOICE?"]
    );
    inbound(&app, &a, FIRST_CUSTOMER, "100% sure_thing").await;
    assert_eq!(
        texts(&tenant, json!({ "text": "t_e" })).await,
        Vec::<String>::new()
    );
    assert_eq!(
        texts(&tenant, json!({ "text": "0%" })).await,
        ["100% sure_thing"]
    );
    assert_eq!(
        texts(&tenant, json!({ "text": "e_t" })).await,
        ["100% sure_thing"]
    );
    assert_eq!(
        texts(&tenant, json!({ "text": "%" })).await,
        ["100% sure_thing"]
    );
    assert_eq!(
        texts(&tenant, json!({ "text": "nowhere" })).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn from_is_inclusive_and_to_exclusive() {
    let app = TestApp::spawn().await;
    let (tenant, a, _) = history_of_two_channels(&app).await;
    let edges = page(&tenant, json!({}), 100, None).await["edges"].clone();
    let at = |i: usize| edges[i]["node"]["createdAt"].as_str().unwrap().to_owned();
    // Newest first: 0 fails, 1 attached, 2 second channel, 3 invoice, 4 hello.
    assert_eq!(
        texts(&tenant, json!({ "from": at(2) })).await,
        [
            "This one fails",
            "Your invoice is attached",
            "Second channel hi"
        ]
    );
    assert_eq!(
        texts(&tenant, json!({ "to": at(2) })).await,
        ["Where is my INVOICE?", "Hello there"]
    );
    assert_eq!(
        texts(&tenant, json!({ "from": at(3), "to": at(1) })).await,
        ["Second channel hi", "Where is my INVOICE?"]
    );
    assert_eq!(
        texts(
            &tenant,
            json!({ "from": at(3), "to": at(0), "channelId": a.id })
        )
        .await,
        ["Your invoice is attached", "Where is my INVOICE?"]
    );
    assert_eq!(
        texts(
            &tenant,
            json!({ "from": "2020-01-01T00:00:00Z", "to": "2020-01-02T00:00:00Z" })
        )
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        texts(&tenant, json!({ "from": "2020-01-01T00:00:00Z" }))
            .await
            .len(),
        5
    );
}

/// Walks every page of `filter` with `first`, answering the ids in order.
async fn walk(tenant: &TestTenant, filter: Value, first: i32) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = page(tenant, filter.clone(), first, after.as_deref()).await;
        let edges = page["edges"].as_array().unwrap();
        assert!(edges.len() <= first as usize);
        for edge in edges {
            seen.push(edge["node"]["id"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return seen;
        }
        assert_eq!(edges.len(), first as usize);
        after = edges
            .last()
            .map(|e| e["cursor"].as_str().unwrap().to_owned());
    }
}

#[tokio::test]
async fn pages_follow_each_other_without_duplicates_or_gaps() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let a = default_meta_channel(&app, &tenant).await;
    let b = meta_channel(&app, &tenant, "+15550783882", "106540352242923").await;
    for i in 0..13 {
        let channel = if i % 3 == 0 { &b } else { &a };
        inbound(&app, channel, FIRST_CUSTOMER, &format!("message {i}")).await;
    }
    let everything = walk(&tenant, json!({}), 100).await;
    assert_eq!(everything.len(), 13);
    for first in [1, 4, 5, 13] {
        assert_eq!(
            walk(&tenant, json!({}), first).await,
            everything,
            "first: {first}"
        );
    }
    let on_a = walk(&tenant, json!({ "channelId": a.id }), 3).await;
    assert_eq!(on_a.len(), 8);
    assert_eq!(on_a.iter().collect::<HashSet<_>>().len(), 8);
    let expected: Vec<String> = everything
        .iter()
        .filter(|id| on_a.contains(id))
        .cloned()
        .collect();
    assert_eq!(on_a, expected, "the same order as the whole history");

    // A message arriving between two pages lands before the first page, not in the next.
    let first = page(&tenant, json!({}), 5, None).await;
    inbound(&app, &a, FIRST_CUSTOMER, "late").await;
    let cursor = first["edges"][4]["cursor"].as_str().unwrap();
    let second = page(&tenant, json!({}), 5, Some(cursor)).await;
    let ids: Vec<&str> = second["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        everything[5..10]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_contacts_history_spans_its_channels_and_pages() {
    let app = TestApp::spawn().await;
    let (tenant, a, _) = history_of_two_channels(&app).await;
    let ids = ids(&tenant, &a.id).await;
    let query = "query($id: ID!, $a: String) { contact(id: $id) { messages(first: 2, after: $a) { edges { cursor node { text } } pageInfo { hasNextPage } } } }";
    let first = tenant
        .owner
        .gql
        .query(query, json!({ "id": ids.first_contact }))
        .await;
    let first = first.data()["contact"]["messages"].clone();
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let cursor = first["edges"][1]["cursor"].as_str().unwrap();
    let second = tenant
        .owner
        .gql
        .query(query, json!({ "id": ids.first_contact, "a": cursor }))
        .await;
    let second = second.data()["contact"]["messages"].clone();
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    let texts: Vec<&str> = first["edges"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["edges"].as_array().unwrap())
        .map(|e| e["node"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Your invoice is attached",
            "Second channel hi",
            "Hello there"
        ]
    );
}

#[tokio::test]
async fn another_tenants_ids_in_a_filter_answer_not_found() {
    let app = TestApp::spawn().await;
    let (acme, a, _) = history_of_two_channels(&app).await;
    let ids = ids(&acme, &a.id).await;
    let globex = app.new_tenant("Globex").await;
    for filter in [
        json!({ "channelId": a.id }),
        json!({ "contactId": ids.first_contact }),
        json!({ "conversationId": ids.first_on_a }),
        json!({ "channelId": a.id, "text": "invoice" }),
    ] {
        let answer = globex
            .owner
            .gql
            .query(HISTORY, json!({ "f": filter, "n": 10 }))
            .await;
        assert_eq!(answer.code(), "NOT_FOUND", "{filter}: {}", answer.body);
    }
    // Conversations filtered by another tenant's channel or contact, the same.
    let conversations =
        "query($f: ConversationFilter) { conversations(filter: $f) { edges { node { id } } } }";
    for filter in [
        json!({ "channelId": a.id }),
        json!({ "contactId": ids.first_contact }),
    ] {
        let answer = globex
            .owner
            .gql
            .query(conversations, json!({ "f": filter }))
            .await;
        assert_eq!(answer.code(), "NOT_FOUND", "{filter}: {}", answer.body);
        let own = acme
            .owner
            .gql
            .query(conversations, json!({ "f": filter }))
            .await;
        assert!(
            !own.data()["conversations"]["edges"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{filter}: {}",
            own.body
        );
    }
    assert_eq!(texts(&globex, json!({})).await, Vec::<String>::new());
    assert_eq!(
        texts(&globex, json!({ "text": "invoice" })).await,
        Vec::<String>::new()
    );
    // A cursor taken from another tenant's page reveals nothing either.
    let cursor = page(&acme, json!({}), 1, None).await["edges"][0]["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        page(&globex, json!({}), 10, Some(&cursor)).await["edges"],
        json!([])
    );
    let bad = globex
        .owner
        .gql
        .query(
            HISTORY,
            json!({ "f": { "contactId": "not-an-id" }, "n": 10 }),
        )
        .await;
    assert_eq!(bad.code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_channel_sends_no_faster_than_its_rate_limit() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let phone_number_id = "106540352242931";
    app.meta
        .set_app_secret(crate::support::fixtures::META_APP_SECRET);
    app.meta.add_phone_number(FakePhoneNumber::new(
        phone_number_id,
        "102290129340398",
        META_TOKEN,
    ));
    let mut input = meta_input("+15550783891", phone_number_id);
    input["settings"] = json!({ "messagesPerSecond": 5 });
    let created = create_channel(&tenant, input).await;
    let channel = MetaChannel {
        id: created["id"].as_str().unwrap().to_owned(),
        webhook: created["webhookUrl"].as_str().unwrap().to_owned(),
        verify_token: String::new(),
        phone_number_id: phone_number_id.to_owned(),
    };
    inbound(&app, &channel, FIRST_CUSTOMER, "hi").await;
    for i in 0..20 {
        tenant
            .owner
            .gql
            .query(SEND, json!({ "i": { "channelId": channel.id, "to": format!("+{FIRST_CUSTOMER}"), "content": { "text": { "body": format!("update {i}") } } } }))
            .await
            .data();
    }
    let suffix = format!("/{phone_number_id}/messages");
    let sends = || {
        let mut times: Vec<_> = app
            .meta
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.ends_with(&suffix))
            .map(|r| r.received_at)
            .collect();
        times.sort();
        times
    };
    let times = crate::support::eventually(
        30,
        "twenty sends",
        || async { sends() },
        |times| times.len() >= 20,
    )
    .await;
    assert_eq!(times.len(), 20);
    // The bucket holds one second's worth: at most 5 + 5 in any second, and the 15 sends
    // after the burst take at least 15 / 5 seconds.
    let burst = 5;
    for (i, start) in times.iter().enumerate() {
        let within = times[i..]
            .iter()
            .take_while(|t| t.duration_since(*start) < Duration::from_secs(1))
            .count();
        assert!(within <= 5 + burst, "{within} sends within one second");
    }
    let span = times[19].duration_since(times[0]);
    assert!(
        span >= Duration::from_secs_f64((20 - burst) as f64 / 5.0 - 0.05),
        "20 sends took {span:?}"
    );
}
