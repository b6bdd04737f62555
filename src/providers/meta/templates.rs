//! Message templates on the WhatsApp Business Account (PROVIDERS.md §2.8).

use std::collections::HashSet;

use reqwest::Method;
use serde_json::{json, Value};

use super::client::{decode, MetaProvider};
use super::wire::{CreatedTemplate, TemplateNode, TemplatePage};
use crate::providers::{NewTemplate, ProviderError, ProviderTemplate};

const TEMPLATE_FIELDS: &str = "id,name,language,status,category,components,parameter_format";
/// A safety stop for paging, far above any real WABA's template count.
const MAX_PAGES: usize = 200;

impl MetaProvider {
    pub(super) async fn fetch_templates(&self) -> Result<Vec<ProviderTemplate>, ProviderError> {
        let url = self.api_url(&format!(
            "{}/message_templates",
            self.credentials.business_account_id
        ));
        let mut templates = Vec::new();
        let mut after: Option<String> = None;
        let mut seen = HashSet::new();
        for _ in 0..MAX_PAGES {
            let mut query = vec![("fields", TEMPLATE_FIELDS), ("limit", "100")];
            if let Some(cursor) = after.as_deref() {
                query.push(("after", cursor));
            }
            // `paging.next` is never followed as a URL: it could name another host. The next
            // page is rebuilt from the cursor against the configured base.
            let page: TemplatePage = self.get_json(&url, &query).await?;
            templates.extend(page.data.into_iter().map(ProviderTemplate::from));
            let next_cursor = page.paging.and_then(|paging| {
                paging.next.as_ref()?;
                paging.cursors?.after
            });
            match next_cursor {
                Some(cursor) if seen.insert(cursor.clone()) => after = Some(cursor),
                _ => break,
            }
        }
        Ok(templates)
    }

    pub(super) async fn post_template(
        &self,
        template: &NewTemplate,
    ) -> Result<ProviderTemplate, ProviderError> {
        let url = self.api_url(&format!(
            "{}/message_templates",
            self.credentials.business_account_id
        ));
        let created: CreatedTemplate = self.post_json(&url, &template_body(template)).await?;
        Ok(ProviderTemplate {
            provider_id: created.id,
            name: template.name.clone(),
            language: template.language.clone(),
            category: created.category.or_else(|| Some(template.category.clone())),
            status: created
                .status
                .map(|s| s.to_uppercase())
                .unwrap_or_else(|| "PENDING".into()),
            rejection_reason: None,
            body: template.body.clone(),
        })
    }

    /// Meta reviews on creation, so "submitting" re-reads the template's current state.
    pub(super) async fn refresh_template(
        &self,
        template: &ProviderTemplate,
    ) -> Result<ProviderTemplate, ProviderError> {
        let id = numeric_id(template)?;
        let fields = format!("{TEMPLATE_FIELDS},rejected_reason");
        let answer = self
            .execute(
                self.request(Method::GET, &self.api_url(id))
                    .query(&[("fields", fields.as_str())]),
            )
            .await?;
        let node: TemplateNode = decode(&answer.body)?;
        Ok(ProviderTemplate::from(node))
    }
}

impl MetaProvider {
    /// `POST /{TEMPLATE_ID}` with the new components (and category when it changes);
    /// Meta reviews the edited template again.
    pub(super) async fn post_template_edit(
        &self,
        current: &ProviderTemplate,
        template: &NewTemplate,
    ) -> Result<ProviderTemplate, ProviderError> {
        let id = numeric_id(current)?;
        let full = template_body(template);
        let mut edit = json!({ "components": full["components"] });
        if current.category.as_deref() != Some(template.category.as_str()) {
            edit["category"] = json!(template.category);
        }
        let _: Value = self.post_json(&self.api_url(id), &edit).await?;
        Ok(ProviderTemplate {
            category: Some(template.category.clone()),
            status: "PENDING".into(),
            rejection_reason: None,
            body: template.body.clone(),
            ..current.clone()
        })
    }

    /// `DELETE /{WABA_ID}/message_templates?name=…&hsm_id=…`: this language's template only.
    pub(super) async fn remove_template(
        &self,
        template: &ProviderTemplate,
    ) -> Result<(), ProviderError> {
        let id = numeric_id(template)?;
        let url = self.api_url(&format!(
            "{}/message_templates",
            self.credentials.business_account_id
        ));
        self.execute(
            self.request(Method::DELETE, &url)
                .query(&[("name", template.name.as_str()), ("hsm_id", id)]),
        )
        .await?;
        Ok(())
    }
}

fn numeric_id(template: &ProviderTemplate) -> Result<&str, ProviderError> {
    let id = template.provider_id.as_str();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(ProviderError::Rejected {
            code: "invalid_template_id".into(),
            message: "a Meta template id is numeric".into(),
        });
    }
    Ok(id)
}

/// The create body: BODY with examples, optional text HEADER, FOOTER and quick replies.
pub(crate) fn template_body(template: &NewTemplate) -> Value {
    let names = placeholders(&template.body);
    let named = names.iter().any(|n| n.parse::<u32>().is_err());
    let mut body = json!({ "type": "BODY", "text": template.body });
    if !template.examples.is_empty() {
        body["example"] = if named {
            let params: Vec<Value> = names
                .iter()
                .zip(&template.examples)
                .map(|(name, example)| json!({ "param_name": name, "example": example }))
                .collect();
            json!({ "body_text_named_params": params })
        } else {
            json!({ "body_text": [template.examples] })
        };
    }
    let mut components = Vec::new();
    if let Some(header) = &template.header_text {
        let mut component = json!({ "type": "HEADER", "format": "TEXT", "text": header });
        if !placeholders(header).is_empty() {
            // NewTemplate has no header examples; Meta requires one, so reuse the first.
            let example = template.examples.first().cloned().unwrap_or_default();
            component["example"] = json!({ "header_text": [example] });
        }
        components.push(component);
    }
    components.push(body);
    if let Some(footer) = &template.footer {
        components.push(json!({ "type": "FOOTER", "text": footer }));
    }
    if !template.quick_replies.is_empty() {
        let buttons: Vec<Value> = template
            .quick_replies
            .iter()
            .map(|text| json!({ "type": "QUICK_REPLY", "text": text }))
            .collect();
        components.push(json!({ "type": "BUTTONS", "buttons": buttons }));
    }
    let mut object = json!({
        "name": template.name,
        "language": template.language,
        "category": template.category,
        "components": components,
    });
    if named {
        object["parameter_format"] = json!("NAMED");
    }
    object
}

/// The distinct `{{…}}` placeholders of a text, in order of first appearance.
pub(crate) fn placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim().to_owned();
        if !name.is_empty() && !found.contains(&name) {
            found.push(name);
        }
        rest = &after[end + 2..];
    }
    found
}

impl From<TemplateNode> for ProviderTemplate {
    fn from(node: TemplateNode) -> Self {
        let body = node
            .components
            .iter()
            .find(|c| {
                c.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("BODY"))
            })
            .and_then(|c| c.get("text"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        ProviderTemplate {
            provider_id: node.id,
            name: node.name,
            language: node.language,
            category: node.category,
            status: node
                .status
                .map(|s| s.to_uppercase())
                .unwrap_or_else(|| "UNKNOWN".into()),
            rejection_reason: node
                .rejected_reason
                .filter(|r| !r.is_empty() && r != "NONE"),
            body,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_template(body: &str, examples: &[&str]) -> NewTemplate {
        NewTemplate {
            name: "order_update".into(),
            language: "en_US".into(),
            category: "UTILITY".into(),
            body: body.into(),
            examples: examples.iter().map(|s| s.to_string()).collect(),
            header_text: Some("Order".into()),
            footer: Some("Thanks".into()),
            quick_replies: vec!["Stop".into()],
        }
    }

    #[test]
    fn positional_templates_carry_body_text_examples() {
        let body = template_body(&new_template("Hi {{1}}, order {{2}}", &["Ana", "A-1"]));
        assert_eq!(
            body,
            json!({"name":"order_update","language":"en_US","category":"UTILITY","components":[
                {"type":"HEADER","format":"TEXT","text":"Order"},
                {"type":"BODY","text":"Hi {{1}}, order {{2}}","example":{"body_text":[["Ana","A-1"]]}},
                {"type":"FOOTER","text":"Thanks"},
                {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Stop"}]}]})
        );
    }

    #[test]
    fn named_templates_use_named_examples_and_format() {
        let body = template_body(&new_template("Hi {{first_name}}", &["Ana"]));
        assert_eq!(body["parameter_format"], "NAMED");
        assert_eq!(
            body["components"][1]["example"],
            json!({"body_text_named_params":[{"param_name":"first_name","example":"Ana"}]})
        );
    }

    #[test]
    fn placeholders_are_found_once_in_order() {
        assert_eq!(
            placeholders("{{2}} {{1}} {{2}} {{ name }} {{"),
            ["2", "1", "name"]
        );
    }
}
