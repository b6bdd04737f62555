//! The simulator's control API: deliver a customer's message, list what the business sent,
//! the customers' threads and what they do on their phones, and template review.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::phone::{self, Failure, Said};
use super::templates::{self, Review, ReviewError, Reviewed, TemplateView};
use super::{demo, page, Simulator};
use crate::fakes::meta::{FakeInbound, InboundKind};
use crate::fakes::twilio::InboundParams;

pub fn router(simulator: Arc<Simulator>) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/phone.js", get(page::script))
        .route("/phone.css", get(page::style))
        .route("/threads", get(threads))
        .route("/read", post(read))
        .route("/tap", post(tap))
        .route("/failure", post(failure))
        .route("/say", post(say))
        .route("/outbox", get(outbox))
        .route("/templates", get(templates))
        .route("/templates/review", post(review))
        .with_state(simulator)
}

/// A customer's message for one channel.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Say {
    /// `twilio` or `meta`.
    pub provider: String,
    /// The channel's `webhookUrl`, as Switchboard shows it.
    pub webhook_url: String,
    /// The customer's number, E.164.
    pub from: String,
    /// The customer's WhatsApp profile name.
    pub name: Option<String>,
    /// The text, or the caption of an image.
    #[serde(default)]
    pub text: String,
    /// `text` (the default), `image`, `location` or `reaction`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    /// The business message a reaction is to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct Delivered {
    /// Switchboard's HTTP answer to the webhook.
    pub status: u16,
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

/// A 1×1 PNG, the picture a customer sends from the page.
const PICTURE: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

async fn say(State(sim): State<Arc<Simulator>>, Json(say): Json<Say>) -> Response {
    let from = match crate::providers::parse_number(&say.from) {
        Ok(p) => p,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("from {e}")),
    };
    if !(say.webhook_url.starts_with("http://") || say.webhook_url.starts_with("https://")) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "webhookUrl must be the channel's webhook URL",
        );
    }
    let kind = say.kind.clone().unwrap_or_else(|| "text".into());
    let (latitude, longitude) = (
        say.latitude.unwrap_or(40.4168),
        say.longitude.unwrap_or(-3.7038),
    );
    let shown = match kind.as_str() {
        "text" if say.text.trim().is_empty() => {
            return refuse(StatusCode::BAD_REQUEST, "text must not be empty")
        }
        "text" | "image" => say.text.clone(),
        "location" => format!("📍 {latitude}, {longitude}"),
        "reaction" => match (&say.message_id, &say.emoji) {
            (Some(_), Some(emoji)) => emoji.clone(),
            _ => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "a reaction needs messageId and emoji",
                )
            }
        },
        other => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("kind {other:?} is not text, image, location or reaction"),
            )
        }
    };
    let name = say.name.as_deref().unwrap_or("Simulated customer");
    let (id, status) = match say.provider.as_str() {
        "twilio" => {
            let (account, sender) = (demo::TWILIO_ACCOUNT_SID, demo::TWILIO_SENDER);
            let params = match kind.as_str() {
                "image" => {
                    let url = sim.twilio.add_media(account, "image/png", PICTURE.to_vec());
                    InboundParams::media(
                        account,
                        from.as_str(),
                        sender,
                        &say.text,
                        &[(url, "image/png".to_owned())],
                    )
                }
                "location" => InboundParams::location(
                    account,
                    from.as_str(),
                    sender,
                    latitude,
                    longitude,
                    "",
                    "",
                ),
                "reaction" => {
                    return refuse(
                        StatusCode::BAD_REQUEST,
                        "the Twilio stand-in forwards no reactions",
                    )
                }
                _ => InboundParams::text(account, from.as_str(), sender, &say.text),
            }
            .set("ProfileName", name);
            match sim
                .twilio
                .deliver_inbound(&say.webhook_url, demo::TWILIO_AUTH_TOKEN, &params)
                .await
            {
                Ok(delivery) => (params.message_sid().to_owned(), delivery.status),
                Err(e) => {
                    return refuse(
                        StatusCode::BAD_GATEWAY,
                        format!("Switchboard did not answer: {e}"),
                    )
                }
            }
        }
        "meta" => {
            // Statuses of Switchboard's replies go to the same callback.
            sim.meta.set_webhook_url(Some(&say.webhook_url));
            let inbound_kind = match kind.as_str() {
                "image" => InboundKind::Image {
                    media_id: sim.meta.add_media(PICTURE.to_vec(), "image/png"),
                    caption: Some(say.text.clone()).filter(|t| !t.is_empty()),
                },
                "location" => InboundKind::Location {
                    latitude,
                    longitude,
                    name: None,
                    address: None,
                },
                "reaction" => InboundKind::Reaction {
                    message_id: say.message_id.clone().unwrap_or_default(),
                    emoji: say.emoji.clone(),
                },
                _ => InboundKind::Text {
                    body: say.text.clone(),
                },
            };
            let mut inbound = FakeInbound::new(from.digits(), inbound_kind);
            inbound.profile_name = Some(name.to_owned());
            match sim
                .meta
                .deliver_inbound(&say.webhook_url, demo::META_PHONE_NUMBER_ID, &inbound)
                .await
            {
                Ok(delivery) => (delivery.wamid, delivery.status),
                Err(e) => {
                    return refuse(
                        StatusCode::BAD_GATEWAY,
                        format!("Switchboard did not answer: {e}"),
                    )
                }
            }
        }
        other => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("provider {other:?} is not twilio or meta"),
            )
        }
    };
    sim.add_customer(super::Customer {
        provider: say.provider.clone(),
        number: from.as_str().to_owned(),
        name: name.to_owned(),
        webhook_url: say.webhook_url.clone(),
        failure: None,
    });
    sim.add_said(Said {
        provider: say.provider.clone(),
        number: from.as_str().to_owned(),
        id,
        at: chrono::Utc::now().timestamp_millis(),
        kind,
        text: shown,
    });
    if !(200..300).contains(&status) {
        return refuse(
            StatusCode::BAD_GATEWAY,
            format!("Switchboard refused the webhook with HTTP {status}"),
        );
    }
    Json(Delivered { status }).into_response()
}

async fn threads(State(sim): State<Arc<Simulator>>) -> Json<Vec<phone::Thread>> {
    Json(phone::threads(&sim))
}

/// Names one customer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Who {
    provider: String,
    number: String,
    #[serde(default)]
    failure: Option<Failure>,
}

async fn read(State(sim): State<Arc<Simulator>>, Json(who): Json<Who>) -> Response {
    match phone::read(&sim, &who.provider, &who.number).await {
        Ok(read) => Json(serde_json::json!({ "read": read })).into_response(),
        Err(e) => refuse(StatusCode::BAD_GATEWAY, e),
    }
}

async fn tap(State(sim): State<Arc<Simulator>>, Json(tap): Json<phone::Tap>) -> Response {
    match phone::tap(&sim, &tap).await {
        Ok(status) if (200..300).contains(&status) => Json(Delivered { status }).into_response(),
        Ok(status) => refuse(
            StatusCode::BAD_GATEWAY,
            format!("Switchboard refused the webhook with HTTP {status}"),
        ),
        Err(e) => refuse(StatusCode::BAD_GATEWAY, e),
    }
}

async fn failure(State(sim): State<Arc<Simulator>>, Json(who): Json<Who>) -> Response {
    if sim.set_failure(&who.provider, &who.number, who.failure) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        refuse(
            StatusCode::NOT_FOUND,
            format!("no customer {} on {}", who.number, who.provider),
        )
    }
}

/// A message the business sent to a customer, as the stand-in received it.
#[derive(Debug, Serialize)]
pub struct Sent {
    pub provider: &'static str,
    pub to: String,
    pub kind: String,
    pub summary: String,
}

async fn outbox(State(sim): State<Arc<Simulator>>) -> Json<Vec<Sent>> {
    let mut sent: Vec<Sent> = sim
        .twilio
        .requests_to("/Messages.json")
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| Sent {
            provider: "twilio",
            to: r
                .form_value("To")
                .unwrap_or_default()
                .trim_start_matches("whatsapp:")
                .to_owned(),
            kind: if r.form_value("ContentSid").is_some() {
                "template"
            } else {
                "text"
            }
            .to_owned(),
            summary: r
                .form_value("Body")
                .or(r.form_value("ContentSid"))
                .unwrap_or_default()
                .to_owned(),
        })
        .collect();
    sent.extend(sim.meta.sent_messages().into_iter().map(|m| {
        Sent {
            provider: "meta",
            to: format!("+{}", m.to),
            summary: m
                .body
                .get(&m.kind)
                .map(|v| {
                    v.get("body")
                        .and_then(|b| b.as_str())
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                })
                .unwrap_or_default(),
            kind: m.kind,
        }
    }));
    Json(sent)
}

async fn templates(State(sim): State<Arc<Simulator>>) -> Json<Vec<TemplateView>> {
    Json(templates::list(&sim))
}

/// Approves, rejects or pauses templates; a status webhook Switchboard refused is a failure.
async fn review(State(sim): State<Arc<Simulator>>, Json(review): Json<Review>) -> Response {
    match templates::review(&sim, &review).await {
        Ok(reviewed) => {
            if let Some(status) = reviewed
                .iter()
                .filter_map(|r| r.webhook_status)
                .find(|s| !(200..300).contains(s))
            {
                return refuse(
                    StatusCode::BAD_GATEWAY,
                    format!("Switchboard refused the template status webhook with HTTP {status}"),
                );
            }
            Json::<Vec<Reviewed>>(reviewed).into_response()
        }
        Err(e @ ReviewError::Invalid(_)) => refuse(StatusCode::BAD_REQUEST, e.to_string()),
        Err(e @ ReviewError::NotFound(_)) => refuse(StatusCode::NOT_FOUND, e.to_string()),
        Err(e @ ReviewError::Delivery(_)) => refuse(StatusCode::BAD_GATEWAY, e.to_string()),
    }
}
