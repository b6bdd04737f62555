//! Group commit for the outbox's endings on SQLite. A send's ending (the attempt, where its
//! job goes, what its message becomes) is stored by one recorder, which takes every ending
//! waiting into one transaction and answers each send once it has committed: a send is
//! recorded as durably as before, and a thousand sends cost a few transactions instead of
//! a thousand. On PostgreSQL each send records its own ending ([`Recorder`]).
//!
//! The endings go straight into the transaction. When one fails, or its job was taken over
//! before a new attempt row was written (that ending must store nothing), the transaction
//! is dropped and the endings are stored again, each in a savepoint of its own, so only
//! that ending is undone. When the batch cannot commit at all, each ending is tried in a
//! transaction of its own; one that still fails is answered with its error, and its
//! job's lease runs out and another round takes it, as for any failed record.

use tokio::sync::{mpsc, oneshot};

use super::ending::{write, Ending, Row};
use super::prepare::Ready;
use super::LOG_TARGET;
use crate::domain::AttemptOutcome;
use crate::services::events::{Committed, Event, EventBus};
use crate::services::webhooks::journal;
use crate::store::{Store, StoreError};

/// Endings in one transaction at most.
const BATCH: usize = 128;

struct Entry {
    ready: Ready,
    ending: Ending,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

fn stopped() -> StoreError {
    StoreError::Db(sea_orm::DbErr::Custom(
        "the outbox recorder has stopped".into(),
    ))
}

/// The handle endings are recorded through.
#[derive(Clone)]
pub(super) struct Recorder {
    /// The recorder task's queue; none on PostgreSQL, where each send records its ending in
    /// a transaction of its own, side by side with the others (one task's batches, one
    /// statement at a time, would hold the sends back there, and SQLite's single writer
    /// makes them queue anyway).
    queue: Option<mpsc::UnboundedSender<Entry>>,
    run: std::sync::Arc<Run>,
}

impl Recorder {
    /// Starts the recorder task (on SQLite).
    pub(super) fn new(store: Store, bus: EventBus) -> Self {
        let batched = store.is_sqlite();
        let run = std::sync::Arc::new(Run { store, bus });
        let queue = batched.then(|| {
            let (queue, entries) = mpsc::unbounded_channel();
            tokio::spawn(run.clone().run(entries));
            queue
        });
        Self { queue, run }
    }

    /// Stores `ending`, answering once it is committed.
    pub(super) async fn record(&self, ready: Ready, ending: Ending) -> Result<(), StoreError> {
        let Some(queue) = &self.queue else {
            return self.run.alone(&ready, ending).await;
        };
        let (reply, answer) = oneshot::channel();
        let entry = Entry {
            ready,
            ending,
            reply,
        };
        queue.send(entry).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// What one ending came to in a batch.
enum Outcome {
    /// Stored; its events are published with the batch's.
    Kept,
    /// Its job was taken over before its new attempt row: nothing stored, nothing to do.
    TakenOver,
    Failed(StoreError),
}

struct Run {
    store: Store,
    bus: EventBus,
}

impl Run {
    async fn run(self: std::sync::Arc<Self>, mut entries: mpsc::UnboundedReceiver<Entry>) {
        while let Some(first) = entries.recv().await {
            let mut batch = vec![first];
            while batch.len() < BATCH {
                match entries.try_recv() {
                    Ok(entry) => batch.push(entry),
                    Err(_) => break,
                }
            }
            self.store_batch(batch).await;
        }
    }

    async fn store_batch(&self, batch: Vec<Entry>) {
        let outcomes = match self.attempt(&batch, false).await {
            Ok(Some(outcomes)) => Ok(outcomes),
            Ok(None) => self
                .attempt(&batch, true)
                .await
                .map(Option::unwrap_or_default),
            Err(e) => Err(e),
        };
        match outcomes {
            Ok(outcomes) if outcomes.len() == batch.len() => {
                for (entry, outcome) in batch.into_iter().zip(outcomes) {
                    let answer = match outcome {
                        Outcome::Kept | Outcome::TakenOver => Ok(()),
                        Outcome::Failed(e) => Err(e),
                    };
                    let _ = entry.reply.send(answer);
                }
            }
            other => {
                if let Err(e) = other {
                    tracing::warn!(target: LOG_TARGET, { error = %e, endings = batch.len() }, "a batch of send endings did not commit; each is recorded on its own");
                }
                for entry in batch {
                    let answer = self.alone(&entry.ready, entry.ending).await;
                    let _ = entry.reply.send(answer);
                }
            }
        }
    }

    /// One transaction for the whole batch; `None` when an ending could not be stored
    /// straight in it. Publishes what committed.
    async fn attempt(
        &self,
        batch: &[Entry],
        isolated: bool,
    ) -> Result<Option<Vec<Outcome>>, StoreError> {
        let txn = self.store.write_batch().await?;
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut events = Vec::new();
        for entry in batch {
            let (ready, ending) = (&entry.ready, entry.ending.clone());
            let row = entry.ending.row;
            let outcome = if isolated {
                let unit = txn.unit(ready.tenant).await?;
                match write(&unit.scope(), ready, ending).await {
                    Ok((false, _)) if matches!(row, Row::New) => Outcome::TakenOver,
                    Ok((moved, out)) => match unit.commit().await {
                        Ok(()) => kept(
                            ready,
                            row,
                            entry.ending.attempt.outcome,
                            moved,
                            out,
                            &mut events,
                        ),
                        Err(e) => Outcome::Failed(e),
                    },
                    Err(e) => Outcome::Failed(e),
                }
            } else {
                match write(&txn.scope(ready.tenant), ready, ending).await {
                    Ok((false, _)) if matches!(row, Row::New) => return Ok(None),
                    Ok((moved, out)) => kept(
                        ready,
                        row,
                        entry.ending.attempt.outcome,
                        moved,
                        out,
                        &mut events,
                    ),
                    Err(e) => {
                        tracing::debug!(target: LOG_TARGET, { message.id = %ready.message.id, error = %e }, "a send ending failed in its batch; the batch is stored again with each ending on its own");
                        return Ok(None);
                    }
                }
            };
            outcomes.push(outcome);
        }
        let committed = journal::commit_in(&txn, events).await?;
        txn.commit().await?;
        self.publish(committed);
        for (entry, outcome) in batch.iter().zip(&outcomes) {
            if matches!(outcome, Outcome::TakenOver) {
                super::lost_lease(entry.ready.tenant, entry.ready.message.id);
            }
        }
        Ok(Some(outcomes))
    }

    /// One ending in a transaction of its own.
    async fn alone(&self, ready: &Ready, ending: Ending) -> Result<(), StoreError> {
        let unit = self.store.write(ready.tenant).await?;
        let (row, outcome) = (ending.row, ending.attempt.outcome);
        let (moved, out) = write(&unit.scope(), ready, ending).await?;
        if !moved && matches!(row, Row::New) {
            // Dropping the transaction undoes the message's change too.
            super::lost_lease(ready.tenant, ready.message.id);
            return Ok(());
        }
        let mut events = Vec::new();
        kept(ready, row, outcome, moved, out, &mut events);
        let committed = journal::commit(unit, &events).await?;
        self.publish(vec![committed]);
        Ok(())
    }

    fn publish(&self, committed: Vec<Committed>) {
        for done in committed {
            self.bus.publish(done);
        }
    }
}

/// A stored ending, whose events join `events`; notes an outcome recorded on a job another
/// worker took over meanwhile.
fn kept(
    ready: &Ready,
    row: Row,
    outcome: AttemptOutcome,
    moved: bool,
    out: Vec<Event>,
    events: &mut Vec<Event>,
) -> Outcome {
    if !moved && matches!(row, Row::Begun { .. }) {
        tracing::warn!(target: LOG_TARGET, { tenant.id = %ready.tenant, message.id = %ready.message.id, outcome = %outcome }, "the job's lease ran out during the send and another worker took the job over; the outcome is recorded and that worker ends the job");
    }
    events.extend(out);
    Outcome::Kept
}
