//! Quick replies: defining them for the tenant or a queue, their variables checked when
//! saved and filled in for a conversation, listing per queue, roles, and other tenants' ids.

use serde_json::{json, Value};

use crate::support::fixtures::{
    conversation_id, meta_channel, meta_conversation, meta_inbound, send_text, settled, CUSTOMER,
};
use crate::support::graphql::{Answer, Gql};
use crate::support::{TestApp, TestTenant, PASSWORD};

const FIELDS: &str = "id queueId shortcut text variables media { type mediaId }";
const UPDATE: &str = "mutation($id: ID!, $i: UpdateQuickReplyInput!) { updateQuickReply(id: $id, input: $i) { id queueId shortcut text variables media { type mediaId } } }";
const DELETE: &str = "mutation($id: ID!) { deleteQuickReply(id: $id) }";
const LIST: &str =
    "query($q: ID, $s: String) { quickReplies(queueId: $q, search: $s) { id shortcut queueId } }";
const RENDER: &str = "query($id: ID!, $c: ID!) { renderQuickReply(id: $id, conversationId: $c) { text missing media { type mediaId } } }";

fn create_query() -> String {
    format!("mutation($i: CreateQuickReplyInput!) {{ createQuickReply(input: $i) {{ {FIELDS} }} }}")
}

/// The field an error names (`extensions.field`).
fn field(answer: &Answer) -> &str {
    answer.code();
    answer.body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default()
}

async fn create(gql: &Gql, input: Value) -> Answer {
    gql.query(&create_query(), json!({ "i": input })).await
}

async fn created(tenant: &TestTenant, input: Value) -> Value {
    create(&tenant.owner.gql, input).await.data()["createQuickReply"].clone()
}

async fn queue(tenant: &TestTenant, name: &str) -> String {
    let answer = tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateQueueInput!) { createQueue(input: $i) { id } }",
            json!({ "i": { "name": name } }),
        )
        .await;
    answer.data()["createQueue"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn shortcuts(gql: &Gql, queue: Option<&str>, search: Option<&str>) -> Vec<String> {
    let answer = gql.query(LIST, json!({ "q": queue, "s": search })).await;
    answer.data()["quickReplies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["shortcut"].as_str().unwrap().to_owned())
        .collect()
}

/// Uploads a PNG as the tenant's owner and answers its id.
async fn upload_png(app: &TestApp, tenant: &TestTenant) -> String {
    let response = app
        .http
        .post(app.url("/media"))
        .header("content-type", "image/png")
        .bearer_auth(&tenant.owner.access_token)
        .body(b"\x89PNG\r\n\x1a\n".to_vec())
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

/// A second tenant with its own channel and conversation.
async fn other_tenant(app: &TestApp) -> (TestTenant, String) {
    let tenant = app.new_tenant("Globex").await;
    let meta = meta_channel(app, &tenant, "+15550783999", "106540352242999").await;
    meta_inbound(app, &meta, "34600000009", "hi").await;
    let conversation = conversation_id(&tenant).await;
    (tenant, conversation)
}

#[tokio::test]
async fn quick_replies_are_created_read_changed_and_deleted() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, _conversation) = meta_conversation(&app, "hello").await;
    let gql = &tenant.owner.gql;
    let sales = queue(&tenant, "Sales").await;
    let greeting = created(
        &tenant,
        json!({ "shortcut": " Greeting ", "text": "Hi {{contact.name}}, I'm {{agent.name}}." }),
    )
    .await;
    assert_eq!(greeting["shortcut"], "Greeting", "the shortcut is trimmed");
    assert_eq!(greeting["queueId"], Value::Null);
    assert_eq!(greeting["variables"], json!(["contact.name", "agent.name"]));
    assert_eq!(greeting["media"], Value::Null);

    // Unique per scope in any case; the same shortcut in a queue is another reply.
    let again = create(gql, json!({ "shortcut": "GREETING", "text": "Hello" })).await;
    assert_eq!(field(&again), "shortcut");
    let in_queue = created(
        &tenant,
        json!({ "queueId": sales, "shortcut": "greeting", "text": "Sales here" }),
    )
    .await;
    assert_eq!(in_queue["queueId"], sales);

    // Fields left out stay; media goes on and off.
    let png = upload_png(&app, &tenant).await;
    let changed = gql
        .query(
            UPDATE,
            json!({ "id": greeting["id"], "i": { "text": "Welcome!", "media": { "type": "IMAGE", "mediaId": png } } }),
        )
        .await;
    let changed = &changed.data()["updateQuickReply"];
    assert_eq!(changed["shortcut"], "Greeting");
    assert_eq!(changed["text"], "Welcome!");
    assert_eq!(changed["media"], json!({ "type": "IMAGE", "mediaId": png }));
    let misfit = gql
        .query(
            UPDATE,
            json!({ "id": greeting["id"], "i": { "media": { "type": "VIDEO", "mediaId": png } } }),
        )
        .await;
    assert_eq!(field(&misfit), "media.mediaId", "a PNG is no video");
    let taken = gql
        .query(
            UPDATE,
            json!({ "id": in_queue["id"], "i": { "shortcut": "bye" } }),
        )
        .await;
    assert_eq!(taken.data()["updateQuickReply"]["shortcut"], "bye");
    let unmedia = gql
        .query(
            UPDATE,
            json!({ "id": greeting["id"], "i": { "media": null } }),
        )
        .await;
    assert_eq!(unmedia.data()["updateQuickReply"]["media"], Value::Null);

    let deleted = gql.query(DELETE, json!({ "id": greeting["id"] })).await;
    assert_eq!(deleted.data()["deleteQuickReply"], true);
    assert_eq!(shortcuts(gql, Some(&sales), None).await, ["bye"]);
    let again = gql.query(DELETE, json!({ "id": greeting["id"] })).await;
    assert_eq!(again.code(), "NOT_FOUND");

    let log = gql
        .query(
            "{ auditLog(first: 50) { edges { node { action targetId } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<String> = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["targetId"] == greeting["id"])
        .map(|e| e["node"]["action"].as_str().unwrap().to_owned())
        .collect();
    for action in [
        "quick_reply.create",
        "quick_reply.update",
        "quick_reply.delete",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn bad_quick_reply_input_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let gql = &tenant.owner.gql;
    tenant
        .owner
        .gql
        .query(
            "mutation { createContactAttribute(input: { key: \"tier\", displayName: \"Tier\", type: TEXT }) { id } }",
            json!({}),
        )
        .await
        .data();
    let long = "a".repeat(33);
    for (input, expected, names) in [
        (json!({ "shortcut": "", "text": "Hi" }), "shortcut", ""),
        (
            json!({ "shortcut": "hi there", "text": "Hi" }),
            "shortcut",
            "",
        ),
        (json!({ "shortcut": long, "text": "Hi" }), "shortcut", ""),
        (json!({ "shortcut": "hi", "text": "  " }), "text", ""),
        (
            json!({ "shortcut": "hi", "text": "Hi {{customer.name}}" }),
            "text",
            "customer.name",
        ),
        (
            json!({ "shortcut": "hi", "text": "Your {{contact.plan}}" }),
            "text",
            "contact.plan",
        ),
        (
            json!({ "shortcut": "hi", "text": "Hi {{agent.name" }),
            "text",
            "{{",
        ),
        (
            json!({ "shortcut": "hi", "text": "Hi", "queueId": "x" }),
            "queueId",
            "",
        ),
        (
            json!({ "shortcut": "hi", "text": "Hi", "media": { "type": "IMAGE", "mediaId": "x" } }),
            "media.mediaId",
            "",
        ),
    ] {
        let answer = create(gql, input.clone()).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{input}");
        assert_eq!(field(&answer), expected, "{input}");
        assert!(answer.message().contains(names), "{}", answer.message());
    }
    // A defined attribute is a known variable.
    let ok = create(
        gql,
        json!({ "shortcut": "tier", "text": "Your tier: {{ contact.tier }}" }),
    )
    .await;
    let reply = ok.data()["createQuickReply"].clone();
    let bad = gql
        .query(
            UPDATE,
            json!({ "id": reply["id"], "i": { "text": "{{agent.phone}}" } }),
        )
        .await;
    assert_eq!(field(&bad), "text");
    assert!(bad.message().contains("agent.phone"), "{}", bad.message());
    let search = gql.query(LIST, json!({ "s": "a\u{7}" })).await;
    assert_eq!(field(&search), "search");
}

#[tokio::test]
async fn quick_replies_are_listed_for_the_tenant_and_one_queue() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let sales = queue(&tenant, "Sales").await;
    let support = queue(&tenant, "Support").await;
    created(
        &tenant,
        json!({ "shortcut": "greeting", "text": "Hello there" }),
    )
    .await;
    created(&tenant, json!({ "shortcut": "bye", "text": "Goodbye" })).await;
    created(
        &tenant,
        json!({ "queueId": sales, "shortcut": "pricing", "text": "Our PRICES are low" }),
    )
    .await;
    created(
        &tenant,
        json!({ "queueId": support, "shortcut": "reset_password", "text": "Try again" }),
    )
    .await;
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;
    let gql = &agent.gql;
    assert_eq!(shortcuts(gql, None, None).await, ["bye", "greeting"]);
    assert_eq!(
        shortcuts(gql, Some(&sales), None).await,
        ["bye", "greeting", "pricing"]
    );
    assert_eq!(
        shortcuts(gql, Some(&support), None).await,
        ["bye", "greeting", "reset_password"]
    );
    // A shortcut's start, or the text anywhere, in any case; `_` is taken literally.
    assert_eq!(shortcuts(gql, Some(&sales), Some("GR")).await, ["greeting"]);
    assert_eq!(
        shortcuts(gql, Some(&sales), Some("prices")).await,
        ["pricing"]
    );
    assert_eq!(
        shortcuts(gql, Some(&sales), Some("eting")).await,
        Vec::<String>::new()
    );
    assert_eq!(
        shortcuts(gql, Some(&support), Some("reset_")).await,
        ["reset_password"]
    );
    assert_eq!(
        shortcuts(gql, Some(&support), Some("r_")).await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_rendered_reply_fills_in_the_contact_and_agent_and_is_sent() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "hello").await;
    let gql = &tenant.owner.gql;
    gql.query(
        "mutation { createContactAttribute(input: { key: \"tier\", displayName: \"Tier\", type: TEXT }) { id }
         m2: createContactAttribute(input: { key: \"city\", displayName: \"City\", type: TEXT }) { id } }",
        json!({}),
    )
    .await
    .data();
    let contact = gql
        .query(
            "{ conversations { edges { node { contact { id } } } } }",
            json!({}),
        )
        .await
        .data()["conversations"]["edges"][0]["node"]["contact"]["id"]
        .clone();
    gql.query(
        "mutation($id: ID!) { updateContact(id: $id, input: { name: \"Ana Gomez\", attributes: [{ key: \"tier\", value: \"gold\" }] }) { id } }",
        json!({ "id": contact }),
    )
    .await
    .data();
    let reply = created(
        &tenant,
        json!({ "shortcut": "hi", "text": "Hi {{contact.name}} ({{contact.phone}}), {{contact.tier}} member in {{contact.city}}. {{agent.name}} <{{agent.email}}>" }),
    )
    .await;

    // The owner has no name: the e-mail's local part stands in.
    let rendered = gql
        .query(RENDER, json!({ "id": reply["id"], "c": conversation }))
        .await;
    let rendered = &rendered.data()["renderQuickReply"];
    assert_eq!(
        rendered["text"],
        format!("Hi Ana Gomez ({CUSTOMER}), gold member in . owner <owner@acme.test>")
    );
    assert_eq!(rendered["missing"], json!(["contact.city"]));

    // A named agent signs with their name.
    gql.query(
        "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
        json!({ "i": { "email": "sam@acme.test", "password": PASSWORD, "name": "Sam Agent", "role": "AGENT" } }),
    )
    .await
    .data();
    let sam = app.login("sam@acme.test", PASSWORD).await;
    // Agents work the conversations of their queues.
    let queue = crate::visibility::default_queue(&tenant).await;
    crate::visibility::set_members(&tenant, &queue, &[&sam.user_id]).await;
    let rendered = sam
        .gql
        .query(RENDER, json!({ "id": reply["id"], "c": conversation }))
        .await;
    let text = rendered.data()["renderQuickReply"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(text.ends_with("Sam Agent <sam@acme.test>"), "{text}");

    let sent = send_text(&tenant, &conversation, &text).await;
    settled(&tenant, &sent, |m| m["status"] != "QUEUED").await;
    let delivered = app.meta.sent_messages();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].body["text"]["body"], text.as_str());
    app.finish().await;
}

#[tokio::test]
async fn agents_read_and_render_but_only_admins_define() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "hello").await;
    let reply = created(&tenant, json!({ "shortcut": "hi", "text": "Hi" })).await;
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;
    let admin = app.new_user(&tenant, "admin@acme.test", "ADMIN").await;
    let default = crate::visibility::default_queue(&tenant).await;
    crate::visibility::set_members(&tenant, &default, &[&agent.user_id]).await;
    let sales = queue(&tenant, "Sales").await;
    for input in [
        json!({ "shortcut": "x", "text": "x" }),
        json!({ "shortcut": "x", "text": "x", "queueId": sales }),
    ] {
        assert_eq!(create(&agent.gql, input).await.code(), "FORBIDDEN");
    }
    let update = agent
        .gql
        .query(UPDATE, json!({ "id": reply["id"], "i": { "text": "x" } }))
        .await;
    assert_eq!(update.code(), "FORBIDDEN");
    let delete = agent.gql.query(DELETE, json!({ "id": reply["id"] })).await;
    assert_eq!(delete.code(), "FORBIDDEN");
    let render = agent
        .gql
        .query(RENDER, json!({ "id": reply["id"], "c": conversation }))
        .await;
    assert_eq!(render.data()["renderQuickReply"]["text"], "Hi");
    let by_admin = create(
        &admin.gql,
        json!({ "shortcut": "sales", "text": "x", "queueId": sales }),
    )
    .await;
    assert_eq!(by_admin.data()["createQuickReply"]["queueId"], sales);
}

#[tokio::test]
async fn other_tenants_replies_queues_conversations_and_files_are_not_found() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "hello").await;
    let (other, other_conversation) = other_tenant(&app).await;
    let reply = created(&tenant, json!({ "shortcut": "hi", "text": "Hi" })).await;
    let other_queue = queue(&other, "Theirs").await;
    let other_png = upload_png(&app, &other).await;
    let gql = &tenant.owner.gql;

    let answers = [
        gql.query(UPDATE, json!({ "id": "00000000-0000-7000-8000-000000000000", "i": {} }))
            .await,
        other
            .owner
            .gql
            .query(UPDATE, json!({ "id": reply["id"], "i": { "text": "x" } }))
            .await,
        other
            .owner
            .gql
            .query(DELETE, json!({ "id": reply["id"] }))
            .await,
        other
            .owner
            .gql
            .query(RENDER, json!({ "id": reply["id"], "c": other_conversation }))
            .await,
        gql.query(RENDER, json!({ "id": reply["id"], "c": other_conversation }))
            .await,
        gql.query(LIST, json!({ "q": other_queue })).await,
        create(
            gql,
            json!({ "shortcut": "x", "text": "x", "queueId": other_queue }),
        )
        .await,
        create(
            gql,
            json!({ "shortcut": "x", "text": "x", "media": { "type": "IMAGE", "mediaId": other_png } }),
        )
        .await,
    ];
    for answer in answers {
        assert_eq!(answer.code(), "NOT_FOUND", "{}", answer.body);
    }
    assert_eq!(
        shortcuts(&other.owner.gql, None, None).await,
        Vec::<String>::new()
    );
    let mine = gql
        .query(RENDER, json!({ "id": reply["id"], "c": conversation }))
        .await;
    assert_eq!(mine.data()["renderQuickReply"]["text"], "Hi");
}

#[tokio::test]
async fn deleting_a_queue_moves_or_deletes_its_replies() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let gql = &tenant.owner.gql;
    let sales = queue(&tenant, "Sales").await;
    let support = queue(&tenant, "Support").await;
    let vip = queue(&tenant, "VIP").await;
    created(
        &tenant,
        json!({ "queueId": sales, "shortcut": "pricing", "text": "x" }),
    )
    .await;
    created(
        &tenant,
        json!({ "queueId": support, "shortcut": "pricing", "text": "y" }),
    )
    .await;
    created(
        &tenant,
        json!({ "queueId": vip, "shortcut": "perks", "text": "z" }),
    )
    .await;
    const DELETE_QUEUE: &str = "mutation($id: ID!, $to: ID) { deleteQueue(id: $id, moveTo: $to) }";

    // A shortcut taken in the target keeps the queue.
    let clash = gql
        .query(DELETE_QUEUE, json!({ "id": sales, "to": support }))
        .await;
    assert_eq!(clash.code(), "CONFLICT");
    assert_eq!(shortcuts(gql, Some(&sales), None).await, ["pricing"]);

    let moved = gql
        .query(DELETE_QUEUE, json!({ "id": vip, "to": support }))
        .await;
    assert_eq!(moved.data()["deleteQueue"], true);
    assert_eq!(
        shortcuts(gql, Some(&support), None).await,
        ["perks", "pricing"]
    );

    let gone = gql.query(DELETE_QUEUE, json!({ "id": sales })).await;
    assert_eq!(gone.data()["deleteQueue"], true);
    let recreated = created(
        &tenant,
        json!({ "shortcut": "pricing", "text": "tenant-wide" }),
    )
    .await;
    assert_eq!(recreated["queueId"], Value::Null);
    assert_eq!(shortcuts(gql, None, None).await, ["pricing"]);
}
