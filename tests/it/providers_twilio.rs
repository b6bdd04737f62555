//! The Twilio adapter against the fake Twilio over real HTTP: sends and their exact wire
//! form, errors, timeouts, media, templates, and webhooks signed by the fake.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Uri};
use switchboard::crypto::Secret;
use switchboard::domain::content::{Choice, ChoiceSection, ContactCard, TemplateVariable};
use switchboard::domain::MediaKind;
use switchboard::domain::PhoneNumber;
use switchboard::fakes::twilio::{FakeAccount, FakeTwilio};
use switchboard::providers::error::RateScope;
use switchboard::providers::twilio::TwilioProvider;
use switchboard::providers::{
    NewTemplate, OutboundContent, OutboundMessage, Provider, ProviderError, TwilioCredentials,
    WebhookRequest,
};

pub(crate) const SENDER: &str = "+14155238886";
pub(crate) const CUSTOMER: &str = "+34600000000";

pub(crate) struct Setup {
    pub(crate) fake: FakeTwilio,
    pub(crate) account: FakeAccount,
    pub(crate) provider: TwilioProvider,
}

pub(crate) fn credentials(
    account: &FakeAccount,
    api_key: Option<(String, String)>,
) -> TwilioCredentials {
    TwilioCredentials {
        account_sid: account.sid.clone(),
        auth_token: Secret::new(account.auth_token.clone()),
        api_key: api_key.map(|(sid, secret)| (sid, Secret::new(secret))),
        messaging_service_sid: None,
        sender: PhoneNumber::parse(SENDER).unwrap(),
        sandbox: false,
    }
}

pub(crate) async fn setup() -> Setup {
    let fake = FakeTwilio::spawn().await.unwrap();
    fake.configure(|s| {
        s.status_callbacks = false;
        s.callback_delay = Duration::from_millis(5);
    });
    let account = fake.add_account("Shop", SENDER);
    fake.open_window(&account.sid, CUSTOMER);
    let provider = TwilioProvider::new(
        fake.provider_urls(),
        reqwest::Client::new(),
        credentials(&account, None),
    );
    Setup {
        fake,
        account,
        provider,
    }
}

pub(crate) fn message(content: OutboundContent) -> OutboundMessage {
    OutboundMessage {
        to: PhoneNumber::parse(CUSTOMER).unwrap(),
        content,
        reply_to: None,
        correlation_id: None,
        status_callback_url: None,
    }
}

pub(crate) fn text(body: &str) -> OutboundMessage {
    message(OutboundContent::Text {
        body: body.into(),
        preview_url: false,
    })
}

/// A tiny HTTP server that records every request raw, standing in for Switchboard's webhook
/// endpoint or for a foreign host.
#[derive(Clone, Default)]
pub(crate) struct Receiver {
    pub(crate) seen: Arc<Mutex<Vec<(String, HeaderMap, Bytes)>>>,
    pub(crate) url: String,
}

impl Receiver {
    pub(crate) async fn spawn() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let receiver = Receiver {
            url: format!("http://{}", listener.local_addr().unwrap()),
            ..Default::default()
        };
        let seen = receiver.seen.clone();
        let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let seen = seen.clone();
            async move {
                let path = uri
                    .path_and_query()
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                seen.lock().unwrap().push((path, headers, body));
                ([("content-type", "image/png")], "other-host-bytes")
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        receiver
    }

    pub(crate) fn requests(&self) -> Vec<(String, HeaderMap, Bytes)> {
        self.seen.lock().unwrap().clone()
    }

    /// The n-th request as the adapter receives webhooks.
    pub(crate) fn webhook(&self, n: usize) -> WebhookRequest {
        let (path, headers, body) = self.requests()[n].clone();
        WebhookRequest {
            url: format!("{}{path}", self.url),
            content_type: headers
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned()),
            signature: headers
                .get("x-twilio-signature")
                .map(|v| v.to_str().unwrap().to_owned()),
            body: body.to_vec(),
        }
    }
}

pub(crate) async fn eventually(mut check: impl FnMut() -> bool) {
    crate::support::eventually(
        4,
        "the condition",
        || std::future::ready(check()),
        |met| *met,
    )
    .await;
}

fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[tokio::test]
async fn verify_answers_the_account_name_with_token_or_api_key() {
    let s = setup().await;
    let verified = s.provider.verify().await.unwrap();
    assert_eq!(verified.display_name.as_deref(), Some("Shop"));
    let key = s.fake.add_api_key(&s.account.sid);
    let with_key = TwilioProvider::new(
        s.fake.provider_urls(),
        reqwest::Client::new(),
        credentials(&s.account, Some(key.clone())),
    );
    with_key.verify().await.unwrap();
    let auth = s.fake.requests().last().unwrap().basic_auth().unwrap();
    assert_eq!(auth, key);
}

#[tokio::test]
async fn verify_follows_sender_pages_only_on_the_messaging_host() {
    let fake = FakeTwilio::spawn().await.unwrap();
    let elsewhere = FakeTwilio::spawn().await.unwrap();
    let account = fake.add_account("Shop", "+14155230001");
    fake.add_sender(&account.sid, SENDER);
    fake.configure(|s| s.senders_page_size = 1);
    let provider = TwilioProvider::new(
        fake.provider_urls(),
        reqwest::Client::new(),
        credentials(&account, None),
    );
    provider.verify().await.unwrap();
    assert_eq!(fake.requests_to("/v2/Channels/Senders").len(), 2);

    // A next page on another host is refused; the credentials never travel there.
    let base = elsewhere.base_url().to_owned();
    fake.configure(|s| s.senders_next_base = Some(base));
    let err = provider.verify().await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Rejected { code, .. } if code == "BAD_RESPONSE"),
        "{err:?}"
    );
    assert!(elsewhere.requests().is_empty());
}

#[tokio::test]
async fn wrong_credentials_are_unauthorized_with_twilio_code_20003() {
    let s = setup().await;
    let mut wrong = s.account.clone();
    wrong.auth_token = "ffffffffffffffffffffffffffffffff".into();
    let provider = TwilioProvider::new(
        s.fake.provider_urls(),
        reqwest::Client::new(),
        credentials(&wrong, None),
    );
    let err = provider.verify().await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Unauthorized { code, .. } if code == "20003"),
        "{err:?}"
    );
    assert!(!format!("{err:?}{err}{provider:?}").contains(&wrong.auth_token));
    let err = provider.send(&text("hi")).await.unwrap_err();
    assert_eq!(err.code(), Some("20003"));
}

#[tokio::test]
async fn a_suspended_account_is_unusable() {
    let s = setup().await;
    s.fake.set_account_status(&s.account.sid, "suspended");
    assert!(matches!(
        s.provider.verify().await,
        Err(ProviderError::Unauthorized { .. })
    ));
}

#[tokio::test]
async fn a_slow_answer_times_out_as_maybe_sent() {
    let s = setup().await;
    s.fake.delay_next(Duration::from_secs(2), 1);
    let provider = s.provider.with_timeout(Duration::from_millis(300));
    assert_eq!(
        provider.send(&text("hi")).await.unwrap_err(),
        ProviderError::Timeout { maybe_sent: true }
    );
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let s = setup().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut urls = s.fake.provider_urls();
    urls.twilio_api = dead;
    let provider = TwilioProvider::new(urls, reqwest::Client::new(), credentials(&s.account, None));
    assert!(matches!(
        provider.send(&text("hi")).await,
        Err(ProviderError::Unreachable(_))
    ));
}

#[tokio::test]
async fn a_text_send_posts_the_exact_form_with_the_correlated_callback() {
    let s = setup().await;
    let mut m = text("Hola 👋");
    m.correlation_id = Some("msg_1".into());
    m.status_callback_url = Some("https://sb.example/webhooks/twilio/wk?kind=status".into());
    let receipt = s.provider.send(&m).await.unwrap();
    assert!(
        receipt.provider_message_id.starts_with("SM") && receipt.provider_message_id.len() == 34
    );
    assert_eq!(receipt.status.as_deref(), Some("queued"));
    let sent = s.fake.requests_to("/Messages.json").pop().unwrap();
    assert_eq!(
        sent.path,
        format!("/2010-04-01/Accounts/{}/Messages.json", s.account.sid)
    );
    assert_eq!(
        sent.basic_auth().unwrap(),
        (s.account.sid.clone(), s.account.auth_token.clone())
    );
    assert_eq!(
        pairs(&sent.form),
        [
            ("To", "whatsapp:+34600000000"),
            ("From", "whatsapp:+14155238886"),
            ("Body", "Hola 👋"),
            (
                "StatusCallback",
                "https://sb.example/webhooks/twilio/wk?kind=status&sb_message=msg_1"
            ),
        ]
    );
}

#[tokio::test]
async fn media_template_location_and_contacts_go_out_as_twilio_expects() {
    let s = setup().await;
    let hx = s
        .fake
        .add_content(&s.account.sid, "order_update", "Hi {{1}}, at {{2}}");
    let cases = vec![
        (
            OutboundContent::Media {
                kind: MediaKind::Image,
                url: "https://cdn.example/p.jpg".into(),
                caption: Some("Look".into()),
                filename: None,
            },
            vec![
                ("MediaUrl", "https://cdn.example/p.jpg".to_owned()),
                ("Body", "Look".into()),
            ],
        ),
        (
            OutboundContent::Template {
                name: "order_update".into(),
                language: "en".into(),
                provider_template_id: Some(hx.clone()),
                parameters: vec![
                    TemplateVariable {
                        key: "1".into(),
                        value: "Ana".into(),
                    },
                    TemplateVariable {
                        key: "2".into(),
                        value: "14:30".into(),
                    },
                ],
            },
            vec![
                ("ContentSid", hx.clone()),
                ("ContentVariables", r#"{"1":"Ana","2":"14:30"}"#.into()),
            ],
        ),
        (
            OutboundContent::Location {
                latitude: 40.4168,
                longitude: -3.7038,
                name: Some("Sol".into()),
                address: None,
            },
            vec![
                ("PersistentAction", "geo:40.4168,-3.7038|Sol".into()),
                ("Body", "Sol".into()),
            ],
        ),
        (
            OutboundContent::Contacts(vec![ContactCard {
                formatted_name: "Ana".into(),
                emails: vec!["a@example.com".into()],
                ..Default::default()
            }]),
            vec![("Body", "👤 Ana\n✉️ a@example.com".into())],
        ),
    ];
    for (content, expected) in cases {
        let receipt = s.provider.send(&message(content)).await.unwrap();
        let sent = s.fake.requests_to("/Messages.json").pop().unwrap();
        let tail: Vec<(&str, String)> = sent.form[2..]
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        assert_eq!(tail, expected);
        assert!(s.fake.message(&receipt.provider_message_id).is_some());
    }
}

#[tokio::test]
async fn buttons_and_lists_are_sent_as_session_contents() {
    let s = setup().await;
    let buttons = OutboundContent::Buttons {
        header: None,
        body: "Confirm?".into(),
        footer: None,
        buttons: vec![Choice {
            id: "yes".into(),
            title: "Yes".into(),
            description: None,
        }],
    };
    s.provider.send(&message(buttons.clone())).await.unwrap();
    s.provider.send(&message(buttons)).await.unwrap();
    let created = s.fake.requests_to("/v1/Content");
    assert_eq!(created.len(), 1, "the same buttons reuse one content");
    let json = created[0].json.clone().unwrap();
    assert_eq!(
        json["types"]["twilio/quick-reply"]["actions"][0]["id"],
        "yes"
    );
    let sends = s.fake.requests_to("/Messages.json");
    assert!(sends[1].form_value("ContentSid").unwrap().starts_with("HX"));
    assert_eq!(sends[1].form_value("Body"), None);

    let list = OutboundContent::List {
        header: None,
        body: "Pick".into(),
        footer: None,
        button: "Options".into(),
        sections: vec![ChoiceSection {
            title: None,
            rows: vec![Choice {
                id: "r1".into(),
                title: "One".into(),
                description: None,
            }],
        }],
    };
    s.provider.send(&message(list)).await.unwrap();
    let created = s
        .fake
        .requests_to("/v1/Content")
        .pop()
        .unwrap()
        .json
        .unwrap();
    assert_eq!(
        created["types"]["twilio/list-picker"]["items"][0]["item"],
        "One"
    );
}

#[tokio::test]
async fn reactions_are_refused_without_calling_twilio() {
    let s = setup().await;
    let err = s
        .provider
        .send(&message(OutboundContent::Reaction {
            message_id: "SM1".into(),
            emoji: "👍".into(),
        }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("UNSUPPORTED"));
    assert!(s.fake.requests().is_empty());
}

#[tokio::test]
async fn a_messaging_service_replaces_from_and_an_unknown_sender_is_a_config_error() {
    let s = setup().await;
    let mut creds = credentials(&s.account, None);
    creds.messaging_service_sid = Some("MG00000000000000000000000000000001".into());
    let provider = TwilioProvider::new(s.fake.provider_urls(), reqwest::Client::new(), creds);
    provider.send(&text("hi")).await.unwrap();
    let sent = s.fake.requests_to("/Messages.json").pop().unwrap();
    assert_eq!(
        sent.form_value("MessagingServiceSid"),
        Some("MG00000000000000000000000000000001")
    );
    assert_eq!(sent.form_value("From"), None);

    let mut creds = credentials(&s.account, None);
    creds.sender = PhoneNumber::parse("+14155550999").unwrap();
    let provider = TwilioProvider::new(s.fake.provider_urls(), reqwest::Client::new(), creds);
    let err = provider.send(&text("hi")).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Unauthorized { code, .. } if code == "63007"),
        "{err:?}"
    );
}

#[tokio::test]
async fn scripted_faults_are_classified() {
    let s = setup().await;
    s.fake.fail_next(20500, 1);
    assert!(
        matches!(s.provider.send(&text("a")).await, Err(ProviderError::Retryable { code, .. }) if code == "20500")
    );
    s.fake.rate_limit_next(7, 1);
    assert!(matches!(
        s.provider.send(&text("a")).await,
        Err(ProviderError::RateLimited { code, retry_after: Some(d), scope: RateScope::Channel, .. }) if code == "20429" && d == Duration::from_secs(7)
    ));
    s.fake.fail_next(21211, 1);
    assert!(
        matches!(s.provider.send(&text("a")).await, Err(ProviderError::Rejected { code, .. }) if code == "21211")
    );
    let err = s.provider.send(&text(&"x".repeat(1601))).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Rejected { code, .. } if code == "21617"),
        "{err:?}"
    );
    s.provider.send(&text("a")).await.unwrap();
}

#[tokio::test]
async fn mark_read_posts_the_typing_indicator() {
    let s = setup().await;
    s.provider
        .mark_read("SM00000000000000000000000000000009")
        .await
        .unwrap();
    let sent = s
        .fake
        .requests_to("/v2/Indicators/Typing.json")
        .pop()
        .unwrap();
    assert_eq!(
        pairs(&sent.form),
        [
            ("messageId", "SM00000000000000000000000000000009"),
            ("channel", "whatsapp")
        ]
    );
}

#[tokio::test]
async fn templates_are_created_submitted_and_listed_with_approval() {
    let s = setup().await;
    let new = NewTemplate {
        name: "order_update".into(),
        language: "es".into(),
        category: "UTILITY".into(),
        body: "Hola {{1}}".into(),
        examples: vec!["Ana".into()],
        header_text: None,
        footer: None,
        quick_replies: vec![],
    };
    let created = s.provider.create_template(&new).await.unwrap();
    assert!(created.provider_id.starts_with("HX"));
    assert_eq!(created.status, "UNSUBMITTED");
    let sent = s
        .fake
        .requests_to("/v1/Content")
        .pop()
        .unwrap()
        .json
        .unwrap();
    assert_eq!(sent["types"]["twilio/text"]["body"], "Hola {{1}}");
    assert_eq!(sent["variables"]["1"], "Ana");

    let submitted = s.provider.submit_template(&created).await.unwrap();
    assert_eq!(submitted.status, "RECEIVED");
    let approval = s
        .fake
        .requests_to("/ApprovalRequests/whatsapp")
        .pop()
        .unwrap()
        .json
        .unwrap();
    assert_eq!(
        approval,
        serde_json::json!({"name": "order_update", "category": "UTILITY"})
    );

    s.fake
        .set_approval(&created.provider_id, "rejected", "Variables at the edge");
    for i in 0..55 {
        s.fake
            .add_content(&s.account.sid, &format!("filler_{i}"), "x");
    }
    let listed = s.provider.list_templates().await.unwrap();
    assert_eq!(listed.len(), 56, "follows next_page_url");
    let ours = listed
        .iter()
        .find(|t| t.provider_id == created.provider_id)
        .unwrap();
    assert_eq!(
        (ours.name.as_str(), ours.status.as_str()),
        ("order_update", "REJECTED")
    );
    assert_eq!(
        ours.rejection_reason.as_deref(),
        Some("Variables at the edge")
    );
    assert_eq!(ours.body, "Hola {{1}}");
}
