//! Finding a send whose answer was lost: the Messages list resource filtered by `To`, `From`
//! and `DateSent>=`, newest first, paged by `next_page_uri` (a path on the API host). The
//! resource does not show our `StatusCallback`, so a message matches by its body and by
//! being created after the uncertain request started.
//!
//! Twilio sets `date_sent` when it hands the message on; one still queued behind a slow
//! sender has none and escapes the filter, so a long queue at Twilio can still cause a
//! duplicate.

use chrono::{DateTime, Utc};
use reqwest::Method;

use super::address::address;
use super::client::{encode_form, TwilioHttp};
use super::message_form::message_form;
use super::wire::{ListedMessage, MessagePage};
use crate::providers::{OutboundMessage, ProviderError, Reconciled, SendReceipt};

/// Clock difference tolerated between us and Twilio (`date_created` has whole seconds).
const SKEW: chrono::Duration = chrono::Duration::seconds(30);
/// Enough for any one recipient's messages within a reconciliation window.
const MAX_PAGES: usize = 20;
const PAGE_SIZE: &str = "100";

pub(crate) async fn find_sent(
    http: &TwilioHttp,
    message: &OutboundMessage,
    session_content_sid: Option<&str>,
    since: DateTime<Utc>,
) -> Result<Reconciled, ProviderError> {
    // Interactive content goes out by a `ContentSid`, whose rendered body we cannot
    // predict: such a send matches on recipient and time alone.
    let body = message_form(&http.credentials, message, session_content_sid)
        .ok()
        .and_then(|form| form.into_iter().find(|(k, _)| k == "Body").map(|(_, v)| v));
    let from = since - SKEW;
    let query = [
        ("To".to_owned(), address(message.to.as_str())),
        ("From".to_owned(), address(http.credentials.sender.as_str())),
        // The key is `DateSent>`, so the encoded pair reads `DateSent%3E=YYYY-MM-DD`.
        ("DateSent>".to_owned(), from.format("%Y-%m-%d").to_string()),
        ("PageSize".to_owned(), PAGE_SIZE.to_owned()),
    ];
    let mut url = format!(
        "{}?{}",
        http.account_url("/Messages.json"),
        encode_form(&query)
    );
    let mut found: Vec<(DateTime<Utc>, SendReceipt)> = Vec::new();
    for _ in 0..MAX_PAGES {
        let page: MessagePage = http.call_json(http.authed(Method::GET, &url)).await?;
        found.extend(
            page.messages
                .into_iter()
                .filter_map(|m| matching(m, body.as_deref(), from)),
        );
        match page.next_page_uri.filter(|n| n.starts_with('/')) {
            Some(next) => url = format!("{}{next}", http.urls.twilio_api.trim_end_matches('/')),
            None => break,
        }
    }
    if found.is_empty() {
        return Ok(Reconciled::NotFound);
    }
    found.sort_by_key(|(at, _)| *at);
    Ok(Reconciled::Found(
        found.into_iter().map(|(_, receipt)| receipt).collect(),
    ))
}

fn matching(
    listed: ListedMessage,
    body: Option<&str>,
    from: DateTime<Utc>,
) -> Option<(DateTime<Utc>, SendReceipt)> {
    if !listed
        .direction
        .as_deref()
        .is_some_and(|d| d.starts_with("outbound"))
    {
        return None;
    }
    let created = DateTime::parse_from_rfc2822(listed.date_created.as_deref()?)
        .ok()?
        .with_timezone(&Utc);
    if created < from {
        return None;
    }
    if let Some(expected) = body {
        if listed.body.as_deref().map(str::trim) != Some(expected.trim()) {
            return None;
        }
    }
    Some((
        created,
        SendReceipt {
            provider_message_id: listed.sid,
            status: listed.status,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(direction: &str, body: &str, created: &str) -> ListedMessage {
        ListedMessage {
            sid: "SM1".into(),
            status: Some("sent".into()),
            body: Some(body.into()),
            direction: Some(direction.into()),
            date_created: Some(created.into()),
        }
    }

    #[test]
    fn only_an_outbound_message_with_our_body_created_after_the_attempt_matches() {
        let since = DateTime::parse_from_rfc3339("2026-11-24T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = "Tue, 24 Nov 2026 10:00:05 +0000";
        assert!(matching(listed("outbound-api", "hi", at), Some("hi"), since).is_some());
        assert!(matching(listed("inbound", "hi", at), Some("hi"), since).is_none());
        assert!(matching(listed("outbound-api", "other", at), Some("hi"), since).is_none());
        let before = "Tue, 24 Nov 2026 09:59:59 +0000";
        assert!(matching(listed("outbound-api", "hi", before), Some("hi"), since).is_none());
        assert!(matching(listed("outbound-api", "any", at), None, since).is_some());
    }
}
