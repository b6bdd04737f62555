//! The addresses the outside world reaches this server at, built in one place: the routes
//! here are the ones `http/router.rs` serves, and every URL handed to a provider or a client
//! (webhooks, status callbacks, media links) comes from [`PublicUrls`].

use std::fmt::Display;

use super::ProviderKind;

/// Twilio's inbound messages and status callbacks for the channel with webhook key `key`.
pub const TWILIO_WEBHOOK_ROUTE: &str = "/webhooks/twilio/{key}";
/// Meta's handshake and webhooks for the channel (or channels) with webhook key `key`.
pub const META_WEBHOOK_ROUTE: &str = "/webhooks/meta/{key}";
/// Uploads to send (POST).
pub const UPLOAD_ROUTE: &str = "/media";
/// A stored file, for the tenant's users or by a signed link.
pub const MEDIA_ROUTE: &str = "/media/{id}";

/// Twilio's connection overrides that make it retry a failed webhook delivery
/// (PROVIDERS.md §1.6): three retries on connect or read timeouts and on 5xx answers.
const TWILIO_RETRIES: &str = "#rc=3&rp=ct,rt,5xx";

/// The public base URL (`SWITCHBOARD_PUBLIC_URL`) and what hangs off it.
#[derive(Clone, Debug)]
pub struct PublicUrls {
    base: String,
}

impl PublicUrls {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// Where the provider sends a channel's webhooks.
    pub fn webhook(&self, provider: ProviderKind, key: &str) -> String {
        let route = match provider {
            ProviderKind::Twilio => TWILIO_WEBHOOK_ROUTE,
            ProviderKind::Meta => META_WEBHOOK_ROUTE,
        };
        format!("{}{}", self.base, route.replace("{key}", key))
    }

    /// A Twilio channel's webhook with the overrides that make Twilio retry a failed delivery.
    pub fn twilio_webhook_with_retries(&self, key: &str) -> String {
        format!(
            "{}{TWILIO_RETRIES}",
            self.webhook(ProviderKind::Twilio, key)
        )
    }

    /// A file's address with its signed query.
    pub fn media(&self, id: impl Display, signed_query: &str) -> String {
        let path = MEDIA_ROUTE.replace("{id}", &id.to_string());
        format!("{}{path}?{signed_query}", self.base)
    }

    /// The public address of a request's path and query (what Twilio signs).
    pub fn of(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_hang_off_the_base_without_doubled_slashes() {
        let urls = PublicUrls::new("https://sb.example.com/");
        assert_eq!(
            urls.webhook(ProviderKind::Meta, "k1"),
            "https://sb.example.com/webhooks/meta/k1"
        );
        assert_eq!(
            urls.twilio_webhook_with_retries("k2"),
            "https://sb.example.com/webhooks/twilio/k2#rc=3&rp=ct,rt,5xx"
        );
        assert_eq!(
            urls.media("abc", "e=1&s=x"),
            "https://sb.example.com/media/abc?e=1&s=x"
        );
    }
}
