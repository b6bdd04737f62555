//! Contacts in and out as files. An import reads a CSV (or the JSON an export writes),
//! checks every line and decides it against the tenant's contacts: a preview answers what
//! each line would do, an import does it in one unit of work and answers the same report.
//! Exports write the tenant's contacts, or one conversation's history, as CSV or JSON.
//! Owners and admins import and export contacts; a conversation's history is exported by
//! whoever sees the conversation.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use crate::domain::audit::AuditEvent;
use crate::domain::contact_file::{
    check_lines, plan, read, write_contacts, write_history, CheckedLine, ContactState,
    ExportedContact, FileFormat, Plan, Problem,
};
use crate::domain::records::{ContactAttributeRecord, MessageFilter, MessageOrder};
use crate::domain::{ContactId, ConversationId, PageRequest, Visibility};
use crate::error::AppError;
use crate::services::auth::{Access, Admin, Agent};
use crate::store::{Store, TenantScope};

/// The most contacts one export writes; a larger tenant exports by `search`.
pub const EXPORT_MAX: usize = 50_000;
/// The most messages one conversation export writes.
pub const HISTORY_MAX: usize = 50_000;
const PAGE: u64 = 500;

/// What a line does (or would do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    Create,
    Update,
    Unchanged,
    Refused,
}

/// One line of a report.
#[derive(Clone, Debug)]
pub struct ImportLine {
    pub line: usize,
    /// The number as E.164 when it reads as one, otherwise as given.
    pub phone: Option<String>,
    pub outcome: ImportOutcome,
    /// The contact updated or left as is, or (once imported) created.
    pub contact: Option<ContactId>,
    /// The fields that change (`name`, `attributes.tier`, …).
    pub fields: Vec<String>,
    pub problems: Vec<Problem>,
}

/// What an import did (or, previewed, would do), line by line.
#[derive(Clone, Debug)]
pub struct ImportReport {
    pub lines: Vec<ImportLine>,
    /// Whether the changes were made (an import) or only answered (a preview).
    pub applied: bool,
}

impl ImportReport {
    pub fn count(&self, outcome: ImportOutcome) -> u64 {
        self.lines.iter().filter(|l| l.outcome == outcome).count() as u64
    }
}

/// A document written for download.
#[derive(Clone, Debug)]
pub struct ExportFile {
    pub filename: String,
    pub content_type: &'static str,
    pub content: String,
    /// Contacts or messages written.
    pub rows: usize,
}

fn file(name: String, format: FileFormat, content: String, rows: usize) -> ExportFile {
    let (extension, content_type) = match format {
        FileFormat::Csv => ("csv", "text/csv; charset=utf-8"),
        FileFormat::Json => ("json", "application/json"),
    };
    ExportFile {
        filename: format!("{name}.{extension}"),
        content_type,
        content,
        rows,
    }
}

/// A line with what it would do, and the state to write when it does something.
struct Decided {
    report: ImportLine,
    write: Option<(CheckedLine, ContactState)>,
}

#[derive(Clone)]
pub struct ContactFileService {
    store: Store,
}

impl ContactFileService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// What importing the document would do, line by line; nothing changes.
    pub async fn preview_import(
        &self,
        access: &Access<Admin>,
        document: &str,
        format: FileFormat,
    ) -> Result<ImportReport, AppError> {
        let scope = self.store.tenant(access.tenant());
        let (decided, _) = decide(&scope, document, format, Utc::now()).await?;
        Ok(ImportReport {
            lines: decided.into_iter().map(|d| d.report).collect(),
            applied: false,
        })
    }

    /// Imports the document: creates and updates the contacts of its usable lines, all in
    /// one unit of work, and answers the report of every line (refused ones change
    /// nothing). Audited with the counts only.
    pub async fn import(
        &self,
        access: &Access<Admin>,
        document: &str,
        format: FileFormat,
    ) -> Result<ImportReport, AppError> {
        let unit = self.store.write(access.tenant()).await?;
        let scope = unit.scope();
        let now = unit.now();
        let (decided, attributes) = decide(&scope, document, format, now).await?;
        let ids: HashMap<&str, _> = attributes.iter().map(|a| (a.key.as_str(), a.id)).collect();
        let mut lines = Vec::with_capacity(decided.len());
        for Decided { mut report, write } in decided {
            if let Some((line, state)) = write {
                let id = match report.contact {
                    Some(id) => {
                        scope.contacts().update_imported(id, &state, now).await?;
                        id
                    }
                    None => {
                        scope
                            .contacts()
                            .insert_imported(&line.phone, &state, now)
                            .await?
                    }
                };
                for (key, value) in &line.attributes {
                    if let Some(attribute) = ids.get(key.as_str()) {
                        scope
                            .contact_attributes()
                            .put_value(id, *attribute, Some(value), now)
                            .await?;
                    }
                }
                report.contact = Some(id);
            }
            lines.push(report);
        }
        let report = ImportReport {
            lines,
            applied: true,
        };
        let event = AuditEvent::ContactsImported {
            import: uuid::Uuid::now_v7(),
            created: report.count(ImportOutcome::Create),
            updated: report.count(ImportOutcome::Update),
            unchanged: report.count(ImportOutcome::Unchanged),
            refused: report.count(ImportOutcome::Refused),
        };
        unit.audit(access.actor(), event).await?;
        unit.commit().await?;
        Ok(report)
    }

    /// The tenant's contacts (those whose name or number contains `search`), oldest first.
    pub async fn export_contacts(
        &self,
        access: &Access<Admin>,
        search: Option<&str>,
        format: FileFormat,
    ) -> Result<ExportFile, AppError> {
        let scope = self.store.tenant(access.tenant());
        let mut contacts = Vec::new();
        let mut after = None;
        loop {
            let page = scope
                .contacts()
                .list(search, PageRequest { first: PAGE, after })
                .await?;
            after = page.items.last().map(|c| c.id.into_uuid());
            contacts.extend(page.items);
            if contacts.len() > EXPORT_MAX {
                return Err(AppError::bad_input(
                    "search",
                    format!("more than {EXPORT_MAX} contacts; narrow the export with a search"),
                ));
            }
            if !page.has_next {
                break;
            }
        }
        let ids: Vec<ContactId> = contacts.iter().map(|c| c.id).collect();
        let values = scope.contact_attributes().values_of_many(&ids).await?;
        let keys: Vec<String> = scope
            .contact_attributes()
            .list()
            .await?
            .into_iter()
            .map(|a| a.key)
            .collect();
        let none = BTreeMap::new();
        let exported: Vec<ExportedContact<'_>> = contacts
            .iter()
            .map(|contact| ExportedContact {
                contact,
                attributes: values.get(&contact.id).unwrap_or(&none),
            })
            .collect();
        let content =
            write_contacts(&exported, &keys, format).map_err(|e| AppError::Internal(e.into()))?;
        Ok(file("contacts".to_owned(), format, content, contacts.len()))
    }

    /// One conversation's messages, oldest first, when `visibility` sees it.
    pub async fn export_conversation(
        &self,
        access: &Access<Agent>,
        visibility: &Visibility,
        id: ConversationId,
        format: FileFormat,
    ) -> Result<ExportFile, AppError> {
        let scope = self.store.tenant(access.tenant());
        let conversation = super::visibility::conversation(&scope, visibility, id).await?;
        let contact = scope.contacts().get(conversation.contact).await?;
        let filter = MessageFilter {
            conversation: Some(id),
            ..MessageFilter::default()
        };
        let mut messages = Vec::new();
        let mut after = None;
        loop {
            let page = scope
                .messages()
                .list(
                    visibility,
                    &filter,
                    MessageOrder::Oldest,
                    PageRequest { first: PAGE, after },
                )
                .await?;
            after = page.items.last().map(|m| m.id.into_uuid());
            messages.extend(page.items);
            if messages.len() > HISTORY_MAX {
                return Err(AppError::bad_input(
                    "id",
                    format!("the conversation has more than {HISTORY_MAX} messages"),
                ));
            }
            if !page.has_next {
                break;
            }
        }
        let content = write_history(&conversation, &contact, &messages, format)
            .map_err(|e| AppError::Internal(e.into()))?;
        Ok(file(
            format!("conversation-{id}"),
            format,
            content,
            messages.len(),
        ))
    }
}

/// Reads and checks the document, and decides each usable line against the contact of
/// its number. Answers the tenant's attributes too.
async fn decide<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    document: &str,
    format: FileFormat,
    now: DateTime<Utc>,
) -> Result<(Vec<Decided>, Vec<ContactAttributeRecord>), AppError> {
    let raw = read(document, format).map_err(|e| AppError::bad_input("document", e))?;
    let attributes = scope.contact_attributes().list().await?;
    let checked = check_lines(raw, &attributes);
    let wa_ids: Vec<String> = checked
        .iter()
        .filter_map(|c| c.result.as_ref().ok())
        .map(|l| l.phone.digits().to_owned())
        .collect();
    let existing = scope.contacts().find_by_wa_ids(&wa_ids).await?;
    let ids: Vec<ContactId> = existing.values().map(|c| c.id).collect();
    let mut values = scope.contact_attributes().values_of_many(&ids).await?;
    let decided = checked
        .into_iter()
        .map(|check| {
            let mut report = ImportLine {
                line: check.line,
                phone: check.phone,
                outcome: ImportOutcome::Refused,
                contact: None,
                fields: Vec::new(),
                problems: Vec::new(),
            };
            let line = match check.result {
                Ok(line) => line,
                Err(problems) => {
                    report.problems = problems;
                    return Decided {
                        report,
                        write: None,
                    };
                }
            };
            let contact = existing.get(line.phone.digits());
            report.contact = contact.map(|c| c.id);
            let state =
                contact.map(|c| ContactState::of(c, values.remove(&c.id).unwrap_or_default()));
            let write = match plan(&line, state.as_ref(), now) {
                Plan::Create(state) => {
                    report.outcome = ImportOutcome::Create;
                    report.fields = given_fields(&line);
                    Some((line, state))
                }
                Plan::Update { state, fields } => {
                    report.outcome = ImportOutcome::Update;
                    report.fields = fields;
                    Some((line, state))
                }
                Plan::Unchanged => {
                    report.outcome = ImportOutcome::Unchanged;
                    None
                }
                Plan::Refused(problem) => {
                    report.problems = vec![problem];
                    None
                }
            };
            Decided { report, write }
        })
        .collect();
    Ok((decided, attributes))
}

/// The fields a line for a new contact gives.
fn given_fields(line: &CheckedLine) -> Vec<String> {
    use crate::domain::contact_file::column;
    let mut fields: Vec<String> = [
        (column::NAME, line.name.is_some()),
        (column::LANGUAGE, line.language.is_some()),
        (column::OPTED_IN, line.opted_in.is_some()),
        (column::OPTED_IN_AT, line.opted_in_at.is_some()),
        (column::OPT_IN_SOURCE, line.opt_in_source.is_some()),
        (column::OPTED_OUT_AT, line.opted_out_at.is_some()),
    ]
    .into_iter()
    .filter(|(_, given)| *given)
    .map(|(field, _)| field.to_owned())
    .collect();
    fields.extend(
        line.attributes
            .keys()
            .map(|k| format!("{}{k}", column::ATTRIBUTE_PREFIX)),
    );
    fields
}
