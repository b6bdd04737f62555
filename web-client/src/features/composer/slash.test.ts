import { describe, expect, it } from 'vitest';
import { replaceTrigger, slashTrigger } from './slash';

describe('slashTrigger', () => {
  it('opens on a slash at the start or after a space, with what follows as the search', () => {
    expect(slashTrigger('/', 1)).toEqual({ start: 0, query: '' });
    expect(slashTrigger('Hi /tha', 7)).toEqual({ start: 3, query: 'tha' });
    expect(slashTrigger('Hi\n/order-status_2', 18)).toEqual({ start: 3, query: 'order-status_2' });
  });

  it('ignores slashes inside words, URLs and dates', () => {
    expect(slashTrigger('and/or', 6)).toBeNull();
    expect(slashTrigger('see https://x.io/a', 18)).toBeNull();
    expect(slashTrigger('on 12/05', 8)).toBeNull();
  });

  it('closes once a space or other character follows the shortcut', () => {
    expect(slashTrigger('/thanks ', 8)).toBeNull();
    expect(slashTrigger('/thanks!', 8)).toBeNull();
  });

  it('reads only up to the caret', () => {
    expect(slashTrigger('/thanks and more', 4)).toEqual({ start: 0, query: 'tha' });
  });
});

describe('replaceTrigger', () => {
  it('puts the rendered text where the slash and search were', () => {
    const text = 'Hi /tha, bye';
    const trigger = slashTrigger(text, 7)!;
    expect(replaceTrigger(text, 7, trigger, 'Thanks Ana!')).toEqual({ text: 'Hi Thanks Ana!, bye', caret: 14 });
  });
});
