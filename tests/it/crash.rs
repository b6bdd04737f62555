//! Crashes: the real binary as a child process, killed with SIGKILL while sends are in
//! flight, restarted on the same database each time. No message is lost, and a message
//! reaches a provider twice only when its request was cut off by a kill and could not be
//! reconciled (Meta has no lookup and its status did not come within the grace). Campaigns
//! killed while their recipients are being queued finish, each recipient messaged once but
//! for that same exception.

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt;
use rand::Rng;
use serde_json::json;
use switchboard::fakes::meta::{FakeInbound, FakeMeta, FakePhoneNumber};
use switchboard::fakes::twilio::{FakeTwilio, InboundParams};

use crate::support::campaign_run::{self, Rig, RECIPIENTS_PER_CAMPAIGN};
use crate::support::fixtures::{
    conversations, create_channel, meta_input, CUSTOMER, META_APP_SECRET, META_TOKEN, SENDER,
};
use crate::support::process::{self, free_port, login};
use crate::support::{db, TestTenant, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};

const MESSAGES_PER_PROVIDER: usize = 50;
const KILLS: usize = 5;
const WA_ID: &str = "34600000000";
const PNID: &str = "106540352242922";
const MESSAGE: &str = "query($id: ID!) { message(id: $id) { status channel { provider } attempts { number outcome startedAt durationMs } } }";

#[tokio::test]
async fn sigkilled_servers_lose_no_message_and_duplicate_only_unreconciled_meta_sends() {
    let dir = tempfile::tempdir().unwrap();
    let database = db::provision(dir.path()).await;
    let database_url = database.url.clone();
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

    // Queued many at a time, so queuing is over long before sending is, however slow the
    // machine: the kills must find sends still to do.
    let sends = (0..MESSAGES_PER_PROVIDER).flat_map(|i| {
        [(&twilio_channel, "TWILIO"), (&meta_channel, "META")]
            .into_iter()
            .map(move |(channel, provider)| (i, channel, provider))
    });
    let provider_of: HashMap<String, &str> = futures::stream::iter(sends)
        .map(|(i, channel, provider)| {
            let conversation = conversation_of[channel["id"].as_str().unwrap()].clone();
            let gql = tenant.owner.gql.clone();
            async move {
                let sent = gql
                    .query(
                        "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id status } }",
                        json!({ "i": { "conversationId": conversation, "content": { "text": { "body": format!("crash test {provider} #{i}") } } } }),
                    )
                    .await;
                let id = sent.data()["sendMessage"]["id"].as_str().unwrap().to_owned();
                (id, provider)
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    assert_eq!(provider_of.len(), 2 * MESSAGES_PER_PROVIDER);

    let mut in_flight_at_kills = 0;
    for _ in 0..KILLS {
        let pause = rand::thread_rng().gen_range(200..900);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let deadline = tokio::time::Instant::now() + crate::support::deadline(5);
        while twilio.in_flight() + meta.in_flight() == 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        in_flight_at_kills += twilio.in_flight() + meta.in_flight();
        server.child.kill().await.expect("SIGKILL");
        server = process::serve(dir.path(), &database_url, &env).await;
    }

    // Let the last server finish: every message out of QUEUED and every job ended (its
    // last attempt is a final one), so no send is still cut off or waiting.
    let deadline = tokio::time::Instant::now() + crate::support::deadline(45);
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

const CAMPAIGN_KILLS: usize = 4;

#[tokio::test]
async fn sigkilled_servers_finish_campaigns_and_message_each_recipient_once() {
    let rig = Rig::new().await;
    let listen = format!("127.0.0.1:{}", free_port());
    let started = std::time::Instant::now();
    let mut server = rig.serve(&listen).await;
    let (tenant, campaigns) = rig.campaigns(&format!("http://{listen}")).await;
    rig.meta.set_webhook_retries(3);

    // As in the plain crash test: slow answers, some slow before the provider creates
    // anything, and no Twilio callbacks, so kills cut off sends of both kinds.
    rig.twilio.configure(|s| {
        s.answer_delay = Duration::from_millis(300);
        s.status_callbacks = false;
    });
    rig.twilio.delay_next(Duration::from_millis(250), 300);
    rig.meta.set_answer_delay(Duration::from_millis(300));
    rig.meta.delay_next(Duration::from_millis(250), 300);
    campaign_run::start(&tenant, &campaigns).await;
    let running_at = started.elapsed().as_secs_f64();

    // Kill while the dispatchers still have recipients to queue and sends are in flight.
    let mut in_flight_at_kills = 0;
    let mut pending_at_kills = Vec::new();
    for _ in 0..CAMPAIGN_KILLS {
        let pause = rand::thread_rng().gen_range(400..2400);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let deadline = tokio::time::Instant::now() + crate::support::deadline(5);
        while rig.twilio.in_flight() + rig.meta.in_flight() == 0
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut pending = 0;
        for c in &campaigns {
            let c = campaign_run::campaign(&tenant.owner, &c.id).await;
            pending += c["counts"]["pending"].as_u64().unwrap();
        }
        in_flight_at_kills += rig.twilio.in_flight() + rig.meta.in_flight();
        server.child.kill().await.expect("SIGKILL");
        pending_at_kills.push(pending);
        server = rig.serve(&listen).await;
    }
    let killed_at = started.elapsed().as_secs_f64();

    let recipients_of = campaign_run::finished(&tenant, &campaigns, Duration::from_secs(45)).await;
    let tally =
        campaign_run::check_each_messaged_once(&tenant, &campaigns, &recipients_of, &rig.reached())
            .await;
    let duplicated = tally.duplicated("META") + tally.duplicated("TWILIO");
    println!("campaign crash test attempt outcomes: {:?}", tally.outcomes);
    println!(
        "campaign crash test ({}): recipients={} kills={CAMPAIGN_KILLS} pending_at_kills={pending_at_kills:?} requests_in_flight_at_fakes_at_kills={in_flight_at_kills} batches(twilio, meta)={:?} interrupted={} reconciled_by_lookup={} settled_by_status={} not_found_resent={} unreconciled_resent={} duplicates={duplicated} (twilio {}) started_at={running_at:.1}s last_restart_at={killed_at:.1}s elapsed={:.1}s",
        if db::on_postgres() { "postgres" } else { "sqlite" },
        2 * RECIPIENTS_PER_CAMPAIGN,
        tally.batches,
        tally.count("INTERRUPTED"),
        tally.count("RECONCILED"),
        tally.count("SKIPPED"),
        tally.count("NOT_FOUND"),
        tally.count("UNRECONCILED"),
        tally.duplicated("TWILIO"),
        started.elapsed().as_secs_f64()
    );
    assert!(
        pending_at_kills.iter().any(|p| *p > 0),
        "no kill came while recipients were pending"
    );
    assert!(in_flight_at_kills > 0, "no kill found a send in flight");
    assert!(
        tally.batches.iter().all(|b| *b > 1),
        "each campaign went in several batches"
    );
    assert!(tally.count("INTERRUPTED") > 0, "no send was cut off");
    assert_eq!(tally.duplicated("TWILIO"), 0);
    assert!(duplicated <= tally.count("UNRECONCILED"));
    server.child.kill().await.ok();
}
