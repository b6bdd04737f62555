//! Contacts in and out as files, and erasure: `previewContactImport` and `importContacts`
//! (owners and admins), `exportContacts` (owners and admins), `exportConversation` (whoever
//! sees the conversation) and `eraseContact` (owners and admins).

use async_graphql::{Context, Enum, Object, SimpleObject, ID};

use super::errors::GqlResult;
use super::guards::viewer;
use super::types::parse_id;
use crate::domain::contact_file::{Problem, Refusal};
use crate::domain::{ContactId, ConversationId};
use crate::services::auth::{Admin, Agent};
use crate::services::contact_files::{ExportFile, ImportLine, ImportOutcome, ImportReport};
use crate::services::erasure::ErasureReport;
use crate::services::Services;

/// How a contacts document or an export is written.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::contact_file::FileFormat")]
pub enum DocumentFormat {
    /// Comma-separated, with a header row: `phone,name,language,opted_in,opted_in_at,
    /// opt_in_source,opted_out_at` and one `attributes.<key>` column per attribute.
    Csv,
    /// A JSON array of contacts, as `exportContacts` writes it.
    Json,
}

/// What a line of an import does (or, previewed, would do).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "ImportOutcome")]
pub enum ContactImportOutcome {
    /// A new contact.
    Create,
    /// An existing contact (by number) whose fields change.
    Update,
    /// An existing contact the line changes nothing of.
    Unchanged,
    /// Nothing happens; `problems` says why.
    Refused,
}

/// Why a line is refused.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "Refusal")]
pub enum ContactImportRefusal {
    /// Another number of fields than the header, or a JSON item of the wrong shape.
    Malformed,
    /// The number is missing or not E.164 (`+` and the country code).
    InvalidPhone,
    InvalidName,
    InvalidLanguage,
    /// A value for an attribute the tenant has not defined.
    UnknownAttribute,
    /// A value the attribute's type does not take.
    InvalidAttribute,
    /// `opted_in` is not true or false, or an opt-out time comes without `opted_in` false.
    InvalidOptIn,
    /// A time that is neither RFC 3339 nor a `YYYY-MM-DD` date.
    InvalidDate,
    /// The number is on an earlier line too.
    Duplicate,
    /// The contact opted out after the line's opt-in (or the line gives no opt-in time).
    OptedOutSince,
}

/// One reason a line is refused.
#[derive(SimpleObject)]
pub struct ContactImportProblem {
    pub reason: ContactImportRefusal,
    /// The column it is about, as the header names it.
    pub column: Option<String>,
    pub message: String,
}

impl From<Problem> for ContactImportProblem {
    fn from(p: Problem) -> Self {
        Self {
            reason: p.reason.into(),
            column: p.column,
            message: p.message,
        }
    }
}

/// One line of an import.
#[derive(SimpleObject)]
pub struct ContactImportLine {
    /// The line in the CSV (its header is line 1), or the item's position in a JSON array.
    pub line: i32,
    /// The number as E.164 when it reads as one, otherwise as given.
    pub phone_number: Option<String>,
    pub outcome: ContactImportOutcome,
    /// The contact updated or left as is, or once imported the one created.
    pub contact_id: Option<ID>,
    /// The fields the line sets or changes: `name`, `language`, `opted_in`, `opted_in_at`,
    /// `opt_in_source`, `opted_out_at`, `attributes.<key>`.
    pub fields: Vec<String>,
    pub problems: Vec<ContactImportProblem>,
}

impl From<ImportLine> for ContactImportLine {
    fn from(l: ImportLine) -> Self {
        Self {
            line: i32::try_from(l.line).unwrap_or(i32::MAX),
            phone_number: l.phone,
            outcome: l.outcome.into(),
            contact_id: l.contact.map(|c| ID(c.to_string())),
            fields: l.fields,
            problems: l.problems.into_iter().map(Into::into).collect(),
        }
    }
}

/// What an import did, or previewed would do, line by line, with totals.
#[derive(SimpleObject)]
pub struct ContactImportReport {
    /// True once the changes were made; false for a preview.
    pub applied: bool,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub refused: i32,
    pub lines: Vec<ContactImportLine>,
}

impl From<ImportReport> for ContactImportReport {
    fn from(r: ImportReport) -> Self {
        let count = |o| i32::try_from(r.count(o)).unwrap_or(i32::MAX);
        Self {
            applied: r.applied,
            created: count(ImportOutcome::Create),
            updated: count(ImportOutcome::Update),
            unchanged: count(ImportOutcome::Unchanged),
            refused: count(ImportOutcome::Refused),
            lines: r.lines.into_iter().map(Into::into).collect(),
        }
    }
}

/// A document to download.
#[derive(SimpleObject)]
pub struct ExportedDocument {
    /// A name to save it under, such as `contacts.csv`.
    pub filename: String,
    pub content_type: String,
    pub content: String,
    /// How many contacts or messages it holds.
    pub rows: i32,
}

impl From<ExportFile> for ExportedDocument {
    fn from(f: ExportFile) -> Self {
        Self {
            filename: f.filename,
            content_type: f.content_type.to_owned(),
            content: f.content,
            rows: i32::try_from(f.rows).unwrap_or(i32::MAX),
        }
    }
}

/// What erasing a contact removed.
#[derive(SimpleObject)]
pub struct ContactErasure {
    pub contact_id: ID,
    pub conversations: i32,
    pub messages: i32,
    /// Media files removed from storage.
    pub files: i32,
}

impl ContactErasure {
    fn new(id: ContactId, r: ErasureReport) -> Self {
        let n = |v: u64| i32::try_from(v).unwrap_or(i32::MAX);
        Self {
            contact_id: ID(id.to_string()),
            conversations: n(r.conversations),
            messages: n(r.messages),
            files: n(r.files),
        }
    }
}

#[derive(Default)]
pub struct ContactFileQuery;

#[Object]
impl ContactFileQuery {
    /// What importing `document` would do, line by line; nothing changes. An empty cell
    /// leaves a contact's field as it is.
    async fn preview_contact_import(
        &self,
        ctx: &Context<'_>,
        document: String,
        #[graphql(default_with = "DocumentFormat::Csv")] format: DocumentFormat,
    ) -> GqlResult<ContactImportReport> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let state = ctx.data_unchecked::<Services>();
        let report = state
            .contact_files
            .preview_import(&access, &document, format.into())
            .await?;
        Ok(report.into())
    }

    /// The tenant's contacts, or those whose name or number contains `search`, as a
    /// document that `importContacts` reads back to the same contacts.
    async fn export_contacts(
        &self,
        ctx: &Context<'_>,
        format: DocumentFormat,
        search: Option<String>,
    ) -> GqlResult<ExportedDocument> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let state = ctx.data_unchecked::<Services>();
        let file = state
            .contact_files
            .export_contacts(&access, search.as_deref(), format.into())
            .await?;
        Ok(file.into())
    }

    /// One conversation's messages, oldest first.
    async fn export_conversation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        format: DocumentFormat,
    ) -> GqlResult<ExportedDocument> {
        let access = viewer(ctx)?.access::<Agent>()?;
        let id: ConversationId = parse_id("id", &id)?;
        let visibility = super::guards::visibility(ctx).await?;
        let state = ctx.data_unchecked::<Services>();
        let file = state
            .contact_files
            .export_conversation(&access, &visibility, id, format.into())
            .await?;
        Ok(file.into())
    }
}

#[derive(Default)]
pub struct ContactFileMutation;

#[Object]
impl ContactFileMutation {
    /// Imports `document`: creates and updates the contacts of its usable lines in one
    /// step and answers every line's outcome; refused lines change nothing.
    async fn import_contacts(
        &self,
        ctx: &Context<'_>,
        document: String,
        #[graphql(default_with = "DocumentFormat::Csv")] format: DocumentFormat,
    ) -> GqlResult<ContactImportReport> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let state = ctx.data_unchecked::<Services>();
        let report = state
            .contact_files
            .import(&access, &document, format.into())
            .await?;
        Ok(report.into())
    }

    /// Erases a contact with its conversations, messages and media files. Refused
    /// (CONFLICT) while one of its messages is being handed to the provider.
    async fn erase_contact(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ContactErasure> {
        let access = viewer(ctx)?.access::<Admin>()?;
        let id: ContactId = parse_id("id", &id)?;
        let state = ctx.data_unchecked::<Services>();
        let report = state.erasure.erase_contact(&access, id).await?;
        Ok(ContactErasure::new(id, report))
    }
}
