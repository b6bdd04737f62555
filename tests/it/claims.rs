//! Who may claim a number: creating a channel proves nothing, so it claims the number only
//! within its tenant; the provider's verification of the channel's own credentials for that
//! number takes the deployment-wide claim. A stranger who creates a channel with someone
//! else's number first neither blocks the owner nor learns anything about them.

use serde_json::{json, Value};
use switchboard::fakes::meta::{FakeInbound, FakePhoneNumber};
use switchboard::fakes::twilio::InboundParams;

use crate::support::fixtures::META_APP_SECRET;
use crate::support::{TestApp, TestTenant};

const VERIFY: &str = "mutation($id: ID!) { verifyChannel(id: $id) { verifiedAt } }";
pub(crate) const NUMBER: &str = "+14155238886";
const CUSTOMER: &str = "+34600000000";

pub(crate) async fn create(tenant: &TestTenant, input: Value) -> crate::support::graphql::Answer {
    tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id webhookUrl } }",
            json!({ "i": input }),
        )
        .await
}

pub(crate) async fn verify(tenant: &TestTenant, id: &Value) -> crate::support::graphql::Answer {
    tenant.owner.gql.query(VERIFY, json!({ "id": id })).await
}

pub(crate) async fn verified_at(tenant: &TestTenant, id: &Value) -> Value {
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

pub(crate) fn twilio(name: &str, number: &str, sid: &str, token: &str) -> Value {
    json!({ "name": name, "provider": "TWILIO", "phoneNumber": number,
            "twilio": { "accountSid": sid, "authToken": token } })
}

pub(crate) fn meta(name: &str, number: &str, pnid: &str, token: &str, secret: &str) -> Value {
    json!({ "name": name, "provider": "META", "phoneNumber": number,
            "meta": { "accessToken": token, "appSecret": secret, "phoneNumberId": pnid,
                      "businessAccountId": "102290129340398" } })
}

pub(crate) async fn assert_healthy(app: &TestApp) {
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
    crate::support::fixtures::conversations(tenant)
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
    let found = crate::support::fixtures::conversations(&acme).await;
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
