//! Choosing the adapter for a channel's credentials.

use std::time::Duration;

use super::meta::MetaProvider;
use super::twilio::TwilioProvider;
use super::{Credentials, Provider, ProviderUrls};

/// The HTTP client every adapter shares: rustls, bounded timeouts, no automatic redirects
/// (adapters follow redirects themselves so credentials never travel to another host).
pub fn http_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5).min(timeout))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("switchboard/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a TLS client builds with the bundled roots")
}

/// The adapter for one channel, each call bounded by `timeout`.
pub fn connect(
    urls: &ProviderUrls,
    http: &reqwest::Client,
    timeout: Duration,
    credentials: Credentials,
) -> Box<dyn Provider> {
    match credentials {
        Credentials::Twilio(c) => {
            Box::new(TwilioProvider::new(urls.clone(), http.clone(), c).with_timeout(timeout))
        }
        Credentials::Meta(c) => {
            Box::new(MetaProvider::new(urls.clone(), http.clone(), c).with_timeout(timeout))
        }
    }
}
