//! Free text that callers give (names, captions, search terms): a bounded length and no
//! control characters, which a provider refuses, a log line garbles and a database may not
//! store (NUL). Line breaks and tabs are allowed only where a field may span lines.

/// The longest search term a list filter takes.
pub const SEARCH_MAX: usize = 200;

/// Why a text was refused.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum TextError {
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("must not contain control characters")]
    ControlCharacter,
    #[error("must not contain control characters other than line breaks and tabs")]
    ControlCharacterInText,
    #[error("must not be empty")]
    Empty,
}

/// How a field may be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// A name, a label, an address line: no control character at all.
    One,
    /// A message text: `\n` and `\t` allowed.
    Many,
}

/// Checks `value` against `max_chars` characters and the control-character rule of `lines`.
/// Stops counting past the limit, so a huge value costs no more than a short one.
pub fn check(value: &str, max_chars: usize, lines: Lines) -> Result<(), TextError> {
    if value.chars().take(max_chars.saturating_add(1)).count() > max_chars {
        return Err(TextError::TooLong(max_chars));
    }
    let allowed = |c: char| lines == Lines::Many && matches!(c, '\n' | '\t');
    if value.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(match lines {
            Lines::One => TextError::ControlCharacter,
            Lines::Many => TextError::ControlCharacterInText,
        });
    }
    Ok(())
}

/// A text written like a message body (a message, a note, a saved reply): not blank, at
/// most [`MAX_TEXT`](crate::domain::text_split::MAX_TEXT) characters, line breaks and tabs
/// allowed. Kept as written: Markdown and line breaks are the author's.
pub fn check_message(value: &str) -> Result<(), TextError> {
    if value.trim().is_empty() {
        return Err(TextError::Empty);
    }
    check(value, crate::domain::text_split::MAX_TEXT, Lines::Many)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_text_is_not_blank_and_bounded_like_a_message() {
        assert_eq!(check_message("*Hi* there\n- one"), Ok(()));
        assert_eq!(check_message(" \n "), Err(TextError::Empty));
        let long = "x".repeat(crate::domain::text_split::MAX_TEXT + 1);
        assert!(matches!(check_message(&long), Err(TextError::TooLong(_))));
        assert_eq!(check_message("a\0"), Err(TextError::ControlCharacterInText));
    }

    #[test]
    fn text_within_the_limit_passes() {
        assert_eq!(check("Olá 👋", 5, Lines::One), Ok(()));
        assert_eq!(check("a\n\tb", 10, Lines::Many), Ok(()));
        assert_eq!(check("", 0, Lines::One), Ok(()));
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        assert_eq!(check("ééé", 2, Lines::One), Err(TextError::TooLong(2)));
        assert_eq!(
            check(&"x".repeat(900_000), 100, Lines::Many),
            Err(TextError::TooLong(100))
        );
    }

    #[test]
    fn control_characters_are_refused_except_breaks_and_tabs_in_text() {
        for bad in ["a\0b", "\u{7}", "\u{1b}[2J", "\u{7f}", "\u{85}", "\r"] {
            assert_eq!(
                check(bad, 10, Lines::Many),
                Err(TextError::ControlCharacterInText),
                "{bad:?}"
            );
            assert_eq!(
                check(bad, 10, Lines::One),
                Err(TextError::ControlCharacter),
                "{bad:?}"
            );
        }
        assert_eq!(
            check("a\nb", 10, Lines::One),
            Err(TextError::ControlCharacter)
        );
    }
}
