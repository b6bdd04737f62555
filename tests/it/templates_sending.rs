//! Sending templates: by content SID on Twilio and by name and language on Meta, while the
//! window is closed, with variables, approval and consent checked before anything is queued.

use crate::support::fixtures::twilio_channel;
use crate::support::TestApp;
use serde_json::{json, Value};

use crate::templates::{
    approved_twilio_template, create, eventually_status, meta_setup, settled, SEND,
};

#[tokio::test]
async fn a_twilio_template_goes_out_with_content_sid_and_variables_while_the_window_is_closed() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let (id, sid) = approved_twilio_template(&app, &tenant, &channel).await;
    // Nobody wrote in: no window. A text is refused, the template goes.
    let text = tenant
        .owner
        .gql
        .query(SEND, json!({ "i": { "channelId": channel.id, "to": "+34611111111", "content": { "text": { "body": "hi" } } } }))
        .await;
    assert_eq!(text.code(), "WINDOW_CLOSED");
    let sent = tenant
        .owner
        .gql
        .query(SEND, json!({ "i": { "channelId": channel.id, "to": "+34611111111", "content": { "template": {
            "templateId": id, "variables": [{ "key": "2", "value": "A-1" }, { "key": "1", "value": "Ana" }] } } } }))
        .await;
    let message_id = sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let message = settled(&tenant, &message_id).await;
    assert!(
        ["SENT", "DELIVERED", "READ"].contains(&message["status"].as_str().unwrap()),
        "{message}"
    );
    assert_eq!(message["text"], "Hi Ana, order A-1 shipped.");
    assert_eq!(message["content"]["__typename"], "TemplateContent");
    assert_eq!(message["content"]["templateId"], json!(id));
    assert_eq!(
        message["content"]["variables"],
        json!([{"key": "1", "value": "Ana"}, {"key": "2", "value": "A-1"}])
    );
    let request = app
        .twilio
        .requests_to("/Messages.json")
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(request.form_value("ContentSid"), Some(sid.as_str()));
    let variables: Value =
        serde_json::from_str(request.form_value("ContentVariables").unwrap()).unwrap();
    assert_eq!(variables, json!({"1": "Ana", "2": "A-1"}));
    assert_eq!(request.form_value("Body"), None);
    assert_eq!(request.form_value("To"), Some("whatsapp:+34611111111"));
}

#[tokio::test]
async fn a_meta_template_goes_out_by_name_and_language_with_named_parameters() {
    let app = TestApp::spawn().await;
    let (tenant, meta) = meta_setup(&app).await;
    let created = create(
        &tenant,
        json!({ "channelId": meta.id, "name": "shipping", "language": "es",
                "category": "UTILITY", "body": "Hola {{first_name}}, pedido {{order}}.",
                "examples": ["Ana", "A-1"] }),
    )
    .await;
    let created = created.data()["createTemplate"].clone();
    assert_eq!(created["parameterFormat"], "NAMED");
    app.meta
        .review_template(
            created["providerTemplateId"].as_str().unwrap(),
            "APPROVED",
            None,
        )
        .await
        .unwrap();
    eventually_status(&tenant, created["id"].as_str().unwrap(), "APPROVED").await;
    let sent = tenant
        .owner
        .gql
        .query(SEND, json!({ "i": { "channelId": meta.id, "to": "+34622222222", "content": { "template": {
            "name": "shipping", "language": "es",
            "variables": [{ "key": "order", "value": "A-1" }, { "key": "first_name", "value": "Ana" }] } } } }))
        .await;
    let id = sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let message = settled(&tenant, &id).await;
    assert_ne!(message["status"], "FAILED", "{message}");
    assert_eq!(message["text"], "Hola Ana, pedido A-1.");
    let wire = app.meta.sent_messages().pop().unwrap();
    assert_eq!(wire.kind, "template");
    assert_eq!(wire.to, "34622222222");
    assert_eq!(
        wire.body["template"],
        json!({"name": "shipping", "language": {"code": "es"}, "components": [{"type": "body", "parameters": [
            {"type": "text", "parameter_name": "first_name", "text": "Ana"},
            {"type": "text", "parameter_name": "order", "text": "A-1"}]}]})
    );
}

#[tokio::test]
async fn variables_approval_and_consent_are_checked_before_a_template_is_queued() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let (id, _) = approved_twilio_template(&app, &tenant, &channel).await;
    let send = |variables: Value| {
        json!({ "i": { "channelId": channel.id, "to": "+34611111111",
                       "content": { "template": { "templateId": id, "variables": variables } } } })
    };
    let missing = tenant
        .owner
        .gql
        .query(SEND, send(json!([{ "key": "1", "value": "Ana" }])))
        .await;
    assert_eq!(missing.code(), "BAD_USER_INPUT");
    assert_eq!(
        missing.body["errors"][0]["extensions"]["field"],
        "content.template.variables.2"
    );
    assert!(missing.message().contains("{{2}}"), "{}", missing.message());
    let unknown = tenant
        .owner
        .gql
        .query(
            SEND,
            send(json!([{ "key": "1", "value": "Ana" }, { "key": "2", "value": "A" }, { "key": "coupon", "value": "X" }])),
        )
        .await;
    assert_eq!(unknown.code(), "BAD_USER_INPUT");
    assert_eq!(
        unknown.body["errors"][0]["extensions"]["field"],
        "content.template.variables.coupon"
    );
    assert!(unknown.message().contains("coupon"));
    let no_such = tenant
        .owner
        .gql
        .query(
            SEND,
            json!({ "i": { "channelId": channel.id, "to": "+34611111111",
            "content": { "template": { "name": "nope", "language": "en" } } } }),
        )
        .await;
    assert_eq!(no_such.code(), "NOT_FOUND");

    // Not approved (yet): refused, saying why.
    let pending = create(
        &tenant,
        json!({ "channelId": channel.id, "name": "fresh", "language": "en",
                "category": "MARKETING", "body": "New!" }),
    )
    .await;
    let pending_id = pending.data()["createTemplate"]["id"].clone();
    let refused = tenant
        .owner
        .gql
        .query(
            SEND,
            json!({ "i": { "channelId": channel.id, "to": "+34611111111",
            "content": { "template": { "templateId": pending_id } } } }),
        )
        .await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    assert!(
        refused.message().contains("APPROVED"),
        "{}",
        refused.message()
    );

    // An opted-out contact gets no template either.
    let first = tenant
        .owner
        .gql
        .query(
            SEND,
            send(json!([{ "key": "1", "value": "Ana" }, { "key": "2", "value": "A-1" }])),
        )
        .await;
    let contact = first.data()["sendMessage"]["contact"]["id"].clone();
    tenant
        .owner
        .gql
        .query(
            "mutation($c: ID!) { setContactOptIn(contactId: $c, optedIn: false) { id } }",
            json!({ "c": contact }),
        )
        .await
        .data();
    let opted_out = tenant
        .owner
        .gql
        .query(
            SEND,
            send(json!([{ "key": "1", "value": "Ana" }, { "key": "2", "value": "A-1" }])),
        )
        .await;
    assert_eq!(opted_out.code(), "OPTED_OUT");
}
