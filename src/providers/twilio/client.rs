//! HTTP plumbing shared by every Twilio call: Basic auth, the per-call timeout, and mapping
//! non-success answers and transport failures to [`ProviderError`].

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Url};
use serde::de::DeserializeOwned;

use super::error::{from_response, from_transport, retry_after};
use crate::providers::{ProviderError, ProviderUrls, TwilioCredentials};

/// One channel's authenticated access to the three Twilio hosts.
pub(crate) struct TwilioHttp {
    pub urls: ProviderUrls,
    pub credentials: TwilioCredentials,
    pub timeout: Duration,
    client: reqwest::Client,
}

impl TwilioHttp {
    pub fn new(
        urls: ProviderUrls,
        client: reqwest::Client,
        credentials: TwilioCredentials,
    ) -> Self {
        Self {
            urls,
            credentials,
            timeout: crate::providers::CALL_TIMEOUT,
            client,
        }
    }

    /// `{twilio_api}/2010-04-01/Accounts/{AC}{suffix}`.
    pub fn account_url(&self, suffix: &str) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}{suffix}",
            self.urls.twilio_api.trim_end_matches('/'),
            self.credentials.account_sid
        )
    }

    pub fn content_url(&self, path: &str) -> String {
        format!("{}{path}", self.urls.twilio_content.trim_end_matches('/'))
    }

    pub fn messaging_url(&self, path: &str) -> String {
        format!("{}{path}", self.urls.twilio_messaging.trim_end_matches('/'))
    }

    /// A request with the per-call timeout and no credentials (for hosts that must not see
    /// them).
    pub fn anonymous(&self, method: Method, url: Url) -> RequestBuilder {
        self.client.request(method, url).timeout(self.timeout)
    }

    /// A request with Basic auth: the API key when configured, else the Account SID and
    /// Auth Token. Only ever called with URLs on the configured Twilio bases.
    pub fn authed(&self, method: Method, url: &str) -> RequestBuilder {
        let (user, password) = match &self.credentials.api_key {
            Some((sid, secret)) => (sid.as_str(), secret.expose()),
            None => (
                self.credentials.account_sid.as_str(),
                self.credentials.auth_token.expose(),
            ),
        };
        self.client
            .request(method, url)
            .timeout(self.timeout)
            .basic_auth(user, Some(password))
    }

    /// Sends, and answers the body of a 2xx; anything else becomes a classified error.
    pub async fn call(&self, request: RequestBuilder) -> Result<Vec<u8>, ProviderError> {
        self.exchange(request).await.1
    }

    /// [`Self::call`], also answering the HTTP status when Twilio answered at all.
    pub async fn exchange(
        &self,
        request: RequestBuilder,
    ) -> (Option<u16>, Result<Vec<u8>, ProviderError>) {
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => return (None, Err(from_transport(&e))),
        };
        let status = response.status();
        let wait = retry_after(response.headers());
        let outcome = match response.bytes().await {
            Err(e) => Err(from_transport(&e)),
            Ok(body) if status.is_success() => Ok(body.to_vec()),
            Ok(body) => Err(from_response(status.as_u16(), &body, wait)),
        };
        (Some(status.as_u16()), outcome)
    }

    /// [`Self::call`] and parse the JSON answer.
    pub async fn call_json<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<T, ProviderError> {
        self.exchange_json(request).await.1
    }

    /// [`Self::exchange`] and parse the JSON answer.
    pub async fn exchange_json<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> (Option<u16>, Result<T, ProviderError>) {
        let (status, body) = self.exchange(request).await;
        let parsed = body.and_then(|body| {
            serde_json::from_slice(&body).map_err(|e| ProviderError::Retryable {
                code: "BAD_RESPONSE".into(),
                message: format!("unexpected answer from Twilio: {e}"),
            })
        });
        (status, parsed)
    }
}

/// A form body with repeated keys kept as repeated keys.
pub(crate) fn encode_form(form: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish()
}

/// Whether two URLs share scheme, host and port.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin()
}
