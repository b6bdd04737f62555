//! Live events over graphql-transport-ws. A subscriber sees only its tenant's events, of
//! the conversations it may see when the event happens, filtered as it asks; one that falls
//! behind the bus's bounded buffer gets an error telling it to catch up with
//! `messages(after:)`, and its subscription ends.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Context, Enum, Object, Subscription, ID};
use futures::stream::{self, BoxStream, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use super::campaigns::Campaign;
use super::conversations::Conversation;
use super::errors::coded;
use super::guards::viewer;
use super::messages::Message;
use super::presence::AgentPresence;
use super::types::parse_id;
use crate::domain::campaign::CampaignState;
use crate::domain::records::CampaignCounts;
use crate::domain::{CampaignId, ChannelId, ConversationId, TenantId, UserId, Visibility};
use crate::error::ErrorCode;
use crate::services::auth::{Admin, Agent};
use crate::services::events::log::{self, ResumeError};
use crate::services::events::{Event, EventBus, Logged};
use crate::services::visibility::Watch;
use crate::services::Services;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::services::events::MessageEventKind")]
pub enum MessageEventKind {
    Received,
    Sent,
    StatusChanged,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::services::events::ConversationEventKind")]
pub enum ConversationEventKind {
    Opened,
    /// Routing placed the new conversation in its queue: read its `routing`.
    Routed,
    Assigned,
    Unassigned,
    Transferred,
    Snoozed,
    Resumed,
    Resolved,
    Reopened,
    NoteAdded,
}

pub struct MessageEvent {
    kind: MessageEventKind,
    cursor: String,
    message: Message,
}

#[Object]
impl MessageEvent {
    async fn kind(&self) -> MessageEventKind {
        self.kind
    }
    /// This event's place in the event log. After a reconnect, pass it to
    /// `messageEvents(after:)` to receive what was missed, or to `messages(after:)` to fetch
    /// the messages created or changed since.
    async fn cursor(&self) -> &str {
        &self.cursor
    }
    async fn message(&self) -> &Message {
        &self.message
    }
}

pub struct ConversationEvent {
    kind: ConversationEventKind,
    cursor: String,
    conversation: Conversation,
}

#[Object]
impl ConversationEvent {
    async fn kind(&self) -> ConversationEventKind {
        self.kind
    }
    /// Pass to `conversationEvents(after:)` after a reconnect to receive what was missed.
    async fn cursor(&self) -> &str {
        &self.cursor
    }
    async fn conversation(&self) -> &Conversation {
        &self.conversation
    }
}

pub(crate) const BEHIND: &str =
    "this subscriber fell behind; reconnect and fetch what you missed with messages(after:)";
const EXPIRED: &str = "this cursor is older than the event log keeps; fetch the current state and subscribe without it";

/// Set in a request that renders an outgoing webhook's payload: the subscription answers
/// this one event (none when the document is only being checked) and ends, seen as its
/// tenant sees it.
#[derive(Clone)]
pub struct Replay(pub Option<Arc<Event>>);

/// Whether this request renders a webhook's payload rather than subscribing.
pub(crate) fn replaying(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Replay>().is_some()
}

/// The events of one tenant that `pick` keeps, after the log position `after` when given.
/// With a `watch`, `pick` is given what the subscriber may see when the event arrives;
/// without one, all. When rendering a webhook's payload, the one event replayed (at
/// position 0: it is not read from the log).
pub(crate) fn events<T: Send + 'static>(
    ctx: &Context<'_>,
    tenant: TenantId,
    watch: Option<Watch>,
    after: Option<i64>,
    pick: impl Fn(i64, &Event, &Visibility) -> Option<T> + Send + Sync + 'static,
) -> BoxStream<'static, async_graphql::Result<T>> {
    if let Some(Replay(event)) = ctx.data_opt::<Replay>() {
        let item = event
            .as_ref()
            .filter(|e| e.tenant() == tenant)
            .and_then(|e| pick(0, e, &Visibility::All));
        return stream::iter(item.map(Ok)).boxed();
    }
    live(
        &ctx.data_unchecked::<Services>().events,
        tenant,
        watch,
        after,
        pick,
    )
    .boxed()
}

/// Where a subscriber stands: the live receiver, subscribed before anything is read from
/// the log so nothing falls between the two, and the log position it has read to.
struct Reader {
    receiver: tokio::sync::broadcast::Receiver<Arc<Logged>>,
    watch: Option<Watch>,
    /// The last position handed on (or skipped as another tenant's or not picked).
    last: i64,
    /// Read from the log up to `last` but not handed on yet.
    backlog: VecDeque<Logged>,
    /// Reading the log rather than the receiver: after a cursor, or after falling behind.
    catching_up: bool,
}

/// The events of one tenant that `pick` keeps: first those after `after` from the log,
/// then live ones, each once, in log order. A subscriber that falls behind the bus's buffer
/// catches up from the log; one whose cursor is older than the log keeps is told so.
fn live<T: Send + 'static>(
    bus: &EventBus,
    tenant: TenantId,
    watch: Option<Watch>,
    after: Option<i64>,
    pick: impl Fn(i64, &Event, &Visibility) -> Option<T> + Send + Sync + 'static,
) -> impl Stream<Item = async_graphql::Result<T>> {
    let receiver = bus.subscribe();
    let tail = bus.tail().cloned();
    let start = tail.as_ref().map_or(0, |t| t.position());
    let reader = Reader {
        receiver,
        watch,
        last: after.unwrap_or(start),
        backlog: VecDeque::new(),
        catching_up: after.is_some(),
    };
    let pick = Arc::new(pick);
    stream::unfold(Some(reader), move |state| {
        let (pick, tail) = (pick.clone(), tail.clone());
        async move {
            let mut r = state?;
            loop {
                let logged = if let Some(logged) = r.backlog.pop_front() {
                    Arc::new(logged)
                } else if r.catching_up {
                    let Some(tail) = tail.as_ref() else {
                        return Some((Err(coded(ErrorCode::RateLimited, BEHIND)), None));
                    };
                    // Boxed: a read of the log is rare, and its future is large; inline it
                    // would size every idle subscriber's state.
                    match Box::pin(log::backlog(tail.store(), tenant, r.last)).await {
                        Ok((events, to)) => {
                            r.catching_up = to > r.last;
                            r.last = to;
                            r.backlog.extend(events);
                            continue;
                        }
                        Err(ResumeError::Expired) => {
                            return Some((Err(coded(ErrorCode::BadUserInput, EXPIRED)), None))
                        }
                        Err(ResumeError::Store(e)) => return Some((Err(to_error(e.into())), None)),
                    }
                } else {
                    match r.receiver.recv().await {
                        Ok(logged) if logged.seq > r.last => {
                            r.last = logged.seq;
                            if logged.event.tenant() != tenant {
                                continue;
                            }
                            logged
                        }
                        Ok(_) => continue,
                        Err(RecvError::Lagged(missed)) => {
                            tracing::debug!(tenant.id = %tenant, missed, "a subscriber fell behind; catching up from the event log");
                            r.catching_up = true;
                            continue;
                        }
                        Err(RecvError::Closed) => return None,
                    }
                };
                let seen = match r.watch.as_mut() {
                    Some(watch) => match watch.current().await {
                        Ok(seen) => seen,
                        Err(e) => return Some((Err(to_error(e)), None)),
                    },
                    None => &Visibility::All,
                };
                if let Some(item) = pick(logged.seq, &logged.event, seen) {
                    return Some((Ok(item), Some(r)));
                }
            }
        }
    })
}

/// Parses a subscription's `after` cursor.
fn after_cursor(after: Option<&str>) -> async_graphql::Result<Option<i64>> {
    after
        .map(super::connection::decode_event_cursor)
        .transpose()
        .map_err(to_error)
}

#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription(name = "EventSubscription")]
impl SubscriptionRoot {
    /// Messages received, sent and changing status, optionally for one channel, queue or
    /// conversation. With `after` (an event's `cursor`), the events since that one come
    /// first, then live ones: a subscriber that reconnects with its last cursor misses
    /// nothing and sees nothing twice. A cursor older than the event log keeps
    /// (`SWITCHBOARD_EVENT_RETENTION_HOURS`) answers BAD_USER_INPUT.
    async fn message_events(
        &self,
        ctx: &Context<'_>,
        channel_id: Option<ID>,
        queue_id: Option<ID>,
        conversation_id: Option<ID>,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<MessageEvent>>> {
        let after = after_cursor(after.as_deref())?;
        let access = viewer(ctx)
            .and_then(|v| v.access::<Agent>())
            .map_err(to_error)?;
        let tenant = access.tenant();
        let channel: Option<ChannelId> = channel_id
            .as_ref()
            .map(|id| parse_id("channelId", id))
            .transpose()
            .map_err(to_error)?;
        let queue: Option<crate::domain::QueueId> = queue_id
            .as_ref()
            .map(|id| parse_id("queueId", id))
            .transpose()
            .map_err(to_error)?;
        let conversation: Option<ConversationId> = conversation_id
            .as_ref()
            .map(|id| parse_id("conversationId", id))
            .transpose()
            .map_err(to_error)?;
        let state = ctx.data_unchecked::<Services>();
        let watch = if replaying(ctx) {
            None
        } else {
            // The reads before subscribing are boxed: the library keeps this resolver's
            // state beside the stream it answers, for as long as the subscription lives.
            let watch = Box::pin(state.visibility.watch(&access))
                .await
                .map_err(to_error)?;
            if let Some(id) = conversation {
                Box::pin(state.conversations.conversation(tenant, watch.now(), id))
                    .await
                    .map_err(to_error)?;
            }
            Some(watch)
        };
        Ok(events(
            ctx,
            tenant,
            watch,
            after,
            move |seq, event, seen| match event {
                Event::Message {
                    kind,
                    message,
                    queue: q,
                    assignee,
                    ..
                } => {
                    let wanted = seen.sees_message(message.conversation.is_some(), *q, *assignee)
                        && channel.is_none_or(|c| c == message.channel)
                        && conversation.is_none_or(|c| Some(c) == message.conversation)
                        && queue.is_none_or(|wanted| Some(wanted) == *q);
                    wanted.then(|| MessageEvent {
                        kind: (*kind).into(),
                        cursor: super::connection::encode_event_cursor(seq),
                        message: Message((**message).clone(), tenant),
                    })
                }
                _ => None,
            },
        ))
    }

    /// Every change in conversations' lives (opened, assigned, transferred, snoozed,
    /// resolved, …), optionally in one queue (the queue after the change). With `after` (an
    /// event's `cursor`), the events since that one come first, as for `messageEvents`.
    async fn conversation_events(
        &self,
        ctx: &Context<'_>,
        queue_id: Option<ID>,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<ConversationEvent>>> {
        let after = after_cursor(after.as_deref())?;
        let access = viewer(ctx)
            .and_then(|v| v.access::<Agent>())
            .map_err(to_error)?;
        let tenant = access.tenant();
        let queue: Option<crate::domain::QueueId> = queue_id
            .as_ref()
            .map(|id| parse_id("queueId", id))
            .transpose()
            .map_err(to_error)?;
        let state = ctx.data_unchecked::<Services>();
        let watch = if replaying(ctx) {
            None
        } else {
            // Boxed, as in `message_events`.
            let watch = Box::pin(state.visibility.watch(&access)).await;
            Some(watch.map_err(to_error)?)
        };
        Ok(events(
            ctx,
            tenant,
            watch,
            after,
            move |seq, event, seen| match event {
                Event::Conversation {
                    kind, conversation, ..
                } if queue.is_none_or(|q| Some(q) == conversation.queue)
                    && seen.sees_conversation(conversation) =>
                {
                    Some(ConversationEvent {
                        kind: (*kind).into(),
                        cursor: super::connection::encode_event_cursor(seq),
                        conversation: Conversation(conversation.clone(), tenant),
                    })
                }
                _ => None,
            },
        ))
    }

    /// Members' presence as it changes (owners and admins): status, since and load,
    /// optionally of one member (another tenant's answers NOT_FOUND).
    async fn presence_events(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<AgentPresence>>> {
        let access = viewer(ctx)
            .and_then(|v| v.access::<Admin>())
            .map_err(to_error)?;
        let user: Option<UserId> = user_id
            .as_ref()
            .map(|id| parse_id("userId", id))
            .transpose()
            .map_err(to_error)?;
        let state = ctx.data_unchecked::<Services>();
        if let Some(user) = user {
            // Boxed, as in `message_events`.
            Box::pin(state.presence.check_member(&access, user))
                .await
                .map_err(to_error)?;
        }
        let tenant = access.tenant();
        Ok(events(
            ctx,
            tenant,
            None,
            None,
            move |_, event, _| match event {
                Event::Presence { presence, .. } if user.is_none_or(|u| u == presence.user) => {
                    Some(AgentPresence(presence.clone(), tenant))
                }
                _ => None,
            },
        ))
    }

    /// A campaign as its counters change (at most a few times a second), ending once it is
    /// COMPLETED or CANCELLED. The first item is its state at subscribe time.
    async fn campaign_progress(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Campaign>>> {
        let tenant = viewer(ctx)
            .and_then(|v| v.access::<Admin>().map(|a| a.tenant()))
            .map_err(to_error)?;
        let id: CampaignId = parse_id("id", &id).map_err(to_error)?;
        let state = ctx.data_unchecked::<Services>().clone();
        let first = state.campaigns.get_in(tenant, id).await.map_err(to_error)?;
        let progress = Progress {
            receiver: state.events.subscribe(),
            state,
            tenant,
            channel: first.channel,
            id,
            last: None,
            done: false,
        };
        Ok(stream::unfold(progress, |mut p| async move {
            let item = p.next().await?;
            Some((item, p))
        }))
    }
}

/// The state behind `campaignProgress`: wakes on the tenant's outbound message events on
/// the campaign's channel, or every second, and answers when the campaign changed.
struct Progress {
    receiver: tokio::sync::broadcast::Receiver<Arc<Logged>>,
    state: Services,
    tenant: TenantId,
    channel: ChannelId,
    id: CampaignId,
    last: Option<(CampaignState, Option<String>, CampaignCounts)>,
    done: bool,
}

/// How long changes are gathered before counting again.
const PROGRESS_COALESCE: Duration = Duration::from_millis(200);
const PROGRESS_TICK: Duration = Duration::from_secs(1);

impl Progress {
    async fn next(&mut self) -> Option<async_graphql::Result<Campaign>> {
        loop {
            if self.done {
                return None;
            }
            if self.last.is_some() {
                self.wait().await?;
            }
            let campaigns = &self.state.campaigns;
            let loaded = match campaigns.get_in(self.tenant, self.id).await {
                Ok(c) => campaigns.counts(self.tenant, self.id).await.map(|n| (c, n)),
                Err(e) => Err(e),
            };
            let (campaign, counts) = match loaded {
                Ok(found) => found,
                Err(e) => {
                    self.done = true;
                    return Some(Err(to_error(e)));
                }
            };
            let snapshot = (campaign.state, campaign.state_reason.clone(), counts);
            if self.last.as_ref() == Some(&snapshot) {
                continue;
            }
            self.done = campaign.state.is_final() && snapshot.2.queued == 0;
            self.last = Some(snapshot);
            return Some(Ok(Campaign(campaign, self.tenant)));
        }
    }

    /// Until something may have changed; `None` when the bus closed.
    async fn wait(&mut self) -> Option<()> {
        let deadline = tokio::time::sleep(PROGRESS_TICK);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                () = &mut deadline => return Some(()),
                event = self.receiver.recv() => match event {
                    Ok(event) => {
                        let relevant = matches!(&event.event, Event::Message { tenant, message, .. }
                            if *tenant == self.tenant
                                && message.channel == self.channel
                                && message.direction == crate::domain::Direction::Outbound);
                        if relevant {
                            tokio::time::sleep(PROGRESS_COALESCE).await;
                            return Some(());
                        }
                    }
                    // Counts come from the database, so missed events cost nothing.
                    Err(RecvError::Lagged(_)) => return Some(()),
                    Err(RecvError::Closed) => return None,
                },
            }
        }
    }
}

pub(crate) fn to_error(err: crate::error::AppError) -> async_graphql::Error {
    async_graphql::Error::from(super::errors::GqlError::from(err))
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::*;
    use crate::domain::records::ConversationRecord;
    use crate::domain::{ChannelId, ContactId};
    use crate::services::events::Committed;
    use crate::services::events::ConversationEventKind as ConvKind;

    fn opened(tenant: TenantId) -> Event {
        let now = chrono::Utc::now();
        Event::Conversation {
            tenant,
            kind: ConvKind::Opened,
            conversation: ConversationRecord {
                id: ConversationId::new(),
                channel: ChannelId::new(),
                contact: ContactId::new(),
                status: crate::domain::ConversationStatus::Open,
                queue: None,
                assignee: None,
                last_inbound_at: None,
                window_expires_at: None,
                last_message_at: now,
                opened_at: now,
                snoozed_until: None,
                waiting_since: Some(now),
                resolved_at: None,
                routing: None,
                updated_at: now,
            },
        }
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_without_a_log_is_told_and_closed() {
        let bus = EventBus::new(2);
        let tenant = TenantId::new();
        let stream = live(&bus, tenant, None, None, |_, e, _| Some(e.tenant()));
        futures::pin_mut!(stream);
        bus.publish(Committed::numbered(
            (0..5).map(|_| opened(tenant)).collect(),
        ));
        let first = stream.next().await.unwrap();
        let err = first.expect_err("the lag is reported");
        assert!(err.message.contains("fell behind"));
        assert!(stream.next().await.is_none());
    }

    #[tokio::test]
    async fn other_tenants_events_are_skipped() {
        let bus = EventBus::new(16);
        let mine = TenantId::new();
        let stream = live(&bus, mine, None, None, |_, e, _| Some(e.tenant()));
        futures::pin_mut!(stream);
        bus.publish(Committed::numbered(vec![
            opened(TenantId::new()),
            opened(mine),
        ]));
        assert_eq!(stream.next().await.unwrap().unwrap(), mine);
    }
}
