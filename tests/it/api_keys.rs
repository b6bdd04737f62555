//! API keys: shown once, stored hashed, usable as a bearer, revocable, bounded by role.

use serde_json::json;

use crate::support::TestApp;

const CREATE: &str = "mutation($n: String!, $r: Role) { createApiKey(name: $n, role: $r) { secret apiKey { id name prefix role active createdAt lastUsedAt revokedAt } } }";

#[tokio::test]
async fn an_api_key_acts_for_its_tenant_until_revoked() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let created = tenant
        .owner
        .gql
        .query(CREATE, json!({ "n": "CRM", "r": null }))
        .await;
    let created = created.data()["createApiKey"].clone();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let prefix = created["apiKey"]["prefix"].as_str().unwrap();
    assert!(secret.starts_with(&format!("sb_{prefix}_")));
    assert_eq!(created["apiKey"]["role"], "ADMIN");

    let key = app.with_token(&secret);
    let me = key
        .query(
            "{ me { role user { id } apiKey { name } tenant { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(me.data()["me"]["apiKey"]["name"], "CRM");
    assert!(me.data()["me"]["user"].is_null());
    assert_eq!(me.data()["me"]["tenant"]["id"], tenant.id.as_str());

    // The listing shows the key, its use, and never the secret.
    let listed = tenant
        .owner
        .gql
        .query(
            "{ apiKeys { id name prefix role active createdAt lastUsedAt revokedAt } }",
            json!({}),
        )
        .await;
    let text = listed.body.to_string();
    assert!(!text.contains(&secret));
    assert!(!text.contains(&secret[16..]));
    assert!(listed.data()["apiKeys"][0]["lastUsedAt"].is_string());

    let id = created["apiKey"]["id"].as_str().unwrap();
    let revoked = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { revokeApiKey(id: $id) { active revokedAt } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(revoked.data()["revokeApiKey"]["active"], false);
    assert_eq!(
        key.query("{ me { role } }", json!({})).await.code(),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn an_agent_key_cannot_administer() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let created = tenant
        .owner
        .gql
        .query(CREATE, json!({ "n": "bot", "r": "AGENT" }))
        .await;
    let secret = created.data()["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = app.with_token(&secret);
    key.query("{ users { edges { node { email } } } }", json!({}))
        .await
        .data();
    let denied = key
        .query(
            "mutation { createUser(input: { email: \"x@acme.test\", password: \"long-Enough-pass-1\", role: AGENT }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(denied.code(), "FORBIDDEN");
    assert_eq!(
        key.query("{ apiKeys { id } }", json!({})).await.code(),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn an_admin_cannot_mint_an_owner_key_and_names_are_checked() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let admin = app.new_user(&tenant, "admin@acme.test", "ADMIN").await;
    let owner_key = admin
        .gql
        .query(CREATE, json!({ "n": "x", "r": "OWNER" }))
        .await;
    assert_eq!(owner_key.code(), "FORBIDDEN");
    let platform = admin
        .gql
        .query(CREATE, json!({ "n": "x", "r": "PLATFORM_ADMIN" }))
        .await;
    assert_eq!(platform.code(), "BAD_USER_INPUT");
    let blank = admin
        .gql
        .query(CREATE, json!({ "n": "  ", "r": null }))
        .await;
    assert_eq!(blank.code(), "BAD_USER_INPUT");
    assert_eq!(blank.body["errors"][0]["extensions"]["field"], "name");
}

#[tokio::test]
async fn api_key_secrets_are_stored_only_as_hashes() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let created = tenant
        .owner
        .gql
        .query(CREATE, json!({ "n": "CRM", "r": null }))
        .await;
    let secret = created.data()["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let db = Database::connect(&app.database_url).await.unwrap();
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT name, prefix, secret_hash FROM api_keys",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let hash: String = rows[0].try_get("", "secret_hash").unwrap();
    assert_eq!(hash.len(), 64);
    assert!(!hash.contains(&secret[16..]));
    db.close().await.ok();
}

#[tokio::test]
async fn an_admin_cannot_revoke_an_owner_key() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let owner_key = tenant
        .owner
        .gql
        .query(CREATE, json!({ "n": "owner key", "r": "OWNER" }))
        .await;
    let id = owner_key.data()["createApiKey"]["apiKey"]["id"].clone();
    let admin = app.new_user(&tenant, "admin@acme.test", "ADMIN").await;
    let denied = admin
        .gql
        .query(
            "mutation($id: ID!) { revokeApiKey(id: $id) { active } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(denied.code(), "FORBIDDEN");
}

#[tokio::test]
async fn a_key_never_exceeds_its_creators_current_role_and_dies_with_them() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let bob = app.new_user(&tenant, "bob@acme.test", "ADMIN").await;
    let key = bob
        .gql
        .query(CREATE, json!({ "n": "Bob's CRM", "r": "ADMIN" }))
        .await;
    let key = app.with_token(key.data()["createApiKey"]["secret"].as_str().unwrap());
    // A key made by that key acts for Bob too.
    let child = key
        .query(CREATE, json!({ "n": "Bob's other", "r": "ADMIN" }))
        .await;
    let child = app.with_token(child.data()["createApiKey"]["secret"].as_str().unwrap());
    assert_eq!(
        key.query("{ me { role } }", json!({})).await.data()["me"]["role"],
        "ADMIN"
    );

    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateUser(id: $id, input: { role: AGENT }) { role } }",
            json!({ "id": bob.user_id }),
        )
        .await
        .data();
    for gql in [&key, &child] {
        let me = gql.query("{ me { role } }", json!({})).await;
        assert_eq!(me.data()["me"]["role"], "AGENT");
        let promote = gql
            .query(
                "mutation($id: ID!) { updateUser(id: $id, input: { role: ADMIN }) { role } }",
                json!({ "id": bob.user_id }),
            )
            .await;
        assert_eq!(promote.code(), "FORBIDDEN");
        let mint = gql
            .query(CREATE, json!({ "n": "escalate", "r": "ADMIN" }))
            .await;
        assert_eq!(mint.code(), "FORBIDDEN");
        let add = gql
            .query(
                "mutation { createUser(input: { email: \"eve@acme.test\", password: \"long-Enough-pass-1\", role: ADMIN }) { id } }",
                json!({}),
            )
            .await;
        assert_eq!(add.code(), "FORBIDDEN");
    }

    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { deactivateUser(id: $id) { active } }",
            json!({ "id": bob.user_id }),
        )
        .await
        .data();
    for gql in [&key, &child] {
        assert_eq!(
            gql.query("{ me { role } }", json!({})).await.code(),
            "UNAUTHENTICATED"
        );
        let mint = gql
            .query(CREATE, json!({ "n": "after", "r": "ADMIN" }))
            .await;
        assert_eq!(mint.code(), "UNAUTHENTICATED");
    }
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}
