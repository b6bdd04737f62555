//! Sign-in, throttling, refresh rotation with reuse detection, logout.

use serde_json::json;

use crate::support::{TestApp, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};

const LOGIN: &str = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken expiresIn user { email role } tenant { name } } }";
const REFRESH: &str =
    "mutation($t: String!) { refresh(refreshToken: $t) { accessToken refreshToken } }";
const ME: &str = "{ me { role user { email } tenant { id name } } }";

#[tokio::test]
async fn a_user_signs_in_and_sees_themself() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let answer = app
        .anonymous()
        .query(LOGIN, json!({ "e": "OWNER@acme.test", "p": PASSWORD }))
        .await;
    let login = &answer.data()["login"];
    assert_eq!(login["user"]["email"], "owner@acme.test");
    assert_eq!(login["user"]["role"], "OWNER");
    assert_eq!(login["tenant"]["name"], "Acme");
    assert_eq!(login["expiresIn"], 900);

    let me = app
        .with_token(login["accessToken"].as_str().unwrap())
        .query(ME, json!({}))
        .await;
    assert_eq!(me.data()["me"]["role"], "OWNER");
    assert_eq!(me.data()["me"]["tenant"]["id"], tenant.id.as_str());
}

#[tokio::test]
async fn the_platform_admin_signs_in_outside_any_tenant() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let me = admin.gql.query(ME, json!({})).await;
    assert_eq!(me.data()["me"]["role"], "PLATFORM_ADMIN");
    assert!(me.data()["me"]["tenant"].is_null());
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_answer_alike() {
    let app = TestApp::spawn().await;
    app.new_tenant("Acme").await;
    let wrong = app
        .anonymous()
        .query(
            LOGIN,
            json!({ "e": "owner@acme.test", "p": "not-the-Password-1" }),
        )
        .await;
    let unknown = app
        .anonymous()
        .query(
            LOGIN,
            json!({ "e": "nobody@acme.test", "p": "not-the-Password-1" }),
        )
        .await;
    assert_eq!(wrong.code(), "UNAUTHENTICATED");
    assert_eq!(unknown.code(), "UNAUTHENTICATED");
    assert_eq!(wrong.message(), unknown.message());
    assert!(wrong.body["data"].is_null());
}

#[tokio::test]
async fn repeated_failures_lock_the_account_but_not_others() {
    let app = TestApp::spawn_with(|c| c.login_max_failures = 3).await;
    app.new_tenant("Acme").await;
    let anonymous = app.anonymous();
    for _ in 0..3 {
        let answer = anonymous
            .query(
                LOGIN,
                json!({ "e": "owner@acme.test", "p": "wrong-Password-123" }),
            )
            .await;
        assert_eq!(answer.code(), "UNAUTHENTICATED");
    }
    // Even the right password is refused while the account is locked.
    let locked = anonymous
        .query(LOGIN, json!({ "e": "owner@acme.test", "p": PASSWORD }))
        .await;
    assert_eq!(locked.code(), "RATE_LIMITED");
    assert!(
        locked.body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap()
            > 0
    );
    // Another account from the same address is unaffected.
    let other = anonymous
        .query(LOGIN, json!({ "e": ADMIN_EMAIL, "p": ADMIN_PASSWORD }))
        .await;
    other.data();
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_throttled_across_accounts() {
    let app = TestApp::spawn_with(|c| c.login_max_failures_per_address = 4).await;
    let anonymous = app.anonymous();
    for n in 0..4 {
        let answer = anonymous
            .query(
                LOGIN,
                json!({ "e": format!("guess{n}@acme.test"), "p": "wrong-Password-123" }),
            )
            .await;
        assert_eq!(answer.code(), "UNAUTHENTICATED");
    }
    let throttled = anonymous
        .query(LOGIN, json!({ "e": ADMIN_EMAIL, "p": ADMIN_PASSWORD }))
        .await;
    assert_eq!(throttled.code(), "RATE_LIMITED");
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_revokes_the_family() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let anonymous = app.anonymous();
    let first = tenant.owner.refresh_token.clone();

    let rotated = anonymous.query(REFRESH, json!({ "t": first })).await;
    let rotated = rotated.data()["refresh"].clone();
    let second = rotated["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    let new_access = rotated["accessToken"].as_str().unwrap().to_owned();
    app.with_token(&new_access)
        .query(ME, json!({}))
        .await
        .data();

    // The first token again: a replay. It fails, and so does everything of its family.
    let replay = anonymous.query(REFRESH, json!({ "t": first })).await;
    assert_eq!(replay.code(), "UNAUTHENTICATED");
    let after = anonymous.query(REFRESH, json!({ "t": second })).await;
    assert_eq!(after.code(), "UNAUTHENTICATED");
    let me = app.with_token(&new_access).query(ME, json!({})).await;
    assert_eq!(me.code(), "UNAUTHENTICATED");
    let me = tenant.owner.gql.query(ME, json!({})).await;
    assert_eq!(me.code(), "UNAUTHENTICATED");

    // Other sessions of the same user live on.
    let fresh = app.login(&tenant.owner_email, PASSWORD).await;
    fresh.gql.query(ME, json!({})).await.data();
    let _dir = app.stop().await;
}

#[tokio::test]
async fn a_garbage_refresh_token_is_refused() {
    let app = TestApp::spawn().await;
    let answer = app
        .anonymous()
        .query(REFRESH, json!({ "t": "garbage" }))
        .await;
    assert_eq!(answer.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let out = tenant
        .owner
        .gql
        .query("mutation { logout }", json!({}))
        .await;
    assert_eq!(out.data()["logout"], true);
    assert_eq!(
        tenant.owner.gql.query(ME, json!({})).await.code(),
        "UNAUTHENTICATED"
    );
    let refresh = app
        .anonymous()
        .query(REFRESH, json!({ "t": tenant.owner.refresh_token }))
        .await;
    assert_eq!(refresh.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_forged_or_malformed_token_is_refused() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let mut forged = tenant.owner.access_token.clone();
    forged.pop();
    forged.push('x');
    assert_eq!(
        app.with_token(&forged).query(ME, json!({})).await.code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.with_token("sb_nothing")
            .query(ME, json!({}))
            .await
            .code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.anonymous().query(ME, json!({})).await.code(),
        "UNAUTHENTICATED"
    );
    let raw = app
        .http
        .post(app.url("/graphql"))
        .header("authorization", "Basic abc")
        .json(&json!({ "query": ME }))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = raw.json().await.unwrap();
    assert_eq!(crate::support::code(&body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn login_still_works_with_a_stale_token_attached() {
    let app = TestApp::spawn().await;
    app.new_tenant("Acme").await;
    let answer = app
        .with_token("stale.token.value")
        .query(LOGIN, json!({ "e": "owner@acme.test", "p": PASSWORD }))
        .await;
    answer.data();
}

#[tokio::test]
async fn behind_a_proxy_each_client_address_is_throttled_apart() {
    let app = TestApp::spawn_with(|c| {
        c.login_max_failures_per_address = 2;
        c.client_ip_header = Some("x-forwarded-for".into());
    })
    .await;
    let attempt = |forwarded: &'static str, email: &'static str| {
        let http = app.http.clone();
        let url = app.url("/graphql");
        async move {
            let body: serde_json::Value = http
                .post(url)
                .header("x-forwarded-for", forwarded)
                .json(&json!({ "query": LOGIN, "variables": { "e": email, "p": "wrong-Password-123" } }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            crate::support::code(&body).to_owned()
        }
    };
    // A forged first entry does not matter: the proxy's last entry is the client.
    assert_eq!(
        attempt("6.6.6.6, 10.0.0.1", "a@x.test").await,
        "UNAUTHENTICATED"
    );
    assert_eq!(
        attempt("7.7.7.7, 10.0.0.1", "b@x.test").await,
        "UNAUTHENTICATED"
    );
    assert_eq!(
        attempt("8.8.8.8, 10.0.0.1", "c@x.test").await,
        "RATE_LIMITED"
    );
    // Another client behind the same proxy is not affected.
    assert_eq!(attempt("10.0.0.2", "d@x.test").await, "UNAUTHENTICATED");
}
