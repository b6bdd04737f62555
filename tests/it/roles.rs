//! Each role guard: what an agent, an admin, an owner and the platform admin may do.

use serde_json::json;

use crate::support::TestApp;

const CREATE_USER: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { id role } }";
const CREATE_TENANT: &str = "mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }";

fn user_input(email: &str, role: &str) -> serde_json::Value {
    json!({ "i": { "email": email, "password": "long-Enough-pass-1", "role": role } })
}

#[tokio::test]
async fn anonymous_callers_are_unauthenticated() {
    let app = TestApp::spawn().await;
    let anonymous = app.anonymous();
    for query in [
        "{ me { role } }",
        "{ users { edges { cursor } } }",
        "{ tenants { edges { cursor } } }",
        "{ apiKeys { id } }",
    ] {
        assert_eq!(
            anonymous.query(query, json!({})).await.code(),
            "UNAUTHENTICATED",
            "{query}"
        );
    }
    let answer = anonymous
        .query(CREATE_USER, user_input("a@b.test", "AGENT"))
        .await;
    assert_eq!(answer.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn an_agent_reads_but_does_not_administer() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;
    let users = agent
        .gql
        .query("{ users { edges { node { email role } } } }", json!({}))
        .await;
    assert_eq!(users.data()["users"]["edges"].as_array().unwrap().len(), 2);
    for (query, vars) in [
        (CREATE_USER, user_input("x@acme.test", "AGENT")),
        (
            "mutation { updateTenantSettings(input: { name: \"X\" }) { name } }",
            json!({}),
        ),
        (
            "mutation { createApiKey(name: \"k\") { secret } }",
            json!({}),
        ),
        ("{ apiKeys { id } }", json!({})),
        ("{ auditLog { edges { cursor } } }", json!({})),
        ("{ tenants { edges { cursor } } }", json!({})),
    ] {
        assert_eq!(
            agent.gql.query(query, vars).await.code(),
            "FORBIDDEN",
            "{query}"
        );
    }
}

#[tokio::test]
async fn an_admin_manages_users_but_not_owners() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let admin = app.new_user(&tenant, "admin@acme.test", "ADMIN").await;
    let agent = admin
        .gql
        .query(CREATE_USER, user_input("agent@acme.test", "AGENT"))
        .await;
    assert_eq!(agent.data()["createUser"]["role"], "AGENT");
    let peer = admin
        .gql
        .query(CREATE_USER, user_input("admin2@acme.test", "ADMIN"))
        .await;
    assert_eq!(peer.data()["createUser"]["role"], "ADMIN");
    let owner = admin
        .gql
        .query(CREATE_USER, user_input("owner2@acme.test", "OWNER"))
        .await;
    assert_eq!(owner.code(), "FORBIDDEN");

    let demote_owner = admin
        .gql
        .query(
            "mutation($id: ID!) { updateUser(id: $id, input: { role: AGENT }) { role } }",
            json!({ "id": tenant.owner.user_id }),
        )
        .await;
    assert_eq!(demote_owner.code(), "FORBIDDEN");
    let deactivate_owner = admin
        .gql
        .query(
            "mutation($id: ID!) { deactivateUser(id: $id) { active } }",
            json!({ "id": tenant.owner.user_id }),
        )
        .await;
    assert_eq!(deactivate_owner.code(), "FORBIDDEN");
    assert_eq!(admin.gql.query(CREATE_TENANT, json!({ "i": { "name": "X", "ownerEmail": "o@x.test", "ownerPassword": "long-Enough-pass-1" } })).await.code(), "FORBIDDEN");
}

#[tokio::test]
async fn an_owner_may_appoint_owners_and_the_last_owner_stays() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let demote_self = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateUser(id: $id, input: { role: ADMIN }) { role } }",
            json!({ "id": tenant.owner.user_id }),
        )
        .await;
    assert_eq!(demote_self.code(), "CONFLICT");
    let second = tenant
        .owner
        .gql
        .query(CREATE_USER, user_input("owner2@acme.test", "OWNER"))
        .await;
    let second_id = second.data()["createUser"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let demote = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateUser(id: $id, input: { role: ADMIN }) { role } }",
            json!({ "id": second_id }),
        )
        .await;
    assert_eq!(demote.data()["updateUser"]["role"], "ADMIN");
}

#[tokio::test]
async fn the_platform_admin_manages_tenants_and_sees_no_tenant_data() {
    let app = TestApp::spawn().await;
    let admin = app.platform_admin().await;
    for n in 0..3 {
        let created = admin
            .gql
            .query(
                CREATE_TENANT,
                json!({ "i": { "name": format!("Tenant {n}"), "ownerEmail": format!("o{n}@t.test"), "ownerPassword": "long-Enough-pass-1" } }),
            )
            .await;
        created.data();
    }
    let first = admin
        .gql
        .query("{ tenants(first: 2) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }", json!({}))
        .await;
    let page = &first.data()["tenants"];
    assert_eq!(page["edges"].as_array().unwrap().len(), 2);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let cursor = page["pageInfo"]["endCursor"].as_str().unwrap();
    let second = admin
        .gql
        .query(
            "query($a: String) { tenants(first: 2, after: $a) { edges { node { name } } pageInfo { hasNextPage } } }",
            json!({ "a": cursor }),
        )
        .await;
    let names: Vec<_> = second.data()["tenants"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Tenant 2")]);
    assert_eq!(second.data()["tenants"]["pageInfo"]["hasNextPage"], false);

    assert_eq!(
        admin
            .gql
            .query("{ users { edges { cursor } } }", json!({}))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        admin
            .gql
            .query(CREATE_USER, user_input("x@t.test", "AGENT"))
            .await
            .code(),
        "FORBIDDEN"
    );
    let bad_cursor = admin
        .gql
        .query(
            "{ tenants(after: \"bm9wZQ\") { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(bad_cursor.code(), "BAD_USER_INPUT");
}
