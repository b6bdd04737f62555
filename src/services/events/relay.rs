//! What crosses instances on PostgreSQL besides the event log: revocations, NOTIFYed as
//! themselves (an instance ignores its own), and the log's wake-ups, which only tell the
//! tail to read now. A wake-up lost while the listening connection is down costs nothing:
//! the tail reads the log after reconnecting, and every second anyway.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::log::Tail;
use super::{EventBus, Revocation};
use crate::store::event_log::WAKE_CHANNEL;
use crate::store::{Listener, Store};

const CHANNEL: &str = "switchboard_events";
/// Revocations waiting to be sent; beyond this they are dropped with a warning (the sockets
/// elsewhere still check their tokens periodically).
const OUTBOX: usize = 4096;

/// What goes to the other instances.
#[derive(Clone, Debug)]
pub enum Relayed {
    Revocation(Revocation),
}

/// A revocation as notified.
#[derive(Debug, Serialize, Deserialize)]
struct RevocationNotice {
    origin: uuid::Uuid,
    revocation: Revocation,
}

fn payload(origin: uuid::Uuid, relayed: &Relayed) -> Option<String> {
    match relayed {
        Relayed::Revocation(revocation) => serde_json::to_string(&RevocationNotice {
            origin,
            revocation: *revocation,
        })
        .ok(),
    }
}

/// Notifications sent in one statement at most.
const NOTIFY_BATCH: usize = 200;

/// Starts relaying when the store is PostgreSQL; answers the sender the bus forwards
/// revocations to.
pub async fn start(
    store: Store,
    database_url: &str,
    bus: EventBus,
    tail: Arc<Tail>,
) -> anyhow::Result<Option<mpsc::Sender<Relayed>>> {
    if !store.notifies() {
        return Ok(None);
    }
    let origin = uuid::Uuid::new_v4();
    let mut listener = Listener::connect(database_url, &[CHANNEL, WAKE_CHANNEL]).await?;
    let (tx, mut rx) = mpsc::channel::<Relayed>(OUTBOX);

    let notifier = store.clone();
    tokio::spawn(async move {
        // Revocations that queued up meanwhile go out together: one round trip for many.
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            while batch.len() < NOTIFY_BATCH {
                match rx.try_recv() {
                    Ok(relayed) => batch.push(relayed),
                    Err(_) => break,
                }
            }
            let payloads = batch.iter().filter_map(|r| payload(origin, r)).collect();
            if let Err(e) = notifier.notify(CHANNEL, payloads).await {
                tracing::warn!(error = %e, "could not notify other instances of revocations");
            }
        }
    });

    tokio::spawn(async move {
        loop {
            match listener.recv().await {
                Ok((channel, _)) if channel == WAKE_CHANNEL => tail.wake(),
                Ok((_, notification)) => {
                    if let Ok(notice) = serde_json::from_str::<RevocationNotice>(&notification) {
                        if notice.origin != origin {
                            bus.revoke_local(notice.revocation);
                        }
                    }
                }
                Err(e) => {
                    // The listener reconnects by itself on the next recv; the tail reads
                    // what was committed meanwhile.
                    tracing::warn!(error = %e, "event listener lost its connection; reconnecting");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    tail.wake();
                }
            }
        }
    });
    Ok(Some(tx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revocation_reads_back_from_its_notice() {
        let origin = uuid::Uuid::new_v4();
        let revocation = Revocation::ApiKey {
            key: crate::domain::ApiKeyId::new(),
        };
        let text = payload(origin, &Relayed::Revocation(revocation)).unwrap();
        let notice: RevocationNotice = serde_json::from_str(&text).unwrap();
        assert_eq!(notice.revocation, revocation);
        assert_eq!(notice.origin, origin);
    }
}
