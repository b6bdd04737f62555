//! The agent workflow end to end, with the simulator as the customer's phone: a message is
//! routed by a rule to a queue, offered to its online agent with room, who sees it arrive
//! live, replies (the phone shows the reply), transfers it with a note to a colleague, who
//! resolves it.

use serde_json::{json, Value};

use crate::lifecycle::run;
use crate::simulator::{
    app_on, control_api, demo_channels, message_delivered, say, start_simulator,
};
use crate::subscriptions::{next_payload, subscribe, Socket};
use crate::support::{deadline, eventually, Session};

const CUSTOMER: &str = "+34600000042";

async fn set_online(session: &Session) {
    let answer = session
        .gql
        .query(
            "mutation { setPresence(status: ONLINE) { status } }",
            json!({}),
        )
        .await;
    assert_eq!(answer.data()["setPresence"]["status"], "ONLINE");
}

/// The next event on `socket` under the subscription field `field`.
async fn event(socket: &mut Socket, field: &str) -> Value {
    let payload = tokio::time::timeout(deadline(15), next_payload(socket))
        .await
        .expect("an event in time");
    payload["data"][field].clone()
}

#[tokio::test]
async fn a_routed_message_is_assigned_answered_transferred_and_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_simulator(dir.path()).await;
    let app = app_on(&sim).await;
    let tenant = app.new_tenant("Acme").await;
    let (_twilio, meta) = demo_channels(&tenant).await;
    let owner = &tenant.owner.gql;
    let ana = app.new_user(&tenant, "ana@acme.test", "AGENT").await;
    let bo = app.new_user(&tenant, "bo@acme.test", "AGENT").await;

    // Spanish speakers go to their own queue, worked in turn by Ana and Bo.
    let queue = owner
        .query(
            "mutation($i: CreateQueueInput!) { createQueue(input: $i) { id } }",
            json!({ "i": { "name": "Español", "assignmentMode": "ROUND_ROBIN",
                "members": [{ "userId": ana.user_id, "capacity": 3 }, { "userId": bo.user_id, "capacity": 3 }] } }),
        )
        .await;
    let queue = queue.data()["createQueue"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rule = owner
        .query(
            "mutation($i: CreateRoutingRuleInput!) { createRoutingRule(input: $i) { id } }",
            json!({ "i": { "name": "Spanish", "queueId": queue,
                "conditions": [{ "kind": "KEYWORD", "value": "hola" }] } }),
        )
        .await;
    let rule = rule.data()["createRoutingRule"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Ana is online with her inbox open; Bo is not online.
    set_online(&ana).await;
    let mut inbox = subscribe(
        &app,
        &ana.access_token,
        "subscription { conversationEvents { kind conversation { id status assigneeId routing { ruleId } } } }",
        json!({}),
    )
    .await;
    let mut messages = subscribe(
        &app,
        &ana.access_token,
        "subscription { messageEvents { kind message { text direction conversation { id } } } }",
        json!({}),
    )
    .await;

    let (ok, _, err) = say(
        dir.path(),
        &sim,
        "meta",
        meta["webhookUrl"].as_str().unwrap(),
        &[
            "--from",
            CUSTOMER,
            "--name",
            "Lucía",
            "--text",
            "Hola, ¿dónde está mi pedido?",
        ],
    )
    .await;
    assert!(ok, "{err}");

    // She sees it arrive, routed by the rule and given to her.
    let arrived = event(&mut messages, "messageEvents").await;
    assert_eq!(arrived["kind"], "RECEIVED");
    assert_eq!(arrived["message"]["text"], "Hola, ¿dónde está mi pedido?");
    let id = arrived["message"]["conversation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut kinds = Vec::new();
    while !kinds.contains(&"ASSIGNED".to_owned()) {
        let change = event(&mut inbox, "conversationEvents").await;
        assert_eq!(change["conversation"]["id"], id.as_str());
        assert_eq!(change["conversation"]["routing"]["ruleId"], rule.as_str());
        if change["kind"] == "ASSIGNED" {
            assert_eq!(change["conversation"]["assigneeId"], ana.user_id.as_str());
        }
        kinds.push(change["kind"].as_str().unwrap().to_owned());
    }
    assert_eq!(kinds, ["OPENED", "ROUTED", "ASSIGNED"]);

    // She replies; the customer's phone shows it.
    let reply = ana
        .gql
        .query(
            "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }",
            json!({ "i": { "conversationId": id, "content": { "text": { "body": "¡Hola Lucía! Lo miro ahora mismo." } } } }),
        )
        .await;
    let reply = reply.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    message_delivered(&tenant, &reply).await;
    let threads: Value = control_api(&app, &sim, "/threads").await;
    let thread = threads
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["customer"]["number"] == CUSTOMER && t["customer"]["provider"] == "meta")
        .expect("the customer's thread")
        .clone();
    assert!(
        thread["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["side"] == "out" && m["text"] == "¡Hola Lucía! Lo miro ahora mismo."),
        "{thread}"
    );

    // She hands it to Bo with a note; Bo resolves it.
    let transferred = run(
        &ana.gql,
        "transferConversation",
        &id,
        json!({ "u": bo.user_id, "n": "Pedido 1234: el transportista lo tiene" }),
    )
    .await;
    assert_eq!(
        transferred.data()["transferConversation"]["assigneeId"],
        bo.user_id.as_str()
    );
    let resolved = run(&bo.gql, "resolveConversation", &id, json!({})).await;
    assert_eq!(resolved.data()["resolveConversation"]["status"], "RESOLVED");

    let history = eventually(
        10,
        "the timeline holds the whole story",
        || async {
            owner
                .query(
                    "query($id: ID!) { conversation(id: $id) { timeline(first: 50) { edges { node {
                        __typename ... on Message { direction } ... on ConversationChange { kind actorId note } } } } } }",
                    json!({ "id": id }),
                )
                .await
                .data()["conversation"]["timeline"]["edges"]
                .clone()
        },
        |edges| edges.as_array().is_some_and(|e| e.len() == 6),
    )
    .await;
    let story: Vec<String> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let node = &e["node"];
            node["kind"]
                .as_str()
                .or(node["direction"].as_str())
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        story,
        [
            "OPENED",
            "INBOUND",
            "ASSIGNED",
            "OUTBOUND",
            "TRANSFERRED",
            "RESOLVED"
        ]
    );
    let transfer = &history[4]["node"];
    assert_eq!(transfer["actorId"], ana.user_id.as_str());
    assert_eq!(transfer["note"], "Pedido 1234: el transportista lo tiene");
    assert_eq!(
        history[2]["node"]["actorId"],
        Value::Null,
        "assigned automatically"
    );
}
