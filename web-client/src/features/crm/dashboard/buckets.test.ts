import { describe, expect, it } from 'vitest';
import { formatSeconds, minuteBuckets, rates, type SeenMessage } from './buckets';

const now = Date.parse('2026-12-07T10:30:20Z');
const at = (iso: string) => iso;
const msg = (id: string, direction: SeenMessage['direction'], status: SeenMessage['status'], createdAt: string): SeenMessage => ({
  id,
  direction,
  status,
  createdAt: at(createdAt),
});

describe('minuteBuckets', () => {
  it('counts messages in and out per minute, ending with the current minute', () => {
    const buckets = minuteBuckets(
      [
        msg('1', 'INBOUND', 'RECEIVED', '2026-12-07T10:30:05Z'),
        msg('2', 'OUTBOUND', 'SENT', '2026-12-07T10:30:10Z'),
        msg('3', 'OUTBOUND', 'READ', '2026-12-07T10:29:59Z'),
        msg('4', 'INBOUND', 'RECEIVED', '2026-12-07T09:31:00Z'),
        // Before the window: left out.
        msg('5', 'INBOUND', 'RECEIVED', '2026-12-07T09:30:59Z'),
      ],
      now,
      60,
      (t) => new Date(t).toISOString().slice(11, 16),
    );
    expect(buckets).toHaveLength(60);
    expect(buckets[0]).toMatchObject({ minute: '09:31', Received: 1, Sent: 0 });
    expect(buckets[58]).toMatchObject({ minute: '10:29', Received: 0, Sent: 1 });
    expect(buckets[59]).toMatchObject({ minute: '10:30', Received: 1, Sent: 1 });
  });
});

describe('rates', () => {
  it('rates delivery and reading against the messages the provider accepted', () => {
    const r = rates([
      msg('1', 'OUTBOUND', 'READ', '2026-12-07T10:00:00Z'),
      msg('2', 'OUTBOUND', 'DELIVERED', '2026-12-07T10:00:00Z'),
      msg('3', 'OUTBOUND', 'SENT', '2026-12-07T10:00:00Z'),
      msg('4', 'OUTBOUND', 'DELIVERED', '2026-12-07T10:00:00Z'),
      msg('5', 'OUTBOUND', 'FAILED', '2026-12-07T10:00:00Z'),
      msg('6', 'OUTBOUND', 'QUEUED', '2026-12-07T10:00:00Z'),
      msg('7', 'INBOUND', 'RECEIVED', '2026-12-07T10:00:00Z'),
    ]);
    expect(r).toMatchObject({ received: 1, sent: 6, accepted: 4, delivered: 3, read: 1, failed: 1, deliveredRate: 75, readRate: 25 });
  });

  it('has no rate when nothing was sent', () => {
    expect(rates([]).deliveredRate).toBeNull();
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
