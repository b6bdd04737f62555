//! The checks a send's content passes before it is stored: the kinds a provider carries,
//! the sizes and shapes WhatsApp takes (PROVIDERS.md §2.2), and an uploaded file's type and
//! size.

use crate::domain::content::{Choice, ContactCard};
use crate::domain::records::UploadRecord;
use crate::domain::text_split::MAX_TEXT;
use crate::domain::{MediaKind, MessageContent};
use crate::error::AppError;
use crate::providers::capabilities::{Capabilities, ContentKind};

/// The provider's name for the kind of `content`; `None` for content that is only ever
/// received.
pub(super) fn kind_of(content: &MessageContent) -> Option<ContentKind> {
    Some(match content {
        MessageContent::Text { .. } => ContentKind::Text,
        MessageContent::Media { .. } => ContentKind::Media,
        MessageContent::Location { .. } => ContentKind::Location,
        MessageContent::Reaction { .. } => ContentKind::Reaction,
        MessageContent::Contacts { .. } => ContentKind::Contacts,
        MessageContent::Buttons { .. } | MessageContent::List { .. } => ContentKind::Interactive,
        MessageContent::Template { .. } => ContentKind::Template,
        _ => return None,
    })
}

/// The content fits the provider and WhatsApp's limits.
pub(super) fn validate(content: &MessageContent, caps: &Capabilities) -> Result<(), AppError> {
    let text_max = caps.text_max_length as usize;
    let caption_max = caps.caption_max_length as usize;
    crate::services::outbox::text_limits::check_content(content)?;
    match content {
        MessageContent::Text { body, .. } => {
            if body.trim().is_empty() {
                return Err(AppError::bad_input(
                    "content.text.body",
                    "must not be empty",
                ));
            }
            // Longer text than the provider takes goes out in parts; this bounds how many.
            if body.chars().count() > MAX_TEXT {
                return Err(AppError::bad_input(
                    "content.text.body",
                    format!("must be at most {MAX_TEXT} characters (sent in parts of {text_max})"),
                ));
            }
        }
        MessageContent::Media {
            url,
            caption,
            upload,
            ..
        } => {
            match (url.as_deref(), upload) {
                (Some(url), None) => {
                    if !(url.starts_with("https://") || url.starts_with("http://"))
                        || url.len() > 2000
                    {
                        return Err(AppError::bad_input(
                            "content.media.url",
                            "must be a public http(s) URL",
                        ));
                    }
                }
                (None, Some(_)) => {}
                _ => {
                    return Err(AppError::bad_input(
                        "content.media",
                        "give either url or mediaId",
                    ))
                }
            }
            if caption
                .as_ref()
                .is_some_and(|c| c.chars().count() > caption_max)
            {
                return Err(AppError::bad_input(
                    "content.media.caption",
                    format!("must be at most {caption_max} characters"),
                ));
            }
        }
        MessageContent::Location {
            latitude,
            longitude,
            ..
        } if !(-90.0..=90.0).contains(latitude) || !(-180.0..=180.0).contains(longitude) => {
            return Err(AppError::bad_input(
                "content.location",
                "latitude or longitude out of range",
            ));
        }
        MessageContent::Contacts { contacts } => validate_cards(contacts)?,
        MessageContent::Buttons {
            header,
            body,
            footer,
            buttons,
        } => {
            let field = "content.interactive.buttons";
            validate_frame(field, header, body, footer)?;
            if buttons.is_empty() || buttons.len() > caps.max_buttons as usize {
                return Err(AppError::bad_input(
                    format!("{field}.buttons"),
                    format!("give 1 to {} buttons", caps.max_buttons),
                ));
            }
            validate_choices(&format!("{field}.buttons"), buttons, BUTTON_TITLE_MAX)?;
        }
        MessageContent::List {
            header,
            body,
            footer,
            button,
            sections,
        } => {
            let field = "content.interactive.list";
            validate_frame(field, header, body, footer)?;
            bounded(&format!("{field}.button"), button, BUTTON_TITLE_MAX)?;
            let rows: Vec<Choice> = sections.iter().flat_map(|s| s.rows.clone()).collect();
            if sections.is_empty() || sections.len() > caps.max_list_rows as usize {
                return Err(AppError::bad_input(
                    format!("{field}.sections"),
                    format!("give 1 to {} sections", caps.max_list_rows),
                ));
            }
            if rows.is_empty() || rows.len() > caps.max_list_rows as usize {
                return Err(AppError::bad_input(
                    format!("{field}.sections.rows"),
                    format!("give 1 to {} rows in all", caps.max_list_rows),
                ));
            }
            for (i, section) in sections.iter().enumerate() {
                let title = format!("{field}.sections[{i}].title");
                match &section.title {
                    Some(t) => bounded(&title, t, SECTION_TITLE_MAX)?,
                    None if sections.len() > 1 => {
                        return Err(AppError::bad_input(
                            title,
                            "is required when there is more than one section",
                        ))
                    }
                    None => {}
                }
            }
            validate_choices(&format!("{field}.sections.rows"), &rows, ROW_TITLE_MAX)?;
        }
        MessageContent::Reaction { message_id, .. } if message_id.is_empty() => {
            return Err(AppError::bad_input(
                "content.reaction.messageId",
                "is required",
            ));
        }
        _ => {}
    }
    Ok(())
}

// Interactive limits (PROVIDERS.md §2.2); Twilio's quick-reply and list-picker contents
// take the same.
const INTERACTIVE_BODY_MAX: usize = 1024;
const HEADER_FOOTER_MAX: usize = 60;
const BUTTON_TITLE_MAX: usize = 20;
const ROW_TITLE_MAX: usize = 24;
const SECTION_TITLE_MAX: usize = 24;
const ROW_DESCRIPTION_MAX: usize = 72;
const CHOICE_ID_MAX: usize = 200;
const CARDS_MAX: usize = 10;

/// A non-blank value of at most `max` characters.
fn bounded(field: &str, value: &str, max: usize) -> Result<(), AppError> {
    if value.trim().is_empty() {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

fn validate_frame(
    field: &str,
    header: &Option<String>,
    body: &str,
    footer: &Option<String>,
) -> Result<(), AppError> {
    bounded(&format!("{field}.body"), body, INTERACTIVE_BODY_MAX)?;
    if let Some(header) = header {
        bounded(&format!("{field}.header"), header, HEADER_FOOTER_MAX)?;
    }
    if let Some(footer) = footer {
        bounded(&format!("{field}.footer"), footer, HEADER_FOOTER_MAX)?;
    }
    Ok(())
}

/// Titles within `title_max`, ids present, short and distinct.
fn validate_choices(field: &str, choices: &[Choice], title_max: usize) -> Result<(), AppError> {
    let mut seen = std::collections::HashSet::new();
    for (i, choice) in choices.iter().enumerate() {
        bounded(&format!("{field}[{i}].id"), &choice.id, CHOICE_ID_MAX)?;
        bounded(&format!("{field}[{i}].title"), &choice.title, title_max)?;
        if let Some(d) = &choice.description {
            if d.chars().count() > ROW_DESCRIPTION_MAX {
                return Err(AppError::bad_input(
                    format!("{field}[{i}].description"),
                    format!("must be at most {ROW_DESCRIPTION_MAX} characters"),
                ));
            }
        }
        if !seen.insert(choice.id.as_str()) {
            return Err(AppError::bad_input(
                format!("{field}[{i}].id"),
                "ids must be distinct",
            ));
        }
    }
    Ok(())
}

fn validate_cards(cards: &[ContactCard]) -> Result<(), AppError> {
    if cards.is_empty() || cards.len() > CARDS_MAX {
        return Err(AppError::bad_input(
            "content.contacts",
            format!("give 1 to {CARDS_MAX} contact cards"),
        ));
    }
    for (i, card) in cards.iter().enumerate() {
        let field = format!("content.contacts[{i}]");
        bounded(&format!("{field}.formattedName"), &card.formatted_name, 256)?;
        if card.phones.is_empty() && card.emails.is_empty() {
            return Err(AppError::bad_input(
                format!("{field}.phones"),
                "a card needs a phone number or an e-mail address",
            ));
        }
        for (j, phone) in card.phones.iter().enumerate() {
            // Cards carry numbers as people write them: "+1 (415) 555-0100".
            let digits = phone.phone.chars().filter(char::is_ascii_digit).count();
            let tidy = phone
                .phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            if !tidy || !(5..=20).contains(&digits) {
                return Err(AppError::bad_input(
                    format!("{field}.phones[{j}].phone"),
                    "must be a phone number",
                ));
            }
        }
        for (j, email) in card.emails.iter().enumerate() {
            if crate::domain::Email::parse(email).is_err() {
                return Err(AppError::bad_input(
                    format!("{field}.emails[{j}]"),
                    "must be an e-mail address",
                ));
            }
        }
    }
    Ok(())
}

/// An uploaded file must be of a type and size the provider sends as this kind of media.
pub(super) fn check_upload(
    upload: &UploadRecord,
    kind: MediaKind,
    caps: &Capabilities,
    provider: &str,
) -> Result<(), AppError> {
    let Some(limit) = caps.media.iter().find(|l| l.kind == kind) else {
        return Err(AppError::bad_input(
            "content.media.type",
            format!("{provider} does not send this kind of media"),
        ));
    };
    if !limit.mime_types.contains(&upload.content_type.as_str()) {
        return Err(AppError::bad_input(
            "content.media.mediaId",
            format!(
                "{provider} does not send {} as this media type (it takes {})",
                upload.content_type,
                limit.mime_types.join(", ")
            ),
        ));
    }
    if upload.size_bytes as u64 > limit.max_bytes {
        return Err(AppError::bad_input(
            "content.media.mediaId",
            format!(
                "the file is {} bytes; {provider} sends at most {} bytes of this media type",
                upload.size_bytes, limit.max_bytes
            ),
        ));
    }
    Ok(())
}
