//! `/graphql/ws`: graphql-transport-ws with the token in `connection_init`.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

use crate::support::fixtures::twilio_inbound;
use crate::support::TestApp;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(app: &TestApp) -> Socket {
    connect_to(&app.addr.to_string()).await
}

/// A graphql-transport-ws socket to the server at `addr` (host:port).
pub async fn connect_to(addr: &str) -> Socket {
    let mut request = format!("ws://{addr}/graphql/ws")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    socket
}

pub(crate) async fn next(socket: &mut Socket) -> Message {
    tokio::time::timeout(crate::support::deadline(5), socket.next())
        .await
        .expect("a message within 5 s")
        .expect("the socket is open")
        .expect("a valid frame")
}

fn close_code(message: Message) -> u16 {
    match message {
        Message::Close(Some(frame)) => u16::from(frame.code),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test]
async fn a_valid_token_in_connection_init_is_acknowledged() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let mut socket = connect(&app).await;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {}", tenant.owner.access_token) } });
    socket.send(Message::text(init.to_string())).await.unwrap();
    let ack: Value = serde_json::from_str(next(&mut socket).await.to_text().unwrap()).unwrap();
    assert_eq!(ack["type"], "connection_ack");
    socket
        .send(Message::text(r#"{"type":"ping"}"#))
        .await
        .unwrap();
    let pong: Value = serde_json::from_str(next(&mut socket).await.to_text().unwrap()).unwrap();
    assert_eq!(pong["type"], "pong");
}

pub(crate) fn close_frame(message: Message) -> (u16, String) {
    match message {
        Message::Close(Some(frame)) => (u16::from(frame.code), frame.reason.to_string()),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

/// The code and message HTTP answers `query` with, sending `authorization` as is.
pub(crate) async fn http_refusal(
    app: &TestApp,
    authorization: Option<&str>,
    query: &str,
) -> (String, String) {
    let mut request = app
        .http
        .post(app.url("/graphql"))
        .json(&json!({ "query": query }));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let body: Value = request.send().await.unwrap().json().await.unwrap();
    let error = &body["errors"][0];
    (
        error["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        error["message"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn a_missing_or_bad_token_gets_one_answer_on_every_field_and_on_the_socket() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    // Signed by us but for a session that has ended.
    let ended = tenant.owner.access_token.clone();
    tenant
        .owner
        .gql
        .query("mutation { logout }", json!({}))
        .await
        .data();
    for authorization in [
        None,
        Some("Bearer nonsense".to_owned()),
        Some("sb_0123456789ab_x".to_owned()),
        Some("Bearer sb_0123456789ab_x".to_owned()),
        Some(format!("Bearer {ended}")),
    ] {
        let header = authorization.as_deref();
        // A field that asks for the viewer, one behind a role guard, and a mutation.
        let me = http_refusal(&app, header, "{ me { role } }").await;
        let users = http_refusal(&app, header, "{ users { edges { node { id } } } }").await;
        let key = http_refusal(
            &app,
            header,
            "mutation { createApiKey(name: \"k\") { secret } }",
        )
        .await;
        assert_eq!(me.0, "UNAUTHENTICATED", "{header:?}");
        assert_eq!(me, users, "{header:?}");
        assert_eq!(me, key, "{header:?}");

        let mut socket = connect(&app).await;
        let payload = match header {
            None => json!({}),
            Some(value) => json!({ "authorization": value }),
        };
        let init = json!({ "type": "connection_init", "payload": payload });
        socket.send(Message::text(init.to_string())).await.unwrap();
        let (code, reason) = close_frame(next(&mut socket).await);
        assert_eq!(code, 4403, "{header:?}");
        assert_eq!(reason, me.1, "{header:?}");
    }
}

#[tokio::test]
async fn subscribing_before_init_closes_with_4401() {
    let app = TestApp::spawn().await;
    let mut socket = connect(&app).await;
    let subscribe =
        json!({ "type": "subscribe", "id": "1", "payload": { "query": "subscription { x }" } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    assert_eq!(close_code(next(&mut socket).await), 4401);
    let _ = CloseCode::Normal;
}

/// Subscribes and waits until the server has taken the subscription in, so events produced
/// from then on reach it. For a subscription that answers at once (a first item, an error),
/// use [`subscribe_unconfirmed`] and take that answer as the sign.
pub async fn subscribe(app: &TestApp, token: &str, query: &str, variables: Value) -> Socket {
    subscribe_at(&app.addr.to_string(), token, query, variables).await
}

/// As [`subscribe`], to the server at `addr` (host:port).
pub async fn subscribe_at(addr: &str, token: &str, query: &str, variables: Value) -> Socket {
    let mut socket = subscribe_unconfirmed_at(addr, token, query, variables).await;
    // graphql-transport-ws answers in order: the first `pong` shows the server read the
    // `subscribe`; while it waits for the second `ping` it polls the new subscription, which
    // then registers with the event bus, so the second `pong` comes after that.
    for _ in 0..2 {
        let ping = json!({ "type": "ping" });
        socket.send(Message::text(ping.to_string())).await.unwrap();
        loop {
            let message: Value =
                serde_json::from_str(next(&mut socket).await.to_text().unwrap()).unwrap();
            match message["type"].as_str() {
                Some("pong") => break,
                Some("ping") => continue,
                _ => panic!("before the subscription settled: {message}"),
            }
        }
    }
    socket
}

/// Subscribes without waiting for the server to take the subscription in.
pub async fn subscribe_unconfirmed(
    app: &TestApp,
    token: &str,
    query: &str,
    variables: Value,
) -> Socket {
    subscribe_unconfirmed_at(&app.addr.to_string(), token, query, variables).await
}

async fn subscribe_unconfirmed_at(
    addr: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> Socket {
    let mut socket = connect_to(addr).await;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    socket.send(Message::text(init.to_string())).await.unwrap();
    let ack: Value = serde_json::from_str(next(&mut socket).await.to_text().unwrap()).unwrap();
    assert_eq!(ack["type"], "connection_ack");
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": variables } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    socket
}

pub async fn next_payload(socket: &mut Socket) -> Value {
    loop {
        let message: Value = serde_json::from_str(next(socket).await.to_text().unwrap()).unwrap();
        match message["type"].as_str() {
            Some("next") => return message["payload"].clone(),
            Some("ping") => continue,
            _ => panic!("unexpected {message}"),
        }
    }
}

pub(crate) const MESSAGE_EVENTS: &str = "subscription($c: ID) { messageEvents(channelId: $c) { kind cursor message { text direction channel { id } } } }";

#[tokio::test]
async fn a_subscriber_receives_inbound_messages_and_can_catch_up_by_cursor() {
    use crate::support::fixtures::{twilio_channel, CUSTOMER, SENDER};
    use switchboard::fakes::twilio::InboundParams;

    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let mut socket = subscribe(
        &app,
        &tenant.owner.access_token,
        MESSAGE_EVENTS,
        json!({ "c": channel.id }),
    )
    .await;
    let mut conversations = subscribe(
        &app,
        &tenant.owner.access_token,
        "subscription { conversationEvents { kind conversation { status contact { waId } } } }",
        json!({}),
    )
    .await;

    let say = |text: &str| InboundParams::text(&channel.account.sid, CUSTOMER, SENDER, text);
    app.twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &say("first"))
        .await
        .unwrap();
    let event = next_payload(&mut socket).await;
    let event = &event["data"]["messageEvents"];
    assert_eq!(event["kind"], "RECEIVED");
    assert_eq!(event["message"]["text"], "first");
    assert_eq!(event["message"]["channel"]["id"], channel.id.as_str());
    let opened = next_payload(&mut conversations).await;
    assert_eq!(opened["data"]["conversationEvents"]["kind"], "OPENED");
    assert_eq!(
        opened["data"]["conversationEvents"]["conversation"]["contact"]["waId"],
        "34600000000"
    );
    let routed = next_payload(&mut conversations).await;
    assert_eq!(
        routed["data"]["conversationEvents"]["kind"], "ROUTED",
        "then where it went"
    );

    // Missed while away: found by the last cursor seen.
    let cursor = event["cursor"].as_str().unwrap().to_owned();
    drop(socket);
    app.twilio
        .deliver_inbound(
            &channel.webhook,
            &channel.account.auth_token,
            &say("second"),
        )
        .await
        .unwrap();
    let missed = tenant
        .owner
        .gql
        .query(
            "query($a: String) { messages(after: $a) { edges { cursor node { text } } } }",
            json!({ "a": cursor }),
        )
        .await;
    let edges = missed.data()["messages"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["node"]["text"], "second");
}

#[tokio::test]
async fn subscribers_see_only_their_tenant_and_their_filter() {
    use crate::support::fixtures::{twilio_channel, CUSTOMER, SENDER};
    use switchboard::fakes::twilio::InboundParams;

    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let acme_channel = twilio_channel(&app, &acme).await;
    let globex_account = app.twilio.add_account("Globex", "+14155230000");
    let globex_channel = crate::support::fixtures::create_channel(
        &globex,
        json!({ "name": "G", "provider": "TWILIO", "phoneNumber": "+14155230000",
                "twilio": { "accountSid": globex_account.sid, "authToken": globex_account.auth_token } }),
    )
    .await;
    let mut globex_all = subscribe(
        &app,
        &globex.owner.access_token,
        MESSAGE_EVENTS,
        json!({ "c": null }),
    )
    .await;
    let mut acme_other_channel = subscribe(
        &app,
        &acme.owner.access_token,
        MESSAGE_EVENTS,
        json!({ "c": globex_channel["id"] }),
    )
    .await;

    let acme_message = InboundParams::text(&acme_channel.account.sid, CUSTOMER, SENDER, "for acme");
    app.twilio
        .deliver_inbound(
            &acme_channel.webhook,
            &acme_channel.account.auth_token,
            &acme_message,
        )
        .await
        .unwrap();
    let globex_message =
        InboundParams::text(&globex_account.sid, CUSTOMER, "+14155230000", "for globex");
    app.twilio
        .deliver_inbound(
            globex_channel["webhookUrl"].as_str().unwrap(),
            &globex_account.auth_token,
            &globex_message,
        )
        .await
        .unwrap();
    // Globex's first event is its own message: Acme's, sent before, never reached it.
    let first = next_payload(&mut globex_all).await;
    assert_eq!(
        first["data"]["messageEvents"]["message"]["text"],
        "for globex"
    );
    // Acme's subscriber filtered on a channel id it cannot see gets nothing at all.
    let nothing = tokio::time::timeout(
        std::time::Duration::from_millis(500),
        acme_other_channel.next(),
    )
    .await;
    assert!(nothing.is_err(), "{nothing:?}");
}

#[tokio::test]
async fn events_reach_subscribers_of_every_instance() {
    use crate::support::fixtures::{twilio_channel, CUSTOMER, SENDER};
    use switchboard::fakes::twilio::InboundParams;

    let first = TestApp::spawn().await;
    let shared = first.database_url.clone();
    let second = TestApp::spawn_with(move |c| c.database_url = shared).await;
    let tenant = first.new_tenant("Acme").await;
    let channel = twilio_channel(&first, &tenant).await;
    // The same session works on both instances: they share the database.
    let on_second = second
        .login(&tenant.owner_email, crate::support::PASSWORD)
        .await;
    let mut watching_second = subscribe(
        &second,
        &on_second.access_token,
        MESSAGE_EVENTS,
        json!({ "c": null }),
    )
    .await;
    let mut watching_first = subscribe(
        &first,
        &tenant.owner.access_token,
        MESSAGE_EVENTS,
        json!({ "c": null }),
    )
    .await;

    let params = InboundParams::text(
        &channel.account.sid,
        CUSTOMER,
        SENDER,
        "via the first instance",
    );
    first
        .twilio
        .deliver_inbound(&channel.webhook, &channel.account.auth_token, &params)
        .await
        .unwrap();
    let local = next_payload(&mut watching_first).await;
    assert_eq!(
        local["data"]["messageEvents"]["message"]["text"],
        "via the first instance"
    );
    // The instance's own notification is not delivered to it a second time.
    let again =
        tokio::time::timeout(std::time::Duration::from_millis(300), watching_first.next()).await;
    assert!(again.is_err(), "{again:?}");
    // Both read the one event log: on PostgreSQL woken by the commit's NOTIFY, on a
    // shared SQLite file by polling it.
    let relayed = next_payload(&mut watching_second).await;
    assert_eq!(
        relayed["data"]["messageEvents"]["message"]["text"],
        "via the first instance"
    );
    assert_eq!(relayed["data"]["messageEvents"]["kind"], "RECEIVED");
    assert_eq!(
        relayed["data"]["messageEvents"]["cursor"], local["data"]["messageEvents"]["cursor"],
        "the same place in the log on both"
    );
}

#[tokio::test]
async fn a_socket_whose_session_ended_is_closed_at_its_next_subscribe() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let mut socket = subscribe(
        &app,
        &tenant.owner.access_token,
        MESSAGE_EVENTS,
        json!({ "c": null }),
    )
    .await;
    tenant
        .owner
        .gql
        .query("mutation { logout }", json!({}))
        .await
        .data();
    let again = json!({ "id": "2", "type": "subscribe", "payload": { "query": "mutation { createApiKey(name: \"sneaky\") { secret } }" } });
    socket.send(Message::text(again.to_string())).await.unwrap();
    assert_eq!(close_code(next(&mut socket).await), 4403);
    let fresh = app
        .login(&tenant.owner_email, crate::support::PASSWORD)
        .await;
    let keys = fresh.gql.query("{ apiKeys { name } }", json!({})).await;
    assert_eq!(
        keys.data()["apiKeys"].as_array().unwrap().len(),
        0,
        "nothing ran on the closed socket"
    );
}

#[tokio::test]
async fn events_keep_the_order_of_the_selection() {
    use crate::support::fixtures::twilio_channel;

    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let mut socket = subscribe(
        &app,
        &tenant.owner.access_token,
        "subscription { messageEvents { message { text direction } kind } }",
        json!({}),
    )
    .await;
    twilio_inbound(&app, &channel, "hello").await;
    let raw = loop {
        let text = next(&mut socket).await.to_text().unwrap().to_owned();
        if text.contains("\"next\"") {
            break text;
        }
    };
    let at = |key: &str| raw.find(&format!("\"{key}\":")).unwrap_or(usize::MAX);
    assert!(
        at("message") < at("text") && at("text") < at("direction") && at("direction") < at("kind"),
        "{raw}"
    );
}

/// A `ping` carrying the socket's renewal and the `pong` that answers it.
async fn renew(socket: &mut Socket, authorization: &str) -> Value {
    let ping = json!({ "type": "ping", "payload": { "authorization": authorization } });
    socket.send(Message::text(ping.to_string())).await.unwrap();
    loop {
        let message: Value = serde_json::from_str(next(socket).await.to_text().unwrap()).unwrap();
        match message["type"].as_str() {
            Some("pong") => return message["payload"].clone(),
            Some("ping") => continue,
            _ => panic!("unexpected {message}"),
        }
    }
}

#[tokio::test]
async fn a_socket_renewed_with_a_refreshed_token_outlives_the_first_one() {
    use crate::support::fixtures::twilio_channel;
    use crate::support::PASSWORD;

    const REFRESH: &str =
        "mutation($t: String!) { refresh(refreshToken: $t) { accessToken refreshToken } }";
    // Token lives, stretched on a busy machine like every deadline.
    let ttl = std::time::Duration::from_secs_f64(8.0 * crate::support::time_scale());
    let app = TestApp::spawn_with(move |c| c.access_token_ttl = ttl).await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let first = tenant.owner.access_token.clone();
    let mut kept = subscribe(&app, &first, MESSAGE_EVENTS, json!({})).await;
    let mut left = subscribe(&app, &first, MESSAGE_EVENTS, json!({})).await;
    let refresh = |token: String| {
        let gql = tenant.owner.gql.clone();
        async move {
            let answer = gql.query(REFRESH, json!({ "t": token })).await;
            let pair = answer.data()["refresh"].clone();
            (
                pair["accessToken"].as_str().unwrap().to_owned(),
                pair["refreshToken"].as_str().unwrap().to_owned(),
            )
        }
    };

    // Half the first token's life later, a refresh gives a token that outlives it. The wait
    // is the point: time itself has to pass.
    tokio::time::sleep(ttl / 2).await;
    let (second, next_refresh) = refresh(tenant.owner.refresh_token.clone()).await;
    let pong = renew(&mut kept, &format!("Bearer {second}")).await;
    assert_eq!(pong, json!({ "renewed": true }));

    // Only a token of the same session renews; a refused renewal leaves the socket as it was.
    let other_session = app.login(&tenant.owner_email, PASSWORD).await.access_token;
    for (authorization, said) in [
        (format!("Bearer {other_session}"), "session"),
        ("Bearer nonsense".to_owned(), "invalid or expired"),
        ("nonsense".to_owned(), "Bearer <token>"),
    ] {
        let pong = renew(&mut left, &authorization).await;
        assert_eq!(pong["renewed"], false, "{authorization}");
        assert!(
            pong["message"].as_str().unwrap().contains(said),
            "{authorization}: {pong}"
        );
    }

    // The socket left with the first token closes once it expires, well before the 30 s
    // re-check.
    let closed = tokio::time::timeout(ttl + crate::support::deadline(10), async {
        loop {
            match left.next().await {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => continue,
                other => panic!("the socket ended without a close frame: {other:?}"),
            }
        }
    })
    .await
    .expect("the socket with the expired token closes");
    assert_eq!(closed.map(|f| u16::from(f.code)), Some(4403));

    // The renewed one is still open past the first token's end: it renews again, and
    // delivers.
    let (third, _) = refresh(next_refresh).await;
    let pong = renew(&mut kept, &format!("Bearer {third}")).await;
    assert_eq!(pong, json!({ "renewed": true }));
    twilio_inbound(&app, &channel, "still here?").await;
    let event = next_payload(&mut kept).await;
    assert_eq!(
        event["data"]["messageEvents"]["message"]["text"],
        "still here?"
    );
}
