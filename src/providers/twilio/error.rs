//! Twilio error codes → [`ProviderError`] classes (PROVIDERS.md §1.11).
//!
//! R → `Retryable` (or `RateLimited` for throughput codes), P → `Rejected`, C → `Unauthorized`,
//! W → `Consent`. Unknown codes are permanent for the message and keep Twilio's raw text.

use std::time::Duration;

use serde::Deserialize;

use crate::providers::error::{ProviderError, RateScope};

/// Twilio's error body: the legacy `{code, message, more_info, status}` shape and the newer
/// RFC 9457 `{type, title, status, code, detail}` shape; both key on `code`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default, deserialize_with = "code_as_string")]
    pub code: Option<String>,
    pub message: Option<String>,
    pub detail: Option<String>,
    pub title: Option<String>,
}

fn code_as_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) if !s.is_empty() => Some(s),
        _ => None,
    })
}

/// Classifies an error code (sync or from an async status callback).
pub fn classify(code: &str, message: &str, retry_after: Option<Duration>) -> ProviderError {
    let code_s = code.to_owned();
    let message = message.to_owned();
    match code {
        "20003" | "21408" | "21609" | "63007" => ProviderError::Unauthorized {
            code: code_s,
            message,
        },
        "20429" | "63017" | "63018" => ProviderError::RateLimited {
            code: code_s,
            message,
            retry_after,
            scope: RateScope::Channel,
        },
        "20500" | "20503" | "63012" | "63038" => ProviderError::Retryable {
            code: code_s,
            message,
        },
        "21610" => ProviderError::Consent {
            code: code_s,
            message,
            opted_out: true,
            marketing_opt_out: false,
        },
        "63016" => ProviderError::Consent {
            code: code_s,
            message,
            opted_out: false,
            marketing_opt_out: false,
        },
        _ => ProviderError::Rejected {
            code: code_s,
            message,
        },
    }
}

/// Classifies a non-success HTTP answer from its status, body and `Retry-After`.
pub(crate) fn from_response(
    status: u16,
    body: &[u8],
    retry_after: Option<Duration>,
) -> ProviderError {
    let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
    let message = parsed
        .message
        .or(parsed.detail)
        .or(parsed.title)
        .unwrap_or_else(|| format!("HTTP {status}"));
    match parsed.code {
        Some(code) => {
            let classified = classify(&code, &message, retry_after);
            // A code we don't know on a 5xx/429 is still transient by its HTTP status.
            match classified {
                ProviderError::Rejected { code, message } if status == 429 => {
                    ProviderError::RateLimited {
                        code,
                        message,
                        retry_after,
                        scope: RateScope::Channel,
                    }
                }
                ProviderError::Rejected { code, message } if status >= 500 => {
                    ProviderError::Retryable { code, message }
                }
                other => other,
            }
        }
        None => match status {
            401 | 403 => classify("20003", &message, None),
            429 => classify("20429", &message, retry_after),
            s if s >= 500 => ProviderError::Retryable {
                code: format!("HTTP_{s}"),
                message,
            },
            s => ProviderError::Rejected {
                code: format!("HTTP_{s}"),
                message,
            },
        },
    }
}

/// `Retry-After` in seconds (Twilio sends delta-seconds, not dates).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Maps a transport failure: connect errors sent nothing; a timeout may have been processed.
pub(crate) fn from_transport(err: &reqwest::Error) -> ProviderError {
    if err.is_connect() {
        ProviderError::Unreachable("could not connect to Twilio".into())
    } else if err.is_timeout() {
        ProviderError::Timeout { maybe_sent: true }
    } else {
        // Not `err.to_string()`: reqwest's text includes the URL, whose path names the account.
        ProviderError::Retryable {
            code: "TRANSPORT".into(),
            message: describe(err).into(),
        }
    }
}

fn describe(err: &reqwest::Error) -> &'static str {
    if err.is_redirect() {
        "redirect error"
    } else if err.is_body() {
        "error reading the response body"
    } else if err.is_decode() {
        "could not decode the response"
    } else if err.is_request() {
        "request error"
    } else {
        "transport error"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(e: &ProviderError) -> &'static str {
        match e {
            ProviderError::Retryable { .. } => "R",
            ProviderError::RateLimited { .. } => "RL",
            ProviderError::Rejected { .. } => "P",
            ProviderError::Unauthorized { .. } => "C",
            ProviderError::Consent {
                opted_out: true, ..
            } => "W-out",
            ProviderError::Consent { .. } => "W",
            _ => "other",
        }
    }

    #[test]
    fn every_code_in_the_table_gets_its_class() {
        let table = [
            ("20003", "C"),
            ("20404", "P"),
            ("20429", "RL"),
            ("20500", "R"),
            ("20503", "R"),
            ("21211", "P"),
            ("21408", "C"),
            ("21609", "C"),
            ("21610", "W-out"),
            ("21614", "P"),
            ("21617", "P"),
            ("63003", "P"),
            ("63005", "P"),
            ("63007", "C"),
            ("63012", "R"),
            ("63015", "P"),
            ("63016", "W"),
            ("63017", "RL"),
            ("63018", "RL"),
            ("63019", "P"),
            ("63021", "P"),
            ("63024", "P"),
            ("63025", "P"),
            ("63027", "P"),
            ("63028", "P"),
            ("63030", "P"),
            ("63032", "P"),
            ("63038", "R"),
            ("63051", "P"),
            ("30036", "P"),
        ];
        for (code, expected) in table {
            assert_eq!(class(&classify(code, "m", None)), expected, "code {code}");
        }
    }

    #[test]
    fn unknown_codes_are_rejected_with_the_raw_message() {
        assert_eq!(
            classify("99999", "Something odd", None),
            ProviderError::Rejected {
                code: "99999".into(),
                message: "Something odd".into()
            }
        );
    }

    #[test]
    fn a_429_keeps_retry_after_and_scopes_to_the_channel() {
        let body = br#"{"code":20429,"message":"Too Many Requests","status":429}"#;
        let err = from_response(429, body, Some(Duration::from_secs(7)));
        assert_eq!(
            err,
            ProviderError::RateLimited {
                code: "20429".into(),
                message: "Too Many Requests".into(),
                retry_after: Some(Duration::from_secs(7)),
                scope: RateScope::Channel
            }
        );
    }

    #[test]
    fn the_rfc9457_shape_and_string_codes_parse() {
        let body =
            br#"{"type":"x","title":"Bad","status":400,"code":"21211","detail":"Invalid To"}"#;
        assert_eq!(
            from_response(400, body, None),
            ProviderError::Rejected {
                code: "21211".into(),
                message: "Invalid To".into()
            }
        );
    }

    #[test]
    fn bodies_without_a_code_fall_back_to_the_http_status() {
        assert_eq!(class(&from_response(502, b"<html>", None)), "R");
        assert_eq!(class(&from_response(401, b"", None)), "C");
        assert_eq!(class(&from_response(429, b"", None)), "RL");
        assert_eq!(class(&from_response(404, b"{}", None)), "P");
        assert_eq!(class(&from_response(503, br#"{"code":12345}"#, None)), "R");
    }
}
