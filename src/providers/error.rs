//! Provider errors, already classified so that callers decide from the variant alone.

use std::time::Duration;

/// Who a rate limit applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateScope {
    /// The sender number or account (Meta 130429, 80007, 4; Twilio 20429, 63017, 63018).
    Channel,
    /// One recipient (Meta 131056 pair rate).
    Recipient,
}

#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProviderError {
    /// Worth retrying with backoff (5xx, transient codes).
    #[error("provider error {code}: {message} (retryable)")]
    Retryable { code: String, message: String },
    /// Slow down; `retry_after` when the provider said.
    #[error("provider rate limit {code}: {message}")]
    RateLimited {
        code: String,
        message: String,
        retry_after: Option<Duration>,
        scope: RateScope,
    },
    /// Permanent for this message.
    #[error("provider rejected the request {code}: {message}")]
    Rejected { code: String, message: String },
    /// Credentials refused, or a configuration problem that needs an admin.
    #[error("provider refused the credentials {code}: {message}")]
    Unauthorized { code: String, message: String },
    /// Outside the 24-hour window, or the recipient opted out, as the provider says.
    #[error("provider refused for consent {code}: {message}")]
    Consent {
        code: String,
        message: String,
        opted_out: bool,
        /// The recipient stopped marketing messages (Meta 131050): they are opted out of
        /// marketing from then on.
        marketing_opt_out: bool,
    },
    /// No answer in time. `maybe_sent` when the request may have reached the provider.
    #[error("the provider did not answer in time")]
    Timeout { maybe_sent: bool },
    /// The provider could not be reached at all (connect failure): nothing was sent.
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
    /// A webhook that does not parse.
    #[error("malformed webhook: {0}")]
    BadWebhook(String),
    /// A media URL on a host that is not the provider's, or media over the size cap or of a
    /// refused type.
    #[error("media refused: {0}")]
    MediaRefused(String),
    /// The provider offers no such operation; the text says where it is done instead.
    #[error("{0}")]
    Unsupported(String),
}

impl ProviderError {
    /// The provider's code, when it gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ProviderError::Retryable { code, .. }
            | ProviderError::RateLimited { code, .. }
            | ProviderError::Rejected { code, .. }
            | ProviderError::Unauthorized { code, .. }
            | ProviderError::Consent { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the recipient said they want no more marketing messages.
    pub fn marketing_opt_out(&self) -> bool {
        matches!(
            self,
            ProviderError::Consent {
                marketing_opt_out: true,
                ..
            }
        )
    }

    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ProviderError::Retryable { .. }
                | ProviderError::RateLimited { .. }
                | ProviderError::Timeout { .. }
                | ProviderError::Unreachable(_)
        )
    }
}
