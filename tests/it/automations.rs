//! Automated messages per queue: the welcome goes once per new conversation, out of hours
//! only outside the queue's hours, waiting too long from the sweep, resolved when the
//! conversation is resolved; a closed window sends the template, or nothing without one;
//! settings validated naming the field, changed only by owners and admins, and other
//! tenants' ids answer NOT_FOUND.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};
use switchboard::store::entities::conversation_automation;
use switchboard::store::Store;

use crate::inbox::close_window;
use crate::support::fixtures::{
    conversations, default_meta_channel, meta_inbound, twilio_channel, twilio_conversation,
    twilio_inbound, CUSTOMER,
};
use crate::support::graphql::{Answer, Gql};
use crate::support::{eventually, TestApp, TestTenant};
use crate::templates::approved_twilio_template;
use crate::visibility::default_queue;

const AUTOMATION: &str =
    "kind enabled text templateId template { id name } templateVariables { key value } afterMinutes updatedAt";

fn update_query() -> String {
    format!(
        "mutation($q: ID!, $i: QueueAutomationsInput!) {{ updateQueueAutomations(queueId: $q, input: $i) {{
            welcome {{ {AUTOMATION} }} outOfHours {{ {AUTOMATION} }} waiting {{ {AUTOMATION} }} resolved {{ {AUTOMATION} }} }} }}"
    )
}

async fn update(gql: &Gql, queue: &str, input: Value) -> Answer {
    gql.query(&update_query(), json!({ "q": queue, "i": input }))
        .await
}

async fn automate(tenant: &TestTenant, queue: &str, input: Value) -> Value {
    update(&tenant.owner.gql, queue, input).await.data()["updateQueueAutomations"].clone()
}

/// The texts Meta was asked to send to `wa_id`, in order.
fn meta_texts(app: &TestApp, wa_id: &str) -> Vec<String> {
    app.meta
        .sent_messages()
        .into_iter()
        .filter(|m| m.to == wa_id && m.kind == "text")
        .map(|m| {
            m.body["text"]["body"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// The ids of the tenant's conversations, newest first.
async fn conversation_ids(tenant: &TestTenant) -> Vec<String> {
    conversations(tenant)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn lifecycle(tenant: &TestTenant, mutation: &str, id: &str) -> Value {
    let query = format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id status }} }}");
    tenant
        .owner
        .gql
        .query(&query, json!({ "id": id }))
        .await
        .data()[mutation]
        .clone()
}

async fn no_grace(tenant: &TestTenant) {
    tenant
        .owner
        .gql
        .query(
            "mutation { updateTenantSettings(input: { reopenGraceMinutes: 0 }) { reopenGraceMinutes } }",
            json!({}),
        )
        .await
        .data();
}

/// What each automation did for the conversation: (kind, message sent, reason skipped).
async fn outcomes(app: &TestApp, id: &str) -> Vec<(String, bool, Option<String>)> {
    let store = Store::connect(&app.database_url).await.unwrap();
    let rows = conversation_automation::Entity::find()
        .filter(
            conversation_automation::Column::ConversationId.eq(id.parse::<uuid::Uuid>().unwrap()),
        )
        .all(store.connection())
        .await
        .unwrap();
    store.close().await;
    rows.into_iter()
        .map(|r| (r.kind, r.message_id.is_some(), r.skipped_reason))
        .collect()
}

fn field(answer: &Answer) -> &str {
    answer.body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn the_welcome_goes_once_per_new_conversation_through_the_provider() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let queue = default_queue(&tenant).await;
    let set = automate(
        &tenant,
        &queue,
        json!({ "welcome": { "enabled": true, "text": "Welcome to *Acme*!\nWe answer soon." } }),
    )
    .await;
    assert_eq!(set["welcome"]["enabled"], true);
    assert_eq!(set["welcome"]["kind"], "WELCOME");
    assert_eq!(set["resolved"]["enabled"], false, "{set}");
    let customer = &CUSTOMER[1..];

    meta_inbound(&app, &meta, customer, "Hello").await;
    app.drain_outbox(&tenant).await;
    assert_eq!(
        meta_texts(&app, customer),
        ["Welcome to *Acme*!\nWe answer soon."]
    );
    let first = conversation_ids(&tenant).await[0].clone();
    let messages = conversations(&tenant).await[0]["node"]["messages"]["edges"].clone();
    let outbound: Vec<&Value> = messages
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["node"]["direction"] == "OUTBOUND")
        .collect();
    assert_eq!(outbound.len(), 1, "{messages}");

    meta_inbound(&app, &meta, customer, "Are you there?").await;
    app.drain_outbox(&tenant).await;
    assert_eq!(meta_texts(&app, customer).len(), 1, "not again");

    // A new conversation (no grace to reopen the resolved one) is welcomed again.
    no_grace(&tenant).await;
    lifecycle(&tenant, "resolveConversation", &first).await;
    meta_inbound(&app, &meta, customer, "Hello again").await;
    app.drain_outbox(&tenant).await;
    let ids = conversation_ids(&tenant).await;
    assert_eq!(ids.len(), 2);
    assert_eq!(meta_texts(&app, customer).len(), 2);
    app.finish().await;
}

#[tokio::test]
async fn out_of_hours_goes_only_while_the_queue_is_closed() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let queue = default_queue(&tenant).await;
    automate(
        &tenant,
        &queue,
        json!({ "outOfHours": { "enabled": true, "text": "We are closed; back at 9." } }),
    )
    .await;
    let set_hours = |weekly: Value| {
        let gql = tenant.owner.gql.clone();
        let queue = queue.clone();
        async move {
            gql.query(
                "mutation($id: ID!, $i: UpdateQueueInput!) { updateQueue(id: $id, input: $i) { openNow } }",
                json!({ "id": queue, "i": { "hours": { "timeZone": "UTC", "weekly": weekly } } }),
            )
            .await
            .data()["updateQueue"]["openNow"]
                .clone()
        }
    };

    // Always open (no hours): nothing.
    meta_inbound(&app, &meta, "34600000001", "Hi").await;
    // Hours that never open: now is outside them.
    assert_eq!(set_hours(json!([])).await, false);
    meta_inbound(&app, &meta, "34600000002", "Hi").await;
    // Open all day, every day: now is inside them.
    let all_week: Vec<Value> = [
        "MONDAY",
        "TUESDAY",
        "WEDNESDAY",
        "THURSDAY",
        "FRIDAY",
        "SATURDAY",
        "SUNDAY",
    ]
    .iter()
    .map(|day| json!({ "day": day, "opens": "00:00", "closes": "00:00" }))
    .collect();
    assert_eq!(set_hours(json!(all_week)).await, true);
    meta_inbound(&app, &meta, "34600000003", "Hi").await;
    app.drain_outbox(&tenant).await;

    assert!(meta_texts(&app, "34600000001").is_empty());
    assert_eq!(
        meta_texts(&app, "34600000002"),
        ["We are closed; back at 9."]
    );
    assert!(meta_texts(&app, "34600000003").is_empty());
    app.finish().await;
}

#[tokio::test]
async fn a_closed_window_sends_the_template_and_without_one_nothing() {
    let app = TestApp::spawn().await;
    let (tenant, channel) = twilio_conversation(&app).await;
    let (template, sid) = approved_twilio_template(&app, &tenant, &channel).await;
    let queue = default_queue(&tenant).await;
    let posts = || {
        app.twilio
            .requests_to("/Messages.json")
            .into_iter()
            .filter(|r| r.method == "POST")
            .count()
    };

    // Resolved with the window closed and no template: skipped, and recorded why.
    automate(
        &tenant,
        &queue,
        json!({ "resolved": { "enabled": true, "text": "Thanks for writing!" } }),
    )
    .await;
    let first = conversation_ids(&tenant).await[0].clone();
    close_window(&app, &first).await;
    lifecycle(&tenant, "resolveConversation", &first).await;
    app.drain_outbox(&tenant).await;
    assert_eq!(posts(), 0);
    let recorded = outcomes(&app, &first).await;
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0].0, "RESOLVED");
    assert!(!recorded[0].1);
    assert!(
        recorded[0]
            .2
            .as_deref()
            .unwrap_or_default()
            .contains("window"),
        "{recorded:?}"
    );

    // With a template, the closed window sends it with its variables.
    let set = automate(
        &tenant,
        &queue,
        json!({ "resolved": { "enabled": true, "text": "Thanks for writing!", "templateId": template,
            "templateVariables": [{ "key": "1", "value": "Ana" }, { "key": "2", "value": "A-1" }] } }),
    )
    .await;
    assert_eq!(set["resolved"]["template"]["id"], template.as_str());
    assert_eq!(
        set["resolved"]["templateVariables"],
        json!([{ "key": "1", "value": "Ana" }, { "key": "2", "value": "A-1" }])
    );
    no_grace(&tenant).await;
    twilio_inbound(&app, &channel, "one more thing").await;
    let second = conversation_ids(&tenant).await[0].clone();
    assert_ne!(second, first);
    close_window(&app, &second).await;
    lifecycle(&tenant, "resolveConversation", &second).await;
    app.drain_outbox(&tenant).await;
    let sent: Vec<_> = app
        .twilio
        .requests_to("/Messages.json")
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].form_value("ContentSid"), Some(sid.as_str()));
    assert_eq!(sent[0].form_value("Body"), None);

    // Resolved again after a reopen: at most once per conversation.
    lifecycle(&tenant, "reopenConversation", &second).await;
    lifecycle(&tenant, "resolveConversation", &second).await;
    app.drain_outbox(&tenant).await;
    assert_eq!(posts(), 1);
    app.finish().await;
}

#[tokio::test]
async fn waiting_too_long_goes_once_from_the_sweep() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let queue = default_queue(&tenant).await;
    let set = automate(
        &tenant,
        &queue,
        json!({ "waiting": { "enabled": true, "text": "Still looking for an agent.", "afterMinutes": 0 } }),
    )
    .await;
    assert_eq!(set["waiting"]["afterMinutes"], 0);
    // A wait not yet reached sends nothing: another tenant's queue waits an hour.
    let other = app.new_tenant("Other").await;
    let other_meta =
        crate::support::fixtures::meta_channel(&app, &other, "+34900000009", "900000009").await;
    let other_queue = default_queue(&other).await;
    automate(
        &other,
        &other_queue,
        json!({ "waiting": { "enabled": true, "text": "Patience.", "afterMinutes": 60 } }),
    )
    .await;
    meta_inbound(&app, &other_meta, "34600000009", "Hi").await;

    meta_inbound(&app, &meta, "34600000001", "Hi").await;
    eventually(
        20,
        "the sweep sends the waiting message",
        || async { meta_texts(&app, "34600000001") },
        |texts| !texts.is_empty(),
    )
    .await;
    // More sweeps pass while the customer writes again: still once.
    meta_inbound(&app, &meta, "34600000001", "Anyone?").await;
    let id = conversation_ids(&tenant).await[0].clone();
    eventually(
        10,
        "the sweep recorded it",
        || outcomes(&app, &id),
        |rows| rows.len() == 1 && rows[0].1,
    )
    .await;
    app.drain_outbox(&tenant).await;
    assert_eq!(
        meta_texts(&app, "34600000001"),
        ["Still looking for an agent."]
    );
    assert!(meta_texts(&app, "34600000009").is_empty());
    app.finish().await;
}

#[tokio::test]
async fn settings_are_validated_naming_the_field_and_read_back() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let queue = default_queue(&tenant).await;
    let gql = &tenant.owner.gql;
    let cases = [
        (json!({ "welcome": { "enabled": true } }), "welcome.text"),
        (
            json!({ "welcome": { "enabled": true, "text": " \n " } }),
            "welcome.text",
        ),
        (
            json!({ "resolved": { "enabled": true, "text": "a\u{0}b" } }),
            "resolved.text",
        ),
        (
            json!({ "outOfHours": { "enabled": true, "text": "x".repeat(65_537) } }),
            "outOfHours.text",
        ),
        (
            json!({ "welcome": { "enabled": true, "text": "Hi", "afterMinutes": 5 } }),
            "welcome.afterMinutes",
        ),
        (
            json!({ "waiting": { "enabled": true, "text": "Hi" } }),
            "waiting.afterMinutes",
        ),
        (
            json!({ "waiting": { "enabled": true, "text": "Hi", "afterMinutes": 10081 } }),
            "waiting.afterMinutes",
        ),
        (
            json!({ "waiting": { "enabled": true, "text": "Hi", "afterMinutes": -1 } }),
            "waiting.afterMinutes",
        ),
        (
            json!({ "resolved": { "enabled": true, "text": "Hi", "templateVariables": [{ "key": "1", "value": "A" }] } }),
            "resolved.templateVariables",
        ),
        (
            json!({ "resolved": { "enabled": true, "text": "Hi", "templateId": "nope" } }),
            "resolved.templateId",
        ),
    ];
    for (input, expected) in cases {
        let answer = update(gql, &queue, input.clone()).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{input}");
        assert_eq!(field(&answer), expected, "{input}");
    }

    let set = automate(
        &tenant,
        &queue,
        json!({ "welcome": { "enabled": true, "text": "Hi" },
                "waiting": { "enabled": false, "text": "Later", "afterMinutes": 15 } }),
    )
    .await;
    assert_eq!(set["waiting"]["enabled"], false);
    assert_eq!(set["waiting"]["afterMinutes"], 15);
    // Kinds left out stay as they are.
    automate(&tenant, &queue, json!({ "resolved": { "enabled": false } })).await;
    let read = gql
        .query(
            &format!("query($id: ID!) {{ queue(id: $id) {{ automations {{ welcome {{ {AUTOMATION} }} waiting {{ {AUTOMATION} }} resolved {{ {AUTOMATION} }} }} }} }}"),
            json!({ "id": queue }),
        )
        .await;
    let automations = &read.data()["queue"]["automations"];
    assert_eq!(automations["welcome"]["text"], "Hi");
    assert_eq!(automations["welcome"]["enabled"], true);
    assert_eq!(automations["waiting"]["text"], "Later");
    assert_eq!(automations["resolved"]["enabled"], false);
    assert!(automations["resolved"]["updatedAt"].is_string());
    app.finish().await;
}

#[tokio::test]
async fn only_owners_and_admins_change_them_and_other_tenants_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let queue = default_queue(&tenant).await;
    let agent = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let admin = app.new_user(&tenant, "bo@acme.test", "ADMIN").await;
    let input = json!({ "welcome": { "enabled": true, "text": "Hi" } });

    let refused = update(&agent.gql, &queue, input.clone()).await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let allowed = update(&admin.gql, &queue, input.clone()).await;
    assert_eq!(
        allowed.data()["updateQueueAutomations"]["welcome"]["text"],
        "Hi"
    );
    let read = agent
        .gql
        .query(
            "query($id: ID!) { queue(id: $id) { automations { welcome { enabled text } } } }",
            json!({ "id": queue }),
        )
        .await;
    assert_eq!(read.data()["queue"]["automations"]["welcome"]["text"], "Hi");

    // Another tenant's queue, and another tenant's template.
    let other = app.new_tenant("Other").await;
    let other_channel = twilio_channel(&app, &other).await;
    let other_queue = default_queue(&other).await;
    let (other_template, _) = approved_twilio_template(&app, &other, &other_channel).await;
    let foreign_queue = update(&tenant.owner.gql, &other_queue, input.clone()).await;
    assert_eq!(foreign_queue.code(), "NOT_FOUND");
    let foreign_template = update(
        &tenant.owner.gql,
        &queue,
        json!({ "resolved": { "enabled": true, "text": "Bye", "templateId": other_template,
            "templateVariables": [{ "key": "1", "value": "A" }, { "key": "2", "value": "B" }] } }),
    )
    .await;
    assert_eq!(foreign_template.code(), "NOT_FOUND");
    let untouched = update(&other.owner.gql, &other_queue, json!({})).await;
    assert_eq!(
        untouched.data()["updateQueueAutomations"]["welcome"]["enabled"],
        false
    );
    app.finish().await;
}

#[tokio::test]
async fn resolved_inside_the_window_sends_the_text_and_an_opted_out_contact_gets_nothing() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let queue = default_queue(&tenant).await;
    automate(
        &tenant,
        &queue,
        json!({ "welcome": { "enabled": true, "text": "Hello!" },
                "resolved": { "enabled": true, "text": "Glad we could help." } }),
    )
    .await;

    meta_inbound(&app, &meta, "34600000001", "Hi").await;
    let id = conversation_ids(&tenant).await[0].clone();
    app.drain_outbox(&tenant).await;
    lifecycle(&tenant, "resolveConversation", &id).await;
    app.drain_outbox(&tenant).await;
    assert_eq!(
        meta_texts(&app, "34600000001"),
        ["Hello!", "Glad we could help."]
    );

    // A first message that opts out: the contact is written to no more.
    meta_inbound(&app, &meta, "34600000002", "STOP").await;
    let stopped = conversation_ids(&tenant).await[0].clone();
    app.drain_outbox(&tenant).await;
    assert!(meta_texts(&app, "34600000002").is_empty());
    let recorded = outcomes(&app, &stopped).await;
    assert_eq!(
        recorded,
        [(
            "WELCOME".to_owned(),
            false,
            Some("the contact opted out".to_owned())
        )]
    );
    app.finish().await;
}
