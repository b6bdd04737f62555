//! Classification of Graph API errors (PROVIDERS.md §2.9) into [`ProviderError`].
//!
//! Meta answers errors with varying HTTP statuses (400 for most, 401 for 190, 429 or 400 for
//! throttling, 500 for 1/2), so the class comes from `error.code` and `is_transient`; the HTTP
//! status only decides when the body carries no Graph error at all.

use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;

use crate::providers::error::{ProviderError, RateScope};

/// The Graph error envelope: `{"error":{"message","type","code",…}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct GraphErrorBody {
    pub error: GraphError,
}

/// Only `message`, `type` and `code` are guaranteed; the rest is optional.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct GraphError {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default)]
    pub is_transient: Option<bool>,
}

/// "This user stopped marketing messages": the contact is opted out of marketing from then
/// on, whether the error answers a send or arrives on a failed status.
pub(crate) const MARKETING_STOPPED: i64 = 131050;

/// Whether an error code, as text, is [`MARKETING_STOPPED`].
pub(crate) fn stops_marketing(code: &str) -> bool {
    code.trim().parse::<i64>() == Ok(MARKETING_STOPPED)
}

/// Classifies a Graph error code. `retry_after` comes from the `Retry-After` header.
pub(crate) fn classify(
    code: i64,
    is_transient: bool,
    message: String,
    retry_after: Option<Duration>,
) -> ProviderError {
    let code_text = code.to_string();
    let rate = |scope| ProviderError::RateLimited {
        code: code_text.clone(),
        message: message.clone(),
        retry_after,
        scope,
    };
    match code {
        130429 | 80007 | 4 => return rate(RateScope::Channel),
        131056 => return rate(RateScope::Recipient),
        131047 => {
            return ProviderError::Consent {
                code: code_text,
                message,
                opted_out: false,
                marketing_opt_out: false,
            }
        }
        MARKETING_STOPPED => {
            return ProviderError::Consent {
                code: code_text,
                message,
                opted_out: true,
                marketing_opt_out: true,
            }
        }
        _ => {}
    }
    // Meta's own hint wins over the table for the remaining codes.
    if is_transient {
        return ProviderError::Retryable {
            code: code_text,
            message,
        };
    }
    match code {
        1 | 2 | 131000 | 131016 | 131048 | 131057 => ProviderError::Retryable {
            code: code_text,
            message,
        },
        0
        | 3
        | 10
        | 190
        | 200..=299
        | 368
        | 131005
        | 131030
        | 131031
        | 131042
        | 131045
        | 132015
        | 132016
        | 133010 => ProviderError::Unauthorized {
            code: code_text,
            message,
        },
        // 100, 131008/09, 131021, 131026, 131049, 131051–53, 132000–132012, 135000, 130472,
        // 130497 and every code we do not know: permanent for this message.
        _ => ProviderError::Rejected {
            code: code_text,
            message,
        },
    }
}

/// Maps a non-success HTTP answer to a classified error, from the Graph body when it has one.
pub(crate) fn from_response(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &[u8],
) -> ProviderError {
    if let Ok(parsed) = serde_json::from_slice::<GraphErrorBody>(body) {
        if let Some(code) = parsed.error.code {
            let message = parsed
                .error
                .message
                .unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
            return classify(
                code,
                parsed.error.is_transient.unwrap_or(false),
                message,
                retry_after,
            );
        }
    }
    // No Graph error in the body (a proxy page, an empty 502): fall back to the status.
    let code = format!("http_{}", status.as_u16());
    let message = format!("HTTP {} without a Graph error body", status.as_u16());
    if status == StatusCode::TOO_MANY_REQUESTS {
        ProviderError::RateLimited {
            code,
            message,
            retry_after,
            scope: RateScope::Channel,
        }
    } else if status.is_server_error() {
        ProviderError::Retryable { code, message }
    } else if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        ProviderError::Unauthorized { code, message }
    } else {
        ProviderError::Rejected { code, message }
    }
}

/// Parses `Retry-After` as delta-seconds (Graph never sends an HTTP date in practice).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Maps a transport failure. Connect failures and unbuildable requests sent nothing; a
/// timeout may have.
pub(crate) fn from_transport(error: reqwest::Error) -> ProviderError {
    if error.is_timeout() {
        ProviderError::Timeout { maybe_sent: true }
    } else if error.is_connect() || error.is_builder() {
        ProviderError::Unreachable(error.without_url().to_string())
    } else {
        // Body read failures and broken connections after sending: the request may have been
        // processed, so treat it like a timeout rather than claiming nothing happened.
        ProviderError::Timeout { maybe_sent: true }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(code: i64) -> ProviderError {
        classify(code, false, format!("(#{code}) x"), None)
    }

    #[test]
    fn throughput_codes_are_channel_rate_limits() {
        for code in [130429, 80007, 4] {
            assert!(
                matches!(
                    class(code),
                    ProviderError::RateLimited {
                        scope: RateScope::Channel,
                        ..
                    }
                ),
                "{code}"
            );
        }
    }

    #[test]
    fn pair_rate_is_a_recipient_rate_limit_with_retry_after() {
        let error = classify(131056, false, "pair".into(), Some(Duration::from_secs(6)));
        assert_eq!(
            error,
            ProviderError::RateLimited {
                code: "131056".into(),
                message: "pair".into(),
                retry_after: Some(Duration::from_secs(6)),
                scope: RateScope::Recipient
            }
        );
    }

    #[test]
    fn window_and_opt_out_codes_are_consent_errors() {
        assert!(matches!(
            class(131047),
            ProviderError::Consent {
                opted_out: false,
                ..
            }
        ));
        assert!(matches!(
            class(131050),
            ProviderError::Consent {
                opted_out: true,
                marketing_opt_out: true,
                ..
            }
        ));
        assert!(stops_marketing("131050") && !stops_marketing("131047"));
    }

    #[test]
    fn retryable_codes_follow_the_table() {
        for code in [1, 2, 131000, 131016, 131048, 131057] {
            assert!(
                matches!(class(code), ProviderError::Retryable { .. }),
                "{code}"
            );
        }
    }

    #[test]
    fn configuration_codes_are_unauthorized() {
        for code in [
            0, 3, 10, 190, 200, 250, 299, 368, 131005, 131030, 131031, 131042, 131045, 132015,
            132016, 133010,
        ] {
            assert!(
                matches!(class(code), ProviderError::Unauthorized { .. }),
                "{code}"
            );
        }
    }

    #[test]
    fn permanent_codes_are_rejected() {
        for code in [
            100, 130472, 130497, 131008, 131009, 131021, 131026, 131049, 131051, 131052, 131053,
            132000, 132001, 132005, 132007, 132012, 135000,
        ] {
            assert!(
                matches!(class(code), ProviderError::Rejected { .. }),
                "{code}"
            );
        }
    }

    #[test]
    fn unknown_codes_are_rejected_with_the_raw_message() {
        assert_eq!(
            classify(987654, false, "(#987654) new thing".into(), None),
            ProviderError::Rejected {
                code: "987654".into(),
                message: "(#987654) new thing".into()
            }
        );
    }

    #[test]
    fn is_transient_makes_an_otherwise_permanent_code_retryable() {
        assert!(matches!(
            classify(135000, true, "x".into(), None),
            ProviderError::Retryable { .. }
        ));
    }

    #[test]
    fn the_code_decides_not_the_http_status() {
        let body = br#"{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429}}"#;
        assert!(matches!(
            from_response(StatusCode::BAD_REQUEST, None, body),
            ProviderError::RateLimited { .. }
        ));
        let body = br#"{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100}}"#;
        assert!(matches!(
            from_response(StatusCode::INTERNAL_SERVER_ERROR, None, body),
            ProviderError::Rejected { .. }
        ));
    }

    #[test]
    fn a_5xx_without_a_graph_body_is_retryable() {
        assert!(matches!(
            from_response(StatusCode::BAD_GATEWAY, None, b"<html>bad gateway</html>"),
            ProviderError::Retryable { .. }
        ));
    }
}
