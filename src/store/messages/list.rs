//! A page of a tenant's messages under a filter, bounded by the time in their UUIDv7 ids.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, IdenStatic, QueryFilter, QueryOrder, QuerySelect,
};

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
fn id_floor(at: DateTime<Utc>) -> uuid::Uuid {
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
        let mut query = self.scoped();
        // The narrowest equality filter leads the scan: conversation, contact, channel (with
        // status or direction, whose composite indexes it has), status, direction. PostgreSQL
        // chooses from its statistics; SQLite plans without any and would as soon walk the
        // two-valued `direction` index as a conversation's, so there the wider filters are
        // kept off the indexes with a unary `+`
        // (https://sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_).
        let sqlite = self.db.get_database_backend() == DbBackend::Sqlite;
        let narrow = filter.conversation.is_some() || filter.contact.is_some();
        // Visibility is a wide filter: on SQLite it never leads the scan.
        if let Some(seen) = crate::store::visibility::messages(self.tenant, visibility, sqlite) {
            query = query.filter(seen);
        }
        let eq = |column: message::Column, value: sea_orm::Value, off_index: bool| {
            if sqlite && off_index {
                Expr::expr(Expr::cust(format!("+\"{}\"", column.as_str()))).eq(value)
            } else {
                column.eq(value)
            }
        };
        if let Some(conversation) = filter.conversation {
            query = query.filter(eq(
                message::Column::ConversationId,
                conversation.into_uuid().into(),
                false,
            ));
        }
        if let Some(contact) = filter.contact {
            query = query.filter(eq(
                message::Column::ContactId,
                contact.into_uuid().into(),
                filter.conversation.is_some(),
            ));
        }
        if let Some(channel) = filter.channel {
            query = query.filter(eq(
                message::Column::ChannelId,
                channel.into_uuid().into(),
                narrow,
            ));
        }
        if let Some(status) = filter.status {
            query = query.filter(eq(message::Column::Status, status.as_str().into(), narrow));
        }
        if let Some(direction) = filter.direction {
            query = query.filter(eq(
                message::Column::Direction,
                direction.as_str().into(),
                narrow || (filter.status.is_some() && filter.channel.is_none()),
            ));
        }
        if let Some(only) = &filter.only {
            query = query.filter(message::Column::Id.is_in(only.iter().map(|id| id.into_uuid())));
        }
        // Ids are UUIDv7 minted with the row's `created_at`, so a date bound is also an id
        // bound (widened by `ID_CLOCK_SLACK`): every history index ends with `id`, and the
        // scan stays inside the range instead of walking from the newest message.
        if let Some(from) = filter.from {
            query = query
                .filter(message::Column::CreatedAt.gte(from))
                .filter(message::Column::Id.gte(id_floor(from - ID_CLOCK_SLACK)));
        }
        if let Some(to) = filter.to {
            query = query
                .filter(message::Column::CreatedAt.lt(to))
                .filter(message::Column::Id.lt(id_floor(to + ID_CLOCK_SLACK)));
        }
        // A contains-search cannot use a b-tree: it is checked on the rows the other filters'
        // index yields, in page order, and the scan stops once the page is full. Without
        // other filters it reads the tenant's history from the newest message until then.
        // `strpos`/`instr` rather than LIKE: no wildcards to escape, and PostgreSQL, which
        // has no statistics for the expression, estimates it as common and keeps the ordered
        // index walk instead of sorting a sequential scan of the whole table.
        if let Some(text) = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let position = Func::cust(Alias::new(if sqlite { "instr" } else { "strpos" }))
                .arg(Func::lower(Expr::col(message::Column::Text)))
                .arg(text.to_lowercase());
            query = query.filter(Expr::expr(position).gt(0));
        }
        query = match order {
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
        let page = Page::from_fetched(rows, page.first);
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(MessageRecord::try_from)
                .collect::<Result<_, _>>()?,
            has_next: page.has_next,
        })
    }
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
}
