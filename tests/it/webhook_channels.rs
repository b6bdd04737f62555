//! The channel a webhook's key names is remembered for a moment, so thousands of deliveries
//! a second do not each read it; a change made through the server is seen by the very next
//! webhook all the same.

use serde_json::json;
use switchboard::fakes::meta::FakeInbound;

use crate::support::fixtures::{default_meta_channel, MetaChannel, META_TOKEN};
use crate::support::{TestApp, TestTenant};

const NEW_APP_SECRET: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

async fn deliver(app: &TestApp, channel: &MetaChannel, text: &str) -> u16 {
    app.meta
        .deliver_inbound(
            &channel.webhook,
            &channel.phone_number_id,
            &FakeInbound::text("34600000001", text),
        )
        .await
        .unwrap()
        .status
}

async fn mutate(tenant: &TestTenant, query: &str, variables: serde_json::Value) {
    tenant.owner.gql.query(query, variables).await.data();
}

#[tokio::test]
async fn a_changed_or_deleted_channel_is_seen_by_the_next_webhook() {
    let app = TestApp::spawn().await;
    app.meta.set_webhook_retries(0);
    let tenant = app.new_tenant("Acme").await;
    let channel = default_meta_channel(&app, &tenant).await;
    // Read, and remembered, by the first webhooks.
    for n in 0..3 {
        assert_eq!(deliver(&app, &channel, &format!("hello {n}")).await, 200);
    }

    // A new app secret: a delivery signed with the old one is refused at once, and one
    // signed with the new one is taken.
    mutate(
        &tenant,
        "mutation($id: ID!, $token: String!, $secret: String!, $pnid: String!) { updateChannel(id: $id, input: { meta: { accessToken: $token, appSecret: $secret, phoneNumberId: $pnid, businessAccountId: \"102290129340398\" } }) { id } }",
        json!({ "id": channel.id, "token": META_TOKEN, "secret": NEW_APP_SECRET, "pnid": channel.phone_number_id }),
    )
    .await;
    assert_eq!(deliver(&app, &channel, "old secret").await, 403);
    app.meta.set_app_secret(NEW_APP_SECRET);
    assert_eq!(deliver(&app, &channel, "new secret").await, 200);

    // Deleted: its key names nothing any more.
    mutate(
        &tenant,
        "mutation($id: ID!) { deleteChannel(id: $id) }",
        json!({ "id": channel.id }),
    )
    .await;
    assert_eq!(deliver(&app, &channel, "after the end").await, 404);
}
