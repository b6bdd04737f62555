//! Webhooks the fake Meta signs, which the Meta adapter verifies and parses back: every
//! inbound type, statuses in any order, the handshake, and the Cloud API's limits.

use serde_json::json;
use switchboard::domain::content::{Choice, ChoiceSection};
use switchboard::domain::MediaKind;
use switchboard::domain::PhoneNumber;
use switchboard::fakes::meta::{FakeInbound, InboundKind, StatusKnobs, StatusSpec, UNDELIVERABLE};
use switchboard::providers::{
    DeliveryStatus, InboundContent, OutboundContent, Provider, ProviderError, WebhookEvent,
};

use crate::providers_meta::{
    as_request, message, receiver, setup, text, wait_for, Captured, Setup, CUSTOMER, PNID,
};

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
            .map(|i| Choice {
                id: i.to_string(),
                title: title.into(),
                description: None,
            })
            .collect(),
    };
    let rows = |n: usize| OutboundContent::List {
        header: None,
        body: "b".into(),
        footer: None,
        button: "Pick".into(),
        sections: vec![ChoiceSection {
            title: None,
            rows: (0..n)
                .map(|i| Choice {
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
