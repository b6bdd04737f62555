//! Another tenant's ids answer NOT_FOUND, for reads and for writes.

use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn another_tenants_objects_are_not_found() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let key = globex
        .owner
        .gql
        .query(
            "mutation { createApiKey(name: \"globex\") { apiKey { id } } }",
            json!({}),
        )
        .await;
    let globex_key = key.data()["createApiKey"]["apiKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let globex_user = globex.owner.user_id.clone();

    let acme_gql = &acme.owner.gql;
    for (query, vars) in [
        ("query($id: ID!) { user(id: $id) { email } }", json!({ "id": globex_user })),
        ("mutation($id: ID!) { updateUser(id: $id, input: { name: \"x\" }) { id } }", json!({ "id": globex_user })),
        ("mutation($id: ID!) { updateUser(id: $id, input: { password: \"another-Long-pass-9\" }) { id } }", json!({ "id": globex_user })),
        ("mutation($id: ID!) { deactivateUser(id: $id) { id } }", json!({ "id": globex_user })),
        ("mutation($id: ID!) { revokeApiKey(id: $id) { id } }", json!({ "id": globex_key })),
    ] {
        let answer = acme_gql.query(query, vars).await;
        assert_eq!(answer.code(), "NOT_FOUND", "{query}: {}", answer.body);
    }

    // Nothing changed on Globex's side.
    let me = globex
        .owner
        .gql
        .query(
            "{ me { user { name active } } apiKeys { active } }",
            json!({}),
        )
        .await;
    assert!(me.data()["me"]["user"]["name"].is_null());
    assert_eq!(me.data()["me"]["user"]["active"], true);
    assert_eq!(me.data()["apiKeys"][0]["active"], true);

    // Lists hold only the caller's tenant.
    let users = acme_gql
        .query("{ users { edges { node { email } } } }", json!({}))
        .await;
    let emails: Vec<_> = users.data()["users"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["email"].clone())
        .collect();
    assert_eq!(emails, vec![json!("owner@acme.test")]);
    let keys = acme_gql.query("{ apiKeys { id } }", json!({})).await;
    assert_eq!(keys.data()["apiKeys"].as_array().unwrap().len(), 0);
    let audit = acme_gql
        .query("{ auditLog { edges { node { targetId } } } }", json!({}))
        .await;
    assert!(!audit.body.to_string().contains(&globex_user));
}

#[tokio::test]
async fn a_malformed_id_is_bad_input() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let answer = acme
        .owner
        .gql
        .query("{ user(id: \"not-an-id\") { email } }", json!({}))
        .await;
    assert_eq!(answer.code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_cursor_of_one_list_is_refused_by_another() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let users = acme
        .owner
        .gql
        .query("{ users { edges { cursor } } }", json!({}))
        .await;
    let cursor = users.data()["users"]["edges"][0]["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let audit = acme
        .owner
        .gql
        .query(
            "query($a: String) { auditLog(after: $a) { edges { cursor } } }",
            json!({ "a": cursor }),
        )
        .await;
    assert_eq!(audit.code(), "BAD_USER_INPUT");
}
