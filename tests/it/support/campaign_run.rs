//! Campaigns on real server processes, for the crash and multi-instance tests: a tenant with
//! a Twilio and a Meta channel, each with an approved template and a campaign of a few
//! hundred recipients, and the checks that each recipient got exactly one message.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};
use switchboard::fakes::meta::{FakeMeta, FakePhoneNumber};
use switchboard::fakes::twilio::FakeTwilio;
use tempfile::TempDir;

use super::fixtures::SENDER;
use super::fixtures::{create_channel, meta_input, META_APP_SECRET, META_TOKEN};
use super::process::{self, login};
use super::{db, Session, TestTenant, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};

pub const RECIPIENTS_PER_CAMPAIGN: usize = 300;
/// Each channel's rate; a campaign keeps at most twice this many messages queued.
pub const MESSAGES_PER_SECOND: u64 = 25;
pub const PNID: &str = "106540352242922";
const CAMPAIGN: &str = "query($id: ID!) { campaign(id: $id) { state counts { total pending queued sent failed skipped } } }";
const RECIPIENTS: &str = "query($id: ID!, $after: String) { campaign(id: $id) { recipients(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { phone state message { id status createdAt channel { provider } attempts { outcome } } } } } } }";
const OUTBOUND: &str = "query($c: ID!, $after: String) { messages(filter: { channelId: $c, direction: OUTBOUND }, first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }";
/// Attempt outcomes that end a job.
pub const FINAL_OUTCOMES: [&str; 4] = ["SENT", "RECONCILED", "SKIPPED", "FAILED"];

/// One database and the fakes that every server process of a test shares.
pub struct Rig {
    pub dir: TempDir,
    pub database_url: String,
    /// Dropped when the rig goes, after the servers a test stopped.
    _database: db::TestDatabase,
    pub twilio: FakeTwilio,
    pub meta: FakeMeta,
    pub http: reqwest::Client,
}

/// A campaign and its channel.
pub struct Campaign {
    pub id: String,
    pub channel: String,
    pub provider: String,
}

/// What the recipients' messages went through.
#[derive(Debug, Default)]
pub struct Tally {
    pub outcomes: HashMap<String, usize>,
    /// Recipients who reached the provider twice, by provider.
    pub duplicates: HashMap<String, usize>,
    /// Dispatcher batches per campaign.
    pub batches: Vec<usize>,
}

impl Tally {
    pub fn count(&self, outcome: &str) -> usize {
        self.outcomes.get(outcome).copied().unwrap_or(0)
    }

    pub fn duplicated(&self, provider: &str) -> usize {
        self.duplicates.get(provider).copied().unwrap_or(0)
    }
}

impl Rig {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = db::provision(dir.path()).await;
        Self {
            dir,
            database_url: database.url.clone(),
            _database: database,
            twilio: FakeTwilio::spawn().await.unwrap(),
            meta: FakeMeta::spawn().await,
            http: reqwest::Client::new(),
        }
    }

    /// Starts a server on `listen` (fixed, so the fakes' callbacks find every restart).
    pub async fn serve(&self, listen: &str) -> process::Server {
        let env: Vec<(&str, &str)> = vec![
            ("SWITCHBOARD_LISTEN", listen),
            ("SWITCHBOARD_ADMIN_EMAIL", ADMIN_EMAIL),
            ("SWITCHBOARD_ADMIN_PASSWORD", ADMIN_PASSWORD),
            ("SWITCHBOARD_TWILIO_API_URL", self.twilio.base_url()),
            ("SWITCHBOARD_TWILIO_CONTENT_URL", self.twilio.base_url()),
            ("SWITCHBOARD_TWILIO_MESSAGING_URL", self.twilio.base_url()),
            ("SWITCHBOARD_META_GRAPH_URL", self.meta.base_url()),
            ("SWITCHBOARD_PROVIDER_TIMEOUT", "1"),
            ("SWITCHBOARD_OUTBOX_LEASE_SECONDS", "2"),
            ("SWITCHBOARD_OUTBOX_STATUS_GRACE_SECONDS", "2"),
        ];
        process::serve(self.dir.path(), &self.database_url, &env).await
    }

    /// Tenant Acme, created through the server at `base`, with its owner signed in.
    pub async fn tenant(&self, base: &str) -> TestTenant {
        self.tenant_named(base, "Acme", "owner@acme.test").await
    }

    /// Tenant `name` owned by `owner_email`, created through the server at `base`, with
    /// its owner signed in.
    pub async fn tenant_named(&self, base: &str, name: &str, owner_email: &str) -> TestTenant {
        let admin = login(&self.http, base, ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let created = admin
            .gql
            .query(
                "mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }",
                json!({ "i": { "name": name, "ownerEmail": owner_email, "ownerPassword": PASSWORD } }),
            )
            .await;
        TestTenant {
            id: created.data()["createTenant"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
            owner: login(&self.http, base, owner_email, PASSWORD).await,
            owner_email: owner_email.into(),
        }
    }

    /// Tenant Acme, through the server at `base`, with a Twilio and a Meta channel, an
    /// approved template on each and a campaign per channel (a draft) whose recipients
    /// each have their own variables.
    pub async fn campaigns(&self, base: &str) -> (TestTenant, Vec<Campaign>) {
        let tenant = self.tenant(base).await;
        let account = self.twilio.add_account("Acme", SENDER);
        let twilio_channel = create_channel(
            &tenant,
            json!({ "name": "Support", "provider": "TWILIO", "phoneNumber": SENDER,
                    "twilio": { "accountSid": account.sid, "authToken": account.auth_token } }),
        )
        .await;
        self.meta.set_app_secret(META_APP_SECRET);
        self.meta
            .add_phone_number(FakePhoneNumber::new(PNID, "102290129340398", META_TOKEN));
        let meta_channel = create_channel(&tenant, meta_input("+15550783881", PNID)).await;
        self.meta
            .set_webhook_url(Some(meta_channel["webhookUrl"].as_str().unwrap()));

        let mut campaigns = Vec::new();
        for (prefix, channel) in [("+3461", &twilio_channel), ("+3462", &meta_channel)] {
            tenant
                .owner
                .gql
                .query(
                    &format!("mutation($id: ID!) {{ updateChannel(id: $id, input: {{ settings: {{ messagesPerSecond: {MESSAGES_PER_SECOND}, maxRetries: 5, retryWaitSeconds: 1 }} }}) {{ id }} }}"),
                    json!({ "id": channel["id"] }),
                )
                .await
                .data();
            let template = self.approved_template(&tenant, channel).await;
            let mut csv = String::from("phone,1,2\n");
            for i in 0..RECIPIENTS_PER_CAMPAIGN {
                csv.push_str(&format!("{prefix}{i:07},Customer {i},A-{i}\n"));
            }
            let created = tenant
                .owner
                .gql
                .query(
                    "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
                    json!({ "i": { "name": format!("Orders {}", channel["provider"]), "channelId": channel["id"], "templateId": template, "recipientsCsv": csv } }),
                )
                .await;
            campaigns.push(Campaign {
                id: created.data()["createCampaign"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                channel: channel["id"].as_str().unwrap().to_owned(),
                provider: channel["provider"].as_str().unwrap().to_owned(),
            });
        }
        (tenant, campaigns)
    }

    /// A template on `channel` that the provider approved; answers its id.
    async fn approved_template(&self, tenant: &TestTenant, channel: &Value) -> String {
        let owner = &tenant.owner.gql;
        let created = owner
            .query(
                "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id providerTemplateId } }",
                json!({ "i": { "channelId": channel["id"], "name": "order_update", "language": "en",
                    "category": "UTILITY", "body": "Hi {{1}}, order {{2}} shipped.", "examples": ["Ana", "A-1"] } }),
            )
            .await;
        let created = created.data()["createTemplate"].clone();
        let id = created["id"].as_str().unwrap().to_owned();
        let provider_id = created["providerTemplateId"].as_str().unwrap().to_owned();
        if channel["provider"] == "TWILIO" {
            owner
                .query(
                    "mutation($id: ID!) { submitTemplate(id: $id) { id } }",
                    json!({ "id": id }),
                )
                .await
                .data();
            self.twilio.set_approval(&provider_id, "approved", "");
            owner
                .query(
                    "mutation($c: ID!) { syncTemplates(channelId: $c) { id } }",
                    json!({ "c": channel["id"] }),
                )
                .await
                .data();
        } else {
            self.meta
                .review_template(&provider_id, "APPROVED", None)
                .await
                .unwrap();
        }
        super::eventually(
            10,
            "the template is approved",
            || async {
                owner
                    .query(
                        "query($id: ID!) { template(id: $id) { status } }",
                        json!({ "id": id.as_str() }),
                    )
                    .await
                    .data()["template"]["status"]
                    .clone()
            },
            |status| status == "APPROVED",
        )
        .await;
        id
    }

    /// Message id → the numbers it reached, at both fakes.
    pub fn reached(&self) -> HashMap<String, Vec<String>> {
        let mut at_fake: HashMap<String, Vec<String>> = HashMap::new();
        for m in self.twilio.messages() {
            let url = m.status_callback.unwrap_or_default();
            if let Some((_, id)) = url.split_once("sb_message=") {
                let to = m.to.trim_start_matches("whatsapp:").to_owned();
                at_fake.entry(id.to_owned()).or_default().push(to);
            }
        }
        for m in self.meta.sent_messages() {
            if let Some(id) = m.correlation {
                at_fake.entry(id).or_default().push(format!("+{}", m.to));
            }
        }
        at_fake
    }
}

pub async fn start(tenant: &TestTenant, campaigns: &[Campaign]) {
    for c in campaigns {
        let started = tenant
            .owner
            .gql
            .query(
                "mutation($id: ID!) { startCampaign(id: $id) { state } }",
                json!({ "id": c.id }),
            )
            .await;
        assert_eq!(started.data()["startCampaign"]["state"], "RUNNING");
    }
}

/// The campaign's state and counts.
pub async fn campaign(session: &Session, id: &str) -> Value {
    session
        .gql
        .query(CAMPAIGN, json!({ "id": id }))
        .await
        .data()["campaign"]
        .clone()
}

/// Waits until every campaign is COMPLETED (watched cheaply), then until every message's
/// job ended (its last attempt is a final one), so no send is still cut off or waiting.
/// Answers each campaign's recipients.
pub async fn finished(
    tenant: &TestTenant,
    campaigns: &[Campaign],
    within: Duration,
) -> Vec<Vec<Value>> {
    // Scaled like every test deadline.
    let deadline = tokio::time::Instant::now() + within.mul_f64(super::time_scale());
    for Campaign { id, .. } in campaigns {
        loop {
            let c = campaign(&tenant.owner, id).await;
            if c["state"] == "COMPLETED" {
                assert_eq!(c["counts"]["total"], RECIPIENTS_PER_CAMPAIGN, "{c}");
                assert_eq!(c["counts"]["pending"], 0, "{c}");
                assert_eq!(c["counts"]["queued"], 0, "{c}");
                assert_eq!(c["counts"]["skipped"], 0, "{c}");
                assert_eq!(c["counts"]["failed"], 0, "{c}");
                break;
            }
            assert_eq!(c["state"], "RUNNING", "{c}");
            assert!(tokio::time::Instant::now() < deadline, "still {c}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let mut recipients_of = Vec::new();
    for Campaign { id, .. } in campaigns {
        loop {
            let recipients = all_nodes(
                &tenant.owner,
                RECIPIENTS,
                json!({ "id": id }),
                &["campaign", "recipients"],
            )
            .await;
            let unfinished: Vec<&Value> = recipients
                .iter()
                .filter(|r| {
                    let last = r["message"]["attempts"]
                        .as_array()
                        .and_then(|a| a.last())
                        .map(|a| a["outcome"].as_str().unwrap_or_default());
                    r["message"]["status"] == "QUEUED"
                        || !last.is_some_and(|o| FINAL_OUTCOMES.contains(&o))
                })
                .collect();
            if unfinished.is_empty() {
                recipients_of.push(recipients);
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} recipients unfinished: {unfinished:?}",
                unfinished.len()
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    recipients_of
}

/// Checks that each recipient has exactly one message, that the channel carries no other,
/// that the message left and reached the recipient's number at the provider; a second
/// arrival only for a Meta send cut off by a kill that nothing could reconcile.
pub async fn check_each_messaged_once(
    tenant: &TestTenant,
    campaigns: &[Campaign],
    recipients_of: &[Vec<Value>],
    reached: &HashMap<String, Vec<String>>,
) -> Tally {
    let mut tally = Tally::default();
    for (
        Campaign {
            channel, provider, ..
        },
        recipients,
    ) in campaigns.iter().zip(recipients_of)
    {
        assert_eq!(recipients.len(), RECIPIENTS_PER_CAMPAIGN);
        let outbound = all_nodes(
            &tenant.owner,
            OUTBOUND,
            json!({ "c": channel }),
            &["messages"],
        )
        .await;
        let mut ids: Vec<&str> = recipients
            .iter()
            .map(|r| r["message"]["id"].as_str().unwrap())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len(),
            RECIPIENTS_PER_CAMPAIGN,
            "a message shared by two recipients"
        );
        assert_eq!(
            outbound.len(),
            RECIPIENTS_PER_CAMPAIGN,
            "a recipient queued twice"
        );
        for m in &outbound {
            assert!(
                ids.binary_search(&m["id"].as_str().unwrap()).is_ok(),
                "a message of no recipient: {m}"
            );
        }
        // Each batch is one transaction, so its messages share their creation time.
        let mut created: Vec<&str> = recipients
            .iter()
            .map(|r| r["message"]["createdAt"].as_str().unwrap())
            .collect();
        created.sort_unstable();
        created.dedup();
        tally.batches.push(created.len());

        for r in recipients {
            let message = &r["message"];
            // Read apart from the message, so a later status may separate the two.
            assert!(
                ["SENT", "DELIVERED", "READ"].contains(&r["state"].as_str().unwrap()),
                "{r}"
            );
            assert_eq!(message["channel"]["provider"], provider.as_str());
            assert!(
                ["SENT", "DELIVERED", "READ"].contains(&message["status"].as_str().unwrap()),
                "{r}"
            );
            let attempts: Vec<&str> = message["attempts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["outcome"].as_str().unwrap())
                .collect();
            for outcome in &attempts {
                *tally.outcomes.entry((*outcome).to_owned()).or_default() += 1;
            }
            let sent_to = reached
                .get(message["id"].as_str().unwrap())
                .cloned()
                .unwrap_or_default();
            assert!(!sent_to.is_empty(), "{r} never reached {provider}");
            assert!(
                sent_to.iter().all(|to| to == r["phone"].as_str().unwrap()),
                "{r} went to {sent_to:?}"
            );
            if sent_to.len() > 1 {
                *tally.duplicates.entry(provider.clone()).or_default() += 1;
                assert_eq!(provider, "META", "{r} duplicated: {attempts:?}");
                assert_eq!(sent_to.len(), 2, "{r}: {attempts:?}");
                // Only a send taken over mid-request (left INTERRUPTED, or waited on with
                // AWAITING_STATUS while the first answer came too late to stop the resend)
                // and marked UNRECONCILED may reach Meta twice.
                assert!(
                    (attempts.contains(&"INTERRUPTED") || attempts.contains(&"AWAITING_STATUS"))
                        && attempts.contains(&"UNRECONCILED"),
                    "{r} duplicated without an unreconciled takeover: {attempts:?}"
                );
            }
        }
    }
    tally
}

/// Every node of a connection at `path` (`campaign.recipients`, `messages`), page by page.
async fn all_nodes(session: &Session, query: &str, vars: Value, path: &[&str]) -> Vec<Value> {
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    loop {
        let mut v = vars.clone();
        v["after"] = after;
        let answer = session.gql.query(query, v).await;
        let mut connection = answer.data();
        for key in path {
            connection = &connection[*key];
        }
        for edge in connection["edges"].as_array().unwrap() {
            nodes.push(edge["node"].clone());
        }
        if connection["pageInfo"]["hasNextPage"] != true {
            return nodes;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
}
