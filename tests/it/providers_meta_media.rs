//! The Meta adapter's media downloads against the fake Meta: the bearer token goes to Meta's
//! hosts only, never across a redirect or to a foreign host, and expired URLs are resolved
//! again once.

use switchboard::crypto::Secret;
use switchboard::providers::meta::MetaProvider;
use switchboard::providers::{MediaRef, MetaCredentials, Provider, ProviderError, ProviderUrls};

use crate::providers_meta::{receiver, setup, wait_for, PNID, TOKEN, WABA};

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
