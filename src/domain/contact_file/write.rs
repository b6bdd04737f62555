//! Writing contacts out, as CSV or JSON, in the columns an import reads back: an exported
//! file imports again to the same contacts. The read-only columns (id, WhatsApp id and
//! profile name, times the system keeps) ride along and an import skips them.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use super::{column, FileFormat};
use crate::domain::records::ContactRecord;

/// A contact with its attribute values by key.
pub struct ExportedContact<'a> {
    pub contact: &'a ContactRecord,
    pub attributes: &'a BTreeMap<String, String>,
}

/// Why a document could not be written (only an encoder's failure, never the data).
#[derive(Debug, thiserror::Error)]
#[error("writing the export: {0}")]
pub struct WriteError(String);

impl WriteError {
    pub(super) fn new(e: impl std::fmt::Display) -> Self {
        Self(e.to_string())
    }
}

fn time(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

/// A cell a spreadsheet must show as text: a customer's own words starting with `=`, `+`,
/// `-` or `@` would otherwise run as a formula (OWASP "CSV injection").
pub(super) fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The contacts as a document; `keys` are the tenant's attribute keys, one column each.
pub fn write_contacts(
    contacts: &[ExportedContact<'_>],
    keys: &[String],
    format: FileFormat,
) -> Result<String, WriteError> {
    match format {
        FileFormat::Csv => write_csv(contacts, keys),
        FileFormat::Json => Ok(write_json(contacts)),
    }
}

fn write_csv(contacts: &[ExportedContact<'_>], keys: &[String]) -> Result<String, WriteError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "id",
        column::PHONE,
        column::NAME,
        column::LANGUAGE,
        column::OPTED_IN,
        column::OPTED_IN_AT,
        column::OPT_IN_SOURCE,
        column::OPTED_OUT_AT,
        "wa_id",
        "profile_name",
        "marketing_opted_out_at",
        "last_inbound_at",
        "created_at",
    ]
    .iter()
    .map(|c| (*c).to_owned())
    .collect();
    header.extend(
        keys.iter()
            .map(|k| format!("{}{k}", column::ATTRIBUTE_PREFIX)),
    );
    let fail = |e: csv::Error| WriteError(e.to_string());
    out.write_record(&header).map_err(fail)?;
    for ExportedContact {
        contact: c,
        attributes,
    } in contacts
    {
        let mut row = vec![
            c.id.to_string(),
            c.phone_number.clone(),
            c.name.clone().unwrap_or_default(),
            c.language
                .as_ref()
                .map(|l| l.as_str().to_owned())
                .unwrap_or_default(),
            c.opted_out_at.is_none().to_string(),
            time(c.opted_in_at),
            c.opt_in_source.clone().unwrap_or_default(),
            time(c.opted_out_at),
            c.wa_id.clone(),
            c.profile_name.as_deref().map(inert).unwrap_or_default(),
            time(c.marketing_opted_out_at),
            time(c.last_inbound_at),
            time(Some(c.created_at)),
        ];
        row.extend(
            keys.iter()
                .map(|k| attributes.get(k).cloned().unwrap_or_default()),
        );
        out.write_record(&row).map_err(fail)?;
    }
    let bytes = out.into_inner().map_err(|e| WriteError(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| WriteError(e.to_string()))
}

fn write_json(contacts: &[ExportedContact<'_>]) -> String {
    let items: Vec<Value> = contacts
        .iter()
        .map(
            |ExportedContact {
                 contact: c,
                 attributes,
             }| {
                let attributes: Map<String, Value> = attributes
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                let at = |t: Option<DateTime<Utc>>| t.map(|t| time(Some(t)));
                json!({
                    "id": c.id.to_string(),
                    "phoneNumber": c.phone_number,
                    "waId": c.wa_id,
                    "name": c.name,
                    "profileName": c.profile_name,
                    "language": c.language.as_ref().map(|l| l.as_str()),
                    "optedIn": c.opted_out_at.is_none(),
                    "optedInAt": at(c.opted_in_at),
                    "optInSource": c.opt_in_source,
                    "optedOutAt": at(c.opted_out_at),
                    "marketingOptedOutAt": at(c.marketing_opted_out_at),
                    "lastInboundAt": at(c.last_inbound_at),
                    "createdAt": time(Some(c.created_at)),
                    "attributes": attributes,
                })
            },
        )
        .collect();
    Value::Array(items).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact_file::{check_lines, read};
    use crate::domain::ContactId;

    fn contact() -> ContactRecord {
        let now = Utc::now();
        ContactRecord {
            id: ContactId::new(),
            wa_id: "34600000001".into(),
            phone_number: "+34600000001".into(),
            profile_name: Some("=cmd()".into()),
            name: Some("Ana, \"A\"".into()),
            language: crate::domain::language_tag::LanguageTag::parse("es").ok(),
            opted_out_at: Some(now),
            opted_in_at: None,
            opt_in_source: Some("web".into()),
            marketing_opted_out_at: None,
            last_inbound_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_written_file_reads_back_to_the_same_fields_in_both_formats() {
        let contact = contact();
        let attributes = BTreeMap::new();
        let exported = [ExportedContact {
            contact: &contact,
            attributes: &attributes,
        }];
        for format in [FileFormat::Csv, FileFormat::Json] {
            let text = write_contacts(&exported, &[], format).unwrap();
            let lines = check_lines(read(&text, format).unwrap(), &[]);
            let line = lines[0].result.as_ref().unwrap();
            assert_eq!(line.phone.as_str(), "+34600000001");
            assert_eq!(line.name.as_deref(), Some("Ana, \"A\""));
            assert_eq!(line.opted_in, Some(false));
            assert_eq!(line.opted_out_at, contact.opted_out_at);
            assert_eq!(line.opt_in_source.as_deref(), Some("web"));
        }
        let csv = write_contacts(&exported, &[], FileFormat::Csv).unwrap();
        assert!(csv.contains(",'=cmd(),"), "{csv}");
    }
}
