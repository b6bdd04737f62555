//! `X-Hub-Signature-256` verification (PROVIDERS.md §2.6).
//!
//! Meta signs the exact bytes it sends (non-ASCII already escaped as `\uXXXX`), so the check
//! runs on the raw body before any parsing and never re-serialises.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Computes `sha256=<lowercase hex>` for `body` with `app_secret`.
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match HmacSha256::new_from_slice(app_secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks a `X-Hub-Signature-256` header value against `body`, in constant time.
/// A missing header, a wrong prefix or malformed hex is simply `false`.
pub fn verify(app_secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(header) = header else { return false };
    let Some(hex_part) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_part) else {
        return false;
    };
    let Ok(mut mac) = HmacSha256::new_from_slice(app_secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    const M1: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Ana"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.TEST1","timestamp":"1749416383","type":"text","text":{"body":"Hi"}}]},"field":"messages"}]}]}"#;
    const M2: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Jos\u00e9"},"wa_id":"34600000000"}],"messages":[{"from":"34600000000","id":"wamid.TEST2","timestamp":"1749416400","type":"text","text":{"body":"Ol\u00e1 \ud83d\udc4b"}}]},"field":"messages"}]}]}"#;
    const M2_UTF8: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"José"},"wa_id":"34600000000"}],"messages":[{"from":"34600000000","id":"wamid.TEST2","timestamp":"1749416400","type":"text","text":{"body":"Olá 👋"}}]},"field":"messages"}]}]}"#;
    const M3: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.TEST3","status":"failed","timestamp":"1749416500","recipient_id":"16505551234","errors":[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message","error_data":{"details":"customer service window closed"}}]}]},"field":"messages"}]}]}"#;

    const M1_SIG: &str = "sha256=c400e779019e65a8166090c33e91636f1171b96c3f01b3da29569ee21572b74f";
    const M2_SIG: &str = "sha256=dc02b14a2b35eb0340e3dd808a420f49e7e783623c60f3d1d086c2c276d0496c";
    const M2_UTF8_SIG: &str =
        "sha256=d1a5d67f1f0e4979035a69973bdac78be99085d291e5ee3aa7658883a3fa50d0";
    const M3_SIG: &str = "sha256=cfd8d96208931c7dc0bac87b023eb4d6a770deab3ee726e0246972f693e2cf7c";

    #[test]
    fn vector_m1_text_message_verifies() {
        assert_eq!(M1.len(), 410);
        assert_eq!(sign(SECRET, M1.as_bytes()), M1_SIG);
        assert!(verify(SECRET, M1.as_bytes(), Some(M1_SIG)));
    }

    #[test]
    fn vector_m2_escaped_non_ascii_verifies_on_the_escaped_bytes() {
        assert_eq!(sign(SECRET, M2.as_bytes()), M2_SIG);
        assert!(verify(SECRET, M2.as_bytes(), Some(M2_SIG)));
    }

    #[test]
    fn vector_m2_header_is_refused_for_the_utf8_re_encoding() {
        assert_eq!(sign(SECRET, M2_UTF8.as_bytes()), M2_UTF8_SIG);
        assert!(!verify(SECRET, M2_UTF8.as_bytes(), Some(M2_SIG)));
    }

    #[test]
    fn vector_m3_failed_status_verifies() {
        assert_eq!(M3.len(), 490);
        assert_eq!(sign(SECRET, M3.as_bytes()), M3_SIG);
        assert!(verify(SECRET, M3.as_bytes(), Some(M3_SIG)));
    }

    #[test]
    fn missing_or_malformed_headers_are_refused_without_panicking() {
        let body = M1.as_bytes();
        let hex_only = M1_SIG.trim_start_matches("sha256=");
        for header in [
            None,
            Some(""),
            Some(hex_only),
            Some("sha1=c400e779019e65a8166090c33e91636f1171b96c3f01b3da29569ee21572b74f"),
            Some("sha256="),
            Some("sha256=zz"),
            Some("sha256=c400"),
            Some("sha256=ééé"),
        ] {
            assert!(!verify(SECRET, body, header), "{header:?}");
        }
    }

    #[test]
    fn a_different_secret_is_refused() {
        assert!(!verify("another-secret", M1.as_bytes(), Some(M1_SIG)));
    }
}
