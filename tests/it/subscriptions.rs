//! `/graphql/ws`: graphql-transport-ws with the token in `connection_init`.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

use crate::support::TestApp;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(app: &TestApp) -> Socket {
    let mut request = format!("ws://{}/graphql/ws", app.addr)
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

async fn next(socket: &mut Socket) -> Message {
    tokio::time::timeout(std::time::Duration::from_secs(5), socket.next())
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

#[tokio::test]
async fn a_missing_or_bad_token_closes_with_4403() {
    let app = TestApp::spawn().await;
    for payload in [
        json!({}),
        json!({ "authorization": "Bearer nonsense" }),
        json!({ "authorization": "sb_0123456789ab_x" }),
    ] {
        let mut socket = connect(&app).await;
        let init = json!({ "type": "connection_init", "payload": payload });
        socket.send(Message::text(init.to_string())).await.unwrap();
        assert_eq!(close_code(next(&mut socket).await), 4403, "{payload}");
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
