//! `X-Twilio-Signature` (PROVIDERS.md §1.7): HMAC-SHA1 with the account's Auth Token over the
//! exact URL Twilio called followed by the sorted POST parameters.
//!
//! Pure functions over bytes; no I/O, no panics on odd input.

use std::collections::{BTreeMap, BTreeSet};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha1 = Hmac<Sha1>;

/// The string Twilio signs: the URL, then each parameter name followed by its value, names in
/// byte order; a repeated name contributes each of its distinct values, sorted
/// (twilio-python's `RequestValidator.compute_signature`).
pub fn string_to_sign<'a>(
    url: &str,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut sorted: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (name, value) in params {
        sorted.entry(name).or_default().insert(value);
    }
    let mut out = String::from(url);
    for (name, values) in sorted {
        for value in values {
            out.push_str(name);
            out.push_str(value);
        }
    }
    out
}

/// The Base64 signature of `url` and `params` under `auth_token`.
pub fn sign<'a>(
    auth_token: &str,
    url: &str,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    STANDARD.encode(
        mac_of(auth_token, &string_to_sign(url, params))
            .finalize()
            .into_bytes(),
    )
}

/// Checks `signature` for a request to `url` whose raw body is `body`.
///
/// A form body is signed with its parameters; a URL carrying `bodySHA256` is the JSON-body
/// variant (URL only, plus the body hash); anything else is signed over the URL alone. Like
/// twilio-python, the URL is tried as given, with the scheme's default port added and with
/// any port removed, because proxies add or strip it.
pub fn verify(auth_token: &str, url: &str, is_form: bool, body: &[u8], signature: &str) -> bool {
    let Ok(expected) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    let params: Vec<(String, String)> = if let Some(hash) = query_param(url, "bodySHA256") {
        let actual = hex::encode(Sha256::digest(body));
        if !bool::from(
            actual
                .as_bytes()
                .ct_eq(hash.to_ascii_lowercase().as_bytes()),
        ) {
            return false;
        }
        Vec::new()
    } else if is_form {
        form_urlencoded::parse(body).into_owned().collect()
    } else if body.is_empty() {
        Vec::new()
    } else {
        // A body that is neither signed as form fields nor hashed into the URL would be
        // unauthenticated.
        return false;
    };
    let pairs = || params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    url_variants(url).iter().any(|candidate| {
        mac_of(auth_token, &string_to_sign(candidate, pairs()))
            .verify_slice(&expected)
            .is_ok()
    })
}

fn mac_of(key: &str, message: &str) -> HmacSha1 {
    // HMAC accepts keys of any length, so this never fails; the fallback keeps it panic-free.
    let mut mac = HmacSha1::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| HmacSha1::new_from_slice(b"").expect("empty HMAC key"));
    mac.update(message.as_bytes());
    mac
}

/// The first value of a query parameter, decoded.
pub(crate) fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The URL as given, with the default port added, and with the port removed; each also
/// without a fragment. Works on the string so the query is never re-encoded.
fn url_variants(url: &str) -> Vec<String> {
    let mut out = vec![url.to_owned()];
    let base = url.split('#').next().unwrap_or(url);
    if base != url {
        out.push(base.to_owned());
    }
    let Some((scheme, rest)) = base.split_once("://") else {
        return out;
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (userinfo, hostport) = match authority.rfind('@') {
        Some(at) => authority.split_at(at + 1),
        None => ("", authority),
    };
    // An IPv6 literal holds colons of its own; the port follows the closing bracket.
    let port_at = match hostport.rfind(']') {
        Some(bracket) => hostport[bracket..].find(':').map(|i| bracket + i),
        None => hostport.rfind(':'),
    };
    let host = port_at.map_or(hostport, |i| &hostport[..i]);
    let default_port = if scheme.eq_ignore_ascii_case("https") {
        "443"
    } else {
        "80"
    };
    let with_port = format!("{scheme}://{userinfo}{host}:{default_port}{tail}");
    let without_port = format!("{scheme}://{userinfo}{host}{tail}");
    for candidate in [with_port, without_port] {
        if !out.contains(&candidate) {
            out.push(candidate);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";
    const T1_URL: &str = "https://switchboard.example.com/webhooks/twilio/wk_7f3a";

    fn t1_params() -> Vec<(&'static str, &'static str)> {
        vec![
            ("To", "whatsapp:+14155238886"),
            ("AccountSid", "AC00000000000000000000000000000001"),
            ("ApiVersion", "2010-04-01"),
            ("Body", "Hello"),
            ("From", "whatsapp:+14155550100"),
            ("MessageSid", "SM00000000000000000000000000000001"),
            ("NumMedia", "0"),
            ("ProfileName", "Ana"),
            ("WaId", "14155550100"),
        ]
    }

    fn form(params: &[(&str, &str)]) -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish()
            .into_bytes()
    }

    const T2_URL: &str = "http://127.0.0.1:8080/webhooks/twilio/wk_7f3a?kind=status";
    const T2_BODY: &str = "AccountSid=AC00000000000000000000000000000001&Body=Ol%C3%A1+%F0%9F%91%8B&ChannelPrefix=whatsapp&ErrorCode=63016&From=whatsapp%3A%2B14155238886&MessageSid=SM00000000000000000000000000000002&MessageStatus=failed&To=whatsapp%3A%2B34600000000";

    #[test]
    fn t1_string_to_sign_sorts_names() {
        assert_eq!(
            string_to_sign(T1_URL, t1_params()),
            "https://switchboard.example.com/webhooks/twilio/wk_7f3aAccountSidAC00000000000000000000000000000001ApiVersion2010-04-01BodyHelloFromwhatsapp:+14155550100MessageSidSM00000000000000000000000000000001NumMedia0ProfileNameAnaTowhatsapp:+14155238886WaId14155550100"
        );
    }

    #[test]
    fn t1_inbound_text_signature_matches_the_vector() {
        assert_eq!(
            sign(TOKEN, T1_URL, t1_params()),
            "hsdFPdpV812itemKnurkE9Lefek="
        );
        let body = form(&t1_params());
        assert!(verify(
            TOKEN,
            T1_URL,
            true,
            &body,
            "hsdFPdpV812itemKnurkE9Lefek="
        ));
    }

    #[test]
    fn t2_status_callback_with_port_and_query_verifies_in_both_forms() {
        let body = T2_BODY.as_bytes();
        assert!(verify(
            TOKEN,
            T2_URL,
            true,
            body,
            "U0As8jBY5jgOd2TB17v8XUvQluE="
        ));
        assert!(verify(
            TOKEN,
            T2_URL,
            true,
            body,
            "iJcdff27oiHBZ4QleoFxipwFj8M="
        ));
        let params: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
        let pairs = params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        assert_eq!(sign(TOKEN, T2_URL, pairs), "U0As8jBY5jgOd2TB17v8XUvQluE=");
    }

    #[test]
    fn t3_json_body_signature_covers_the_url_and_the_body_hash() {
        let body =
            br#"{"MessageSid":"SM00000000000000000000000000000003","MessageStatus":"delivered"}"#;
        let hash = "1906db776defbc35978515c379802501b881791a8b731adce15ff617850c6f99";
        assert_eq!(hex::encode(Sha256::digest(body)), hash);
        let url = format!("{T1_URL}?bodySHA256={hash}");
        assert_eq!(sign(TOKEN, &url, []), "HN5Z0dC/msC9k1DWMIQyEvdOZ3Q=");
        assert!(verify(
            TOKEN,
            &url,
            false,
            body,
            "HN5Z0dC/msC9k1DWMIQyEvdOZ3Q="
        ));
    }

    #[test]
    fn t3_a_tampered_json_body_fails_even_with_a_valid_url_signature() {
        let body = br#"{"MessageSid":"SM00000000000000000000000000000003","MessageStatus":"read"}"#;
        let url = format!(
            "{T1_URL}?bodySHA256=1906db776defbc35978515c379802501b881791a8b731adce15ff617850c6f99"
        );
        assert!(!verify(
            TOKEN,
            &url,
            false,
            body,
            "HN5Z0dC/msC9k1DWMIQyEvdOZ3Q="
        ));
    }

    #[test]
    fn repeated_keys_are_sorted_and_deduplicated() {
        let params = [
            ("MediaUrl", "https://b.example/2.jpg"),
            ("To", "whatsapp:+1"),
            ("MediaUrl", "https://a.example/1.jpg"),
            ("MediaUrl", "https://b.example/2.jpg"),
        ];
        assert_eq!(
            string_to_sign(T1_URL, params),
            format!("{T1_URL}MediaUrlhttps://a.example/1.jpgMediaUrlhttps://b.example/2.jpgTowhatsapp:+1")
        );
        assert_eq!(sign(TOKEN, T1_URL, params), "zZtWgaWi26xxPQB/PiRl9epQOrk=");
        assert!(verify(
            TOKEN,
            T1_URL,
            true,
            &form(&params),
            "zZtWgaWi26xxPQB/PiRl9epQOrk="
        ));
    }

    #[test]
    fn a_wrong_token_a_changed_param_or_a_changed_url_fails() {
        let body = form(&t1_params());
        let good = "hsdFPdpV812itemKnurkE9Lefek=";
        assert!(!verify(
            "ffffffffffffffffffffffffffffffff",
            T1_URL,
            true,
            &body,
            good
        ));
        let mut changed = t1_params();
        changed[3] = ("Body", "Hello!");
        assert!(!verify(TOKEN, T1_URL, true, &form(&changed), good));
        assert!(!verify(
            TOKEN,
            "https://switchboard.example.com/webhooks/twilio/wk_other",
            true,
            &body,
            good
        ));
        assert!(!verify(
            TOKEN,
            "http://switchboard.example.com/webhooks/twilio/wk_7f3a",
            true,
            &body,
            good
        ));
    }

    #[test]
    fn the_default_port_may_be_added_or_present() {
        let body = form(&t1_params());
        let good = "hsdFPdpV812itemKnurkE9Lefek=";
        assert!(verify(
            TOKEN,
            "https://switchboard.example.com:443/webhooks/twilio/wk_7f3a",
            true,
            &body,
            good
        ));
        let with_port = sign(
            TOKEN,
            "https://switchboard.example.com:443/webhooks/twilio/wk_7f3a",
            t1_params(),
        );
        assert!(verify(TOKEN, T1_URL, true, &body, &with_port));
    }

    #[test]
    fn odd_signature_headers_are_refused_without_panicking() {
        let body = form(&t1_params());
        for bad in ["", "not base64!!", "====", "aGVsbG8=", "\u{1F600}"] {
            assert!(!verify(TOKEN, T1_URL, true, &body, bad));
        }
        assert!(!verify(
            TOKEN,
            "no scheme at all",
            true,
            b"\xff\xfe",
            "aGVsbG8="
        ));
        assert!(!verify(TOKEN, "https://[::1/x", true, b"", "aGVsbG8="));
    }
}
