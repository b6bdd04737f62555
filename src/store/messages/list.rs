//! A page of a tenant's messages under a filter, bounded by the time in their UUIDv7 ids.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Condition, Expr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, IdenStatic, QueryFilter, QueryOrder, QuerySelect,
};

use super::search;
use super::Messages;
use crate::domain::records::message::{MessageFilter, MessageOrder, MessageRecord};
use crate::domain::{Page, PageRequest, Visibility};
use crate::store::entities::message;
use crate::store::StoreError;

/// How far a message's `created_at` may lie from the time in its UUIDv7 id. Both are taken
/// in the same call when a message is stored; the slack only keeps the id bound safe.
const ID_CLOCK_SLACK: chrono::Duration = chrono::Duration::minutes(1);

/// The smallest UUIDv7 of the millisecond `at`: every id minted at or after `at` sorts at
/// or above it, bytewise, as both databases compare uuids.
pub(super) fn id_floor(at: DateTime<Utc>) -> uuid::Uuid {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    uuid::Uuid::from_bytes(bytes)
}

impl<C: ConnectionTrait> Messages<'_, C> {
    /// Only the messages of conversations `visibility` sees are listed.
    pub async fn list(
        &self,
        visibility: &Visibility,
        filter: &MessageFilter,
        order: MessageOrder,
        page: PageRequest,
    ) -> Result<Page<MessageRecord>, StoreError> {
        // The narrowest equality filter leads the scan: conversation, contact, channel (with
        // status or direction, whose composite indexes it has), status, direction. PostgreSQL
        // chooses from its statistics; SQLite plans without any and would as soon walk the
        // two-valued `direction` index as a conversation's, so there the wider filters are
        // kept off the indexes with a unary `+`
        // (https://sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_).
        let sqlite = self.db.get_database_backend() == DbBackend::Sqlite;
        let narrow = filter.conversation.is_some() || filter.contact.is_some();
        let mut filters =
            Condition::all().add(message::Column::TenantId.eq(self.tenant.into_uuid()));
        // Visibility is a wide filter: on SQLite it never leads the scan.
        if let Some(seen) = crate::store::visibility::messages(self.tenant, visibility, sqlite) {
            filters = filters.add(seen);
        }
        let eq = |column: message::Column, value: sea_orm::Value, off_index: bool| {
            if sqlite && off_index {
                Expr::expr(Expr::cust(format!("+\"messages\".\"{}\"", column.as_str()))).eq(value)
            } else {
                column.eq(value)
            }
        };
        if let Some(conversation) = filter.conversation {
            filters = filters.add(eq(
                message::Column::ConversationId,
                conversation.into_uuid().into(),
                false,
            ));
        }
        if let Some(contact) = filter.contact {
            filters = filters.add(eq(
                message::Column::ContactId,
                contact.into_uuid().into(),
                filter.conversation.is_some(),
            ));
        }
        if let Some(channel) = filter.channel {
            filters = filters.add(eq(
                message::Column::ChannelId,
                channel.into_uuid().into(),
                narrow,
            ));
        }
        if let Some(status) = filter.status {
            filters = filters.add(eq(message::Column::Status, status.as_str().into(), narrow));
        }
        if let Some(direction) = filter.direction {
            filters = filters.add(eq(
                message::Column::Direction,
                direction.as_str().into(),
                narrow || (filter.status.is_some() && filter.channel.is_none()),
            ));
        }
        if let Some(only) = &filter.only {
            filters = filters.add(message::Column::Id.is_in(only.iter().map(|id| id.into_uuid())));
        }
        // Ids are UUIDv7 minted with the row's `created_at`, so a date bound is also an id
        // bound (widened by `ID_CLOCK_SLACK`): every history index ends with `id`, and the
        // scan stays inside the range instead of walking from the newest message.
        let from = filter.from.map(|from| id_floor(from - ID_CLOCK_SLACK));
        let to = filter.to.map(|to| id_floor(to + ID_CLOCK_SLACK));
        if let Some(from) = filter.from {
            filters = filters.add(message::Column::CreatedAt.gte(from));
        }
        if let Some(to) = filter.to {
            filters = filters.add(message::Column::CreatedAt.lt(to));
        }
        if let Some(from) = from {
            filters = filters.add(message::Column::Id.gte(from));
        }
        if let Some(to) = to {
            filters = filters.add(message::Column::Id.lt(to));
        }
        let text = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        // The text index (see the migration `message_search`) yields the messages that contain
        // the term; the other filters and the page order apply to those. On SQLite the newest
        // page is read from the index in that order (see `search`).
        if let Some(term) = text {
            if sqlite && order == MessageOrder::Newest && term.chars().count() >= TRIGRAM {
                let bounds = search::Bounds { from, to };
                return self.search_newest(term, filters, page, bounds).await;
            }
            filters = filters.add(self.containing(term, sqlite));
        }
        let query = self.scoped().filter(filters);
        let query = match order {
            MessageOrder::Newest => {
                let q = query.order_by_desc(message::Column::Id);
                match page.after {
                    Some(after) => q.filter(message::Column::Id.lt(after)),
                    None => q,
                }
            }
            MessageOrder::Oldest => {
                let q = query.order_by_asc(message::Column::Id);
                match page.after {
                    Some(after) => q.filter(message::Column::Id.gt(after)),
                    None => q,
                }
            }
            MessageOrder::Changes => {
                let q = query.order_by_asc(message::Column::Revision);
                match page.after {
                    Some(after) => q.filter(message::Column::Revision.gt(after)),
                    None => q,
                }
            }
        };
        let rows = query.limit(page.first + 1).all(self.db).await?;
        Page::from_fetched(rows, page.first).try_map(MessageRecord::try_from)
    }
}

impl<C: ConnectionTrait> Messages<'_, C> {
    /// The messages of this tenant whose text contains `term`, in any case.
    fn containing(&self, term: &str, sqlite: bool) -> SimpleExpr {
        if term.chars().count() < TRIGRAM {
            // No trigram to look up: the term is checked on the rows the other filters'
            // index yields, in page order, and the scan stops once the page is full.
            // `strpos`/`instr` rather than LIKE: no wildcards to escape, and PostgreSQL,
            // having no statistics for the expression, keeps the ordered index walk
            // instead of sorting a scan of the whole table.
            return if sqlite {
                Expr::cust_with_values("instr(lower(\"messages\".\"text\"), lower(?)) > 0", [term])
            } else {
                Expr::cust_with_values(
                    "strpos(lower(\"messages\".\"text\" COLLATE \"und-x-icu\"), \
                     lower(CAST($1 AS text) COLLATE \"und-x-icu\")) > 0",
                    [term],
                )
            };
        }
        if sqlite {
            let phrase = search::phrase(term);
            let matching = Query::select()
                .column(Alias::new("rowid"))
                .from(Alias::new("message_search"))
                .and_where(Expr::cust_with_values("message_search MATCH ?", [phrase]))
                .to_owned();
            let keys = Query::select()
                .column(Alias::new("message_id"))
                .from(Alias::new("message_search_keys"))
                // Off the tenant's index: each match's key is read by its rowid instead of
                // the tenant's keys being walked whole.
                .and_where(Expr::expr(Expr::cust("+\"tenant_id\"")).eq(self.tenant.into_uuid()))
                .and_where(Expr::col(Alias::new("search_rowid")).in_subquery(matching))
                .to_owned();
            Expr::col((message::Entity, message::Column::Id)).in_subquery(keys)
        } else {
            // The same expression as the index `messages_by_text`, or it is not used.
            let pattern = format!("%{}%", escape_like(term));
            Expr::cust_with_values(
                "lower(\"messages\".\"text\" COLLATE \"und-x-icu\") \
                 LIKE lower(CAST($1 AS text) COLLATE \"und-x-icu\")",
                [pattern],
            )
        }
    }
}

/// The length of the character sequences both databases index text by.
pub(super) const TRIGRAM: usize = 3;

/// `term` as a LIKE pattern that matches only itself (PostgreSQL's escape is `\\`).
fn escape_like(term: &str) -> String {
    let mut escaped = String::with_capacity(term.len());
    for c in term.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_floor_sorts_below_every_id_of_its_millisecond_and_above_earlier_ones() {
        let id = uuid::Uuid::now_v7();
        let (secs, nanos) = id.get_timestamp().unwrap().to_unix();
        let at = DateTime::<Utc>::from_timestamp(secs as i64, nanos).unwrap();
        assert!(id_floor(at) <= id);
        assert!(id_floor(at + chrono::Duration::milliseconds(1)) > id);
        assert!(id_floor(at - chrono::Duration::milliseconds(1)) < id);
    }

    #[test]
    fn a_like_pattern_matches_wildcards_literally() {
        assert_eq!(escape_like(r"50%_off\now"), r"50\%\_off\\now");
    }
}
