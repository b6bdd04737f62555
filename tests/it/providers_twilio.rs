//! The Twilio adapter against the fake Twilio over real HTTP: sends and their exact wire
//! form, errors, timeouts, media, templates, and webhooks signed by the fake.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Uri};
use switchboard::crypto::Secret;
use switchboard::domain::PhoneNumber;
use switchboard::fakes::twilio::{FakeAccount, FakeTwilio, InboundParams};
use switchboard::providers::error::RateScope;
use switchboard::providers::twilio::TwilioProvider;
use switchboard::providers::{
    ContactCard, DeliveryStatus, InboundContent, InteractiveButton, MediaKind, MediaRef,
    NewTemplate, OutboundContent, OutboundMessage, Provider, ProviderError, TemplateParameter,
    TwilioCredentials, WebhookEvent, WebhookRequest,
};

const SENDER: &str = "+14155238886";
const CUSTOMER: &str = "+34600000000";

struct Setup {
    fake: FakeTwilio,
    account: FakeAccount,
    provider: TwilioProvider,
}

fn credentials(account: &FakeAccount, api_key: Option<(String, String)>) -> TwilioCredentials {
    TwilioCredentials {
        account_sid: account.sid.clone(),
        auth_token: Secret::new(account.auth_token.clone()),
        api_key: api_key.map(|(sid, secret)| (sid, Secret::new(secret))),
        messaging_service_sid: None,
        sender: PhoneNumber::parse(SENDER).unwrap(),
    }
}

async fn setup() -> Setup {
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

fn message(content: OutboundContent) -> OutboundMessage {
    OutboundMessage {
        to: PhoneNumber::parse(CUSTOMER).unwrap(),
        content,
        reply_to: None,
        correlation_id: None,
        status_callback_url: None,
    }
}

fn text(body: &str) -> OutboundMessage {
    message(OutboundContent::Text {
        body: body.into(),
        preview_url: false,
    })
}

/// A tiny HTTP server that records every request raw, standing in for Switchboard's webhook
/// endpoint or for a foreign host.
#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<(String, HeaderMap, Bytes)>>>,
    url: String,
}

impl Receiver {
    async fn spawn() -> Receiver {
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

    fn requests(&self) -> Vec<(String, HeaderMap, Bytes)> {
        self.seen.lock().unwrap().clone()
    }

    /// The n-th request as the adapter receives webhooks.
    fn webhook(&self, n: usize) -> WebhookRequest {
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

async fn eventually(mut check: impl FnMut() -> bool) {
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
                    TemplateParameter {
                        key: "1".into(),
                        value: "Ana".into(),
                    },
                    TemplateParameter {
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
        buttons: vec![InteractiveButton {
            id: "yes".into(),
            title: "Yes".into(),
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
        sections: vec![switchboard::providers::ListSection {
            title: None,
            rows: vec![switchboard::providers::outbound::ListRow {
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

fn media_ref(url: &str) -> MediaRef {
    MediaRef {
        reference: url.into(),
        content_type: Some("image/jpeg".into()),
        filename: None,
        sha256: None,
    }
}

#[tokio::test]
async fn media_is_fetched_with_auth_and_the_cdn_never_sees_it() {
    let s = setup().await;
    let url = s
        .fake
        .add_media(&s.account.sid, "image/jpeg", b"jpeg-bytes".to_vec());
    let fetched = s
        .provider
        .fetch_media(&media_ref(&url), 1024)
        .await
        .unwrap();
    assert_eq!(
        (fetched.bytes.as_slice(), fetched.content_type.as_str()),
        (&b"jpeg-bytes"[..], "image/jpeg")
    );
    let requests = s.fake.requests();
    assert!(requests[0].basic_auth().is_some());
    assert!(requests[1].path.starts_with("/cdn/"));
    let anonymous = TwilioProvider::new(
        s.fake.provider_urls(),
        reqwest::Client::new(),
        credentials(
            &FakeAccount {
                sid: s.account.sid.clone(),
                auth_token: "wrong".into(),
            },
            None,
        ),
    );
    assert!(matches!(
        anonymous.fetch_media(&media_ref(&url), 1024).await,
        Err(ProviderError::Unauthorized { .. })
    ));
}

#[tokio::test]
async fn media_over_the_cap_is_refused() {
    let s = setup().await;
    let url = s.fake.add_media(&s.account.sid, "video/mp4", vec![7; 4096]);
    assert!(matches!(
        s.provider.fetch_media(&media_ref(&url), 4095).await,
        Err(ProviderError::MediaRefused(_))
    ));
    assert_eq!(
        s.provider
            .fetch_media(&media_ref(&url), 4096)
            .await
            .unwrap()
            .bytes
            .len(),
        4096
    );
}

#[tokio::test]
async fn a_first_404_is_retried_once() {
    let s = setup().await;
    s.fake.configure(|k| k.media_first_404 = true);
    let url = s
        .fake
        .add_media(&s.account.sid, "audio/ogg", b"ogg".to_vec());
    assert_eq!(
        s.provider
            .fetch_media(&media_ref(&url), 100)
            .await
            .unwrap()
            .bytes,
        b"ogg"
    );
}

#[tokio::test]
async fn media_on_another_host_is_refused_without_sending_credentials() {
    let s = setup().await;
    let other = Receiver::spawn().await;
    let err = s
        .provider
        .fetch_media(&media_ref(&format!("{}/2010-04-01/x", other.url)), 100)
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::MediaRefused(_)));
    assert!(other.requests().is_empty());
}

#[tokio::test]
async fn a_redirect_to_another_host_drops_the_authorization_header() {
    let s = setup().await;
    let cdn = Receiver::spawn().await;
    let cdn_url = cdn.url.clone();
    s.fake.configure(|k| k.media_redirect_base = Some(cdn_url));
    let url = s
        .fake
        .add_media(&s.account.sid, "image/png", b"unused".to_vec());
    for client in [
        reqwest::Client::new(),
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    ] {
        let provider = TwilioProvider::new(
            s.fake.provider_urls(),
            client,
            credentials(&s.account, None),
        );
        let fetched = provider.fetch_media(&media_ref(&url), 100).await.unwrap();
        assert_eq!(fetched.bytes, b"other-host-bytes");
    }
    let seen = cdn.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen
        .iter()
        .all(|(_, headers, _)| headers.get("authorization").is_none()));
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

/// What a parsed inbound message's content must satisfy.
type Expectation = Box<dyn Fn(&InboundContent) -> bool>;

#[tokio::test]
async fn inbound_webhooks_from_the_fake_verify_and_parse_for_every_family() {
    let s = setup().await;
    let hook = Receiver::spawn().await;
    let url = format!("{}/webhooks/twilio/wk_7f3a?kind=inbound", hook.url);
    let (ac, media_url) = (
        s.account.sid.as_str(),
        s.fake
            .add_media(&s.account.sid, "image/webp", b"webp".to_vec()),
    );
    let cases: Vec<(InboundParams, Expectation)> = vec![
        (
            InboundParams::text(ac, CUSTOMER, SENDER, "Hola ñ 👋"),
            Box::new(|c| {
                *c == InboundContent::Text {
                    body: "Hola ñ 👋".into(),
                }
            }),
        ),
        (
            InboundParams::media(
                ac,
                CUSTOMER,
                SENDER,
                "",
                &[(media_url.clone(), "image/webp".into())],
            ),
            Box::new(
                |c| matches!(c, InboundContent::Media { kind: MediaKind::Sticker, attachments, .. } if attachments.len() == 1),
            ),
        ),
        (
            InboundParams::location(ac, CUSTOMER, SENDER, 40.5, -3.25, "Sol", "Madrid"),
            Box::new(
                |c| matches!(c, InboundContent::Location { latitude, .. } if *latitude == 40.5),
            ),
        ),
        (
            InboundParams::template_button(ac, CUSTOMER, SENDER, "Stop", "STOP_PROMO"),
            Box::new(
                |c| matches!(c, InboundContent::TemplateButton { payload, .. } if payload == "STOP_PROMO"),
            ),
        ),
        (
            InboundParams::quick_reply(ac, CUSTOMER, SENDER, "Yes", "yes"),
            Box::new(|c| matches!(c, InboundContent::ButtonReply { id, .. } if id == "yes")),
        ),
        (
            InboundParams::unsupported(ac, CUSTOMER, SENDER, "order"),
            Box::new(
                |c| matches!(c, InboundContent::Unsupported { raw_type, .. } if raw_type == "order"),
            ),
        ),
    ];
    for (i, (params, expect)) in cases.iter().enumerate() {
        let delivered = s
            .fake
            .deliver_inbound(&url, &s.account.auth_token, params)
            .await
            .unwrap();
        assert_eq!(delivered.status, 200);
        let request = hook.webhook(i);
        assert!(s.provider.verify_signature(&request), "case {i}");
        let events = s.provider.parse_webhook(&request).unwrap();
        let [WebhookEvent::MessageReceived(m)] = events.as_slice() else {
            panic!("case {i}: {events:?}")
        };
        assert_eq!(
            (m.channel_address.as_str(), m.from_wa_id.as_str()),
            (SENDER, "34600000000")
        );
        assert_eq!(m.provider_message_id, params.message_sid());
        assert!(expect(&m.content), "case {i}: {:?}", m.content);
    }

    let extras = InboundParams::text(ac, CUSTOMER, SENDER, "ad")
        .replying_to("SM123", SENDER)
        .forwarded()
        .with_referral("https://fb.me/ad", "Sale");
    s.fake
        .deliver_inbound(&url, &s.account.auth_token, &extras)
        .await
        .unwrap();
    let mut request = hook.webhook(cases.len());
    let events = s.provider.parse_webhook(&request).unwrap();
    let [WebhookEvent::MessageReceived(m)] = events.as_slice() else {
        panic!()
    };
    assert_eq!(m.reply_to.as_deref(), Some("SM123"));
    assert!(m.forwarded);
    assert_eq!(
        m.referral.as_ref().unwrap().headline.as_deref(),
        Some("Sale")
    );
    request.body.extend_from_slice(b"&Injected=1");
    assert!(!s.provider.verify_signature(&request));
}

#[tokio::test]
async fn status_callbacks_follow_a_send_signed_and_correlated() {
    let s = setup().await;
    s.fake.configure(|k| k.status_callbacks = true);
    let hook = Receiver::spawn().await;
    let mut m = text("hi");
    m.correlation_id = Some("msg_9".into());
    m.status_callback_url = Some(format!("{}/webhooks/twilio/wk?kind=status", hook.url));
    let receipt = s.provider.send(&m).await.unwrap();
    eventually(|| hook.requests().len() == 4).await;
    let mut statuses = Vec::new();
    for i in 0..4 {
        let request = hook.webhook(i);
        assert!(s.provider.verify_signature(&request));
        let events = s.provider.parse_webhook(&request).unwrap();
        let [WebhookEvent::StatusChanged(st)] = events.as_slice() else {
            panic!("{events:?}")
        };
        assert_eq!(st.provider_message_id, receipt.provider_message_id);
        assert_eq!(st.correlation_id.as_deref(), Some("msg_9"));
        statuses.push(st.status);
    }
    assert_eq!(
        statuses,
        [
            DeliveryStatus::Queued,
            DeliveryStatus::Sent,
            DeliveryStatus::Delivered,
            DeliveryStatus::Read
        ]
    );
    assert_eq!(
        s.fake.message(&receipt.provider_message_id).unwrap().status,
        "read"
    );
}

#[tokio::test]
async fn a_closed_window_fails_later_with_63016_as_consent() {
    let s = setup().await;
    s.fake.configure(|k| k.status_callbacks = true);
    let hook = Receiver::spawn().await;
    let mut m = text("hi");
    m.to = PhoneNumber::parse("+34600000077").unwrap();
    m.status_callback_url = Some(format!("{}/wh", hook.url));
    s.provider.send(&m).await.unwrap();
    eventually(|| hook.requests().len() == 2).await;
    let events = s.provider.parse_webhook(&hook.webhook(1)).unwrap();
    let WebhookEvent::StatusChanged(st) = &events[0] else {
        panic!()
    };
    assert_eq!(
        (st.status, st.error_code.as_deref()),
        (DeliveryStatus::Failed, Some("63016"))
    );
    let class = switchboard::providers::twilio::classify("63016", "", None);
    assert!(matches!(
        class,
        ProviderError::Consent {
            opted_out: false,
            ..
        }
    ));
}

#[tokio::test]
async fn callback_knobs_drop_reorder_and_duplicate() {
    let s = setup().await;
    s.fake.configure(|k| {
        k.status_callbacks = true;
        k.callbacks_dropped = vec!["sent".into()];
        k.callbacks_reversed = true;
        k.callbacks_duplicated = true;
    });
    let hook = Receiver::spawn().await;
    let mut m = text("hi");
    m.status_callback_url = Some(format!("{}/wh", hook.url));
    s.provider.send(&m).await.unwrap();
    eventually(|| hook.requests().len() == 6).await;
    let statuses: Vec<DeliveryStatus> = (0..6)
        .map(|i| {
            match s
                .provider
                .parse_webhook(&hook.webhook(i))
                .unwrap()
                .remove(0)
            {
                WebhookEvent::StatusChanged(st) => st.status,
                other => panic!("{other:?}"),
            }
        })
        .collect();
    use DeliveryStatus::*;
    assert_eq!(statuses, [Read, Read, Delivered, Delivered, Queued, Queued]);
}

#[tokio::test]
async fn an_injected_async_63018_arrives_as_a_failed_status_classified_as_rate_limited() {
    let s = setup().await;
    s.fake.configure(|k| k.status_callbacks = true);
    s.fake.fail_async_next(63018, 1);
    let hook = Receiver::spawn().await;
    let mut m = text("hi");
    m.status_callback_url = Some(format!("{}/wh?sb_message=abc", hook.url));
    let receipt = s.provider.send(&m).await.unwrap();
    eventually(|| hook.requests().len() == 2).await;
    let request = hook.webhook(1);
    assert!(s.provider.verify_signature(&request));
    let WebhookEvent::StatusChanged(st) = s.provider.parse_webhook(&request).unwrap().remove(0)
    else {
        panic!("not a status")
    };
    assert_eq!(
        (st.status, st.error_code.as_deref()),
        (DeliveryStatus::Failed, Some("63018"))
    );
    assert_eq!(
        s.fake.message(&receipt.provider_message_id).unwrap().status,
        "failed"
    );
    let class = switchboard::providers::twilio::classify("63018", "", None);
    assert!(matches!(
        class,
        ProviderError::RateLimited {
            scope: RateScope::Channel,
            ..
        }
    ));
}
