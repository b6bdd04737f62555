//! Inbound media download (PROVIDERS.md §2.7): resolve the media id on the Graph API, then
//! download its short-lived URL with the same Bearer token — but only from Meta's own hosts.
//!
//! Allowed download hosts, so the token never reaches anyone else:
//! - the configured Graph origin (scheme, host and port of `meta_graph`);
//! - over https only: `lookaside.fbsbx.com` and any host ending in `.fbsbx.com`,
//!   `.facebook.com` or `.whatsapp.net`.
//!
//! Any other URL is refused before a request is made. Redirects keep the token only while
//! they stay on the same origin: reqwest drops `Authorization` on a cross-host redirect, and
//! redirects the caller's client does not follow are followed here under the same rule.

use reqwest::{Method, StatusCode, Url};

use super::client::{is_redirect, MetaProvider};
use super::error;
use super::wire::MediaNode;
use crate::providers::{FetchedMedia, MediaRef, ProviderError};

/// Host suffixes Meta serves media from.
const MEDIA_HOST_SUFFIXES: [&str; 3] = [".fbsbx.com", ".facebook.com", ".whatsapp.net"];

/// How many redirects a download may take.
const MAX_REDIRECTS: usize = 5;

enum Download {
    Done(FetchedMedia),
    /// 401/403/404: the short-lived URL expired; resolve the id again.
    Stale(ProviderError),
}

impl MetaProvider {
    pub(super) async fn download_media(
        &self,
        media: &MediaRef,
        max_bytes: u64,
    ) -> Result<FetchedMedia, ProviderError> {
        let id = media.reference.as_str();
        // A media id is an opaque token; anything path-like would let a webhook steer the
        // authenticated request elsewhere on the Graph API.
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
        {
            return Err(ProviderError::MediaRefused("not a Meta media id".into()));
        }
        let mut last = None;
        for _attempt in 0..2 {
            let node: MediaNode = self.get_json(&self.api_url(id), &[]).await?;
            match self.download(&node, max_bytes).await? {
                Download::Done(fetched) => return Ok(fetched),
                Download::Stale(error) => last = Some(error),
            }
        }
        Err(last.unwrap_or_else(|| ProviderError::MediaRefused("media unavailable".into())))
    }

    async fn download(&self, node: &MediaNode, max_bytes: u64) -> Result<Download, ProviderError> {
        let mut url = Url::parse(&node.url)
            .map_err(|_| ProviderError::MediaRefused("media url does not parse".into()))?;
        if !self.is_media_host(&url) {
            return Err(ProviderError::MediaRefused(format!(
                "media host {} is not a Meta host",
                url.host_str().unwrap_or("?")
            )));
        }
        let mut with_token = true;
        for _hop in 0..=MAX_REDIRECTS {
            let request = if with_token {
                self.request(Method::GET, url.as_str())
            } else {
                self.http.get(url.as_str()).timeout(self.timeout)
            };
            let mut response = request.send().await.map_err(error::from_transport)?;
            let status = response.status();
            if is_redirect(status) {
                let next = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|location| url.join(location).ok())
                    .ok_or_else(|| {
                        ProviderError::MediaRefused("redirect without location".into())
                    })?;
                with_token = with_token && same_origin(&url, &next);
                url = next;
                continue;
            }
            if matches!(
                status,
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
            ) {
                let body = response.bytes().await.unwrap_or_default();
                return Ok(Download::Stale(error::from_response(status, None, &body)));
            }
            if !status.is_success() {
                let retry_after = error::retry_after(response.headers());
                let body = response.bytes().await.unwrap_or_default();
                return Err(error::from_response(status, retry_after, &body));
            }
            if response.content_length().is_some_and(|len| len > max_bytes) {
                return Err(too_big(max_bytes));
            }
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .or_else(|| node.mime_type.clone())
                .unwrap_or_else(|| "application/octet-stream".into());
            let mut bytes = Vec::new();
            // Content-Length may be absent or lie: count while reading.
            while let Some(chunk) = response.chunk().await.map_err(error::from_transport)? {
                if bytes.len() as u64 + chunk.len() as u64 > max_bytes {
                    return Err(too_big(max_bytes));
                }
                bytes.extend_from_slice(&chunk);
            }
            return Ok(Download::Done(FetchedMedia {
                bytes,
                content_type,
            }));
        }
        Err(ProviderError::MediaRefused("too many redirects".into()))
    }

    /// Whether `url` is one of Meta's media hosts (see the module docs).
    pub(super) fn is_media_host(&self, url: &Url) -> bool {
        if let Ok(graph) = Url::parse(&self.graph) {
            if same_origin(&graph, url) {
                return true;
            }
        }
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        url.scheme() == "https"
            && (host == "lookaside.fbsbx.com"
                || MEDIA_HOST_SUFFIXES
                    .iter()
                    .any(|suffix| host.ends_with(suffix)))
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

fn too_big(max_bytes: u64) -> ProviderError {
    ProviderError::MediaRefused(format!("media larger than {max_bytes} bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Secret;
    use crate::providers::{MetaCredentials, ProviderUrls};

    fn provider(graph: &str) -> MetaProvider {
        MetaProvider::new(
            ProviderUrls {
                twilio_api: String::new(),
                twilio_content: String::new(),
                twilio_messaging: String::new(),
                meta_graph: graph.into(),
                meta_api_version: "v23.0".into(),
            },
            reqwest::Client::new(),
            MetaCredentials {
                access_token: Secret::new("t"),
                app_secret: Secret::new("s"),
                phone_number_id: "1".into(),
                business_account_id: "2".into(),
            },
        )
    }

    fn allowed(graph: &str, url: &str) -> bool {
        provider(graph).is_media_host(&Url::parse(url).unwrap())
    }

    #[test]
    fn meta_media_hosts_are_allowed_over_https() {
        let graph = "https://graph.facebook.com";
        for url in [
            "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1",
            "https://scontent.xx.fbsbx.com/a",
            "https://graph.facebook.com/v23.0/x",
            "https://mmg.whatsapp.net/x",
        ] {
            assert!(allowed(graph, url), "{url}");
        }
    }

    #[test]
    fn foreign_lookalike_and_plain_http_hosts_are_refused() {
        let graph = "https://graph.facebook.com";
        for url in [
            "https://evil.example/x",
            "https://fbsbx.com.evil.example/x",
            "https://evilfacebook.com/x",
            "http://lookaside.fbsbx.com/x",
            "file:///etc/passwd",
        ] {
            assert!(!allowed(graph, url), "{url}");
        }
    }

    #[test]
    fn the_configured_graph_origin_is_allowed_including_its_port() {
        assert!(allowed(
            "http://127.0.0.1:4000",
            "http://127.0.0.1:4000/media/x"
        ));
        assert!(!allowed(
            "http://127.0.0.1:4000",
            "http://127.0.0.1:4001/media/x"
        ));
    }
}
