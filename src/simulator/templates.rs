//! Template review at the stand-ins: list the templates Switchboard created there, approve,
//! reject (with a reason) or pause them, and approve automatically after a delay. Meta then
//! sends its `message_template_status_update` webhook; Twilio, which sends none, shows the
//! new approval status to Switchboard's next template sync.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Simulator;

/// A template as a stand-in holds it.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateView {
    /// `twilio` or `meta`.
    pub provider: String,
    /// Meta's template id or Twilio's `HX…` content SID.
    pub id: String,
    pub name: String,
    pub language: String,
    pub category: String,
    /// Upper case: `PENDING`, `APPROVED`, `REJECTED`, `PAUSED`, `UNSUBMITTED`, `RECEIVED`, …
    pub status: String,
    pub reason: Option<String>,
    pub body: String,
}

impl TemplateView {
    /// Waiting for review.
    pub fn is_pending(&self) -> bool {
        matches!(self.status.as_str(), "PENDING" | "RECEIVED")
    }
}

/// What the reviewer decides.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Approve,
    Reject,
    Pause,
}

impl Verdict {
    fn meta_status(self) -> &'static str {
        match self {
            Self::Approve => "APPROVED",
            Self::Reject => "REJECTED",
            Self::Pause => "PAUSED",
        }
    }

    fn twilio_status(self) -> &'static str {
        match self {
            Self::Approve => "approved",
            Self::Reject => "rejected",
            Self::Pause => "paused",
        }
    }
}

/// A review of every template called `name` (narrowed by provider and language).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    pub name: String,
    pub provider: Option<String>,
    pub language: Option<String>,
    pub verdict: Verdict,
    /// Why it was rejected (Meta's words: `INVALID_FORMAT`, `PROMOTIONAL`, … or free text).
    pub reason: Option<String>,
    /// Where Meta's status webhooks go from now on (the Meta channel's `webhookUrl`).
    pub webhook_url: Option<String>,
}

/// One reviewed template and how Switchboard heard of it.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reviewed {
    pub template: TemplateView,
    /// Switchboard's HTTP answer to Meta's status webhook, when one was sent.
    pub webhook_status: Option<u16>,
    pub note: String,
}

/// Why a review could not be done.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Delivery(String),
}

fn text_of(types: &Value) -> String {
    types
        .as_object()
        .and_then(|t| {
            t.values()
                .find_map(|v| v.get("body").and_then(Value::as_str))
        })
        .unwrap_or_default()
        .to_owned()
}

/// Every template at both stand-ins (at Twilio, the contents submitted for approval).
pub fn list(sim: &Simulator) -> Vec<TemplateView> {
    let mut all: Vec<TemplateView> = sim
        .meta
        .templates()
        .into_iter()
        .map(|t| TemplateView {
            provider: "meta".into(),
            body: t
                .components
                .as_array()
                .and_then(|c| {
                    c.iter().find(|c| {
                        c.get("type")
                            .and_then(Value::as_str)
                            .is_some_and(|k| k.eq_ignore_ascii_case("BODY"))
                    })
                })
                .and_then(|c| c.get("text").and_then(Value::as_str))
                .unwrap_or_default()
                .to_owned(),
            id: t.id,
            name: t.name,
            language: t.language,
            category: t.category,
            status: t.status.to_uppercase(),
            reason: t.rejected_reason,
        })
        .collect();
    // Only contents submitted for WhatsApp approval are templates; the rest are session
    // messages' contents.
    all.extend(
        sim.twilio
            .contents()
            .into_iter()
            .filter(|c| c.approval_name.is_some())
            .map(|c| TemplateView {
                provider: "twilio".into(),
                body: text_of(&c.types),
                id: c.sid,
                name: c.approval_name.unwrap_or(c.friendly_name),
                language: c.language,
                category: c.category.unwrap_or_default(),
                status: c.approval_status.to_uppercase(),
                reason: c.rejection_reason,
            }),
    );
    all
}

/// Applies `review` to every matching template.
pub async fn review(sim: &Simulator, review: &Review) -> Result<Vec<Reviewed>, ReviewError> {
    if let Some(provider) = &review.provider {
        if provider != "twilio" && provider != "meta" {
            return Err(ReviewError::Invalid(format!(
                "provider {provider:?} is not twilio or meta"
            )));
        }
    }
    let reason = review
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if review.verdict == Verdict::Reject && reason.is_none() {
        return Err(ReviewError::Invalid(
            "a rejection needs a reason (e.g. INVALID_FORMAT)".into(),
        ));
    }
    if let Some(url) = &review.webhook_url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ReviewError::Invalid(
                "webhookUrl must be the Meta channel's webhook URL".into(),
            ));
        }
        sim.meta.set_webhook_url(Some(url));
        sim.changed();
    }
    let matching: Vec<TemplateView> = list(sim)
        .into_iter()
        .filter(|t| t.name == review.name)
        .filter(|t| review.provider.as_deref().is_none_or(|p| t.provider == p))
        .filter(|t| review.language.as_deref().is_none_or(|l| t.language == l))
        .collect();
    if matching.is_empty() {
        return Err(ReviewError::NotFound(format!(
            "no template named {:?} at the stand-ins",
            review.name
        )));
    }
    let mut done = Vec::new();
    for template in matching {
        done.push(review_one(sim, template, review.verdict, reason).await?);
    }
    sim.changed();
    Ok(done)
}

/// Gives one template its verdict and tells Switchboard as the provider would.
async fn review_one(
    sim: &Simulator,
    template: TemplateView,
    verdict: Verdict,
    reason: Option<&str>,
) -> Result<Reviewed, ReviewError> {
    let (webhook_status, note) = if template.provider == "meta" {
        let status = sim
            .meta
            .review_template(&template.id, verdict.meta_status(), reason)
            .await
            .map_err(|e| ReviewError::Delivery(format!("Switchboard did not answer: {e}")))?;
        let note = match status {
            Some(s) => format!("status webhook sent; Switchboard answered {s}"),
            None => "no Meta webhook URL known yet (give --webhook-url); Switchboard sees it at its next template sync".into(),
        };
        (status, note)
    } else {
        sim.twilio.set_approval(
            &template.id,
            verdict.twilio_status(),
            reason.unwrap_or_default(),
        );
        (
            None,
            "Twilio sends no approval webhook; Switchboard sees it at its next template sync"
                .into(),
        )
    };
    let template = list(sim)
        .into_iter()
        .find(|t| t.provider == template.provider && t.id == template.id)
        .unwrap_or(template);
    Ok(Reviewed {
        template,
        webhook_status,
        note,
    })
}

/// Approves each template `after` it was first seen waiting for review, until the simulator
/// stops.
pub async fn auto_approve(sim: Arc<Simulator>, after: Duration) {
    let mut waiting: HashMap<(String, String), Instant> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tick.tick().await;
        let pending: Vec<TemplateView> =
            list(&sim).into_iter().filter(|t| t.is_pending()).collect();
        waiting.retain(|(provider, id), _| {
            pending
                .iter()
                .any(|t| &t.provider == provider && &t.id == id)
        });
        for template in pending {
            let since = *waiting
                .entry((template.provider.clone(), template.id.clone()))
                .or_insert_with(Instant::now);
            if since.elapsed() < after {
                continue;
            }
            let name = template.name.clone();
            let provider = template.provider.clone();
            let result = review_one(&sim, template, Verdict::Approve, None).await;
            sim.changed();
            match result {
                Ok(r) => println!(
                    "approved {} template {} ({}): {}",
                    r.template.provider, r.template.name, r.template.language, r.note
                ),
                Err(e) => println!("could not approve {provider} template {name}: {e}"),
            }
        }
    }
}
