//! The Meta adapter against the fake Meta server over real HTTP: sends as recorded on the
//! wire, error classes, timeouts, guarded media downloads, templates, and webhooks signed by
//! the fake that the adapter verifies and parses back. No database needed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use switchboard::crypto::Secret;
use switchboard::domain::content::{CardPhone, Choice, ChoiceSection, ContactCard};
use switchboard::domain::MediaKind;
use switchboard::domain::PhoneNumber;
use switchboard::fakes::meta::{FakeMeta, FakePhoneNumber, Fault};
use switchboard::providers::error::RateScope;
use switchboard::providers::meta::MetaProvider;
use switchboard::providers::{
    MetaCredentials, OutboundContent, OutboundMessage, Provider, ProviderError, ProviderUrls,
    WebhookRequest,
};

pub(crate) const PNID: &str = "106540352242922";
pub(crate) const WABA: &str = "102290129340398";
pub(crate) const TOKEN: &str = "EAAG-test-token";
pub(crate) const CUSTOMER: &str = "34600000000";

pub(crate) struct Setup {
    pub(crate) fake: FakeMeta,
    pub(crate) meta: MetaProvider,
}

fn provider(graph: &str, token: &str, app_secret: &str, pnid: &str) -> MetaProvider {
    let urls = ProviderUrls {
        twilio_api: "http://unused.invalid".into(),
        twilio_content: "http://unused.invalid".into(),
        twilio_messaging: "http://unused.invalid".into(),
        meta_graph: graph.into(),
        meta_api_version: "v23.0".into(),
    };
    let credentials = MetaCredentials {
        access_token: Secret::new(token),
        app_secret: Secret::new(app_secret),
        phone_number_id: pnid.into(),
        business_account_id: WABA.into(),
    };
    MetaProvider::new(urls, reqwest::Client::new(), credentials)
}

pub(crate) async fn setup() -> Setup {
    let fake = FakeMeta::spawn().await;
    fake.add_phone_number(FakePhoneNumber::new(PNID, WABA, TOKEN));
    let meta = provider(fake.base_url(), TOKEN, &fake.app_secret(), PNID);
    Setup { fake, meta }
}

pub(crate) fn message(content: OutboundContent) -> OutboundMessage {
    OutboundMessage {
        to: PhoneNumber::from_wa_id(CUSTOMER).unwrap(),
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

/// A captured webhook or foreign-host request.
#[derive(Clone, Debug)]
pub(crate) struct Captured {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

type Log = Arc<Mutex<Vec<Captured>>>;

/// A tiny receiver: records every request, answers 200 (and Meta's `hub.*` handshake for
/// verify token `vt`), and serves `media-bytes` to any GET.
pub(crate) async fn receiver() -> (String, Log) {
    let log: Log = Arc::default();
    async fn any(
        State(log): State<Log>,
        Query(query): Query<Vec<(String, String)>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> axum::response::Response {
        log.lock().unwrap().push(Captured {
            headers,
            body: body.to_vec(),
        });
        let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        match (
            get("hub.mode"),
            get("hub.verify_token"),
            get("hub.challenge"),
        ) {
            (Some(mode), Some(token), Some(challenge)) if mode == "subscribe" && token == "vt" => {
                challenge.into_response()
            }
            (Some(_), _, _) => StatusCode::FORBIDDEN.into_response(),
            _ => "media-bytes".into_response(),
        }
    }
    let app = Router::new()
        .fallback(get(any).post(any))
        .with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, log)
}

pub(crate) fn as_request(captured: &Captured) -> WebhookRequest {
    WebhookRequest {
        url: "https://switchboard.example/webhooks/meta/wk_1".into(),
        content_type: Some("application/json".into()),
        signature: captured
            .headers
            .get("x-hub-signature-256")
            .map(|v| v.to_str().unwrap().to_owned()),
        body: captured.body.clone(),
    }
}

/// Waits until `log` holds at least `n` requests, and answers them.
pub(crate) async fn wait_for(log: &Log, n: usize) -> Vec<Captured> {
    crate::support::eventually(
        2,
        &format!("{n} requests reach the receiver"),
        || std::future::ready(log.lock().unwrap().clone()),
        |got| got.len() >= n,
    )
    .await
}

pub(crate) fn last_post(fake: &FakeMeta) -> Value {
    let request = fake
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.query_param("access_token"), None);
    request.body.unwrap()
}

#[tokio::test]
async fn verify_answers_the_numbers_display_fields() {
    let s = setup().await;
    let account = s.meta.verify().await.unwrap();
    assert_eq!(account.display_name.as_deref(), Some("Switchboard Test"));
    assert_eq!(account.display_number.as_deref(), Some("+1 555-555-0100"));
    assert_eq!(account.quality_rating.as_deref(), Some("GREEN"));
    let request = s.fake.requests().pop().unwrap();
    assert_eq!(request.path, format!("/v23.0/{PNID}"));
    assert!(request
        .query_param("fields")
        .unwrap()
        .contains("verified_name"));
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized_with_code_190_and_never_leaks() {
    let s = setup().await;
    let meta = provider(s.fake.base_url(), "wrong-secret-token", "x", PNID);
    let error = meta.verify().await.unwrap_err();
    assert!(
        matches!(&error, ProviderError::Unauthorized { code, .. } if code == "190"),
        "{error:?}"
    );
    assert!(!format!("{error} {error:?} {meta:?}").contains("wrong-secret-token"));
    assert!(!format!(
        "{:?}",
        MetaCredentials {
            access_token: Secret::new("wrong-secret-token"),
            app_secret: Secret::new("app-secret"),
            phone_number_id: PNID.into(),
            business_account_id: WABA.into(),
        }
    )
    .contains("secret-token"));
}

#[tokio::test]
async fn an_unknown_phone_number_id_is_a_configuration_error_with_code_100() {
    let s = setup().await;
    let meta = provider(s.fake.base_url(), TOKEN, "x", "999999");
    let error = meta.verify().await.unwrap_err();
    assert!(
        matches!(&error, ProviderError::Unauthorized { code, .. } if code == "100"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_slow_answer_times_out_as_maybe_sent() {
    let s = setup().await;
    s.fake.delay_next(Duration::from_secs(2), 1);
    let meta =
        provider(s.fake.base_url(), TOKEN, "x", PNID).with_timeout(Duration::from_millis(200));
    let error = meta.send(&text("hi")).await.unwrap_err();
    assert_eq!(error, ProviderError::Timeout { maybe_sent: true });
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let error = provider(&url, TOKEN, "x", PNID)
        .send(&text("hi"))
        .await
        .unwrap_err();
    assert!(matches!(error, ProviderError::Unreachable(_)), "{error:?}");
}

#[tokio::test]
async fn each_send_type_reaches_the_fake_exactly_as_built() {
    let s = setup().await;
    let envelope = |kind: &str, object: Value| {
        let mut body = json!({"messaging_product":"whatsapp","recipient_type":"individual",
            "to":CUSTOMER,"type":kind});
        body[kind] = object;
        body
    };
    let media = |kind, caption: Option<&str>, filename: Option<&str>| OutboundContent::Media {
        kind,
        url: "https://cdn.example/f".into(),
        caption: caption.map(Into::into),
        filename: filename.map(Into::into),
    };
    let cases = vec![
        (
            OutboundContent::Text {
                body: "Hola".into(),
                preview_url: true,
            },
            envelope("text", json!({"body":"Hola","preview_url":true})),
        ),
        (
            media(MediaKind::Image, Some("c"), None),
            envelope(
                "image",
                json!({"link":"https://cdn.example/f","caption":"c"}),
            ),
        ),
        (
            media(MediaKind::Video, Some("c"), None),
            envelope(
                "video",
                json!({"link":"https://cdn.example/f","caption":"c"}),
            ),
        ),
        (
            media(MediaKind::Document, Some("c"), Some("a.pdf")),
            envelope(
                "document",
                json!({"link":"https://cdn.example/f","caption":"c","filename":"a.pdf"}),
            ),
        ),
        (
            media(MediaKind::Audio, None, None),
            envelope("audio", json!({"link":"https://cdn.example/f"})),
        ),
        (
            media(MediaKind::Sticker, None, None),
            envelope("sticker", json!({"link":"https://cdn.example/f"})),
        ),
        (
            OutboundContent::Location {
                latitude: 40.4,
                longitude: -3.7,
                name: Some("Sol".into()),
                address: Some("Madrid".into()),
            },
            envelope(
                "location",
                json!({"latitude":40.4,"longitude":-3.7,"name":"Sol","address":"Madrid"}),
            ),
        ),
        (
            OutboundContent::Contacts(vec![ContactCard {
                formatted_name: "Bo Li".into(),
                phones: vec![CardPhone {
                    phone: "+15550100".into(),
                    kind: Some("CELL".into()),
                    wa_id: None,
                }],
                ..ContactCard::default()
            }]),
            envelope(
                "contacts",
                json!([{"name":{"formatted_name":"Bo Li"},"phones":[{"phone":"+15550100","type":"CELL"}]}]),
            ),
        ),
        (
            OutboundContent::Buttons {
                header: Some("Order".into()),
                body: "Confirm?".into(),
                footer: Some("Reply".into()),
                buttons: vec![
                    Choice {
                        id: "yes".into(),
                        title: "Yes".into(),
                        description: None,
                    },
                    Choice {
                        id: "no".into(),
                        title: "No".into(),
                        description: None,
                    },
                ],
            },
            envelope(
                "interactive",
                json!({"type":"button","header":{"type":"text","text":"Order"},
                "body":{"text":"Confirm?"},"footer":{"text":"Reply"},"action":{"buttons":[
                {"type":"reply","reply":{"id":"yes","title":"Yes"}},{"type":"reply","reply":{"id":"no","title":"No"}}]}}),
            ),
        ),
        (
            OutboundContent::List {
                header: None,
                body: "Pick".into(),
                footer: None,
                button: "Options".into(),
                sections: vec![ChoiceSection {
                    title: Some("Sizes".into()),
                    rows: vec![Choice {
                        id: "s".into(),
                        title: "Small".into(),
                        description: None,
                    }],
                }],
            },
            envelope(
                "interactive",
                json!({"type":"list","body":{"text":"Pick"},"action":{"button":"Options",
                "sections":[{"title":"Sizes","rows":[{"id":"s","title":"Small"}]}]}}),
            ),
        ),
        (
            OutboundContent::Reaction {
                message_id: "wamid.IN1".into(),
                emoji: "👍".into(),
            },
            envelope("reaction", json!({"message_id":"wamid.IN1","emoji":"👍"})),
        ),
    ];
    for (content, expected) in cases {
        let receipt = s.meta.send(&message(content)).await.unwrap();
        assert!(receipt.provider_message_id.starts_with("wamid."));
        assert_eq!(last_post(&s.fake), expected);
        let request = s.fake.requests().pop().unwrap();
        assert_eq!(request.path, format!("/v23.0/{PNID}/messages"));
        assert_eq!(request.header("content-type"), Some("application/json"));
    }
}

#[tokio::test]
async fn replies_and_correlation_travel_with_the_send() {
    let s = setup().await;
    let mut m = text("hi");
    m.reply_to = Some("wamid.IN1".into());
    m.correlation_id = Some("msg_42".into());
    let receipt = s.meta.send(&m).await.unwrap();
    let body = last_post(&s.fake);
    assert_eq!(body["context"], json!({"message_id":"wamid.IN1"}));
    assert_eq!(body["biz_opaque_callback_data"], "msg_42");
    assert_eq!(s.fake.sent_messages()[0].wamid, receipt.provider_message_id);
}

#[tokio::test]
async fn server_errors_are_retryable() {
    let s = setup().await;
    s.fake.inject(Fault::ServerError { http_status: 502 }, 1);
    s.fake.fail_next(2, 1);
    for _ in 0..2 {
        let error = s.meta.send(&text("hi")).await.unwrap_err();
        assert!(
            matches!(error, ProviderError::Retryable { .. }),
            "{error:?}"
        );
    }
    s.meta.send(&text("hi")).await.unwrap();
}

#[tokio::test]
async fn throttling_is_rate_limited_with_retry_after_and_scope() {
    let s = setup().await;
    s.fake.inject(Fault::throttled(130429, 429, Some(7)), 1);
    s.fake.inject(Fault::throttled(130429, 400, None), 1);
    s.fake.inject(Fault::throttled(131056, 400, Some(6)), 1);
    let expected = [
        ("130429", Some(7), RateScope::Channel),
        ("130429", None, RateScope::Channel),
        ("131056", Some(6), RateScope::Recipient),
    ];
    for (code, secs, scope) in expected {
        match s.meta.send(&text("hi")).await.unwrap_err() {
            ProviderError::RateLimited {
                code: got,
                retry_after,
                scope: got_scope,
                ..
            } => {
                assert_eq!(got, code);
                assert_eq!(retry_after, secs.map(Duration::from_secs));
                assert_eq!(got_scope, scope);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn permanent_codes_are_rejected_with_the_code() {
    let s = setup().await;
    s.fake.fail_next(131009, 1);
    let error = s.meta.send(&text("hi")).await.unwrap_err();
    assert!(
        matches!(&error, ProviderError::Rejected { code, .. } if code == "131009"),
        "{error:?}"
    );
    // The fake's own validation: text over 4096 characters is Graph error 100.
    let error = s.meta.send(&text(&"x".repeat(4097))).await.unwrap_err();
    assert!(
        matches!(&error, ProviderError::Rejected { code, message } if code == "100" && message.starts_with("(#100)")),
        "{error:?}"
    );
}

#[tokio::test]
async fn mark_read_posts_a_read_receipt() {
    let s = setup().await;
    s.meta.mark_read("wamid.IN1").await.unwrap();
    assert_eq!(
        last_post(&s.fake),
        json!({"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN1"})
    );
}
