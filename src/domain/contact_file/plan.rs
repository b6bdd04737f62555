//! What a checked line does to the tenant's contacts: create one, change the fields it
//! gives, leave one as it is, or refuse to opt in a contact who opted out since.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{column, CheckedLine, Problem, Refusal};
use crate::domain::language_tag::LanguageTag;
use crate::domain::records::ContactRecord;

/// The fields of a contact an import sets, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactState {
    pub name: Option<String>,
    pub language: Option<LanguageTag>,
    pub opted_out_at: Option<DateTime<Utc>>,
    pub marketing_opted_out_at: Option<DateTime<Utc>>,
    pub opted_in_at: Option<DateTime<Utc>>,
    pub opt_in_source: Option<String>,
    /// Values by attribute key.
    pub attributes: BTreeMap<String, String>,
}

impl ContactState {
    pub fn of(contact: &ContactRecord, attributes: BTreeMap<String, String>) -> Self {
        Self {
            name: contact.name.clone(),
            language: contact.language.clone(),
            opted_out_at: contact.opted_out_at,
            marketing_opted_out_at: contact.marketing_opted_out_at,
            opted_in_at: contact.opted_in_at,
            opt_in_source: contact.opt_in_source.clone(),
            attributes,
        }
    }
}

/// What a line does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    Create(ContactState),
    /// The contact's fields after the line, and the names of those that change (`name`,
    /// `language`, `opted_in`, `opted_in_at`, `opt_in_source`, `opted_out_at`,
    /// `attributes.<key>`).
    Update {
        state: ContactState,
        fields: Vec<String>,
    },
    Unchanged,
    Refused(Problem),
}

/// Decides a line against the contact of its number, if there is one. An empty cell
/// leaves a field as it is; opting in a contact who opted out needs an opt-in time after
/// the opt-out, so an old list never overrides a customer's STOP.
pub fn plan(line: &CheckedLine, existing: Option<&ContactState>, now: DateTime<Utc>) -> Plan {
    let before = existing.cloned().unwrap_or_default();
    let mut after = before.clone();
    if let Some(name) = &line.name {
        after.name = Some(name.clone());
    }
    if let Some(language) = &line.language {
        after.language = Some(language.clone());
    }
    if let Some(at) = line.opted_in_at {
        after.opted_in_at = Some(at);
    }
    if let Some(source) = &line.opt_in_source {
        after.opt_in_source = Some(source.clone());
    }
    match line.opted_in {
        Some(true) => {
            if let Some(out) = before.opted_out_at {
                if line.opted_in_at.is_none_or(|at| at <= out) {
                    return Plan::Refused(Problem::new(
                        Refusal::OptedOutSince,
                        Some(column::OPTED_IN),
                        format!(
                            "the contact opted out at {}; give an opted_in_at after it to opt them back in",
                            out.to_rfc3339()
                        ),
                    ));
                }
                after.opted_out_at = None;
                after.marketing_opted_out_at = None;
            }
        }
        Some(false) => {
            after.opted_out_at = line.opted_out_at.or(before.opted_out_at).or(Some(now));
        }
        None => {}
    }
    for (key, value) in &line.attributes {
        after.attributes.insert(key.clone(), value.clone());
    }
    if existing.is_none() {
        return Plan::Create(after);
    }
    let fields = changed(&before, &after);
    if fields.is_empty() {
        Plan::Unchanged
    } else {
        Plan::Update {
            state: after,
            fields,
        }
    }
}

fn changed(before: &ContactState, after: &ContactState) -> Vec<String> {
    let mut fields: Vec<String> = [
        (column::NAME, before.name != after.name),
        (column::LANGUAGE, before.language != after.language),
        (
            column::OPTED_IN,
            before.opted_out_at.is_some() != after.opted_out_at.is_some(),
        ),
        (column::OPTED_IN_AT, before.opted_in_at != after.opted_in_at),
        (
            column::OPT_IN_SOURCE,
            before.opt_in_source != after.opt_in_source,
        ),
        (
            column::OPTED_OUT_AT,
            before.opted_out_at.is_some()
                && after.opted_out_at.is_some()
                && before.opted_out_at != after.opted_out_at,
        ),
    ]
    .into_iter()
    .filter(|(_, differs)| *differs)
    .map(|(field, _)| field.to_owned())
    .collect();
    fields.extend(
        after
            .attributes
            .iter()
            .filter(|(key, value)| before.attributes.get(*key) != Some(*value))
            .map(|(key, _)| format!("{}{key}", column::ATTRIBUTE_PREFIX)),
    );
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PhoneNumber;

    fn line() -> CheckedLine {
        CheckedLine {
            phone: PhoneNumber::parse("+34600000001").unwrap(),
            name: None,
            language: None,
            opted_in: None,
            opted_in_at: None,
            opt_in_source: None,
            opted_out_at: None,
            attributes: BTreeMap::new(),
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_new_number_is_created_opted_out_when_the_line_says_so() {
        let now = at("2026-12-07T10:00:00Z");
        let mut out = line();
        out.opted_in = Some(false);
        match plan(&out, None, now) {
            Plan::Create(state) => assert_eq!(state.opted_out_at, Some(now)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn empty_cells_leave_fields_and_equal_ones_change_nothing() {
        let existing = ContactState {
            name: Some("Ana".into()),
            ..ContactState::default()
        };
        let mut same = line();
        same.name = Some("Ana".into());
        assert_eq!(plan(&same, Some(&existing), Utc::now()), Plan::Unchanged);
        assert_eq!(plan(&line(), Some(&existing), Utc::now()), Plan::Unchanged);
        let mut renamed = line();
        renamed.name = Some("Ana B".into());
        renamed.attributes.insert("tier".into(), "gold".into());
        match plan(&renamed, Some(&existing), Utc::now()) {
            Plan::Update { fields, state } => {
                assert_eq!(fields, vec!["name", "attributes.tier"]);
                assert_eq!(state.name.as_deref(), Some("Ana B"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_opt_in_older_than_the_opt_out_is_refused() {
        let existing = ContactState {
            opted_out_at: Some(at("2026-12-01T00:00:00Z")),
            marketing_opted_out_at: Some(at("2026-11-01T00:00:00Z")),
            ..ContactState::default()
        };
        let mut back = line();
        back.opted_in = Some(true);
        assert!(matches!(
            plan(&back, Some(&existing), Utc::now()),
            Plan::Refused(Problem {
                reason: Refusal::OptedOutSince,
                ..
            })
        ));
        back.opted_in_at = Some(at("2026-12-02T00:00:00Z"));
        match plan(&back, Some(&existing), Utc::now()) {
            Plan::Update { state, fields } => {
                assert_eq!(state.opted_out_at, None);
                assert_eq!(state.marketing_opted_out_at, None);
                assert_eq!(fields, vec!["opted_in", "opted_in_at"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
