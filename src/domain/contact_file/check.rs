//! Checking each line's cells: the number, name, language, consent and attribute values,
//! every problem of a line named with its column; and a number given twice.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};

use super::{column, Problem, RawLine, Refusal, NAME_MAX, SOURCE_MAX};
use crate::domain::contact_attribute::parse_value;
use crate::domain::free_text::{self, Lines};
use crate::domain::language_tag::LanguageTag;
use crate::domain::records::ContactAttributeRecord;
use crate::domain::PhoneNumber;

/// A line whose every cell is usable. An empty cell is `None` (or absent): it leaves the
/// contact's field as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedLine {
    pub phone: PhoneNumber,
    pub name: Option<String>,
    pub language: Option<LanguageTag>,
    pub opted_in: Option<bool>,
    pub opted_in_at: Option<DateTime<Utc>>,
    pub opt_in_source: Option<String>,
    pub opted_out_at: Option<DateTime<Utc>>,
    /// Values by attribute key, in their canonical form.
    pub attributes: BTreeMap<String, String>,
}

/// A line as checked: usable, or refused with every reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineCheck {
    pub line: usize,
    /// The number as E.164 when it reads as one, otherwise as given.
    pub phone: Option<String>,
    pub result: Result<CheckedLine, Vec<Problem>>,
}

/// Checks every line against the tenant's attributes; a number already on an earlier
/// line is refused as a duplicate.
pub fn check_lines(lines: Vec<RawLine>, attributes: &[ContactAttributeRecord]) -> Vec<LineCheck> {
    let mut seen: HashMap<PhoneNumber, usize> = HashMap::new();
    lines
        .into_iter()
        .map(|raw| {
            let mut checked = check_line(&raw, attributes);
            if let Ok(line) = &checked.result {
                if let Some(first) = seen.get(&line.phone) {
                    let problem = Problem::new(
                        Refusal::Duplicate,
                        Some(column::PHONE),
                        format!("the number is on line {first} too"),
                    );
                    checked.result = Err(vec![problem]);
                } else {
                    seen.insert(line.phone.clone(), raw.line);
                }
            }
            checked
        })
        .collect()
}

fn check_line(raw: &RawLine, attributes: &[ContactAttributeRecord]) -> LineCheck {
    let cells = match &raw.cells {
        Ok(cells) => cells,
        Err(why) => {
            return LineCheck {
                line: raw.line,
                phone: None,
                result: Err(vec![Problem::new(Refusal::Malformed, None, why)]),
            }
        }
    };
    let mut problems = Vec::new();
    let given = |name: &str| -> Option<String> {
        cells
            .iter()
            .find(|(c, _)| c == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let phone_text = given(column::PHONE);
    let name = given(column::NAME);
    let language = given(column::LANGUAGE);
    let opted_in = given(column::OPTED_IN);
    let opted_in_at = given(column::OPTED_IN_AT);
    let source = given(column::OPT_IN_SOURCE);
    let opted_out_at = given(column::OPTED_OUT_AT);

    let phone = match phone_text.as_deref().map(PhoneNumber::parse) {
        Some(Ok(phone)) => Some(phone),
        Some(Err(e)) => {
            problems.push(Problem::new(Refusal::InvalidPhone, Some(column::PHONE), e));
            None
        }
        None => {
            problems.push(Problem::new(
                Refusal::InvalidPhone,
                Some(column::PHONE),
                "the number is missing",
            ));
            None
        }
    };
    if let Some(name) = &name {
        if let Err(e) = free_text::check(name, NAME_MAX, Lines::One) {
            problems.push(Problem::new(Refusal::InvalidName, Some(column::NAME), e));
        }
    }
    let language = language.and_then(|l| match LanguageTag::parse(&l) {
        Ok(tag) => Some(tag),
        Err(e) => {
            problems.push(Problem::new(
                Refusal::InvalidLanguage,
                Some(column::LANGUAGE),
                e,
            ));
            None
        }
    });
    let opted_in = opted_in.and_then(|v| match v.to_ascii_lowercase().as_str() {
        "true" | "yes" => Some(true),
        "false" | "no" => Some(false),
        _ => {
            problems.push(Problem::new(
                Refusal::InvalidOptIn,
                Some(column::OPTED_IN),
                "must be true or false",
            ));
            None
        }
    });
    let mut time = |name: &str, value: Option<String>| {
        value.and_then(|v| match parse_time(&v) {
            Some(at) => Some(at),
            None => {
                problems.push(Problem::new(
                    Refusal::InvalidDate,
                    Some(name),
                    "must be a time such as 2026-12-01T09:30:00Z, or a date as YYYY-MM-DD",
                ));
                None
            }
        })
    };
    let opted_in_at = time(column::OPTED_IN_AT, opted_in_at);
    let opted_out_at = time(column::OPTED_OUT_AT, opted_out_at);
    if opted_out_at.is_some() && opted_in != Some(false) {
        problems.push(Problem::new(
            Refusal::InvalidOptIn,
            Some(column::OPTED_OUT_AT),
            "an opt-out time needs opted_in false",
        ));
    }
    if let Some(source) = &source {
        if let Err(e) = free_text::check(source, SOURCE_MAX, Lines::One) {
            problems.push(Problem::new(
                Refusal::InvalidOptIn,
                Some(column::OPT_IN_SOURCE),
                e,
            ));
        }
    }
    let attribute_values = check_attributes(cells, attributes, &mut problems);
    let shown = phone.as_ref().map(|p| p.as_str().to_owned()).or(phone_text);
    let result = match phone {
        Some(phone) if problems.is_empty() => Ok(CheckedLine {
            phone,
            name,
            language,
            opted_in,
            opted_in_at,
            opt_in_source: source,
            opted_out_at,
            attributes: attribute_values,
        }),
        _ => Err(problems),
    };
    LineCheck {
        line: raw.line,
        phone: shown,
        result,
    }
}

/// Every cell outside the known and read-only columns is an attribute's, by
/// `attributes.<key>` or the bare key.
fn check_attributes(
    cells: &[(String, String)],
    attributes: &[ContactAttributeRecord],
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, String> {
    let known = [
        column::PHONE,
        column::NAME,
        column::LANGUAGE,
        column::OPTED_IN,
        column::OPTED_IN_AT,
        column::OPT_IN_SOURCE,
        column::OPTED_OUT_AT,
    ];
    let mut values = BTreeMap::new();
    for (name, value) in cells {
        let value = value.trim();
        if value.is_empty()
            || known.contains(&name.as_str())
            || column::READ_ONLY.contains(&name.as_str())
        {
            continue;
        }
        let key = name.strip_prefix(column::ATTRIBUTE_PREFIX).unwrap_or(name);
        let Some(attribute) = attributes.iter().find(|a| a.key == key) else {
            problems.push(Problem::new(
                Refusal::UnknownAttribute,
                Some(name),
                format!("{key:?} is not one of the tenant's contact attributes"),
            ));
            continue;
        };
        match parse_value(attribute.kind, &attribute.choices, value) {
            Ok(value) => {
                values.insert(attribute.key.clone(), value);
            }
            Err(e) => problems.push(Problem::new(Refusal::InvalidAttribute, Some(name), e)),
        }
    }
    values
}

/// An RFC 3339 time, or a date as `YYYY-MM-DD` (its midnight, UTC).
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact_attribute::AttributeKind;
    use crate::domain::contact_file::{read, FileFormat};
    use crate::domain::ContactAttributeId;

    fn tier() -> ContactAttributeRecord {
        ContactAttributeRecord {
            id: ContactAttributeId::new(),
            key: "tier".into(),
            name: "Tier".into(),
            kind: AttributeKind::Choice,
            choices: vec!["gold".into(), "silver".into()],
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn checked(text: &str) -> Vec<LineCheck> {
        check_lines(read(text, FileFormat::Csv).unwrap(), &[tier()])
    }

    fn reasons(check: &LineCheck) -> Vec<Refusal> {
        check
            .result
            .as_ref()
            .err()
            .map(|p| p.iter().map(|p| p.reason).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_good_line_reads_into_values() {
        let lines = checked("phone,name,language,opted_in,opted_in_at,opt_in_source,attributes.tier\n+34 600 000 001, Ana ,pt_br,TRUE,2026-12-01,web form,gold\n");
        let line = lines[0].result.as_ref().unwrap();
        assert_eq!(line.phone.as_str(), "+34600000001");
        assert_eq!(line.name.as_deref(), Some("Ana"));
        assert_eq!(line.language.as_ref().unwrap().as_str(), "pt-BR");
        assert_eq!(line.opted_in, Some(true));
        assert_eq!(
            line.opted_in_at.unwrap().to_rfc3339(),
            "2026-12-01T00:00:00+00:00"
        );
        assert_eq!(line.attributes["tier"], "gold");
    }

    #[test]
    fn every_problem_of_a_line_is_named_with_its_column() {
        let lines = checked("phone,language,opted_in,opted_out_at,tier,shoe_size\n0034600,xx-yy-zz,maybe,yesterday,bronze,42\n");
        assert_eq!(
            reasons(&lines[0]),
            vec![
                Refusal::InvalidPhone,
                Refusal::InvalidLanguage,
                Refusal::InvalidOptIn,
                Refusal::InvalidDate,
                Refusal::InvalidAttribute,
                Refusal::UnknownAttribute,
            ]
        );
        assert_eq!(lines[0].phone.as_deref(), Some("0034600"));
    }

    #[test]
    fn a_number_twice_is_refused_on_its_second_line() {
        let lines = checked("phone\n+34600000001\n+34 600 000 001\n");
        assert!(lines[0].result.is_ok());
        assert_eq!(reasons(&lines[1]), vec![Refusal::Duplicate]);
        let problems = lines[1].result.as_ref().unwrap_err();
        assert!(problems[0].message.contains("line 2"));
    }
}
