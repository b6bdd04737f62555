//! The Meta adapter's business profile calls against the fake Meta, as seen on the wire:
//! the read with its fields, the update with `messaging_product`, the photo through the
//! Resumable Upload API; and the fake answering invalid changes in Graph's error shape.

use serde_json::{json, Value};
use switchboard::domain::business_profile::{BusinessVertical, ProfileChanges};
use switchboard::fakes::meta::FAKE_APP_ID;
use switchboard::providers::{ProfilePhoto, Provider, ProviderError};

use crate::providers_meta::{setup, PNID, TOKEN};

const JPEG: &[u8] = b"\xff\xd8\xff\xe0 a tiny jpeg";

#[tokio::test]
async fn a_profile_change_with_a_photo_goes_through_an_app_upload() {
    let s = setup().await;
    let changes = ProfileChanges {
        about: Some("Succulent specialists!".into()),
        email: Some("shop@acme.example".into()),
        websites: Some(vec!["https://acme.example".into()]),
        vertical: Some(BusinessVertical::EventPlan),
        ..ProfileChanges::default()
    };
    let photo = ProfilePhoto {
        bytes: JPEG.to_vec(),
        content_type: "image/jpeg".into(),
    };
    s.meta
        .update_business_profile(&changes, Some(&photo))
        .await
        .unwrap();

    let requests = s.fake.requests();
    let open = requests
        .iter()
        .find(|r| r.path.ends_with("/uploads"))
        .expect("an upload session was opened");
    assert_eq!(open.method, "POST");
    assert_eq!(open.path, format!("/v23.0/{FAKE_APP_ID}/uploads"));
    assert_eq!(
        open.query_param("file_length"),
        Some(JPEG.len().to_string().as_str())
    );
    assert_eq!(open.query_param("file_type"), Some("image/jpeg"));
    let data = requests
        .iter()
        .find(|r| r.path.starts_with("/v23.0/upload:"))
        .expect("the file was uploaded");
    assert_eq!(data.method, "POST");
    assert_eq!(
        data.header("authorization"),
        Some(format!("OAuth {TOKEN}").as_str())
    );
    assert_eq!(data.header("file_offset"), Some("0"));
    assert!(data.query_param("sig").is_some(), "the session's signature");
    assert_eq!(data.raw_body, JPEG);
    let post = requests
        .iter()
        .find(|r| {
            r.method == "POST" && r.path == format!("/v23.0/{PNID}/whatsapp_business_profile")
        })
        .expect("the profile was posted");
    let body = post.body.clone().unwrap();
    let handle = body["profile_picture_handle"].as_str().unwrap().to_owned();
    assert_eq!(
        body,
        json!({ "messaging_product": "whatsapp", "about": "Succulent specialists!",
                "email": "shop@acme.example", "websites": ["https://acme.example"],
                "vertical": "EVENT_PLAN", "profile_picture_handle": handle })
    );

    let profile = s.meta.business_profile().await.unwrap();
    let read = s
        .fake
        .requests()
        .into_iter()
        .rfind(|r| r.method == "GET" && r.path.ends_with("/whatsapp_business_profile"))
        .unwrap();
    assert_eq!(
        read.query_param("fields"),
        Some("about,address,description,email,profile_picture_url,websites,vertical")
    );
    assert_eq!(profile.about.as_deref(), Some("Succulent specialists!"));
    assert_eq!(profile.email.as_deref(), Some("shop@acme.example"));
    assert_eq!(profile.websites, ["https://acme.example"]);
    assert_eq!(profile.vertical, Some(BusinessVertical::EventPlan));
    assert_eq!(profile.address, None);
    assert!(profile.photo_url.is_some());
    assert_eq!(
        s.fake.business_profile(PNID).picture_handle.as_deref(),
        Some(handle.as_str())
    );
}

#[tokio::test]
async fn the_fake_refuses_invalid_changes_as_meta_does_and_keeps_the_profile() {
    let s = setup().await;
    // Past our own checks, straight to the fake: Meta's limit on the about text.
    let changes = ProfileChanges {
        about: Some("a".repeat(140)),
        ..ProfileChanges::default()
    };
    let error = s
        .meta
        .update_business_profile(&changes, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ProviderError::Rejected { code, .. } if code == "100"),
        "{error:?}"
    );
    assert_eq!(s.fake.business_profile(PNID), Default::default());

    let url = format!(
        "{}/v23.0/{PNID}/whatsapp_business_profile",
        s.fake.base_url()
    );
    let http = reqwest::Client::new();
    for (body, wanted) in [
        (json!({ "about": "No product" }), "messaging_product"),
        (
            json!({ "messaging_product": "whatsapp", "websites": ["a", "b", "c"] }),
            "websites",
        ),
        (
            json!({ "messaging_product": "whatsapp", "vertical": "SPACE" }),
            "vertical",
        ),
        (
            json!({ "messaging_product": "whatsapp", "profile_picture_handle": "2:forged" }),
            "profile_picture_handle",
        ),
    ] {
        let response = http
            .post(&url)
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let answer: Value = response.json().await.unwrap();
        let error = &answer["error"];
        assert_eq!(error["code"], 100, "{answer}");
        assert_eq!(error["type"], "OAuthException");
        assert!(error["fbtrace_id"].is_string());
        let text = format!("{} {}", error["message"], error["error_data"]["details"]);
        assert!(text.contains(wanted), "{wanted}: {text}");
    }
    assert_eq!(s.fake.business_profile(PNID), Default::default());

    // Another token cannot see the number's profile.
    let foreign = http
        .get(&url)
        .bearer_auth("EAAG-someone-else")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 401);
}
