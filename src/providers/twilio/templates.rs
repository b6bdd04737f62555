//! Templates through the Content API (PROVIDERS.md §1.9): JSON bodies on the content host.

use reqwest::{Method, Url};
use serde_json::{json, Value};

use super::client::{same_origin, TwilioHttp};
use super::wire::{
    content_body, example_variables, folded_body, quick_reply_types, ApprovalRequest, ContentPage,
    ContentResource,
};
use crate::providers::{NewTemplate, ProviderError, ProviderTemplate};

/// Pages we follow before stopping, in case `next_page_url` never ends.
const MAX_PAGES: usize = 100;
/// The friendly-name prefix of contents created for interactive session messages.
pub(crate) const SESSION_CONTENT_PREFIX: &str = "switchboard_session_";

pub(crate) async fn list(http: &TwilioHttp) -> Result<Vec<ProviderTemplate>, ProviderError> {
    let first = http.content_url("/v1/ContentAndApprovals?PageSize=50");
    let content_origin = Url::parse(&first).ok();
    let mut next = Some(first);
    let mut out = Vec::new();
    for _ in 0..MAX_PAGES {
        let Some(url) = next.take() else { break };
        let page: ContentPage = http.call_json(http.authed(Method::GET, &url)).await?;
        // Contents made on the fly for interactive session messages are no templates.
        out.extend(
            page.contents
                .into_iter()
                .filter(|c| {
                    !c.friendly_name
                        .as_deref()
                        .is_some_and(|n| n.starts_with(SESSION_CONTENT_PREFIX))
                })
                .map(to_template),
        );
        // Credentials only go to the configured content host, whatever the page says.
        next = page
            .meta
            .and_then(|m| m.next_page_url)
            .filter(|u| !u.is_empty())
            .filter(|u| match (&content_origin, Url::parse(u)) {
                (Some(origin), Ok(u)) => same_origin(origin, &u),
                _ => false,
            });
    }
    Ok(out)
}

/// Creates a `twilio/text` content, or `twilio/quick-reply` when buttons are given. Twilio
/// text contents have no header or footer, so they are folded into the body.
pub(crate) async fn create(
    http: &TwilioHttp,
    template: &NewTemplate,
) -> Result<ProviderTemplate, ProviderError> {
    let body = folded_body(
        template.header_text.as_deref(),
        &template.body,
        template.footer.as_deref(),
    );
    let types = if template.quick_replies.is_empty() {
        json!({"twilio/text": {"body": body}})
    } else {
        let buttons: Vec<_> = template
            .quick_replies
            .iter()
            .map(|title| crate::domain::content::Choice {
                id: title.clone(),
                title: title.clone(),
                description: None,
            })
            .collect();
        quick_reply_types(&body, &buttons)
    };
    let request = json!({
        "friendly_name": template.name,
        "language": template.language,
        "variables": example_variables(&template.examples),
        "types": types,
    });
    let created = create_content(http, &request).await?;
    Ok(ProviderTemplate {
        provider_id: created.sid,
        name: template.name.clone(),
        language: created
            .language
            .unwrap_or_else(|| template.language.clone()),
        category: Some(template.category.clone()),
        status: "UNSUBMITTED".into(),
        rejection_reason: None,
        body,
    })
}

/// `POST /v1/Content` with a ready JSON body; answers the created resource.
pub(crate) async fn create_content(
    http: &TwilioHttp,
    body: &Value,
) -> Result<ContentResource, ProviderError> {
    create_content_answered(http, body).await.1
}

/// [`create_content`], also answering the HTTP status when Twilio answered.
pub(crate) async fn create_content_answered(
    http: &TwilioHttp,
    body: &Value,
) -> (Option<u16>, Result<ContentResource, ProviderError>) {
    let request = http
        .authed(Method::POST, &http.content_url("/v1/Content"))
        .json(body);
    http.exchange_json(request).await
}

pub(crate) async fn submit(
    http: &TwilioHttp,
    template: &ProviderTemplate,
) -> Result<ProviderTemplate, ProviderError> {
    let path = format!(
        "/v1/Content/{}/ApprovalRequests/whatsapp",
        template.provider_id
    );
    let category = template
        .category
        .clone()
        .unwrap_or_else(|| "UTILITY".into());
    let request = http
        .authed(Method::POST, &http.content_url(&path))
        .json(&json!({"name": template.name, "category": category}));
    let answer: Value = http.call_json(request).await?;
    let approval = ApprovalRequest::from_value(&answer);
    Ok(ProviderTemplate {
        category: approval.category.or(Some(category)),
        status: approval
            .status
            .map(|s| s.to_uppercase())
            .unwrap_or_else(|| "RECEIVED".into()),
        rejection_reason: approval.rejection_reason.filter(|r| !r.is_empty()),
        ..template.clone()
    })
}

/// `DELETE /v1/Content/{HX}` → 204.
pub(crate) async fn delete(http: &TwilioHttp, sid: &str) -> Result<(), ProviderError> {
    if !sid.starts_with("HX") || !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ProviderError::Rejected {
            code: "invalid_content_sid".into(),
            message: "a Twilio content SID starts with HX".into(),
        });
    }
    let url = http.content_url(&format!("/v1/Content/{sid}"));
    http.call(http.authed(Method::DELETE, &url)).await?;
    Ok(())
}

/// The Content API has no update: a new content is created and the old one deleted. The
/// new one starts unsubmitted and must be submitted for approval again.
pub(crate) async fn replace(
    http: &TwilioHttp,
    current: &ProviderTemplate,
    template: &NewTemplate,
) -> Result<ProviderTemplate, ProviderError> {
    let created = create(http, template).await?;
    if let Err(error) = delete(http, &current.provider_id).await {
        // The new content stands; the old one lingers until deleted in the Twilio console.
        tracing::warn!(
            code = error.code().unwrap_or("none"),
            "the replaced Twilio content could not be deleted"
        );
    }
    Ok(created)
}

fn to_template(item: ContentResource) -> ProviderTemplate {
    let approval = item
        .approval_requests
        .as_ref()
        .map(ApprovalRequest::from_value)
        .unwrap_or_default();
    ProviderTemplate {
        name: approval
            .name
            .filter(|n| !n.is_empty())
            .or(item.friendly_name)
            .unwrap_or_else(|| item.sid.clone()),
        body: content_body(&item.types),
        provider_id: item.sid,
        language: item.language.unwrap_or_default(),
        category: approval.category.filter(|c| !c.is_empty()),
        status: approval
            .status
            .filter(|s| !s.is_empty())
            .map(|s| s.to_uppercase())
            .unwrap_or_else(|| "UNSUBMITTED".into()),
        rejection_reason: approval.rejection_reason.filter(|r| !r.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_items_map_approval_status_to_upper_case() {
        let item: ContentResource = serde_json::from_value(json!({
            "sid": "HX1", "friendly_name": "fn", "language": "es",
            "types": {"twilio/text": {"body": "Hola {{1}}"}},
            "approval_requests": {"name": "order_update", "category": "UTILITY",
                "status": "rejected", "rejection_reason": "bad", "content_type": "twilio/text"}
        }))
        .unwrap();
        let t = to_template(item);
        assert_eq!(t.name, "order_update");
        assert_eq!(t.status, "REJECTED");
        assert_eq!(t.rejection_reason.as_deref(), Some("bad"));
        assert_eq!(t.body, "Hola {{1}}");
    }

    #[test]
    fn items_without_approval_are_unsubmitted_under_their_friendly_name() {
        let item: ContentResource =
            serde_json::from_value(json!({"sid": "HX2", "friendly_name": "promo", "types": {}}))
                .unwrap();
        let t = to_template(item);
        assert_eq!(
            (t.name.as_str(), t.status.as_str()),
            ("promo", "UNSUBMITTED")
        );
    }
}
