//! Twilio's JSON shapes: the few response fields we read and the Content API bodies we send.
//! Unknown fields are ignored everywhere; the account resource's `auth_token` is deliberately
//! not a field, so it is never held past deserialisation.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::domain::content::{Choice, ChoiceSection};

/// `GET /2010-04-01/Accounts/{AC}.json`, minus the echoed `auth_token`.
#[derive(Debug, Deserialize)]
pub(crate) struct AccountResource {
    pub friendly_name: Option<String>,
    pub status: Option<String>,
}

/// The message resource answered by a create.
#[derive(Debug, Deserialize)]
pub(crate) struct MessageResource {
    pub sid: String,
    pub status: Option<String>,
}

/// A Content API resource (create answer, list item).
#[derive(Debug, Deserialize)]
pub(crate) struct ContentResource {
    pub sid: String,
    pub friendly_name: Option<String>,
    pub language: Option<String>,
    #[serde(default)]
    pub types: Value,
    /// `ContentAndApprovals` only; either the WhatsApp approval itself or `{whatsapp: {…}}`.
    #[serde(default)]
    pub approval_requests: Option<Value>,
}

/// One page of `GET /v1/ContentAndApprovals`.
#[derive(Debug, Deserialize)]
pub(crate) struct ContentPage {
    #[serde(default)]
    pub contents: Vec<ContentResource>,
    pub meta: Option<PageMeta>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PageMeta {
    pub next_page_url: Option<String>,
}

/// A WhatsApp approval request (`POST …/ApprovalRequests/whatsapp` answer).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ApprovalRequest {
    pub name: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub rejection_reason: Option<String>,
}

impl ApprovalRequest {
    /// Reads either shape of `approval_requests`.
    pub fn from_value(value: &Value) -> Self {
        let inner = value
            .get("whatsapp")
            .filter(|v| v.is_object())
            .unwrap_or(value);
        serde_json::from_value(inner.clone()).unwrap_or_default()
    }
}

/// The display text of a content: the body of its richest text-bearing type.
pub(crate) fn content_body(types: &Value) -> String {
    let order = [
        "twilio/text",
        "twilio/quick-reply",
        "twilio/media",
        "twilio/call-to-action",
        "twilio/list-picker",
    ];
    order
        .iter()
        .filter_map(|t| types.get(*t)?.get("body")?.as_str())
        .next()
        .or_else(|| {
            let map = types.as_object()?;
            map.values().filter_map(|t| t.get("body")?.as_str()).next()
        })
        .unwrap_or_default()
        .to_owned()
}

/// WhatsApp session quick replies have no header or footer on Twilio; they are folded into
/// the body so the customer still sees them.
pub(crate) fn folded_body(header: Option<&str>, body: &str, footer: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(h) = header.filter(|h| !h.is_empty()) {
        out.push_str(&format!("*{h}*\n\n"));
    }
    out.push_str(body);
    if let Some(f) = footer.filter(|f| !f.is_empty()) {
        out.push_str(&format!("\n\n_{f}_"));
    }
    out
}

/// `types` for a `twilio/quick-reply` content.
pub(crate) fn quick_reply_types(body: &str, buttons: &[Choice]) -> Value {
    let actions: Vec<Value> = buttons
        .iter()
        .map(|b| json!({"title": b.title, "id": b.id}))
        .collect();
    json!({"twilio/quick-reply": {"body": body, "actions": actions}})
}

/// `types` for a `twilio/list-picker` content; sections are flattened, Twilio has none.
pub(crate) fn list_picker_types(body: &str, button: &str, sections: &[ChoiceSection]) -> Value {
    let items: Vec<Value> = sections
        .iter()
        .flat_map(|s| &s.rows)
        .map(|row| {
            let mut item = Map::new();
            item.insert("id".into(), row.id.clone().into());
            item.insert("item".into(), row.title.clone().into());
            if let Some(d) = &row.description {
                item.insert("description".into(), d.clone().into());
            }
            Value::Object(item)
        })
        .collect();
    json!({"twilio/list-picker": {"body": body, "button": button, "items": items}})
}

/// `variables` for a create: `{"1": example1, "2": example2, …}`.
pub(crate) fn example_variables(examples: &[String]) -> Value {
    let map: Map<String, Value> = examples
        .iter()
        .enumerate()
        .map(|(i, e)| ((i + 1).to_string(), Value::String(e.clone())))
        .collect();
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_resource_ignores_the_echoed_auth_token() {
        let a: AccountResource = serde_json::from_str(
            r#"{"sid":"AC1","friendly_name":"Shop","status":"active","auth_token":"secret","type":"Full"}"#,
        )
        .unwrap();
        assert_eq!(a.friendly_name.as_deref(), Some("Shop"));
        assert!(!format!("{a:?}").contains("secret"));
    }

    #[test]
    fn quick_reply_types_carry_titles_and_ids() {
        let v = quick_reply_types(
            "Pick",
            &[Choice {
                id: "yes".into(),
                title: "Yes".into(),
                description: None,
            }],
        );
        assert_eq!(
            v,
            json!({"twilio/quick-reply": {"body": "Pick", "actions": [{"title": "Yes", "id": "yes"}]}})
        );
    }

    #[test]
    fn list_picker_flattens_sections_into_items() {
        let sections = vec![
            ChoiceSection {
                title: Some("A".into()),
                rows: vec![Choice {
                    id: "r1".into(),
                    title: "One".into(),
                    description: Some("first".into()),
                }],
            },
            ChoiceSection {
                title: None,
                rows: vec![Choice {
                    id: "r2".into(),
                    title: "Two".into(),
                    description: None,
                }],
            },
        ];
        assert_eq!(
            list_picker_types("Body", "Choose", &sections),
            json!({"twilio/list-picker": {"body": "Body", "button": "Choose", "items": [
                {"id": "r1", "item": "One", "description": "first"},
                {"id": "r2", "item": "Two"}
            ]}})
        );
    }

    #[test]
    fn approval_requests_parse_in_both_shapes() {
        let flat = json!({"name": "n", "category": "UTILITY", "status": "approved"});
        let nested = json!({"whatsapp": flat.clone()});
        assert_eq!(
            ApprovalRequest::from_value(&flat).status.as_deref(),
            Some("approved")
        );
        assert_eq!(
            ApprovalRequest::from_value(&nested).category.as_deref(),
            Some("UTILITY")
        );
    }

    #[test]
    fn content_body_prefers_text_then_any_body() {
        assert_eq!(
            content_body(&json!({"twilio/text": {"body": "Hi {{1}}"}})),
            "Hi {{1}}"
        );
        assert_eq!(
            content_body(&json!({"whatsapp/card": {"body": "Card"}})),
            "Card"
        );
        assert_eq!(content_body(&json!(null)), "");
    }
}

/// One page of `GET /2010-04-01/Accounts/{AC}/Messages.json`.
#[derive(Debug, Deserialize)]
pub(crate) struct MessagePage {
    #[serde(default)]
    pub messages: Vec<ListedMessage>,
    /// A path on the API host (`/2010-04-01/…?Page=1&PageToken=…`), or null on the last page.
    pub next_page_uri: Option<String>,
}

/// A message resource as the list shows it.
#[derive(Debug, Deserialize)]
pub(crate) struct ListedMessage {
    pub sid: String,
    pub status: Option<String>,
    pub body: Option<String>,
    pub direction: Option<String>,
    /// RFC 2822 in GMT.
    pub date_created: Option<String>,
}
