//! Click-to-chat: WhatsApp's `https://wa.me/<digits>?text=…` links that open a chat with a
//! channel's number, the text prefilled. A link made for a campaign or a web page carries a
//! referral tag in that text, `[ref:<tag>]`, so the conversation the customer's first
//! message opens can record where it came from. The customer sees the tag and may delete
//! it; then the conversation simply has no referral.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::domain::free_text::{self, Lines, TextError};

/// The longest prefilled text a link takes (a QR code of a longer link gets too dense to
/// scan from paper).
pub const TEXT_MAX: usize = 500;
/// The longest source label (`"Spring campaign"`, `"https://shop.example/contact"`).
pub const SOURCE_MAX: usize = 200;
/// The shortest and longest tag.
pub const TAG_MIN: usize = 3;
pub const TAG_MAX: usize = 32;
/// The most stored links a tenant keeps.
pub const LINKS_MAX: usize = 500;

const TAG_OPEN: &str = "[ref:";
const TAG_CLOSE: char = ']';

/// Everything but the characters a URL query never needs escaped (RFC 3986 unreserved), so
/// a space is `%20` (WhatsApp shows a `+` literally).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Why a tag was refused.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum TagError {
    #[error("must be {TAG_MIN} to {TAG_MAX} characters: lowercase letters, digits and '-', starting with a letter or digit")]
    Shape,
}

/// Checks a tag: 3 to 32 of `a-z`, `0-9` and `-`, not starting with `-`. Upper case is
/// folded, so what a customer's phone keeps is what was stored.
pub fn parse_tag(raw: &str) -> Result<String, TagError> {
    let tag = raw.trim().to_ascii_lowercase();
    let shaped = (TAG_MIN..=TAG_MAX).contains(&tag.len())
        && !tag.starts_with('-')
        && tag
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if shaped {
        Ok(tag)
    } else {
        Err(TagError::Shape)
    }
}

/// Checks a link's prefilled text: one or more lines, at most [`TEXT_MAX`] characters.
pub fn check_text(text: &str) -> Result<(), TextError> {
    free_text::check(text, TEXT_MAX, Lines::Many)
}

/// Checks a source label: one line, 1 to [`SOURCE_MAX`] characters.
pub fn check_source(source: &str) -> Result<(), TextError> {
    if source.trim().is_empty() {
        return Err(TextError::Empty);
    }
    free_text::check(source, SOURCE_MAX, Lines::One)
}

/// The text a link prefills: the given text, then the tag on its own, after a space.
pub fn prefilled_text(text: Option<&str>, tag: Option<&str>) -> Option<String> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    match (text, tag) {
        (None, None) => None,
        (Some(text), None) => Some(text.to_owned()),
        (None, Some(tag)) => Some(format!("{TAG_OPEN}{tag}{TAG_CLOSE}")),
        (Some(text), Some(tag)) => Some(format!("{text} {TAG_OPEN}{tag}{TAG_CLOSE}")),
    }
}

/// The referral tag a customer's message carries: the last well-formed `[ref:<tag>]`.
pub fn find_tag(message: &str) -> Option<String> {
    message.rmatch_indices(TAG_OPEN).find_map(|(at, _)| {
        let rest = &message[at + TAG_OPEN.len()..];
        let end = rest.find(TAG_CLOSE)?;
        parse_tag(&rest[..end])
            .ok()
            .filter(|tag| tag == &rest[..end])
    })
}

/// The `https://wa.me/` link that opens a chat with `number_digits` (E.164 without `+`),
/// with `text` prefilled.
pub fn wa_me_url(number_digits: &str, text: Option<&str>) -> String {
    match text {
        Some(text) => format!(
            "https://wa.me/{number_digits}?text={}",
            utf8_percent_encode(text, QUERY_VALUE)
        ),
        None => format!("https://wa.me/{number_digits}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_encodes_the_text_for_a_query() {
        assert_eq!(
            wa_me_url("14155238886", Some("Olá, I'd like 2 & more? [ref:spring-26]")),
            "https://wa.me/14155238886?text=Ol%C3%A1%2C%20I%27d%20like%202%20%26%20more%3F%20%5Bref%3Aspring-26%5D"
        );
        assert_eq!(wa_me_url("14155238886", None), "https://wa.me/14155238886");
    }

    #[test]
    fn tags_are_short_lowercase_words() {
        assert_eq!(parse_tag(" Spring-26 ").as_deref(), Ok("spring-26"));
        assert!(parse_tag("ab").is_err());
        assert!(parse_tag("-spring").is_err());
        assert!(parse_tag("spring sale").is_err());
        assert!(parse_tag(&"a".repeat(33)).is_err());
    }

    #[test]
    fn the_tag_rides_after_the_text_and_is_found_again() {
        let text = prefilled_text(Some("Hello! "), Some("web-footer")).unwrap();
        assert_eq!(text, "Hello! [ref:web-footer]");
        assert_eq!(find_tag(&text).as_deref(), Some("web-footer"));
        assert_eq!(
            prefilled_text(None, Some("qr-flyer")).as_deref(),
            Some("[ref:qr-flyer]")
        );
        assert_eq!(prefilled_text(Some("  "), None), None);
    }

    #[test]
    fn only_a_well_formed_tag_counts() {
        assert_eq!(find_tag("hi [ref:Spring] there"), None);
        assert_eq!(find_tag("hi [ref:spring"), None);
        assert_eq!(
            find_tag("[ref:first] then [ref:second]").as_deref(),
            Some("second")
        );
        assert_eq!(
            find_tag("[ref:ok-tag] then [ref:b@d]").as_deref(),
            Some("ok-tag")
        );
        assert_eq!(find_tag("no tag"), None);
    }

    #[test]
    fn sources_are_one_line() {
        assert!(check_source("Spring campaign").is_ok());
        assert!(check_source(" ").is_err());
        assert!(check_source("a\nb").is_err());
        assert!(check_text("line one\nline two").is_ok());
        assert!(check_text(&"x".repeat(TEXT_MAX + 1)).is_err());
    }
}
