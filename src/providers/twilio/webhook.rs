//! Twilio webhooks → [`WebhookEvent`]s: inbound messages (§1.4) and status callbacks (§1.5).
//!
//! Lenient by design: Twilio adds parameters without notice, so unknown ones are ignored and
//! unknown message types become `Unsupported`. Refused as a bad webhook: a body without a
//! `MessageSid`, an inbound message whose sender is not a WhatsApp number, and a `NumMedia`
//! that is not a count Twilio can send. No loop runs on a number the body states: media are
//! looked up among the parameters actually present.

use chrono::{SubsecRound, Utc};
use serde_json::{Map, Value};

use super::address;
use super::message_form::CORRELATION_PARAM;
use super::signature::query_param;
use crate::domain::content::Referral;
use crate::domain::MediaKind;
use crate::domain::PhoneNumber;
use crate::providers::{
    DeliveryStatus, InboundContent, InboundMessage, MediaRef, ProviderError, StatusUpdate,
    WebhookEvent, WebhookRequest,
};

/// The webhook's parameters in arrival order (repeated names kept).
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub fn from_request(request: &WebhookRequest) -> Result<Self, ProviderError> {
        if is_json(request) {
            let value: Value = serde_json::from_slice(&request.body)
                .map_err(|_| ProviderError::BadWebhook("body is not JSON".into()))?;
            let Value::Object(map) = value else {
                return Err(ProviderError::BadWebhook(
                    "JSON body is not an object".into(),
                ));
            };
            let pairs = map
                .into_iter()
                .map(|(k, v)| match v {
                    Value::String(s) => (k, s),
                    other => (k, other.to_string()),
                })
                .collect();
            return Ok(Self(pairs));
        }
        Ok(Self(
            form_urlencoded::parse(&request.body).into_owned().collect(),
        ))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A present, non-empty value.
    fn value(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    fn owned(&self, name: &str) -> Option<String> {
        self.value(name).map(str::to_owned)
    }

    fn to_json(&self) -> Value {
        let map: Map<String, Value> = self
            .0
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        Value::Object(map)
    }
}

pub(crate) fn is_json(request: &WebhookRequest) -> bool {
    request
        .content_type
        .as_deref()
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("json"))
}

pub(crate) fn parse(request: &WebhookRequest) -> Result<Vec<WebhookEvent>, ProviderError> {
    let params = Params::from_request(request)?;
    let sid = params
        .owned("MessageSid")
        .or_else(|| params.owned("SmsSid"))
        .ok_or_else(|| ProviderError::BadWebhook("no MessageSid".into()))?;
    let status = params
        .value("MessageStatus")
        .or_else(|| params.value("SmsStatus"))
        .filter(|s| !s.eq_ignore_ascii_case("received"));
    match status {
        Some(raw) => Ok(status_update(&params, sid, raw, &request.url)
            .map(WebhookEvent::StatusChanged)
            .into_iter()
            .collect()),
        None => Ok(vec![WebhookEvent::MessageReceived(inbound(&params, sid)?)]),
    }
}

/// The most media one WhatsApp message carries through Twilio (`MediaUrl0..9`).
pub(crate) const MAX_MEDIA: usize = 10;

/// PROVIDERS.md §3.1. `None` for words that are not a delivery state (`receiving`), which
/// are dropped rather than failing the webhook.
fn map_status(raw: &str) -> Option<DeliveryStatus> {
    Some(match raw.to_ascii_lowercase().as_str() {
        "accepted" | "scheduled" | "queued" | "sending" => DeliveryStatus::Queued,
        "sent" => DeliveryStatus::Sent,
        "delivered" | "partially_delivered" => DeliveryStatus::Delivered,
        "read" => DeliveryStatus::Read,
        "failed" | "undelivered" | "canceled" => DeliveryStatus::Failed,
        _ => return None,
    })
}

fn status_update(params: &Params, sid: String, raw: &str, url: &str) -> Option<StatusUpdate> {
    let status = map_status(raw)?;
    Some(StatusUpdate {
        provider_message_id: sid,
        // Our sender is `From` on a status callback; `ChannelToAddress` may be masked.
        channel_address: address::strip(params.value("From").unwrap_or_default()).to_owned(),
        status,
        raw_status: raw.to_owned(),
        timestamp: Utc::now(),
        error_code: params.owned("ErrorCode").filter(|c| c != "0"),
        error_message: params
            .owned("ErrorMessage")
            .or_else(|| params.owned("ChannelStatusMessage")),
        marketing_opt_out: false,
        correlation_id: query_param(url, CORRELATION_PARAM).filter(|c| !c.is_empty()),
    })
}

fn inbound(params: &Params, sid: String) -> Result<InboundMessage, ProviderError> {
    // One Twilio webhook is one message: a sender that is no WhatsApp number refuses it all,
    // so no contact is ever made from junk.
    let from = params
        .value("WaId")
        .map(PhoneNumber::from_wa_id)
        .or_else(|| params.value("From").map(address::parse))
        .ok_or_else(|| ProviderError::BadWebhook("inbound message without a sender".into()))?
        .map_err(|_| ProviderError::BadWebhook("the sender is not a WhatsApp number".into()))?;
    let content = content(params)?;
    Ok(InboundMessage {
        provider_message_id: sid,
        channel_address: address::strip(params.value("To").unwrap_or_default()).to_owned(),
        from_wa_id: from.digits().to_owned(),
        profile_name: params.owned("ProfileName"),
        // Twilio's inbound webhook carries no timestamp: the time it reached us stands in,
        // to the whole second as Meta's provider times are, so history reads alike.
        timestamp: Utc::now().trunc_subsecs(0),
        content,
        reply_to: params.owned("OriginalRepliedMessageSid"),
        forwarded: params.value("Forwarded") == Some("true")
            || params.value("FrequentlyForwarded") == Some("true"),
        referral: referral(params),
    })
}

/// `NumMedia`: absent means none; anything but a count up to [`MAX_MEDIA`] is refused.
fn num_media(params: &Params) -> Result<usize, ProviderError> {
    let Some(raw) = params.value("NumMedia") else {
        return Ok(0);
    };
    raw.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n <= MAX_MEDIA)
        .ok_or_else(|| {
            ProviderError::BadWebhook(format!("NumMedia must be a count from 0 to {MAX_MEDIA}"))
        })
}

fn content(params: &Params) -> Result<InboundContent, ProviderError> {
    let message_type = params.value("MessageType").map(str::to_ascii_lowercase);
    let body = params.value("Body").unwrap_or_default();
    let num_media = num_media(params)?;
    if num_media > 0 {
        return Ok(media(params, num_media, body));
    }
    Ok(other_content(params, message_type.as_deref(), body))
}

fn other_content(params: &Params, message_type: Option<&str>, body: &str) -> InboundContent {
    if let (Some(lat), Some(lng)) = (number(params, "Latitude"), number(params, "Longitude")) {
        return InboundContent::Location {
            latitude: lat,
            longitude: lng,
            name: params.owned("Label"),
            address: params.owned("Address"),
        };
    }
    if let Some(id) = params.owned("ListId") {
        return InboundContent::ListReply {
            title: params.owned("ListTitle").unwrap_or_default(),
            description: params.owned("ListDescription"),
            id,
        };
    }
    let payload = params.owned("ButtonPayload");
    let text = params.owned("ButtonText");
    if payload.is_some() || text.is_some() {
        let payload = payload.or_else(|| text.clone()).unwrap_or_default();
        let text = text.unwrap_or_else(|| payload.clone());
        // Session quick replies (the interactive messages we send) come back with
        // MessageType=interactive; template quick-reply buttons arrive as `button`.
        return if message_type == Some("interactive") {
            InboundContent::ButtonReply {
                id: payload,
                title: text,
            }
        } else {
            InboundContent::TemplateButton { payload, text }
        };
    }
    match message_type {
        Some(t) if body.is_empty() && t != "text" => InboundContent::Unsupported {
            raw_type: t.to_owned(),
            raw: params.to_json(),
        },
        _ => InboundContent::Text {
            body: body.to_owned(),
        },
    }
}

/// The `MediaUrlN` present with `N < count`, in index order. `count` is at most
/// [`MAX_MEDIA`], so this looks up a bounded number of names.
fn media(params: &Params, count: usize, body: &str) -> InboundContent {
    let attachments: Vec<MediaRef> = (0..count.min(MAX_MEDIA))
        .filter_map(|i| {
            Some(MediaRef {
                reference: params.owned(&format!("MediaUrl{i}"))?,
                content_type: params.owned(&format!("MediaContentType{i}")),
                filename: None,
                sha256: None,
            })
        })
        .collect();
    let first_type = params.value("MediaContentType0").unwrap_or_default();
    InboundContent::Media {
        kind: media_kind(first_type),
        caption: Some(body.to_owned()).filter(|b| !b.is_empty()),
        attachments,
        voice: false,
    }
}

fn media_kind(content_type: &str) -> MediaKind {
    let ct = content_type.to_ascii_lowercase();
    if ct.starts_with("image/webp") {
        MediaKind::Sticker
    } else if ct.starts_with("image/") {
        MediaKind::Image
    } else if ct.starts_with("video/") {
        MediaKind::Video
    } else if ct.starts_with("audio/") {
        MediaKind::Audio
    } else {
        MediaKind::Document
    }
}

fn referral(params: &Params) -> Option<Referral> {
    let referral = Referral {
        source_url: params.owned("ReferralSourceUrl"),
        source_id: params.owned("ReferralSourceId"),
        source_type: params.owned("ReferralSourceType"),
        headline: params.owned("ReferralHeadline"),
        body: params.owned("ReferralBody"),
        ctwa_clid: params.owned("ReferralCtwaClid"),
    };
    // `ReferralNumMedia=0` rides on every message; only real referral fields count.
    (referral != Referral::default()).then_some(referral)
}

fn number(params: &Params, name: &str) -> Option<f64> {
    params
        .value(name)?
        .trim()
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite())
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
