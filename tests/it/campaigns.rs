//! Bulk campaigns: a preflight that counts who would be skipped, a thousand recipients sent
//! through the outbox with failures and opt-outs, pause and resume, progress over a
//! subscription, and the rules around them.

use serde_json::{json, Value};
use switchboard::fakes::meta::{FakeInbound, StatusKnobs, STOPPED_MARKETING, UNDELIVERABLE};

use crate::subscriptions::{next_payload, subscribe_unconfirmed};
use crate::support::fixtures::{default_meta_channel, MetaChannel};
use crate::support::{TestApp, TestTenant};

const CREATE: &str =
    "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id state recipientCount } }";
const COUNTS: &str = "counts { total pending queued sent delivered read failed skipped skippedByReason { reason count } }";

pub(crate) async fn setup(app: &TestApp) -> (TestTenant, MetaChannel, String) {
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(app, &tenant).await;
    app.meta.set_webhook_url(Some(&meta.webhook));
    let created = tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id providerTemplateId } }",
            json!({ "i": { "channelId": meta.id, "name": "spring_sale", "language": "en",
                "category": "MARKETING", "body": "Hi {{1}}, {{2}} off everything this week.",
                "examples": ["Ana", "20%"] } }),
        )
        .await;
    let template = created.data()["createTemplate"].clone();
    app.meta
        .review_template(
            template["providerTemplateId"].as_str().unwrap(),
            "APPROVED",
            None,
        )
        .await
        .unwrap();
    let id = template["id"].as_str().unwrap().to_owned();
    wait_for(|| async {
        let t = tenant
            .owner
            .gql
            .query(
                "query($id: ID!) { template(id: $id) { status } }",
                json!({ "id": id }),
            )
            .await;
        t.data()["template"]["status"] == "APPROVED"
    })
    .await;
    (tenant, meta, id)
}

async fn wait_for<F, Fut>(check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    crate::support::eventually(60, "the campaign condition", check, |done| *done).await;
}

async fn campaign(tenant: &TestTenant, id: &str) -> Value {
    tenant
        .owner
        .gql
        .query(
            &format!("query($id: ID!) {{ campaign(id: $id) {{ state stateReason startedAt finishedAt {COUNTS} }} }}"),
            json!({ "id": id }),
        )
        .await
        .data()["campaign"]
        .clone()
}

async fn act(tenant: &TestTenant, mutation: &str, id: &str) -> crate::support::graphql::Answer {
    tenant
        .owner
        .gql
        .query(
            &format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id state }} }}"),
            json!({ "id": id }),
        )
        .await
}

fn reason(counts: &Value, reason: &str) -> u64 {
    counts["skippedByReason"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reason"] == reason)
        .map(|r| r["count"].as_u64().unwrap())
        .unwrap_or(0)
}

fn phone(i: usize) -> String {
    format!("+346{:08}", 10_000_000 + i)
}

#[tokio::test]
async fn a_thousand_recipients_go_out_with_skips_and_failures_through_pause_and_resume() {
    let app = TestApp::spawn().await;
    let (tenant, meta, template) = setup(&app).await;
    app.meta.set_status_knobs(StatusKnobs {
        read: false,
        batch: true,
        ..StatusKnobs::default()
    });
    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { updateChannel(id: $id, input: { settings: { messagesPerSecond: 150 } }) { id } }",
            json!({ "id": meta.id }),
        )
        .await
        .data();
    // Twenty customers opted out by writing STOP.
    for i in 25..45 {
        let wa_id = phone(i).trim_start_matches('+').to_owned();
        app.meta
            .deliver_inbound(
                &meta.webhook,
                &meta.phone_number_id,
                &FakeInbound::text(&wa_id, "STOP"),
            )
            .await
            .unwrap();
    }
    let mut csv = String::from("phone,1,2,segment\n");
    for i in 0..1000 {
        let line = match i {
            0..10 => "+12,Bad,10%,x\n".to_owned(),
            10..15 => format!("{},Again,10%,x\n", phone(100 + i)),
            15..25 => format!("{},\"Name, Missing\",,x\n", phone(i)),
            998 => format!("+{UNDELIVERABLE},Gone,10%,x\n"),
            999 => format!("+{STOPPED_MARKETING},Stopped,10%,x\n"),
            _ => format!("{},Customer {i},{}%,x\n", phone(i), i % 50),
        };
        csv.push_str(&line);
    }
    let created = tenant
        .owner
        .gql
        .query(
            CREATE,
            json!({ "i": { "name": "Spring sale", "channelId": meta.id, "templateId": template, "recipientsCsv": csv } }),
        )
        .await;
    let id = created.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created.data()["createCampaign"]["state"], "DRAFT");
    assert_eq!(created.data()["createCampaign"]["recipientCount"], 1000);

    let preview = tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { previewCampaign(id: $id) { total sendable outsideWindow skipped skippedByReason { reason count } } }",
            json!({ "id": id }),
        )
        .await;
    let preview = preview.data()["previewCampaign"].clone();
    assert_eq!(preview["total"], 1000, "{preview}");
    assert_eq!(preview["sendable"], 955, "{preview}");
    assert_eq!(preview["skipped"], 45, "{preview}");
    assert_eq!(reason(&preview, "INVALID_NUMBER"), 10);
    assert_eq!(reason(&preview, "DUPLICATE"), 5);
    assert_eq!(reason(&preview, "MISSING_VARIABLE"), 10);
    assert_eq!(reason(&preview, "OPTED_OUT"), 20);
    assert_eq!(preview["outsideWindow"], 955);
    assert!(
        app.meta.sent_messages().is_empty(),
        "a preview sends nothing"
    );

    // The first five sends are refused outright; the rest carry on.
    app.meta.fail_next(131009, 5);
    // The first item, its state at subscribe time, shows the subscription is in place.
    let mut progress = subscribe_unconfirmed(
        &app,
        &tenant.owner.access_token,
        &format!("subscription($id: ID!) {{ campaignProgress(id: $id) {{ state {COUNTS} }} }}"),
        json!({ "id": id }),
    )
    .await;
    let first = next_payload(&mut progress).await;
    assert_eq!(first["data"]["campaignProgress"]["state"], "DRAFT");
    assert_eq!(
        act(&tenant, "startCampaign", &id).await.data()["startCampaign"]["state"],
        "RUNNING"
    );

    // Pause part-way: nobody new is handed to the outbox while paused.
    loop {
        let item = next_payload(&mut progress).await;
        if item["data"]["campaignProgress"]["counts"]["sent"]
            .as_u64()
            .unwrap()
            >= 200
        {
            break;
        }
    }
    assert_eq!(
        act(&tenant, "pauseCampaign", &id).await.data()["pauseCampaign"]["state"],
        "PAUSED"
    );
    let paused = campaign(&tenant, &id).await;
    // Once the sends already handed over are done, nothing else may follow while paused.
    app.drain_outbox(&tenant).await;
    let later = campaign(&tenant, &id).await;
    assert_eq!(later["state"], "PAUSED");
    assert_eq!(later["counts"]["pending"], paused["counts"]["pending"]);
    assert!(later["counts"]["pending"].as_u64().unwrap() > 0, "{later}");
    assert_eq!(
        act(&tenant, "pauseCampaign", &id).await.code(),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        act(&tenant, "resumeCampaign", &id).await.data()["resumeCampaign"]["state"],
        "RUNNING"
    );

    let done = loop {
        let item = next_payload(&mut progress).await;
        if item["data"]["campaignProgress"]["state"] == "COMPLETED" {
            break item["data"]["campaignProgress"].clone();
        }
    };
    assert_eq!(done["counts"]["pending"], 0, "{done}");
    assert_eq!(done["counts"]["queued"], 0, "{done}");
    assert_eq!(done["counts"]["skipped"], 45, "{done}");

    // Failures arrive asynchronously: wait for both magic numbers' statuses.
    wait_for(|| async { campaign(&tenant, &id).await["counts"]["failed"] == 7 }).await;
    let end = campaign(&tenant, &id).await;
    assert_eq!(end["state"], "COMPLETED");
    assert_eq!(end["counts"]["total"], 1000);
    assert_eq!(end["counts"]["sent"], 948, "{end}");
    assert!(end["finishedAt"].is_string());

    // Each sendable recipient reached the provider exactly once, with their own variables.
    let sent = app.meta.sent_messages();
    assert_eq!(
        sent.len(),
        955 - 5,
        "refused sends are not recorded as accepted"
    );
    let mut recipients: Vec<&str> = sent.iter().map(|m| m.to.as_str()).collect();
    recipients.sort_unstable();
    recipients.dedup();
    assert_eq!(recipients.len(), sent.len(), "someone was messaged twice");
    let ana = sent
        .iter()
        .find(|m| m.to == phone(500).trim_start_matches('+'))
        .unwrap();
    assert_eq!(ana.body["template"]["name"], "spring_sale");
    let params = &ana.body["template"]["components"][0]["parameters"];
    assert_eq!(params[0]["text"], "Customer 500");
    assert_eq!(params[1]["text"], "0%");

    // Meta 131050 opted the contact out of marketing.
    let contact = tenant
        .owner
        .gql
        .query(
            "query($s: String) { contacts(search: $s) { edges { node { marketingOptedOutAt optedIn } } } }",
            json!({ "s": STOPPED_MARKETING }),
        )
        .await;
    let node = contact.data()["contacts"]["edges"][0]["node"].clone();
    assert!(node["marketingOptedOutAt"].is_string(), "{node}");
    assert_eq!(node["optedIn"], true, "other messages may still reach them");

    // The recipients list shows what happened to each.
    let skipped = tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { campaign(id: $id) { recipients(state: SKIPPED, first: 100) { edges { node { phone skipReason message { id } } } } } }",
            json!({ "id": id }),
        )
        .await;
    let edges = skipped.data()["campaign"]["recipients"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), 45);
    assert_eq!(edges[0]["node"]["skipReason"], "INVALID_NUMBER");
    assert!(edges.iter().all(|e| e["node"]["message"].is_null()));
}

#[tokio::test]
async fn a_campaign_is_checked_and_belongs_to_its_tenant() {
    let app = TestApp::spawn().await;
    let (tenant, meta, template) = setup(&app).await;
    let input = |extra: Value| {
        let mut base = json!({ "name": "Promo", "channelId": meta.id, "templateId": template });
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "i": base })
    };
    for (extra, field) in [
        (json!({}), "recipients"),
        (json!({ "recipients": [] }), "recipients"),
        (
            json!({ "recipients": [{ "to": "+34600000001" }], "recipientsCsv": "phone\n+34600000002" }),
            "recipients",
        ),
        (
            json!({ "recipientsCsv": "name,1\nAna,x\n" }),
            "recipientsCsv",
        ),
        (
            json!({ "recipientsCsv": "phone,1\n+34600000001,a\n+34600000002\n" }),
            "recipientsCsv",
        ),
        (
            json!({ "name": " ", "recipients": [{ "to": "+34600000001" }] }),
            "name",
        ),
    ] {
        let answer = tenant.owner.gql.query(CREATE, input(extra.clone())).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{extra}");
        assert_eq!(
            answer.body["errors"][0]["extensions"]["field"], field,
            "{}",
            answer.body
        );
    }
    let answer = tenant
        .owner
        .gql
        .query(
            CREATE,
            input(json!({ "recipientsCsv": "phone,1\n+34600000001,a\n+34600000002\n" })),
        )
        .await;
    assert!(answer.message().contains("line 3"), "{}", answer.body);

    // A template still in review cannot make a campaign; cancel ends a draft.
    let pending = tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }",
            json!({ "i": { "channelId": meta.id, "name": "later", "language": "en", "category": "MARKETING", "body": "Soon", "examples": [] } }),
        )
        .await;
    let pending = pending.data()["createTemplate"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = tenant
        .owner
        .gql
        .query(CREATE, json!({ "i": { "name": "Later", "channelId": meta.id, "templateId": pending, "recipients": [{ "to": "+34600000001" }] } }))
        .await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    assert_eq!(
        refused.body["errors"][0]["extensions"]["field"], "templateId",
        "{}",
        refused.body
    );
    assert!(refused.message().contains("APPROVED"), "{}", refused.body);
    let draft = tenant
        .owner
        .gql
        .query(
            CREATE,
            input(json!({ "recipients": [{ "to": "+34600000001" }] })),
        )
        .await;
    let draft = draft.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        act(&tenant, "cancelCampaign", &draft).await.data()["cancelCampaign"]["state"],
        "CANCELLED"
    );
    assert_eq!(
        act(&tenant, "startCampaign", &draft).await.code(),
        "BAD_USER_INPUT"
    );
    let cancelled = campaign(&tenant, &draft).await;
    assert_eq!(reason(&cancelled["counts"], "CANCELLED"), 1);

    // A scheduled campaign waits for its start time.
    let later = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let scheduled = tenant
        .owner
        .gql
        .query(CREATE, input(json!({ "recipients": [{ "to": "+34600000001", "variables": [{ "key": "1", "value": "Ana" }, { "key": "2", "value": "5%" }] }], "startAt": later })))
        .await;
    let scheduled = scheduled.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        act(&tenant, "startCampaign", &scheduled).await.data()["startCampaign"]["state"],
        "SCHEDULED"
    );
    // A campaign started now goes out through the same dispatcher: once it completed, the
    // dispatcher has looked at the scheduled one too, and left it alone.
    let now = tenant
        .owner
        .gql
        .query(CREATE, input(json!({ "recipients": [{ "to": "+34600000002", "variables": [{ "key": "1", "value": "Bo" }, { "key": "2", "value": "5%" }] }] })))
        .await;
    let now = now.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    act(&tenant, "startCampaign", &now).await.data();
    wait_for(|| async { campaign(&tenant, &now).await["state"] == "COMPLETED" }).await;
    assert_eq!(campaign(&tenant, &scheduled).await["counts"]["pending"], 1);
    let sent: Vec<String> = app.meta.sent_messages().into_iter().map(|m| m.to).collect();
    assert_eq!(
        sent,
        ["34600000002"],
        "only the campaign started now went out"
    );

    // Agents do not run campaigns; another tenant sees none of them.
    let agent = app.new_user(&tenant, "agent@acme.test", "AGENT").await;
    let answer = agent
        .gql
        .query(
            CREATE,
            input(json!({ "recipients": [{ "to": "+34600000001" }] })),
        )
        .await;
    assert_eq!(answer.code(), "FORBIDDEN");
    let other = app.new_tenant("Globex").await;
    assert_eq!(
        act(&other, "startCampaign", &scheduled).await.code(),
        "NOT_FOUND"
    );
    assert_eq!(
        act(&other, "cancelCampaign", &scheduled).await.code(),
        "NOT_FOUND"
    );
    let seen = other
        .owner
        .gql
        .query(
            "query($id: ID!) { campaign(id: $id) { id } }",
            json!({ "id": scheduled }),
        )
        .await;
    assert_eq!(seen.code(), "NOT_FOUND");
    let listed = other
        .owner
        .gql
        .query("{ campaigns { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(listed.data()["campaigns"]["edges"], json!([]));
    let answer = other
        .owner
        .gql
        .query(CREATE, json!({ "i": { "name": "Steal", "channelId": meta.id, "templateId": template, "recipients": [{ "to": "+34600000001" }] } }))
        .await;
    assert_eq!(answer.code(), "NOT_FOUND");
    let answer = other
        .owner
        .gql
        .query(
            "query($id: ID!) { previewCampaign(id: $id) { total } }",
            json!({ "id": scheduled }),
        )
        .await;
    assert_eq!(answer.code(), "NOT_FOUND");
}

#[tokio::test]
async fn a_template_paused_after_the_campaign_was_made_stops_its_start() {
    let app = TestApp::spawn().await;
    let (tenant, meta, template) = setup(&app).await;
    let made = tenant
        .owner
        .gql
        .query(
            CREATE,
            json!({ "i": { "name": "Spring", "channelId": meta.id, "templateId": template,
                "recipients": [{ "to": "+34600000001", "variables": [
                    { "key": "1", "value": "Ana" }, { "key": "2", "value": "20%" }] }] } }),
        )
        .await;
    let id = made.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let provider_id = tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { template(id: $id) { providerTemplateId } }",
            json!({ "id": template }),
        )
        .await
        .data()["template"]["providerTemplateId"]
        .as_str()
        .unwrap()
        .to_owned();
    app.meta
        .review_template(&provider_id, "PAUSED", None)
        .await
        .unwrap();
    wait_for(|| async {
        let t = tenant
            .owner
            .gql
            .query(
                "query($id: ID!) { template(id: $id) { status } }",
                json!({ "id": template }),
            )
            .await;
        t.data()["template"]["status"] == "PAUSED"
    })
    .await;

    // The preview says why nobody would get it, and the campaign does not start.
    let preview = tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { previewCampaign(id: $id) { sendable skipped skippedByReason { reason count } } }",
            json!({ "id": id }),
        )
        .await;
    let preview = preview.data()["previewCampaign"].clone();
    assert_eq!(preview["sendable"], 0, "{preview}");
    assert_eq!(reason(&preview, "TEMPLATE_NOT_APPROVED"), 1, "{preview}");
    let start = act(&tenant, "startCampaign", &id).await;
    assert_eq!(start.code(), "BAD_USER_INPUT", "{}", start.body);
    assert!(start.message().contains("APPROVED"), "{}", start.body);
    assert!(app.meta.sent_messages().is_empty());
}
