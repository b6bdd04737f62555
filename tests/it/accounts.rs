//! Accounts are per tenant: the same e-mail address in two tenants (or a tenant and the
//! platform admins) is two accounts that know nothing of each other, and an older database
//! with one global address per user upgrades without losing users, memberships or sessions.

use serde_json::{json, Value};
use switchboard::store::Store;

use crate::support::graphql::Answer;
use crate::support::{TestApp, TestTenant, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};

const SAM: &str = "sam@shared.test";
const ACME_PASSWORD: &str = "acme-Blue-passphrase-41";
const GLOBEX_PASSWORD: &str = "globex-Green-passphrase-73";

const CREATE_USER: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { id email } }";
const LOGIN: &str = "mutation($e: String!, $p: String!, $t: ID) { login(email: $e, password: $p, tenantId: $t) { accessToken refreshToken user { id } tenant { id } } }";
const ME: &str = "{ me { role user { id email name } tenant { id } } }";

async fn create_user(tenant: &TestTenant, email: &str, password: &str, name: &str) -> Answer {
    tenant
        .owner
        .gql
        .query(
            CREATE_USER,
            json!({ "i": { "email": email, "password": password, "role": "AGENT", "name": name } }),
        )
        .await
}

async fn login(app: &TestApp, email: &str, password: &str, tenant: Option<&str>) -> Answer {
    app.anonymous()
        .query(LOGIN, json!({ "e": email, "p": password, "t": tenant }))
        .await
}

/// The signed-in account's `me`, through the access token the sign-in answered.
async fn me_after(app: &TestApp, signed_in: &Answer) -> Value {
    let token = signed_in.data()["login"]["accessToken"]
        .as_str()
        .expect("an access token")
        .to_owned();
    app.with_token(&token).query(ME, json!({})).await.data()["me"].clone()
}

async fn assert_healthy(app: &TestApp) {
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn the_same_address_in_two_tenants_is_two_separate_accounts() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;

    let in_acme = create_user(&acme, SAM, ACME_PASSWORD, "Sam of Acme").await;
    let in_globex = create_user(&globex, SAM, GLOBEX_PASSWORD, "Sam of Globex").await;
    let acme_sam = in_acme.data()["createUser"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let globex_sam = in_globex.data()["createUser"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(acme_sam, globex_sam);
    // Twice in one tenant is still a conflict: that tells the caller only about its own tenant.
    assert_eq!(
        create_user(&acme, SAM, GLOBEX_PASSWORD, "Sam again")
            .await
            .code(),
        "CONFLICT"
    );

    // Each password opens its own account, with the tenant named or not.
    for (password, tenant, account, name) in [
        (ACME_PASSWORD, &acme, &acme_sam, "Sam of Acme"),
        (GLOBEX_PASSWORD, &globex, &globex_sam, "Sam of Globex"),
    ] {
        for wanted in [None, Some(tenant.id.as_str())] {
            let signed_in = login(&app, SAM, password, wanted).await;
            assert_eq!(signed_in.data()["login"]["user"]["id"], account.as_str());
            assert_eq!(
                signed_in.data()["login"]["tenant"]["id"],
                tenant.id.as_str()
            );
            let me = me_after(&app, &signed_in).await;
            assert_eq!(me["user"]["id"], account.as_str());
            assert_eq!(me["user"]["name"], name);
            assert_eq!(me["tenant"]["id"], tenant.id.as_str());
        }
    }
    // One tenant's password does not open the other tenant's account.
    assert_eq!(
        login(&app, SAM, GLOBEX_PASSWORD, Some(&acme.id))
            .await
            .code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        login(&app, SAM, ACME_PASSWORD, Some(&globex.id))
            .await
            .code(),
        "UNAUTHENTICATED"
    );

    // Acme's admin cannot see, change or deactivate Globex's Sam.
    let gql = &acme.owner.gql;
    let seen = gql
        .query(
            "query($id: ID!) { user(id: $id) { id } }",
            json!({ "id": globex_sam }),
        )
        .await;
    assert_eq!(seen.code(), "NOT_FOUND");
    let listed = gql
        .query("{ users(first: 100) { nodes { id } } }", json!({}))
        .await;
    let ids: Vec<&str> = listed.data()["users"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["id"].as_str())
        .collect();
    assert!(ids.contains(&acme_sam.as_str()), "{ids:?}");
    assert!(!ids.contains(&globex_sam.as_str()), "{ids:?}");
    let updated = gql
        .query(
            "mutation($id: ID!) { updateUser(id: $id, input: { name: \"Taken\", password: \"acme-Owns-you-now-55\" }) { id } }",
            json!({ "id": globex_sam }),
        )
        .await;
    assert_eq!(updated.code(), "NOT_FOUND");
    let deactivated = gql
        .query(
            "mutation($id: ID!) { deactivateUser(id: $id) { id } }",
            json!({ "id": globex_sam }),
        )
        .await;
    assert_eq!(deactivated.code(), "NOT_FOUND");

    // Deactivating Acme's Sam leaves Globex's Sam, its session and its password alone.
    let globex_session = login(&app, SAM, GLOBEX_PASSWORD, None).await;
    let done = gql
        .query(
            "mutation($id: ID!) { deactivateUser(id: $id) { active } }",
            json!({ "id": acme_sam }),
        )
        .await;
    assert_eq!(done.data()["deactivateUser"]["active"], false);
    assert_eq!(
        login(&app, SAM, ACME_PASSWORD, None).await.code(),
        "FORBIDDEN"
    );
    assert_eq!(
        me_after(&app, &globex_session).await["user"]["id"],
        globex_sam.as_str()
    );
    let again = login(&app, SAM, GLOBEX_PASSWORD, None).await;
    assert_eq!(again.data()["login"]["user"]["id"], globex_sam.as_str());
    assert_healthy(&app).await;
}

#[tokio::test]
async fn the_platform_admins_address_can_be_a_tenant_account_without_revealing_it() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;

    let created = create_user(&acme, ADMIN_EMAIL, PASSWORD, "Not the admin").await;
    let account = created.data()["createUser"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created.data()["createUser"]["email"], ADMIN_EMAIL);

    // The platform admin still signs in as the platform admin, in no tenant.
    let admin = login(&app, ADMIN_EMAIL, ADMIN_PASSWORD, None).await;
    assert_ne!(admin.data()["login"]["user"]["id"], account.as_str());
    assert_eq!(admin.data()["login"]["tenant"], Value::Null);
    let me = me_after(&app, &admin).await;
    assert_eq!(me["role"], "PLATFORM_ADMIN");
    assert_eq!(me["tenant"], Value::Null);

    // The tenant's account signs in to its tenant with its own password, and only there.
    let member = login(&app, ADMIN_EMAIL, PASSWORD, None).await;
    assert_eq!(member.data()["login"]["user"]["id"], account.as_str());
    let me = me_after(&app, &member).await;
    assert_eq!(me["role"], "AGENT");
    assert_eq!(me["tenant"]["id"], acme.id.as_str());
    assert_eq!(
        login(&app, ADMIN_EMAIL, ADMIN_PASSWORD, Some(&acme.id))
            .await
            .code(),
        "UNAUTHENTICATED"
    );
    // A tenant's owner may have the address too; with the same password as Acme's account,
    // the older account is the one signed in to unless the tenant is named.
    let initech = app
        .platform_admin()
        .await
        .gql
        .query(
            "mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }",
            json!({ "i": { "name": "Initech", "ownerEmail": ADMIN_EMAIL, "ownerPassword": PASSWORD } }),
        )
        .await;
    let initech = initech.data()["createTenant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let oldest = login(&app, ADMIN_EMAIL, PASSWORD, None).await;
    assert_eq!(oldest.data()["login"]["tenant"]["id"], acme.id.as_str());
    let named = login(&app, ADMIN_EMAIL, PASSWORD, Some(&initech)).await;
    assert_eq!(me_after(&app, &named).await["role"], "OWNER");
    assert_eq!(
        me_after(&app, &named).await["tenant"]["id"],
        initech.as_str()
    );

    // The tenant's owner can do nothing to the platform admin through the shared address.
    let admin_id = admin.data()["login"]["user"]["id"].as_str().unwrap();
    let touched = acme
        .owner
        .gql
        .query(
            "mutation($id: ID!) { deactivateUser(id: $id) { id } }",
            json!({ "id": admin_id }),
        )
        .await;
    assert_eq!(touched.code(), "NOT_FOUND");
    assert_eq!(
        me_after(&app, &admin).await["role"],
        "PLATFORM_ADMIN",
        "the platform admin's session lives on"
    );
    assert_healthy(&app).await;
}

#[tokio::test]
async fn an_older_database_upgrades_keeping_users_memberships_and_sessions() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let agent = app.new_user(&acme, SAM, "AGENT").await;
    let database_url = app.database_url.clone();
    let dir = app.stop().await;

    // Back to the schema before accounts were per tenant, with these rows in it.
    let store = Store::connect(&database_url).await.unwrap();
    crate::support::db::revert_through(&store, "m20261205_000009_accounts_per_tenant").await;
    let (_, pending) = store.migration_status().await.unwrap();
    assert_eq!(pending[0], "m20261205_000009_accounts_per_tenant");
    store.close().await;

    let app = TestApp::restart_on(dir).await;
    // The sessions survived the rebuild of the users they point at.
    let refreshed = app
        .anonymous()
        .query(
            "mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }",
            json!({ "t": agent.refresh_token }),
        )
        .await;
    let token = refreshed.data()["refresh"]["accessToken"].as_str().unwrap();
    let me = app.with_token(token).query(ME, json!({})).await;
    assert_eq!(me.data()["me"]["user"]["id"], agent.user_id.as_str());
    assert_eq!(me.data()["me"]["tenant"]["id"], acme.id.as_str());
    // Each user got its membership's tenant as its home, so naming the tenant finds it.
    let signed_in = login(&app, SAM, PASSWORD, Some(&acme.id)).await;
    assert_eq!(
        signed_in.data()["login"]["user"]["id"],
        agent.user_id.as_str()
    );
    let owner = login(&app, &acme.owner_email, PASSWORD, Some(&acme.id)).await;
    assert_eq!(
        owner.data()["login"]["user"]["id"],
        acme.owner.user_id.as_str()
    );
    let admin = app.platform_admin().await;
    assert_eq!(
        admin.gql.query(ME, json!({})).await.data()["me"]["role"],
        "PLATFORM_ADMIN"
    );
    // And the address is now unique per tenant only.
    let acme_owner = app.login(&acme.owner_email, PASSWORD).await;
    let acme = TestTenant {
        id: acme.id,
        owner: acme_owner,
        owner_email: acme.owner_email,
    };
    assert_eq!(
        create_user(&acme, SAM, PASSWORD, "Sam twice").await.code(),
        "CONFLICT"
    );
    let globex = app.new_tenant("Globex").await;
    create_user(&globex, SAM, GLOBEX_PASSWORD, "Sam of Globex")
        .await
        .data();
    assert_healthy(&app).await;
}

/// `switchboard admin create --email E` with E's password on standard input.
async fn admin_create(database_url: &str, email: &str, password: &str) -> std::process::Output {
    use tokio::io::AsyncWriteExt;
    let cwd = tempfile::tempdir().unwrap();
    let mut child = crate::support::process::command(cwd.path())
        .args(["admin", "create", "--email", email])
        .env("SWITCHBOARD_DATABASE_URL", database_url)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("{password}\n").as_bytes())
        .await
        .unwrap();
    drop(stdin);
    child.wait_with_output().await.unwrap()
}

#[tokio::test]
async fn admin_create_makes_a_platform_admin_beside_a_tenant_account_with_the_address() {
    const OPS: &str = "ops@shared.test";
    const OPS_PASSWORD: &str = "platform-Root-passphrase-88";
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let member = app.new_user(&acme, OPS, "AGENT").await;

    let created = admin_create(&app.database_url, OPS, OPS_PASSWORD).await;
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let admin = login(&app, OPS, OPS_PASSWORD, None).await;
    assert_ne!(admin.data()["login"]["user"]["id"], member.user_id.as_str());
    assert_eq!(me_after(&app, &admin).await["role"], "PLATFORM_ADMIN");
    let again = login(&app, OPS, PASSWORD, None).await;
    assert_eq!(again.data()["login"]["user"]["id"], member.user_id.as_str());
    assert_eq!(me_after(&app, &again).await["role"], "AGENT");

    // Among the platform admins the address is still taken.
    let twice = admin_create(&app.database_url, OPS, OPS_PASSWORD).await;
    assert!(!twice.status.success());
    assert!(
        String::from_utf8_lossy(&twice.stderr).contains("already exists"),
        "{}",
        String::from_utf8_lossy(&twice.stderr)
    );
    assert_healthy(&app).await;
}

#[tokio::test]
async fn a_sign_in_without_a_tenant_tries_at_most_eight_accounts() {
    const NINTH_PASSWORD: &str = "ninth-Tenant-passphrase-19";
    let app = TestApp::spawn().await;
    let admin = app.platform_admin().await;
    let mut tenants = Vec::new();
    for n in 1..=9 {
        let password = if n == 9 { NINTH_PASSWORD } else { PASSWORD };
        let created = admin
            .gql
            .query(
                "mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }",
                json!({ "i": { "name": format!("Tenant {n}"), "ownerEmail": SAM, "ownerPassword": password } }),
            )
            .await;
        tenants.push(
            created.data()["createTenant"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // The ninth account is beyond what one sign-in checks: its password is not tried.
    assert_eq!(
        login(&app, SAM, NINTH_PASSWORD, None).await.code(),
        "UNAUTHENTICATED"
    );
    let named = login(&app, SAM, NINTH_PASSWORD, Some(&tenants[8])).await;
    assert_eq!(named.data()["login"]["tenant"]["id"], tenants[8].as_str());
    let first = login(&app, SAM, PASSWORD, None).await;
    assert_eq!(first.data()["login"]["tenant"]["id"], tenants[0].as_str());
    assert_healthy(&app).await;
}

#[tokio::test]
async fn an_operator_can_require_the_tenant_at_sign_in() {
    let app = TestApp::spawn_with(|c| c.login_requires_tenant = true).await;
    let admin = app.platform_admin().await;
    let created = admin
        .gql
        .query(
            "mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }",
            json!({ "i": { "name": "Acme", "ownerEmail": SAM, "ownerPassword": ACME_PASSWORD } }),
        )
        .await;
    let tenant = created.data()["createTenant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Without the tenant, the owner's right password is as wrong as any other, so neither
    // the answer nor the work depends on which tenants hold the address.
    let without = login(&app, SAM, ACME_PASSWORD, None).await;
    assert_eq!(without.code(), "UNAUTHENTICATED", "{}", without.body);
    let wrong = login(&app, SAM, "not-The-password-123", None).await;
    assert_eq!(wrong.message(), without.message());
    let with = login(&app, SAM, ACME_PASSWORD, Some(&tenant)).await;
    assert_eq!(me_after(&app, &with).await["tenant"]["id"], tenant.as_str());
    // The platform admin names no tenant.
    let admin_again = login(&app, ADMIN_EMAIL, ADMIN_PASSWORD, None).await;
    assert_eq!(me_after(&app, &admin_again).await["role"], "PLATFORM_ADMIN");
    assert_healthy(&app).await;
}
