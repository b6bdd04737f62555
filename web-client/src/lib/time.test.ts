import { describe, expect, it } from 'vitest';
import { formatShort, remaining } from './time';

describe('remaining', () => {
  it('counts down hours and minutes, then minutes and seconds', () => {
    const now = Date.parse('2026-01-01T10:00:00Z');
    expect(remaining('2026-01-01T12:05:30Z', now)).toBe('2h 05m');
    expect(remaining('2026-01-01T10:04:09Z', now)).toBe('4m 09s');
  });
  it('is null once the moment has passed', () => {
    const now = Date.parse('2026-01-01T10:00:00Z');
    expect(remaining('2026-01-01T09:59:59Z', now)).toBeNull();
    expect(remaining(null, now)).toBeNull();
  });
});

describe('formatShort', () => {
  it('shows the hour for today and the day otherwise', () => {
    const now = new Date('2026-03-10T12:00:00');
    expect(formatShort('2026-03-10T09:30:00', now)).toMatch(/09:30|9:30/);
    expect(formatShort('2026-03-02T09:30:00', now)).toMatch(/2/);
  });
});
