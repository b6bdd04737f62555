//! Internal notes: what agents write on a conversation for each other. Never sent to the
//! customer; the text is kept as written (Markdown included).

use crate::domain::free_text::{self, TextError};

/// A note's text: written like a message body (see [`free_text::check_message`]).
pub fn parse_text(raw: &str) -> Result<String, TextError> {
    free_text::check_message(raw)?;
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_keeps_its_markdown_and_refuses_blank_text() {
        assert_eq!(
            parse_text("**Called** them:\n- no answer").as_deref(),
            Ok("**Called** them:\n- no answer")
        );
        assert_eq!(parse_text(" "), Err(TextError::Empty));
    }
}
