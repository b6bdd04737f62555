import { describe, expect, it } from 'vitest';
import { changedAttributes, valuesByKey } from './attributes';

describe('changedAttributes', () => {
  it('sends only what changed, an emptied value as null to clear it', () => {
    const before = valuesByKey([
      { key: 'tier', value: 'gold' },
      { key: 'city', value: 'Madrid' },
      { key: 'vip', value: 'true' },
    ]);
    const after = { tier: 'silver', city: '  ', vip: 'true', birthday: '1990-04-01' };
    expect(changedAttributes(before, after)).toEqual([
      { key: 'birthday', value: '1990-04-01' },
      { key: 'city', value: null },
      { key: 'tier', value: 'silver' },
    ]);
  });

  it('sends nothing for an untouched or still empty field', () => {
    expect(changedAttributes({ tier: 'gold' }, { tier: 'gold', note: '' })).toEqual([]);
  });
});
