//! Message text search through the databases' trigram indexes: substrings in any case and
//! script, within the tenant and what the caller sees, newest first with paging; an erased
//! contact's text leaves the index. Also the batched fields of a page: its messages' and
//! conversations' channel, contact and conversation, and a conversation's `lastMessage`,
//! each read in one query for the whole page.

use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::support::fixtures::{default_meta_channel, meta_channel, meta_inbound, MetaChannel};
use crate::support::{TestApp, TestTenant};
use crate::visibility::World;

const SEARCH: &str = "query($f: MessageFilter, $n: Int, $a: String) {
    messages(filter: $f, first: $n, after: $a) {
        edges { cursor node { text } } pageInfo { hasNextPage } } }";

/// The texts of the messages `gql`'s caller finds for `text` (with `filter`), newest first.
async fn found(gql: &crate::support::graphql::Gql, text: &str, filter: Value) -> Vec<String> {
    let mut filter = filter;
    filter["text"] = json!(text);
    let answer = gql.query(SEARCH, json!({ "f": filter, "n": 50 })).await;
    answer.data()["messages"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The texts of every message the caller finds with `filter`, read `n` at a time by cursor.
async fn paged(gql: &crate::support::graphql::Gql, filter: Value, n: u64) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let answer = gql
            .query(SEARCH, json!({ "f": filter, "n": n, "a": after }))
            .await;
        let page = answer.data()["messages"].clone();
        for edge in page["edges"].as_array().unwrap() {
            seen.push(edge["node"]["text"].as_str().unwrap().to_owned());
            after = Some(edge["cursor"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return seen;
        }
    }
}

async fn search(tenant: &TestTenant, text: &str) -> Vec<String> {
    found(&tenant.owner.gql, text, json!({})).await
}

/// A tenant whose customers wrote these, in this order.
async fn tenant_with(app: &TestApp, name: &str, texts: &[&str]) -> (TestTenant, MetaChannel) {
    let tenant = app.new_tenant(name).await;
    let channel = default_meta_channel(app, &tenant).await;
    for (i, text) in texts.iter().enumerate() {
        meta_inbound(app, &channel, &format!("3460000{:04}", i % 3), text).await;
    }
    (tenant, channel)
}

#[tokio::test]
async fn a_search_finds_substrings_in_any_case_and_script_only_in_its_tenant() {
    let app = TestApp::spawn().await;
    let (acme, _) = tenant_with(
        &app,
        "Acme",
        &[
            "Where is my INVOICE?",
            "großer Ärger mit Müller",
            "un café ☕ por favor",
            "Save 50% now",
            "Σήμερα ΚΑΛΗΜΕΡΑ",
            "the invoices are late",
        ],
    )
    .await;
    let (globex, _) = tenant_with(&app, "Globex", &["Globex invoice 7", "ärger here too"]).await;

    // Inside words, across case, newest first.
    assert_eq!(
        search(&acme, "nvoic").await,
        ["the invoices are late", "Where is my INVOICE?"]
    );
    assert_eq!(
        search(&acme, "ÄRGER MIT").await,
        ["großer Ärger mit Müller"]
    );
    assert_eq!(search(&acme, "müller").await, ["großer Ärger mit Müller"]);
    assert_eq!(search(&acme, "CAFÉ ☕").await, ["un café ☕ por favor"]);
    assert_eq!(search(&acme, "καλημερα").await, ["Σήμερα ΚΑΛΗΜΕΡΑ"]);
    // Wildcards of either database are plain characters.
    assert_eq!(search(&acme, "50% n").await, ["Save 50% now"]);
    assert!(search(&acme, "5_%").await.is_empty());
    assert!(search(&acme, "a\"b").await.is_empty());
    // Characters in another order are not a substring.
    assert!(search(&acme, "invoice is").await.is_empty());
    // Another tenant's text never matches, and theirs finds only their own.
    assert!(search(&acme, "Globex").await.is_empty());
    assert_eq!(search(&globex, "invoice").await, ["Globex invoice 7"]);
    assert_eq!(search(&globex, "ärger").await, ["ärger here too"]);
    // Surrounding blanks are not part of the term.
    assert_eq!(search(&globex, "  GLOBEX  ").await, ["Globex invoice 7"]);

    // A term shorter than a trigram is checked row by row, with the same meaning.
    assert_eq!(search(&acme, "☕").await, ["un café ☕ por favor"]);
    assert_eq!(search(&acme, "%").await, ["Save 50% now"]);
    assert_eq!(search(&acme, " ü ").await, ["großer Ärger mit Müller"]);
    assert_eq!(search(&globex, "BE").await, ["Globex invoice 7"]);
}

#[tokio::test]
async fn a_search_pages_newest_first_and_combines_with_other_filters() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let a = default_meta_channel(&app, &tenant).await;
    let b = meta_channel(&app, &tenant, "+15550783882", "106540352242923").await;
    for i in 0..5 {
        meta_inbound(&app, &a, "34600000001", &format!("order {i} on A")).await;
        meta_inbound(&app, &b, "34600000001", &format!("order {i} on B")).await;
    }
    meta_inbound(&app, &a, "34600000001", "no match here").await;

    let seen = paged(
        &tenant.owner.gql,
        json!({ "text": "ORDER", "channelId": a.id }),
        2,
    )
    .await;
    let expected: Vec<String> = (0..5).rev().map(|i| format!("order {i} on A")).collect();
    assert_eq!(seen, expected);
    assert_eq!(
        found(
            &tenant.owner.gql,
            "der 3",
            json!({ "direction": "INBOUND", "status": "RECEIVED" })
        )
        .await,
        ["order 3 on B", "order 3 on A"]
    );
    assert!(found(
        &tenant.owner.gql,
        "order",
        json!({ "direction": "OUTBOUND" })
    )
    .await
    .is_empty());
}

/// Copies the message whose text is `seed` as a message with `id`, `text` and `at`.
async fn store_copy(
    db: &sea_orm::DatabaseConnection,
    seed: &str,
    id: uuid::Uuid,
    text: &str,
    at: chrono::DateTime<chrono::Utc>,
) {
    let backend = db.get_database_backend();
    let p = |n: usize| match backend {
        sea_orm::DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    };
    let sql = format!(
        "INSERT INTO messages (tenant_id, id, revision, channel_id, conversation_id, contact_id,
            direction, status, kind, content, text, forwarded, sent_at, created_at, updated_at,
            part_number, part_count)
        SELECT tenant_id, {}, {}, channel_id, conversation_id, contact_id, direction, status,
            kind, replace(content, {}, {}), {}, forwarded, {}, {}, {}, 1, 1
        FROM messages WHERE text = {}",
        p(1),
        p(2),
        p(3),
        p(4),
        p(5),
        p(6),
        p(7),
        p(8),
        p(9)
    );
    let values: Vec<sea_orm::Value> = vec![
        id.into(),
        id.into(),
        seed.into(),
        text.into(),
        text.into(),
        at.into(),
        at.into(),
        at.into(),
        seed.into(),
    ];
    let done = db
        .execute(sea_orm::Statement::from_sql_and_values(
            backend, sql, values,
        ))
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 1);
}

#[tokio::test]
async fn a_search_pages_in_id_order_whatever_order_its_messages_were_stored_in() {
    let app = TestApp::spawn().await;
    let (tenant, _) = tenant_with(&app, "Acme", &["the seed"]).await;
    let store = switchboard::store::Store::connect(&app.database_url)
        .await
        .unwrap();
    // 120 messages, 8 in each of 15 milliseconds an hour ago, stored in a shuffled order;
    // two in three mention the needle.
    let base = chrono::Utc::now() - chrono::Duration::hours(1);
    let at = |i: usize| base + chrono::Duration::milliseconds((i / 8) as i64);
    let mut messages: Vec<(uuid::Uuid, String, usize)> = (0..120)
        .map(|i| {
            let t = at(i);
            let id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
                uuid::NoContext,
                t.timestamp() as u64,
                t.timestamp_subsec_nanos(),
            ));
            let text = if i % 3 == 0 {
                format!("hay {i}")
            } else {
                format!("a NEEDLE {i}")
            };
            (id, text, i)
        })
        .collect();
    for k in 0..messages.len() {
        let (id, text, i) = &messages[(k * 37) % messages.len()];
        store_copy(store.connection(), "the seed", *id, text, at(*i)).await;
    }
    messages.sort_by_key(|m| std::cmp::Reverse(m.0));
    let needles = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
        messages
            .iter()
            .filter(|(_, text, i)| text.contains("NEEDLE") && keep(*i))
            .map(|(_, text, _)| text.clone())
            .collect()
    };

    // Five at a time, so pages end inside a millisecond.
    let pages = |filter: Value| paged(&tenant.owner.gql, filter, 5);
    assert_eq!(pages(json!({ "text": "needle" })).await, needles(&|_| true));
    assert_eq!(
        found(&tenant.owner.gql, "needle", json!({})).await,
        needles(&|_| true)[..50]
    );
    // A time window: milliseconds 5 to 9.
    let window = json!({ "text": "needle", "from": at(40), "to": at(80) });
    assert_eq!(pages(window).await, needles(&|i| (40..80).contains(&i)));
}

#[tokio::test]
async fn a_search_finds_only_messages_of_conversations_the_caller_sees() {
    let w = World::new().await;
    // Agent A is in the queue of "my invoice please", not of "hello there".
    assert_eq!(
        found(&w.a.gql, "INVOICE", json!({})).await,
        ["my invoice please"]
    );
    assert!(found(&w.a.gql, "hello", json!({})).await.is_empty());
    // Agent B is in no queue.
    assert!(found(&w.b.gql, "invoice", json!({})).await.is_empty());
    assert!(found(&w.b.gql, "hello", json!({})).await.is_empty());
    assert_eq!(
        found(&w.admin.gql, "hello", json!({})).await,
        ["hello there"]
    );
}

#[tokio::test]
async fn an_erased_contacts_text_leaves_the_index() {
    let app = TestApp::spawn().await;
    let (tenant, channel) = tenant_with(&app, "Acme", &[]).await;
    meta_inbound(&app, &channel, "34600000001", "secret recipe zebra").await;
    meta_inbound(&app, &channel, "34600000002", "another zebra").await;
    assert_eq!(
        search(&tenant, "zebra").await,
        ["another zebra", "secret recipe zebra"]
    );
    let contacts = tenant
        .owner
        .gql
        .query("{ contacts(first: 10) { nodes { id waId } } }", json!({}))
        .await;
    let first = contacts.data()["contacts"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["waId"] == "34600000001")
        .unwrap()["id"]
        .clone();
    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { eraseContact(id: $id) { contactId } }",
            json!({ "id": first }),
        )
        .await
        .data();
    assert_eq!(search(&tenant, "zebra").await, ["another zebra"]);
    assert!(search(&tenant, "recipe").await.is_empty());

    // Not merely hidden: the index itself no longer holds the words.
    let store = switchboard::store::Store::connect(&app.database_url)
        .await
        .unwrap();
    let db = store.connection();
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            // PostgreSQL indexes the row itself: the row is gone, and with it the entry.
            "SELECT count(*) AS n FROM messages WHERE lower(text) LIKE '%recipe%'"
        }
        _ => "SELECT count(*) AS n FROM message_search WHERE message_search MATCH '\"recipe\"'",
    };
    let row = db
        .query_one(sea_orm::Statement::from_string(backend, sql))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 0);
}

const PAGE: &str = "query($n: Int) { messages(first: $n) { nodes { id
    channel { id name } contact { id waId }
    conversation { id channel { id } contact { id } lastMessage { id text } } } } }";
const INBOX: &str = "query($n: Int) { conversations(first: $n) { nodes { id
    channel { id } contact { id } lastMessage { id text } } } }";

/// The statements the server sent while answering `query` with `n` items.
async fn statements_for(app: &TestApp, tenant: &TestTenant, query: &str, n: usize) -> u64 {
    let before = app.statements.get();
    let answer = tenant.owner.gql.query(query, json!({ "n": n })).await;
    let spent = app.statements.get() - before;
    let items = answer.data().as_object().unwrap().values().next().unwrap()["nodes"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(items, n);
    spent
}

#[tokio::test]
async fn a_page_reads_each_kind_of_related_record_once_for_all_its_items() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let a = default_meta_channel(&app, &tenant).await;
    let b = meta_channel(&app, &tenant, "+15550783882", "106540352242923").await;
    const CUSTOMERS: usize = 12;
    for i in 0..CUSTOMERS {
        let channel = if i % 2 == 0 { &a } else { &b };
        meta_inbound(
            &app,
            channel,
            &format!("346000001{i:02}"),
            &format!("first {i}"),
        )
        .await;
        meta_inbound(
            &app,
            channel,
            &format!("346000001{i:02}"),
            &format!("latest {i}"),
        )
        .await;
    }

    // One item against all of them: with a query per item and field, the page of 24
    // messages would cost over a hundred more statements; batched, the same few.
    for (query, n) in [(PAGE, 2 * CUSTOMERS), (INBOX, CUSTOMERS)] {
        let one = statements_for(&app, &tenant, query, 1).await;
        let all = statements_for(&app, &tenant, query, n).await;
        // Slack for a batch that closes before a late key joins it (a second batch).
        assert!(
            all <= one + n as u64 / 2,
            "{n} items took {all} statements, one item {one}"
        );
    }

    // lastMessage is each conversation's newest message, as its history says.
    let both = "query($n: Int) { conversations(first: $n) { nodes {
        lastMessage { text } messages(first: 1) { nodes { text } } } } }";
    let inbox = tenant
        .owner
        .gql
        .query(both, json!({ "n": CUSTOMERS }))
        .await;
    let nodes = inbox.data()["conversations"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    for node in &nodes {
        let last = &node["lastMessage"]["text"];
        assert!(last.as_str().unwrap().starts_with("latest "), "{node}");
        assert_eq!(last, &node["messages"]["nodes"][0]["text"]);
    }
}

#[tokio::test]
async fn last_message_and_related_records_stay_within_the_tenant_and_visibility() {
    let w = World::new().await;
    let query =
        "{ conversations(first: 10) { nodes { id lastMessage { id text conversation { id } } } } }";
    let answer = w.a.gql.query(query, json!({})).await;
    let nodes = answer.data()["conversations"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0]["id"], w.c1.as_str());
    assert_eq!(nodes[0]["lastMessage"]["id"], w.m1.as_str());
    assert_eq!(nodes[0]["lastMessage"]["conversation"]["id"], w.c1.as_str());
    // A conversation with no message yet has no lastMessage: none here opens empty, so the
    // admin sees both conversations' last messages.
    let answer = w.admin.gql.query(query, json!({})).await;
    let mut last: Vec<String> = answer.data()["conversations"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["lastMessage"]["text"].as_str().unwrap().to_owned())
        .collect();
    last.sort();
    assert_eq!(last, ["hello there", "my invoice please"]);
}
