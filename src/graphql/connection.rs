//! Relay connections with opaque cursors over time-ordered ids.

use async_graphql::connection::{Connection, Edge};
use async_graphql::OutputType;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use uuid::Uuid;

use crate::domain::{Page, PageRequest};
use crate::error::AppError;

pub const DEFAULT_PAGE: u64 = 20;
pub const MAX_PAGE: u64 = 100;

/// A cursor names its kind so that one list's cursor is refused by another.
pub fn encode_cursor(kind: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

pub fn decode_cursor(kind: &str, cursor: &str) -> Result<Uuid, AppError> {
    let bad = || AppError::bad_input("after", "is not a cursor of this list");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (k, id) = text.split_once(':').ok_or_else(bad)?;
    if k != kind {
        return Err(bad());
    }
    Uuid::parse_str(id).map_err(|_| bad())
}

/// The cursor of an event log position.
pub fn encode_event_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("evt:{seq}"))
}

/// The event log position of an event cursor.
pub fn decode_event_cursor(cursor: &str) -> Result<i64, AppError> {
    let bad = || AppError::bad_input("after", "is not an event cursor");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let seq = text.strip_prefix("evt:").ok_or_else(bad)?;
    seq.parse::<i64>().ok().filter(|s| *s >= 0).ok_or_else(bad)
}

pub fn page_request(
    kind: &str,
    first: Option<i32>,
    after: Option<String>,
) -> Result<PageRequest, AppError> {
    let first = match first {
        None => DEFAULT_PAGE,
        Some(n) if (1..=MAX_PAGE as i32).contains(&n) => n as u64,
        Some(_) => {
            return Err(AppError::bad_input(
                "first",
                format!("must be between 1 and {MAX_PAGE}"),
            ))
        }
    };
    let after = after.map(|c| decode_cursor(kind, &c)).transpose()?;
    Ok(PageRequest { first, after })
}

/// The complexity of a connection field: what one item selects, times the items asked for
/// (the default page when `first` is absent, the largest page when it is out of range, which
/// is refused anyway), plus the field itself.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let items = match first {
        Some(n) if (1..=MAX_PAGE as i32).contains(&n) => n as usize,
        Some(_) => MAX_PAGE as usize,
        None => DEFAULT_PAGE as usize,
    };
    items.saturating_mul(child_complexity).saturating_add(1)
}

/// Builds a connection from a page, with each node's cursor taken from its id.
pub fn connection<R, N: OutputType>(
    kind: &str,
    page: Page<R>,
    has_previous: bool,
    id_of: impl Fn(&R) -> Uuid,
    node: impl Fn(R) -> N,
) -> Connection<String, N> {
    let mut conn = Connection::new(has_previous, page.has_next);
    conn.edges.extend(
        page.items
            .into_iter()
            .map(|r| Edge::new(encode_cursor(kind, id_of(&r)), node(r))),
    );
    conn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_name_their_kind() {
        let id = Uuid::now_v7();
        let cursor = encode_cursor("tenant", id);
        assert_eq!(decode_cursor("tenant", &cursor).unwrap(), id);
        assert!(decode_cursor("user", &cursor).is_err());
        assert!(decode_cursor("tenant", "not-a-cursor").is_err());
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert_eq!(page_request("t", None, None).unwrap().first, DEFAULT_PAGE);
        assert!(page_request("t", Some(0), None).is_err());
        assert!(page_request("t", Some(101), None).is_err());
    }
}
