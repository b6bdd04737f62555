//! Uploading a file, then sending it: the provider fetches it through a signed link.

use serde_json::{json, Value};

use crate::support::fixtures::{
    conversation_id, meta_conversation, meta_inbound, settled, twilio_channel, twilio_inbound, SEND,
};
use crate::support::{TestApp, TestTenant};

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload(
    app: &TestApp,
    token: Option<&str>,
    content_type: &str,
    query: &str,
    bytes: &[u8],
) -> (u16, Value) {
    let mut request = app
        .http
        .post(app.url(&format!("/media{query}")))
        .header("content-type", content_type)
        .body(bytes.to_vec());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn send_upload(tenant: &TestTenant, conversation: &str, media: Value) -> String {
    let sent = tenant
        .owner
        .gql
        .query(
            SEND,
            json!({ "i": { "conversationId": conversation, "content": { "media": media } } }),
        )
        .await;
    sent.data()["sendMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// What an anonymous fetch of `url` (as the provider makes it) answers.
async fn fetch(app: &TestApp, url: &str) -> (u16, String, Vec<u8>) {
    let response = app.http.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

#[tokio::test]
async fn an_uploaded_document_reaches_meta_as_a_link_it_can_fetch() {
    let app = TestApp::spawn().await;
    let (tenant, _, conversation) = meta_conversation(&app, "the invoice please").await;
    let token = tenant.owner.access_token.clone();
    let (status, uploaded) = upload(
        &app,
        Some(&token),
        "application/pdf",
        "?filename=invoice-42.pdf",
        PDF,
    )
    .await;
    assert_eq!(status, 201, "{uploaded}");
    assert_eq!(uploaded["contentType"], "application/pdf");
    assert_eq!(uploaded["sizeBytes"], PDF.len());
    assert_eq!(uploaded["filename"], "invoice-42.pdf");
    let id = send_upload(
        &tenant,
        &conversation,
        json!({ "type": "DOCUMENT", "mediaId": uploaded["id"], "caption": "Your invoice" }),
    )
    .await;
    let message = settled(&tenant, &id, |m| m["status"] != "QUEUED").await;
    assert_eq!(message["status"], "SENT", "{message}");
    let wire = app.meta.sent_messages().pop().unwrap();
    assert_eq!(wire.kind, "document");
    let document = &wire.body["document"];
    assert_eq!(document["filename"], "invoice-42.pdf");
    assert_eq!(document["caption"], "Your invoice");
    let link = document["link"].as_str().unwrap();
    let id = uploaded["id"].as_str().unwrap();
    assert!(
        link.starts_with(&app.url(&format!("/media/{id}?"))),
        "{link}"
    );
    let (status, content_type, bytes) = fetch(&app, link).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/pdf");
    assert_eq!(bytes, PDF);
    // The link is for this file only.
    let (status, _, _) = fetch(&app, &link.replace(id, &uuid::Uuid::now_v7().to_string())).await;
    assert_eq!(status, 403);
    // The owner's users may read it with their token.
    let response = app
        .http
        .get(app.url(&format!("/media/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    app.finish().await;
}

#[tokio::test]
async fn an_uploaded_image_reaches_twilio_as_its_media_url() {
    let app = TestApp::spawn().await;
    let tenant = app.new_tenant("Acme").await;
    let channel = twilio_channel(&app, &tenant).await;
    twilio_inbound(&app, &channel, "a photo?").await;
    let conversation = conversation_id(&tenant).await;
    let png = b"\x89PNG\r\n\x1a\n fake image bytes";
    let (status, uploaded) =
        upload(&app, Some(&tenant.owner.access_token), "image/png", "", png).await;
    assert_eq!(status, 201, "{uploaded}");
    let id = send_upload(
        &tenant,
        &conversation,
        json!({ "type": "IMAGE", "mediaId": uploaded["id"] }),
    )
    .await;
    let message = settled(&tenant, &id, |m| m["status"] != "QUEUED").await;
    assert_eq!(message["status"], "SENT", "{message}");
    let request = app.twilio.requests_to("/Messages.json").pop().unwrap();
    let link = request.form_value("MediaUrl").unwrap().to_owned();
    let (status, content_type, bytes) = fetch(&app, &link).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "image/png");
    assert_eq!(bytes, png);
    app.finish().await;
}

#[tokio::test]
async fn uploads_are_checked_and_belong_to_their_tenant() {
    let app = TestApp::spawn_with(|c| c.media_max_bytes = 4096).await;
    let (tenant, _, conversation) = meta_conversation(&app, "hello").await;
    let token = tenant.owner.access_token.clone();

    let (status, body) = upload(&app, None, "application/pdf", "", PDF).await;
    assert_eq!(
        (status, body["errors"][0]["extensions"]["code"].as_str()),
        (401, Some("UNAUTHENTICATED"))
    );
    let (status, _) = upload(&app, Some(&token), "text/html", "", b"<script>").await;
    assert_eq!(status, 415);
    let (status, _) = upload(&app, Some(&token), "application/pdf", "", b"").await;
    assert_eq!(status, 400);
    let (status, _) = upload(
        &app,
        Some(&token),
        "application/pdf",
        "?filename=../../etc/passwd",
        PDF,
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = upload(&app, Some(&token), "application/pdf", "", &[b'x'; 5000]).await;
    assert_eq!(status, 413);

    let (_, png) = upload(&app, Some(&token), "image/png", "", b"\x89PNG\r\n\x1a\n").await;
    // A PNG is no document, and a file goes by url or by id, not both.
    for (media, field) in [
        (
            json!({ "type": "DOCUMENT", "mediaId": png["id"] }),
            "content.media.mediaId",
        ),
        (
            json!({ "type": "IMAGE", "mediaId": png["id"], "url": "https://cdn.example/a.png" }),
            "content.media",
        ),
        (json!({ "type": "IMAGE" }), "content.media"),
    ] {
        let answer = tenant
            .owner
            .gql
            .query(
                SEND,
                json!({ "i": { "conversationId": conversation, "content": { "media": media } } }),
            )
            .await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{}", answer.body);
        assert_eq!(answer.body["errors"][0]["extensions"]["field"], field);
    }

    // Another tenant can neither send nor read it.
    let (other, other_conversation) = meta_conversation_of(&app, "Globex").await;
    let answer = other
        .owner
        .gql
        .query(SEND, json!({ "i": { "conversationId": other_conversation, "content": { "media": { "type": "IMAGE", "mediaId": png["id"] } } } }))
        .await;
    assert_eq!(answer.code(), "NOT_FOUND", "{}", answer.body);
    let response = app
        .http
        .get(app.url(&format!("/media/{}", png["id"].as_str().unwrap())))
        .bearer_auth(&other.owner.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(app.meta.sent_messages().is_empty());
}

/// A second tenant with its own Meta number and a customer's conversation.
async fn meta_conversation_of(app: &TestApp, name: &str) -> (TestTenant, String) {
    let tenant = app.new_tenant(name).await;
    let meta =
        crate::support::fixtures::meta_channel(app, &tenant, "+15550783999", "106540352242999")
            .await;
    meta_inbound(app, &meta, "34600000009", "hi").await;
    let conversation = conversation_id(&tenant).await;
    (tenant, conversation)
}
