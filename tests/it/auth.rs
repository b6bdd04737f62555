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
async fn repeated_failures_lock_the_address_out_of_the_account_but_not_others() {
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
    // Even the right password is refused from this address while it is locked out.
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

/// A login attempt from `forwarded` (the proxy's client-address header): its error code, or
/// "OK".
async fn login_from(app: &TestApp, forwarded: &str, email: &str, password: &str) -> String {
    let body: serde_json::Value = app
        .http
        .post(app.url("/graphql"))
        .header("x-forwarded-for", forwarded)
        .json(&json!({ "query": LOGIN, "variables": { "e": email, "p": password } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    if body.get("errors").is_some() {
        crate::support::code(&body).to_owned()
    } else {
        assert!(body["data"]["login"]["accessToken"].is_string(), "{body}");
        "OK".to_owned()
    }
}

async fn assert_healthy(app: &TestApp) {
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn a_stranger_cannot_lock_the_owner_out_of_their_account() {
    let app = TestApp::spawn_with(|c| c.client_ip_header = Some("x-forwarded-for".into())).await;
    app.new_tenant("Acme").await;
    let owner = "owner@acme.test";
    for _ in 0..5 {
        let code = login_from(&app, "203.0.113.66", owner, "wrong-Password-123").await;
        assert_eq!(code, "UNAUTHENTICATED");
    }
    // The guesser is stopped, whatever it tries next...
    for password in ["wrong-Password-456", PASSWORD] {
        let code = login_from(&app, "203.0.113.66", owner, password).await;
        assert_eq!(code, "RATE_LIMITED");
    }
    // ...but the owner, elsewhere, signs in with the right password, and so does the
    // platform admin, whom the same guesser tried as well.
    assert_eq!(
        login_from(&app, "198.51.100.7", owner, PASSWORD).await,
        "OK"
    );
    for _ in 0..5 {
        login_from(&app, "203.0.113.66", ADMIN_EMAIL, "wrong-Password-123").await;
    }
    assert_eq!(
        login_from(&app, "198.51.100.8", ADMIN_EMAIL, ADMIN_PASSWORD).await,
        "OK"
    );
    assert_eq!(
        login_from(&app, "203.0.113.66", owner, "wrong-Password-789").await,
        "RATE_LIMITED"
    );
    assert_healthy(&app).await;
}

#[tokio::test]
async fn a_shared_address_over_its_limit_still_signs_in_the_accounts_it_knows() {
    // No client-address header: as behind a proxy left unconfigured, everyone is one address.
    let app = TestApp::spawn_with(|c| c.login_max_failures_per_address = 3).await;
    let tenant = app.new_tenant("Acme").await;
    // A user who has never signed in from here.
    tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({ "i": { "email": "new@acme.test", "password": PASSWORD, "role": "AGENT" } }),
        )
        .await
        .data();
    let anonymous = app.anonymous();
    for n in 0..3 {
        let answer = anonymous
            .query(
                LOGIN,
                json!({ "e": format!("guess{n}@acme.test"), "p": "wrong-Password-123" }),
            )
            .await;
        assert_eq!(answer.code(), "UNAUTHENTICATED");
    }
    let stranger = anonymous
        .query(LOGIN, json!({ "e": "new@acme.test", "p": PASSWORD }))
        .await;
    assert_eq!(stranger.code(), "RATE_LIMITED");
    // The owner and the platform admin signed in from here before: they still can.
    anonymous
        .query(LOGIN, json!({ "e": "owner@acme.test", "p": PASSWORD }))
        .await
        .data();
    anonymous
        .query(LOGIN, json!({ "e": ADMIN_EMAIL, "p": ADMIN_PASSWORD }))
        .await
        .data();
    assert_healthy(&app).await;
}

#[tokio::test]
async fn guesses_spread_over_many_addresses_delay_only_addresses_the_account_does_not_know() {
    let app = TestApp::spawn_with(|c| {
        c.login_max_failures = 2;
        c.client_ip_header = Some("x-forwarded-for".into());
    })
    .await;
    app.new_tenant("Acme").await;
    let owner = "owner@acme.test";
    assert_eq!(
        login_from(&app, "198.51.100.7", owner, PASSWORD).await,
        "OK"
    );
    // Four addresses, one guess each, reach the campaign threshold (2 x 2): from then on an
    // address the account does not know waits 5 s after the last failure, and the next
    // requests come well within that (they are refused before any password work).
    for n in 0..4 {
        let code = login_from(&app, &format!("203.0.113.{n}"), owner, "wrong-Password-123").await;
        assert_eq!(code, "UNAUTHENTICATED");
    }
    assert_eq!(
        login_from(&app, "203.0.113.200", owner, "wrong-Password-123").await,
        "RATE_LIMITED"
    );
    assert_eq!(
        login_from(&app, "192.0.2.50", owner, PASSWORD).await,
        "RATE_LIMITED"
    );
    assert_eq!(
        login_from(&app, "198.51.100.7", owner, PASSWORD).await,
        "OK"
    );
    assert_healthy(&app).await;
}

#[tokio::test]
async fn many_concurrent_correct_logins_all_succeed() {
    let app = TestApp::spawn().await;
    app.new_tenant("Acme").await;
    let mut clients = Vec::new();
    for _ in 0..32 {
        let gql = app.anonymous();
        clients.push(tokio::spawn(async move {
            let mut codes = Vec::new();
            for _ in 0..3 {
                let answer = gql
                    .query(LOGIN, json!({ "e": "owner@acme.test", "p": PASSWORD }))
                    .await;
                codes.push(if answer.body.get("errors").is_some() {
                    answer.code().to_owned()
                } else {
                    "OK".to_owned()
                });
            }
            codes
        }));
    }
    for client in clients {
        for code in client.await.unwrap() {
            // 32 clients fit the default queue of 64: none is refused.
            assert_eq!(code, "OK");
        }
    }
    assert_healthy(&app).await;
}

#[tokio::test]
async fn a_full_hash_queue_answers_rate_limited_at_once() {
    let app = TestApp::spawn_with(|c| {
        c.password_hash_concurrency = 1;
        c.password_hash_queue = 1;
    })
    .await;
    app.new_tenant("Acme").await;
    let mut clients = Vec::new();
    for _ in 0..16 {
        let gql = app.anonymous();
        clients.push(tokio::spawn(async move {
            let answer = gql
                .query(LOGIN, json!({ "e": "owner@acme.test", "p": PASSWORD }))
                .await;
            if answer.body.get("errors").is_some() {
                let code = answer.code().to_owned();
                let retry = answer.body["errors"][0]["extensions"]["retryAfter"].as_u64();
                assert_eq!(retry, Some(1), "{}", answer.body);
                code
            } else {
                "OK".to_owned()
            }
        }));
    }
    let mut codes = Vec::new();
    for client in clients {
        codes.push(client.await.unwrap());
    }
    assert!(
        codes.iter().all(|c| c == "OK" || c == "RATE_LIMITED"),
        "{codes:?}"
    );
    assert!(codes.iter().any(|c| c == "OK"), "{codes:?}");
    assert!(codes.iter().any(|c| c == "RATE_LIMITED"), "{codes:?}");
    assert_healthy(&app).await;
}

/// The real binary's peak memory under a crowd of correct sign-ins stays near its idle
/// size: only as many 19 MiB hashes run at once as the pool allows.
#[tokio::test]
async fn concurrent_logins_keep_the_process_memory_bounded() {
    use crate::support::{db, process};
    let dir = tempfile::tempdir().unwrap();
    let database = db::provision(dir.path()).await;
    let database_url = database.url.clone();
    let server = process::serve(
        dir.path(),
        &database_url,
        &[
            ("SWITCHBOARD_ADMIN_EMAIL", ADMIN_EMAIL),
            ("SWITCHBOARD_ADMIN_PASSWORD", ADMIN_PASSWORD),
            ("SWITCHBOARD_PASSWORD_HASH_CONCURRENCY", "2"),
        ],
    )
    .await;
    let base = format!("http://{}", server.addr);
    let http = reqwest::Client::new();
    let mut clients = Vec::new();
    for _ in 0..48 {
        let gql = crate::support::Gql::new(http.clone(), format!("{base}/graphql"), None);
        clients.push(tokio::spawn(async move {
            for _ in 0..3 {
                let answer = gql
                    .query(LOGIN, json!({ "e": ADMIN_EMAIL, "p": ADMIN_PASSWORD }))
                    .await;
                if answer.body.get("errors").is_some() {
                    assert_eq!(answer.code(), "RATE_LIMITED");
                }
            }
        }));
    }
    for client in clients {
        client.await.unwrap();
    }
    let pid = server.child.id().unwrap();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let peak_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    // Unbounded, 48 parallel hashes alone take 48 x 19 MiB = 912 MiB; bounded to two
    // threads of its own the process peaks near 260 MiB (80 MiB idle, debug build), while
    // hashing on the blocking pool, even two at a time, left a block in each thread's
    // allocator arena and peaked above 400 MiB.
    assert!(peak_kib < 384 * 1024, "peak RSS {} MiB", peak_kib / 1024);
    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}
