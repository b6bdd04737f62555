import { describe, expect, it } from 'vitest';
import { conditionProblem, conditionToInput, describeCondition, emptyCondition } from './conditions';
import { moved } from './RoutingPage';

const names = { channels: new Map([['c1', 'Meta']]), queues: new Map([['q1', 'Billing']]) };

describe('routing conditions', () => {
  it('sends only the fields a kind takes', () => {
    const c = { ...emptyCondition('KEYWORD'), value: ' refund ', channelId: 'c1', queueId: 'q1', key: 'tier' };
    expect(conditionToInput(c)).toEqual({ kind: 'KEYWORD', value: 'refund' });
    expect(conditionToInput({ ...c, kind: 'CHANNEL' })).toEqual({ kind: 'CHANNEL', channelId: 'c1' });
    expect(conditionToInput({ ...c, kind: 'ATTRIBUTE', value: 'gold' })).toEqual({ kind: 'ATTRIBUTE', key: 'tier', value: 'gold' });
    // No queue: the API takes the rule's own.
    expect(conditionToInput({ ...c, kind: 'OUTSIDE_HOURS', queueId: null })).toEqual({ kind: 'OUTSIDE_HOURS' });
  });

  it('says what is missing', () => {
    expect(conditionProblem(emptyCondition('CHANNEL'))).toBe('Pick a channel');
    expect(conditionProblem(emptyCondition('KEYWORD'))).toBe('Fill in a value');
    expect(conditionProblem(emptyCondition('INSIDE_HOURS'))).toBeNull();
  });

  it('describes a condition with names, not ids', () => {
    expect(describeCondition({ kind: 'CHANNEL', channelId: 'c1' }, names)).toBe('channel Meta');
    expect(describeCondition({ kind: 'INSIDE_HOURS', queueId: 'q1' }, names)).toBe('Billing open');
    expect(describeCondition({ kind: 'OUTSIDE_HOURS', queueId: null }, names)).toBe('its queue closed');
  });

  it('moves a rule up and down, never past the ends', () => {
    expect(moved(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moved(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    const ids = ['a', 'b'];
    expect(moved(ids, 0, -1)).toBe(ids);
  });
});
