// The dashboard's message figures from the API's `messageVolume`: per-minute points for the
// chart, and the outbound outcomes as counts and rates.

import type { CrmDashboardVolumeQuery } from '../../../gql/graphql';

type Volume = CrmDashboardVolumeQuery['messageVolume'];

export type MinuteBucket = { minute: string; at: number; Received: number; Sent: number };

const labelFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
function defaultLabel(at: number): string {
  return labelFmt.format(new Date(at));
}

/** The chart's points, labelled in the viewer's time zone, oldest first. */
export function toBuckets(volume: Volume, label: (at: number) => string = defaultLabel): MinuteBucket[] {
  return volume.points.map((p) => {
    const at = Date.parse(p.start);
    return { minute: label(at), at, Received: p.inbound, Sent: p.outbound };
  });
}

export type Rates = {
  received: number;
  /** Every outbound message of the period. */
  sent: number;
  /** Handed to the provider: sent, delivered, read or failed. */
  handed: number;
  queued: number;
  /** Delivered, counting the read ones. */
  delivered: number;
  read: number;
  failed: number;
  /** Of those handed to the provider, in percent with one decimal; null when none. */
  deliveredRate: number | null;
  readRate: number | null;
};

const pct = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);

export function toRates(volume: Volume): Rates {
  const o = volume.outbound;
  const handed = o.sent + o.delivered + o.read + o.failed;
  return {
    received: volume.inbound,
    sent: handed + o.queued,
    handed,
    queued: o.queued,
    delivered: o.delivered + o.read,
    read: o.read,
    failed: o.failed,
    deliveredRate: pct(o.deliveryRate),
    readRate: pct(o.readRate),
  };
}

/** `42s`, `3m 05s`, `1h 10m`: a duration in seconds as people read it; `—` for none. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
