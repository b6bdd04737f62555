//! Queues: the default every tenant starts with, creating and changing queues with their
//! members and business hours, deleting them with their conversations moved, channels
//! naming a default queue, roles, and other tenants' ids.

use serde_json::{json, Value};

use crate::support::fixtures::{
    conversation_id, default_meta_channel, meta_conversation, meta_inbound, CUSTOMER,
};
use crate::support::graphql::Answer;
use crate::support::{TestApp, TestTenant};

const FIELDS: &str = "id name assignmentMode isDefault language firstResponseMinutes openNow
    hours { timeZone weekly { day opens closes } exceptions { date spans { opens closes } } }
    members { userId capacity user { email } } createdAt updatedAt";

fn create_query() -> String {
    format!("mutation($i: CreateQueueInput!) {{ createQueue(input: $i) {{ {FIELDS} }} }}")
}

fn update_query() -> String {
    format!(
        "mutation($id: ID!, $i: UpdateQueueInput!) {{ updateQueue(id: $id, input: $i) {{ {FIELDS} }} }}"
    )
}

const DELETE: &str = "mutation($id: ID!, $to: ID) { deleteQueue(id: $id, moveTo: $to) }";
const CONVERSATION_QUEUE: &str =
    "query($id: ID!) { conversation(id: $id) { status queue { id name } } }";

/// The field an error names (`extensions.field`).
fn field(answer: &Answer) -> &str {
    answer.code();
    answer.body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default()
}

async fn queues(tenant: &TestTenant) -> Vec<Value> {
    let answer = tenant
        .owner
        .gql
        .query(&format!("{{ queues {{ {FIELDS} }} }}"), json!({}))
        .await;
    answer.data()["queues"].as_array().unwrap().clone()
}

async fn create(tenant: &TestTenant, input: Value) -> Answer {
    tenant
        .owner
        .gql
        .query(&create_query(), json!({ "i": input }))
        .await
}

async fn created(tenant: &TestTenant, input: Value) -> Value {
    create(tenant, input).await.data()["createQueue"].clone()
}

async fn update(tenant: &TestTenant, id: &str, input: Value) -> Answer {
    tenant
        .owner
        .gql
        .query(&update_query(), json!({ "id": id, "i": input }))
        .await
}

fn office_hours() -> Value {
    json!({
        "timeZone": "Europe/Madrid",
        "weekly": [
            { "day": "MONDAY", "opens": "09:00", "closes": "17:00" },
            { "day": "FRIDAY", "opens": "09:00", "closes": "14:00" },
            { "day": "SATURDAY", "opens": "22:00", "closes": "00:00" }
        ],
        "exceptions": [{ "date": "2026-12-25" }]
    })
}

#[tokio::test]
async fn a_tenant_starts_with_a_default_queue_where_conversations_wait() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "hello").await;
    let list = queues(&tenant).await;
    assert_eq!(list.len(), 1, "{list:?}");
    let default = &list[0];
    assert_eq!(default["name"], "Default");
    assert_eq!(default["isDefault"], true);
    assert_eq!(default["assignmentMode"], "MANUAL");
    assert_eq!(default["hours"], Value::Null);
    assert_eq!(default["openNow"], true);
    let answer = tenant
        .owner
        .gql
        .query(CONVERSATION_QUEUE, json!({ "id": conversation }))
        .await;
    assert_eq!(
        answer.data()["conversation"]["queue"]["id"],
        default["id"],
        "a conversation no channel routes waits in the default queue"
    );
}

#[tokio::test]
async fn queues_are_created_read_and_changed_with_members_and_hours() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let bo = app.new_user(&tenant, "bo@acme.test", "AGENT").await;
    let sales = created(
        &tenant,
        json!({
            "name": "  Sales ",
            "assignmentMode": "ROUND_ROBIN",
            "members": [
                { "userId": ana.user_id, "capacity": 3 },
                { "userId": bo.user_id, "capacity": 5 }
            ],
            "hours": office_hours(),
            "language": "es",
            "firstResponseMinutes": 15
        }),
    )
    .await;
    assert_eq!(sales["name"], "Sales", "the name is trimmed");
    assert_eq!(sales["assignmentMode"], "ROUND_ROBIN");
    assert_eq!(sales["isDefault"], false);
    assert_eq!(sales["language"], "es");
    assert_eq!(sales["firstResponseMinutes"], 15);
    assert_eq!(sales["hours"], {
        let mut hours = office_hours();
        hours["exceptions"][0]["spans"] = json!([]);
        hours
    });
    let members: Vec<(&str, i64, &str)> = sales["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["userId"].as_str().unwrap(),
                m["capacity"].as_i64().unwrap(),
                m["user"]["email"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        members,
        vec![
            (ana.user_id.as_str(), 3, "ana@acme.test"),
            (bo.user_id.as_str(), 5, "bo@acme.test")
        ]
    );
    let read = tenant
        .owner
        .gql
        .query(
            &format!("query($id: ID!) {{ queue(id: $id) {{ {FIELDS} }} }}"),
            json!({ "id": sales["id"] }),
        )
        .await;
    assert_eq!(read.data()["queue"], sales);
    let names: Vec<Value> = queues(&tenant)
        .await
        .iter()
        .map(|q| q["name"].clone())
        .collect();
    assert_eq!(
        names,
        vec![json!("Default"), json!("Sales")],
        "the default comes first"
    );

    // Fields left out stay; a null clears; members are replaced as a whole.
    let changed = update(
        &tenant,
        sales["id"].as_str().unwrap(),
        json!({
            "name": "Ventas",
            "hours": null,
            "members": [{ "userId": bo.user_id, "capacity": 2 }]
        }),
    )
    .await;
    let changed = &changed.data()["updateQueue"];
    assert_eq!(changed["name"], "Ventas");
    assert_eq!(changed["hours"], Value::Null);
    assert_eq!(changed["openNow"], true);
    assert_eq!(changed["language"], "es");
    assert_eq!(changed["assignmentMode"], "ROUND_ROBIN");
    assert_eq!(changed["members"].as_array().unwrap().len(), 1);
    assert_eq!(changed["members"][0]["userId"], bo.user_id.as_str());
    assert_eq!(changed["members"][0]["capacity"], 2);
}

#[tokio::test]
async fn one_queue_is_the_default_at_a_time() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let first = queues(&tenant).await[0].clone();
    let support = created(&tenant, json!({ "name": "Support", "isDefault": true })).await;
    assert_eq!(support["isDefault"], true);
    let list = queues(&tenant).await;
    let defaults: Vec<&Value> = list.iter().filter(|q| q["isDefault"] == true).collect();
    assert_eq!(defaults.len(), 1);
    assert_eq!(defaults[0]["id"], support["id"]);

    let refused = update(
        &tenant,
        support["id"].as_str().unwrap(),
        json!({ "isDefault": false }),
    )
    .await;
    assert_eq!(field(&refused), "isDefault");
    let back = update(
        &tenant,
        first["id"].as_str().unwrap(),
        json!({ "isDefault": true }),
    )
    .await;
    assert_eq!(back.data()["updateQueue"]["isDefault"], true);

    // New conversations wait in whichever queue is the default now.
    let meta = default_meta_channel(&app, &tenant).await;
    meta_inbound(&app, &meta, &CUSTOMER[1..], "hi").await;
    let conversation = conversation_id(&tenant).await;
    let answer = tenant
        .owner
        .gql
        .query(CONVERSATION_QUEUE, json!({ "id": conversation }))
        .await;
    assert_eq!(answer.data()["conversation"]["queue"]["id"], first["id"]);
}

#[tokio::test]
async fn bad_queue_input_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let agent = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    created(&tenant, json!({ "name": "Sales" })).await;
    let hours = |weekly: Value, exceptions: Value, zone: &str| json!({ "name": "Q", "hours": { "timeZone": zone, "weekly": weekly, "exceptions": exceptions } });
    let monday =
        |opens: &str, closes: &str| json!({ "day": "MONDAY", "opens": opens, "closes": closes });
    let cases = [
        (json!({ "name": "   " }), "name"),
        (json!({ "name": "a\u{0}b" }), "name"),
        (json!({ "name": "x".repeat(81) }), "name"),
        (json!({ "name": "SALES" }), "name"),
        (json!({ "name": "Q", "language": "english" }), "language"),
        (
            json!({ "name": "Q", "firstResponseMinutes": 0 }),
            "firstResponseMinutes",
        ),
        (
            json!({ "name": "Q", "firstResponseMinutes": 10081 }),
            "firstResponseMinutes",
        ),
        (
            json!({ "name": "Q", "members": [{ "userId": agent.user_id, "capacity": 0 }] }),
            "members[0].capacity",
        ),
        (
            json!({ "name": "Q", "members": [{ "userId": agent.user_id, "capacity": 101 }] }),
            "members[0].capacity",
        ),
        (
            json!({ "name": "Q", "members": [
                { "userId": agent.user_id, "capacity": 1 },
                { "userId": agent.user_id, "capacity": 2 }
            ] }),
            "members[1].userId",
        ),
        (
            json!({ "name": "Q", "members": [{ "userId": "nope", "capacity": 1 }] }),
            "members[0].userId",
        ),
        (
            hours(json!([]), json!([]), "Mars/Olympus"),
            "hours.timeZone",
        ),
        (
            hours(json!([monday("25:00", "26:00")]), json!([]), "UTC"),
            "hours.weekly[0].opens",
        ),
        (
            hours(json!([monday("09:00", "9")]), json!([]), "UTC"),
            "hours.weekly[0].closes",
        ),
        (
            hours(json!([monday("17:00", "09:00")]), json!([]), "UTC"),
            "hours.weekly[0]",
        ),
        (
            hours(
                json!([monday("09:00", "13:00"), monday("12:00", "18:00")]),
                json!([]),
                "UTC",
            ),
            "hours.weekly[1]",
        ),
        (
            hours(json!([]), json!([{ "date": "2026-02-30" }]), "UTC"),
            "hours.exceptions[0].date",
        ),
        (
            hours(
                json!([]),
                json!([{ "date": "2026-12-24", "spans": [{ "opens": "10:00", "closes": "08:00" }] }]),
                "UTC",
            ),
            "hours.exceptions[0].spans[0]",
        ),
        (
            hours(
                json!([]),
                json!([{ "date": "2026-12-24" }, { "date": "2026-12-24" }]),
                "UTC",
            ),
            "hours.exceptions[1].date",
        ),
    ];
    for (input, expected) in cases {
        let answer = create(&tenant, input.clone()).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{input}");
        assert_eq!(field(&answer), expected, "{input}: {}", answer.body);
    }
    assert_eq!(queues(&tenant).await.len(), 2, "nothing refused was stored");
}

#[tokio::test]
async fn a_queue_with_waiting_conversations_is_deleted_only_into_another() {
    let app = TestApp::spawn().await;
    let (tenant, meta, conversation) = meta_conversation(&app, "hello").await;
    let sales = created(&tenant, json!({ "name": "Sales" })).await;
    let sales_id = sales["id"].as_str().unwrap();
    let default_id = queues(&tenant).await[0]["id"].as_str().unwrap().to_owned();

    // The channel sends its new conversations to Sales.
    let set = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!, $q: ID) { updateChannel(id: $id, input: { settings: { defaultQueueId: $q } }) { settings { defaultQueueId } } }",
            json!({ "id": meta.id, "q": sales_id }),
        )
        .await;
    assert_eq!(
        set.data()["updateChannel"]["settings"]["defaultQueueId"],
        sales_id
    );
    meta_inbound(&app, &meta, "34600000001", "hola").await;
    let all = crate::support::fixtures::conversations(&tenant).await;
    let second = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .find(|id| *id != conversation)
        .unwrap();
    let answer = tenant
        .owner
        .gql
        .query(CONVERSATION_QUEUE, json!({ "id": second }))
        .await;
    assert_eq!(answer.data()["conversation"]["queue"]["id"], sales_id);

    let default_refused = tenant
        .owner
        .gql
        .query(DELETE, json!({ "id": default_id }))
        .await;
    assert_eq!(default_refused.code(), "CONFLICT");
    let refused = tenant
        .owner
        .gql
        .query(DELETE, json!({ "id": sales_id }))
        .await;
    assert_eq!(refused.code(), "CONFLICT");
    assert!(
        refused.message().contains("moveTo"),
        "{}",
        refused.message()
    );
    let into_itself = tenant
        .owner
        .gql
        .query(DELETE, json!({ "id": sales_id, "to": sales_id }))
        .await;
    assert_eq!(field(&into_itself), "moveTo");

    let support = created(&tenant, json!({ "name": "Support" })).await;
    let deleted = tenant
        .owner
        .gql
        .query(DELETE, json!({ "id": sales_id, "to": support["id"] }))
        .await;
    assert_eq!(deleted.data()["deleteQueue"], true);
    let answer = tenant
        .owner
        .gql
        .query(CONVERSATION_QUEUE, json!({ "id": second }))
        .await;
    assert_eq!(answer.data()["conversation"]["queue"]["id"], support["id"]);
    let channel = tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { channel(id: $id) { settings { defaultQueueId } } }",
            json!({ "id": meta.id }),
        )
        .await;
    assert_eq!(
        channel.data()["channel"]["settings"]["defaultQueueId"],
        support["id"],
        "the channel follows its queue's conversations"
    );
    let gone = tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { queue(id: $id) { id } }",
            json!({ "id": sales_id }),
        )
        .await;
    assert_eq!(gone.code(), "NOT_FOUND");

    // A queue that never held a conversation goes without a target.
    let empty = created(&tenant, json!({ "name": "Empty" })).await;
    let deleted = tenant
        .owner
        .gql
        .query(DELETE, json!({ "id": empty["id"] }))
        .await;
    assert_eq!(deleted.data()["deleteQueue"], true);

    let log = tenant
        .owner
        .gql
        .query(
            "{ auditLog(first: 50) { edges { node { action targetId details } } } }",
            json!({}),
        )
        .await;
    let entries = log.data()["auditLog"]["edges"].as_array().unwrap().clone();
    let delete = entries
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["action"] == "queue.delete" && n["targetId"] == sales_id)
        .expect("the deletion is audited");
    let details: Value = match &delete["details"] {
        Value::String(text) => serde_json::from_str(text).unwrap(),
        other => other.clone(),
    };
    assert_eq!(details["movedTo"], support["id"]);
    assert_eq!(details["conversationsMoved"], 1);
}

#[tokio::test]
async fn agents_read_queues_and_only_admins_change_them() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let agent = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let admin = app.new_user(&tenant, "al@acme.test", "ADMIN").await;
    let sales = created(&tenant, json!({ "name": "Sales" })).await;
    let read = agent.gql.query("{ queues { name } }", json!({})).await;
    assert_eq!(read.data()["queues"].as_array().unwrap().len(), 2);
    for (query, vars) in [
        (create_query(), json!({ "i": { "name": "Mine" } })),
        (
            update_query(),
            json!({ "id": sales["id"], "i": { "name": "Mine" } }),
        ),
        (DELETE.to_owned(), json!({ "id": sales["id"] })),
    ] {
        assert_eq!(
            agent.gql.query(&query, vars).await.code(),
            "FORBIDDEN",
            "{query}"
        );
    }
    let by_admin = admin
        .gql
        .query(&create_query(), json!({ "i": { "name": "Admins" } }))
        .await;
    assert_eq!(by_admin.data()["createQueue"]["name"], "Admins");
}

#[tokio::test]
async fn another_tenants_queue_user_or_channel_answers_not_found() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let theirs = created(&globex, json!({ "name": "Theirs" })).await;
    let their_agent = app.new_user(&globex, "gina@globex.test", "AGENT").await;
    let ours = created(&acme, json!({ "name": "Ours" })).await;
    let meta = default_meta_channel(&app, &acme).await;
    let theirs_id = theirs["id"].as_str().unwrap();

    let read = acme
        .owner
        .gql
        .query(
            "query($id: ID!) { queue(id: $id) { id } }",
            json!({ "id": theirs_id }),
        )
        .await;
    assert_eq!(read.code(), "NOT_FOUND");
    assert_eq!(
        update(&acme, theirs_id, json!({ "name": "Mine" }))
            .await
            .code(),
        "NOT_FOUND"
    );
    for vars in [
        json!({ "id": theirs_id }),
        json!({ "id": ours["id"], "to": theirs_id }),
    ] {
        assert_eq!(acme.owner.gql.query(DELETE, vars).await.code(), "NOT_FOUND");
    }
    let member = create(
        &acme,
        json!({ "name": "Q", "members": [{ "userId": their_agent.user_id, "capacity": 1 }] }),
    )
    .await;
    assert_eq!(member.code(), "NOT_FOUND");
    let channel = acme
        .owner
        .gql
        .query(
            "mutation($id: ID!, $q: ID) { updateChannel(id: $id, input: { settings: { defaultQueueId: $q } }) { id } }",
            json!({ "id": meta.id, "q": theirs_id }),
        )
        .await;
    assert_eq!(channel.code(), "NOT_FOUND");
    let names: Vec<Value> = queues(&acme)
        .await
        .iter()
        .map(|q| q["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Default"), json!("Ours")]);
    let still = queues(&globex).await;
    assert_eq!(still.len(), 2);
    assert!(still.iter().any(|q| q["name"] == "Theirs"));
}

#[tokio::test]
async fn tenants_from_before_queues_get_a_default_holding_their_conversations() {
    use sea_orm::{ConnectionTrait, Database};
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "hello").await;
    let store = switchboard::store::Store::connect(&app.database_url)
        .await
        .unwrap();
    crate::support::db::revert_through(&store, "m20261206_000013_queues").await;
    let db = Database::connect(&app.database_url).await.unwrap();
    // Before queues, a conversation had none.
    db.execute_unprepared("UPDATE conversations SET queue_id = NULL")
        .await
        .unwrap();
    db.close().await.ok();
    store.migrate_up().await.unwrap();
    let list = queues(&tenant).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "Default");
    assert_eq!(list[0]["isDefault"], true);
    let answer = tenant
        .owner
        .gql
        .query(CONVERSATION_QUEUE, json!({ "id": conversation }))
        .await;
    assert_eq!(answer.data()["conversation"]["queue"]["id"], list[0]["id"]);
}
