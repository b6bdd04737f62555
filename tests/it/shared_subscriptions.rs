//! Sockets of one caller that ask the same subscription share one rendering of each event;
//! each still ends on its own, and no other caller's, tenant's or resuming subscription
//! joins them.

use futures::SinkExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::subscriptions::{
    next, next_payload, subscribe, subscribe_unconfirmed, Socket, MESSAGE_EVENTS,
};
use crate::support::fixtures::{twilio_channel, twilio_inbound, TwilioChannel};
use crate::visibility::World;

fn text_of(payload: &Value) -> &str {
    payload["data"]["messageEvents"]["message"]["text"]
        .as_str()
        .unwrap_or_default()
}

/// The next `next` or `complete` frame, skipping pings.
async fn next_frame(socket: &mut Socket) -> Value {
    loop {
        let message: Value = serde_json::from_str(next(socket).await.to_text().unwrap()).unwrap();
        if message["type"] != "ping" {
            return message;
        }
    }
}

/// A gauge's value in a Prometheus text scrape.
fn gauge(scrape: &str, name: &str) -> f64 {
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} in {scrape}"))
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::text(message.to_string()))
        .await
        .unwrap();
}

/// Subscribes `id` on an open socket and waits until the server has read it (its `pong`).
async fn subscribe_more(socket: &mut Socket, id: &str, query: &str, variables: Value) {
    let payload = json!({ "query": query, "variables": variables });
    send(
        socket,
        json!({ "id": id, "type": "subscribe", "payload": payload }),
    )
    .await;
    send(socket, json!({ "type": "ping" })).await;
    let pong = next_frame(socket).await;
    assert_eq!(pong["type"], "pong", "{pong}");
}

async fn deliver(app: &crate::support::TestApp, channel: &TwilioChannel, text: &str) {
    twilio_inbound(app, channel, text).await;
}

#[tokio::test]
async fn sockets_asking_the_same_share_each_event_and_each_leaves_alone() {
    let app = crate::support::TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let token = &tenant.owner.access_token;
    let same = json!({ "c": channel.id });
    let mut one = subscribe(&app, token, MESSAGE_EVENTS, same.clone()).await;
    let mut two = subscribe(&app, token, MESSAGE_EVENTS, same.clone()).await;
    let mut unfiltered = subscribe(&app, token, MESSAGE_EVENTS, json!({ "c": null })).await;
    // Three subscriptions, two renderings: the first two sockets ask the same.
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    assert_eq!(gauge(&metrics, "switchboard_subscriptions_active"), 3.0);
    assert_eq!(
        gauge(&metrics, "switchboard_subscription_renderings_shared"),
        2.0
    );

    deliver(&app, &channel, "first").await;
    for socket in [&mut one, &mut two, &mut unfiltered] {
        let frame = next_frame(socket).await;
        assert_eq!(frame["type"], "next");
        assert_eq!(frame["id"], "1");
        assert_eq!(text_of(&frame["payload"]), "first", "{frame}");
        assert_eq!(
            frame["payload"]["data"]["messageEvents"]["kind"],
            "RECEIVED"
        );
    }

    // One socket completes its subscription: it is told so, and the others go on.
    send(&mut one, json!({ "id": "1", "type": "complete" })).await;
    let complete = next_frame(&mut one).await;
    assert_eq!(complete, json!({ "type": "complete", "id": "1" }));
    deliver(&app, &channel, "second").await;
    assert_eq!(text_of(&next_payload(&mut two).await), "second");
    assert_eq!(text_of(&next_payload(&mut unfiltered).await), "second");

    // Subscribing again (another id) joins from then on; the completed id got nothing more:
    // "second" would have come before "third".
    subscribe_more(&mut one, "2", MESSAGE_EVENTS, same.clone()).await;
    deliver(&app, &channel, "third").await;
    let frame = next_frame(&mut one).await;
    assert_eq!(frame["id"], "2", "{frame}");
    assert_eq!(text_of(&frame["payload"]), "third");
    assert_eq!(text_of(&next_payload(&mut two).await), "third");

    // A socket that leaves takes nothing from those that stay.
    drop(two);
    deliver(&app, &channel, "fourth").await;
    let frame = next_frame(&mut one).await;
    assert_eq!(
        (frame["id"].as_str(), text_of(&frame["payload"])),
        (Some("2"), "fourth")
    );
    assert_eq!(text_of(&next_payload(&mut unfiltered).await), "third");
    assert_eq!(text_of(&next_payload(&mut unfiltered).await), "fourth");
}

#[tokio::test]
async fn the_same_subscription_of_other_callers_and_tenants_is_their_own() {
    let w = World::new().await;
    const SAME: &str = "subscription { messageEvents { kind message { text } } }";
    // Agent A's first socket starts the rendering the others would join if they could.
    let mut a = subscribe(&w.app, &w.a.access_token, SAME, json!({})).await;
    let mut a_again = subscribe(&w.app, &w.a.access_token, SAME, json!({})).await;
    let mut admin = subscribe(&w.app, &w.admin.access_token, SAME, json!({})).await;
    let globex = w.app.new_tenant("Globex").await;
    let globex_channel = twilio_channel(&w.app, &globex).await;
    let mut other_tenant = subscribe(&w.app, &globex.owner.access_token, SAME, json!({})).await;

    // Queue 2's message, then queue 1's: agent A sees only queue 1's, the admin (who would
    // have had queue 1's first had it joined A's rendering) both.
    crate::support::fixtures::twilio_inbound(&w.app, &w.twilio, "in queue two").await;
    crate::support::fixtures::meta_inbound(
        &w.app,
        &w.meta,
        &crate::support::fixtures::CUSTOMER[1..],
        "in queue one",
    )
    .await;
    assert_eq!(text_of(&next_payload(&mut a).await), "in queue one");
    assert_eq!(text_of(&next_payload(&mut a_again).await), "in queue one");
    assert_eq!(text_of(&next_payload(&mut admin).await), "in queue two");
    assert_eq!(text_of(&next_payload(&mut admin).await), "in queue one");

    // Globex's owner saw none of Acme's: its first event is its own.
    deliver(&w.app, &globex_channel, "for globex").await;
    assert_eq!(
        text_of(&next_payload(&mut other_tenant).await),
        "for globex"
    );
}

#[tokio::test]
async fn a_subscription_that_resumes_from_a_cursor_replays_its_own_backlog() {
    let app = crate::support::TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let token = &tenant.owner.access_token;
    const WITH_CURSOR: &str =
        "subscription($a: String) { messageEvents(after: $a) { cursor message { text } } }";
    let mut live = subscribe(&app, token, WITH_CURSOR, json!({ "a": null })).await;
    deliver(&app, &channel, "first").await;
    let first = next_payload(&mut live).await;
    let cursor = first["data"]["messageEvents"]["cursor"].clone();
    deliver(&app, &channel, "second").await;
    assert_eq!(text_of(&next_payload(&mut live).await), "second");

    // Two sockets resuming from the same cursor each get the backlog, then live events.
    // (The backlog's first event is the sign each subscription was taken in.)
    let mut resumed = subscribe_unconfirmed(&app, token, WITH_CURSOR, json!({ "a": cursor })).await;
    let mut resumed_too =
        subscribe_unconfirmed(&app, token, WITH_CURSOR, json!({ "a": cursor })).await;
    for socket in [&mut resumed, &mut resumed_too] {
        assert_eq!(text_of(&next_payload(socket).await), "second");
    }
    deliver(&app, &channel, "third").await;
    for socket in [&mut live, &mut resumed, &mut resumed_too] {
        assert_eq!(text_of(&next_payload(socket).await), "third");
    }
}
