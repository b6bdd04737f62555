import { describe, expect, it } from 'vitest';
import type { CrmDashboardVolumeQuery } from '../../../gql/graphql';
import { formatSeconds, toBuckets, toRates } from './buckets';

type Volume = CrmDashboardVolumeQuery['messageVolume'];

const volume = (outbound: Partial<Volume['outbound']>, inbound = 0): Volume => ({
  points: [
    { start: '2026-12-07T09:31:00Z', inbound: 1, outbound: 0 },
    { start: '2026-12-07T09:32:00Z', inbound: 0, outbound: 2 },
  ],
  inbound,
  outbound: { queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, deliveryRate: null, readRate: null, ...outbound },
});

describe('toBuckets', () => {
  it("labels the server's points and keeps their order", () => {
    const buckets = toBuckets(volume({}), (t) => new Date(t).toISOString().slice(11, 16));
    expect(buckets).toEqual([
      { minute: '09:31', at: Date.parse('2026-12-07T09:31:00Z'), Received: 1, Sent: 0 },
      { minute: '09:32', at: Date.parse('2026-12-07T09:32:00Z'), Received: 0, Sent: 2 },
    ]);
  });
});

describe('toRates', () => {
  it('counts delivered with the read ones and shows the rates in percent', () => {
    const r = toRates(volume({ queued: 1, sent: 1, delivered: 2, read: 1, failed: 1, deliveryRate: 0.6, readRate: 0.2 }, 7));
    expect(r).toMatchObject({ received: 7, sent: 6, handed: 5, queued: 1, delivered: 3, read: 1, failed: 1, deliveredRate: 60, readRate: 20 });
  });

  it('has no rate when nothing was handed over', () => {
    expect(toRates(volume({ queued: 3 })).deliveredRate).toBeNull();
  });
});

describe('formatSeconds', () => {
  it('reads as people say durations', () => {
    expect(formatSeconds(null)).toBe('—');
    expect(formatSeconds(42)).toBe('42s');
    expect(formatSeconds(185)).toBe('3m 05s');
    expect(formatSeconds(4200)).toBe('1h 10m');
  });
});
