//! GraphQL over HTTP: content negotiation, methods, request errors, limits, health.

use serde_json::{json, Value};

use crate::support::TestApp;

async fn post(
    app: &TestApp,
    accept: Option<&str>,
    content_type: &str,
    body: &str,
) -> (u16, String, String) {
    let mut request = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", content_type)
        .body(body.to_owned());
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let ct = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, response.text().await.unwrap())
}

#[tokio::test]
async fn the_response_type_follows_accept() {
    let app = TestApp::spawn().await;
    let q = r#"{"query":"{ __typename }"}"#;
    let (status, ct, _) = post(&app, Some("application/json"), "application/json", q).await;
    assert_eq!(
        (status, ct.as_str()),
        (200, "application/json; charset=utf-8")
    );
    let (status, ct, _) = post(
        &app,
        Some("application/graphql-response+json"),
        "application/json",
        q,
    )
    .await;
    assert_eq!(
        (status, ct.as_str()),
        (200, "application/graphql-response+json; charset=utf-8")
    );
    let (_, ct, _) = post(&app, None, "application/json", q).await;
    assert!(ct.starts_with("application/json"));
    let (_, ct, _) = post(&app, Some("*/*"), "application/json", q).await;
    assert!(ct.starts_with("application/json"));
    let (status, _, _) = post(&app, Some("text/plain"), "application/json", q).await;
    assert_eq!(status, 406);
}

#[tokio::test]
async fn only_json_bodies_are_accepted() {
    let app = TestApp::spawn().await;
    let (status, _, _) = post(&app, None, "text/plain", r#"{"query":"{ __typename }"}"#).await;
    assert_eq!(status, 415);
    let (status, _, _) = post(
        &app,
        None,
        "application/json; charset=utf-16",
        r#"{"query":"{ __typename }"}"#,
    )
    .await;
    assert_eq!(status, 415);
    let (status, _, body) = post(&app, None, "application/json", "{not json").await;
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
}

#[tokio::test]
async fn request_errors_answer_400_without_data_under_graphql_response_json() {
    let app = TestApp::spawn().await;
    for body in [
        r#"{}"#,
        r#"{"query":7}"#,
        r#"{"query":"{ __typename }","variables":[]}"#,
        r#"{"query":"{ nope }"}"#,
        r#"{"query":"{"}"#,
    ] {
        let (status, _, text) = post(
            &app,
            Some("application/graphql-response+json"),
            "application/json",
            body,
        )
        .await;
        assert_eq!(status, 400, "{body}: {text}");
        let value: Value = serde_json::from_str(&text).unwrap();
        assert!(value.get("data").is_none(), "{body}: {text}");
        assert_eq!(
            value["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body}"
        );
    }
    // Under application/json, a well-formed request with a GraphQL error is 200.
    let (status, _, _) = post(
        &app,
        Some("application/json"),
        "application/json",
        r#"{"query":"{ nope }"}"#,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn get_runs_queries_but_never_mutations() {
    let app = TestApp::spawn().await;
    let ok = app
        .http
        .get(app.url("/graphql"))
        .query(&[("query", "{ __typename }")])
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(
        ok.json::<Value>().await.unwrap(),
        json!({ "data": { "__typename": "Query" } })
    );

    let tenant = app.new_tenant("Acme").await;
    let mutation = app
        .http
        .get(app.url("/graphql"))
        .query(&[("query", "mutation { logout }")])
        .bearer_auth(&tenant.owner.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(mutation.status().as_u16(), 405);
    assert_eq!(mutation.headers()["allow"], "POST");
    // The session is untouched: the mutation did not run.
    tenant
        .owner
        .gql
        .query("{ me { role } }", json!({}))
        .await
        .data();
}

#[tokio::test]
async fn a_browser_gets_graphiql() {
    let app = TestApp::spawn().await;
    let page = app
        .http
        .get(app.url("/graphql"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page
        .text()
        .await
        .unwrap()
        .to_lowercase()
        .contains("graphiql"));
}

#[tokio::test]
async fn depth_and_alias_limits_refuse_the_query() {
    let app = TestApp::spawn_with(|c| {
        c.graphql_max_depth = 5;
        c.graphql_max_aliases = 3;
    })
    .await;
    let gql = app.anonymous();
    let deep = app
        .platform_admin()
        .await
        .gql
        .query(
            "{ __schema { types { fields { type { ofType { ofType { name } } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(deep.status, 400);
    assert_eq!(deep.code(), "BAD_USER_INPUT");
    let aliased = gql
        .query(
            "{ a: __typename b: __typename c: __typename d: __typename }",
            json!({}),
        )
        .await;
    assert_eq!(aliased.status, 400);
    assert!(aliased.message().contains("aliases"), "{}", aliased.body);
    let fine = gql
        .query("{ a: __typename b: __typename }", json!({}))
        .await;
    fine.data();
}

#[tokio::test]
async fn the_complexity_limit_refuses_wide_queries() {
    let app = TestApp::spawn_with(|c| c.graphql_max_complexity = 10).await;
    let wide = app
        .anonymous()
        .query("{ users { edges { cursor node { id email name role active createdAt lastLoginAt } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } me { role } }", json!({}))
        .await;
    assert_eq!(wide.status, 400, "{}", wide.body);
    assert_eq!(wide.code(), "BAD_USER_INPUT");
    assert!(
        wide.message().to_lowercase().contains("complex"),
        "{}",
        wide.body
    );
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let app = TestApp::spawn_with(|c| c.body_limit = 4096).await;
    let big = format!(
        r#"{{"query":"{{ __typename }}","variables":{{"pad":"{}"}}}}"#,
        "x".repeat(10_000)
    );
    let (status, _, _) = post(&app, None, "application/json", &big).await;
    assert_eq!(status, 413);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_health_answers() {
    let app = TestApp::spawn().await;
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert!(health.headers().contains_key("x-request-id"));
    assert_eq!(health.json::<Value>().await.unwrap()["status"], "ok");
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "ready");
    let echoed = app
        .http
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "abc-123");
}

#[tokio::test]
async fn readiness_fails_when_a_migration_is_missing() {
    use sea_orm::{ConnectionTrait, Database};
    let app = TestApp::spawn().await;
    let db = Database::connect(&app.database_url).await.unwrap();
    db.execute_unprepared("DELETE FROM seaql_migrations")
        .await
        .unwrap();
    db.close().await.ok();
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 503);
}

/// The answer to `query` as the server wrote it.
async fn raw_answer(app: &TestApp, token: Option<&str>, accept: &str, query: &str) -> String {
    let mut request = app.http.post(app.url("/graphql")).header("accept", accept);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    response.text().await.unwrap()
}

/// Whether `keys` appear in this order in the raw JSON text.
fn in_order(raw: &str, keys: &[&str]) -> bool {
    let at: Vec<usize> = keys
        .iter()
        .map(|k| raw.find(&format!("\"{k}\":")).unwrap_or(usize::MAX))
        .collect();
    at.iter().all(|&i| i != usize::MAX) && at.windows(2).all(|w| w[0] < w[1])
}

#[tokio::test]
async fn fields_come_back_in_the_order_they_were_selected() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    for accept in ["application/json", "application/graphql-response+json"] {
        for (query, keys) in [
            (
                "{ me { user { name email } role } }",
                &["me", "user", "name", "email", "role"][..],
            ),
            (
                "{ zeta: __typename me { role tenant { name id } } alpha: __typename }",
                &["zeta", "me", "role", "tenant", "name", "id", "alpha"][..],
            ),
        ] {
            let raw = raw_answer(&app, Some(&tenant.owner.access_token), accept, query).await;
            assert!(in_order(&raw, keys), "{accept} {query}: {raw}");
        }
    }
    // Errors keep their fields and code whatever the order.
    let raw = raw_answer(&app, None, "application/json", "{ me { role } }").await;
    assert!(in_order(&raw, &["message", "extensions", "code"]), "{raw}");
}
