//! Outgoing webhooks: the event types an endpoint may receive, the subscription document
//! that shapes each one's payload by default, a delivery's states, the retry schedule and
//! which endpoint URLs are acceptable before any address is resolved.

use std::net::IpAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What an endpoint can be told about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum WebhookEventType {
    MessageReceived,
    MessageSent,
    MessageStatusChanged,
    ConversationOpened,
    ConversationAssigned,
    ConversationTransferred,
    ConversationResolved,
    ContactOptedOut,
    ContactOptedIn,
    TemplateStatusChanged,
    CampaignFinished,
    /// `testWebhookEndpoint`'s ping: never subscribed to.
    Ping,
}

/// The GraphQL subscription field whose item an event's payload is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventRoot {
    MessageEvents,
    ConversationEvents,
    ContactEvents,
    TemplateEvents,
    CampaignEvents,
}

impl EventRoot {
    pub fn field(self) -> &'static str {
        match self {
            Self::MessageEvents => "messageEvents",
            Self::ConversationEvents => "conversationEvents",
            Self::ContactEvents => "contactEvents",
            Self::TemplateEvents => "templateEvents",
            Self::CampaignEvents => "campaignEvents",
        }
    }
}

impl WebhookEventType {
    /// Every type an endpoint can subscribe to.
    pub const SUBSCRIBABLE: [Self; 11] = [
        Self::MessageReceived,
        Self::MessageSent,
        Self::MessageStatusChanged,
        Self::ConversationOpened,
        Self::ConversationAssigned,
        Self::ConversationTransferred,
        Self::ConversationResolved,
        Self::ContactOptedOut,
        Self::ContactOptedIn,
        Self::TemplateStatusChanged,
        Self::CampaignFinished,
    ];

    /// The name in payloads and headers, and as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MessageReceived => "message.received",
            Self::MessageSent => "message.sent",
            Self::MessageStatusChanged => "message.status_changed",
            Self::ConversationOpened => "conversation.opened",
            Self::ConversationAssigned => "conversation.assigned",
            Self::ConversationTransferred => "conversation.transferred",
            Self::ConversationResolved => "conversation.resolved",
            Self::ContactOptedOut => "contact.opted_out",
            Self::ContactOptedIn => "contact.opted_in",
            Self::TemplateStatusChanged => "template.status_changed",
            Self::CampaignFinished => "campaign.finished",
            Self::Ping => "ping",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::SUBSCRIBABLE
            .into_iter()
            .chain([Self::Ping])
            .find(|t| t.as_str() == name)
    }

    /// The subscription field a document for this type must select.
    pub fn root(self) -> Option<EventRoot> {
        Some(match self {
            Self::MessageReceived | Self::MessageSent | Self::MessageStatusChanged => {
                EventRoot::MessageEvents
            }
            Self::ConversationOpened
            | Self::ConversationAssigned
            | Self::ConversationTransferred
            | Self::ConversationResolved => EventRoot::ConversationEvents,
            Self::ContactOptedOut | Self::ContactOptedIn => EventRoot::ContactEvents,
            Self::TemplateStatusChanged => EventRoot::TemplateEvents,
            Self::CampaignFinished => EventRoot::CampaignEvents,
            Self::Ping => return None,
        })
    }

    /// Whether only an ADMIN-role endpoint may receive it (its subscription field is
    /// administrators').
    pub fn admin_only(self) -> bool {
        matches!(self, Self::TemplateStatusChanged | Self::CampaignFinished)
    }

    /// The document used when an endpoint gives none for this type.
    pub fn default_document(self) -> &'static str {
        const MESSAGE: &str = "subscription { messageEvents { kind cursor message { id direction status text providerMessageId createdAt updatedAt lastError { code message } conversation { id status queueId assigneeId } channel { id name } contact { id waId phoneNumber name profileName } } } }";
        const CONVERSATION: &str = "subscription { conversationEvents { kind conversation { id status queueId assigneeId openedAt resolvedAt lastMessageAt labels { name } channel { id name } contact { id waId phoneNumber name } } } }";
        match self {
            Self::MessageReceived | Self::MessageSent | Self::MessageStatusChanged => MESSAGE,
            Self::ConversationOpened
            | Self::ConversationAssigned
            | Self::ConversationTransferred
            | Self::ConversationResolved => CONVERSATION,
            Self::ContactOptedOut | Self::ContactOptedIn => {
                "subscription { contactEvents { kind contact { id waId phoneNumber name optedIn optedOutAt marketingOptedOutAt } } }"
            }
            Self::TemplateStatusChanged => {
                "subscription { templateEvents { template { id name language category status rejectionReason channelId updatedAt } } }"
            }
            Self::CampaignFinished => {
                "subscription { campaignEvents { campaign { id name state stateReason recipientCount startedAt finishedAt counts { sent delivered read failed } } } }"
            }
            Self::Ping => "",
        }
    }
}

/// Where one delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for its first attempt or its next retry.
    Pending,
    /// An attempt is being made now.
    Sending,
    /// The receiver answered 2xx.
    Delivered,
    /// Retries ran out, or what the event is about no longer exists.
    Failed,
    /// The endpoint's document filters this event out (by its arguments): nothing is sent.
    Filtered,
}

impl DeliveryState {
    pub const ALL: [Self; 5] = [
        Self::Pending,
        Self::Sending,
        Self::Delivered,
        Self::Failed,
        Self::Filtered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Filtered => "filtered",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == word)
    }
}

/// The wait before attempt `attempt + 1` after `attempt` failed ones (1-based): `base`
/// doubled each time up to `max`, then spread by `jitter` (0..1, drawn by the caller) over
/// its upper half, so receivers coming back are not hit by every sender at once.
pub fn backoff(attempt: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let exp = attempt.saturating_sub(1).min(30);
    let full = base.saturating_mul(1u32 << exp).min(max);
    let jitter = jitter.clamp(0.0, 1.0);
    full.mul_f64(0.5 + jitter / 2.0)
}

/// The longest URL an endpoint may have.
pub const MAX_URL: usize = 2048;
/// The longest description.
pub const MAX_DESCRIPTION: usize = 500;
/// The most endpoints one tenant may register.
pub const MAX_ENDPOINTS: u64 = 50;
/// The longest payload document.
pub const MAX_DOCUMENT: usize = 10_000;

/// An endpoint URL checked before any resolution: `https`, or `http` to a host the
/// operator allowed; no credentials or fragment; not an address that is private, loopback,
/// link-local or otherwise not public unless the operator allowed that host.
pub fn check_url(raw: &str, allowed_hosts: &[String]) -> Result<url::Url, &'static str> {
    if raw.len() > MAX_URL {
        return Err("the URL is longer than 2048 characters");
    }
    let url = url::Url::parse(raw.trim()).map_err(|_| "not a valid absolute URL")?;
    let host = url.host_str().ok_or("the URL has no host")?;
    let allowed = host_allowed(host, allowed_hosts);
    match url.scheme() {
        "https" => {}
        "http" if allowed => {}
        "http" => {
            return Err("plain http is allowed only to hosts the operator lists in SWITCHBOARD_OUTGOING_WEBHOOK_ALLOWED_HOSTS; use https")
        }
        _ => return Err("the URL must be https"),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL must not carry credentials; receivers verify the signature instead");
    }
    if url.fragment().is_some() {
        return Err("the URL must not have a fragment");
    }
    if !allowed {
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        if literal.is_some_and(|ip| !is_public(ip)) || host.eq_ignore_ascii_case("localhost") {
            return Err("the URL points at a private, loopback or link-local address");
        }
    }
    Ok(url)
}

/// Whether the operator allowed `host` (a name or an address, as written in the URL).
pub fn host_allowed(host: &str, allowed_hosts: &[String]) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    allowed_hosts.iter().any(|a| {
        a.trim_start_matches('[')
            .trim_end_matches(']')
            .eq_ignore_ascii_case(host)
    })
}

/// Whether `ip` is an address on the public internet: not loopback, private, link-local,
/// carrier-grade NAT, documentation, multicast, unspecified or reserved (IPv4-mapped IPv6
/// addresses judged as their IPv4 address).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0)
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0xdb8
                || first == 0x64 && v6.segments()[1] == 0xff9b)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reads_back_from_its_name() {
        for t in WebhookEventType::SUBSCRIBABLE {
            assert_eq!(WebhookEventType::parse(t.as_str()), Some(t));
            assert!(t.root().is_some());
            assert!(t
                .default_document()
                .contains(t.root().map_or("", |r| r.field())));
        }
        assert_eq!(
            WebhookEventType::parse("ping"),
            Some(WebhookEventType::Ping)
        );
        assert_eq!(WebhookEventType::parse("message"), None);
    }

    #[test]
    fn backoff_doubles_up_to_its_cap_and_jitters_in_the_upper_half() {
        let base = Duration::from_secs(10);
        let max = Duration::from_secs(3600);
        assert_eq!(backoff(1, base, max, 1.0), Duration::from_secs(10));
        assert_eq!(backoff(2, base, max, 1.0), Duration::from_secs(20));
        assert_eq!(backoff(3, base, max, 0.0), Duration::from_secs(20));
        assert_eq!(backoff(40, base, max, 1.0), max);
    }

    #[test]
    fn urls_are_https_or_allowed_hosts_and_never_private_literals() {
        let none: Vec<String> = Vec::new();
        assert!(check_url("https://crm.example.com/hooks?x=1", &none).is_ok());
        for bad in [
            "http://crm.example.com/",
            "ftp://crm.example.com/",
            "https://user:pw@crm.example.com/",
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://169.254.169.254/latest",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:192.168.0.1]/",
            "https://localhost:8443/",
            "https://100.64.0.1/",
            "not a url",
        ] {
            assert!(check_url(bad, &none).is_err(), "{bad}");
        }
        let allowed = vec!["127.0.0.1".to_owned()];
        assert!(check_url("http://127.0.0.1:9000/in", &allowed).is_ok());
        assert!(check_url("http://127.0.0.2:9000/in", &allowed).is_err());
        assert!(is_public("8.8.8.8".parse().unwrap()));
        assert!(is_public("2606:4700::1111".parse().unwrap()));
    }
}
