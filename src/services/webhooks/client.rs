//! The HTTP client that calls receivers: it never follows a redirect, gives up on a slow
//! receiver after the timeout, and connects only to public addresses (names are resolved
//! by a resolver that drops private, loopback and link-local ones, so a name that changes
//! its answer after the endpoint was saved still cannot reach inside) unless the operator
//! allowed the host.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::config::WebhookSettings;
use crate::domain::webhook::{host_allowed, is_public};

/// How much of a receiver's answer is kept with the attempt.
const EXCERPT: usize = 1024;

/// How one request went.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub status: Option<u16>,
    pub duration_ms: i64,
    /// Why no answer came (refused, timed out, …).
    pub error: Option<String>,
    pub excerpt: Option<String>,
}

struct PublicOnly {
    allowed: Vec<String>,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allowed = host_allowed(&host, &self.allowed);
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let addrs: Vec<SocketAddr> = found.filter(|a| allowed || is_public(a.ip())).collect();
            if addrs.is_empty() {
                return Err("the host resolves only to private, loopback or link-local addresses, which are refused".into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    allowed: Vec<String>,
}

impl Client {
    pub fn new(settings: &WebhookSettings) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .dns_resolver(Arc::new(PublicOnly {
                allowed: settings.allowed_hosts.clone(),
            }))
            .user_agent(concat!("Switchboard-Webhooks/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(settings.concurrency)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self {
            http,
            allowed: settings.allowed_hosts.clone(),
        }
    }

    /// Refuses a URL whose host resolves only to addresses that are not public (when it
    /// resolves at all: a receiver not yet in DNS is accepted, and checked at each call).
    pub async fn check_resolves(&self, url: &url::Url) -> Result<(), &'static str> {
        let Some(url::Host::Domain(host)) = url.host() else {
            return Ok(());
        };
        if host_allowed(host, &self.allowed) {
            return Ok(());
        }
        match tokio::net::lookup_host((host, 0)).await {
            Ok(found) => {
                let ips: Vec<IpAddr> = found.map(|a| a.ip()).collect();
                if !ips.is_empty() && ips.iter().all(|ip| !is_public(*ip)) {
                    return Err("the host resolves to a private, loopback or link-local address");
                }
                Ok(())
            }
            Err(_) => Ok(()),
        }
    }

    /// POSTs `body` with `headers`, answering the status, the time taken and the start of
    /// the answer; never an error, so every attempt is recorded.
    pub async fn post(
        &self,
        url: &str,
        headers: Vec<(&'static str, String)>,
        body: String,
    ) -> Attempt {
        let started = Instant::now();
        let elapsed =
            |started: Instant| i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let refused = |reason: &str| Attempt {
            status: None,
            duration_ms: 0,
            error: Some(reason.to_owned()),
            excerpt: None,
        };
        let parsed = match url::Url::parse(url) {
            Ok(parsed) => parsed,
            Err(_) => return refused("the endpoint's URL is not valid"),
        };
        let literal = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        let host = parsed.host_str().unwrap_or_default();
        if literal.is_some_and(|ip| !is_public(ip)) && !host_allowed(host, &self.allowed) {
            return refused(
                "the endpoint's address is private, loopback or link-local, which is refused",
            );
        }
        let mut request = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let mut response = match request.body(body).send().await {
            Ok(response) => response,
            Err(e) => {
                return Attempt {
                    status: None,
                    duration_ms: elapsed(started),
                    error: Some(describe(&e)),
                    excerpt: None,
                }
            }
        };
        let status = response.status().as_u16();
        let mut excerpt: Vec<u8> = Vec::new();
        let mut error = None;
        while excerpt.len() < EXCERPT {
            match response.chunk().await {
                Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => {
                    error = Some(describe(&e));
                    break;
                }
            }
        }
        excerpt.truncate(EXCERPT);
        let text = String::from_utf8_lossy(&excerpt).into_owned();
        if (300..400).contains(&status) {
            error = Some(format!(
                "the receiver answered a redirect ({status}), which is not followed"
            ));
        }
        Attempt {
            status: Some(status),
            duration_ms: elapsed(started),
            error,
            excerpt: (!text.is_empty()).then_some(text),
        }
    }
}

/// A transport error in words, without the URL (its query may carry a receiver's token).
fn describe(e: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut deepest = None;
    while let Some(s) = source {
        deepest = Some(s.to_string());
        source = s.source();
    }
    let what = if e.is_timeout() {
        "the receiver did not answer in time"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else {
        "the request failed"
    };
    match deepest {
        Some(cause) if !e.is_timeout() => format!("{what}: {cause}"),
        _ => what.to_owned(),
    }
}
