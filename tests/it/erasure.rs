//! Erasing a contact on request: no row of it, its conversations or its messages is left
//! in any table, its media files leave the media store (a file an upload still uses
//! stays), other contacts keep everything, the audit entry keeps counts only, a send in
//! progress holds it back, and only owners and admins of its own tenant may do it.

use std::collections::HashSet;
use std::time::Duration;

use sea_orm::sea_query::{Alias, Expr, Func, Query};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{json, Value};
use switchboard::fakes::meta::{FakeInbound, InboundKind};
use switchboard::store::Store;

use crate::support::fixtures::{
    default_meta_channel, meta_inbound, send_message, send_text, MetaChannel, CUSTOMER,
};
use crate::support::{eventually, TestApp, TestTenant};

const ERASE: &str =
    "mutation($id: ID!) { eraseContact(id: $id) { contactId conversations messages files } }";
const THREADS: &str = "{ conversations { edges { node { id contact { id phoneNumber }
    messages { edges { node { id attachments { id state } } } } } } } }";

/// The tenant's conversations with their contact and messages.
async fn threads(tenant: &TestTenant) -> Vec<Value> {
    let answer = tenant.owner.gql.query(THREADS, json!({})).await;
    answer.data()["conversations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn thread_of<'a>(threads: &'a [Value], phone: &str) -> &'a Value {
    threads
        .iter()
        .find(|t| t["contact"]["phoneNumber"] == phone)
        .unwrap_or_else(|| panic!("no conversation with {phone}"))
}

/// Every (table, column) of the schema that names a contact, a conversation or a message:
/// a table added later is checked without changing this test.
async fn keyed_columns(store: &Store) -> Vec<(String, String)> {
    let db = store.connection();
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
             WHERE table_schema = current_schema() \
             AND column_name IN ('contact_id', 'conversation_id', 'message_id')"
        }
        _ => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND p.name IN ('contact_id', 'conversation_id', 'message_id')"
        }
    };
    let rows = db
        .query_all(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| (r.try_get("", "t").unwrap(), r.try_get("", "c").unwrap()))
        .collect()
}

/// Rows of `table` whose `column` holds one of `ids`.
async fn rows_holding(store: &Store, table: &str, column: &str, ids: &[uuid::Uuid]) -> i64 {
    let db = store.connection();
    let query = Query::select()
        .expr_as(Func::count(Expr::col(Alias::new(column))), Alias::new("n"))
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new(column)).is_in(ids.iter().copied()))
        .to_owned();
    let row = db
        .query_one(db.get_database_backend().build(&query))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

async fn upload_png(app: &TestApp, tenant: &TestTenant) -> String {
    let response = app
        .http
        .post(app.url("/media"))
        .header("content-type", "image/png")
        .bearer_auth(&tenant.owner.access_token)
        .body(b"\x89PNG\r\n\x1a\n a picture".to_vec())
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

/// The customer writes, sends a photo, is answered with text and an uploaded picture, and
/// gets a label, a note, a read mark and an attribute value; another customer writes too.
async fn busy_contact(app: &TestApp) -> (TestTenant, MetaChannel, String) {
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(app, &tenant).await;
    let gql = &tenant.owner.gql;
    meta_inbound(app, &meta, &CUSTOMER[1..], "hello").await;
    let media_id = app
        .meta
        .add_media(b"\xff\xd8\xff\xe0 a photo".to_vec(), "image/jpeg");
    let photo = FakeInbound::new(
        &CUSTOMER[1..],
        InboundKind::Image {
            media_id,
            caption: Some("my invoice".into()),
        },
    );
    app.meta
        .deliver_inbound(&meta.webhook, &meta.phone_number_id, &photo)
        .await
        .unwrap();
    meta_inbound(app, &meta, "34600000007", "someone else").await;
    let all = eventually(
        20,
        "the photo is fetched",
        || threads(&tenant),
        |threads| {
            threads.len() == 2
                && thread_of(threads, CUSTOMER)["messages"]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|m| m["node"]["attachments"].as_array().unwrap().clone())
                    .any(|a| a["state"] == "READY")
        },
    )
    .await;
    let conversation = thread_of(&all, CUSTOMER)["id"].as_str().unwrap().to_owned();
    send_text(&tenant, &conversation, "thanks, we got it").await;
    let png = upload_png(app, &tenant).await;
    send_message(
        &tenant,
        json!({ "conversationId": conversation, "content": { "media": { "type": "IMAGE", "mediaId": png } } }),
    )
    .await;
    app.drain_outbox(&tenant).await;
    let label = gql
        .query(
            "mutation { createLabel(input: { name: \"vip\", color: \"#ff0000\" }) { id } }",
            json!({}),
        )
        .await;
    let label = label.data()["createLabel"]["id"].clone();
    for (query, variables) in [
        (
            "mutation($c: ID!, $l: [ID!]!) { labelConversation(conversationId: $c, labelIds: $l) { id } }",
            json!({ "c": conversation, "l": [label] }),
        ),
        (
            "mutation($c: ID!) { addConversationNote(conversationId: $c, text: \"called back\") { id } }",
            json!({ "c": conversation }),
        ),
        (
            "mutation($c: ID!) { markConversationRead(id: $c) { id } }",
            json!({ "c": conversation }),
        ),
        (
            "mutation { createContactAttribute(input: { key: \"tier\", displayName: \"Tier\", type: TEXT }) { id } }",
            json!({}),
        ),
    ] {
        gql.query(query, variables).await.data();
    }
    let contact = thread_of(&threads(&tenant).await, CUSTOMER)["contact"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    gql.query(
        "mutation($id: ID!) { updateContact(id: $id, input: { name: \"Ana\", attributes: [{ key: \"tier\", value: \"gold\" }] }) { id } }",
        json!({ "id": contact }),
    )
    .await
    .data();
    (tenant, meta, contact)
}

#[tokio::test]
async fn an_erased_contact_leaves_no_row_and_no_file() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, contact) = busy_contact(&app).await;
    let before = threads(&tenant).await;
    let mine = thread_of(&before, CUSTOMER).clone();
    let conversation = mine["id"].as_str().unwrap().to_owned();
    let messages: Vec<String> = mine["messages"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(messages.len(), 4, "{mine}");
    let tenant_dir = app.data_dir().join("media").join(&tenant.id);
    let files_before: HashSet<_> = std::fs::read_dir(&tenant_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files_before.len(), 2, "the photo and the upload");

    // An outgoing webhook's deliveries about the contact and its conversation go too
    // (a disabled endpoint queues none).
    let hook = json!({ "url": "https://93.184.216.34/hook", "enabled": false,
        "events": [{ "type": "CONTACT_OPTED_OUT" }, { "type": "CONVERSATION_RESOLVED" }] });
    let gql = &tenant.owner.gql;
    gql.query(
        "mutation($i: WebhookEndpointInput!) { createWebhookEndpoint(input: $i) { secret } }",
        json!({ "i": hook.clone() }),
    )
    .await
    .data();
    let enable =
        "mutation($i: WebhookEndpointInput!) { createWebhookEndpoint(input: $i) { secret } }";
    let mut enabled = hook;
    enabled["enabled"] = json!(true);
    gql.query(enable, json!({ "i": enabled })).await.data();
    gql.query(
        "mutation($c: ID!) { setContactOptIn(contactId: $c, optedIn: false) { id } }",
        json!({ "c": contact }),
    )
    .await
    .data();
    gql.query(
        "mutation($id: ID!) { resolveConversation(id: $id) { id } }",
        json!({ "id": conversation }),
    )
    .await
    .data();

    let store = Store::connect(&app.database_url).await.unwrap();
    let contact_uuid: uuid::Uuid = contact.parse().unwrap();
    let subjects: Vec<uuid::Uuid> = vec![contact_uuid, conversation.parse().unwrap()];
    assert_eq!(
        rows_holding(&store, "webhook_deliveries", "subject_id", &subjects).await,
        2,
        "the check below sees the deliveries it looks for"
    );
    assert_eq!(
        rows_holding(&store, "messages", "contact_id", &[contact_uuid]).await,
        4,
        "the check below sees the rows it looks for"
    );

    let erased = tenant
        .owner
        .gql
        .query(ERASE, json!({ "id": contact }))
        .await;
    assert_eq!(
        erased.data()["eraseContact"],
        json!({ "contactId": contact, "conversations": 1, "messages": 4, "files": 1 })
    );

    let mut ids: Vec<uuid::Uuid> = messages.iter().map(|m| m.parse().unwrap()).collect();
    ids.push(contact.parse().unwrap());
    ids.push(conversation.parse().unwrap());
    let columns = keyed_columns(&store).await;
    assert!(columns.len() >= 10, "{columns:?}");
    for (table, column) in &columns {
        assert_eq!(
            rows_holding(&store, table, column, &ids).await,
            0,
            "{table}.{column} still holds the erased contact"
        );
    }
    assert_eq!(rows_holding(&store, "contacts", "id", &ids).await, 0);
    for column in ["subject_id", "order_key"] {
        assert_eq!(
            rows_holding(&store, "webhook_deliveries", column, &ids).await,
            0
        );
    }
    assert_eq!(rows_holding(&store, "conversations", "id", &ids).await, 0);
    assert_eq!(rows_holding(&store, "messages", "id", &ids).await, 0);
    store.close().await;

    let files_after: HashSet<_> = std::fs::read_dir(&tenant_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files_after.len(), 1, "the upload stays for other sends");
    assert!(files_after.is_subset(&files_before));

    let gql = &tenant.owner.gql;
    let gone = gql
        .query(
            "query($id: ID!) { contact(id: $id) { id } }",
            json!({ "id": contact }),
        )
        .await;
    assert_eq!(gone.code(), "NOT_FOUND");
    let after = threads(&tenant).await;
    assert_eq!(
        after.len(),
        1,
        "the other customer keeps their conversation"
    );
    assert_eq!(after[0]["contact"]["phoneNumber"], "+34600000007");
    assert_eq!(
        gql.query(ERASE, json!({ "id": contact })).await.code(),
        "NOT_FOUND",
        "erasing twice finds nothing"
    );

    let log = gql
        .query(
            "{ auditLog(first: 50) { edges { node { action targetType targetId details } } } }",
            json!({}),
        )
        .await;
    let entry = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .find(|n| n["action"] == "contact.erase")
        .expect("the erasure is audited");
    assert_eq!(entry["targetType"], "contact");
    assert_eq!(entry["targetId"], contact);
    let text = entry.to_string();
    assert!(
        !text.contains("600000000") && !text.contains("Ana") && !text.contains("gold"),
        "the audit keeps no personal data: {text}"
    );
}

#[tokio::test]
async fn only_admins_of_its_own_tenant_erase_a_contact() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    meta_inbound(&app, &meta, &CUSTOMER[1..], "hello").await;
    let contact = thread_of(&threads(&tenant).await, CUSTOMER)["contact"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;
    assert_eq!(
        agent
            .gql
            .query(ERASE, json!({ "id": contact }))
            .await
            .code(),
        "FORBIDDEN"
    );
    let other = app.new_tenant("Globex").await;
    assert_eq!(
        other
            .owner
            .gql
            .query(ERASE, json!({ "id": contact }))
            .await
            .code(),
        "NOT_FOUND"
    );
    assert_eq!(threads(&tenant).await.len(), 1, "nothing was erased");
    let admin = app.new_user(&tenant, "admin@acme.test", "ADMIN").await;
    let erased = admin.gql.query(ERASE, json!({ "id": contact })).await;
    assert_eq!(erased.data()["eraseContact"]["messages"], 1);
}

#[tokio::test]
async fn a_send_in_progress_holds_the_erasure_back() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    meta_inbound(&app, &meta, &CUSTOMER[1..], "hello").await;
    let mine = thread_of(&threads(&tenant).await, CUSTOMER).clone();
    let contact = mine["contact"]["id"].as_str().unwrap().to_owned();
    app.meta.delay_next(Duration::from_secs(3), 1);
    send_text(&tenant, mine["id"].as_str().unwrap(), "on its way").await;
    eventually(
        10,
        "the send reaches the provider",
        || async { app.meta.in_flight() },
        |n| *n == 1,
    )
    .await;
    let held = tenant
        .owner
        .gql
        .query(ERASE, json!({ "id": contact }))
        .await;
    assert_eq!(held.code(), "CONFLICT");
    app.drain_outbox(&tenant).await;
    let erased = tenant
        .owner
        .gql
        .query(ERASE, json!({ "id": contact }))
        .await;
    assert_eq!(erased.data()["eraseContact"]["messages"], 2);
}
