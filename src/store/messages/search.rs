//! Text search on SQLite, newest first: the FTS5 index is walked in rowid order, which is
//! message order to the millisecond (see the migration `message_search_order`), so a page of
//! a common term reads about a page of matches instead of every match.

use sea_orm::sea_query::{Alias, Condition, Expr, JoinType, Order, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Iterable};
use uuid::Uuid;

use super::Messages;
use crate::domain::records::message::MessageRecord;
use crate::domain::{Page, PageRequest};
use crate::store::entities::message;
use crate::store::StoreError;

/// Bits of a search rowid below the millisecond of the message's id (as the migration).
const SLOT_BITS: u32 = 20;

/// An FTS5 string is a phrase: its trigrams in a row, so a substring.
pub(super) fn phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// The millisecond of a UUIDv7: its first 48 bits.
fn millis(id: Uuid) -> i64 {
    let bytes = id.as_bytes();
    let mut be = [0u8; 8];
    be[2..].copy_from_slice(&bytes[..6]);
    i64::from_be_bytes(be)
}

/// The first search rowid of the millisecond of `id`.
fn first_slot(id: Uuid) -> i64 {
    millis(id) << SLOT_BITS
}

/// The first search rowid past the millisecond of `id`.
fn past_slots(id: Uuid) -> i64 {
    (millis(id) + 1) << SLOT_BITS
}

/// Id bounds of the search (the list's date filters, already widened), as rowid bounds.
pub(super) struct Bounds {
    pub from: Option<Uuid>,
    pub to: Option<Uuid>,
}

/// A half-open range of search rowids.
#[derive(Clone, Copy)]
struct Slots {
    from: Option<i64>,
    to: Option<i64>,
}

impl Slots {
    fn narrowed(self, from: i64, to: i64) -> Self {
        Self {
            from: Some(self.from.map_or(from, |f| f.max(from))),
            to: Some(self.to.map_or(to, |t| t.min(to))),
        }
    }
}

impl<C: ConnectionTrait> Messages<'_, C> {
    /// A page of the messages containing `term` (at least a trigram long) under `filters`,
    /// newest first.
    pub(super) async fn search_newest(
        &self,
        term: &str,
        mut filters: Condition,
        page: PageRequest,
        bounds: Bounds,
    ) -> Result<Page<MessageRecord>, StoreError> {
        let mut slots = Slots {
            from: bounds.from.map(first_slot),
            to: bounds.to.map(past_slots),
        };
        if let Some(after) = page.after {
            filters = filters.add(message::Column::Id.lt(after));
            slots = slots.narrowed(i64::MIN, past_slots(after));
        }
        let wanted = page.first + 1;
        let mut rows = self.matching(term, &filters, slots, Some(wanted)).await?;
        // Within a millisecond the walk takes matches in the order they were stored: when
        // the page ends inside one, all of that millisecond's matches are read, and the page
        // is ordered by id.
        if let Some(last) = rows.last().filter(|_| rows.len() as u64 == wanted) {
            let millisecond = slots.narrowed(first_slot(last.id), past_slots(last.id));
            let rest = self.matching(term, &filters, millisecond, None).await?;
            rows.extend(rest);
        }
        rows.sort_unstable_by_key(|row| std::cmp::Reverse(row.id));
        rows.dedup_by_key(|row| row.id);
        Page::from_fetched(rows, page.first).try_map(MessageRecord::try_from)
    }

    /// The messages containing `term` under `filters` within `slots`, newest slot first.
    async fn matching(
        &self,
        term: &str,
        filters: &Condition,
        slots: Slots,
        limit: Option<u64>,
    ) -> Result<Vec<message::Model>, StoreError> {
        let statement = self.walk(term, filters, slots, limit);
        let builder = self.db.get_database_backend();
        Ok(message::Entity::find()
            .from_raw_sql(builder.build(&statement))
            .all(self.db)
            .await?)
    }

    /// `CROSS JOIN` keeps SQLite's join order: the index first, in rowid order, then each
    /// match's key by its rowid and its message by its primary key.
    fn walk(
        &self,
        term: &str,
        filters: &Condition,
        slots: Slots,
        limit: Option<u64>,
    ) -> SelectStatement {
        let index = Alias::new("message_search");
        let keys = Alias::new("message_search_keys");
        let rowid = || Expr::col((index.clone(), Alias::new("rowid")));
        let mut query = Query::select();
        query
            .columns(message::Column::iter().map(|column| (message::Entity, column)))
            .from(index.clone())
            .join(
                JoinType::CrossJoin,
                keys.clone(),
                Expr::col((keys.clone(), Alias::new("search_rowid")))
                    .equals((index.clone(), Alias::new("rowid"))),
            )
            .join(
                JoinType::CrossJoin,
                message::Entity,
                Condition::all()
                    .add(
                        Expr::col((message::Entity, message::Column::TenantId))
                            .equals((keys.clone(), Alias::new("tenant_id"))),
                    )
                    .add(
                        Expr::col((message::Entity, message::Column::Id))
                            .equals((keys, Alias::new("message_id"))),
                    ),
            )
            .and_where(Expr::cust_with_values(
                "\"message_search\" MATCH ?",
                [phrase(term)],
            ))
            .and_where(
                Expr::expr(Expr::cust("+\"message_search_keys\".\"tenant_id\""))
                    .eq(self.tenant.into_uuid()),
            )
            .cond_where(filters.clone())
            .order_by((index.clone(), Alias::new("rowid")), Order::Desc);
        if let Some(from) = slots.from {
            query.and_where(rowid().gte(from));
        }
        if let Some(to) = slots.to {
            query.and_where(rowid().lt(to));
        }
        if let Some(limit) = limit {
            query.limit(limit);
        }
        query
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rowids_follow_message_ids_to_the_millisecond() {
        let earlier = Uuid::now_v7();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let later = Uuid::now_v7();
        assert!(past_slots(earlier) <= first_slot(later));
        assert_eq!(past_slots(earlier) - first_slot(earlier), 1 << SLOT_BITS);
        let millis_of_id = earlier.get_timestamp().unwrap().to_unix();
        let expected = millis_of_id.0 as i64 * 1000 + i64::from(millis_of_id.1 / 1_000_000);
        assert_eq!(millis(earlier), expected);
    }
}
