//! The periodic refresh of the gauges read from the database: the outbox's depth and its
//! oldest due job's age per channel (one grouped query), and the pool's use. It also folds
//! the histograms' samples, so they do not pile up between scrapes.

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;

use crate::domain::ChannelId;
use crate::store::Store;
use crate::telemetry::metrics;

pub struct GaugeRefresh {
    store: Store,
    interval: Duration,
    /// Channels reported last round: one that has emptied since reads 0 rather than its
    /// last depth.
    reported: HashSet<ChannelId>,
}

impl GaugeRefresh {
    pub fn new(store: Store, interval: Duration) -> Self {
        Self {
            store,
            interval,
            reported: HashSet::new(),
        }
    }

    pub async fn run(mut self) {
        let mut ticks = tokio::time::interval(self.interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            self.refresh().await;
        }
    }

    async fn refresh(&mut self) {
        metrics::upkeep();
        let gauges = self.store.gauges();
        if let Some(pool) = gauges.pool_use() {
            metrics::db_pool(pool.in_use, pool.idle, pool.max);
        }
        let now = Utc::now();
        let depths = match gauges.outbox_depth(now).await {
            Ok(depths) => depths,
            Err(error) => {
                tracing::warn!(%error, "reading the outbox depth for the metrics failed");
                return;
            }
        };
        let mut seen = HashSet::with_capacity(depths.len());
        for depth in depths {
            let age = depth
                .oldest_due
                .and_then(|due| (now - due).to_std().ok())
                .unwrap_or_default();
            metrics::outbox_depth(depth.channel, depth.jobs, age);
            seen.insert(depth.channel);
        }
        for gone in self.reported.difference(&seen) {
            metrics::outbox_depth(*gone, 0, Duration::ZERO);
        }
        self.reported = seen;
    }
}
