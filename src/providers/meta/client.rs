//! The Graph API client behind [`MetaProvider`]: base URL, Bearer auth, per-call timeout and
//! error mapping, plus the calls that fit in a line or two (verify, send, mark read).

use std::time::Duration;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error;
use super::outbound;
use super::wire::{PhoneNumberNode, SendResponse};
use crate::providers::outbound::{OutboundMessage, SendAttempt, SendReceipt};
use crate::providers::{
    MetaCredentials, ProviderError, ProviderUrls, VerifiedAccount, CALL_TIMEOUT,
};

/// Fields asked of the phone number node when verifying credentials.
const PHONE_FIELDS: &str = "id,display_phone_number,verified_name,quality_rating,\
code_verification_status,name_status,platform_type,throughput";

/// One Meta channel: its credentials, bound to the configured Graph base URL.
pub struct MetaProvider {
    /// `{meta_graph}` without a trailing slash.
    pub(super) graph: String,
    pub(super) version: String,
    pub(super) http: reqwest::Client,
    pub(super) credentials: MetaCredentials,
    pub(super) timeout: Duration,
}

impl std::fmt::Debug for MetaProvider {
    /// Names the channel, never its token or app secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetaProvider")
            .field("graph", &self.graph)
            .field("version", &self.version)
            .field("phone_number_id", &self.credentials.phone_number_id)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A successful answer, body already read.
pub(super) struct Answer {
    pub body: Vec<u8>,
}

impl MetaProvider {
    /// Binds a channel's credentials to the Graph URL and API version from `urls`, sending
    /// through the caller's shared `http` client.
    pub fn new(urls: ProviderUrls, http: reqwest::Client, credentials: MetaCredentials) -> Self {
        Self {
            graph: urls.meta_graph.trim_end_matches('/').to_owned(),
            version: urls.meta_api_version.trim_matches('/').to_owned(),
            http,
            credentials,
            timeout: CALL_TIMEOUT,
        }
    }

    /// Overrides the per-call timeout (tests use a short one).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// `{graph}/{version}/{path}`.
    pub(super) fn api_url(&self, path: &str) -> String {
        format!("{}/{}/{}", self.graph, self.version, path)
    }

    /// A request to the configured Graph host with the Bearer token and the call timeout.
    pub(super) fn request(&self, method: Method, url: &str) -> RequestBuilder {
        self.http
            .request(method, url)
            .bearer_auth(self.credentials.access_token.expose())
            .timeout(self.timeout)
    }

    /// Sends, reads the body, and turns any non-2xx into a classified error.
    pub(super) async fn execute(&self, request: RequestBuilder) -> Result<Answer, ProviderError> {
        self.exchange(request).await.1
    }

    /// [`Self::execute`], also answering the HTTP status when Meta answered at all.
    pub(super) async fn exchange(
        &self,
        request: RequestBuilder,
    ) -> (Option<u16>, Result<Answer, ProviderError>) {
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => return (None, Err(error::from_transport(e))),
        };
        let status = response.status();
        let retry_after = error::retry_after(response.headers());
        let outcome = match response.bytes().await {
            Err(e) => Err(error::from_transport(e)),
            Ok(body) if status.is_success() => Ok(Answer {
                body: body.to_vec(),
            }),
            Ok(body) => Err(error::from_response(status, retry_after, &body)),
        };
        (Some(status.as_u16()), outcome)
    }

    pub(super) async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        query: &[(&str, &str)],
    ) -> Result<T, ProviderError> {
        let answer = self
            .execute(self.request(Method::GET, url).query(query))
            .await?;
        decode(&answer.body)
    }

    pub(super) async fn post_json<T: DeserializeOwned>(
        &self,
        url: &str,
        body: &Value,
    ) -> Result<T, ProviderError> {
        let answer = self
            .execute(self.request(Method::POST, url).json(body))
            .await?;
        decode(&answer.body)
    }

    pub(super) async fn verify_account(&self) -> Result<VerifiedAccount, ProviderError> {
        let url = self.api_url(&self.credentials.phone_number_id);
        let node: PhoneNumberNode = self
            .get_json(&url, &[("fields", PHONE_FIELDS)])
            .await
            .map_err(|e| match e {
                // An unknown or foreign phone number id is a configuration problem here.
                ProviderError::Rejected { code, message } if code == "100" || code == "803" => {
                    ProviderError::Unauthorized { code, message }
                }
                other => other,
            })?;
        Ok(VerifiedAccount {
            display_name: node.verified_name,
            display_number: node.display_phone_number,
            quality_rating: node.quality_rating,
        })
    }

    pub(super) async fn send_message(&self, message: &OutboundMessage) -> SendAttempt {
        let url = self.api_url(&format!("{}/messages", self.credentials.phone_number_id));
        let request = self
            .request(Method::POST, &url)
            .json(&outbound::message_body(message));
        let (http_status, answer) = self.exchange(request).await;
        SendAttempt {
            outcome: answer.and_then(|answer| receipt(decode(&answer.body)?)),
            http_status,
        }
    }

    pub(super) async fn send_read(&self, provider_message_id: &str) -> Result<(), ProviderError> {
        let url = self.api_url(&format!("{}/messages", self.credentials.phone_number_id));
        let _: Value = self
            .post_json(&url, &outbound::read_body(provider_message_id))
            .await?;
        Ok(())
    }
}

/// The message id and status of a send's answer.
fn receipt(response: SendResponse) -> Result<SendReceipt, ProviderError> {
    let sent = response
        .messages
        .into_iter()
        .next()
        .ok_or_else(|| ProviderError::Rejected {
            code: "invalid_response".into(),
            message: "send answer without messages[0].id".into(),
        })?;
    Ok(SendReceipt {
        provider_message_id: sent.id,
        status: Some(sent.message_status.unwrap_or_else(|| "accepted".into())),
    })
}

/// Decodes a success body; a 2xx we cannot read is reported, not retried.
pub(super) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, ProviderError> {
    serde_json::from_slice(body).map_err(|e| ProviderError::Rejected {
        code: "invalid_response".into(),
        message: format!("unexpected answer from Meta: {e}"),
    })
}

/// Whether a status is a redirect we must follow ourselves (the caller's client may have
/// redirects turned off).
pub(super) fn is_redirect(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    )
}
