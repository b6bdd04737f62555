//! Labels: defining them, putting them on conversations and taking them off, filtering
//! conversations by them, roles, and other tenants' ids.

use serde_json::{json, Value};

use crate::support::fixtures::{meta_channel, meta_conversation, meta_inbound, CUSTOMER};
use crate::support::graphql::{Answer, Gql};
use crate::support::{TestApp, TestTenant};

const FIELDS: &str = "id name color description createdAt updatedAt";
const CREATE: &str =
    "mutation($i: CreateLabelInput!) { createLabel(input: $i) { id name color description } }";
const UPDATE: &str = "mutation($id: ID!, $i: UpdateLabelInput!) { updateLabel(id: $id, input: $i) { id name color description } }";
const DELETE: &str = "mutation($id: ID!) { deleteLabel(id: $id) }";
const LABEL: &str = "mutation($c: ID!, $l: [ID!]!) { labelConversation(conversationId: $c, labelIds: $l) { id labels { name } } }";
const UNLABEL: &str = "mutation($c: ID!, $l: [ID!]!) { unlabelConversation(conversationId: $c, labelIds: $l) { id labels { name } } }";
const FILTER: &str = "query($l: [ID!]) { conversations(filter: { labelIds: $l }) { edges { node { id labels { id name color } } } } }";

/// The field an error names (`extensions.field`).
fn field(answer: &Answer) -> &str {
    answer.code();
    answer.body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default()
}

async fn create(gql: &Gql, input: Value) -> Answer {
    gql.query(CREATE, json!({ "i": input })).await
}

async fn created(tenant: &TestTenant, name: &str, color: &str) -> String {
    let answer = create(&tenant.owner.gql, json!({ "name": name, "color": color })).await;
    answer.data()["createLabel"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn labels(gql: &Gql) -> Vec<Value> {
    let answer = gql
        .query(&format!("{{ labels {{ {FIELDS} }} }}"), json!({}))
        .await;
    answer.data()["labels"].as_array().unwrap().clone()
}

fn names(list: &[Value]) -> Vec<&str> {
    list.iter().map(|l| l["name"].as_str().unwrap()).collect()
}

/// The ids of the conversations that have every label of `ids`.
async fn filtered(tenant: &TestTenant, ids: Value) -> Vec<String> {
    let answer = tenant.owner.gql.query(FILTER, json!({ "l": ids })).await;
    let mut found: Vec<String> = answer.data()["conversations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    found.sort();
    found
}

/// A tenant with two conversations, from two customers.
async fn two_conversations(app: &TestApp) -> (TestTenant, String, String) {
    let (tenant, meta, first) = meta_conversation(app, "hello").await;
    meta_inbound(app, &meta, "34600000001", "hola").await;
    let all = filtered(&tenant, Value::Null).await;
    assert_eq!(all.len(), 2);
    let second = all.into_iter().find(|id| *id != first).unwrap();
    (tenant, first, second)
}

#[tokio::test]
async fn labels_are_created_read_changed_and_deleted() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let gql = &tenant.owner.gql;
    let vip = create(
        gql,
        json!({ "name": "  VIP ", "color": "#FFAA00", "description": "Best customers" }),
    )
    .await;
    let vip = vip.data()["createLabel"].clone();
    assert_eq!(vip["name"], "VIP", "the name is trimmed");
    assert_eq!(vip["color"], "#ffaa00", "the colour is kept in lower case");
    assert_eq!(vip["description"], "Best customers");
    created(&tenant, "billing", "#00aa00").await;
    created(&tenant, "Urgent", "#ff0000").await;
    assert_eq!(
        names(&labels(gql).await),
        ["billing", "Urgent", "VIP"],
        "by name, in any case"
    );

    // Fields left out stay; a null description goes.
    let changed = gql
        .query(
            UPDATE,
            json!({ "id": vip["id"], "i": { "name": "Gold", "description": null } }),
        )
        .await;
    let changed = &changed.data()["updateLabel"];
    assert_eq!(changed["name"], "Gold");
    assert_eq!(changed["color"], "#ffaa00");
    assert_eq!(changed["description"], Value::Null);
    let renamed_in_case = gql
        .query(UPDATE, json!({ "id": vip["id"], "i": { "name": "GOLD" } }))
        .await;
    assert_eq!(
        renamed_in_case.data()["updateLabel"]["name"],
        "GOLD",
        "a label may change the case of its own name"
    );

    let deleted = gql.query(DELETE, json!({ "id": vip["id"] })).await;
    assert_eq!(deleted.data()["deleteLabel"], true);
    assert_eq!(names(&labels(gql).await), ["billing", "Urgent"]);
    let again = gql.query(DELETE, json!({ "id": vip["id"] })).await;
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
        .filter(|e| e["node"]["targetId"] == vip["id"])
        .map(|e| e["node"]["action"].as_str().unwrap().to_owned())
        .collect();
    for action in ["label.create", "label.update", "label.delete"] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn bad_label_input_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let gql = &tenant.owner.gql;
    let vip = created(&tenant, "VIP", "#ffaa00").await;
    let other = created(&tenant, "Other", "#000000").await;
    let cases = [
        (json!({ "name": "   ", "color": "#ffffff" }), "name"),
        (json!({ "name": "a\u{7}b", "color": "#ffffff" }), "name"),
        (
            json!({ "name": "x".repeat(51), "color": "#ffffff" }),
            "name",
        ),
        (json!({ "name": "vip", "color": "#ffffff" }), "name"),
        (json!({ "name": "Q", "color": "red" }), "color"),
        (json!({ "name": "Q", "color": "#fff" }), "color"),
        (json!({ "name": "Q", "color": "#gggggg" }), "color"),
        (
            json!({ "name": "Q", "color": "#ffffff", "description": "x".repeat(501) }),
            "description",
        ),
    ];
    for (input, expected) in cases {
        let answer = create(gql, input.clone()).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{input}");
        assert_eq!(field(&answer), expected, "{input}: {}", answer.body);
    }
    let taken = gql
        .query(UPDATE, json!({ "id": other, "i": { "name": " Vip" } }))
        .await;
    assert_eq!(field(&taken), "name");
    let colour = gql
        .query(UPDATE, json!({ "id": vip, "i": { "color": "#12345" } }))
        .await;
    assert_eq!(field(&colour), "color");
    let bad_id = gql
        .query(UPDATE, json!({ "id": "nope", "i": { "name": "Q" } }))
        .await;
    assert_eq!(field(&bad_id), "id");
    assert_eq!(
        names(&labels(gql).await),
        ["Other", "VIP"],
        "nothing refused was stored"
    );
}

#[tokio::test]
async fn conversations_are_labelled_and_filtered_by_all_their_labels() {
    let app = TestApp::spawn().await;
    let (tenant, first, second) = two_conversations(&app).await;
    let gql = &tenant.owner.gql;
    let vip = created(&tenant, "VIP", "#ffaa00").await;
    let billing = created(&tenant, "Billing", "#00aa00").await;
    let spare = created(&tenant, "Spare", "#0000aa").await;

    let labelled = gql.query(LABEL, json!({ "c": first, "l": [vip] })).await;
    assert_eq!(
        labelled.data()["labelConversation"]["labels"],
        json!([{ "name": "VIP" }])
    );
    let none = gql.query(LABEL, json!({ "c": first, "l": [] })).await;
    assert_eq!(
        none.data()["labelConversation"]["labels"],
        json!([{ "name": "VIP" }]),
        "no labels change nothing"
    );
    let both = gql
        .query(LABEL, json!({ "c": second, "l": [vip, billing, vip] }))
        .await;
    assert_eq!(
        both.data()["labelConversation"]["labels"],
        json!([{ "name": "Billing" }, { "name": "VIP" }]),
        "by name; a label named twice is put on once"
    );
    let again = gql
        .query(LABEL, json!({ "c": second, "l": [billing] }))
        .await;
    assert_eq!(
        again.data()["labelConversation"]["labels"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "a label the conversation has stays once"
    );

    let mut everyone = vec![first.clone(), second.clone()];
    everyone.sort();
    assert_eq!(filtered(&tenant, json!([vip])).await, everyone);
    assert_eq!(
        filtered(&tenant, json!([vip, billing])).await,
        vec![second.clone()],
        "a conversation must have every label given"
    );
    assert_eq!(
        filtered(&tenant, json!([billing, spare])).await,
        Vec::<String>::new()
    );
    assert_eq!(
        filtered(&tenant, json!([])).await,
        everyone,
        "no labels: no filter"
    );
    let list = gql.query(FILTER, json!({ "l": [vip, billing] })).await;
    assert_eq!(
        list.data()["conversations"]["edges"][0]["node"]["labels"][1]["color"],
        "#ffaa00"
    );

    let taken_off = gql
        .query(UNLABEL, json!({ "c": second, "l": [vip, spare] }))
        .await;
    assert_eq!(
        taken_off.data()["unlabelConversation"]["labels"],
        json!([{ "name": "Billing" }]),
        "a label the conversation lacks is no matter"
    );
    assert_eq!(filtered(&tenant, json!([vip])).await, vec![first.clone()]);

    // Deleting a label takes it off every conversation.
    gql.query(LABEL, json!({ "c": first, "l": [billing] }))
        .await
        .data();
    assert_eq!(filtered(&tenant, json!([billing])).await, everyone);
    gql.query(DELETE, json!({ "id": billing })).await.data();
    let read = gql
        .query(
            "query($id: ID!) { conversation(id: $id) { labels { name } } }",
            json!({ "id": first }),
        )
        .await;
    assert_eq!(
        read.data()["conversation"]["labels"],
        json!([{ "name": "VIP" }])
    );
    let gone = gql.query(FILTER, json!({ "l": [billing] })).await;
    assert_eq!(gone.code(), "NOT_FOUND");
    let relabel = gql
        .query(LABEL, json!({ "c": first, "l": [billing] }))
        .await;
    assert_eq!(relabel.code(), "NOT_FOUND");

    let bad = gql
        .query(LABEL, json!({ "c": first, "l": [vip, "nope"] }))
        .await;
    assert_eq!(field(&bad), "labelIds[1]");
    let bad_filter = gql.query(FILTER, json!({ "l": ["nope"] })).await;
    assert_eq!(field(&bad_filter), "filter.labelIds[0]");
    let many: Vec<String> = (0..51).map(|_| vip.clone()).collect();
    let too_many = gql.query(FILTER, json!({ "l": many })).await;
    assert_eq!(field(&too_many), "filter.labelIds");
}

#[tokio::test]
async fn agents_label_conversations_and_only_admins_define_labels() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, conversation) = meta_conversation(&app, "hello").await;
    let agent = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let admin = app.new_user(&tenant, "al@acme.test", "ADMIN").await;
    let vip = created(&tenant, "VIP", "#ffaa00").await;
    // Agents work the conversations of their queues.
    let queue = crate::visibility::default_queue(&tenant).await;
    crate::visibility::set_members(&tenant, &queue, &[&agent.user_id]).await;

    assert_eq!(names(&labels(&agent.gql).await), ["VIP"]);
    let labelled = agent
        .gql
        .query(LABEL, json!({ "c": conversation, "l": [vip] }))
        .await;
    assert_eq!(
        labelled.data()["labelConversation"]["labels"],
        json!([{ "name": "VIP" }])
    );
    let unlabelled = agent
        .gql
        .query(UNLABEL, json!({ "c": conversation, "l": [vip] }))
        .await;
    assert_eq!(
        unlabelled.data()["unlabelConversation"]["labels"],
        json!([])
    );
    for (query, vars) in [
        (
            CREATE,
            json!({ "i": { "name": "Mine", "color": "#ffffff" } }),
        ),
        (UPDATE, json!({ "id": vip, "i": { "name": "Mine" } })),
        (DELETE, json!({ "id": vip })),
    ] {
        assert_eq!(
            agent.gql.query(query, vars).await.code(),
            "FORBIDDEN",
            "{query}"
        );
    }
    let by_admin = create(&admin.gql, json!({ "name": "Admins", "color": "#ffffff" })).await;
    assert_eq!(by_admin.data()["createLabel"]["name"], "Admins");
}

#[tokio::test]
async fn another_tenants_label_or_conversation_answers_not_found() {
    let app = TestApp::spawn().await;
    let (acme, _meta, ours) = meta_conversation(&app, "hello").await;
    let globex = app.new_tenant("Globex").await;
    let their_channel = meta_channel(&app, &globex, "+15550783999", "106540352242999").await;
    meta_inbound(&app, &their_channel, &CUSTOMER[1..], "hi").await;
    let theirs = filtered(&globex, Value::Null).await.remove(0);
    let their_label = created(&globex, "Theirs", "#123456").await;
    let our_label = created(&acme, "Ours", "#654321").await;
    let gql = &acme.owner.gql;

    for (query, vars) in [
        (
            UPDATE,
            json!({ "id": their_label, "i": { "name": "Mine" } }),
        ),
        (DELETE, json!({ "id": their_label })),
        (LABEL, json!({ "c": ours, "l": [their_label] })),
        (LABEL, json!({ "c": ours, "l": [our_label, their_label] })),
        (UNLABEL, json!({ "c": ours, "l": [their_label] })),
        (LABEL, json!({ "c": theirs, "l": [our_label] })),
        (UNLABEL, json!({ "c": theirs, "l": [our_label] })),
        (FILTER, json!({ "l": [their_label] })),
    ] {
        assert_eq!(
            gql.query(query, vars.clone()).await.code(),
            "NOT_FOUND",
            "{vars}"
        );
    }
    assert_eq!(names(&labels(gql).await), ["Ours"]);
    assert_eq!(names(&labels(&globex.owner.gql).await), ["Theirs"]);
    let read = globex
        .owner
        .gql
        .query(
            "query($id: ID!) { conversation(id: $id) { labels { name } } }",
            json!({ "id": theirs }),
        )
        .await;
    assert_eq!(read.data()["conversation"]["labels"], json!([]));
    let same_name = create(
        &globex.owner.gql,
        json!({ "name": "Ours", "color": "#000000" }),
    )
    .await;
    assert_eq!(
        same_name.data()["createLabel"]["name"],
        "Ours",
        "names are unique within a tenant only"
    );
}
