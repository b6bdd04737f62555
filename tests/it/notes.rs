//! Internal notes: written on a conversation, listed oldest first, changed by their author
//! or an admin, announced on `conversationEvents`, and never sent to the customer.

use serde_json::{json, Value};

use crate::subscriptions::{next_payload, subscribe};
use crate::support::fixtures::{conversation_id, meta_channel, meta_conversation, meta_inbound};
use crate::support::graphql::{Answer, Gql};
use crate::support::{Session, TestApp, TestTenant, PASSWORD};

const ADD: &str = "mutation($c: ID!, $t: String!) { addConversationNote(conversationId: $c, text: $t) { id conversationId text authorId authorName createdAt editedAt } }";
const EDIT: &str = "mutation($id: ID!, $t: String!) { editConversationNote(id: $id, text: $t) { id text editedAt } }";
const DELETE: &str = "mutation($id: ID!) { deleteConversationNote(id: $id) }";
const NOTES: &str = "query($c: ID!, $first: Int, $after: String) { conversation(id: $c) { notes(first: $first, after: $after) { edges { cursor node { id text authorId authorName editedAt } } pageInfo { hasNextPage } } } }";

async fn add(gql: &Gql, conversation: &str, text: &str) -> Answer {
    gql.query(ADD, json!({ "c": conversation, "t": text }))
        .await
}

async fn added(gql: &Gql, conversation: &str, text: &str) -> Value {
    add(gql, conversation, text).await.data()["addConversationNote"].clone()
}

async fn notes(gql: &Gql, conversation: &str, first: Option<i32>, after: Option<&str>) -> Value {
    let answer = gql
        .query(
            NOTES,
            json!({ "c": conversation, "first": first, "after": after }),
        )
        .await;
    answer.data()["conversation"]["notes"].clone()
}

fn texts(page: &Value) -> Vec<&str> {
    page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["text"].as_str().unwrap())
        .collect()
}

/// A member with a name on their account, signed in.
async fn named_user(
    app: &TestApp,
    tenant: &TestTenant,
    email: &str,
    name: &str,
    role: &str,
) -> Session {
    tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({ "i": { "email": email, "password": PASSWORD, "name": name, "role": role } }),
        )
        .await
        .data();
    app.login(email, PASSWORD).await
}

#[tokio::test]
async fn notes_are_added_listed_edited_and_deleted() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "hello").await;
    let sam = named_user(&app, &tenant, "sam@acme.test", "Sam Agent", "AGENT").await;
    // Agents work the conversations of their queues.
    let queue = crate::visibility::default_queue(&tenant).await;
    crate::visibility::set_members(&tenant, &queue, &[&sam.user_id]).await;
    let first = added(
        &tenant.owner.gql,
        &conversation,
        "**Called** them:\n- no answer",
    )
    .await;
    assert_eq!(first["conversationId"], conversation);
    assert_eq!(first["authorId"], tenant.owner.user_id);
    assert_eq!(
        first["authorName"],
        Value::Null,
        "the owner's account has no name"
    );
    assert_eq!(first["editedAt"], Value::Null);
    assert!(first["createdAt"].is_string());
    let second = added(&sam.gql, &conversation, "Will try again tomorrow").await;
    assert_eq!(second["authorName"], "Sam Agent");
    added(&sam.gql, &conversation, "Third").await;

    // Oldest first, a page at a time.
    let all = notes(&sam.gql, &conversation, None, None).await;
    assert_eq!(
        texts(&all),
        [
            "**Called** them:\n- no answer",
            "Will try again tomorrow",
            "Third"
        ]
    );
    let page = notes(&sam.gql, &conversation, Some(2), None).await;
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let cursor = page["edges"][1]["cursor"].as_str().unwrap();
    let rest = notes(&sam.gql, &conversation, Some(2), Some(cursor)).await;
    assert_eq!(texts(&rest), ["Third"]);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);

    let edited = sam
        .gql
        .query(EDIT, json!({ "id": second["id"], "t": "Tried: voicemail" }))
        .await;
    let edited = &edited.data()["editConversationNote"];
    assert_eq!(edited["text"], "Tried: voicemail");
    assert!(edited["editedAt"].is_string());

    let deleted = sam.gql.query(DELETE, json!({ "id": second["id"] })).await;
    assert_eq!(deleted.data()["deleteConversationNote"], true);
    let all = notes(&sam.gql, &conversation, None, None).await;
    assert_eq!(texts(&all), ["**Called** them:\n- no answer", "Third"]);
    let again = sam.gql.query(DELETE, json!({ "id": second["id"] })).await;
    assert_eq!(again.code(), "NOT_FOUND");
}

#[tokio::test]
async fn bad_note_text_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "hello").await;
    let gql = &tenant.owner.gql;
    let long = "x".repeat(65_537);
    for text in ["", "  \n ", "a\u{0}b", long.as_str()] {
        let answer = add(gql, &conversation, text).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT");
        assert_eq!(answer.body["errors"][0]["extensions"]["field"], "text");
    }
    let note = added(gql, &conversation, "ok").await;
    let answer = gql.query(EDIT, json!({ "id": note["id"], "t": " " })).await;
    assert_eq!(answer.body["errors"][0]["extensions"]["field"], "text");
    let answer = add(gql, "not-an-id", "x").await;
    assert_eq!(
        answer.body["errors"][0]["extensions"]["field"],
        "conversationId"
    );
}

#[tokio::test]
async fn notes_never_reach_the_customer() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "hello").await;
    for text in ["Customer is angry", "Offer a refund *if* they ask"] {
        added(&tenant.owner.gql, &conversation, text).await;
    }
    app.drain_outbox(&tenant).await;
    assert!(app.meta.sent_messages().is_empty());
    assert!(
        !app.meta
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/messages")),
        "nothing was sent to the provider"
    );
    let messages = tenant
        .owner
        .gql
        .query(
            "query($c: ID!) { conversation(id: $c) { messages { edges { node { direction } } } } }",
            json!({ "c": conversation }),
        )
        .await;
    let directions: Vec<&Value> = messages.data()["conversation"]["messages"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["direction"])
        .collect();
    assert_eq!(directions, [&json!("INBOUND")], "a note is no message");
    app.finish().await;
}

#[tokio::test]
async fn a_new_note_is_announced_on_conversation_events() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "hello").await;
    let mut socket = subscribe(
        &app,
        &tenant.owner.access_token,
        "subscription { conversationEvents { kind conversation { id } } }",
        json!({}),
    )
    .await;
    added(&tenant.owner.gql, &conversation, "Heads up").await;
    let event = next_payload(&mut socket).await;
    assert_eq!(event["data"]["conversationEvents"]["kind"], "NOTE_ADDED");
    assert_eq!(
        event["data"]["conversationEvents"]["conversation"]["id"],
        conversation
    );
}

#[tokio::test]
async fn only_the_author_or_an_admin_changes_a_note() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "hello").await;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let bob = app.new_user(&tenant, "bob@acme.test", "AGENT").await;
    let admin = app.new_user(&tenant, "admin@acme.test", "ADMIN").await;
    let queue = crate::visibility::default_queue(&tenant).await;
    crate::visibility::set_members(&tenant, &queue, &[&ana.user_id, &bob.user_id]).await;
    let note = added(&ana.gql, &conversation, "mine").await;

    let by_bob = bob
        .gql
        .query(EDIT, json!({ "id": note["id"], "t": "not yours" }))
        .await;
    assert_eq!(by_bob.code(), "FORBIDDEN");
    let by_bob = bob.gql.query(DELETE, json!({ "id": note["id"] })).await;
    assert_eq!(by_bob.code(), "FORBIDDEN");
    // Everyone reads them.
    assert_eq!(
        texts(&notes(&bob.gql, &conversation, None, None).await),
        ["mine"]
    );

    let by_ana = ana
        .gql
        .query(EDIT, json!({ "id": note["id"], "t": "mine, edited" }))
        .await;
    assert_eq!(
        by_ana.data()["editConversationNote"]["text"],
        "mine, edited"
    );
    let by_admin = admin
        .gql
        .query(EDIT, json!({ "id": note["id"], "t": "tidied" }))
        .await;
    assert_eq!(by_admin.data()["editConversationNote"]["text"], "tidied");
    let by_owner = tenant
        .owner
        .gql
        .query(DELETE, json!({ "id": note["id"] }))
        .await;
    assert_eq!(by_owner.data()["deleteConversationNote"], true);
}

#[tokio::test]
async fn other_tenants_conversations_and_notes_are_not_found() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "hello").await;
    let other = app.new_tenant("Globex").await;
    let meta = meta_channel(&app, &other, "+15550783999", "106540352242999").await;
    meta_inbound(&app, &meta, "34600000009", "hi").await;
    let other_conversation = conversation_id(&other).await;
    let note = added(&tenant.owner.gql, &conversation, "ours").await;
    let theirs = &other.owner.gql;

    for answer in [
        add(theirs, &conversation, "x").await,
        theirs
            .query(EDIT, json!({ "id": note["id"], "t": "x" }))
            .await,
        theirs.query(DELETE, json!({ "id": note["id"] })).await,
    ] {
        assert_eq!(answer.code(), "NOT_FOUND", "{}", answer.body);
    }
    let read = theirs.query(NOTES, json!({ "c": conversation })).await;
    assert_eq!(read.code(), "NOT_FOUND");
    assert!(texts(&notes(theirs, &other_conversation, None, None).await).is_empty());
    assert_eq!(
        texts(&notes(&tenant.owner.gql, &conversation, None, None).await),
        ["ours"]
    );
}

/// The store's list for a conversation timeline: notes with their times, in a range.
#[tokio::test]
async fn the_store_lists_a_conversations_notes_by_time() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "hello").await;
    let gql = &tenant.owner.gql;
    let first = added(gql, &conversation, "one").await;
    let second = added(gql, &conversation, "two").await;
    let third = added(gql, &conversation, "three").await;
    let at = |note: &Value| {
        chrono::DateTime::parse_from_rfc3339(note["createdAt"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc)
    };

    let store = switchboard::store::Store::connect(&app.database_url)
        .await
        .unwrap();
    let tenant_id: switchboard::domain::TenantId = tenant.id.parse().unwrap();
    let conversation_id: switchboard::domain::ConversationId = conversation.parse().unwrap();
    let notes = store.tenant(tenant_id).notes();
    let texts = |list: Vec<switchboard::domain::records::NoteRecord>| {
        list.into_iter().map(|n| n.text).collect::<Vec<_>>()
    };
    let all = notes
        .list_between(conversation_id, None, None)
        .await
        .unwrap();
    assert_eq!(all[0].created_at, at(&first));
    assert_eq!(texts(all), ["one", "two", "three"]);
    let from_second = notes
        .list_between(conversation_id, Some(at(&second)), None)
        .await
        .unwrap();
    assert_eq!(texts(from_second), ["two", "three"]);
    let before_third = notes
        .list_between(conversation_id, None, Some(at(&third)))
        .await
        .unwrap();
    assert_eq!(texts(before_third), ["one", "two"]);
    let other: switchboard::domain::TenantId = switchboard::domain::TenantId::new();
    let none = store
        .tenant(other)
        .notes()
        .list_between(conversation_id, None, None)
        .await
        .unwrap();
    assert!(none.is_empty(), "another tenant's scope sees none");
    store.close().await;
}
