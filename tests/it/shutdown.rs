//! Graceful shutdown: SIGTERM stops new connections, lets the request in flight finish,
//! then the process exits cleanly.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{db, process};

#[tokio::test]
async fn sigterm_finishes_the_request_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let database = db::provision(dir.path()).await;
    let database_url = database.url.clone();
    let mut server = process::serve(
        dir.path(),
        &database_url,
        &[
            ("SWITCHBOARD_ADMIN_EMAIL", "root@platform.test"),
            ("SWITCHBOARD_ADMIN_PASSWORD", "platform-Secret-pass-2026"),
        ],
    )
    .await;

    // A request whose body is still arriving when the signal comes.
    let body = br#"{"query":"{ __typename }"}"#;
    let mut stream = TcpStream::connect(&server.addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\naccept: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        server.addr,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body[..10]).await.unwrap();
    stream.flush().await.unwrap();
    // Paces the shutdown: the server has nothing to show that it read the head, or that
    // its shutdown began, so give each a moment before the next step.
    tokio::time::sleep(Duration::from_millis(200)).await;

    process::terminate(&server.child).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // No new connections are served once shutdown began.
    let refused = async {
        let mut s = TcpStream::connect(&server.addr).await.ok()?;
        s.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .ok()?;
        let mut buf = [0u8; 64];
        let n = tokio::time::timeout(crate::support::deadline(2), s.read(&mut buf))
            .await
            .ok()?
            .ok()?;
        (n > 0).then_some(())
    };
    assert!(
        refused.await.is_none(),
        "a new connection was served during shutdown"
    );

    stream.write_all(&body[10..]).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains(r#"{"data":{"__typename":"Query"}}"#),
        "{response}"
    );

    let status = tokio::time::timeout(crate::support::deadline(15), server.child.wait())
        .await
        .expect("the process exits after the request")
        .unwrap();
    assert!(status.success(), "exit status {status:?}");
}
