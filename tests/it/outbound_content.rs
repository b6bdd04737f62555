//! Contact cards, reply buttons, lists and quoted replies: validated, stored, and sent in
//! each provider's wire form.

use serde_json::{json, Value};

use crate::support::fixtures::{
    meta_conversation, send_message, settled, twilio_channel, twilio_inbound, SEND,
};
use crate::support::{TestApp, TestTenant};

const CONTENT: &str = "query($id: ID!) { message(id: $id) { status text content { __typename ... on ButtonsContent { header body footer buttons { id title } } ... on ListContent { button sections { title rows { id title description } } } ... on ContactsContent { contacts { formattedName phones { phone kind } emails } } } } }";

fn buttons() -> Value {
    json!({ "interactive": { "buttons": {
        "header": "Your order",
        "body": "Shall we deliver tomorrow?",
        "footer": "Acme",
        "buttons": [ { "id": "yes", "title": "Yes please" }, { "id": "no", "title": "No" } ]
    } } })
}

fn list() -> Value {
    json!({ "interactive": { "list": {
        "body": "Pick a slot",
        "button": "Slots",
        "sections": [
            { "title": "Morning", "rows": [ { "id": "m9", "title": "09:00", "description": "Early" } ] },
            { "title": "Afternoon", "rows": [ { "id": "a2", "title": "14:00" }, { "id": "a4", "title": "16:00" } ] }
        ]
    } } })
}

fn contacts() -> Value {
    json!({ "contacts": [ {
        "formattedName": "Ana Ruiz",
        "firstName": "Ana",
        "lastName": "Ruiz",
        "phones": [ { "phone": "+34 600 000 001", "type": "CELL" } ],
        "emails": [ "ana@example.com" ],
        "organization": "Acme"
    } ] })
}

async fn send(tenant: &TestTenant, conversation: &str, content: Value) -> String {
    send_message(
        tenant,
        json!({ "conversationId": conversation, "content": content }),
    )
    .await
}

async fn sent(tenant: &TestTenant, id: &str) -> Value {
    let message = settled(tenant, id, |m| m["status"] != "QUEUED").await;
    assert_eq!(message["status"], "SENT", "{message}");
    tenant
        .owner
        .gql
        .query(CONTENT, json!({ "id": id }))
        .await
        .data()["message"]
        .clone()
}

#[tokio::test]
async fn buttons_lists_cards_and_replies_reach_meta_in_its_wire_form() {
    let app = TestApp::spawn().await;
    let (tenant, _, conversation) = meta_conversation(&app, "when?").await;

    let id = send(&tenant, &conversation, buttons()).await;
    let stored = sent(&tenant, &id).await;
    assert_eq!(stored["text"], "Shall we deliver tomorrow?");
    assert_eq!(stored["content"]["__typename"], "ButtonsContent");
    assert_eq!(stored["content"]["buttons"][1]["id"], "no");
    let wire = app.meta.sent_messages().pop().unwrap();
    assert_eq!(wire.kind, "interactive");
    let interactive = &wire.body["interactive"];
    assert_eq!(interactive["type"], "button");
    assert_eq!(interactive["header"]["text"], "Your order");
    assert_eq!(interactive["body"]["text"], "Shall we deliver tomorrow?");
    assert_eq!(interactive["footer"]["text"], "Acme");
    assert_eq!(interactive["action"]["buttons"][0]["type"], "reply");
    assert_eq!(interactive["action"]["buttons"][0]["reply"]["id"], "yes");
    assert_eq!(
        interactive["action"]["buttons"][0]["reply"]["title"],
        "Yes please"
    );

    let id = send(&tenant, &conversation, list()).await;
    let stored = sent(&tenant, &id).await;
    assert_eq!(stored["content"]["__typename"], "ListContent");
    assert_eq!(stored["content"]["sections"][1]["rows"][1]["id"], "a4");
    let wire = app.meta.sent_messages().pop().unwrap();
    let interactive = &wire.body["interactive"];
    assert_eq!(interactive["type"], "list");
    assert_eq!(interactive["action"]["button"], "Slots");
    assert_eq!(interactive["action"]["sections"][0]["title"], "Morning");
    assert_eq!(
        interactive["action"]["sections"][0]["rows"][0]["description"],
        "Early"
    );
    assert_eq!(
        interactive["action"]["sections"][1]["rows"][1]["title"],
        "16:00"
    );

    let id = send(&tenant, &conversation, contacts()).await;
    let stored = sent(&tenant, &id).await;
    assert_eq!(
        stored["content"]["contacts"][0]["formattedName"],
        "Ana Ruiz"
    );
    assert_eq!(
        stored["content"]["contacts"][0]["phones"][0]["kind"],
        "CELL"
    );
    let wire = app.meta.sent_messages().pop().unwrap();
    assert_eq!(wire.kind, "contacts");
    let card = &wire.body["contacts"][0];
    assert_eq!(card["name"]["formatted_name"], "Ana Ruiz");
    assert_eq!(card["name"]["first_name"], "Ana");
    assert_eq!(card["phones"][0]["phone"], "+34 600 000 001");
    assert_eq!(card["emails"][0]["email"], "ana@example.com");
    assert_eq!(card["org"]["company"], "Acme");

    // A quoted reply to the customer's message carries its provider id as context.
    let inbound: Value = tenant
        .owner
        .gql
        .query(
            "query($c: ID!) { conversation(id: $c) { messages(first: 5) { edges { node { id direction providerMessageId } } } } }",
            json!({ "c": conversation }),
        )
        .await
        .data()["conversation"]["messages"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .find(|n| n["direction"] == "INBOUND")
        .unwrap();
    let reply = tenant
        .owner
        .gql
        .query(
            SEND,
            json!({ "i": { "conversationId": conversation, "replyToMessageId": inbound["id"], "content": { "text": { "body": "Tomorrow at 9" } } } }),
        )
        .await;
    let id = reply.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    sent(&tenant, &id).await;
    let wire = app.meta.sent_messages().pop().unwrap();
    assert_eq!(
        wire.body["context"]["message_id"],
        inbound["providerMessageId"]
    );
    app.finish().await;
}

#[tokio::test]
async fn twilio_sends_buttons_and_lists_as_session_contents_and_cards_as_text() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    twilio_inbound(&app, &channel, "hi").await;
    let conversation = crate::support::fixtures::conversation_id(&tenant).await;

    let id = send(&tenant, &conversation, buttons()).await;
    sent(&tenant, &id).await;
    let created = app.twilio.requests_to("/v1/Content").pop().unwrap();
    let content: Value = serde_json::from_slice(&created.body).unwrap();
    let quick = &content["types"]["twilio/quick-reply"];
    // Twilio's quick-reply has no header or footer: they frame the body.
    assert_eq!(
        quick["body"],
        "*Your order*\n\nShall we deliver tomorrow?\n\n_Acme_"
    );
    assert_eq!(quick["actions"][0]["id"], "yes");
    assert_eq!(quick["actions"][1]["title"], "No");
    let message = app.twilio.requests_to("/Messages.json").pop().unwrap();
    let sid = message.form_value("ContentSid").unwrap().to_owned();
    assert!(sid.starts_with("HX"), "{sid}");
    assert_eq!(message.form_value("Body"), None);

    let id = send(&tenant, &conversation, list()).await;
    sent(&tenant, &id).await;
    let created = app.twilio.requests_to("/v1/Content").pop().unwrap();
    let content: Value = serde_json::from_slice(&created.body).unwrap();
    let picker = &content["types"]["twilio/list-picker"];
    assert_eq!(picker["button"], "Slots");
    assert_eq!(picker["items"].as_array().unwrap().len(), 3);
    assert_eq!(picker["items"][2]["id"], "a4");
    let message = app.twilio.requests_to("/Messages.json").pop().unwrap();
    assert_ne!(message.form_value("ContentSid"), Some(sid.as_str()));

    let id = send(&tenant, &conversation, contacts()).await;
    sent(&tenant, &id).await;
    let message = app.twilio.requests_to("/Messages.json").pop().unwrap();
    let body = message.form_value("Body").unwrap();
    assert!(body.contains("Ana Ruiz"), "{body}");
    assert!(body.contains("+34 600 000 001"), "{body}");
    app.finish().await;
}

#[tokio::test]
async fn malformed_interactive_content_and_cards_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let (tenant, _, conversation) = meta_conversation(&app, "hello").await;
    let cases = [
        (
            json!({ "interactive": { "buttons": { "body": "Pick", "buttons": [
                { "id": "1", "title": "a" }, { "id": "2", "title": "b" },
                { "id": "3", "title": "c" }, { "id": "4", "title": "d" } ] } } }),
            "content.interactive.buttons.buttons",
        ),
        (
            json!({ "interactive": { "buttons": { "body": "Pick", "buttons": [
                { "id": "1", "title": "a title far longer than twenty" } ] } } }),
            "content.interactive.buttons.buttons[0].title",
        ),
        (
            json!({ "interactive": { "buttons": { "body": "Pick", "buttons": [
                { "id": "1", "title": "a" }, { "id": "1", "title": "b" } ] } } }),
            "content.interactive.buttons.buttons[1].id",
        ),
        (
            json!({ "interactive": { "buttons": { "body": " ", "buttons": [ { "id": "1", "title": "a" } ] } } }),
            "content.interactive.buttons.body",
        ),
        (
            json!({ "interactive": { "list": { "body": "Pick", "button": "Open", "sections": [
                { "rows": [ { "id": "1", "title": "a" } ] },
                { "rows": [ { "id": "2", "title": "b" } ] } ] } } }),
            "content.interactive.list.sections[0].title",
        ),
        (
            json!({ "interactive": { "list": { "body": "Pick", "button": "Open", "sections": [
                { "rows": (0..11).map(|i| json!({ "id": i.to_string(), "title": "row" })).collect::<Vec<_>>() } ] } } }),
            "content.interactive.list.sections.rows",
        ),
        (
            json!({ "contacts": [ { "formattedName": "Ana", "phones": [ { "phone": "call me" } ] } ] }),
            "content.contacts[0].phones[0].phone",
        ),
        (
            json!({ "contacts": [ { "formattedName": "Ana" } ] }),
            "content.contacts[0].phones",
        ),
        (json!({ "contacts": [] }), "content.contacts"),
    ];
    for (content, field) in cases {
        let answer = tenant
            .owner
            .gql
            .query(
                SEND,
                json!({ "i": { "conversationId": conversation, "content": content } }),
            )
            .await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{content}");
        assert_eq!(
            answer.body["errors"][0]["extensions"]["field"], field,
            "{}",
            answer.body
        );
    }
    assert!(app.meta.sent_messages().is_empty());
    let stored = tenant
        .owner
        .gql
        .query(
            "{ messages(filter: { direction: OUTBOUND }) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(stored.data()["messages"]["edges"], json!([]));
}
