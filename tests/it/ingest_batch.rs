//! The ingest writer stores many webhooks per transaction and acknowledges each only once
//! its batch has committed. A webhook that fails in its batch fails alone; through
//! SIGKILLs during a flood, every acknowledged webhook is stored, and the provider's
//! retries store each message once.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use sea_orm::ConnectionTrait;
use serde_json::json;
use switchboard::fakes::meta::{hub_signature, meta_json};
use switchboard::fakes::twilio::{FakeTwilio, InboundParams};
use switchboard::store::Store;

use crate::support::campaign_run::Rig;
use crate::support::db::hold_writes;
use crate::support::fixtures::{
    create_channel, default_meta_channel, meta_inbound, twilio_channel, META_APP_SECRET,
    META_NUMBER, META_PHONE_NUMBER_ID, SENDER,
};
use crate::support::process::free_port;
use crate::support::{db, deadline, eventually, metric, TestApp};

fn customer(n: usize) -> String {
    format!("+3462{n:07}")
}

/// The first column of every row `sql` answers, as text.
async fn column(store: &Store, sql: &str) -> Vec<String> {
    let db = store.connection();
    let rows = db
        .query_all(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

/// Makes storing any message whose text mentions "poison" fail in the database.
async fn poison(store: &Store) {
    let db = store.connection();
    let statements: &[&str] = if db::on_postgres() {
        &[
            "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN IF NEW.text LIKE '%poison%' THEN RAISE EXCEPTION 'poisoned'; END IF; \
             RETURN NEW; END $$",
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON messages \
             FOR EACH ROW EXECUTE FUNCTION refuse_poison()",
        ]
    } else {
        &["CREATE TRIGGER refuse_poison BEFORE INSERT ON messages \
           WHEN NEW.text LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'poisoned'); END"]
    };
    for sql in statements {
        db.execute_unprepared(sql).await.unwrap();
    }
}

async fn cure(store: &Store) {
    let sql = if db::on_postgres() {
        "DROP TRIGGER refuse_poison ON messages"
    } else {
        "DROP TRIGGER refuse_poison"
    };
    store.connection().execute_unprepared(sql).await.unwrap();
}

#[tokio::test]
async fn a_webhook_that_fails_in_its_batch_fails_alone() {
    const WEBHOOKS: usize = 40;
    const POISONED: usize = 17;
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    let admin = Store::connect(&app.database_url).await.unwrap();
    poison(&admin).await;

    // All at once, so they queue for the writer and share batches.
    let params: Vec<InboundParams> = (0..WEBHOOKS)
        .map(|n| {
            let text = if n == POISONED {
                "a poison pill".to_owned()
            } else {
                format!("hello {n}")
            };
            InboundParams::text(&channel.account.sid, &customer(n), SENDER, &text)
        })
        .collect();
    let answers = futures::future::join_all(params.iter().map(|p| {
        app.twilio
            .deliver_inbound(&channel.webhook, &channel.account.auth_token, p)
    }))
    .await;
    for (n, answer) in answers.into_iter().enumerate() {
        let status = answer.unwrap().status;
        let expected = if n == POISONED { 503 } else { 200 };
        assert_eq!(status, expected, "webhook {n}");
    }

    // Every other message is stored; nothing of the poisoned one, not even its contact.
    let texts = column(&admin, "SELECT text FROM messages").await;
    assert_eq!(texts.len(), WEBHOOKS - 1, "{texts:?}");
    assert!(!texts.iter().any(|t| t.contains("poison")));
    let phones = column(&admin, "SELECT phone_number FROM contacts").await;
    assert_eq!(phones.len(), WEBHOOKS - 1);
    assert!(!phones.contains(&customer(POISONED)));

    // The provider delivers it again once storage takes it: stored, the others untouched.
    cure(&admin).await;
    let again = app
        .twilio
        .deliver_inbound(
            &channel.webhook,
            &channel.account.auth_token,
            &params[POISONED],
        )
        .await
        .unwrap();
    assert_eq!(again.status, 200);
    let texts = column(&admin, "SELECT text FROM messages").await;
    assert_eq!(texts.len(), WEBHOOKS);
    assert_eq!(texts.iter().filter(|t| t.contains("poison")).count(), 1);
}

/// Texts of the flood's messages stored so far, with how often each is.
async fn stored(store: &Store) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for text in column(store, "SELECT text FROM messages WHERE text LIKE 'flood %'").await {
        *counts.entry(text).or_default() += 1;
    }
    counts
}

/// The flood's shared state: where it goes and what was acknowledged.
struct Flood<'a> {
    twilio: &'a FakeTwilio,
    url: String,
    sid: String,
    auth: String,
    acked: Mutex<HashSet<String>>,
    retries: Mutex<usize>,
}

impl Flood<'_> {
    /// One sender: its customer's webhooks in order, each delivered again until
    /// acknowledged, as providers do.
    async fn send(&self, from: usize, texts: Vec<String>) {
        for text in texts {
            let params = InboundParams::text(&self.sid, &customer(from), SENDER, &text);
            loop {
                match self
                    .twilio
                    .deliver_inbound(&self.url, &self.auth, &params)
                    .await
                {
                    Ok(answer) if answer.status == 200 => break,
                    _ => {
                        *self.retries.lock().unwrap() += 1;
                        // The server is down or restarting: a provider's pause between tries.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
            self.acked.lock().unwrap().insert(text);
        }
    }

    fn acked(&self) -> HashSet<String> {
        self.acked.lock().unwrap().clone()
    }
}

#[tokio::test]
async fn every_acknowledged_webhook_is_stored_through_kills_during_a_flood() {
    const SENDERS: usize = 16;
    const PER_SENDER: usize = 40;
    const KILLS: usize = 3;
    let total = SENDERS * PER_SENDER;
    let rig = Rig::new().await;
    let listen = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{listen}");
    let mut server = rig.serve(&listen).await;
    let tenant = rig.tenant(&base).await;
    let account = rig.twilio.add_account("Acme", SENDER);
    let channel = create_channel(
        &tenant,
        json!({ "name": "Support", "provider": "TWILIO", "phoneNumber": SENDER,
                "twilio": { "accountSid": account.sid, "authToken": account.auth_token } }),
    )
    .await;
    let url = channel["webhookUrl"].as_str().unwrap().to_owned();
    let admin = Store::connect(&rig.database_url).await.unwrap();

    let flood = Flood {
        twilio: &rig.twilio,
        url,
        sid: account.sid.clone(),
        auth: account.auth_token.clone(),
        acked: Mutex::default(),
        retries: Mutex::default(),
    };
    let senders = futures::future::join_all((0..SENDERS).map(|s| {
        let texts = (0..PER_SENDER).map(|i| format!("flood {s}-{i}")).collect();
        flood.send(s, texts)
    }));
    let kills = async {
        let mut at_kills = Vec::new();
        for kill in 1..=KILLS {
            let target = total * kill / (KILLS + 1);
            eventually(
                120,
                "the flood is acknowledged up to the next kill",
                || async { flood.acked.lock().unwrap().len() },
                |n| *n >= target,
            )
            .await;
            server.child.start_kill().unwrap();
            server.child.wait().await.unwrap();
            // Whatever was acknowledged before the kill is stored, before any retry.
            let before = flood.acked();
            let kept = stored(&admin).await;
            let lost: Vec<&String> = before.iter().filter(|t| !kept.contains_key(*t)).collect();
            assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
            at_kills.push((before.len(), kept.len()));
            server = rig.serve(&listen).await;
        }
        at_kills
    };
    let (_, at_kills) = tokio::time::timeout(deadline(300), async { tokio::join!(senders, kills) })
        .await
        .expect("the flood is acknowledged in full");

    let kept = stored(&admin).await;
    assert_eq!(kept.len(), total, "every webhook stored");
    let twice: Vec<_> = kept.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "stored more than once: {twice:?}");

    // Many webhooks to a transaction: this life of the server stored the rest of the flood
    // in fewer transactions than events.
    let (events, batches) = (
        metric(&rig.http, &listen, "switchboard_ingest_batch_events_sum").await,
        metric(&rig.http, &listen, "switchboard_ingest_batch_events_count").await,
    );
    assert!(
        events > batches,
        "{events} events in {batches} transactions"
    );
    println!(
        "ingest flood: {total} webhooks from {SENDERS} senders; acknowledged/stored at each of \
         {KILLS} kills {at_kills:?}; {} deliveries tried again; last life {events} events in \
         {batches} transactions",
        flood.retries.lock().unwrap()
    );
}

/// A signed Meta notification of one text message, with its id and time chosen.
fn meta_text(from: &str, name: &str, wamid: &str, at: i64, text: &str) -> (Vec<u8>, String) {
    let payload = json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "102290129340398", "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": &META_NUMBER[1..],
                          "phone_number_id": META_PHONE_NUMBER_ID },
            "contacts": [{ "profile": { "name": name }, "wa_id": from }],
            "messages": [{ "from": from, "id": wamid, "timestamp": at.to_string(),
                           "type": "text", "text": { "body": text } }]
        } }] }]
    });
    let body = meta_json(&payload);
    let signature = hub_signature(META_APP_SECRET, &body);
    (body, signature)
}

/// Posts a signed Meta notification; answers its status.
async fn post_meta(
    http: &reqwest::Client,
    url: &str,
    (body, signature): &(Vec<u8>, String),
) -> u16 {
    let answer = http
        .post(url)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    answer.status().as_u16()
}

/// Delivers `webhooks` in their order while the writer is held, each once the one
/// before is queued, then lets the writer go: they are stored in a batch or two.
/// Answers their statuses.
async fn deliver_held(app: &TestApp, url: &str, webhooks: &[(Vec<u8>, String)]) -> Vec<u16> {
    let listen = app.addr.to_string();
    let queued = || metric(&app.http, &listen, "switchboard_ingest_queued_webhooks");
    let held = hold_writes(&app.database_url).await;
    let mut answers = Vec::new();
    for (n, webhook) in webhooks.iter().enumerate() {
        let (http, url, webhook) = (app.http.clone(), url.to_owned(), webhook.clone());
        answers.push(tokio::spawn(async move {
            post_meta(&http, &url, &webhook).await
        }));
        eventually(20, "the webhook is queued", queued, |q| {
            *q == (n + 1) as f64
        })
        .await;
    }
    held.rollback().await.unwrap();
    let mut statuses = Vec::new();
    for answer in answers {
        statuses.push(answer.await.unwrap());
    }
    statuses
}

/// Each conversation's message texts, oldest first, by the customer's WhatsApp id.
async fn texts_by_customer(store: &Store) -> HashMap<String, Vec<String>> {
    let rows = column(
        store,
        "SELECT c.wa_id || ':' || m.text FROM messages m JOIN contacts c ON c.id = m.contact_id \
         ORDER BY m.id",
    )
    .await;
    let mut texts: HashMap<String, Vec<String>> = HashMap::new();
    for row in rows {
        let (wa_id, text) = row.split_once(':').unwrap();
        texts
            .entry(wa_id.to_owned())
            .or_default()
            .push(text.to_owned());
    }
    texts
}

#[tokio::test]
async fn messages_stored_together_end_as_if_stored_one_by_one() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let admin = Store::connect(&app.database_url).await.unwrap();
    let (a, b, c, d) = ("34611000001", "34611000002", "34611000003", "34611000004");
    let t = chrono::Utc::now().timestamp() - 600;
    // A, B and C have a conversation open.
    for (n, from) in [a, b, c].into_iter().enumerate() {
        let opening = meta_text(from, "First", &format!("wamid.OPEN{n}"), t, "hello");
        assert_eq!(post_meta(&app.http, &meta.webhook, &opening).await, 200);
    }
    let listen = app.addr.to_string();
    let transactions = || metric(&app.http, &listen, "switchboard_ingest_batch_events_count");
    let before = transactions().await;

    let webhooks = [
        meta_text(a, "Ana", "wamid.A1", t + 10, "a1"),
        meta_text(b, "Bea", "wamid.B1", t + 20, "b1"),
        // Older than b1, delivered late: it moves no time back, nor B's name.
        meta_text(b, "Old Bea", "wamid.B2", t + 15, "b2"),
        meta_text(a, "Ana", "wamid.A2", t + 12, "a2"),
        // A keyword changes the contact: what comes before it is stored first.
        meta_text(a, "Ana", "wamid.A3", t + 13, "STOP"),
        meta_text(a, "Ana", "wamid.A4", t + 14, "a4"),
        meta_text(c, "Cai", "wamid.C1", t + 30, "c1"),
        // A new customer opens a conversation, then writes in it.
        meta_text(d, "Dan", "wamid.D1", t + 16, "d1"),
        meta_text(d, "Dan", "wamid.D2", t + 17, "d2"),
        // b1 delivered again: stored once.
        meta_text(b, "Bea", "wamid.B1", t + 20, "b1"),
    ];
    let statuses = deliver_held(&app, &meta.webhook, &webhooks).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let after = transactions().await;
    assert!(
        after - before < webhooks.len() as f64,
        "{} transactions for {} webhooks",
        after - before,
        webhooks.len()
    );

    let texts = texts_by_customer(&admin).await;
    assert_eq!(texts[a], ["hello", "a1", "a2", "STOP", "a4"]);
    assert_eq!(texts[b], ["hello", "b1", "b2"]);
    assert_eq!(texts[c], ["hello", "c1"]);
    assert_eq!(texts[d], ["d1", "d2"]);

    let answer = tenant
        .owner
        .gql
        .query(
            "{ conversations(first: 10) { nodes { windowExpiresAt
                 contact { waId profileName optedIn lastInboundAt } } } }",
            json!({}),
        )
        .await;
    let nodes = answer.data()["conversations"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 4, "{nodes:?}");
    let at = |seconds: i64| chrono::DateTime::from_timestamp(seconds, 0).unwrap();
    let time =
        |v: &serde_json::Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    for (from, name, latest, opted_in) in [
        (a, "Ana", t + 14, false),
        (b, "Bea", t + 20, true),
        (c, "Cai", t + 30, true),
        (d, "Dan", t + 17, true),
    ] {
        let node = nodes.iter().find(|n| n["contact"]["waId"] == from).unwrap();
        let contact = &node["contact"];
        assert_eq!(contact["profileName"], name, "{from}");
        assert_eq!(contact["optedIn"], opted_in, "{from}");
        assert_eq!(time(&contact["lastInboundAt"]), at(latest), "{from}");
        assert_eq!(
            time(&node["windowExpiresAt"]),
            at(latest + 24 * 3600),
            "{from}"
        );
    }
}

#[tokio::test]
async fn a_message_that_fails_among_messages_stored_together_fails_alone() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let meta = default_meta_channel(&app, &tenant).await;
    let admin = Store::connect(&app.database_url).await.unwrap();
    let t = chrono::Utc::now().timestamp() - 600;
    let customers = ["34611000001", "34611000002", "34611000003"];
    for (n, from) in customers.into_iter().enumerate() {
        meta_inbound(&app, &meta, from, &format!("hello {n}")).await;
    }
    poison(&admin).await;

    let webhooks: Vec<_> = customers
        .iter()
        .enumerate()
        .map(|(n, from)| {
            let text = if n == 1 { "a poison pill" } else { "fine" };
            meta_text(from, "Ana", &format!("wamid.P{n}"), t + n as i64, text)
        })
        .collect();
    let statuses = deliver_held(&app, &meta.webhook, &webhooks).await;
    assert_eq!(statuses, [200, 503, 200]);
    let texts = texts_by_customer(&admin).await;
    assert_eq!(texts[customers[0]], ["hello 0", "fine"]);
    assert_eq!(texts[customers[1]], ["hello 1"]);
    assert_eq!(texts[customers[2]], ["hello 2", "fine"]);

    // Delivered again once storage takes it: stored, after the others.
    cure(&admin).await;
    assert_eq!(post_meta(&app.http, &meta.webhook, &webhooks[1]).await, 200);
    let texts = texts_by_customer(&admin).await;
    assert_eq!(texts[customers[1]], ["hello 1", "a poison pill"]);
}
