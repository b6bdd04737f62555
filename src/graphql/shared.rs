//! Live subscriptions rendered once for every socket that asks the same of them. Dashboards
//! open the same subscription many times over (a wallboard per screen, a tab per agent's
//! window, an integration's pool of sockets): each event would otherwise be resolved and
//! serialised once per socket. Subscriptions of one caller (the same user or API key, at the
//! same role in the same tenant) with the same document, operation and variables see the
//! same events alike, so one [`Hub`] runs the subscription and hands the serialised response
//! to each of its [`Follower`]s.
//!
//! Only subscriptions that start live are shared: a cursor (`after`) replays the caller's
//! own backlog first, and `campaignProgress` answers its state at subscribe time first;
//! those run on their own. A follower that falls [`FOLLOWER_BUFFER`] responses behind is
//! cut off with the error a lagging subscriber gets, and resumes with its last cursor.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll};

use async_graphql::parser::types::{DocumentOperations, OperationType, Selection};
use async_graphql::{Data, Request, Response, ServerError};
use futures::channel::mpsc;
use futures::{Stream, StreamExt};

use super::errors::code_extension;
use super::subscriptions::BEHIND;
use super::AppSchema;
use crate::domain::{ApiKeyId, Role, TenantId, UserId};
use crate::error::ErrorCode;
use crate::services::auth::{Principal, Viewer};

/// The root fields a shared subscription may select.
const SHAREABLE: [&str; 3] = ["messageEvents", "conversationEvents", "presenceEvents"];
/// Their argument that replays a backlog first: a subscription with it is not shared.
const RESUME: &str = "after";

/// Documents longer than this run on their own: a dashboard's subscription is far shorter,
/// and the text is parsed here before the schema's bounds are checked.
const MAX_SHARED_QUERY: usize = 8 * 1024;

/// Responses a follower may have waiting before it is cut off; each is a pointer to the
/// one serialised response, allocated only while it waits.
pub const FOLLOWER_BUFFER: usize = 4096;

/// Who a subscription runs as: everything its answers may depend on.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Caller {
    User(UserId),
    Key(ApiKeyId),
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    tenant: TenantId,
    role: Role,
    caller: Caller,
    /// The `subscribe` message's payload, as the client wrote it.
    payload: Box<str>,
}

type Registry = Arc<Mutex<HashMap<Arc<Key>, Weak<Hub>>>>;

/// Documents whose shareability is remembered, at most; past that the memo starts afresh.
const KNOWN_DOCUMENTS: usize = 1024;

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The shared subscriptions of one server.
#[derive(Clone)]
pub struct SharedSubscriptions {
    schema: AppSchema,
    hubs: Registry,
    /// Whether each document seen lately can be shared.
    known: Arc<Mutex<HashMap<String, bool>>>,
}

impl SharedSubscriptions {
    pub fn new(schema: AppSchema) -> Self {
        Self {
            schema,
            hubs: Registry::default(),
            known: Arc::default(),
        }
    }

    /// The subscription `payload` (a graphql-transport-ws `subscribe` payload) asks for, as
    /// `viewer` sees it, joined to the hub of every subscriber that asks the same; `None`
    /// when it must run on its own.
    pub fn join(&self, viewer: &Viewer, payload: &str) -> Option<Follower> {
        let (tenant, caller) = match (&viewer.tenant, &viewer.principal) {
            (Some(tenant), Principal::User { id, .. }) => (*tenant, Caller::User(*id)),
            (Some(tenant), Principal::ApiKey { id, .. }) => (*tenant, Caller::Key(*id)),
            _ => return None,
        };
        let key = Key {
            tenant,
            role: viewer.role,
            caller,
            payload: payload.into(),
        };
        let (tx, follower) = follower();
        // Most subscribers ask what a hub already runs: nothing to parse.
        let running = locked(&self.hubs).get(&key).and_then(Weak::upgrade);
        if let Some(hub) = running {
            return Some(follower(hub.attach(tx)));
        }
        let request: Request = serde_json::from_str(payload).ok()?;
        if !self.shareable(&request) {
            return None;
        }
        let mut hubs = locked(&self.hubs);
        let hub = match hubs.get(&key).and_then(Weak::upgrade) {
            Some(hub) => hub.attach(tx),
            None => {
                let key = Arc::new(key);
                let hub = self.start(key.clone(), request, viewer.clone(), tx);
                hubs.insert(key, Arc::downgrade(&hub));
                hub
            }
        };
        drop(hubs);
        Some(follower(hub))
    }

    /// Whether `request` can be shared, remembered by its operation and text: a dashboard
    /// sends the same document many times over, with different variables at most.
    fn shareable(&self, request: &Request) -> bool {
        let name = request.operation_name.as_deref().unwrap_or_default();
        let text = format!("{name}\n{}", request.query);
        if let Some(known) = locked(&self.known).get(&text) {
            return *known;
        }
        let answer = shareable(request);
        let mut known = locked(&self.known);
        if known.len() >= KNOWN_DOCUMENTS {
            known.clear();
        }
        known.insert(text, answer);
        answer
    }

    /// Runs the subscription for its hub's followers, the first being `first`.
    fn start(&self, key: Arc<Key>, request: Request, viewer: Viewer, first: Tx) -> Arc<Hub> {
        let followers = Arc::new(Mutex::new(vec![first]));
        let mut data = Data::default();
        data.insert(viewer);
        let responses = self
            .schema
            .execute_stream_with_session_data(request, Arc::new(data));
        Arc::new_cyclic(|me: &Weak<Hub>| {
            let task = tokio::spawn(lead(
                responses,
                followers.clone(),
                self.hubs.clone(),
                key.clone(),
                me.clone(),
            ));
            crate::telemetry::metrics::shared_renderings_changed(1);
            Hub {
                key,
                followers,
                hubs: self.hubs.clone(),
                task: task.abort_handle(),
            }
        })
    }
}

/// A follower's two ends: the hub's and, once attached to its hub, the subscriber's.
fn follower() -> (Tx, impl FnOnce(Arc<Hub>) -> Follower) {
    let (sender, receiver) = mpsc::channel(FOLLOWER_BUFFER);
    let lagged = Arc::new(AtomicBool::new(false));
    let tx = Tx {
        sender,
        lagged: lagged.clone(),
    };
    (tx, move |hub| Follower {
        _hub: hub,
        receiver,
        lagged,
        done: false,
    })
}

/// Whether `request` is one subscription of [`SHAREABLE`] fields that starts live.
fn shareable(request: &Request) -> bool {
    if request.query.len() > MAX_SHARED_QUERY {
        return false;
    }
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let operation = match (&document.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), None) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op,
            None => return false,
        },
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => match ops.values().next() {
            Some(op) => op,
            None => return false,
        },
        _ => return false,
    };
    let operation = &operation.node;
    if operation.ty != OperationType::Subscription || !operation.directives.is_empty() {
        return false;
    }
    let items = &operation.selection_set.node.items;
    !items.is_empty()
        && items.iter().all(|item| match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                SHAREABLE.contains(&field.name.node.as_str())
                    && !field.arguments.iter().any(|(arg, _)| arg.node == RESUME)
            }
            _ => false,
        })
}

/// One follower's end of a hub.
struct Tx {
    sender: mpsc::Sender<Arc<str>>,
    lagged: Arc<AtomicBool>,
}

/// One running subscription and the followers it renders for; it ends when the last
/// follower leaves, or when its subscription ends.
struct Hub {
    key: Arc<Key>,
    followers: Arc<Mutex<Vec<Tx>>>,
    hubs: Registry,
    task: tokio::task::AbortHandle,
}

impl Hub {
    /// Adds a follower; answers the hub it follows.
    fn attach(self: Arc<Self>, tx: Tx) -> Arc<Self> {
        locked(&self.followers).push(tx);
        self
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.task.abort();
        crate::telemetry::metrics::shared_renderings_changed(-1);
        let mut hubs = locked(&self.hubs);
        // A hub for the same key may have started since this one's last follower left.
        if hubs.get(&self.key).is_some_and(|h| h.strong_count() == 0) {
            hubs.remove(&self.key);
        }
    }
}

/// Serialises each response of the subscription once and hands it to every follower; a
/// follower whose buffer is full is cut off.
async fn lead(
    mut responses: futures::stream::BoxStream<'static, Response>,
    followers: Arc<Mutex<Vec<Tx>>>,
    hubs: Registry,
    key: Arc<Key>,
    me: Weak<Hub>,
) {
    while let Some(response) = responses.next().await {
        let payload: Arc<str> = match serde_json::to_string(&response) {
            Ok(text) => text.into(),
            Err(e) => {
                tracing::error!(error = %e, "a subscription's response could not be serialised");
                continue;
            }
        };
        locked(&followers).retain_mut(|tx| match tx.sender.try_send(payload.clone()) {
            Ok(()) => true,
            Err(e) => {
                if e.is_full() {
                    tx.lagged.store(true, Ordering::Release);
                }
                false
            }
        });
    }
    // The subscription ended: no one joins any more, and each follower completes.
    {
        let mut hubs = locked(&hubs);
        if hubs.get(&key).is_some_and(|h| h.ptr_eq(&me)) {
            hubs.remove(&key);
        }
    }
    locked(&followers).clear();
}

/// One subscriber's stream of a hub's serialised responses (each a GraphQL response's
/// JSON), ending when the subscription ends; cut off for falling behind, its last is an
/// error saying so.
pub struct Follower {
    _hub: Arc<Hub>,
    receiver: mpsc::Receiver<Arc<str>>,
    lagged: Arc<AtomicBool>,
    done: bool,
}

impl Stream for Follower {
    type Item = Arc<str>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Arc<str>>> {
        if self.done {
            return Poll::Ready(None);
        }
        match self.receiver.poll_next_unpin(cx) {
            Poll::Ready(None) => {
                self.done = true;
                if self.lagged.load(Ordering::Acquire) {
                    Poll::Ready(Some(behind().into()))
                } else {
                    Poll::Ready(None)
                }
            }
            other => other,
        }
    }
}

/// The response a follower cut off for falling behind gets last.
fn behind() -> String {
    let mut error = ServerError::new(BEHIND, None);
    error.extensions = Some(code_extension(ErrorCode::RateLimited));
    let response = Response::from_errors(vec![error]);
    serde_json::to_string(&response).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str, operation: Option<&str>) -> Request {
        let mut request = Request::new(query);
        request.operation_name = operation.map(str::to_owned);
        request
    }

    #[test]
    fn only_live_event_subscriptions_are_shared() {
        let shared = |query: &str| shareable(&request(query, None));
        assert!(shared(
            "subscription { messageEvents { message { text } } }"
        ));
        assert!(shared(
            "subscription($c: ID) { a: messageEvents(channelId: $c) { kind } conversationEvents { kind } }"
        ));
        assert!(shared("subscription { presenceEvents { status } }"));
        // A cursor replays the caller's own backlog first; a campaign's answers its state.
        assert!(!shared(
            "subscription($a: String) { messageEvents(after: $a) { kind } }"
        ));
        assert!(!shared(
            "subscription { campaignProgress(id: \"x\") { id } }"
        ));
        assert!(!shared(
            "subscription { ...F } fragment F on EventSubscription { messageEvents { kind } }"
        ));
        assert!(!shared("query { messageEvents { kind } }"));
        assert!(!shared(
            "subscription @skip(if: true) { messageEvents { kind } }"
        ));
        assert!(!shared("subscription {"));
        let long = format!(
            "subscription {{ messageEvents {{ {} }} }}",
            "kind ".repeat(2000)
        );
        assert!(!shared(&long));
        // Of several operations, the one named.
        let two = "subscription A { messageEvents { kind } } subscription B { campaignProgress(id: \"x\") { id } }";
        assert!(shareable(&request(two, Some("A"))));
        assert!(!shareable(&request(two, Some("B"))));
        assert!(!shareable(&request(two, None)));
    }

    #[tokio::test]
    async fn a_follower_that_falls_behind_is_cut_off_with_an_error() {
        let hubs = Registry::default();
        let key = Key {
            tenant: TenantId::new(),
            role: Role::Owner,
            caller: Caller::User(UserId::new()),
            payload: "".into(),
        };
        let key = Arc::new(key);
        // Room for one response waiting, and three come.
        let (sender, receiver) = mpsc::channel(0);
        let lagged = Arc::new(AtomicBool::new(false));
        let (keeps_up, kept_up) = mpsc::channel(8);
        let followers = Arc::new(Mutex::new(vec![
            Tx {
                sender,
                lagged: lagged.clone(),
            },
            Tx {
                sender: keeps_up,
                lagged: Arc::new(AtomicBool::new(false)),
            },
        ]));
        let responses =
            futures::stream::iter((0..3).map(|i| Response::new(async_graphql::Value::from(i))))
                .boxed();
        lead(
            responses,
            followers.clone(),
            hubs.clone(),
            key.clone(),
            Weak::new(),
        )
        .await;
        let hub = Arc::new(Hub {
            key,
            followers,
            hubs,
            task: tokio::spawn(async {}).abort_handle(),
        });
        let behind: Vec<Arc<str>> = Follower {
            _hub: hub,
            receiver,
            lagged,
            done: false,
        }
        .collect()
        .await;
        assert_eq!(behind.len(), 2, "{behind:?}");
        assert_eq!(&*behind[0], r#"{"data":0}"#);
        assert!(behind[1].contains(BEHIND) && behind[1].contains("RATE_LIMITED"));
        let all: Vec<Arc<str>> = kept_up.collect().await;
        assert_eq!(all.len(), 3, "the follower that kept up got every response");
    }
}
