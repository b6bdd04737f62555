//! The errors async-graphql makes itself, in the API's own words: a syntax error is one
//! sentence with its `locations` instead of the parser's dump, and a value that does not fit
//! an argument's type names the input field in `extensions.field`, as every other input error
//! does (`meta.phoneNumberId`, `recipients[1].to`; an `input` argument's own name is left out).

use async_graphql::parser::Error as ParseError;
use async_graphql::{Response, ServerError};

use crate::error::ErrorCode;

/// A syntax error: what the parser expected, where.
pub fn syntax_error(err: ParseError) -> ServerError {
    let locations: Vec<_> = err.positions().take(1).collect();
    let message = match &err {
        ParseError::Syntax { message, .. } => {
            // The parser's message ends with a line `= expected name` under a drawing of the
            // line; that last line is the news.
            let news = message
                .lines()
                .rev()
                .find_map(|l| l.trim_start().strip_prefix("= "))
                .unwrap_or("unexpected input")
                .replace('_', " ");
            match locations.first() {
                Some(at) => format!(
                    "syntax error at line {}, column {}: {news}",
                    at.line, at.column
                ),
                None => format!("syntax error: {news}"),
            }
        }
        other => format!("syntax error: {other}"),
    };
    let mut error = ServerError::new(message, None);
    error.locations = locations;
    error.extensions = Some(super::errors::code_extension(ErrorCode::BadUserInput));
    error
}

/// An input field and the reason, read from the library's coercion message
/// `Invalid value for argument "input.meta", field "phoneNumberId" … is required but not
/// provided`.
#[derive(Debug, PartialEq, Eq)]
struct Coercion {
    field: String,
    reason: String,
}

fn coercion(message: &str) -> Option<Coercion> {
    let rest = message.strip_prefix("Invalid value for argument \"")?;
    let (argument, rest) = rest.split_once('"')?;
    let rest = rest.trim_start_matches(',').trim();
    let mut path: Vec<String> = Vec::new();
    for segment in argument.split('.') {
        match (segment.parse::<usize>(), path.last_mut()) {
            (Ok(index), Some(last)) => last.push_str(&format!("[{index}]")),
            _ => path.push(segment.to_owned()),
        }
    }
    let quoted = |text: &str, prefix: &str| -> Option<(String, String)> {
        let after = text.strip_prefix(prefix)?;
        let (name, tail) = after.split_once('"')?;
        Some((name.to_owned(), tail.to_owned()))
    };
    let reason = if let Some((field, tail)) = quoted(rest, "field \"") {
        path.push(field);
        let ty = tail
            .trim()
            .strip_prefix("of type \"")
            .and_then(|t| t.split_once('"'))
            .map(|(t, _)| t);
        match ty {
            Some(ty) if tail.contains("is required") => format!("is required ({ty})"),
            _ => tail.trim().to_owned(),
        }
    } else if let Some((field, tail)) = quoted(rest, "unknown field \"") {
        path.push(field);
        let ty = tail
            .trim()
            .strip_prefix("of type \"")
            .and_then(|t| t.split_once('"'))
            .map(|(t, _)| t.to_owned())
            .unwrap_or_default();
        format!("is not a field of {ty}")
    } else if let Some((ty, _)) = quoted(rest, "expected type \"") {
        format!("expected {ty}")
    } else if let Some((ty, tail)) = quoted(rest, "enumeration type \"") {
        let value = tail
            .split_once("the value \"")
            .and_then(|(_, v)| v.split_once('"'))
            .map(|(v, _)| v)
            .unwrap_or_default();
        format!("\"{value}\" is not a {ty}")
    } else if rest.starts_with("Oneof input objects") {
        "give exactly one of its fields".to_owned()
    } else {
        rest.to_owned()
    };
    if path.len() > 1 && path[0] == "input" {
        path.remove(0);
    }
    Some(Coercion {
        field: path.join("."),
        reason,
    })
}

/// Codes the library's own errors and names the field of a coercion error.
pub(super) fn polish(mut response: Response) -> Response {
    for error in &mut response.errors {
        let coded = error
            .extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some());
        if coded {
            continue;
        }
        let ext = error.extensions.get_or_insert_with(Default::default);
        ext.set("code", ErrorCode::BadUserInput.as_str());
        if let Some(found) = coercion(&error.message) {
            ext.set("field", found.field.as_str());
            error.message = format!("{}: {}", found.field, found.reason);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(message: &str) -> (String, String) {
        let c = coercion(message).unwrap();
        (c.field, c.reason)
    }

    #[test]
    fn a_missing_nested_field_is_named_by_its_path() {
        assert_eq!(
            read(
                r#"Invalid value for argument "input.meta", field "phoneNumberId" of type "String!" is required but not provided"#
            ),
            ("meta.phoneNumberId".into(), "is required (String!)".into())
        );
        assert_eq!(
            read(
                r#"Invalid value for argument "input.recipients.1", field "to" of type "String!" is required but not provided"#
            ),
            ("recipients[1].to".into(), "is required (String!)".into())
        );
    }

    #[test]
    fn wrong_types_unknown_fields_and_enums_are_named() {
        assert_eq!(
            read(
                r#"Invalid value for argument "input.settings.messagesPerSecond", expected type "Int""#
            ),
            ("settings.messagesPerSecond".into(), "expected Int".into())
        );
        assert_eq!(
            read(r#"Invalid value for argument "first", expected type "Int""#),
            ("first".into(), "expected Int".into())
        );
        assert_eq!(
            read(
                r#"Invalid value for argument "input", unknown field "bogus" of type "CreateChannelInput""#
            ),
            (
                "bogus".into(),
                "is not a field of CreateChannelInput".into()
            )
        );
        assert_eq!(
            read(
                r#"Invalid value for argument "input.provider", enumeration type "Provider" does not contain the value "NOPE""#
            ),
            ("provider".into(), "\"NOPE\" is not a Provider".into())
        );
    }

    #[test]
    fn other_errors_are_left_alone() {
        assert_eq!(coercion("Unknown field \"nope\" on type \"Viewer\"."), None);
    }

    #[test]
    fn a_syntax_error_is_one_sentence_with_its_location() {
        let err = async_graphql::parser::parse_query("{ me { user ( } }").unwrap_err();
        let error = syntax_error(err);
        assert_eq!(
            error.message,
            "syntax error at line 1, column 15: expected name"
        );
        assert_eq!(error.locations.len(), 1);
        assert_eq!(
            (error.locations[0].line, error.locations[0].column),
            (1, 15)
        );
    }
}
