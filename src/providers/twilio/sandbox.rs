//! Twilio's WhatsApp sandbox: one number that Twilio shares among all its accounts, for
//! trying WhatsApp before a sender is approved. A person joins one account's sandbox by
//! sending `join <code>` to it; the code (two or more words, such as `plenty-mouse`) is
//! shown in the Twilio console. Twilio then routes that person's messages to the account
//! they joined, so the number says nothing about the account: the webhook URL does.
//! See <https://www.twilio.com/docs/whatsapp/sandbox>.

/// The sandbox's number, E.164.
pub const SANDBOX_NUMBER: &str = "+14155238886";
/// The sandbox's number as people read it.
pub const SANDBOX_NUMBER_DISPLAY: &str = "+1 415 523 8886";

const KEYWORD: &str = "join";
const CODE_MAX: usize = 64;

/// Why a join code was refused.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum JoinCodeError {
    #[error("must be the sandbox's code, words of lowercase letters and digits joined by '-' (such as plenty-mouse), at most 64 characters")]
    Shape,
}

/// Checks a join code as the console shows it, with or without the leading `join`:
/// `"join Plenty-Mouse"` → `plenty-mouse`.
pub fn parse_join_code(raw: &str) -> Result<String, JoinCodeError> {
    let raw = raw.trim();
    let code = match raw.split_once(char::is_whitespace) {
        Some((first, rest)) if first.eq_ignore_ascii_case(KEYWORD) => rest.trim(),
        _ => raw,
    }
    .to_ascii_lowercase();
    let words_ok = code.split('-').all(|w| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    // `join` alone is the keyword without its code.
    if code.is_empty() || code == KEYWORD || code.len() > CODE_MAX || !words_ok {
        return Err(JoinCodeError::Shape);
    }
    Ok(code)
}

/// What a person sends to the sandbox number to join: `join <code>`.
pub fn join_message(code: &str) -> String {
    format!("{KEYWORD} {code}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_codes_are_taken_with_or_without_the_keyword() {
        assert_eq!(
            parse_join_code("plenty-mouse").as_deref(),
            Ok("plenty-mouse")
        );
        assert_eq!(
            parse_join_code(" join Plenty-Mouse ").as_deref(),
            Ok("plenty-mouse")
        );
        assert_eq!(join_message("plenty-mouse"), "join plenty-mouse");
    }

    #[test]
    fn other_shapes_are_refused() {
        for bad in [
            "",
            "join",
            "plenty mouse",
            "plenty--mouse",
            "-plenty",
            "plënty",
            &"a".repeat(65),
        ] {
            assert!(parse_join_code(bad).is_err(), "{bad:?}");
        }
    }
}
