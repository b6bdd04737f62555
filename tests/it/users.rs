//! Users: validation, duplicates, updates, deactivation, settings and the audit log.

use serde_json::json;

use crate::support::{TestApp, PASSWORD};

const CREATE_USER: &str =
    "mutation($i: CreateUserInput!) { createUser(input: $i) { id email name role active } }";

#[tokio::test]
async fn bad_input_names_the_field() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let gql = &tenant.owner.gql;
    for (email, password, field) in [
        ("not-an-email", PASSWORD, "email"),
        ("a@b", PASSWORD, "email"),
        ("new@acme.test", "short", "password"),
        ("new@acme.test", "aaaaaaaaaaaaaaa", "password"),
        ("maria@acme.test", "maria-is-great-1", "password"),
    ] {
        let answer = gql
            .query(
                CREATE_USER,
                json!({ "i": { "email": email, "password": password, "role": "AGENT" } }),
            )
            .await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{email} / {password}");
        assert_eq!(answer.body["errors"][0]["extensions"]["field"], field);
    }
    let bad_enum = gql
        .query(
            CREATE_USER,
            json!({ "i": { "email": "x@acme.test", "password": PASSWORD, "role": "KING" } }),
        )
        .await;
    assert_eq!(bad_enum.code(), "BAD_USER_INPUT");
    assert_eq!(bad_enum.status, 400);
}

#[tokio::test]
async fn a_duplicate_email_is_a_conflict_only_within_the_tenant() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let input =
        json!({ "i": { "email": "Sam@Example.test", "password": PASSWORD, "role": "AGENT" } });
    let created = acme.owner.gql.query(CREATE_USER, input.clone()).await;
    assert_eq!(created.data()["createUser"]["email"], "sam@example.test");
    let again = acme
        .owner
        .gql
        .query(
            CREATE_USER,
            json!({ "i": { "email": "sam@example.test", "password": PASSWORD, "role": "AGENT" } }),
        )
        .await;
    assert_eq!(again.code(), "CONFLICT");
    // Another tenant's account with the address is none of Globex's business: a CONFLICT
    // here would tell Globex that Acme has such a user.
    let elsewhere = globex.owner.gql.query(CREATE_USER, input).await;
    assert_eq!(elsewhere.data()["createUser"]["email"], "sam@example.test");
    assert_ne!(
        elsewhere.data()["createUser"]["id"],
        created.data()["createUser"]["id"]
    );
}

#[tokio::test]
async fn an_updated_user_signs_in_with_the_new_password_and_role() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;
    let updated = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateUser(id: $id, input: { name: \"Sam Agent\", role: ADMIN }) { name role } }",
            json!({ "id": agent.user_id }),
        )
        .await;
    assert_eq!(updated.data()["updateUser"]["name"], "Sam Agent");
    assert_eq!(updated.data()["updateUser"]["role"], "ADMIN");
    // The role applies at once to the existing session.
    let me = agent.gql.query("{ me { role } }", json!({})).await;
    assert_eq!(me.data()["me"]["role"], "ADMIN");
    // A new password ends the sessions the old one opened.
    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateUser(id: $id, input: { password: \"brand-New-secret-7\" }) { id } }",
            json!({ "id": agent.user_id }),
        )
        .await
        .data();
    assert_eq!(
        agent.gql.query("{ me { role } }", json!({})).await.code(),
        "UNAUTHENTICATED"
    );
    let fresh = app.login("agent@acme.test", "brand-New-secret-7").await;
    fresh.gql.query("{ me { role } }", json!({})).await.data();
}

#[tokio::test]
async fn a_deactivated_user_is_signed_out_and_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;
    let done = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { deactivateUser(id: $id) { active } }",
            json!({ "id": agent.user_id }),
        )
        .await;
    assert_eq!(done.data()["deactivateUser"]["active"], false);
    assert_eq!(
        agent.gql.query("{ me { role } }", json!({})).await.code(),
        "UNAUTHENTICATED"
    );
    let login = app
        .anonymous()
        .query(
            "mutation { login(email: \"agent@acme.test\", password: \"correct-Horse-battery-9\") { accessToken } }",
            json!({}),
        )
        .await;
    assert_eq!(login.code(), "FORBIDDEN");
    let refresh = app
        .anonymous()
        .query(
            "mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }",
            json!({ "t": agent.refresh_token }),
        )
        .await;
    assert_eq!(refresh.code(), "UNAUTHENTICATED");
    let self_deactivate = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { deactivateUser(id: $id) { active } }",
            json!({ "id": tenant.owner.user_id }),
        )
        .await;
    assert_eq!(self_deactivate.code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn tenant_settings_are_validated_saved_and_audited() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let gql = &tenant.owner.gql;
    let bad = gql
        .query(
            "mutation { updateTenantSettings(input: { defaultLanguage: \"english\" }) { name } }",
            json!({}),
        )
        .await;
    assert_eq!(bad.code(), "BAD_USER_INPUT");
    assert_eq!(
        bad.body["errors"][0]["extensions"]["field"],
        "defaultLanguage"
    );
    let saved = gql
        .query(
            "mutation { updateTenantSettings(input: { name: \"Acme Ltd\", defaultLanguage: \"pt_BR\", timeZone: \"America/Sao_Paulo\" }) { name defaultLanguage timeZone } }",
            json!({}),
        )
        .await;
    assert_eq!(
        saved.data()["updateTenantSettings"]["defaultLanguage"],
        "pt_BR"
    );
    let me = gql
        .query(
            "{ me { tenant { name settings { timeZone } } } }",
            json!({}),
        )
        .await;
    assert_eq!(me.data()["me"]["tenant"]["name"], "Acme Ltd");
    assert_eq!(
        me.data()["me"]["tenant"]["settings"]["timeZone"],
        "America/Sao_Paulo"
    );

    let audit = gql
        .query(
            "{ auditLog(first: 1) { edges { node { actor action targetType } } } }",
            json!({}),
        )
        .await;
    let entry = &audit.data()["auditLog"]["edges"][0]["node"];
    assert_eq!(entry["action"], "tenant.settings.update");
    assert_eq!(entry["actor"], tenant.owner_email.as_str());
}

#[tokio::test]
async fn the_audit_log_never_holds_a_password() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;
    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateUser(id: $id, input: { password: \"brand-New-secret-7\" }) { id } }",
            json!({ "id": agent.user_id }),
        )
        .await
        .data();
    let audit = tenant
        .owner
        .gql
        .query(
            "{ auditLog { edges { node { action details } } } }",
            json!({}),
        )
        .await;
    let text = audit.body.to_string();
    assert!(text.contains("user.update"));
    assert!(!text.contains("brand-New-secret-7"));
    assert!(!text.contains(PASSWORD));
}

const CHANGE_PASSWORD: &str =
    "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }";

#[tokio::test]
async fn an_agent_changes_their_own_password_and_their_other_sessions_end() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;
    let elsewhere = app.login("agent@acme.test", PASSWORD).await;
    const NEW: &str = "fresh-Kettle-drum-42";

    let wrong = agent
        .gql
        .query(
            CHANGE_PASSWORD,
            json!({ "c": "not-my-Password-1", "n": NEW }),
        )
        .await;
    assert_eq!(wrong.code(), "BAD_USER_INPUT");
    assert_eq!(
        wrong.body["errors"][0]["extensions"]["field"],
        "currentPassword"
    );
    let weak = agent
        .gql
        .query(CHANGE_PASSWORD, json!({ "c": PASSWORD, "n": "short" }))
        .await;
    assert_eq!(weak.code(), "BAD_USER_INPUT");
    assert_eq!(weak.body["errors"][0]["extensions"]["field"], "newPassword");

    let changed = agent
        .gql
        .query(CHANGE_PASSWORD, json!({ "c": PASSWORD, "n": NEW }))
        .await;
    assert_eq!(changed.data()["changePassword"], true);
    // This session lives on; the other one, opened with the old password, has ended.
    agent.gql.query("{ me { role } }", json!({})).await.data();
    assert_eq!(
        elsewhere
            .gql
            .query("{ me { role } }", json!({}))
            .await
            .code(),
        "UNAUTHENTICATED"
    );
    let old = app
        .anonymous()
        .query(
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
            json!({ "e": "agent@acme.test", "p": PASSWORD }),
        )
        .await;
    assert_eq!(old.code(), "UNAUTHENTICATED");
    app.login("agent@acme.test", NEW).await;

    // An API key has no password of its own.
    let key = tenant
        .owner
        .gql
        .query(
            "mutation { createApiKey(name: \"CRM\") { secret } }",
            json!({}),
        )
        .await;
    let key = app.with_token(key.data()["createApiKey"]["secret"].as_str().unwrap());
    let answer = key
        .query(CHANGE_PASSWORD, json!({ "c": PASSWORD, "n": NEW }))
        .await;
    assert_eq!(answer.code(), "FORBIDDEN");
    assert_eq!(
        app.anonymous()
            .query(CHANGE_PASSWORD, json!({ "c": PASSWORD, "n": NEW }))
            .await
            .code(),
        "UNAUTHENTICATED"
    );
}
