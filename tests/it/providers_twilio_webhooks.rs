//! Webhooks the fake Twilio signs, which the Twilio adapter verifies and parses back: every
//! inbound family, status callbacks in any order, and asynchronous failures.

use switchboard::domain::MediaKind;
use switchboard::domain::PhoneNumber;
use switchboard::fakes::twilio::InboundParams;
use switchboard::providers::error::RateScope;
use switchboard::providers::{
    DeliveryStatus, InboundContent, Provider, ProviderError, WebhookEvent,
};

use crate::providers_twilio::{eventually, setup, text, Receiver, CUSTOMER, SENDER};

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
