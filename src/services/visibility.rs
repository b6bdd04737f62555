//! Who sees what: owners and admins see every conversation; an agent sees the conversations
//! of the queues they belong to and those assigned to them, and only those conversations'
//! messages. A conversation or message the caller may not see answers NOT_FOUND, as
//! another tenant's does. Every use case that takes a conversation or a message id goes
//! through [`conversation`] or [`message`]; lists apply the same rule in the store's SQL.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;

use crate::domain::records::{ConversationRecord, MessageRecord};
use crate::domain::{ConversationId, MessageId, Role, TenantId, UserId, Visibility};
use crate::error::AppError;
use crate::services::auth::{Access, Level};
use crate::store::{Store, TenantScope};

/// How long a subscription trusts the queue memberships it read, for changes made on
/// another instance (changes made on this one are seen at the next event).
pub const MEMBERSHIP_REFRESH: Duration = Duration::from_secs(5);

/// What the caller of `access` may see in its tenant: one query for an agent's queues.
pub async fn of<C: ConnectionTrait, L: Level>(
    scope: &TenantScope<'_, C>,
    access: &Access<L>,
) -> Result<Visibility, AppError> {
    read(scope, access.role(), access.user_id()).await
}

async fn read<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    role: Role,
    user: Option<UserId>,
) -> Result<Visibility, AppError> {
    if Visibility::sees_all(role) {
        return Ok(Visibility::All);
    }
    let queues = match user {
        Some(user) => scope.queues().of_member(user).await?,
        None => Vec::new(),
    };
    Ok(Visibility::Agent { user, queues })
}

/// The conversation `id`, when `visibility` sees it; NOT_FOUND otherwise.
pub async fn conversation<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    visibility: &Visibility,
    id: ConversationId,
) -> Result<ConversationRecord, AppError> {
    Ok(scope.conversations().get_visible(visibility, id).await?)
}

/// The message `id`, when `visibility` sees its conversation; NOT_FOUND otherwise.
pub async fn message<C: ConnectionTrait>(
    scope: &TenantScope<'_, C>,
    visibility: &Visibility,
    id: MessageId,
) -> Result<MessageRecord, AppError> {
    Ok(scope.messages().get_visible(visibility, id).await?)
}

/// Counts changes to queue memberships made on this instance, so a subscription knows
/// when the memberships it read are out of date.
#[derive(Clone, Default)]
pub struct Memberships(Arc<AtomicU64>);

impl Memberships {
    /// Call after a change to a queue's members has committed.
    pub fn changed(&self) {
        self.0.fetch_add(1, Ordering::Release);
    }

    fn version(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}

#[derive(Clone)]
pub struct VisibilityService {
    store: Store,
    memberships: Memberships,
}

impl VisibilityService {
    pub fn new(store: Store, memberships: Memberships) -> Self {
        Self { store, memberships }
    }

    /// What the caller of `access` may see in its tenant.
    pub async fn of<L: Level>(&self, access: &Access<L>) -> Result<Visibility, AppError> {
        of(&self.store.tenant(access.tenant()), access).await
    }

    /// A caller's visibility that follows their queue memberships over a subscription's
    /// life.
    pub async fn watch<L: Level>(&self, access: &Access<L>) -> Result<Watch, AppError> {
        let version = self.memberships.version();
        let current = self.of(access).await?;
        Ok(Watch {
            store: self.store.clone(),
            memberships: self.memberships.clone(),
            tenant: access.tenant(),
            role: access.role(),
            user: access.user_id(),
            current,
            version,
            read_at: Instant::now(),
        })
    }
}

/// A subscription's view of what its caller may see, read again when a membership changed
/// on this instance or after [`MEMBERSHIP_REFRESH`].
pub struct Watch {
    store: Store,
    memberships: Memberships,
    tenant: TenantId,
    role: Role,
    user: Option<UserId>,
    current: Visibility,
    version: u64,
    read_at: Instant,
}

impl Watch {
    /// The visibility as last read.
    pub fn now(&self) -> &Visibility {
        &self.current
    }

    /// The caller's visibility now.
    pub async fn current(&mut self) -> Result<&Visibility, AppError> {
        let stale = self.memberships.version() != self.version
            || self.read_at.elapsed() >= MEMBERSHIP_REFRESH;
        if stale && self.current != Visibility::All {
            self.version = self.memberships.version();
            self.read_at = Instant::now();
            // Boxed: rare, and its future is large; inline it would size the state of
            // every idle subscriber holding this watch.
            let store = self.store.tenant(self.tenant);
            self.current = Box::pin(read(&store, self.role, self.user)).await?;
        }
        Ok(&self.current)
    }
}
