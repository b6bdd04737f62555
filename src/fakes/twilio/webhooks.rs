//! Webhooks the fake sends: signed form POSTs (PROVIDERS.md §1.7), and the status callbacks
//! that follow an accepted send. Like Twilio, a failed delivery is not retried.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::state::{new_sid, FakeMessage};
use super::Shared;

/// What the receiver answered.
#[derive(Clone, Debug)]
pub struct WebhookDelivery {
    pub status: u16,
    pub body: String,
}

/// `X-Twilio-Signature` for a form POST to `url`. Written independently of the adapter's
/// verifier so the integration tests check one against the other.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (k, v) in params {
        sorted.entry(k).or_default().insert(v);
    }
    let mut data = url.to_owned();
    for (k, values) in sorted {
        for v in values {
            data.push_str(k);
            data.push_str(v);
        }
    }
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()) else {
        return String::new();
    };
    mac.update(data.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// POSTs `params` form-encoded to `url`, signed with `auth_token` over the exact URL.
pub(crate) async fn post_signed(
    client: &reqwest::Client,
    url: &str,
    auth_token: &str,
    params: &[(String, String)],
) -> Result<WebhookDelivery, reqwest::Error> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let response = client
        .post(url)
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .header(
            "x-twilio-signature",
            twilio_signature(auth_token, url, params),
        )
        .header("i-twilio-idempotency-token", new_sid(""))
        .header("user-agent", "TwilioProxy/1.1")
        .body(body)
        .send()
        .await?;
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    Ok(WebhookDelivery { status, body })
}

/// After a send: queued → sent → delivered → read, or queued → failed/undelivered with the
/// error code, each a signed POST to the message's `StatusCallback`.
pub(crate) fn schedule_status_callbacks(
    shared: Arc<Shared>,
    message: FakeMessage,
    error: Option<u32>,
) {
    let (settings, token) = {
        let state = shared.lock();
        let token = state
            .accounts
            .get(&message.account_sid)
            .map(|a| a.auth_token.clone());
        (state.settings.clone(), token)
    };
    let url = message.status_callback.clone();
    let (Some(url), Some(token), true) = (url, token, settings.status_callbacks) else {
        if let Some(code) = error {
            set_status(&shared, &message.sid, failure_word(code), Some(code));
        }
        return;
    };
    let mut steps: Vec<(&'static str, Option<u32>)> = match error {
        None => vec![
            ("queued", None),
            ("sent", None),
            ("delivered", None),
            ("read", None),
        ],
        Some(code) => vec![("queued", None), (failure_word(code), Some(code))],
    };
    steps.retain(|(status, _)| !settings.callbacks_dropped.iter().any(|d| d == status));
    if settings.callbacks_reversed {
        steps.reverse();
    }
    if settings.callbacks_duplicated {
        steps = steps.into_iter().flat_map(|step| [step, step]).collect();
    }
    let delay = settings.callback_delay;
    let install = new_sid("XE");
    tokio::spawn(async move {
        for (status, code) in steps {
            tokio::time::sleep(delay).await;
            set_status(&shared, &message.sid, status, code);
            let params = status_params(&message, status, code, &install);
            if let Err(e) = post_signed(&shared.client, &url, &token, &params).await {
                tracing::debug!(error = %e, "fake twilio could not deliver a status callback");
            }
        }
    });
}

fn failure_word(code: u32) -> &'static str {
    match code {
        63003 | 63024 | 63032 => "undelivered",
        _ => "failed",
    }
}

fn set_status(shared: &Shared, sid: &str, status: &str, code: Option<u32>) {
    if let Some(m) = shared.lock().messages.get_mut(sid) {
        m.status = status.to_owned();
        m.error_code = code.or(m.error_code);
    }
}

/// The parameters Twilio posts for one WhatsApp status transition (§1.5).
pub fn status_params(
    message: &FakeMessage,
    status: &str,
    code: Option<u32>,
    install_sid: &str,
) -> Vec<(String, String)> {
    // Twilio masks the recipient's last digits; cut on characters, whatever `To` holds.
    let keep = message.to.chars().count().saturating_sub(4);
    let masked = format!("{}XXXX", message.to.chars().take(keep).collect::<String>());
    let mut p = vec![
        ("AccountSid", message.account_sid.clone()),
        ("ApiVersion", "2010-04-01".into()),
        ("ChannelInstallSid", install_sid.to_owned()),
        ("ChannelPrefix", "whatsapp".into()),
        ("ChannelToAddress", masked),
        ("From", format!("whatsapp:{}", message.from)),
        ("MessageSid", message.sid.clone()),
        ("MessageStatus", status.to_owned()),
        ("SmsSid", message.sid.clone()),
        ("SmsStatus", status.to_owned()),
        ("To", format!("whatsapp:{}", message.to)),
    ];
    match (status, code) {
        ("delivered", _) => p.push(("EventType", "DELIVERED".into())),
        ("read", _) => p.push(("EventType", "READ".into())),
        (_, Some(code)) => {
            p.push(("EventType", "UNDELIVERED".into()));
            p.push(("ErrorCode", code.to_string()));
            p.push(("ErrorMessage", error_text(code).into()));
        }
        _ => {}
    }
    if let Some(mg) = &message.messaging_service_sid {
        p.push(("MessagingServiceSid", mg.clone()));
    }
    p.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn error_text(code: u32) -> &'static str {
    match code {
        63003 => "Channel could not find To address",
        63016 => "Failed to send freeform message because you are outside the allowed window.",
        63018 => "Rate limit exceeded for Channel",
        63024 => "Invalid message recipient",
        _ => "Message delivery failed",
    }
}
