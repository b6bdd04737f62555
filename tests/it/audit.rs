//! The audit log: each change once, in the unit of work that made it, with its target and
//! details; a refused change leaves nothing; each tenant sees only its own.

use serde_json::{json, Value};

use crate::support::fixtures::{create_channel, meta_input, META_NUMBER, META_PHONE_NUMBER_ID};
use crate::support::{TestApp, TestTenant};

const LOG: &str =
    "{ auditLog(first: 50) { edges { node { actor action targetType targetId details } } } }";

/// The tenant's audit entries, oldest first.
async fn entries(tenant: &TestTenant) -> Vec<Value> {
    let answer = tenant.owner.gql.query(LOG, json!({})).await;
    let mut nodes: Vec<Value> = answer.data()["auditLog"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"].clone())
        .collect();
    nodes.reverse();
    nodes
}

fn actions(entries: &[Value]) -> Vec<&str> {
    entries
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn each_change_is_audited_once_with_its_target_and_details() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let gql = &tenant.owner.gql;

    let key = gql
        .query(
            "mutation { createApiKey(name: \"ci\", role: AGENT) { apiKey { id prefix } } }",
            json!({}),
        )
        .await
        .data()["createApiKey"]["apiKey"]
        .clone();
    gql.query(
        "mutation($id: ID!) { revokeApiKey(id: $id) { id } }",
        json!({ "id": key["id"] }),
    )
    .await
    .data();
    let channel = create_channel(&tenant, meta_input(META_NUMBER, META_PHONE_NUMBER_ID)).await;
    gql.query(
        "mutation($id: ID!) { updateChannel(id: $id, input: { name: \"Front desk\" }) { id } }",
        json!({ "id": channel["id"] }),
    )
    .await
    .data();
    gql.query(
        "mutation($id: ID!) { deleteChannel(id: $id) }",
        json!({ "id": channel["id"] }),
    )
    .await
    .data();

    let log = entries(&tenant).await;
    assert_eq!(
        actions(&log),
        [
            "tenant.create",
            "user.create",
            "api_key.create",
            "api_key.revoke",
            "channel.create",
            "channel.update",
            "channel.delete",
        ]
    );
    assert_eq!(log[0]["targetType"], "tenant");
    assert_eq!(log[0]["targetId"], tenant.id.as_str());
    assert_eq!(log[1]["details"]["role"], "OWNER");
    assert_eq!(log[2]["targetId"], key["id"]);
    assert_eq!(
        log[2]["details"],
        json!({ "name": "ci", "prefix": key["prefix"], "role": "AGENT" })
    );
    assert_eq!(log[3]["details"], Value::Null);
    let masked = format!("+***{}", &META_NUMBER[META_NUMBER.len() - 4..]);
    assert_eq!(log[4]["targetType"], "channel");
    assert_eq!(log[4]["targetId"], channel["id"]);
    assert_eq!(log[4]["details"]["provider"], "META");
    assert_eq!(log[4]["details"]["phoneNumber"], masked.as_str());
    assert_eq!(
        log[5]["details"],
        json!({ "name": "Front desk", "credentialsChanged": false })
    );
    assert!(log
        .iter()
        .skip(2)
        .all(|e| e["actor"] == tenant.owner_email.as_str()));
    // Nothing secret is kept: not the channel's token, not the key's secret.
    let text = Value::Array(log).to_string();
    assert!(!text.contains(crate::support::fixtures::META_TOKEN));
}

#[tokio::test]
async fn a_refused_change_leaves_no_entry_and_another_tenant_sees_none() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let other = app.new_tenant("Globex").await;
    let owner_id = tenant
        .owner
        .gql
        .query("{ me { user { id } } }", json!({}))
        .await
        .data()["me"]["user"]["id"]
        .clone();

    // The only owner cannot step down: the change, and its audit entry, are rolled back.
    let answer = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateUser(id: $id, input: { role: ADMIN }) { id } }",
            json!({ "id": owner_id }),
        )
        .await;
    assert_eq!(answer.code(), "CONFLICT");
    let log = entries(&tenant).await;
    assert_eq!(actions(&log), ["tenant.create", "user.create"]);
    assert_eq!(
        tenant
            .owner
            .gql
            .query("{ me { role } }", json!({}))
            .await
            .data()["me"]["role"],
        "OWNER"
    );

    // Each tenant reads its own log only.
    let theirs = entries(&other).await;
    assert_eq!(actions(&theirs), ["tenant.create", "user.create"]);
    assert!(theirs
        .iter()
        .all(|e| e["targetId"] != tenant.id.as_str() && e["targetId"] != owner_id));
}
