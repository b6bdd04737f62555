//! Agent presence in the API: members set their own status; owners and admins see every
//! member's presence and load, and follow changes live with `presenceEvents`. An agent
//! reads only their own, through `me { presence }` or `agent(userId:)` with their own id.

use async_graphql::{Context, Enum, Object, ID};
use chrono::{DateTime, Utc};

use super::errors::GqlResult;
use super::guards::viewer;
use super::types::{parse_id, User};
use crate::domain::records::PresenceRecord;
use crate::domain::{TenantId, UserId};
use crate::services::Services;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "PresenceStatus",
    remote = "crate::domain::presence::PresenceStatus"
)]
pub enum PresenceStatusGql {
    /// Working: automatic assignment offers them conversations.
    Online,
    /// Connected but not taking new conversations.
    Away,
    /// Not working. Every member starts here, and ONLINE or AWAY becomes OFFLINE once the
    /// member has had no open subscription socket for the grace period.
    Offline,
}

/// A member of the tenant as an agent: their presence and load.
pub struct AgentPresence(pub PresenceRecord, pub TenantId);

#[Object(name = "Agent")]
impl AgentPresence {
    async fn user_id(&self) -> ID {
        ID(self.0.user.to_string())
    }
    async fn user(&self, ctx: &Context<'_>) -> GqlResult<User> {
        let state = ctx.data_unchecked::<Services>();
        Ok(state.directory.user_in(self.1, self.0.user).await?.into())
    }
    async fn status(&self) -> PresenceStatusGql {
        self.0.status.into()
    }
    /// When the status last changed; null for a member who never set one.
    async fn since(&self) -> Option<DateTime<Utc>> {
        self.0.since
    }
    /// Conversations assigned to them and not resolved.
    async fn open_conversations(&self) -> i32 {
        i32::try_from(self.0.open_conversations).unwrap_or(i32::MAX)
    }
}

#[derive(Default)]
pub struct PresenceQuery;

#[Object]
impl PresenceQuery {
    /// Every active member of the tenant with their presence and load (owners and admins;
    /// an agent reads their own with `me { presence }`).
    async fn agents(&self, ctx: &Context<'_>) -> GqlResult<Vec<AgentPresence>> {
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let list = state.presence.agents(&access).await?;
        Ok(list
            .into_iter()
            .map(|a| AgentPresence(a, access.tenant()))
            .collect())
    }

    /// One member's presence. Owners and admins name anyone in the tenant (another
    /// tenant's member answers NOT_FOUND); an agent only themselves (FORBIDDEN otherwise).
    async fn agent(&self, ctx: &Context<'_>, user_id: ID) -> GqlResult<Option<AgentPresence>> {
        let user: UserId = parse_id("userId", &user_id)?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let agent = state.presence.agent(&access, user).await?;
        Ok(Some(AgentPresence(agent, access.tenant())))
    }
}

#[derive(Default)]
pub struct PresenceMutation;

#[Object]
impl PresenceMutation {
    /// Sets the signed-in member's own presence (any role; an API key has none:
    /// FORBIDDEN). Setting the status one already has keeps its `since`.
    async fn set_presence(
        &self,
        ctx: &Context<'_>,
        status: PresenceStatusGql,
    ) -> GqlResult<AgentPresence> {
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let agent = state.presence.set(&access, status.into()).await?;
        Ok(AgentPresence(agent, access.tenant()))
    }
}
