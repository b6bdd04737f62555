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
use switchboard::domain::PhoneNumber;
use switchboard::fakes::meta::{
    FakeInbound, FakeMeta, FakePhoneNumber, Fault, InboundKind, StatusKnobs, StatusSpec,
    UNDELIVERABLE,
};
use switchboard::providers::error::RateScope;
use switchboard::providers::meta::MetaProvider;
use switchboard::providers::outbound::{ContactPhone, ListRow};
use switchboard::providers::{
    ContactCard, DeliveryStatus, InboundContent, InteractiveButton, ListSection, MediaKind,
    MediaRef, MetaCredentials, NewTemplate, OutboundContent, OutboundMessage, Provider,
    ProviderError, ProviderUrls, TemplateParameter, WebhookEvent, WebhookRequest,
};

const PNID: &str = "106540352242922";
const WABA: &str = "102290129340398";
const TOKEN: &str = "EAAG-test-token";
const CUSTOMER: &str = "34600000000";

struct Setup {
    fake: FakeMeta,
    meta: MetaProvider,
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

async fn setup() -> Setup {
    let fake = FakeMeta::spawn().await;
    fake.add_phone_number(FakePhoneNumber::new(PNID, WABA, TOKEN));
    let meta = provider(fake.base_url(), TOKEN, &fake.app_secret(), PNID);
    Setup { fake, meta }
}

fn message(content: OutboundContent) -> OutboundMessage {
    OutboundMessage {
        to: PhoneNumber::from_wa_id(CUSTOMER).unwrap(),
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

/// A captured webhook or foreign-host request.
#[derive(Clone, Debug)]
struct Captured {
    headers: HeaderMap,
    body: Vec<u8>,
}

type Log = Arc<Mutex<Vec<Captured>>>;

/// A tiny receiver: records every request, answers 200 (and Meta's `hub.*` handshake for
/// verify token `vt`), and serves `media-bytes` to any GET.
async fn receiver() -> (String, Log) {
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

fn as_request(captured: &Captured) -> WebhookRequest {
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

/// Waits (polling, not sleeping blindly) until `log` holds at least `n` requests.
async fn wait_for(log: &Log, n: usize) -> Vec<Captured> {
    for _ in 0..200 {
        let got = log.lock().unwrap().clone();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("expected {n} requests, got {}", log.lock().unwrap().len());
}

fn last_post(fake: &FakeMeta) -> Value {
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
                phones: vec![ContactPhone {
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
                    InteractiveButton {
                        id: "yes".into(),
                        title: "Yes".into(),
                    },
                    InteractiveButton {
                        id: "no".into(),
                        title: "No".into(),
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
                sections: vec![ListSection {
                    title: Some("Sizes".into()),
                    rows: vec![ListRow {
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
async fn template_sends_are_checked_against_the_fakes_store() {
    let s = setup().await;
    s.fake.add_template(
        WABA,
        "order_update",
        "es",
        "Hola {{1}}, pedido {{2}}",
        "APPROVED",
    );
    let template = |name: &str, values: &[&str]| {
        message(OutboundContent::Template {
            name: name.into(),
            language: "es".into(),
            provider_template_id: None,
            parameters: values
                .iter()
                .enumerate()
                .map(|(i, v)| TemplateParameter {
                    key: (i + 1).to_string(),
                    value: v.to_string(),
                })
                .collect(),
        })
    };
    let receipt = s
        .meta
        .send(&template("order_update", &["Ana", "A-1"]))
        .await
        .unwrap();
    assert_eq!(receipt.status.as_deref(), Some("accepted"));
    assert_eq!(
        last_post(&s.fake)["template"],
        json!({"name":"order_update","language":{"code":"es"},"components":[{"type":"body",
            "parameters":[{"type":"text","text":"Ana"},{"type":"text","text":"A-1"}]}]})
    );
    let error = s
        .meta
        .send(&template("order_update", &["Ana"]))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ProviderError::Rejected { code, .. } if code == "132000"),
        "{error:?}"
    );
    let error = s.meta.send(&template("nope", &[])).await.unwrap_err();
    assert!(
        matches!(&error, ProviderError::Rejected { code, .. } if code == "132001"),
        "{error:?}"
    );
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

fn media_ref(id: &str) -> MediaRef {
    MediaRef {
        reference: id.into(),
        content_type: None,
        filename: None,
        sha256: None,
    }
}

#[tokio::test]
async fn media_is_fetched_with_the_bearer_token() {
    let s = setup().await;
    let id = s.fake.add_media(b"jpeg-bytes".to_vec(), "image/jpeg");
    let fetched = s.meta.fetch_media(&media_ref(&id), 1024).await.unwrap();
    assert_eq!(fetched.bytes, b"jpeg-bytes");
    assert_eq!(fetched.content_type, "image/jpeg");
    let download = s.fake.requests().pop().unwrap();
    assert!(download.path.starts_with("/whatsapp_business/attachments/"));
    assert_eq!(
        download.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test]
async fn the_fake_refuses_media_downloads_without_the_token() {
    let s = setup().await;
    let id = s.fake.add_media(b"x".to_vec(), "image/jpeg");
    s.meta.fetch_media(&media_ref(&id), 1024).await.unwrap();
    let url = s.fake.requests().pop().unwrap();
    let url = format!("{}{}?{}", s.fake.base_url(), url.path, "mid=1");
    let answer = reqwest::get(&url).await.unwrap();
    assert_eq!(answer.status(), 401);
}

#[tokio::test]
async fn oversized_media_is_refused() {
    let s = setup().await;
    let id = s.fake.add_media(vec![7u8; 2048], "image/jpeg");
    let error = s.meta.fetch_media(&media_ref(&id), 1000).await.unwrap_err();
    assert!(matches!(error, ProviderError::MediaRefused(_)), "{error:?}");
}

#[tokio::test]
async fn a_media_url_on_a_foreign_host_never_receives_the_token() {
    let s = setup().await;
    let (foreign, log) = receiver().await;
    let id = s.fake.add_media(b"x".to_vec(), "image/jpeg");
    s.fake
        .set_media_url_override(Some(&format!("{foreign}/steal")));
    let error = s.meta.fetch_media(&media_ref(&id), 1024).await.unwrap_err();
    assert!(matches!(error, ProviderError::MediaRefused(_)), "{error:?}");
    assert!(
        log.lock().unwrap().is_empty(),
        "the foreign host was contacted"
    );
}

#[tokio::test]
async fn a_path_like_media_reference_is_refused_without_a_request() {
    let s = setup().await;
    for reference in ["../me", "https://evil.example/x", "", "1?fields=x"] {
        let error = s
            .meta
            .fetch_media(&media_ref(reference), 1024)
            .await
            .unwrap_err();
        assert!(
            matches!(error, ProviderError::MediaRefused(_)),
            "{reference}: {error:?}"
        );
    }
    assert!(s.fake.requests().is_empty());
}

#[tokio::test]
async fn a_redirect_to_another_host_drops_the_token() {
    let s = setup().await;
    let (foreign, log) = receiver().await;
    let id = s.fake.add_media(b"x".to_vec(), "image/jpeg");
    s.fake
        .redirect_media_downloads(Some(&format!("{foreign}/cdn/file")));
    let fetched = s.meta.fetch_media(&media_ref(&id), 1024).await.unwrap();
    assert_eq!(fetched.bytes, b"media-bytes");
    let captured = wait_for(&log, 1).await;
    assert!(captured[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn a_redirect_is_followed_without_the_token_when_the_client_does_not_follow() {
    let s = setup().await;
    let (foreign, log) = receiver().await;
    let id = s.fake.add_media(b"x".to_vec(), "image/jpeg");
    s.fake
        .redirect_media_downloads(Some(&format!("{foreign}/cdn/file")));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let urls = ProviderUrls {
        twilio_api: String::new(),
        twilio_content: String::new(),
        twilio_messaging: String::new(),
        meta_graph: s.fake.base_url().into(),
        meta_api_version: "v23.0".into(),
    };
    let credentials = MetaCredentials {
        access_token: Secret::new(TOKEN),
        app_secret: Secret::new("x"),
        phone_number_id: PNID.into(),
        business_account_id: WABA.into(),
    };
    let meta = MetaProvider::new(urls, client, credentials);
    assert_eq!(
        meta.fetch_media(&media_ref(&id), 1024).await.unwrap().bytes,
        b"media-bytes"
    );
    assert!(wait_for(&log, 1).await[0]
        .headers
        .get("authorization")
        .is_none());
}

#[tokio::test]
async fn an_expired_media_url_is_resolved_again_once() {
    let s = setup().await;
    let id = s.fake.add_media(b"x".to_vec(), "image/jpeg");
    s.fake.fail_media_downloads(1);
    assert_eq!(
        s.meta
            .fetch_media(&media_ref(&id), 1024)
            .await
            .unwrap()
            .bytes,
        b"x"
    );
    let resolves = s
        .fake
        .requests()
        .iter()
        .filter(|r| r.path == format!("/v23.0/{id}"))
        .count();
    assert_eq!(resolves, 2);
    s.fake.fail_media_downloads(2);
    assert!(s.meta.fetch_media(&media_ref(&id), 1024).await.is_err());
}

#[tokio::test]
async fn templates_are_listed_across_pages_without_following_foreign_next_urls() {
    let s = setup().await;
    for i in 0..150 {
        s.fake
            .add_template(WABA, &format!("t_{i:03}"), "en_US", "Hi {{1}}", "APPROVED");
    }
    s.fake
        .add_template("other_waba", "hidden", "en_US", "x", "APPROVED");
    s.fake.set_template_next_base(Some("http://evil.invalid"));
    let templates = s.meta.list_templates().await.unwrap();
    assert_eq!(templates.len(), 150);
    assert_eq!(templates[0].name, "t_000");
    assert_eq!(templates[149].body, "Hi {{1}}");
    assert_eq!(templates[0].status, "APPROVED");
    let pages: Vec<_> = s
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/message_templates"))
        .collect();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].query_param("limit"), Some("100"));
    assert!(pages[0]
        .query_param("fields")
        .unwrap()
        .contains("parameter_format"));
    assert!(pages[1].query_param("after").is_some());
}

#[tokio::test]
async fn templates_are_created_pending_and_submit_returns_the_reviewed_state() {
    let s = setup().await;
    let (url, log) = receiver().await;
    s.fake.set_webhook_url(Some(&url));
    let new = NewTemplate {
        name: "order_update".into(),
        language: "en_US".into(),
        category: "UTILITY".into(),
        body: "Hi {{1}}, order {{2}} shipped".into(),
        examples: vec!["Ana".into(), "A-1".into()],
        header_text: Some("Your order".into()),
        footer: Some("Acme".into()),
        quick_replies: vec!["Track".into(), "Stop".into()],
    };
    let created = s.meta.create_template(&new).await.unwrap();
    assert_eq!(created.status, "PENDING");
    assert_eq!(created.category.as_deref(), Some("UTILITY"));
    let body = last_post(&s.fake);
    assert_eq!(
        body["components"][1]["example"],
        json!({"body_text":[["Ana","A-1"]]})
    );
    assert_eq!(
        body["components"][3]["buttons"][1],
        json!({"type":"QUICK_REPLY","text":"Stop"})
    );

    let duplicate = s.meta.create_template(&new).await.unwrap_err();
    assert!(
        matches!(&duplicate, ProviderError::Rejected { code, .. } if code == "100"),
        "{duplicate:?}"
    );

    s.fake
        .review_template(&created.provider_id, "REJECTED", Some("INVALID_FORMAT"))
        .await
        .unwrap();
    let submitted = s.meta.submit_template(&created).await.unwrap();
    assert_eq!(submitted.status, "REJECTED");
    assert_eq!(
        submitted.rejection_reason.as_deref(),
        Some("INVALID_FORMAT")
    );
    assert_eq!(submitted.body, new.body);

    let webhook = wait_for(&log, 1).await.remove(0);
    assert!(s.meta.verify_signature(&as_request(&webhook)));
    assert_eq!(
        s.meta.parse_webhook(&as_request(&webhook)).unwrap(),
        vec![WebhookEvent::TemplateStatusChanged {
            provider_template_id: created.provider_id.clone(),
            name: Some("order_update".into()),
            language: Some("en_US".into()),
            status: "REJECTED".into(),
            reason: Some("INVALID_FORMAT".into()),
        }]
    );
}

#[tokio::test]
async fn inbound_webhooks_of_every_type_verify_and_parse_back() {
    let s = setup().await;
    let (url, log) = receiver().await;
    let kinds = vec![
        InboundKind::Text {
            body: "Olá 👋 José".into(),
        },
        InboundKind::Image {
            media_id: "m1".into(),
            caption: Some("pic".into()),
        },
        InboundKind::Video {
            media_id: "m2".into(),
            caption: None,
        },
        InboundKind::Audio {
            media_id: "m3".into(),
            voice: true,
        },
        InboundKind::Document {
            media_id: "m4".into(),
            filename: "a.pdf".into(),
            caption: None,
        },
        InboundKind::Sticker {
            media_id: "m5".into(),
            animated: false,
        },
        InboundKind::Location {
            latitude: 40.4,
            longitude: -3.7,
            name: Some("Sol".into()),
            address: None,
        },
        InboundKind::Contacts(
            json!([{"name":{"formatted_name":"Bo Li"},"phones":[{"phone":"+15550100","type":"CELL"}]}]),
        ),
        InboundKind::ButtonReply {
            id: "yes".into(),
            title: "Yes".into(),
        },
        InboundKind::ListReply {
            id: "r1".into(),
            title: "One".into(),
            description: Some("d".into()),
        },
        InboundKind::TemplateButton {
            payload: "STOP".into(),
            text: "Stop".into(),
        },
        InboundKind::Reaction {
            message_id: "wamid.OUT".into(),
            emoji: Some("👍".into()),
        },
        InboundKind::Reaction {
            message_id: "wamid.OUT".into(),
            emoji: None,
        },
        InboundKind::Order {
            catalog_id: "c1".into(),
            product_items: json!([]),
        },
        InboundKind::System {
            body: "changed".into(),
            new_wa_id: "34611111111".into(),
        },
        InboundKind::Unsupported,
        InboundKind::FlowReply {
            name: "flow".into(),
            body: "Sent".into(),
            response_json: "{}".into(),
        },
    ];
    let count = kinds.len();
    for kind in kinds {
        let inbound = FakeInbound::new(CUSTOMER, kind)
            .replying_to("wamid.OUT")
            .from_ad();
        let delivered = s.fake.deliver_inbound(&url, PNID, &inbound).await.unwrap();
        assert_eq!(delivered.status, 200);
    }
    let captured = wait_for(&log, count).await;
    let mut contents = Vec::new();
    for webhook in &captured {
        assert!(webhook.body.is_ascii(), "Meta escapes non-ASCII");
        let request = as_request(webhook);
        assert!(s.meta.verify_signature(&request));
        let mut tampered = request.clone();
        tampered.body.push(b' ');
        assert!(!s.meta.verify_signature(&tampered));
        let mut events = s.meta.parse_webhook(&request).unwrap();
        let Some(WebhookEvent::MessageReceived(m)) = events.pop() else {
            panic!("no message")
        };
        assert_eq!(m.channel_address, PNID);
        assert_eq!(m.from_wa_id, CUSTOMER);
        assert_eq!(m.reply_to.as_deref(), Some("wamid.OUT"));
        assert_eq!(
            m.referral.as_ref().and_then(|r| r.ctwa_clid.as_deref()),
            Some("ARAkLkA8rmlFeiCktEJQ")
        );
        contents.push(m.content);
    }
    assert_eq!(
        contents[0],
        InboundContent::Text {
            body: "Olá 👋 José".into()
        }
    );
    assert!(
        matches!(&contents[1], InboundContent::Media { kind: MediaKind::Image, caption: Some(c), attachments, .. } if c == "pic" && attachments[0].reference == "m1")
    );
    assert!(matches!(
        &contents[3],
        InboundContent::Media {
            kind: MediaKind::Audio,
            voice: true,
            ..
        }
    ));
    assert!(
        matches!(&contents[4], InboundContent::Media { attachments, .. } if attachments[0].filename.as_deref() == Some("a.pdf"))
    );
    assert!(matches!(
        &contents[5],
        InboundContent::Media {
            kind: MediaKind::Sticker,
            ..
        }
    ));
    assert!(matches!(&contents[6], InboundContent::Location { name: Some(n), .. } if n == "Sol"));
    assert!(
        matches!(&contents[7], InboundContent::Contacts(cards) if cards[0].formatted_name == "Bo Li")
    );
    assert_eq!(
        contents[8],
        InboundContent::ButtonReply {
            id: "yes".into(),
            title: "Yes".into()
        }
    );
    assert!(matches!(&contents[9], InboundContent::ListReply { id, .. } if id == "r1"));
    assert_eq!(
        contents[10],
        InboundContent::TemplateButton {
            payload: "STOP".into(),
            text: "Stop".into()
        }
    );
    assert_eq!(
        contents[11],
        InboundContent::Reaction {
            message_id: "wamid.OUT".into(),
            emoji: Some("👍".into())
        }
    );
    assert_eq!(
        contents[12],
        InboundContent::Reaction {
            message_id: "wamid.OUT".into(),
            emoji: None
        }
    );
    assert!(
        matches!(&contents[13], InboundContent::Order { catalog_id, .. } if catalog_id == "c1"),
        "{:?}",
        contents[13]
    );
    assert!(
        matches!(&contents[14], InboundContent::System { kind, new_wa_id: Some(_), .. } if kind == "user_changed_number"),
        "{:?}",
        contents[14]
    );
    assert!(
        matches!(&contents[15], InboundContent::Unsupported { raw_type, .. } if raw_type == "unsupported")
    );
    assert!(
        matches!(&contents[16], InboundContent::FlowReply { response_json, .. } if response_json == "{}"),
        "{:?}",
        contents[16]
    );
}

fn statuses_in(
    s: &Setup,
    captured: &[Captured],
) -> Vec<(DeliveryStatus, Option<String>, Option<String>)> {
    captured
        .iter()
        .flat_map(|c| {
            assert!(s.meta.verify_signature(&as_request(c)));
            s.meta.parse_webhook(&as_request(c)).unwrap()
        })
        .map(|e| match e {
            WebhookEvent::StatusChanged(u) => (u.status, u.error_code, u.correlation_id),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn sends_inside_the_window_produce_signed_statuses_echoing_the_correlation() {
    let s = setup().await;
    let (url, log) = receiver().await;
    s.fake.set_webhook_url(Some(&url));
    s.fake.open_window(PNID, CUSTOMER);
    let mut m = text("hi");
    m.correlation_id = Some("msg_7".into());
    s.meta.send(&m).await.unwrap();
    let got = statuses_in(&s, &wait_for(&log, 3).await);
    let corr = Some("msg_7".to_owned());
    assert_eq!(
        got,
        vec![
            (DeliveryStatus::Sent, None, corr.clone()),
            (DeliveryStatus::Delivered, None, corr.clone()),
            (DeliveryStatus::Read, None, corr)
        ]
    );
}

#[tokio::test]
async fn free_form_sends_outside_the_window_fail_later_with_131047() {
    let s = setup().await;
    let (url, log) = receiver().await;
    s.fake.set_webhook_url(Some(&url));
    s.meta.send(&text("hi")).await.unwrap();
    let got = statuses_in(&s, &wait_for(&log, 1).await);
    assert_eq!(
        got,
        vec![(DeliveryStatus::Failed, Some("131047".into()), None)]
    );
}

#[tokio::test]
async fn the_magic_number_fails_later_with_131026() {
    let s = setup().await;
    let (url, log) = receiver().await;
    s.fake.set_webhook_url(Some(&url));
    let mut m = text("hi");
    m.to = PhoneNumber::from_wa_id(UNDELIVERABLE).unwrap();
    s.meta.send(&m).await.unwrap();
    let got = statuses_in(&s, &wait_for(&log, 1).await);
    assert_eq!(
        got,
        vec![(DeliveryStatus::Failed, Some("131026".into()), None)]
    );
}

#[tokio::test]
async fn batched_reordered_duplicated_statuses_all_parse() {
    let s = setup().await;
    let (url, log) = receiver().await;
    s.fake.set_webhook_url(Some(&url));
    s.fake.set_status_knobs(StatusKnobs {
        batch: true,
        reorder: true,
        duplicate: true,
        ..StatusKnobs::default()
    });
    s.fake.open_window(PNID, CUSTOMER);
    s.meta.send(&text("hi")).await.unwrap();
    let got: Vec<DeliveryStatus> = statuses_in(&s, &wait_for(&log, 1).await)
        .into_iter()
        .map(|t| t.0)
        .collect();
    use DeliveryStatus::*;
    assert_eq!(got, vec![Read, Read, Delivered, Delivered, Sent, Sent]);
}

#[tokio::test]
async fn explicit_status_webhooks_and_the_handshake_work() {
    let s = setup().await;
    let (url, log) = receiver().await;
    let mut played = StatusSpec::new("wamid.X", "played", CUSTOMER);
    played.correlation = Some("c1".into());
    s.fake.send_status(&url, PNID, played).await.unwrap();
    let got = statuses_in(&s, &wait_for(&log, 1).await);
    assert_eq!(got, vec![(DeliveryStatus::Read, None, Some("c1".into()))]);
    assert!(s.fake.verify_webhook(&url, "vt").await.unwrap());
    assert!(!s.fake.verify_webhook(&url, "wrong").await.unwrap());
}

#[tokio::test]
async fn the_fake_enforces_the_cloud_api_limits() {
    let s = setup().await;
    let buttons = |n: usize, title: &str| OutboundContent::Buttons {
        header: None,
        body: "b".into(),
        footer: None,
        buttons: (0..n)
            .map(|i| InteractiveButton {
                id: i.to_string(),
                title: title.into(),
            })
            .collect(),
    };
    let rows = |n: usize| OutboundContent::List {
        header: None,
        body: "b".into(),
        footer: None,
        button: "Pick".into(),
        sections: vec![ListSection {
            title: None,
            rows: (0..n)
                .map(|i| ListRow {
                    id: i.to_string(),
                    title: "r".into(),
                    description: None,
                })
                .collect(),
        }],
    };
    let caption = OutboundContent::Media {
        kind: MediaKind::Image,
        url: "https://cdn.example/a.jpg".into(),
        caption: Some("c".repeat(1025)),
        filename: None,
    };
    let cases = [
        (buttons(4, "ok"), "131009"),
        (buttons(0, "ok"), "131009"),
        (buttons(1, "a title that is far too long"), "100"),
        (rows(11), "131009"),
        (caption, "100"),
    ];
    for (content, code) in cases {
        let error = s.meta.send(&message(content.clone())).await.unwrap_err();
        assert!(
            matches!(&error, ProviderError::Rejected { code: got, .. } if got == code),
            "{content:?}: {error:?}"
        );
    }
    s.meta
        .send(&message(buttons(3, "twenty chars exactly")))
        .await
        .unwrap();
    s.meta.send(&message(rows(10))).await.unwrap();
    assert_eq!(s.fake.sent_messages().len(), 2);
}
