//! The simulator's control API: deliver a customer's message, list what the business sent.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::templates::{self, Review, ReviewError, Reviewed, TemplateView};
use super::{demo, page, Simulator};
use crate::fakes::meta::FakeInbound;
use crate::fakes::twilio::InboundParams;

pub fn router(simulator: Arc<Simulator>) -> Router {
    Router::new()
        .route("/", get(|| async { Html(page::HTML) }))
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
    pub text: String,
}

#[derive(Debug, Deserialize, Serialize)]
pub struct Delivered {
    /// Switchboard's HTTP answer to the webhook.
    pub status: u16,
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

async fn say(State(sim): State<Arc<Simulator>>, Json(say): Json<Say>) -> Response {
    let from = match crate::domain::PhoneNumber::parse(&say.from) {
        Ok(p) => p,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("from {e}")),
    };
    if !(say.webhook_url.starts_with("http://") || say.webhook_url.starts_with("https://")) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "webhookUrl must be the channel's webhook URL",
        );
    }
    let name = say.name.as_deref().unwrap_or("Simulated customer");
    let status = match say.provider.as_str() {
        "twilio" => {
            let params = InboundParams::text(
                demo::TWILIO_ACCOUNT_SID,
                from.as_str(),
                demo::TWILIO_SENDER,
                &say.text,
            )
            .set("ProfileName", name);
            match sim
                .twilio
                .deliver_inbound(&say.webhook_url, demo::TWILIO_AUTH_TOKEN, &params)
                .await
            {
                Ok(delivery) => delivery.status,
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
            let mut inbound = FakeInbound::text(from.digits(), &say.text);
            inbound.profile_name = Some(name.to_owned());
            match sim
                .meta
                .deliver_inbound(&say.webhook_url, demo::META_PHONE_NUMBER_ID, &inbound)
                .await
            {
                Ok(delivery) => delivery.status,
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
    });
    if !(200..300).contains(&status) {
        return refuse(
            StatusCode::BAD_GATEWAY,
            format!("Switchboard refused the webhook with HTTP {status}"),
        );
    }
    Json(Delivered { status }).into_response()
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
