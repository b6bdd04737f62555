//! Quick replies: saved texts agents insert by a shortcut, with variables such as
//! `{{contact.name}}` filled in for one conversation. The rules for a reply's fields, and
//! the parsing and rendering of its text; which attribute keys exist is the services'.

use std::collections::BTreeMap;

use crate::domain::free_text::{self, TextError};
use crate::domain::MediaKind;

/// The longest shortcut.
pub const SHORTCUT_MAX: usize = 32;
/// At most this many quick replies per tenant (its own and all its queues').
pub const REPLIES_MAX: usize = 2000;

/// Why a reply's field is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("must be 1 to {SHORTCUT_MAX} letters, digits, '-' or '_'")]
    Shortcut,
    #[error(transparent)]
    Text(#[from] TextError),
    #[error("has an opening {{{{ without a closing }}}}")]
    Unclosed,
    #[error("uses the unknown variable {{{{{0}}}}}")]
    UnknownVariable(String),
}

/// A shortcut such as `greeting`, trimmed: letters, digits, `-` and `_`.
pub fn parse_shortcut(raw: &str) -> Result<String, ReplyError> {
    let shortcut = raw.trim();
    let ok = (1..=SHORTCUT_MAX).contains(&shortcut.len())
        && shortcut
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(shortcut.to_owned())
    } else {
        Err(ReplyError::Shortcut)
    }
}

/// The form two shortcuts are told apart by: `Greeting` and `greeting` are one.
pub fn shortcut_key(shortcut: &str) -> String {
    shortcut.to_ascii_lowercase()
}

/// A value a reply's text may name between `{{` and `}}`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Variable {
    /// The contact's name, else their WhatsApp profile name, else their phone number.
    ContactName,
    ContactPhone,
    /// A contact attribute's value, by its key.
    ContactAttribute(String),
    /// The calling agent's name, else the local part of their e-mail address.
    AgentName,
    AgentEmail,
}

impl Variable {
    fn parse(name: &str) -> Result<Self, ReplyError> {
        Ok(match name {
            "contact.name" => Variable::ContactName,
            "contact.phone" => Variable::ContactPhone,
            "agent.name" => Variable::AgentName,
            "agent.email" => Variable::AgentEmail,
            _ => match name.strip_prefix("contact.") {
                Some(key) if !key.is_empty() => Variable::ContactAttribute(key.to_owned()),
                _ => return Err(ReplyError::UnknownVariable(name.to_owned())),
            },
        })
    }

    /// The name as written in a text, without the braces.
    pub fn name(&self) -> String {
        match self {
            Variable::ContactName => "contact.name".to_owned(),
            Variable::ContactPhone => "contact.phone".to_owned(),
            Variable::ContactAttribute(key) => format!("contact.{key}"),
            Variable::AgentName => "agent.name".to_owned(),
            Variable::AgentEmail => "agent.email".to_owned(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Value(Variable),
}

/// A reply's text, split into literal text and variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyText {
    pieces: Vec<Piece>,
}

impl ReplyText {
    /// Parses a text written like a message body. A variable is `{{name}}`, spaces inside
    /// the braces allowed; an unknown name or an unclosed `{{` is refused.
    pub fn parse(raw: &str) -> Result<Self, ReplyError> {
        free_text::check_message(raw)?;
        let mut pieces = Vec::new();
        let mut rest = raw;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                pieces.push(Piece::Text(rest[..start].to_owned()));
            }
            let after = &rest[start + 2..];
            let end = after.find("}}").ok_or(ReplyError::Unclosed)?;
            pieces.push(Piece::Value(Variable::parse(after[..end].trim())?));
            rest = &after[end + 2..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        Ok(Self { pieces })
    }

    /// The variables the text names, each once, in order of name.
    pub fn variables(&self) -> Vec<Variable> {
        let mut found: Vec<Variable> = self
            .pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Value(v) => Some(v.clone()),
                Piece::Text(_) => None,
            })
            .collect();
        found.sort();
        found.dedup();
        found
    }

    /// The text with every variable replaced by its value; those without one render as
    /// empty text and are named in `missing`.
    pub fn render(&self, values: &ReplyValues) -> Rendered {
        let mut text = String::new();
        let mut missing = Vec::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => text.push_str(t),
                Piece::Value(variable) => match values.get(variable) {
                    Some(value) => text.push_str(value),
                    None => {
                        let name = variable.name();
                        if !missing.contains(&name) {
                            missing.push(name);
                        }
                    }
                },
            }
        }
        Rendered { text, missing }
    }
}

/// What the variables of one conversation and agent stand for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplyValues {
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// Attribute key → value, in its text form.
    pub attributes: BTreeMap<String, String>,
    pub agent_name: Option<String>,
    pub agent_email: Option<String>,
}

impl ReplyValues {
    fn get(&self, variable: &Variable) -> Option<&str> {
        let value = match variable {
            Variable::ContactName => self.contact_name.as_deref(),
            Variable::ContactPhone => self.contact_phone.as_deref(),
            Variable::ContactAttribute(key) => self.attributes.get(key).map(String::as_str),
            Variable::AgentName => self.agent_name.as_deref(),
            Variable::AgentEmail => self.agent_email.as_deref(),
        };
        value.filter(|v| !v.trim().is_empty())
    }
}

/// A rendered reply: its text, and the variables that had no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    pub missing: Vec<String>,
}

/// Whether a file of `content_type` can go as media of `kind`: an image as an IMAGE, a
/// WebP image as a STICKER, and so on; any file as a DOCUMENT. The provider's own limits are
/// checked when the reply is sent.
pub fn media_fits(kind: MediaKind, content_type: &str) -> bool {
    let content_type = content_type.to_ascii_lowercase();
    match kind {
        MediaKind::Image => content_type.starts_with("image/"),
        MediaKind::Video => content_type.starts_with("video/"),
        MediaKind::Audio => content_type.starts_with("audio/"),
        MediaKind::Sticker => content_type == "image/webp",
        MediaKind::Document => true,
    }
}

/// The name a contact goes by: the name the business gave, else the WhatsApp profile name,
/// else the phone number.
pub fn contact_name(name: Option<&str>, profile_name: Option<&str>, phone: &str) -> String {
    [name, profile_name]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|n| !n.is_empty())
        .unwrap_or(phone)
        .to_owned()
}

/// The name an agent goes by: their account's name, else the local part of their e-mail.
pub fn agent_name(name: Option<&str>, email: &str) -> String {
    name.map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.split('@').next().unwrap_or(email))
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> ReplyValues {
        ReplyValues {
            contact_name: Some("Ana".into()),
            contact_phone: Some("+34600000000".into()),
            attributes: BTreeMap::from([("tier".into(), "gold".into())]),
            agent_name: Some("Bea".into()),
            agent_email: None,
        }
    }

    #[test]
    fn shortcuts_are_letters_digits_dashes_and_underscores() {
        assert_eq!(
            parse_shortcut(" Greeting_1-b ").as_deref(),
            Ok("Greeting_1-b")
        );
        for bad in ["", "hi there", "héllo", "/hi", "a.b"] {
            assert_eq!(parse_shortcut(bad), Err(ReplyError::Shortcut), "{bad:?}");
        }
        assert!(parse_shortcut(&"a".repeat(SHORTCUT_MAX)).is_ok());
        assert!(parse_shortcut(&"a".repeat(SHORTCUT_MAX + 1)).is_err());
        assert_eq!(shortcut_key("GreeTing"), "greeting");
    }

    #[test]
    fn variables_are_filled_in_and_missing_ones_render_empty() {
        let text = ReplyText::parse(
            "Hi {{contact.name}} ({{ contact.tier }}), I'm {{agent.name}} {{agent.email}}.",
        )
        .unwrap();
        let rendered = text.render(&values());
        assert_eq!(rendered.text, "Hi Ana (gold), I'm Bea .");
        assert_eq!(rendered.missing, ["agent.email"]);
    }

    #[test]
    fn a_variable_named_twice_is_missing_once() {
        let text = ReplyText::parse("{{contact.city}} {{contact.city}}").unwrap();
        let rendered = text.render(&values());
        assert_eq!(rendered.text, " ");
        assert_eq!(rendered.missing, ["contact.city"]);
    }

    #[test]
    fn the_variables_of_a_text_are_listed_once() {
        let text = ReplyText::parse("{{agent.name}} {{contact.tier}} {{agent.name}}").unwrap();
        assert_eq!(
            text.variables(),
            [
                Variable::ContactAttribute("tier".into()),
                Variable::AgentName
            ]
        );
    }

    #[test]
    fn unknown_variables_and_unclosed_braces_are_refused() {
        assert_eq!(
            ReplyText::parse("Hi {{customer.name}}"),
            Err(ReplyError::UnknownVariable("customer.name".into()))
        );
        assert_eq!(
            ReplyText::parse("Hi {{}}"),
            Err(ReplyError::UnknownVariable(String::new()))
        );
        assert_eq!(
            ReplyText::parse("Hi {{contact.}}"),
            Err(ReplyError::UnknownVariable("contact.".into()))
        );
        assert_eq!(
            ReplyText::parse("Hi {{agent.name"),
            Err(ReplyError::Unclosed)
        );
        assert_eq!(
            ReplyError::UnknownVariable("x.y".into()).to_string(),
            "uses the unknown variable {{x.y}}"
        );
    }

    #[test]
    fn text_without_variables_and_single_braces_stay_as_written() {
        let text = ReplyText::parse("*Bold* {x} } {").unwrap();
        assert_eq!(text.render(&values()).text, "*Bold* {x} } {");
        assert!(text.variables().is_empty());
        assert!(ReplyText::parse("  ").is_err());
    }

    #[test]
    fn a_file_fits_the_media_kind_of_its_type() {
        assert!(media_fits(MediaKind::Image, "image/png"));
        assert!(!media_fits(MediaKind::Video, "image/png"));
        assert!(media_fits(MediaKind::Sticker, "image/webp"));
        assert!(!media_fits(MediaKind::Sticker, "image/png"));
        assert!(media_fits(MediaKind::Document, "application/pdf"));
        assert!(media_fits(MediaKind::Audio, "Audio/OGG"));
    }

    #[test]
    fn names_fall_back_in_order() {
        assert_eq!(contact_name(Some("Ana"), Some("ana_p"), "+34"), "Ana");
        assert_eq!(contact_name(Some(" "), Some("ana_p"), "+34"), "ana_p");
        assert_eq!(contact_name(None, None, "+34"), "+34");
        assert_eq!(agent_name(Some("Bea"), "bea@x.test"), "Bea");
        assert_eq!(agent_name(None, "bea.lopez@x.test"), "bea.lopez");
    }
}
