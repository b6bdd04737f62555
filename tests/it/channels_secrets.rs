//! Channel secrets: sealed in the database, resealed by key rotation, and never in logs or
//! error messages.

use crate::support::fixtures::{
    create_channel, meta_input, twilio_input, ALL_FIELDS, TWILIO_KEY_SECRET, TWILIO_TOKEN,
};
use crate::support::TestApp;
use serde_json::json;

use crate::channels::assert_no_secret;

#[tokio::test]
async fn the_database_holds_no_plaintext_secret() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    create_channel(&tenant, twilio_input("+14155238886")).await;
    create_channel(&tenant, meta_input("+15550783881", "106540352242922")).await;
    let db = Database::connect(&app.database_url).await.unwrap();
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT * FROM channels",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        let token: String = row.try_get("", "sealed_token").unwrap();
        let secret: Option<String> = row.try_get("", "sealed_secret").unwrap();
        assert!(token.starts_with("v1:test1:"), "{token}");
        let dump = format!(
            "{token} {secret:?} {}",
            row.try_get::<String>("", "provider_config").unwrap()
        );
        assert_no_secret(&dump);
    }
    db.close().await.ok();
}

#[tokio::test]
async fn key_rotation_reseals_everything_and_old_keys_can_go() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    use switchboard::crypto::KeyRing;

    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    create_channel(&tenant, twilio_input("+14155238886")).await;
    create_channel(&tenant, meta_input("+15550783881", "106540352242922")).await;
    // An outgoing webhook's signing secret, and the previous one while a rotation overlaps.
    let hook = json!({ "url": "https://93.184.216.34/hook", "enabled": false,
        "events": [{ "type": "MESSAGE_RECEIVED" }] });
    let created = tenant
        .owner
        .gql
        .query(
            "mutation($i: WebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } } }",
            json!({ "i": hook }),
        )
        .await;
    let endpoint = created.data()["createWebhookEndpoint"]["endpoint"]["id"].clone();
    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }",
            json!({ "id": endpoint }),
        )
        .await
        .data();
    let database_url = app.database_url.clone();
    let dir = app.stop().await;

    let old = "test1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let new = KeyRing::generate_text("new1");
    let rotate = |ring: String| {
        let mut cmd = crate::support::process::command(dir.path());
        cmd.args(["keys", "rotate"])
            .env("SWITCHBOARD_DATABASE_URL", &database_url)
            .env("SWITCHBOARD_MASTER_KEYS", ring);
        cmd
    };
    let first = rotate(format!("{},{old}", *new)).output().await.unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        String::from_utf8_lossy(&first.stdout).contains("re-sealed 3"),
        "{}",
        String::from_utf8_lossy(&first.stdout)
    );
    let again = rotate(format!("{},{old}", *new)).output().await.unwrap();
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("re-sealed 0"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );

    let db = Database::connect(&database_url).await.unwrap();
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT sealed_token, sealed_secret FROM channels",
        ))
        .await
        .unwrap();
    for row in &rows {
        let token: String = row.try_get("", "sealed_token").unwrap();
        let secret: Option<String> = row.try_get("", "sealed_secret").unwrap();
        assert!(token.starts_with("v1:new1:"), "{token}");
        assert!(secret.unwrap().starts_with("v1:new1:"));
    }
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT sealed_secret, sealed_previous_secret FROM webhook_endpoints",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    for column in ["sealed_secret", "sealed_previous_secret"] {
        let sealed: String = rows[0].try_get("", column).unwrap();
        assert!(sealed.starts_with("v1:new1:"), "{column}: {sealed}");
    }
    db.close().await.ok();

    // With the new key alone the secrets open; a ring that lacks it names the missing key.
    let store = switchboard::store::Store::connect(&database_url)
        .await
        .unwrap();
    let only_new = std::sync::Arc::new(KeyRing::parse(&new).unwrap());
    let service = switchboard::services::channels::ChannelService::new(
        store.clone(),
        only_new,
        std::sync::Arc::new(|_| unreachable!("no provider is called")),
    );
    let tenant_id: switchboard::domain::TenantId = tenant.id.parse().unwrap();
    for record in store.tenant(tenant_id).channels().list().await.unwrap() {
        service
            .credentials(&record)
            .expect("opens under the new key alone");
    }
    store.close().await;
    let stranger = KeyRing::generate_text("other");
    let refused = rotate(stranger.to_string()).output().await.unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("\"new1\""), "{stderr}");
    assert!(!stderr.contains(TWILIO_TOKEN));
}

#[tokio::test]
async fn secrets_never_reach_the_logs_or_error_messages() {
    use crate::support::{db, process, Gql};
    let dir = tempfile::tempdir().unwrap();
    let database = db::provision(dir.path()).await;
    let database_url = database.url.clone();
    let twilio = switchboard::fakes::twilio::FakeTwilio::spawn()
        .await
        .unwrap();
    let meta = switchboard::fakes::meta::FakeMeta::spawn().await;
    let server = process::serve(
        dir.path(),
        &database_url,
        &[
            ("SWITCHBOARD_LOG_FORMAT", "json"),
            ("SWITCHBOARD_LOG", "debug"),
            ("SWITCHBOARD_ADMIN_EMAIL", "root@platform.test"),
            ("SWITCHBOARD_ADMIN_PASSWORD", "platform-Secret-pass-2026"),
            ("SWITCHBOARD_TWILIO_API_URL", twilio.base_url()),
            ("SWITCHBOARD_META_GRAPH_URL", meta.base_url()),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    let anonymous = Gql::new(
        http.clone(),
        format!("http://{}/graphql", server.addr),
        None,
    );
    let login =
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }";
    let admin = anonymous
        .query(
            login,
            json!({ "e": "root@platform.test", "p": "platform-Secret-pass-2026" }),
        )
        .await;
    let admin = Gql::new(
        http.clone(),
        format!("http://{}/graphql", server.addr),
        admin.data()["login"]["accessToken"]
            .as_str()
            .map(str::to_owned),
    );
    admin
        .query("mutation { createTenant(input: { name: \"Acme\", ownerEmail: \"o@acme.test\", ownerPassword: \"correct-Horse-battery-9\" }) { id } }", json!({}))
        .await
        .data();
    let owner = anonymous
        .query(
            login,
            json!({ "e": "o@acme.test", "p": "correct-Horse-battery-9" }),
        )
        .await;
    let owner = Gql::new(
        http,
        format!("http://{}/graphql", server.addr),
        owner.data()["login"]["accessToken"]
            .as_str()
            .map(str::to_owned),
    );
    let mut bodies = String::new();
    for input in [
        twilio_input("+14155238886"),
        meta_input("+15550783881", "106540352242922"),
    ] {
        let created = owner
            .query(&format!("mutation($i: CreateChannelInput!) {{ createChannel(input: $i) {{ {ALL_FIELDS} }} }}"), json!({ "i": input }))
            .await;
        let id = created.data()["createChannel"]["id"].clone();
        // The fakes know none of these credentials: both verifications are refused.
        let refused = owner
            .query(
                "mutation($id: ID!) { verifyChannel(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(refused.code(), "PROVIDER_ERROR");
        bodies.push_str(&created.body.to_string());
        bodies.push_str(&refused.body.to_string());
    }
    process::terminate(&server.child).await;
    let output = server.child.wait_with_output().await.unwrap();
    let logs = String::from_utf8(output.stderr).unwrap();
    assert!(logs.contains("channel created"), "the logs were captured");
    for text in [&logs, &bodies] {
        assert_no_secret(text);
    }
    // What the fakes received carried the secrets, as it must: they were used, not shown.
    assert!(twilio
        .requests()
        .iter()
        .any(|r| r.basic_auth().is_some_and(|(_, p)| p == TWILIO_KEY_SECRET)));
}
