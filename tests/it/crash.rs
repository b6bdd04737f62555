//! Crashes: the real binary as a child process, killed with SIGKILL while sends are in
//! flight, restarted on the same database each time. No message is lost, and a message
//! reaches a provider twice only when its request was cut off by a kill and could not be
//! reconciled (Meta has no lookup and its status did not come within the grace). Campaigns
//! killed while their recipients are being queued finish, each recipient messaged once but
//! for that same exception.

use std::collections::HashMap;
use std::time::Duration;

use rand::Rng;
use serde_json::json;
use switchboard::fakes::meta::{FakeInbound, FakeMeta, FakePhoneNumber};
use switchboard::fakes::twilio::{FakeTwilio, InboundParams};

use crate::channels::{create_channel, meta_input, META_APP_SECRET, META_TOKEN};
use crate::inbound::{conversations, CUSTOMER, SENDER};
use crate::support::graphql::{Gql, Session};
use crate::support::{db, process, TestTenant, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};

const MESSAGES_PER_PROVIDER: usize = 50;
const KILLS: usize = 5;
const WA_ID: &str = "34600000000";
const PNID: &str = "106540352242922";
const MESSAGE: &str = "query($id: ID!) { message(id: $id) { status channel { provider } attempts { number outcome startedAt durationMs } } }";

/// A port that was free a moment ago, so every restart listens where the fakes call back.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn login(http: &reqwest::Client, base: &str, email: &str, password: &str) -> Session {
    let answer = Gql::new(http.clone(), format!("{base}/graphql"), None)
        .query(
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { id } } }",
            json!({ "e": email, "p": password }),
        )
        .await;
    let login = answer.data()["login"].clone();
    let token = login["accessToken"].as_str().unwrap().to_owned();
    Session {
        gql: Gql::new(http.clone(), format!("{base}/graphql"), Some(token.clone())),
        access_token: token,
        refresh_token: login["refreshToken"].as_str().unwrap().to_owned(),
        user_id: login["user"]["id"].as_str().unwrap().to_owned(),
    }
}

#[tokio::test]
async fn sigkilled_servers_lose_no_message_and_duplicate_only_unreconciled_meta_sends() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = db::provision(dir.path()).await;
    let twilio = FakeTwilio::spawn().await.unwrap();
    let meta = FakeMeta::spawn().await;
    let listen = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{listen}");
    let env: Vec<(&str, &str)> = vec![
        ("SWITCHBOARD_LISTEN", &listen),
        ("SWITCHBOARD_ADMIN_EMAIL", ADMIN_EMAIL),
        ("SWITCHBOARD_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("SWITCHBOARD_TWILIO_API_URL", twilio.base_url()),
        ("SWITCHBOARD_TWILIO_CONTENT_URL", twilio.base_url()),
        ("SWITCHBOARD_TWILIO_MESSAGING_URL", twilio.base_url()),
        ("SWITCHBOARD_META_GRAPH_URL", meta.base_url()),
        ("SWITCHBOARD_PROVIDER_TIMEOUT", "1"),
        ("SWITCHBOARD_OUTBOX_LEASE_SECONDS", "2"),
        ("SWITCHBOARD_OUTBOX_STATUS_GRACE_SECONDS", "2"),
    ];
    let started = std::time::Instant::now();
    let mut server = process::serve(dir.path(), &database_url, &env).await;
    let http = reqwest::Client::new();

    // A tenant with a Twilio and a Meta channel, each with an open conversation.
    let admin = login(&http, &base, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let tenant_id = admin
        .gql
        .query(
            "mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }",
            json!({ "i": { "name": "Acme", "ownerEmail": "owner@acme.test", "ownerPassword": PASSWORD } }),
        )
        .await
        .data()["createTenant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tenant = TestTenant {
        id: tenant_id,
        owner: login(&http, &base, "owner@acme.test", PASSWORD).await,
        owner_email: "owner@acme.test".into(),
    };
    let account = twilio.add_account("Acme", SENDER);
    let twilio_channel = create_channel(
        &tenant,
        json!({ "name": "Support", "provider": "TWILIO", "phoneNumber": SENDER,
                "twilio": { "accountSid": account.sid, "authToken": account.auth_token } }),
    )
    .await;
    meta.set_app_secret(META_APP_SECRET);
    meta.add_phone_number(FakePhoneNumber::new(PNID, "102290129340398", META_TOKEN));
    let meta_channel = create_channel(&tenant, meta_input("+15550783881", PNID)).await;
    for channel in [&twilio_channel, &meta_channel] {
        // Slow enough that kills find sends in flight; retries to spare for interruptions.
        tenant
            .owner
            .gql
            .query("mutation($id: ID!) { updateChannel(id: $id, input: { settings: { messagesPerSecond: 8, maxRetries: 5, retryWaitSeconds: 1 } }) { id } }", json!({ "id": channel["id"] }))
            .await
            .data();
    }
    let twilio_hook = twilio_channel["webhookUrl"].as_str().unwrap().to_owned();
    let meta_hook = meta_channel["webhookUrl"].as_str().unwrap().to_owned();
    twilio
        .deliver_inbound(
            &twilio_hook,
            &account.auth_token,
            &InboundParams::text(&account.sid, CUSTOMER, SENDER, "hi"),
        )
        .await
        .unwrap();
    meta.deliver_inbound(&meta_hook, PNID, &FakeInbound::text(WA_ID, "help"))
        .await
        .unwrap();
    meta.set_webhook_url(Some(&meta_hook));
    // A status refused by a dead server is retried a little, so some land after a restart
    // and some are lost.
    meta.set_webhook_retries(3);
    let mut conversation_of = HashMap::new();
    for c in conversations(&tenant).await.as_array().unwrap() {
        conversation_of.insert(
            c["node"]["channel"]["id"].as_str().unwrap().to_owned(),
            c["node"]["id"].as_str().unwrap().to_owned(),
        );
    }

    // Every send waits before its answer (already accepted), some also before the provider
    // creates anything, so a kill finds both kinds in flight.
    // Twilio's callbacks are lost too (it barely retries them), so only the lookup can
    // settle a Twilio send cut off by a kill.
    twilio.configure(|s| {
        s.answer_delay = Duration::from_millis(300);
        s.status_callbacks = false;
    });
    twilio.delay_next(Duration::from_millis(250), 1000);
    meta.set_answer_delay(Duration::from_millis(300));
    meta.delay_next(Duration::from_millis(250), 1000);

    let mut provider_of: HashMap<String, &str> = HashMap::new();
    for i in 0..MESSAGES_PER_PROVIDER {
        for (channel, provider) in [(&twilio_channel, "TWILIO"), (&meta_channel, "META")] {
            let conversation = &conversation_of[channel["id"].as_str().unwrap()];
            let sent = tenant
                .owner
                .gql
                .query(
                    "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id status } }",
                    json!({ "i": { "conversationId": conversation, "content": { "text": { "body": format!("crash test {provider} #{i}") } } } }),
                )
                .await;
            provider_of.insert(
                sent.data()["sendMessage"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                provider,
            );
        }
    }
    assert_eq!(provider_of.len(), 2 * MESSAGES_PER_PROVIDER);

    let mut in_flight_at_kills = 0;
    for _ in 0..KILLS {
        let pause = rand::thread_rng().gen_range(200..900);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while twilio.in_flight() + meta.in_flight() == 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        in_flight_at_kills += twilio.in_flight() + meta.in_flight();
        server.child.kill().await.expect("SIGKILL");
        server = process::serve(dir.path(), &database_url, &env).await;
    }

    // Let the last server finish: every message out of QUEUED and every job ended (its
    // last attempt is a final one), so no send is still cut off or waiting.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(45);
    let mut finals: HashMap<String, serde_json::Value> = HashMap::new();
    loop {
        for id in provider_of.keys() {
            if finals.contains_key(id) {
                continue;
            }
            let message = tenant
                .owner
                .gql
                .query(MESSAGE, json!({ "id": id }))
                .await
                .data()["message"]
                .clone();
            let last = message["attempts"]
                .as_array()
                .and_then(|a| a.last())
                .map(|a| a["outcome"].as_str().unwrap_or_default().to_owned());
            let ended = matches!(
                last.as_deref(),
                Some("SENT" | "RECONCILED" | "SKIPPED" | "FAILED")
            );
            if message["status"] != "QUEUED" && ended {
                finals.insert(id.clone(), message);
            }
        }
        if finals.len() == provider_of.len() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} messages not finished",
            provider_of.len() - finals.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let mut at_fake: HashMap<String, usize> = HashMap::new();
    for m in twilio.messages() {
        let url = m.status_callback.unwrap_or_default();
        if let Some((_, id)) = url.split_once("sb_message=") {
            *at_fake.entry(id.to_owned()).or_default() += 1;
        }
    }
    for m in meta.sent_messages() {
        if let Some(id) = m.correlation {
            *at_fake.entry(id).or_default() += 1;
        }
    }
    let mut outcomes: HashMap<String, usize> = HashMap::new();
    let mut duplicates = 0;
    let mut settled_by_status = 0;
    for (id, provider) in &provider_of {
        let message = &finals[id];
        assert!(
            ["SENT", "DELIVERED", "READ"].contains(&message["status"].as_str().unwrap()),
            "{id} ended {message}"
        );
        assert_eq!(message["channel"]["provider"], *provider);
        let attempts: Vec<&str> = message["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["outcome"].as_str().unwrap())
            .collect();
        for outcome in &attempts {
            *outcomes.entry((*outcome).to_owned()).or_default() += 1;
        }
        if attempts.contains(&"SKIPPED") {
            settled_by_status += 1;
        }
        assert!(
            !attempts.contains(&"IN_FLIGHT"),
            "{id}: a call without an outcome: {attempts:?}"
        );
        let times = at_fake.get(id).copied().unwrap_or(0);
        assert!(times >= 1, "{id} never reached {provider}: {attempts:?}");
        if times > 1 {
            duplicates += 1;
            // Only a request cut off by a kill that nothing could reconcile is sent twice.
            assert_eq!(*provider, "META", "{id} duplicated: {attempts:?}");
            assert_eq!(times, 2, "{id}: {attempts:?}");
            assert!(
                attempts.contains(&"INTERRUPTED") && attempts.contains(&"UNRECONCILED"),
                "{id} duplicated without an unreconciled interruption: {attempts:?}"
            );
        }
    }
    let count = |o: &str| outcomes.get(o).copied().unwrap_or(0);
    println!("crash test attempt outcomes: {outcomes:?}");
    println!(
        "crash test ({}): kills={KILLS} requests_in_flight_at_fakes_at_kills={in_flight_at_kills} interrupted={} reconciled_by_lookup={} settled_by_status={settled_by_status} not_found_resent={} unreconciled_resent={} duplicates={duplicates} (twilio 0) elapsed={:.1}s",
        if db::on_postgres() { "postgres" } else { "sqlite" },
        count("INTERRUPTED"),
        count("RECONCILED"),
        count("NOT_FOUND"),
        count("UNRECONCILED"),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(finals.len(), 2 * MESSAGES_PER_PROVIDER, "none lost");
    assert!(in_flight_at_kills > 0, "no kill found a send in flight");
    assert!(count("INTERRUPTED") > 0, "no send was cut off");
    assert!(duplicates <= count("UNRECONCILED"));
    server.child.kill().await.ok();
}

const RECIPIENTS_PER_CAMPAIGN: usize = 300;
const CAMPAIGN_KILLS: usize = 4;
const CAMPAIGN: &str = "query($id: ID!) { campaign(id: $id) { state counts { total pending queued sent failed skipped } } }";
const RECIPIENTS: &str = "query($id: ID!, $after: String) { campaign(id: $id) { recipients(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { phone state message { id status createdAt channel { provider } attempts { outcome } } } } } } }";
const OUTBOUND: &str = "query($c: ID!, $after: String) { messages(filter: { channelId: $c, direction: OUTBOUND }, first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }";
const FINAL_OUTCOMES: [&str; 4] = ["SENT", "RECONCILED", "SKIPPED", "FAILED"];

/// Every node of a connection at `path` (`campaign.recipients`, `messages`), page by page.
async fn all_nodes(
    session: &Session,
    query: &str,
    vars: serde_json::Value,
    path: &[&str],
) -> Vec<serde_json::Value> {
    let mut nodes = Vec::new();
    let mut after = serde_json::Value::Null;
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

/// A template on `channel` that the provider approved; answers its id.
async fn approved_template(
    tenant: &TestTenant,
    channel: &serde_json::Value,
    twilio: &FakeTwilio,
    meta: &FakeMeta,
) -> String {
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
        twilio.set_approval(&provider_id, "approved", "");
        owner
            .query(
                "mutation($c: ID!) { syncTemplates(channelId: $c) { id } }",
                json!({ "c": channel["id"] }),
            )
            .await
            .data();
    } else {
        meta.review_template(&provider_id, "APPROVED", None)
            .await
            .unwrap();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let status = owner
            .query(
                "query($id: ID!) { template(id: $id) { status } }",
                json!({ "id": id }),
            )
            .await
            .data()["template"]["status"]
            .clone();
        if status == "APPROVED" {
            return id;
        }
        assert!(tokio::time::Instant::now() < deadline, "template {status}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn sigkilled_servers_finish_campaigns_and_message_each_recipient_once() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = db::provision(dir.path()).await;
    let twilio = FakeTwilio::spawn().await.unwrap();
    let meta = FakeMeta::spawn().await;
    let listen = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{listen}");
    let env: Vec<(&str, &str)> = vec![
        ("SWITCHBOARD_LISTEN", &listen),
        ("SWITCHBOARD_ADMIN_EMAIL", ADMIN_EMAIL),
        ("SWITCHBOARD_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("SWITCHBOARD_TWILIO_API_URL", twilio.base_url()),
        ("SWITCHBOARD_TWILIO_CONTENT_URL", twilio.base_url()),
        ("SWITCHBOARD_TWILIO_MESSAGING_URL", twilio.base_url()),
        ("SWITCHBOARD_META_GRAPH_URL", meta.base_url()),
        ("SWITCHBOARD_PROVIDER_TIMEOUT", "1"),
        ("SWITCHBOARD_OUTBOX_LEASE_SECONDS", "2"),
        ("SWITCHBOARD_OUTBOX_STATUS_GRACE_SECONDS", "2"),
    ];
    let started = std::time::Instant::now();
    let mut server = process::serve(dir.path(), &database_url, &env).await;
    let http = reqwest::Client::new();

    // A tenant with a Twilio and a Meta channel, each with an approved template.
    let admin = login(&http, &base, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let tenant_id = admin
        .gql
        .query(
            "mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }",
            json!({ "i": { "name": "Acme", "ownerEmail": "owner@acme.test", "ownerPassword": PASSWORD } }),
        )
        .await
        .data()["createTenant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tenant = TestTenant {
        id: tenant_id,
        owner: login(&http, &base, "owner@acme.test", PASSWORD).await,
        owner_email: "owner@acme.test".into(),
    };
    let account = twilio.add_account("Acme", SENDER);
    let twilio_channel = create_channel(
        &tenant,
        json!({ "name": "Support", "provider": "TWILIO", "phoneNumber": SENDER,
                "twilio": { "accountSid": account.sid, "authToken": account.auth_token } }),
    )
    .await;
    meta.set_app_secret(META_APP_SECRET);
    meta.add_phone_number(FakePhoneNumber::new(PNID, "102290129340398", META_TOKEN));
    let meta_channel = create_channel(&tenant, meta_input("+15550783881", PNID)).await;
    meta.set_webhook_url(Some(meta_channel["webhookUrl"].as_str().unwrap()));
    meta.set_webhook_retries(3);

    // Two campaigns at once, one per provider, each fed to the outbox in batches of at most
    // its window (twice the channel's rate), each recipient with their own variables.
    let mut campaigns = Vec::new();
    for (prefix, channel) in [("+3461", &twilio_channel), ("+3462", &meta_channel)] {
        tenant
            .owner
            .gql
            .query("mutation($id: ID!) { updateChannel(id: $id, input: { settings: { messagesPerSecond: 25, maxRetries: 5, retryWaitSeconds: 1 } }) { id } }", json!({ "id": channel["id"] }))
            .await
            .data();
        let template = approved_template(&tenant, channel, &twilio, &meta).await;
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
        let id = created.data()["createCampaign"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        campaigns.push((
            id,
            channel["id"].as_str().unwrap().to_owned(),
            channel["provider"].as_str().unwrap().to_owned(),
        ));
    }

    // As in the plain crash test: slow answers, some slow before the provider creates
    // anything, and no Twilio callbacks, so kills cut off sends of both kinds.
    twilio.configure(|s| {
        s.answer_delay = Duration::from_millis(300);
        s.status_callbacks = false;
    });
    twilio.delay_next(Duration::from_millis(250), 300);
    meta.set_answer_delay(Duration::from_millis(300));
    meta.delay_next(Duration::from_millis(250), 300);
    for (id, _, _) in &campaigns {
        let started = tenant
            .owner
            .gql
            .query(
                "mutation($id: ID!) { startCampaign(id: $id) { state } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(started.data()["startCampaign"]["state"], "RUNNING");
    }

    let running_at = started.elapsed().as_secs_f64();

    // Kill while the dispatchers still have recipients to queue and sends are in flight.
    let mut in_flight_at_kills = 0;
    let mut pending_at_kills = Vec::new();
    for _ in 0..CAMPAIGN_KILLS {
        let pause = rand::thread_rng().gen_range(400..2400);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while twilio.in_flight() + meta.in_flight() == 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut pending = 0;
        for (id, _, _) in &campaigns {
            let c = tenant.owner.gql.query(CAMPAIGN, json!({ "id": id })).await;
            pending += c.data()["campaign"]["counts"]["pending"].as_u64().unwrap();
        }
        in_flight_at_kills += twilio.in_flight() + meta.in_flight();
        server.child.kill().await.expect("SIGKILL");
        pending_at_kills.push(pending);
        server = process::serve(dir.path(), &database_url, &env).await;
    }
    let kills_done = started.elapsed().as_secs_f64();

    // The last server finishes: both campaigns COMPLETED (watched cheaply), then every
    // message's job ended, so no send is still cut off or waiting.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(45);
    for (id, _, _) in &campaigns {
        loop {
            let c = tenant.owner.gql.query(CAMPAIGN, json!({ "id": id })).await;
            let c = c.data()["campaign"].clone();
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
    let completed_at = started.elapsed().as_secs_f64();
    let mut recipients_of = Vec::new();
    for (id, _, _) in &campaigns {
        loop {
            let recipients = all_nodes(
                &tenant.owner,
                RECIPIENTS,
                json!({ "id": id }),
                &["campaign", "recipients"],
            )
            .await;
            let unfinished = recipients
                .iter()
                .filter(|r| {
                    let last = r["message"]["attempts"]
                        .as_array()
                        .and_then(|a| a.last())
                        .map(|a| a["outcome"].as_str().unwrap_or_default());
                    r["message"]["status"] == "QUEUED"
                        || !last.is_some_and(|o| FINAL_OUTCOMES.contains(&o))
                })
                .count();
            if unfinished == 0 {
                recipients_of.push(recipients);
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{unfinished} recipients unfinished"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    // What reached the fakes, by our message id, and to whom.
    let mut at_fake: HashMap<String, Vec<String>> = HashMap::new();
    for m in twilio.messages() {
        let url = m.status_callback.unwrap_or_default();
        if let Some((_, id)) = url.split_once("sb_message=") {
            let to = m.to.trim_start_matches("whatsapp:").to_owned();
            at_fake.entry(id.to_owned()).or_default().push(to);
        }
    }
    for m in meta.sent_messages() {
        if let Some(id) = m.correlation {
            at_fake.entry(id).or_default().push(format!("+{}", m.to));
        }
    }

    let mut outcomes: HashMap<String, usize> = HashMap::new();
    let mut duplicates: HashMap<&str, usize> = HashMap::new();
    let mut batches = Vec::new();
    for ((_, channel, provider), recipients) in campaigns.iter().zip(&recipients_of) {
        assert_eq!(recipients.len(), RECIPIENTS_PER_CAMPAIGN);
        // One message per recipient, and no other message on the channel.
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
        batches.push(created.len());

        for r in recipients {
            assert_eq!(r["state"], "QUEUED", "{r}");
            let message = &r["message"];
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
                *outcomes.entry((*outcome).to_owned()).or_default() += 1;
            }
            let sent_to = at_fake
                .get(message["id"].as_str().unwrap())
                .cloned()
                .unwrap_or_default();
            assert!(!sent_to.is_empty(), "{r} never reached {provider}");
            assert!(
                sent_to.iter().all(|to| to == r["phone"].as_str().unwrap()),
                "{r} went to {sent_to:?}"
            );
            if sent_to.len() > 1 {
                *duplicates.entry(provider.as_str()).or_default() += 1;
                // Only a request cut off by a kill that nothing could reconcile goes twice.
                assert_eq!(provider, "META", "{r} duplicated: {attempts:?}");
                assert_eq!(sent_to.len(), 2, "{r}: {attempts:?}");
                assert!(
                    attempts.contains(&"INTERRUPTED") && attempts.contains(&"UNRECONCILED"),
                    "{r} duplicated without an unreconciled interruption: {attempts:?}"
                );
            }
        }
    }
    let count = |o: &str| outcomes.get(o).copied().unwrap_or(0);
    let duplicated = duplicates.values().sum::<usize>();
    println!("campaign crash test attempt outcomes: {outcomes:?}");
    println!(
        "campaign crash test ({}): recipients={} kills={CAMPAIGN_KILLS} pending_at_kills={pending_at_kills:?} requests_in_flight_at_fakes_at_kills={in_flight_at_kills} batches(twilio, meta)={batches:?} interrupted={} reconciled_by_lookup={} not_found_resent={} unreconciled_resent={} duplicates={duplicated} (twilio {}) started_at={running_at:.1}s last_restart_at={kills_done:.1}s completed_at={completed_at:.1}s elapsed={:.1}s",
        if db::on_postgres() { "postgres" } else { "sqlite" },
        2 * RECIPIENTS_PER_CAMPAIGN,
        count("INTERRUPTED"),
        count("RECONCILED"),
        count("NOT_FOUND"),
        count("UNRECONCILED"),
        duplicates.get("TWILIO").copied().unwrap_or(0),
        started.elapsed().as_secs_f64()
    );
    assert!(
        pending_at_kills.iter().any(|p| *p > 0),
        "no kill came while recipients were pending"
    );
    assert!(in_flight_at_kills > 0, "no kill found a send in flight");
    assert!(
        batches.iter().all(|b| *b > 1),
        "each campaign went in several batches"
    );
    assert!(count("INTERRUPTED") > 0, "no send was cut off");
    assert!(duplicated <= count("UNRECONCILED"));
    server.child.kill().await.ok();
}
