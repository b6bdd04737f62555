//! Inbound media download (PROVIDERS.md §1.8): Basic auth only towards the configured API
//! origin; redirects (to `mms.twiliocdn.com` in production) are followed by hand so the
//! Authorization header never leaves that origin; the size cap holds while streaming.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{Method, Response, Url};

use super::client::{same_origin, TwilioHttp};
use super::error::{from_response, from_transport, retry_after};
use crate::providers::{FetchedMedia, MediaRef, ProviderError};

/// Redirect hops we follow before giving up.
const MAX_REDIRECTS: usize = 5;
/// Twilio may answer 404 for a few seconds right after the webhook; one retry after this.
const NOT_FOUND_RETRY_DELAY: Duration = Duration::from_millis(750);

pub(crate) async fn fetch_media(
    http: &TwilioHttp,
    media: &MediaRef,
    max_bytes: u64,
) -> Result<FetchedMedia, ProviderError> {
    let api = Url::parse(&http.urls.twilio_api)
        .map_err(|_| ProviderError::MediaRefused("the Twilio API URL is not configured".into()))?;
    let url = Url::parse(&media.reference)
        .map_err(|_| ProviderError::MediaRefused("the media reference is not a URL".into()))?;
    if !same_origin(&url, &api) {
        return Err(ProviderError::MediaRefused(format!(
            "media host {} is not Twilio's",
            url.host_str().unwrap_or("?")
        )));
    }
    let mut response = follow(http, &api, url.clone()).await?;
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        tokio::time::sleep(NOT_FOUND_RETRY_DELAY).await;
        response = follow(http, &api, url).await?;
    }
    let status = response.status();
    if !status.is_success() {
        let wait = retry_after(response.headers());
        let body = response.bytes().await.unwrap_or_default();
        return Err(from_response(status.as_u16(), &body, wait));
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| media.content_type.clone())
        .unwrap_or_else(|| "application/octet-stream".into());
    let bytes = read_capped(response, max_bytes).await?;
    Ok(FetchedMedia {
        bytes,
        content_type,
    })
}

/// GETs `url`, following redirects by hand: credentials go only to the API origin. (If the
/// caller's client follows redirects itself, reqwest strips Authorization on a host change.)
async fn follow(http: &TwilioHttp, api: &Url, mut url: Url) -> Result<Response, ProviderError> {
    for _ in 0..=MAX_REDIRECTS {
        let request = if same_origin(&url, api) {
            http.authed(Method::GET, url.as_str())
        } else {
            http.anonymous(Method::GET, url.clone())
        };
        let response = request.send().await.map_err(|e| from_transport(&e))?;
        if !response.status().is_redirection() {
            return Ok(response);
        }
        let next = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|loc| url.join(loc).ok())
            .filter(|next| matches!(next.scheme(), "http" | "https"))
            .ok_or_else(|| {
                ProviderError::MediaRefused("redirect without a usable Location".into())
            })?;
        url = next;
    }
    Err(ProviderError::MediaRefused("too many redirects".into()))
}

async fn read_capped(mut response: Response, max_bytes: u64) -> Result<Vec<u8>, ProviderError> {
    let too_big = || ProviderError::MediaRefused(format!("media is larger than {max_bytes} bytes"));
    if response.content_length().is_some_and(|len| len > max_bytes) {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| from_transport(&e))? {
        if bytes.len() as u64 + chunk.len() as u64 > max_bytes {
            return Err(too_big());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
