//! `switchboard simulator`: the stand-ins answer Switchboard as the providers would, and a
//! customer's message leaves it as a correctly signed webhook.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::json;
use switchboard::simulator::demo;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{process, TestApp};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Running {
    _child: tokio::process::Child,
    control: String,
    twilio: String,
    meta: String,
}

async fn start_simulator(dir: &std::path::Path) -> Running {
    let (control, twilio, meta) = (free_port(), free_port(), free_port());
    let mut child = process::command(dir)
        .args(["simulator", "run"])
        .args(["--control", &format!("127.0.0.1:{control}")])
        .args(["--twilio", &format!("127.0.0.1:{twilio}")])
        .args(["--meta", &format!("127.0.0.1:{meta}")])
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
        _child: child,
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

#[tokio::test]
async fn switchboard_verifies_channels_against_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_simulator(dir.path()).await;
    let (twilio_url, meta_url) = (sim.twilio.clone(), sim.meta.clone());
    let app = TestApp::spawn_with(move |c| {
        c.twilio_api_url = twilio_url.clone();
        c.twilio_content_url = twilio_url.clone();
        c.twilio_messaging_url = twilio_url;
        c.meta_graph_url = meta_url;
    })
    .await;
    let tenant = app.new_tenant("Acme").await;
    for (input, name) in [
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
    ] {
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
    let page = app
        .http
        .get(&sim.control)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Be the customer"));
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
            auth_token: switchboard::config::Secret::new(demo::TWILIO_AUTH_TOKEN),
            api_key: None,
            messaging_service_sid: None,
            sender: switchboard::domain::PhoneNumber::parse(demo::TWILIO_SENDER).unwrap(),
        },
    );
    let meta = switchboard::providers::meta::MetaProvider::new(
        urls,
        http,
        switchboard::providers::MetaCredentials {
            access_token: switchboard::config::Secret::new(demo::META_ACCESS_TOKEN),
            app_secret: switchboard::config::Secret::new(demo::META_APP_SECRET),
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
