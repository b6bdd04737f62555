//! Property tests that throw random and mutated payloads at both webhook parsers and both
//! signature checks: starting from PROVIDERS.md's example payloads, bytes are flipped,
//! bodies cut, parameters repeated or given absurd counts, JSON nested deep. Each input
//! must finish within a time bound, never panic, and give a bounded result.

use proptest::prelude::*;

use super::meta::{signature as meta_signature, webhook as meta_webhook};
use super::twilio::{signature as twilio_signature, webhook as twilio_webhook};
use super::{InboundContent, WebhookEvent, WebhookRequest};

/// Runs `work` within one input's budget (a second, scaled like every test deadline).
fn bounded<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    crate::time_bound::within(1.0, work)
}

const TWILIO_TOKEN: &str = "0123456789abcdef0123456789abcdef";
const TWILIO_URL: &str = "https://switchboard.example.com/webhooks/twilio/wk_7f3a";
const TWILIO_SEEDS: &[&str] = &[
    // T1 (PROVIDERS.md §1.7).
    "AccountSid=AC00000000000000000000000000000001&ApiVersion=2010-04-01&Body=Hello\
     &From=whatsapp%3A%2B14155550100&MessageSid=SM00000000000000000000000000000001&NumMedia=0\
     &ProfileName=Ana&To=whatsapp%3A%2B14155238886&WaId=14155550100",
    // The real-shaped sample of §1.4, with media.
    "SmsMessageSid=SM1&NumMedia=2&ProfileName=Ana&MessageType=image&SmsSid=SM1&WaId=34600000000\
     &SmsStatus=received&Body=Hola&To=whatsapp%3A%2B14155238886&NumSegments=1&ReferralNumMedia=0\
     &MessageSid=SM1&AccountSid=AC1&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm0\
     &MediaContentType0=image%2Fjpeg&MediaUrl1=https%3A%2F%2Fapi.twilio.com%2Fm1\
     &From=whatsapp%3A%2B34600000000&ApiVersion=2010-04-01",
    // A location and a button.
    "MessageSid=SM2&WaId=34600000000&Latitude=40.4&Longitude=-3.7&Label=Sol&ButtonText=Yes\
     &ButtonPayload=Y&ListId=r1",
    // T2: a status callback.
    "AccountSid=AC00000000000000000000000000000001&Body=Ol%C3%A1+%F0%9F%91%8B\
     &ChannelPrefix=whatsapp&ErrorCode=63016&From=whatsapp%3A%2B14155238886\
     &MessageSid=SM00000000000000000000000000000002&MessageStatus=failed&To=whatsapp%3A%2B34600000000",
];

const META_SECRET: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
const META_SEEDS: &[&str] = &[
    // M1, M2 and M3 (PROVIDERS.md §2.6).
    r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Ana"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.TEST1","timestamp":"1749416383","type":"text","text":{"body":"Hi"}}]},"field":"messages"}]}]}"#,
    r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Jos\u00e9"},"wa_id":"34600000000"}],"messages":[{"from":"34600000000","id":"wamid.TEST2","timestamp":"1749416400","type":"text","text":{"body":"Ol\u00e1 \ud83d\udc4b"}}]},"field":"messages"}]}]}"#,
    r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.TEST3","status":"failed","timestamp":"1749416500","recipient_id":"16505551234","errors":[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message","error_data":{"details":"customer service window closed"}}]}]},"field":"messages"}]}]}"#,
    // An order and a location (§2.5).
    r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"messages":[{"from":"16505551234","id":"wamid.O","timestamp":"1","type":"order","order":{"catalog_id":"C","text":"t","product_items":[{"product_retailer_id":"S","quantity":2,"item_price":1.5,"currency":"EUR"}]}},{"from":"16505551234","id":"wamid.L","timestamp":"1","type":"location","location":{"latitude":1,"longitude":2}}]}}]}]}"#,
];

/// A change to a seed payload.
#[derive(Clone, Debug)]
enum Mutation {
    Flip {
        at: usize,
        byte: u8,
    },
    Truncate {
        at: usize,
    },
    Insert {
        at: usize,
        text: String,
    },
    Repeat {
        from: usize,
        len: usize,
        times: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let pieces = prop_oneof![
        Just("&NumMedia=1000000000000000".to_owned()),
        Just("&NumMedia=99999999999999999999999".to_owned()),
        Just("&MediaUrl9=x&MediaUrl10=y".to_owned()),
        Just("&WaId=&From=whatsapp%3Aabc".to_owned()),
        Just("&Latitude=1e999&Longitude=NaN".to_owned()),
        Just(r#"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["#.to_owned()),
        Just(r#","quantity":1e308,"timestamp":"-9e99","#.to_owned()),
        Just(r#"{"from":"","id":"x","timestamp":"1","type":"order","order":{"product_items":[{}]}},"#.to_owned()),
        "\\PC{0,24}",
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), pieces).prop_map(|(at, text)| Mutation::Insert { at, text }),
        (any::<usize>(), 1usize..64, 1usize..200).prop_map(|(from, len, times)| Mutation::Repeat {
            from,
            len,
            times
        }),
    ]
}

fn apply(seed: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut body = seed.as_bytes().to_vec();
    for m in mutations {
        let n = body.len().max(1);
        match m {
            Mutation::Flip { at, byte } => {
                if let Some(b) = body.get_mut(at % n) {
                    *b ^= byte;
                }
            }
            Mutation::Truncate { at } => body.truncate(at % n),
            Mutation::Insert { at, text } => {
                let at = (at % n).min(body.len());
                body.splice(at..at, text.bytes());
            }
            Mutation::Repeat { from, len, times } => {
                let from = (from % n).min(body.len());
                let end = (from + len).min(body.len());
                let piece = body[from..end].to_vec();
                for _ in 0..*times {
                    body.splice(end..end, piece.iter().copied());
                }
            }
        }
    }
    body
}

/// What a parse gave, checked for bounds: every event names at most the media a message can
/// carry, and there are no more events than the body has bytes.
fn check_events(events: &[WebhookEvent], body_len: usize, max_media: usize) -> Result<(), String> {
    if events.len() > body_len {
        return Err(format!("{} events from {body_len} bytes", events.len()));
    }
    for event in events {
        if let WebhookEvent::MessageReceived(m) = event {
            if let InboundContent::Media { attachments, .. } = &m.content {
                if attachments.len() > max_media {
                    return Err(format!("{} attachments", attachments.len()));
                }
            }
            if m.from_wa_id.is_empty() || !m.from_wa_id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("sender {:.40?} kept", m.from_wa_id));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn twilio_parsing_and_signing_stay_bounded(
        seed in 0..TWILIO_SEEDS.len(),
        mutations in prop::collection::vec(mutation(), 0..6),
        json in any::<bool>(),
    ) {
        let body = apply(TWILIO_SEEDS[seed], &mutations);
        let len = body.len();
        let signature = twilio_signature::sign(TWILIO_TOKEN, TWILIO_URL, std::iter::empty());
        let request = WebhookRequest {
            url: TWILIO_URL.into(),
            content_type: Some(if json { "application/json" } else { "application/x-www-form-urlencoded" }.into()),
            signature: Some(signature.clone()),
            body,
        };
        let outcome = bounded(move || {
            let verified = twilio_signature::verify(TWILIO_TOKEN, &request.url, !json, &request.body, &signature);
            (verified, twilio_webhook::parse(&request))
        });
        let (_, parsed) = outcome.map_err(TestCaseError::fail)?;
        if let Ok(events) = parsed {
            prop_assert!(events.len() <= 1, "one Twilio webhook is one event");
            check_events(&events, len, twilio_webhook::MAX_MEDIA).map_err(TestCaseError::fail)?;
        }
    }

    #[test]
    fn meta_parsing_and_signing_stay_bounded(
        seed in 0..META_SEEDS.len(),
        mutations in prop::collection::vec(mutation(), 0..6),
        header in prop_oneof![Just(None), Just(Some("sha256=00".to_owned())), "\\PC{0,80}".prop_map(Some)],
    ) {
        let body = apply(META_SEEDS[seed], &mutations);
        let len = body.len();
        let outcome = bounded(move || {
            let signed = meta_signature::sign(META_SECRET, &body);
            let ok = meta_signature::verify(META_SECRET, &body, Some(&signed));
            let forged = header.as_deref().is_some_and(|h| h != signed && meta_signature::verify(META_SECRET, &body, Some(h)));
            (ok, forged, meta_webhook::parse(&body))
        });
        let (ok, forged, parsed) = outcome.map_err(TestCaseError::fail)?;
        prop_assert!(ok, "its own signature verifies");
        prop_assert!(!forged, "a made-up header never verifies");
        if let Ok(events) = parsed {
            check_events(&events, len, 1).map_err(TestCaseError::fail)?;
        }
    }
}
