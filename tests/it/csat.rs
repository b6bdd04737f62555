//! Customer satisfaction: a queue asks on resolve (a list of five on Meta, a numbered text
//! on Twilio) while the window is open, once per resolution; the customer's rating is
//! stored with the agent and keeps the conversation resolved, another reply reopens it;
//! the setting's validation, roles and other tenants' ids.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use switchboard::fakes::meta::{FakeInbound, InboundKind};
use switchboard::store::entities::{conversation, csat_survey};
use switchboard::store::Store;

use crate::lifecycle::run;
use crate::support::fixtures::{
    meta_conversation, twilio_conversation, twilio_inbound, MetaChannel, CUSTOMER,
};
use crate::support::graphql::{Answer, Gql};
use crate::support::{eventually, TestApp, TestTenant};

const UPDATE: &str = "mutation($q: ID!, $i: QueueCsatInput!) {
    updateQueueCsat(queueId: $q, input: $i) { id csat { enabled question } } }";
const CSAT: &str = "query($id: ID!) { conversation(id: $id) { id status
    csat { rating askedAt answeredAt agentId messageId }
    messages(first: 20) { edges { node { direction text } } } } }";

async fn default_queue(gql: &Gql) -> String {
    let answer = gql.query("{ queues { id isDefault } }", json!({})).await;
    let queues = answer.data()["queues"].as_array().unwrap().clone();
    let default = queues.iter().find(|q| q["isDefault"] == true).unwrap();
    default["id"].as_str().unwrap().to_owned()
}

async fn update(gql: &Gql, queue: &str, input: Value) -> Answer {
    gql.query(UPDATE, json!({ "q": queue, "i": input })).await
}

/// Turns CSAT on for the tenant's default queue.
async fn enable(tenant: &TestTenant) {
    let queue = default_queue(&tenant.owner.gql).await;
    let answer = update(&tenant.owner.gql, &queue, json!({ "enabled": true })).await;
    assert_eq!(
        answer.data()["updateQueueCsat"]["csat"]["enabled"],
        true,
        "{}",
        answer.body
    );
}

async fn csat(tenant: &TestTenant, id: &str) -> Value {
    let answer = tenant.owner.gql.query(CSAT, json!({ "id": id })).await;
    answer.data()["conversation"].clone()
}

/// Assigns the conversation to a new agent, who resolves it; answers the agent's id.
async fn resolve_by_agent(app: &TestApp, tenant: &TestTenant, id: &str) -> String {
    let ana = app.new_user(tenant, "ana@acme.test", "AGENT").await;
    run(
        &tenant.owner.gql,
        "assignConversation",
        id,
        json!({ "u": ana.user_id }),
    )
    .await
    .data();
    let resolved = run(&ana.gql, "resolveConversation", id, json!({})).await;
    assert_eq!(resolved.data()["resolveConversation"]["status"], "RESOLVED");
    ana.user_id
}

async fn conversation_count(tenant: &TestTenant) -> usize {
    let answer = tenant
        .owner
        .gql
        .query("{ conversations { edges { node { id } } } }", json!({}))
        .await;
    answer.data()["conversations"]["edges"]
        .as_array()
        .unwrap()
        .len()
}

async fn meta_reply(app: &TestApp, meta: &MetaChannel, kind: InboundKind) {
    app.meta
        .deliver_inbound(
            &meta.webhook,
            &meta.phone_number_id,
            &FakeInbound::new(&CUSTOMER[1..], kind),
        )
        .await
        .unwrap();
}

/// The conversation once its rating question has an answer.
async fn rated(tenant: &TestTenant, id: &str) -> Value {
    eventually(
        10,
        "the rating is stored",
        || csat(tenant, id),
        |c| c["csat"]["rating"].is_number(),
    )
    .await
}

#[tokio::test]
async fn meta_asks_with_a_list_and_the_chosen_row_is_stored_with_the_agent() {
    let app = TestApp::spawn().await;
    let (tenant, meta, id) = meta_conversation(&app, "My order is late").await;
    enable(&tenant).await;
    let agent = resolve_by_agent(&app, &tenant, &id).await;
    app.drain_outbox(&tenant).await;

    let sent = app.meta.sent_messages();
    assert_eq!(sent.len(), 1, "one question");
    assert_eq!(sent[0].kind, "interactive");
    let interactive = &sent[0].body["interactive"];
    assert_eq!(interactive["type"], "list");
    assert_eq!(
        interactive["body"]["text"],
        "How would you rate the help you received?"
    );
    let rows: Vec<&str> = interactive["action"]["sections"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rows, ["csat:1", "csat:2", "csat:3", "csat:4", "csat:5"]);
    let asked = csat(&tenant, &id).await;
    assert_eq!(asked["csat"]["rating"], Value::Null);
    assert_eq!(asked["csat"]["agentId"], agent.as_str());

    meta_reply(
        &app,
        &meta,
        InboundKind::ListReply {
            id: "csat:5".into(),
            title: "5 - Great".into(),
            description: None,
        },
    )
    .await;
    let done = rated(&tenant, &id).await;
    assert_eq!(done["csat"]["rating"], 5);
    assert_eq!(done["csat"]["agentId"], agent.as_str());
    assert!(done["csat"]["answeredAt"].is_string());
    assert_eq!(done["status"], "RESOLVED", "a rating does not reopen");
    let inbound = done["messages"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["direction"] == "INBOUND")
        .count();
    assert_eq!(inbound, 2, "the reply is kept in the resolved conversation");
    assert_eq!(conversation_count(&tenant).await, 1, "none opened");

    let other = app.new_tenant("Other").await;
    let foreign = other.owner.gql.query(CSAT, json!({ "id": id })).await;
    assert_eq!(foreign.code(), "NOT_FOUND", "{}", foreign.body);

    // What stats read: the ratings of a period, each with its agent.
    let store = Store::connect(&app.database_url).await.unwrap();
    let csat = store.tenant(tenant.id.parse().unwrap()).csat();
    let (from, to) = (
        Utc::now() - chrono::Duration::hours(1),
        Utc::now() + chrono::Duration::hours(1),
    );
    let queue = default_queue(&tenant.owner.gql).await.parse().unwrap();
    let agent_id = agent.parse().unwrap();
    assert_eq!(
        csat.ratings(Some(queue), from, to).await.unwrap(),
        [(Some(agent_id), 5)]
    );
    assert_eq!(csat.ratings(None, from, to).await.unwrap().len(), 1);
    assert!(csat
        .ratings(None, to, to + chrono::Duration::hours(1))
        .await
        .unwrap()
        .is_empty());
    let elsewhere = store.tenant(other.id.parse().unwrap()).csat();
    assert!(elsewhere.ratings(None, from, to).await.unwrap().is_empty());
    store.close().await;
    app.finish().await;
}

#[tokio::test]
async fn twilio_asks_for_a_number_and_a_lone_digit_is_the_rating() {
    let app = TestApp::spawn().await;
    let (tenant, channel) = twilio_conversation(&app).await;
    enable(&tenant).await;
    let id = crate::support::fixtures::conversation_id(&tenant).await;
    let agent = resolve_by_agent(&app, &tenant, &id).await;
    app.drain_outbox(&tenant).await;

    let sent = app.twilio.messages();
    assert_eq!(sent.len(), 1, "one question");
    assert!(
        sent[0]
            .body
            .starts_with("How would you rate the help you received?\n"),
        "{}",
        sent[0].body
    );
    assert!(sent[0].body.contains("from 1 (bad) to 5 (great)"));

    twilio_inbound(&app, &channel, " 4 ").await;
    let done = rated(&tenant, &id).await;
    assert_eq!(done["csat"]["rating"], 4);
    assert_eq!(done["csat"]["agentId"], agent.as_str());
    assert_eq!(done["status"], "RESOLVED");
    assert_eq!(conversation_count(&tenant).await, 1);

    // Answered: a second digit is an ordinary message, which reopens within the grace.
    twilio_inbound(&app, &channel, "2").await;
    let after = csat(&tenant, &id).await;
    assert_eq!(after["csat"]["rating"], 4, "the first answer stays");
    assert_ne!(after["status"], "RESOLVED");
    app.finish().await;
}

#[tokio::test]
async fn another_reply_reopens_as_usual_and_each_resolution_asks_once() {
    let app = TestApp::spawn().await;
    let (tenant, meta, id) = meta_conversation(&app, "Hello").await;
    enable(&tenant).await;
    resolve_by_agent(&app, &tenant, &id).await;
    app.drain_outbox(&tenant).await;
    let first = csat(&tenant, &id).await["csat"]["messageId"].clone();

    meta_reply(
        &app,
        &meta,
        InboundKind::Text {
            body: "One more thing".into(),
        },
    )
    .await;
    let reopened = csat(&tenant, &id).await;
    assert_ne!(reopened["status"], "RESOLVED", "reopened within the grace");
    assert_eq!(reopened["csat"]["rating"], Value::Null, "still pending");
    assert_eq!(conversation_count(&tenant).await, 1);

    // While it is open a digit is an ordinary message.
    meta_reply(&app, &meta, InboundKind::Text { body: "3".into() }).await;
    assert_eq!(csat(&tenant, &id).await["csat"]["rating"], Value::Null);

    let again = run(&tenant.owner.gql, "resolveConversation", &id, json!({})).await;
    assert_eq!(again.data()["resolveConversation"]["status"], "RESOLVED");
    app.drain_outbox(&tenant).await;
    assert_eq!(app.meta.sent_messages().len(), 2, "the new resolution asks");
    let second = csat(&tenant, &id).await["csat"]["messageId"].clone();
    assert_ne!(first, second);
    let twice = run(&tenant.owner.gql, "resolveConversation", &id, json!({})).await;
    assert_eq!(twice.data()["resolveConversation"]["status"], "RESOLVED");
    app.drain_outbox(&tenant).await;
    assert_eq!(
        app.meta.sent_messages().len(),
        2,
        "resolving a resolved one asks nothing"
    );

    meta_reply(
        &app,
        &meta,
        InboundKind::ButtonReply {
            id: "csat:2".into(),
            title: "2".into(),
        },
    )
    .await;
    let done = rated(&tenant, &id).await;
    assert_eq!(done["csat"]["rating"], 2);
    assert_eq!(done["csat"]["messageId"], second);
    assert_eq!(done["status"], "RESOLVED");
    app.finish().await;
}

#[tokio::test]
async fn a_disabled_queue_asks_nothing() {
    let app = TestApp::spawn().await;
    let (tenant, _meta, id) = meta_conversation(&app, "Hello").await;
    resolve_by_agent(&app, &tenant, &id).await;
    app.drain_outbox(&tenant).await;
    assert!(
        app.meta.sent_messages().is_empty(),
        "CSAT is off by default"
    );
    assert_eq!(csat(&tenant, &id).await["csat"], Value::Null);
    app.finish().await;
}

#[tokio::test]
async fn a_digit_a_day_after_asking_is_no_answer() {
    let app = TestApp::spawn().await;
    let (tenant, channel) = twilio_conversation(&app).await;
    enable(&tenant).await;
    let id = crate::support::fixtures::conversation_id(&tenant).await;
    resolve_by_agent(&app, &tenant, &id).await;
    app.drain_outbox(&tenant).await;
    let store = Store::connect(&app.database_url).await.unwrap();
    csat_survey::Entity::update_many()
        .col_expr(
            csat_survey::Column::AskedAt,
            Expr::value(Utc::now() - chrono::Duration::hours(25)),
        )
        .filter(csat_survey::Column::ConversationId.eq(id.parse::<uuid::Uuid>().unwrap()))
        .exec(store.connection())
        .await
        .unwrap();
    store.close().await;

    twilio_inbound(&app, &channel, "5").await;
    let late = csat(&tenant, &id).await;
    assert_eq!(late["csat"]["rating"], Value::Null);
    assert_ne!(late["status"], "RESOLVED", "an ordinary message reopens");
    app.finish().await;
}

#[tokio::test]
async fn a_customer_who_opted_out_is_not_asked() {
    let app = TestApp::spawn().await;
    let (tenant, meta, id) = meta_conversation(&app, "Hello").await;
    enable(&tenant).await;
    meta_reply(
        &app,
        &meta,
        InboundKind::Text {
            body: "STOP".into(),
        },
    )
    .await;
    resolve_by_agent(&app, &tenant, &id).await;
    app.drain_outbox(&tenant).await;
    assert!(app.meta.sent_messages().is_empty());
    assert_eq!(csat(&tenant, &id).await["csat"], Value::Null);
    app.finish().await;
}

#[tokio::test]
async fn a_closed_window_asks_nothing() {
    let app = TestApp::spawn().await;
    let (other, _meta, closed) = meta_conversation(&app, "Hello").await;
    enable(&other).await;
    let store = Store::connect(&app.database_url).await.unwrap();
    conversation::Entity::update_many()
        .col_expr(
            conversation::Column::WindowExpiresAt,
            Expr::value(Some(Utc::now() - chrono::Duration::minutes(1))),
        )
        .filter(conversation::Column::Id.eq(closed.parse::<uuid::Uuid>().unwrap()))
        .exec(store.connection())
        .await
        .unwrap();
    store.close().await;
    let resolved = run(&other.owner.gql, "resolveConversation", &closed, json!({})).await;
    assert_eq!(resolved.data()["resolveConversation"]["status"], "RESOLVED");
    app.drain_outbox(&other).await;
    assert!(
        app.meta.sent_messages().is_empty(),
        "no free-form message outside the window"
    );
    assert_eq!(csat(&other, &closed).await["csat"], Value::Null);
    app.finish().await;
}

#[tokio::test]
async fn the_setting_is_validated_kept_for_admins_and_scoped_to_the_tenant() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let other = app.new_tenant("Other").await;
    let queue = default_queue(&tenant.owner.gql).await;
    let owner = &tenant.owner.gql;

    let read = owner
        .query(
            "query($id: ID!) { queue(id: $id) { csat { enabled question } } }",
            json!({ "id": queue }),
        )
        .await;
    assert_eq!(read.data()["queue"]["csat"]["enabled"], false);

    let changed = update(
        owner,
        &queue,
        json!({ "enabled": true, "question": "  Did we help?\nRate us. " }),
    )
    .await;
    assert_eq!(
        changed.data()["updateQueueCsat"]["csat"],
        json!({ "enabled": true, "question": "Did we help?\nRate us." })
    );
    let kept = update(owner, &queue, json!({ "enabled": false })).await;
    assert_eq!(
        kept.data()["updateQueueCsat"]["csat"],
        json!({ "enabled": false, "question": "Did we help?\nRate us." })
    );

    for (question, why) in [("   ", "empty"), (&*"x".repeat(501), "too long")] {
        let refused = update(owner, &queue, json!({ "question": question })).await;
        assert_eq!(refused.code(), "BAD_USER_INPUT", "{why}");
        assert_eq!(
            refused.body["errors"][0]["extensions"]["field"], "question",
            "{why}"
        );
    }
    let junk = update(owner, "not-an-id", json!({ "enabled": true })).await;
    assert_eq!(junk.code(), "BAD_USER_INPUT");
    assert_eq!(junk.body["errors"][0]["extensions"]["field"], "queueId");

    let admin = app.new_user(&tenant, "bo@acme.test", "ADMIN").await;
    let by_admin = update(&admin.gql, &queue, json!({ "enabled": true })).await;
    assert_eq!(by_admin.data()["updateQueueCsat"]["csat"]["enabled"], true);
    let agent = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let by_agent = update(&agent.gql, &queue, json!({ "enabled": false })).await;
    assert_eq!(by_agent.code(), "FORBIDDEN");
    let seen = agent
        .gql
        .query(
            "query($id: ID!) { queue(id: $id) { csat { enabled } } }",
            json!({ "id": queue }),
        )
        .await;
    assert_eq!(
        seen.data()["queue"]["csat"]["enabled"],
        true,
        "agents read it"
    );

    let foreign = update(&other.owner.gql, &queue, json!({ "enabled": false })).await;
    assert_eq!(foreign.code(), "NOT_FOUND");
    let unchanged = owner
        .query(
            "query($id: ID!) { queue(id: $id) { csat { enabled } } }",
            json!({ "id": queue }),
        )
        .await;
    assert_eq!(unchanged.data()["queue"]["csat"]["enabled"], true);
    app.finish().await;
}
