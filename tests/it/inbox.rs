//! The inbox: conversation filters by assignee, assignment, status, window and unread;
//! each member's read marks, unread counts per conversation and the inbox badge; API keys
//! and other tenants' ids.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use switchboard::store::entities::conversation;
use switchboard::store::Store;

use crate::lifecycle::run;
use crate::support::fixtures::{default_meta_channel, meta_inbound, MetaChannel};
use crate::support::graphql::Gql;
use crate::support::{eventually, TestApp, TestTenant};

const LIST: &str = "query($f: ConversationFilter) { conversations(filter: $f) { edges { node { id unreadCount } } } }";
const READ: &str = "mutation($id: ID!) { markConversationRead(id: $id) { id unreadCount } }";
const COUNTS: &str = "{ unreadCounts { conversations messages } }";

/// The ids `filter` selects, oldest first.
async fn ids(gql: &Gql, filter: Value) -> Vec<String> {
    let answer = gql.query(LIST, json!({ "f": filter })).await;
    let mut found: Vec<String> = answer.data()["conversations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    found.reverse();
    found
}

async fn unread_count(gql: &Gql, id: &str) -> Value {
    let answer = gql
        .query(
            "query($id: ID!) { conversation(id: $id) { unreadCount } }",
            json!({ "id": id }),
        )
        .await;
    answer.data()["conversation"]["unreadCount"].clone()
}

async fn writes(app: &TestApp, meta: &MetaChannel, customer: usize, text: &str) {
    meta_inbound(app, meta, &format!("3462{customer:07}"), text).await;
}

/// Three customers' conversations, oldest first.
async fn three(app: &TestApp, tenant: &TestTenant, meta: &MetaChannel) -> Vec<String> {
    for i in 0..3 {
        writes(app, meta, i, "Hello").await;
    }
    eventually(
        10,
        "three open",
        || ids(&tenant.owner.gql, json!({})),
        |l| l.len() == 3,
    )
    .await
}

/// Closes a conversation's window as 24 hours without a customer message would.
pub(crate) async fn close_window(app: &TestApp, id: &str) {
    let store = Store::connect(&app.database_url).await.unwrap();
    conversation::Entity::update_many()
        .col_expr(
            conversation::Column::WindowExpiresAt,
            Expr::value(Some(Utc::now() - chrono::Duration::minutes(1))),
        )
        .filter(conversation::Column::Id.eq(id.parse::<uuid::Uuid>().unwrap()))
        .exec(store.connection())
        .await
        .unwrap();
    store.close().await;
}

#[tokio::test]
async fn conversations_filter_by_assignee_assignment_status_and_window() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let all = three(&app, &tenant, &meta).await;
    let gql = &tenant.owner.gql;
    run(
        gql,
        "assignConversation",
        &all[0],
        json!({ "u": ana.user_id }),
    )
    .await
    .data();

    assert_eq!(
        ids(gql, json!({ "assigneeId": ana.user_id })).await,
        [all[0].clone()]
    );
    assert_eq!(
        ids(gql, json!({ "assigneeId": tenant.owner.user_id })).await,
        Vec::<String>::new()
    );
    assert_eq!(
        ids(gql, json!({ "assigned": true })).await,
        [all[0].clone()]
    );
    assert_eq!(
        ids(gql, json!({ "assigned": false })).await,
        all[1..].to_vec()
    );
    assert_eq!(
        ids(gql, json!({ "status": "ASSIGNED" })).await,
        [all[0].clone()]
    );
    assert_eq!(
        ids(gql, json!({ "status": "OPEN" })).await,
        all[1..].to_vec()
    );
    assert_eq!(ids(gql, json!({ "windowOpen": true })).await, all);
    close_window(&app, &all[2]).await;
    assert_eq!(
        ids(gql, json!({ "windowOpen": false })).await,
        [all[2].clone()]
    );
    assert_eq!(
        ids(gql, json!({ "windowOpen": true })).await,
        all[..2].to_vec()
    );
    assert_eq!(
        ids(gql, json!({ "windowOpen": true, "assigned": false })).await,
        [all[1].clone()],
        "filters combine"
    );
}

#[tokio::test]
async fn each_member_reads_for_themselves_and_the_badge_counts_their_unread_messages() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let all = three(&app, &tenant, &meta).await;
    let queue = crate::visibility::default_queue(&tenant).await;
    crate::visibility::set_members(&tenant, &queue, &[&ana.user_id]).await;
    let owner = &tenant.owner.gql;
    for id in &all[..2] {
        run(owner, "assignConversation", id, json!({ "u": ana.user_id }))
            .await
            .data();
    }
    writes(&app, &meta, 0, "Are you there?").await;
    eventually(
        10,
        "the second message is stored",
        || unread_count(&ana.gql, &all[0]),
        |n| *n == 2,
    )
    .await;

    assert_eq!(ids(&ana.gql, json!({ "unread": true })).await, all);
    let badge = ana.gql.query(COUNTS, json!({})).await;
    assert_eq!(
        badge.data()["unreadCounts"],
        json!({ "conversations": 2, "messages": 3 }),
        "the two assigned to her, not the third"
    );

    let read = ana.gql.query(READ, json!({ "id": all[0] })).await;
    assert_eq!(read.data()["markConversationRead"]["unreadCount"], 0);
    assert_eq!(
        ids(&ana.gql, json!({ "unread": true })).await,
        all[1..].to_vec()
    );
    assert_eq!(
        ids(&ana.gql, json!({ "unread": false })).await,
        [all[0].clone()]
    );
    assert_eq!(
        unread_count(owner, &all[0]).await,
        2,
        "the owner has not read it"
    );
    let badge = ana.gql.query(COUNTS, json!({})).await;
    assert_eq!(
        badge.data()["unreadCounts"],
        json!({ "conversations": 1, "messages": 1 })
    );

    // The customer writes again: unread for her once more.
    writes(&app, &meta, 0, "Hello?").await;
    eventually(
        10,
        "the new message is unread",
        || unread_count(&ana.gql, &all[0]),
        |n| *n == 1,
    )
    .await;
    let badge = ana.gql.query(COUNTS, json!({})).await;
    assert_eq!(
        badge.data()["unreadCounts"],
        json!({ "conversations": 2, "messages": 2 })
    );
    // Resolved conversations leave the badge.
    run(&ana.gql, "resolveConversation", &all[1], json!({}))
        .await
        .data();
    let badge = ana.gql.query(COUNTS, json!({})).await;
    assert_eq!(
        badge.data()["unreadCounts"],
        json!({ "conversations": 1, "messages": 1 })
    );
}

#[tokio::test]
async fn api_keys_have_no_inbox_and_other_tenants_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let all = three(&app, &tenant, &meta).await;
    let other = app.new_tenant("Globex").await;
    let other_meta = default_meta_channel(&app, &other).await;
    let theirs = three(&app, &other, &other_meta).await;

    let read = tenant
        .owner
        .gql
        .query(READ, json!({ "id": theirs[0] }))
        .await;
    assert_eq!(read.code(), "NOT_FOUND");
    let by_their_user = tenant
        .owner
        .gql
        .query(LIST, json!({ "f": { "assigneeId": other.owner.user_id } }))
        .await;
    assert_eq!(by_their_user.code(), "NOT_FOUND");
    assert_eq!(
        unread_count(&other.owner.gql, &theirs[0]).await,
        1,
        "untouched"
    );

    let key = tenant
        .owner
        .gql
        .query(
            "mutation { createApiKey(name: \"crm\", role: ADMIN) { secret } }",
            json!({}),
        )
        .await;
    let key = app.with_token(key.data()["createApiKey"]["secret"].as_str().unwrap());
    assert_eq!(unread_count(&key, &all[0]).await, 0);
    let filtered = key.query(LIST, json!({ "f": { "unread": true } })).await;
    assert_eq!(filtered.code(), "BAD_USER_INPUT");
    assert_eq!(
        filtered.body["errors"][0]["extensions"]["field"],
        "filter.unread"
    );
    assert_eq!(key.query(COUNTS, json!({})).await.code(), "FORBIDDEN");
    assert_eq!(
        key.query(READ, json!({ "id": all[0] })).await.code(),
        "BAD_USER_INPUT"
    );
}
