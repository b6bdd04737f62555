//! Channels by webhook key, remembered for a moment: every provider webhook names its
//! channel by the key in its URL, and reading the key and the channel for each of thousands
//! of deliveries a second would cost two queries apiece. A change made through this
//! instance forgets what it remembered at once ([`Store::forget_channels`]); a change made
//! through another instance is seen within [`FRESH_FOR`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Store, StoreError};
use crate::domain::records::ChannelRecord;

/// How long a channel read is used before it is read again.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// Channels remembered at most; past it, the oldest reads are dropped.
const CAPACITY: usize = 10_000;

#[derive(Clone, Default)]
pub(super) struct ChannelMemo(Arc<Mutex<Memo>>);

#[derive(Default)]
struct Memo {
    /// Moved by each forget, so a read that began before a change is not remembered.
    generation: u64,
    by_key: HashMap<String, (ChannelRecord, Instant)>,
}

impl ChannelMemo {
    fn lock(&self) -> std::sync::MutexGuard<'_, Memo> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Store {
    /// The channel a provider webhook's key names (as
    /// [`super::system::System::find_channel_by_webhook_key`]), read at most
    /// [`FRESH_FOR`] ago. Keys that name no channel are not remembered.
    pub async fn channel_by_webhook_key(
        &self,
        key: &str,
    ) -> Result<Option<ChannelRecord>, StoreError> {
        let generation = {
            let memo = self.channel_memo.lock();
            if let Some((channel, at)) = memo.by_key.get(key) {
                if at.elapsed() < FRESH_FOR {
                    return Ok(Some(channel.clone()));
                }
            }
            memo.generation
        };
        let found = self.system().find_channel_by_webhook_key(key).await?;
        if let Some(channel) = &found {
            let mut memo = self.channel_memo.lock();
            if memo.generation == generation {
                if memo.by_key.len() >= CAPACITY {
                    memo.by_key.retain(|_, (_, at)| at.elapsed() < FRESH_FOR);
                }
                if memo.by_key.len() < CAPACITY {
                    memo.by_key
                        .insert(key.to_owned(), (channel.clone(), Instant::now()));
                }
            }
        }
        Ok(found)
    }

    /// Forgets every channel remembered: called once a change to a channel (or to what a
    /// channel refers to) has committed.
    pub fn forget_channels(&self) {
        let mut memo = self.channel_memo.lock();
        memo.generation += 1;
        memo.by_key.clear();
    }
}
