//! Signed webhooks from the fake, written the way Meta writes them: JSON with every
//! non-ASCII character escaped as lowercase `\uXXXX` (surrogate pairs above U+FFFF), signed
//! over exactly those bytes with the app secret in `X-Hub-Signature-256` (PROVIDERS.md §2.5,
//! §2.6). Also the `hub.*` GET handshake and the status payloads.

use std::time::Duration;

use hmac::{Hmac, Mac};
use rand::Rng;
use serde_json::{json, Value};
use sha2::Sha256;

use super::{FakeError, Shared};

/// A webhook the fake sent, for tests to inspect.
#[derive(Clone, Debug)]
pub struct SentWebhook {
    pub url: String,
    pub body: Vec<u8>,
    pub signature: String,
    /// The receiver's final HTTP status, `None` when it could not be reached.
    pub status: Option<u16>,
}

/// Serialises like Meta: ASCII-only JSON with lowercase `\uXXXX` escapes.
pub fn meta_json(value: &Value) -> Vec<u8> {
    let plain = value.to_string();
    let mut out = String::with_capacity(plain.len());
    for c in plain.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            // Non-ASCII only ever occurs inside JSON strings, where an escape is equivalent.
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out.into_bytes()
}

/// `sha256=<hex>` over `body`.
pub fn hub_signature(app_secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length.
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Wraps one change `value` in the notification envelope.
pub(super) fn envelope(waba_id: &str, field: &str, value: Value) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": waba_id,
            "time": chrono::Utc::now().timestamp(),
            "changes": [{ "value": value, "field": field }]
        }]
    })
}

/// The `messages` change value for our number, before adding messages or statuses.
pub(super) fn messages_value(display_number: &str, phone_number_id: &str) -> Value {
    let digits: String = display_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    json!({
        "messaging_product": "whatsapp",
        "metadata": { "display_phone_number": digits, "phone_number_id": phone_number_id }
    })
}

/// One `statuses[]` item.
#[derive(Clone, Debug)]
pub struct StatusSpec {
    pub wamid: String,
    /// `sent`, `delivered`, `read`, `failed`, `played`.
    pub status: String,
    pub recipient_id: String,
    pub correlation: Option<String>,
    /// `(code, title)` for failures.
    pub error: Option<(i64, String)>,
    /// `pricing.category` (`service`, `utility`, `marketing`, …).
    pub category: String,
}

impl StatusSpec {
    pub fn new(wamid: &str, status: &str, recipient_id: &str) -> Self {
        Self {
            wamid: wamid.into(),
            status: status.into(),
            recipient_id: recipient_id.into(),
            correlation: None,
            error: None,
            category: "service".into(),
        }
    }

    pub(super) fn to_json(&self) -> Value {
        let mut status = json!({
            "id": self.wamid,
            "status": self.status,
            "timestamp": chrono::Utc::now().timestamp().to_string(),
            "recipient_id": self.recipient_id,
        });
        if let Some(correlation) = &self.correlation {
            status["biz_opaque_callback_data"] = json!(correlation);
        }
        if self.status != "failed" {
            status["pricing"] = json!({
                "billable": self.category != "service",
                "pricing_model": "PMP",
                "category": self.category,
                "type": if self.category == "service" { "free_customer_service" } else { "regular" },
            });
        }
        if let Some((code, title)) = &self.error {
            status["errors"] = json!([{
                "code": code,
                "title": title,
                "message": title,
                "error_data": { "details": title },
                "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
            }]);
        }
        status
    }
}

impl Shared {
    /// POSTs `payload` signed with the app secret; retries non-2xx answers on a compressed
    /// schedule (Meta retries for days; the fake for a fraction of a second).
    pub(super) async fn post_signed(&self, url: &str, payload: &Value) -> Result<u16, FakeError> {
        let body = meta_json(payload);
        let (secret, retries) = {
            let state = self.lock();
            (state.app_secret.clone(), state.webhook_retries)
        };
        let signature = hub_signature(&secret, &body);
        let mut last = None;
        for attempt in 0..=retries {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(50 << attempt.min(6))).await;
            }
            let result = self
                .http
                .post(url)
                .header("content-type", "application/json")
                .header("x-hub-signature-256", &signature)
                .body(body.clone())
                .send()
                .await;
            last = result.as_ref().ok().map(|r| r.status().as_u16());
            if last.is_some_and(|s| (200..300).contains(&s)) {
                break;
            }
        }
        self.lock().webhooks.push(SentWebhook {
            url: url.into(),
            body,
            signature,
            status: last,
        });
        last.ok_or_else(|| FakeError::Delivery(format!("{url} could not be reached")))
    }

    /// Sends statuses for one of our numbers, batched in one POST or one POST each.
    pub(super) async fn post_statuses(
        &self,
        url: &str,
        phone_number_id: &str,
        statuses: &[StatusSpec],
        batch: bool,
    ) -> Result<(), FakeError> {
        let (waba, display) = self.number_info(phone_number_id)?;
        let groups: Vec<Vec<Value>> = if batch {
            vec![statuses.iter().map(StatusSpec::to_json).collect()]
        } else {
            statuses.iter().map(|s| vec![s.to_json()]).collect()
        };
        {
            // Each sent message keeps the furthest status reported for it.
            let rank = |s: &str| match s {
                "sent" => 1,
                "delivered" => 2,
                "read" | "played" => 3,
                "failed" => 4,
                _ => 0,
            };
            let mut state = self.lock();
            for spec in statuses {
                if let Some(m) = state.sent.iter_mut().find(|m| m.wamid == spec.wamid) {
                    if rank(&spec.status) > rank(&m.status) {
                        m.status.clone_from(&spec.status);
                    }
                }
            }
        }
        for group in groups {
            let mut value = messages_value(&display, phone_number_id);
            value["statuses"] = Value::Array(group);
            self.post_signed(url, &envelope(&waba, "messages", value))
                .await?;
        }
        Ok(())
    }

    pub(super) fn number_info(&self, phone_number_id: &str) -> Result<(String, String), FakeError> {
        let state = self.lock();
        let number = state
            .number(phone_number_id)
            .ok_or_else(|| FakeError::Unknown(format!("phone number {phone_number_id}")))?;
        Ok((number.waba_id.clone(), number.display_phone_number.clone()))
    }
}

/// Performs Meta's GET handshake against `url`; true when it echoed the challenge.
pub(super) async fn handshake(
    http: &reqwest::Client,
    url: &str,
    verify_token: &str,
) -> Result<bool, FakeError> {
    let challenge = rand::thread_rng()
        .gen_range(100_000_000u64..999_999_999)
        .to_string();
    let response = http
        .get(url)
        .query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", verify_token),
            ("hub.challenge", challenge.as_str()),
        ])
        .send()
        .await
        .map_err(|e| FakeError::Delivery(e.without_url().to_string()))?;
    let ok = response.status().as_u16() == 200;
    let body = response.text().await.unwrap_or_default();
    Ok(ok && body == challenge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_is_escaped_with_lowercase_hex_and_surrogate_pairs() {
        let body = meta_json(&json!({"name":"José","text":"Olá 👋"}));
        assert_eq!(
            String::from_utf8(body).unwrap(),
            r#"{"name":"Jos\u00e9","text":"Ol\u00e1 \ud83d\udc4b"}"#
        );
    }

    #[test]
    fn the_signature_matches_vector_m1() {
        let m1 = r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Ana"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.TEST1","timestamp":"1749416383","type":"text","text":{"body":"Hi"}}]},"field":"messages"}]}]}"#;
        assert_eq!(
            hub_signature("a1b2c3d4e5f60718293a4b5c6d7e8f90", m1.as_bytes()),
            "sha256=c400e779019e65a8166090c33e91636f1171b96c3f01b3da29569ee21572b74f"
        );
    }
}
