//! Proof that a channel's number is one of the account's WhatsApp senders (PROVIDERS.md §1.3
//! item 2): the Senders API lists them, page by page, and the sender must be ONLINE.
//!
//! Pages are followed only on the configured messaging base, so the credentials never go to
//! a host named in an answer, and at most [`MAX_PAGES`] of them.

use reqwest::{Method, Url};
use serde::Deserialize;

use super::address;
use super::client::{same_origin, TwilioHttp};
use crate::providers::ProviderError;

/// Senders asked for per page.
const PAGE_SIZE: usize = 100;

/// Pages read before giving up: 2,000 senders with [`PAGE_SIZE`].
pub(crate) const MAX_PAGES: usize = 20;

/// Statuses in which a sender sends and receives.
const ONLINE: [&str; 2] = ["ONLINE", "ONLINE:UPDATING"];

#[derive(Deserialize)]
struct SendersPage {
    #[serde(default)]
    senders: Vec<Sender>,
    #[serde(default)]
    meta: Option<PageMeta>,
}

#[derive(Deserialize)]
struct Sender {
    #[serde(default)]
    sender_id: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct PageMeta {
    #[serde(default)]
    next_page_url: Option<String>,
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Succeeds when the channel's sender is listed and ONLINE (a sender listed without a
/// status is taken as usable: the listing alone proves the account owns it).
pub(crate) async fn check_sender(http: &TwilioHttp) -> Result<(), ProviderError> {
    let sender = http.credentials.sender.to_string();
    let wanted = digits(&sender);
    let first = http.messaging_url(&format!(
        "/v2/Channels/Senders?Channel=whatsapp&PageSize={PAGE_SIZE}"
    ));
    let base = Url::parse(&first).map_err(|e| ProviderError::Unreachable(e.to_string()))?;
    let mut next = Some(base.clone());
    for _ in 0..MAX_PAGES {
        let Some(url) = next.take() else {
            break;
        };
        let page: SendersPage = http
            .call_json(http.authed(Method::GET, url.as_str()))
            .await?;
        let found = page.senders.iter().find(|s| {
            s.sender_id.as_deref().is_some_and(|id| {
                let number = address::strip(id);
                !wanted.is_empty() && digits(number) == wanted
            })
        });
        if let Some(found) = found {
            return match found.status.as_deref().map(str::trim) {
                None | Some("") => Ok(()),
                Some(status) if ONLINE.iter().any(|s| s.eq_ignore_ascii_case(status)) => Ok(()),
                Some(status) => Err(ProviderError::Rejected {
                    code: "SENDER_NOT_ONLINE".into(),
                    message: format!(
                        "the WhatsApp sender {sender} is {status} at Twilio; it must be ONLINE"
                    ),
                }),
            };
        }
        next = match page
            .meta
            .and_then(|m| m.next_page_url)
            .filter(|u| !u.trim().is_empty())
        {
            None => None,
            Some(link) => {
                let url = base.join(&link).map_err(|_| bad_link())?;
                if !same_origin(&url, &base) {
                    return Err(bad_link());
                }
                Some(url)
            }
        };
    }
    let message = if next.is_some() {
        format!(
            "the WhatsApp sender {sender} is not among the first {} senders of this Twilio account",
            MAX_PAGES * PAGE_SIZE
        )
    } else {
        format!("the WhatsApp sender {sender} is not one of this Twilio account's senders")
    };
    Err(ProviderError::Rejected {
        code: "SENDER_NOT_FOUND".into(),
        message,
    })
}

fn bad_link() -> ProviderError {
    ProviderError::Rejected {
        code: "BAD_RESPONSE".into(),
        message: "Twilio's senders list points its next page away from the messaging host".into(),
    }
}
