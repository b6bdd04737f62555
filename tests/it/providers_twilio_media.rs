//! The Twilio adapter's media downloads against the fake Twilio: credentials go to Twilio's
//! API host only, never to the CDN, another host or across a redirect.

use switchboard::fakes::twilio::FakeAccount;
use switchboard::providers::twilio::TwilioProvider;
use switchboard::providers::{MediaRef, Provider, ProviderError};

use crate::providers_twilio::{credentials, setup, Receiver};

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
