//! `GET /2010-04-01/Accounts/{AC}/Messages.json`: the list resource, filtered by `To`,
//! `From` and `DateSent` (`DateSent<` on or before, `DateSent>` on or after; a date means
//! the whole day in GMT, a date-time the instant), newest first, paged with `PageSize`,
//! `Page` and `PageToken`, and `next_page_uri` as a path on the API host.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};

use super::api::{authenticate, error};
use super::messages::message_json;
use super::state::FakeMessage;
use super::Shared;

/// A bound on `date_sent`.
#[derive(Clone, Copy)]
enum Bound {
    /// The whole GMT day.
    Day(NaiveDate),
    Instant(DateTime<Utc>),
}

impl Bound {
    fn parse(raw: &str) -> Option<Self> {
        if let Ok(day) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            return Some(Bound::Day(day));
        }
        DateTime::parse_from_rfc3339(raw)
            .ok()
            .map(|t| Bound::Instant(t.with_timezone(&Utc)))
    }

    /// The first and last instant the bound covers.
    fn span(self) -> (DateTime<Utc>, DateTime<Utc>) {
        match self {
            Bound::Day(day) => {
                let start = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
                (
                    start,
                    start + chrono::Duration::days(1) - chrono::Duration::nanoseconds(1),
                )
            }
            Bound::Instant(t) => (t, t),
        }
    }
}

struct Filter {
    to: Option<String>,
    from: Option<String>,
    on: Option<Bound>,
    before: Option<Bound>,
    after: Option<Bound>,
}

impl Filter {
    fn keeps(&self, m: &FakeMessage) -> bool {
        if self
            .to
            .as_ref()
            .is_some_and(|to| *to != format!("whatsapp:{}", m.to))
        {
            return false;
        }
        if self
            .from
            .as_ref()
            .is_some_and(|from| *from != format!("whatsapp:{}", m.from))
        {
            return false;
        }
        if self.on.is_none() && self.before.is_none() && self.after.is_none() {
            return true;
        }
        // A message not yet sent has no `date_sent`, so no date filter keeps it.
        let Some(sent) = m.date_sent else {
            return false;
        };
        let sent = sent.with_timezone(&Utc);
        let whole_seconds =
            sent - chrono::Duration::nanoseconds(i64::from(sent.timestamp_subsec_nanos()));
        if let Some(on) = self.on {
            let (first, last) = on.span();
            if whole_seconds < first || whole_seconds > last {
                return false;
            }
        }
        if self.before.is_some_and(|b| whole_seconds > b.span().1) {
            return false;
        }
        if self.after.is_some_and(|a| whole_seconds < a.span().0) {
            return false;
        }
        true
    }
}

pub(crate) async fn list_messages(
    State(shared): State<Arc<Shared>>,
    Path(account): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let account_sid = match authenticate(&shared, &headers, Some(&account)) {
        Ok(sid) => sid,
        Err(response) => return response.into_response(),
    };
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(query.as_deref().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let mut bounds = [None, None, None];
    for (i, name) in ["DateSent", "DateSent<", "DateSent>"].iter().enumerate() {
        if let Some(raw) = get(name) {
            match Bound::parse(&raw) {
                Some(b) => bounds[i] = Some(b),
                None => return error(400, 20001, &format!("Invalid {name}: {raw}")),
            }
        }
    }
    let page_size = match get("PageSize").map(|v| v.parse::<usize>()) {
        None => 50,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => return error(400, 20001, "PageSize must be between 1 and 1000"),
    };
    let page = match get("Page").map(|v| v.parse::<usize>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return error(400, 20001, "Invalid Page"),
    };
    let filter = Filter {
        to: get("To"),
        from: get("From"),
        on: bounds[0],
        before: bounds[1],
        after: bounds[2],
    };
    let mut kept: Vec<FakeMessage> = shared
        .lock()
        .messages
        .values()
        .filter(|m| m.account_sid == account_sid && filter.keeps(m))
        .cloned()
        .collect();
    kept.sort_by_key(|m| std::cmp::Reverse((m.date_sent, m.created_at)));
    let start = page * page_size;
    let items: Vec<Value> = kept
        .iter()
        .skip(start)
        .take(page_size)
        .map(message_json)
        .collect();
    let filters: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| ["To", "From", "DateSent", "DateSent<", "DateSent>"].contains(&k.as_str()))
        .cloned()
        .collect();
    let uri = |p: usize| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(&filters);
        query.append_pair("PageSize", &page_size.to_string());
        query.append_pair("Page", &p.to_string());
        if p > 0 {
            query.append_pair(
                "PageToken",
                &format!("PASM{}", start + page_size * (p - page)),
            );
        }
        format!(
            "/2010-04-01/Accounts/{account_sid}/Messages.json?{}",
            query.finish()
        )
    };
    let more = kept.len() > start + page_size;
    let end = (start + items.len()).saturating_sub(1);
    Json(json!({
        "messages": items,
        "start": start,
        "end": end,
        "page": page,
        "page_size": page_size,
        "uri": uri(page),
        "first_page_uri": uri(0),
        "next_page_uri": more.then(|| uri(page + 1)),
        "previous_page_uri": (page > 0).then(|| uri(page - 1)),
    }))
    .into_response()
}
