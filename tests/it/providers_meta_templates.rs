//! The Meta adapter's templates against the fake Meta: sends checked against the fake's
//! store, listing across pages, creation and review.

use serde_json::json;
use switchboard::domain::content::TemplateVariable;
use switchboard::providers::{NewTemplate, OutboundContent, Provider, ProviderError, WebhookEvent};

use crate::providers_meta::{as_request, last_post, message, receiver, setup, wait_for, WABA};

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
                .map(|(i, v)| TemplateVariable {
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
