//! Who sees what, live and by assignment: `messageEvents` and `conversationEvents` bring an
//! agent only the events of conversations they see when the event happens, following
//! their queue memberships as they change; a conversation assigned to an agent is theirs to
//! see wherever it waits; an attachment's file is served only to those who see its message.

use serde_json::{json, Value};

use crate::subscriptions::{next_payload, subscribe, subscribe_unconfirmed, Socket};
use crate::support::fixtures::{meta_inbound, twilio_inbound, CUSTOMER};
use crate::visibility::{conversation_ids, message_ids, set_members, World};

const MESSAGE_EVENTS: &str =
    "subscription { messageEvents { kind message { id text conversation { id } } } }";
const CONVERSATION_EVENTS: &str =
    "subscription { conversationEvents { kind conversation { id queueId contact { waId } } } }";

fn text_of(payload: &Value) -> &str {
    payload["data"]["messageEvents"]["message"]["text"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn an_agent_receives_only_the_events_of_conversations_they_see() {
    let w = World::new().await;
    let mut a_messages = subscribe(&w.app, &w.a.access_token, MESSAGE_EVENTS, json!({})).await;
    let mut a_conversations =
        subscribe(&w.app, &w.a.access_token, CONVERSATION_EVENTS, json!({})).await;
    let mut admin_messages =
        subscribe(&w.app, &w.admin.access_token, MESSAGE_EVENTS, json!({})).await;

    // Queue 2's message first, then queue 1's: the agent's first event is queue 1's, so
    // queue 2's never reached them.
    twilio_inbound(&w.app, &w.twilio, "in queue two").await;
    meta_inbound(&w.app, &w.meta, &CUSTOMER[1..], "in queue one").await;
    let first = next_payload(&mut a_messages).await;
    assert_eq!(text_of(&first), "in queue one", "{first}");
    assert_eq!(
        first["data"]["messageEvents"]["message"]["conversation"]["id"],
        w.c1.as_str()
    );
    assert_eq!(
        text_of(&next_payload(&mut admin_messages).await),
        "in queue two"
    );
    assert_eq!(
        text_of(&next_payload(&mut admin_messages).await),
        "in queue one"
    );

    // New conversations: one routed to queue 2, then one to queue 1.
    meta_inbound(&w.app, &w.meta, "34600000009", "hello").await;
    meta_inbound(&w.app, &w.meta, "34600000008", "an invoice").await;
    let opened = next_payload(&mut a_conversations).await;
    let event = &opened["data"]["conversationEvents"];
    assert_eq!(event["kind"], "OPENED");
    assert_eq!(event["conversation"]["contact"]["waId"], "34600000008");
    assert_eq!(event["conversation"]["queueId"], w.q1.as_str());
    let first = next_payload(&mut a_messages).await;
    assert_eq!(text_of(&first), "an invoice", "{first}");

    // Sends: the outbox's SENT events carry the conversation's queue too.
    const SEND: &str = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }";
    let send = |c: &str, body: &str| json!({ "i": { "conversationId": c, "content": { "text": { "body": body } } } });
    w.admin
        .gql
        .query(SEND, send(&w.c2, "to queue two"))
        .await
        .data();
    w.app.drain_outbox(&w.tenant).await;
    let mine = w.a.gql.query(SEND, send(&w.c1, "to queue one")).await;
    let mine = mine.data()["sendMessage"]["id"].clone();
    w.app.drain_outbox(&w.tenant).await;
    let sent = next_payload(&mut a_messages).await;
    assert_eq!(sent["data"]["messageEvents"]["kind"], "SENT", "{sent}");
    assert_eq!(sent["data"]["messageEvents"]["message"]["id"], mine);

    // Joining queue 2 while subscribed: its events come at once; leaving queue 1: its
    // events stop. The provider's later statuses of the message sent in queue 2 are queue
    // 2's events too, and may come any time after the join.
    set_members(&w.tenant, &w.q2, &[&w.a.user_id]).await;
    twilio_inbound(&w.app, &w.twilio, "after joining").await;
    assert_eq!(
        text_of(&next_besides_statuses_of(&mut a_messages, "to queue two").await),
        "after joining"
    );
    set_members(&w.tenant, &w.q1, &[]).await;
    meta_inbound(&w.app, &w.meta, &CUSTOMER[1..], "after leaving").await;
    twilio_inbound(&w.app, &w.twilio, "still in two").await;
    assert_eq!(
        text_of(&next_besides_statuses_of(&mut a_messages, "to queue two").await),
        "still in two"
    );
}

/// The next message event that is not a status change of the message with `text`.
async fn next_besides_statuses_of(socket: &mut Socket, text: &str) -> Value {
    loop {
        let payload = next_payload(socket).await;
        let event = &payload["data"]["messageEvents"];
        if !(event["kind"] == "STATUS_CHANGED" && text_of(&payload) == text) {
            return payload;
        }
    }
}

#[tokio::test]
async fn subscribing_to_a_conversation_the_agent_does_not_see_answers_not_found() {
    let w = World::new().await;
    const ONE: &str = "subscription($c: ID) { messageEvents(conversationId: $c) { kind } }";
    for (token, conversation) in [(&w.b.access_token, &w.c1), (&w.a.access_token, &w.c2)] {
        let mut socket =
            subscribe_unconfirmed(&w.app, token, ONE, json!({ "c": conversation })).await;
        let answer: Value = serde_json::from_str(
            crate::subscriptions::next(&mut socket)
                .await
                .to_text()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            answer["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{answer}"
        );
    }
    let globex = w.app.new_tenant("Globex").await;
    let mut socket = subscribe_unconfirmed(
        &w.app,
        &globex.owner.access_token,
        ONE,
        json!({ "c": w.c1 }),
    )
    .await;
    let answer: Value = serde_json::from_str(
        crate::subscriptions::next(&mut socket)
            .await
            .to_text()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{answer}"
    );
}

/// Assigns the conversation in the database: no mutation assigns yet.
async fn assign(w: &World, conversation: &str, user: &str) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use switchboard::store::entities::conversation;
    let store = switchboard::store::Store::connect(&w.app.database_url)
        .await
        .unwrap();
    let user: uuid::Uuid = user.parse().unwrap();
    let id: uuid::Uuid = conversation.parse().unwrap();
    conversation::Entity::update_many()
        .col_expr(conversation::Column::AssigneeId, Expr::value(Some(user)))
        .filter(conversation::Column::Id.eq(id))
        .exec(store.connection())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_agent_sees_a_conversation_assigned_to_them_outside_their_queues() {
    let w = World::new().await;
    assign(&w, &w.c2, &w.b.user_id).await;
    assert_eq!(
        conversation_ids(&w.b.gql, Value::Null).await,
        vec![w.c2.clone()]
    );
    assert_eq!(
        conversation_ids(&w.b.gql, json!({ "queueId": w.q2 })).await,
        vec![w.c2.clone()]
    );
    assert_eq!(message_ids(&w.b.gql, Value::Null).await, vec![w.m2.clone()]);
    let one =
        w.b.gql
            .query(
                "query($id: ID!) { conversation(id: $id) { assigneeId messages { edges { node { id } } } } }",
                json!({ "id": w.c2 }),
            )
            .await;
    assert_eq!(
        one.data()["conversation"]["assigneeId"],
        w.b.user_id.as_str()
    );
    // The assignee acts on it; agent A, in queue 1 only, still does not see it.
    let sent =
        w.b.gql
            .query(
                "mutation($c: ID!) { sendMessage(input: { conversationId: $c, content: { text: { body: \"on it\" } } }) { id } }",
                json!({ "c": w.c2 }),
            )
            .await;
    sent.data();
    w.app.drain_outbox(&w.tenant).await;
    assert_eq!(
        conversation_ids(&w.a.gql, Value::Null).await,
        vec![w.c1.clone()]
    );

    let mut b_messages = subscribe(&w.app, &w.b.access_token, MESSAGE_EVENTS, json!({})).await;
    meta_inbound(&w.app, &w.meta, &CUSTOMER[1..], "not for b").await;
    twilio_inbound(&w.app, &w.twilio, "for b").await;
    let first = next_payload(&mut b_messages).await;
    assert_eq!(text_of(&first), "for b", "{first}");
}

#[tokio::test]
async fn an_agent_fetches_only_the_files_of_messages_they_see() {
    use switchboard::fakes::twilio::InboundParams;
    let w = World::new().await;
    let url = w.app.twilio.add_media(
        &w.twilio.account.sid,
        "image/jpeg",
        b"\xff\xd8 jpeg".to_vec(),
    );
    let params = InboundParams::media(
        &w.twilio.account.sid,
        CUSTOMER,
        crate::support::fixtures::SENDER,
        "look",
        &[(url, "image/jpeg".into())],
    );
    w.app
        .twilio
        .deliver_inbound(&w.twilio.webhook, &w.twilio.account.auth_token, &params)
        .await
        .unwrap();
    // In queue 2's conversation: the admin reads it, agent A cannot.
    let attachment = crate::support::eventually(
        15,
        "the attachment is ready",
        || async {
            w.admin
                .gql
                .query(
                    "query($c: ID!) { messages(filter: { conversationId: $c }, first: 1) {
                        edges { node { attachments { id state url } } } } }",
                    json!({ "c": w.c2 }),
                )
                .await
                .data()["messages"]["edges"][0]["node"]["attachments"][0]
                .clone()
        },
        |a| a["state"] == "READY",
    )
    .await;
    let direct = w
        .app
        .url(&format!("/media/{}", attachment["id"].as_str().unwrap()));
    let get = |token: &str| w.app.http.get(&direct).bearer_auth(token.to_owned()).send();
    assert_eq!(
        get(&w.admin.access_token).await.unwrap().status().as_u16(),
        200
    );
    assert_eq!(get(&w.a.access_token).await.unwrap().status().as_u16(), 404);
    set_members(&w.tenant, &w.q2, &[&w.a.user_id]).await;
    assert_eq!(get(&w.a.access_token).await.unwrap().status().as_u16(), 200);
}
