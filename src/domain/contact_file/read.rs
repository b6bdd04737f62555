//! Reading a contacts document into lines of named cells: a CSV with a header row, or a
//! JSON array of objects shaped as `exportContacts` writes them. Bounded before parsing.

use serde_json::Value;

use super::{column, FileFormat, MAX_BYTES, MAX_LINES};

/// A document that cannot be read at all, with the 1-based line (or JSON item) at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct FileError {
    pub line: usize,
    pub message: String,
}

fn fail(line: usize, message: impl Into<String>) -> FileError {
    FileError {
        line,
        message: message.into(),
    }
}

/// One line (or JSON item): its cells by column, or why they could not be told apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawLine {
    /// The 1-based line of a CSV (the header is line 1), or the JSON item's position.
    pub line: usize,
    pub cells: Result<Vec<(String, String)>, String>,
}

/// Reads a document; blank lines are skipped.
pub fn read(text: &str, format: FileFormat) -> Result<Vec<RawLine>, FileError> {
    if text.len() > MAX_BYTES {
        return Err(fail(1, format!("the document is over {MAX_BYTES} bytes")));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format {
        FileFormat::Csv => read_csv(text),
        FileFormat::Json => read_json(text),
    }
}

/// A header's column name as the import knows it: trimmed, lower case, spaces and dashes
/// as `_` (`Opted In` is `opted_in`), phone aliases as `phone`.
fn column_name(raw: &str) -> String {
    let name = raw.trim().to_lowercase().replace([' ', '-'], "_");
    if column::PHONE_ALIASES.contains(&name.as_str()) {
        column::PHONE.to_owned()
    } else {
        name
    }
}

fn read_csv(text: &str) -> Result<Vec<RawLine>, FileError> {
    // One line ending, so that a line is what a `\n` ends.
    let text = text.replace("\r\n", "\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut lines_at = LineCounter::new(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(1, |p| lines_at.line(p.byte()));
            fail(line, format!("unreadable CSV: {e}"))
        })?;
        let line = record.position().map_or(1, |p| lines_at.line(p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let Some(columns) = &header else {
            header = Some(read_header(&record)?);
            continue;
        };
        if lines.len() == MAX_LINES {
            return Err(fail(line, format!("more than {MAX_LINES} contacts")));
        }
        let cells = if record.len() == columns.len() {
            Ok(columns
                .iter()
                .zip(record.iter())
                .map(|(c, v)| (c.clone(), v.to_owned()))
                .collect())
        } else {
            Err(format!(
                "{} fields where the header has {}",
                record.len(),
                columns.len()
            ))
        };
        lines.push(RawLine { line, cells });
    }
    if header.is_none() {
        return Err(fail(
            1,
            "the CSV is empty; its first row must name the columns",
        ));
    }
    Ok(lines)
}

/// The line a record starts on. The reader gives the byte where it began reading a record,
/// before the blank lines it skips; the record starts after them. Offsets only grow, so
/// the count goes on from the last one.
struct LineCounter<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            at: 0,
            line: 1,
        }
    }

    fn line(&mut self, byte: u64) -> usize {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while self.text.get(start) == Some(&b'\n') {
            start += 1;
        }
        if start >= self.at {
            self.line += self.text[self.at..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.at = start;
        }
        self.line
    }
}

fn read_header(record: &csv::StringRecord) -> Result<Vec<String>, FileError> {
    let columns: Vec<String> = record.iter().map(column_name).collect();
    if let Some(blank) = columns.iter().position(String::is_empty) {
        return Err(fail(1, format!("column {} has no name", blank + 1)));
    }
    for (i, name) in columns.iter().enumerate() {
        if columns[..i].contains(name) {
            return Err(fail(1, format!("the column {name:?} is named twice")));
        }
    }
    if !columns.iter().any(|c| c == column::PHONE) {
        return Err(fail(1, "no phone column (name one `phone`)"));
    }
    Ok(columns)
}

/// The JSON keys an export writes, by the CSV column they stand for.
const JSON_KEYS: [(&str, &str); 6] = [
    ("phoneNumber", column::PHONE),
    ("name", column::NAME),
    ("language", column::LANGUAGE),
    ("optedInAt", column::OPTED_IN_AT),
    ("optInSource", column::OPT_IN_SOURCE),
    ("optedOutAt", column::OPTED_OUT_AT),
];

/// The JSON keys an export writes that an import leaves alone.
const JSON_READ_ONLY: [&str; 7] = [
    "id",
    "waId",
    "profileName",
    "marketingOptedOutAt",
    "lastInboundAt",
    "createdAt",
    "updatedAt",
];

fn read_json(text: &str) -> Result<Vec<RawLine>, FileError> {
    let document: Value =
        serde_json::from_str(text).map_err(|e| fail(e.line(), format!("unreadable JSON: {e}")))?;
    let Value::Array(items) = document else {
        return Err(fail(1, "the JSON must be an array of contacts"));
    };
    if items.len() > MAX_LINES {
        return Err(fail(
            MAX_LINES + 1,
            format!("more than {MAX_LINES} contacts"),
        ));
    }
    Ok(items
        .iter()
        .enumerate()
        .map(|(i, item)| RawLine {
            line: i + 1,
            cells: json_cells(item),
        })
        .collect())
}

/// A JSON value as a cell: text as it is, numbers and booleans written out, null empty.
fn cell(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(_) | Value::Object(_) => None,
    }
}

fn json_cells(item: &Value) -> Result<Vec<(String, String)>, String> {
    let Value::Object(fields) = item else {
        return Err("each contact must be an object".to_owned());
    };
    let mut cells = Vec::with_capacity(fields.len());
    for (key, value) in fields {
        if JSON_READ_ONLY.contains(&key.as_str()) {
            continue;
        }
        if key == "optedIn" {
            let text = cell(value).ok_or("optedIn must be true or false")?;
            cells.push((column::OPTED_IN.to_owned(), text));
        } else if key == "attributes" {
            let Value::Object(values) = value else {
                return Err("attributes must be an object of values by key".to_owned());
            };
            for (attribute, value) in values {
                let text =
                    cell(value).ok_or_else(|| format!("attributes.{attribute} must be a value"))?;
                cells.push((format!("{}{attribute}", column::ATTRIBUTE_PREFIX), text));
            }
        } else if let Some((_, column)) = JSON_KEYS.iter().find(|(k, _)| k == key) {
            let text = cell(value).ok_or_else(|| format!("{key} must be a value"))?;
            cells.push(((*column).to_owned(), text));
        } else {
            return Err(format!("unknown key {key:?}"));
        }
    }
    if !cells.iter().any(|(c, _)| c == column::PHONE) {
        cells.push((column::PHONE.to_owned(), String::new()));
    }
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_keep_their_line_numbers_and_blank_lines_are_skipped() {
        let text = "\u{feff}Phone Number,Name\r\n+34600000001,\"Ana, \"\"A\"\"\"\r\n\r\n+34600000002,\"two\nlines\"\n+34600000003\n";
        let lines = read(text, FileFormat::Csv).unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].line, 2);
        assert_eq!(
            lines[0].cells.as_ref().unwrap()[1],
            ("name".to_owned(), "Ana, \"A\"".to_owned())
        );
        assert_eq!(lines[1].line, 4);
        assert_eq!(lines[2].line, 6);
        assert!(lines[2].cells.is_err());
    }

    #[test]
    fn a_header_needs_a_phone_column_and_distinct_names() {
        assert!(read("name\nAna\n", FileFormat::Csv)
            .unwrap_err()
            .message
            .contains("phone"));
        assert_eq!(read("", FileFormat::Csv).unwrap_err().line, 1);
        assert!(read("phone,name,NAME\n", FileFormat::Csv).is_err());
        assert!(read("phone,,x\n", FileFormat::Csv).is_err());
    }

    #[test]
    fn documents_are_bounded_before_parsing() {
        let big = "x".repeat(MAX_BYTES + 1);
        assert!(read(&big, FileFormat::Csv).is_err());
        let many = format!("phone\n{}", "+34600000001\n".repeat(MAX_LINES + 1));
        assert!(read(&many, FileFormat::Csv)
            .unwrap_err()
            .message
            .contains("more than"));
    }

    #[test]
    fn json_items_read_as_the_csv_columns() {
        let text = r#"[{"id":"x","phoneNumber":"+34600000001","optedIn":false,"attributes":{"tier":"gold","n":4}},{"phoneNumber":"+1","nope":1},3]"#;
        let lines = read(text, FileFormat::Json).unwrap();
        let first = lines[0].cells.as_ref().unwrap();
        assert!(first.contains(&("opted_in".to_owned(), "false".to_owned())));
        assert!(first.contains(&("attributes.tier".to_owned(), "gold".to_owned())));
        assert!(first.contains(&("attributes.n".to_owned(), "4".to_owned())));
        assert!(!first.iter().any(|(c, _)| c == "id"));
        assert!(lines[1].cells.is_err());
        assert!(lines[2].cells.is_err());
        assert!(read("{}", FileFormat::Json).is_err());
    }
}
