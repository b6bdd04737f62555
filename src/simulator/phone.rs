//! The customer's phone: one thread per customer with both sides in time order, the ticks of
//! the business's messages, and what the customer does (read, tap a button or a list row,
//! script a delivery failure), each reaching Switchboard as the provider's real webhook.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{demo, Customer, Simulator};
use crate::fakes::meta::{FakeInbound, InboundKind, StatusSpec};
use crate::fakes::twilio::{status_params, InboundParams};

/// Something the customer sent, as the simulator delivered it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Said {
    pub provider: String,
    pub number: String,
    /// The provider's message id (wamid or `SM…`).
    pub id: String,
    /// Unix milliseconds.
    pub at: i64,
    pub kind: String,
    pub text: String,
}

/// A delivery failure scripted for one customer, with the providers' real error codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// Not on WhatsApp: Twilio 63003, Meta 131026.
    Unreachable,
    /// Stopped marketing messages: Meta 131050 on templates.
    OptedOut,
}

/// Tells the stand-ins about the customer's scripted failure.
pub fn apply_failure(sim: &Simulator, customer: &Customer) {
    let code = customer.failure;
    if customer.provider == "twilio" {
        let code = match code {
            Some(Failure::Unreachable) => Some(63003),
            _ => None,
        };
        sim.twilio.set_recipient_failure(&customer.number, code);
    } else {
        let code = code.map(|f| match f {
            Failure::Unreachable => 131026,
            Failure::OptedOut => 131050,
        });
        sim.meta
            .set_recipient_failure(customer.number.trim_start_matches('+'), code);
    }
}

/// A choice the customer can tap.
#[derive(Clone, Debug, Serialize)]
pub struct Choice {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
}

/// One message in a thread, ready to draw.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bubble {
    pub id: String,
    /// `in` (the customer's) or `out` (the business's).
    pub side: &'static str,
    pub at: i64,
    /// `text`, `image`, `document`, `location`, `contacts`, `template`, `buttons`, `list`,
    /// `reaction`, …
    pub kind: String,
    pub text: String,
    /// `sent`, `delivered`, `read` or `failed`, for the business's messages.
    pub status: Option<String>,
    pub buttons: Vec<Choice>,
    pub rows: Vec<Choice>,
    /// The label of the button that opens a list.
    pub list_button: Option<String>,
    pub media_url: Option<String>,
    pub filename: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl Bubble {
    fn new(id: &str, side: &'static str, at: i64, kind: &str, text: String) -> Self {
        Self {
            id: id.to_owned(),
            side,
            at,
            kind: kind.to_owned(),
            text,
            status: None,
            buttons: Vec::new(),
            rows: Vec::new(),
            list_button: None,
            media_url: None,
            filename: None,
            latitude: None,
            longitude: None,
        }
    }
}

/// A customer and the messages exchanged with them.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Thread {
    pub customer: Customer,
    pub messages: Vec<Bubble>,
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> &'a str {
    let mut v = value;
    for key in path {
        v = &v[*key];
    }
    v.as_str().unwrap_or_default()
}

fn choices(items: Option<&Vec<Value>>, id: &[&str], title: &[&str]) -> Vec<Choice> {
    items
        .into_iter()
        .flatten()
        .map(|b| Choice {
            id: str_at(b, id).to_owned(),
            title: str_at(b, title).to_owned(),
            description: b
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
        .collect()
}

/// A Meta send, drawn.
fn meta_bubble(
    m: &crate::fakes::meta::FakeSentMessage,
    templates: &[crate::fakes::meta::FakeTemplate],
) -> Bubble {
    let body = &m.body[&m.kind];
    let mut bubble = Bubble::new(&m.wamid, "out", m.sent_at, &m.kind, String::new());
    match m.kind.as_str() {
        "text" => bubble.text = str_at(body, &["body"]).to_owned(),
        "image" | "video" | "audio" | "document" | "sticker" => {
            bubble.text = str_at(body, &["caption"]).to_owned();
            bubble.media_url = body.get("link").and_then(Value::as_str).map(str::to_owned);
            bubble.filename = body
                .get("filename")
                .and_then(Value::as_str)
                .map(str::to_owned);
        }
        "location" => {
            bubble.text = [str_at(body, &["name"]), str_at(body, &["address"])]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            bubble.latitude = body["latitude"]
                .as_f64()
                .or_else(|| body["latitude"].as_str().and_then(|s| s.parse().ok()));
            bubble.longitude = body["longitude"]
                .as_f64()
                .or_else(|| body["longitude"].as_str().and_then(|s| s.parse().ok()));
        }
        "contacts" => {
            bubble.text = m.body["contacts"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| str_at(c, &["name", "formatted_name"]).to_owned())
                .collect::<Vec<_>>()
                .join(", ");
        }
        "template" => {
            let params: Vec<String> = body["components"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| c["type"] == "body")
                .flat_map(|c| c["parameters"].as_array().cloned().unwrap_or_default())
                .map(|p| str_at(&p, &["text"]).to_owned())
                .collect();
            let (name, language) = (str_at(body, &["name"]), str_at(body, &["language", "code"]));
            bubble.text = match templates
                .iter()
                .find(|t| t.name == name && t.language == language)
            {
                Some(t) => fill(t.body_text(), &params),
                None => format!("{name} ({})", params.join(", ")),
            };
        }
        "interactive" => {
            bubble.text = str_at(body, &["body", "text"]).to_owned();
            if body["type"] == "list" {
                bubble.kind = "list".into();
                bubble.list_button = Some(str_at(body, &["action", "button"]).to_owned());
                bubble.rows = body["action"]["sections"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|s| choices(s["rows"].as_array(), &["id"], &["title"]))
                    .collect();
            } else {
                bubble.kind = "buttons".into();
                bubble.buttons = choices(
                    body["action"]["buttons"].as_array(),
                    &["reply", "id"],
                    &["reply", "title"],
                );
            }
        }
        "reaction" => bubble.text = str_at(body, &["emoji"]).to_owned(),
        _ => bubble.text = body.to_string(),
    }
    bubble
}

/// A template text with `{{1}}`, `{{2}}`… (or named placeholders, in order) filled in.
fn fill(text: &str, params: &[String]) -> String {
    let mut out = String::new();
    let mut rest = text;
    let mut next = params.iter();
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let key = rest[start + 2..start + end].trim();
        let value = match key.parse::<usize>() {
            Ok(i) => i.checked_sub(1).and_then(|i| params.get(i)),
            Err(_) => next.next(),
        };
        out.push_str(value.map_or(&rest[start..start + end + 2], String::as_str));
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

/// A Twilio send, drawn (a `ContentSid` send shows its content).
fn twilio_bubble(
    m: &crate::fakes::twilio::FakeMessage,
    contents: &[crate::fakes::twilio::FakeContent],
) -> Bubble {
    let mut bubble = Bubble::new(
        &m.sid,
        "out",
        m.created_at.timestamp_millis(),
        "text",
        m.body.clone(),
    );
    if m.num_media > 0 {
        bubble.kind = "image".into();
    }
    if let Some(content) = m
        .content_sid
        .as_ref()
        .and_then(|sid| contents.iter().find(|c| &c.sid == sid))
    {
        let types = content.types.as_object().cloned().unwrap_or_default();
        if let Some(quick) = types.get("twilio/quick-reply") {
            bubble.kind = "buttons".into();
            bubble.text = str_at(quick, &["body"]).to_owned();
            bubble.buttons = choices(quick["actions"].as_array(), &["id"], &["title"]);
        } else if let Some(list) = types.get("twilio/list-picker") {
            bubble.kind = "list".into();
            bubble.text = str_at(list, &["body"]).to_owned();
            bubble.list_button = Some(str_at(list, &["button"]).to_owned());
            bubble.rows = choices(list["items"].as_array(), &["id"], &["item"]);
        } else {
            bubble.kind = "template".into();
            bubble.text = types
                .values()
                .find_map(|t| t.get("body").and_then(Value::as_str))
                .unwrap_or_default()
                .to_owned();
        }
    }
    bubble.status = Some(
        match m.status.as_str() {
            "undelivered" | "failed" => "failed",
            "delivered" => "delivered",
            "read" => "read",
            _ => "sent",
        }
        .to_owned(),
    );
    bubble
}

/// Every customer's thread, oldest message first.
pub fn threads(sim: &Simulator) -> Vec<Thread> {
    let said = sim.said();
    let read = sim.read_ids();
    let meta_sent = sim.meta.sent_messages();
    let meta_templates = sim.meta.templates();
    let twilio_sent = sim.twilio.messages();
    let contents = sim.twilio.contents();
    sim.customers()
        .into_iter()
        .map(|customer| {
            let mut messages: Vec<Bubble> = said
                .iter()
                .filter(|s| s.provider == customer.provider && s.number == customer.number)
                .map(|s| Bubble::new(&s.id, "in", s.at, &s.kind, s.text.clone()))
                .collect();
            if customer.provider == "meta" {
                let digits = customer.number.trim_start_matches('+');
                messages.extend(meta_sent.iter().filter(|m| m.to == digits).map(|m| {
                    let mut bubble = meta_bubble(m, &meta_templates);
                    bubble.status = Some(if m.status.is_empty() {
                        "sent".into()
                    } else {
                        m.status.clone()
                    });
                    bubble
                }));
            } else {
                messages.extend(
                    twilio_sent
                        .iter()
                        .filter(|m| m.to.trim_start_matches("whatsapp:") == customer.number)
                        .map(|m| twilio_bubble(m, &contents)),
                );
            }
            for bubble in &mut messages {
                if read.contains(&bubble.id) && bubble.status.as_deref() == Some("delivered") {
                    bubble.status = Some("read".into());
                }
            }
            messages.sort_by_key(|b| b.at);
            Thread { customer, messages }
        })
        .collect()
}

/// The customer looked at the thread: every delivered message of the business is read, and
/// the provider's read status goes to Switchboard. Answers how many were read.
pub async fn read(sim: &Simulator, provider: &str, number: &str) -> Result<usize, String> {
    let thread = threads(sim)
        .into_iter()
        .find(|t| t.customer.provider == provider && t.customer.number == number)
        .ok_or_else(|| format!("no customer {number} on {provider}"))?;
    let unread: Vec<String> = thread
        .messages
        .iter()
        .filter(|b| b.side == "out" && b.status.as_deref() == Some("delivered"))
        .map(|b| b.id.clone())
        .collect();
    for id in &unread {
        if provider == "meta" {
            let url = sim.meta.webhook_url().ok_or("no Meta webhook URL known")?;
            sim.meta
                .send_status(
                    &url,
                    demo::META_PHONE_NUMBER_ID,
                    StatusSpec::new(id, "read", number.trim_start_matches('+')),
                )
                .await
                .map_err(|e| e.to_string())?;
        } else if let Some(message) = sim.twilio.message(id) {
            if let Some(url) = &message.status_callback {
                let params = status_params(&message, "read", None, "XEsimulatorphone");
                let answer = sim
                    .twilio
                    .send_status(url, demo::TWILIO_AUTH_TOKEN, &params)
                    .await
                    .map_err(|e| e.to_string())?;
                if !(200..300).contains(&answer.status) {
                    return Err(format!(
                        "Switchboard refused the read status with HTTP {}",
                        answer.status
                    ));
                }
            }
        }
        sim.mark_read(id);
    }
    Ok(unread.len())
}

/// What the customer tapped.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tap {
    pub provider: String,
    pub number: String,
    /// The business message that offered the choice.
    pub message_id: String,
    pub id: String,
    pub title: String,
    /// `button` or `row`.
    pub kind: String,
}

/// Sends the reply a tap makes; answers Switchboard's HTTP status.
pub async fn tap(sim: &Simulator, tap: &Tap) -> Result<u16, String> {
    let customer = sim
        .customers()
        .into_iter()
        .find(|c| c.provider == tap.provider && c.number == tap.number)
        .ok_or_else(|| format!("no customer {} on {}", tap.number, tap.provider))?;
    let (id, status) = if tap.provider == "meta" {
        let kind = if tap.kind == "row" {
            InboundKind::ListReply {
                id: tap.id.clone(),
                title: tap.title.clone(),
                description: None,
            }
        } else {
            InboundKind::ButtonReply {
                id: tap.id.clone(),
                title: tap.title.clone(),
            }
        };
        let mut inbound =
            FakeInbound::new(tap.number.trim_start_matches('+'), kind).replying_to(&tap.message_id);
        inbound.profile_name = Some(customer.name.clone());
        let delivered = sim
            .meta
            .deliver_inbound(&customer.webhook_url, demo::META_PHONE_NUMBER_ID, &inbound)
            .await
            .map_err(|e| format!("Switchboard did not answer: {e}"))?;
        (delivered.wamid, delivered.status)
    } else {
        let params = InboundParams::quick_reply(
            demo::TWILIO_ACCOUNT_SID,
            &tap.number,
            demo::TWILIO_SENDER,
            &tap.title,
            &tap.id,
        )
        .replying_to(&tap.message_id, demo::TWILIO_SENDER)
        .set("ProfileName", &customer.name);
        let delivered = sim
            .twilio
            .deliver_inbound(&customer.webhook_url, demo::TWILIO_AUTH_TOKEN, &params)
            .await
            .map_err(|e| format!("Switchboard did not answer: {e}"))?;
        (params.message_sid().to_owned(), delivered.status)
    };
    sim.add_said(Said {
        provider: tap.provider.clone(),
        number: tap.number.clone(),
        id,
        at: chrono::Utc::now().timestamp_millis(),
        kind: "reply".into(),
        text: tap.title.clone(),
    });
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn template_text_is_filled_by_position_or_in_order() {
        let params = ["Ana".to_owned(), "A-1".to_owned()];
        assert_eq!(
            fill("Hi {{1}}, order {{2}} shipped.", &params),
            "Hi Ana, order A-1 shipped."
        );
        assert_eq!(fill("Hi {{name}}, {{order}}", &params), "Hi Ana, A-1");
        assert_eq!(fill("Hi {{3}} {{", &params), "Hi {{3}} {{");
    }
}
