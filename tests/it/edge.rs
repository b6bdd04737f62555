//! The HTTP and WebSocket edge under attack: uploads refused before their body is read,
//! slow-header connections closed and capped, WebSockets bounded before and after
//! `connection_init`, sockets closed as soon as their access ends, secrets kept out of trace
//! logs, and data files private to the service.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use crate::subscriptions::{connect, subscribe};
use crate::support::TestApp;

/// A bound far above what each step needs on a quiet machine and far below the 60 s a held
/// request or the 30 s periodic token check would take.
/// How long a refusal or a close may take, scaled like every test deadline.
fn promptly() -> Duration {
    crate::support::deadline(15)
}

/// The response head (status line and headers) of whatever the server answers on `stream`.
async fn response_head(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(promptly(), async {
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.expect("the answer is readable");
            assert!(
                n > 0,
                "closed without an answer: {:?}",
                String::from_utf8_lossy(&seen)
            );
            seen.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .expect("an answer without the rest of the body");
    String::from_utf8_lossy(&seen).into_owned()
}

async fn healthy(app: &TestApp) {
    let status = tokio::time::timeout(promptly(), app.http.get(app.url("/healthz")).send())
        .await
        .expect("/healthz answers")
        .expect("/healthz is reachable")
        .status();
    assert_eq!(status, 200);
}

/// Sends an upload's headers and only the start of its body.
async fn start_upload(app: &TestApp, token: Option<&str>, length: u64) -> TcpStream {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let auth = token
        .map(|t| format!("authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST /media?filename=big.pdf HTTP/1.1\r\nhost: {}\r\ncontent-type: application/pdf\r\n{auth}content-length: {length}\r\n\r\n",
        app.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[b'%'; 16 * 1024]).await.unwrap();
    stream
}

#[tokio::test]
async fn anonymous_large_uploads_are_refused_before_their_body_is_read() {
    let app = TestApp::spawn().await;
    // The attack: many anonymous 15 MiB uploads at once. Only their first 16 KiB are ever
    // sent, so an answer proves the server did not wait for (or buffer) the rest.
    let uploads = (0..60).map(|_| async {
        let mut stream = start_upload(&app, None, 15 << 20).await;
        response_head(&mut stream).await
    });
    for head in futures::future::join_all(uploads).await {
        assert!(head.starts_with("HTTP/1.1 401"), "{head}");
    }
    healthy(&app).await;
}

#[tokio::test]
async fn an_upload_declared_larger_than_the_limit_is_refused_at_once() {
    let app = TestApp::spawn_with(|c| c.media_max_bytes = 64 * 1024).await;
    let tenant = app.new_tenant("Acme").await;
    let mut stream = start_upload(&app, Some(&tenant.owner.access_token), 15 << 20).await;
    let head = response_head(&mut stream).await;
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    healthy(&app).await;
}

/// A chunked upload (no declared length) of `size` bytes of `byte`.
async fn chunked_upload(app: &TestApp, token: &str, size: usize) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /media?filename=a.pdf HTTP/1.1\r\nhost: {}\r\ncontent-type: application/pdf\r\nauthorization: Bearer {token}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
        app.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let body: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    for chunk in body.chunks(1000) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        // The server may answer 413 and close before the last chunks.
        if stream.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    tokio::time::timeout(promptly(), stream.read_to_end(&mut answer))
        .await
        .expect("an answer")
        .ok();
    (String::from_utf8_lossy(&answer).into_owned(), body)
}

#[tokio::test]
async fn a_streamed_upload_is_stored_whole_and_one_past_the_limit_is_refused() {
    let app = TestApp::spawn_with(|c| c.media_max_bytes = 4096).await;
    let tenant = app.new_tenant("Acme").await;
    let token = tenant.owner.access_token.clone();

    let (answer, body) = chunked_upload(&app, &token, 4096).await;
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let json: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(json["sizeBytes"], 4096);
    assert_eq!(json["sha256"], hex::encode(Sha256::digest(&body)));
    let served = app
        .http
        .get(app.url(&format!("/media/{}", json["id"].as_str().unwrap())))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.bytes().await.unwrap().to_vec(), body);

    let (answer, _) = chunked_upload(&app, &token, 4097).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("BAD_USER_INPUT"), "{answer}");
    healthy(&app).await;
}

/// Whether the server closes `stream` (EOF or reset) within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test]
async fn slow_header_connections_are_closed_and_never_lock_others_out() {
    let app = TestApp::spawn_with(|c| {
        c.max_connections = 8;
        c.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    // Three times the cap: half send part of a request's headers, half nothing at all.
    let mut slow = Vec::new();
    for i in 0..24 {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        if i % 2 == 0 {
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: ")
                .await
                .unwrap();
        }
        slow.push(stream);
    }
    // A normal client is served once a place frees up: the slow ones time out.
    healthy(&app).await;
    for stream in &mut slow {
        assert!(
            closed_within(stream, crate::support::deadline(60)).await,
            "a slow connection stayed open"
        );
    }
    healthy(&app).await;
}

async fn next_message(socket: &mut crate::subscriptions::Socket) -> Value {
    loop {
        let message = tokio::time::timeout(promptly(), socket.next())
            .await
            .expect("a message")
            .expect("the socket is open")
            .expect("a valid frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

const EVENTS: &str = "subscription { messageEvents { kind } }";

#[tokio::test]
async fn subscriptions_beyond_the_socket_cap_are_refused_one_by_one() {
    let app = TestApp::spawn_with(|c| c.ws_max_subscriptions = 3).await;
    let tenant = app.new_tenant("Acme").await;
    let mut socket = connect(&app).await;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {}", tenant.owner.access_token) } });
    socket.send(Message::text(init.to_string())).await.unwrap();
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    let send = |id: &str| {
        Message::text(
            json!({ "id": id, "type": "subscribe", "payload": { "query": EVENTS } }).to_string(),
        )
    };
    for id in ["1", "2", "3", "4"] {
        socket.send(send(id)).await.unwrap();
    }
    let refused = next_message(&mut socket).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "4");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "RATE_LIMITED");

    // Completing one frees its place; the socket and its other subscriptions carry on.
    socket
        .send(Message::text(r#"{"id":"1","type":"complete"}"#))
        .await
        .unwrap();
    socket.send(send("5")).await.unwrap();
    socket
        .send(Message::text(r#"{"type":"ping"}"#))
        .await
        .unwrap();
    loop {
        let answer = next_message(&mut socket).await;
        match answer["type"].as_str() {
            Some("pong") => break,
            Some("complete") if answer["id"] == "1" => continue,
            _ => panic!("subscription 5 was refused: {answer}"),
        }
    }
    healthy(&app).await;
}

#[tokio::test]
async fn a_large_frame_is_refused_before_connection_init_and_accepted_after() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let init = |padding: usize| {
        json!({ "type": "connection_init", "payload": {
            "authorization": format!("Bearer {}", tenant.owner.access_token),
            "padding": "a".repeat(padding),
        } })
        .to_string()
    };
    // Even with a valid token, 100 KiB before the token is accepted is too much.
    let mut socket = connect(&app).await;
    let _ = socket.send(Message::text(init(100 * 1024))).await;
    let answer = tokio::time::timeout(promptly(), socket.next())
        .await
        .expect("the server answers");
    match answer {
        None | Some(Err(_)) | Some(Ok(Message::Close(_))) => {}
        Some(Ok(other)) => panic!("the large frame was read: {other:?}"),
    }
    healthy(&app).await;

    // Once signed in, the same 100 KiB in a message is within the request size limit.
    let mut socket = connect(&app).await;
    socket.send(Message::text(init(0))).await.unwrap();
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": {
        "query": format!("subscription {{ messageEvents {{ kind }} }} # {}", "a".repeat(100 * 1024))
    } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    still_open(&mut socket).await;

    // Past the request size limit, the socket is refused whatever its token.
    let past = json!({ "id": "2", "type": "subscribe", "payload": {
        "query": format!("subscription {{ messageEvents {{ kind }} }} # {}", "a".repeat(2 << 20))
    } });
    let _ = socket.send(Message::text(past.to_string())).await;
    let deadline = tokio::time::Instant::now() + promptly();
    loop {
        match tokio::time::timeout_at(deadline, socket.next())
            .await
            .expect("the server ends the socket")
        {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
            Some(Ok(_)) => continue,
        }
    }
    healthy(&app).await;
}

/// Waits for the server to close `socket` with 4403.
async fn closed_with_4403(socket: &mut crate::subscriptions::Socket) {
    let deadline = tokio::time::Instant::now() + promptly();
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .expect("the socket closes well before the periodic check")
            .expect("a close frame before the end")
            .expect("a valid frame");
        match message {
            Message::Close(Some(frame)) => {
                assert_eq!(u16::from(frame.code), 4403);
                return;
            }
            Message::Close(None) => panic!("closed without 4403"),
            _ => continue,
        }
    }
}

async fn still_open(socket: &mut crate::subscriptions::Socket) {
    socket
        .send(Message::text(r#"{"type":"ping"}"#))
        .await
        .unwrap();
    assert_eq!(next_message(socket).await["type"], "pong");
}

#[tokio::test]
async fn a_logout_closes_that_sessions_sockets_at_once_and_no_other() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;
    let mut owner_socket = subscribe(&app, &tenant.owner.access_token, EVENTS, json!({})).await;
    let mut agent_socket = subscribe(&app, &agent.access_token, EVENTS, json!({})).await;
    let out = tenant
        .owner
        .gql
        .query("mutation { logout }", json!({}))
        .await;
    assert_eq!(out.data()["logout"], true);
    closed_with_4403(&mut owner_socket).await;
    still_open(&mut agent_socket).await;
}

#[tokio::test]
async fn a_reused_refresh_token_closes_that_sessions_sockets_at_once() {
    const REFRESH: &str =
        "mutation($t: String!) { refresh(refreshToken: $t) { accessToken refreshToken } }";
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let other_session = app
        .login(&tenant.owner_email, crate::support::PASSWORD)
        .await;
    let mut stolen = subscribe(&app, &tenant.owner.access_token, EVENTS, json!({})).await;
    let mut other = subscribe(&app, &other_session.access_token, EVENTS, json!({})).await;
    let first = json!({ "t": tenant.owner.refresh_token });
    app.anonymous().query(REFRESH, first.clone()).await.data();
    // The same refresh token again: someone holds a copy, so the whole session ends.
    let replay = app.anonymous().query(REFRESH, first).await;
    assert_eq!(replay.code(), "UNAUTHENTICATED");
    closed_with_4403(&mut stolen).await;
    still_open(&mut other).await;
}

#[tokio::test]
async fn deactivating_or_demoting_a_user_closes_their_sockets_at_once() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let leaving = app.new_user(&tenant, "leaving@acme.test", "AGENT").await;
    let moving = app.new_user(&tenant, "moving@acme.test", "ADMIN").await;
    let mut leaving_socket = subscribe(&app, &leaving.access_token, EVENTS, json!({})).await;
    let mut moving_socket = subscribe(&app, &moving.access_token, EVENTS, json!({})).await;

    let out = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { deactivateUser(id: $id) { active } }",
            json!({ "id": leaving.user_id }),
        )
        .await;
    assert_eq!(out.data()["deactivateUser"]["active"], false);
    closed_with_4403(&mut leaving_socket).await;
    still_open(&mut moving_socket).await;

    let out = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateUser(id: $id, input: { role: AGENT }) { role } }",
            json!({ "id": moving.user_id }),
        )
        .await;
    assert_eq!(out.data()["updateUser"]["role"], "AGENT");
    closed_with_4403(&mut moving_socket).await;
}

#[tokio::test]
async fn revoking_an_api_key_closes_its_sockets_at_once() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let created = tenant
        .owner
        .gql
        .query(
            "mutation { createApiKey(name: \"crm\", role: AGENT) { apiKey { id } secret } }",
            json!({}),
        )
        .await;
    let key = created.data()["createApiKey"].clone();
    let mut socket = subscribe(&app, key["secret"].as_str().unwrap(), EVENTS, json!({})).await;
    let out = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { revokeApiKey(id: $id) { id } }",
            json!({ "id": key["apiKey"]["id"] }),
        )
        .await;
    out.data();
    closed_with_4403(&mut socket).await;
}

use crate::support::process::{owner_token, serve_logged, ADMIN};

#[tokio::test]
async fn trace_logging_never_shows_a_bearer_token_or_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let database = crate::support::db::provision(dir.path()).await;
    let database_url = database.url.clone();
    let mut logged = serve_logged(
        dir.path(),
        &[
            ("SWITCHBOARD_LOG", "trace"),
            ("SWITCHBOARD_DATABASE_URL", &database_url),
            ("SWITCHBOARD_ADMIN_EMAIL", ADMIN.0),
            ("SWITCHBOARD_ADMIN_PASSWORD", ADMIN.1),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    let base = format!("http://{}", logged.addr);
    let token = owner_token(&http, &base).await;

    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(format!(
            "ws://{}/graphql/ws",
            logged.addr
        ))
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    socket.send(Message::text(init.to_string())).await.unwrap();
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    let secret_text = "the-customer-s-private-words-7731";
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": {
        "query": format!("subscription {{ messageEvents {{ kind }} }} # {secret_text}")
    } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    socket
        .send(Message::text(r#"{"type":"ping"}"#))
        .await
        .unwrap();
    assert_eq!(next_message(&mut socket).await["type"], "pong");
    drop(socket);
    // The server has logged the exchange (at trace it logs every request); stop it so the
    // whole of its output is in.
    crate::support::process::terminate(&logged.server).await;
    tokio::time::timeout(crate::support::deadline(60), logged.server.wait())
        .await
        .expect("the server stops")
        .unwrap();
    let output = logged.stderr.lock().unwrap().clone();
    assert!(output.contains("signed in"), "the server logged: {output}");
    let signature = token.rsplit('.').next().unwrap();
    assert!(!output.contains(signature), "a bearer token was logged");
    assert!(!output.contains(secret_text), "a message was logged");
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_and_its_files_are_private_to_the_service() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut env = vec![
        ("SWITCHBOARD_ADMIN_EMAIL", ADMIN.0.to_owned()),
        ("SWITCHBOARD_ADMIN_PASSWORD", ADMIN.1.to_owned()),
    ];
    let mut database = None;
    if crate::support::db::on_postgres() {
        let provisioned = database.insert(crate::support::db::provision(dir.path()).await);
        env.push(("SWITCHBOARD_DATABASE_URL", provisioned.url.clone()));
    }
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut logged = serve_logged(dir.path(), &env).await;
    let http = reqwest::Client::new();
    let base = format!("http://{}", logged.addr);
    let token = owner_token(&http, &base).await;
    let uploaded = http
        .post(format!("{base}/media?filename=a.pdf"))
        .bearer_auth(&token)
        .header("content-type", "application/pdf")
        .body(b"%PDF-1.4 tiny".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 201);

    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "the data directory");
    let mut files = 0;
    let mut pending = vec![data.clone()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                assert_eq!(mode(&path), 0o700, "{}", path.display());
                pending.push(path);
            } else {
                assert_eq!(mode(&path), 0o600, "{}", path.display());
                files += 1;
            }
        }
    }
    // Keys, and on SQLite the database; and the upload.
    assert!(files >= 3, "{files} files");
    crate::support::process::terminate(&logged.server).await;
    let _ = logged.server.wait().await;
}

#[tokio::test]
async fn kept_alive_connections_give_way_once_the_cap_is_reached() {
    let app = TestApp::spawn_with(|c| {
        c.max_connections = 8;
        // Far longer than the test waits: an idle connection is not closed by its timer.
        c.header_read_timeout = Duration::from_secs(600);
    })
    .await;
    // Eight clients each make a request and keep their connection open.
    let mut idle = Vec::new();
    for _ in 0..8 {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 1024];
        let read = tokio::time::timeout(promptly(), stream.read(&mut buf))
            .await
            .expect("a kept-alive client is answered")
            .unwrap();
        assert!(buf[..read].starts_with(b"HTTP/1.1 200"));
        idle.push(stream);
    }
    // A new client is served at once: the idle connections close to make room.
    let fresh = reqwest::Client::new();
    let status = tokio::time::timeout(promptly(), fresh.get(app.url("/healthz")).send())
        .await
        .expect("a new client is served while the others idle")
        .unwrap()
        .status();
    assert_eq!(status, 200);
    for stream in &mut idle {
        assert!(
            closed_within(stream, promptly()).await,
            "an idle connection stayed open"
        );
    }
}
