//! Who sees what: an agent sees and acts on the conversations of the queues they belong to
//! (and those assigned to them), and those conversations' messages, in every list, filter,
//! lookup, nested field and mutation; owners and admins see all; another tenant's ids stay
//! NOT_FOUND. Subscriptions, assignments and attachments' files are in
//! `visibility_events`.

use serde_json::{json, Value};

use crate::support::fixtures::{
    default_meta_channel, meta_inbound, twilio_channel, twilio_inbound, MetaChannel, TwilioChannel,
    CUSTOMER,
};
use crate::support::graphql::{Gql, Session};
use crate::support::{TestApp, TestTenant};

/// A tenant with two queues and a conversation in each, from the same customer.
pub(crate) struct World {
    pub app: TestApp,
    pub tenant: TestTenant,
    pub meta: MetaChannel,
    pub twilio: TwilioChannel,
    /// Billing: agent A is its one member; routing sends "invoice" here.
    pub q1: String,
    /// The tenant's default queue: no member.
    pub q2: String,
    /// An agent in queue 1.
    pub a: Session,
    /// An agent in no queue.
    pub b: Session,
    pub admin: Session,
    /// Opened on the Meta channel, in queue 1.
    pub c1: String,
    /// Opened on the Twilio channel, in queue 2.
    pub c2: String,
    pub contact: String,
    /// The inbound messages that opened them.
    pub m1: String,
    pub m2: String,
}

/// The tenant's default queue.
pub(crate) async fn default_queue(tenant: &TestTenant) -> String {
    let answer = tenant
        .owner
        .gql
        .query("{ queues { id isDefault } }", json!({}))
        .await;
    answer.data()["queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["isDefault"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Makes `users` the members of the queue.
pub(crate) async fn set_members(tenant: &TestTenant, queue: &str, users: &[&str]) {
    let members: Vec<Value> = users
        .iter()
        .map(|u| json!({ "userId": u, "capacity": 5 }))
        .collect();
    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!, $i: UpdateQueueInput!) { updateQueue(id: $id, input: $i) { id } }",
            json!({ "id": queue, "i": { "members": members } }),
        )
        .await
        .data();
}

const CONVERSATIONS: &str = "query($f: ConversationFilter, $n: Int) {
    conversations(filter: $f, first: $n) { edges { node { id } } pageInfo { hasNextPage } } }";
const MESSAGES: &str = "query($f: MessageFilter, $n: Int, $a: String) {
    messages(filter: $f, first: $n, after: $a) { edges { node { id revision } } pageInfo { hasNextPage } } }";

fn ids(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) async fn conversation_ids(gql: &Gql, filter: Value) -> Vec<String> {
    let answer = gql
        .query(CONVERSATIONS, json!({ "f": filter, "n": 50 }))
        .await;
    ids(&answer.data()["conversations"])
}

pub(crate) async fn message_ids(gql: &Gql, filter: Value) -> Vec<String> {
    let answer = gql.query(MESSAGES, json!({ "f": filter, "n": 50 })).await;
    ids(&answer.data()["messages"])
}

impl World {
    pub(crate) async fn new() -> Self {
        let app = TestApp::spawn().await;
        let tenant = app.new_tenant("Acme").await;
        let a = app.new_user(&tenant, "a@acme.test", "AGENT").await;
        let b = app.new_user(&tenant, "b@acme.test", "AGENT").await;
        let admin = app.new_user(&tenant, "admin@acme.test", "ADMIN").await;
        let q1 = tenant
            .owner
            .gql
            .query(
                "mutation($i: CreateQueueInput!) { createQueue(input: $i) { id } }",
                json!({ "i": { "name": "Billing", "members": [{ "userId": a.user_id, "capacity": 5 }] } }),
            )
            .await
            .data()["createQueue"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let q2 = default_queue(&tenant).await;
        tenant
            .owner
            .gql
            .query(
                "mutation($i: CreateRoutingRuleInput!) { createRoutingRule(input: $i) { id } }",
                json!({ "i": { "name": "Invoices", "queueId": q1,
                               "conditions": [{ "kind": "KEYWORD", "value": "invoice" }] } }),
            )
            .await
            .data();
        let meta = default_meta_channel(&app, &tenant).await;
        let twilio = twilio_channel(&app, &tenant).await;
        meta_inbound(&app, &meta, &CUSTOMER[1..], "my invoice please").await;
        twilio_inbound(&app, &twilio, "hello there").await;
        let all = tenant
            .owner
            .gql
            .query(
                "{ conversations { edges { node { id queueId contact { id }
                    messages { edges { node { id } } } } } } }",
                json!({}),
            )
            .await;
        let edges = all.data()["conversations"]["edges"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(edges.len(), 2, "{edges:?}");
        let in_queue = |queue: &str| -> (String, String) {
            let node = &edges
                .iter()
                .find(|e| e["node"]["queueId"] == queue)
                .unwrap()["node"];
            (
                node["id"].as_str().unwrap().to_owned(),
                node["messages"]["edges"][0]["node"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        };
        let (c1, m1) = in_queue(&q1);
        let (c2, m2) = in_queue(&q2);
        let contact = edges[0]["node"]["contact"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            edges[1]["node"]["contact"]["id"], contact,
            "one customer, two conversations"
        );
        World {
            app,
            tenant,
            meta,
            twilio,
            q1,
            q2,
            a,
            b,
            admin,
            c1,
            c2,
            contact,
            m1,
            m2,
        }
    }
}

#[tokio::test]
async fn an_agent_lists_only_the_conversations_of_their_queues_under_every_filter() {
    let w = World::new().await;
    let label = w
        .tenant
        .owner
        .gql
        .query(
            "mutation { createLabel(input: { name: \"VIP\", color: \"#ffaa00\" }) { id } }",
            json!({}),
        )
        .await
        .data()["createLabel"]["id"]
        .clone();
    for c in [&w.c1, &w.c2] {
        w.tenant
            .owner
            .gql
            .query(
                "mutation($c: ID!, $l: [ID!]!) { labelConversation(conversationId: $c, labelIds: $l) { id } }",
                json!({ "c": c, "l": [label] }),
            )
            .await
            .data();
    }
    let only_c1 = vec![w.c1.clone()];
    for filter in [
        Value::Null,
        json!({ "status": "OPEN" }),
        json!({ "channelId": w.meta.id }),
        json!({ "contactId": w.contact }),
        json!({ "queueId": w.q1 }),
        json!({ "labelIds": [label] }),
    ] {
        assert_eq!(
            conversation_ids(&w.a.gql, filter.clone()).await,
            only_c1,
            "{filter}"
        );
        let all = conversation_ids(&w.admin.gql, filter.clone()).await;
        assert!(all.contains(&w.c1), "{filter}");
        assert!(
            conversation_ids(&w.b.gql, filter.clone()).await.is_empty(),
            "{filter}"
        );
    }
    assert_eq!(conversation_ids(&w.admin.gql, Value::Null).await.len(), 2);
    for filter in [
        json!({ "channelId": w.twilio.id }),
        json!({ "queueId": w.q2 }),
        json!({ "status": "RESOLVED" }),
    ] {
        assert!(
            conversation_ids(&w.a.gql, filter.clone()).await.is_empty(),
            "{filter}"
        );
    }
    // The page is filled from what the agent sees: the newer conversation, in queue 2,
    // does not take the one place.
    let page =
        w.a.gql
            .query(CONVERSATIONS, json!({ "f": null, "n": 1 }))
            .await;
    assert_eq!(ids(&page.data()["conversations"]), only_c1);
    assert_eq!(
        page.data()["conversations"]["pageInfo"]["hasNextPage"],
        false
    );

    const ONE: &str = "query($id: ID!) { conversation(id: $id) { id } }";
    let seen = w.a.gql.query(ONE, json!({ "id": w.c1 })).await;
    assert_eq!(seen.data()["conversation"]["id"], w.c1.as_str());
    assert_eq!(
        w.a.gql.query(ONE, json!({ "id": w.c2 })).await.code(),
        "NOT_FOUND"
    );
    assert_eq!(
        w.b.gql.query(ONE, json!({ "id": w.c1 })).await.code(),
        "NOT_FOUND"
    );
    let admin = w.admin.gql.query(ONE, json!({ "id": w.c2 })).await;
    assert_eq!(admin.data()["conversation"]["id"], w.c2.as_str());
}

#[tokio::test]
async fn an_agent_reads_only_the_messages_of_conversations_they_see() {
    let w = World::new().await;
    let only_m1 = vec![w.m1.clone()];
    for filter in [
        Value::Null,
        json!({ "contactId": w.contact }),
        json!({ "direction": "INBOUND" }),
        json!({ "status": "RECEIVED" }),
        json!({ "text": "e" }),
        json!({ "channelId": w.meta.id }),
        json!({ "conversationId": w.c1 }),
    ] {
        assert_eq!(
            message_ids(&w.a.gql, filter.clone()).await,
            only_m1,
            "{filter}"
        );
        if filter.get("conversationId").is_none() {
            assert!(
                message_ids(&w.b.gql, filter.clone()).await.is_empty(),
                "{filter}"
            );
        }
    }
    assert!(message_ids(&w.a.gql, json!({ "channelId": w.twilio.id }))
        .await
        .is_empty());
    assert!(message_ids(&w.a.gql, json!({ "text": "hello" }))
        .await
        .is_empty());
    let all = message_ids(&w.admin.gql, Value::Null).await;
    assert_eq!(all.len(), 2, "{all:?}");

    // A conversation the agent does not see in the filter answers as another tenant's.
    let hidden =
        w.a.gql
            .query(MESSAGES, json!({ "f": { "conversationId": w.c2 } }))
            .await;
    assert_eq!(hidden.code(), "NOT_FOUND");
    let hidden =
        w.b.gql
            .query(MESSAGES, json!({ "f": { "conversationId": w.c1 } }))
            .await;
    assert_eq!(hidden.code(), "NOT_FOUND");

    // A full page and the change feed.
    let page = w.a.gql.query(MESSAGES, json!({ "n": 1 })).await;
    assert_eq!(ids(&page.data()["messages"]), only_m1);
    assert_eq!(page.data()["messages"]["pageInfo"]["hasNextPage"], false);
    let first = &w
        .admin
        .gql
        .query(MESSAGES, json!({ "f": { "conversationId": w.c1 } }))
        .await
        .data()["messages"]["edges"][0]["node"]["revision"]
        .clone();
    let since = w.admin.gql.query(MESSAGES, json!({ "a": first })).await;
    assert_eq!(ids(&since.data()["messages"]), vec![w.m2.clone()]);
    let since = w.a.gql.query(MESSAGES, json!({ "a": first })).await;
    assert!(ids(&since.data()["messages"]).is_empty(), "{since:?}");

    const ONE: &str = "query($id: ID!) { message(id: $id) { id conversation { id } } }";
    let seen = w.a.gql.query(ONE, json!({ "id": w.m1 })).await;
    assert_eq!(seen.data()["message"]["conversation"]["id"], w.c1.as_str());
    assert_eq!(
        w.a.gql.query(ONE, json!({ "id": w.m2 })).await.code(),
        "NOT_FOUND"
    );
    let admin = w.admin.gql.query(ONE, json!({ "id": w.m2 })).await;
    assert_eq!(admin.data()["message"]["conversation"]["id"], w.c2.as_str());
}

#[tokio::test]
async fn nested_fields_show_an_agent_only_what_they_see() {
    let w = World::new().await;
    // Contacts are every member's; their history is filtered.
    const CONTACT: &str =
        "query($id: ID!) { contact(id: $id) { id messages { edges { node { id } } } } }";
    let contact = w.a.gql.query(CONTACT, json!({ "id": w.contact })).await;
    assert_eq!(
        ids(&contact.data()["contact"]["messages"]),
        vec![w.m1.clone()]
    );
    let contact = w.b.gql.query(CONTACT, json!({ "id": w.contact })).await;
    assert!(ids(&contact.data()["contact"]["messages"]).is_empty());
    let contact = w.admin.gql.query(CONTACT, json!({ "id": w.contact })).await;
    assert_eq!(ids(&contact.data()["contact"]["messages"]).len(), 2);
    let listed =
        w.b.gql
            .query("{ contacts { edges { node { id } } } }", json!({}))
            .await;
    assert_eq!(ids(&listed.data()["contacts"]), vec![w.contact.clone()]);

    // From a conversation the agent sees, through its contact, to the whole history.
    let nested =
        w.a.gql
            .query(
                "query($id: ID!) { conversation(id: $id) {
                messages { edges { node { id conversation { id } parts { id } } } }
                contact { messages { edges { node { id conversation { id } } } } } } }",
                json!({ "id": w.c1 }),
            )
            .await;
    let conversation = &nested.data()["conversation"];
    assert_eq!(ids(&conversation["messages"]), vec![w.m1.clone()]);
    assert_eq!(
        ids(&conversation["contact"]["messages"]),
        vec![w.m1.clone()]
    );
    assert_eq!(
        conversation["contact"]["messages"]["edges"][0]["node"]["conversation"]["id"],
        w.c1.as_str()
    );

    // An API key with the AGENT role belongs to no queue: it sees no conversation.
    let key = w
        .tenant
        .owner
        .gql
        .query(
            "mutation { createApiKey(name: \"bot\", role: AGENT) { secret } }",
            json!({}),
        )
        .await
        .data()["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = w.app.with_token(&key);
    assert!(conversation_ids(&key, Value::Null).await.is_empty());
    assert!(message_ids(&key, Value::Null).await.is_empty());
    let contact = key.query(CONTACT, json!({ "id": w.contact })).await;
    assert!(ids(&contact.data()["contact"]["messages"]).is_empty());
}

const SEND: &str =
    "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id conversation { id } } }";

fn text(body: &str) -> Value {
    json!({ "text": { "body": body } })
}

#[tokio::test]
async fn an_agent_acts_only_on_conversations_they_see() {
    let w = World::new().await;
    let to = |conversation: &str| json!({ "i": { "conversationId": conversation, "content": text("hi") } });
    assert_eq!(
        w.a.gql.query(SEND, to(&w.c2)).await.code(),
        "NOT_FOUND",
        "a conversation of another queue"
    );
    assert_eq!(w.b.gql.query(SEND, to(&w.c1)).await.code(), "NOT_FOUND");
    let sent = w.a.gql.query(SEND, to(&w.c1)).await;
    assert_eq!(
        sent.data()["sendMessage"]["conversation"]["id"],
        w.c1.as_str()
    );
    // By number: the customer's open conversation on the Twilio channel is in queue 2.
    let by_number =
        json!({ "i": { "channelId": w.twilio.id, "to": CUSTOMER, "content": text("hi") } });
    assert_eq!(
        w.a.gql.query(SEND, by_number.clone()).await.code(),
        "NOT_FOUND"
    );
    // A number with no open conversation on the channel is anyone's to write to (a
    // template, outside the window): the agent gets past who-sees-what to the window.
    let new_number =
        json!({ "i": { "channelId": w.meta.id, "to": "+34600000077", "content": text("hi") } });
    assert_eq!(
        w.a.gql.query(SEND, new_number).await.code(),
        "WINDOW_CLOSED"
    );
    let by_admin = w.admin.gql.query(SEND, by_number).await;
    assert_eq!(
        by_admin.data()["sendMessage"]["conversation"]["id"],
        w.c2.as_str()
    );
    // Quoting or reacting to a message of a conversation the agent does not see.
    let quoting = w
        .a
        .gql
        .query(
            SEND,
            json!({ "i": { "conversationId": w.c1, "content": text("re"), "replyToMessageId": w.m2 } }),
        )
        .await;
    assert_eq!(quoting.code(), "BAD_USER_INPUT");
    assert_eq!(
        quoting.body["errors"][0]["extensions"]["field"],
        "replyToMessageId"
    );
    let reacting =
        w.a.gql
            .query(
                SEND,
                json!({ "i": { "conversationId": w.c1,
                           "content": { "reaction": { "messageId": w.m2, "emoji": "👍" } } } }),
            )
            .await;
    assert_eq!(reacting.code(), "NOT_FOUND");

    const LABEL: &str = "mutation($c: ID!, $l: [ID!]!) { labelConversation(conversationId: $c, labelIds: $l) { id } }";
    const UNLABEL: &str = "mutation($c: ID!, $l: [ID!]!) { unlabelConversation(conversationId: $c, labelIds: $l) { id } }";
    let label = w
        .tenant
        .owner
        .gql
        .query(
            "mutation { createLabel(input: { name: \"VIP\", color: \"#ffaa00\" }) { id } }",
            json!({}),
        )
        .await
        .data()["createLabel"]["id"]
        .clone();
    for query in [LABEL, UNLABEL] {
        let hidden = json!({ "c": w.c2, "l": [label] });
        assert_eq!(
            w.a.gql.query(query, hidden.clone()).await.code(),
            "NOT_FOUND"
        );
        w.admin.gql.query(query, hidden).await.data();
        w.a.gql
            .query(query, json!({ "c": w.c1, "l": [label] }))
            .await
            .data();
    }

    // A message of a conversation the agent does not see is not found before anything is
    // checked about it; one they see gets the usual answer.
    const MARK_READ: &str = "mutation($id: ID!) { markRead(messageId: $id) { id } }";
    const RETRY: &str = "mutation($id: ID!) { retryMessage(id: $id) { id } }";
    assert_eq!(
        w.a.gql.query(MARK_READ, json!({ "id": w.m2 })).await.code(),
        "NOT_FOUND"
    );
    assert_eq!(
        w.a.gql.query(RETRY, json!({ "id": w.m2 })).await.code(),
        "NOT_FOUND"
    );
    assert_eq!(
        w.a.gql.query(RETRY, json!({ "id": w.m1 })).await.code(),
        "BAD_USER_INPUT"
    );

    // Another tenant's owner sees all of theirs and none of these.
    let globex = w.app.new_tenant("Globex").await;
    for (query, vars) in [
        (
            "query($id: ID!) { conversation(id: $id) { id } }",
            json!({ "id": w.c1 }),
        ),
        (
            "query($id: ID!) { message(id: $id) { id } }",
            json!({ "id": w.m1 }),
        ),
        (SEND, to(&w.c1)),
        (LABEL, json!({ "c": w.c1, "l": [] })),
        (MARK_READ, json!({ "id": w.m1 })),
    ] {
        assert_eq!(
            globex.owner.gql.query(query, vars).await.code(),
            "NOT_FOUND",
            "{query}"
        );
    }
    assert!(conversation_ids(&globex.owner.gql, Value::Null)
        .await
        .is_empty());
    w.app.drain_outbox(&w.tenant).await;
}
