//! Bounds on a GraphQL document: bracket nesting before parsing, fragments expanded for
//! aliases and fields, the page size in complexity, and directives. Each attack runs against
//! a server and the server must answer it with BAD_USER_INPUT and stay healthy.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::support::{db, deadline, process, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

/// Documents that overflowed the parser's stack when nested a few thousand deep.
fn deep_documents(depth: usize) -> Vec<String> {
    vec![
        format!(
            "{{__typename(x:{}{})}}",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
        format!(
            "{{__typename(x:{}1{})}}",
            "{a:".repeat(depth),
            "}".repeat(depth)
        ),
        format!("{{{}b{}}}", "a{".repeat(depth), "}".repeat(depth)),
        format!(
            "{{{}__typename{}}}",
            "...on Query{".repeat(depth),
            "}".repeat(depth)
        ),
    ]
}

async fn healthy(http: &reqwest::Client, base: &str) {
    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
}

/// Runs in a separate process: before the fix, one of these requests aborted the whole
/// process with a stack overflow, which no panic handler catches.
#[tokio::test]
async fn deeply_nested_documents_are_refused_and_the_process_lives() {
    let dir = tempfile::tempdir().unwrap();
    let database = db::provision(dir.path()).await;
    let database_url = database.url.clone();
    let mut server = process::serve(
        dir.path(),
        &database_url,
        &[
            ("SWITCHBOARD_ADMIN_EMAIL", ADMIN_EMAIL),
            ("SWITCHBOARD_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ],
    )
    .await;
    let base = format!("http://{}", server.addr);
    let http = reqwest::Client::new();

    // Deep enough to overflow a release build's stack (which took ~1,700) and a debug one's.
    for (document, shallower) in deep_documents(5_000).into_iter().zip(deep_documents(2_000)) {
        let answer: Value = http
            .post(format!("{base}/graphql"))
            .json(&json!({ "query": document }))
            .send()
            .await
            .expect("the server answers a POST")
            .json()
            .await
            .unwrap();
        assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("nests brackets more than 64 deep"),
            "{answer}"
        );
        let by_get = http
            .get(format!("{base}/graphql"))
            .query(&[("query", shallower.as_str())])
            .send()
            .await
            .expect("the server answers a GET");
        assert_eq!(by_get.status().as_u16(), 400);
        let answer: Value = by_get.json().await.unwrap();
        assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }

    // Over a subscription socket, after a valid connection_init.
    let session = process::login(&http, &base, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let mut request = format!("ws://{}/graphql/ws", server.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {}", session.access_token) } });
    socket.send(Message::text(init.to_string())).await.unwrap();
    let subscribe =
        json!({ "id": "1", "type": "subscribe", "payload": { "query": deep_documents(5_000)[0] } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    let refused = tokio::time::timeout(deadline(10), async {
        loop {
            let frame = socket.next().await.expect("the socket stays open").unwrap();
            let Ok(text) = frame.to_text() else { continue };
            let value: Value = serde_json::from_str(text).unwrap();
            // graphql-transport-ws answers a request error with `error`, or with `next`
            // carrying errors and no data.
            if value["type"] == "error"
                || (value["type"] == "next" && value["payload"]["errors"].is_array())
            {
                return value;
            }
        }
    })
    .await
    .expect("the subscription is refused");
    assert_eq!(refused["id"], "1");
    assert!(refused.to_string().contains("nests brackets"), "{refused}");

    // Nesting within the bound still runs.
    let within = format!("{{__typename(x:{}{})}}", "[".repeat(60), "]".repeat(60));
    let answer: Value = http
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": within }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["data"]["__typename"], "Query", "{answer}");

    healthy(&http, &base).await;
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server process is still running"
    );
    process::terminate(&server.child).await;
    assert!(server.child.wait().await.unwrap().success());
}

#[tokio::test]
async fn the_nesting_bound_is_a_setting() {
    let app = TestApp::spawn_with(|c| c.graphql_max_nesting = 8).await;
    let answer = app
        .anonymous()
        .query(&deep_documents(7)[0], json!({}))
        .await;
    assert_eq!(answer.code(), "BAD_USER_INPUT");
    assert!(
        answer.message().contains("more than 8 deep"),
        "{}",
        answer.body
    );
    let fine = app
        .anonymous()
        .query(&deep_documents(5)[0], json!({}))
        .await;
    assert_eq!(fine.data()["__typename"], "Query");
}

#[tokio::test]
async fn fragments_cannot_multiply_aliases_or_fields() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let gql = &tenant.owner.gql;

    // Ten spreads of a fragment with five aliases: 50 aliases, over the default 30.
    let spreads = "...F ".repeat(10);
    let aliased = gql
        .query(
            &format!("{{ {spreads} }} fragment F on Query {{ a: me {{ role }} b: me {{ role }} c: me {{ role }} d: me {{ role }} e: me {{ role }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(aliased.code(), "BAD_USER_INPUT");
    assert!(
        aliased
            .message()
            .contains("50 aliases once its fragments are expanded"),
        "{}",
        aliased.body
    );

    // Fragments that each spread the next twice: 2^40 selections from 1.5 KB, refused at once
    // instead of being walked by the depth and complexity checks.
    let mut fan_out = String::from("{ ...F0 }");
    for i in 0..40 {
        fan_out.push_str(&format!(
            " fragment F{i} on Query {{ ...F{} ...F{} }}",
            i + 1,
            i + 1
        ));
    }
    fan_out.push_str(" fragment F40 on Query { me { role } }");
    let refused = tokio::time::timeout(deadline(10), gql.query(&fan_out, json!({})))
        .await
        .expect("answered without walking every expansion");
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    assert!(
        refused.message().contains("fields once"),
        "{}",
        refused.body
    );

    // A fragment that spreads itself.
    let cycle = gql
        .query(
            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
            json!({}),
        )
        .await;
    assert_eq!(cycle.code(), "BAD_USER_INPUT");

    // Fragments used within the bounds still work.
    let fine = gql
        .query(
            "{ ...F ...F } fragment F on Query { me { role } }",
            json!({}),
        )
        .await;
    assert_eq!(fine.data()["me"]["role"], "OWNER");
    healthy(&app.http, &app.url("")).await;
}

#[tokio::test]
async fn complexity_counts_the_page_size() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let gql = &tenant.owner.gql;
    // 24 fields for each of 100 messages in each of n conversations: n * (100 * 27 + 3),
    // over the default 50000 for n = 100, within it for n = 5. Before pages counted, both
    // cost about 30.
    let fields = "id text direction status createdAt updatedAt";
    let heavy = format!(
        "query($n: Int) {{ conversations(first: $n) {{ edges {{ node {{ messages(first: 100) {{ edges {{ cursor node {{ {fields} {fields} ...M }} }} }} }} }} }} }} fragment M on Message {{ {fields} id text direction status createdAt updatedAt id text }}"
    );
    let refused = gql.query(&heavy, json!({ "n": 100 })).await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    assert!(
        refused.message().to_lowercase().contains("complex"),
        "{}",
        refused.body
    );
    let small = gql.query(&heavy, json!({ "n": 5 })).await;
    assert!(
        small.data()["conversations"]["edges"].is_array(),
        "{}",
        small.body
    );
}

#[tokio::test]
async fn repeated_directives_answer_one_short_error() {
    let app = TestApp::spawn().await;
    let answer = app
        .anonymous()
        .query(
            &format!("{{ __typename {} }}", "@skip(if: false) ".repeat(5_000)),
            json!({}),
        )
        .await;
    assert_eq!(answer.code(), "BAD_USER_INPUT");
    assert_eq!(answer.body["errors"].as_array().unwrap().len(), 1);
    assert!(answer.body.to_string().len() < 1_000, "{}", answer.body);
}

/// Markdown is converted only once the text is known to be within the largest message, and
/// the conversion is linear: 240 KB of `[` took 37 s of a worker before.
#[tokio::test]
async fn hostile_markdown_is_bounded_before_and_during_conversion() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel =
        crate::support::fixtures::meta_channel(&app, &tenant, "+14155550100", "106540352242922")
            .await;
    let send = |body: String| {
        json!({ "i": { "channelId": channel.id, "to": "+34611111111",
            "content": { "text": { "body": body, "markdown": true } } } })
    };
    let over = tokio::time::timeout(
        deadline(10),
        tenant
            .owner
            .gql
            .query(crate::support::fixtures::SEND, send("[".repeat(240_000))),
    )
    .await
    .expect("refused without converting");
    assert_eq!(over.code(), "BAD_USER_INPUT");
    assert_eq!(
        over.body["errors"][0]["extensions"]["field"],
        "content.text.body"
    );

    // The largest text allowed, of each hostile shape, is converted and then meets the
    // ordinary checks (here the closed window) in bounded time.
    let size = 65_536;
    for body in [
        "[".repeat(size),
        "```x\n".repeat(size / 5),
        "_a a* ".repeat(size / 6),
    ] {
        let answer = tokio::time::timeout(
            deadline(20),
            tenant
                .owner
                .gql
                .query(crate::support::fixtures::SEND, send(body)),
        )
        .await
        .expect("converted in linear time");
        assert_eq!(answer.code(), "WINDOW_CLOSED", "{}", answer.body);
    }
    healthy(&app.http, &app.url("")).await;
}

const READ_SCHEMA: [&str; 3] = [
    "{ __schema { queryType { name } } }",
    "{ t: __type(name: \"Query\") { name } }",
    "query { ...F } fragment F on Query { ... on Query { __schema { types { name } } } }",
];

#[tokio::test]
async fn only_a_signed_in_client_reads_the_schema() {
    let app = TestApp::spawn().await;
    let anonymous = app.anonymous();
    for query in READ_SCHEMA {
        let refused = anonymous.query(query, json!({})).await;
        assert_eq!(
            refused.code(),
            "UNAUTHENTICATED",
            "{query}: {}",
            refused.body
        );
        assert!(refused.body["data"].is_null(), "{}", refused.body);
    }
    // By GET too, and `__typename` stays open for health checks and probes.
    let by_get = app
        .http
        .get(app.url("/graphql"))
        .query(&[("query", READ_SCHEMA[0])])
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let body: Value = by_get.json().await.unwrap();
    assert_eq!(crate::support::code(&body), "UNAUTHENTICATED", "{body}");
    assert_eq!(
        anonymous.query("{ __typename }", json!({})).await.data()["__typename"],
        "Query"
    );
    let tenant = app.new_tenant("Acme").await;
    for query in READ_SCHEMA {
        tenant.owner.gql.query(query, json!({})).await.data();
    }
    let read = tenant.owner.gql.query(READ_SCHEMA[0], json!({})).await;
    assert_eq!(read.data()["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test]
async fn anonymous_introspection_is_a_setting() {
    let app = TestApp::spawn_with(|c| c.graphql_anonymous_introspection = true).await;
    let read = app.anonymous().query(READ_SCHEMA[1], json!({})).await;
    assert_eq!(read.data()["t"]["name"], "Query");
}
