//! Visibility in SQL: the conditions that keep an agent's lists and lookups to the
//! conversations they may see, so pages stay full and cursors stay right.

use sea_orm::sea_query::{Condition, Expr, Query};
use sea_orm::{ColumnTrait, IdenStatic};

use super::entities::{conversation, message};
use crate::domain::{TenantId, Visibility};

/// The conversations `visibility` sees, as a condition on the conversations table; none
/// when it sees all.
pub(super) fn conversations(visibility: &Visibility) -> Option<Condition> {
    let Visibility::Agent { user, queues } = visibility else {
        return None;
    };
    let mut any = Condition::any();
    if !queues.is_empty() {
        any = any.add(conversation::Column::QueueId.is_in(queues.iter().map(|q| q.into_uuid())));
    }
    if let Some(user) = user {
        any = any.add(conversation::Column::AssigneeId.eq(user.into_uuid()));
    }
    if any.is_empty() {
        // No queue and no user: nothing.
        any = any.add(Expr::val(1).eq(0));
    }
    Some(any)
}

/// The messages of the conversations `visibility` sees, as a condition on the messages
/// table; none when it sees all. A message outside any conversation (a campaign's, a
/// template to a number with no open conversation) is seen only by those who see all.
/// `off_index` keeps SQLite from leading with the conversation index (see `messages::list`):
/// the set of conversations is read once and each row of the ordered walk checked in it.
pub(super) fn messages(
    tenant: TenantId,
    visibility: &Visibility,
    off_index: bool,
) -> Option<Condition> {
    let seen = conversations(visibility)?;
    let ids = Query::select()
        .column(conversation::Column::Id)
        .from(conversation::Entity)
        .and_where(conversation::Column::TenantId.eq(tenant.into_uuid()))
        .cond_where(seen)
        .to_owned();
    let column = if off_index {
        Expr::expr(Expr::cust(format!(
            "+\"{}\"",
            message::Column::ConversationId.as_str()
        )))
    } else {
        Expr::col((message::Entity, message::Column::ConversationId))
    };
    Some(Condition::all().add(column.in_subquery(ids)))
}
