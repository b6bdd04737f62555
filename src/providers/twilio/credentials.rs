//! The shapes of Twilio's credentials (PROVIDERS.md §1.1): SIDs are a two-letter kind
//! (`AC` account, `SK` API key, `MG` messaging service, `HX` content) and 32 hex digits; an
//! auth token is 32 hex digits. Checked when a channel is saved, before any call to Twilio.

/// An account SID's prefix.
pub const ACCOUNT_SID: &str = "AC";
/// An API key SID's prefix.
pub const API_KEY_SID: &str = "SK";
/// A messaging service SID's prefix.
pub const MESSAGING_SERVICE_SID: &str = "MG";

/// Checks a Twilio SID: `prefix` and 32 hex digits.
pub fn is_sid(value: &str, prefix: &str) -> bool {
    value.len() == 34
        && value.starts_with(prefix)
        && value[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Checks an auth token: 32 hex digits.
pub fn is_auth_token(value: &str) -> bool {
    value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twilio_sids_have_a_prefix_and_32_hex_digits() {
        assert!(is_sid("AC0123456789abcdef0123456789abcdef", ACCOUNT_SID));
        assert!(!is_sid("AC0123456789abcdef0123456789abcde", ACCOUNT_SID));
        assert!(!is_sid("SK0123456789abcdef0123456789abcdef", ACCOUNT_SID));
        assert!(!is_sid("AC0123456789abcdef0123456789abcdeg", ACCOUNT_SID));
    }

    #[test]
    fn auth_tokens_are_32_hex_digits() {
        assert!(is_auth_token("0123456789abcdef0123456789abcdef"));
        assert!(!is_auth_token("0123456789abcdef0123456789abcde"));
        assert!(!is_auth_token("0123456789abcdef0123456789abcdeg"));
    }
}
