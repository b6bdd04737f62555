//! Message volume for dashboards: counts per time bucket and delivery outcomes.

use async_graphql::{Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::errors::GqlResult;
use super::guards::viewer;
use super::types::parse_id;
use crate::domain::stats::{Outcomes, Volume, VolumeBucket};
use crate::domain::ChannelId;
use crate::services::Services;

/// Messages in and out during one bucket.
#[derive(SimpleObject)]
pub struct VolumePoint {
    pub start: DateTime<Utc>,
    pub inbound: u64,
    pub outbound: u64,
}

impl From<VolumeBucket> for VolumePoint {
    fn from(b: VolumeBucket) -> Self {
        Self {
            start: b.start,
            inbound: b.inbound,
            outbound: b.outbound,
        }
    }
}

/// The period's outbound messages by where they stand now.
#[derive(SimpleObject)]
pub struct OutboundOutcomes {
    /// Not yet handed to the provider.
    pub queued: u64,
    pub sent: u64,
    pub delivered: u64,
    pub read: u64,
    pub failed: u64,
    /// Of those handed to the provider, the share delivered (read ones count); null for none.
    pub delivery_rate: Option<f64>,
    /// Of those handed to the provider, the share read; null for none.
    pub read_rate: Option<f64>,
}

impl From<Outcomes> for OutboundOutcomes {
    fn from(o: Outcomes) -> Self {
        Self {
            queued: o.queued,
            sent: o.sent,
            delivered: o.delivered,
            read: o.read,
            failed: o.failed,
            delivery_rate: o.delivery_rate(),
            read_rate: o.read_rate(),
        }
    }
}

/// A period's messages: per bucket, in total, and the outbound ones' outcomes.
#[derive(SimpleObject)]
pub struct MessageVolume {
    /// One point per bucket from `from`, empty buckets included, oldest first.
    pub points: Vec<VolumePoint>,
    pub inbound: u64,
    pub outbound: OutboundOutcomes,
}

impl From<Volume> for MessageVolume {
    fn from(v: Volume) -> Self {
        Self {
            points: v.buckets.into_iter().map(Into::into).collect(),
            inbound: v.inbound,
            outbound: v.outbound.into(),
        }
    }
}

#[derive(Default)]
pub struct MessageVolumeQuery;

#[Object]
impl MessageVolumeQuery {
    /// The tenant's messages in `[from, to)` per bucket of `bucketMinutes` (1 to 1440; at
    /// most 1440 buckets), in and out, with delivery and read rates: for owners and admins.
    /// Inbound messages count at the provider's time, outbound ones when created.
    async fn message_volume(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        #[graphql(desc = "The bucket's width in minutes; 1 when not given.")]
        bucket_minutes: Option<i32>,
        channel_id: Option<ID>,
    ) -> GqlResult<MessageVolume> {
        let channel: Option<ChannelId> = channel_id
            .as_ref()
            .map(|id| parse_id("channelId", id))
            .transpose()?;
        let access = viewer(ctx)?.access()?;
        let state = ctx.data_unchecked::<Services>();
        let volume = state
            .history
            .volume(
                &access,
                from,
                to,
                channel,
                i64::from(bucket_minutes.unwrap_or(1)),
            )
            .await?;
        Ok(volume.into())
    }
}
