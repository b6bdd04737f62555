//! Template sends: the template must exist on the sending channel and be APPROVED, and the
//! variables must fill its placeholders exactly. The stored content then names the template
//! precisely and keeps the text the customer reads.

use std::collections::BTreeMap;

use sea_orm::ConnectionTrait;

use crate::domain::content::TemplateVariable;
use crate::domain::records::ChannelRecord;
use crate::domain::template::{check_variables, render, TemplateStatus, MAX_BODY_CHARS};
use crate::domain::{MessageContent, TemplateId};
use crate::error::AppError;
use crate::providers::ProviderKind;
use crate::store::TenantScope;

/// What a caller asks for: a template by id, or by name and language, with its variables.
pub fn requested(
    template_id: Option<TemplateId>,
    name: Option<String>,
    language: Option<String>,
    variables: Vec<(String, String)>,
) -> MessageContent {
    MessageContent::Template {
        template_id,
        name: name.unwrap_or_default(),
        language: language.unwrap_or_default(),
        provider_template_id: None,
        variables: variables
            .into_iter()
            .map(|(key, value)| TemplateVariable { key, value })
            .collect(),
        rendered: String::new(),
    }
}

/// Resolves a requested template on `channel`; other content passes through unchanged.
pub async fn resolve<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    channel: &ChannelRecord,
    content: MessageContent,
) -> Result<MessageContent, AppError> {
    let MessageContent::Template {
        template_id,
        name,
        language,
        variables,
        ..
    } = content
    else {
        return Ok(content);
    };
    let template = match template_id {
        Some(id) => Some(scope.templates().get(id).await?).filter(|t| t.channel == channel.id),
        None if !name.is_empty() && !language.is_empty() => {
            scope.templates().find(channel.id, &name, &language).await?
        }
        None => {
            return Err(AppError::bad_input(
                "content.template",
                "give templateId, or name and language",
            ))
        }
    }
    .ok_or(AppError::NotFound)?;
    if template.status != TemplateStatus::Approved {
        return Err(AppError::bad_input(
            "content.template",
            format!(
                "template {} ({}) is {}; only an APPROVED template can be sent",
                template.name, template.language, template.status
            ),
        ));
    }
    let mut given = BTreeMap::new();
    for TemplateVariable { key, value } in variables {
        let field = format!("content.template.variables.{key}");
        if given.insert(key, value).is_some() {
            return Err(AppError::bad_input(field, "the variable is given twice"));
        }
    }
    let values = check_variables(&template.variables, &given).map_err(|e| {
        AppError::bad_input(format!("content.template.variables.{}", e.variable()), &e)
    })?;
    let rendered = render(&template.body, &values);
    if rendered.chars().count() > MAX_BODY_CHARS {
        return Err(AppError::bad_input(
            "content.template.variables",
            format!("the filled-in body is over {MAX_BODY_CHARS} characters"),
        ));
    }
    if channel.provider() == ProviderKind::Twilio && template.provider_template_id.is_none() {
        return Err(AppError::bad_input(
            "content.template",
            "the template has no Twilio content SID; sync the channel's templates",
        ));
    }
    Ok(MessageContent::Template {
        template_id: Some(template.id),
        name: template.name,
        language: template.language,
        provider_template_id: template.provider_template_id,
        variables: values
            .into_iter()
            .map(|(key, value)| TemplateVariable { key, value })
            .collect(),
        rendered,
    })
}
