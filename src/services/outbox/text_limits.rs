//! Length, count and character limits on every free-text field of content to send, checked
//! before anything is stored. WhatsApp's own limits (PROVIDERS.md §2.2, §2.10) are checked
//! with the provider's capabilities in `send.rs`; these bound what WhatsApp leaves open.

use crate::domain::content::{Choice, ContactCard};
use crate::domain::free_text::{check, Lines};
use crate::domain::MessageContent;
use crate::error::AppError;

/// A place name on a location pin.
pub const LOCATION_NAME_MAX: usize = 256;
/// A street address on a location pin.
pub const LOCATION_ADDRESS_MAX: usize = 1024;
/// A document's shown file name; the same as an upload's.
pub const FILENAME_MAX: usize = 240;
/// A media URL.
pub const URL_MAX: usize = 2000;
/// One name part of a contact card (first, last, organisation).
pub const CARD_NAME_MAX: usize = 256;
/// Phones, e-mail addresses or URLs on one contact card.
pub const CARD_ITEMS_MAX: usize = 20;
/// An e-mail address (RFC 5321 path limit).
pub const EMAIL_MAX: usize = 254;
/// A phone label (`CELL`, `WORK`) or a WhatsApp id.
pub const CARD_LABEL_MAX: usize = 32;
/// A reaction: one emoji, which may be a sequence of a few code points.
pub const EMOJI_MAX: usize = 16;

fn text(field: &str, value: &str, max: usize, lines: Lines) -> Result<(), AppError> {
    check(value, max, lines).map_err(|e| AppError::bad_input(field, e))
}

fn optional(field: &str, value: &Option<String>, max: usize) -> Result<(), AppError> {
    value
        .as_deref()
        .map_or(Ok(()), |v| text(field, v, max, Lines::One))
}

fn count<T>(field: &str, items: &[T], max: usize) -> Result<(), AppError> {
    if items.len() > max {
        return Err(AppError::bad_input(field, format!("give at most {max}")));
    }
    Ok(())
}

/// Refuses over-long fields, too many list items and control characters (line breaks and
/// tabs are allowed in message texts only).
pub fn check_content(content: &MessageContent) -> Result<(), AppError> {
    // Lengths of texts, captions and interactive labels are checked against the provider's
    // limits afterwards; `usize::MAX` here checks their characters only.
    let any = usize::MAX;
    match content {
        MessageContent::Text { body, .. } => text("content.text.body", body, any, Lines::Many)?,
        MessageContent::Media {
            caption,
            url,
            filename,
            ..
        } => {
            if let Some(caption) = caption {
                text("content.media.caption", caption, any, Lines::Many)?;
            }
            optional("content.media.url", url, URL_MAX)?;
            optional("content.media.filename", filename, FILENAME_MAX)?;
        }
        MessageContent::Location { name, address, .. } => {
            optional("content.location.name", name, LOCATION_NAME_MAX)?;
            optional("content.location.address", address, LOCATION_ADDRESS_MAX)?;
        }
        MessageContent::Contacts { contacts } => {
            for (i, card) in contacts.iter().enumerate() {
                check_card(&format!("content.contacts[{i}]"), card)?;
            }
        }
        MessageContent::Buttons {
            header,
            body,
            footer,
            buttons,
        } => {
            let field = "content.interactive.buttons";
            check_frame(field, header, body, footer)?;
            check_choices(&format!("{field}.buttons"), buttons)?;
        }
        MessageContent::List {
            header,
            body,
            footer,
            button,
            sections,
        } => {
            let field = "content.interactive.list";
            check_frame(field, header, body, footer)?;
            text(&format!("{field}.button"), button, any, Lines::One)?;
            for (i, section) in sections.iter().enumerate() {
                optional(&format!("{field}.sections[{i}].title"), &section.title, any)?;
                check_choices(&format!("{field}.sections[{i}].rows"), &section.rows)?;
            }
        }
        MessageContent::Reaction {
            emoji: Some(emoji), ..
        } => text("content.reaction.emoji", emoji, EMOJI_MAX, Lines::One)?,
        MessageContent::Template { variables, .. } => {
            // Meta refuses line breaks and tabs in template parameters (PROVIDERS.md §2.2).
            for (i, v) in variables.iter().enumerate() {
                text(
                    &format!("content.template.variables[{i}].value"),
                    &v.value,
                    any,
                    Lines::One,
                )?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn check_frame(
    field: &str,
    header: &Option<String>,
    body: &str,
    footer: &Option<String>,
) -> Result<(), AppError> {
    text(&format!("{field}.body"), body, usize::MAX, Lines::Many)?;
    optional(&format!("{field}.header"), header, usize::MAX)?;
    optional(&format!("{field}.footer"), footer, usize::MAX)
}

fn check_choices(field: &str, choices: &[Choice]) -> Result<(), AppError> {
    for (i, c) in choices.iter().enumerate() {
        text(&format!("{field}[{i}].id"), &c.id, usize::MAX, Lines::One)?;
        text(
            &format!("{field}[{i}].title"),
            &c.title,
            usize::MAX,
            Lines::One,
        )?;
        optional(
            &format!("{field}[{i}].description"),
            &c.description,
            usize::MAX,
        )?;
    }
    Ok(())
}

fn check_card(field: &str, card: &ContactCard) -> Result<(), AppError> {
    text(
        &format!("{field}.formattedName"),
        &card.formatted_name,
        CARD_NAME_MAX,
        Lines::One,
    )?;
    optional(
        &format!("{field}.firstName"),
        &card.first_name,
        CARD_NAME_MAX,
    )?;
    optional(&format!("{field}.lastName"), &card.last_name, CARD_NAME_MAX)?;
    optional(
        &format!("{field}.organization"),
        &card.organization,
        CARD_NAME_MAX,
    )?;
    count(&format!("{field}.phones"), &card.phones, CARD_ITEMS_MAX)?;
    count(&format!("{field}.emails"), &card.emails, CARD_ITEMS_MAX)?;
    count(&format!("{field}.urls"), &card.urls, CARD_ITEMS_MAX)?;
    for (j, phone) in card.phones.iter().enumerate() {
        optional(
            &format!("{field}.phones[{j}].type"),
            &phone.kind,
            CARD_LABEL_MAX,
        )?;
        optional(
            &format!("{field}.phones[{j}].waId"),
            &phone.wa_id,
            CARD_LABEL_MAX,
        )?;
    }
    for (j, email) in card.emails.iter().enumerate() {
        text(
            &format!("{field}.emails[{j}]"),
            email,
            EMAIL_MAX,
            Lines::One,
        )?;
    }
    for (j, url) in card.urls.iter().enumerate() {
        text(&format!("{field}.urls[{j}]"), url, URL_MAX, Lines::One)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(content: &MessageContent) -> String {
        match check_content(content) {
            Err(AppError::BadUserInput { field, .. }) => field,
            other => panic!("expected BAD_USER_INPUT, got {other:?}"),
        }
    }

    #[test]
    fn text_with_nul_is_refused_and_line_breaks_kept() {
        let text = |body: &str| MessageContent::Text {
            body: body.into(),
            preview_url: false,
        };
        assert_eq!(field_of(&text("a\0b")), "content.text.body");
        assert!(check_content(&text("line one\n\tline two")).is_ok());
    }

    #[test]
    fn each_named_field_has_a_limit() {
        let location = MessageContent::Location {
            latitude: 0.0,
            longitude: 0.0,
            name: Some("x".repeat(LOCATION_NAME_MAX + 1)),
            address: None,
        };
        assert_eq!(field_of(&location), "content.location.name");
        let media = MessageContent::Media {
            media_kind: crate::domain::MediaKind::Document,
            caption: None,
            voice: false,
            url: Some("https://a.example/f.pdf".into()),
            upload: None,
            filename: Some("f".repeat(FILENAME_MAX + 1)),
        };
        assert_eq!(field_of(&media), "content.media.filename");
        let card = ContactCard {
            formatted_name: "Ana".into(),
            emails: vec!["a@b.example".into(); 10_000],
            ..ContactCard::default()
        };
        let contacts = MessageContent::Contacts {
            contacts: vec![card],
        };
        assert_eq!(field_of(&contacts), "content.contacts[0].emails");
    }
}
