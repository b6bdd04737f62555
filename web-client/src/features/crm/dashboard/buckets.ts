// The dashboard's message figures, counted in the browser: the API has no aggregate query for
// message volumes, so the last hour's messages are read page by page and kept current from
// the live message events.

import type { Direction, MessageStatus } from '../../../gql/graphql';

export type SeenMessage = { id: string; direction: Direction; status: MessageStatus; createdAt: string };

export type MinuteBucket = { minute: string; at: number; Received: number; Sent: number };

const MINUTE = 60_000;

/** `minutes` one-minute buckets ending with the current minute, oldest first. */
export function minuteBuckets(
  messages: Iterable<SeenMessage>,
  now: number,
  minutes = 60,
  label: (at: number) => string = defaultLabel,
): MinuteBucket[] {
  const end = Math.floor(now / MINUTE) * MINUTE; // start of the current minute
  const start = end - (minutes - 1) * MINUTE;
  const buckets: MinuteBucket[] = [];
  for (let i = 0; i < minutes; i++) {
    const at = start + i * MINUTE;
    buckets.push({ minute: label(at), at, Received: 0, Sent: 0 });
  }
  for (const m of messages) {
    const t = Date.parse(m.createdAt);
    if (Number.isNaN(t) || t < start || t >= end + MINUTE) continue;
    const bucket = buckets[Math.floor((t - start) / MINUTE)];
    if (m.direction === 'INBOUND') bucket.Received += 1;
    else bucket.Sent += 1;
  }
  return buckets;
}

const labelFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
function defaultLabel(at: number): string {
  return labelFmt.format(new Date(at));
}

export type Rates = {
  received: number;
  sent: number;
  /** Outbound messages the provider accepted (sent, delivered or read). */
  accepted: number;
  delivered: number;
  read: number;
  failed: number;
  /** Of the accepted ones, in percent; null when none. */
  deliveredRate: number | null;
  readRate: number | null;
  failedRate: number | null;
};

/** Delivery and read rates of the outbound messages, as the statuses stand now. */
export function rates(messages: Iterable<SeenMessage>, since = 0): Rates {
  let received = 0;
  let sent = 0;
  let accepted = 0;
  let delivered = 0;
  let read = 0;
  let failed = 0;
  for (const m of messages) {
    if (Date.parse(m.createdAt) < since) continue;
    if (m.direction === 'INBOUND') {
      received += 1;
      continue;
    }
    sent += 1;
    if (m.status === 'SENT' || m.status === 'DELIVERED' || m.status === 'READ') accepted += 1;
    if (m.status === 'DELIVERED' || m.status === 'READ') delivered += 1;
    if (m.status === 'READ') read += 1;
    if (m.status === 'FAILED') failed += 1;
  }
  const pct = (n: number, of: number) => (of === 0 ? null : Math.round((n / of) * 1000) / 10);
  return {
    received,
    sent,
    accepted,
    delivered,
    read,
    failed,
    deliveredRate: pct(delivered, accepted),
    readRate: pct(read, accepted),
    failedRate: pct(failed, sent),
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
