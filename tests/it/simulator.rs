//! `switchboard simulator`: the stand-ins answer Switchboard as the providers would, and a
//! customer's message leaves it as a correctly signed webhook.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::{json, Value};
use switchboard::simulator::demo;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{process, TestApp, TestTenant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) struct Running {
    child: tokio::process::Child,
    pub(crate) control: String,
    pub(crate) twilio: String,
    pub(crate) meta: String,
}

pub(crate) async fn start_simulator(dir: &std::path::Path) -> Running {
    start_simulator_on(dir, [free_port(), free_port(), free_port()], &[]).await
}

/// Starts `simulator run` on the control, Twilio and Meta ports, with more arguments.
async fn start_simulator_on(dir: &std::path::Path, ports: [u16; 3], args: &[&str]) -> Running {
    let [control, twilio, meta] = ports;
    let mut child = process::command(dir)
        .args(["simulator", "run"])
        .args(["--control", &format!("127.0.0.1:{control}")])
        .args(["--twilio", &format!("127.0.0.1:{twilio}")])
        .args(["--meta", &format!("127.0.0.1:{meta}")])
        .args(args)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    tokio::time::timeout(crate::support::deadline(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("Start Switchboard against the stand-ins") {
                return;
            }
        }
        panic!("the simulator exited early");
    })
    .await
    .expect("the simulator starts");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Running {
        child,
        control: format!("http://127.0.0.1:{control}"),
        twilio: format!("http://127.0.0.1:{twilio}"),
        meta: format!("http://127.0.0.1:{meta}"),
    }
}

/// A one-route server that keeps what it receives.
async fn capture() -> (String, Arc<Mutex<Vec<(HeaderMap, Bytes)>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let store = store.clone();
            async move {
                store.lock().unwrap().push((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

/// A server whose provider URLs point at the simulator.
async fn app_on(sim: &Running) -> TestApp {
    let (twilio_url, meta_url) = (sim.twilio.clone(), sim.meta.clone());
    TestApp::spawn_with(move |c| {
        c.twilio_api_url = twilio_url.clone();
        c.twilio_content_url = twilio_url.clone();
        c.twilio_messaging_url = twilio_url;
        c.meta_graph_url = meta_url;
    })
    .await
}

/// The inputs of the demo Twilio and Meta channels, with the names their providers show.
fn demo_channel_inputs() -> [(Value, &'static str); 2] {
    [
        (
            json!({ "name": "Twilio", "provider": "TWILIO", "phoneNumber": demo::TWILIO_SENDER,
                    "twilio": { "accountSid": demo::TWILIO_ACCOUNT_SID, "authToken": demo::TWILIO_AUTH_TOKEN } }),
            "Simulated Twilio account",
        ),
        (
            json!({ "name": "Meta", "provider": "META", "phoneNumber": demo::META_NUMBER,
                    "meta": { "accessToken": demo::META_ACCESS_TOKEN, "appSecret": demo::META_APP_SECRET,
                              "phoneNumberId": demo::META_PHONE_NUMBER_ID, "businessAccountId": demo::META_BUSINESS_ACCOUNT_ID } }),
            "Simulated Business",
        ),
    ]
}

/// The demo Twilio and Meta channels of `tenant` (`id`, `webhookUrl`, …).
async fn demo_channels(tenant: &TestTenant) -> (Value, Value) {
    let [(twilio, _), (meta, _)] = demo_channel_inputs();
    (
        crate::channels::create_channel(tenant, twilio).await,
        crate::channels::create_channel(tenant, meta).await,
    )
}

/// Runs `switchboard simulator ARGS…`; answers whether it succeeded, stdout and stderr.
async fn sim_command(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let output = process::command(dir)
        .arg("simulator")
        .args(args)
        .output()
        .await
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// What the simulator's control API answers at `path` (`/outbox`, `/threads`, …).
async fn control_api<T: serde::de::DeserializeOwned>(
    app: &TestApp,
    sim: &Running,
    path: &str,
) -> T {
    app.http
        .get(format!("{}{path}", sim.control))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// `simulator say` through the running simulator, to `url` as `provider`, with more
/// arguments (`--from`, `--name`, `--text`).
async fn say(
    dir: &std::path::Path,
    sim: &Running,
    provider: &str,
    url: &str,
    more: &[&str],
) -> (bool, String, String) {
    let mut args = vec!["say", "--provider", provider, "--webhook-url", url];
    args.extend_from_slice(more);
    args.extend_from_slice(&["--control", &sim.control]);
    sim_command(dir, &args).await
}

#[tokio::test]
async fn switchboard_verifies_channels_against_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_simulator(dir.path()).await;
    let app = app_on(&sim).await;
    let tenant = app.new_tenant("Acme").await;
    for (input, name) in demo_channel_inputs() {
        let channel = crate::channels::create_channel(&tenant, input).await;
        let verified = tenant
            .owner
            .gql
            .query(
                "mutation($id: ID!) { verifyChannel(id: $id) { verification { displayName } } }",
                json!({ "id": channel["id"] }),
            )
            .await;
        assert_eq!(
            verified.data()["verifyChannel"]["verification"]["displayName"],
            name
        );
    }
    let response = app.http.get(&sim.control).send().await.unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self';"),
        "{csp}"
    );
    let page = response.text().await.unwrap();
    assert!(page.contains("Be the customer"));
    // No inline script or style: the CSP would refuse them.
    assert!(!page.contains("<script>") && !page.contains("<style>") && !page.contains("onclick="));
}

#[tokio::test]
async fn say_delivers_a_signed_webhook_for_each_provider() {
    use switchboard::providers::{Provider, WebhookEvent, WebhookRequest};

    let dir = tempfile::tempdir().unwrap();
    let sim = start_simulator(dir.path()).await;
    let (url, seen) = capture().await;
    for provider in ["twilio", "meta"] {
        let output = process::command(dir.path())
            .args([
                "simulator",
                "say",
                "--provider",
                provider,
                "--webhook-url",
                &url,
            ])
            .args([
                "--from",
                "+34600000000",
                "--name",
                "Ana",
                "--text",
                "Olá 👋",
                "--control",
                &sim.control,
            ])
            .output()
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains("answered 200"));
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);

    let urls = switchboard::config::Config::for_tests(dir.path(), String::new()).provider_urls();
    let http = reqwest::Client::new();
    let twilio = switchboard::providers::twilio::TwilioProvider::new(
        urls.clone(),
        http.clone(),
        switchboard::providers::TwilioCredentials {
            account_sid: demo::TWILIO_ACCOUNT_SID.into(),
            auth_token: switchboard::crypto::Secret::new(demo::TWILIO_AUTH_TOKEN),
            api_key: None,
            messaging_service_sid: None,
            sender: switchboard::domain::PhoneNumber::parse(demo::TWILIO_SENDER).unwrap(),
        },
    );
    let meta = switchboard::providers::meta::MetaProvider::new(
        urls,
        http,
        switchboard::providers::MetaCredentials {
            access_token: switchboard::crypto::Secret::new(demo::META_ACCESS_TOKEN),
            app_secret: switchboard::crypto::Secret::new(demo::META_APP_SECRET),
            phone_number_id: demo::META_PHONE_NUMBER_ID.into(),
            business_account_id: demo::META_BUSINESS_ACCOUNT_ID.into(),
        },
    );
    let providers: [&dyn Provider; 2] = [&twilio, &meta];
    for ((headers, body), provider) in seen.iter().zip(providers) {
        let signature = headers
            .get("x-twilio-signature")
            .or(headers.get("x-hub-signature-256"))
            .map(|v| v.to_str().unwrap().to_owned());
        let request = WebhookRequest {
            url: url.clone(),
            content_type: headers
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned()),
            signature,
            body: body.to_vec(),
        };
        assert!(provider.verify_signature(&request), "{:?}", provider.kind());
        let events = provider.parse_webhook(&request).unwrap();
        let WebhookEvent::MessageReceived(message) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(message.from_wa_id, "34600000000");
        assert_eq!(message.profile_name.as_deref(), Some("Ana"));
    }
}

const TEMPLATE: &str = "query($id: ID!) { template(id: $id) { status rejectionReason } }";

/// Creates `order_update` on `channel`; answers its id.
async fn create_template(tenant: &TestTenant, channel: &Value) -> String {
    let created = tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }",
            json!({ "i": { "channelId": channel["id"], "name": "order_update", "language": "en",
                "category": "UTILITY", "body": "Hi {{1}}, order {{2}} shipped.", "examples": ["Ana", "A-1"] } }),
        )
        .await;
    created.data()["createTemplate"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Waits until the template has `status` over GraphQL; answers it.
async fn template_becomes(tenant: &TestTenant, id: &str, status: &str) -> Value {
    crate::support::eventually(
        10,
        &format!("the template becomes {status}"),
        || async {
            tenant
                .owner
                .gql
                .query(TEMPLATE, json!({ "id": id }))
                .await
                .data()["template"]
                .clone()
        },
        |t| t["status"] == status,
    )
    .await
}

async fn sync_templates(tenant: &TestTenant, channel: &Value) {
    tenant
        .owner
        .gql
        .query(
            "mutation($c: ID!) { syncTemplates(channelId: $c) { id } }",
            json!({ "c": channel["id"] }),
        )
        .await
        .data();
}

/// A campaign of three recipients on `channel` with `template`, started; answers its id.
async fn start_campaign(
    tenant: &TestTenant,
    channel: &Value,
    template: &str,
    prefix: &str,
) -> String {
    let mut csv = String::from("phone,1,2\n");
    for i in 0..3 {
        csv.push_str(&format!("{prefix}{i},Customer {i},A-{i}\n"));
    }
    let created = tenant
        .owner
        .gql
        .query(
            "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
            json!({ "i": { "name": format!("Orders {}", channel["provider"]), "channelId": channel["id"],
                           "templateId": template, "recipientsCsv": csv } }),
        )
        .await;
    let id = created.data()["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let started = tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { startCampaign(id: $id) { state } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(started.data()["startCampaign"]["state"], "RUNNING");
    id
}

/// Waits until the campaign completed with every recipient sent and delivered.
async fn campaign_delivered(tenant: &TestTenant, id: &str) {
    let c = crate::support::eventually(
        30,
        "the campaign completes, delivered",
        || async {
            tenant
                .owner
                .gql
                .query(
                    "query($id: ID!) { campaign(id: $id) { state counts { total sent delivered failed skipped } } }",
                    json!({ "id": id }),
                )
                .await
                .data()["campaign"]
                .clone()
        },
        |c| c["state"] == "COMPLETED" && c["counts"]["delivered"] == 3,
    )
    .await;
    let counts = &c["counts"];
    assert_eq!(
        (
            &counts["total"],
            &counts["sent"],
            &counts["failed"],
            &counts["skipped"]
        ),
        (&json!(3), &json!(3), &json!(0), &json!(0)),
        "{c}"
    );
}

#[tokio::test]
async fn templates_reviewed_at_the_simulator_reach_switchboard_and_a_campaign_goes_out() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_simulator(dir.path()).await;
    let app = app_on(&sim).await;
    let tenant = app.new_tenant("Acme").await;
    let (twilio, meta) = demo_channels(&tenant).await;
    let control = ["--control", sim.control.as_str()];

    let meta_template = create_template(&tenant, &meta).await;
    let twilio_template = create_template(&tenant, &twilio).await;
    tenant
        .owner
        .gql
        .query(
            "mutation($id: ID!) { submitTemplate(id: $id) { status } }",
            json!({ "id": twilio_template }),
        )
        .await
        .data();
    let (ok, listed, _) =
        sim_command(dir.path(), &[&["template", "list"][..], &control].concat()).await;
    assert!(ok);
    assert!(
        listed.contains("meta") && listed.contains("PENDING"),
        "{listed}"
    );
    assert!(
        listed.contains("twilio") && listed.contains("RECEIVED"),
        "{listed}"
    );

    // Meta's review webhook carries the rejection and its reason, then the approval.
    let webhook = meta["webhookUrl"].as_str().unwrap();
    let (ok, out, err) = sim_command(
        dir.path(),
        &[
            &["template", "reject", "order_update", "--provider", "meta"][..],
            &["--reason", "INVALID_FORMAT", "--webhook-url", webhook],
            &control,
        ]
        .concat(),
    )
    .await;
    assert!(ok, "{err}");
    assert!(out.contains("Switchboard answered 200"), "{out}");
    let rejected = template_becomes(&tenant, &meta_template, "REJECTED").await;
    assert_eq!(rejected["rejectionReason"], "INVALID_FORMAT");
    let (ok, _, err) = sim_command(
        dir.path(),
        &[
            &["template", "approve", "order_update", "--provider", "meta"][..],
            &control,
        ]
        .concat(),
    )
    .await;
    assert!(ok, "{err}");
    template_becomes(&tenant, &meta_template, "APPROVED").await;

    // Twilio sends no approval webhook: the next sync sees it.
    let (ok, _, err) = sim_command(
        dir.path(),
        &[
            &[
                "template",
                "approve",
                "order_update",
                "--provider",
                "twilio",
            ][..],
            &control,
        ]
        .concat(),
    )
    .await;
    assert!(ok, "{err}");
    sync_templates(&tenant, &twilio).await;
    template_becomes(&tenant, &twilio_template, "APPROVED").await;

    let (ok, _, err) = sim_command(
        dir.path(),
        &[&["template", "approve", "no_such_template"][..], &control].concat(),
    )
    .await;
    assert!(!ok);
    assert!(err.contains("no template named"), "{err}");

    let campaigns = [
        start_campaign(&tenant, &meta, &meta_template, "+3462000000").await,
        start_campaign(&tenant, &twilio, &twilio_template, "+3461000000").await,
    ];
    for id in &campaigns {
        campaign_delivered(&tenant, id).await;
    }
    let outbox: Vec<Value> = control_api(&app, &sim, "/outbox").await;
    for provider in ["meta", "twilio"] {
        let templates = outbox
            .iter()
            .filter(|m| m["provider"] == provider && m["kind"] == "template")
            .count();
        assert_eq!(templates, 3, "{outbox:?}");
    }
}

#[tokio::test]
async fn auto_approve_approves_submitted_templates_after_the_delay() {
    let dir = tempfile::tempdir().unwrap();
    let ports = [free_port(), free_port(), free_port()];
    // Switchboard's address is known only once it runs: start the simulator after it.
    let urls = (
        format!("http://127.0.0.1:{}", ports[1]),
        format!("http://127.0.0.1:{}", ports[2]),
    );
    let app = TestApp::spawn_with(move |c| {
        c.twilio_api_url = urls.0.clone();
        c.twilio_content_url = urls.0.clone();
        c.twilio_messaging_url = urls.0;
        c.meta_graph_url = urls.1;
    })
    .await;
    let tenant = app.new_tenant("Acme").await;
    let [_, (meta_input, _)] = demo_channel_inputs();
    let probe = crate::channels::create_channel(&tenant, meta_input).await;
    let _sim = start_simulator_on(
        dir.path(),
        ports,
        &[
            "--auto-approve=3",
            "--meta-webhook-url",
            probe["webhookUrl"].as_str().unwrap(),
        ],
    )
    .await;
    let id = create_template(&tenant, &probe).await;
    let pending = tenant
        .owner
        .gql
        .query(TEMPLATE, json!({ "id": id }))
        .await
        .data()["template"]["status"]
        .clone();
    assert_eq!(pending, "PENDING");
    template_becomes(&tenant, &id, "APPROVED").await;
}

#[tokio::test]
async fn say_fails_when_switchboard_refuses_the_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_simulator(dir.path()).await;
    let app = app_on(&sim).await;
    let tenant = app.new_tenant("Acme").await;
    // The channel knows another app secret than the one the stand-in signs with.
    let [_, (mut meta, _)] = demo_channel_inputs();
    meta["meta"]["appSecret"] = json!("0123456789abcdef0123456789abcdef");
    let meta = crate::channels::create_channel(&tenant, meta).await;
    let webhook = meta["webhookUrl"].as_str().unwrap().to_owned();
    let unknown = format!("http://{}/webhooks/twilio/nosuchchannel", app.addr);
    for (provider, url, status) in [
        ("meta", webhook.as_str(), "403"),
        ("twilio", unknown.as_str(), "404"),
    ] {
        let (ok, out, err) = say(dir.path(), &sim, provider, url, &["--text", "Hello"]).await;
        assert!(!ok, "{out}");
        assert!(
            err.contains(&format!(
                "Switchboard refused the webhook with HTTP {status}"
            )),
            "{err}"
        );
    }
}

/// Waits until the business message `id` was delivered (or read) over GraphQL.
async fn message_delivered(tenant: &TestTenant, id: &str) {
    crate::support::eventually(
        15,
        "the message is delivered",
        || message_status(tenant, id),
        |m| m["status"] == "DELIVERED" || m["status"] == "READ",
    )
    .await;
}

/// The business message `id`: its status and last error code.
async fn message_status(tenant: &TestTenant, id: &str) -> Value {
    tenant
        .owner
        .gql
        .query(
            "query($id: ID!) { message(id: $id) { status lastError { code } } }",
            json!({ "id": id }),
        )
        .await
        .data()["message"]
        .clone()
}

#[tokio::test]
async fn a_restarted_simulator_remembers_open_windows_and_callback_urls() {
    const CUSTOMER: &str = "+34600000042";
    let dir = tempfile::tempdir().unwrap();
    let ports = [free_port(), free_port(), free_port()];
    let mut sim = start_simulator_on(dir.path(), ports, &[]).await;
    let app = app_on(&sim).await;
    let tenant = app.new_tenant("Acme").await;
    let (twilio, meta) = demo_channels(&tenant).await;
    for (provider, channel) in [("twilio", &twilio), ("meta", &meta)] {
        let (ok, _, err) = say(
            dir.path(),
            &sim,
            provider,
            channel["webhookUrl"].as_str().unwrap(),
            &["--from", CUSTOMER, "--text", "Where is my order?"],
        )
        .await;
        assert!(ok, "{err}");
    }
    // Written at once, atomically: wait for both customers, then stop without warning.
    let file = dir.path().join("data/simulator.json");
    let saved: Value = crate::support::eventually(
        10,
        "both customers are saved",
        || async {
            std::fs::read(&file)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default()
        },
        |saved: &Value| saved["customers"].as_array().is_some_and(|c| c.len() == 2),
    )
    .await;
    assert_eq!(saved["meta"]["webhook_url"], meta["webhookUrl"], "{saved}");
    assert_eq!(saved["twilio"]["windows"][0][1], CUSTOMER, "{saved}");
    sim.child.kill().await.unwrap();
    let _sim = start_simulator_on(dir.path(), ports, &[]).await;

    // Without the windows Twilio fails the reply with 63016; without the callback URL Meta's
    // statuses go nowhere and the reply stays SENT.
    for channel in [&twilio, &meta] {
        let sent = tenant
            .owner
            .gql
            .query(
                "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }",
                json!({ "i": { "channelId": channel["id"], "to": CUSTOMER,
                               "content": { "text": { "body": "It ships today." } } } }),
            )
            .await;
        let id = sent.data()["sendMessage"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        message_delivered(&tenant, &id).await;
    }
}

#[tokio::test]
async fn no_state_keeps_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = start_simulator_on(
        dir.path(),
        [free_port(), free_port(), free_port()],
        &["--no-state"],
    )
    .await;
    let (url, _seen) = capture().await;
    let (ok, _, err) = say(dir.path(), &sim, "meta", &url, &["--text", "Hi"]).await;
    assert!(ok, "{err}");
    // A graceful stop saves what is kept, so nothing may be there afterwards.
    process::terminate(&sim.child).await;
    assert!(sim.child.wait().await.unwrap().success());
    assert!(!dir.path().join("data").exists());
}

/// Headless Chromium on the simulator's page (`tests/browser/simulator.spec.mjs`): a
/// business message with reply buttons shows delivered ticks, turns read when the customer
/// opens the thread, and the tapped button reaches Switchboard as a button reply.
#[tokio::test]
async fn the_phone_page_reads_and_taps_in_a_browser() {
    use std::path::Path;

    const CUSTOMER: &str = "+34600000007";
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(
        Path::new(&chromium).exists(),
        "this test needs Chromium at {chromium} (Debian: apt-get install chromium; tests/run installs it)"
    );
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        scripts.join("node_modules/playwright-core").is_dir(),
        "this test needs the npm packages of {}: run `npm ci` there (tests/run does)",
        scripts.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let sim = start_simulator(dir.path()).await;
    let app = app_on(&sim).await;
    let tenant = app.new_tenant("Acme").await;
    let (twilio, meta) = demo_channels(&tenant).await;
    // Two customers side by side, one per provider.
    let mut sent = Vec::new();
    for (provider, channel) in [("meta", &meta), ("twilio", &twilio)] {
        let (ok, _, err) = say(
            dir.path(),
            &sim,
            provider,
            channel["webhookUrl"].as_str().unwrap(),
            &[
                "--from",
                CUSTOMER,
                "--name",
                "Ana",
                "--text",
                "Can I change my order?",
            ],
        )
        .await;
        assert!(ok, "{err}");
        let answer = tenant
            .owner
            .gql
            .query(
                "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }",
                json!({ "i": { "channelId": channel["id"], "to": CUSTOMER, "content": { "interactive": { "buttons": {
                    "body": "Change the delivery day?",
                    "buttons": [{ "id": "change-yes", "title": "Yes, change it" }, { "id": "change-no", "title": "No" }] } } } } }),
            )
            .await;
        let id = answer.data()["sendMessage"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        message_delivered(&tenant, &id).await;
        sent.push((channel, id));
    }

    let mut command = tokio::process::Command::new("node");
    command
        .arg(scripts.join("simulator.spec.mjs"))
        .args([
            sim.control.as_str(),
            "Yes, change it",
            &format!("meta:{CUSTOMER}"),
            &format!("twilio:{CUSTOMER}"),
        ])
        .current_dir(&scripts)
        .env("CHROMIUM", &chromium)
        .env(
            "SWITCHBOARD_TEST_TIME_SCALE",
            crate::support::time_scale().to_string(),
        )
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(crate::support::deadline(180), command.output())
        .await
        .expect("the browser test ends within its deadline")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser test failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(stdout.contains("simulator page: ok"), "{stdout}\n{stderr}");

    for (channel, id) in sent {
        let status = tenant
            .owner
            .gql
            .query(
                "query($id: ID!) { message(id: $id) { status } }",
                json!({ "id": id }),
            )
            .await
            .data()["message"]["status"]
            .clone();
        assert_eq!(status, "READ", "{}", channel["provider"]);
        crate::support::eventually(
            10,
            &format!("a button reply on {}", channel["provider"]),
            || async {
                tenant
                    .owner
                    .gql
                    .query(
                        "query($c: ID!) { messages(filter: { channelId: $c, direction: INBOUND }, first: 10) { edges { node { content { __typename ... on ButtonReplyContent { id title } } } } } }",
                        json!({ "c": channel["id"] }),
                    )
                    .await
                    .data()["messages"]["edges"]
                    .clone()
            },
            |inbound| {
                inbound.as_array().unwrap().iter().any(|e| {
                    e["node"]["content"]
                        == json!({ "__typename": "ButtonReplyContent", "id": "change-yes", "title": "Yes, change it" })
                })
            },
        )
        .await;
    }
}

/// Waits until the business message `id` failed; answers its provider error code.
async fn message_failed(tenant: &TestTenant, id: &str) -> String {
    let m = crate::support::eventually(
        15,
        "the message fails",
        || message_status(tenant, id),
        |m| m["status"] == "FAILED",
    )
    .await;
    m["lastError"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_phone_scripts_failures_and_sends_locations() {
    const CUSTOMER: &str = "+34600000008";
    let dir = tempfile::tempdir().unwrap();
    let sim = start_simulator(dir.path()).await;
    let app = app_on(&sim).await;
    let tenant = app.new_tenant("Acme").await;
    let (twilio, meta) = demo_channels(&tenant).await;
    for (provider, channel, code) in [("twilio", &twilio, "63003"), ("meta", &meta, "131026")] {
        let said = app
            .http
            .post(format!("{}/say", sim.control))
            .json(&json!({ "provider": provider, "webhookUrl": channel["webhookUrl"], "from": CUSTOMER,
                           "name": "Ana", "kind": "location", "latitude": 41.3874, "longitude": 2.1686 }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            said.status().as_u16(),
            200,
            "{}",
            said.text().await.unwrap()
        );
        let inbound = tenant
            .owner
            .gql
            .query(
                "query($c: ID!) { messages(filter: { channelId: $c, direction: INBOUND }, first: 1) { edges { node { content { __typename ... on LocationContent { latitude longitude } } } } } }",
                json!({ "c": channel["id"] }),
            )
            .await
            .data()["messages"]["edges"][0]["node"]["content"]
            .clone();
        assert_eq!(
            inbound,
            json!({ "__typename": "LocationContent", "latitude": 41.3874, "longitude": 2.1686 })
        );

        let scripted = app
            .http
            .post(format!("{}/failure", sim.control))
            .json(&json!({ "provider": provider, "number": CUSTOMER, "failure": "unreachable" }))
            .send()
            .await
            .unwrap();
        assert_eq!(scripted.status().as_u16(), 204);
        let sent = tenant
            .owner
            .gql
            .query(
                "mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }",
                json!({ "i": { "channelId": channel["id"], "to": CUSTOMER, "content": { "text": { "body": "Got it." } } } }),
            )
            .await;
        let id = sent.data()["sendMessage"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(message_failed(&tenant, &id).await, code);

        let threads: Vec<Value> = control_api(&app, &sim, "/threads").await;
        let thread = threads
            .iter()
            .find(|t| t["customer"]["provider"] == provider)
            .unwrap();
        assert_eq!(thread["customer"]["failure"], "unreachable");
        let kinds: Vec<(&str, &str)> = thread["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["side"].as_str().unwrap(), m["kind"].as_str().unwrap()))
            .collect();
        assert_eq!(kinds, [("in", "location"), ("out", "text")]);
        assert_eq!(thread["messages"][1]["status"], "failed");
    }
    let unknown = app
        .http
        .post(format!("{}/failure", sim.control))
        .json(&json!({ "provider": "meta", "number": "+34699999999", "failure": "opted_out" }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
}
