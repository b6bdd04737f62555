//! Message templates: created, edited, submitted, synced and deleted at the fake providers
//! (the wire requests checked), approved by Meta's status webhook, and sent with their
//! variables, also when the 24-hour window is closed.

use serde_json::{json, Value};

use crate::support::fixtures::{
    default_meta_channel, twilio_channel, MetaChannel, TwilioChannel, META_TOKEN,
};
use crate::support::{TestApp, TestTenant};

const WABA: &str = "102290129340398";
const FIELDS: &str = "id channelId name language category status rejectionReason body headerText footer quickReplies variables parameterFormat providerTemplateId syncedAt";
pub(crate) const SEND: &str =
    "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id status contact { id } } }";
const MESSAGE: &str = "query($id: ID!) { message(id: $id) { status text content { __typename ... on TemplateContent { templateId name language text variables { key value } } } } }";

fn create_mutation() -> String {
    format!("mutation($i: CreateTemplateInput!) {{ createTemplate(input: $i) {{ {FIELDS} }} }}")
}

pub(crate) async fn create(tenant: &TestTenant, input: Value) -> crate::support::graphql::Answer {
    tenant
        .owner
        .gql
        .query(&create_mutation(), json!({ "i": input }))
        .await
}

pub(crate) async fn template(tenant: &TestTenant, id: &str) -> Value {
    tenant
        .owner
        .gql
        .query(
            &format!("query($id: ID!) {{ template(id: $id) {{ {FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await
        .data()["template"]
        .clone()
}

async fn call(tenant: &TestTenant, mutation: &str, id: &str) -> crate::support::graphql::Answer {
    tenant
        .owner
        .gql
        .query(
            &format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ {FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await
}

async fn sync(tenant: &TestTenant, channel: &str) -> Vec<Value> {
    tenant
        .owner
        .gql
        .query(
            &format!("mutation($c: ID!) {{ syncTemplates(channelId: $c) {{ {FIELDS} }} }}"),
            json!({ "c": channel }),
        )
        .await
        .data()["syncTemplates"]
        .as_array()
        .unwrap()
        .clone()
}

pub(crate) async fn meta_setup(app: &TestApp) -> (TestTenant, MetaChannel) {
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(app, &tenant).await;
    app.meta.set_webhook_url(Some(&meta.webhook));
    (tenant, meta)
}

/// A Twilio template created, submitted and approved; answers its id and `HX…` SID.
pub(crate) async fn approved_twilio_template(
    app: &TestApp,
    tenant: &TestTenant,
    channel: &TwilioChannel,
) -> (String, String) {
    let created = create(
        tenant,
        json!({ "channelId": channel.id, "name": "order_update", "language": "en",
                "category": "UTILITY", "body": "Hi {{1}}, order {{2}} shipped.",
                "examples": ["Ana", "A-1"] }),
    )
    .await;
    let created = created.data()["createTemplate"].clone();
    let id = created["id"].as_str().unwrap().to_owned();
    let sid = created["providerTemplateId"].as_str().unwrap().to_owned();
    call(tenant, "submitTemplate", &id).await.data();
    app.twilio.set_approval(&sid, "approved", "");
    let synced = sync(tenant, &channel.id).await;
    assert_eq!(synced[0]["status"], "APPROVED", "{synced:?}");
    (id, sid)
}

/// The message once it left the outbox.
pub(crate) async fn settled(tenant: &TestTenant, id: &str) -> Value {
    crate::support::eventually(
        20,
        "the message leaves the outbox",
        || async {
            tenant
                .owner
                .gql
                .query(MESSAGE, json!({ "id": id }))
                .await
                .data()["message"]
                .clone()
        },
        |message| message["status"] != "QUEUED",
    )
    .await
}

/// The template fields as stored, after the status webhook is in.
pub(crate) async fn eventually_status(tenant: &TestTenant, id: &str, status: &str) -> Value {
    crate::support::eventually(
        10,
        &format!("the template becomes {status}"),
        || template(tenant, id),
        |t| t["status"] == status,
    )
    .await
}

#[tokio::test]
async fn meta_reviews_a_created_template_and_its_webhook_approves_or_rejects_it() {
    let app = TestApp::spawn().await;
    let (tenant, meta) = meta_setup(&app).await;
    let created = create(
        &tenant,
        json!({ "channelId": meta.id, "name": "order_update", "language": "en_US",
                "category": "UTILITY", "body": "Hi {{1}}, order {{2}}",
                "headerText": "Your order", "footer": "Acme", "quickReplies": ["Stop"],
                "examples": ["Ana", "A-1"] }),
    )
    .await;
    let created = created.data()["createTemplate"].clone();
    assert_eq!(created["status"], "PENDING");
    assert_eq!(created["variables"], json!(["1", "2"]));
    assert_eq!(created["parameterFormat"], "POSITIONAL");
    let provider_id = created["providerTemplateId"].as_str().unwrap().to_owned();
    assert!(provider_id.chars().all(|c| c.is_ascii_digit()));

    let request = app
        .meta
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/message_templates"))
        .unwrap();
    assert_eq!(request.path, format!("/v23.0/{WABA}/message_templates"));
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {META_TOKEN}").as_str())
    );
    let body = request.body.unwrap();
    assert_eq!(
        (&body["name"], &body["language"], &body["category"]),
        (&json!("order_update"), &json!("en_US"), &json!("UTILITY"))
    );
    assert_eq!(
        body["components"][1],
        json!({"type":"BODY","text":"Hi {{1}}, order {{2}}","example":{"body_text":[["Ana","A-1"]]}})
    );
    assert_eq!(body["components"][0]["text"], "Your order");

    app.meta
        .review_template(&provider_id, "APPROVED", None)
        .await
        .unwrap();
    let approved = eventually_status(&tenant, created["id"].as_str().unwrap(), "APPROVED").await;
    assert_eq!(approved["rejectionReason"], Value::Null);

    let other = create(
        &tenant,
        json!({ "channelId": meta.id, "name": "promo", "language": "en_US",
                "category": "MARKETING", "body": "Deals!" }),
    )
    .await;
    let other = other.data()["createTemplate"].clone();
    app.meta
        .review_template(
            other["providerTemplateId"].as_str().unwrap(),
            "REJECTED",
            Some("INVALID_FORMAT"),
        )
        .await
        .unwrap();
    let rejected = eventually_status(&tenant, other["id"].as_str().unwrap(), "REJECTED").await;
    assert_eq!(rejected["rejectionReason"], "INVALID_FORMAT");
}

#[tokio::test]
async fn a_twilio_template_is_created_unsubmitted_then_submitted_and_synced() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let created = create(
        &tenant,
        json!({ "channelId": channel.id, "name": "order_update", "language": "en",
                "category": "UTILITY", "body": "Hi {{1}}", "examples": ["Ana"] }),
    )
    .await;
    let created = created.data()["createTemplate"].clone();
    assert_eq!(created["status"], "UNSUBMITTED");
    let sid = created["providerTemplateId"].as_str().unwrap().to_owned();
    assert!(sid.starts_with("HX"), "{sid}");
    let request = app
        .twilio
        .requests_to("/v1/Content")
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(
        request.basic_auth(),
        Some((
            channel.account.sid.clone(),
            channel.account.auth_token.clone()
        ))
    );
    let body = request.json.unwrap();
    assert_eq!(body["friendly_name"], "order_update");
    assert_eq!(body["language"], "en");
    assert_eq!(body["variables"], json!({"1": "Ana"}));
    assert_eq!(body["types"], json!({"twilio/text": {"body": "Hi {{1}}"}}));

    let id = created["id"].as_str().unwrap();
    let submitted = call(&tenant, "submitTemplate", id).await;
    assert_eq!(submitted.data()["submitTemplate"]["status"], "PENDING");
    let approval = app
        .twilio
        .requests_to(&format!("/v1/Content/{sid}/ApprovalRequests/whatsapp"))
        .pop()
        .unwrap();
    assert_eq!(approval.method, "POST");
    assert_eq!(
        approval.json.unwrap(),
        json!({"name": "order_update", "category": "UTILITY"})
    );

    app.twilio
        .set_approval(&sid, "rejected", "Variables at the edge");
    let synced = sync(&tenant, &channel.id).await;
    assert_eq!(synced.len(), 1);
    assert_eq!(synced[0]["id"], created["id"]);
    assert_eq!(synced[0]["status"], "REJECTED");
    assert_eq!(synced[0]["rejectionReason"], "Variables at the edge");
    assert!(!app.twilio.requests_to("/v1/ContentAndApprovals").is_empty());
}

#[tokio::test]
async fn sync_stores_the_providers_templates_and_drops_the_ones_it_no_longer_has() {
    let app = TestApp::spawn().await;
    let (tenant, meta) = meta_setup(&app).await;
    app.meta
        .add_template(WABA, "welcome", "en", "Hi {{name}}!", "APPROVED");
    let gone = app
        .meta
        .add_template(WABA, "old_promo", "es", "Ofertas", "PAUSED");
    let synced = sync(&tenant, &meta.id).await;
    let names: Vec<&str> = synced.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["old_promo", "welcome"]);
    assert_eq!(synced[1]["variables"], json!(["name"]));
    assert_eq!(synced[1]["parameterFormat"], "NAMED");
    assert_eq!(synced[0]["status"], "PAUSED");
    let list = app
        .meta
        .requests()
        .into_iter()
        .find(|r| r.method == "GET" && r.path.ends_with("/message_templates"))
        .unwrap();
    assert_eq!(list.path, format!("/v23.0/{WABA}/message_templates"));
    assert!(list.query_param("fields").unwrap().contains("status"));

    // Removed at Meta behind our back: the next sync drops it here too.
    let removed = app
        .http
        .delete(format!(
            "{}/v23.0/{WABA}/message_templates",
            app.meta.base_url()
        ))
        .query(&[("name", "old_promo"), ("hsm_id", gone.as_str())])
        .bearer_auth(META_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(removed.status().is_success());
    let synced = sync(&tenant, &meta.id).await;
    assert_eq!(synced.len(), 1);
    assert_eq!(synced[0]["name"], "welcome");
}

#[tokio::test]
async fn edits_and_deletes_reach_the_provider() {
    let app = TestApp::spawn().await;
    let (tenant, meta) = meta_setup(&app).await;
    let created = create(
        &tenant,
        json!({ "channelId": meta.id, "name": "notice", "language": "en",
                "category": "UTILITY", "body": "Hello" }),
    )
    .await;
    let created = created.data()["createTemplate"].clone();
    let provider_id = created["providerTemplateId"].as_str().unwrap().to_owned();
    let updated = tenant
        .owner
        .gql
        .query(
            &format!("mutation($id: ID!, $i: UpdateTemplateInput!) {{ updateTemplate(id: $id, input: $i) {{ {FIELDS} }} }}"),
            json!({ "id": created["id"], "i": { "body": "Hello {{1}}", "examples": ["Ana"] } }),
        )
        .await;
    let updated = updated.data()["updateTemplate"].clone();
    assert_eq!(updated["body"], "Hello {{1}}");
    assert_eq!(updated["variables"], json!(["1"]));
    assert_eq!(updated["status"], "PENDING");
    let edit = app
        .meta
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == format!("/v23.0/{provider_id}"))
        .unwrap();
    assert_eq!(
        edit.body.unwrap()["components"][0],
        json!({"type":"BODY","text":"Hello {{1}}","example":{"body_text":[["Ana"]]}})
    );

    let deleted = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { deleteTemplate(id: $id) }",
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(deleted.data()["deleteTemplate"], true);
    let delete = app
        .meta
        .requests()
        .into_iter()
        .find(|r| r.method == "DELETE")
        .unwrap();
    assert_eq!(delete.path, format!("/v23.0/{WABA}/message_templates"));
    assert_eq!(delete.query_param("hsm_id"), Some(provider_id.as_str()));
    assert_eq!(delete.query_param("name"), Some("notice"));
    assert!(app.meta.templates().is_empty());
    let gone = tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { template(id: $id) { id } }",
            json!({ "id": created["id"] }),
        )
        .await;
    assert_eq!(gone.code(), "NOT_FOUND");

    // A Twilio content cannot change: an edit replaces it, unsubmitted, and deletes the old.
    let channel = twilio_channel(&app, &tenant).await;
    let (id, old_sid) = approved_twilio_template(&app, &tenant, &channel).await;
    let replaced = tenant
        .owner
        .gql
        .query(
            &format!("mutation($id: ID!, $i: UpdateTemplateInput!) {{ updateTemplate(id: $id, input: $i) {{ {FIELDS} }} }}"),
            json!({ "id": id, "i": { "body": "Hi {{1}}, order {{2}} is on its way.", "examples": ["Ana", "A-1"] } }),
        )
        .await;
    let replaced = replaced.data()["updateTemplate"].clone();
    assert_eq!(replaced["status"], "UNSUBMITTED");
    assert_ne!(replaced["providerTemplateId"], json!(old_sid));
    let removed = app.twilio.requests_to(&format!("/v1/Content/{old_sid}"));
    assert!(removed.iter().any(|r| r.method == "DELETE"), "{removed:?}");
}

#[tokio::test]
async fn template_input_is_validated_field_by_field_and_provider_refusals_are_reported() {
    let app = TestApp::spawn().await;
    let (tenant, meta) = meta_setup(&app).await;
    let twilio = twilio_channel(&app, &tenant).await;
    let base = json!({ "channelId": meta.id, "name": "ok_name", "language": "en",
                       "category": "UTILITY", "body": "Hi {{1}}", "examples": ["Ana"] });
    let cases = [
        ("name", json!("Bad Name")),
        ("language", json!("english")),
        ("body", json!("x".repeat(1025))),
        ("examples", json!(["Ana", "extra"])),
        ("headerText", json!("h".repeat(61))),
    ];
    for (field, value) in cases {
        let mut input = base.clone();
        input[field] = value;
        let answer = create(&tenant, input).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{field}");
        assert_eq!(
            answer.body["errors"][0]["extensions"]["field"], field,
            "{}",
            answer.body
        );
    }
    let named_on_twilio = create(
        &tenant,
        json!({ "channelId": twilio.id, "name": "named", "language": "en",
                "category": "UTILITY", "body": "Hi {{first_name}}", "examples": ["Ana"] }),
    )
    .await;
    assert_eq!(named_on_twilio.code(), "BAD_USER_INPUT");
    assert_eq!(
        named_on_twilio.body["errors"][0]["extensions"]["field"],
        "body"
    );

    // Meta already has this name and language (made elsewhere): it refuses.
    app.meta
        .add_template(WABA, "ok_name", "en", "Hi {{1}}", "APPROVED");
    let refused = create(&tenant, base.clone()).await;
    assert_eq!(refused.code(), "PROVIDER_ERROR", "{}", refused.body);
    // Once synced, the duplicate is caught here.
    sync(&tenant, &meta.id).await;
    assert_eq!(create(&tenant, base).await.code(), "CONFLICT");
}

#[tokio::test]
async fn agents_read_templates_and_only_owners_and_admins_change_them() {
    let app = TestApp::spawn().await;
    let (tenant, meta) = meta_setup(&app).await;
    app.meta
        .add_template(WABA, "welcome", "en", "Hi!", "APPROVED");
    let synced = sync(&tenant, &meta.id).await;
    let id = synced[0]["id"].as_str().unwrap().to_owned();
    let admin = app.new_user(&tenant, "admin@acme.test", "ADMIN").await;
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;

    let listed = agent
        .gql
        .query(
            "query($c: ID) { templates(channelId: $c) { id name channel { id } } }",
            json!({ "c": meta.id }),
        )
        .await;
    assert_eq!(listed.data()["templates"][0]["id"], json!(id));
    assert_eq!(
        listed.data()["templates"][0]["channel"]["id"],
        json!(meta.id)
    );
    let writes = [
        (
            "mutation($id: ID!) { submitTemplate(id: $id) { id } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { deleteTemplate(id: $id) }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { updateTemplate(id: $id, input: { body: \"x\" }) { id } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { syncTemplates(channelId: $id) { id } }",
            json!({ "id": meta.id }),
        ),
        (
            "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }",
            json!({ "i": { "channelId": meta.id, "name": "x", "language": "en", "category": "UTILITY", "body": "x" } }),
        ),
    ];
    for (query, variables) in &writes {
        let answer = agent.gql.query(query, variables.clone()).await;
        assert_eq!(answer.code(), "FORBIDDEN", "{query}");
    }
    let by_admin = admin.gql.query(writes[0].0, writes[0].1.clone()).await;
    assert_eq!(by_admin.data()["submitTemplate"]["id"], json!(id));
}

#[tokio::test]
async fn another_tenants_templates_and_channels_are_not_found() {
    let app = TestApp::spawn().await;
    let (acme, meta) = meta_setup(&app).await;
    let created = create(
        &acme,
        json!({ "channelId": meta.id, "name": "welcome", "language": "en",
                "category": "UTILITY", "body": "Hi!" }),
    )
    .await;
    let created = created.data()["createTemplate"].clone();
    app.meta
        .review_template(
            created["providerTemplateId"].as_str().unwrap(),
            "APPROVED",
            None,
        )
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    eventually_status(&acme, &id, "APPROVED").await;

    let globex = app.new_tenant("Globex").await;
    let own = twilio_channel(&app, &globex).await;
    let listed = globex
        .owner
        .gql
        .query("{ templates { id } }", json!({}))
        .await;
    assert_eq!(listed.data()["templates"], json!([]));
    let g = &globex.owner.gql;
    let not_found = [
        (
            "query($id: ID!) { template(id: $id) { id } }",
            json!({ "id": id }),
        ),
        (
            "query($id: ID) { templates(channelId: $id) { id } }",
            json!({ "id": meta.id }),
        ),
        (
            "mutation($id: ID!) { submitTemplate(id: $id) { id } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { deleteTemplate(id: $id) }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { updateTemplate(id: $id, input: { body: \"Hi!\" }) { id } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { syncTemplates(channelId: $id) { id } }",
            json!({ "id": meta.id }),
        ),
        (
            "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }",
            json!({ "i": { "channelId": meta.id, "name": "steal", "language": "en", "category": "UTILITY", "body": "x" } }),
        ),
        (
            SEND,
            json!({ "i": { "channelId": own.id, "to": "+34611111111",
            "content": { "template": { "templateId": id } } } }),
        ),
    ];
    for (query, variables) in not_found {
        let answer = g.query(query, variables).await;
        assert_eq!(answer.code(), "NOT_FOUND", "{query}: {}", answer.body);
    }
    // Acme's template is untouched, at Meta too.
    assert_eq!(template(&acme, &id).await["status"], "APPROVED");
    assert_eq!(app.meta.templates().len(), 1);
}
