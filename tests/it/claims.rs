//! Who may claim a number: creating a channel proves nothing, so it claims the number only
//! within its tenant; the provider's verification of the channel's own credentials for that
//! number takes the deployment-wide claim. A stranger who creates a channel with someone
//! else's number first neither blocks the owner nor learns anything about them.

use serde_json::{json, Value};
use switchboard::fakes::meta::{FakeInbound, FakePhoneNumber};
use switchboard::fakes::twilio::InboundParams;

use crate::channels::META_APP_SECRET;
use crate::support::{TestApp, TestTenant};

const VERIFY: &str = "mutation($id: ID!) { verifyChannel(id: $id) { verifiedAt } }";
const NUMBER: &str = "+14155238886";
const CUSTOMER: &str = "+34600000000";

async fn create(tenant: &TestTenant, input: Value) -> crate::support::graphql::Answer {
    tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id webhookUrl } }",
            json!({ "i": input }),
        )
        .await
}

async fn verify(tenant: &TestTenant, id: &Value) -> crate::support::graphql::Answer {
    tenant.owner.gql.query(VERIFY, json!({ "id": id })).await
}

async fn verified_at(tenant: &TestTenant, id: &Value) -> Value {
    tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { channel(id: $id) { verifiedAt } }",
            json!({ "id": id }),
        )
        .await
        .data()["channel"]["verifiedAt"]
        .clone()
}

fn twilio(name: &str, number: &str, sid: &str, token: &str) -> Value {
    json!({ "name": name, "provider": "TWILIO", "phoneNumber": number,
            "twilio": { "accountSid": sid, "authToken": token } })
}

fn meta(name: &str, number: &str, pnid: &str, token: &str, secret: &str) -> Value {
    json!({ "name": name, "provider": "META", "phoneNumber": number,
            "meta": { "accessToken": token, "appSecret": secret, "phoneNumberId": pnid,
                      "businessAccountId": "102290129340398" } })
}

async fn assert_healthy(app: &TestApp) {
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

/// Nothing in an answer names the other tenant or its channel.
fn assert_reveals_nothing(answer: &crate::support::graphql::Answer, owner: &[&str]) {
    let text = answer.body.to_string();
    for secret in owner {
        assert!(!text.contains(secret), "{secret:?} leaked: {text}");
    }
}

async fn conversation_count(tenant: &TestTenant) -> usize {
    crate::inbound::conversations(tenant)
        .await
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_stranger_cannot_take_a_twilio_number_first() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let mallory = app.new_tenant("Mallory").await;
    let acme_account = app.twilio.add_account("Acme Support", NUMBER);
    let mallory_account = app.twilio.add_account("Mallory", "+14155550000");

    // Mallory connects Acme's number first, with her own working credentials. Before,
    // this claimed the number and Acme's createChannel answered CONFLICT.
    let squatter = create(
        &mallory,
        twilio(
            "Squat",
            NUMBER,
            &mallory_account.sid,
            &mallory_account.auth_token,
        ),
    )
    .await;
    let squatter = squatter.data()["createChannel"]["id"].clone();

    let owned = create(
        &acme,
        twilio(
            "Acme Support line",
            NUMBER,
            &acme_account.sid,
            &acme_account.auth_token,
        ),
    )
    .await;
    let acme_channel = owned.data()["createChannel"].clone();
    let verified = verify(&acme, &acme_channel["id"]).await;
    assert!(
        verified.data()["verifyChannel"]["verifiedAt"].is_string(),
        "{}",
        verified.body
    );
    let acme_id = acme_channel["id"].as_str().unwrap().to_owned();
    let acme_marks = [
        "Acme",
        acme_id.as_str(),
        acme.id.as_str(),
        acme_account.sid.as_str(),
    ];

    // Her account has no such sender: the provider says so.
    let refused = verify(&mallory, &squatter).await;
    assert_eq!(refused.code(), "PROVIDER_ERROR", "{}", refused.body);
    assert_eq!(
        refused.body["errors"][0]["extensions"]["providerCode"],
        "SENDER_NOT_FOUND"
    );
    assert_reveals_nothing(&refused, &acme_marks);
    assert!(verified_at(&mallory, &squatter).await.is_null());

    // Even if her account listed the sender, the verified claim stays Acme's.
    app.twilio.add_sender(&mallory_account.sid, NUMBER);
    let conflict = verify(&mallory, &squatter).await;
    assert_eq!(conflict.code(), "CONFLICT", "{}", conflict.body);
    assert!(
        conflict.message().contains("elsewhere on this deployment")
            && conflict.message().contains("operator"),
        "{}",
        conflict.message()
    );
    assert_reveals_nothing(&conflict, &acme_marks);
    assert!(verified_at(&mallory, &squatter).await.is_null());
    assert!(verified_at(&acme, &acme_channel["id"]).await.is_string());

    // Acme's webhooks still arrive on its channel, and only there.
    let delivered = app
        .twilio
        .deliver_inbound(
            acme_channel["webhookUrl"].as_str().unwrap(),
            &acme_account.auth_token,
            &InboundParams::text(&acme_account.sid, CUSTOMER, NUMBER, "hello Acme"),
        )
        .await
        .unwrap();
    assert_eq!(delivered.status, 200);
    assert_eq!(conversation_count(&acme).await, 1);
    assert_eq!(conversation_count(&mallory).await, 0);

    // Deleting Acme's channel frees the number for the next verified owner.
    let deleted = acme
        .owner
        .gql
        .query(
            "mutation($id: ID!) { deleteChannel(id: $id) }",
            json!({ "id": acme_channel["id"] }),
        )
        .await;
    assert_eq!(deleted.data()["deleteChannel"], true);
    let now_hers = verify(&mallory, &squatter).await;
    assert!(
        now_hers.data()["verifyChannel"]["verifiedAt"].is_string(),
        "{}",
        now_hers.body
    );
    assert_healthy(&app).await;
}

#[tokio::test]
async fn a_stranger_cannot_take_a_meta_phone_number_id_first() {
    const PNID: &str = "106540352242922";
    const SIBLING: &str = "106540352242923";
    const ACME_TOKEN: &str = "EAAGacmeAccessTokenValue1234567890";
    const MALLORY_TOKEN: &str = "EAAGmalloryAccessTokenValue123456";
    const MALLORY_SECRET: &str = "mallory-app-secret-0123456789abcd";
    let app = TestApp::spawn().await;
    app.meta.set_app_secret(META_APP_SECRET);
    for (pnid, display) in [(PNID, "+1 555-078-3881"), (SIBLING, "+1 555-078-3882")] {
        let mut number = FakePhoneNumber::new(pnid, "102290129340398", ACME_TOKEN);
        number.display_phone_number = display.to_owned();
        app.meta.add_phone_number(number);
    }
    let acme = app.new_tenant("Acme").await;
    let mallory = app.new_tenant("Mallory").await;

    let squatter = create(
        &mallory,
        meta("Squat", "+15550783881", PNID, MALLORY_TOKEN, MALLORY_SECRET),
    )
    .await;
    let squatter = squatter.data()["createChannel"].clone();

    let mut acme_channels = Vec::new();
    for (name, number, pnid) in [
        ("Acme Sales", "+15550783881", PNID),
        ("Acme Support", "+15550783882", SIBLING),
    ] {
        let created = create(&acme, meta(name, number, pnid, ACME_TOKEN, META_APP_SECRET)).await;
        let channel = created.data()["createChannel"].clone();
        let verified = verify(&acme, &channel["id"]).await;
        assert!(
            verified.data()["verifyChannel"]["verifiedAt"].is_string(),
            "{}",
            verified.body
        );
        acme_channels.push(channel);
    }
    let acme_id = acme_channels[0]["id"].as_str().unwrap().to_owned();
    let acme_marks = ["Acme", acme_id.as_str(), acme.id.as_str()];

    // Mallory's token does not own the phone number id.
    let refused = verify(&mallory, &squatter["id"]).await;
    assert_eq!(refused.code(), "PROVIDER_ERROR", "{}", refused.body);
    assert_reveals_nothing(&refused, &acme_marks);
    assert!(verified_at(&mallory, &squatter["id"]).await.is_null());

    // One Meta app callback still routes each of Acme's verified numbers to its channel.
    let sales_url = acme_channels[0]["webhookUrl"].as_str().unwrap();
    for pnid in [PNID, SIBLING] {
        let delivered = app
            .meta
            .deliver_inbound(
                sales_url,
                pnid,
                &FakeInbound::text("34600000000", &format!("to {pnid}")),
            )
            .await
            .unwrap();
        assert_eq!(delivered.status, 200);
    }
    let found = crate::inbound::conversations(&acme).await;
    let mut channels: Vec<String> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["node"]["channel"]["id"].as_str().unwrap().to_owned())
        .collect();
    channels.sort();
    let mut expected: Vec<String> = acme_channels
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    expected.sort();
    assert_eq!(channels, expected);

    // Her unverified channel still takes what is signed for it on its own URL.
    app.meta.set_app_secret(MALLORY_SECRET);
    let own = app
        .meta
        .deliver_inbound(
            squatter["webhookUrl"].as_str().unwrap(),
            PNID,
            &FakeInbound::text("34600000001", "to the squatter"),
        )
        .await
        .unwrap();
    assert_eq!(own.status, 200);
    assert_eq!(conversation_count(&mallory).await, 1);
    assert_eq!(conversation_count(&acme).await, 2);
    assert_healthy(&app).await;
}

#[tokio::test]
async fn within_one_tenant_a_number_belongs_to_one_channel() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let first = create(
        &acme,
        meta(
            "One",
            "+15550783881",
            "106540352242922",
            "EAAGtoken-one-0123456789",
            META_APP_SECRET,
        ),
    )
    .await;
    first.data();
    for input in [
        meta(
            "Same number",
            "+15550783881",
            "106540352242999",
            "EAAGtoken-two-0123456789",
            META_APP_SECRET,
        ),
        meta(
            "Same id",
            "+15550783899",
            "106540352242922",
            "EAAGtoken-two-0123456789",
            META_APP_SECRET,
        ),
    ] {
        let answer = create(&acme, input).await;
        assert_eq!(answer.code(), "CONFLICT", "{}", answer.body);
        assert!(answer.message().contains("this organisation"));
    }
    // An update onto the other channel's number is refused the same way.
    let second = create(
        &acme,
        twilio(
            "Two",
            "+15550783882",
            "AC00000000000000000000000000000001",
            "0123456789abcdef0123456789abcdef",
        ),
    )
    .await;
    let moved = acme
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateChannel(id: $id, input: { phoneNumber: \"+15550783881\" }) { id } }",
            json!({ "id": second.data()["createChannel"]["id"] }),
        )
        .await;
    assert_eq!(moved.code(), "CONFLICT", "{}", moved.body);
}

#[tokio::test]
async fn a_changed_number_gives_up_its_claim_until_verified_again() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let acme_account = app.twilio.add_account("Acme", NUMBER);
    app.twilio.add_sender(&acme_account.sid, "+14155230000");
    let globex_account = app.twilio.add_account("Globex", NUMBER);
    let channel = create(
        &acme,
        twilio("Acme", NUMBER, &acme_account.sid, &acme_account.auth_token),
    )
    .await;
    let acme_id = channel.data()["createChannel"]["id"].clone();
    assert!(verify(&acme, &acme_id).await.data()["verifyChannel"]["verifiedAt"].is_string());
    let theirs = create(
        &globex,
        twilio(
            "Globex",
            NUMBER,
            &globex_account.sid,
            &globex_account.auth_token,
        ),
    )
    .await;
    let globex_id = theirs.data()["createChannel"]["id"].clone();
    assert_eq!(verify(&globex, &globex_id).await.code(), "CONFLICT");

    // Acme moves to another number: unverified, and its old claim is released at once.
    let moved = acme
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateChannel(id: $id, input: { phoneNumber: \"+14155230000\" }) { verifiedAt } }",
            json!({ "id": acme_id }),
        )
        .await;
    assert!(moved.data()["updateChannel"]["verifiedAt"].is_null());
    assert!(verify(&globex, &globex_id).await.data()["verifyChannel"]["verifiedAt"].is_string());
    assert!(verify(&acme, &acme_id).await.data()["verifyChannel"]["verifiedAt"].is_string());

    // Globex's credentials stop working: the failed verification releases its claim too.
    app.twilio
        .set_account_status(&globex_account.sid, "suspended");
    assert_eq!(verify(&globex, &globex_id).await.code(), "PROVIDER_ERROR");
    let back = acme
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateChannel(id: $id, input: { phoneNumber: \"+14155238886\" }) { verifiedAt } }",
            json!({ "id": acme_id }),
        )
        .await;
    back.data();
    assert!(verify(&acme, &acme_id).await.data()["verifyChannel"]["verifiedAt"].is_string());
}

#[tokio::test]
async fn twilio_verification_needs_the_sender_online_in_the_account() {
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let account = app.twilio.add_account("Acme", "+14155230001");
    let channel = create(
        &acme,
        twilio("Acme", NUMBER, &account.sid, &account.auth_token),
    )
    .await;
    let id = channel.data()["createChannel"]["id"].clone();

    let absent = verify(&acme, &id).await;
    assert_eq!(absent.code(), "PROVIDER_ERROR");
    assert_eq!(
        absent.body["errors"][0]["extensions"]["providerCode"],
        "SENDER_NOT_FOUND"
    );

    app.twilio.add_sender(&account.sid, NUMBER);
    app.twilio
        .set_sender_status(&account.sid, NUMBER, "OFFLINE");
    let offline = verify(&acme, &id).await;
    assert_eq!(
        offline.body["errors"][0]["extensions"]["providerCode"], "SENDER_NOT_ONLINE",
        "{}",
        offline.body
    );
    assert!(offline.message().contains("OFFLINE"));
    assert!(verified_at(&acme, &id).await.is_null());

    // Found on the second page of one sender each, and ONLINE:UPDATING still sends.
    app.twilio.add_sender(&account.sid, "+14155230002");
    app.twilio
        .set_sender_status(&account.sid, NUMBER, "ONLINE:UPDATING");
    app.twilio.configure(|s| s.senders_page_size = 1);
    let before = app.twilio.requests_to("/v2/Channels/Senders").len();
    let verified = verify(&acme, &id).await;
    assert!(
        verified.data()["verifyChannel"]["verifiedAt"].is_string(),
        "{}",
        verified.body
    );
    assert_eq!(
        app.twilio.requests_to("/v2/Channels/Senders").len() - before,
        2,
        "the sender is the second of the account's"
    );
    assert_healthy(&app).await;
}

#[tokio::test]
async fn meta_verification_needs_the_channels_own_number() {
    const TOKEN: &str = "EAAGacmeAccessTokenValue1234567890";
    let app = TestApp::spawn().await;
    let mut number = FakePhoneNumber::new("106540352242922", "102290129340398", TOKEN);
    number.display_phone_number = "+1 555-078-3881".to_owned();
    app.meta.add_phone_number(number);
    let acme = app.new_tenant("Acme").await;
    let channel = create(
        &acme,
        meta(
            "Wrong",
            "+15550783899",
            "106540352242922",
            TOKEN,
            META_APP_SECRET,
        ),
    )
    .await;
    let id = channel.data()["createChannel"]["id"].clone();
    let mismatch = verify(&acme, &id).await;
    assert_eq!(mismatch.code(), "PROVIDER_ERROR", "{}", mismatch.body);
    assert_eq!(
        mismatch.body["errors"][0]["extensions"]["providerCode"],
        "NUMBER_MISMATCH"
    );
    assert!(verified_at(&acme, &id).await.is_null());
    let fixed = acme
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateChannel(id: $id, input: { phoneNumber: \"+15550783881\" }) { id } }",
            json!({ "id": id }),
        )
        .await;
    fixed.data();
    assert!(verify(&acme, &id).await.data()["verifyChannel"]["verifiedAt"].is_string());
}

#[tokio::test]
async fn the_operator_override_claims_numbers_at_creation() {
    let app = TestApp::spawn_with(|c| c.channel_claims_without_verification = true).await;
    let acme = app.new_tenant("Acme").await;
    let globex = app.new_tenant("Globex").await;
    let input = |name: &str| {
        twilio(
            name,
            NUMBER,
            "AC00000000000000000000000000000001",
            "0123456789abcdef0123456789abcdef",
        )
    };
    create(&acme, input("Acme")).await.data();
    let taken = create(&globex, input("Globex")).await;
    assert_eq!(taken.code(), "CONFLICT", "{}", taken.body);
    assert_healthy(&app).await;
}

#[tokio::test]
async fn the_migration_releases_the_claims_of_channels_never_verified() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let app = TestApp::spawn().await;
    let acme = app.new_tenant("Acme").await;
    let account = app.twilio.add_account("Acme", NUMBER);
    let verified = create(
        &acme,
        twilio("Verified", NUMBER, &account.sid, &account.auth_token),
    )
    .await;
    let verified = verified.data()["createChannel"]["id"].clone();
    verify(&acme, &verified).await.data();
    create(
        &acme,
        twilio(
            "Unverified",
            "+14155230009",
            &account.sid,
            &account.auth_token,
        ),
    )
    .await
    .data();

    let keys = |db: sea_orm::DatabaseConnection| async move {
        let rows = db
            .query_all(Statement::from_string(
                db.get_database_backend(),
                "SELECT key FROM channel_keys WHERE key NOT LIKE 'webhook:%' ORDER BY key",
            ))
            .await
            .unwrap();
        let keys: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String>("", "key").unwrap())
            .collect();
        db.close().await.ok();
        keys
    };
    let store = switchboard::store::Store::connect(&app.database_url)
        .await
        .unwrap();
    // Back to the schema where creation claimed every number deployment-wide.
    crate::support::db::revert_through(&store, "m20261205_000010_channel_claims").await;
    let old = keys(Database::connect(&app.database_url).await.unwrap()).await;
    assert_eq!(old, vec!["number:+14155230009", "number:+14155238886"]);
    store.migrate_up().await.unwrap();
    let new = keys(Database::connect(&app.database_url).await.unwrap()).await;
    let tenant = &acme.id;
    assert_eq!(
        new,
        vec![
            "number:+14155238886".to_owned(),
            format!("tenant:{tenant}:number:+14155230009"),
            format!("tenant:{tenant}:number:+14155238886"),
        ]
    );
}

#[tokio::test]
async fn two_verifications_at_once_leave_one_owner() {
    let app = TestApp::spawn().await;
    let mut contenders = Vec::new();
    for name in ["Acme", "Globex", "Initech"] {
        let tenant = app.new_tenant(name).await;
        let account = app.twilio.add_account(name, NUMBER);
        let created = create(
            &tenant,
            twilio(name, NUMBER, &account.sid, &account.auth_token),
        )
        .await;
        let id = created.data()["createChannel"]["id"].clone();
        contenders.push((tenant, id));
    }
    let answers =
        futures::future::join_all(contenders.iter().map(|(tenant, id)| verify(tenant, id))).await;
    let codes: Vec<Option<String>> = answers
        .iter()
        .map(|a| {
            a.body["errors"][0]["extensions"]["code"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(
        codes.iter().filter(|c| c.is_none()).count(),
        1,
        "exactly one verification wins: {codes:?}"
    );
    assert_eq!(
        codes
            .iter()
            .filter(|c| c.as_deref() == Some("CONFLICT"))
            .count(),
        2,
        "{codes:?}"
    );
    let mut verified = 0;
    for (tenant, id) in &contenders {
        verified += usize::from(verified_at(tenant, id).await.is_string());
    }
    assert_eq!(verified, 1);
    assert_healthy(&app).await;
}
