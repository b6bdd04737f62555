//! `switchboard simulator`: the stand-ins answer Switchboard as the providers would, and a
//! customer's message leaves it as a correctly signed webhook.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::{json, Value};
use switchboard::simulator::demo;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{process, TestApp, TestTenant};

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) struct Running {
    pub(crate) child: tokio::process::Child,
    pub(crate) control: String,
    pub(crate) twilio: String,
    pub(crate) meta: String,
}

/// How often a start on free ports is tried again when another process took one of them
/// between the probe and the simulator's bind.
const PORT_TRIES: usize = 5;

pub(crate) async fn start_simulator(dir: &std::path::Path) -> Running {
    for _ in 0..PORT_TRIES {
        let ports = [free_port(), free_port(), free_port()];
        if let Some(running) = try_start_simulator_on(dir, ports, &[]).await {
            return running;
        }
    }
    panic!("the simulator exited early {PORT_TRIES} times");
}

/// Starts `simulator run` on the control, Twilio and Meta ports, with more arguments.
pub(crate) async fn start_simulator_on(
    dir: &std::path::Path,
    ports: [u16; 3],
    args: &[&str],
) -> Running {
    try_start_simulator_on(dir, ports, args)
        .await
        .expect("the simulator exited early")
}

/// As [`start_simulator_on`]; `None` when the simulator exited before it was ready (a port
/// was taken meanwhile).
pub(crate) async fn try_start_simulator_on(
    dir: &std::path::Path,
    ports: [u16; 3],
    args: &[&str],
) -> Option<Running> {
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
    let ready = tokio::time::timeout(crate::support::deadline(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("Start Switchboard against the stand-ins") {
                return true;
            }
        }
        false
    })
    .await
    .expect("the simulator starts");
    if !ready {
        let _ = child.wait().await;
        return None;
    }
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Some(Running {
        child,
        control: format!("http://127.0.0.1:{control}"),
        twilio: format!("http://127.0.0.1:{twilio}"),
        meta: format!("http://127.0.0.1:{meta}"),
    })
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
pub(crate) async fn app_on(sim: &Running) -> TestApp {
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
pub(crate) fn demo_channel_inputs() -> [(Value, &'static str); 2] {
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
pub(crate) async fn demo_channels(tenant: &TestTenant) -> (Value, Value) {
    let [(twilio, _), (meta, _)] = demo_channel_inputs();
    (
        crate::support::fixtures::create_channel(tenant, twilio).await,
        crate::support::fixtures::create_channel(tenant, meta).await,
    )
}

/// Runs `switchboard simulator ARGS…`; answers whether it succeeded, stdout and stderr.
pub(crate) async fn sim_command(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
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
pub(crate) async fn control_api<T: serde::de::DeserializeOwned>(
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
pub(crate) async fn say(
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
        let channel = crate::support::fixtures::create_channel(&tenant, input).await;
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
            sandbox: false,
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

#[tokio::test]
async fn say_fails_when_switchboard_refuses_the_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_simulator(dir.path()).await;
    let app = app_on(&sim).await;
    let tenant = app.new_tenant("Acme").await;
    // The channel knows another app secret than the one the stand-in signs with.
    let [_, (mut meta, _)] = demo_channel_inputs();
    meta["meta"]["appSecret"] = json!("0123456789abcdef0123456789abcdef");
    let meta = crate::support::fixtures::create_channel(&tenant, meta).await;
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
pub(crate) async fn message_delivered(tenant: &TestTenant, id: &str) {
    crate::support::eventually(
        15,
        "the message is delivered",
        || message_status(tenant, id),
        |m| m["status"] == "DELIVERED" || m["status"] == "READ",
    )
    .await;
}

/// The business message `id`: its status and last error code.
pub(crate) async fn message_status(tenant: &TestTenant, id: &str) -> Value {
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
